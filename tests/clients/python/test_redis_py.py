"""redis-py (Debian's python3-redis 4.3) as applications use it: sync and asyncio clients,
pipelines, MULTI/EXEC transactions with WATCH, pub/sub, error classes, reconnects. Every
test runs with both reply parsers. redis-py 4.3 speaks RESP2 only (RESP3 came in 5.0), so
RESP3 is covered by the node-redis tests."""
import asyncio
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.exceptions import (ConnectionError, DataError, ExecAbortError, ResponseError,
                              WatchError)
from redis.retry import Retry

from conftest import PARSERS, PORT


def test_parser_in_use(r, parser):
    conn = r.connection_pool.get_connection("PING")
    try:
        assert isinstance(conn._parser, PARSERS[parser][0])
        assert r.ping() is True
    finally:
        r.connection_pool.release(conn)


def test_strings_and_binary_values(r):
    blob = bytes(range(256)) * 4 + b"\r\n$-1\r\n*0\r\n"
    assert r.set("bin\x00key", blob) is True
    assert r.get("bin\x00key") == blob
    big = b"x" * (1 << 20)
    r.set("big", big)
    assert r.get("big") == big and r.strlen("big") == 1 << 20
    assert r.get("missing") is None
    assert r.mget("big", "missing", "bin\x00key") == [big, None, blob]
    assert r.incr("n") == 1 and r.incrby("n", 41) == 42 and r.decr("n") == 41
    assert r.incrbyfloat("f", "1.5") == 1.5
    assert r.set("nx", "1", nx=True) is True and r.set("nx", "2", nx=True) is None
    assert r.getset("nx", "3") == b"1"
    assert r.set("ex", "v", ex=100) and 99 <= r.ttl("ex") <= 100
    assert r.pttl("missing") == -2 and r.ttl("nx") == -1
    assert r.expire("nx", 50) is True and r.persist("nx") is True
    assert r.delete("nx", "ex", "missing") == 2 and r.exists("nx", "big", "big") == 2


def test_collections(r):
    assert r.hset("h", mapping={"a": 1, "b": "two"}) == 2
    assert r.hgetall("h") == {b"a": b"1", b"b": b"two"}
    assert r.hincrby("h", "a", 5) == 6 and r.hmget("h", "a", "zz") == [b"6", None]
    assert r.rpush("l", *range(5)) == 5 and r.lrange("l", 0, -1) == [b"0", b"1", b"2", b"3", b"4"]
    assert r.lpop("l") == b"0" and r.blpop(["l"], timeout=1) == (b"l", b"1")
    assert r.blpop(["empty"], timeout=0.1) is None
    assert r.sadd("s", "a", "b", "c") == 3 and r.smembers("s") == {b"a", b"b", b"c"}
    assert r.sismember("s", "b") is True and r.smismember("s", ["a", "z"]) == [True, False]
    assert r.zadd("z", {"a": 1.5, "b": -2, "c": 1e10}) == 3
    assert r.zrange("z", 0, -1, withscores=True) == [(b"b", -2.0), (b"a", 1.5), (b"c", 1e10)]
    assert r.zscore("z", "a") == 1.5 and r.zrank("z", "c") == 2
    assert r.zincrby("z", 0.25, "a") == 1.75
    assert sorted(r.scan_iter(match="[hlsz]", count=2)) == [b"h", b"l", b"s", b"z"]
    assert sorted(r.scan_iter(_type="zset")) == [b"z"]
    assert dict(r.hscan_iter("h")) == {b"a": b"6", b"b": b"two"}
    assert r.type("z") == b"zset" and r.dbsize() == 4


def test_decode_responses_and_errors(parser):
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, decode_responses=True,
                                parser_class=PARSERS[parser][0])
    r = redis.Redis(connection_pool=pool)
    try:
        r.flushall()
        r.set("k", "välue")
        assert r.get("k") == "välue"
        r.rpush("list", "x")
        with pytest.raises(ResponseError) as e:
            r.get("list")
        assert str(e.value) == "WRONGTYPE Operation against a key holding the wrong kind of value"
        with pytest.raises(ResponseError, match="value is not an integer or out of range"):
            r.incr("k")
        with pytest.raises(ResponseError, match="^unknown command 'NOSUCH'"):
            r.execute_command("NOSUCH", "a")
        with pytest.raises(ResponseError, match="wrong number of arguments for 'get' command"):
            r.execute_command("GET")
        with pytest.raises(DataError):
            r.set("k", None)
        assert r.get("k") == "välue"      # the connection is still usable after errors
    finally:
        pool.disconnect()


def test_pipeline_without_transaction(r):
    p = r.pipeline(transaction=False)
    for i in range(2000):
        p.set("p:%d" % i, i)
    p.get("p:1999")
    p.incr("p:5")
    res = p.execute()
    assert res[:2000] == [True] * 2000 and res[2000:] == [b"1999", 6]
    p = r.pipeline(transaction=False)
    p.set("s", "str").lpush("s", "x").get("s")
    out = p.execute(raise_on_error=False)
    assert out[0] is True and isinstance(out[1], ResponseError) and out[2] == b"str"


def test_transactions(r):
    with r.pipeline() as p:
        p.set("a", 1).incr("a").get("a")
        assert p.execute() == [True, 2, b"2"]
    # A runtime error inside EXEC does not abort the others; redis-py raises it after.
    with r.pipeline() as p:
        p.set("b", "x").lpush("b", 1).set("c", 3)
        with pytest.raises(ResponseError, match="WRONGTYPE"):
            p.execute()
    assert r.get("c") == b"3"
    # A queue-time error (wrong arity) aborts the whole transaction: EXECABORT.
    with r.pipeline() as p:
        p.set("d", 1).execute_command("SET", "only-key")
        with pytest.raises((ExecAbortError, ResponseError)):
            p.execute()
    assert r.exists("d") == 0

    def incr_twice(pipe):
        v = int(pipe.get("counter") or 0)
        pipe.multi()
        pipe.set("counter", v + 2)
    assert r.transaction(incr_twice, "counter") == [True]
    assert r.get("counter") == b"2"


def test_watch_conflict(r):
    other = redis.Redis(port=PORT)
    try:
        with r.pipeline() as p:
            p.watch("w")
            assert p.get("w") is None
            other.set("w", "changed")
            p.multi()
            p.set("w", "mine")
            with pytest.raises(WatchError):
                p.execute()
        assert r.get("w") == b"changed"
        with r.pipeline() as p:
            p.watch("w")
            p.unwatch()
            other.set("w", "again")
            p.multi()
            p.set("w", "mine")
            assert p.execute() == [True]
    finally:
        other.close()


def test_pubsub(r):
    ps = r.pubsub()
    ps.subscribe("news", "sport")
    ps.psubscribe("user:*")
    for expect in (b"news", b"sport", b"user:*"):
        msg = ps.get_message(timeout=2)
        assert msg["data"] in (1, 2, 3) and msg["channel"] == expect
    assert r.publish("news", "hello") == 1
    assert r.publish("user:7", b"\x00bin") == 1
    assert r.publish("nobody", "x") == 0
    m1 = ps.get_message(timeout=2)
    m2 = ps.get_message(timeout=2)
    assert (m1["type"], m1["channel"], m1["data"]) == ("message", b"news", b"hello")
    assert (m2["type"], m2["pattern"], m2["channel"], m2["data"]) == \
        ("pmessage", b"user:*", b"user:7", b"\x00bin")
    assert r.pubsub_numsub("news", "none") == [(b"news", 1), (b"none", 0)]
    assert r.pubsub_numpat() == 1 and sorted(r.pubsub_channels()) == [b"news", b"sport"]
    ps.unsubscribe("news")
    assert ps.get_message(timeout=2)["type"] == "unsubscribe"
    assert r.publish("news", "gone") == 0
    ps.ping()
    assert ps.get_message(timeout=2)["type"] == "pong"
    ps.close()


def test_pubsub_thread_and_handlers(r):
    got = []
    done = threading.Event()
    ps = r.pubsub(ignore_subscribe_messages=True)

    def handler(msg):
        got.append(msg["data"])
        if len(got) == 100:
            done.set()
    ps.subscribe(**{"evt": handler})
    t = ps.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        deadline = time.time() + 5
        while r.pubsub_numsub("evt")[0][1] != 1 and time.time() < deadline:
            time.sleep(0.01)
        for i in range(100):
            r.publish("evt", i)
        assert done.wait(5)
        assert got == [str(i).encode() for i in range(100)]
    finally:
        t.stop()
        t.join(5)
        ps.close()


def test_reconnect_after_kill(r, parser):
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, parser_class=PARSERS[parser][0],
                                retry=Retry(NoBackoff(), 1), retry_on_error=[ConnectionError])
    c = redis.Redis(connection_pool=pool)
    try:
        c.client_setname("victim")
        me = c.client_id()
        assert r.client_kill_filter(_id=me) == 1
        # The server closed the connection: one retry on a fresh connection hides it.
        assert c.set("after", "kill") is True
        assert c.client_id() != me
        assert c.client_getname() is None
    finally:
        pool.disconnect()
    # Without a retry: the pool notices the closed socket when it hands the connection
    # out (the server's close is readable) and reconnects before sending.
    c = redis.Redis(connection_pool=redis.ConnectionPool(
        host="127.0.0.1", port=PORT, parser_class=PARSERS[parser][0]))
    me = c.client_id()
    r.client_kill_filter(_id=me)
    time.sleep(0.05)
    assert c.get("after") == b"kill"
    assert c.client_id() != me
    c.connection_pool.disconnect()


def test_client_introspection(r):
    r.client_setname("matrix")
    assert r.client_getname() == "matrix"
    info = [c for c in r.client_list() if c["name"] == "matrix"]
    assert len(info) == 1 and info[0]["db"] == "0"
    assert r.info("server")["redis_version"].startswith("7.")
    assert "keyspace_hits" in r.info("stats")
    assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    r.set("x", 1)
    assert r.info("keyspace")["db0"]["keys"] == 1
    assert r.echo("hi") == b"hi" and isinstance(r.time()[0], int)


# --- asyncio ---------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_async_commands_and_concurrency(ar, parser):
    assert await ar.ping() is True
    await ar.set("k", "v", ex=60)
    assert await ar.get("k") == b"v" and 59 <= await ar.ttl("k") <= 60
    res = await asyncio.gather(*(ar.incr("ctr") for _ in range(300)))
    assert sorted(res) == list(range(1, 301))
    vals = await asyncio.gather(*(ar.set("a:%d" % i, i) for i in range(200)))
    assert all(vals) and await ar.dbsize() == 202
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await ar.lpush("k", 1)
    assert await ar.blpop(["q"], timeout=0.1) is None


@pytest.mark.asyncio
async def test_async_pipeline_and_transaction(ar):
    async with ar.pipeline(transaction=False) as p:
        for i in range(1000):
            p.rpush("list", i)
        p.llen("list")
        res = await p.execute()
    assert res[-1] == 1000
    async with ar.pipeline(transaction=True) as p:
        p.incr("t").incr("t").get("t")
        assert await p.execute() == [1, 2, b"2"]
    async with ar.pipeline(transaction=True) as p:
        await p.watch("t")
        await ar.set("t", 100)          # another connection changes the watched key
        p.multi()
        p.incr("t")
        with pytest.raises(WatchError):
            await p.execute()
    assert await ar.get("t") == b"100"


@pytest.mark.asyncio
async def test_async_pubsub(ar):
    ps = ar.pubsub()
    await ps.subscribe("ch")
    await ps.psubscribe("p.*")
    for _ in range(2):
        assert (await ps.get_message(timeout=2))["type"] in ("subscribe", "psubscribe")

    async def consume(n):
        out = []
        while len(out) < n:
            m = await ps.get_message(ignore_subscribe_messages=True, timeout=2)
            if m is not None:
                out.append((m["type"], m["channel"], m["data"]))
        return out

    task = asyncio.create_task(consume(3))
    assert await ar.publish("ch", "one") == 1
    assert await ar.publish("p.x", "two") == 1
    assert await ar.publish("ch", "three") == 1
    got = await asyncio.wait_for(task, 5)
    assert got == [("message", b"ch", b"one"), ("pmessage", b"p.x", b"two"),
                   ("message", b"ch", b"three")]
    await ps.unsubscribe()
    await ps.punsubscribe()
    await ps.close()


@pytest.mark.asyncio
async def test_async_blocking_pop_woken_by_push(ar):
    waiter = asyncio.create_task(ar.blpop(["jobs"], timeout=5))
    await asyncio.sleep(0.1)
    assert await ar.rpush("jobs", "j1") == 1
    assert await asyncio.wait_for(waiter, 5) == (b"jobs", b"j1")
