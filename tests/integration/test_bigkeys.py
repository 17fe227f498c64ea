"""Deleting a huge collection does not stall other clients: the value goes to the
lazy-free thread (issue 3: UNLINK of a 5M-element set, PING answered within 10 ms)."""
import socket
import threading
import time

from conftest import IS_REDIS

N = 5_000_000
CHUNK = 1000


def load_set(port, key, n):
    s = socket.create_connection(("127.0.0.1", port))
    done = threading.Event()
    received = [0]

    def reader():
        buf = b""
        while received[0] < n // CHUNK:
            data = s.recv(1 << 20)
            if not data:
                break
            buf += data
            received[0] += buf.count(b"\r\n")
            buf = b""
        done.set()

    t = threading.Thread(target=reader)
    t.start()
    kb = key.encode()
    for start in range(0, n, CHUNK):
        members = [b"m%d" % i for i in range(start, start + CHUNK)]
        parts = [b"*%d\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n" % (CHUNK + 2, len(kb), kb)]
        parts += [b"$%d\r\n%s\r\n" % (len(m), m) for m in members]
        s.sendall(b"".join(parts))
    done.wait(120)
    t.join()
    s.close()


def worst_ping_during(port, action, seconds=1.0):
    """Runs action() while another connection PINGs in a loop; returns the slowest PING."""
    worst = [0.0]
    stop = threading.Event()

    def pinger():
        s = socket.create_connection(("127.0.0.1", port))
        while not stop.is_set():
            t = time.perf_counter()
            s.sendall(b"PING\r\n")
            assert s.recv(64) == b"+PONG\r\n"
            worst[0] = max(worst[0], time.perf_counter() - t)
        s.close()

    th = threading.Thread(target=pinger)
    th.start()
    time.sleep(0.1)
    action()
    time.sleep(seconds)
    stop.set()
    th.join()
    return worst[0]


def test_unlink_of_5m_element_set_does_not_stall(start_server):
    s = start_server()
    r = s.client()
    load_set(s.port, "big", N)
    assert r.scard("big") == N
    before = r.info("memory")["used_memory"]
    worst = worst_ping_during(s.port, lambda: r.unlink("big"))
    assert r.exists("big") == 0
    assert worst < 0.010, "a PING took %.1f ms" % (worst * 1000)
    # the memory comes back once the thread is done
    deadline = time.time() + 20
    while time.time() < deadline and r.info("memory")["lazyfree_pending_objects"]:
        time.sleep(0.05)
    assert r.info("memory")["used_memory"] < before // 4


def test_del_of_large_set_does_not_stall(start_server):
    s = start_server()
    r = s.client()
    load_set(s.port, "big", 1_000_000)
    worst = worst_ping_during(s.port, lambda: r.delete("big"), seconds=0.5)
    assert r.exists("big") == 0
    if not IS_REDIS:  # Redis's DEL frees synchronously (lazyfree-lazy-user-del no)
        assert worst < 0.010, "a PING took %.1f ms" % (worst * 1000)
