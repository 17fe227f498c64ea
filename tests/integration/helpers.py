"""Small helpers shared by the test files.

Fixtures defined here must be imported by name into a test module to be used there
(`from helpers import debug_server`).
"""
import re
import socket
import time

import pytest

from conftest import Server
from util import _encode


def parse_info(text):
    """INFO text -> {section_name_lower: {field: value}} keeping field order."""
    if isinstance(text, bytes):
        text = text.decode()
    sections = {}
    current = None
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("# "):
            current = sections.setdefault(line[2:].lower(), {})
            continue
        key, _, value = line.partition(":")
        current[key] = value
    return sections


def info_sections(text):
    """Section headers of an INFO reply, in order ("Server", "Clients", ...)."""
    if isinstance(text, bytes):
        text = text.decode()
    return [line[2:] for line in text.split("\r\n") if line.startswith("# ")]


def parse_client_line(line):
    """One CLIENT LIST/INFO line -> list of (field, value) in wire order."""
    if isinstance(line, bytes):
        line = line.decode()
    pairs = []
    for item in line.strip("\n").split(" "):
        key, _, value = item.partition("=")
        pairs.append((key, value))
    return pairs


def wait_until(predicate, timeout=5.0, interval=0.02):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


LOG_LINE = re.compile(r"^(\d+):([CMSX]) \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ")


@pytest.fixture(scope="module")
def debug_server():
    """A server that allows DEBUG (Redis 7 ships with enable-debug-command no)."""
    s = Server("--enable-debug-command", "yes")
    yield s
    s.stop()


# ---- blocking commands: several raw connections, one blocked at a time ----

def send(conn, *args):
    """Sends a command on a raw connection without waiting for its reply."""
    conn.send(_encode(args))


def blocked_count(c):
    text = c("CLIENT", "LIST").decode()
    return sum(1 for line in text.splitlines() if " flags=b " in line)


def wait_blocked(c, n, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if blocked_count(c) == n:
            return
        time.sleep(0.005)
    raise AssertionError("expected %d blocked clients, have %d" % (n, blocked_count(c)))


def no_reply(conn, wait=0.05):
    """True when nothing (not even EOF) is readable on conn within `wait` seconds."""
    conn.sock.settimeout(wait)
    try:
        conn.sock.recv(1, socket.MSG_PEEK)
        return False
    except socket.timeout:
        return True
    finally:
        conn.sock.settimeout(10)


def restoring_config(c, *names):
    """For fixtures (`yield from`): yields a CONFIG SET function for one test and puts the
    named directives back to their values from before it afterwards."""
    saved = {n: c("CONFIG", "GET", n)[1] for n in names}
    yield lambda name, value: c("CONFIG", "SET", name, value)
    for n, v in saved.items():
        c("CONFIG", "SET", n, v)
