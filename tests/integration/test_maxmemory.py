"""maxmemory: eviction policies, OOM refusals, CONFIG SET shrink, MEMORY, OBJECT FREQ/IDLETIME.

Each policy test fills a server, then shrinks maxmemory below what it holds (Redis evicts
right in CONFIG SET) and checks what went: volatile-* never touch keys without a TTL,
lru/lfu keep what was used, and memory ends under the limit. Run against redis-server 7.0
too; allkeys-s3fifo is Kvik's own.
"""
import time

import pytest

from conftest import IS_REDIS
from helpers import parse_info, wait_until
from resp3 import Resp3
from util import Err, Raw, SYNTAX, NOT_INT, arity

OOM = Err("OOM command not allowed when used memory > 'maxmemory'.")
VALUE = "x" * 1000
COLD, HOT = 300, 60


def info(c, section):
    return parse_info(c("INFO", section).decode())[section]


def used(c):
    return int(info(c, "memory")["used_memory"])


def evicted(c):
    return int(info(c, "stats")["evicted_keys"])


def fill(c, prefix, n, ttl=None):
    """n keys of 1000 bytes, pipelined."""
    for i in range(n):
        args = ["SET", "%s:%d" % (prefix, i), VALUE]
        if ttl is not None:
            args += ["EX", str(ttl + i)]
        c.send(_enc(args))
    for _ in range(n):
        assert c.read() == "OK"


def _enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def present(c, prefix, n):
    for i in range(n):
        c.send(_enc(["EXISTS", "%s:%d" % (prefix, i)]))
    return [i for i in range(n) if c.read() == 1]


def shrink(c, by):
    """Sets maxmemory `by` bytes under what is used now; returns the limit."""
    limit = used(c) - by
    assert c("CONFIG", "SET", "maxmemory", str(limit)) == "OK"
    # Eviction has a time budget per call; what is left runs before the next commands.
    wait_until(lambda: used(c) <= limit or int(info(c, "stats")["evicted_keys"]) > 0)
    return limit


@pytest.fixture
def own(start_server):
    def make(policy, *extra):
        srv = start_server("--maxmemory-policy", policy, *extra)
        conn = Raw(srv)
        made.append(conn)
        return conn
    made = []
    yield make
    for conn in made:
        conn.close()


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_keep_keys_without_ttl(own, policy):
    c = own(policy)
    fill(c, "p", COLD)
    fill(c, "v", COLD, ttl=1000)
    limit = shrink(c, 150 * 1000)
    wait_until(lambda: used(c) <= limit)
    before = evicted(c)
    assert present(c, "p", COLD) == list(range(COLD))
    left = present(c, "v", COLD)
    assert 0 < len(left) < COLD
    assert before <= COLD - len(left) <= evicted(c)
    if policy == "volatile-ttl":
        # The nearest TTLs go first: what is left leans to the far end.
        assert sum(left) / len(left) > COLD / 2


def test_volatile_policy_with_nothing_volatile_refuses_writes(own):
    c = own("volatile-lru")
    fill(c, "p", COLD)
    c("CONFIG", "SET", "maxmemory", str(used(c) - 100 * 1000))
    assert c("SET", "new", "v") == OOM
    assert present(c, "p", COLD) == list(range(COLD))
    assert info(c, "stats")["evicted_keys"] == "0"
    assert c("GET", "p:0") == VALUE.encode()


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random",
                                    pytest.param("allkeys-s3fifo", marks=pytest.mark.skipif(
                                        IS_REDIS, reason="Kvik's own policy"))])
def test_allkeys_policies_evict_to_the_limit(own, policy):
    c = own(policy, "--maxmemory", "1gb")
    fill(c, "k", COLD)
    fill(c, "v", 50, ttl=1000)
    limit = shrink(c, 150 * 1000)
    wait_until(lambda: used(c) <= limit)
    before = evicted(c)
    left = len(present(c, "k", COLD)) + len(present(c, "v", 50))
    assert 0 < left < COLD + 50
    assert before <= COLD + 50 - left <= evicted(c)
    assert c("SET", "after", "v") == "OK"
    assert used(c) <= limit + 64 * 1024
    assert c("CONFIG", "SET", "maxmemory", "0") == "OK"
    assert c("CONFIG", "RESETSTAT") == "OK"
    assert evicted(c) == 0


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu",
                                    pytest.param("allkeys-s3fifo", marks=pytest.mark.skipif(
                                        IS_REDIS, reason="Kvik's own policy"))])
def test_recency_and_frequency_policies_keep_hot_keys(own, policy):
    c = own(policy, "--maxmemory", "1gb")
    fill(c, "cold", COLD)
    fill(c, "hot", HOT)
    if policy == "allkeys-lru":
        time.sleep(2.1)  # the LRU clock counts seconds
    for _ in range(20):
        for i in range(HOT):
            c.send(_enc(["GET", "hot:%d" % i]))
        for i in range(HOT):
            c.read()
    shrink(c, 120 * 1000)
    wait_until(lambda: int(info(c, "stats")["evicted_keys"]) >= 100)
    hot_left = len(present(c, "hot", HOT))
    cold_left = len(present(c, "cold", COLD))
    assert hot_left >= HOT * 0.9
    assert cold_left < COLD


def test_noeviction_refuses_denyoom_commands(own):
    c = own("noeviction")
    assert c("SET", "x", "1") == "OK"
    assert c("CONFIG", "SET", "maxmemory", "1") == "OK"
    assert c("SET", "k", "v") == OOM
    assert c("LPUSH", "l", "a") == OOM
    assert c("GET", "x") == b"1"
    assert c("EXPIRE", "x", "100") == 1  # a write, but not DENYOOM
    assert c("DEL", "x") == 1
    stats = info(c, "commandstats")
    assert "rejected_calls=1" in stats["cmdstat_set"]
    assert info(c, "errorstats")["errorstat_OOM"] == "count=2"
    assert info(c, "stats")["evicted_keys"] == "0"


def test_oom_inside_multi(own):
    c = own("noeviction")
    other = Raw(type("S", (), {"port": int(c.sock.getpeername()[1])}))
    try:
        assert c("SET", "x", "1") == "OK"
        # Queued while there was room, refused at EXEC: EXEC carries a DENYOOM command.
        assert c("MULTI") == "OK"
        assert c("SET", "k", "v") == "QUEUED"
        assert other("CONFIG", "SET", "maxmemory", "1") == "OK"
        assert c("EXEC") == Err(
            "EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.")
        # Over the limit, MULTI refuses to queue anything, even reads.
        assert c("MULTI") == "OK"
        assert c("GET", "x") == OOM
        assert c("PING") == OOM
        assert c("EXEC") == Err("EXECABORT Transaction discarded because of previous errors.")
        assert c("MULTI") == "OK"
        assert c("DISCARD") == "OK"
        assert c("MULTI") == "OK"
        assert c("WATCH", "x") == OOM
        assert c("EXEC") == Err("EXECABORT Transaction discarded because of previous errors.")
        assert c("GET", "x") == b"1"
    finally:
        other.close()


def test_shrink_with_noeviction_keeps_keys(own):
    c = own("noeviction")
    fill(c, "k", 100)
    c("CONFIG", "SET", "maxmemory", str(used(c) - 50000))
    assert c("DBSIZE") == 100
    assert c("SET", "x", "y") == OOM
    assert c("CONFIG", "SET", "maxmemory", "0") == "OK"
    assert c("SET", "x", "y") == "OK"


def test_tiny_maxmemory_warned_at_start_up(start_server):
    s = start_server("--maxmemory", "1000")
    assert ("WARNING: You specified a maxmemory value that is less than 1MB (current value "
            "is 1000 bytes). Are you sure this is what you really want?") in s.log()


def test_config_directives(own):
    c = own("noeviction")
    assert c("CONFIG", "GET", "maxmemory*") == [
        b"maxmemory", b"0", b"maxmemory-policy", b"noeviction", b"maxmemory-samples", b"5",
        b"maxmemory-eviction-tenacity", b"10", b"maxmemory-clients", b"0"] or IS_REDIS
    for name, default in (("maxmemory-samples", b"5"), ("maxmemory-eviction-tenacity", b"10"),
                          ("lfu-log-factor", b"10"), ("lfu-decay-time", b"1")):
        assert c("CONFIG", "GET", name) == [name.encode(), default]
    assert c("CONFIG", "SET", "maxmemory", "100mb") == "OK"
    assert c("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"104857600"]
    assert c("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU") == "OK"
    assert c("CONFIG", "GET", "maxmemory-policy") == [b"maxmemory-policy", b"allkeys-lru"]
    m = info(c, "memory")
    assert (m["maxmemory"], m["maxmemory_human"], m["maxmemory_policy"]) == (
        "104857600", "100.00M", "allkeys-lru")
    assert c("CONFIG", "SET", "maxmemory-samples", "0") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
        "argument must be between 1 and 2147483647 inclusive")
    assert c("CONFIG", "SET", "maxmemory-eviction-tenacity", "101") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-eviction-tenacity') "
        "- argument must be between 0 and 100 inclusive")
    assert c("CONFIG", "SET", "lfu-log-factor", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'lfu-log-factor') - argument "
        "must be between 0 and 2147483647 inclusive")
    err = c("CONFIG", "SET", "maxmemory-policy", "foo")
    redis_list = ("volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                  "allkeys-lfu, allkeys-random, noeviction")
    assert err == Err("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') "
                      "- argument(s) must be one of the following: " + redis_list +
                      ("" if IS_REDIS else ", allkeys-s3fifo"))
    assert c("CONFIG", "SET", "maxmemory", "-1") == Err(
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must "
        "be a memory value")
    stats = info(c, "stats")
    for field in ("evicted_keys", "total_eviction_exceeded_time",
                  "current_eviction_exceeded_time"):
        assert stats[field] == "0"


def test_object_freq_and_idletime_follow_the_policy(own):
    c = own("allkeys-lru")
    c("SET", "k", "v")
    assert c("OBJECT", "IDLETIME", "k") in (0, 1)
    assert c("CONFIG", "SET", "maxmemory-policy", "volatile-lfu") == "OK"
    c("SET", "k2", "v")
    assert c("OBJECT", "FREQ", "k2") == 5
    for _ in range(100):
        c("GET", "k2")
    assert c("OBJECT", "FREQ", "k2") > 5
    assert c("OBJECT", "FREQ", "missing") is None
    assert isinstance(c("OBJECT", "IDLETIME", "k2"), Err)


# ---- MEMORY ----

def test_memory_usage(r, c):
    c("SET", "small", "v")
    c("SET", "big", "x" * 10000)
    small, big = c("MEMORY", "USAGE", "small"), c("MEMORY", "USAGE", "big")
    assert 0 < small < big and big >= 10000
    assert c("MEMORY", "USAGE", "small", "SAMPLES", "0") == small
    assert c("MEMORY", "USAGE", "small", "samples", "3", "SAMPLES", "1") == small
    assert c("MEMORY", "USAGE", "missing") is None
    assert c("MEMORY", "USAGE", "missing", "SAMPLES", "x") == NOT_INT
    assert c("MEMORY", "USAGE", "small", "SAMPLES", "-1") == SYNTAX
    assert c("MEMORY", "USAGE", "small", "SAMPLES") == SYNTAX
    assert c("MEMORY", "USAGE", "small", "FOO", "1") == SYNTAX
    assert c("MEMORY", "USAGE") == arity("memory|usage")
    c("HSET", "h", *["f%d" % i for i in range(2000)])
    assert c("MEMORY", "USAGE", "h") > 2000 * 4


def test_memory_stats_fields(r, c):
    c("SET", "k", "v")
    st = c("MEMORY", "STATS")
    names = [st[i] for i in range(0, len(st), 2)]
    assert names == [
        b"peak.allocated", b"total.allocated", b"startup.allocated", b"replication.backlog",
        b"clients.slaves", b"clients.normal", b"cluster.links", b"aof.buffer", b"lua.caches",
        b"functions.caches", b"db.0", b"overhead.total", b"keys.count", b"keys.bytes-per-key",
        b"dataset.bytes", b"dataset.percentage", b"peak.percentage", b"allocator.allocated",
        b"allocator.active", b"allocator.resident", b"allocator-fragmentation.ratio",
        b"allocator-fragmentation.bytes", b"allocator-rss.ratio", b"allocator-rss.bytes",
        b"rss-overhead.ratio", b"rss-overhead.bytes", b"fragmentation", b"fragmentation.bytes"]
    d = dict(zip(names, [st[i] for i in range(1, len(st), 2)]))
    assert d[b"keys.count"] == 1
    assert d[b"db.0"][0::2] == [b"overhead.hashtable.main", b"overhead.hashtable.expires",
                                b"overhead.hashtable.slot-to-keys"]
    assert float(d[b"peak.percentage"]) > 0
    assert c("MEMORY", "STATS", "x") == arity("memory|stats")


def test_memory_stats_resp3(server, r):
    r.set("k", "v")
    c3 = Resp3(server.port)
    try:
        c3.hello(3)
        st = c3.call("MEMORY", "STATS")
        assert isinstance(st, dict)
        assert isinstance(st[b"db.0"], dict)
        assert isinstance(st[b"dataset.percentage"], float)
        doc = c3.call("MEMORY", "DOCTOR")
        assert doc.format in ("txt", b"txt")
    finally:
        c3.close()


def test_memory_doctor_purge_help(r, c):
    assert c("MEMORY", "DOCTOR") == (
        b"Hi Sam, this instance is empty or is using very little memory, my issues detector "
        b"can't be used in these conditions. Please, leave for your mission on Earth and fill "
        b"it with some data. The new Sam and I will be back to our programming as soon as I "
        b"finished rebooting.\n")
    assert c("MEMORY", "PURGE") == "OK"
    stats = c("MEMORY", "MALLOC-STATS")
    assert stats.startswith(b"___ Begin jemalloc statistics ___") or \
        stats == b"Stats not supported for the current allocator"
    assert c("MEMORY", "HELP") == [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help."]
    assert c("MEMORY", "FOO") == Err("ERR unknown subcommand 'FOO'. Try MEMORY HELP.")
    assert c("MEMORY") == arity("memory")


def test_evicted_keyspace_events(own):
    c = own("allkeys-random", "--notify-keyspace-events", "Ee")
    fill(c, "k", 100)
    sub = Raw(type("S", (), {"port": int(c.sock.getpeername()[1])}))
    try:
        assert sub("PSUBSCRIBE", "__keyevent@0__:evicted")[0] == b"psubscribe"
        c("CONFIG", "SET", "maxmemory", str(used(c) - 30000))
        msg = sub.read()
        assert msg[0] == b"pmessage" and msg[2] == b"__keyevent@0__:evicted"
        assert msg[3].startswith(b"k:")
    finally:
        sub.close()


def test_watch_sees_evictions(own):
    """An evicted key counts as modified: a transaction watching it aborts."""
    c = own("allkeys-random")
    fill(c, "k", 100)
    assert c("WATCH", *["k:%d" % i for i in range(100)]) == "OK"
    shrink(c, 30000)
    assert evicted(c) > 0
    assert c("MULTI") == "OK"
    assert c("GET", "k:0") == "QUEUED"
    assert c("EXEC") is None


def test_lazily_freed_values_count_as_freed(own):
    """A large hash evicted goes to the lazy-free thread; the bytes it will free count at
    once, so one eviction is enough (without that, eviction would go on deleting until
    the background thread caught up)."""
    c = own("volatile-ttl")
    fill(c, "p", 100)
    for h in range(8):
        key = "h:%d" % h
        for base in range(0, 2000, 500):
            c("HSET", key, *[x for i in range(base, base + 500)
                             for x in ("field:%d" % i, "value:%d" % i)])
        assert c("EXPIRE", key, str(1000 + h)) == 1
    shrink(c, 30 * 1000)
    assert evicted(c) == 1
    assert c("DBSIZE") == 107
    assert present(c, "p", 100) == list(range(100))


@pytest.mark.skipif(IS_REDIS, reason="Kvik's own policy")
def test_s3fifo_resists_a_scan(own):
    """Keys read once pass through the small queue and leave from there: a flood of them,
    several times what fits, does not push out keys that are read again and again."""
    c = own("allkeys-s3fifo", "--maxmemory", "1gb")
    fill(c, "hot", HOT)
    c("CONFIG", "SET", "maxmemory", str(used(c) + 200 * 1000))
    for rnd in range(10):
        for i in range(HOT):
            c.send(_enc(["GET", "hot:%d" % i]))
        for i in range(HOT):
            assert c.read() is not None
        fill(c, "scan%d" % rnd, 100)  # 1000 one-hit keys in all, ~5x what fits
    assert evicted(c) >= 700
    assert len(present(c, "hot", HOT)) == HOT
