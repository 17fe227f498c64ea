"""Client-side caching: CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO.

Every expectation here was checked against Redis 7.0 (KVIK_SERVER=/usr/bin/redis-server).
Facts worth knowing when reading the tests:
- Default mode remembers the keys of each read-only command; the first change of such a
  key (write, delete, expiry, by anyone, in any database: the table is by key name)
  sends one `invalidate` and forgets the key until it is read again.
- A client's invalidations for its own writes come after the reply of the command (after
  EXEC's reply for a transaction); NOLOOP drops them.
- FLUSHDB/FLUSHALL send every tracking client one null invalidation.
- RESP2 connections get nothing on their own connection; with REDIRECT to a RESP2
  connection in subscribed mode they arrive as `message` on `__redis__:invalidate`.
- BCAST announces every key changed under a prefix, batched once per event-loop turn,
  keys in byte order.
The session server is shared, so every test uses key names of its own.
"""
import asyncio
import time

import pytest
import redis
import redis.asyncio as aioredis

from helpers import parse_client_line
from resp3 import Error, Map, Push, Resp3, Set


def inval(*keys):
    return Push([b"invalidate", [k.encode() if isinstance(k, str) else k for k in keys]])


def nothing_pending(conn, wait=0.2):
    """True when no reply/push arrives within `wait` seconds."""
    conn.sock.settimeout(wait)
    try:
        conn.read()
        return False
    except OSError:
        return True
    finally:
        conn.sock.settimeout(10)


def other_id(server, conn):
    """The id of a connection already in subscribed mode (it cannot run CLIENT ID)."""
    r = server.client()
    try:
        return max(int(c["id"]) for c in r.client_list() if c["cmd"] == "subscribe")
    finally:
        r.close()


def tracker(server, *opts):
    t = Resp3(server.port)
    t.hello(3)
    assert t.call("CLIENT", "TRACKING", "on", *opts) == "OK"
    return t


# ---- command errors and introspection ----

def test_tracking_errors(server, r, c3):
    call = c3.call
    assert call("CLIENT", "TRACKING", "maybe") == Error("ERR syntax error")
    assert call("CLIENT", "TRACKING", "on", "bogus") == Error("ERR syntax error")
    assert call("CLIENT", "TRACKING", "on", "redirect") == Error("ERR syntax error")
    assert call("CLIENT", "TRACKING", "on", "redirect", "x") == \
        Error("ERR value is not an integer or out of range")
    assert call("CLIENT", "TRACKING", "on", "redirect", "999999") == \
        Error("ERR The client ID you want redirect to does not exist")
    me = call("CLIENT", "ID")
    assert call("CLIENT", "TRACKING", "on", "redirect", me, "redirect", me) == \
        Error("ERR A client can only redirect to a single other client")
    assert call("CLIENT", "TRACKING", "on", "prefix", "a") == \
        Error("ERR PREFIX option requires BCAST mode to be enabled")
    assert call("CLIENT", "TRACKING", "on", "bcast", "optin") == \
        Error("ERR OPTIN and OPTOUT are not compatible with BCAST")
    assert call("CLIENT", "TRACKING", "on", "optin", "optout") == \
        Error("ERR You can't specify both OPTIN mode and OPTOUT mode")
    assert call("CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab") == \
        Error("ERR Prefix 'a' overlaps with another provided prefix 'ab'. Prefixes for a "
              "single client must not overlap.")
    assert call("CLIENT", "TRACKING", "off", "bogus") == Error("ERR syntax error")
    assert call("CLIENT", "TRACKING") == \
        Error("ERR wrong number of arguments for 'client|tracking' command")

    assert call("CLIENT", "CACHING", "yes") == \
        Error("ERR CLIENT CACHING can be called only when the client is in tracking mode "
              "with OPTIN or OPTOUT mode enabled")
    assert call("CLIENT", "TRACKING", "on") == "OK"
    assert call("CLIENT", "CACHING", "yes") == \
        Error("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    assert call("CLIENT", "CACHING", "no") == \
        Error("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    assert call("CLIENT", "CACHING", "maybe") == Error("ERR syntax error")
    assert call("CLIENT", "TRACKING", "on", "bcast") == \
        Error("ERR You can't switch BCAST mode on/off before disabling tracking for this "
              "client, and then re-enabling it with a different mode.")
    assert call("CLIENT", "TRACKING", "on", "optin") == "OK"
    assert call("CLIENT", "TRACKING", "on", "optout") == \
        Error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
              "client, and then re-enabling it with a different mode.")
    assert call("CLIENT", "TRACKING", "off") == "OK"
    assert call("CLIENT", "TRACKING", "on", "bcast", "prefix", "p:") == "OK"
    assert call("CLIENT", "TRACKING", "on", "bcast", "prefix", "p:x") == \
        Error("ERR Prefix 'p:x' overlaps with an existing prefix 'p:'. Prefixes for a single "
              "client must not overlap.")
    assert call("CLIENT", "TRACKING", "off") == "OK"


def test_trackinginfo_getredir_and_client_list(server, r, c3):
    assert c3.call("CLIENT", "TRACKINGINFO") == \
        Map({b"flags": Set([b"off"]), b"redirect": -1, b"prefixes": []})
    assert c3.call("CLIENT", "GETREDIR") == -1
    other = Resp3(server.port)
    oid = other.call("CLIENT", "ID")
    assert c3.call("CLIENT", "TRACKING", "on", "redirect", oid, "optin", "noloop") == "OK"
    assert c3.call("CLIENT", "GETREDIR") == oid
    assert c3.call("CLIENT", "CACHING", "yes") == "OK"
    # CLIENT commands keep the CACHING flag; the next other command uses it up.
    assert c3.call("CLIENT", "TRACKINGINFO") == \
        Map({b"flags": Set([b"on", b"optin", b"caching-yes", b"noloop"]), b"redirect": oid,
             b"prefixes": []})
    fields = dict(parse_client_line(c3.call("CLIENT", "INFO").rstrip(b"\n")))
    assert fields["flags"] == "t" and fields["redir"] == str(oid)
    c3.call("PING")
    assert c3.call("CLIENT", "TRACKINGINFO")[b"flags"] == Set([b"on", b"optin", b"noloop"])
    assert c3.call("CLIENT", "TRACKING", "off") == "OK"
    assert c3.call("CLIENT", "TRACKING", "on", "bcast", "prefix", "b", "prefix", "a") == "OK"
    assert c3.call("CLIENT", "TRACKINGINFO") == \
        Map({b"flags": Set([b"on", b"bcast"]), b"redirect": 0, b"prefixes": [b"a", b"b"]})
    fields = dict(parse_client_line(c3.call("CLIENT", "INFO").rstrip(b"\n")))
    assert fields["flags"] == "tB" and fields["redir"] == "0"
    assert c3.call("CLIENT", "TRACKING", "off") == "OK"
    assert c3.call("CLIENT", "TRACKING", "on", "optout") == "OK"
    assert c3.call("CLIENT", "CACHING", "no") == "OK"
    assert c3.call("CLIENT", "TRACKINGINFO")[b"flags"] == Set([b"on", b"optout", b"caching-no"])
    assert c3.call("RESET") == "RESET"
    c3.hello(3)
    assert c3.call("CLIENT", "TRACKINGINFO")[b"flags"] == Set([b"off"])
    other.close()


def test_info_fields(server, r):
    t = tracker(server)
    b = tracker(server, "bcast", "prefix", "inf1:", "prefix", "inf2:")
    t.call("MGET", "inf:a", "inf:b")
    t2 = tracker(server)
    t2.call("GET", "inf:a")
    info = r.info()
    assert info["tracking_clients"] == 3
    assert info["tracking_total_keys"] == 2
    assert info["tracking_total_items"] == 3
    assert info["tracking_total_prefixes"] == 2
    for conn in (t, b, t2):
        conn.close()
    deadline = time.time() + 5
    while time.time() < deadline and r.info()["tracking_clients"]:
        time.sleep(0.02)
    info = r.info()
    assert info["tracking_clients"] == 0
    assert info["tracking_total_prefixes"] == 0


# ---- default mode, RESP3 ----

def test_write_by_another_connection_invalidates(server, r):
    t = tracker(server)
    r.set("dm:k", "v")
    assert t.call("GET", "dm:k") == b"v"
    r.set("dm:k", "w")
    assert t.read() == inval("dm:k")
    # Invalidated once: the key is forgotten until read again.
    r.set("dm:k", "x")
    assert nothing_pending(t)
    assert t.call("GET", "dm:k") == b"x"
    r.delete("dm:k")
    assert t.read() == inval("dm:k")
    t.close()


def test_keys_of_multi_key_reads_and_other_types(server, r):
    t = tracker(server)
    r.rpush("dm:l", "a")
    r.hset("dm:h", "f", "v")
    assert t.call("MGET", "dm:a", "dm:b") == [None, None]
    assert t.call("LRANGE", "dm:l", 0, -1) == [b"a"]
    assert t.call("HGET", "dm:h", "f") == b"v"
    assert t.call("SINTERCARD", 2, "dm:s1", "dm:s2") == 0
    r.mset({"dm:b": 1, "dm:a": 2})
    got = [t.read(), t.read()]
    assert sorted(got) == [inval("dm:a"), inval("dm:b")]
    r.lpush("dm:l", "z")
    assert t.read() == inval("dm:l")
    r.hdel("dm:h", "f")
    assert t.read() == inval("dm:h")
    r.sadd("dm:s2", "m")
    assert t.read() == inval("dm:s2")
    # A write command does not register its keys.
    t.call("SET", "dm:w", "1")
    r.set("dm:w", "2")
    assert nothing_pending(t)
    t.close()


def test_any_database_invalidates(server, r):
    t = tracker(server)
    t.call("GET", "db:k")
    other = server.client(db=3)
    other.set("db:k", "1")
    assert t.read() == inval("db:k")
    other.delete("db:k")
    other.close()
    t.close()


def test_own_write_after_reply_and_noloop(server, r):
    t = tracker(server)
    t.call("GET", "own:k")
    t.send("SET", "own:k", "1")
    assert t.read() == "OK"
    assert t.read() == inval("own:k")
    # In a transaction the invalidation follows EXEC's reply.
    t.call("GET", "own:k")
    t.send("MULTI")
    t.send("SET", "own:k", "2")
    t.send("GET", "own:k")
    t.send("EXEC")
    assert [t.read() for _ in range(4)] == ["OK", "QUEUED", "QUEUED", ["OK", b"2"]]
    assert t.read() == inval("own:k")
    t.close()

    n = tracker(server, "noloop")
    n.call("GET", "own:n")
    assert n.call("SET", "own:n", "1") == "OK"
    assert nothing_pending(n)
    n.call("GET", "own:n")
    r.set("own:n", "2")
    assert n.read() == inval("own:n")
    n.close()


def test_reply_off_still_gets_pushes(server, r):
    t = tracker(server)
    t.call("GET", "off:k")
    t.send("CLIENT", "REPLY", "OFF")
    t.send("SET", "off:k", "1")
    t.send("CLIENT", "REPLY", "ON")
    assert t.read() == inval("off:k")
    assert t.read() == "OK"
    t.close()


def test_expiry_invalidates(server, r):
    t = tracker(server)
    r.set("exp:k", "v", px=100)
    assert t.call("GET", "exp:k") == b"v"
    t.sock.settimeout(3)
    assert t.read() == inval("exp:k")  # the active expiry cycle removed it
    t.close()


def test_flush_sends_one_null(server, r):
    t = tracker(server)
    t.call("GET", "fl:k")
    r.flushall()
    assert t.read_raw() == b">2\r\n$10\r\ninvalidate\r\n_\r\n"
    r.flushdb()
    assert t.read() == Push([b"invalidate", None])
    assert nothing_pending(t)
    # The table was emptied: a later write of fl:k says nothing.
    r.set("fl:k", "1")
    assert nothing_pending(t)
    # Own flush: after the reply.
    t.send("FLUSHDB")
    assert t.read() == "OK"
    assert t.read() == Push([b"invalidate", None])
    t.close()


def test_optin_optout(server, r):
    t = tracker(server, "optin")
    t.call("GET", "oi:a")
    assert t.call("CLIENT", "CACHING", "yes") == "OK"
    t.call("GET", "oi:b")
    t.call("GET", "oi:c")  # CACHING covered the one command only
    r.mset({"oi:a": 1, "oi:b": 1, "oi:c": 1})
    assert t.read() == inval("oi:b")
    assert nothing_pending(t)
    # ... or the whole transaction that follows.
    t.call("CLIENT", "CACHING", "yes")
    t.send("MULTI")
    t.send("GET", "oi:a")
    t.send("GET", "oi:c")
    t.send("EXEC")
    assert [t.read() for _ in range(4)] == ["OK", "QUEUED", "QUEUED", [b"1", b"1"]]
    r.mset({"oi:a": 2, "oi:c": 2})
    assert sorted([t.read(), t.read()]) == [inval("oi:a"), inval("oi:c")]
    t.close()

    o = tracker(server, "optout")
    assert o.call("CLIENT", "CACHING", "no") == "OK"
    o.call("GET", "oo:a")
    o.call("GET", "oo:b")
    r.mset({"oo:a": 1, "oo:b": 1})
    assert o.read() == inval("oo:b")
    assert nothing_pending(o)
    o.close()


def test_resp2_without_redirect_gets_nothing(server, r):
    t = server.client()
    assert t.client_tracking_on() == b"OK"
    assert t.get("r2:k") is None
    r.set("r2:k", "1")
    assert t.get("r2:k") == b"1"
    assert t.ping() is True
    t.close()


# ---- redirect ----

def test_redirect_to_resp2_subscriber(server, r):
    sub = server.client(client_name="inv-listener")
    p = sub.pubsub()
    p.subscribe("__redis__:invalidate")
    assert p.get_message(timeout=2)["type"] == "subscribe"
    lid = next(c["id"] for c in r.client_list()
               if c["name"] == "inv-listener" and c["sub"] == "1")
    t = server.client()
    assert t.client_tracking_on(clientid=lid) == b"OK"
    assert t.client_getredir() == int(lid)
    t.get("rd:k")
    r.set("rd:k", "1")
    m = p.get_message(timeout=2)
    assert m == {"type": "message", "pattern": None, "channel": b"__redis__:invalidate",
                 "data": [b"rd:k"]}
    r.flushdb()
    m = p.get_message(timeout=2)
    assert m["channel"] == b"__redis__:invalidate" and m["data"] is None
    p.close()
    sub.close()
    t.close()


def test_redirect_wire_format(server, r):
    """RESP2 target: a message array whose payload is an array of keys; RESP3 target:
    the invalidate push."""
    listener = Resp3(server.port)
    lid = listener.call("CLIENT", "ID")
    assert listener.call("SUBSCRIBE", "unrelated") == \
        [b"subscribe", b"unrelated", 1]
    t = Resp3(server.port)
    t.call("CLIENT", "TRACKING", "on", "redirect", lid)
    t.call("GET", "wf:k")
    r.set("wf:k", "1")
    assert listener.read_raw() == (b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
                                   b"*1\r\n$4\r\nwf:k\r\n")
    listener.close()
    l3 = Resp3(server.port)
    l3.hello(3)
    t.call("CLIENT", "TRACKING", "on", "redirect", l3.call("CLIENT", "ID"))
    t.call("GET", "wf:k")
    r.set("wf:k", "2")
    assert l3.read() == inval("wf:k")
    l3.close()
    t.close()


def test_broken_redirect(server, r):
    target = Resp3(server.port)
    tid = target.call("CLIENT", "ID")
    t = tracker(server, "redirect", tid)
    t.call("GET", "br:k")
    target.close()
    time.sleep(0.1)
    r.set("br:k", "1")
    assert t.read() == Push([b"tracking-redir-broken", tid])
    info = t.call("CLIENT", "TRACKINGINFO")
    assert info[b"flags"] == Set([b"on", b"broken_redirect"])
    fields = dict(parse_client_line(t.call("CLIENT", "INFO").rstrip(b"\n")))
    assert fields["flags"] == "tR"
    t.close()


# ---- BCAST ----

def test_bcast_batches_sorted_keys(server, r):
    b = tracker(server, "bcast", "prefix", "bc:")
    r.mset({"bc:z": 1, "bc:a": 1, "other": 1, "bc:m": 1})
    assert b.read() == inval("bc:a", "bc:m", "bc:z")
    r.delete("bc:a")
    assert b.read() == inval("bc:a")
    b.close()

    everything = tracker(server, "bcast", "noloop")
    everything.call("SET", "bn:mine", "1")
    r.set("bn:theirs", "1")
    assert everything.read() == inval("bn:theirs")
    assert nothing_pending(everything)
    everything.close()


def test_bcast_own_and_mixed_changes(server, r):
    b = tracker(server, "bcast", "prefix", "bm:", "noloop")
    # One turn of the loop: the pipeline's writes arrive in one read.
    b.send_raw(b"".join([
        b"*3\r\n$3\r\nSET\r\n$4\r\nbm:1\r\n$1\r\nx\r\n",
        b"*3\r\n$3\r\nSET\r\n$4\r\nbm:2\r\n$1\r\nx\r\n",
    ]))
    assert [b.read(), b.read()] == ["OK", "OK"]
    assert nothing_pending(b)
    b.close()

    # Another BCAST client gets one push for the keys of the whole turn, in byte order,
    # here through a RESP2 redirect target.
    listener = Resp3(server.port)
    assert listener.call("SUBSCRIBE", "any") == [b"subscribe", b"any", 1]
    other = Resp3(server.port)
    other.call("CLIENT", "TRACKING", "on", "bcast", "prefix", "bm:",
               "redirect", other_id(server, listener))
    writer = Resp3(server.port)
    writer.send_raw(b"".join([
        b"*3\r\n$3\r\nSET\r\n$4\r\nbm:9\r\n$1\r\nx\r\n",
        b"*3\r\n$3\r\nSET\r\n$4\r\nbm:3\r\n$1\r\nx\r\n",
        b"*2\r\n$3\r\nDEL\r\n$4\r\nbm:9\r\n",
    ]))
    assert [writer.read() for _ in range(3)] == ["OK", "OK", 1]
    assert listener.read() == [b"message", b"__redis__:invalidate", [b"bm:3", b"bm:9"]]
    for conn in (listener, other, writer):
        conn.close()


# ---- the table's bound ----

def test_tracking_table_max_keys(server, r):
    assert r.config_get("tracking-table-max-keys") == {"tracking-table-max-keys": "1000000"}
    with pytest.raises(redis.ResponseError) as e:
        r.config_set("tracking-table-max-keys", -1)
    assert "argument must be between 0 and 9223372036854775807 inclusive" in str(e.value)
    t = tracker(server)
    try:
        r.config_set("tracking-table-max-keys", 2)
        # Each command first brings the table back under the bound, invalidating
        # entries it evicts: those pushes come before the command's reply.
        seen = []
        for i in range(6):
            t.send("GET", "mk:%d" % i)
            while True:
                m = t.read()
                if not isinstance(m, Push):
                    assert m is None
                    break
                assert m[0] == b"invalidate" and len(m[1]) == 1
                seen += m[1]
        assert len(seen) == 3 and len(set(seen)) == 3
        assert set(seen) < {b"mk:%d" % i for i in range(5)}
        assert r.info()["tracking_total_keys"] <= 3
    finally:
        r.config_set("tracking-table-max-keys", 1000000)
        t.close()


# ---- asyncio ----

def test_asyncio_second_connection_invalidates(server, r):
    async def main():
        a = aioredis.Redis(port=server.port, client_name="aio-inv")
        p = a.pubsub()
        await p.subscribe("__redis__:invalidate")
        first = None
        while first is None:
            first = await p.get_message(timeout=1)
        assert first["type"] == "subscribe"
        lid = next(c["id"] for c in await a.client_list()
                   if c["name"] == "aio-inv" and c["sub"] == "1")
        reader = aioredis.Redis(port=server.port, single_connection_client=True)
        await reader.client_tracking_on(clientid=lid)
        await reader.set("aio:k", "1")
        assert await reader.get("aio:k") == b"1"
        writer = aioredis.Redis(port=server.port)
        await writer.set("aio:k", "2")
        m = None
        deadline = time.time() + 3
        while m is None and time.time() < deadline:
            m = await p.get_message(timeout=0.5)
        assert m["data"] == [b"aio:k"]
        await p.close()
        for c in (a, reader, writer):
            await c.close()

    asyncio.run(main())
