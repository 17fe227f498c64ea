"""Shared fixtures: start a real server process on a free port, hand out clients.

KVIK_SERVER names the binary (default: ./kvik-server at the repository root). Pointing it
at Debian's /usr/bin/redis-server runs the same suite against the reference, which is how
these tests are checked to describe Redis's behaviour and not Kvik's.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER = os.environ.get("KVIK_SERVER", os.path.join(ROOT, "kvik-server"))
IS_REDIS = os.path.basename(SERVER).startswith("redis")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server process; args are extra `--directive value` pairs."""

    def __init__(self, *args, config_text=None):
        self.dir = tempfile.mkdtemp(prefix="kvik-test-")
        self.port = free_port()
        self.logfile = os.path.join(self.dir, "server.log")
        cmd = [SERVER]
        if config_text is not None:
            conf = os.path.join(self.dir, "test.conf")
            with open(conf, "w") as f:
                f.write(config_text)
            cmd.append(conf)
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--logfile", self.logfile]
        cmd += [str(a) for a in args]
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, cwd=self.dir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        try:
            self._wait_ready()
        except Exception:
            self.stop()
            raise

    def _wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited (%s): %s\n%s" % (
                    self.proc.returncode, self.proc.stderr.read().decode(), self.log()))
            log = self.log()
            if "Ready to accept connections" in log or "ready to accept connections" in log:
                return
            time.sleep(0.02)
        raise RuntimeError("server not ready:\n" + self.log())

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def client(self, **kw):
        kw.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def url(self, db=0):
        return "redis://127.0.0.1:%d/%d" % (self.port, db)

    def connect(self):
        """A raw socket, for protocol-level tests."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        return s

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
        # Under `make SANITIZE=1` a sanitizer report fails the test that ran the server.
        err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
        if "Sanitizer" in err or "runtime error:" in err:
            raise AssertionError("sanitizer report from the server:\n" + err[-4000:])

    def alive(self):
        return self.proc.poll() is None


@pytest.fixture(scope="session")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture
def start_server():
    """Factory for tests that need their own configuration: start_server('--requirepass', 'x')."""
    started = []

    def start(*args, **kw):
        s = Server(*args, **kw)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture
def r(server):
    c = server.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def rd(server):
    """Client with decode_responses=True, as the cache-aside users run it."""
    c = server.client(decode_responses=True)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def c(server, r):
    """Raw RESP2 connection (tests/integration/util.py Raw) on a flushed server."""
    from util import Raw
    conn = Raw(server)
    yield conn
    conn.close()


@pytest.fixture
def c3(server, r):
    """RESP3 connection (after HELLO 3) on a flushed server."""
    from resp3 import Resp3
    conn = Resp3(server.port)
    conn.hello(3)
    yield conn
    conn.close()


@pytest.fixture
def conns(server, r):
    """Factory of extra raw connections, closed after the test."""
    from util import Raw
    made = []

    def make():
        conn = Raw(server)
        made.append(conn)
        return conn

    yield make
    for conn in made:
        try:
            conn.close()
        except OSError:
            pass
