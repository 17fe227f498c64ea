"""The incomes service end to end: FastAPI over a real PostgreSQL, reads cached in
kvik-server. Run by `make test-example` (scripts/services.sh provides both services)."""
import asyncio
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
import redis.asyncio as aioredis

from app import cache_key
from cache import CacheAside, dumps, loads

KEY = cache_key(7)


async def add(client, user, amount, category="salary", created_at=None):
    body = {"amount": amount, "category": category}
    if created_at is not None:
        body["created_at"] = created_at
    r = await client.post("/users/%d/incomes" % user, json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def listing(client, user):
    r = await client.get("/users/%d/incomes" % user)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.asyncio
async def test_miss_then_hit(make_app, rc):
    app, client = await make_app()
    await add(client, 7, "100.00")
    await add(client, 7, "20.50", "gift")
    q = app.state.queries.selects
    first = await listing(client, 7)
    assert app.state.queries.selects == q + 1
    assert [i["amount"] for i in first] == ["20.50", "100.00"]
    assert rc.exists(KEY) == 1
    assert 170 <= rc.ttl(KEY) <= 180
    for _ in range(5):
        assert await listing(client, 7) == first
    assert app.state.queries.selects == q + 1
    assert app.state.cache.stats["hits"] == 5
    # Another user's list is its own key.
    assert await listing(client, 8) == []
    assert rc.exists(cache_key(8)) == 1


@pytest.mark.asyncio
async def test_values_round_trip_exactly(make_app, rc):
    app, client = await make_app()
    plus2 = timezone(timedelta(hours=2))
    await add(client, 7, "0.10", created_at="2024-02-29T23:59:59.000001+02:00")
    await add(client, 7, "123456789012.34", "bonus",
              created_at="1999-12-31T23:00:00.123456+00:00")
    await add(client, 7, "-5.00", "refund")
    from_db = await app.state.load_incomes(7)
    from_api = await listing(client, 7)          # miss: stores the rows
    raw = rc.get(KEY)
    cached = loads(raw)
    assert cached == from_db
    for c, d in zip(cached, from_db):
        assert isinstance(c["amount"], Decimal) and str(c["amount"]) == str(d["amount"])
        assert isinstance(c["created_at"], datetime) and c["created_at"].tzinfo is not None
        assert c["created_at"] == d["created_at"]
    assert sorted(i["amount"] for i in from_api) == ["-5.00", "0.10", "123456789012.34"]
    by_amount = {i["amount"]: i for i in cached}
    assert by_amount[Decimal("0.10")]["created_at"] == \
        datetime(2024, 2, 29, 23, 59, 59, 1, tzinfo=plus2)
    assert await listing(client, 7) == from_api  # hit: same JSON as the miss
    # The codec alone: tags keep a numeric-looking string a string.
    v = {"s": "10.50", "d": Decimal("10.50"), "t": datetime(2020, 1, 1, tzinfo=plus2)}
    assert loads(dumps(v)) == v and isinstance(loads(dumps(v))["s"], str)


@pytest.mark.asyncio
async def test_write_invalidates_after_commit(make_app, rc):
    app, client = await make_app()
    a = await add(client, 7, "1.00")
    assert len(await listing(client, 7)) == 1
    assert rc.exists(KEY)

    # At the moment of invalidation the new row must already be visible to other sessions:
    # invalidating before the commit would let a reader cache the old list.
    cache = app.state.cache
    seen = []
    orig = cache.invalidate

    async def checking_invalidate(key):
        seen.append(len(await app.state.load_incomes(7)))
        return await orig(key)

    cache.invalidate = checking_invalidate
    await add(client, 7, "2.00")
    assert seen == [2]
    assert not rc.exists(KEY)
    assert len(await listing(client, 7)) == 2

    r = await client.delete("/users/7/incomes/%d" % a["id"])
    assert r.status_code == 204
    assert seen == [2, 1]
    assert not rc.exists(KEY)
    assert [i["amount"] for i in await listing(client, 7)] == ["2.00"]
    assert (await client.delete("/users/7/incomes/%d" % a["id"])).status_code == 404
    assert (await client.delete("/users/8/incomes/1")).status_code == 404


@pytest.mark.asyncio
async def test_ttl_honoured(make_app, rc):
    app, client = await make_app(ttl=1)
    await add(client, 7, "3.00")
    q = app.state.queries.selects
    await listing(client, 7)
    assert rc.ttl(KEY) == 1
    await listing(client, 7)
    assert app.state.queries.selects == q + 1
    await asyncio.sleep(1.2)
    assert not rc.exists(KEY)
    await listing(client, 7)
    assert app.state.queries.selects == q + 2


@pytest.mark.asyncio
async def test_stampede_one_query_in_one_process(make_app, rc):
    app, client = await make_app()
    await add(client, 7, "9.99")
    await listing(client, 7)
    rc.delete(KEY)                      # the hot key expires
    q = app.state.queries.selects
    results = await asyncio.gather(*(listing(client, 7) for _ in range(100)))
    assert app.state.queries.selects == q + 1
    assert all(r == results[0] for r in results) and len(results[0]) == 1


@pytest.mark.asyncio
async def test_stampede_one_query_across_processes(rc):
    # 100 helpers with their own connections stand for 100 service processes: the
    # in-process single flight cannot help them, the lock in kvik-server must.
    import os
    url = os.environ["REDIS_URL"]
    helpers = [CacheAside(aioredis.from_url(url)) for _ in range(100)]
    loads_done = 0

    async def loader():
        nonlocal loads_done
        loads_done += 1
        await asyncio.sleep(0.1)        # a slow query: everyone else arrives meanwhile
        return [{"amount": Decimal("1.10")}]

    try:
        results = await asyncio.gather(*(h.get_or_load("hot", loader) for h in helpers))
    finally:
        for h in helpers:
            await h.close()
    assert loads_done == 1
    assert all(r == [{"amount": Decimal("1.10")}] for r in results)
    assert not rc.exists(CacheAside.lock_key("hot"))
    assert 170 <= rc.ttl("hot") <= 180


@pytest.mark.asyncio
async def test_dead_loader_lock_is_taken_over(rc):
    import os
    rc.set(CacheAside.lock_key("k"), "someone-who-crashed", px=300)
    h = CacheAside(aioredis.from_url(os.environ["REDIS_URL"]))

    async def loader():
        return {"v": 1}

    try:
        assert await h.get_or_load("k", loader) == {"v": 1}
    finally:
        await h.close()
    assert json.loads(rc.get("k")) == {"v": 1}


@pytest.mark.asyncio
async def test_load_racing_a_write_is_not_stored(make_app, rc):
    app, client = await make_app()
    await add(client, 7, "1.00")
    cache = app.state.cache

    async def loader():
        rows = await app.state.load_incomes(7)
        # A writer commits and invalidates while this (now stale) read is in flight.
        await add(client, 7, "2.00")
        return rows

    got = await cache.get_or_load(KEY, loader)
    assert len(got) == 1
    assert not rc.exists(KEY), "a stale list was cached after a write"
    assert cache.stats["stale_skips"] == 1
    assert len(await listing(client, 7)) == 2


@pytest.mark.asyncio
async def test_cache_down_still_correct(make_app, own_server):
    app, client = await make_app(redis_url=own_server.url)
    await add(client, 7, "10.00")
    assert len(await listing(client, 7)) == 1        # cached in own_server
    own_server.stop()                                # the cache goes away mid-test
    q = app.state.queries.selects
    assert [i["amount"] for i in await listing(client, 7)] == ["10.00"]
    await add(client, 7, "20.00")                    # write while the cache is down
    assert [i["amount"] for i in await listing(client, 7)] == ["20.00", "10.00"]
    b = await listing(client, 7)
    r = await client.delete("/users/7/incomes/%d" % b[0]["id"])
    assert r.status_code == 204
    assert [i["amount"] for i in await listing(client, 7)] == ["10.00"]
    assert app.state.queries.selects >= q + 3
    assert app.state.cache.stats["fallbacks"] >= 3
    # The cache comes back (empty: no persistence): after the breaker's pause the service
    # uses it again.
    own_server.start()
    await asyncio.sleep(app.state.cache.breaker_seconds + 0.1)
    hits = app.state.cache.stats["hits"]
    assert [i["amount"] for i in await listing(client, 7)] == ["10.00"]
    assert [i["amount"] for i in await listing(client, 7)] == ["10.00"]
    assert app.state.cache.stats["hits"] == hits + 1


@pytest.mark.asyncio
async def test_cancelled_request_does_not_cancel_shared_load(rc):
    import os
    h = CacheAside(aioredis.from_url(os.environ["REDIS_URL"]))
    calls = 0

    async def loader():
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.1)
        return [1, 2]

    try:
        first = asyncio.create_task(h.get_or_load("shared", loader))
        await asyncio.sleep(0.02)
        second = asyncio.create_task(h.get_or_load("shared", loader))
        await asyncio.sleep(0.02)
        first.cancel()                   # the first request's client disconnects
        assert await second == [1, 2]
        with pytest.raises(asyncio.CancelledError):
            await first
    finally:
        await h.close()
    assert calls == 1 and json.loads(rc.get("shared")) == [1, 2]
