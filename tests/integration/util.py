"""Helpers shared by the integration tests.

redis-py strips the error code ("ERR ", "WRONGTYPE ") from error replies and turns some
errors into other exception classes, so tests that pin an error's exact text talk to the
server through `Raw`, a tiny RESP client that hands back every reply as the server sent it.
"""
import socket

import pytest
import redis


class Err(str):
    """An error reply: the full line after '-', code prefix included."""

    def __repr__(self):
        return "Err(%s)" % str.__repr__(self)


WRONGTYPE = Err("WRONGTYPE Operation against a key holding the wrong kind of value")
SYNTAX = Err("ERR syntax error")
NOT_INT = Err("ERR value is not an integer or out of range")
NOT_FLOAT = Err("ERR value is not a valid float")


def arity(name):
    return Err("ERR wrong number of arguments for '%s' command" % name)


def bad_expire(name):
    return Err("ERR invalid expire time in '%s' command" % name)


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Raw:
    """Raw RESP connection. Replies: +simple -> str, -error -> Err, :int -> int,
    $bulk -> bytes or None, *array -> list or None (RESP3 types mapped alike)."""

    def __init__(self, server):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.f = self.sock.makefile("rb")

    def __call__(self, *args):
        self.sock.sendall(_encode(args))
        return self.read()

    def send(self, data):
        self.sock.sendall(data)

    def read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed, got %r" % line)
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return Err(body.decode())
        if kind in (b":", b"("):
            return int(body)
        if kind == b",":
            return float(body)
        if kind == b"#":
            return body == b"t"
        if kind == b"_":
            return None
        if kind in (b"$", b"=", b"!"):
            n = int(body)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if kind in (b"*", b"~", b">"):
            n = int(body)
            if n < 0:
                return None
            return [self.read() for _ in range(n)]
        if kind == b"%":
            n = int(body)
            return {self.read(): self.read() for _ in range(n)}
        raise ValueError("bad reply line %r" % line)

    def close(self):
        self.f.close()
        self.sock.close()


def make_list(r, key, *items):
    """Create a non-string key (a list) for WRONGTYPE checks; skip when the server under
    test has no list commands yet."""
    try:
        r.rpush(key, *(items or (b"x",)))
    except redis.ResponseError as e:
        if "unknown command" in str(e):
            pytest.skip("server has no list commands")
        raise


def info_field(info_text, name):
    """Value of `name:` in an INFO reply given as text."""
    for line in info_text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    return None
