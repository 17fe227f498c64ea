#!/usr/bin/python3
"""listpack_redis_xcheck.py - byte-for-byte check of src/ds/listpack.c against Redis.

Builds listpack.c as a shared library (ctypes), starts /usr/bin/redis-server on a free
port with rdbcompression off, fills random hashes and sorted sets that stay listpack
encoded (integers at every encoding boundary, non-canonical numbers, strings of 0..5000
bytes), and compares the listpack inside each DUMP payload with what lp_append builds
from the same entries, in Redis's order (HGETALL / ZRANGE WITHSCORES read it back).

Run from the repo root: /usr/bin/python3 tests/unit/listpack_redis_xcheck.py [rounds]
Prints "N passed, 0 failed"; exits non-zero on a mismatch.
"""
import ctypes
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build_lib(tmp):
    so = os.path.join(tmp, "liblp.so")
    subprocess.check_call(["cc", "-std=c11", "-D_GNU_SOURCE", "-O2", "-fPIC", "-shared",
                           "-I" + os.path.join(ROOT, "src"), "-o", so,
                           os.path.join(ROOT, "src/ds/listpack.c"),
                           os.path.join(ROOT, "src/base/alloc.c")])
    lib = ctypes.CDLL(so)
    u8p = ctypes.c_void_p
    lib.lp_new.restype = u8p
    lib.lp_new.argtypes = [ctypes.c_size_t]
    lib.lp_append.restype = u8p
    lib.lp_append.argtypes = [u8p, ctypes.c_char_p, ctypes.c_size_t]
    lib.lp_bytes.restype = ctypes.c_size_t
    lib.lp_bytes.argtypes = [u8p]
    lib.lp_free.argtypes = [u8p]
    lib.lp_validate.restype = ctypes.c_bool
    lib.lp_validate.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_bool]
    return lib


def build_listpack(lib, elems):
    lp = lib.lp_new(0)
    for e in elems:
        lp = lib.lp_append(lp, e, len(e))
    out = ctypes.string_at(lp, lib.lp_bytes(lp))
    lib.lp_free(lp)
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def dump_listpack(payload):
    """Type byte, RDB length-prefixed string (uncompressed), then version + CRC."""
    t = payload[1] >> 6
    if t == 0:
        n, off = payload[1] & 0x3F, 2
    elif t == 1:
        n, off = ((payload[1] & 0x3F) << 8) | payload[2], 3
    elif payload[1] == 0x80:
        n, off = int.from_bytes(payload[2:6], "big"), 6
    else:
        raise ValueError("unexpected RDB length byte %02x" % payload[1])
    assert off + n + 10 == len(payload)
    return payload[0], payload[off:off + n]


EDGES = [0, 127, 128, -1, -4096, -4097, 4095, 4096, 32767, 32768, -32768, -32769,
         8388607, 8388608, -8388608, -8388609, 2**31 - 1, 2**31, -2**31, -2**31 - 1,
         2**63 - 1, -2**63]
ODD = [b"-0", b"007", b"+1", b" 1", b"", b"-", b"1.0", b"9223372036854775808",
       b"-9223372036854775809", b"12345678901234567890", b"00"]


def rand_elem(rng):
    k = rng.randrange(6)
    if k == 0:
        v = rng.choice(EDGES) + rng.randrange(-1, 2)
        return str(v).encode()
    if k == 1:
        return str(rng.getrandbits(rng.randrange(1, 64)) * rng.choice([1, -1])).encode()
    if k == 2:
        return rng.choice(ODD)
    if k == 3:
        n = rng.choice([62, 63, 64, 65, 122, 123, 126, 127, 4094, 4095, 4096, 4097, 16377,
                        16378, 20000])
        return bytes(rng.randrange(97, 100) for _ in range(n))
    if k == 4:
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 200)))
    return bytes(rng.randrange(97, 123) for _ in range(rng.randrange(1, 8)))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    rng = random.Random(1234)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        lib = build_lib(tmp)
        port = free_port()
        srv = subprocess.Popen(["/usr/bin/redis-server", "--port", str(port), "--save", "",
                                "--appendonly", "no", "--rdbcompression", "no",
                                "--hash-max-listpack-entries", "100000",
                                "--hash-max-listpack-value", "100000",
                                "--zset-max-listpack-entries", "100000",
                                "--zset-max-listpack-value", "100000"],
                               stdout=subprocess.DEVNULL, cwd=tmp)
        try:
            r = redis.Redis(port=port)
            for _ in range(100):
                try:
                    r.ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)

            def check(key, want_type, elems):
                nonlocal passed, failed
                typ, blob = dump_listpack(r.dump(key))
                mine = build_listpack(lib, elems)
                ok = typ == want_type and blob == mine and lib.lp_validate(blob, len(blob), True)
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print("MISMATCH", key, typ, blob[:64].hex(), mine[:64].hex())

            for i in range(rounds):
                r.delete("h", "z")
                n = rng.randrange(1, 40)
                fields = {rand_elem(rng): rand_elem(rng) for _ in range(n)}
                r.hset("h", mapping=fields)
                assert r.object("encoding", "h") == b"listpack"
                elems = [x for kv in r.hgetall("h").items() for x in kv]
                check("h", 16, elems)

                members = {rand_elem(rng): rng.choice(
                    [rng.randrange(-10**6, 10**6), rng.uniform(-1e6, 1e6),
                     rng.choice(EDGES[:12])]) for _ in range(n)}
                r.zadd("z", members)
                assert r.object("encoding", "z") == b"listpack"
                # The raw ZRANGE reply (no WITHSCORES kwarg, so redis-py leaves it as
                # bytes) gives each score's text as Redis formats it, which is also what
                # it puts into the listpack.
                elems = r.execute_command("ZRANGE", "z", 0, -1, "WITHSCORES")
                check("z", 17, elems)
        finally:
            srv.terminate()
            srv.wait()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
