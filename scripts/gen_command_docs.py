"""Generates Kvik's COMMAND DOCS/INFO supplement table from a running redis-server 7.0.

Usage: redis-server --port 7777 --save '' &
       /usr/bin/python3 scripts/gen_command_docs.py 7777 > /tmp/rows.c
then replace the rows of docs[] in src/cmd/command_docs.c with /tmp/rows.c.
"""
import sys; import os; sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration")); from resp3 import Resp3
port = int(sys.argv[1])
r = Resp3(port); r.hello(3)
info = r.call("COMMAND", "INFO")
docs = r.call("COMMAND", "DOCS")
def s(b): return b.decode() if isinstance(b, bytes) else b

TYPE = {"key":"k","string":"s","integer":"i","double":"d","pattern":"p","unix-time":"t",
        "pure-token":"T","oneof":"o","block":"b"}
FLAG = {"optional":"?","multiple":"*","multiple_token":"+"}
def enc_args(args):
    out = []
    for a in args:
        a = {s(k): v for k, v in a.items()}
        t = s(a["type"]); name = s(a["name"])
        assert set(a) <= {"name","type","key_spec_index","token","since","flags","deprecated_since","arguments"}, a
        for ch in '`?*+@!#() ':
            assert ch not in name, name
        x = TYPE[t] + name
        if "token" in a:
            tok = s(a["token"]); assert "`" not in tok; x += "`" + tok + "`"
        if "key_spec_index" in a: x += "#%d" % a["key_spec_index"]
        if "since" in a: x += "@" + s(a["since"])
        if "deprecated_since" in a: x += "!" + s(a["deprecated_since"])
        fl = list(a.get("flags", []))
        order = ["optional", "multiple", "multiple_token"]
        assert fl == [f for f in order if f in fl], fl
        x += "".join(FLAG[f] for f in fl)
        if "arguments" in a: x += "(" + enc_args(a["arguments"]) + ")"
        out.append(x)
    return " ".join(out)

def enc_spec(sp):
    sp = {s(k): v for k, v in sp.items()}
    bs = {s(k): v for k, v in sp["begin_search"].items()}
    fk = {s(k): v for k, v in sp["find_keys"].items()}
    bspec = {s(k): v for k, v in bs["spec"].items()}
    fspec = {s(k): v for k, v in fk["spec"].items()}
    flags = " ".join(sp.get("flags", []))
    t = s(bs["type"])
    if t == "index": b = "i%d" % bspec["index"]
    elif t == "keyword": b = "k%s,%d" % (s(bspec["keyword"]), bspec["startfrom"])
    else: assert t == "unknown"; b = "u"
    t = s(fk["type"])
    if t == "range": f = "r%d,%d,%d" % (fspec["lastkey"], fspec["keystep"], fspec["limit"])
    elif t == "keynum": f = "n%d,%d,%d" % (fspec["keynumidx"], fspec["firstkey"], fspec["keystep"])
    else: assert t == "unknown"; f = "u"
    x = "%s|%s|%s" % (flags, b, f)
    if "notes" in sp: x += "|" + s(sp["notes"])
    assert set(sp) <= {"flags","begin_search","find_keys","notes"}
    return x

def simple(e, specs):
    if len(specs) != 1: return len(specs) == 0 and e[3] == 0
    sp = {s(k): v for k, v in specs[0].items()}
    if "notes" in sp: return False
    bs = {s(k): v for k, v in sp["begin_search"].items()}; fk = {s(k): v for k, v in sp["find_keys"].items()}
    if s(bs["type"]) != "index" or s(fk["type"]) != "range": return False
    idx = {s(k): v for k, v in bs["spec"].items()}["index"]
    f = {s(k): v for k, v in fk["spec"].items()}
    if f["limit"] != 0: return False
    last = idx + f["lastkey"] if f["lastkey"] >= 0 else f["lastkey"]
    return (e[3], e[4], e[5]) == (idx, last, f["keystep"])

rows = {}
def visit(e, d):
    name = s(e[0]); d = {s(k): v for k, v in d.items()}
    row = {}
    if "arguments" in d: row["args"] = enc_args(d["arguments"])
    if "history" in d: row["history"] = "\n".join(s(v) + "\t" + s(t) for v, t in d["history"])
    tips = [s(t) for t in e[7]]
    if tips: row["tips"] = " ".join(tips)
    specs = list(e[8])
    movable = "movablekeys" in e[2]
    nonsimple = any(s({s(k): v for k, v in sp.items()}["begin_search"][b"type"]) != "index" or
                    s({s(k): v for k, v in sp.items()}["find_keys"][b"type"]) != "range" for sp in specs)
    if movable != nonsimple: print("movable mismatch", name, file=sys.stderr)
    if not simple(e, specs):
        row["keyspecs"] = [enc_spec(sp) for sp in specs]
    if "doc_flags" in d: row["doc_flags"] = " ".join(s(f) for f in d["doc_flags"])
    if "deprecated_since" in d: row["deprecated_since"] = s(d["deprecated_since"])
    if "replaced_by" in d: row["replaced_by"] = s(d["replaced_by"])
    assert set(d) <= {"summary","since","group","complexity","arguments","history","doc_flags","deprecated_since","replaced_by","subcommands"}, d.keys()
    rows[name] = row
    subdocs = d.get("subcommands", {})
    for sub in e[9]:
        visit(sub, subdocs[sub[0]])
for e in info:
    visit(e, docs[e[0]])

def cstr(text, indent, first):
    """C string literal(s) for text, split to fit 100 columns."""
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    parts = []; width = 98 - indent - first - 2
    while len(esc) > width:
        cut = esc.rfind(" ", 0, width)
        if cut <= 0: cut = width
        else: cut += 1
        while esc[cut-1] == "\\": cut -= 1   # never split an escape
        parts.append(esc[:cut]); esc = esc[cut:]; width = 98 - indent - 2
    parts.append(esc)
    return ("\n" + " " * indent).join('"%s"' % p for p in parts)

out = []
for name in sorted(rows):
    row = rows[name]
    if not row: continue
    fields = []
    for k in ("args", "history", "tips", "keyspecs", "doc_flags", "deprecated_since", "replaced_by"):
        if k in row:
            v = row[k]
            if k == "keyspecs": v = "\n".join(v)
            if k == "doc_flags":
                fields.append(".doc_flags = %s" % " | ".join("DOC_" + f.upper() for f in v.split()))
                continue
            fields.append(".%s = %s" % (k, cstr(v, 8, len(k) + 4)))
    out.append('    {"%s",\n        %s},' % (name, ",\n        ".join(fields)))
print("\n".join(out))
print(len(rows), sum(1 for r in rows.values() if r), file=sys.stderr)
