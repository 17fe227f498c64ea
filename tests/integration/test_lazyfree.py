"""Freeing large values off the request path: FLUSHALL/FLUSHDB ASYNC hand the old tables
to a background thread; the reply comes at once, memory follows shortly after."""
import time

from helpers import wait_until


def load(r, n, prefix="lf"):
    pipe = r.pipeline(transaction=False)
    for i in range(0, n, 1000):
        pipe.mset({"%s:%d" % (prefix, j): "x" * 20 for j in range(i, min(i + 1000, n))})
    pipe.execute()


def memory(r):
    return r.info("memory")


def test_flushall_async_frees_in_background(start_server):
    s = start_server()
    r = s.client()
    base = memory(r)["used_memory"]
    load(r, 200000)
    loaded = memory(r)["used_memory"]
    assert loaded > base + 5_000_000
    freed_before = memory(r)["lazyfreed_objects"]
    t = time.time()
    assert r.flushall(asynchronous=True) is True
    assert time.time() - t < 0.5
    assert r.dbsize() == 0
    assert r.ping()
    assert wait_until(lambda: memory(r)["lazyfree_pending_objects"] == 0, timeout=10)
    assert wait_until(lambda: memory(r)["used_memory"] < base + (loaded - base) // 10, timeout=10)
    assert memory(r)["lazyfreed_objects"] > freed_before


def test_flushdb_async_only_that_db(start_server):
    s = start_server()
    r0, r1 = s.client(db=0), s.client(db=1)
    load(r0, 5000, "a")
    load(r1, 5000, "b")
    assert r1.flushdb(asynchronous=True) is True
    assert r1.dbsize() == 0
    assert r0.dbsize() == 5000
    assert r0.get("a:42") == b"x" * 20
    assert wait_until(lambda: memory(r0)["lazyfree_pending_objects"] == 0, timeout=10)


def test_flush_sync_is_immediate(start_server):
    s = start_server()
    r = s.client()
    base = memory(r)["used_memory"]
    load(r, 50000)
    assert r.flushall(asynchronous=False) is True
    assert memory(r)["used_memory"] < base + 1_000_000
