"""Generic keyspace commands: DEL, EXISTS, TTLs, RENAME, KEYS, SCAN, databases, OBJECT."""
import time

import pytest

from util import NOT_INT, SYNTAX, WRONGTYPE, Err, Raw, arity, bad_expire, make_list

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -2 ** 63
NO_SUCH_KEY = Err("ERR no such key")
DB_RANGE = Err("ERR DB index is out of range")
SAME_OBJECT = Err("ERR source and destination objects are the same")
NX_XX_GT_LT = Err("ERR NX and XX, GT or LT options at the same time are not compatible")
GT_LT = Err("ERR GT and LT options at the same time are not compatible")


# ---------------------------------------------------------------- DEL / UNLINK / EXISTS / TYPE

def test_del(c):
    c("MSET", "a", "1", "b", "2", "c", "3")
    assert c("DEL", "a") == 1
    assert c("DEL", "a") == 0
    assert c("DEL", "b", "c", "missing") == 2
    assert c("DBSIZE") == 0


def test_del_duplicate_keys_count_once(c):
    c("SET", "a", "1")
    assert c("DEL", "a", "a", "a") == 1


def test_unlink(c, r):
    c("MSET", "a", "1", "b", "2")
    assert c("UNLINK", "a", "b", "missing", "a") == 2
    assert c("EXISTS", "a", "b") == 0
    big = b"x" * (1 << 20)
    c("SET", "big", big)
    assert c("UNLINK", "big") == 1
    assert c("GET", "big") is None


def test_del_other_types(c, r):
    make_list(r, "l", "a", "b", "c")
    assert c("DEL", "l") == 1
    assert c("EXISTS", "l") == 0


def test_exists_counts_duplicates(c):
    c("MSET", "a", "1", "b", "2")
    assert c("EXISTS", "a") == 1
    assert c("EXISTS", "missing") == 0
    assert c("EXISTS", "a", "a", "a") == 3
    assert c("EXISTS", "a", "b", "missing", "b") == 3


def test_type(c, r):
    c("SET", "s", "v")
    c("SET", "n", "12")
    assert c("TYPE", "s") == "string"
    assert c("TYPE", "n") == "string"
    assert c("TYPE", "missing") == "none"
    make_list(r, "l")
    assert c("TYPE", "l") == "list"


@pytest.mark.parametrize("cmd,args", [
    ("DEL", ()), ("UNLINK", ()), ("EXISTS", ()), ("TYPE", ()), ("TYPE", ("a", "b")),
    ("EXPIRE", ("k",)), ("PEXPIRE", ("k",)), ("EXPIREAT", ("k",)), ("PEXPIREAT", ("k",)),
    ("TTL", ()), ("PTTL", ("a", "b")), ("EXPIRETIME", ()), ("PEXPIRETIME", ()),
    ("PERSIST", ()), ("RENAME", ("a",)), ("RENAMENX", ("a", "b", "c")), ("KEYS", ()),
    ("SCAN", ()), ("RANDOMKEY", ("x",)), ("DBSIZE", ("x",)), ("SELECT", ()),
    ("SWAPDB", ("0",)), ("MOVE", ("k",)), ("COPY", ("a",)), ("TOUCH", ()), ("OBJECT", ()),
])
def test_wrong_number_of_arguments(c, cmd, args):
    assert c(cmd, *args) == arity(cmd.lower())


@pytest.mark.parametrize("args,name", [
    (("ENCODING",), "object|encoding"),
    (("ENCODING", "a", "b"), "object|encoding"),
    (("FREQ",), "object|freq"),
    (("IDLETIME",), "object|idletime"),
    (("REFCOUNT",), "object|refcount"),
    (("HELP", "x"), "object|help"),
])
def test_object_subcommand_arity(c, args, name):
    assert c("OBJECT", *args) == arity(name)


def test_object_unknown_subcommand(c):
    assert c("OBJECT", "FOO", "k") == Err("ERR unknown subcommand 'FOO'. Try OBJECT HELP.")
    assert c("OBJECT", "foo") == Err("ERR unknown subcommand 'foo'. Try OBJECT HELP.")


# ---------------------------------------------------------------- EXPIRE family

def test_expire_and_ttl(c):
    c("SET", "k", "v")
    assert c("TTL", "k") == -1
    assert c("PTTL", "k") == -1
    assert c("EXPIRE", "k", 100) == 1
    assert 99 <= c("TTL", "k") <= 100
    assert 99000 <= c("PTTL", "k") <= 100000
    assert c("TTL", "missing") == -2
    assert c("PTTL", "missing") == -2


def test_pexpire(c):
    c("SET", "k", "v")
    assert c("PEXPIRE", "k", 100000) == 1
    assert 99000 <= c("PTTL", "k") <= 100000
    assert c("TTL", "k") in (99, 100)


def test_expireat_pexpireat(c):
    c("SET", "k", "v")
    at = int(time.time()) + 1000
    assert c("EXPIREAT", "k", at) == 1
    assert c("EXPIRETIME", "k") == at
    assert c("PEXPIRETIME", "k") == at * 1000
    assert 998 <= c("TTL", "k") <= 1000
    pat = int(time.time() * 1000) + 500000
    assert c("PEXPIREAT", "k", pat) == 1
    assert c("PEXPIRETIME", "k") == pat
    assert c("EXPIRETIME", "k") == (pat + 500) // 1000


def test_expiretime_missing_and_persistent(c):
    c("SET", "k", "v")
    assert c("EXPIRETIME", "k") == -1
    assert c("PEXPIRETIME", "k") == -1
    assert c("EXPIRETIME", "missing") == -2
    assert c("PEXPIRETIME", "missing") == -2


def test_expire_missing_key(c):
    assert c("EXPIRE", "missing", 100) == 0
    assert c("PEXPIRE", "missing", 100) == 0
    assert c("EXPIREAT", "missing", int(time.time()) + 100) == 0
    assert c("PEXPIREAT", "missing", 1) == 0
    assert c("EXISTS", "missing") == 0


@pytest.mark.parametrize("cmd,value", [
    ("EXPIRE", 0), ("EXPIRE", -1), ("PEXPIRE", 0), ("PEXPIRE", -5000),
    ("EXPIREAT", 1), ("EXPIREAT", 0), ("PEXPIREAT", 1), ("PEXPIREAT", -1),
    ("EXPIRE", -9223372036854775), ("PEXPIRE", LLONG_MIN),
])
def test_expire_in_past_deletes_key(c, cmd, value):
    c("SET", "k", "v")
    assert c(cmd, "k", value) == 1
    assert c("EXISTS", "k") == 0
    assert c("GET", "k") is None
    assert c("TTL", "k") == -2


def test_expire_with_nx(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", 100, "NX") == 1
    assert c("EXPIRE", "k", 200, "NX") == 0
    assert c("TTL", "k") <= 100
    assert c("EXPIRE", "missing", 100, "nx") == 0


def test_expire_with_xx(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", 100, "XX") == 0
    assert c("TTL", "k") == -1
    c("EXPIRE", "k", 100)
    assert c("EXPIRE", "k", 200, "XX") == 1
    assert 199 <= c("TTL", "k") <= 200


def test_expire_with_gt(c):
    c("SET", "k", "v")
    # a key without TTL counts as an infinite TTL
    assert c("EXPIRE", "k", 100, "GT") == 0
    assert c("TTL", "k") == -1
    c("EXPIRE", "k", 100)
    assert c("EXPIRE", "k", 50, "GT") == 0
    assert c("EXPIRE", "k", 200, "GT") == 1
    assert 199 <= c("TTL", "k") <= 200


def test_expire_with_lt(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", 100, "LT") == 1
    assert 99 <= c("TTL", "k") <= 100
    assert c("EXPIRE", "k", 200, "LT") == 0
    assert c("EXPIRE", "k", 50, "LT") == 1
    assert 49 <= c("TTL", "k") <= 50


def test_expire_xx_with_gt_and_lt(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", 100, "XX", "LT") == 0
    c("EXPIRE", "k", 100)
    assert c("EXPIRE", "k", 200, "XX", "GT") == 1
    assert c("EXPIRE", "k", 50, "XX", "GT") == 0
    assert c("EXPIRE", "k", 50, "XX", "LT") == 1


def test_pexpire_options(c):
    c("SET", "k", "v")
    assert c("PEXPIRE", "k", 100000, "NX") == 1
    assert c("PEXPIRE", "k", 200000, "LT") == 0
    assert c("PEXPIRE", "k", 200000, "GT") == 1
    assert c("PEXPIREAT", "k", int(time.time() * 1000) + 300000, "XX") == 1
    assert c("EXPIREAT", "k", int(time.time()) + 10, "GT") == 0


def test_expire_gt_lt_with_past_time_deletes(c):
    c("SET", "k", "v", "EX", 100)
    assert c("EXPIRE", "k", -1, "LT") == 1
    assert c("EXISTS", "k") == 0
    c("SET", "k", "v", "EX", 100)
    assert c("EXPIRE", "k", -1, "GT") == 0
    assert c("EXISTS", "k") == 1


@pytest.mark.parametrize("opts,err", [
    (("NX", "XX"), NX_XX_GT_LT), (("XX", "NX"), NX_XX_GT_LT), (("NX", "GT"), NX_XX_GT_LT),
    (("LT", "NX"), NX_XX_GT_LT), (("GT", "LT"), GT_LT), (("LT", "GT"), GT_LT),
    (("XX", "GT", "LT"), GT_LT), (("NX", "GT", "LT"), NX_XX_GT_LT),
])
def test_expire_incompatible_options(c, opts, err):
    c("SET", "k", "v")
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert c(cmd, "k", 10 ** 10, *opts) == err
    assert c("TTL", "k") == -1


def test_expire_unsupported_option(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", 100, "FOO") == Err("ERR Unsupported option FOO")
    assert c("EXPIRE", "k", 100, "nx", "bar") == Err("ERR Unsupported option bar")
    assert c("TTL", "k") == -1


@pytest.mark.parametrize("cmd,value", [
    ("EXPIRE", LLONG_MAX), ("EXPIRE", LLONG_MAX // 1000 + 1), ("EXPIRE", 9223372036854774),
    ("EXPIRE", LLONG_MIN), ("EXPIRE", LLONG_MIN // 1000 - 1),
    ("PEXPIRE", LLONG_MAX), ("PEXPIRE", LLONG_MAX - 1000),
    ("EXPIREAT", LLONG_MAX), ("EXPIREAT", LLONG_MAX // 1000 + 1),
])
def test_expire_overflow_errors(c, cmd, value):
    c("SET", "k", "v")
    assert c(cmd, "k", value) == bad_expire(cmd.lower())
    assert c("TTL", "k") == -1


def test_expire_far_future_accepted(c):
    c("SET", "k", "v")
    assert c("PEXPIREAT", "k", LLONG_MAX) == 1
    assert c("PEXPIRETIME", "k") == LLONG_MAX
    assert c("EXPIREAT", "k", 92233720368547) == 1
    assert c("EXPIRETIME", "k") == 92233720368547


@pytest.mark.parametrize("value", ["abc", "1.5", "", "10s", "99999999999999999999"])
def test_expire_not_integer(c, value):
    c("SET", "k", "v")
    for cmd in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert c(cmd, "k", value) == NOT_INT


def test_persist(c):
    c("SET", "k", "v", "EX", 100)
    assert c("PERSIST", "k") == 1
    assert c("TTL", "k") == -1
    assert c("PERSIST", "k") == 0
    assert c("PERSIST", "missing") == 0
    assert c("GET", "k") == b"v"


def test_ttl_rounds(c):
    c("SET", "k", "v", "PX", 1500)
    assert c("TTL", "k") in (1, 2)
    c("SET", "k", "v", "PX", 100)
    assert c("TTL", "k") in (0, 1)


# ---------------------------------------------------------------- RENAME / RENAMENX

def test_rename(c):
    c("SET", "a", "1")
    assert c("RENAME", "a", "b") == "OK"
    assert c("GET", "a") is None
    assert c("GET", "b") == b"1"


def test_rename_overwrites_and_carries_ttl(c):
    c("SET", "a", "1", "EX", 100)
    c("SET", "b", "2")
    assert c("RENAME", "a", "b") == "OK"
    assert c("GET", "b") == b"1"
    assert 99 <= c("TTL", "b") <= 100
    c("SET", "x", "3")
    c("SET", "y", "4", "EX", 100)
    assert c("RENAME", "x", "y") == "OK"
    assert c("TTL", "y") == -1


def test_rename_missing_key(c):
    assert c("RENAME", "missing", "b") == NO_SUCH_KEY
    assert c("RENAMENX", "missing", "b") == NO_SUCH_KEY
    assert c("RENAME", "missing", "missing") == NO_SUCH_KEY


def test_rename_same_key(c):
    c("SET", "a", "1", "EX", 100)
    assert c("RENAME", "a", "a") == "OK"
    assert c("GET", "a") == b"1"
    assert c("TTL", "a") > 0
    assert c("RENAMENX", "a", "a") == 0


def test_renamenx(c):
    c("SET", "a", "1")
    c("SET", "b", "2")
    assert c("RENAMENX", "a", "b") == 0
    assert c("MGET", "a", "b") == [b"1", b"2"]
    assert c("RENAMENX", "a", "c") == 1
    assert c("MGET", "a", "c") == [None, b"1"]


def test_rename_other_types(c, r):
    make_list(r, "l", "x", "y")
    assert c("RENAME", "l", "m") == "OK"
    assert c("TYPE", "m") == "list"
    c("SET", "s", "v")
    assert c("RENAME", "s", "m") == "OK"
    assert c("TYPE", "m") == "string"


# ---------------------------------------------------------------- KEYS

@pytest.fixture
def pattern_keys(c):
    keys = ["a", "b", "ab", "a*", "h?llo", "hello", "hallo", "hxllo", "a[b", "foo:1", "foo:22"]
    args = []
    for k in keys:
        args += [k, "v"]
    c("MSET", *args)
    return keys


def keys(c, pattern):
    return sorted(k.decode() for k in c("KEYS", pattern))


@pytest.mark.parametrize("pattern,expected", [
    ("*", None),
    ("h?llo", ["h?llo", "hallo", "hello", "hxllo"]),
    ("h[ae]llo", ["hallo", "hello"]),
    ("h[^e]llo", ["h?llo", "hallo", "hxllo"]),
    ("h[a-f]llo", ["hallo", "hello"]),
    ("h[e-a]llo", ["hallo", "hello"]),
    ("h[!e]llo", ["hello"]),
    ("a\\*", ["a*"]),
    ("h\\?llo", ["h?llo"]),
    ("a[\\[]b", ["a[b"]),
    ("a*", ["a", "a*", "a[b", "ab"]),
    ("foo:?", ["foo:1"]),
    ("foo:*", ["foo:1", "foo:22"]),
    ("*o*", ["foo:1", "foo:22", "h?llo", "hallo", "hello", "hxllo"]),
    ("nomatch*", []),
    ("", []),
    ("a", ["a"]),
    ("a[", []),
])
def test_keys_patterns(c, pattern_keys, pattern, expected):
    if expected is None:
        expected = sorted(pattern_keys)
    assert keys(c, pattern) == expected


def test_keys_empty_db(c):
    assert c("KEYS", "*") == []


def test_keys_skips_expired(c):
    c("SET", "live", "1")
    c("SET", "dying", "1", "PX", 1)
    time.sleep(0.05)
    assert c("KEYS", "*") == [b"live"]


# ---------------------------------------------------------------- SCAN

def scan_all(c, *args):
    cursor = b"0"
    seen = []
    rounds = 0
    while True:
        reply = c("SCAN", cursor, *args)
        assert isinstance(reply, list) and len(reply) == 2
        cursor, batch = reply
        assert isinstance(cursor, bytes)
        seen += batch
        rounds += 1
        assert rounds < 100000
        if cursor == b"0":
            return seen


def test_scan_full_iteration(c):
    for i in range(0, 1000, 100):
        args = []
        for j in range(i, i + 100):
            args += ["key:%d" % j, j]
        c("MSET", *args)
    seen = scan_all(c)
    assert set(seen) == {b"key:%d" % i for i in range(1000)}
    seen = scan_all(c, "COUNT", 3)
    assert set(seen) == {b"key:%d" % i for i in range(1000)}


def test_scan_empty_db(c):
    assert c("SCAN", 0) == [b"0", []]


def test_scan_count_large_returns_all_at_once(c):
    c("MSET", "a", "1", "b", "2", "c", "3")
    cursor, batch = c("SCAN", 0, "COUNT", 1000)
    assert cursor == b"0"
    assert sorted(batch) == [b"a", b"b", b"c"]


def test_scan_match(c):
    args = []
    for i in range(200):
        args += ["user:%d" % i, i, "item:%d" % i, i]
    c("MSET", *args)
    seen = scan_all(c, "MATCH", "user:1*", "COUNT", 50)
    assert set(seen) == {b"user:%d" % i for i in range(200) if str(i).startswith("1")}
    seen = scan_all(c, "COUNT", 50, "match", "item:?")
    assert set(seen) == {b"item:%d" % i for i in range(10)}


def test_scan_type(c, r):
    c("MSET", "s1", "1", "s2", "2")
    make_list(r, "l1")
    make_list(r, "l2")
    assert sorted(set(scan_all(c, "TYPE", "string"))) == [b"s1", b"s2"]
    assert sorted(set(scan_all(c, "TYPE", "list"))) == [b"l1", b"l2"]
    assert sorted(set(scan_all(c, "TYPE", "LIST"))) == [b"l1", b"l2"]
    assert scan_all(c, "TYPE", "hash") == []
    assert scan_all(c, "TYPE", "nosuchtype") == []
    assert sorted(set(scan_all(c, "MATCH", "*1", "TYPE", "string", "COUNT", 10))) == [b"s1"]


def test_scan_string_type_only(c):
    c("MSET", "s1", "1", "s2", "2")
    assert sorted(set(scan_all(c, "TYPE", "string"))) == [b"s1", b"s2"]
    assert sorted(set(scan_all(c, "type", "String"))) == [b"s1", b"s2"]


@pytest.mark.parametrize("cursor", ["abc", " 0", "0 ", "1.5", "18446744073709551616", "0x10"])
def test_scan_invalid_cursor(c, cursor):
    assert c("SCAN", cursor) == Err("ERR invalid cursor")


@pytest.mark.parametrize("cursor", ["", "+0", "00"])
def test_scan_cursor_parsed_like_strtoul(c, cursor):
    c("SET", "a", "1")
    assert c("SCAN", cursor) == [b"0", [b"a"]]


def test_scan_max_cursor_accepted(c):
    reply = c("SCAN", "18446744073709551615")
    assert isinstance(reply, list) and isinstance(reply[0], bytes)


@pytest.mark.parametrize("args,err", [
    (("COUNT", 0), SYNTAX), (("COUNT", -1), SYNTAX), (("COUNT", "x"), NOT_INT),
    (("COUNT",), SYNTAX), (("MATCH",), SYNTAX), (("TYPE",), SYNTAX), (("FOO", "bar"), SYNTAX),
    (("FOO",), SYNTAX),
])
def test_scan_option_errors(c, args, err):
    c("SET", "a", "1")
    assert c("SCAN", 0, *args) == err


def test_scan_skips_expired(c):
    c("SET", "live", "1")
    c("SET", "dying", "1", "PX", 1)
    time.sleep(0.05)
    assert scan_all(c) == [b"live"]


def test_redis_py_scan_iter(r):
    r.mset({"k%d" % i: i for i in range(300)})
    assert sorted(set(r.scan_iter(match="k1*", count=20))) == sorted(
        b"k%d" % i for i in range(300) if str(i).startswith("1"))


# ---------------------------------------------------------------- RANDOMKEY / DBSIZE / FLUSH

def test_randomkey(c):
    assert c("RANDOMKEY") is None
    c("SET", "only", "1")
    assert c("RANDOMKEY") == b"only"
    c("MSET", "a", "1", "b", "2")
    for _ in range(20):
        assert c("RANDOMKEY") in (b"only", b"a", b"b")


def test_dbsize(c):
    assert c("DBSIZE") == 0
    c("MSET", "a", "1", "b", "2")
    assert c("DBSIZE") == 2
    c("SELECT", 1)
    assert c("DBSIZE") == 0
    c("SELECT", 0)


def test_flushdb(c):
    c("MSET", "a", "1", "b", "2")
    c("SELECT", 1)
    c("SET", "x", "1")
    assert c("FLUSHDB") == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", 0)
    assert c("DBSIZE") == 2
    assert c("FLUSHDB", "SYNC") == "OK"
    assert c("DBSIZE") == 0
    c("SET", "a", "1")
    assert c("FLUSHDB", "async") == "OK"
    assert c("DBSIZE") == 0
    assert c("FLUSHDB", "FOO") == SYNTAX
    assert c("FLUSHDB", "SYNC", "ASYNC") == SYNTAX


def test_flushall(c):
    c("SET", "a", "1")
    c("SELECT", 3)
    c("SET", "b", "1")
    assert c("FLUSHALL") == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", 0)
    assert c("DBSIZE") == 0
    c("SET", "a", "1")
    assert c("FLUSHALL", "ASYNC") == "OK"
    assert c("DBSIZE") == 0
    c("SET", "a", "1")
    assert c("FLUSHALL", "sync") == "OK"
    assert c("DBSIZE") == 0
    assert c("FLUSHALL", "FOO") == SYNTAX


# ---------------------------------------------------------------- SELECT / SWAPDB / MOVE / COPY

def test_select(c):
    c("SET", "k", "db0")
    assert c("SELECT", 1) == "OK"
    assert c("GET", "k") is None
    c("SET", "k", "db1")
    assert c("SELECT", 15) == "OK"
    assert c("SELECT", 0) == "OK"
    assert c("GET", "k") == b"db0"
    c("SELECT", 1)
    assert c("GET", "k") == b"db1"
    c("FLUSHDB")
    c("SELECT", 0)


@pytest.mark.parametrize("index,err", [
    (16, DB_RANGE), (-1, DB_RANGE), (1000000, DB_RANGE), ("abc", NOT_INT), ("1.5", NOT_INT),
    ("99999999999",
     Err("ERR value is out of range, value must between -2147483648 and 2147483647")),
])
def test_select_errors(c, index, err):
    assert c("SELECT", index) == err


def test_swapdb(c):
    c("SET", "a", "in0")
    c("SELECT", 1)
    c("SET", "b", "in1", "EX", 100)
    assert c("SWAPDB", 0, 1) == "OK"
    # this connection is still on db 1, which now holds the former db 0
    assert c("GET", "a") == b"in0"
    assert c("GET", "b") is None
    c("SELECT", 0)
    assert c("GET", "b") == b"in1"
    assert c("TTL", "b") > 0
    assert c("SWAPDB", 0, 0) == "OK"
    assert c("GET", "b") == b"in1"
    c("SELECT", 1)
    c("FLUSHDB")
    c("SELECT", 0)


@pytest.mark.parametrize("a,b,err", [
    (0, 16, DB_RANGE), (16, 0, DB_RANGE), (0, -1, DB_RANGE),
    ("x", 1, Err("ERR invalid first DB index")),
    (0, "y", Err("ERR invalid second DB index")), ("1.5", 0, Err("ERR invalid first DB index")),
])
def test_swapdb_errors(c, a, b, err):
    assert c("SWAPDB", a, b) == err


def test_move(c):
    c("SET", "k", "v", "EX", 100)
    assert c("MOVE", "k", 1) == 1
    assert c("EXISTS", "k") == 0
    c("SELECT", 1)
    assert c("GET", "k") == b"v"
    assert c("TTL", "k") > 0
    c("SELECT", 0)
    assert c("MOVE", "missing", 1) == 0
    c("SET", "k", "other")
    assert c("MOVE", "k", 1) == 0
    assert c("GET", "k") == b"other"
    c("SELECT", 1)
    assert c("GET", "k") == b"v"
    c("FLUSHDB")
    c("SELECT", 0)


@pytest.mark.parametrize("db,err", [
    (0, SAME_OBJECT), (16, DB_RANGE), (-1, DB_RANGE), ("x", NOT_INT),
])
def test_move_errors(c, db, err):
    c("SET", "k", "v")
    assert c("MOVE", "k", db) == err
    assert c("GET", "k") == b"v"


def test_copy(c):
    c("SET", "src", "v", "EX", 100)
    assert c("COPY", "src", "dst") == 1
    assert c("GET", "dst") == b"v"
    assert 99 <= c("TTL", "dst") <= 100
    assert c("GET", "src") == b"v"
    c("SET", "src", "new")
    assert c("GET", "dst") == b"v"


def test_copy_existing_destination(c):
    c("MSET", "src", "1", "dst", "2")
    assert c("COPY", "src", "dst") == 0
    assert c("GET", "dst") == b"2"
    assert c("COPY", "src", "dst", "REPLACE") == 1
    assert c("GET", "dst") == b"1"
    assert c("COPY", "missing", "dst", "REPLACE") == 0
    assert c("GET", "dst") == b"1"


def test_copy_db(c):
    c("SET", "src", "v")
    assert c("COPY", "src", "dst", "DB", 2) == 1
    assert c("COPY", "src", "src", "DB", 3) == 1
    assert c("COPY", "src", "dst", "DB", 2) == 0
    assert c("COPY", "src", "dst", "db", 2, "replace") == 1
    c("SELECT", 2)
    assert c("GET", "dst") == b"v"
    c("FLUSHDB")
    c("SELECT", 3)
    assert c("GET", "src") == b"v"
    c("FLUSHDB")
    c("SELECT", 0)


def test_copy_other_type(c, r):
    make_list(r, "l", "a", "b")
    assert c("COPY", "l", "m") == 1
    assert c("TYPE", "m") == "list"
    r.rpush("l", "c")
    assert r.lrange("m", 0, -1) == [b"a", b"b"]


@pytest.mark.parametrize("args,err", [
    (("src", "src"), SAME_OBJECT), (("src", "src", "DB", 0), SAME_OBJECT),
    (("src", "dst", "DB", 16), DB_RANGE), (("src", "dst", "DB", -1), DB_RANGE),
    (("src", "dst", "DB", "x"), NOT_INT), (("src", "dst", "DB"), SYNTAX),
    (("src", "dst", "FOO"), SYNTAX),
])
def test_copy_errors(c, args, err):
    c("SET", "src", "v")
    assert c("COPY", *args) == err


def test_touch(c):
    c("MSET", "a", "1", "b", "2")
    assert c("TOUCH", "a", "b", "missing") == 2
    assert c("TOUCH", "a", "a") == 2
    assert c("TOUCH", "missing") == 0


# ---------------------------------------------------------------- OBJECT

def test_object_encoding_by_type(c, r):
    c("SET", "n", "42")
    c("SET", "s", "hi")
    c("SET", "big", "x" * 100)
    assert c("OBJECT", "ENCODING", "n") == b"int"
    assert c("OBJECT", "encoding", "s") == b"embstr"
    assert c("OBJECT", "ENCODING", "big") == b"raw"
    assert c("OBJECT", "ENCODING", "missing") is None
    make_list(r, "l")
    assert c("OBJECT", "ENCODING", "l") == b"quicklist"  # 7.0; 7.2 says listpack


def test_object_refcount(c):
    c("SET", "shared", "100")
    c("SET", "plain", "hello")
    c("SET", "bigint", "123456789")
    # integers below 10000 are shared objects, reported with INT_MAX references
    assert c("OBJECT", "REFCOUNT", "shared") == 2147483647
    assert c("OBJECT", "REFCOUNT", "plain") == 1
    assert c("OBJECT", "REFCOUNT", "bigint") == 1
    assert c("OBJECT", "REFCOUNT", "missing") is None


def test_object_idletime(c):
    c("SET", "k", "v")
    assert c("OBJECT", "IDLETIME", "k") in (0, 1)
    assert c("OBJECT", "IDLETIME", "missing") is None


def test_object_freq_needs_lfu_policy(c):
    c("SET", "k", "v")
    assert c("OBJECT", "FREQ", "k") == Err(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
        "Please note that when switching between policies at runtime LRU and LFU data "
        "will take some time to adjust.")
    assert c("OBJECT", "FREQ", "missing") is None


def test_object_freq_and_idletime_under_lfu(start_server):
    srv = start_server("--maxmemory-policy", "allkeys-lfu")
    c = Raw(srv)
    try:
        c("SET", "k", "v")
        assert c("OBJECT", "FREQ", "k") == 5
        for _ in range(10):
            c("GET", "k")
        assert c("OBJECT", "FREQ", "k") > 5
        assert c("OBJECT", "IDLETIME", "k") == Err(
            "ERR An LFU maxmemory policy is selected, idle time not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU data "
            "will take some time to adjust.")
    finally:
        c.close()


OBJECT_HELP = [
    b"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    b"ENCODING <key>",
    b"    Return the kind of internal representation used in order to store the value",
    b"    associated with a <key>.",
    b"FREQ <key>",
    b"    Return the access frequency index of the <key>. The returned integer is",
    b"    proportional to the logarithm of the recent access frequency of the key.",
    b"IDLETIME <key>",
    b"    Return the idle time of the <key>, that is the approximated number of",
    b"    seconds elapsed since the last access to the key.",
    b"REFCOUNT <key>",
    b"    Return the number of references of the value associated with the specified",
    b"    <key>.",
    b"HELP",
    b"    Prints this help.",
]


def test_object_help(c):
    # help lines are status replies
    assert c("OBJECT", "HELP") == [line.decode() for line in OBJECT_HELP]
    assert c("OBJECT", "help") == [line.decode() for line in OBJECT_HELP]


def test_wrongtype_unaffected_generic_commands(c, r):
    make_list(r, "l")
    assert c("EXPIRE", "l", 100) == 1
    assert c("TTL", "l") > 0
    assert c("GET", "l") == WRONGTYPE


# ---------------------------------------------------------------- more edge cases (verified
# against redis-server 7.0.15)

def test_empty_key_matches_lone_star(c):
    # glob "*" does not match the empty string, but KEYS/SCAN treat a lone "*" as "all"
    c("SET", "", "v")
    c("SET", "a", "v")
    assert sorted(c("KEYS", "*")) == [b"", b"a"]
    assert sorted(scan_all(c, "MATCH", "*")) == [b"", b"a"]
    assert c("KEYS", "") == [b""]
    assert c("KEYS", "?") == [b"a"]
    assert scan_all(c, "MATCH", "**") == [b"a"]


def test_scan_cursor_checked_before_options(c):
    assert c("SCAN", "abc", "COUNT", 0) == Err("ERR invalid cursor")
    assert c("SCAN", "0", "COUNT", "x", "FOO") == NOT_INT
    assert c("SCAN", "0", "FOO", "COUNT", "x") == SYNTAX


@pytest.mark.parametrize("cursor", ["-1", "-0", "+5"])
def test_scan_cursor_signs_like_strtoul(c, cursor):
    reply = c("SCAN", cursor)
    assert isinstance(reply, list) and isinstance(reply[0], bytes)


@pytest.mark.parametrize("cursor", ["+", "-", "1 ", "\t1", "1a"])
def test_scan_cursor_more_invalid(c, cursor):
    assert c("SCAN", cursor) == Err("ERR invalid cursor")


def test_scan_count_bounds_work_per_call(c):
    for i in range(0, 5000, 500):
        args = []
        for j in range(i, i + 500):
            args += ["k%d" % j, "v"]
        c("MSET", *args)
    cursor, batch = c("SCAN", 0, "COUNT", 10)
    assert cursor != b"0"
    assert 1 <= len(batch) < 100
    cursor, batch = c("SCAN", 0, "COUNT", 10, "MATCH", "nomatch*")
    assert cursor != b"0" and batch == []


def test_scan_repeated_options_last_wins(c):
    c("MSET", "a1", "1", "b1", "1")
    assert scan_all(c, "MATCH", "a*", "MATCH", "b*") == [b"b1"]
    assert scan_all(c, "TYPE", "list", "TYPE", "string", "MATCH", "a*") == [b"a1"]


def test_keys_reply_shape_resp2(server, r):
    r.set("k", "v")
    s = server.connect()
    try:
        s.sendall(b"KEYS *\r\nKEYS nomatch\r\nRANDOMKEY\r\n")
        want = b"*1\r\n$1\r\nk\r\n*0\r\n$1\r\nk\r\n"
        got = b""
        while len(got) < len(want):
            got += s.recv(4096)
        assert got == want
    finally:
        s.close()


def test_resp3_null_and_shapes(server, r):
    s = server.connect()
    try:
        s.sendall(b"HELLO 3\r\n")
        buf = b""
        while b"modules" not in buf:
            buf += s.recv(4096)
        buf = buf.split(b"modules\r\n", 1)[1]
        while not buf.endswith(b"*0\r\n"):
            buf += s.recv(4096)
        s.sendall(b"RANDOMKEY\r\nOBJECT ENCODING nokey\r\nOBJECT FREQ nokey\r\n"
                  b"OBJECT IDLETIME nokey\r\nOBJECT REFCOUNT nokey\r\nTYPE nokey\r\n"
                  b"KEYS *\r\nSCAN 0\r\n")
        want = b"_\r\n_\r\n_\r\n_\r\n_\r\n+none\r\n*0\r\n*2\r\n$1\r\n0\r\n*0\r\n"
        got = b""
        while len(got) < len(want):
            got += s.recv(4096)
        assert got == want
    finally:
        s.close()


def test_expire_option_checked_before_time(c):
    c("SET", "k", "v")
    assert c("EXPIRE", "k", "abc", "foo") == Err("ERR Unsupported option foo")
    assert c("EXPIRE", "k", "abc", "nx", "xx") == NX_XX_GT_LT
    assert c("PEXPIREAT", "k", 1, "LT", "x") == Err("ERR Unsupported option x")
    assert c("EXPIRE", "missing", LLONG_MAX) == bad_expire("expire")
    assert c("EXISTS", "k") == 1


def test_expire_options_on_missing_key(c):
    for opts in ((), ("NX",), ("XX",), ("GT",), ("LT",)):
        assert c("EXPIRE", "missing", -1, *opts) == 0


def test_expiretime_far_future_rounds_without_overflow(c):
    c("SET", "k", "v")
    assert c("PEXPIREAT", "k", LLONG_MAX) == 1
    assert c("EXPIRETIME", "k") == 9223372036854776
    assert c("PEXPIREAT", "k", LLONG_MAX - 500) == 1
    assert c("EXPIRETIME", "k") == 9223372036854775


def test_expired_key_is_gone_for_keyspace_commands(c):
    for cmd, expected in [
        (("DEL", "k"), 0), (("UNLINK", "k"), 0), (("TOUCH", "k"), 0), (("PERSIST", "k"), 0),
        (("EXPIRE", "k", 100), 0), (("MOVE", "k", 1), 0), (("RENAMENX", "k", "z"), NO_SUCH_KEY),
        (("PEXPIRETIME", "k"), -2), (("OBJECT", "REFCOUNT", "k"), None),
    ]:
        c("SET", "k", "5", "PX", 5)
        time.sleep(0.02)
        assert c(*cmd) == expected, cmd
    c("SET", "dst", "v", "PX", 5)
    c("SET", "src", "v")
    time.sleep(0.02)
    assert c("RENAMENX", "src", "dst") == 1
    c("SET", "src2", "w")
    c("SET", "dst", "v", "PX", 5)
    time.sleep(0.02)
    assert c("COPY", "src2", "dst") == 1
    assert c("GET", "dst") == b"w"


def test_rename_persistent_onto_volatile_and_back(c):
    c("SET", "a", "1", "PX", 100000)
    assert c("RENAMENX", "a", "b") == 1
    assert 0 < c("PTTL", "b") <= 100000
    c("SET", "c", "x")
    assert c("RENAME", "c", "b") == "OK"
    assert c("TTL", "b") == -1


def test_move_and_copy_db_argument_range(c):
    c("SET", "k", "v")
    oor = Err("ERR value is out of range, value must between -2147483648 and 2147483647")
    assert c("MOVE", "k", "99999999999") == oor
    assert c("COPY", "k", "z", "DB", "99999999999") == oor
    assert c("COPY", "k", "z", "DB", "1.5") == NOT_INT
    assert c("COPY", "k", "z", "REPLACE", "DB") == SYNTAX


def test_move_onto_expired_key_in_target(c):
    c("SELECT", 1)
    c("SET", "k", "old", "PX", 5)
    c("SELECT", 0)
    c("SET", "k", "new")
    time.sleep(0.02)
    assert c("MOVE", "k", 1) == 1
    c("SELECT", 1)
    assert c("GET", "k") == b"new"
    assert c("TTL", "k") == -1
    c("FLUSHDB")
    c("SELECT", 0)


def test_copy_options_any_order_and_ttl(c):
    c("SET", "src", "v", "EX", 100)
    c("SELECT", 4)
    c("SET", "dst", "old")
    c("SELECT", 0)
    assert c("COPY", "src", "dst", "REPLACE", "DB", 4) == 1
    c("SELECT", 4)
    assert c("GET", "dst") == b"v"
    assert 99 <= c("TTL", "dst") <= 100
    c("FLUSHDB")
    c("SELECT", 0)
    assert c("COPY", "src", "src", "DB", 0, "REPLACE") == SAME_OBJECT


@pytest.mark.parametrize("a,b,err", [
    ("99999999999", 0, Err("ERR invalid first DB index")),
    (0, "-99999999999", Err("ERR invalid second DB index")),
    ("x", "y", Err("ERR invalid first DB index")),
    (16, "y", Err("ERR invalid second DB index")),
])
def test_swapdb_index_errors_order(c, a, b, err):
    assert c("SWAPDB", a, b) == err


def test_flushall_empties_every_db_and_keeps_selection(c):
    for db in (0, 7, 15):
        c("SELECT", db)
        c("SET", "k", db)
    assert c("FLUSHALL", "SYNC") == "OK"
    assert c("GET", "k") is None  # still on db 15
    for db in (0, 7, 15):
        c("SELECT", db)
        assert c("DBSIZE") == 0
    c("SELECT", 0)
    assert c("FLUSHALL", "async", "x") == SYNTAX


def test_swapdb_moves_ttls_and_counts(c):
    c("SET", "v", "1", "EX", 100)
    c("SET", "p", "1")
    assert c("SWAPDB", 0, 6) == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", 6)
    assert c("DBSIZE") == 2
    assert c("TTL", "v") > 0
    assert c("SWAPDB", 6, 0) == "OK"
    assert c("DBSIZE") == 0
    c("SELECT", 0)
    assert c("DBSIZE") == 2


@pytest.mark.parametrize("value,enc,refs", [
    ("0", b"int", 2147483647), ("9999", b"int", 2147483647), ("10000", b"int", 1),
    ("-1", b"int", 1), ("007", b"embstr", 1), ("x" * 44, b"embstr", 1),
    ("x" * 45, b"raw", 1), ("12345678901234567890", b"embstr", 1),
    ("-9223372036854775808", b"int", 1),
])
def test_object_encoding_and_refcount_of_strings(c, value, enc, refs):
    c("SET", "k", value)
    assert c("OBJECT", "ENCODING", "k") == enc
    assert c("OBJECT", "REFCOUNT", "k") == refs


def test_object_encoding_after_string_edits(c):
    c("SET", "n", "5")
    c("INCR", "n")
    assert c("OBJECT", "ENCODING", "n") == b"int"
    assert c("OBJECT", "REFCOUNT", "n") == 2147483647
    c("APPEND", "n", "0")
    assert c("OBJECT", "ENCODING", "n") == b"raw"


def test_introspection_does_not_touch_but_touch_does(c):
    c("SET", "k", "v")
    time.sleep(2.2)
    for cmd in (("EXISTS", "k"), ("TYPE", "k"), ("TTL", "k"), ("PTTL", "k"),
                ("EXPIRETIME", "k"), ("OBJECT", "ENCODING", "k"), ("SCAN", 0, "TYPE", "string")):
        c(*cmd)
    assert c("OBJECT", "IDLETIME", "k") >= 2
    assert c("TOUCH", "k") == 1
    assert c("OBJECT", "IDLETIME", "k") == 0


def keyspace_stats(c):
    text = c("INFO", "stats").decode()
    out = {}
    for line in text.split("\r\n"):
        if line.startswith("keyspace_hits:") or line.startswith("keyspace_misses:"):
            k, v = line.split(":")
            out[k] = int(v)
    return out["keyspace_hits"], out["keyspace_misses"]


@pytest.mark.parametrize("cmd,hits,misses", [
    (("EXISTS", "a", "nokey"), 1, 1), (("TYPE", "a"), 1, 0), (("TYPE", "nokey"), 0, 1),
    (("TTL", "a"), 1, 0), (("PTTL", "nokey"), 0, 1), (("EXPIRETIME", "a"), 1, 0),
    (("OBJECT", "ENCODING", "a"), 1, 0), (("OBJECT", "ENCODING", "nokey"), 0, 1),
    (("TOUCH", "a", "nokey"), 1, 1), (("COPY", "a", "b"), 1, 0), (("COPY", "nokey", "b"), 0, 1),
    (("RENAME", "a", "c"), 0, 0), (("MOVE", "a", 1), 0, 0), (("PERSIST", "nokey"), 0, 0),
    (("EXPIRE", "a", 100), 0, 0), (("SCAN", 0, "TYPE", "string"), 1, 0),
    (("SCAN", 0, "TYPE", "list", "MATCH", "nomatch"), 0, 0), (("RANDOMKEY",), 0, 0),
    (("KEYS", "*"), 0, 0), (("DEL", "nokey"), 0, 0), (("DBSIZE",), 0, 0),
])
def test_keyspace_hit_miss_accounting(c, cmd, hits, misses):
    c("SET", "a", "1")
    h0, m0 = keyspace_stats(c)
    c(*cmd)
    h1, m1 = keyspace_stats(c)
    assert (h1 - h0, m1 - m0) == (hits, misses)
    c("SELECT", 1)
    c("FLUSHDB")
    c("SELECT", 0)
