"""Pub/sub: SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE, PUBLISH/SPUBLISH, PUBSUB introspection.

Every expectation here was checked against Redis 7.0 (KVIK_SERVER=/usr/bin/redis-server).
Facts worth knowing when reading the tests:
- Confirmations carry the client's count after the change: channels and patterns count
  together, shard channels apart. Subscribing twice to one channel confirms again with an
  unchanged count; unsubscribing from all with nothing held sends one confirmation with a
  null channel.
- A RESP2 connection with any subscription (of any kind) may only run (P|S)SUBSCRIBE,
  (P|S)UNSUBSCRIBE, PING, QUIT and RESET; PING then answers ["pong", arg-or-""]. RESP3
  connections run anything, and their messages arrive as push (`>`) frames.
- PUBLISH answers the number of deliveries: a client matching a channel and two patterns
  counts three times.
- SUBSCRIBE and PSUBSCRIBE may be queued in MULTI (EXEC then holds their confirmations);
  SSUBSCRIBE inside EXEC is an error.
The session server is shared, so every test uses channel names of its own.
"""
import asyncio
import socket
import time

import pytest
import redis
import redis.asyncio as aioredis

from helpers import parse_client_line, wait_until
from resp3 import Error, Push, Resp3

ONLY = ("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        "RESET are allowed in this context")


def enc(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def push2(*items):
    """The RESP2 bytes of a confirmation/message array (ints last where given)."""
    out = b"*%d\r\n" % len(items)
    for it in items:
        if it is None:
            out += b"$-1\r\n"
        elif isinstance(it, int):
            out += b":%d\r\n" % it
        else:
            it = it.encode() if isinstance(it, str) else it
            out += b"$%d\r\n%s\r\n" % (len(it), it)
    return out


class Raw:
    """A RESP2 socket that reads exactly the bytes it expects."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=5)

    def send(self, *args):
        self.s.sendall(enc(*args))

    def expect(self, data):
        got = b""
        while len(got) < len(data):
            chunk = self.s.recv(len(data) - len(got))
            if not chunk:
                break
            got += chunk
        assert got == data

    def call(self, *args, expect):
        self.send(*args)
        self.expect(expect)

    def nothing_pending(self):
        self.s.settimeout(0.2)
        try:
            return self.s.recv(1) == b""
        except socket.timeout:
            return True
        finally:
            self.s.settimeout(5)

    def close(self):
        self.s.close()


@pytest.fixture
def raw(server):
    c = Raw(server.port)
    yield c
    c.close()


def wait_message(p, timeout=2.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            return m
    return None


# ---- redis-py sync API ----

def test_subscribe_publish_listen(server, r):
    p = r.pubsub()
    p.subscribe("sync:ch")
    assert wait_message(p) == {"type": "subscribe", "pattern": None, "channel": b"sync:ch",
                               "data": 1}
    assert r.publish("sync:ch", "hello") == 1
    assert wait_message(p) == {"type": "message", "pattern": None, "channel": b"sync:ch",
                               "data": b"hello"}
    assert r.publish("sync:other", "x") == 0
    p.unsubscribe("sync:ch")
    assert wait_message(p)["type"] == "unsubscribe"
    assert r.publish("sync:ch", "gone") == 0
    p.close()


def test_pattern_subscription(server, r):
    p = r.pubsub()
    p.psubscribe("pat:news.*")
    assert wait_message(p) == {"type": "psubscribe", "pattern": None,
                               "channel": b"pat:news.*", "data": 1}
    assert r.publish("pat:news.tech", "m1") == 1
    assert r.publish("pat:weather", "m2") == 0
    assert wait_message(p) == {"type": "pmessage", "pattern": b"pat:news.*",
                               "channel": b"pat:news.tech", "data": b"m1"}
    assert r.pubsub_numpat() >= 1
    p.punsubscribe("pat:news.*")
    assert wait_message(p)["type"] == "punsubscribe"
    assert r.publish("pat:news.tech", "m3") == 0
    p.close()


@pytest.mark.parametrize("pattern,channel,match", [
    ("gl:h?llo", "gl:hello", True), ("gl:h?llo", "gl:heello", False),
    ("gl:h*llo", "gl:heeeello", True), ("gl:h[ae]llo", "gl:hallo", True),
    ("gl:h[ae]llo", "gl:hillo", False), ("gl:h[^e]llo", "gl:hallo", True),
    ("gl:h[^e]llo", "gl:hello", False), ("gl:h[a-b]llo", "gl:hbllo", True),
    ("gl:h\\*llo", "gl:h*llo", True), ("gl:h\\*llo", "gl:hello", False),
])
def test_glob_patterns(server, r, pattern, channel, match):
    p = r.pubsub(ignore_subscribe_messages=True)
    p.psubscribe(pattern)
    wait_message(p, 0.3)
    assert r.publish(channel, "x") == (1 if match else 0)
    p.close()


def test_handler_thread(server, r):
    got = []
    p = r.pubsub()
    p.subscribe(**{"thr:ch": lambda m: got.append(m["data"])})
    t = p.run_in_thread(sleep_time=0.01)
    try:
        deadline = time.time() + 2
        while r.pubsub_numsub("thr:ch")[0][1] == 0 and time.time() < deadline:
            time.sleep(0.01)
        for i in range(5):
            r.publish("thr:ch", str(i))
        while len(got) < 5 and time.time() < deadline:
            time.sleep(0.01)
    finally:
        t.stop()
        t.join(2)
        p.close()
    assert got == [b"0", b"1", b"2", b"3", b"4"]


def test_pubsub_introspection(server, r):
    a = r.pubsub()
    b = r.pubsub()
    a.subscribe("intro:a", "intro:b")
    b.subscribe("intro:a")
    a.psubscribe("intro:p*")
    for p in (a, b):
        while wait_message(p, 0.3):
            pass
    assert sorted(r.pubsub_channels("intro:*")) == [b"intro:a", b"intro:b"]
    assert r.pubsub_numsub("intro:a", "intro:b", "intro:none") == \
        [(b"intro:a", 2), (b"intro:b", 1), (b"intro:none", 0)]
    assert r.execute_command("PUBSUB", "NUMSUB") == []
    before = r.pubsub_numpat()
    b.psubscribe("intro:p*")  # same pattern: NUMPAT counts unique patterns
    wait_message(b, 0.3)
    assert r.pubsub_numpat() == before
    a.close()
    b.close()
    deadline = time.time() + 2
    while r.pubsub_channels("intro:*") and time.time() < deadline:
        time.sleep(0.01)
    assert r.pubsub_channels("intro:*") == []


def test_pubsub_errors_and_help(server, r):
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand or wrong number of "
                       r"arguments for 'CHANNELS'. Try PUBSUB HELP.$"):
        r.execute_command("PUBSUB", "CHANNELS", "a", "b")
    with pytest.raises(redis.ResponseError, match=r"^unknown subcommand 'FOO'. Try PUBSUB HELP"):
        r.execute_command("PUBSUB", "FOO")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'pubsub|numpat'"):
        r.execute_command("PUBSUB", "NUMPAT", "x")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'subscribe'"):
        r.execute_command("SUBSCRIBE")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments for 'publish'"):
        r.execute_command("PUBLISH", "x")
    help_ = r.execute_command("PUBSUB", "HELP")
    assert help_[0] == b"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    assert help_[-2:] == [b"HELP", b"    Prints this help."]
    assert len(help_) == 14


def test_shard_channels(server, r):
    p = r.pubsub()
    p.execute_command("SSUBSCRIBE", "shard:a")
    assert p.parse_response(timeout=2) == [b"ssubscribe", b"shard:a", 1]
    assert r.execute_command("SPUBLISH", "shard:a", "v") == 1
    assert r.execute_command("PUBLISH", "shard:a", "v") == 0
    assert p.parse_response(timeout=2) == [b"smessage", b"shard:a", b"v"]
    assert r.execute_command("PUBSUB", "SHARDCHANNELS", "shard:*") == [b"shard:a"]
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "shard:a", "shard:b") == \
        [b"shard:a", 1, b"shard:b", 0]
    assert r.pubsub_channels("shard:*") == []
    p.close()


def test_disconnect_cleans_up(server, r):
    p = r.pubsub()
    p.subscribe("gone:ch")
    p.psubscribe("gone:*")
    wait_message(p)
    wait_message(p)
    assert r.publish("gone:ch", "x") == 2
    p.close()
    deadline = time.time() + 2
    while r.publish("gone:ch", "x") and time.time() < deadline:
        time.sleep(0.01)
    assert r.publish("gone:ch", "x") == 0
    assert r.pubsub_numsub("gone:ch") == [(b"gone:ch", 0)]


def test_many_subscribers(server, r):
    subs = [r.pubsub(ignore_subscribe_messages=True) for _ in range(20)]
    for p in subs:
        p.subscribe("many:ch")
        wait_message(p, 0.05)
    assert r.publish("many:ch", "all") == 20
    for p in subs:
        assert wait_message(p)["data"] == b"all"
        p.close()


# ---- asyncio ----

def test_asyncio_pubsub(server):
    async def main():
        r = aioredis.Redis(port=server.port)
        p = r.pubsub()
        await p.subscribe("aio:ch")
        await p.psubscribe("aio:p*")
        seen = []
        while len(seen) < 2:
            m = await p.get_message(timeout=1)
            if m:
                seen.append(m["type"])
        assert seen == ["subscribe", "psubscribe"]
        assert await r.publish("aio:ch", "one") == 1
        assert await r.publish("aio:pq", "two") == 1
        got = []
        deadline = time.time() + 3
        while len(got) < 2 and time.time() < deadline:
            m = await p.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if m:
                got.append((m["type"], m["channel"], m["data"]))
        assert got == [("message", b"aio:ch", b"one"), ("pmessage", b"aio:pq", b"two")]
        await p.unsubscribe()
        await p.punsubscribe()
        await p.close()
        await r.close()

    asyncio.run(main())


# ---- RESP2 on the wire ----

def test_raw_confirmations(server, raw):
    raw.call("UNSUBSCRIBE", expect=push2("unsubscribe", None, 0))
    raw.call("PUNSUBSCRIBE", expect=push2("punsubscribe", None, 0))
    raw.call("SUNSUBSCRIBE", expect=push2("sunsubscribe", None, 0))
    raw.call("SUBSCRIBE", "rw:a", "rw:b", "rw:a",
             expect=push2("subscribe", "rw:a", 1) + push2("subscribe", "rw:b", 2) +
             push2("subscribe", "rw:a", 2))
    raw.call("PSUBSCRIBE", "rw:p*", expect=push2("psubscribe", "rw:p*", 3))
    raw.call("SSUBSCRIBE", "rw:s", expect=push2("ssubscribe", "rw:s", 1))
    raw.call("UNSUBSCRIBE", "rw:zz", expect=push2("unsubscribe", "rw:zz", 3))
    raw.call("SUNSUBSCRIBE", expect=push2("sunsubscribe", "rw:s", 0))
    raw.call("PUNSUBSCRIBE", expect=push2("punsubscribe", "rw:p*", 2))
    raw.call("UNSUBSCRIBE", "rw:a", "rw:b",
             expect=push2("unsubscribe", "rw:a", 1) + push2("unsubscribe", "rw:b", 0))
    raw.call("GET", "rw:key", expect=b"$-1\r\n")


def test_raw_subscribed_mode(server, raw, r):
    raw.call("SUBSCRIBE", "mode:a", expect=push2("subscribe", "mode:a", 1))
    for cmd, full in (("GET", "get"), ("MULTI", "multi"), ("HELLO", "hello"),
                      ("PUBLISH", "publish")):
        args = {"GET": ("k",), "MULTI": (), "HELLO": ("3",), "PUBLISH": ("x", "y")}[cmd]
        raw.call(cmd, *args, expect=b"-" + (ONLY % full).encode() + b"\r\n")
    raw.call("CLIENT", "INFO", expect=b"-" + (ONLY % "client|info").encode() + b"\r\n")
    raw.call("PING", expect=push2("pong", ""))
    raw.call("PING", "hi", expect=push2("pong", "hi"))
    raw.call("PING", "a", "b", expect=b"-ERR wrong number of arguments for 'ping' command\r\n")
    assert r.publish("mode:a", "m") == 1
    raw.expect(push2("message", "mode:a", "m"))
    # a shard subscription alone keeps the connection in subscribed mode
    raw.call("SSUBSCRIBE", "mode:s", expect=push2("ssubscribe", "mode:s", 1))
    raw.call("UNSUBSCRIBE", expect=push2("unsubscribe", "mode:a", 0))
    raw.call("GET", "k", expect=b"-" + (ONLY % "get").encode() + b"\r\n")
    raw.call("SUNSUBSCRIBE", "mode:s", expect=push2("sunsubscribe", "mode:s", 0))
    raw.call("GET", "k", expect=b"$-1\r\n")
    raw.call("PING", expect=b"+PONG\r\n")


def test_raw_rejections_are_counted(server, raw, r):
    r.config_resetstat()
    raw.call("SUBSCRIBE", "cnt:a", expect=push2("subscribe", "cnt:a", 1))
    raw.call("GET", "k", expect=b"-" + (ONLY % "get").encode() + b"\r\n")
    stats = r.info("commandstats")["cmdstat_get"]
    assert stats["rejected_calls"] == 1 and stats["calls"] == 0


def test_raw_pmessage_and_counts(server, raw, r):
    raw.call("SUBSCRIBE", "pm:c", expect=push2("subscribe", "pm:c", 1))
    raw.call("PSUBSCRIBE", "pm:c*", "pm:*",
             expect=push2("psubscribe", "pm:c*", 2) + push2("psubscribe", "pm:*", 3))
    assert r.publish("pm:c", "hi") == 3
    raw.expect(push2("message", "pm:c", "hi"))
    # the two pattern deliveries come in the server's pattern-table order
    a = push2("pmessage", "pm:c*", "pm:c", "hi")
    b = push2("pmessage", "pm:*", "pm:c", "hi")
    raw.s.settimeout(5)
    got = b""
    while len(got) < len(a) + len(b):
        got += raw.s.recv(4096)
    assert got in (a + b, b + a)


def test_reset_leaves_subscribed_mode(server, raw, r):
    raw.call("SUBSCRIBE", "rst:a", expect=push2("subscribe", "rst:a", 1))
    raw.call("PSUBSCRIBE", "rst:*", expect=push2("psubscribe", "rst:*", 2))
    raw.call("RESET", expect=b"+RESET\r\n")
    assert r.publish("rst:a", "x") == 0
    raw.call("GET", "k", expect=b"$-1\r\n")
    assert raw.nothing_pending()


def test_multi(server, raw, r):
    raw.call("MULTI", expect=b"+OK\r\n")
    raw.call("SUBSCRIBE", "tx:a", "tx:b", expect=b"+QUEUED\r\n")
    raw.call("PSUBSCRIBE", "tx:x", expect=b"+QUEUED\r\n")
    raw.call("SSUBSCRIBE", "tx:q", expect=b"+QUEUED\r\n")
    raw.call("EXEC", expect=b"*3\r\n" + push2("subscribe", "tx:a", 1) +
             push2("subscribe", "tx:b", 2) + push2("psubscribe", "tx:x", 3) +
             b"-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n")
    raw.call("MULTI", expect=b"-" + (ONLY % "multi").encode() + b"\r\n")
    raw.call("EXEC", expect=b"-EXECABORT Transaction discarded because of: " +
             (ONLY % "exec")[4:].encode() + b"\r\n")
    assert r.publish("tx:a", "m") == 1
    raw.expect(push2("message", "tx:a", "m"))


def test_client_list_fields(server, raw, r):
    raw.call("SUBSCRIBE", "cl:a", "cl:b", expect=push2("subscribe", "cl:a", 1) +
             push2("subscribe", "cl:b", 2))
    raw.call("PSUBSCRIBE", "cl:*", expect=push2("psubscribe", "cl:*", 3))
    raw.call("SSUBSCRIBE", "cl:s", expect=push2("ssubscribe", "cl:s", 1))
    lines = r.execute_command("CLIENT", "LIST").decode().splitlines()
    mine = [dict(parse_client_line(ln)) for ln in lines]
    sub = [d for d in mine if d["cmd"] == "ssubscribe"]
    assert len(sub) == 1
    assert (sub[0]["flags"], sub[0]["sub"], sub[0]["psub"], sub[0]["ssub"]) == \
        ("P", "2", "1", "1")
    me = dict(parse_client_line(r.execute_command("CLIENT", "INFO")))
    assert (me["flags"], me["sub"], me["psub"], me["ssub"]) == ("N", "0", "0", "0")


def test_binary_channel_and_message(server, raw, r):
    ch = b"bin:\x00\r\n\xff"
    raw.call("SUBSCRIBE", ch, expect=push2("subscribe", ch, 1))
    assert r.publish(ch, b"\x00\x01\r\n") == 1
    raw.expect(push2("message", ch, b"\x00\x01\r\n"))
    big = b"x" * 200000
    assert r.publish(ch, big) == 1
    raw.expect(push2("message", ch, big))


# ---- RESP3 ----

@pytest.fixture
def c3(server):
    c = Resp3(server.port)
    c.hello(3)
    yield c
    c.close()


def test_resp3_pushes(server, c3):
    assert c3.call_raw("SUBSCRIBE", "r3:c") == b">3\r\n$9\r\nsubscribe\r\n$4\r\nr3:c\r\n:1\r\n"
    assert c3.call("PSUBSCRIBE", "r3:c*") == Push([b"psubscribe", b"r3:c*", 2])
    assert c3.call("SSUBSCRIBE", "r3:s") == Push([b"ssubscribe", b"r3:s", 1])
    # RESP3 connections run any command while subscribed, and see their own messages
    c3.send("PUBLISH", "r3:c", "yo")
    assert c3.read_raw() == b">3\r\n$7\r\nmessage\r\n$4\r\nr3:c\r\n$2\r\nyo\r\n"
    assert c3.read_raw() == b">4\r\n$8\r\npmessage\r\n$5\r\nr3:c*\r\n$4\r\nr3:c\r\n$2\r\nyo\r\n"
    assert c3.read() == 2  # one delivery per matching subscription
    c3.send("SPUBLISH", "r3:s", "z")
    assert c3.read() == Push([b"smessage", b"r3:s", b"z"])
    assert c3.read() == 1
    assert c3.call("PING") == "PONG"
    assert c3.call("PUBSUB", "NUMSUB", "r3:c") == [b"r3:c", 1]
    assert c3.call("UNSUBSCRIBE") == Push([b"unsubscribe", b"r3:c", 1])
    assert c3.call("PUNSUBSCRIBE", "nope") == Push([b"punsubscribe", b"nope", 1])
    assert c3.call("SUNSUBSCRIBE") == Push([b"sunsubscribe", b"r3:s", 0])
    assert c3.call_raw("SUNSUBSCRIBE") == b">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n"


def test_resp3_multi(server, c3):
    assert c3.call("MULTI") == "OK"
    assert c3.call("SUBSCRIBE", "r3m:q", "r3m:r") == "QUEUED"
    # EXEC's array says one reply, yet holds both confirmations (Redis does the same)
    c3.send("EXEC")
    c3.sock.settimeout(5)
    want = (b"*1\r\n>3\r\n$9\r\nsubscribe\r\n$5\r\nr3m:q\r\n:1\r\n"
            b">3\r\n$9\r\nsubscribe\r\n$5\r\nr3m:r\r\n:2\r\n")
    got = b""
    while len(got) < len(want):
        got += c3.sock.recv(4096)
    assert got == want
    assert c3.call("GET", "nokey") is None


def test_resp3_reset(server, c3):
    assert c3.call("SUBSCRIBE", "r3r:a") == Push([b"subscribe", b"r3r:a", 1])
    assert c3.call("RESET") == "RESET"
    # back to RESP2 and unsubscribed
    assert c3.call_raw("GET", "nokey") == b"$-1\r\n"
    with Resp3(server.port) as pub:
        assert pub.call("PUBLISH", "r3r:a", "x") == 0


def test_resp3_error_is_not_returned(server, c3):
    assert c3.call("SUBSCRIBE") == Error("ERR wrong number of arguments for 'subscribe' command")


# ---- output limits ----

def test_slow_subscriber_is_disconnected(server, r):
    """Past the pubsub class's hard limit (32mb by default) a subscriber that does not read
    is dropped instead of holding the messages in memory."""
    slow = Raw(server.port)
    slow.call("SUBSCRIBE", "slow:ch", expect=push2("subscribe", "slow:ch", 1))
    payload = b"x" * (1024 * 1024)
    delivered = 0
    for _ in range(80):
        delivered += r.publish("slow:ch", payload)
        if r.pubsub_numsub("slow:ch") == [(b"slow:ch", 0)]:
            break
    assert r.pubsub_numsub("slow:ch") == [(b"slow:ch", 0)]
    assert 8 <= delivered < 80
    # the connection ends (once what was already sent is drained)
    slow.s.settimeout(10)
    while True:
        chunk = slow.s.recv(1 << 20)
        if not chunk:
            break
    slow.close()


def omem_of(r, name):
    for c in r.client_list():
        if c["name"] == name:
            return int(c["omem"])
    return None


def test_pubsub_limits_are_configurable(start_server):
    s = start_server("--client-output-buffer-limit", "pubsub 2mb 0 0")
    r = s.client()
    slow = Raw(s.port)
    slow.call("CLIENT", "SETNAME", "slowsub", expect=b"+OK\r\n")
    slow.call("SUBSCRIBE", "lim:ch", expect=push2("subscribe", "lim:ch", 1))
    payload = b"x" * (256 * 1024)
    for _ in range(400):
        r.publish("lim:ch", payload)
        if r.pubsub_numsub("lim:ch") == [(b"lim:ch", 0)]:
            break
    # Gone once 2mb wait unsent (on top of what the socket buffers took), far below the
    # default 32mb.
    assert r.pubsub_numsub("lim:ch") == [(b"lim:ch", 0)]
    slow.close()
    r.close()


def test_pubsub_soft_limit_needs_time(start_server):
    s = start_server("--client-output-buffer-limit", "pubsub 0 512kb 1")
    r = s.client()
    slow = Raw(s.port)
    slow.call("CLIENT", "SETNAME", "softsub", expect=b"+OK\r\n")
    slow.call("SUBSCRIBE", "soft:ch", expect=push2("subscribe", "soft:ch", 1))
    payload = b"x" * (256 * 1024)
    for _ in range(200):
        r.publish("soft:ch", payload)
        if (omem_of(r, "softsub") or 0) >= 512 * 1024:
            break
    # Over the soft limit, but not for long enough yet.
    assert omem_of(r, "softsub") >= 512 * 1024
    r.publish("soft:ch", payload)
    assert r.pubsub_numsub("soft:ch") == [(b"soft:ch", 1)]
    # Closed once the time is up, with no further message: the client cron checks too.
    assert wait_until(lambda: r.pubsub_numsub("soft:ch") == [(b"soft:ch", 0)], timeout=5)
    slow.close()
    r.close()


def test_client_type_pubsub(start_server):
    """A client with a subscription is of type pubsub, not normal (CLIENT LIST/KILL TYPE,
    and the output-limit class)."""
    s = start_server()
    r = s.client()
    p = r.pubsub()
    p.subscribe("type:ch")
    assert wait_message(p)["type"] == "subscribe"
    assert [c["cmd"] for c in r.client_list(_type="pubsub")] == ["subscribe"]
    assert [c["cmd"] for c in r.client_list(_type="normal")] == ["client|list"]
    assert r.client_list(_type="replica") == []
    assert r.execute_command("CLIENT", "KILL", "TYPE", "normal") == 0
    assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    assert wait_until(lambda: r.pubsub_numsub("type:ch") == [(b"type:ch", 0)])
    p.close()
    r.close()
