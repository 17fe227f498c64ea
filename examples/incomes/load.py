"""Load test for the incomes service: requests/s, p50/p99 latency and queries that reached
PostgreSQL, with the cache and without it.

    scripts/services.sh --pg --kvik ./kvik-server -- \\
        /usr/bin/python3 examples/incomes/load.py --users 200 --requests 20000

It seeds --users users with --rows incomes each, then for each mode (cache on, cache off)
starts the service under uvicorn (one worker, as a subprocess) and sends --requests
requests from --concurrency concurrent HTTP clients: GETs of a random user's list, and a
--writes fraction of POSTs that add an income (and so invalidate that user's list).
Needs DATABASE_URL and REDIS_URL (scripts/services.sh sets both).
"""
import argparse
import asyncio
import os
import platform
import random
import socket
import subprocess
import sys
import time

import httpx
import redis
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from app import Base, Income  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def seed(users, rows):
    engine = create_async_engine(os.environ["DATABASE_URL"])
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
        rnd = random.Random(1)
        base = 1_700_000_000
        from datetime import datetime, timezone
        from decimal import Decimal
        batch = []
        for u in range(1, users + 1):
            for _ in range(rows):
                batch.append({"owner_id": u,
                              "amount": Decimal(rnd.randrange(1, 10_000_00)) / 100,
                              "category": rnd.choice(["salary", "gift", "bonus", "refund"]),
                              "created_at": datetime.fromtimestamp(
                                  base + rnd.randrange(10**7), timezone.utc)})
        await conn.execute(insert(Income), batch)
    await engine.dispose()


def start_service(cache_on, port):
    env = dict(os.environ, CACHE="on" if cache_on else "off")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", HERE, "app:app", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
         # Longer than a run's pauses: with uvicorn's 5 s default a connection the server
         # closes as idle can meet a request already on its way (a reset, not a slow reply).
         "--timeout-keep-alive", "60"],
        env=env)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            httpx.get("http://127.0.0.1:%d/_stats" % port, timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("service did not start")


async def drive(port, users, requests, concurrency, writes, seed_):
    rnd = random.Random(seed_)
    plan = [(rnd.random() < writes, rnd.randint(1, users)) for _ in range(requests)]
    latencies = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url="http://127.0.0.1:%d" % port, limits=limits,
                                 timeout=30) as client:
        it = iter(plan)

        async def worker():
            nonlocal errors
            for is_write, user in it:
                t0 = time.perf_counter()
                try:
                    if is_write:
                        r = await client.post("/users/%d/incomes" % user,
                                              json={"amount": "12.34", "category": "load"})
                    else:
                        r = await client.get("/users/%d/incomes" % user)
                except httpx.TransportError as e:
                    errors += 1
                    print("request %d: %r" % (len(latencies), e), file=sys.stderr)
                    continue
                latencies.append(time.perf_counter() - t0)
                if r.status_code >= 300:
                    errors += 1

        before = (await client.get("/_stats")).json()["db_selects"]
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
        after = (await client.get("/_stats")).json()["db_selects"]
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000
    return {"rps": requests / elapsed, "p50": pct(0.50), "p99": pct(0.99),
            "selects": after - before, "errors": errors, "elapsed": elapsed}


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "%s, %d cores, %.0f GiB, %s, Python %s" % (
        cpu, os.cpu_count(), mem, platform.platform(terse=True), platform.python_version())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--rows", type=int, default=20, help="incomes per user")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--writes", type=float, default=0.01, help="fraction of POSTs")
    ap.add_argument("--modes", default="cache,nocache")
    args = ap.parse_args()

    info = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")
    server = "kvik %s" % info["kvik_version"] if "kvik_version" in info else \
        "redis-server %s" % info["redis_version"]
    print("machine: %s; load average before the run %.1f (other work shares the machine)"
          % (machine(), os.getloadavg()[0]))
    print("cache server: %s; %d users x %d rows; %d requests, concurrency %d, %.0f%% writes"
          % (server, args.users, args.rows, args.requests, args.concurrency,
             args.writes * 100))
    print("%-8s %10s %9s %9s %12s %7s" % ("mode", "req/s", "p50 ms", "p99 ms",
                                          "PG queries", "errors"))
    for mode in args.modes.split(","):
        asyncio.run(seed(args.users, args.rows))
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        port = free_port()
        proc = start_service(mode == "cache", port)
        try:
            # Warm-up: connection pools, imports; not measured.
            asyncio.run(drive(port, args.users, 500, args.concurrency, 0, 2))
            res = asyncio.run(drive(port, args.users, args.requests, args.concurrency,
                                    args.writes, 1))
        finally:
            proc.terminate()
            proc.wait(10)
        print("%-8s %10.0f %9.2f %9.2f %12d %7d" % (mode, res["rps"], res["p50"], res["p99"],
                                                    res["selects"], res["errors"]))


if __name__ == "__main__":
    main()
