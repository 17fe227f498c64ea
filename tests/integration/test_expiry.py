"""Key expiry: lazy (on access), active (in the background), stats, and the capacity case
of a million short-lived keys whose memory must come back while the server stays
responsive."""
import socket
import threading
import time

import pytest

from helpers import debug_server  # noqa: F401 (fixture)
from util import Err, Raw, info_field


def info(c, section):
    return c("INFO", section).decode()


def stat(c, section, name):
    return int(info_field(info(c, section), name))


def keyspace(c, db=0):
    """The INFO keyspace line of one db as a dict, or None when the db is empty."""
    value = info_field(info(c, "keyspace"), "db%d" % db)
    if value is None:
        return None
    return {k: int(v) for k, v in (kv.split("=") for kv in value.split(","))}


def wait_until(predicate, timeout, step=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ---------------------------------------------------------------- lazy expiry

def test_lazy_expiry_on_get(c):
    c("SET", "k", "v", "PX", 50)
    assert c("GET", "k") == b"v"
    time.sleep(0.1)
    assert c("GET", "k") is None
    assert c("EXISTS", "k") == 0
    assert c("TTL", "k") == -2
    assert c("PTTL", "k") == -2


@pytest.mark.parametrize("cmd", [
    ("EXISTS", "k"), ("TYPE", "k"), ("STRLEN", "k"), ("GETRANGE", "k", 0, -1), ("TTL", "k"),
    ("MGET", "k"), ("APPEND", "k", "x"), ("INCR", "k"), ("SETNX", "k", "new"),
    ("SET", "k", "new", "NX"), ("RENAME", "k", "z"), ("COPY", "k", "z"),
    ("OBJECT", "ENCODING", "k"),
])
def test_expired_key_is_gone_for_every_command(c, cmd):
    c("SET", "k", "5", "PX", 20)
    time.sleep(0.06)
    expected = {
        "EXISTS": 0, "TYPE": "none", "STRLEN": 0, "GETRANGE": b"", "TTL": -2, "MGET": [None],
        "APPEND": 1, "INCR": 1, "SETNX": 1, "SET": "OK", "RENAME": Err("ERR no such key"),
        "COPY": 0,
        "OBJECT": None,
    }[cmd[0]]
    assert c(*cmd) == expected


def test_expired_key_not_counted_by_exists_or_dbsize_eventually(c):
    c("SET", "live", "1")
    c("SET", "dead", "1", "PX", 10)
    time.sleep(0.05)
    assert c("EXISTS", "live", "dead") == 1
    assert wait_until(lambda: c("DBSIZE") == 1, 3)


def test_overwrite_before_expiry_keeps_key(c):
    c("SET", "k", "v", "PX", 100)
    c("SET", "k", "w")
    time.sleep(0.15)
    assert c("GET", "k") == b"w"


def test_persist_before_expiry_keeps_key(c):
    c("SET", "k", "v", "PX", 100)
    assert c("PERSIST", "k") == 1
    time.sleep(0.15)
    assert c("GET", "k") == b"v"


def test_rename_carries_expiry(c):
    c("SET", "a", "v", "PX", 100)
    c("RENAME", "a", "b")
    time.sleep(0.15)
    assert c("GET", "b") is None


# ---------------------------------------------------------------- active expiry

def test_active_expiry_without_access(c):
    args = []
    for i in range(500):
        args += ["k%d" % i, "v"]
    c("MSET", *args)
    for i in range(500):
        c("PEXPIRE", "k%d" % i, 100)
    c("SET", "stay", "1")
    assert c("DBSIZE") == 501
    # no command touches the keys: only the background cycle can remove them
    assert wait_until(lambda: c("DBSIZE") == 1, 2.5, step=0.1), c("DBSIZE")
    assert c("GET", "stay") == b"1"


def test_active_expiry_in_other_db(c):
    c("SELECT", 5)
    for i in range(100):
        c("SET", "k%d" % i, "v", "PX", 50)
    assert wait_until(lambda: c("DBSIZE") == 0, 2.5, step=0.1)
    c("SELECT", 0)


# ---------------------------------------------------------------- INFO counters

@pytest.fixture
def passive(debug_server):
    """A connection to a server whose active expiry is off: only lookups expire keys."""
    c = Raw(debug_server)
    c("FLUSHALL")
    c("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    yield c
    c("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    c.close()


def test_scan_deletes_the_expired_keys_it_meets(passive):
    c = passive
    for i in range(20):
        c("SET", "gone:%d" % i, "v", "PX", "10")
    c("SET", "live", "v")
    time.sleep(0.05)
    before = stat(c, "stats", "expired_keys")
    assert c("DBSIZE") == 21  # not reclaimed yet
    cursor, keys = c("SCAN", "0", "COUNT", "1000")
    assert (cursor, keys) == (b"0", [b"live"])
    assert stat(c, "stats", "expired_keys") == before + 20
    assert c("DBSIZE") == 1


def test_keys_skips_expired_keys_without_deleting_them(passive):
    c = passive
    c("SET", "gone", "v", "PX", "10")
    c("SET", "live", "v")
    time.sleep(0.05)
    assert c("KEYS", "*") == [b"live"]
    assert c("DBSIZE") == 2


def test_randomkey_deletes_expired_keys_until_a_live_one(passive):
    c = passive
    for i in range(50):
        c("SET", "gone:%d" % i, "v", "PX", "10")
    c("SET", "live", "v")
    time.sleep(0.05)
    assert c("RANDOMKEY") == b"live"
    assert c("DBSIZE") < 51
    c("DEL", "live")
    assert c("RANDOMKEY") is None  # every key expired: all deleted, none returned
    assert c("DBSIZE") == 0


def test_info_keyspace_counts_expires(c):
    assert keyspace(c) is None
    c("SET", "a", "1")
    c("SET", "b", "1", "EX", 1000)
    c("SET", "c", "1", "PX", 1000000)
    ks = keyspace(c)
    assert ks["keys"] == 3
    assert ks["expires"] == 2
    assert ks["avg_ttl"] >= 0
    c("PERSIST", "b")
    assert keyspace(c)["expires"] == 1
    c("DEL", "c")
    assert keyspace(c) == {"keys": 2, "expires": 0, "avg_ttl": 0}
    c("SELECT", 2)
    c("SET", "x", "1", "EX", 100)
    assert keyspace(c, 2)["expires"] == 1
    assert keyspace(c, 1) is None
    c("FLUSHDB")
    c("SELECT", 0)


def test_info_keyspace_line_format(c):
    c("SET", "a", "1")
    text = info(c, "keyspace")
    assert text.startswith("# Keyspace\r\n")
    assert "db0:keys=1,expires=0,avg_ttl=0\r\n" in text


def test_expired_keys_stat(c):
    before = stat(c, "stats", "expired_keys")
    for i in range(20):
        c("SET", "lazy%d" % i, "v", "PX", 10)
    time.sleep(0.05)
    for i in range(20):
        c("GET", "lazy%d" % i)
    for i in range(30):
        c("SET", "active%d" % i, "v", "PX", 10)
    assert wait_until(lambda: c("DBSIZE") == 0, 2.5, step=0.1)
    assert stat(c, "stats", "expired_keys") - before == 50


def test_deleting_or_overwriting_is_not_expiry(c):
    before = stat(c, "stats", "expired_keys")
    c("SET", "a", "v", "EX", 100)
    c("DEL", "a")
    c("SET", "b", "v", "EX", 100)
    c("SET", "b", "w")
    assert stat(c, "stats", "expired_keys") == before


def test_expire_in_past_counts_as_deletion_not_expiry(c):
    # EXPIRE with a past time deletes the key at once (a "del" event), it does not expire it
    before = stat(c, "stats", "expired_keys")
    c("SET", "a", "v")
    assert c("EXPIRE", "a", -1) == 1
    assert stat(c, "stats", "expired_keys") == before


# ---------------------------------------------------------------- capacity

N_KEYS = 1_000_000
BATCH = 50_000


def load_expiring_keys(srv, n, ttl_seconds):
    """SET key:i v EX ttl for i < n, pipelined over one raw socket; a reader thread
    drains the replies so neither side blocks."""
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=60)
    expected = b"+OK\r\n"
    total = len(expected) * n
    got = {"bytes": 0, "bad": False}

    def reader():
        tail = b""
        while got["bytes"] < total:
            data = sock.recv(1 << 20)
            if not data:
                break
            got["bytes"] += len(data)
            chunk = tail + data
            cut = len(chunk) - len(chunk) % len(expected)
            if chunk[:cut] != expected * (cut // len(expected)):
                got["bad"] = True
                break
            tail = chunk[cut:]

    t = threading.Thread(target=reader)
    t.start()
    ttl = str(ttl_seconds).encode()
    tail = b"\r\n$1\r\nv\r\n$2\r\nEX\r\n$%d\r\n%s\r\n" % (len(ttl), ttl)
    for start in range(0, n, BATCH):
        parts = []
        for i in range(start, min(n, start + BATCH)):
            key = b"key:%d" % i
            parts.append(b"*5\r\n$3\r\nSET\r\n$%d\r\n%s%s" % (len(key), key, tail))
        sock.sendall(b"".join(parts))
    t.join(60)
    sock.close()
    assert not got["bad"], "unexpected reply while loading"
    assert got["bytes"] == total


def test_million_expiring_keys_reclaimed(start_server):
    srv = start_server()
    c = Raw(srv)
    try:
        baseline = int(info_field(info(c, "memory"), "used_memory"))
        expired_before = stat(c, "stats", "expired_keys")
        t0 = time.time()
        load_expiring_keys(srv, N_KEYS, 1)
        load_time = time.time() - t0
        mem = info(c, "memory")
        peak = max(int(info_field(mem, "used_memory")),
                   int(info_field(mem, "used_memory_peak") or 0))
        delta = peak - baseline
        assert delta > 20 * N_KEYS, "keys did not take memory? delta=%d" % delta

        target = baseline + delta // 10
        pinger = Raw(srv)
        max_ping = 0.0
        reclaimed_at = None
        deadline = time.time() + 10
        while time.time() < deadline:
            t = time.perf_counter()
            assert pinger("PING") == "PONG"
            max_ping = max(max_ping, time.perf_counter() - t)
            used = int(info_field(info(c, "memory"), "used_memory"))
            if used < target and c("DBSIZE") == 0:
                reclaimed_at = time.time() - t0
                break
            time.sleep(0.005)
        pinger.close()
        print("load %.2fs, reclaimed %.2fs after start, max PING %.1f ms, used_memory %d -> %d"
              % (load_time, reclaimed_at or -1, max_ping * 1000, baseline, peak))
        assert reclaimed_at is not None, (
            "memory not reclaimed: baseline=%d peak=%d now=%d dbsize=%d load=%.1fs" % (
                baseline, peak, used, c("DBSIZE"), load_time))
        assert max_ping < 0.1, "max PING latency %.3fs" % max_ping
        assert stat(c, "stats", "expired_keys") - expired_before == N_KEYS
        assert keyspace(c) is None
    finally:
        c.close()
