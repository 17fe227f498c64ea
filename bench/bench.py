#!/usr/bin/python3
"""Side-by-side benchmark of kvik-server against Debian's redis-server.

Starts both servers on free loopback ports (never 6379) with persistence off and measures,
in interleaved rounds so that machine noise hits both sides alike:

  throughput  redis-benchmark SET and GET, 50 clients, 64-byte values, 100k keyspace,
              unpipelined (-P 1) and pipelined (-P 16): requests/s and server CPU
              microseconds per request (utime+stime from /proc/PID/stat around each run).
  memory      a fresh server per load; 1M keys "key:%07d" -> 16-byte value sent as one raw
              RESP pipeline, with and without "EX 100000": (VmRSS after - before) / keys
              and (INFO used_memory after - before) / keys.
  collections redis-benchmark LPUSH, LPOP, SADD, HSET, ZADD (same method as SET/GET, fewer
              requests); and memory per element of a 1M-element hash, set, sorted set and
              list, each in one key, loaded the same way as the keys above. A command a
              server does not know is reported as "n/a (unknown command)" for that side.
  pubsub      1 publisher pipelining PUBLISH to 50 subscribers of one channel, clients in
              this process: messages delivered/s and server CPU microseconds per message.

Each figure is the median over the rounds per side; the ratio is kvik median / redis median.
Stdlib only; run with /usr/bin/python3. See bench/README.md.
"""

import argparse
import csv
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Both servers get the same flags: no snapshot, no AOF, loopback only.
COMMON_ARGS = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]
READY_TIMEOUT_S = 15.0
VALUE_SIZE = 16
TTL_SECONDS = 100000

# Collections section. Each redis-benchmark test, with the key it works on (as
# redis-benchmark 7.0 names it) and that key's type once the warm-up has filled it.
COLL_TESTS = (("LPUSH", "mylist", "list"), ("LPOP", "mylist", "list"),
              ("SADD", "myset", "set"), ("HSET", "myhash", "hash"),
              ("ZADD", "myzset", "zset"))
# Before a server is measured, each test's commands run once on a scratch key: a command
# answered with "unknown command" makes the test n/a for that side, rather than timing
# redis-benchmark's error replies (which it counts as requests like any other).
PROBE_KEY = "bench:probe"
COLL_PROBES = {
    "LPUSH": [("LPUSH", PROBE_KEY, "x")],
    "LPOP": [("LPUSH", PROBE_KEY, "x"), ("LPOP", PROBE_KEY)],  # LPOP pops what LPUSH filled
    "SADD": [("SADD", PROBE_KEY, "x")],
    "HSET": [("HSET", PROBE_KEY, "f", "x")],
    "ZADD": [("ZADD", PROBE_KEY, "1.5", "x")],
}
# Memory per element: kind, the command adding one element (with the arguments it gets
# when probed, after the key), the command counting them. Every load goes into COLL_KEY.
COLL_LOADS = (("hash", ("HSET", "f", "x"), "HLEN"), ("set", ("SADD", "x"), "SCARD"),
              ("zset", ("ZADD", "1.5", "x"), "ZCARD"), ("list", ("RPUSH", "x"), "LLEN"))
COLL_KEY = "coll"


class BenchError(Exception):
    """A failure that ends the run with a clear message (server died, bad reply, ...)."""


class RespError(BenchError):
    """An error reply from the server; `message` is its text without the leading '-'."""

    def __init__(self, message):
        super().__init__("server error reply: %s" % message)
        self.message = message


# ---------------------------------------------------------------------------------------------
# Minimal RESP client: enough for PING, INFO, DBSIZE, TYPE and the command probes.

def resp_encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RespConn:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.rfile = self.sock.makefile("rb")

    def close(self):
        self.rfile.close()
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, *args):
        self.sock.sendall(resp_encode(*args))
        return self._read()

    def _line(self):
        line = self.rfile.readline()
        if not line.endswith(b"\r\n"):
            raise BenchError("connection closed or bad reply: %r" % line)
        return line[:-2]

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self.rfile.read(n + 2)
            return data[:-2].decode(errors="replace")
        if kind in (b"*", b"%", b"~"):
            n = int(rest)
            count = n * 2 if kind == b"%" else n
            return [self._read() for _ in range(max(count, 0))]
        raise BenchError("unexpected reply type: %r" % line)


def parse_info(text):
    fields = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


# ---------------------------------------------------------------------------------------------
# Server processes.

def free_port():
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port != 6379:
            return port
    raise BenchError("could not find a free port")


def affinity_fn(cpu):
    """preexec_fn that pins the child (and every thread it later starts) to one CPU."""
    if cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


class Server:
    def __init__(self, name, binary, extra_args, cpu, workdir):
        self.name = name
        self.binary = binary
        self.extra_args = extra_args
        self.cpu = cpu
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.log_path = None
        self.log = None

    def start(self):
        self.port = free_port()
        self.log_path = Path(self.workdir) / ("%s-%d.log" % (self.name, self.port))
        self.log = open(self.log_path, "wb")
        argv = [self.binary, "--port", str(self.port)] + COMMON_ARGS + self.extra_args
        # Own session: a ctrl-C reaches only this script, which then stops the servers itself.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.workdir,
                                     start_new_session=True, preexec_fn=affinity_fn(self.cpu))
        deadline = time.monotonic() + READY_TIMEOUT_S
        last_err = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with RespConn(self.port, timeout=2.0) as c:
                    if c.call("PING") == "PONG":
                        return
                    last_err = "PING did not answer PONG"
            except (OSError, BenchError) as e:
                last_err = str(e)
            time.sleep(0.05)
        raise BenchError("%s (%s) not ready on port %d after %.0fs: %s\n%s"
                         % (self.name, self.binary, self.port, READY_TIMEOUT_S, last_err,
                            self.log_tail()))

    def log_tail(self, lines=20):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "--- last lines of %s log ---\n%s" % (self.name, "\n".join(text[-lines:]))

    def check_alive(self):
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            how = ("killed by signal %d" % -code if code is not None and code < 0
                   else "exit status %s" % code)
            raise BenchError("%s server (%s, port %s) died, %s\n%s"
                             % (self.name, self.binary, self.port, how, self.log_tail()))

    def cpu_ticks(self):
        """utime + stime of the whole process (all threads), in clock ticks."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            stat = f.read()
        # Field 2 (comm) may hold spaces; count fields after its closing parenthesis.
        fields = stat[stat.rindex(")") + 2:].split()
        return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)

    def rss_bytes(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise BenchError("no VmRSS for pid %d" % self.proc.pid)

    def used_memory(self):
        """INFO memory used_memory, or None when the server does not report it."""
        try:
            with RespConn(self.port) as c:
                info = parse_info(c.call("INFO", "memory") or "")
        except BenchError:
            return None
        v = info.get("used_memory")
        return int(v) if v is not None and v.isdigit() else None

    def call(self, *args):
        with RespConn(self.port) as c:
            return c.call(*args)

    def dbsize(self):
        return self.call("DBSIZE")

    def missing_command(self, commands):
        """Runs `commands` (argument tuples on PROBE_KEY) once each and deletes PROBE_KEY.
        Returns the name of the first one answered with "unknown command", else None; any
        other error reply ends the run."""
        try:
            with RespConn(self.port) as c:
                try:
                    for args in commands:
                        try:
                            c.call(*args)
                        except RespError as e:
                            if e.message.startswith("ERR unknown command"):
                                return args[0]
                            raise BenchError("%s answered probe %s with: %s"
                                             % (self.name, " ".join(args), e.message))
                finally:
                    c.call("DEL", PROBE_KEY)
        finally:
            self.check_alive()  # a crash on the probe explains the failure best
        return None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None


# ---------------------------------------------------------------------------------------------
# Throughput and CPU per request.

def run_redis_benchmark(opts, server, test, pipeline, requests, cpu):
    argv = [opts.redis_benchmark, "-h", "127.0.0.1", "-p", str(server.port),
            "-t", test, "-c", str(opts.clients), "-d", "64", "-r", "100000",
            "-n", str(requests), "-P", str(pipeline), "--csv"]
    try:
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=300, preexec_fn=affinity_fn(cpu))
    except subprocess.TimeoutExpired:
        server.check_alive()
        raise BenchError("redis-benchmark timed out against %s: %s" % (server.name, argv))
    server.check_alive()
    for row in csv.reader(io.StringIO(res.stdout)):
        if row and row[0].upper() == test.upper() and len(row) > 1:
            return float(row[1])
    raise BenchError("no %s result from redis-benchmark against %s (exit %d)\nstdout: %s\n"
                     "stderr: %s" % (test, server.name, res.returncode, res.stdout[-500:],
                                     res.stderr[-500:]))


def measure_throughput(opts, sides, order_for_round, results_cb, tests, warmups, requests,
                       probes=None, expect_types=None):
    """One long-lived server per side; redis-benchmark runs each of `tests` at -P 1 and
    -P 16 (-n from `requests`, keyed by pipeline depth), sides interleaved. `warmups` run
    first, unmeasured, at -P 16. `probes` (test -> probe commands) marks tests n/a on a
    side that lacks a command; `expect_types` (test -> (key, type)) is checked after the
    warm-up, so a command that answers only errors is caught instead of timed.
    Calls results_cb(samples, unavailable)."""
    servers = {}
    unavailable = {}  # side -> {test: reason}
    try:
        for name, binary, extra in sides:
            srv = servers[name] = Server(name, binary, extra, opts.server_cpu, opts.workdir)
            srv.start()
            for test in (probes or {}):
                missing = srv.missing_command(probes[test])
                if missing is not None:
                    unavailable.setdefault(name, {})[test] = "unknown command %s" % missing
                    progress("%-5s %s: n/a (unknown command %s)" % (name, test, missing))
        # Warm-up, not measured: fill most of the keyspace (so GET mostly hits and the
        # collections are near their steady size), and fault in the memory both servers
        # will use.
        for name in servers:
            for test in warmups:
                if test not in unavailable.get(name, {}):
                    run_redis_benchmark(opts, servers[name], test, 16, opts.warmup_requests,
                                        opts.client_cpu)
            for test, (key, want) in (expect_types or {}).items():
                if test in unavailable.get(name, {}):
                    continue
                got = servers[name].call("TYPE", key)
                if got != want:
                    raise BenchError("after the warm-up %s's key %s has type %s, not %s: "
                                     "its %s replies were errors?" % (name, key, got, want,
                                                                      test))
        samples = {}
        for rnd in range(opts.rounds):
            for pipeline in (1, 16):
                for test in tests:
                    per_side = samples.setdefault((test, pipeline), {})
                    for name in order_for_round(rnd):
                        per_side.setdefault(name, [])
                        if test in unavailable.get(name, {}):
                            continue
                        srv = servers[name]
                        t0 = srv.cpu_ticks()
                        rps = run_redis_benchmark(opts, srv, test, pipeline,
                                                  requests[pipeline], opts.client_cpu)
                        t1 = srv.cpu_ticks()
                        cpu_us = (t1 - t0) * 1e6 / CLK_TCK / requests[pipeline]
                        per_side[name].append((rps, cpu_us))
                        progress("round %d/%d  %-5s -P %-2d %-5s %10.0f req/s  %6.2f us/req"
                                 % (rnd + 1, opts.rounds, test, pipeline, name, rps, cpu_us))
        results_cb(samples, unavailable)
    finally:
        for srv in servers.values():
            srv.stop()


# ---------------------------------------------------------------------------------------------
# Memory per key.

def build_load(nkeys, ttl):
    """One RESP pipeline of SET commands; keys "key:%07d", 16-byte distinct non-integer values."""
    tail = b"$2\r\nEX\r\n$%d\r\n%d\r\n" % (len(str(TTL_SECONDS)), TTL_SECONDS) if ttl else b""
    head = b"*5\r\n$3\r\nSET\r\n" if ttl else b"*3\r\n$3\r\nSET\r\n"
    parts = []
    for i in range(nkeys):
        key = b"key:%07d" % i
        val = b"val:%012d" % i
        parts.append(b"%s$%d\r\n%s\r\n$%d\r\n%s\r\n%s" % (head, len(key), key, len(val), val,
                                                          tail))
    return b"".join(parts)


def load_pipeline(port, payload, expected):
    """Sends the pipeline while reading replies, so neither side's buffers fill up; the
    replies must equal `expected` byte for byte."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    errors = []

    def writer():
        try:
            sock.sendall(payload)
        except OSError as e:
            errors.append(e)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    got = bytearray()
    try:
        while len(got) < len(expected):
            chunk = sock.recv(min(1 << 20, len(expected) - len(got)))
            if not chunk:
                break
            got += chunk
    except OSError as e:
        errors.append(e)
    finally:
        sock.close()
        t.join(timeout=10)
    if got != expected:
        pairs = zip(bytes(got).split(b"\r\n"), expected.split(b"\r\n"))
        bad = next(((g, e) for g, e in pairs if g != e), (b"", b""))
        raise BenchError("load failed after %d reply bytes of %d: first odd reply %r "
                         "(expected %r) %s" % (len(got), len(expected), bad[0][:200], bad[1],
                                               errors or ""))


def measure_memory(opts, sides, order_for_round, results_cb):
    samples = {}
    modes = (("no TTL", False), ("EX %d" % TTL_SECONDS, True))
    payloads = {}
    for label, ttl in modes:
        progress("building %d-key %s pipeline" % (opts.keys, label))
        payloads[label] = build_load(opts.keys, ttl)
    by_name = {name: (binary, extra) for name, binary, extra in sides}
    for rnd in range(opts.rounds):
        for label, _ in modes:
            for name in order_for_round(rnd):
                binary, extra = by_name[name]
                srv = Server(name, binary, extra, opts.server_cpu, opts.workdir)
                try:
                    srv.start()
                    rss0, used0 = srv.rss_bytes(), srv.used_memory()
                    try:
                        load_pipeline(srv.port, payloads[label], b"+OK\r\n" * opts.keys)
                    finally:
                        srv.check_alive()  # a crash explains a failed load best
                    n = srv.dbsize()
                    if n != opts.keys:
                        raise BenchError("%s has %s keys after loading %d" % (name, n, opts.keys))
                    rss1, used1 = srv.rss_bytes(), srv.used_memory()
                finally:
                    srv.stop()
                rss_pk = (rss1 - rss0) / opts.keys
                used_pk = (used1 - used0) / opts.keys if None not in (used0, used1) else None
                samples.setdefault(label, {}).setdefault(name, []).append((rss_pk, used_pk))
                progress("round %d/%d  %-8s %-5s RSS %6.1f B/key  used_memory %s B/key"
                         % (rnd + 1, opts.rounds, label, name, rss_pk,
                            "n/a" if used_pk is None else "%.1f" % used_pk))
    payloads.clear()
    results_cb(samples)


def build_collection_load(kind, n):
    """One RESP pipeline adding n elements to COLL_KEY, one command per element, and the
    replies it must get. hash: field "f:%07d" -> value "v:%07d"; set: member "m:%07d";
    zset: member "m:%07d" with a distinct fractional score; list: RPUSH "v:%07d"."""
    key = COLL_KEY.encode()
    head = b"*%d\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
    parts = []
    if kind == "hash":
        head = head % (4, 4, b"HSET", len(key), key)
        for i in range(n):
            f, v = b"f:%07d" % i, b"v:%07d" % i
            parts.append(b"%s$%d\r\n%s\r\n$%d\r\n%s\r\n" % (head, len(f), f, len(v), v))
    elif kind == "set":
        head = head % (3, 4, b"SADD", len(key), key)
        for i in range(n):
            m = b"m:%07d" % i
            parts.append(b"%s$%d\r\n%s\r\n" % (head, len(m), m))
    elif kind == "zset":
        head = head % (4, 4, b"ZADD", len(key), key)
        for i in range(n):
            # i * odd constant mod 2^32 is a permutation: scores are distinct and arrive in
            # scrambled order, neither the best nor the worst case of an ordered structure.
            k = (i * 2654435761) & 0xFFFFFFFF
            sc, m = b"%d.%03d" % (k // 1000, k % 1000), b"m:%07d" % i
            parts.append(b"%s$%d\r\n%s\r\n$%d\r\n%s\r\n" % (head, len(sc), sc, len(m), m))
    elif kind == "list":
        head = head % (3, 5, b"RPUSH", len(key), key)
        for i in range(n):
            v = b"v:%07d" % i
            parts.append(b"%s$%d\r\n%s\r\n" % (head, len(v), v))
    else:
        raise ValueError(kind)
    if kind == "list":  # RPUSH answers the new length
        expected = b"".join(b":%d\r\n" % (i + 1) for i in range(n))
    else:
        expected = b":1\r\n" * n
    return b"".join(parts), expected


def measure_collection_memory(opts, sides, order_for_round, results_cb):
    """Per kind: a fresh server, the load of opts.elements elements into one key, and the
    growth of RSS and used_memory divided by the element count. Calls
    results_cb(samples, unavailable)."""
    samples = {}
    unavailable = {}  # side -> {kind: reason}
    loads = {}
    for kind, _, _ in COLL_LOADS:
        progress("building %d-element %s pipeline" % (opts.elements, kind))
        loads[kind] = build_collection_load(kind, opts.elements)
    by_name = {name: (binary, extra) for name, binary, extra in sides}
    for rnd in range(opts.rounds):
        for kind, add_probe, count_cmd in COLL_LOADS:
            for name in order_for_round(rnd):
                samples.setdefault(kind, {}).setdefault(name, [])
                if kind in unavailable.get(name, {}):
                    continue
                binary, extra = by_name[name]
                srv = Server(name, binary, extra, opts.server_cpu, opts.workdir)
                try:
                    srv.start()
                    missing = srv.missing_command([(add_probe[0], PROBE_KEY) + add_probe[1:],
                                                   (count_cmd, PROBE_KEY)])
                    if missing is not None:
                        unavailable.setdefault(name, {})[kind] = "unknown command %s" % missing
                        progress("%-5s %s: n/a (unknown command %s)" % (name, kind, missing))
                        continue
                    rss0, used0 = srv.rss_bytes(), srv.used_memory()
                    try:
                        load_pipeline(srv.port, *loads[kind])
                    finally:
                        srv.check_alive()
                    n = srv.call(count_cmd, COLL_KEY)
                    if n != opts.elements:
                        raise BenchError("%s: %s %s is %s after adding %d elements"
                                         % (name, count_cmd, COLL_KEY, n, opts.elements))
                    rss1, used1 = srv.rss_bytes(), srv.used_memory()
                finally:
                    srv.stop()
                rss_pe = (rss1 - rss0) / opts.elements
                used_pe = (used1 - used0) / opts.elements if None not in (used0, used1) else None
                samples[kind][name].append((rss_pe, used_pe))
                progress("round %d/%d  %-5s %-5s RSS %6.1f B/element  used_memory %s B/element"
                         % (rnd + 1, opts.rounds, kind, name, rss_pe,
                            "n/a" if used_pe is None else "%.1f" % used_pe))
    loads.clear()
    results_cb(samples, unavailable)


# ---------------------------------------------------------------------------------------------
# Publish fan-out.

PUBSUB_CHANNEL = b"bench:news"
PUBSUB_BATCH = 100        # PUBLISH commands per write of the publisher
PUBSUB_WINDOW = 2000      # publishes not yet received by every subscriber, at most


def stream_slice(unit, offset, n):
    """Bytes [offset, offset + n) of `unit` repeated forever."""
    start = offset % len(unit)
    return (unit * ((start + n) // len(unit) + 1))[start:start + n]


def run_pubsub(server, subscribers, publishes, payload_size):
    """One publisher pipelines PUBLISH in batches to `subscribers` RESP2 connections
    subscribed to one channel, all driven from this process with epoll. At most
    PUBSUB_WINDOW publishes are in flight (not yet read by every subscriber), so output
    buffers stay far below the pubsub class limit. Returns seconds until the last
    subscriber had read the last message. Every byte the subscribers and the publisher
    read is checked against what the server must send."""
    import selectors
    payload = b"p" * payload_size
    cmd = resp_encode("PUBLISH", PUBSUB_CHANNEL, payload)
    batch = cmd * PUBSUB_BATCH
    message = (b"*3\r\n$7\r\nmessage\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
               % (len(PUBSUB_CHANNEL), PUBSUB_CHANNEL, payload_size, payload))
    confirm = b"*3\r\n$9\r\nsubscribe\r\n$%d\r\n%s\r\n:1\r\n" % (len(PUBSUB_CHANNEL),
                                                                        PUBSUB_CHANNEL)
    reply = b":%d\r\n" % subscribers
    subs = []
    sel = selectors.DefaultSelector()
    pub = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        for _ in range(subscribers):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            s.sendall(resp_encode("SUBSCRIBE", PUBSUB_CHANNEL))
            got = b""
            while len(got) < len(confirm):
                chunk = s.recv(len(confirm) - len(got))
                if not chunk:
                    raise BenchError("%s closed a subscriber while subscribing" % server.name)
                got += chunk
            if got != confirm:
                raise BenchError("%s: odd SUBSCRIBE reply %r" % (server.name, got))
            s.setblocking(False)
            subs.append(s)
        got = [0] * subscribers           # message bytes read per subscriber
        for i, s in enumerate(subs):
            sel.register(s, selectors.EVENT_READ, i)
        pub.setblocking(False)
        sel.register(pub, selectors.EVENT_READ, -1)
        want = publishes * len(message)
        replies = 0
        sent = 0
        started = time.monotonic()
        while True:
            low = min(got) // len(message)
            if low >= publishes and replies >= publishes * len(reply):
                break
            if sent < publishes and sent - low < PUBSUB_WINDOW:
                n = min(PUBSUB_BATCH, publishes - sent)
                pub.setblocking(True)
                pub.sendall(batch if n == PUBSUB_BATCH else cmd * n)
                pub.setblocking(False)
                sent += n
            for key, _ in sel.select(timeout=10):
                i = key.data
                chunk = key.fileobj.recv(1 << 20)
                if not chunk:
                    raise BenchError("%s closed a connection during the publish run"
                                     % server.name)
                if i < 0:
                    if chunk != stream_slice(reply, replies, len(chunk)):
                        raise BenchError("%s: odd PUBLISH reply %r" % (server.name, chunk[:80]))
                    replies += len(chunk)
                    continue
                if chunk != stream_slice(message, got[i], len(chunk)):
                    raise BenchError("%s: odd message bytes %r" % (server.name, chunk[:80]))
                got[i] += len(chunk)
                if got[i] > want:
                    raise BenchError("%s delivered more than published" % server.name)
            server.check_alive()
        elapsed = time.monotonic() - started
        if replies != publishes * len(reply):
            raise BenchError("%s: %d PUBLISH reply bytes, expected %d"
                             % (server.name, replies, publishes * len(reply)))
        return elapsed
    finally:
        sel.close()
        pub.close()
        for s in subs:
            s.close()


def measure_pubsub(opts, sides, order_for_round, results_cb):
    """One long-lived server per side; each round runs the fan-out once per side, sides
    interleaved. Records messages delivered per second and server CPU per message.
    Calls results_cb(samples)."""
    servers = {}
    # The clients run in this process: on the load generator's CPU, like redis-benchmark.
    own_cpus = os.sched_getaffinity(0)
    if opts.client_cpu is not None:
        os.sched_setaffinity(0, {opts.client_cpu})
    try:
        for name, binary, extra in sides:
            srv = servers[name] = Server(name, binary, extra, opts.server_cpu, opts.workdir)
            srv.start()
            # Warm-up, not measured: connections, buffers and allocator pages.
            run_pubsub(srv, opts.subscribers, opts.publishes // 10, 64)
        samples = {"PUBLISH": {}}
        for rnd in range(opts.rounds):
            for name in order_for_round(rnd):
                srv = servers[name]
                t0 = srv.cpu_ticks()
                elapsed = run_pubsub(srv, opts.subscribers, opts.publishes, 64)
                t1 = srv.cpu_ticks()
                msgs = opts.publishes * opts.subscribers
                mps = msgs / elapsed
                cpu_us = (t1 - t0) * 1e6 / CLK_TCK / msgs
                samples["PUBLISH"].setdefault(name, []).append((mps, cpu_us))
                progress("round %d/%d  PUBLISH x%d %-5s %10.0f msg/s  %6.3f us/msg"
                         % (rnd + 1, opts.rounds, opts.subscribers, name, mps, cpu_us))
        results_cb(samples)
    finally:
        os.sched_setaffinity(0, own_cpus)
        for srv in servers.values():
            srv.stop()


def pubsub_rows(samples):
    rows = []
    for test, per_side in samples.items():
        row = {"test": test}
        for name in ("kvik", "redis"):
            pts = per_side.get(name, [])
            row[name] = {"msgs_per_s": summarize([p[0] for p in pts]),
                         "cpu_us_per_msg": summarize([p[1] for p in pts])}
        row["rate_ratio"] = ratio(row["kvik"]["msgs_per_s"]["median"],
                                  row["redis"]["msgs_per_s"]["median"])
        row["cpu_ratio"] = ratio(row["kvik"]["cpu_us_per_msg"]["median"],
                                 row["redis"]["cpu_us_per_msg"]["median"])
        rows.append(row)
    return rows


def print_pubsub(title, rows):
    print()
    print(title)
    print("%-9s%-44s%s" % ("", "messages delivered/s (higher is better)",
                           "server CPU us/message (lower is better)"))
    print("%-8s %10s %6s  %10s %6s  %5s   %7s %6s  %7s %6s  %5s"
          % ("test", "kvik", "", "redis", "", "k/r", "kvik", "", "redis", "", "k/r"))
    for r in rows:
        k, d = r["kvik"], r["redis"]
        print("%-8s %s %-6s  %s %-6s  %s   %s %-6s  %s %-6s  %s"
              % (r["test"],
                 fmt_num(k["msgs_per_s"]["median"], 0, 10), fmt_spread(k["msgs_per_s"]["spread"]),
                 fmt_num(d["msgs_per_s"]["median"], 0, 10), fmt_spread(d["msgs_per_s"]["spread"]),
                 fmt_ratio(r["rate_ratio"]),
                 fmt_num(k["cpu_us_per_msg"]["median"], 3, 7),
                 fmt_spread(k["cpu_us_per_msg"]["spread"]),
                 fmt_num(d["cpu_us_per_msg"]["median"], 3, 7),
                 fmt_spread(d["cpu_us_per_msg"]["spread"]),
                 fmt_ratio(r["cpu_ratio"])))


# ---------------------------------------------------------------------------------------------
# Summaries and output.

def progress(msg):
    print("  " + msg, file=sys.stderr, flush=True)


def summarize(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return {"samples": values, "median": None, "spread": None}
    med = statistics.median(vals)
    spread = (max(vals) - min(vals)) / med if med and len(vals) > 1 else None
    return {"samples": values, "median": med, "spread": spread}


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_num(v, digits=0, width=9):
    if v is None:
        return "n/a".rjust(width)
    return ("{:,.%df}" % digits).format(v).rjust(width)


def fmt_spread(s):
    return "" if s is None else "(%3.0f%%)" % (s * 100)


def fmt_ratio(r):
    return "  n/a" if r is None else "%5.2f" % r


def unavailable_note(unavailable, what):
    """{side: reason} for the sides where `what` (a test or a kind) could not run."""
    return {name: reasons[what] for name, reasons in unavailable.items() if what in reasons}


def throughput_rows(samples, unavailable=None):
    rows = []
    for (test, pipeline), per_side in samples.items():
        row = {"test": test, "pipeline": pipeline}
        for name in ("kvik", "redis"):
            pts = per_side.get(name, [])
            row[name] = {"rps": summarize([p[0] for p in pts]),
                         "cpu_us_per_req": summarize([p[1] for p in pts])}
        row["rps_ratio"] = ratio(row["kvik"]["rps"]["median"], row["redis"]["rps"]["median"])
        row["cpu_ratio"] = ratio(row["kvik"]["cpu_us_per_req"]["median"],
                                 row["redis"]["cpu_us_per_req"]["median"])
        row["unavailable"] = unavailable_note(unavailable or {}, test)
        rows.append(row)
    return rows


def memory_rows(samples, label="mode", unit="key", unavailable=None):
    rows = []
    rss, used = "rss_per_" + unit, "used_memory_per_" + unit
    for what, per_side in samples.items():
        row = {label: what}
        for name in ("kvik", "redis"):
            pts = per_side.get(name, [])
            row[name] = {rss: summarize([p[0] for p in pts]),
                         used: summarize([p[1] for p in pts])}
        row["rss_ratio"] = ratio(row["kvik"][rss]["median"], row["redis"][rss]["median"])
        row["used_memory_ratio"] = ratio(row["kvik"][used]["median"],
                                         row["redis"][used]["median"])
        if unavailable is not None:
            row["unavailable"] = unavailable_note(unavailable, what)
        rows.append(row)
    return rows


def fmt_unavailable(note):
    """Trailing remark for a row a side could not run: "  kvik: n/a (unknown command ZADD)"."""
    return "".join("  %s: n/a (%s)" % (name, reason) for name, reason in sorted(note.items()))


def print_throughput(title, rows):
    print()
    print(title)
    print("%-11s%-44s%s" % ("", "requests/s (higher is better)",
                            "server CPU us/request (lower is better)"))
    print("test   -P  %9s %6s  %9s %6s  %5s   %7s %6s  %7s %6s  %5s"
          % ("kvik", "", "redis", "", "k/r", "kvik", "", "redis", "", "k/r"))
    for r in rows:
        k, d = r["kvik"], r["redis"]
        print("%-5s %3d  %s %-6s  %s %-6s  %s   %s %-6s  %s %-6s  %s%s"
              % (r["test"], r["pipeline"],
                 fmt_num(k["rps"]["median"]), fmt_spread(k["rps"]["spread"]),
                 fmt_num(d["rps"]["median"]), fmt_spread(d["rps"]["spread"]),
                 fmt_ratio(r["rps_ratio"]),
                 fmt_num(k["cpu_us_per_req"]["median"], 3, 7),
                 fmt_spread(k["cpu_us_per_req"]["spread"]),
                 fmt_num(d["cpu_us_per_req"]["median"], 3, 7),
                 fmt_spread(d["cpu_us_per_req"]["spread"]),
                 fmt_ratio(r["cpu_ratio"]), fmt_unavailable(r.get("unavailable", {}))))


def print_memory(title, rows, label="mode", unit="key"):
    rss, used = "rss_per_" + unit, "used_memory_per_" + unit
    print()
    print(title)
    print("%-10s%-41s%s" % ("", "RSS bytes/%s (lower is better)" % unit,
                            "used_memory bytes/%s (lower is better)" % unit))
    print("%-9s %7s %6s  %7s %6s  %5s    %7s %6s  %7s %6s  %5s"
          % ("keys" if unit == "key" else "type", "kvik", "", "redis", "", "k/r",
             "kvik", "", "redis", "", "k/r"))
    for r in rows:
        k, d = r["kvik"], r["redis"]
        print("%-9s %s %-6s  %s %-6s  %s    %s %-6s  %s %-6s  %s%s"
              % (r[label],
                 fmt_num(k[rss]["median"], 1, 7), fmt_spread(k[rss]["spread"]),
                 fmt_num(d[rss]["median"], 1, 7), fmt_spread(d[rss]["spread"]),
                 fmt_ratio(r["rss_ratio"]),
                 fmt_num(k[used]["median"], 1, 7), fmt_spread(k[used]["spread"]),
                 fmt_num(d[used]["median"], 1, 7), fmt_spread(d[used]["spread"]),
                 fmt_ratio(r["used_memory_ratio"]), fmt_unavailable(r.get("unavailable", {}))))


# ---------------------------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description="Kvik vs Redis side-by-side benchmark "
                                            "(ratios are kvik/redis).")
    p.add_argument("--kvik", default=str(REPO_ROOT / "kvik-server"),
                   help="kvik-server binary (default: kvik-server at the repo root); point it "
                        "at /usr/bin/redis-server to check the harness (ratios ~1.0)")
    p.add_argument("--redis", default="/usr/bin/redis-server", help="reference redis-server")
    p.add_argument("--redis-benchmark", default="/usr/bin/redis-benchmark")
    p.add_argument("--kvik-args", default="",
                   help="extra arguments for kvik-server only, space-separated")
    p.add_argument("--rounds", type=int, default=None, help="interleaved rounds (default 3, "
                                                             "1 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: fewer requests and keys, 1 round unless --rounds")
    p.add_argument("--only", choices=("throughput", "memory", "collections", "pubsub"),
                   help="run one section (default: all four)")
    p.add_argument("--subscribers", type=int, default=50,
                   help="subscribers of the publish fan-out (default 50)")
    p.add_argument("--publishes", type=int, default=None,
                   help="PUBLISH commands per fan-out run (default 200000, 20000 with --quick)")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--keys", type=int, default=None,
                   help="keys loaded for the memory test (default 1000000, 100000 with --quick)")
    p.add_argument("--elements", type=int, default=None,
                   help="elements per collection for the collections memory test (default "
                        "1000000, 100000 with --quick)")
    p.add_argument("--pin", choices=("auto", "yes", "no"), default="auto",
                   help="pin server and redis-benchmark to different CPUs (auto: when >= 2 "
                        "CPUs are available)")
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    opts = p.parse_args(argv)

    if opts.rounds is None:
        opts.rounds = 1 if opts.quick else 3
    if opts.rounds < 1:
        p.error("--rounds must be >= 1")
    if opts.keys is None:
        opts.keys = 100000 if opts.quick else 1000000
    if opts.elements is None:
        opts.elements = 100000 if opts.quick else 1000000
    if opts.publishes is None:
        opts.publishes = 20000 if opts.quick else 200000
    if opts.keys < 1 or opts.elements < 1 or opts.publishes < 10 or opts.subscribers < 1:
        p.error("--keys, --elements and --subscribers must be >= 1, --publishes >= 10")
    if opts.quick:
        opts.requests_p1, opts.requests_p16, opts.warmup_requests = 20000, 100000, 100000
        opts.coll_requests_p1, opts.coll_requests_p16 = 10000, 50000
    else:
        opts.requests_p1, opts.requests_p16, opts.warmup_requests = 300000, 2000000, 300000
        # Five tests instead of two: fewer requests each keeps the default run short, yet
        # each run still takes >= 0.4 s of server CPU (40 ticks; see the README).
        opts.coll_requests_p1, opts.coll_requests_p16 = 100000, 800000

    opts.kvik = os.path.abspath(opts.kvik)
    for label, path in (("--kvik", opts.kvik), ("--redis", opts.redis),
                        ("--redis-benchmark", opts.redis_benchmark)):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            hint = " (build it with `make kvik-server`)" if label == "--kvik" else ""
            p.error("%s: %s is not an executable file%s" % (label, path, hint))

    cpus = sorted(os.sched_getaffinity(0))
    opts.server_cpu = opts.client_cpu = None
    if opts.pin == "yes" or (opts.pin == "auto" and len(cpus) >= 2):
        if len(cpus) < 2:
            p.error("--pin yes needs at least 2 CPUs, have %s" % cpus)
        # Server and load generator each get a core of their own, so neither steals the
        # other's CPU and server CPU/request is not inflated by sharing a core.
        opts.server_cpu, opts.client_cpu = cpus[0], cpus[1]
    return opts


def main(argv):
    opts = parse_args(argv)
    # SIGTERM/SIGHUP unwind through the finally blocks, which stop the servers.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))

    sides = [("kvik", opts.kvik, opts.kvik_args.split()), ("redis", opts.redis, [])]

    def order_for_round(rnd):
        # A B per measurement; which side goes first alternates by round, so drift within
        # a pair (thermal, page cache, background jobs) does not always favour one side.
        return ("kvik", "redis") if rnd % 2 == 0 else ("redis", "kvik")

    results = {
        "kvik": opts.kvik, "redis": opts.redis, "rounds": opts.rounds, "quick": opts.quick,
        "pinning": {"server_cpu": opts.server_cpu, "client_cpu": opts.client_cpu},
        "kvik_args": opts.kvik_args, "clk_tck": CLK_TCK,
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kernel": os.uname().release,
    }
    started = time.monotonic()
    opts.workdir = tempfile.mkdtemp(prefix="kvik-bench-")
    keep_workdir = False
    print("kvik:  %s %s\nredis: %s\npinning: server cpu %s, redis-benchmark cpu %s"
          % (opts.kvik, opts.kvik_args, opts.redis, opts.server_cpu, opts.client_cpu),
          file=sys.stderr)
    try:
        if opts.only in (None, "throughput"):
            print("throughput: %d rounds" % opts.rounds, file=sys.stderr)
            measure_throughput(opts, sides, order_for_round,
                               lambda s, u: results.__setitem__("throughput",
                                                                throughput_rows(s, u)),
                               ("SET", "GET"), ("SET",),
                               {1: opts.requests_p1, 16: opts.requests_p16})
            results["throughput_config"] = {
                "clients": opts.clients, "value_size": 64, "keyspace": 100000,
                "requests_p1": opts.requests_p1, "requests_p16": opts.requests_p16}
        if opts.only in (None, "memory"):
            print("memory: %d rounds, %d keys" % (opts.rounds, opts.keys), file=sys.stderr)
            measure_memory(opts, sides, order_for_round,
                           lambda s: results.__setitem__("memory", memory_rows(s)))
            results["memory_config"] = {"keys": opts.keys, "value_size": VALUE_SIZE,
                                        "ttl_seconds": TTL_SECONDS}
        if opts.only in (None, "collections"):
            print("collections: %d rounds, %d elements" % (opts.rounds, opts.elements),
                  file=sys.stderr)
            coll = results["collections"] = {}
            tests = tuple(t for t, _, _ in COLL_TESTS)
            # LPUSH's warm-up leaves a reserve in mylist, so every measured LPOP pops an
            # element (each round pushes as many as it pops).
            measure_throughput(opts, sides, order_for_round,
                               lambda s, u: coll.__setitem__("throughput",
                                                             throughput_rows(s, u)),
                               tests, ("LPUSH", "SADD", "HSET", "ZADD"),
                               {1: opts.coll_requests_p1, 16: opts.coll_requests_p16},
                               probes=COLL_PROBES,
                               expect_types={t: (k, ty) for t, k, ty in COLL_TESTS})
            measure_collection_memory(opts, sides, order_for_round,
                                      lambda s, u: coll.__setitem__(
                                          "memory", memory_rows(s, "type", "element", u)))
            results["collections_config"] = {
                "clients": opts.clients, "value_size": 64, "keyspace": 100000,
                "requests_p1": opts.coll_requests_p1, "requests_p16": opts.coll_requests_p16,
                "elements": opts.elements, "key": COLL_KEY}
        if opts.only in (None, "pubsub"):
            print("pubsub: %d rounds, 1 publisher, %d subscribers, %d publishes"
                  % (opts.rounds, opts.subscribers, opts.publishes), file=sys.stderr)
            measure_pubsub(opts, sides, order_for_round,
                           lambda s: results.__setitem__("pubsub", pubsub_rows(s)))
            results["pubsub_config"] = {"subscribers": opts.subscribers,
                                        "publishes": opts.publishes, "payload": 64,
                                        "batch": PUBSUB_BATCH, "window": PUBSUB_WINDOW}
    except BenchError as e:
        keep_workdir = True
        print("bench: error: %s" % e, file=sys.stderr)
        print("bench: server logs kept in %s" % opts.workdir, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        if not keep_workdir:
            shutil.rmtree(opts.workdir, ignore_errors=True)
    results["elapsed_s"] = round(time.monotonic() - started, 1)

    print("\nkvik = %s   redis = %s   ratio = kvik/redis" % (opts.kvik, opts.redis))
    if "throughput" in results:
        print_throughput("Throughput  redis-benchmark -c %d -d 64 -r 100000, -n %d (P1) / %d "
                         "(P16); median of %d rounds, (spread)"
                         % (opts.clients, opts.requests_p1, opts.requests_p16, opts.rounds),
                         results["throughput"])
    if "memory" in results:
        print_memory("Memory  %s keys \"key:%%07d\" -> %d-byte value, fresh server per load; "
                     "bytes/key, median of %d rounds, (spread)"
                     % (format(opts.keys, ","), VALUE_SIZE, opts.rounds), results["memory"])
    coll = results.get("collections", {})
    if "throughput" in coll:
        print_throughput("Collections throughput  redis-benchmark -c %d -d 64 -r 100000, -n %d "
                         "(P1) / %d (P16); median of %d rounds, (spread)"
                         % (opts.clients, opts.coll_requests_p1, opts.coll_requests_p16,
                            opts.rounds), coll["throughput"])
    if "memory" in coll:
        print_memory("Collections memory  %s elements in one key, fresh server per load; "
                     "bytes/element, median of %d rounds, (spread)"
                     % (format(opts.elements, ","), opts.rounds), coll["memory"],
                     "type", "element")
    if "pubsub" in results:
        print_pubsub("Publish fan-out  1 publisher (PUBLISH pipelined by %d), %d subscribers, "
                     "64-byte payload, %d publishes; median of %d rounds, (spread)"
                     % (PUBSUB_BATCH, opts.subscribers, opts.publishes, opts.rounds),
                     results["pubsub"])
    print("\nelapsed %.0fs" % results["elapsed_s"])
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
