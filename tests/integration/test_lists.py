"""List commands, blocking included: replies, errors and RESP3 shapes exactly as Redis 7.0.

Every test here passes against Debian's redis-server 7.0.15 (KVIK_SERVER=/usr/bin/redis-server).
Notes on Redis 7.0 that are easy to get wrong:
- OBJECT ENCODING of every list is "quicklist", even a one-element list (the "listpack"
  list encoding arrived in 7.2).
- LPOP/RPOP with a count: a missing key is a null ARRAY (*-1 / _), COUNT 0 on an existing
  list an empty array; the count error is "must be positive" even for a non-number.
- Argument order of checks differs per command: LRANGE/LTRIM/LREM parse numbers before
  the key lookup, LINDEX/LSET look the key up first (LINDEX on a missing key with a bad
  index is a null, LSET on one is "no such key").
- LPOS RANK LLONG_MIN is accepted (7.0 negates it into itself: first match from the tail,
  COUNT then never stops the search).
- Blocking: the timeout is seconds as a long double, rounded UP to whole ms (0.0001 is
  1 ms, -0.0001 is 0 = forever); inf and values past LLONG_MAX ms are "timeout is
  negative". A timeout, CLIENT UNBLOCK ... TIMEOUT, and a blocking command inside MULTI
  all answer a null array, except BLMOVE/BRPOPLPUSH inside MULTI, which answer a null bulk.
- A woken client is served from the key that became ready (in signal order, so a MULTI
  pushing to k2 then k1 serves BLPOP k1 k2 from k2), first blocked first served. A client
  blocked on a key that becomes another type stays blocked. BLMOVE woken with a
  destination of another type answers WRONGTYPE and leaves the element in the source.
- Stats: the blocking command counts in commandstats/total_commands_processed and shows in
  MONITOR when it first runs; CLIENT UNBLOCK counts a failed call (both modes).
"""
import socket
import threading
import time

import pytest

from conftest import IS_REDIS
from helpers import blocked_count, no_reply, restoring_config, send, wait_blocked
from resp3 import Resp3
from util import NOT_INT, SYNTAX, WRONGTYPE, Err, Raw, arity

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -2 ** 63
MUST_BE_POSITIVE = Err("ERR value is out of range, must be positive")
OUT_OF_RANGE = Err("ERR index out of range")
NO_SUCH_KEY = Err("ERR no such key")
RANK_ZERO = Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                "second ... or use negative to start from the end of the list")
COUNT_NEG = Err("ERR COUNT can't be negative")
MAXLEN_NEG = Err("ERR MAXLEN can't be negative")
NUMKEYS = Err("ERR numkeys should be greater than 0")
COUNT_GT0 = Err("ERR count should be greater than 0")
TIMEOUT_FLOAT = Err("ERR timeout is not a float or out of range")
TIMEOUT_NEG = Err("ERR timeout is negative")
UNBLOCKED = Err("UNBLOCKED client unblocked via CLIENT UNBLOCK")


@pytest.fixture
def list_config(c):
    """CONFIG SET of list-max-listpack-size / list-compress-depth, restored afterwards."""
    yield from restoring_config(c, "list-max-listpack-size", "list-compress-depth")


def lrange(c, key):
    return c("LRANGE", key, 0, -1)


def bl(*items):
    return [x if isinstance(x, bytes) else str(x).encode() for x in items]


def run_cases(c, cases):
    for args, want in cases:
        got = c(*args)
        assert got == want, (args, got, want)


# ---------------------------------------------------------------- pushes and pops

def test_push_and_pop_basics(c):
    run_cases(c, [
        (("LPUSH", "l", "a", "b", "c"), 3),
        (("RPUSH", "l", "d", "e", "f"), 6),
        (("LRANGE", "l", 0, -1), bl("c", "b", "a", "d", "e", "f")),
        (("LLEN", "l"), 6),
        (("LLEN", "nokey"), 0),
        (("LPUSHX", "nokey", "a"), 0),
        (("RPUSHX", "nokey", "a", "b"), 0),
        (("EXISTS", "nokey"), 0),
        (("LPUSHX", "l", "x", "y"), 8),
        (("RPUSHX", "l", "z"), 9),
        (("LPOP", "l"), b"y"),
        (("RPOP", "l"), b"z"),
        (("TYPE", "l"), "list"),
        (("OBJECT", "ENCODING", "l"), b"quicklist"),
    ])


def test_pop_count_shapes(c):
    c("RPUSH", "l", "a", "b", "c", "d", "e")
    run_cases(c, [
        (("LPOP", "l", 0), []),
        (("LPOP", "l", 2), bl("a", "b")),
        (("RPOP", "l", 2), bl("e", "d")),
        (("LPOP", "l", 100), bl("c")),
        (("EXISTS", "l"), 0),
        (("LPOP", "l"), None),
        (("LPOP", "l", 1), None),
        (("LPOP", "nokey", 0), None),
        (("RPOP", "nokey", 3), None),
        (("LPOP", "l", -1), MUST_BE_POSITIVE),
        (("LPOP", "l", "abc"), MUST_BE_POSITIVE),
        (("LPOP", "l", LLONG_MAX), None),
        (("LPOP", "l", 1, 2), arity("lpop")),
        (("RPOP", "l", 1, 2), arity("rpop")),
        (("LPOP",), arity("lpop")),
    ])


def test_null_shapes_resp2_bytes(server, r):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    f = s.makefile("rb")

    def raw(*args):
        out = b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args))
        s.sendall(out)
        line = f.readline()
        return line

    assert raw("LPOP", "nokey") == b"$-1\r\n"
    assert raw("LPOP", "nokey", "2") == b"*-1\r\n"
    assert raw("LINDEX", "nokey", "0") == b"$-1\r\n"
    assert raw("LPOS", "nokey", "x") == b"$-1\r\n"
    assert raw("LMPOP", "1", "nokey", "LEFT") == b"*-1\r\n"
    assert raw("LMOVE", "nokey", "d", "LEFT", "LEFT") == b"$-1\r\n"
    assert raw("BLPOP", "nokey", "0.01") == b"*-1\r\n"
    assert raw("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01") == b"*-1\r\n"
    assert raw("BRPOPLPUSH", "nokey", "d", "0.01") == b"*-1\r\n"
    assert raw("BLMPOP", "0.01", "1", "nokey", "LEFT") == b"*-1\r\n"
    s.close()


def test_resp3_shapes(c3):
    assert c3.call_raw("LPOP", "nokey") == b"_\r\n"
    assert c3.call_raw("LPOP", "nokey", 2) == b"_\r\n"
    assert c3.call_raw("LINDEX", "nokey", 0) == b"_\r\n"
    assert c3.call_raw("LPOS", "nokey", "x") == b"_\r\n"
    assert c3.call_raw("LPOS", "nokey", "x", "COUNT", 0) == b"*0\r\n"
    assert c3.call_raw("LMPOP", 1, "nokey", "LEFT") == b"_\r\n"
    assert c3.call_raw("LMOVE", "nokey", "d", "LEFT", "LEFT") == b"_\r\n"
    assert c3.call_raw("BLPOP", "nokey", "0.01") == b"_\r\n"
    assert c3.call_raw("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0.01") == b"_\r\n"
    assert c3.call_raw("BLMPOP", "0.01", 1, "nokey", "LEFT") == b"_\r\n"
    assert c3.call_raw("LRANGE", "nokey", 0, -1) == b"*0\r\n"
    c3.call("RPUSH", "l", "a", "b", "c")
    assert c3.call_raw("LPOP", "l", 0) == b"*0\r\n"
    assert c3.call_raw("LPOP", "l", 1) == b"*1\r\n$1\r\na\r\n"
    assert c3.call_raw("LMPOP", 1, "l", "RIGHT", "COUNT", 5) == \
        b"*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    c3.call("RPUSH", "l", "x")
    assert c3.call_raw("BLPOP", "l", 0) == b"*2\r\n$1\r\nl\r\n$1\r\nx\r\n"
    c3.call("MULTI")
    c3.call("BLPOP", "l", 0)
    c3.call("BLMOVE", "l", "d", "LEFT", "LEFT", 0)
    c3.call("BLMPOP", 0, 1, "l", "LEFT")
    assert c3.call_raw("EXEC") == b"*3\r\n_\r\n_\r\n_\r\n"


def test_binary_and_integer_looking_elements(c):
    odd = [b"", b"\x00", b"a\r\nb", bytes(range(256)), b"007", b"-0", b"+1", b" 1",
           b"1e3", b"0x10", b"9223372036854775807", b"-9223372036854775808",
           b"9223372036854775808", b"12", b"-4096", b"4095", b"x" * 100, b"y" * 70000]
    assert c("RPUSH", "l", *odd) == len(odd)
    assert lrange(c, "l") == odd
    for i, v in enumerate(odd):
        assert c("LINDEX", "l", i) == v
        assert c("LPOS", "l", v) == odd.index(v)
    assert c("LPOS", "l", "7") is None
    assert c("LPOS", "l", "12") == 13
    assert c("LREM", "l", 0, "-0") == 1
    assert c("LREM", "l", 0, "0") == 0


def test_wrongtype_everywhere(c):
    c("SET", "s", "x")
    for args in [("LPUSH", "s", "a"), ("RPUSH", "s", "a"), ("LPUSHX", "s", "a"),
                 ("RPUSHX", "s", "a"), ("LPOP", "s"), ("RPOP", "s", 2), ("LLEN", "s"),
                 ("LRANGE", "s", 0, 1), ("LINDEX", "s", 0), ("LSET", "s", 0, "x"),
                 ("LINSERT", "s", "BEFORE", "a", "b"), ("LREM", "s", 0, "a"),
                 ("LTRIM", "s", 0, 1), ("LPOS", "s", "a"), ("LPOS", "s", "a", "COUNT", 0),
                 ("LMOVE", "s", "d", "LEFT", "LEFT"), ("RPOPLPUSH", "s", "d"),
                 ("LMPOP", 1, "s", "LEFT"), ("LMPOP", 2, "nokey", "s", "LEFT"),
                 ("BLPOP", "s", 0), ("BLPOP", "nokey", "s", 0), ("BRPOP", "s", 0),
                 ("BLMPOP", 0, 2, "nokey", "s", "LEFT"), ("BLMOVE", "s", "d", "LEFT",
                                                          "LEFT", 0),
                 ("BRPOPLPUSH", "s", "d", 0)]:
        assert c(*args) == WRONGTYPE, args
    assert c("GET", "s") == b"x"
    # A wrong-typed destination matters only when there is something to move.
    c("RPUSH", "src", "a")
    assert c("LMOVE", "src", "s", "LEFT", "LEFT") == WRONGTYPE
    assert c("RPOPLPUSH", "src", "s") == WRONGTYPE
    assert c("BLMOVE", "src", "s", "LEFT", "LEFT", 0) == WRONGTYPE
    assert lrange(c, "src") == bl("a")
    assert c("LMOVE", "nokey", "s", "LEFT", "LEFT") is None
    assert c("BLMOVE", "nokey", "s", "LEFT", "LEFT", "0.01") is None


@pytest.mark.parametrize("cmd,n", [
    ("LPUSH", 2), ("RPUSH", 2), ("LPUSHX", 2), ("RPUSHX", 2), ("LLEN", 1), ("LRANGE", 3),
    ("LINDEX", 2), ("LSET", 3), ("LINSERT", 4), ("LREM", 3), ("LTRIM", 3), ("LPOS", 2),
    ("LMOVE", 4), ("RPOPLPUSH", 2), ("LMPOP", 3), ("BLPOP", 2), ("BRPOP", 2),
    ("BLMOVE", 5), ("BRPOPLPUSH", 3), ("BLMPOP", 4)])
def test_arity(c, cmd, n):
    assert c(cmd, *(["k"] * (n - 1))) == arity(cmd.lower())


# ---------------------------------------------------------------- ranges and indexes

def test_lrange_and_lindex(c):
    c("RPUSH", "l", *range(1, 11))
    run_cases(c, [
        (("LRANGE", "l", 0, 0), bl(1)),
        (("LRANGE", "l", -3, -1), bl(8, 9, 10)),
        (("LRANGE", "l", -100, 100), bl(*range(1, 11))),
        (("LRANGE", "l", 5, 2), []),
        (("LRANGE", "l", 10, 20), []),
        (("LRANGE", "l", -1, -100), []),
        (("LRANGE", "l", LLONG_MAX, LLONG_MIN), []),
        (("LRANGE", "l", LLONG_MIN, LLONG_MAX), bl(*range(1, 11))),
        (("LRANGE", "l", "a", 1), NOT_INT),
        (("LRANGE", "nokey", 0, "b"), NOT_INT),
        (("LRANGE", "nokey", 0, -1), []),
        (("LINDEX", "l", 0), b"1"),
        (("LINDEX", "l", -1), b"10"),
        (("LINDEX", "l", 10), None),
        (("LINDEX", "l", -11), None),
        (("LINDEX", "l", "x"), NOT_INT),
        (("LINDEX", "nokey", "x"), None),
        (("LINDEX", "l", LLONG_MIN), None),
    ])


def test_lset(c):
    c("RPUSH", "l", "a", "b", "c")
    run_cases(c, [
        (("LSET", "l", 0, "first"), "OK"),
        (("LSET", "l", -1, "last"), "OK"),
        (("LSET", "l", 1, "x" * 10000), "OK"),
        (("LSET", "l", 3, "x"), OUT_OF_RANGE),
        (("LSET", "l", -4, "x"), OUT_OF_RANGE),
        (("LSET", "l", "x", "x"), NOT_INT),
        (("LSET", "nokey", "x", "x"), NO_SUCH_KEY),
        (("LSET", "nokey", 0, "x"), NO_SUCH_KEY),
        (("LRANGE", "l", 0, -1), [b"first", b"x" * 10000, b"last"]),
    ])


def test_linsert(c):
    c("RPUSH", "l", "a", "b", "a")
    run_cases(c, [
        (("LINSERT", "l", "BEFORE", "a", "x"), 4),
        (("LINSERT", "l", "after", "a", "y"), 5),
        (("LRANGE", "l", 0, -1), bl("x", "a", "y", "b", "a")),
        (("LINSERT", "l", "AFTER", "zz", "q"), -1),
        (("LINSERT", "l", "middle", "a", "q"), SYNTAX),
        (("LINSERT", "nokey", "middle", "a", "q"), SYNTAX),
        (("LINSERT", "nokey", "BEFORE", "a", "q"), 0),
        (("EXISTS", "nokey"), 0),
    ])


def test_lrem(c):
    c("RPUSH", "r", "a", "b", "a", "c", "a", "b", "a")
    run_cases(c, [
        (("LREM", "r", 2, "a"), 2),
        (("LRANGE", "r", 0, -1), bl("b", "c", "a", "b", "a")),
        (("LREM", "r", -1, "a"), 1),
        (("LRANGE", "r", 0, -1), bl("b", "c", "a", "b")),
        (("LREM", "r", 0, "b"), 2),
        (("LREM", "r", 0, "zz"), 0),
        (("LREM", "r", "x", "a"), NOT_INT),
        (("LREM", "nokey", "x", "a"), NOT_INT),
        (("LREM", "nokey", 0, "a"), 0),
        (("LREM", "r", LLONG_MIN, "a"), 1),
        (("LREM", "r", 0, "c"), 1),
        (("EXISTS", "r"), 0),
    ])


def test_ltrim(c):
    c("RPUSH", "t", *range(1, 10))
    run_cases(c, [
        (("LTRIM", "t", 1, -2), "OK"),
        (("LRANGE", "t", 0, -1), bl(*range(2, 9))),
        (("LTRIM", "t", -100, 100), "OK"),
        (("LLEN", "t"), 7),
        (("LTRIM", "t", "a", 1), NOT_INT),
        (("LTRIM", "nokey", 0, "b"), NOT_INT),
        (("LTRIM", "nokey", 0, 1), "OK"),
        (("LTRIM", "t", 5, 2), "OK"),
        (("EXISTS", "t"), 0),
        (("RPUSH", "t", 1, 2, 3), 3),
        (("LTRIM", "t", 0, 0), "OK"),
        (("LRANGE", "t", 0, -1), bl(1)),
        (("LTRIM", "t", LLONG_MAX, LLONG_MAX), "OK"),
        (("EXISTS", "t"), 0),
    ])


def test_lpos(c):
    c("RPUSH", "p", "a", "b", "c", 1, 2, 3, "c", "c", 3, "a")
    run_cases(c, [
        (("LPOS", "p", "c"), 2),
        (("LPOS", "p", "c", "RANK", 2), 6),
        (("LPOS", "p", "c", "RANK", -1), 7),
        (("LPOS", "p", "c", "RANK", -2), 6),
        (("LPOS", "p", "c", "COUNT", 0), [2, 6, 7]),
        (("LPOS", "p", "c", "COUNT", 2), [2, 6]),
        (("LPOS", "p", "c", "RANK", 2, "COUNT", 0), [6, 7]),
        (("LPOS", "p", "c", "RANK", -1, "COUNT", 0), [7, 6, 2]),
        (("LPOS", "p", "c", "MAXLEN", 3), 2),
        (("LPOS", "p", "c", "MAXLEN", 2), None),
        (("LPOS", "p", "c", "MAXLEN", 3, "COUNT", 0), [2]),
        (("LPOS", "p", "c", "RANK", -1, "MAXLEN", 3), 7),
        (("LPOS", "p", "c", "RANK", -1, "MAXLEN", 4, "COUNT", 0), [7, 6]),
        (("LPOS", "p", 3, "COUNT", 0), [5, 8]),
        (("LPOS", "p", "zz"), None),
        (("LPOS", "p", "zz", "COUNT", 0), []),
        (("LPOS", "p", "c", "RANK", 10), None),
        (("LPOS", "p", "c", "RANK", 10, "COUNT", 0), []),
        (("LPOS", "p", "c", "COUNT", 1, "COUNT", 2), [2, 6]),
        (("LPOS", "p", "c", "RANK", 1, "RANK", -1), 7),
        (("LPOS", "p", "c", "RANK", LLONG_MIN), 7),
        (("LPOS", "p", "c", "RANK", LLONG_MIN, "COUNT", 1), [7, 6, 2]),
        (("LPOS", "p", "c", "RANK", LLONG_MAX), None),
        (("LPOS", "p", "c", "RANK", 0), RANK_ZERO),
        (("LPOS", "p", "c", "RANK", "x"), NOT_INT),
        (("LPOS", "p", "c", "COUNT", -1), COUNT_NEG),
        (("LPOS", "p", "c", "COUNT", "x"), COUNT_NEG),
        (("LPOS", "p", "c", "MAXLEN", -1), MAXLEN_NEG),
        (("LPOS", "p", "c", "MAXLEN", "x"), MAXLEN_NEG),
        (("LPOS", "p", "c", "foo"), SYNTAX),
        (("LPOS", "p", "c", "RANK"), SYNTAX),
        (("LPOS", "p", "c", "COUNT"), SYNTAX),
        (("LPOS", "nokey", "c"), None),
        (("LPOS", "nokey", "c", "COUNT", 1), []),
        (("LPOS", "nokey", "c", "RANK", 0), RANK_ZERO),
    ])


# ---------------------------------------------------------------- moves and LMPOP

def test_lmove_and_rpoplpush(c):
    c("RPUSH", "m1", "a", "b", "c")
    c("RPUSH", "m2", "x", "y")
    run_cases(c, [
        (("LMOVE", "m1", "m2", "LEFT", "RIGHT"), b"a"),
        (("LRANGE", "m2", 0, -1), bl("x", "y", "a")),
        (("LMOVE", "m1", "m2", "right", "left"), b"c"),
        (("LRANGE", "m2", 0, -1), bl("c", "x", "y", "a")),
        (("LMOVE", "m1", "m2", "middle", "left"), SYNTAX),
        (("LMOVE", "m1", "m2", "left", "middle"), SYNTAX),
        (("LMOVE", "nokey", "m2", "middle", "left"), SYNTAX),
        (("LMOVE", "m1", "m1", "LEFT", "RIGHT"), b"b"),
        (("LRANGE", "m1", 0, -1), bl("b")),
        (("LMOVE", "m1", "new", "LEFT", "LEFT"), b"b"),
        (("EXISTS", "m1"), 0),
        (("RPOPLPUSH", "m2", "m2"), b"a"),
        (("LRANGE", "m2", 0, -1), bl("a", "c", "x", "y")),
        (("RPOPLPUSH", "m2", "m3"), b"y"),
        (("RPOPLPUSH", "nokey", "m3"), None),
        (("LRANGE", "m3", 0, -1), bl("y")),
    ])


def test_lmpop(c):
    c("RPUSH", "a1", 1, 2, 3, 4, 5)
    c("RPUSH", "a2", "x")
    c("SET", "s", "v")
    run_cases(c, [
        (("LMPOP", 2, "a1", "a2", "LEFT"), [b"a1", bl(1)]),
        (("LMPOP", 2, "a1", "a2", "RIGHT", "COUNT", 2), [b"a1", bl(5, 4)]),
        (("LMPOP", 2, "a1", "a2", "right", "count", 10), [b"a1", bl(3, 2)]),
        (("LMPOP", 2, "a1", "a2", "LEFT"), [b"a2", bl("x")]),
        (("LMPOP", 2, "a1", "a2", "LEFT"), None),
        (("EXISTS", "a1", "a2"), 0),
        (("LMPOP", 0, "a1", "LEFT"), NUMKEYS),
        (("LMPOP", -1, "a1", "LEFT"), NUMKEYS),
        (("LMPOP", "x", "a1", "LEFT"), NUMKEYS),
        (("LMPOP", 3, "a1", "LEFT"), SYNTAX),
        (("LMPOP", 2, "a1", "LEFT"), SYNTAX),
        (("LMPOP", LLONG_MAX, "a1", "LEFT"), SYNTAX),
        (("LMPOP", 1, "a1", "middle"), SYNTAX),
        (("LMPOP", 1, "a1", "LEFT", "COUNT", 0), COUNT_GT0),
        (("LMPOP", 1, "a1", "LEFT", "COUNT", -1), COUNT_GT0),
        (("LMPOP", 1, "a1", "LEFT", "COUNT", "x"), COUNT_GT0),
        (("LMPOP", 1, "a1", "LEFT", "COUNT", 1, "COUNT", 2), SYNTAX),
        (("LMPOP", 1, "a1", "LEFT", "foo"), SYNTAX),
        (("LMPOP", 1, "a1", "LEFT", "COUNT"), SYNTAX),
        (("LMPOP", 2, "s", "nokey", "LEFT"), WRONGTYPE),
        (("LMPOP", 2, "nokey", "s", "LEFT"), WRONGTYPE),
    ])


def test_command_info_rows(c):
    info = c("COMMAND", "INFO", "lpush", "blpop", "lmpop", "blmove")
    assert info[0][:6] == [b"lpush", -3, ["write", "denyoom", "fast"], 1, 1, 1]
    assert info[1][:6] == [b"blpop", -3, ["write", "noscript", "blocking"], 1, -2, 1]
    assert info[2][:6] == [b"lmpop", -4, ["write", "movablekeys"], 0, 0, 0]
    assert info[3][:6] == [b"blmove", 6, ["write", "denyoom", "noscript", "blocking"], 1, 2, 1]
    assert c("COMMAND", "GETKEYS", "BLMPOP", 0, 2, "a", "b", "LEFT") == [b"a", b"b"]
    assert c("COMMAND", "GETKEYS", "BLPOP", "a", "b", 0) == [b"a", b"b"]


def test_keyspace_hits_only_for_reads(c):
    c("RPUSH", "l", "a")
    c("CONFIG", "RESETSTAT")

    def hits():
        text = c("INFO", "stats").decode()
        f = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
        return int(f["keyspace_hits"]), int(f["keyspace_misses"])

    for args in [("LLEN", "l"), ("LRANGE", "l", 0, -1), ("LINDEX", "l", 0), ("LPOS", "l", "a")]:
        before = hits()
        c(*args)
        assert hits() == (before[0] + 1, before[1]), args
    before = hits()
    c("LLEN", "nokey")
    assert hits() == (before[0], before[1] + 1)
    before = hits()
    for args in [("LPUSH", "l", "x"), ("LPOP", "l"), ("LSET", "l", 0, "y"),
                 ("LINSERT", "l", "BEFORE", "y", "z"), ("LREM", "l", 0, "q"),
                 ("LMOVE", "l", "l", "LEFT", "LEFT"), ("LPOP", "nokey")]:
        c(*args)
    assert hits() == before


def test_watch_sees_list_writes(server, r, c):
    c("RPUSH", "l", "a", "b")
    other = Raw(server)
    for args in [("LSET", "l", 0, "x"), ("LINSERT", "l", "BEFORE", "x", "y"),
                 ("LREM", "l", 1, "y"), ("LTRIM", "l", 0, -1), ("RPUSH", "l", "c"),
                 ("LPOP", "l"), ("LMOVE", "l", "l", "LEFT", "RIGHT")]:
        assert c("WATCH", "l") == "OK"
        assert other(*args) is not None
        c("MULTI")
        c("PING")
        assert c("EXEC") is None, args
    other.close()


# ---------------------------------------------------------------- big lists, all node shapes

@pytest.mark.parametrize("size,depth", [(-2, 0), (-1, 1), (4, 0), (3, 2), (1, 1), (128, 3)])
def test_big_list_against_model(c, list_config, size, depth):
    """Many nodes (and compressed inner nodes): every command checked against a model."""
    import random
    rnd = random.Random(size * 100 + depth)
    list_config("list-max-listpack-size", size)
    list_config("list-compress-depth", depth)
    model = []
    vals = [b"v%d" % i for i in range(50)] + [b"%d" % i for i in range(20)] + \
        [b"long-%d-" % i + b"z" * 300 for i in range(5)]
    chunk = [rnd.choice(vals) for _ in range(600)]
    c("RPUSH", "big", *chunk)
    model += chunk
    chunk = [rnd.choice(vals) for _ in range(400)]
    c("LPUSH", "big", *chunk)
    model = list(reversed(chunk)) + model
    assert c("OBJECT", "ENCODING", "big") == b"quicklist"
    for step in range(60):
        if len(model) < 200:
            add = [rnd.choice(vals) for _ in range(300)]
            c("RPUSH", "big", *add)
            model += add
        op = rnd.randrange(8)
        if op == 0:
            i = rnd.randrange(-len(model), len(model))
            v = rnd.choice(vals)
            assert c("LSET", "big", i, v) == "OK"
            model[i] = v
        elif op == 1:
            pivot, v = rnd.choice(model), rnd.choice(vals)
            after = rnd.random() < 0.5
            assert c("LINSERT", "big", "AFTER" if after else "BEFORE", pivot, v) == len(model) + 1
            at = model.index(pivot)
            model.insert(at + 1 if after else at, v)
        elif op == 2:
            v = rnd.choice(vals)
            n = rnd.choice([0, 1, 3, -1, -2])
            idx = [i for i, x in enumerate(model) if x == v]
            if n < 0:
                idx = idx[::-1]
            gone = idx if n == 0 else idx[:abs(n)]
            assert c("LREM", "big", n, v) == len(gone)
            for i in sorted(gone, reverse=True):
                del model[i]
        elif op == 3:
            start, end = rnd.randrange(0, 20), -rnd.randrange(1, 20)
            assert c("LTRIM", "big", start, end) == "OK"
            model = model[start:len(model) + end + 1]
            add = [rnd.choice(vals) for _ in range(40)]
            c("RPUSH", "big", *add)
            model += add
        elif op == 4:
            n = rnd.randrange(1, 30)
            assert c("LPOP", "big", n) == model[:n]
            model = model[n:]
            assert c("RPOP", "big", n) == model[::-1][:n]
            model = model[:-n]
        elif op == 5:
            v = rnd.choice(vals)
            want = [i for i, x in enumerate(model) if x == v]
            assert c("LPOS", "big", v, "COUNT", 0) == want
            assert c("LPOS", "big", v, "RANK", -1) == (want[-1] if want else None)
        elif op == 6:
            i = rnd.randrange(-len(model), len(model))
            assert c("LINDEX", "big", i) == model[i]
        else:
            s = rnd.randrange(-len(model), len(model))
            e = s + rnd.randrange(0, 200)
            lo = s if s >= 0 else s + len(model)
            hi = e if e >= 0 else e + len(model)
            assert c("LRANGE", "big", s, e) == model[lo:hi + 1]
        assert c("LLEN", "big") == len(model)
    assert lrange(c, "big") == model
    assert c("COPY", "big", "copy") == 1
    assert lrange(c, "copy") == model
    assert c("DEL", "big", "copy") == 2


def test_config_applies_to_new_lists(c, list_config):
    list_config("list-max-ziplist-size", 2)
    assert c("CONFIG", "GET", "list-max-listpack-size") == [b"list-max-listpack-size", b"2"]
    c("RPUSH", "l", *range(100))
    assert c("LRANGE", "l", 0, -1) == bl(*range(100))
    assert c("OBJECT", "ENCODING", "l") == b"quicklist"


@pytest.mark.skipif(IS_REDIS, reason="Kvik's default; Redis defaults to 0")
def test_interior_nodes_compressed_by_default(c):
    """Kvik defaults list-compress-depth to 1: a big list of repetitive elements takes
    well under the uncompressed size, and every element still reads back."""
    assert c("CONFIG", "GET", "list-compress-depth") == [b"list-compress-depth", b"1"]
    values = [b"v:%07d" % i for i in range(100000)]
    before = int(c("INFO", "memory").split(b"used_memory:")[1].split(b"\r\n")[0])
    for i in range(0, len(values), 1000):
        c("RPUSH", "q", *values[i:i + 1000])
    after = int(c("INFO", "memory").split(b"used_memory:")[1].split(b"\r\n")[0])
    assert (after - before) / len(values) < 8  # uncompressed listpack entries take 11 B
    assert c("LINDEX", "q", 50000) == values[50000]
    assert c("LRANGE", "q", 0, -1) == values


# ---------------------------------------------------------------- blocking: parsing

@pytest.mark.parametrize("timeout,want", [
    ("abc", TIMEOUT_FLOAT), ("", TIMEOUT_FLOAT), (" 1", TIMEOUT_FLOAT), ("1 ", TIMEOUT_FLOAT),
    ("nan", TIMEOUT_FLOAT), ("-1", TIMEOUT_NEG), ("-0.5", TIMEOUT_NEG), ("inf", TIMEOUT_NEG),
    ("-inf", TIMEOUT_NEG), ("1e20", TIMEOUT_NEG), ("9223372036854775807", TIMEOUT_NEG),
    ("0.0001", None), ("1e-5", None), ("0x0.1p-10", None), ("0.01", None)])
def test_timeout_parsing(c, timeout, want):
    assert c("BLPOP", "nokey", timeout) == want
    assert c("BRPOP", "nokey", timeout) == want
    assert c("BLMOVE", "nokey", "d", "LEFT", "LEFT", timeout) == want
    assert c("BRPOPLPUSH", "nokey", "d", timeout) == want
    assert c("BLMPOP", timeout, 1, "nokey", "LEFT") == want


def test_blocking_argument_order(c):
    c("SET", "s", "x")
    run_cases(c, [
        (("BLPOP", "s", "abc"), TIMEOUT_FLOAT),
        (("BLMOVE", "s", "d", "middle", "LEFT", "abc"), SYNTAX),
        (("BLMOVE", "s", "d", "LEFT", "LEFT", "abc"), TIMEOUT_FLOAT),
        (("BRPOPLPUSH", "s", "d", "abc"), TIMEOUT_FLOAT),
        (("BLMPOP", "abc", 1, "s", "middle"), SYNTAX),
        (("BLMPOP", "abc", 0, "s", "LEFT"), NUMKEYS),
        (("BLMPOP", "abc", 1, "s", "LEFT", "COUNT", 0), COUNT_GT0),
        (("BLMPOP", "abc", 1, "s", "LEFT"), TIMEOUT_FLOAT),
        (("BLMPOP", 0, 1, "s", "LEFT"), WRONGTYPE),
    ])


def test_blocking_commands_with_data_act_at_once(c):
    c("RPUSH", "l", "a", "b", "c", "d")
    run_cases(c, [
        (("BLPOP", "nokey", "l", 0), [b"l", b"a"]),
        (("BRPOP", "l", "nokey", 0), [b"l", b"d"]),
        (("BLMOVE", "l", "d", "RIGHT", "LEFT", 0), b"c"),
        (("BRPOPLPUSH", "l", "d", 0), b"b"),
        (("LRANGE", "d", 0, -1), bl("b", "c")),
        (("BLMPOP", 0, 2, "nokey", "d", "LEFT", "COUNT", 5), [b"d", bl("b", "c")]),
        (("EXISTS", "l", "d"), 0),
    ])


def test_blocking_inside_multi_does_not_block(c):
    c("RPUSH", "l", "a")
    for args in [("MULTI",), ("BLPOP", "nokey", 0), ("BRPOP", "nokey", 0),
                 ("BLMOVE", "nokey", "d", "LEFT", "LEFT", 0), ("BRPOPLPUSH", "nokey", "d", 0),
                 ("BLMPOP", 0, 1, "nokey", "LEFT"), ("BLPOP", "nokey", "l", 0)]:
        c(*args)
    assert c("EXEC") == [None, None, None, None, None, [b"l", b"a"]]


# ---------------------------------------------------------------- blocking: serving


def test_blpop_wakes_on_push(c, conns):
    a = conns()
    send(a, "BLPOP", "k1", "k2", 0)
    wait_blocked(c, 1)
    assert no_reply(a)
    assert c("RPUSH", "k2", "x", "y") == 2
    assert a.read() == [b"k2", b"x"]
    assert lrange(c, "k2") == bl("y")
    assert blocked_count(c) == 0


def test_variadic_push_serves_head_after_the_command(c, conns):
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("LPUSH", "k", "foo", "bar")
    assert a.read() == [b"k", b"bar"]
    assert lrange(c, "k") == bl("foo")


def test_fifo_order_and_one_element_each(c, conns):
    clients = [conns() for _ in range(4)]
    for i, cl in enumerate(clients):
        send(cl, "BLPOP", "q", 0)
        wait_blocked(c, i + 1)
    assert c("RPUSH", "q", 1, 2) == 2
    assert clients[0].read() == [b"q", b"1"]
    assert clients[1].read() == [b"q", b"2"]
    assert no_reply(clients[2]) and no_reply(clients[3])
    assert c("RPUSH", "q", 3, 4, 5) == 3
    assert clients[2].read() == [b"q", b"3"]
    assert clients[3].read() == [b"q", b"4"]
    assert lrange(c, "q") == bl(5)


def test_concurrent_consumers_threads(server, c):
    """Producers and consumers on threads: every element delivered exactly once."""
    got, errors = [], []
    lock = threading.Lock()

    def consumer():
        conn = Raw(server)
        try:
            while True:
                reply = conn("BRPOP", "jobs", 5)
                if reply is None or reply[1] == b"stop":
                    return
                with lock:
                    got.append(int(reply[1]))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            conn.close()

    threads = [threading.Thread(target=consumer) for _ in range(6)]
    for t in threads:
        t.start()

    def producer(base):
        conn = Raw(server)
        for i in range(base, base + 300):
            conn("LPUSH", "jobs", i)
        conn.close()

    producers = [threading.Thread(target=producer, args=(k * 1000,)) for k in range(3)]
    for t in producers:
        t.start()
    for t in producers:
        t.join()
    c("LPUSH", "jobs", *(["stop"] * 6))
    for t in threads:
        t.join(10)
    assert not errors
    assert sorted(got) == sorted(k * 1000 + i for k in range(3) for i in range(300))


def test_multi_push_is_isolated_and_serves_in_signal_order(c, conns):
    a = conns()
    send(a, "BLPOP", "k1", "k2", 0)
    wait_blocked(c, 1)
    c("MULTI")
    c("RPUSH", "k2", "b")
    c("RPUSH", "k1", "a")
    c("LPOP", "k2")
    c("RPUSH", "k2", "b2")
    assert c("EXEC") == [1, 1, b"b", 1]
    assert a.read() == [b"k2", b"b2"]
    assert lrange(c, "k1") == bl("a")


def test_key_pushed_and_popped_in_multi_serves_nothing(c, conns):
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("MULTI")
    c("RPUSH", "k", "x")
    c("LPOP", "k")
    c("EXEC")
    assert no_reply(a, 0.1)
    assert blocked_count(c) == 1
    c("RPUSH", "k", "y")
    assert a.read() == [b"k", b"y"]


def test_blmpop_served_with_count(c, conns):
    a = conns()
    send(a, "BLMPOP", 0, 2, "k1", "k2", "RIGHT", "COUNT", 5)
    wait_blocked(c, 1)
    c("MULTI")
    c("RPUSH", "k2", "b1", "b2", "b3")
    c("RPUSH", "k1", "a")
    c("EXEC")
    assert a.read() == [b"k2", bl("b3", "b2", "b1")]
    assert c("EXISTS", "k2") == 0
    assert lrange(c, "k1") == bl("a")


def test_same_key_twice(c, conns):
    a = conns()
    send(a, "BLPOP", "k", "k", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "k", "x")
    assert a.read() == [b"k", b"x"]
    assert blocked_count(c) == 0


def test_blmove_chain(c, conns):
    """LMOVE-style serving makes its destination ready: a chain of BLMOVEs drains."""
    c1, c2, c3 = conns(), conns(), conns()
    send(c1, "BLMOVE", "a", "b", "LEFT", "RIGHT", 0)
    wait_blocked(c, 1)
    send(c2, "BLMOVE", "b", "c", "LEFT", "RIGHT", 0)
    wait_blocked(c, 2)
    send(c3, "BRPOPLPUSH", "c", "d", 0)
    wait_blocked(c, 3)
    c("RPUSH", "a", "v")
    assert c1.read() == b"v"
    assert c2.read() == b"v"
    assert c3.read() == b"v"
    assert c("EXISTS", "a", "b", "c") == 0
    assert lrange(c, "d") == bl("v")


def test_lmove_into_watched_key_wakes(c, conns):
    a = conns()
    send(a, "BLPOP", "dst", 0)
    wait_blocked(c, 1)
    c("RPUSH", "src", "1", "2")
    assert c("LMOVE", "src", "dst", "RIGHT", "LEFT") == b"2"
    assert a.read() == [b"dst", b"2"]
    assert c("EXISTS", "dst") == 0


def test_brpoplpush_to_self_and_wrongtype_destination(c, conns):
    a = conns()
    send(a, "BRPOPLPUSH", "s", "s", 0)
    wait_blocked(c, 1)
    c("RPUSH", "s", "1", "2")
    assert a.read() == b"2"
    assert lrange(c, "s") == bl("2", "1")
    c("SET", "str", "x")
    send(a, "BLMOVE", "src", "str", "LEFT", "RIGHT", 0)
    wait_blocked(c, 1)
    c("RPUSH", "src", "a", "b")
    assert a.read() == WRONGTYPE
    assert lrange(c, "src") == bl("a", "b")
    assert blocked_count(c) == 0


def test_key_of_other_type_keeps_client_blocked(c, conns):
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("SET", "k", "str")
    assert no_reply(a, 0.1)
    c("DEL", "k")
    c("RPUSH", "k", "v")
    assert a.read() == [b"k", b"v"]


def test_rename_copy_and_swapdb_wake(server, c, conns):
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "other", "x", "y")
    c("RENAME", "other", "k")
    assert a.read() == [b"k", b"x"]
    c("DEL", "k")
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "other", "x", "y")
    c("COPY", "other", "k")
    assert a.read() == [b"k", b"x"]
    c("FLUSHALL")
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("SELECT", 1)
    c("RPUSH", "k", "z")
    assert no_reply(a, 0.1)
    c("SWAPDB", 0, 1)
    assert a.read() == [b"k", b"z"]
    assert c("EXISTS", "k") == 0
    c("SELECT", 0)
    assert c("EXISTS", "k") == 0


def test_blocked_in_another_db(c, conns):
    a = conns()
    assert a("SELECT", 3) == "OK"
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "k", "db0")
    assert no_reply(a, 0.1)
    c("SELECT", 3)
    c("RPUSH", "k", "db3")
    assert a.read() == [b"k", b"db3"]
    c("SELECT", 0)
    assert lrange(c, "k") == bl("db0")


# ---------------------------------------------------------------- blocking: timeouts, unblock

@pytest.mark.parametrize("cmd", [("BLPOP", "k"), ("BRPOP", "k1", "k2"),
                                 ("BLMOVE", "k", "d", "LEFT", "RIGHT"),
                                 ("BRPOPLPUSH", "k", "d")])
def test_timeout_precision(c, conns, cmd):
    a = conns()
    for timeout in (0.1, 0.25):
        t0 = time.time()
        assert a(*cmd, timeout) is None
        elapsed = time.time() - t0
        assert elapsed >= timeout - 0.002
        # Redis 7.0 checks timeouts from its 10 Hz cron; Kvik arms a timer.
        assert elapsed < timeout + (0.15 if IS_REDIS else 0.05)


def test_blmpop_timeout_and_tiny_timeout(c):
    t0 = time.time()
    assert c("BLMPOP", 0.1, 2, "a", "b", "LEFT") is None
    assert time.time() - t0 >= 0.098
    assert c("BLPOP", "k", "0.0001") is None
    assert c("BLPOP", "k", "1e-9") is None


def test_negative_fraction_rounds_to_forever(c, conns):
    a = conns()
    send(a, "BLPOP", "k", "-0.0001")
    wait_blocked(c, 1)
    assert no_reply(a, 0.1)
    c("RPUSH", "k", "v")
    assert a.read() == [b"k", b"v"]


def test_timeout_with_several_clients(c, conns):
    short, forever = conns(), conns()
    send(forever, "BLPOP", "k", 0)
    send(short, "BLPOP", "k", 0.1)
    wait_blocked(c, 2)
    assert short.read() is None
    assert blocked_count(c) == 1
    c("RPUSH", "k", "v")
    assert forever.read() == [b"k", b"v"]


def test_client_unblock(c, conns):
    a = conns()
    aid = a("CLIENT", "ID")
    assert c("CLIENT", "UNBLOCK", aid) == 0
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    assert c("CLIENT", "UNBLOCK", aid, "ERROR") == 1
    assert a.read() == UNBLOCKED
    send(a, "BLMOVE", "k", "d", "LEFT", "LEFT", 0)
    wait_blocked(c, 1)
    assert c("CLIENT", "UNBLOCK", aid, "timeout") == 1
    assert a.read() is None
    send(a, "BLMPOP", 0, 1, "k", "LEFT")
    wait_blocked(c, 1)
    assert c("CLIENT", "UNBLOCK", aid) == 1
    assert a.read() is None
    assert c("CLIENT", "UNBLOCK", aid) == 0
    run_cases(c, [
        (("CLIENT", "UNBLOCK", "abc"), NOT_INT),
        (("CLIENT", "UNBLOCK", 999999), 0),
        (("CLIENT", "UNBLOCK", -5), 0),
        (("CLIENT", "UNBLOCK", 999999, "foo"), Err("ERR CLIENT UNBLOCK reason should be "
                                                  "TIMEOUT or ERROR")),
        (("CLIENT", "UNBLOCK", "abc", "foo"), Err("ERR CLIENT UNBLOCK reason should be "
                                                 "TIMEOUT or ERROR")),
        (("CLIENT", "UNBLOCK", 1, 2, 3), Err("ERR unknown subcommand or wrong number of "
                                            "arguments for 'UNBLOCK'. Try CLIENT HELP.")),
        (("CLIENT", "UNBLOCK"), arity("client|unblock")),
    ])


def test_unblock_resp3(server, c):
    a = Resp3(server.port)
    a.hello(3)
    aid = a.call("CLIENT", "ID")
    a.send("BLPOP", "k", 0)
    wait_blocked(c, 1)
    assert c("CLIENT", "UNBLOCK", aid) == 1
    assert a.read_raw() == b"_\r\n"
    a.send("BLPOP", "k", 0.05)
    assert a.read_raw() == b"_\r\n"
    a.close()


def test_unblock_stats(c, conns):
    a = conns()
    aid = a("CLIENT", "ID")
    c("CONFIG", "RESETSTAT")

    def blpop_stats():
        text = c("INFO", "commandstats").decode()
        for line in text.split("\r\n"):
            if line.startswith("cmdstat_blpop:"):
                return dict(kv.split("=") for kv in line.split(":", 1)[1].split(","))
        return {}

    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    st = blpop_stats()
    assert (st["calls"], st["failed_calls"]) == ("1", "0")
    c("CLIENT", "UNBLOCK", aid, "ERROR")
    assert a.read() == UNBLOCKED
    st = blpop_stats()
    assert (st["calls"], st["failed_calls"]) == ("1", "1")
    assert "errorstat_UNBLOCKED:count=1" in c("INFO", "errorstats").decode()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("CLIENT", "UNBLOCK", aid, "TIMEOUT")
    assert a.read() is None
    st = blpop_stats()
    assert (st["calls"], st["failed_calls"]) == ("2", "2")
    assert a("BLPOP", "k", 0.01) is None
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "k", "v")
    assert a.read() == [b"k", b"v"]
    st = blpop_stats()
    assert (st["calls"], st["failed_calls"]) == ("4", "2")


def test_served_blmove_wrongtype_counts_failed_call(c, conns):
    a = conns()
    c("SET", "str", "x")
    c("CONFIG", "RESETSTAT")
    send(a, "BLMOVE", "src", "str", "LEFT", "LEFT", 0)
    wait_blocked(c, 1)
    c("RPUSH", "src", "a")
    assert a.read() == WRONGTYPE
    text = c("INFO", "commandstats").decode()
    assert "cmdstat_blmove:calls=1," in text
    assert "failed_calls=1" in [ln for ln in text.split("\r\n") if "blmove" in ln][0]


def test_slowlog_logs_blocked_command_when_served(c, conns):
    a = conns()
    c("CONFIG", "SET", "slowlog-log-slower-than", 0)
    try:
        c("SLOWLOG", "RESET")
        send(a, "BLPOP", "k", 0)
        wait_blocked(c, 1)
        assert all(e[3][0].lower() != b"blpop" for e in c("SLOWLOG", "GET", 100))
        c("RPUSH", "k", "v")
        assert a.read() == [b"k", b"v"]
        names = [e[3] for e in c("SLOWLOG", "GET", 100)]
        assert [b"BLPOP", b"k", b"0"] in names
        assert names.index([b"BLPOP", b"k", b"0"]) < names.index([b"RPUSH", b"k", b"v"])
    finally:
        c("CONFIG", "SET", "slowlog-log-slower-than", 10000)


def test_monitor_shows_blocking_command_once(server, c, conns):
    mon = conns()
    assert mon("MONITOR") == "OK"
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    c("RPUSH", "k", "v")
    assert a.read() == [b"k", b"v"]
    c("PING")
    lines = []
    while True:
        line = mon.read()
        lines.append(line)
        if '"PING"' in line:
            break
    blpop = [ln for ln in lines if '"BLPOP"' in ln]
    assert len(blpop) == 1 and blpop[0].endswith('"BLPOP" "k" "0"')
    assert lines.index(blpop[0]) < [i for i, ln in enumerate(lines) if '"RPUSH"' in ln][0]


def test_client_list_flags_and_cmd(c, conns):
    a = conns()
    send(a, "BLPOP", "k1", "k2", 0)
    wait_blocked(c, 1)
    line = [ln for ln in c("CLIENT", "LIST").decode().splitlines() if " flags=b " in ln][0]
    fields = dict(kv.split("=", 1) for kv in line.split(" "))
    assert fields["cmd"] == "blpop"
    assert fields["argv-mem"] == "10"
    c("RPUSH", "k1", "v")
    assert a.read() == [b"k1", b"v"]
    assert blocked_count(c) == 0


def test_info_blocked_clients(c, conns):
    def info_clients():
        text = c("INFO", "clients").decode()
        return dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)

    a, b = conns(), conns()
    send(a, "BLPOP", "k", 0)
    send(b, "BLPOP", "k", 100)
    wait_blocked(c, 2)
    f = info_clients()
    assert (f["blocked_clients"], f["clients_in_timeout_table"]) == ("2", "1")
    c("RPUSH", "k", "1", "2")
    assert a.read() == [b"k", b"1"] and b.read() == [b"k", b"2"]
    f = info_clients()
    assert (f["blocked_clients"], f["clients_in_timeout_table"]) == ("0", "0")


# ---------------------------------------------------------------- blocking: the client's input

def test_pipelined_commands_wait_for_the_blocked_one(c, conns):
    a = conns()
    from util import _encode
    a.send(_encode(["BLPOP", "k", 0]) + _encode(["PING"]) + _encode(["ECHO", "after"]) +
           _encode(["BLPOP", "k", 0]) + _encode(["ECHO", "last"]))
    wait_blocked(c, 1)
    assert no_reply(a, 0.1)
    c("RPUSH", "k", "1")
    assert a.read() == [b"k", b"1"]
    assert a.read() == "PONG"
    assert a.read() == b"after"
    wait_blocked(c, 1)
    assert no_reply(a, 0.05)
    c("RPUSH", "k", "2")
    assert a.read() == [b"k", b"2"]
    assert a.read() == b"last"


def test_pipelined_commands_after_timeout_and_unblock(c, conns):
    a = conns()
    aid = a("CLIENT", "ID")
    from util import _encode
    a.send(_encode(["BLPOP", "k", 0.1]) + _encode(["ECHO", "x"]))
    assert a.read() is None
    assert a.read() == b"x"
    a.send(_encode(["BLPOP", "k", 0]) + _encode(["ECHO", "y"]))
    wait_blocked(c, 1)
    c("CLIENT", "UNBLOCK", aid)
    assert a.read() is None
    assert a.read() == b"y"


def test_input_sent_while_blocked_runs_afterwards(c, conns):
    a = conns()
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    send(a, "RPUSH", "k", "mine")  # arrives while blocked: must not run (it would serve a)
    send(a, "ECHO", "z")
    assert no_reply(a, 0.1)
    assert c("LLEN", "k") == 0
    c("RPUSH", "k", "theirs")
    assert a.read() == [b"k", b"theirs"]
    assert a.read() == 1
    assert a.read() == b"z"
    assert lrange(c, "k") == bl("mine")


def test_disconnect_while_blocked_cleans_up(server, c):
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n")
        wait_blocked(c, 1)
        s.close()
        wait_blocked(c, 0)
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$2\r\n10\r\n")
    wait_blocked(c, 1)
    s.close()
    wait_blocked(c, 0)
    assert c("RPUSH", "k", "v") == 1
    assert lrange(c, "k") == bl("v")


def test_killed_blocked_client(c, conns):
    a = conns()
    aid = a("CLIENT", "ID")
    send(a, "BLPOP", "k", 0)
    wait_blocked(c, 1)
    assert c("CLIENT", "KILL", "ID", aid) == 1
    wait_blocked(c, 0)
    c("RPUSH", "k", "v")
    assert lrange(c, "k") == bl("v")
