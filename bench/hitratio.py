#!/usr/bin/python3
"""Cache hit ratio under maxmemory: kvik-server's eviction policies against redis-server's.

A cache-aside replay: for each key of a request stream, GET it; on a miss, SET it with a
1 KB value. Both servers get the same --maxmemory; the keyspace is 10x what fits. Streams:

  zipf-0.8, zipf-1.0, zipf-1.2   keys drawn from a Zipf distribution of that skew
  scan-mix                       zipf-1.0 with one-hit wonders interleaved: 30% of the
                                 requests walk a key range once, never to come back

Reported per server, policy and stream: the miss ratio over the measured part (the first
third of the stream only warms the cache up), and VmRSS at the end and at its highest
(sampled during the replay). The ratio column is each policy's miss ratio over Redis's
allkeys-lru on the same stream. Every run starts a fresh server.

The driver pipelines: GETs go out in batches of --batch keys, then the SETs for that
batch's misses; a key repeated inside one batch misses for each occurrence, the same way
for both servers. Streams are generated once with a fixed seed, so every server and policy
replays the very same requests. Stdlib only; run with /usr/bin/python3. See README.md.
"""

import argparse
import bisect
import itertools
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (REPO_ROOT, BenchError, RespConn, Server, affinity_fn,  # noqa: E402
                   fmt_num, fmt_ratio, parse_info, progress, ratio, resp_encode)

VALUE = b"v" * 1024
# Bytes a cached key costs in Redis 7.0 (1 KB value in a 1280-byte jemalloc class, key,
# robj, dictEntry): sizes the keyspace to 10x what fits.
COST_PER_KEY = 1400
SCAN_SHARE = 0.3

REDIS_POLICIES = ("allkeys-lru", "allkeys-lfu")
KVIK_POLICIES = ("allkeys-lru", "allkeys-lfu", "allkeys-s3fifo")


def zipf_stream(nkeys, skew, n, rng):
    """n key ids in [0, nkeys): rank r drawn with weight 1/r^skew, ranks scattered over ids
    so that popularity has nothing to do with the key's name."""
    cum = list(itertools.accumulate(1.0 / (r ** skew) for r in range(1, nkeys + 1)))
    total = cum[-1]
    ids = list(range(nkeys))
    rng.shuffle(ids)
    rnd = rng.random
    return [ids[bisect.bisect(cum, rnd() * total)] for _ in range(n)]


def scan_mix(base, nkeys, rng):
    """base with SCAN_SHARE of the requests replaced by a one-pass walk over keys no other
    request uses (ids from nkeys up)."""
    out = list(base)
    nxt = nkeys
    for i in range(len(out)):
        if rng.random() < SCAN_SHARE:
            out[i] = nxt
            nxt += 1
    return out


def encode_stream(ids):
    """The keys of the requests, as bytes (commands are built per batch: a stream of
    pre-built SETs with 1 KB values would take gigabytes)."""
    return [b"key:%d" % k for k in ids]


SET_TAIL = b"$%d\r\n%s\r\n" % (len(VALUE), VALUE)


def read_replies(rfile, n):
    """Reads n GET replies; returns the indexes that were misses ($-1)."""
    misses = []
    for i in range(n):
        line = rfile.readline()
        if line[:1] != b"$":
            raise BenchError("unexpected GET reply: %r" % line[:200])
        if line[1:3] == b"-1":
            misses.append(i)
        else:
            rfile.read(int(line[1:-2]) + 2)
    return misses


def replay(server, keys, batch, warm):
    """Returns (misses, requests) over the measured part, and the highest VmRSS seen."""
    peak = 0
    misses = counted = 0
    with RespConn(server.port, timeout=60) as c:
        sock, rfile = c.sock, c.rfile
        for start in range(0, len(keys), batch):
            end = min(start + batch, len(keys))
            sock.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(k), k)
                                  for k in keys[start:end]))
            missed = read_replies(rfile, end - start)
            if missed:
                sock.sendall(b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n%s"
                                      % (len(keys[start + i]), keys[start + i], SET_TAIL)
                                      for i in missed))
                for _ in missed:
                    line = rfile.readline()
                    if line != b"+OK\r\n":
                        raise BenchError("%s answered SET with %r" % (server.name, line))
            if end > warm:
                first = max(start, warm)
                counted += end - first
                misses += sum(1 for i in missed if start + i >= first)
            if (start // batch) % 64 == 0:
                peak = max(peak, server.rss_bytes())
    return misses, counted, max(peak, server.rss_bytes())


def run_one(opts, name, binary, policy, stream, workdir):
    extra = opts.kvik_args.split() if name == "kvik" else []
    server = Server(name, binary, ["--maxmemory", str(opts.maxmemory),
                                   "--maxmemory-policy", policy] + extra, opts.server_cpu,
                    workdir)
    server.start()
    try:
        t0 = time.monotonic()
        misses, counted, peak = replay(server, stream, opts.batch, opts.warm)
        elapsed = time.monotonic() - t0
        with RespConn(server.port) as c:
            info = parse_info(c.call("INFO", "all"))
        server.check_alive()
        return {"miss_ratio": misses / counted, "rss_end": server.rss_bytes(),
                "rss_peak": peak, "used_memory": int(info.get("used_memory", 0)),
                "evicted_keys": int(info.get("evicted_keys", 0)),
                "keys": int(info.get("db0", "keys=0").split(",")[0].split("=")[1]),
                "seconds": elapsed}
    finally:
        server.stop()


def parse_args(argv):
    p = argparse.ArgumentParser(description="Cache-aside miss ratio, kvik vs redis, same "
                                            "maxmemory.")
    p.add_argument("--kvik", default=str(REPO_ROOT / "kvik-server"))
    p.add_argument("--redis", default="/usr/bin/redis-server")
    p.add_argument("--maxmemory", default="64mb",
                   help="for both servers (bytes, or with kb/mb/gb; default 64mb)")
    p.add_argument("--requests", type=int, default=3000000,
                   help="requests per stream (default 3000000)")
    p.add_argument("--batch", type=int, default=200, help="GETs per pipelined batch")
    p.add_argument("--streams", default="zipf-0.8,zipf-1.0,zipf-1.2,scan-mix")
    p.add_argument("--quick", action="store_true", help="smoke test: 16mb, 400k requests")
    p.add_argument("--redis-policies", default=",".join(REDIS_POLICIES),
                   help="redis-server policies to run (allkeys-lru is always run: the baseline)")
    p.add_argument("--kvik-policies", default=",".join(KVIK_POLICIES))
    p.add_argument("--kvik-args", default="",
                   help="extra arguments for kvik-server only, space-separated")
    p.add_argument("--seed", type=int, default=1)
    opts = p.parse_args(argv)
    if opts.quick:
        opts.maxmemory, opts.requests = "16mb", 400000
    units = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3}
    mm = opts.maxmemory.lower()
    opts.maxmemory = (int(mm[:-2]) * units[mm[-2:]]) if mm[-2:] in units else int(mm)
    opts.keys = opts.maxmemory // COST_PER_KEY * 10
    opts.warm = opts.requests // 3
    opts.kvik = os.path.abspath(opts.kvik)
    for path in (opts.kvik, opts.redis):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            p.error("%s is not an executable file" % path)
    cpus = sorted(os.sched_getaffinity(0))
    opts.server_cpu = cpus[0] if len(cpus) >= 2 else None
    opts.client_cpu = cpus[1] if len(cpus) >= 2 else None
    return opts


def main(argv):
    opts = parse_args(argv)
    if opts.client_cpu is not None:
        affinity_fn(opts.client_cpu)()
    rng = random.Random(opts.seed)
    t_start = time.monotonic()
    streams = {}
    zipf10 = None
    for name in opts.streams.split(","):
        progress("generating %s (%s requests over %s keys)"
                 % (name, format(opts.requests, ","), format(opts.keys, ",")))
        if name.startswith("zipf-"):
            ids = zipf_stream(opts.keys, float(name[5:]), opts.requests, rng)
            if name == "zipf-1.0":
                zipf10 = ids
        elif name == "scan-mix":
            base = zipf10 or zipf_stream(opts.keys, 1.0, opts.requests, rng)
            ids = scan_mix(base, opts.keys, rng)
        else:
            raise BenchError("unknown stream %s" % name)
        streams[name] = encode_stream(ids)

    redis_policies = ["allkeys-lru"] + [p for p in opts.redis_policies.split(",")
                                        if p and p != "allkeys-lru"]
    kvik_policies = [p for p in opts.kvik_policies.split(",") if p]
    sides = [("redis", opts.redis, redis_policies), ("kvik", opts.kvik, kvik_policies)]
    results = {}
    with tempfile.TemporaryDirectory(prefix="kvik-hitratio-") as workdir:
        for sname, stream in streams.items():
            for side, binary, policies in sides:
                for policy in policies:
                    progress("%s %s %s" % (sname, side, policy))
                    results[(sname, side, policy)] = run_one(opts, side, binary, policy,
                                                             stream, workdir)

    mm = opts.maxmemory
    print("\nCache-aside miss ratio  maxmemory %s MB, 1 KB values, %s keys, %s requests per "
          "stream (first third warms up)"
          % (fmt_num(mm / 1024 ** 2, 0, 0), format(opts.keys, ","),
             format(opts.requests, ",")))
    print("%-9s %-6s %-15s %7s %8s %9s %9s %8s %8s" % (
        "stream", "server", "policy", "miss", "vs lru", "keys", "evicted", "RSS end",
        "RSS max"))
    for sname in streams:
        base = results[(sname, "redis", "allkeys-lru")]["miss_ratio"]
        for side, _, policies in sides:
            for policy in policies:
                r = results[(sname, side, policy)]
                print("%-9s %-6s %-15s %7.4f %8s %9s %9s %7.2fx %7.2fx" % (
                    sname, side, policy, r["miss_ratio"],
                    fmt_ratio(ratio(r["miss_ratio"], base)), format(r["keys"], ","),
                    format(r["evicted_keys"], ","), r["rss_end"] / mm, r["rss_peak"] / mm))
    print("\nRSS columns are VmRSS / maxmemory. elapsed %.0fs" % (time.monotonic() - t_start))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print("error: %s" % e, file=sys.stderr)
        sys.exit(1)
