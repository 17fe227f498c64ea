"""Cache-aside over redis.asyncio, as a production service needs it.

The plain recipe is: GET the key; on a miss query the database and SET the JSON with a TTL;
after a write DELETE the key. This helper keeps that shape and adds what the plain recipe
gets wrong under load or failure:

- Stampede protection. When a hot key expires and many requests miss at once, only one of
  them queries the database. Inside one process concurrent misses for a key share one
  future (single flight); across processes a short lock (SET lock NX PX) elects one loader
  while the others poll for the value. A waiter whose loader died takes the lock over when
  it expires, and one that waits past `lock_wait` gives up and reads the database itself,
  so a stuck loader slows requests down but never fails them.
- No stale value after a write. Invalidation bumps a per-key version and deletes the value
  in one MULTI; a loader WATCHes that version before it reads the database, so a load that
  raced with a write does not store what it read (EXEC fails) and the next read reloads.
- Exact values. The codec keeps Decimal as its decimal string and datetime as ISO 8601 with
  microseconds and offset, so a cached row equals the database row (Decimal('10.50') stays
  '10.50', not 10.5; tz-aware datetimes keep their offset).
- Cache down. Any Redis error makes the helper read the database directly and opens a short
  circuit breaker, so while Redis is unreachable requests do not each wait for a connect
  timeout. Invalidation failures are logged: the value then lives at most its TTL.
"""
import asyncio
import json
import logging
import secrets
import time
from datetime import date, datetime
from decimal import Decimal

import redis.asyncio as aioredis
from redis.exceptions import RedisError, WatchError

log = logging.getLogger("incomes.cache")


# --- codec -----------------------------------------------------------------------------
# Tagged JSON: {"$d": "10.50"} is a Decimal, {"$t": "2024-01-02T03:04:05.000006+00:00"} a
# datetime. Tags instead of guessing from the string's shape, so a category that happens to
# look like a number stays a string.

def _encode(o):
    if isinstance(o, Decimal):
        return {"$d": str(o)}
    if isinstance(o, datetime):
        return {"$t": o.isoformat()}
    if isinstance(o, date):
        return {"$date": o.isoformat()}
    raise TypeError("not JSON serialisable: %r" % type(o))


def _decode(d):
    if len(d) == 1:
        if "$d" in d:
            return Decimal(d["$d"])
        if "$t" in d:
            return datetime.fromisoformat(d["$t"])
        if "$date" in d:
            return date.fromisoformat(d["$date"])
    return d


def dumps(value):
    return json.dumps(value, default=_encode, separators=(",", ":"))


def loads(raw):
    return json.loads(raw, object_hook=_decode)


# --- the helper ------------------------------------------------------------------------

class CacheAside:
    def __init__(self, redis_client, ttl=180, lock_ttl_ms=5000, lock_wait=5.0,
                 poll_interval=0.01, breaker_seconds=1.0):
        self.redis = redis_client
        self.ttl = ttl
        self.lock_ttl_ms = lock_ttl_ms
        self.lock_wait = lock_wait
        self.poll_interval = poll_interval
        self.breaker_seconds = breaker_seconds
        self._inflight = {}
        self._down_until = 0.0
        self.stats = {"hits": 0, "misses": 0, "loads": 0, "fallbacks": 0, "stale_skips": 0}

    @classmethod
    def from_url(cls, url, **kw):
        # Short timeouts: a cache that answers slower than the database is worse than none.
        client = aioredis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0,
                                   health_check_interval=30)
        return cls(client, **kw)

    async def close(self):
        # redis-py 4.3's close() leaves the pool's sockets to the garbage collector.
        await self.redis.close()
        await self.redis.connection_pool.disconnect()

    @staticmethod
    def lock_key(key):
        return key + ":lock"

    @staticmethod
    def version_key(key):
        return key + ":version"

    def _cache_usable(self):
        return time.monotonic() >= self._down_until

    def _cache_failed(self, err):
        log.warning("cache unavailable, reading the database: %s", err)
        self._down_until = time.monotonic() + self.breaker_seconds

    async def get_or_load(self, key, loader):
        """The cached value of `key`, else `await loader()` (stored for the next reader).
        The loader returns JSON-able data (Decimal and datetime allowed)."""
        if not self._cache_usable():
            self.stats["fallbacks"] += 1
            return await loader()
        # The load runs as its own task that every concurrent caller awaits through a
        # shield: a request that is cancelled (its client went away) does not cancel the
        # load the other requests are waiting for.
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._get_or_load(key, loader))
            self._inflight[key] = task
            task.add_done_callback(lambda t: self._load_done(key, t))
        return await asyncio.shield(task)

    def _load_done(self, key, task):
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: no "exception never retrieved" if all callers left

    async def _get_or_load(self, key, loader):
        try:
            raw = await self.redis.get(key)
        except RedisError as e:
            self._cache_failed(e)
            self.stats["fallbacks"] += 1
            return await loader()
        if raw is not None:
            self.stats["hits"] += 1
            return loads(raw)
        self.stats["misses"] += 1
        try:
            return await self._load_under_lock(key, loader)
        except RedisError as e:
            self._cache_failed(e)
            self.stats["fallbacks"] += 1
            return await loader()

    async def _load_under_lock(self, key, loader):
        token = secrets.token_hex(8)
        lock = self.lock_key(key)
        deadline = time.monotonic() + self.lock_wait
        delay = self.poll_interval
        while True:
            if await self.redis.set(lock, token, nx=True, px=self.lock_ttl_ms):
                try:
                    return await self._load_and_store(key, loader)
                finally:
                    await self._release(lock, token)
            # Another process is loading: wait for its value, or for its lock to go away
            # (it failed, or its store was skipped as stale) and then try to take it.
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.1)
            raw = await self.redis.get(key)
            if raw is not None:
                self.stats["hits"] += 1
                return loads(raw)
            if time.monotonic() >= deadline:
                log.warning("gave up waiting for %s after %.1fs", key, self.lock_wait)
                return await loader()

    async def _load_and_store(self, key, loader):
        async with self.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(self.version_key(key))
            self.stats["loads"] += 1
            value = await loader()
            pipe.multi()
            pipe.set(key, dumps(value), ex=self.ttl)
            try:
                await pipe.execute()
            except WatchError:
                # A write committed while we were reading: what we read may predate it.
                self.stats["stale_skips"] += 1
            return value

    async def _release(self, lock, token):
        # Delete the lock only if it is still ours (it may have expired and been taken by
        # another loader meanwhile).
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(lock)
                if await pipe.get(lock) == token.encode():
                    pipe.multi()
                    pipe.delete(lock)
                    await pipe.execute()
        except (WatchError, RedisError):
            pass

    async def invalidate(self, key):
        """Call after the database transaction has committed, never before: invalidating
        first lets a reader cache the old rows between the DELETE and the COMMIT."""
        if not self._cache_usable():
            log.warning("cache down: %s not invalidated, lives at most %ss", key, self.ttl)
            return False
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(self.version_key(key))
                pipe.expire(self.version_key(key), self.ttl + 60)
                pipe.delete(key)
                await pipe.execute()
            return True
        except RedisError as e:
            self._cache_failed(e)
            log.warning("cache down: %s not invalidated, lives at most %ss", key, self.ttl)
            return False
