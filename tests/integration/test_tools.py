"""The stock Redis tools against the server: redis-cli (one-shot, interactive over stdin,
--pipe mass insertion, RESP3) and redis-benchmark."""
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("redis-cli"), reason="redis-tools missing")


def cli(server, *args, stdin=None):
    p = subprocess.run(["redis-cli", "-p", str(server.port)] + list(args), input=stdin,
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.decode()


def test_one_shot_commands(server, r):
    assert cli(server, "SET", "tool:k", "v a l") == "OK\n"
    assert cli(server, "GET", "tool:k") == "v a l\n"
    assert cli(server, "GET", "tool:missing") == "\n"
    assert cli(server, "INCR", "tool:n") == "1\n"
    assert cli(server, "--no-raw", "GET", "tool:missing") == "(nil)\n"
    assert cli(server, "--no-raw", "INCR", "tool:n") == "(integer) 2\n"
    assert cli(server, "--no-raw", "LPOP2") .startswith("(error) ERR unknown command 'LPOP2'")


def test_interactive_session_over_stdin(server, r):
    out = cli(server, stdin=b"SET a 1\nINCRBY a 41\nGET a\nDEL a\nEXISTS a\n")
    assert out.split("\n")[:5] == ["OK", "42", "42", "1", "0"]


def test_pipe_mass_insertion(server, r):
    n = 20000
    proto = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
        len(b"pk:%d" % i), b"pk:%d" % i, len(b"v%d" % i), b"v%d" % i) for i in range(n))
    out = cli(server, "--pipe", stdin=proto)
    assert re.search(r"errors: 0, replies: %d" % n, out), out
    assert r.dbsize() == n
    assert r.get("pk:12345") == b"v12345"


def test_resp3_mode(server, r):
    r.set("tool:k", "v")
    assert cli(server, "-3", "--no-raw", "GET", "tool:missing") == "(nil)\n"
    assert cli(server, "-3", "--no-raw", "CONFIG", "GET", "hz") == '1# "hz" => "10"\n'


def test_redis_benchmark(server, r):
    p = subprocess.run(["redis-benchmark", "-p", str(server.port), "-t", "set,get,incr,mset",
                        "-n", "20000", "-c", "20", "-P", "8", "--csv"],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = [line.split(",") for line in p.stdout.decode().strip().split("\n")[1:]]
    names = {row[0].strip('"') for row in rows}
    assert {"SET", "GET", "INCR"} <= names or {"SET", "GET", "INCR", "MSET (10 keys)"} <= names
    for row in rows:
        assert float(row[1].strip('"')) > 0
    assert b"ERR" not in p.stderr
