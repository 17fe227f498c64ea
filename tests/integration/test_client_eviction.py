"""Client eviction: maxmemory-clients (Redis 7.0).

Every test here passes against Debian's redis-server 7.0.15 (KVIK_SERVER=/usr/bin/redis-server).
A "hog" is a raw connection with a tiny receive window that pipelines GETs of a large value
and never reads: its replies pile up in the server's output buffer.
"""
import socket
import time

import pytest
import redis

from helpers import wait_until

BIG = 256 * 1024


def hog(server, n_gets, key=b"big"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", server.port))
    s.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key)
                       for _ in range(n_gets)))
    return s


def stats(r):
    return r.info("stats")


def client_ids(r):
    return {c["id"] for c in r.client_list()}


def hog_gone(s):
    """True once the server closed the hog's connection (reading through what it got)."""
    s.setblocking(False)
    try:
        while True:
            data = s.recv(1 << 20)
            if not data:
                return True
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


@pytest.fixture
def srv(start_server):
    s = start_server("--maxmemory-clients", "2mb")
    r = s.client()
    r.set("big", b"x" * BIG)
    r.execute_command("CLIENT", "NO-EVICT", "on")
    yield s, r
    r.close()


def test_config_values(start_server):
    s = start_server()
    r = s.client(decode_responses=True)
    assert r.config_get("maxmemory-clients") == {"maxmemory-clients": "0"}
    for value, shown in [("10mb", "10485760"), ("5%", "5%"), ("0", "0"), ("100%", "100%"),
                         ("0%", "0"), ("1k", "1000"), ("1GB", "1073741824"), ("", "0"),
                         ("18446744073709551615", "1%"), ("0", "0")]:
        assert r.config_set("maxmemory-clients", value)
        assert r.config_get("maxmemory-clients")["maxmemory-clients"] == shown, value
    prefix = ("CONFIG SET failed (possibly related to argument 'maxmemory-clients') - ")
    for value in ["-1", "abc", "1.5%", "10 mb", "50%x", "-5%", "%", "5%%", " 5%", "05%",
                  "+5%", "0x10", "-0%"]:
        with pytest.raises(redis.ResponseError) as e:
            r.config_set("maxmemory-clients", value)
        assert str(e.value) == prefix + "argument must be a memory or percent value", value
    for value in ["101%", "9223372036854775808"]:
        with pytest.raises(redis.ResponseError) as e:
            r.config_set("maxmemory-clients", value)
        assert str(e.value) == prefix + "percentage argument must be less or equal to 100"
    assert r.config_get("maxmemory-clients")["maxmemory-clients"] == "0"


def test_startup_rejects_bad_value(tmp_path):
    from conftest import SERVER
    import subprocess
    p = subprocess.run([SERVER, "--port", "0", "--maxmemory-clients", "101%"],
                       capture_output=True, timeout=10, cwd=tmp_path)
    assert p.returncode != 0
    out = (p.stdout + p.stderr).decode()
    assert "percentage argument must be less or equal to 100" in out


def test_big_output_client_is_evicted(srv):
    s, r = srv
    small = s.client()
    small.ping()
    h = hog(s, 64)  # 16 MB of replies against a 2 MB limit
    assert wait_until(lambda: stats(r)["evicted_clients"] == 1, timeout=10)
    assert wait_until(lambda: hog_gone(h), timeout=5)
    h.close()
    assert small.ping()  # the largest client went, not the small one
    assert "Evicting client: id=" in s.log()
    r.config_resetstat()
    assert stats(r)["evicted_clients"] == 0


def test_no_evict_protects(srv):
    s, r = srv
    victim = s.client()
    victim.client_setname("victim")
    h = socket.socket()
    h.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    h.connect(("127.0.0.1", s.port))
    h.sendall(b"CLIENT NO-EVICT on\r\n" + b"GET big\r\n" * 64)

    def protected_hog():
        return [c for c in r.client_list() if c["flags"] == "e" and int(c["omem"]) > 2 << 20]
    assert wait_until(lambda: protected_hog(), timeout=10)
    # As Redis, the protected client's memory still counts towards the limit: the small
    # evictable client goes in its place, and the server says it is still over.
    assert wait_until(lambda: "victim" not in {c["name"] for c in r.client_list()}, timeout=5)
    assert stats(r)["evicted_clients"] == 1
    assert wait_until(lambda: "Over client maxmemory after evicting all evictable clients"
                      in s.log(), timeout=5)
    time.sleep(0.3)
    assert protected_hog()
    assert stats(r)["evicted_clients"] == 1
    h.close()


def test_percentage_of_maxmemory(start_server):
    s = start_server("--maxmemory", "100mb", "--maxmemory-clients", "2%")
    r = s.client()
    r.execute_command("CLIENT", "NO-EVICT", "on")
    r.set("big", b"x" * BIG)
    assert r.config_get("maxmemory-clients") == {"maxmemory-clients": "2%"}
    h = hog(s, 64)
    assert wait_until(lambda: stats(r)["evicted_clients"] == 1, timeout=10)
    assert wait_until(lambda: hog_gone(h), timeout=5)
    h.close()
    # Raising maxmemory raises the limit: 2% of 2 GB is more than the hog can pile up here.
    r.config_set("maxmemory", "2gb")
    h = hog(s, 64)
    assert wait_until(lambda: any(int(c["omem"]) > 4 * BIG for c in r.client_list()),
                      timeout=10)
    time.sleep(0.2)
    assert stats(r)["evicted_clients"] == 1
    h.close()


def test_disabled_by_default_and_when_set_to_zero(start_server):
    s = start_server("--maxmemory-clients", "1mb")
    r = s.client()
    r.execute_command("CLIENT", "NO-EVICT", "on")
    r.set("big", b"x" * BIG)
    r.config_set("maxmemory-clients", "0")
    h = hog(s, 24)
    assert wait_until(lambda: any(int(c["omem"]) > 4 * BIG for c in r.client_list()),
                      timeout=10)
    # turning the limit on evicts the hog that is already over it
    r.config_set("maxmemory-clients", "1mb")
    assert wait_until(lambda: stats(r)["evicted_clients"] == 1, timeout=5)
    assert wait_until(lambda: hog_gone(h), timeout=5)
    h.close()


def test_tot_mem_counts_output(start_server):
    s = start_server()
    r = s.client()
    r.set("big", b"x" * BIG)
    me = r.client_info()
    assert int(me["tot-mem"]) >= int(me["omem"]) + int(me["qbuf"])
    h = hog(s, 48)
    seen = []

    def hog_line():
        seen[:] = [c for c in r.client_list() if int(c["omem"]) >= BIG]
        return seen
    assert wait_until(hog_line, timeout=10)
    assert int(seen[0]["tot-mem"]) > int(seen[0]["omem"])
    h.close()


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM")


def sanitized(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


def test_memory_stays_bounded_under_noeviction(start_server):
    limit = 4 * 1024 * 1024
    s = start_server("--maxmemory", "64mb", "--maxmemory-policy", "noeviction",
                     "--maxmemory-clients", str(limit))
    r = s.client()
    r.execute_command("CLIENT", "NO-EVICT", "on")
    r.set("big", b"x" * (1024 * 1024))
    base_used = r.info("memory")["used_memory"]
    base_hwm = vm_hwm(s.proc.pid)
    peak = base_used
    hogs = []
    for _ in range(6):
        for _ in range(4):
            hogs.append(hog(s, 24))  # each would hold 24 MB
        for _ in range(10):
            used = r.info("memory")["used_memory"]
            peak = max(peak, used)
            time.sleep(0.02)
    assert wait_until(lambda: stats(r)["evicted_clients"] >= 20, timeout=10)
    margin = 4 * 1024 * 1024
    assert peak - base_used < limit + margin, (peak - base_used)
    if not sanitized(s.proc.pid):  # ASan's quarantine keeps freed memory resident
        assert vm_hwm(s.proc.pid) - base_hwm < limit + 2 * margin
    for h in hogs:
        h.close()
