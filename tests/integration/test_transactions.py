"""Transactions: MULTI/EXEC/DISCARD and optimistic locking with WATCH/UNWATCH.

Every expectation here was checked against Redis 7.0 (KVIK_SERVER=/usr/bin/redis-server).
Facts worth knowing when reading the tests:
- A command refused while queueing (unknown command, unknown subcommand, wrong arity)
  poisons the transaction: EXEC answers EXECABORT and discards it. Errors raised by the
  commands themselves when EXEC runs them (WRONGTYPE, not an integer, syntax) are just
  entries of EXEC's reply; the other commands still run. Nested MULTI and WATCH inside
  MULTI are errors of their own and do not poison the transaction.
- A refused EXEC (wrong arity, NOAUTH) answers "EXECABORT Transaction discarded because
  of: <reason>", even outside MULTI, and drops the transaction and the watches.
- An aborted WATCH transaction answers a null array: *-1 in RESP2, _ in RESP3.
- WATCH is about changes: a write that does not write (SET NX on an existing key, GETEX
  without options, PERSIST of a key without TTL, SETRANGE with an empty string) does not
  abort, while APPEND of an empty string does (Redis signals it whatever it appends).
- Expiry: a key that was live at WATCH and has expired by EXEC aborts the transaction even
  if nothing deleted it yet. A key that had already expired when WATCH ran (but was still
  in memory) is treated as missing: its later deletion is no change.
- MONITOR shows MULTI when it runs, the queued commands when EXEC runs them, then EXEC.
"""
import asyncio
import re
import threading
import time

import pytest
import redis
import redis.asyncio as aioredis

from helpers import debug_server, parse_client_line  # noqa: F401 (fixture)
from resp3 import Error, Map, Resp3
from util import NOT_INT, WRONGTYPE, Err, Raw, arity, make_list

EXECABORT = Err("EXECABORT Transaction discarded because of previous errors.")
EXEC_WITHOUT_MULTI = Err("ERR EXEC without MULTI")
DISCARD_WITHOUT_MULTI = Err("ERR DISCARD without MULTI")
NESTED = Err("ERR MULTI calls can not be nested")
WATCH_IN_MULTI = Err("ERR WATCH inside MULTI is not allowed")
EXEC_REFUSED_ARITY = Err("EXECABORT Transaction discarded because of: wrong number of "
                         "arguments for 'exec' command")


@pytest.fixture
def a(server, r):
    """The transaction's client: a raw connection on a flushed server (r flushes)."""
    conn = Raw(server)
    yield conn
    conn.close()


@pytest.fixture
def b(server, r):
    """Another client, the one whose writes should (or should not) abort a's EXEC."""
    conn = Raw(server)
    yield conn
    conn.close()


def tx(conn, *cmds):
    """MULTI, queue cmds (each must answer QUEUED), EXEC; returns EXEC's reply."""
    assert conn("MULTI") == "OK"
    for cmd in cmds:
        assert conn(*cmd) == "QUEUED", cmd
    return conn("EXEC")


def run(conn, cmds):
    for cmd in cmds:
        reply = conn(*cmd)
        assert not isinstance(reply, Err) or reply.startswith("WRONGTYPE") \
            or reply == NOT_INT, (cmd, reply)


# ---------------------------------------------------------------- MULTI / EXEC basics

def test_queued_and_exec_exact_bytes(server, r):
    with Resp3(server.port) as c:
        assert c.call_raw("MULTI") == b"+OK\r\n"
        assert c.call_raw("SET", "k", "v") == b"+QUEUED\r\n"
        assert c.call_raw("GET", "k") == b"+QUEUED\r\n"
        assert c.call_raw("INCR", "n") == b"+QUEUED\r\n"
        assert c.call_raw("GET", "missing") == b"+QUEUED\r\n"
        assert c.call_raw("EXEC") == b"*4\r\n+OK\r\n$1\r\nv\r\n:1\r\n$-1\r\n"


def test_commands_run_only_at_exec(a, b):
    assert a("MULTI") == "OK"
    assert a("SET", "k", "v") == "QUEUED"
    assert b("GET", "k") is None
    assert a("EXEC") == ["OK"]
    assert b("GET", "k") == b"v"


def test_empty_transaction(a):
    assert tx(a) == []


def test_exec_runtime_errors_do_not_abort_the_rest(a):
    a("SET", "s", "abc")
    reply = tx(a,
               ("SET", "k", "1"),
               ("INCR", "s"),                 # not an integer: error entry
               ("INCR", "k"),
               ("INCRBYFLOAT", "s", "1"),     # not a float
               ("SET", "k2", "v", "EX", "0"),  # invalid expire time, caught at run time
               ("SET", "x", "1", "NX", "XX"),  # syntax error, caught at run time
               ("APPEND", "k", "0"),
               ("GET", "k"))
    assert reply == ["OK", NOT_INT, 2, Err("ERR value is not a valid float"),
                     Err("ERR invalid expire time in 'set' command"), Err("ERR syntax error"),
                     2, b"20"]
    assert a("GET", "k") == b"20"
    assert a("EXISTS", "k2", "x") == 0


def test_exec_mixed_results_exact_bytes(server, r):
    with Resp3(server.port) as c:
        c.call("SET", "s", "abc")
        c.call("MULTI")
        for cmd in (("SET", "k", "1"), ("INCR", "s"), ("INCRBY", "k", "5"), ("GET", "nokey"),
                    ("DEL", "k", "s"), ("GET", "s")):
            assert c.call(*cmd) == "QUEUED"
        assert c.call_raw("EXEC") == (
            b"*6\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:6\r\n$-1\r\n"
            b":2\r\n$-1\r\n")


def test_exec_wrongtype_does_not_abort(a, r):
    make_list(r, "l", "x")
    assert tx(a, ("SET", "k", "1"), ("GET", "l"), ("INCR", "l"), ("INCR", "k")) == \
        ["OK", WRONGTYPE, WRONGTYPE, 2]


def test_select_inside_transaction(a, b):
    assert tx(a, ("SELECT", "3"), ("SET", "k", "v")) == ["OK", "OK"]
    assert a("GET", "k") == b"v"          # the client stays in the db it selected
    assert b("GET", "k") is None
    assert b("SELECT", "3") == "OK" and b("GET", "k") == b"v"


def test_pipelined_transaction_in_one_write(server, r):
    with Resp3(server.port) as c:
        c.send_raw(b"".join(
            b"*%d\r\n" % len(cmd) + b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in cmd)
            for cmd in ([b"MULTI"], [b"SET", b"k", b"1"], [b"INCR", b"k"], [b"EXEC"],
                        [b"GET", b"k"])))
        got = b"".join(c.read_raw() for _ in range(5))
        assert got == b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n$1\r\n2\r\n"


# ---------------------------------------------------------------- errors while queueing

def test_execabort_after_unknown_command(a):
    assert a("MULTI") == "OK"
    assert a("SET", "k", "v") == "QUEUED"
    assert a("NOSUCHCMD", "a", "b") == \
        Err("ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' 'b' ")
    assert a("SET", "k2", "v") == "QUEUED"          # still queueing after the error
    assert a("EXEC") == EXECABORT
    assert a("EXISTS", "k", "k2") == 0              # nothing ran
    assert a("EXEC") == EXEC_WITHOUT_MULTI          # and the transaction is gone


def test_execabort_after_wrong_arity(a):
    assert a("MULTI") == "OK"
    assert a("SET", "k", "v") == "QUEUED"
    assert a("SET", "k") == arity("set")
    assert a("GET") == arity("get")
    assert a("EXEC") == EXECABORT
    assert a("EXISTS", "k") == 0


def test_execabort_exact_bytes(server, r):
    with Resp3(server.port) as c:
        c.call("MULTI")
        assert c.call_raw("INCR") == b"-ERR wrong number of arguments for 'incr' command\r\n"
        assert c.call_raw("EXEC") == \
            b"-EXECABORT Transaction discarded because of previous errors.\r\n"


def test_execabort_after_unknown_subcommand(a):
    assert a("MULTI") == "OK"
    assert a("CLIENT", "NOSUCHSUB") == Err("ERR unknown subcommand 'NOSUCHSUB'. Try CLIENT HELP.")
    assert a("EXEC") == EXECABORT


def test_execabort_takes_precedence_over_watch(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    b("SET", "k", "2")
    assert a("MULTI") == "OK"
    assert a("NOSUCHCMD") == Err("ERR unknown command 'NOSUCHCMD', with args beginning with: ")
    assert a("EXEC") == EXECABORT


def test_execabort_unwatches(a, b):
    a("WATCH", "k")
    assert a("MULTI") == "OK"
    a("NOSUCHCMD")
    assert a("EXEC") == EXECABORT
    b("SET", "k", "x")
    assert tx(a, ("PING",)) == ["PONG"]


def test_nested_multi_is_an_error_but_does_not_abort(a):
    assert a("MULTI") == "OK"
    assert a("SET", "k", "1") == "QUEUED"
    assert a("MULTI") == NESTED
    assert a("INCR", "k") == "QUEUED"
    assert a("EXEC") == ["OK", 2]


def test_watch_inside_multi_is_an_error_but_does_not_abort(a):
    assert a("MULTI") == "OK"
    assert a("WATCH", "k") == WATCH_IN_MULTI
    assert a("SET", "k", "1") == "QUEUED"
    assert a("EXEC") == ["OK"]


def test_exec_and_discard_without_multi(a):
    assert a("EXEC") == EXEC_WITHOUT_MULTI
    assert a("DISCARD") == DISCARD_WITHOUT_MULTI
    assert a("PING") == "PONG"           # not in MULTI: runs at once


def test_unwatch_is_queued_inside_multi(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert a("MULTI") == "OK"
    assert a("UNWATCH") == "QUEUED"      # runs at EXEC: too late to save this one
    b("SET", "k", "2")
    assert a("EXEC") is None


# ---------------------------------------------------------------- DISCARD

def test_discard_clears_queue(a):
    assert a("MULTI") == "OK"
    assert a("SET", "k", "v") == "QUEUED"
    assert a("DISCARD") == "OK"
    assert a("GET", "k") is None           # runs at once again: not queued
    assert a("EXEC") == EXEC_WITHOUT_MULTI
    assert tx(a, ("SET", "k", "w")) == ["OK"]
    assert a("GET", "k") == b"w"


def test_discard_unwatches(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert a("MULTI") == "OK"
    assert a("DISCARD") == "OK"
    b("SET", "k", "2")
    assert tx(a, ("GET", "k")) == [b"2"]


def test_discard_after_queueing_error(a):
    assert a("MULTI") == "OK"
    a("NOSUCHCMD")
    assert a("DISCARD") == "OK"
    assert tx(a, ("PING",)) == ["PONG"]   # the error does not carry over


# ---------------------------------------------------------------- WATCH: writes that abort

# (id, setup run by b, watched key, db a watches in, write run by b)
ABORTING = [
    ("set", [("SET", "k", "1")], "k", 0, [("SET", "k", "2")]),
    ("set-same-value", [("SET", "k", "1")], "k", 0, [("SET", "k", "1")]),
    ("set-xx", [("SET", "k", "1")], "k", 0, [("SET", "k", "2", "XX")]),
    ("set-nx-creates", [], "k", 0, [("SET", "k", "2", "NX")]),
    ("set-keepttl", [("SET", "k", "1", "EX", "100")], "k", 0, [("SET", "k", "2", "KEEPTTL")]),
    ("set-get", [("SET", "k", "1")], "k", 0, [("SET", "k", "2", "GET")]),
    ("setnx-creates", [], "k", 0, [("SETNX", "k", "2")]),
    ("setex", [("SET", "k", "1")], "k", 0, [("SETEX", "k", "100", "2")]),
    ("psetex", [], "k", 0, [("PSETEX", "k", "100000", "2")]),
    ("getset", [("SET", "k", "1")], "k", 0, [("GETSET", "k", "2")]),
    ("del", [("SET", "k", "1")], "k", 0, [("DEL", "k")]),
    ("unlink", [("SET", "k", "1")], "k", 0, [("UNLINK", "k")]),
    ("incr", [("SET", "k", "1")], "k", 0, [("INCR", "k")]),
    ("incr-creates", [], "k", 0, [("INCR", "k")]),
    ("incrby-zero", [("SET", "k", "1")], "k", 0, [("INCRBY", "k", "0")]),
    ("decr", [("SET", "k", "1")], "k", 0, [("DECR", "k")]),
    ("decrby", [("SET", "k", "1")], "k", 0, [("DECRBY", "k", "5")]),
    ("incrbyfloat", [("SET", "k", "1")], "k", 0, [("INCRBYFLOAT", "k", "0.5")]),
    ("append", [("SET", "k", "1")], "k", 0, [("APPEND", "k", "x")]),
    ("append-empty", [("SET", "k", "1")], "k", 0, [("APPEND", "k", "")]),
    ("append-creates", [], "k", 0, [("APPEND", "k", "x")]),
    ("setrange", [("SET", "k", "hello")], "k", 0, [("SETRANGE", "k", "0", "J")]),
    ("setrange-grows", [("SET", "k", "hello")], "k", 0, [("SETRANGE", "k", "10", "x")]),
    ("setrange-creates", [], "k", 0, [("SETRANGE", "k", "2", "x")]),
    ("expire", [("SET", "k", "1")], "k", 0, [("EXPIRE", "k", "100")]),
    ("pexpire", [("SET", "k", "1")], "k", 0, [("PEXPIRE", "k", "100000")]),
    ("expireat", [("SET", "k", "1")], "k", 0, [("EXPIREAT", "k", "4000000000")]),
    ("expire-xx", [("SET", "k", "1", "EX", "100")], "k", 0, [("EXPIRE", "k", "200", "XX")]),
    ("expire-in-past-deletes", [("SET", "k", "1")], "k", 0, [("EXPIRE", "k", "-1")]),
    ("persist", [("SET", "k", "1", "EX", "100")], "k", 0, [("PERSIST", "k")]),
    ("rename-source", [("SET", "k", "1")], "k", 0, [("RENAME", "k", "other")]),
    ("rename-destination", [("SET", "src", "1")], "k", 0, [("RENAME", "src", "k")]),
    ("rename-destination-existing", [("SET", "src", "1"), ("SET", "k", "2")], "k", 0,
     [("RENAME", "src", "k")]),
    ("renamenx-source", [("SET", "k", "1")], "k", 0, [("RENAMENX", "k", "other")]),
    ("renamenx-destination", [("SET", "src", "1")], "k", 0, [("RENAMENX", "src", "k")]),
    ("move-source", [("SET", "k", "1")], "k", 0, [("MOVE", "k", "1")]),
    ("move-destination", [("SET", "k", "1")], "k", 1, [("MOVE", "k", "1")]),
    ("copy-destination", [("SET", "src", "1")], "k", 0, [("COPY", "src", "k")]),
    ("copy-replace", [("SET", "src", "1"), ("SET", "k", "2")], "k", 0,
     [("COPY", "src", "k", "REPLACE")]),
    ("copy-other-db", [("SET", "src", "1")], "k", 1, [("COPY", "src", "k", "DB", "1")]),
    ("getdel", [("SET", "k", "1")], "k", 0, [("GETDEL", "k")]),
    ("getex-ex", [("SET", "k", "1")], "k", 0, [("GETEX", "k", "EX", "100")]),
    ("getex-px", [("SET", "k", "1")], "k", 0, [("GETEX", "k", "PX", "100000")]),
    ("getex-exat", [("SET", "k", "1")], "k", 0, [("GETEX", "k", "EXAT", "4000000000")]),
    ("getex-pxat-past-deletes", [("SET", "k", "1")], "k", 0, [("GETEX", "k", "PXAT", "1")]),
    ("getex-persist", [("SET", "k", "1", "EX", "100")], "k", 0, [("GETEX", "k", "PERSIST")]),
    ("mset", [], "k", 0, [("MSET", "a", "1", "k", "2")]),
    ("msetnx", [], "k", 0, [("MSETNX", "a", "1", "k", "2")]),
    ("flushdb", [("SET", "k", "1")], "k", 0, [("FLUSHDB",)]),
    ("flushdb-async", [("SET", "k", "1")], "k", 0, [("FLUSHDB", "ASYNC")]),
    ("flushall", [("SET", "k", "1")], "k", 0, [("FLUSHALL",)]),
    ("flushall-other-db", [("SELECT", "1"), ("SET", "k", "1"), ("SELECT", "0")], "k", 1,
     [("FLUSHALL",)]),
    ("swapdb-key-in-watched-db", [("SET", "k", "1")], "k", 0, [("SWAPDB", "0", "1")]),
    ("swapdb-key-in-other-db", [("SELECT", "1"), ("SET", "k", "1"), ("SELECT", "0")], "k", 0,
     [("SWAPDB", "0", "1")]),
    ("swapdb-reversed", [("SET", "k", "1")], "k", 0, [("SWAPDB", "1", "0")]),
]

# Commands that read, fail, or change nothing: the transaction goes through.
NOT_ABORTING = [
    ("get", [("SET", "k", "1")], "k", 0, [("GET", "k")]),
    ("reads", [("SET", "k", "1", "EX", "100")], "k", 0,
     [("EXISTS", "k"), ("TTL", "k"), ("TYPE", "k"), ("STRLEN", "k"), ("GETRANGE", "k", "0", "-1"),
      ("MGET", "k"), ("TOUCH", "k"), ("OBJECT", "ENCODING", "k"), ("KEYS", "*"),
      ("SCAN", "0"), ("RANDOMKEY",), ("DBSIZE",)]),
    ("set-nx-existing", [("SET", "k", "1")], "k", 0, [("SET", "k", "2", "NX")]),
    ("setnx-existing", [("SET", "k", "1")], "k", 0, [("SETNX", "k", "2")]),
    ("set-xx-missing", [], "k", 0, [("SET", "k", "2", "XX")]),
    ("msetnx-fails", [("SET", "a", "1")], "k", 0, [("MSETNX", "a", "2", "k", "2")]),
    ("getex-no-options", [("SET", "k", "1", "EX", "100")], "k", 0, [("GETEX", "k")]),
    ("getex-persist-without-ttl", [("SET", "k", "1")], "k", 0, [("GETEX", "k", "PERSIST")]),
    ("persist-without-ttl", [("SET", "k", "1")], "k", 0, [("PERSIST", "k")]),
    ("expire-nx-refused", [("SET", "k", "1", "EX", "100")], "k", 0,
     [("EXPIRE", "k", "200", "NX")]),
    ("expire-missing", [], "k", 0, [("EXPIRE", "k", "100")]),
    ("setrange-empty", [("SET", "k", "1")], "k", 0, [("SETRANGE", "k", "0", "")]),
    ("setrange-empty-missing", [], "k", 0, [("SETRANGE", "k", "0", "")]),
    ("incr-not-integer", [("SET", "k", "abc")], "k", 0, [("INCR", "k")]),
    ("del-missing", [], "k", 0, [("DEL", "k")]),
    ("getdel-missing", [], "k", 0, [("GETDEL", "k")]),
    ("rename-same-key", [("SET", "k", "1")], "k", 0, [("RENAME", "k", "k")]),
    ("renamenx-destination-exists", [("SET", "src", "1"), ("SET", "k", "2")], "k", 0,
     [("RENAMENX", "src", "k")]),
    ("copy-destination-exists", [("SET", "src", "1"), ("SET", "k", "2")], "k", 0,
     [("COPY", "src", "k")]),
    ("move-destination-occupied", [("SET", "k", "1"), ("SELECT", "1"), ("SET", "k", "2"),
                                   ("SELECT", "0")], "k", 0, [("MOVE", "k", "1")]),
    ("other-key", [("SET", "k", "1")], "k", 0, [("SET", "other", "1"), ("DEL", "other")]),
    ("same-name-other-db", [("SET", "k", "1")], "k", 0,
     [("SELECT", "1"), ("SET", "k", "2"), ("INCR", "k"), ("DEL", "k"), ("SELECT", "0")]),
    ("flushdb-other-db", [("SELECT", "1"), ("SET", "k", "1")], "k", 0, [("FLUSHDB",)]),
    ("flushall-key-missing", [("SET", "other", "1")], "k", 0, [("FLUSHALL",)]),
    ("swapdb-key-in-neither", [("SET", "other", "1")], "k", 0, [("SWAPDB", "0", "1")]),
    ("swapdb-other-dbs", [("SELECT", "2"), ("SET", "k", "1")], "k", 0, [("SWAPDB", "2", "3")]),
    ("swapdb-same-db", [("SET", "k", "1")], "k", 0, [("SWAPDB", "0", "0")]),
]


def _ids(cases):
    return [case[0] for case in cases]


def watch_then(a, b, setup, key, dbid, write):
    run(b, setup)
    b("SELECT", "0")
    a("SELECT", str(dbid))
    assert a("WATCH", key) == "OK"
    run(b, write)
    return tx(a, ("PING",))


@pytest.mark.parametrize("name,setup,key,dbid,write", ABORTING, ids=_ids(ABORTING))
def test_watch_aborts_on_write(a, b, name, setup, key, dbid, write):
    assert watch_then(a, b, setup, key, dbid, write) is None


@pytest.mark.parametrize("name,setup,key,dbid,write", NOT_ABORTING, ids=_ids(NOT_ABORTING))
def test_watch_survives_non_write(a, b, name, setup, key, dbid, write):
    assert watch_then(a, b, setup, key, dbid, write) == ["PONG"]


def test_watch_unchanged_key(a):
    a("SET", "k", "1")
    assert a("WATCH", "k") == "OK"
    assert a("GET", "k") == b"1"
    assert tx(a, ("INCR", "k")) == [2]


def test_watch_abort_resp2_null_bytes(server, r):
    with Resp3(server.port) as c, Resp3(server.port) as other:
        c.call("SET", "k", "1")
        assert c.call_raw("WATCH", "k") == b"+OK\r\n"
        other.call("SET", "k", "2")
        c.call("MULTI")
        c.call("SET", "k", "3")
        assert c.call_raw("EXEC") == b"*-1\r\n"
        assert c.call("GET", "k") == b"2"        # the queued SET did not run


def test_watch_abort_resp3_null_bytes(server, r):
    with Resp3(server.port) as c, Resp3(server.port) as other:
        c.hello(3)
        c.call("SET", "k", "1")
        c.call("WATCH", "k")
        other.call("SET", "k", "2")
        assert c.call_raw("MULTI") == b"+OK\r\n"
        assert c.call_raw("SET", "k", "3") == b"+QUEUED\r\n"
        assert c.call_raw("EXEC") == b"_\r\n"


def test_watch_abort_with_empty_queue(a, b):
    a("WATCH", "k")
    b("SET", "k", "1")
    assert tx(a) is None


def test_watch_missing_key_then_created(a, b):
    assert a("WATCH", "k") == "OK"
    b("SET", "k", "1")
    assert tx(a, ("SET", "k", "2")) is None
    assert a("GET", "k") == b"1"


def test_watch_missing_key_stays_missing(a, b):
    assert a("WATCH", "k") == "OK"
    b("SET", "k2", "1")
    assert tx(a, ("SET", "k", "2")) == ["OK"]


def test_watch_missing_key_created_and_deleted(a, b):
    a("WATCH", "k")
    b("SET", "k", "1")
    b("DEL", "k")                       # back to missing, but it changed twice
    assert tx(a, ("PING",)) is None


def test_own_write_after_watch_aborts(a):
    a("SET", "k", "1")
    a("WATCH", "k")
    a("SET", "k", "2")
    assert tx(a, ("SET", "k", "3")) is None
    assert a("GET", "k") == b"2"


def test_own_write_inside_transaction_does_not_abort(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert tx(a, ("INCR", "k"), ("INCR", "k")) == [2, 3]
    assert tx(a, ("INCR", "k")) == [4]


def test_watch_several_keys_one_changed(a, b):
    a("MSET", "x", "1", "y", "2")
    assert a("WATCH", "x", "y", "missing") == "OK"
    assert a("WATCH", "z", "x") == "OK"            # cumulative, duplicates are fine
    b("SET", "z", "9")
    assert tx(a, ("PING",)) is None


def test_watch_several_keys_none_changed(a, b):
    a("MSET", "x", "1", "y", "2")
    a("WATCH", "x", "y", "missing", "x")
    b("SET", "unrelated", "1")
    assert tx(a, ("GET", "x")) == [b"1"]


def test_unwatch_clears(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert a("UNWATCH") == "OK"
    b("SET", "k", "2")
    assert tx(a, ("GET", "k")) == [b"2"]


def test_unwatch_clears_an_already_dirty_watch(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    b("SET", "k", "2")
    assert a("UNWATCH") == "OK"
    assert tx(a, ("PING",)) == ["PONG"]


def test_unwatch_without_watch(a):
    assert a("UNWATCH") == "OK"


def test_dirty_watch_survives_further_watch(a, b):
    a("WATCH", "k")
    b("SET", "k", "1")
    a("WATCH", "other")                 # a new WATCH does not forgive the first one
    assert tx(a, ("PING",)) is None


def test_exec_unwatches(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert tx(a, ("GET", "k")) == [b"1"]
    b("SET", "k", "2")                  # after EXEC: not watched any more
    assert tx(a, ("GET", "k")) == [b"2"]


def test_aborted_exec_unwatches(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    b("SET", "k", "2")
    assert tx(a, ("GET", "k")) is None
    b("SET", "k", "3")
    assert tx(a, ("GET", "k")) == [b"3"]


def test_watch_other_db_write_does_not_abort(a, b):
    a("SELECT", "1")
    a("SET", "k", "1")
    a("WATCH", "k")
    b("SET", "k", "x")                  # db 0
    b("DEL", "k")
    assert tx(a, ("GET", "k")) == [b"1"]


def test_watch_stays_on_its_db_after_select(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")                     # db 0
    a("SELECT", "1")
    b("SELECT", "1")
    b("SET", "k", "x")                  # db 1: not the watched key
    assert tx(a, ("PING",)) == ["PONG"]
    a("SELECT", "0")
    a("WATCH", "k")
    a("SELECT", "1")
    b("SELECT", "0")
    b("SET", "k", "y")                  # db 0: the watched key
    assert tx(a, ("PING",)) is None


def test_same_key_watched_in_two_dbs(a, b):
    a("WATCH", "k")
    a("SELECT", "1")
    a("WATCH", "k")
    b("SELECT", "1")
    b("SET", "k", "1")
    assert tx(a, ("PING",)) is None


def test_many_watchers_all_abort(server, r):
    clients = [Raw(server) for _ in range(5)]
    try:
        r.set("k", "1")
        for c in clients:
            assert c("WATCH", "k") == "OK"
        r.set("k", "2")
        for c in clients:
            assert tx(c, ("PING",)) is None
    finally:
        for c in clients:
            c.close()


def test_watcher_disconnect_leaves_others_watching(server, r):
    c1, c2 = Raw(server), Raw(server)
    try:
        c1("WATCH", "k")
        c2("WATCH", "k")
        c1.close()
        r.set("k", "1")
        assert tx(c2, ("PING",)) is None
    finally:
        c2.close()


# ---------------------------------------------------------------- WATCH and expiry

def test_watched_key_expires_before_exec(a):
    a("SET", "k", "1")
    a("PEXPIRE", "k", "50")
    assert a("WATCH", "k") == "OK"
    time.sleep(0.2)
    assert tx(a, ("PING",)) is None


def test_watched_key_with_distant_ttl(a):
    a("SET", "k", "1", "EX", "100")
    a("WATCH", "k")
    assert tx(a, ("PING",)) == ["PONG"]


@pytest.fixture
def dbg(debug_server):
    """Raw clients on a server with DEBUG enabled and active expiry switched off, so that
    expired keys stay in memory until something touches them."""
    c = Raw(debug_server)
    other = Raw(debug_server)
    c("FLUSHALL")
    assert c("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
    yield c, other
    c("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    c.close()
    other.close()


def test_live_key_expires_untouched_aborts(dbg):
    c, _ = dbg
    c("SET", "k", "1", "PX", "50")
    c("WATCH", "k")
    time.sleep(0.15)
    assert c("DBSIZE") == 1             # still in memory
    assert tx(c, ("PING",)) is None


def test_live_key_expires_and_is_deleted_by_a_read_aborts(dbg):
    c, other = dbg
    c("SET", "k", "1", "PX", "50")
    c("WATCH", "k")
    time.sleep(0.15)
    assert other("GET", "k") is None
    assert tx(c, ("PING",)) is None


def test_already_expired_key_counts_as_missing(dbg):
    c, _ = dbg
    c("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    assert c("DBSIZE") == 1
    assert c("WATCH", "k") == "OK"
    assert tx(c, ("PING",)) == ["PONG"]


def test_already_expired_key_deleted_by_a_read_is_no_change(dbg):
    c, other = dbg
    c("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    c("WATCH", "k")
    assert other("GET", "k") is None     # lazy expiry deletes it now
    assert other("DBSIZE") == 0
    assert tx(c, ("PING",)) == ["PONG"]


def test_already_expired_key_flushed_is_no_change(dbg):
    c, other = dbg
    c("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    c("WATCH", "k")
    other("FLUSHDB")
    assert tx(c, ("PING",)) == ["PONG"]


def test_already_expired_key_then_written_aborts(dbg):
    c, other = dbg
    c("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    c("WATCH", "k")
    other("SET", "k", "2")
    assert tx(c, ("PING",)) is None


def test_already_expired_key_rewatched_by_other_client(dbg):
    """One client watches the key while live, another after it expired; a read deletes
    it: only the first aborts."""
    c, other = dbg
    c("SET", "k", "1", "PX", "100")
    c("WATCH", "k")
    time.sleep(0.2)
    other("WATCH", "k")
    assert c("GET", "k") is None   # c's own read: lazy deletion
    assert tx(other, ("PING",)) == ["PONG"]
    assert tx(c, ("PING",)) is None


def test_already_expired_key_reclaimed_by_active_expiry_is_no_change(dbg):
    c, other = dbg
    c("SET", "k", "1", "PX", "1")
    time.sleep(0.05)
    c("WATCH", "k")
    other("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    deadline = time.time() + 5
    while other("DBSIZE") and time.time() < deadline:
        time.sleep(0.05)
    assert other("DBSIZE") == 0
    assert tx(c, ("PING",)) == ["PONG"]


def expired_in(conn, dbid, key):
    """Leaves an expired (still in memory) key in db dbid; conn ends in db 0."""
    conn("SELECT", str(dbid))
    conn("SET", key, "old", "PX", "1")
    time.sleep(0.05)
    conn("SELECT", "0")


def test_swapdb_brings_expired_key_over_missing_one(dbg):
    c, other = dbg
    expired_in(other, 1, "k")
    c("WATCH", "k")                     # missing in db 0
    other("SWAPDB", "0", "1")           # db 0 now holds an expired k: still missing
    assert tx(c, ("PING",)) == ["PONG"]


def test_swapdb_takes_away_already_expired_key(dbg):
    c, other = dbg
    expired_in(other, 0, "k")
    c("WATCH", "k")
    other("SWAPDB", "0", "1")           # db 1 had no k
    assert tx(c, ("PING",)) == ["PONG"]


def test_swapdb_replaces_already_expired_key_with_live_one(dbg):
    c, other = dbg
    expired_in(other, 0, "k")
    other("SELECT", "1")
    other("SET", "k", "new")
    c("WATCH", "k")
    other("SWAPDB", "0", "1")
    assert tx(c, ("PING",)) is None


def test_swapdb_replaces_live_key_with_expired_one(dbg):
    c, other = dbg
    expired_in(other, 1, "k")
    other("SET", "k", "live")
    c("WATCH", "k")
    other("SWAPDB", "0", "1")
    assert tx(c, ("PING",)) is None


# ---------------------------------------------------------------- concurrency and clients

def test_concurrent_watch_increments_are_exact(server, r):
    threads, per_thread = 4, 40
    retries = []
    errors = []

    def worker():
        cli = server.client()
        mine = 0
        try:
            for _ in range(per_thread):
                while True:
                    with cli.pipeline() as pipe:
                        try:
                            pipe.watch("counter")
                            v = int(pipe.get("counter") or 0)
                            pipe.multi()
                            pipe.set("counter", v + 1)
                            pipe.execute()
                            break
                        except redis.WatchError:
                            mine += 1
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            retries.append(mine)
            cli.close()

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert not errors
    assert int(r.get("counter")) == threads * per_thread


def test_concurrent_raw_cas_increments(server, r):
    """The same race through raw WATCH/GET/MULTI/SET/EXEC, checking each EXEC reply."""
    threads, per_thread = 3, 30

    def worker(out):
        c = Raw(server)
        try:
            done = 0
            while done < per_thread:
                c("WATCH", "n")
                v = int(c("GET", "n") or 0)
                reply = tx(c, ("SET", "n", str(v + 1)))
                assert reply in (None, ["OK"])
                done += reply is not None
            out.append(done)
        finally:
            c.close()

    out = []
    ts = [threading.Thread(target=worker, args=(out,)) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    assert out == [per_thread] * threads
    assert int(r.get("n")) == threads * per_thread


def test_redis_py_pipeline_transaction(r):
    r.set("s", "abc")
    with r.pipeline() as pipe:            # transaction=True is the default
        pipe.set("k", "1").incr("k").get("k").incr("s").get("missing")
        res = pipe.execute(raise_on_error=False)
    assert res[:3] == [True, 2, b"2"]
    assert isinstance(res[3], redis.ResponseError)
    assert "not an integer" in str(res[3])
    assert res[4] is None
    with r.pipeline() as pipe:
        pipe.set("k", "5").incr("s")
        with pytest.raises(redis.ResponseError):
            pipe.execute()
    assert r.get("k") == b"5"             # the rest of the transaction ran


def test_redis_py_pipeline_queueing_error(r):
    with r.pipeline() as pipe:
        pipe.set("k", "1")
        pipe.execute_command("NOSUCHCMD", "x")
        with pytest.raises(redis.ResponseError):
            pipe.execute()
    assert r.get("k") is None             # EXECABORT: nothing ran


def test_redis_py_watch_error(server, r):
    other = server.client()
    try:
        r.set("k", "1")
        with r.pipeline() as pipe:
            pipe.watch("k")
            assert pipe.get("k") == b"1"  # immediate mode while watching
            other.set("k", "2")
            pipe.multi()
            pipe.set("k", "3")
            with pytest.raises(redis.WatchError):
                pipe.execute()
        assert r.get("k") == b"2"
    finally:
        other.close()


def test_redis_py_transaction_helper_retries(server, r):
    other = server.client()
    calls = []
    try:
        r.set("k", "10")

        def double(pipe):
            v = int(pipe.get("k"))
            calls.append(v)
            if len(calls) == 1:
                other.set("k", "20")      # breaks the first attempt
            pipe.multi()
            pipe.set("k", v * 2)
            pipe.get("k")

        res = r.transaction(double, "k")
        assert calls == [10, 20]
        assert res == [True, b"40"]
        assert r.get("k") == b"40"
    finally:
        other.close()


def test_asyncio_pipeline(server, r):
    async def main():
        cli = aioredis.from_url(server.url())
        other = aioredis.from_url(server.url())
        try:
            async with cli.pipeline(transaction=True) as pipe:
                res = await pipe.set("k", "1").incr("k").get("k").execute()
            assert res == [True, 2, b"2"]
            async with cli.pipeline() as pipe:
                await pipe.watch("k")
                v = int(await pipe.get("k"))
                await other.set("k", "100")
                pipe.multi()
                pipe.set("k", v + 1)
                with pytest.raises(redis.WatchError):
                    await pipe.execute()
            assert await cli.get("k") == b"100"

            async def incr_loop(n):
                for _ in range(n):
                    while True:
                        async with cli.pipeline() as p:
                            try:
                                await p.watch("c")
                                v = int(await p.get("c") or 0)
                                p.multi()
                                p.set("c", v + 1)
                                await p.execute()
                                break
                            except redis.WatchError:
                                continue
            await asyncio.gather(*(incr_loop(25) for _ in range(4)))
            assert await cli.get("c") == b"100"
        finally:
            for c in (cli, other):
                await c.close()
                await c.connection_pool.disconnect()

    asyncio.run(main())


def client_line(b, name):
    for line in b("CLIENT", "LIST").decode().splitlines():
        fields = dict(parse_client_line(line))
        if fields.get("name") == name:
            return fields
    raise AssertionError("no client named %s" % name)


def test_client_list_while_queueing(a, b):
    a("CLIENT", "SETNAME", "txa")
    fields = client_line(b, "txa")
    assert fields["multi"] == "-1"
    assert "x" not in fields["flags"]
    a("MULTI")
    fields = client_line(b, "txa")
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("x", "0", "multi")
    a("SET", "k", "1")
    a("GET", "k")
    fields = client_line(b, "txa")
    assert (fields["flags"], fields["multi"]) == ("x", "2")
    assert fields["cmd"] == "get"         # the last command queued
    assert a("EXEC") == ["OK", b"1"]
    fields = client_line(b, "txa")
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("N", "-1", "exec")
    a("MULTI")
    a("PING")
    a("DISCARD")
    fields = client_line(b, "txa")
    assert (fields["flags"], fields["multi"], fields["cmd"]) == ("N", "-1", "discard")


def test_client_info_inside_exec(a):
    reply = tx(a, ("SET", "k", "1"), ("CLIENT", "INFO"))
    fields = dict(parse_client_line(reply[1]))
    assert fields["flags"] == "x"
    assert fields["multi"] == "2"
    assert fields["cmd"] == "exec"         # as Redis: the command the client sent


def test_reset_discards_multi_and_unwatches(a, b):
    a("SET", "k", "1")
    a("WATCH", "k")
    assert a("MULTI") == "OK"
    assert a("SET", "k", "2") == "QUEUED"
    assert a("RESET") == "RESET"
    assert a("EXEC") == EXEC_WITHOUT_MULTI
    assert a("GET", "k") == b"1"
    b("SET", "k", "3")                  # no longer watched
    assert tx(a, ("GET", "k")) == [b"3"]


def test_reset_clears_dirty_watch_and_queueing_error(a, b):
    a("WATCH", "k")
    b("SET", "k", "1")
    a("MULTI")
    a("NOSUCHCMD")
    assert a("RESET") == "RESET"
    assert tx(a, ("PING",)) == ["PONG"]


def test_quit_inside_multi(server, r):
    with Resp3(server.port) as c:
        c.call("MULTI")
        c.call("SET", "k", "1")
        assert c.call_raw("QUIT") == b"+OK\r\n"
        assert c.is_closed()
    assert r.get("k") is None


def test_watch_arity(a):
    assert a("WATCH") == arity("watch")
    assert a("UNWATCH", "x") == arity("unwatch")
    assert a("MULTI", "x") == arity("multi")
    assert a("DISCARD", "x") == arity("discard")
    assert a("EXEC", "x") == EXEC_REFUSED_ARITY     # even outside MULTI


def test_exec_wrong_arity_discards_transaction(a, b):
    """Redis answers a refused EXEC with an EXECABORT quoting the refusal and drops the
    transaction and the watches with it."""
    a("SET", "k", "1")
    a("WATCH", "k")
    assert a("MULTI") == "OK"
    assert a("SET", "k", "2") == "QUEUED"
    assert a("EXEC", "now") == EXEC_REFUSED_ARITY
    assert a("EXEC") == EXEC_WITHOUT_MULTI
    assert a("GET", "k") == b"1"
    b("SET", "k", "3")                  # unwatched too
    assert tx(a, ("PING",)) == ["PONG"]


def test_exec_refused_exact_bytes(server, r):
    with Resp3(server.port) as c:
        c.call("MULTI")
        assert c.call_raw("EXEC", "x", "y") == (
            b"-EXECABORT Transaction discarded because of: wrong number of arguments for "
            b"'exec' command\r\n")


def test_exec_without_auth(start_server):
    s = start_server("--requirepass", "pw")
    with Resp3(s.port) as c:
        assert c.call_raw("EXEC") == \
            b"-EXECABORT Transaction discarded because of: NOAUTH Authentication required.\r\n"
        assert c.call_raw("MULTI") == b"-NOAUTH Authentication required.\r\n"
        assert c.call("AUTH", "pw") == "OK"
        assert c.call("MULTI") == "OK"
        assert c.call_raw("EXEC") == b"*0\r\n"


# ---------------------------------------------------------------- RESP3

def test_resp3_transaction(server, r):
    with Resp3(server.port) as c:
        c.hello(3)
        c.call("SET", "s", "abc")
        assert c.call_raw("MULTI") == b"+OK\r\n"
        for cmd in (("SET", "k", "1"), ("INCR", "k"), ("GET", "missing"), ("INCR", "s"),
                    ("CONFIG", "GET", "maxmemory"), ("INCRBYFLOAT", "k", "0.5")):
            assert c.call_raw(*cmd) == b"+QUEUED\r\n"
        assert c.call_raw("EXEC") == (
            b"*6\r\n+OK\r\n:2\r\n_\r\n-ERR value is not an integer or out of range\r\n"
            b"%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$3\r\n2.5\r\n")


def test_resp3_errors(server, r):
    with Resp3(server.port) as c:
        c.hello(3)
        assert c.call("EXEC") == Error("ERR EXEC without MULTI")
        c.call("MULTI")
        assert c.call("MULTI") == Error("ERR MULTI calls can not be nested")
        assert c.call("GET") == Error("ERR wrong number of arguments for 'get' command")
        assert c.call("EXEC") == Error(EXECABORT)


def test_hello_inside_multi_switches_protocol_at_exec(server, r):
    with Resp3(server.port) as c:
        c.call("MULTI")
        assert c.call_raw("HELLO", "3") == b"+QUEUED\r\n"
        assert c.call_raw("GET", "missing") == b"+QUEUED\r\n"
        reply = c.call("EXEC")
        assert isinstance(reply[0], Map) and reply[0][b"proto"] == 3
        assert reply[1] is None
        assert c.call_raw("GET", "missing") == b"_\r\n"


# ---------------------------------------------------------------- MONITOR

MONITOR_LINE = re.compile(r"^\d+\.\d{6} \[(\d+) (127\.0\.0\.1:\d+)\] (.*)$")


def monitor_lines(m, n):
    out = []
    for _ in range(n):
        line = m.read()
        mt = MONITOR_LINE.match(line)
        assert mt, line
        out.append((mt.group(1), mt.group(2), mt.group(3)))
    return out


def test_monitor_shows_transaction_in_execution_order(server, r):
    with Resp3(server.port) as m, Resp3(server.port) as c, Resp3(server.port) as other:
        assert m.call("MONITOR") == "OK"
        caddr = "127.0.0.1:%d" % c.sock.getsockname()[1]
        oaddr = "127.0.0.1:%d" % other.sock.getsockname()[1]
        c.call("WATCH", "k")
        c.call("MULTI")
        c.call("SET", "k", "1")
        other.call("PING", "between")     # the queued SET is not shown yet
        c.call("INCR", "k")
        c.call("SELECT", "2")
        c.call("GET", "k")
        assert c.call("EXEC") == ["OK", 2, "OK", None]
        c.call("ECHO", "after")
        assert monitor_lines(m, 8) == [
            ("0", caddr, '"WATCH" "k"'),
            ("0", caddr, '"MULTI"'),
            ("0", oaddr, '"PING" "between"'),
            ("0", caddr, '"SET" "k" "1"'),
            ("0", caddr, '"INCR" "k"'),
            ("2", caddr, '"SELECT" "2"'),
            ("2", caddr, '"GET" "k"'),
            ("2", caddr, '"EXEC"'),
        ]
        assert monitor_lines(m, 1) == [("2", caddr, '"ECHO" "after"')]


def test_monitor_aborted_and_discarded_transactions(server, r):
    with Resp3(server.port) as m, Resp3(server.port) as c:
        m.call("MONITOR")
        caddr = "127.0.0.1:%d" % c.sock.getsockname()[1]
        c.call("MULTI")
        c.call("SET", "k")                # refused: not shown
        c.call("SET", "k", "1")
        c.call("EXEC")                    # EXECABORT
        c.call("MULTI")
        c.call("SET", "k", "1")
        c.call("DISCARD")
        c.call("MULTI")
        c.call("EXEC", "x")               # refused EXEC: shown all the same
        c.call("ECHO", "end")
        lines = monitor_lines(m, 7)
        assert {l[1] for l in lines} == {caddr}
        assert [l[2] for l in lines] == [
            '"MULTI"', '"EXEC"', '"MULTI"', '"DISCARD"', '"MULTI"', '"EXEC" "x"',
            '"ECHO" "end"']


def test_monitor_watch_aborted_exec(server, r):
    with Resp3(server.port) as m, Resp3(server.port) as c:
        m.call("MONITOR")
        c.call("WATCH", "k")
        c.call("SET", "k", "0")
        c.call("MULTI")
        c.call("INCR", "k")
        assert c.call("EXEC") is None
        c.call("ECHO", "end")
        assert [l[2] for l in monitor_lines(m, 5)] == [
            '"WATCH" "k"', '"SET" "k" "0"', '"MULTI"', '"EXEC"', '"ECHO" "end"']


# ---------------------------------------------------------------- stats

def commandstats(c):
    stats = {}
    for line in c.call("INFO", "commandstats").decode().splitlines():
        if line.startswith("cmdstat_"):
            name, _, rest = line.partition(":")
            fields = dict(kv.split("=") for kv in rest.split(","))
            stats[name[8:]] = (int(fields["calls"]), int(fields["rejected_calls"]))
    return stats


def test_commandstats_count_commands_run_by_exec(server, r):
    """Queued commands count when EXEC runs them; a refused one counts as rejected."""
    with Resp3(server.port) as c:
        before = commandstats(c)
        c.call("MULTI")
        c.call("SET", "k", "1")
        c.call("INCR", "k")
        c.call("INCR", "k")
        c.call("EXEC")
        c.call("MULTI")
        c.call("INCR")
        c.call("EXEC")
        after = commandstats(c)
    delta = {name: (after[name][0] - before.get(name, (0, 0))[0],
                    after[name][1] - before.get(name, (0, 0))[1])
             for name in ("set", "incr", "multi", "exec")}
    assert delta == {"set": (1, 0), "incr": (2, 1), "multi": (2, 0), "exec": (2, 0)}
