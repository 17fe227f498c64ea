"""Fixtures for the incomes example. The services come from scripts/services.sh (make
test-example): DATABASE_URL names a private PostgreSQL, REDIS_URL a kvik-server on a free
port and KVIK_SERVER its binary, so a test can start a server of its own and stop it."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import httpx
import pytest
import pytest_asyncio
import redis

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import Base, create_app  # noqa: E402


def need_env():
    missing = [v for v in ("DATABASE_URL", "REDIS_URL") if v not in os.environ]
    if missing:
        pytest.skip("run through scripts/services.sh (make test-example): %s unset"
                    % ", ".join(missing))


class OwnServer:
    """A kvik-server (or redis-server) this test may stop at will."""

    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="incomes-kvik-")
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [os.environ["KVIK_SERVER"], "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--dir", self.dir, "--logfile", os.path.join(self.dir, "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            probe = redis.Redis(port=self.port)
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("server did not start")
                time.sleep(0.02)
            finally:
                probe.close()
        self.url = "redis://127.0.0.1:%d/0" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def own_server():
    need_env()
    s = OwnServer()
    yield s
    s.cleanup()


@pytest.fixture
def rc():
    need_env()
    c = redis.Redis.from_url(os.environ["REDIS_URL"])
    c.flushall()
    yield c
    c.close()


@pytest_asyncio.fixture
async def make_app(rc):
    """Factory: make_app(**create_app kwargs) -> (app, httpx client) on an empty database."""
    made = []

    async def make(**kw):
        kw.setdefault("database_url", os.environ["DATABASE_URL"])
        kw.setdefault("redis_url", os.environ["REDIS_URL"])
        app = create_app(**kw)
        if not made:
            async with app.state.engine.begin() as conn:
                await conn.run_sync(Base.metadata.drop_all)
        await app.state.init_db()
        client = httpx.AsyncClient(app=app, base_url="http://incomes")
        made.append((app, client))
        return app, client

    yield make
    for app, client in made:
        await client.aclose()
        await app.state.close()
