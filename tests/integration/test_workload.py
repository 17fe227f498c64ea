"""The cache-aside workload our users run: JSON rows cached under keys such as
"42: incomes: all" for 180 s, read back, invalidated with DEL. Written the way the
application code is written (redis.asyncio with decode_responses=True), then the same
with the sync client and pipelines."""
import asyncio
import json

import pytest
import redis
import redis.asyncio as aioredis

TTL = 180


def rows_for(user_id):
    return [
        {"id": i, "user_id": user_id, "amount": "%d.%02d" % (1000 + i, i % 100),
         "label": "salary \u00e9t\u00e9 \u2713" if i % 2 else "bonus", "tags": ["a", "b"],
         "ok": True,
         "note": None}
        for i in range(25)
    ]


def key_for(user_id, what="incomes", scope="all"):
    return "%s: %s: %s" % (user_id, what, scope)


async def cached_rows(cache, user_id, loader):
    """The application's read path: cache hit or load + set with a 180 s TTL."""
    key = key_for(user_id)
    cached = await cache.get(key)
    if cached is not None:
        return json.loads(cached), True
    rows = loader(user_id)
    await cache.set(key, json.dumps(rows), ex=TTL)
    return rows, False


@pytest.fixture
def flushed(rd):
    """Flush through the sync fixture; the async tests make their own clients."""
    return rd


def async_client(server):
    return aioredis.from_url(server.url(), decode_responses=True)


async def close(cache):
    # redis-py 4.3's from_url() client does not own its pool: disconnect it explicitly,
    # or pooled connections try to close themselves after the event loop is gone.
    await cache.close()
    await cache.connection_pool.disconnect()


@pytest.mark.asyncio
async def test_cache_aside_roundtrip(server, flushed):
    cache = async_client(server)
    try:
        key = key_for(42)
        assert await cache.get(key) is None
        rows = rows_for(42)
        payload = json.dumps(rows)
        assert await cache.set(key, payload, ex=TTL) is True
        got = await cache.get(key)
        assert got == payload
        assert json.loads(got) == rows
        ttl = await cache.ttl(key)
        assert 0 < ttl <= TTL
        assert await cache.delete(key) == 1
        assert await cache.get(key) is None
        assert await cache.delete(key) == 0
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_read_path_miss_then_hit(server, flushed):
    cache = async_client(server)
    loads = []

    def loader(user_id):
        loads.append(user_id)
        return rows_for(user_id)

    try:
        rows, hit = await cached_rows(cache, 7, loader)
        assert (hit, loads) == (False, [7])
        again, hit = await cached_rows(cache, 7, loader)
        assert (hit, loads) == (True, [7])
        assert again == rows
        await cache.delete(key_for(7))
        _, hit = await cached_rows(cache, 7, loader)
        assert (hit, loads) == (False, [7, 7])
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_keys_with_spaces_and_colons(server, flushed):
    cache = async_client(server)
    try:
        keys = [key_for(42), key_for(42, "expenses"), key_for(42, "incomes", "2024 Q1"),
                " leading space", "trailing space ", "a  double  space", "colon:only"]
        for i, k in enumerate(keys):
            assert await cache.set(k, json.dumps({"i": i}), ex=TTL)
        for i, k in enumerate(keys):
            assert json.loads(await cache.get(k)) == {"i": i}
        assert sorted(await cache.keys("42: *")) == sorted(keys[:3])
        assert sorted(await cache.keys("42: incomes: *")) == [key_for(42, "incomes", "2024 Q1"),
                                                             key_for(42)]
        assert await cache.exists(*keys) == len(keys)
        assert await cache.delete(*keys) == len(keys)
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_invalidate_user_with_scan(server, flushed):
    cache = async_client(server)
    try:
        for user in (1, 2):
            for what in ("incomes", "expenses", "balance"):
                await cache.set(key_for(user, what), "[]", ex=TTL)
        doomed = [k async for k in cache.scan_iter(match="1: *", count=2)]
        mine = sorted(key_for(1, w) for w in ("incomes", "expenses", "balance"))
        assert sorted(set(doomed)) == mine
        assert await cache.delete(*set(doomed)) == 3
        assert sorted(await cache.keys("*")) == sorted(
            key_for(2, w) for w in ("incomes", "expenses", "balance"))
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_unicode_and_large_payloads(server, flushed):
    cache = async_client(server)
    try:
        rows = rows_for(5) * 200
        payload = json.dumps(rows, ensure_ascii=False)
        assert len(payload.encode()) > 200_000
        await cache.set(key_for(5), payload, ex=TTL)
        assert await cache.get(key_for(5)) == payload
        assert await cache.strlen(key_for(5)) == len(payload.encode())
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_many_concurrent_tasks(server, flushed):
    cache = async_client(server)
    try:
        users = list(range(200))
        assert await asyncio.gather(*(cache.get(key_for(u)) for u in users)) == [None] * 200
        sets = await asyncio.gather(*(cache.set(key_for(u), json.dumps(rows_for(u)[:3]), ex=TTL)
                                      for u in users))
        assert sets == [True] * 200
        got = await asyncio.gather(*(cache.get(key_for(u)) for u in users))
        assert [json.loads(g) for g in got] == [rows_for(u)[:3] for u in users]
        ttls = await asyncio.gather(*(cache.ttl(key_for(u)) for u in users))
        assert all(0 < t <= TTL for t in ttls)
        deleted = await asyncio.gather(*(cache.delete(key_for(u)) for u in users))
        assert deleted == [1] * 200
        assert await cache.dbsize() == 0
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_concurrent_read_path_mixed(server, flushed):
    cache = async_client(server)
    try:
        # 200 tasks over 20 users: every user ends up cached, every answer is right
        results = await asyncio.gather(*(cached_rows(cache, i % 20, rows_for) for i in range(200)))
        for i, (rows, _) in enumerate(results):
            assert rows == rows_for(i % 20)
        assert await cache.dbsize() == 20
        for u in range(20):
            assert json.loads(await cache.get(key_for(u))) == rows_for(u)
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_async_pipeline_without_transaction(server, flushed):
    cache = async_client(server)
    try:
        async with cache.pipeline(transaction=False) as pipe:
            for u in range(50):
                pipe.set(key_for(u), json.dumps(rows_for(u)[:2]), ex=TTL)
            pipe.get(key_for(0))
            pipe.ttl(key_for(0))
            pipe.delete(key_for(1))
            pipe.get(key_for(1))
            replies = await pipe.execute()
        assert replies[:50] == [True] * 50
        assert json.loads(replies[50]) == rows_for(0)[:2]
        assert 0 < replies[51] <= TTL
        assert replies[52:] == [1, None]
    finally:
        await close(cache)


@pytest.mark.asyncio
async def test_async_pipeline_transaction(server, flushed):
    cache = async_client(server)
    try:
        async with cache.pipeline() as pipe:
            pipe.set(key_for(9), "[]", ex=TTL)
            pipe.get(key_for(9))
            pipe.delete(key_for(9))
            assert await pipe.execute() == [True, "[]", 1]
    finally:
        await close(cache)


# ---------------------------------------------------------------- sync client

def test_sync_cache_aside(server, flushed):
    cache = redis.from_url(server.url(), decode_responses=True)
    try:
        key = key_for(42)
        assert cache.get(key) is None
        payload = json.dumps(rows_for(42))
        assert cache.set(key, payload, ex=TTL) is True
        assert cache.get(key) == payload
        assert 0 < cache.ttl(key) <= TTL
        assert cache.delete(key) == 1
        assert cache.get(key) is None
    finally:
        cache.close()


def test_sync_pipeline(server, flushed):
    cache = redis.from_url(server.url(), decode_responses=True)
    try:
        pipe = cache.pipeline(transaction=False)
        for u in range(200):
            pipe.get(key_for(u))
        assert pipe.execute() == [None] * 200
        for u in range(200):
            pipe.set(key_for(u), json.dumps(rows_for(u)[:1]), ex=TTL)
        assert pipe.execute() == [True] * 200
        for u in range(200):
            pipe.get(key_for(u))
            pipe.ttl(key_for(u))
        replies = pipe.execute()
        for u in range(200):
            assert json.loads(replies[2 * u]) == rows_for(u)[:1]
            assert 0 < replies[2 * u + 1] <= TTL
        for u in range(200):
            pipe.delete(key_for(u))
        assert pipe.execute() == [1] * 200
        assert cache.dbsize() == 0
    finally:
        cache.close()


def test_sync_transaction_pipeline(server, flushed):
    cache = redis.from_url(server.url(), decode_responses=True)
    try:
        with cache.pipeline() as pipe:
            pipe.set(key_for(3), "[1]", ex=TTL).get(key_for(3)).ttl(key_for(3))
            ok, value, ttl = pipe.execute()
        assert (ok, value) == (True, "[1]")
        assert 0 < ttl <= TTL
    finally:
        cache.close()


def test_select_db_from_url(server, flushed):
    cache = redis.from_url(server.url(db=3), decode_responses=True)
    try:
        cache.set(key_for(1), "[]", ex=TTL)
        assert flushed.get(key_for(1)) is None
        assert cache.get(key_for(1)) == "[]"
        cache.flushdb()
    finally:
        cache.close()
