"""Process start-up: config files and flags, config errors, --help/--version, daemonize and
pidfile, the log format, the Unix socket.

Verified against redis-server 7.0.15. Redis 7.0 details worth knowing:
- Config errors go to stderr as a block: a blank line, "*** FATAL CONFIG FILE ERROR (Redis
  7.0.15) ***", "Reading the configuration file, at line N", ">>> 'the line'", the reason.
  The file name is NOT printed. Exit status 1.
- Command-line options are appended to the file contents, so a later flag overrides the
  file; their values are re-quoted in the error echo (>>> 'port "abc"').
- A missing config file is reported as a log line on stdout ("Fatal error, can't open config
  file '...': No such file or directory"), exit 1.
- `--help` prints the usage and exits 1 (Kvik is asked to exit 0); `--version` exits 0.
- "PID: <pid>" only appears in the ASCII-art banner, which is logged only to a tty or with
  always-show-logo yes; the first log lines carry "pid=<pid>" either way.
"""
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile

import pytest
import redis

from conftest import IS_REDIS, SERVER, free_port
from helpers import LOG_LINE, parse_info, wait_until
from resp3 import Resp3


def run_server(*args, config_text=None, timeout=10):
    """Run the server expecting it to exit by itself; return (rc, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="kvik-start-") as d:
        cmd = [SERVER]
        if config_text is not None:
            conf = os.path.join(d, "bad.conf")
            with open(conf, "w") as f:
                f.write(config_text)
            cmd.append(conf)
        cmd += [str(a) for a in args]
        p = subprocess.run(cmd, cwd=d, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def fatal_block(stderr):
    """The four lines of a config error report, after the header."""
    lines = stderr.strip("\n").split("\n")
    idx = [i for i, l in enumerate(lines) if "FATAL CONFIG FILE ERROR" in l]
    assert idx, "no FATAL CONFIG FILE ERROR header in:\n" + stderr
    head = lines[idx[0]]
    if IS_REDIS:
        assert head == "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"
    else:
        assert re.fullmatch(r"\*\*\* FATAL CONFIG FILE ERROR \(.+\) \*\*\*", head), head
    return lines[idx[0] + 1:idx[0] + 4]


# ---- config file and flags --------------------------------------------------------------

class TestConfigFile:
    def test_directives_applied(self, start_server):
        conf = ("# a comment\n"
                "\n"
                "hz 20\n"
                "   maxclients    500   \n"
                "timeout 7\n"
                "loglevel \"verbose\"\n"
                "requirepass \"pass word\"\n"
                "databases 4\n"
                "tcp-keepalive 60\n")
        s = start_server(config_text=conf)
        with Resp3(s.port) as c:
            assert c.call("AUTH", "pass word") == "OK"
            got = c.call("CONFIG", "GET", "hz", "maxclients", "timeout", "loglevel",
                         "databases", "tcp-keepalive")
            assert dict(zip(got[0::2], got[1::2])) == {
                b"hz": b"20", b"maxclients": b"500", b"timeout": b"7",
                b"loglevel": b"verbose", b"databases": b"4", b"tcp-keepalive": b"60"}
            srv = parse_info(c.call("INFO", "server"))["server"]
            assert srv["config_file"] == os.path.join(s.dir, "test.conf")

    def test_command_line_overrides_file(self, start_server):
        other = free_port()
        s = start_server("--hz", "30", config_text="port %d\nhz 20\n" % other)
        with Resp3(s.port) as c:                   # the harness passes --port after the file
            assert c.call("CONFIG", "GET", "hz") == [b"hz", b"30"]
            assert c.call("CONFIG", "GET", "port") == [b"port", str(s.port).encode()]
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", other), timeout=2)

    def test_later_directive_wins(self, start_server):
        s = start_server(config_text="hz 20\nhz 25\n")
        with Resp3(s.port) as c:
            assert c.call("CONFIG", "GET", "hz") == [b"hz", b"25"]


class TestConfigErrors:
    def test_unknown_directive(self):
        rc, out, err = run_server("--port", free_port(), config_text="hz 10\nfoo bar\n")
        assert rc != 0
        assert fatal_block(err) == ["Reading the configuration file, at line 2",
                                    ">>> 'foo bar'",
                                    "Bad directive or wrong number of arguments"]
        if IS_REDIS:
            assert rc == 1
            assert err.startswith("\n*** FATAL CONFIG FILE ERROR")

    @pytest.mark.parametrize("line,reason", [
        ("port abc", "argument couldn't be parsed into an integer"),
        ("port 99999", "argument must be between 0 and 65535 inclusive"),
        ("daemonize maybe", "argument must be 'yes' or 'no'"),
        ("loglevel loud",
         "argument(s) must be one of the following: debug, verbose, notice, warning"),
        pytest.param(
            "maxmemory-policy foo",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
            "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
            "noeviction",
            marks=pytest.mark.skipif(not IS_REDIS, reason="eviction policies: issue 5")),
        ("hz", "wrong number of arguments"),
        ("timeout 1 2", "wrong number of arguments"),
    ])
    def test_bad_value(self, line, reason):
        rc, out, err = run_server(config_text="# first\n\n%s\n" % line)
        assert rc != 0
        assert fatal_block(err) == ["Reading the configuration file, at line 3",
                                    ">>> '%s'" % line, reason]

    @pytest.mark.parametrize("config_text,line", [(None, 3), ("hz 5\n", 4), ("hz 5", 3)])
    def test_bad_value_on_command_line(self, config_text, line):
        # Options follow the file after one extra newline, and the line numbers count it.
        rc, out, err = run_server("--port", free_port(), "--hz", "abc",
                                  config_text=config_text)
        assert rc != 0
        assert fatal_block(err) == ["Reading the configuration file, at line %d" % line,
                                    """>>> 'hz "abc"'""",
                                    "argument couldn't be parsed into an integer"]

    def test_unknown_flag(self):
        rc, out, err = run_server("--no-such-directive", "1")
        assert rc != 0
        block = fatal_block(err)
        assert "no-such-directive" in block[1]
        assert block[2] == "Bad directive or wrong number of arguments"

    def test_missing_config_file(self):
        missing = "/nonexistent-dir-kvik/missing.conf"
        rc, out, err = run_server(missing)
        assert rc != 0
        assert ("can't open config file '%s'" % missing) in out + err


class TestHelpVersion:
    def test_version(self):
        for flag in ("--version", "-v"):
            rc, out, err = run_server(flag)
            assert rc == 0
            if IS_REDIS:
                assert out.startswith("Redis server v=7.0.15 sha=")
            else:
                assert "kvik" in out.lower()
            assert out.endswith("\n") and out.count("\n") == 1

    def test_help(self):
        for flag in ("--help", "-h"):
            rc, out, err = run_server(flag)
            # Redis's usage() exits 1; Kvik exits 0 by design
            assert rc == (1 if IS_REDIS else 0)
            assert "Usage:" in out + err
            assert "--port" in out + err


# ---- daemonize, pidfile -----------------------------------------------------------------

class TestDaemonize:
    def test_daemonize_writes_pidfile_and_detaches(self, tmp_path):
        d = str(tmp_path)
        port = free_port()
        pidfile = os.path.join(d, "server.pid")
        logfile = os.path.join(d, "server.log")
        cmd = [SERVER, "--daemonize", "yes", "--pidfile", pidfile, "--port", str(port),
               "--bind", "127.0.0.1", "--dir", d, "--save", "", "--logfile", logfile]
        parent = subprocess.Popen(cmd, cwd=d, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        daemon_pid = None
        try:
            assert parent.wait(10) == 0              # the foreground process returns
            assert wait_until(lambda: os.path.exists(pidfile) and
                              open(pidfile).read().strip().isdigit(), timeout=10)
            daemon_pid = int(open(pidfile).read().strip())
            assert daemon_pid != parent.pid
            os.kill(daemon_pid, 0)                  # alive
            assert os.getsid(daemon_pid) == daemon_pid   # own session: detached
            assert wait_until(lambda: "Ready to accept connections" in open(logfile).read())
            with Resp3(port) as c:
                assert c.call("PING") == "PONG"
                info = parse_info(c.call("INFO", "server"))["server"]
                assert info["process_id"] == str(daemon_pid)
                assert c.call("CONFIG", "GET", "daemonize") == [b"daemonize", b"yes"]
                c.send("SHUTDOWN", "NOSAVE")
            assert wait_until(lambda: not pid_alive(daemon_pid), timeout=10)
            daemon_pid = None
            assert not os.path.exists(pidfile)
        finally:
            if daemon_pid is not None and pid_alive(daemon_pid):
                os.kill(daemon_pid, signal.SIGKILL)

    def test_pidfile_without_daemonize(self, start_server, tmp_path):
        pidfile = str(tmp_path / "p.pid")
        s = start_server("--pidfile", pidfile)
        assert wait_until(lambda: os.path.exists(pidfile))
        assert open(pidfile).read().strip() == str(s.proc.pid)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of someone else still "exists"; check its state
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# ---- log format -------------------------------------------------------------------------

class TestLog:
    def test_log_line_format(self, start_server):
        s = start_server()
        log = s.log()
        lines = [l for l in log.split("\n") if l]
        assert lines
        pid = str(s.proc.pid)
        for line in lines:
            if re.match(r"^\d+:[A-Z] ", line):
                m = LOG_LINE.match(line)
                assert m, line
                assert m.group(1) == pid
        ready = [l for l in lines if "Ready to accept connections" in l]
        assert len(ready) == 1
        m = LOG_LINE.match(ready[0])
        assert m and m.group(2) == "M"
        assert re.match(r"^\d+:M \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3} [.\-*#] ", ready[0])
        assert ("pid=" + pid) in log or ("PID: " + pid) in log

    def test_banner_pid(self, start_server):
        s = start_server("--always-show-logo", "yes")
        assert ("PID: %d" % s.proc.pid) in s.log()

    def test_loglevel_verbose_logs_more(self, start_server):
        s = start_server("--loglevel", "verbose")
        with Resp3(s.port) as c:
            c.call("PING")
        # verbose logs accepted connections with the "-" verbosity marker
        assert wait_until(lambda: re.search(r"^\d+:M .* - Accepted 127\.0\.0\.1:\d+$",
                                            s.log(), re.M) is not None, timeout=3)

    def test_shutdown_logged(self, start_server):
        s = start_server()
        s.proc.send_signal(signal.SIGTERM)
        assert s.proc.wait(10) == 0
        assert re.search(r"^\d+:M .* # User requested shutdown\.\.\.$", s.log(), re.M)


# ---- Unix socket ------------------------------------------------------------------------

class TestUnixSocket:
    def test_unixsocket(self, start_server, tmp_path):
        path = str(tmp_path / "kvik.sock")
        s = start_server("--unixsocket", path, "--unixsocketperm", "700")
        st = os.stat(path)
        assert stat.S_ISSOCK(st.st_mode)
        assert stat.S_IMODE(st.st_mode) == 0o700
        r = redis.Redis(unix_socket_path=path, socket_timeout=10)
        assert r.ping() is True
        r.set("u", "1")
        assert r.get("u") == b"1"
        r.close()
        with Resp3(unix_path=path) as c:
            f = dict(kv.split("=", 1) for kv in c.call("CLIENT", "INFO").decode().split())
            assert f["addr"] == path + ":0"
            assert f["laddr"] == path + ":0"
            assert f["flags"] == "U"
            assert c.call("CONFIG", "GET", "unixsocket") == [b"unixsocket", path.encode()]
        # TCP still works alongside
        with Resp3(s.port) as c:
            assert c.call("GET", "u") == b"1"

    def test_unixsocket_only(self, tmp_path):
        # Not via start_server: with no TCP listener Redis logs "The server is now ready to
        # accept connections at <path>" instead of "Ready to accept connections".
        d = str(tmp_path)
        path = os.path.join(d, "only.sock")
        tcp = free_port()
        p = subprocess.Popen([SERVER, "--port", "0", "--unixsocket", path, "--dir", d,
                              "--save", "", "--logfile", os.path.join(d, "log")],
                             cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            r = redis.Redis(unix_socket_path=path, socket_timeout=10)

            def pings():
                try:
                    return r.ping()
                except redis.ConnectionError:
                    return False
            assert wait_until(pings, timeout=10)
            assert r.config_get("port") == {"port": "0"}
            r.close()
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", tcp), timeout=2)
        finally:
            p.terminate()
            assert p.wait(10) == 0

    def test_socket_removed_on_shutdown(self, start_server, tmp_path):
        path = str(tmp_path / "gone.sock")
        s = start_server("--unixsocket", path)
        assert os.path.exists(path)
        s.proc.send_signal(signal.SIGTERM)
        assert s.proc.wait(10) == 0
        assert not os.path.exists(path)


# ---- Kvik only --------------------------------------------------------------------------

class TestKvikOnly:
    def test_unimplemented_redis_directive_warns_and_starts(self, start_server):
        if IS_REDIS:
            pytest.skip("Kvik-only: Redis implements all its own directives")
        # A Redis directive Kvik accepts but does not implement (adjust if Kvik grows it).
        s = start_server(config_text="jemalloc-bg-thread yes\n")
        with Resp3(s.port) as c:
            assert c.call("PING") == "PONG"
        warn = [l for l in s.log().split("\n") if "jemalloc-bg-thread" in l]
        assert warn, "no log line names the ignored directive"
        assert LOG_LINE.match(warn[0]), warn[0]

    def test_info_has_kvik_version(self, start_server):
        if IS_REDIS:
            pytest.skip("Kvik-only field")
        s = start_server()
        with Resp3(s.port) as c:
            srv = parse_info(c.call("INFO", "server"))["server"]
            assert srv["redis_version"] == "7.0.15"
            assert re.fullmatch(r"\d+\.\d+\.\d+.*", srv["kvik_version"])


class TestOutputBufferLimitDirective:
    def test_lines_accumulate_and_flag_overrides(self, start_server):
        s = start_server("--client-output-buffer-limit", "pubsub 1mb 2mb 5",
                         config_text="client-output-buffer-limit normal 1mb 2mb 3\n"
                                     "client-output-buffer-limit replica 1mb 2mb 3\n")
        with Resp3(s.port) as c:
            assert c.call("CONFIG", "GET", "client-output-buffer-limit")[1] == \
                b"normal 1048576 2097152 3 slave 1048576 2097152 3 pubsub 1048576 2097152 5"

    def test_bad_line(self):
        rc, out, err = run_server(config_text="client-output-buffer-limit normal 1mb 2mb 3\n"
                                              "client-output-buffer-limit pubsub 1mb 2mb\n")
        assert rc != 0
        assert fatal_block(err) == ["Reading the configuration file, at line 2",
                                    ">>> 'client-output-buffer-limit pubsub 1mb 2mb'",
                                    "Wrong number of arguments in buffer limit configuration."]
