"""Hash commands: replies, errors, encodings and RESP3 shapes.

Two kinds of tests live here:

- Everything Redis 7.0 has (HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS
  HLEN HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, OBJECT ENCODING, RESP3 shapes) was
  validated against Debian's redis-server 7.0.15 (run the file with
  KVIK_SERVER=/usr/bin/redis-server).
- Per-field expiry is newer than that reference: HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT
  HTTL HPTTL HEXPIRETIME HPEXPIRETIME HPERSIST and HSCAN NOVALUES are Redis 7.4, HGETDEL
  HGETEX HSETEX are Redis 8.0. Those tests were written from Redis's documentation and
  its published reply codes and error texts (as of Redis 8: the FIELDS keyword, -2 per
  field for a missing key, negative times refused) and cannot be checked against 7.0:
  they skip themselves on a server that lacks the commands. Kvik's own choices there:
  a small hash with field TTLs reports OBJECT ENCODING "listpack" (Redis 7.4 says
  "listpackex") and keeps insertion order (7.4 orders it by TTL); expired fields are never
  counted or returned (HLEN included, which 7.4 may count until they are reclaimed).
"""
import time

import pytest
import redis

from resp3 import Map
from util import NOT_FLOAT, NOT_INT, SYNTAX, WRONGTYPE, Err, Raw, arity

LLONG_MAX = 2 ** 63 - 1
HFE_MAX_MS = (2 ** 48 - 1) >> 2


@pytest.fixture(autouse=True)
def limits(server):
    """Every test runs with the thresholds redis.conf ships (128 / 64); the built-in
    defaults differ (see test_default_thresholds)."""
    conn = Raw(server)
    old = conn("CONFIG", "GET", "hash-max-listpack-*")
    conn("CONFIG", "SET", "hash-max-listpack-entries", "128")
    conn("CONFIG", "SET", "hash-max-listpack-value", "64")
    yield
    for name, value in zip(old[::2], old[1::2]):
        conn("CONFIG", "SET", name, value)
    conn.close()


@pytest.fixture
def hfe(c):
    """Skips tests of the Redis 7.4/8.0 field-expiry commands on a server without them."""
    if None in c("COMMAND", "INFO", "hexpire", "hsetex"):
        pytest.skip("server has no hash field expiry (Redis < 7.4/8.0)")


def enc(c, key):
    return c("OBJECT", "ENCODING", key)


def pairs(flat):
    return dict(zip(flat[::2], flat[1::2]))


# ---------------------------------------------------------------- HSET / HGET family

def test_hset_hget_basic(c):
    assert c("HSET", "h", "f1", "v1") == 1
    assert c("HGET", "h", "f1") == b"v1"
    assert c("HSET", "h", "f1", "v2") == 0
    assert c("HGET", "h", "f1") == b"v2"
    assert c("HSET", "h", "a", "1", "b", "2", "a", "3") == 2
    assert c("HGET", "h", "a") == b"3"
    assert c("HGET", "h", "missing") is None
    assert c("HGET", "nokey", "f") is None
    assert c("HLEN", "h") == 3


def test_hset_hmset_arity(c):
    assert c("HSET", "h", "f") == arity("hset")
    assert c("HSET", "h", "f", "v", "g") == arity("hset")
    assert c("HMSET", "h", "f") == arity("hmset")
    assert c("HMSET", "h", "f", "v", "g") == arity("hmset")
    assert c("HSET", "h") == arity("hset")
    assert c("EXISTS", "h") == 0


def test_hmset_replies_ok(c):
    assert c("HMSET", "h", "a", "1", "b", "2") == "OK"
    assert c("HMGET", "h", "a", "b", "c") == [b"1", b"2", None]
    assert c("HMGET", "nokey", "a", "b") == [None, None]


def test_hsetnx(c):
    assert c("HSETNX", "h", "f", "v") == 1
    assert c("HSETNX", "h", "f", "w") == 0
    assert c("HGET", "h", "f") == b"v"
    assert c("HSETNX", "h", "g", "w") == 1
    assert c("HLEN", "h") == 2


def test_binary_and_empty_fields(c):
    field = bytes(range(256))
    value = b"a\r\nb\x00c"
    assert c("HSET", "h", field, value, "", "", "e", "") == 3
    assert c("HGET", "h", field) == value
    assert c("HGET", "h", "") == b""
    assert c("HSTRLEN", "h", "e") == 0
    assert c("HEXISTS", "h", "") == 1
    assert pairs(c("HGETALL", "h")) == {field: value, b"": b"", b"e": b""}


def test_integers_read_back_as_text(c):
    c("HSET", "h", "a", "12345", "b", "-9223372036854775808", "c", "007", "d", "1.0")
    assert c("HGET", "h", "a") == b"12345"
    assert c("HGET", "h", "b") == b"-9223372036854775808"
    assert c("HGET", "h", "c") == b"007"
    assert c("HSTRLEN", "h", "b") == 20
    assert c("HSTRLEN", "h", "c") == 3
    assert c("HGETALL", "h") == [b"a", b"12345", b"b", b"-9223372036854775808",
                                 b"c", b"007", b"d", b"1.0"]


def test_hdel(c):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c("HDEL", "h", "a", "zz", "a") == 1
    assert c("HDEL", "h", "zz") == 0
    assert c("HLEN", "h") == 2
    assert c("HDEL", "h", "b", "c", "d") == 2
    assert c("EXISTS", "h") == 0
    assert c("HDEL", "nokey", "a") == 0


def test_hdel_last_field_deletes_key_big(c):
    c("HSET", "h", *[x for i in range(300) for x in ("f%d" % i, "v")])
    assert c("HDEL", "h", *["f%d" % i for i in range(300)]) == 300
    assert c("EXISTS", "h") == 0


def test_hlen_hexists_hstrlen(c):
    assert c("HLEN", "nokey") == 0
    assert c("HEXISTS", "nokey", "f") == 0
    assert c("HSTRLEN", "nokey", "f") == 0
    c("HSET", "h", "f", "hello")
    assert c("HEXISTS", "h", "f") == 1
    assert c("HEXISTS", "h", "g") == 0
    assert c("HSTRLEN", "h", "f") == 5
    assert c("HSTRLEN", "h", "g") == 0


def test_getall_keys_vals_listpack_order(c):
    c("HSET", "h", "z", "1", "a", "2", "m", "3")
    c("HSET", "h", "a", "22")
    assert c("HGETALL", "h") == [b"z", b"1", b"a", b"22", b"m", b"3"]
    assert c("HKEYS", "h") == [b"z", b"a", b"m"]
    assert c("HVALS", "h") == [b"1", b"22", b"3"]
    c("HDEL", "h", "a")
    c("HSET", "h", "a", "x")
    assert c("HKEYS", "h") == [b"z", b"m", b"a"]
    assert c("HGETALL", "nokey") == []
    assert c("HKEYS", "nokey") == []
    assert c("HVALS", "nokey") == []


def test_getall_hashtable(c):
    items = {b"f%d" % i: b"v%d" % i for i in range(500)}
    c("HSET", "h", *[x for kv in items.items() for x in kv])
    assert enc(c, "h") == b"hashtable"
    assert pairs(c("HGETALL", "h")) == items
    assert sorted(c("HKEYS", "h")) == sorted(items)
    assert sorted(c("HVALS", "h")) == sorted(items.values())
    c("HDEL", "h", *[b"f%d" % i for i in range(0, 500, 2)])
    assert c("HLEN", "h") == 250
    assert pairs(c("HGETALL", "h")) == {k: v for k, v in items.items()
                                        if int(k[1:]) % 2 == 1}


def test_wrongtype(c):
    c("SET", "s", "x")
    for cmd in (("HSET", "s", "f", "v"), ("HMSET", "s", "f", "v"), ("HSETNX", "s", "f", "v"),
                ("HGET", "s", "f"), ("HMGET", "s", "f"), ("HGETALL", "s"), ("HKEYS", "s"),
                ("HVALS", "s"), ("HDEL", "s", "f"), ("HLEN", "s"), ("HEXISTS", "s", "f"),
                ("HSTRLEN", "s", "f"), ("HINCRBY", "s", "f", "1"),
                ("HINCRBYFLOAT", "s", "f", "1"), ("HRANDFIELD", "s"),
                ("HRANDFIELD", "s", "0"), ("HRANDFIELD", "s", "2", "WITHVALUES"),
                ("HSCAN", "s", "0")):
        assert c(*cmd) == WRONGTYPE, cmd
    assert c("GET", "s") == b"x"
    # Arguments checked before the key: the argument error comes first.
    assert c("HINCRBY", "s", "f", "abc") == NOT_INT
    assert c("HINCRBYFLOAT", "s", "f", "abc") == NOT_FLOAT
    assert c("HRANDFIELD", "s", "abc") == NOT_INT
    assert c("HRANDFIELD", "s", "1", "x") == SYNTAX
    assert c("HSCAN", "s", "x") == Err("ERR invalid cursor")
    assert c("HSET", "s", "f") == arity("hset")


# ---------------------------------------------------------------- HINCRBY / HINCRBYFLOAT

def test_hincrby(c):
    assert c("HINCRBY", "h", "f", "5") == 5
    assert c("HINCRBY", "h", "f", "-7") == -2
    assert c("HGET", "h", "f") == b"-2"
    c("HSET", "h", "s", "abc", "sp", " 1", "fl", "1.5", "big", str(LLONG_MAX))
    assert c("HINCRBY", "h", "s", "1") == Err("ERR hash value is not an integer")
    assert c("HINCRBY", "h", "sp", "1") == Err("ERR hash value is not an integer")
    assert c("HINCRBY", "h", "fl", "1") == Err("ERR hash value is not an integer")
    assert c("HINCRBY", "h", "big", "1") == Err("ERR increment or decrement would overflow")
    assert c("HINCRBY", "h", "big", "-1") == LLONG_MAX - 1
    assert c("HINCRBY", "h", "f", "1.5") == NOT_INT
    assert c("HINCRBY", "h", "f", str(LLONG_MAX + 1)) == NOT_INT
    c("HSET", "h", "min", str(-LLONG_MAX - 1))
    assert c("HINCRBY", "h", "min", "-1") == Err("ERR increment or decrement would overflow")


def test_hincrby_failures_create_nothing(c):
    assert c("HINCRBY", "nk", "f", "x") == NOT_INT
    assert c("HINCRBYFLOAT", "nk", "f", "x") == NOT_FLOAT
    assert c("HINCRBYFLOAT", "nk", "f", "inf") == Err("ERR value is NaN or Infinity")
    assert c("EXISTS", "nk") == 0


def test_hincrbyfloat(c):
    c("HSET", "h", "a", "10.5", "b", "5.0e3", "i", "3")
    assert c("HINCRBYFLOAT", "h", "a", "0.1") == b"10.6"
    assert c("HINCRBYFLOAT", "h", "b", "200") == b"5200"
    assert c("HINCRBYFLOAT", "h", "c", "3.0e3") == b"3000"
    assert c("HGET", "h", "c") == b"3000"
    assert c("HINCRBYFLOAT", "h", "i", "-3") == b"0"
    assert c("HINCRBYFLOAT", "h", "a", "abc") == NOT_FLOAT
    assert c("HINCRBYFLOAT", "h", "a", "nan") == NOT_FLOAT
    assert c("HINCRBYFLOAT", "h", "a", "1e5000") == NOT_FLOAT
    assert c("HINCRBYFLOAT", "h", "a", "-inf") == Err("ERR value is NaN or Infinity")
    c("HSET", "h", "s", "x", "sp", "1 ")
    assert c("HINCRBYFLOAT", "h", "s", "1") == Err("ERR hash value is not a float")
    assert c("HINCRBYFLOAT", "h", "sp", "1") == Err("ERR hash value is not a float")
    c("HSET", "h", "hex", "0x10", "e", "1e3")
    assert c("HINCRBYFLOAT", "h", "hex", "1") == b"17"
    assert c("HINCRBYFLOAT", "h", "e", "1") == b"1001"
    assert c("HINCRBY", "h", "e", "1") == 1002
    c("HSET", "h", "m", "1.7976931348623157e308")
    big = c("HINCRBYFLOAT", "h", "m", "1.7976931348623157e308")  # beyond double, not long double
    assert big.startswith(b"359538626972463139991842093548208868096772893888658356970") \
        and len(big) == 309 and big.isdigit()
    assert enc(c, "h") == b"hashtable"


def test_hincrbyfloat_overflow_text(c):
    c("HSET", "h", "m", "1e4932")
    got = c("HINCRBYFLOAT", "h", "m", "1e4932")
    assert got == Err("ERR increment would produce NaN or Infinity")


# ---------------------------------------------------------------- encodings

def test_default_thresholds(start_server):
    """Redis 7.0's compiled-in defaults (redis.conf sets 128 for entries)."""
    s = start_server()
    conn = Raw(s)
    assert conn("CONFIG", "GET", "hash-max-listpack-entries") == [b"hash-max-listpack-entries",
                                                                   b"512"]
    assert conn("CONFIG", "GET", "hash-max-ziplist-value") == [b"hash-max-ziplist-value", b"64"]
    conn.close()


def test_encoding_entries_threshold(c):
    c("HSET", "h", *[x for i in range(128) for x in ("f%d" % i, "v")])
    assert enc(c, "h") == b"listpack"
    c("HSET", "h", "f0", "changed")
    assert enc(c, "h") == b"listpack"
    c("HSET", "h", "new", "v")
    assert enc(c, "h") == b"hashtable"
    c("HDEL", "h", *["f%d" % i for i in range(128)])
    assert c("HLEN", "h") == 1
    assert enc(c, "h") == b"hashtable"  # never converts back


def test_encoding_value_threshold(c):
    c("HSET", "a", "f", "x" * 64)
    assert enc(c, "a") == b"listpack"
    c("HSET", "a", "g", "x" * 65)
    assert enc(c, "a") == b"hashtable"
    c("HSET", "b", "x" * 65, "v")
    assert enc(c, "b") == b"hashtable"
    c("HMSET", "c", "f", "v", "g", "y" * 65)
    assert enc(c, "c") == b"hashtable"
    assert c("HGET", "c", "f") == b"v"


def test_encoding_duplicate_fields_do_not_convert(c):
    assert c("HSET", "h", *(["f", "v"] * 200)) == 1
    assert enc(c, "h") == b"listpack"


def test_encoding_hsetnx_hincrby(c):
    long = "y" * 65
    c("HSET", "a", "f", "1")
    assert c("HSETNX", "a", "f", long) == 0
    assert enc(c, "a") == b"listpack"  # existing field: nothing set, nothing converted
    assert c("HSETNX", "a", long, "1") == 1
    assert enc(c, "a") == b"hashtable"
    c("HSET", "b", "f", "1")
    c("HINCRBY", "b", "x" * 65, "1")
    assert enc(c, "b") == b"hashtable"
    c("HSET", "d", "f", "1")
    c("HINCRBYFLOAT", "d", long, "1.5")
    assert enc(c, "d") == b"hashtable"
    c("HSET", "e", "x", "1")
    c("HINCRBYFLOAT", "e", "x", "1e60")  # 61 chars: still listpack
    assert enc(c, "e") == b"listpack"
    c("HINCRBYFLOAT", "e", "x", "1e70")  # 71 chars
    assert enc(c, "e") == b"hashtable"


def test_encoding_config(c, r):
    old = r.config_get("hash-max-listpack-entries")["hash-max-listpack-entries"]
    oldv = r.config_get("hash-max-listpack-value")["hash-max-listpack-value"]
    try:
        assert c("CONFIG", "SET", "hash-max-ziplist-entries", "3") == "OK"
        assert r.config_get("hash-max-listpack-entries")["hash-max-listpack-entries"] == "3"
        c("HSET", "z", "a", "1", "b", "2", "c", "3")
        assert enc(c, "z") == b"listpack"
        c("HSET", "z", "d", "4")
        assert enc(c, "z") == b"hashtable"
        c("CONFIG", "SET", "hash-max-listpack-entries", "0")
        c("HSET", "zero", "a", "1")
        assert enc(c, "zero") == b"hashtable"
        c("CONFIG", "SET", "hash-max-listpack-entries", "128")
        c("CONFIG", "SET", "hash-max-listpack-value", "4")
        c("HSET", "v", "abcd", "1234")
        assert enc(c, "v") == b"listpack"
        c("HSET", "v", "abcde", "1")
        assert enc(c, "v") == b"hashtable"
    finally:
        r.config_set("hash-max-listpack-entries", old)
        r.config_set("hash-max-listpack-value", oldv)


def test_type_and_encoding_reported(c):
    c("HSET", "h", "f", "v")
    assert c("TYPE", "h") == "hash"
    assert enc(c, "h") == b"listpack"


# ---------------------------------------------------------------- HRANDFIELD

@pytest.mark.parametrize("size", [5, 300])
def test_hrandfield_counts(c, size):
    items = {b"f%d" % i: b"v%d" % i for i in range(size)}
    c("HSET", "h", *[x for kv in items.items() for x in kv])
    assert c("HRANDFIELD", "h") in items
    assert c("HRANDFIELD", "h", "0") == []
    assert c("HRANDFIELD", "h", "0", "WITHVALUES") == []
    one = c("HRANDFIELD", "h", "1")
    assert len(one) == 1 and one[0] in items
    for count in (2, size // 2, size - 1, size, size + 10):
        got = c("HRANDFIELD", "h", str(count))
        assert len(got) == min(count, size)
        assert len(set(got)) == len(got)
        assert set(got) <= set(items)
        withv = c("HRANDFIELD", "h", str(count), "WITHVALUES")
        assert len(withv) == 2 * min(count, size)
        p = pairs(withv)
        assert len(p) == min(count, size)
        assert all(items[k] == v for k, v in p.items())
    rep = c("HRANDFIELD", "h", str(-(size * 3)))
    assert len(rep) == size * 3 and set(rep) <= set(items)
    repv = c("HRANDFIELD", "h", "-7", "WITHVALUES")
    assert len(repv) == 14
    assert all(items[k] == v for k, v in zip(repv[::2], repv[1::2]))


def test_hrandfield_whole_listpack_in_order(c):
    c("HSET", "h", "c", "1", "a", "2", "b", "3")
    assert c("HRANDFIELD", "h", "10", "WITHVALUES") == [b"c", b"1", b"a", b"2", b"b", b"3"]
    assert c("HRANDFIELD", "h", "3") == [b"c", b"a", b"b"]


def test_hrandfield_missing_and_errors(c):
    assert c("HRANDFIELD", "nokey") is None
    assert c("HRANDFIELD", "nokey", "5") == []
    assert c("HRANDFIELD", "nokey", "-5", "WITHVALUES") == []
    assert c("HRANDFIELD", "nokey", "5", "x") == SYNTAX
    c("HSET", "h", "a", "1")
    assert c("HRANDFIELD", "h", "abc") == NOT_INT
    assert c("HRANDFIELD", "h", "1", "withvaluesx") == SYNTAX
    assert c("HRANDFIELD", "h", "1", "WITHVALUES", "x") == SYNTAX
    assert c("HRANDFIELD", "h", str(-LLONG_MAX - 1)) == Err(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807")
    assert c("HRANDFIELD", "h", str(LLONG_MAX), "WITHVALUES") == Err("ERR value is out of range")
    assert c("HRANDFIELD", "h", str(LLONG_MAX // 2 + 1), "WITHVALUES") == \
        Err("ERR value is out of range")
    assert c("HRANDFIELD", "h", str(LLONG_MAX // 2), "WITHVALUES") == [b"a", b"1"]
    assert c("HRANDFIELD", "h", str(LLONG_MAX)) == [b"a"]


# ---------------------------------------------------------------- HSCAN

def test_hscan_listpack_returns_all(c):
    c("HSET", "h", "a", "1", "b", "2", "ab", "3")
    assert c("HSCAN", "h", "0") == [b"0", [b"a", b"1", b"b", b"2", b"ab", b"3"]]
    assert c("HSCAN", "h", "0", "COUNT", "1") == [b"0", [b"a", b"1", b"b", b"2", b"ab", b"3"]]
    assert c("HSCAN", "h", "0", "MATCH", "a*") == [b"0", [b"a", b"1", b"ab", b"3"]]
    assert c("HSCAN", "h", "0", "MATCH", "1") == [b"0", []]  # matches fields, not values
    assert c("HSCAN", "h", "0", "match", "*", "count", "5") == [b"0", [b"a", b"1", b"b", b"2",
                                                                       b"ab", b"3"]]


def test_hscan_hashtable_full_iteration(c):
    items = {b"f%d" % i: b"v%d" % i for i in range(1000)}
    c("HSET", "h", *[x for kv in items.items() for x in kv])
    seen = {}
    cursor = b"0"
    calls = 0
    while True:
        cursor, batch = c("HSCAN", "h", cursor, "COUNT", "20")
        seen.update(pairs(batch))
        calls += 1
        if cursor == b"0":
            break
    assert seen == items
    assert calls > 10
    matched = set()
    cursor = b"0"
    while True:
        cursor, batch = c("HSCAN", "h", cursor, "MATCH", "f1?", "COUNT", "100")
        matched.update(batch[::2])
        if cursor == b"0":
            break
    assert matched == {b"f%d" % i for i in range(10, 20)}


def test_hscan_errors(c):
    c("HSET", "h", "a", "1")
    assert c("HSCAN", "h", "x") == Err("ERR invalid cursor")
    assert c("HSCAN", "h", " 1") == Err("ERR invalid cursor")
    assert c("HSCAN", "h", "1x") == Err("ERR invalid cursor")
    assert c("HSCAN", "h", "99999999999999999999") == Err("ERR invalid cursor")
    assert c("HSCAN", "h", "0", "COUNT", "0") == SYNTAX
    assert c("HSCAN", "h", "0", "COUNT", "x") == NOT_INT
    assert c("HSCAN", "h", "0", "COUNT") == SYNTAX
    assert c("HSCAN", "h", "0", "MATCH") == SYNTAX
    assert c("HSCAN", "h", "0", "TYPE", "hash") == SYNTAX
    assert c("HSCAN", "h", "0", "bogus", "1") == SYNTAX
    # A missing key answers an empty scan before options are looked at.
    assert c("HSCAN", "nokey", "0", "bogus") == [b"0", []]
    assert c("HSCAN", "nokey", "x") == Err("ERR invalid cursor")
    assert c("HSCAN", "h", "") == [b"0", [b"a", b"1"]]


# ---------------------------------------------------------------- RESP3 shapes

def test_resp3_shapes(c3):
    c3.call("HSET", "h", "a", "1", "b", "2")
    assert c3.call_raw("HGETALL", "h") == b"%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    assert c3.call_raw("HGETALL", "nokey") == b"%0\r\n"
    assert c3.call_raw("HKEYS", "nokey") == b"*0\r\n"
    assert c3.call_raw("HGET", "h", "zz") == b"_\r\n"
    assert c3.call_raw("HMGET", "nokey", "a") == b"*1\r\n_\r\n"
    assert c3.call_raw("HRANDFIELD", "nokey") == b"_\r\n"
    assert c3.call_raw("HRANDFIELD", "h", "5", "WITHVALUES") == (
        b"*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
    assert c3.call_raw("HRANDFIELD", "h", "0", "WITHVALUES") == b"*0\r\n"
    neg = c3.call("HRANDFIELD", "h", "-3", "WITHVALUES")
    assert len(neg) == 3 and all(p in ([b"a", b"1"], [b"b", b"2"]) for p in neg)
    assert c3.call("HRANDFIELD", "h", "2") in ([b"a", b"b"], [b"b", b"a"])
    assert c3.call_raw("HSCAN", "h", "0") == (
        b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n")
    assert c3.call_raw("HSCAN", "nokey", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    assert c3.call_raw("HINCRBYFLOAT", "h", "a", "1") == b"$1\r\n2\r\n"
    assert c3.call_raw("HLEN", "h") == b":2\r\n"


def test_resp3_hgetall_big_is_map(c3):
    c3.call("HSET", "h", *[x for i in range(200) for x in ("f%d" % i, "v%d" % i)])
    got = c3.call("HGETALL", "h")
    assert isinstance(got, Map) and len(got) == 200
    assert got[b"f7"] == b"v7"
    withv = c3.call("HRANDFIELD", "h", "50", "WITHVALUES")
    assert len(withv) == 50 and all(len(p) == 2 and got[p[0]] == p[1] for p in withv)


def test_resp2_hrandfield_withvalues_flat(c):
    c("HSET", "h", "a", "1")
    assert c("HRANDFIELD", "h", "-2", "WITHVALUES") == [b"a", b"1", b"a", b"1"]


# ---------------------------------------------------------------- keyspace, WATCH, COMMAND

def test_keyspace_hits_and_misses(c, r):
    c("HSET", "h", "a", "1")
    before = r.info("stats")
    c("HGET", "h", "a")       # hit
    c("HGET", "nokey", "a")   # miss
    c("HEXISTS", "h", "zz")   # hit: the key exists
    c("HSET", "h", "b", "2")  # writes count nothing
    after = r.info("stats")
    assert after["keyspace_hits"] - before["keyspace_hits"] == 2
    assert after["keyspace_misses"] - before["keyspace_misses"] == 1


def test_watch_sees_hash_writes(server, r):
    r.hset("h", "a", "1")
    for write, aborts in ((("HSET", "h", "a", "2"), True), (("HDEL", "h", "zz"), False),
                          (("HINCRBY", "h", "n", "1"), True), (("HSETNX", "h", "a", "x"), False),
                          (("HDEL", "h", "a"), True)):
        p = r.pipeline()
        p.watch("h")
        other = server.client()
        other.execute_command(*write)
        other.close()
        p.multi()
        p.get("x")
        if aborts:
            with pytest.raises(redis.WatchError):
                p.execute()
        else:
            assert p.execute() == [None]
        p.reset()


def test_command_info(c):
    expect = {
        "hset": (-4, {"write", "denyoom", "fast"}),
        "hsetnx": (4, {"write", "denyoom", "fast"}),
        "hget": (3, {"readonly", "fast"}),
        "hmget": (-3, {"readonly", "fast"}),
        "hgetall": (2, {"readonly"}),
        "hdel": (-3, {"write", "fast"}),
        "hincrbyfloat": (4, {"write", "denyoom", "fast"}),
        "hrandfield": (-2, {"readonly"}),
        "hscan": (-3, {"readonly"}),
    }
    for name, (ar, flags) in expect.items():
        reply = c("COMMAND", "INFO", name)[0]
        assert reply[1] == ar, name
        assert set(reply[2]) == flags, name
        assert reply[3:6] == [1, 1, 1], name


def test_large_hash_roundtrip(c):
    n = 20000
    args = []
    for i in range(n):
        args += ["field:%d" % i, "value:%d" % i]
    for j in range(0, len(args), 2000):
        c("HSET", "big", *args[j:j + 2000])
    assert c("HLEN", "big") == n
    assert c("HGET", "big", "field:12345") == b"value:12345"
    assert c("HSTRLEN", "big", "field:9") == 7
    assert c("HINCRBY", "big", "counter", "3") == 3
    assert c("DEL", "big") == 1


def test_memory_usage_grows_with_fields(c):
    c("HSET", "small", "a", "1")
    c("HSET", "large", *[x for i in range(1000) for x in ("f%d" % i, "v" * 20)])
    small = c("MEMORY", "USAGE", "small")
    large = c("MEMORY", "USAGE", "large")
    if isinstance(small, Err):
        pytest.skip("no MEMORY USAGE")
    assert large > small + 1000 * 20


# ================================================================ field expiry (7.4 / 8.0)

def test_hexpire_codes(c, hfe):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c("HEXPIRE", "h", "100", "FIELDS", "2", "a", "zz") == [1, -2]
    assert c("HTTL", "h", "FIELDS", "3", "a", "b", "zz") == [100, -1, -2]
    assert c("HEXPIRE", "h", "0", "FIELDS", "1", "b") == [2]
    assert c("HEXISTS", "h", "b") == 0
    assert c("HPEXPIREAT", "h", "1", "FIELDS", "1", "c") == [2]
    assert c("HKEYS", "h") == [b"a"]
    assert c("HEXPIRE", "h", "0", "FIELDS", "1", "a") == [2]
    assert c("EXISTS", "h") == 0
    assert c("HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b") == [-2, -2]
    assert c("HPERSIST", "nokey", "FIELDS", "1", "a") == [-2]
    assert c("HTTL", "nokey", "FIELDS", "1", "a") == [-2]


def test_hexpire_conditions(c, hfe):
    t = int(time.time()) + 10000  # absolute times: the clock moving cannot flip GT / LT

    def at(cond, when, field):
        return c("HEXPIREAT", "h", str(when), *([cond] if cond else []), "FIELDS", "1", field)

    c("HSET", "h", "f", "v", "g", "v")
    # No TTL: NX and LT set it, XX and GT do not.
    assert at("XX", t + 100, "f") == [0]
    assert at("GT", t + 100, "f") == [0]
    assert at("LT", t + 100, "f") == [1]
    assert at("NX", t + 100, "g") == [1]
    # With a TTL: NX refuses; XX sets; GT / LT compare strictly.
    assert at("NX", t + 200, "f") == [0]
    assert at("XX", t + 200, "f") == [1]
    assert at("GT", t + 150, "f") == [0]
    assert at("GT", t + 200, "f") == [0]
    assert at("GT", t + 300, "f") == [1]
    assert at("LT", t + 300, "f") == [0]
    assert at("lt", t + 50, "f") == [1]
    assert c("HEXPIRETIME", "h", "FIELDS", "2", "f", "g") == [t + 50, t + 100]
    # The condition is checked before "in the past" deletes a field.
    assert c("HEXPIRE", "h", "0", "NX", "FIELDS", "1", "f") == [0]
    assert c("HEXPIRE", "h", "0", "GT", "FIELDS", "1", "f") == [0]
    assert c("HEXPIRE", "h", "0", "LT", "FIELDS", "1", "f") == [2]
    assert c("HKEYS", "h") == [b"g"]


def test_hexpire_errors(c, hfe):
    c("HSET", "h", "f", "v")
    c("SET", "s", "x")
    assert c("HEXPIRE", "s", "10", "FIELDS", "1", "f") == WRONGTYPE
    assert c("HEXPIRE", "h", "x", "FIELDS", "1", "f") == NOT_INT
    assert c("HEXPIRE", "h", "-1", "FIELDS", "1", "f") == Err(
        "ERR invalid expire time, must be >= 0")
    assert c("HEXPIRE", "h", str(HFE_MAX_MS // 1000 + 1), "FIELDS", "1", "f") == Err(
        "ERR invalid expire time in 'hexpire' command")
    assert c("HPEXPIREAT", "h", str(HFE_MAX_MS + 1), "FIELDS", "1", "f") == Err(
        "ERR invalid expire time in 'hpexpireat' command")
    assert c("HPEXPIREAT", "h", str(HFE_MAX_MS), "FIELDS", "1", "f") == [1]
    assert c("HPEXPIRETIME", "h", "FIELDS", "1", "f") == [HFE_MAX_MS]
    assert c("HEXPIRE", "h", "10", "BAD", "FIELDS", "1", "f") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HEXPIRE", "h", "10", "NX", "NX", "1", "f") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HEXPIRE", "h", "10", "FIELDS", "0", "f") == Err(
        "ERR Parameter `numFields` should be greater than 0")
    assert c("HEXPIRE", "h", "10", "FIELDS", "x", "f") == Err(
        "ERR Parameter `numFields` should be greater than 0")
    assert c("HEXPIRE", "h", "10", "FIELDS", "2", "f") == Err(
        "ERR The `numfields` parameter must match the number of arguments")
    assert c("HEXPIRE", "h", "10", "FIELDS", "1", "f", "g") == Err(
        "ERR The `numfields` parameter must match the number of arguments")
    assert c("HEXPIRE", "h", "10", "FIELDS", "1") == arity("hexpire")
    assert c("HTTL", "h", "NOTFIELDS", "1", "f") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HTTL", "h", "FIELDS", "0", "f") == Err(
        "ERR Number of fields must be a positive integer")
    assert c("HPERSIST", "h", "FIELDS", "x", "f") == Err(
        "ERR Number of fields must be a positive integer")
    assert c("HPTTL", "h", "FIELDS", "3", "f") == Err(
        "ERR The `numfields` parameter must match the number of arguments")
    assert c("HTTL", "s", "FIELDS", "1", "f") == WRONGTYPE


def test_httl_family_values(c, hfe):
    now_ms = int(time.time() * 1000)
    c("HSET", "h", "a", "1", "b", "2")
    assert c("HPEXPIREAT", "h", str(now_ms + 100500), "FIELDS", "1", "a") == [1]
    pttl = c("HPTTL", "h", "FIELDS", "1", "a")[0]
    assert 99000 < pttl <= 100500
    assert c("HTTL", "h", "FIELDS", "1", "a") == [(pttl + 999) // 1000]
    assert c("HPEXPIRETIME", "h", "FIELDS", "2", "a", "b") == [now_ms + 100500, -1]
    assert c("HEXPIRETIME", "h", "FIELDS", "1", "a") == [(now_ms + 100500 + 999) // 1000]
    assert c("HEXPIREAT", "h", str(now_ms // 1000 + 1000), "FIELDS", "1", "b") == [1]
    assert c("HEXPIRETIME", "h", "FIELDS", "1", "b") == [now_ms // 1000 + 1000]


def test_hpersist(c, hfe):
    c("HSET", "h", "a", "1", "b", "2")
    c("HEXPIRE", "h", "100", "FIELDS", "1", "a")
    assert c("HPERSIST", "h", "FIELDS", "3", "a", "b", "zz") == [1, -1, -2]
    assert c("HTTL", "h", "FIELDS", "1", "a") == [-1]
    assert c("HPERSIST", "h", "FIELDS", "1", "a") == [-1]


def test_field_ttl_on_listpack_hash_reads(c, hfe):
    c("HSET", "h", "a", "1")
    assert c("HTTL", "h", "FIELDS", "2", "a", "b") == [-1, -2]
    assert c("HPERSIST", "h", "FIELDS", "2", "a", "b") == [-1, -2]
    assert enc(c, "h") == b"listpack"
    c("HEXPIRE", "h", "100", "FIELDS", "1", "a")
    assert enc(c, "h") == b"listpack"  # documented choice (Redis 7.4: listpackex)


def test_small_hash_with_ttls(c, hfe):
    c("HSET", "h", "z", "1", "a", "2", "m", "3", "n", "12345")
    assert c("HPEXPIRE", "h", "100000", "FIELDS", "2", "a", "n") == [1, 1]
    assert enc(c, "h") == b"listpack"
    assert c("HGETALL", "h") == [b"z", b"1", b"a", b"2", b"m", b"3", b"n", b"12345"]
    assert c("HSET", "h", "a", "x", "new", "v") == 1  # a loses its TTL
    assert c("HINCRBY", "h", "n", "1") == 12346     # n keeps it
    assert c("HTTL", "h", "FIELDS", "4", "a", "n", "new", "zz") == [-1, 100, -1, -2]
    assert c("HPERSIST", "h", "FIELDS", "1", "n") == [1]
    assert c("HTTL", "h", "FIELDS", "1", "n") == [-1]
    assert c("HDEL", "h", "z") == 1
    assert c("HKEYS", "h") == [b"a", b"m", b"n", b"new"]
    assert c("HRANDFIELD", "h", "10") == [b"a", b"m", b"n", b"new"]
    picks = c("HRANDFIELD", "h", "-40", "WITHVALUES")
    assert set(zip(picks[::2], picks[1::2])) <= {(b"a", b"x"), (b"m", b"3"), (b"n", b"12346"),
                                                 (b"new", b"v")}
    assert c("HRANDFIELD", "h") in (b"a", b"m", b"n", b"new")
    assert c("HSCAN", "h", "0", "NOVALUES") == [b"0", [b"a", b"m", b"n", b"new"]]
    assert c("HSTRLEN", "h", "n") == 5
    assert c("HSETNX", "h", "m", "q") == 0
    c("HPEXPIRE", "h", "40", "FIELDS", "2", "m", "new")
    time.sleep(0.08)
    assert c("HGETALL", "h") == [b"a", b"x", b"n", b"12346"]
    assert c("HLEN", "h") == 2


def test_small_hash_with_ttls_converts_keeping_them(c, hfe):
    c("HSET", "h", "a", "1", "b", "2")
    c("HEXPIRE", "h", "100", "FIELDS", "1", "a")
    c("HSET", "h", "long", "x" * 65)
    assert enc(c, "h") == b"hashtable"
    assert c("HTTL", "h", "FIELDS", "3", "a", "b", "long") == [100, -1, -1]
    c("HSET", "k", "a", "1")
    c("HEXPIRE", "k", "50", "FIELDS", "1", "a")
    c("HSET", "k", *[x for i in range(200) for x in ("f%d" % i, "v")])
    assert enc(c, "k") == b"hashtable"
    assert c("HTTL", "k", "FIELDS", "2", "a", "f0") == [50, -1]


def test_expired_fields_are_invisible(c, hfe):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c("HPEXPIRE", "h", "50", "FIELDS", "2", "a", "b") == [1, 1]
    time.sleep(0.12)
    assert c("HGET", "h", "a") is None
    assert c("HMGET", "h", "a", "b", "c") == [None, None, b"3"]
    assert c("HLEN", "h") == 1
    assert c("HGETALL", "h") == [b"c", b"3"]
    assert c("HEXISTS", "h", "b") == 0
    assert c("HSTRLEN", "h", "a") == 0
    assert c("HTTL", "h", "FIELDS", "1", "a") == [-2]
    assert c("HRANDFIELD", "h", "-5") == [b"c"] * 5
    assert c("HSCAN", "h", "0") == [b"0", [b"c", b"3"]]


def test_last_field_expiry_deletes_key_lazily(c, hfe):
    c("HSET", "h", "a", "1")
    c("HPEXPIRE", "h", "30", "FIELDS", "1", "a")
    time.sleep(0.08)
    assert c("HLEN", "h") == 0
    assert c("EXISTS", "h") == 0
    c("HSET", "k", "a", "1")
    c("HPEXPIRE", "k", "30", "FIELDS", "1", "a")
    time.sleep(0.08)
    assert c("HSET", "k", "b", "2") == 1  # the old hash is gone: a fresh one
    assert c("HGETALL", "k") == [b"b", b"2"]
    c("HSET", "n", "a", "1.5")
    c("HPEXPIRE", "n", "30", "FIELDS", "1", "a")
    time.sleep(0.08)
    assert c("HINCRBY", "n", "a", "2") == 2


def test_active_expiry_reclaims_fields(c, r, hfe):
    c("HSET", "h", *[x for i in range(500) for x in ("f%d" % i, "v")])
    c("HPEXPIRE", "h", "50", "FIELDS", "400", *["f%d" % i for i in range(400)])
    c("HSET", "gone", "a", "1", "b", "2")
    c("HPEXPIRE", "gone", "50", "FIELDS", "2", "a", "b")
    deadline = time.time() + 5
    while time.time() < deadline and c("EXISTS", "gone") == 1:
        time.sleep(0.05)
    # Only the cycle could have done this: nothing touched the hashes since.
    assert c("EXISTS", "gone") == 0
    assert c("DBSIZE") == 1
    assert c("HLEN", "h") == 100


def test_active_expiry_follows_rename_move_copy_swapdb(c, hfe):
    for key in ("ren", "mv", "cp", "sw"):
        c("HSET", key, "a", "1")
        c("HPEXPIRE", key, "100", "FIELDS", "1", "a")
    c("RENAME", "ren", "ren2")
    c("MOVE", "mv", "3")
    c("COPY", "cp", "cp2", "DB", "4")
    c("SWAPDB", "0", "7")
    deadline = time.time() + 5
    left = None
    while time.time() < deadline and left != 0:
        time.sleep(0.05)
        left = 0
        for db in (0, 3, 4, 7):
            c("SELECT", db)
            left += c("DBSIZE")
    c("SELECT", 0)
    assert left == 0


def test_hset_clears_ttl_hincrby_keeps_it(c, hfe):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    c("HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "c")
    c("HSET", "h", "a", "x")
    c("HINCRBY", "h", "b", "5")
    c("HINCRBYFLOAT", "h", "c", "0.5")
    assert c("HTTL", "h", "FIELDS", "3", "a", "b", "c") == [-1, 100, 100]
    assert c("HMGET", "h", "b", "c") == [b"7", b"3.5"]
    c("HSETNX", "h", "b", "y")
    assert c("HTTL", "h", "FIELDS", "1", "b") == [100]


def test_hgetdel(c, hfe):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c("HGETDEL", "h", "FIELDS", "3", "a", "zz", "a") == [b"1", None, None]
    assert c("HKEYS", "h") == [b"b", b"c"]
    assert c("HGETDEL", "h", "FIELDS", "2", "b", "c") == [b"2", b"3"]
    assert c("EXISTS", "h") == 0
    assert c("HGETDEL", "nokey", "FIELDS", "1", "a") == [None]
    c("SET", "s", "x")
    assert c("HGETDEL", "s", "FIELDS", "1", "a") == WRONGTYPE
    c("HSET", "h", "a", "1")
    assert c("HGETDEL", "h", "FIELD", "1", "a") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HGETDEL", "h", "FIELDS", "0", "a") == Err(
        "ERR Number of fields must be a positive integer")
    assert c("HGETDEL", "h", "FIELDS", "-1", "a") == Err(
        "ERR Number of fields must be a positive integer")
    assert c("HGETDEL", "h", "FIELDS", "2", "a") == Err(
        "ERR The `numfields` parameter must match the number of arguments")
    assert c("HGETDEL", "h") == arity("hgetdel")


def test_hgetex(c, hfe):
    c("HSET", "h", "a", "1", "b", "2", "c", "3")
    assert c("HGETEX", "h", "FIELDS", "2", "a", "zz") == [b"1", None]
    assert c("HTTL", "h", "FIELDS", "1", "a") == [-1]
    assert c("HGETEX", "h", "EX", "100", "FIELDS", "2", "a", "zz") == [b"1", None]
    assert c("HTTL", "h", "FIELDS", "1", "a") == [100]
    assert c("HGETEX", "h", "PX", "5000", "FIELDS", "1", "b") == [b"2"]
    assert 4000 < c("HPTTL", "h", "FIELDS", "1", "b")[0] <= 5000
    at = int(time.time()) + 1000
    assert c("HGETEX", "h", "EXAT", str(at), "FIELDS", "1", "c") == [b"3"]
    assert c("HEXPIRETIME", "h", "FIELDS", "1", "c") == [at]
    assert c("HGETEX", "h", "PXAT", str(at * 1000 + 1), "FIELDS", "1", "c") == [b"3"]
    assert c("HPEXPIRETIME", "h", "FIELDS", "1", "c") == [at * 1000 + 1]
    assert c("HGETEX", "h", "PERSIST", "FIELDS", "2", "a", "b") == [b"1", b"2"]
    assert c("HTTL", "h", "FIELDS", "2", "a", "b") == [-1, -1]
    # A time not in the future deletes the fields after returning them.
    assert c("HGETEX", "h", "EX", "0", "FIELDS", "1", "a") == [b"1"]
    assert c("HGETEX", "h", "PXAT", "1", "FIELDS", "2", "b", "c") == [b"2", b"3"]
    assert c("EXISTS", "h") == 0
    assert c("HGETEX", "nokey", "EX", "10", "FIELDS", "2", "a", "b") == [None, None]


def test_hgetex_errors(c, hfe):
    c("HSET", "h", "a", "1")
    c("SET", "s", "x")
    assert c("HGETEX", "s", "FIELDS", "1", "a") == WRONGTYPE
    assert c("HGETEX", "h", "EX", "x", "FIELDS", "1", "a") == NOT_INT
    assert c("HGETEX", "h", "EX", "-1", "FIELDS", "1", "a") == Err(
        "ERR invalid expire time, must be >= 0")
    assert c("HGETEX", "h", "EX", str(HFE_MAX_MS), "FIELDS", "1", "a") == Err(
        "ERR invalid expire time in 'hgetex' command")
    assert c("HGETEX", "h", "KEEPTTL", "FIELDS", "1", "a") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HGETEX", "h", "EX", "10", "PX", "FIELDS", "1", "a") == Err(
        "ERR Mandatory argument FIELDS is missing or not at the right position")
    assert c("HGETEX", "h", "FIELDS", "0", "a") == Err(
        "ERR Number of fields must be a positive integer")
    assert c("HGETEX", "h", "PERSIST", "FIELDS", "2", "a") == Err(
        "ERR The `numfields` parameter must match the number of arguments")
    assert c("HTTL", "h", "FIELDS", "1", "a") == [-1]


def test_hsetex(c, hfe):
    assert c("HSETEX", "h", "FIELDS", "2", "a", "1", "b", "2") == 1
    assert c("HGETALL", "h") == [b"a", b"1", b"b", b"2"]
    assert c("HSETEX", "h", "EX", "100", "FIELDS", "1", "a", "x") == 1
    assert c("HTTL", "h", "FIELDS", "2", "a", "b") == [100, -1]
    assert c("HSETEX", "h", "KEEPTTL", "FIELDS", "1", "a", "y") == 1
    assert c("HTTL", "h", "FIELDS", "1", "a") == [100]
    assert c("HSETEX", "h", "FIELDS", "1", "a", "z") == 1  # a plain set drops the TTL
    assert c("HTTL", "h", "FIELDS", "1", "a") == [-1]
    # FNX: only when none exists; FXX: only when all exist.
    assert c("HSETEX", "h", "FNX", "FIELDS", "2", "a", "1", "c", "3") == 0
    assert c("HSETEX", "h", "FNX", "EX", "50", "FIELDS", "1", "c", "3") == 1
    assert c("HTTL", "h", "FIELDS", "1", "c") == [50]
    assert c("HSETEX", "h", "FXX", "FIELDS", "2", "a", "1", "d", "4") == 0
    assert c("HSETEX", "h", "FXX", "PX", "5000", "FIELDS", "2", "a", "A", "b", "B") == 1
    assert c("HMGET", "h", "a", "b", "d") == [b"A", b"B", None]
    assert c("HSETEX", "nokey", "FXX", "FIELDS", "1", "a", "1") == 0
    assert c("EXISTS", "nokey") == 0
    assert c("HSETEX", "new", "FNX", "EX", "10", "FIELDS", "1", "a", "1") == 1
    assert c("HTTL", "new", "FIELDS", "1", "a") == [10]
    # A time in the past sets and at once deletes; an emptied hash goes.
    assert c("HSETEX", "p", "PXAT", "1", "FIELDS", "1", "a", "1") == 1
    assert c("EXISTS", "p") == 0
    at = int(time.time()) + 500
    assert c("HSETEX", "h", "EXAT", str(at), "FIELDS", "1", "e", "5") == 1
    assert c("HEXPIRETIME", "h", "FIELDS", "1", "e") == [at]


def test_hsetex_errors(c, hfe):
    c("SET", "s", "x")
    assert c("HSETEX", "s", "FIELDS", "1", "a", "1") == WRONGTYPE
    assert c("HSETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "a", "1") == Err(
        "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified")
    assert c("HSETEX", "h", "KEEPTTL", "EX", "10", "FIELDS", "1", "a", "1") == Err(
        "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified")
    assert c("HSETEX", "h", "FNX", "FXX", "FIELDS", "1", "a", "1") == Err(
        "ERR Only one of FXX or FNX arguments can be specified")
    assert c("HSETEX", "h", "FOO", "FIELDS", "1", "a", "1") == Err("ERR unknown argument: FOO")
    assert c("HSETEX", "h", "EX", "-1", "FIELDS", "1", "a", "1") == Err(
        "ERR invalid expire time, must be >= 0")
    assert c("HSETEX", "h", "EX", "x", "FIELDS", "1", "a", "1") == NOT_INT
    assert c("HSETEX", "h", "FIELDS", "0", "a", "1") == Err("ERR invalid number of fields")
    assert c("HSETEX", "h", "FIELDS", "x", "a", "1") == Err("ERR invalid number of fields")
    assert c("HSETEX", "h", "FIELDS", "2", "a", "1") == arity("hsetex")
    assert c("HSETEX", "h", "FIELDS", "1", "a", "1", "b") == arity("hsetex")
    assert c("HSETEX", "h", "FNX", "FIELDS", "1", "a") == arity("hsetex")
    assert c("HSETEX", "h", "FIELDS", "1", "a") == arity("hsetex")
    assert c("HSETEX", "h", "FXX", "FNX", "KEEPTTL", "EX") == Err(
        "ERR Only one of FXX or FNX arguments can be specified")
    assert c("HSETEX", "h", "FNX", "KEEPTTL", "FXX", "EX") == Err(
        "ERR Only one of FXX or FNX arguments can be specified")
    assert c("HSETEX", "h", "FNX", "FXX", "EX") == arity("hsetex")
    assert c("EXISTS", "h") == 0


def test_hscan_novalues(c, hfe):
    c("HSET", "h", "a", "1", "b", "2")
    assert c("HSCAN", "h", "0", "NOVALUES") == [b"0", [b"a", b"b"]]
    c("HSET", "t", *[x for i in range(300) for x in ("f%d" % i, "v")])
    seen = set()
    cursor = b"0"
    while True:
        cursor, batch = c("HSCAN", "t", cursor, "NOVALUES", "COUNT", "50")
        assert all(f.startswith(b"f") for f in batch)
        seen.update(batch)
        if cursor == b"0":
            break
    assert len(seen) == 300


def test_hfe_resp3_and_rename(c, c3, hfe):
    c3.call("HSET", "h", "a", "1")
    assert c3.call_raw("HTTL", "h", "FIELDS", "2", "a", "b") == b"*2\r\n:-1\r\n:-2\r\n"
    assert c3.call_raw("HGETEX", "h", "FIELDS", "2", "a", "b") == b"*2\r\n$1\r\n1\r\n_\r\n"
    c3.call("HPEXPIRE", "h", "40", "FIELDS", "1", "a")
    c3.call("HSET", "h", "b", "2")
    assert c3.call("RENAME", "h", "h2") == "OK"
    time.sleep(0.1)
    assert c3.call("HGETALL", "h2") == {b"b": b"2"}


def test_expired_fields_counted(c, r, hfe):
    c("HSET", "h", "a", "1", "b", "2")
    c("HPEXPIRE", "h", "20", "FIELDS", "1", "a")
    time.sleep(0.05)
    assert c("HLEN", "h") == 1
    got = r.info("stats").get("expired_subkeys")
    if got is None:
        pytest.skip("INFO has no expired_subkeys yet")
    assert int(got) >= 1


# ---------------------------------------------------------------- keyspace commands on hashes

def test_copy_rename_move_del(c):
    c("HSET", "h", "a", "1", "b", "2")
    c("HSET", "t", *[x for i in range(200) for x in ("f%d" % i, "v")])
    assert c("COPY", "h", "h2") == 1
    assert c("COPY", "t", "t2") == 1
    c("HSET", "h", "a", "changed")
    assert c("HGETALL", "h2") == [b"a", b"1", b"b", b"2"]
    assert enc(c, "h2") == b"listpack" and enc(c, "t2") == b"hashtable"
    assert c("HLEN", "t2") == 200
    c("HDEL", "t", "f0")
    assert c("HEXISTS", "t2", "f0") == 1
    assert c("RENAME", "t2", "t3") == "OK"
    assert c("HLEN", "t3") == 200
    assert c("MOVE", "t3", "5") == 1
    c("SELECT", "5")
    assert c("HGET", "t3", "f199") == b"v"
    assert c("DEL", "t3") == 1
    c("SELECT", "0")
    assert c("UNLINK", "t") == 1
    assert c("DEL", "h", "h2") == 2
    assert c("DBSIZE") == 0


def test_random_ops_against_model(c, r):
    """Random writes on a few keys with small thresholds (so conversions happen midway),
    checked against a dict after every step."""
    import random
    rnd = random.Random(7)
    c("CONFIG", "SET", "hash-max-listpack-entries", "8")
    c("CONFIG", "SET", "hash-max-listpack-value", "16")
    model = {}
    for step in range(1500):
        key = "k%d" % rnd.randrange(3)
        h = model.setdefault(key, {})
        field = ("f%d" % rnd.randrange(12)).encode()
        if rnd.random() < 0.05:
            field = b"x" * rnd.randrange(10, 24)
        op = rnd.randrange(6)
        if op == 0:
            value = bytes(rnd.randrange(256) for _ in range(rnd.randrange(20)))
            assert c("HSET", key, field, value) == (0 if field in h else 1)
            h[field] = value
        elif op == 1:
            assert c("HDEL", key, field) == (1 if field in h else 0)
            h.pop(field, None)
        elif op == 2:
            cur = h.get(field, b"0")
            try:
                n = int(cur)
                ok = str(n).encode() == cur
            except ValueError:
                ok = False
            got = c("HINCRBY", key, field, "3")
            if ok:
                assert got == n + 3
                h[field] = str(n + 3).encode()
            else:
                assert got == Err("ERR hash value is not an integer")
        elif op == 3:
            assert c("HSETNX", key, field, "nx") == (0 if field in h else 1)
            h.setdefault(field, b"nx")
        elif op == 4:
            assert c("HGET", key, field) == h.get(field)
        else:
            assert c("HSTRLEN", key, field) == len(h.get(field, b""))
        if step % 25 == 0:
            for k, hm in model.items():
                assert pairs(c("HGETALL", k)) == hm
                assert c("HLEN", k) == len(hm)
                assert c("EXISTS", k) == (1 if hm else 0)


def test_hfe_copy_keeps_field_ttls(c, hfe):
    c("HSET", "h", "a", "1", "b", "2")
    c("HEXPIRE", "h", "100", "FIELDS", "1", "a")
    assert c("COPY", "h", "h2") == 1
    assert c("HTTL", "h2", "FIELDS", "2", "a", "b") == [100, -1]
    c("HPEXPIRE", "h2", "30", "FIELDS", "1", "b")
    time.sleep(0.08)
    assert pairs(c("HGETALL", "h2")) == {b"a": b"1"}
    assert c("HLEN", "h") == 2
    assert c("HTTL", "h", "FIELDS", "1", "b") == [-1]


def test_random_ttl_ops_against_model(c, hfe):
    """Field-TTL commands on small thresholds, so hashes go pairs -> triplets -> table
    midway; expire times are absolute and far away (or in the past, which deletes)."""
    import random
    rnd = random.Random(11)
    c("CONFIG", "SET", "hash-max-listpack-entries", "6")
    c("CONFIG", "SET", "hash-max-listpack-value", "16")
    base = int(time.time() * 1000) + 10 ** 8
    model = {}  # key -> {field: [value, expire or None]}

    def expected_expire_code(entry, at, cond):
        prev = entry[1]
        if prev is None and cond in ("XX", "GT"):
            return 0
        if prev is not None and (cond == "NX" or (cond == "GT" and prev >= at)
                                 or (cond == "LT" and prev <= at)):
            return 0
        return 2 if at <= 1000 else 1

    for step in range(1500):
        key = "k%d" % rnd.randrange(3)
        h = model.setdefault(key, {})
        field = ("f%d" % rnd.randrange(10)).encode()
        if rnd.random() < 0.02:
            field = b"y" * 20
        if rnd.random() < 0.04:  # start over small now and then
            assert c("DEL", key) == (1 if h else 0)
            h.clear()
        op = rnd.randrange(8)
        if op == 0:
            value = str(rnd.randrange(100)).encode()
            assert c("HSET", key, field, value) == (0 if field in h else 1)
            h[field] = [value, None]
        elif op == 1:
            assert c("HDEL", key, field) == (1 if field in h else 0)
            h.pop(field, None)
        elif op == 2:
            got = c("HINCRBY", key, field, "1")
            if field in h:
                try:
                    n = int(h[field][0])
                except ValueError:
                    n = None
                if n is None:
                    assert isinstance(got, Err)
                    continue
                h[field][0] = str(n + 1).encode()
            else:
                h[field] = [b"1", None]
            assert got == int(h[field][0])
        elif op in (3, 4):
            cond = rnd.choice(["", "NX", "XX", "GT", "LT"])
            at = 1 if rnd.random() < 0.1 else base + rnd.randrange(1000)
            args = ["HPEXPIREAT", key, str(at)] + ([cond] if cond else []) + ["FIELDS", "1", field]
            code = expected_expire_code(h[field], at, cond) if field in h else -2
            assert c(*args) == [code], (args, h.get(field))
            if code == 1:
                h[field][1] = at
            elif code == 2:
                del h[field]
        elif op == 5:
            code = -2 if field not in h else (-1 if h[field][1] is None else 1)
            assert c("HPERSIST", key, "FIELDS", "1", field) == [code]
            if code == 1:
                h[field][1] = None
        elif op == 6:
            at = base + rnd.randrange(1000)
            keep = rnd.random() < 0.5
            args = ["HSETEX", key] + (["KEEPTTL"] if keep else ["PXAT", str(at)]) + \
                ["FIELDS", "1", field, "s"]
            assert c(*args) == 1
            old = h.get(field)
            h[field] = [b"s", (old[1] if old else None) if keep else at]
        else:
            want = [h[field][0]] if field in h else [None]
            assert c("HGETDEL", key, "FIELDS", "1", field) == want
            h.pop(field, None)
        if step % 20 == 0:
            for k, hm in model.items():
                assert pairs(c("HGETALL", k)) == {f: e[0] for f, e in hm.items()}
                fields = list(hm) + [b"absent"]
                want = [hm[f][1] if hm[f][1] is not None else -1 for f in hm] + [-2]
                assert c("HPEXPIRETIME", k, "FIELDS", str(len(fields)), *fields) == want
