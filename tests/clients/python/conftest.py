"""redis-py against the server that scripts/services.sh started (REDIS_PORT), once with
redis-py's pure-Python reply parser and once with the hiredis parser (python3-hiredis)."""
import os

import pytest
import pytest_asyncio
import redis
import redis.asyncio as aioredis
import redis.asyncio.connection as aconn
import redis.connection as sconn

PORT = int(os.environ.get("REDIS_PORT", "0"))
IS_REDIS = os.path.basename(os.environ.get("KVIK_SERVER", "")).startswith("redis")

PARSERS = {
    "python": (sconn.PythonParser, aconn.PythonParser),
    "hiredis": (sconn.HiredisParser, aconn.HiredisParser),
}


def pytest_collection_modifyitems(config, items):
    if not PORT:
        skip = pytest.mark.skip(reason="run through scripts/services.sh (make test-clients)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(params=sorted(PARSERS))
def parser(request):
    if request.param == "hiredis" and not sconn.HIREDIS_AVAILABLE:
        pytest.skip("python3-hiredis not installed")
    return request.param


@pytest.fixture
def r(parser):
    pool = redis.ConnectionPool(host="127.0.0.1", port=PORT, socket_timeout=10,
                                parser_class=PARSERS[parser][0])
    c = redis.Redis(connection_pool=pool)
    c.flushall()
    yield c
    pool.disconnect()


@pytest_asyncio.fixture
async def ar(parser):
    pool = aioredis.ConnectionPool(host="127.0.0.1", port=PORT, socket_timeout=10,
                                   parser_class=PARSERS[parser][1])
    c = aioredis.Redis(connection_pool=pool)
    await c.flushall()
    yield c
    await c.close()
    await pool.disconnect()
