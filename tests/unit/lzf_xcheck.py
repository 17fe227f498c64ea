#!/usr/bin/python3
"""lzf_xcheck.py - src/ds/lzf.c against liblzf and against Redis.

1. liblzf (Debian's liblzf.so.1, what redis-server links) and our codec, both ways, on
   random data of many kinds and sizes: liblzf decodes what we compress and we decode what
   liblzf compresses; sizes are compared (ours should be close).
2. Redis: our compressed listpack goes into a hand-built DUMP payload (RDB LZF string,
   CRC64) that redis-server 7.0 must RESTORE to the same hash; and Redis's own compressed
   DUMP payloads decode with our lzf_decompress to our listpack bytes.

Run from the repo root: /usr/bin/python3 tests/unit/lzf_xcheck.py
Prints "N passed, 0 failed"; exits non-zero on a mismatch.
"""
import ctypes
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(tmp):
    so = os.path.join(tmp, "libkv.so")
    subprocess.check_call(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-fPIC", "-shared",
                           "-I" + os.path.join(ROOT, "src"), "-o", so] +
                          [os.path.join(ROOT, f) for f in
                           ("src/ds/lzf.c", "src/ds/listpack.c", "src/base/alloc.c")])
    kv = ctypes.CDLL(so)
    for f in (kv.lzf_compress, kv.lzf_decompress):
        f.restype = ctypes.c_size_t
        f.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    kv.lp_new.restype = ctypes.c_void_p
    kv.lp_new.argtypes = [ctypes.c_size_t]
    kv.lp_append.restype = ctypes.c_void_p
    kv.lp_append.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
    kv.lp_bytes.restype = ctypes.c_size_t
    kv.lp_bytes.argtypes = [ctypes.c_void_p]
    kv.lp_free.argtypes = [ctypes.c_void_p]
    lz = ctypes.CDLL("liblzf.so.1")
    for f in (lz.lzf_compress, lz.lzf_decompress):
        f.restype = ctypes.c_uint
        f.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.c_char_p, ctypes.c_uint]
    return kv, lz


def call(fn, data, cap):
    out = ctypes.create_string_buffer(max(cap, 1))
    n = fn(data, len(data), out, cap)
    return out.raw[:n] if n else None


def gen(rng, kind, n):
    if kind == 0:
        return bytes(rng.getrandbits(8) for _ in range(n))
    if kind == 1:
        return b"q" * n
    if kind == 2:
        words = [b"the ", b"quick ", b"brown ", b"fox ", b"field", b"value", b"12345 "]
        out = bytearray()
        while len(out) < n:
            out += rng.choice(words)
        return bytes(out[:n])
    if kind == 3:
        return bytes(rng.choice(b"abc") for _ in range(n))
    out = bytearray()
    while len(out) < n:
        out += bytes([rng.getrandbits(8)]) * rng.randrange(1, 300)
    return bytes(out[:n])


def crc64(data):
    """Redis's crc64 (Jones polynomial, reflected, init 0, no final xor)."""
    poly = 0x95AC9329AC4BC9B5
    crc = 0
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def main():
    rng = random.Random(7)
    passed = failed = 0
    assert crc64(b"123456789") == 0xE9C6D914C4B8D9CA

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL", what)

    with tempfile.TemporaryDirectory() as tmp:
        kv, lz = build(tmp)
        ours_total = theirs_total = 0
        for kind in range(5):
            for n in [1, 2, 3, 4, 5, 16, 33, 100, 1000, 8191, 8192, 8193, 20000, 70000]:
                data = gen(rng, kind, n)
                cap = n + n // 32 + 16
                mine = call(kv.lzf_compress, data, cap)
                theirs = call(lz.lzf_compress, data, cap)
                check(mine is not None, "compress kind %d n %d" % (kind, n))
                if mine is None:
                    continue
                check(call(lz.lzf_decompress, mine, n) == data,
                      "liblzf decodes ours, kind %d n %d" % (kind, n))
                if theirs is not None:
                    check(call(kv.lzf_decompress, theirs, n) == data,
                          "we decode liblzf, kind %d n %d" % (kind, n))
                    ours_total += len(mine)
                    theirs_total += len(theirs)
        print("compressed bytes: ours %d, liblzf %d" % (ours_total, theirs_total))

        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        p = port.getsockname()[1]
        port.close()
        srv = subprocess.Popen(["/usr/bin/redis-server", "--port", str(p), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, cwd=tmp)
        try:
            r = redis.Redis(port=p)
            for _ in range(100):
                try:
                    r.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            for i in range(50):
                nf = rng.randrange(1, 60)
                fields = {}
                for _ in range(nf):
                    fields[gen(rng, rng.choice([2, 3, 4]), rng.randrange(1, 60))] = \
                        gen(rng, rng.choice([2, 3]), rng.randrange(0, 60))
                elems = [x for kv_ in fields.items() for x in kv_]
                lp = kv.lp_new(0)
                for e in elems:
                    lp = kv.lp_append(lp, e, len(e))
                blob = ctypes.string_at(lp, kv.lp_bytes(lp))
                kv.lp_free(lp)
                comp = call(kv.lzf_compress, blob, len(blob) - 4)
                if comp is None:
                    continue
                body = (b"\x10\xc3" + rdb_len(len(comp)) + rdb_len(len(blob)) + comp +
                        b"\x0a\x00")
                payload = body + crc64(body).to_bytes(8, "little")
                r.delete("h")
                r.restore("h", 0, payload)
                check(r.hgetall("h") == fields, "redis restores our compressed listpack")
                # Redis's own DUMP of the same hash (compressed) decodes to our bytes
                d = r.dump("h")
                if d[1] == 0xC3:
                    i = 2

                    def rl(i):
                        t = d[i] >> 6
                        if t == 0:
                            return d[i] & 0x3F, i + 1
                        if t == 1:
                            return ((d[i] & 0x3F) << 8) | d[i + 1], i + 2
                        return int.from_bytes(d[i + 1:i + 5], "big"), i + 5
                    clen, i = rl(i)
                    ulen, i = rl(i)
                    check(call(kv.lzf_decompress, d[i:i + clen], ulen) == blob,
                          "we decode redis's compressed dump")
        finally:
            srv.terminate()
            srv.wait()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
