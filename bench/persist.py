#!/usr/bin/python3
"""BGSAVE side by side: kvik-server against Debian's redis-server, same machine, same run.

For each side, in interleaved rounds (which side goes first alternates):
  1. a fresh server (its own data directory) is loaded with N keys (default 2,000,000)
     "key:%07d" -> 16-byte value, as one raw RESP pipeline (bench.py's loader);
  2. a GET client (one connection, one request at a time, random existing keys) runs for
     1 s to get the baseline latency, then keeps running while BGSAVE runs;
  3. BGSAVE; the save ends when INFO persistence shows rdb_bgsave_in_progress:0 and
     rdb_last_bgsave_status:ok. Meanwhile the memory of the server and its child is
     sampled every 10 ms as the sum of their PSS (/proc/PID/smaps_rollup: shared pages
     counted once across the two), so copy-on-write growth shows and the sharing does not;
     the peak is divided by the server's PSS just before the save (1.00 = no extra).
Reported per side (medians over rounds) and as kvik/redis ratios:
  - save time (BGSAVE sent -> done seen, 10 ms polling), fork time (INFO latest_fork_usec);
  - dataset RSS before the save, and peak PSS during the save over the PSS before it
    (1.00 = no extra memory);
  - GET latency p50/p99/max during the save (and p99 before it), microseconds, as seen by
    the client (loopback round trip included);
  - dump size, and the time a restarted server takes to load it (until PING answers).
With --writes R the save also runs under R SET/s of random existing keys (a second
connection), which dirties pages and shows copy-on-write cost.

Stdlib only; run with /usr/bin/python3. Helpers (server process, RESP client, loader)
come from bench.py.
"""
import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import shutil

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import BenchError, RespConn, Server, load_pipeline, parse_info, progress  # noqa: E402


def pss_of(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def children_of(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


class Getter(threading.Thread):
    """One connection issuing GETs back to back; records (start time, latency us)."""

    def __init__(self, port, nkeys):
        super().__init__(daemon=True)
        self.port, self.nkeys = port, nkeys
        self.samples = []
        self.stop_flag = False
        self.error = None

    def run(self):
        try:
            rnd = random.Random(1)
            with RespConn(self.port, timeout=60) as c:
                while not self.stop_flag:
                    key = "key:%07d" % rnd.randrange(self.nkeys)
                    t0 = time.perf_counter()
                    c.call("GET", key)
                    t1 = time.perf_counter()
                    self.samples.append((t0, (t1 - t0) * 1e6))
        except Exception as e:  # reported by the caller
            self.error = e


class Setter(threading.Thread):
    def __init__(self, port, nkeys, rate):
        super().__init__(daemon=True)
        self.port, self.nkeys, self.rate = port, nkeys, rate
        self.stop_flag = False

    def run(self):
        rnd = random.Random(2)
        with RespConn(self.port, timeout=60) as c:
            period = 1.0 / self.rate
            nxt = time.perf_counter()
            while not self.stop_flag:
                c.call("SET", "key:%07d" % rnd.randrange(self.nkeys), "val:changed!!!!")
                nxt += period
                d = nxt - time.perf_counter()
                if d > 0:
                    time.sleep(d)


def pct(vals, p):
    if not vals:
        return None
    s = sorted(vals)
    return s[min(len(s) - 1, int(len(s) * p / 100))]


def one_run(opts, name, binary, extra):
    datadir = tempfile.mkdtemp(prefix="kvik-bgsave-%s-" % name, dir=opts.workdir)
    srv = Server(name, binary, extra + ["--dir", datadir], opts.server_cpu, opts.workdir)
    try:
        srv.start()
        load_pipeline(srv.port, opts.payload, b"+OK\r\n" * opts.keys)
        if srv.dbsize() != opts.keys:
            raise BenchError("%s: wrong key count after load" % name)
        rss0 = srv.rss_bytes()
        pss0 = pss_of(srv.proc.pid)
        getter = Getter(srv.port, opts.keys)
        getter.start()
        setter = None
        if opts.writes:
            setter = Setter(srv.port, opts.keys, opts.writes)
            setter.start()
        time.sleep(1.0)
        with RespConn(srv.port, timeout=60) as c:
            t_start = time.perf_counter()
            reply = c.call("BGSAVE")
            if "started" not in reply:
                raise BenchError("%s: BGSAVE answered %r" % (name, reply))
            peak = pss0
            while True:
                kids = children_of(srv.proc.pid)
                total = pss_of(srv.proc.pid) + sum(pss_of(k) for k in kids)
                peak = max(peak, total)
                info = parse_info(c.call("INFO", "persistence"))
                if info.get("rdb_bgsave_in_progress") == "0":
                    t_end = time.perf_counter()
                    break
                time.sleep(0.01)
            if info.get("rdb_last_bgsave_status") != "ok":
                raise BenchError("%s: BGSAVE failed" % name)
            stats = parse_info(c.call("INFO", "stats"))
        getter.stop_flag = True
        if setter:
            setter.stop_flag = True
        getter.join(10)
        if getter.error:
            raise BenchError("%s: GET client failed: %s" % (name, getter.error))
        before = [lat for t, lat in getter.samples if t < t_start]
        during = [lat for t, lat in getter.samples if t_start <= t <= t_end]
        size = os.path.getsize(os.path.join(datadir, "dump.rdb"))
        # start-up load of the dump just written: time until PING answers PONG
        srv.stop()
        t0 = time.perf_counter()
        srv.start()
        load_s = time.perf_counter() - t0
        if srv.dbsize() != opts.keys:
            raise BenchError("%s: %s keys after loading the dump" % (name, srv.dbsize()))
        return {
            "save_s": t_end - t_start,
            "fork_us": int(stats.get("latest_fork_usec", "0")),
            "rss_before": rss0,
            "peak_over_rss": peak / pss0 if pss0 else None,
            "p50_us": pct(during, 50), "p99_us": pct(during, 99),
            "max_us": max(during) if during else None,
            "p99_before_us": pct(before, 99),
            "gets_during": len(during),
            "dump_bytes": size,
            "load_s": load_s,
        }
    finally:
        srv.stop()
        shutil.rmtree(datadir, ignore_errors=True)


FIELDS = (("save_s", "save time s", 2), ("fork_us", "fork us", 0),
          ("rss_before", "dataset RSS MB", 1), ("peak_over_rss", "peak PSS / before", 2),
          ("p50_us", "GET p50 us (during)", 0), ("p99_us", "GET p99 us (during)", 0),
          ("max_us", "GET max us (during)", 0), ("p99_before_us", "GET p99 us (before)", 0),
          ("dump_bytes", "dump MB", 1), ("load_s", "start-up load s", 2))


def main(argv):
    p = argparse.ArgumentParser(description="BGSAVE: kvik vs redis (ratios kvik/redis)")
    p.add_argument("--kvik", default=str(bench.REPO_ROOT / "kvik-server"))
    p.add_argument("--redis", default="/usr/bin/redis-server")
    p.add_argument("--keys", type=int, default=2000000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--writes", type=int, default=0, help="SET/s during the save")
    p.add_argument("--pin", choices=("yes", "no"), default="no",
                   help="pin the server (and so its child) to one CPU, clients to the others")
    opts = p.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: sys.exit(128 + signum))
    cpus = sorted(os.sched_getaffinity(0))
    opts.server_cpu = cpus[0] if opts.pin == "yes" and len(cpus) >= 2 else None
    if opts.server_cpu is not None:
        # the client threads stay off the server's CPU (the child inherits the server's)
        os.sched_setaffinity(0, set(cpus[1:]))
    opts.workdir = tempfile.mkdtemp(prefix="kvik-bench-persist-")
    progress("building the %d-key load" % opts.keys)
    opts.payload = bench.build_load(opts.keys, False)
    sides = {"kvik": (os.path.abspath(opts.kvik), []), "redis": (opts.redis, [])}
    results = {"kvik": [], "redis": []}
    try:
        for rnd in range(opts.rounds):
            order = ("kvik", "redis") if rnd % 2 == 0 else ("redis", "kvik")
            for name in order:
                binary, extra = sides[name]
                r = one_run(opts, name, binary, extra)
                results[name].append(r)
                progress("round %d/%d %-5s save %.2fs fork %dus peak %.2fx p99 %dus "
                         "(before %dus)" % (rnd + 1, opts.rounds, name, r["save_s"],
                                             r["fork_us"], r["peak_over_rss"], r["p99_us"],
                                             r["p99_before_us"]))
    except BenchError as e:
        print("persist bench: error: %s (logs in %s)" % (e, opts.workdir), file=sys.stderr)
        return 1
    shutil.rmtree(opts.workdir, ignore_errors=True)
    print()
    print("BGSAVE of %d keys (16-byte values), %d rounds, writes during save: %d/s"
          % (opts.keys, opts.rounds, opts.writes))
    print("%-22s %12s %12s %7s" % ("", "kvik", "redis", "k/r"))
    for key, label, digits in FIELDS:
        med = {}
        for name in ("kvik", "redis"):
            vals = [r[key] for r in results[name] if r[key] is not None]
            med[name] = statistics.median(vals) if vals else None
        scale = 1 / (1 << 20) if key in ("rss_before", "dump_bytes") else 1
        cells = ["%12s" % ("n/a" if med[n] is None else
                           ("{:,.%df}" % digits).format(med[n] * scale)) for n in ("kvik", "redis")]
        rat = (med["kvik"] / med["redis"]) if med["kvik"] is not None and med["redis"] else None
        print("%-22s %s %s %7s" % (label, cells[0], cells[1], "n/a" if rat is None else
                                   "%.2f" % rat))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
