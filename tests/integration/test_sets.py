"""Set commands: replies, errors, encodings and RESP3 shapes exactly as Redis 7.0 gives them.

Every test here passes against Debian's redis-server 7.0.15 (KVIK_SERVER=/usr/bin/redis-server).
Notes on Redis 7.0 that are easy to get wrong:
- OBJECT ENCODING is "intset" while every member is a canonical integer (no "01", "-0",
  "+1", spaces, or values outside 64 bits) and the count is <= set-max-intset-entries, and
  "hashtable" otherwise: 7.0 has no listpack sets. Nothing converts back.
- Sets built from scratch start as intsets: SMOVE to a new key, the *STORE results, and the
  remainder SPOP keeps when it pops most of a set (it rebuilds the set from what stays).
- RESP3: SMEMBERS SINTER SUNION SDIFF and SPOP with a count reply sets (~); SRANDMEMBER with
  a count replies an array (*), SSCAN an array of [cursor, array].
- SPOP's count error is "must be positive" even for a non-number; SRANDMEMBER's is the
  usual not-an-integer text, and LLONG_MIN gets the "must between" range text.
- Sources of the *STORE commands count keyspace hits/misses (lookupKeyRead).
"""
import collections
import random
import time

import pytest

from conftest import IS_REDIS
from resp3 import Set
from util import NOT_INT, SYNTAX, WRONGTYPE, Err, Raw, arity

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -2 ** 63
MUST_BE_POSITIVE = Err("ERR value is out of range, must be positive")
RANDMEMBER_RANGE = Err("ERR value is out of range, value must between -9223372036854775807 "
                       "and 9223372036854775807")
NUMKEYS = Err("ERR numkeys should be greater than 0")
TOO_MANY_KEYS = Err("ERR Number of keys can't be greater than number of args")
LIMIT_NEGATIVE = Err("ERR LIMIT can't be negative")
INVALID_CURSOR = Err("ERR invalid cursor")


@pytest.fixture
def intset_limit(c):
    """Sets set-max-intset-entries for one test and restores it afterwards."""
    saved = c("CONFIG", "GET", "set-max-intset-entries")[1]

    def set_limit(n):
        assert c("CONFIG", "SET", "set-max-intset-entries", n) == "OK"

    yield set_limit
    c("CONFIG", "SET", "set-max-intset-entries", saved)


def enc(c, key):
    return c("OBJECT", "ENCODING", key)


def members(c, key):
    return sorted(c("SMEMBERS", key))


def b(*items):
    return sorted(x if isinstance(x, bytes) else str(x).encode() for x in items)


def stats(c):
    text = c("INFO", "stats").decode()
    fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return int(fields["keyspace_hits"]), int(fields["keyspace_misses"])


# ---------------------------------------------------------------- SADD / SREM / SCARD

def test_sadd_counts_new_members(c):
    assert c("SADD", "s", "a", "b", "c") == 3
    assert c("SADD", "s", "a", "d", "d") == 1
    assert c("SCARD", "s") == 4
    assert members(c, "s") == b("a", "b", "c", "d")
    assert c("TYPE", "s") == "set"


def test_sadd_binary_and_empty_members(c):
    odd = [b"", b"\x00", b"a\r\nb", bytes(range(256)), b"x" * 100, b"y" * 70000]
    assert c("SADD", "s", *odd) == len(odd)
    assert c("SADD", "s", *odd) == 0
    assert members(c, "s") == sorted(odd)
    for m in odd:
        assert c("SISMEMBER", "s", m) == 1
    assert c("SISMEMBER", "s", b"\x00\x00") == 0
    assert c("SREM", "s", b"", b"y" * 70000) == 2
    assert c("SCARD", "s") == len(odd) - 2


def test_integer_text_forms_are_distinct_members(c):
    assert c("SADD", "s", "1", "01", "+1", " 1", "1.0", "-0", "0") == 7
    assert c("SCARD", "s") == 7
    assert c("SISMEMBER", "s", "001") == 0
    assert c("SREM", "s", "01") == 1
    assert c("SISMEMBER", "s", "1") == 1
    assert c("SISMEMBER", "s", "01") == 0


def test_srem(c):
    assert c("SREM", "missing", "a") == 0
    c("SADD", "s", "a", "b", "c", 1, 2)
    assert c("SREM", "s", "a", "x", "a", 1) == 2
    assert members(c, "s") == b("b", "c", 2)
    assert c("SREM", "s", "b", "c", 2, "zz") == 3
    assert c("EXISTS", "s") == 0


def test_srem_intset_and_hashtable_delete_when_empty(c):
    c("SADD", "i", 1, 2, 3)
    assert c("SREM", "i", 3, 2, 1, 4) == 3
    assert c("EXISTS", "i") == 0
    c("SADD", "h", *["m%d" % i for i in range(300)])
    assert c("SREM", "h", *["m%d" % i for i in range(300)]) == 300
    assert c("EXISTS", "h") == 0


def test_scard(c):
    assert c("SCARD", "missing") == 0
    c("SADD", "s", *range(1000))
    assert c("SCARD", "s") == 1000


def test_wrongtype_everywhere(c):
    c("SET", "str", "x")
    c("SADD", "s", "a")
    for cmd in (("SADD", "str", "a"), ("SREM", "str", "a"), ("SCARD", "str"),
                ("SMEMBERS", "str"), ("SISMEMBER", "str", "a"), ("SMISMEMBER", "str", "a"),
                ("SPOP", "str"), ("SPOP", "str", 0), ("SPOP", "str", 2),
                ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", 0), ("SRANDMEMBER", "str", -2),
                ("SMOVE", "str", "s", "a"), ("SMOVE", "s", "str", "a"),
                ("SMOVE", "str", "missing", "a"),
                ("SINTER", "s", "str"), ("SINTER", "missing", "str"),
                ("SINTERSTORE", "d", "s", "str"), ("SINTERCARD", 2, "missing", "str"),
                ("SUNION", "missing", "str"), ("SUNIONSTORE", "d", "s", "str"),
                ("SDIFF", "str", "missing"), ("SDIFF", "missing", "str"),
                ("SDIFFSTORE", "d", "missing", "str"), ("SSCAN", "str", 0),
                ("SSCAN", "str", 0, "COUNT", 0)):
        assert c(*cmd) == WRONGTYPE, cmd
    assert c("EXISTS", "d") == 0
    assert c("GET", "str") == b"x"


def test_smove_wrongtype_dst_when_src_missing_is_zero(c):
    c("SET", "str", "x")
    assert c("SMOVE", "missing", "str", "a") == 0


@pytest.mark.parametrize("cmd", [
    ("SADD", "s"), ("SREM", "s"), ("SCARD",), ("SCARD", "a", "b"), ("SMEMBERS",),
    ("SISMEMBER", "s"), ("SMISMEMBER", "s"), ("SPOP",), ("SRANDMEMBER",),
    ("SMOVE", "a", "b"), ("SINTER",), ("SINTERCARD", 1), ("SINTERSTORE", "d"),
    ("SUNION",), ("SUNIONSTORE", "d"), ("SDIFF",), ("SDIFFSTORE", "d"), ("SSCAN", "s"),
])
def test_arity(c, cmd):
    assert c(*cmd) == arity(cmd[0].lower())


# ---------------------------------------------------------------- SISMEMBER / SMISMEMBER

def test_sismember_smismember(c):
    c("SADD", "i", 1, 2, 3)
    c("SADD", "h", "a", "b", 7)
    assert c("SISMEMBER", "i", 2) == 1
    assert c("SISMEMBER", "i", "a") == 0
    assert c("SISMEMBER", "h", 7) == 1
    assert c("SISMEMBER", "h", "07") == 0
    assert c("SISMEMBER", "missing", "a") == 0
    assert c("SMISMEMBER", "i", 1, 5, "x", 3) == [1, 0, 0, 1]
    assert c("SMISMEMBER", "h", "a", "c", 7, "a") == [1, 0, 1, 1]
    assert c("SMISMEMBER", "missing", "a", "b") == [0, 0]


# ---------------------------------------------------------------- encodings

def test_encoding_intset_until_limit(c):
    c("SADD", "s", *range(512))
    assert enc(c, "s") == b"intset"
    assert c("SADD", "s", 100) == 0
    assert enc(c, "s") == b"intset"
    assert c("SADD", "s", 512) == 1
    assert enc(c, "s") == b"hashtable"
    assert c("SREM", "s", *range(400)) == 400
    assert enc(c, "s") == b"hashtable"  # never converts back
    assert members(c, "s") == b(*range(400, 513))


def test_encoding_non_integer_member_converts(c):
    c("SADD", "s", 1, 2, 3)
    assert enc(c, "s") == b"intset"
    c("SADD", "s", "a")
    assert enc(c, "s") == b"hashtable"
    c("SREM", "s", "a")
    assert enc(c, "s") == b"hashtable"
    assert members(c, "s") == b(1, 2, 3)


@pytest.mark.parametrize("member,expected", [
    ("0", b"intset"), ("-1", b"intset"), (str(LLONG_MAX), b"intset"), (str(LLONG_MIN), b"intset"),
    (str(2 ** 62), b"intset"), (str(-2 ** 62 - 1), b"intset"),
    (str(LLONG_MAX + 1), b"hashtable"), (str(LLONG_MIN - 1), b"hashtable"), ("01", b"hashtable"),
    ("-0", b"hashtable"), ("+1", b"hashtable"), (" 1", b"hashtable"), ("1 ", b"hashtable"),
    ("1.5", b"hashtable"), ("", b"hashtable"), ("a", b"hashtable"), ("x" * 100, b"hashtable"),
])
def test_encoding_of_first_member(c, member, expected):
    c("SADD", "s", member)
    assert enc(c, "s") == expected
    assert c("SMEMBERS", "s") == [member.encode()]


def test_intset_members_sorted_across_widths(c):
    vals = [70000, -3, LLONG_MIN, 5, LLONG_MAX, -70000, 2 ** 40, 0, -(2 ** 40), 32767, -32768]
    c("SADD", "s", *vals)
    assert enc(c, "s") == b"intset"
    assert c("SMEMBERS", "s") == [str(v).encode() for v in sorted(vals)]
    assert c("SSCAN", "s", 0) == [b"0", [str(v).encode() for v in sorted(vals)]]
    for v in vals:
        assert c("SISMEMBER", "s", v) == 1
    assert c("SISMEMBER", "s", 70001) == 0


def test_intset_limit_config(c, intset_limit):
    intset_limit(4)
    c("SADD", "s", 1, 2, 3, 4)
    assert enc(c, "s") == b"intset"
    c("SADD", "s", 5)
    assert enc(c, "s") == b"hashtable"
    intset_limit(0)
    c("SADD", "z", 1)
    assert enc(c, "z") == b"hashtable"  # created as an intset, converted by the first add
    intset_limit(2000)
    c("SADD", "big", *range(2000))
    assert enc(c, "big") == b"intset"


def test_duplicates_do_not_count_against_limit(c, intset_limit):
    intset_limit(4)
    c("SADD", "s", *([7] * 600))
    assert enc(c, "s") == b"intset"
    assert c("SCARD", "s") == 1


def test_encoding_of_built_sets(c, intset_limit):
    intset_limit(4)
    c("SADD", "a", 1, 2, 3, 4, 5)                 # hashtable (over the limit)
    c("SADD", "m", "x", 1, 2)                     # hashtable (a string)
    assert c("SINTERSTORE", "d", "a", "a") == 5
    assert enc(c, "d") == b"hashtable"
    assert c("SINTERSTORE", "d", "m", "a") == 2   # {1, 2}: rebuilt as an intset
    assert enc(c, "d") == b"intset"
    assert c("SDIFFSTORE", "d", "m", "a") == 1    # {x}
    assert enc(c, "d") == b"hashtable"
    assert c("SDIFFSTORE", "d", "a", "m") == 3    # {3, 4, 5}
    assert enc(c, "d") == b"intset"
    assert c("SUNIONSTORE", "d", "m", "a") == 6
    assert enc(c, "d") == b"hashtable"
    c("SADD", "i", 1)
    assert c("SMOVE", "a", "i", 5) == 1
    assert enc(c, "i") == b"intset"
    assert c("SMOVE", "a", "new", 4) == 1
    assert enc(c, "new") == b"intset"
    assert c("SMOVE", "m", "new2", "x") == 1
    assert enc(c, "new2") == b"hashtable"


def test_spop_most_rebuilds_remainder_as_intset(c, intset_limit):
    intset_limit(4)
    c("SADD", "f", *range(1, 31))
    assert enc(c, "f") == b"hashtable"
    popped = c("SPOP", "f", 26)
    assert len(set(popped)) == 26
    assert enc(c, "f") == b"intset"
    rest = c("SMEMBERS", "f")
    assert sorted(popped + rest, key=int) == [str(i).encode() for i in range(1, 31)]
    # Popping a few keeps the hashtable.
    c("SADD", "g", *range(1, 31))
    c("SPOP", "g", 5)
    assert enc(c, "g") == b"hashtable"


def test_many_members_cross_thresholds(c):
    """Strings and integers through every size Redis and Kvik switch representation at."""
    want = set()
    for i in range(0, 700, 50):
        batch = ["m%d" % j for j in range(i, i + 50)] + [str(j) for j in range(i, i + 50, 7)]
        c("SADD", "s", *batch)
        want.update(x.encode() for x in batch)
        assert c("SCARD", "s") == len(want)
    assert members(c, "s") == sorted(want)
    assert enc(c, "s") == b"hashtable"


# ---------------------------------------------------------------- SMEMBERS

def test_smembers(c):
    assert c("SMEMBERS", "missing") == []
    c("SADD", "s", "b", "a")
    assert members(c, "s") == [b"a", b"b"]


# ---------------------------------------------------------------- SPOP

def test_spop_single(c):
    assert c("SPOP", "missing") is None
    c("SADD", "s", "a", "b", 1)
    got = [c("SPOP", "s") for _ in range(3)]
    assert sorted(got) == b("a", "b", 1)
    assert c("EXISTS", "s") == 0
    assert c("SPOP", "s") is None


def test_spop_count_errors_and_order_of_checks(c):
    c("SET", "str", "x")
    c("SADD", "s", 1, 2)
    assert c("SPOP", "s", -1) == MUST_BE_POSITIVE
    assert c("SPOP", "s", "abc") == MUST_BE_POSITIVE
    assert c("SPOP", "s", "1.5") == MUST_BE_POSITIVE
    assert c("SPOP", "missing", -1) == MUST_BE_POSITIVE
    assert c("SPOP", "str", -1) == MUST_BE_POSITIVE
    assert c("SPOP", "str", 0) == WRONGTYPE
    assert c("SPOP", "s", 1, 2) == SYNTAX
    assert c("SPOP", "s", 0) == []
    assert c("SPOP", "missing", 0) == []
    assert c("SPOP", "missing", 5) == []
    assert c("SCARD", "s") == 2


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_spop_count(c, kind):
    if kind == "int":
        items = [str(i).encode() for i in range(20)]
    elif kind == "str":
        items = [b"m%d" % i for i in range(20)]
    else:
        items = [b"m%d" % i for i in range(3000)]
    n = len(items)
    c("SADD", "s", *items)
    seen = []
    for count in (1, 3, n // 10, n // 2):
        got = c("SPOP", "s", count)
        assert len(got) == count and len(set(got)) == count
        seen += got
        assert c("SCARD", "s") == n - len(seen)
        assert c("SMISMEMBER", "s", *got) == [0] * count
    rest = c("SPOP", "s", n)
    assert sorted(seen + rest) == sorted(items)
    assert c("EXISTS", "s") == 0


def test_spop_count_whole_set_deletes(c):
    c("SADD", "s", 3, 1, 2)
    assert c("SPOP", "s", 3) == [b"1", b"2", b"3"]
    assert c("EXISTS", "s") == 0
    c("SADD", "s", "a", "b")
    assert sorted(c("SPOP", "s", LLONG_MAX)) == [b"a", b"b"]
    assert c("EXISTS", "s") == 0


def test_spop_keeps_ttl(c):
    c("SADD", "s", *range(100))
    c("EXPIRE", "s", 1000)
    c("SPOP", "s")
    c("SPOP", "s", 3)
    c("SPOP", "s", 90)  # pops most: the remainder is rebuilt
    assert c("SCARD", "s") == 6
    assert 990 <= c("TTL", "s") <= 1000


# ---------------------------------------------------------------- SRANDMEMBER

def test_srandmember_single(c):
    assert c("SRANDMEMBER", "missing") is None
    c("SADD", "s", "a")
    assert c("SRANDMEMBER", "s") == b"a"
    assert c("SCARD", "s") == 1


def test_srandmember_count_errors(c):
    c("SADD", "s", 1)
    assert c("SRANDMEMBER", "s", "abc") == NOT_INT
    assert c("SRANDMEMBER", "missing", "abc") == NOT_INT
    assert c("SRANDMEMBER", "s", LLONG_MIN) == RANDMEMBER_RANGE
    assert c("SRANDMEMBER", "s", str(LLONG_MAX + 1)) == NOT_INT
    assert c("SRANDMEMBER", "s", 1, 2) == SYNTAX
    assert c("SRANDMEMBER", "missing", 0) == []
    assert c("SRANDMEMBER", "missing", 5) == []
    assert c("SRANDMEMBER", "missing", -5) == []
    assert c("SRANDMEMBER", "s", 0) == []


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_srandmember_count(c, kind):
    if kind == "int":
        items = [str(i).encode() for i in range(30)]
    elif kind == "str":
        items = [b"m%d" % i for i in range(30)]
    else:
        items = [b"m%d" % i for i in range(2000)]
    n = len(items)
    c("SADD", "s", *items)
    for count in (1, 5, n // 3, n // 3 + 1, n - 1):
        got = c("SRANDMEMBER", "s", count)
        assert len(got) == count and len(set(got)) == count
        assert set(got) <= set(items)
    assert sorted(c("SRANDMEMBER", "s", n)) == sorted(items)
    assert sorted(c("SRANDMEMBER", "s", n + 100)) == sorted(items)
    assert sorted(c("SRANDMEMBER", "s", LLONG_MAX)) == sorted(items)
    got = c("SRANDMEMBER", "s", -3 * n)
    assert len(got) == 3 * n and set(got) <= set(items)
    assert len(c("SRANDMEMBER", "s", -1)) == 1
    assert c("SCARD", "s") == n


def test_srandmember_negative_repeats_on_one_member(c):
    c("SADD", "s", "only")
    assert c("SRANDMEMBER", "s", -5) == [b"only"] * 5
    assert c("SRANDMEMBER", "s", 5) == [b"only"]


def chi_square(counts, items, draws):
    expected = draws / len(items)
    return sum((counts.get(i, 0) - expected) ** 2 / expected for i in items)


def assert_uniform(counts, items, draws, hashtable):
    """Pearson's chi-square against mean + 6 standard deviations (never flaky, yet a
    sampler that favours or starves a tenth of the members fails by far). Redis 7.0 picks
    from hashtables by bucket, which starves members in long chains (chi2 ~2-13x the
    degrees of freedom): there only intsets are held to it."""
    chi2 = chi_square(counts, items, draws)
    df = len(items) - 1
    if IS_REDIS and hashtable:
        return
    assert chi2 < df + 6 * (2 * df) ** 0.5


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_srandmember_uniform(c, kind):
    if kind == "int":
        items = [str(i).encode() for i in range(50)]
    elif kind == "str":
        items = [b"m%d" % i for i in range(50)]
    else:
        items = [b"member:%d" % i for i in range(1500)]
    c("SADD", "s", *items)
    draws = 200 * len(items)
    counts = collections.Counter(c("SRANDMEMBER", "s", -draws))
    assert_uniform(counts, items, draws, kind != "int")


def test_srandmember_distinct_uniform(c):
    items = [b"member:%d" % i for i in range(1000)]
    c("SADD", "s", *items)
    counts = collections.Counter()
    for _ in range(200):
        counts.update(c("SRANDMEMBER", "s", 100))  # small share: distinct draws
    for _ in range(10):
        counts.update(c("SRANDMEMBER", "s", 900))  # large share: shuffle
    draws = 200 * 100 + 10 * 900
    assert_uniform(counts, items, draws, True)


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_spop_uniform(c, kind):
    if kind == "big":
        items = [b"member:%d" % i for i in range(200)]
    elif kind == "str":
        items = [b"m%d" % i for i in range(10)]
    else:
        items = [str(i).encode() for i in range(10)]
    rounds = 40 * len(items) if kind != "big" else 3000
    pipe = b"".join(_enc(("DEL", "s")) + _enc(("SADD", "s", *items)) + _enc(("SPOP", "s"))
                    for _ in range(rounds))
    c.send(pipe)
    counts = collections.Counter()
    for _ in range(rounds):
        c.read()
        c.read()
        counts[c.read()] += 1
    assert_uniform(counts, items, rounds, kind != "int")


def _enc(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


# ---------------------------------------------------------------- SMOVE

def test_smove(c):
    c("SADD", "a", "x", "y", 1)
    c("SADD", "b", "z")
    assert c("SMOVE", "a", "b", "x") == 1
    assert members(c, "a") == b("y", 1)
    assert members(c, "b") == b("x", "z")
    assert c("SMOVE", "a", "b", "nope") == 0
    assert c("SMOVE", "missing", "b", "x") == 0
    assert c("SMOVE", "a", "b", 1) == 1
    assert c("SMOVE", "a", "c", "y") == 1  # creates c, deletes emptied a
    assert c("EXISTS", "a") == 0
    assert members(c, "c") == [b"y"]
    assert c("SMOVE", "b", "c", "x") == 1
    assert c("SMOVE", "c", "b", "x") == 1
    c("SADD", "c", "z")
    assert c("SMOVE", "b", "c", "z") == 1  # already in c: still removed from b
    assert members(c, "b") == b(1, "x")
    assert members(c, "c") == b("y", "z")


def test_smove_same_key(c):
    c("SADD", "s", "a", "b")
    assert c("SMOVE", "s", "s", "a") == 1
    assert c("SMOVE", "s", "s", "zz") == 0
    assert members(c, "s") == b("a", "b")


def test_smove_between_encodings(c):
    c("SADD", "i", 1, 2, 3)
    c("SADD", "h", *["m%d" % j for j in range(300)])
    assert c("SMOVE", "h", "i", "m5") == 1
    assert enc(c, "i") == b"hashtable"
    assert c("SMOVE", "i", "h", 2) == 1
    assert c("SISMEMBER", "h", 2) == 1
    assert c("SCARD", "h") == 300
    assert members(c, "i") == b(1, 3, "m5")


# ---------------------------------------------------------------- SINTER / SINTERCARD / SINTERSTORE

def test_sinter(c):
    c("SADD", "a", 1, 2, 3, "x", "y")
    c("SADD", "b", 2, 3, 4, "y", "z")
    c("SADD", "i", 3, 2, 9)
    assert sorted(c("SINTER", "a", "b")) == b(2, 3, "y")
    assert sorted(c("SINTER", "a", "b", "i")) == b(2, 3)
    assert c("SINTER", "i", "i") == [b"2", b"3", b"9"]
    assert sorted(c("SINTER", "a")) == b(1, 2, 3, "x", "y")
    assert c("SINTER", "a", "missing") == []
    assert c("SINTER", "missing") == []
    c("SADD", "e", "q")
    assert c("SINTER", "a", "e") == []


def test_sinter_wide_integers_across_encodings(c):
    wide = [str(2 ** 62), str(-2 ** 62 - 1), str(LLONG_MAX), str(LLONG_MIN), str(2 ** 62 - 1),
            str(-2 ** 62), "0", "-1"]
    c("SADD", "i", *wide)                          # intset
    c("SADD", "h", *wide, "x")                     # hashtable
    c("SADD", "big", *wide, *["m%d" % j for j in range(300)])
    for a, b_ in (("i", "h"), ("h", "i"), ("i", "big"), ("big", "h")):
        assert sorted(c("SINTER", a, b_)) == sorted(w.encode() for w in wide)
        assert c("SINTERCARD", 2, a, b_) == len(wide)
    for w in wide:
        assert c("SMISMEMBER", "i", w) == [1]
        assert c("SMISMEMBER", "big", w) == [1]


def test_sintercard(c):
    c("SADD", "a", 1, 2, 3, "x")
    c("SADD", "b", 1, 2, "x", "y")
    assert c("SINTERCARD", 2, "a", "b") == 3
    assert c("SINTERCARD", 1, "a") == 4
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", 0) == 3
    assert c("SINTERCARD", 2, "a", "b", "LIMIT", 2) == 2
    assert c("SINTERCARD", 2, "a", "b", "limit", 10) == 3
    assert c("SINTERCARD", 1, "a", "LIMIT", 1, "LIMIT", 3) == 3
    assert c("SINTERCARD", 2, "a", "missing") == 0
    assert c("SINTERCARD", 1, "missing") == 0


def test_sintercard_errors(c):
    c("SADD", "s", 1)
    c("SET", "str", "x")
    assert c("SINTERCARD", 0, "s") == NUMKEYS
    assert c("SINTERCARD", -1, "s") == NUMKEYS
    assert c("SINTERCARD", "abc", "s") == NUMKEYS
    assert c("SINTERCARD", 2, "s") == TOO_MANY_KEYS
    assert c("SINTERCARD", LLONG_MAX, "s") == TOO_MANY_KEYS
    assert c("SINTERCARD", 1, "s", "LIMIT", -1) == LIMIT_NEGATIVE
    assert c("SINTERCARD", 1, "s", "LIMIT", "abc") == LIMIT_NEGATIVE
    assert c("SINTERCARD", 1, "s", "LIMIT") == SYNTAX
    assert c("SINTERCARD", 1, "s", "FOO", 1) == SYNTAX
    assert c("SINTERCARD", 1, "missing", "str") == SYNTAX  # options parsed before lookups
    assert c("SINTERCARD", 2, "missing", "str") == WRONGTYPE


def test_sinterstore(c):
    c("SADD", "a", 1, 2, 3, "x")
    c("SADD", "b", 2, 3, "x", "y")
    assert c("SINTERSTORE", "d", "a", "b") == 3
    assert members(c, "d") == b(2, 3, "x")
    # Replaces any previous value, of any type, and drops its TTL.
    c("SET", "d", "string")
    c("EXPIRE", "d", 100)
    assert c("SINTERSTORE", "d", "a", "b") == 3
    assert c("TYPE", "d") == "set"
    assert c("TTL", "d") == -1
    # An empty result deletes the destination.
    assert c("SINTERSTORE", "d", "a", "missing") == 0
    assert c("EXISTS", "d") == 0
    c("SET", "d", "x")
    c("SADD", "q", "zz")
    assert c("SINTERSTORE", "d", "a", "q") == 0
    assert c("EXISTS", "d") == 0
    # The destination may be a source.
    assert c("SINTERSTORE", "a", "a", "b") == 3
    assert members(c, "a") == b(2, 3, "x")


# ---------------------------------------------------------------- SUNION / SDIFF and STORE forms

def test_sunion(c):
    c("SADD", "a", 1, 2, "x")
    c("SADD", "b", 2, 3, "y")
    assert sorted(c("SUNION", "a", "b", "missing")) == b(1, 2, 3, "x", "y")
    assert c("SUNION", "missing") == []
    c("SADD", "i", 10, -5)
    c("SADD", "j", 9, 10)
    assert c("SUNION", "i", "j") == [b"-5", b"9", b"10"]  # an intset result comes sorted


def test_sunionstore(c):
    c("SADD", "a", 1, 2)
    c("SADD", "b", "x")
    c("SET", "d", "v")
    c("EXPIRE", "d", 100)
    assert c("SUNIONSTORE", "d", "a", "b", "missing") == 3
    assert members(c, "d") == b(1, 2, "x")
    assert c("TTL", "d") == -1
    assert c("SUNIONSTORE", "d", "missing", "missing2") == 0
    assert c("EXISTS", "d") == 0
    assert c("SUNIONSTORE", "a", "a", "b") == 3
    assert members(c, "a") == b(1, 2, "x")


def test_sdiff(c):
    c("SADD", "a", 1, 2, 3, "x", "y")
    c("SADD", "b", 2, "y")
    c("SADD", "e", 3)
    assert sorted(c("SDIFF", "a", "b")) == b(1, 3, "x")
    assert sorted(c("SDIFF", "a", "b", "e", "missing")) == b(1, "x")
    assert sorted(c("SDIFF", "a")) == b(1, 2, 3, "x", "y")
    assert c("SDIFF", "a", "a") == []
    assert c("SDIFF", "a", "b", "a") == []
    assert c("SDIFF", "missing", "a") == []


def test_sdiffstore(c):
    c("SADD", "a", 1, 2, "x")
    c("SADD", "b", 2)
    c("SET", "d", "v")
    assert c("SDIFFSTORE", "d", "a", "b") == 2
    assert members(c, "d") == b(1, "x")
    assert c("SDIFFSTORE", "d", "missing", "a") == 0
    assert c("EXISTS", "d") == 0
    c("SADD", "e", "x")
    assert c("SDIFFSTORE", "e", "e", "e") == 0
    assert c("EXISTS", "e") == 0
    assert c("SDIFFSTORE", "a", "a", "b") == 2
    assert members(c, "a") == b(1, "x")


def test_set_algebra_against_model(c):
    rnd = random.Random(7)
    pool = [str(i) for i in range(-300, 300)] + ["m%d" % i for i in range(600)]
    model = {}
    for name, size in (("a", 900), ("b", 500), ("c", 60), ("d", 5), ("i", 40)):
        items = set(rnd.sample(pool if name != "i" else pool[:600], size))
        c("SADD", name, *items)
        model[name] = {x.encode() for x in items}
    keys = list(model)
    for _ in range(40):
        ks = rnd.sample(keys, rnd.randint(1, 4)) + (["missing"] if rnd.random() < 0.1 else [])
        sets = [model.get(k, set()) for k in ks]
        inter = set.intersection(*sets)
        union = set.union(*sets)
        diff = sets[0].difference(*sets[1:])
        assert sorted(c("SINTER", *ks)) == sorted(inter)
        assert c("SINTERCARD", len(ks), *ks) == len(inter)
        assert sorted(c("SUNION", *ks)) == sorted(union)
        assert sorted(c("SDIFF", *ks)) == sorted(diff)
        assert c("SINTERSTORE", "out", *ks) == len(inter)
        assert members(c, "out") == sorted(inter)
        assert c("SUNIONSTORE", "out", *ks) == len(union)
        assert members(c, "out") == sorted(union)
        assert c("SDIFFSTORE", "out", *ks) == len(diff)
        assert members(c, "out") == sorted(diff)


def test_random_ops_against_model(c):
    rnd = random.Random(11)
    pool = [str(i) for i in range(-50, 250)] + ["m%d" % i for i in range(250)] + \
        [str(2 ** 62 + i) for i in range(5)] + [b"\x00bin%d" % i for i in range(5)]
    model = set()
    for step in range(600):
        op = rnd.random()
        if op < 0.45:
            batch = rnd.sample(pool, rnd.randint(1, 8))
            want = len({x if isinstance(x, bytes) else x.encode() for x in batch} - model)
            assert c("SADD", "s", *batch) == want
            model |= {x if isinstance(x, bytes) else x.encode() for x in batch}
        elif op < 0.8:
            batch = rnd.sample(pool, rnd.randint(1, 8))
            enc_batch = {x if isinstance(x, bytes) else x.encode() for x in batch}
            assert c("SREM", "s", *batch) == len(enc_batch & model)
            model -= enc_batch
        elif op < 0.9:
            got = c("SPOP", "s", rnd.randint(1, 5))
            assert set(got) <= model
            model -= set(got)
        else:
            m = rnd.choice(pool)
            assert c("SISMEMBER", "s", m) == int((m if isinstance(m, bytes) else m.encode())
                                                 in model)
        if step % 50 == 0:
            assert members(c, "s") == sorted(model)
        assert c("SCARD", "s") == len(model)
    assert members(c, "s") == sorted(model)


# ---------------------------------------------------------------- SSCAN

def test_sscan_errors(c):
    c("SADD", "s", 1, 2)
    assert c("SSCAN", "s", "abc") == INVALID_CURSOR
    assert c("SSCAN", "s", str(2 ** 64)) == INVALID_CURSOR
    assert c("SSCAN", "s", " 0") == INVALID_CURSOR
    assert c("SSCAN", "s", 0, "COUNT", 0) == SYNTAX
    assert c("SSCAN", "s", 0, "COUNT", -1) == SYNTAX
    assert c("SSCAN", "s", 0, "COUNT", "abc") == NOT_INT
    assert c("SSCAN", "s", 0, "MATCH") == SYNTAX
    assert c("SSCAN", "s", 0, "TYPE", "string") == SYNTAX
    assert c("SSCAN", "s", 0, "FOO", "bar") == SYNTAX
    assert c("SSCAN", "missing", "abc") == INVALID_CURSOR
    # A missing key answers before the options are looked at.
    assert c("SSCAN", "missing", 0, "COUNT", 0) == [b"0", []]


def test_sscan_compact_sets_return_everything(c):
    c("SADD", "i", 3, 1, 2)
    assert c("SSCAN", "i", 0) == [b"0", [b"1", b"2", b"3"]]
    assert c("SSCAN", "i", 10) == [b"0", [b"1", b"2", b"3"]]
    assert c("SSCAN", "i", -1, "COUNT", 1) == [b"0", [b"1", b"2", b"3"]]
    assert c("SSCAN", "i", 0, "MATCH", "*2*") == [b"0", [b"2"]]
    assert c("SSCAN", "i", 0, "MATCH", "1", "MATCH", "3") == [b"0", [b"3"]]
    c("SADD", "h", "a", "b", "c")
    cursor, items = c("SSCAN", "h", 0)
    assert cursor == b"0" and sorted(items) == [b"a", b"b", b"c"]


@pytest.mark.parametrize("count", [None, 1, 7, 100, 5000])
def test_sscan_full_iteration(c, count):
    items = {b"member:%d" % i for i in range(2500)} | {str(i).encode() for i in range(500)}
    c("SADD", "s", *items)
    seen = []
    cursor = b"0"
    calls = 0
    while True:
        args = ("SSCAN", "s", cursor) + (("COUNT", count) if count else ())
        cursor, batch = c(*args)
        seen += batch
        calls += 1
        if cursor == b"0":
            break
    assert set(seen) == items
    if count and count < 100:
        assert calls > 10  # a hashtable is walked in steps


def test_sscan_match_on_hashtable(c):
    c("SADD", "s", *["user:%d" % i for i in range(500)], *["item:%d" % i for i in range(500)])
    seen = set()
    cursor = b"0"
    while True:
        cursor, batch = c("SSCAN", "s", cursor, "MATCH", "user:1*", "COUNT", 50)
        seen.update(batch)
        if cursor == b"0":
            break
    assert seen == {b"user:%d" % i for i in range(500) if str(i).startswith("1")}


def test_sscan_survives_growth(c):
    c("SADD", "s", *["a%d" % i for i in range(200)])
    cursor, seen = c("SSCAN", "s", 0, "COUNT", 20)
    c("SADD", "s", *["b%d" % i for i in range(5000)])  # grows (and rehashes) mid-scan
    while cursor != b"0":
        cursor, batch = c("SSCAN", "s", cursor, "COUNT", 20)
        seen += batch
    assert {b"a%d" % i for i in range(200)} <= set(seen)


# ---------------------------------------------------------------- RESP3 shapes

def test_resp3_shapes(c3):
    assert c3.call_raw("SMEMBERS", "missing") == b"~0\r\n"
    assert c3.call_raw("SADD", "s", 3, 1, 2) == b":3\r\n"
    assert c3.call_raw("SMEMBERS", "s") == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SINTER", "s", "s") == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SINTER", "s", "missing") == b"~0\r\n"
    assert c3.call_raw("SUNION", "s") == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SDIFF", "s", "missing") == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SDIFF", "missing", "s") == b"~0\r\n"
    assert c3.call_raw("SISMEMBER", "s", 1) == b":1\r\n"
    assert c3.call_raw("SMISMEMBER", "s", 1, 9) == b"*2\r\n:1\r\n:0\r\n"
    assert c3.call_raw("SCARD", "s") == b":3\r\n"
    assert c3.call_raw("SINTERCARD", 1, "s") == b":3\r\n"
    assert c3.call_raw("SINTERSTORE", "d", "s") == b":3\r\n"
    assert c3.call_raw("SRANDMEMBER", "missing") == b"_\r\n"
    assert c3.call_raw("SRANDMEMBER", "missing", 2) == b"*0\r\n"
    assert c3.call_raw("SRANDMEMBER", "s", 0) == b"*0\r\n"
    assert c3.call_raw("SRANDMEMBER", "s", 5) == b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SRANDMEMBER", "s", -2).startswith(b"*2\r\n")
    assert c3.call_raw("SRANDMEMBER", "s", 2).startswith(b"*2\r\n")
    assert c3.call_raw("SSCAN", "s", 0) == \
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    assert c3.call_raw("SSCAN", "missing", 0) == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert c3.call_raw("SPOP", "missing") == b"_\r\n"
    assert c3.call_raw("SPOP", "missing", 2) == b"~0\r\n"
    assert c3.call_raw("SPOP", "s", 0) == b"~0\r\n"
    assert c3.call_raw("SPOP", "s", 1).startswith(b"~1\r\n")
    assert c3.call_raw("SPOP", "d", 3) == b"~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    reply = c3.call("SMEMBERS", "s")
    assert isinstance(reply, Set) and len(reply) == 2


def test_resp2_shapes(c):
    c("SADD", "s", 1)
    sock = c.sock
    sock.sendall(_enc(("SPOP", "missing")) + _enc(("SRANDMEMBER", "missing")) +
                 _enc(("SMEMBERS", "missing")) + _enc(("SPOP", "missing", 1)))
    want = b"$-1\r\n$-1\r\n*0\r\n*0\r\n"
    got = b""
    while len(got) < len(want):
        got += c.f.read1(len(want) - len(got))
    assert got == want


# ---------------------------------------------------------------- keyspace integration

def test_read_commands_count_keyspace_hits(c):
    c("SADD", "a", 1, 2)
    c("SADD", "b", 2, 3)
    cases = [
        (("SINTERSTORE", "d", "a", "b"), (2, 0)),
        (("SUNIONSTORE", "d", "a", "b", "missing"), (2, 1)),
        (("SDIFFSTORE", "d", "a", "b"), (2, 0)),
        (("SINTER", "a", "b"), (2, 0)),
        (("SINTERCARD", 2, "a", "b"), (2, 0)),
        (("SMOVE", "a", "b", 1), (0, 0)),
        (("SPOP", "b"), (0, 0)),
        (("SRANDMEMBER", "a"), (1, 0)),
        (("SISMEMBER", "a", 1), (1, 0)),
        (("SMISMEMBER", "a", 1), (1, 0)),
        (("SCARD", "missing"), (0, 1)),
        (("SMEMBERS", "a"), (1, 0)),
        (("SSCAN", "a", 0), (1, 0)),
    ]
    for cmd, (hits, misses) in cases:
        h0, m0 = stats(c)
        c(*cmd)
        h1, m1 = stats(c)
        assert (h1 - h0, m1 - m0) == (hits, misses), cmd


def test_watch_sees_set_writes(server, c):
    c("SADD", "s", "a", "b")
    other = Raw(server)
    try:
        def attempt(*write):
            assert c("WATCH", "s") == "OK"
            other(*write)
            c("MULTI")
            c("PING")
            return c("EXEC")

        assert attempt("SADD", "s", "a") == ["PONG"]       # nothing added: not a change
        assert attempt("SREM", "s", "zz") == ["PONG"]
        assert attempt("SADD", "s", "c") is None
        assert attempt("SREM", "s", "c") is None
        assert attempt("SPOP", "s", 0) == ["PONG"]
        other("SADD", "s", "x", "y")
        assert attempt("SPOP", "s") is None
        other("SADD", "s", "mv")
        assert attempt("SMOVE", "s", "t", "mv") is None
        assert attempt("SMOVE", "s", "t", "absent") == ["PONG"]
        assert attempt("SINTERSTORE", "s", "t") is None      # replaced by {mv}
    finally:
        other.close()


@pytest.mark.parametrize("kind", ["int", "str", "big"])
def test_copy_rename_move_keep_members_and_encoding(c, kind):
    items = {"int": [str(i) for i in range(10)], "str": ["a", "b", "c"],
             "big": ["m%d" % i for i in range(1000)] + [str(i) for i in range(50)]}[kind]
    c("SADD", "s", *items)
    encoding = enc(c, "s")
    assert c("COPY", "s", "t") == 1
    assert enc(c, "t") == encoding
    c("SADD", "t", "extra")
    c("SREM", "t", items[0])
    assert members(c, "s") == b(*items)  # the copy is independent
    assert c("RENAME", "s", "r") == "OK"
    assert members(c, "r") == b(*items)
    assert enc(c, "r") == encoding
    assert c("MOVE", "r", 3) == 1
    c("SELECT", 3)
    assert members(c, "r") == b(*items)
    c("FLUSHDB")
    c("SELECT", 0)


def test_expired_set_is_gone(c):
    c("SADD", "s", *range(10))
    c("PEXPIRE", "s", 1)
    time.sleep(0.02)
    assert c("SCARD", "s") == 0
    assert c("SMEMBERS", "s") == []
    assert c("SADD", "s", "a") == 1
    assert c("TTL", "s") == -1


def test_unlink_large_set(c):
    pipe = b"".join(_enc(("SADD", "big", *["member:%d" % j for j in range(i, i + 1000)]))
                    for i in range(0, 200000, 1000))
    c.send(pipe)
    for _ in range(200):
        c.read()
    assert c("SCARD", "big") == 200000
    assert c("UNLINK", "big") == 1
    assert c("EXISTS", "big") == 0
    assert c("PING") == "PONG"
