"""Server commands: INFO, CONFIG, TIME, LASTSAVE, DEBUG, SLOWLOG, MONITOR, COMMAND, unknown
commands, SHUTDOWN and signals.

Verified against redis-server 7.0.15. Redis 7.0 details worth knowing:
- DEBUG is refused unless enable-debug-command is yes/local (default no); tests that need it
  start their own server with `--enable-debug-command yes`.
- CONFIG GET replies pairs in the server's table order, not argument order; an exact name
  given in upper case is echoed back as given ("PORT").
- CONFIG SET with several pairs is atomic: one bad pair and nothing changes.
- hz is clamped to 1..500 on CONFIG SET.
- SLOWLOG RESET is itself logged (LEN is 1 right after it when the threshold is 0).
- MONITOR does not show admin commands (CONFIG, DEBUG, SLOWLOG...) and redacts AUTH.
- COMMAND COUNT counts top-level commands; COMMAND LIST also lists subcommands ("client|id").
- SHUTDOWN NOSAVE sends no reply on success: the connection just closes.
"""
import os
import re
import signal
import time

import pytest

from conftest import IS_REDIS
from helpers import debug_server, info_sections, parse_info, wait_until  # noqa: F401
from resp3 import ConnectionClosed, Error, Resp3

DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                    "Modules", "Errorstats", "Cluster", "Keyspace"]
ALL_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU",
                "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace"]


@pytest.fixture
def c(server):
    conn = Resp3(server.port)
    conn.call("FLUSHALL")
    yield conn
    conn.close()


@pytest.fixture
def own(start_server):
    """A fresh server of its own, for tests that change configuration or statistics."""
    s = start_server()
    conn = Resp3(s.port)
    conn.server = s
    yield conn
    conn.close()


def info(conn, *sections):
    return parse_info(conn.call("INFO", *sections))


# ---- INFO -------------------------------------------------------------------------------

class TestInfo:
    def test_default_sections(self, c):
        text = c.call("INFO")
        assert type(text) is bytes
        assert info_sections(text) == DEFAULT_SECTIONS
        assert text.startswith(b"# Server\r\n")
        assert text.endswith(b"\r\n")
        assert info_sections(c.call("INFO", "default")) == DEFAULT_SECTIONS

    def test_all_and_everything(self, c):
        assert info_sections(c.call("INFO", "all")) == ALL_SECTIONS
        assert info_sections(c.call("INFO", "everything")) == ALL_SECTIONS

    def test_section_args(self, c):
        assert info_sections(c.call("INFO", "server")) == ["Server"]
        assert info_sections(c.call("INFO", "SERVER")) == ["Server"]
        assert info_sections(c.call("INFO", "server", "clients")) == ["Server", "Clients"]
        assert info_sections(c.call("INFO", "keyspace", "server")) == ["Server", "Keyspace"]
        assert c.call_raw("INFO", "nosuchsection") == b"$0\r\n\r\n"

    def test_server_section(self, c, server):
        s = info(c, "server")["server"]
        assert s["redis_version"] == "7.0.15"
        assert s["redis_mode"] == "standalone"
        assert s["process_id"] == str(server.proc.pid)
        assert s["tcp_port"] == str(server.port)
        assert s["arch_bits"] == "64"
        assert s["config_file"] == ""
        assert int(s["uptime_in_seconds"]) >= 0
        assert s["hz"] == "10" and s["configured_hz"] == "10"
        assert re.fullmatch(r"[0-9a-f]{40}", s["run_id"])
        assert abs(int(s["server_time_usec"]) / 1e6 - time.time()) < 5

    def test_clients_section(self, c, server):
        before = int(info(c, "clients")["clients"]["connected_clients"])
        extra = [Resp3(server.port) for _ in range(3)]
        try:
            for e in extra:
                e.call("PING")
            now = info(c, "clients")["clients"]
            assert int(now["connected_clients"]) == before + 3
            assert now["maxclients"] == "10000"
            assert now["blocked_clients"] == "0"
        finally:
            for e in extra:
                e.close()
        assert wait_until(
            lambda: int(info(c, "clients")["clients"]["connected_clients"]) == before)

    def test_memory_section(self, c):
        m = info(c, "memory")["memory"]
        used = int(m["used_memory"])
        assert used > 0
        assert int(m["used_memory_rss"]) > 0
        assert int(m["used_memory_peak"]) > 0
        assert m["maxmemory"] == "0"
        assert m["maxmemory_policy"] == "noeviction"
        assert re.fullmatch(r"\d+(\.\d+)?[BKMGTP]?", m["used_memory_human"])

    def test_stats_counters(self, own):
        own.call("SET", "k", "v")
        assert own.call("CONFIG", "RESETSTAT") == "OK"
        own.call("SET", "k", "v")
        own.call("GET", "k")
        own.call("GET", "missing")
        st = info(own, "stats")["stats"]
        assert st["keyspace_hits"] == "1"
        assert st["keyspace_misses"] == "1"
        # RESETSTAT itself, SET, GET, GET; INFO is counted after it runs
        assert st["total_commands_processed"] == "4"
        st = info(own, "stats")["stats"]
        assert st["total_commands_processed"] == "5"
        assert int(st["total_connections_received"]) >= 0
        for field in ("expired_keys", "evicted_keys", "rejected_connections",
                      "total_net_input_bytes", "total_net_output_bytes",
                      "instantaneous_ops_per_sec", "total_error_replies"):
            assert st[field].isdigit(), field

    def test_keyspace_section(self, own):
        assert own.call_raw("INFO", "keyspace") == b"$12\r\n# Keyspace\r\n\r\n"
        own.call("SET", "a", "1")
        own.call("SET", "b", "2", "EX", "100")
        own.call("SELECT", 3)
        own.call("SET", "c", "3")
        ks = info(own, "keyspace")["keyspace"]
        assert list(ks) == ["db0", "db3"]
        assert re.fullmatch(r"keys=2,expires=1,avg_ttl=\d+", ks["db0"])
        assert ks["db3"] == "keys=1,expires=0,avg_ttl=0"

    def test_commandstats_and_errorstats(self, own):
        own.call("CONFIG", "RESETSTAT")
        own.call("SET", "k", "v")
        own.call("SET", "k", "v")
        own.call("nosuchcmd")
        own.call("GET")
        cs = info(own, "commandstats")["commandstats"]
        assert re.fullmatch(
            r"calls=2,usec=\d+,usec_per_call=\d+\.\d{2},rejected_calls=0,failed_calls=0",
            cs["cmdstat_set"])
        assert re.fullmatch(r"calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,"
                            r"failed_calls=0", cs["cmdstat_get"])
        es = info(own, "errorstats")["errorstats"]
        assert es == {"errorstat_ERR": "count=2"}


# ---- CONFIG -----------------------------------------------------------------------------

class TestConfig:
    def test_get_core_directives(self, c, server):
        expect = {
            "port": str(server.port), "bind": "127.0.0.1", "databases": "16",
            "requirepass": "", "timeout": "0", "tcp-keepalive": "300",
            "maxclients": "10000", "loglevel": "notice", "logfile": server.logfile,
            "daemonize": "no", "pidfile": "", "hz": "10",
            "proto-max-bulk-len": "536870912", "client-query-buffer-limit": "1073741824",
            "save": "", "dir": server.dir,
        }
        for name, value in expect.items():
            assert c.call("CONFIG", "GET", name) == [name.encode(), value.encode()], name

    def test_get_several_args(self, c, server):
        reply = c.call("CONFIG", "GET", "port", "bind", "databases")
        assert len(reply) == 6
        assert dict(zip(reply[0::2], reply[1::2])) == {
            b"port": str(server.port).encode(), b"bind": b"127.0.0.1", b"databases": b"16"}

    def test_get_patterns(self, c):
        reply = c.call("CONFIG", "GET", "max*")
        got = dict(zip(reply[0::2], reply[1::2]))
        assert got[b"maxclients"] == b"10000"
        assert got[b"maxmemory"] == b"0"
        assert got[b"maxmemory-policy"] == b"noeviction"
        assert all(k.startswith(b"max") for k in got)
        assert c.call_raw("CONFIG", "GET", "nosuchparam") == b"*0\r\n"
        assert c.call_raw("CONFIG", "GET", "nosuch*") == b"*0\r\n"
        # a pattern and an exact name that overlap give each pair once
        reply = c.call("CONFIG", "GET", "hz", "h?")
        assert reply == [b"hz", b"10"]

    def test_get_name_case(self, c, server):
        # exact names are matched case-insensitively and echoed as given
        assert c.call("CONFIG", "GET", "PORT") == [b"PORT", str(server.port).encode()]

    def test_get_arity(self, c):
        assert c.call_raw("CONFIG", "GET") == \
            b"-ERR wrong number of arguments for 'config|get' command\r\n"
        assert c.call_raw("CONFIG") == b"-ERR wrong number of arguments for 'config' command\r\n"
        assert c.call_raw("CONFIG", "FOO") == \
            b"-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n"

    def test_set_and_get(self, own):
        assert own.call_raw("CONFIG", "SET", "hz", "20", "timeout", "5") == b"+OK\r\n"
        reply = own.call("CONFIG", "GET", "hz", "timeout")
        assert dict(zip(reply[0::2], reply[1::2])) == {b"hz": b"20", b"timeout": b"5"}
        assert own.call("CONFIG", "SET", "loglevel", "WARNING") == "OK"
        assert own.call("CONFIG", "GET", "loglevel") == [b"loglevel", b"warning"]
        assert own.call("CONFIG", "SET", "tcp-keepalive", "60") == "OK"
        assert own.call("CONFIG", "SET", "maxclients", "500") == "OK"
        assert own.call("CONFIG", "GET", "maxclients") == [b"maxclients", b"500"]
        assert own.call("CONFIG", "SET", "proto-max-bulk-len", "2mb") == "OK"
        assert own.call("CONFIG", "GET", "proto-max-bulk-len") == \
            [b"proto-max-bulk-len", b"2097152"]
        assert own.call("CONFIG", "SET", "client-query-buffer-limit", "4mb") == "OK"
        assert own.call("CONFIG", "GET", "client-query-buffer-limit") == \
            [b"client-query-buffer-limit", b"4194304"]
        assert own.call("CONFIG", "SET", "timeout", "0") == "OK"
        assert own.call("CONFIG", "SET", "bind", "127.0.0.1") == "OK"
        assert own.call("CONFIG", "GET", "bind") == [b"bind", b"127.0.0.1"]
        assert own.call("PING") == "PONG"
        assert own.call("CONFIG", "SET", "requirepass", "pw") == "OK"
        assert own.call("CONFIG", "GET", "requirepass") == [b"requirepass", b"pw"]
        assert own.call("CONFIG", "SET", "requirepass", "") == "OK"

    @pytest.mark.skipif(not IS_REDIS, reason="maxmemory: issue 5")
    def test_set_maxmemory(self, own):
        assert own.call("CONFIG", "SET", "maxmemory", "1gb") == "OK"
        assert own.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1073741824"]

    def test_set_hz_is_clamped(self, own):
        own.call("CONFIG", "SET", "hz", "0")
        assert own.call("CONFIG", "GET", "hz") == [b"hz", b"1"]
        own.call("CONFIG", "SET", "hz", "1000")
        assert own.call("CONFIG", "GET", "hz") == [b"hz", b"500"]

    def test_set_errors(self, own):
        def err(*args):
            return own.call_raw("CONFIG", "SET", *args)

        assert err("xyz", "1") == \
            b"-ERR Unknown option or number of arguments for CONFIG SET - 'xyz'\r\n"
        assert err("hz", "abc") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't "
            b"be parsed into an integer\r\n")
        assert err("port", "99999") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'port') - argument must be "
            b"between 0 and 65535 inclusive\r\n")
        assert err("timeout", "-1") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'timeout') - argument must "
            b"be between 0 and 2147483647 inclusive\r\n")
        assert err("loglevel", "loud") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) "
            b"must be one of the following: debug, verbose, notice, warning\r\n")
        assert err("databases", "4") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            b"immutable config\r\n")
        assert err("daemonize", "yes") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set "
            b"immutable config\r\n")
        assert err("hz", "10", "hz", "11") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate "
            b"parameter\r\n")
        assert err("proto-max-bulk-len", "1") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - "
            b"argument must be between 1048576 and 9223372036854775807 inclusive\r\n")
        for name, value in (("logfile", "/tmp/x.log"), ("pidfile", "/tmp/x.pid"),
                            ("unixsocket", "/tmp/x.sock")):
            assert err(name, value) == (
                b"-ERR CONFIG SET failed (possibly related to argument '%s') - can't set "
                b"immutable config\r\n" % name.encode())
        assert err("dir", "/tmp") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'dir') - can't set "
            b"protected config\r\n")
        assert err("maxclients", "0") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument "
            b"must be between 1 and 4294967295 inclusive\r\n")
        assert err("client-query-buffer-limit", "abc") == (
            b"-ERR CONFIG SET failed (possibly related to argument "
            b"'client-query-buffer-limit') - argument must be a memory value\r\n")
        assert err("bind", "999.1.1.1") == (
            b"-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            b"specified addresses.\r\n")
        assert err("hz") == b"-ERR wrong number of arguments for 'config|set' command\r\n"
        assert err("hz", "10", "timeout") == b"-ERR syntax error\r\n"

    def test_set_is_atomic(self, own):
        assert own.call("CONFIG", "SET", "hz", "20", "xyz", "1") == \
            Error("ERR Unknown option or number of arguments for CONFIG SET - 'xyz'")
        assert own.call("CONFIG", "SET", "hz", "20", "port", "abc") == Error(
            "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't "
            "be parsed into an integer")
        assert own.call("CONFIG", "GET", "hz") == [b"hz", b"10"]

    def test_set_port_moves_listener(self, own):
        from conftest import free_port
        newport = free_port()
        assert own.call("CONFIG", "SET", "port", str(newport)) == "OK"
        with Resp3(newport) as c2:
            assert c2.call("PING") == "PONG"
        # the existing connection keeps working
        assert own.call("PING") == "PONG"

    def test_resetstat(self, own):
        own.call("GET", "missing")
        assert own.call_raw("CONFIG", "RESETSTAT") == b"+OK\r\n"
        st = info(own, "stats")["stats"]
        assert st["keyspace_misses"] == "0"
        assert own.call_raw("CONFIG", "RESETSTAT", "x") == \
            b"-ERR wrong number of arguments for 'config|resetstat' command\r\n"


class TestConfigRewrite:
    def test_without_config_file(self, r):
        with pytest.raises(Exception, match="^The server is running without a config file$"):
            r.execute_command("CONFIG", "REWRITE")

    def test_rewrites_in_place_and_appends(self, start_server):
        conf = ("# keep this comment\n"
                "list-max-ziplist-size 5\n"
                "hz 10\n"
                "hz 12\n")
        s = start_server(config_text=conf)
        c = s.client()
        c.config_set("list-max-listpack-size", "7")
        c.config_set("proto-max-bulk-len", "2mb")
        c.config_set("requirepass", 'a b"c')
        assert c.execute_command("CONFIG", "REWRITE") == b"OK"
        lines = open(os.path.join(s.dir, "test.conf")).read().split("\n")
        # Comments and order stay; an alias line takes the canonical name; repeats collapse
        # into the first one, with the value in force (the last one read, here).
        assert lines[:3] == ["# keep this comment", "list-max-listpack-size 7", "hz 12"]
        assert lines[3:5] == ["", "# Generated by CONFIG REWRITE"]
        assert "proto-max-bulk-len 2mb" in lines
        assert 'requirepass "a b\\"c"' in lines
        assert 'dir "%s"' % s.dir in lines
        assert "bind 127.0.0.1" in lines
        assert "port %d" % s.port in lines
        assert 'save ""' in lines
        assert not [ln for ln in lines if ln.startswith("hz ")][1:]
        # A second rewrite changes nothing and signs once.
        before = open(os.path.join(s.dir, "test.conf")).read()
        c.execute_command("AUTH", 'a b"c')
        assert c.execute_command("CONFIG", "REWRITE") == b"OK"
        # (Redis 7.0 adds a blank line at the end each time; Kvik does not.)
        assert open(os.path.join(s.dir, "test.conf")).read().rstrip("\n") == before.rstrip("\n")
        c.close()

    def test_rewritten_file_starts_the_same_server(self, start_server):
        s = start_server(config_text="hz 15\n")
        c = s.client()
        c.config_set("slowlog-max-len", "7")
        c.config_set("hash-max-listpack-entries", "9")
        c.config_set("save", "100 10 200 20")
        assert c.execute_command("CONFIG", "REWRITE") == b"OK"
        c.close()
        text = open(os.path.join(s.dir, "test.conf")).read()
        assert "\nsave 100 10\nsave 200 20\n" in text
        text = "\n".join(ln for ln in text.split("\n") if not ln.startswith("port "))
        s2 = start_server(config_text=text)
        c2 = s2.client()
        assert c2.config_get("hz") == {"hz": "15"}
        assert c2.config_get("slowlog-max-len") == {"slowlog-max-len": "7"}
        assert c2.config_get("hash-max-listpack-entries") == {"hash-max-listpack-entries": "9"}
        c2.close()

    def test_write_error(self, start_server):
        s = start_server(config_text="hz 11\n")
        c = s.client()
        os.rename(s.dir, s.dir + ".moved")  # the file's directory is gone
        try:
            with pytest.raises(Exception,
                               match="^Rewriting config file: No such file or directory$"):
                c.execute_command("CONFIG", "REWRITE")
        finally:
            os.rename(s.dir + ".moved", s.dir)
        c.close()


# ---- TIME, LASTSAVE, DEBUG --------------------------------------------------------------

class TestMisc:
    def test_time(self, c):
        sec, usec = c.call("TIME")
        assert abs(int(sec) - time.time()) < 3
        assert 0 <= int(usec) < 1000000
        assert c.call_raw("TIME", "x") == b"-ERR wrong number of arguments for 'time' command\r\n"

    def test_lastsave_is_start_time_without_saves(self, start_server):
        t0 = int(time.time())
        s = start_server()
        with Resp3(s.port) as c:
            ls = c.call("LASTSAVE")
            assert isinstance(ls, int)
            assert t0 - 1 <= ls <= int(time.time()) + 1
            assert c.call_raw("LASTSAVE", "x") == \
                b"-ERR wrong number of arguments for 'lastsave' command\r\n"

    def test_debug_disabled_by_default(self, c):
        assert c.call_raw("DEBUG", "SLEEP", "0") == (
            b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to "
            b"\"local\", you can run it from a local connection, otherwise you need to set "
            b"this option in the configuration file, and then restart the server.\r\n")

    def test_debug_sleep(self, debug_server):  # noqa: F811
        with Resp3(debug_server.port) as d:
            assert d.call_raw("DEBUG", "SLEEP", "0") == b"+OK\r\n"
            t0 = time.time()
            assert d.call_raw("DEBUG", "SLEEP", "0.2") == b"+OK\r\n"
            assert time.time() - t0 >= 0.19

    def test_debug_object(self, debug_server):  # noqa: F811
        with Resp3(debug_server.port) as d:
            d.call("FLUSHALL")
            pat = (r"Value at:0x[0-9a-f]+ refcount:\d+ encoding:(\w+) serializedlength:\d+ "
                   r"lru:\d+ lru_seconds_idle:\d+")
            d.call("SET", "int", "12345")
            d.call("SET", "short", "hello")
            d.call("SET", "long", "x" * 100)
            for key, enc in (("int", "int"), ("short", "embstr"), ("long", "raw")):
                reply = d.call("DEBUG", "OBJECT", key)
                assert isinstance(reply, str)            # a status reply
                m = re.fullmatch(pat, reply)
                assert m, reply
                assert m.group(1) == enc
            assert d.call_raw("DEBUG", "OBJECT", "missing") == b"-ERR no such key\r\n"
            assert d.call("DEBUG", "NOSUCH") == Error(
                "ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. "
                "Try DEBUG HELP.")


# ---- SLOWLOG ----------------------------------------------------------------------------

class TestSlowlog:
    @pytest.fixture
    def slow(self, start_server):
        s = start_server("--slowlog-log-slower-than", "0")
        conn = Resp3(s.port)
        yield conn
        conn.close()

    def test_entries(self, slow):
        slow.call("CLIENT", "SETNAME", "slowpoke")
        slow.call("SET", "k", "v")
        entries = slow.call("SLOWLOG", "GET")
        assert len(entries) == 2
        newest, oldest = entries
        assert newest[0] == 1 and oldest[0] == 0
        assert abs(newest[1] - time.time()) < 5
        assert isinstance(newest[2], int) and newest[2] >= 0
        assert newest[3] == [b"SET", b"k", b"v"]
        assert oldest[3] == [b"CLIENT", b"SETNAME", b"slowpoke"]
        host, port = slow.sock.getsockname()[:2]
        assert newest[4] == ("%s:%d" % (host, port)).encode()
        assert newest[5] == b"slowpoke"
        assert len(newest) == 6

    def test_len_count_reset(self, slow):
        for i in range(12):
            slow.call("SET", "k%d" % i, "v")
        assert slow.call_raw("SLOWLOG", "LEN") == b":12\r\n"
        assert len(slow.call("SLOWLOG", "GET")) == 10                # default count
        assert len(slow.call("SLOWLOG", "GET", "-1")) == 14          # 12 SET, LEN, GET
        assert len(slow.call("SLOWLOG", "GET", "1")) == 1
        assert slow.call_raw("SLOWLOG", "GET", "0") == b"*0\r\n"
        assert slow.call_raw("SLOWLOG", "RESET") == b"+OK\r\n"
        # the RESET itself is logged after it ran
        assert slow.call_raw("SLOWLOG", "LEN") == b":1\r\n"
        assert [e[3] for e in slow.call("SLOWLOG", "GET", "-1")] == \
            [[b"SLOWLOG", b"LEN"], [b"SLOWLOG", b"RESET"]]

    def test_errors(self, slow):
        assert slow.call_raw("SLOWLOG", "GET", "abc") == \
            b"-ERR count should be greater than or equal to -1\r\n"
        assert slow.call_raw("SLOWLOG", "GET", "-2") == \
            b"-ERR count should be greater than or equal to -1\r\n"
        assert slow.call_raw("SLOWLOG", "FOO") == \
            b"-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n"

    def test_argument_truncation(self, slow):
        slow.call("SET", "k", "v" * 200)
        slow.call("DEL", *["k%d" % i for i in range(40)])
        dele, sete = slow.call("SLOWLOG", "GET", "2")
        assert sete[3] == [b"SET", b"k", b"v" * 128 + b"... (72 more bytes)"]
        assert len(dele[3]) == 32
        assert dele[3][:31] == [b"DEL"] + [b"k%d" % i for i in range(30)]
        assert dele[3][31] == b"... (10 more arguments)"

    def test_threshold_and_max_len(self, slow):
        slow.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")    # disabled
        slow.call("SLOWLOG", "RESET")
        slow.call("SET", "a", "1")
        assert slow.call("SLOWLOG", "LEN") == 0
        slow.call("CONFIG", "SET", "slowlog-log-slower-than", "0", "slowlog-max-len", "3")
        for i in range(10):
            slow.call("SET", "a", i)
        assert slow.call("SLOWLOG", "LEN") == 3
        slow.call("CONFIG", "SET", "slowlog-log-slower-than", "1000000")
        slow.call("SLOWLOG", "RESET")
        slow.call("SET", "a", "1")
        assert slow.call("SLOWLOG", "LEN") == 0


# ---- MONITOR ----------------------------------------------------------------------------

MONITOR_LINE = re.compile(r"^(\d+)\.(\d{6}) \[(\d+) (127\.0\.0\.1:\d+)\] (.*)$")


class TestMonitor:
    def test_monitor_feed(self, server):
        m = Resp3(server.port)
        c = Resp3(server.port)
        try:
            assert m.call_raw("MONITOR") == b"+OK\r\n"
            caddr = "127.0.0.1:%d" % c.sock.getsockname()[1]
            c.call("set", "k", "v")
            c.call("SELECT", "3")
            c.call("SET", "a b", b"x\x00\"y\n")
            c.call("CONFIG", "GET", "port")            # admin: not shown
            c.call("AUTH", "secret")                    # redacted (and fails)
            c.call("nosuchcmd")                         # unknown: not shown
            c.call("SELECT", "0")
            c.call("PING")
            lines = [m.read() for _ in range(6)]
            assert all(isinstance(l, str) for l in lines)   # status replies
            parsed = []
            for l in lines:
                mt = MONITOR_LINE.match(l)
                assert mt, l
                assert abs(int(mt.group(1)) - time.time()) < 5
                assert mt.group(4) == caddr
                parsed.append((mt.group(3), mt.group(5)))
            assert parsed == [
                ("0", '"set" "k" "v"'),
                ("3", '"SELECT" "3"'),
                ("3", '"SET" "a b" "x\\x00\\"y\\n"'),
                ("3", '"AUTH" "(redacted)"'),
                ("0", '"SELECT" "0"'),
                ("0", '"PING"'),
            ]
        finally:
            m.close()
            c.close()

    def test_monitor_raw_line(self, server):
        with Resp3(server.port) as m, Resp3(server.port) as c:
            m.call("MONITOR")
            c.call("ECHO", "x")
            raw = m.read_raw()
            assert re.fullmatch(
                rb'\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "ECHO" "x"\r\n', raw), raw

    def test_monitor_in_resp3_is_still_status(self, server):
        with Resp3(server.port) as m, Resp3(server.port) as c:
            m.hello(3)
            m.call("MONITOR")
            c.call("PING")
            assert m.read_raw().startswith(b"+")


# ---- COMMAND ----------------------------------------------------------------------------

COMMAND_INFO_GET = (
    b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
    b"*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n"
    b"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n"
    b"*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n"
    b"$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n"
    b"*0\r\n")

COMMAND_DOCS_GET = (
    b"*2\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n"
    b"$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n"
    b"$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n"
    b"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n")


class TestCommand:
    def test_count_matches_command(self, c):
        count = c.call("COMMAND", "COUNT")
        assert isinstance(count, int) and count > 0
        if IS_REDIS:
            assert count == 240
        assert len(c.call("COMMAND")) == count
        assert len(c.call("COMMAND", "INFO")) == count
        assert c.call_raw("COMMAND", "COUNT", "x") == \
            b"-ERR wrong number of arguments for 'command|count' command\r\n"

    def test_info_get(self, c):
        assert c.call_raw("COMMAND", "INFO", "get") == COMMAND_INFO_GET
        assert c.call_raw("COMMAND", "INFO", "GET") == COMMAND_INFO_GET

    def test_info_shapes(self, c):
        reply = c.call("COMMAND", "INFO", "set", "nosuch", "client|id", "client")
        setc, missing, clientid, client = reply
        assert setc[:6] == [b"set", -3, ["write", "denyoom"], 1, 1, 1]
        assert setc[6] == ["@write", "@string", "@slow"]
        assert missing is None
        assert clientid[:6] == [b"client|id", 2, ["noscript", "loading", "stale"], 0, 0, 0]
        assert clientid[6] == ["@slow", "@connection"]
        assert client[0] == b"client" and client[1] == -2
        subs = sorted(s[0] for s in client[9])
        assert b"client|id" in subs and b"client|kill" in subs and b"client|list" in subs
        for entry in reply:
            if entry is not None:
                assert len(entry) == 10

    def test_info_ping_and_mset(self, c):
        ping = c.call("COMMAND", "INFO", "ping")[0]
        assert ping[:6] == [b"ping", -1, ["fast"], 0, 0, 0]
        assert ping[6] == ["@fast", "@connection"]
        mset = c.call("COMMAND", "INFO", "mset")[0]
        assert mset[:6] == [b"mset", -3, ["write", "denyoom"], 1, -1, 2]

    def test_docs(self, c):
        assert c.call_raw("COMMAND", "DOCS", "get") == COMMAND_DOCS_GET
        assert c.call_raw("COMMAND", "DOCS", "nosuch") == b"*0\r\n"
        docs = c.call("COMMAND", "DOCS", "client|id")
        assert docs[0] == b"client|id"
        d = dict(zip(docs[1][0::2], docs[1][1::2]))
        assert d == {b"summary": b"Returns the client ID for the current connection",
                     b"since": b"5.0.0", b"group": b"connection", b"complexity": b"O(1)"}

    def test_list(self, c):
        names = c.call("COMMAND", "LIST")
        assert b"get" in names and b"client|id" in names and b"config|get" in names
        assert len(names) > c.call("COMMAND", "COUNT")     # subcommands are listed too
        assert c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "pin*") == [b"ping"]
        clients = c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "client*")
        assert b"client" in clients and b"client|setname" in clients
        assert all(n.startswith(b"client") for n in clients)
        conn = set(c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "connection"))
        assert {b"ping", b"echo", b"auth", b"hello", b"select", b"quit", b"reset",
                b"client|id", b"command|count"} <= conn
        assert b"get" not in conn and b"set" not in conn
        assert c.call_raw("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuchcat") == b"*0\r\n"
        assert c.call_raw("COMMAND", "LIST", "FILTERBY", "MODULE", "nosuchmod") == b"*0\r\n"
        assert c.call_raw("COMMAND", "LIST", "FILTERBY", "FOO", "x") == b"-ERR syntax error\r\n"
        assert c.call_raw("COMMAND", "LIST", "FILTERBY", "PATTERN") == b"-ERR syntax error\r\n"

    def test_getkeys(self, c):
        assert c.call_raw("COMMAND", "GETKEYS", "SET", "a", "b") == b"*1\r\n$1\r\na\r\n"
        assert c.call("COMMAND", "GETKEYS", "set", "a", "b") == [b"a"]
        assert c.call("COMMAND", "GETKEYS", "MSET", "a", "1", "c", "2") == [b"a", b"c"]
        assert c.call("COMMAND", "GETKEYS", "DEL", "a", "b", "c") == [b"a", b"b", b"c"]
        assert c.call("COMMAND", "GETKEYS", "EXPIRE", "k", "10") == [b"k"]

    def test_getkeys_errors(self, c):
        assert c.call_raw("COMMAND", "GETKEYS", "foo", "bar") == \
            b"-ERR Invalid command specified\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "CLIENT", "FOO") == \
            b"-ERR Invalid command specified\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "PING", "x") == \
            b"-ERR The command has no key arguments\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "CLIENT", "ID") == \
            b"-ERR The command has no key arguments\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "SET", "a") == \
            b"-ERR Invalid number of arguments specified for command\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "GET", "a", "b") == \
            b"-ERR Invalid number of arguments specified for command\r\n"
        assert c.call_raw("COMMAND", "GETKEYS", "GET") == \
            b"-ERR wrong number of arguments for 'command|getkeys' command\r\n"

    def test_command_subcommand_errors(self, c):
        assert c.call_raw("COMMAND", "FOO") == \
            b"-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n"


# ---- unknown commands and arity ----------------------------------------------------------

class TestUnknownCommand:
    def test_unknown_command_text(self, c):
        assert c.call_raw("foo", "a", "b") == \
            b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
        assert c.call_raw("foo") == b"-ERR unknown command 'foo', with args beginning with: \r\n"
        assert c.call_raw("FOO", "x") == \
            b"-ERR unknown command 'FOO', with args beginning with: 'x' \r\n"

    def test_unknown_command_args_are_sanitised_and_capped(self, c):
        assert c.call_raw("foo", "a b", "c'd", "x\ny") == (
            b"-ERR unknown command 'foo', with args beginning with: 'a b' 'c'd' 'x y' \r\n")
        assert c.call_raw("foo", "a" * 200, "b") == (
            b"-ERR unknown command 'foo', with args beginning with: '" + b"a" * 128 +
            b"' \r\n")
        many = c.call_raw("foo", *[str(i) for i in range(40)])
        assert many == (b"-ERR unknown command 'foo', with args beginning with: " +
                        b"".join(b"'%d' " % i for i in range(28)) + b"\r\n")

    def test_wrong_arity(self, c):
        assert c.call_raw("GET") == b"-ERR wrong number of arguments for 'get' command\r\n"
        assert c.call_raw("GET", "a", "b") == \
            b"-ERR wrong number of arguments for 'get' command\r\n"
        assert c.call_raw("set", "a") == b"-ERR wrong number of arguments for 'set' command\r\n"

    def test_empty_command_name(self, c):
        assert c.call_raw("") == b"-ERR unknown command '', with args beginning with: \r\n"


# ---- SHUTDOWN and signals ---------------------------------------------------------------

class TestShutdown:
    def test_shutdown_nosave(self, start_server):
        s = start_server()
        c = Resp3(s.port)
        c.send("SHUTDOWN", "NOSAVE")
        with pytest.raises((ConnectionClosed, ConnectionResetError)):
            c.read()
        assert s.proc.wait(10) == 0

    def test_shutdown_errors(self, start_server):
        s = start_server()
        with Resp3(s.port) as c:
            assert c.call_raw("SHUTDOWN", "ABORT") == b"-ERR No shutdown in progress.\r\n"
            assert c.call_raw("SHUTDOWN", "FOO") == b"-ERR syntax error\r\n"
            assert c.call_raw("SHUTDOWN", "NOSAVE", "SAVE") == b"-ERR syntax error\r\n"
        assert s.alive()

    @pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
    def test_signal_exits_cleanly(self, start_server, sig):
        s = start_server()
        conns = [Resp3(s.port) for _ in range(3)]
        for conn in conns:
            conn.call("SET", "k", "v")
        s.proc.send_signal(sig)
        assert s.proc.wait(10) == 0
        assert all(conn.is_closed() for conn in conns)

    def test_shutdown_removes_pidfile(self, start_server, tmp_path):
        pidfile = str(tmp_path / "kvik.pid")
        s2 = start_server("--pidfile", pidfile)
        assert wait_until(lambda: os.path.exists(pidfile))
        with open(pidfile) as f:
            assert int(f.read().strip()) == s2.proc.pid
        s2.proc.send_signal(signal.SIGTERM)
        assert s2.proc.wait(10) == 0
        assert not os.path.exists(pidfile)


# ---- client-output-buffer-limit ---------------------------------------------------------

OBUF = "client-output-buffer-limit"
OBUF_ERR = "ERR CONFIG SET failed (possibly related to argument '%s') - " % OBUF


class TestOutputBufferLimits:
    def test_get_and_set(self, own):
        def get():
            return own.call("CONFIG", "GET", OBUF)[1].decode()

        assert get() == "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        # Only the classes named change; units as elsewhere; the last group of a class wins.
        assert own.call("CONFIG", "SET", OBUF, "NORMAL 1mb 2k 3 replica 1 2 3") == "OK"
        assert get() == "normal 1048576 2000 3 slave 1 2 3 pubsub 33554432 8388608 60"
        assert own.call("CONFIG", "SET", OBUF, "pubsub 1gb 1kb 5 pubsub 1 2 3") == "OK"
        assert get() == "normal 1048576 2000 3 slave 1 2 3 pubsub 1 2 3"
        assert own.call("CONFIG", "SET", OBUF, "slave 0 0 0") == "OK"
        assert own.call("CONFIG", "SET", OBUF, "") == "OK"
        assert get() == "normal 1048576 2000 3 slave 0 0 0 pubsub 1 2 3"
        # Seconds are read into an int, as Redis does: they wrap.
        assert own.call("CONFIG", "SET", OBUF, "normal 0 0 99999999999") == "OK"
        assert get() == "normal 0 0 1215752191 slave 0 0 0 pubsub 1 2 3"

    @pytest.mark.parametrize("value,reason", [
        ("normal 1mb 2mb", "Wrong number of arguments in buffer limit configuration."),
        ("normal  1mb 2mb 3", "Wrong number of arguments in buffer limit configuration."),
        ("master 1mb 2mb 3", "Invalid client class specified in buffer limit configuration."),
        ("nobody 1mb 2mb 3", "Invalid client class specified in buffer limit configuration."),
        ("normal 1mb x 3",
         "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ("normal -1 0 3",
         "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ("normal 1mb 2mb -1",
         "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ("normal 1mb 2mb 3abc",
         "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ("pubsub 1 2 3 normal 1 2",
         "Wrong number of arguments in buffer limit configuration."),
    ])
    def test_set_errors_change_nothing(self, own, value, reason):
        before = own.call("CONFIG", "GET", OBUF)
        assert own.call("CONFIG", "SET", OBUF, value) == Error(OBUF_ERR + reason)
        assert own.call("CONFIG", "GET", OBUF) == before

    def test_normal_class_closes_client_with_big_reply(self, own):
        own.call("SET", "big", "x" * (300 * 1024))
        own.call("SET", "small", "y")
        assert own.call("CONFIG", "SET", OBUF, "normal 256kb 0 0") == "OK"
        reader = Resp3(own.server.port)
        assert reader.call("GET", "small") == b"y"
        reader.send("GET", "big")
        with pytest.raises((ConnectionClosed, ConnectionResetError)):
            reader.read()  # closed without the reply
        reader.close()
        # Unlimited again (0 0 0): the same reply goes through.
        assert own.call("CONFIG", "SET", OBUF, "normal 0 0 0") == "OK"
        assert len(own.call("GET", "big")) == 300 * 1024
