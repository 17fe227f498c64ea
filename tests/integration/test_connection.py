"""Connection commands: PING ECHO QUIT RESET AUTH SELECT CLIENT *, and the timeout directive.

Replies are compared byte for byte (raw socket client in resp3.py, RESP2 unless noted).
Verified against redis-server 7.0.15. Redis 7.0 details worth knowing:
- `AUTH default <anything>` succeeds while the default user has no password (nopass),
  but one-argument `AUTH <pw>` errors.
- An unknown command gets "unknown command" even before authentication, not NOAUTH.
- RESET de-authenticates when a password is required.
- Old-form `CLIENT KILL addr` can kill the caller itself (+OK, then the close); the new
  form skips the caller unless SKIPME no.
- CLIENT LIST in 7.0.15 includes rbs/rbp (read buffer size/peak) after multi-mem.
- CLIENT SETINFO is Redis 7.2; 7.0 answers "unknown subcommand".
"""
import time

import pytest

from conftest import IS_REDIS
from helpers import parse_client_line
from resp3 import Error, Resp3

# CLIENT LIST / CLIENT INFO field order in Redis 7.0.15.
CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub",
                 "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs",
                 "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user", "redir",
                 "resp"]
# Redis 7.2 appends these (Kvik implements CLIENT SETINFO).
CLIENT_FIELDS_72 = ["lib-name", "lib-ver"]

WRONGPASS = Error("WRONGPASS invalid username-password pair or user is disabled.")
NOAUTH = Error("NOAUTH Authentication required.")


@pytest.fixture
def c(server):
    conn = Resp3(server.port)
    yield conn
    conn.close()


def client_fields(conn, sub="INFO"):
    return dict(parse_client_line(conn.call("CLIENT", sub)))


def local_addr(conn):
    host, port = conn.sock.getsockname()[:2]
    return "%s:%d" % (host, port)


class TestPingEcho:
    def test_ping(self, c):
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("PING", "hello world") == b"$11\r\nhello world\r\n"
        assert c.call_raw("PING", "") == b"$0\r\n\r\n"
        assert c.call_raw("ping") == b"+PONG\r\n"
        assert c.call_raw("PING", "a", "b") == \
            b"-ERR wrong number of arguments for 'ping' command\r\n"

    def test_echo(self, c):
        assert c.call_raw("ECHO", "hi") == b"$2\r\nhi\r\n"
        assert c.call_raw("ECHO", b"a\x00\r\nb") == b"$5\r\na\x00\r\nb\r\n"
        assert c.call_raw("ECHO") == b"-ERR wrong number of arguments for 'echo' command\r\n"
        assert c.call_raw("ECHO", "x", "y") == \
            b"-ERR wrong number of arguments for 'echo' command\r\n"


class TestQuit:
    def test_quit_replies_ok_then_closes(self, c):
        c.send("QUIT")
        c.send("PING")              # must not be answered
        assert c.read_raw() == b"+OK\r\n"
        assert c.is_closed()

    def test_quit_ignores_extra_arguments(self, c):
        assert c.call_raw("QUIT", "now") == b"+OK\r\n"
        assert c.is_closed()

    def test_quit_pipelined_after_commands(self, c):
        c.send_raw(b"PING\r\nSET qk v\r\nQUIT\r\n")
        assert c.read_raw() == b"+PONG\r\n"
        assert c.read_raw() == b"+OK\r\n"
        assert c.read_raw() == b"+OK\r\n"
        assert c.is_closed()


class TestReset:
    def test_reset_clears_state(self, c, server):
        c.call("SELECT", 5)
        c.call("CLIENT", "SETNAME", "someone")
        assert c.call_raw("RESET") == b"+RESET\r\n"
        f = client_fields(c)
        assert f["db"] == "0"
        assert f["name"] == ""
        assert f["flags"] == "N"
        assert f["resp"] == "2"
        assert c.call_raw("CLIENT", "GETNAME") == b"$-1\r\n"

    def test_reset_discards_multi(self, c):
        c.call("MULTI")
        assert c.call_raw("SET", "resetk", "1") == b"+QUEUED\r\n"
        assert c.call_raw("RESET") == b"+RESET\r\n"
        assert c.call_raw("EXEC") == b"-ERR EXEC without MULTI\r\n"
        assert c.call_raw("EXISTS", "resetk") == b":0\r\n"

    def test_reset_turns_reply_back_on(self, c):
        c.send("CLIENT", "REPLY", "OFF")
        c.send("RESET")
        # RESET's own reply is sent
        assert c.read_raw() == b"+RESET\r\n"
        assert c.call_raw("PING") == b"+PONG\r\n"

    def test_reset_deauthenticates(self, start_server):
        s = start_server("--requirepass", "pw")
        with Resp3(s.port) as c:
            assert c.call("AUTH", "pw") == "OK"
            assert c.call_raw("RESET") == b"+RESET\r\n"
            assert c.call("PING") == NOAUTH


class TestAuth:
    def test_auth_without_password_configured(self, c):
        assert c.call_raw("AUTH", "x") == (
            b"-ERR AUTH <password> called without any password configured for the default "
            b"user. Are you sure your configuration is correct?\r\n")

    def test_auth_default_user_nopass_accepts_anything(self, c):
        assert c.call_raw("AUTH", "default", "anything") == b"+OK\r\n"
        assert c.call("AUTH", "nosuchuser", "x") == WRONGPASS

    def test_auth_arity(self, c):
        assert c.call_raw("AUTH") == b"-ERR wrong number of arguments for 'auth' command\r\n"
        assert c.call_raw("AUTH", "a", "b", "c") == b"-ERR syntax error\r\n"

    def test_requirepass(self, start_server):
        s = start_server("--requirepass", "sekret")
        with Resp3(s.port) as c:
            assert c.call_raw("PING") == b"-NOAUTH Authentication required.\r\n"
            assert c.call("GET", "a") == NOAUTH
            assert c.call("SELECT", "1") == NOAUTH
            assert c.call("CLIENT", "ID") == NOAUTH
            # command lookup happens before the auth check
            assert c.call("nosuchcmd") == \
                Error("ERR unknown command 'nosuchcmd', with args beginning with: ")
            assert c.call_raw("AUTH", "wrong") == \
                b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
            assert c.call("AUTH", "default", "wrong") == WRONGPASS
            assert c.call("AUTH", "nosuchuser", "sekret") == WRONGPASS
            assert c.call("PING") == NOAUTH
            assert c.call_raw("AUTH", "sekret") == b"+OK\r\n"
            assert c.call_raw("PING") == b"+PONG\r\n"
        with Resp3(s.port) as c:
            assert c.call_raw("AUTH", "default", "sekret") == b"+OK\r\n"
            assert c.call_raw("PING") == b"+PONG\r\n"
            # a later wrong AUTH does not log the connection out
            assert c.call("AUTH", "bad") == WRONGPASS
            assert c.call_raw("PING") == b"+PONG\r\n"
        with Resp3(s.port) as c:
            # QUIT and AUTH/HELLO work unauthenticated
            assert c.call_raw("QUIT") == b"+OK\r\n"

    def test_requirepass_via_redis_py(self, start_server):
        import redis
        s = start_server("--requirepass", "sekret")
        assert s.client(password="sekret").ping() is True
        with pytest.raises(redis.ResponseError, match="^WRONGPASS invalid username-password"):
            s.client(password="nope").ping()

    def test_config_set_requirepass_applies_to_new_connections(self, start_server):
        s = start_server()
        with Resp3(s.port) as admin:
            assert admin.call("CONFIG", "SET", "requirepass", "later") == "OK"
            # the existing connection stays authenticated
            assert admin.call("PING") == "PONG"
            with Resp3(s.port) as c:
                assert c.call("PING") == NOAUTH
                assert c.call("AUTH", "later") == "OK"


class TestSelect:
    def test_select(self, c):
        assert c.call_raw("SELECT", "15") == b"+OK\r\n"
        assert client_fields(c)["db"] == "15"
        assert c.call_raw("SELECT", "16") == b"-ERR DB index is out of range\r\n"
        assert c.call_raw("SELECT", "-1") == b"-ERR DB index is out of range\r\n"
        assert c.call_raw("SELECT", "abc") == b"-ERR value is not an integer or out of range\r\n"
        assert c.call_raw("SELECT") == b"-ERR wrong number of arguments for 'select' command\r\n"
        assert client_fields(c)["db"] == "15"

    def test_databases_are_separate(self, c):
        c.call("SELECT", 3)
        c.call("SET", "dbk", "three")
        c.call("SELECT", 4)
        assert c.call_raw("GET", "dbk") == b"$-1\r\n"
        c.call("SELECT", 3)
        assert c.call_raw("GET", "dbk") == b"$5\r\nthree\r\n"
        c.call("DEL", "dbk")

    def test_databases_directive(self, start_server):
        s = start_server("--databases", "4")
        with Resp3(s.port) as c:
            assert c.call("SELECT", 3) == "OK"
            assert c.call("SELECT", 4) == Error("ERR DB index is out of range")


class TestClientIdName:
    def test_client_id(self, c, server):
        cid = c.call("CLIENT", "ID")
        assert isinstance(cid, int) and cid > 0
        assert c.call_raw("CLIENT", "ID") == b":%d\r\n" % cid
        with Resp3(server.port) as other:
            assert other.call("CLIENT", "ID") > cid
        assert c.call_raw("CLIENT", "ID", "x") == \
            b"-ERR wrong number of arguments for 'client|id' command\r\n"

    def test_setname_getname(self, c):
        assert c.call_raw("CLIENT", "GETNAME") == b"$-1\r\n"
        assert c.call_raw("CLIENT", "SETNAME", "worker-1") == b"+OK\r\n"
        assert c.call_raw("CLIENT", "GETNAME") == b"$8\r\nworker-1\r\n"
        assert client_fields(c)["name"] == "worker-1"
        # empty name clears it
        assert c.call_raw("CLIENT", "SETNAME", "") == b"+OK\r\n"
        assert c.call_raw("CLIENT", "GETNAME") == b"$-1\r\n"

    @pytest.mark.parametrize("bad", ["a b", "a\nb", "tab\there", "\x01", "\x7f"])
    def test_setname_rejects_spaces_and_special(self, c, bad):
        assert c.call_raw("CLIENT", "SETNAME", bad) == (
            b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n")

    def test_setname_arity(self, c):
        assert c.call_raw("CLIENT", "SETNAME") == \
            b"-ERR wrong number of arguments for 'client|setname' command\r\n"

    def test_client_errors(self, c):
        assert c.call_raw("CLIENT") == b"-ERR wrong number of arguments for 'client' command\r\n"
        assert c.call_raw("CLIENT", "FOO") == \
            b"-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"


class TestClientListInfo:
    def test_field_names_and_order(self, c):
        names = [k for k, _ in parse_client_line(c.call("CLIENT", "INFO"))]
        if IS_REDIS:
            assert names == CLIENT_FIELDS
        else:
            assert names in (CLIENT_FIELDS, CLIENT_FIELDS + CLIENT_FIELDS_72)

    def test_values(self, c, server):
        c.call("SELECT", 2)
        c.call("CLIENT", "SETNAME", "lister")
        cid = c.call("CLIENT", "ID")
        f = client_fields(c)
        assert f["id"] == str(cid)
        assert f["addr"] == local_addr(c)
        assert f["laddr"] == "127.0.0.1:%d" % server.port
        assert int(f["fd"]) > 0
        assert f["name"] == "lister"
        assert int(f["age"]) >= 0 and int(f["idle"]) >= 0
        assert f["flags"] == "N"
        assert f["db"] == "2"
        assert (f["sub"], f["psub"], f["ssub"], f["multi"]) == ("0", "0", "0", "-1")
        assert f["cmd"] == "client|info"
        assert f["user"] == "default"
        assert f["redir"] == "-1"
        assert f["resp"] == "2"
        for k in ("qbuf", "qbuf-free", "argv-mem", "multi-mem", "obl", "oll", "omem",
                  "tot-mem"):
            assert f[k].isdigit(), k
        assert f["events"] == "r"

    def test_info_line_format(self, c):
        line = c.call("CLIENT", "INFO")
        assert line.endswith(b"\n") and line.count(b"\n") == 1
        assert line.startswith(b"id=")

    def test_list_contains_all_clients(self, c, server):
        others = [Resp3(server.port) for _ in range(3)]
        try:
            ids = [o.call("CLIENT", "ID") for o in others]
            others[0].call("CLIENT", "SETNAME", "other0")
            text = c.call("CLIENT", "LIST").decode()
            assert text.endswith("\n")
            lines = text.split("\n")[:-1]
            parsed = {int(dict(parse_client_line(l))["id"]): dict(parse_client_line(l))
                      for l in lines}
            for i in ids:
                assert i in parsed
            assert parsed[ids[0]]["name"] == "other0"
            assert parsed[ids[1]]["cmd"] == "client|id"
            mine = parsed[c.call("CLIENT", "ID")]
            assert mine["cmd"] == "client|list"
            names = [k for k, _ in parse_client_line(lines[0])]
            if IS_REDIS:
                assert names == CLIENT_FIELDS
        finally:
            for o in others:
                o.close()

    def test_list_filters(self, c, server):
        cid = c.call("CLIENT", "ID")
        with Resp3(server.port) as other:
            oid = other.call("CLIENT", "ID")
            lines = c.call("CLIENT", "LIST", "ID", oid, cid).decode().split("\n")[:-1]
            assert sorted(int(dict(parse_client_line(l))["id"]) for l in lines) == \
                sorted([cid, oid])
        assert c.call_raw("CLIENT", "LIST", "ID", "999999999") == b"$0\r\n\r\n"
        assert c.call("CLIENT", "LIST", "ID", "abc") == Error("ERR Invalid client ID")
        normal = c.call("CLIENT", "LIST", "TYPE", "normal").decode()
        assert "id=%d " % cid in normal
        assert c.call("CLIENT", "LIST", "TYPE", "pubsub") == b""
        assert c.call("CLIENT", "LIST", "TYPE", "foo") == Error("ERR Unknown client type 'foo'")
        assert c.call("CLIENT", "LIST", "FOO") == Error("ERR syntax error")

    def test_multi_field(self, c, server):
        cid = c.call("CLIENT", "ID")
        c.call("MULTI")
        c.call("PING")
        c.call("PING")
        with Resp3(server.port) as other:
            lines = other.call("CLIENT", "LIST", "ID", cid).decode().split("\n")[:-1]
            assert len(lines) == 1
            f = dict(parse_client_line(lines[0]))
            assert f["multi"] == "2"
            assert f["flags"] == "x"
        c.call("DISCARD")


class TestClientKill:
    def test_kill_by_id(self, c, server):
        victim = Resp3(server.port)
        vid = victim.call("CLIENT", "ID")
        assert c.call_raw("CLIENT", "KILL", "ID", vid) == b":1\r\n"
        assert victim.is_closed()
        assert c.call_raw("CLIENT", "KILL", "ID", vid) == b":0\r\n"
        assert c.call_raw("CLIENT", "KILL", "ID", "abc") == \
            b"-ERR client-id should be greater than 0\r\n"

    def test_kill_by_addr(self, c, server):
        victim = Resp3(server.port)
        addr = local_addr(victim)
        assert c.call_raw("CLIENT", "KILL", "ADDR", addr) == b":1\r\n"
        assert victim.is_closed()
        assert c.call_raw("CLIENT", "KILL", "ADDR", "1.2.3.4:5") == b":0\r\n"

    def test_kill_old_form(self, c, server):
        victim = Resp3(server.port)
        assert c.call_raw("CLIENT", "KILL", local_addr(victim)) == b"+OK\r\n"
        assert victim.is_closed()
        assert c.call_raw("CLIENT", "KILL", "1.2.3.4:5") == b"-ERR No such client\r\n"
        # with two arguments it is always the old form: "ID" is taken as an address
        assert c.call_raw("CLIENT", "KILL", "ID") == b"-ERR No such client\r\n"

    def test_kill_old_form_can_kill_self(self, c):
        c.send("CLIENT", "KILL", local_addr(c))
        assert c.read_raw() == b"+OK\r\n"
        assert c.is_closed()

    def test_skipme(self, c):
        cid = c.call("CLIENT", "ID")
        assert c.call_raw("CLIENT", "KILL", "ID", cid) == b":0\r\n"        # SKIPME yes
        assert c.call_raw("CLIENT", "KILL", "ADDR", local_addr(c)) == b":0\r\n"
        assert c.call_raw("CLIENT", "KILL", "ID", cid, "SKIPME", "yes") == b":0\r\n"
        assert c.call_raw("CLIENT", "KILL", "ID", cid, "SKIPME", "maybe") == \
            b"-ERR syntax error\r\n"
        assert c.call_raw("CLIENT", "KILL", "ID", cid, "SKIPME") == b"-ERR syntax error\r\n"
        c.send("CLIENT", "KILL", "ID", cid, "SKIPME", "no")
        assert c.read_raw() == b":1\r\n"
        assert c.is_closed()

    def test_kill_filters_combine(self, c, server):
        victim = Resp3(server.port)
        vid = victim.call("CLIENT", "ID")
        # ID matches but ADDR does not: nobody killed
        assert c.call_raw("CLIENT", "KILL", "ID", vid, "ADDR", "1.2.3.4:5") == b":0\r\n"
        assert c.call_raw("CLIENT", "KILL", "ID", vid, "ADDR", local_addr(victim)) == b":1\r\n"
        assert victim.is_closed()

    def test_kill_by_type_and_errors(self, c, start_server):
        s = start_server()
        with Resp3(s.port) as me:
            others = [Resp3(s.port) for _ in range(3)]
            for o in others:
                o.call("PING")
            assert me.call_raw("CLIENT", "KILL", "TYPE", "normal") == b":3\r\n"
            assert all(o.is_closed() for o in others)
            assert me.call_raw("CLIENT", "KILL", "TYPE", "foo") == \
                b"-ERR Unknown client type 'foo'\r\n"
            assert me.call_raw("CLIENT", "KILL", "FOO", "bar") == b"-ERR syntax error\r\n"
            assert me.call_raw("CLIENT", "KILL", "USER", "default") == b":0\r\n"
            assert me.call_raw("CLIENT", "KILL", "LADDR", "127.0.0.1:%d" % s.port) == b":0\r\n"


class TestClientMisc:
    def test_setinfo(self, c):
        reply = c.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")
        if IS_REDIS:
            # CLIENT SETINFO arrived in Redis 7.2
            assert reply == Error("ERR unknown subcommand 'SETINFO'. Try CLIENT HELP.")
            return
        assert reply == "OK"
        assert c.call("CLIENT", "SETINFO", "lib-ver", "1.2.3") == "OK"
        f = client_fields(c)
        assert f["lib-name"] == "mylib" and f["lib-ver"] == "1.2.3"
        names = [k for k, _ in parse_client_line(c.call("CLIENT", "INFO"))]
        assert names == CLIENT_FIELDS + CLIENT_FIELDS_72
        # not cleared by RESET (documented 7.2 behaviour)
        c.call("RESET")
        assert client_fields(c)["lib-name"] == "mylib"

    def test_no_evict(self, c):
        assert c.call_raw("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
        assert client_fields(c)["flags"] == "e"
        assert c.call_raw("CLIENT", "NO-EVICT", "off") == b"+OK\r\n"
        assert client_fields(c)["flags"] == "N"
        assert c.call_raw("CLIENT", "NO-EVICT", "maybe") == b"-ERR syntax error\r\n"

    def test_reply_off_on(self, c):
        c.send("CLIENT", "REPLY", "OFF")
        c.send("SET", "rk", "1")
        c.send("GET", "rk")
        c.send("NOSUCHCOMMAND")          # errors are suppressed too
        c.send("CLIENT", "REPLY", "ON")
        assert c.read_raw() == b"+OK\r\n"
        assert c.call_raw("GET", "rk") == b"$1\r\n1\r\n"
        c.call("DEL", "rk")

    def test_reply_skip(self, c):
        c.send("CLIENT", "REPLY", "SKIP")
        c.send("PING", "one")
        c.send("PING", "two")
        assert c.read_raw() == b"$3\r\ntwo\r\n"

    def test_reply_errors(self, c):
        assert c.call_raw("CLIENT", "REPLY", "maybe") == b"-ERR syntax error\r\n"
        assert c.call_raw("CLIENT", "REPLY", "ON", "x") == \
            b"-ERR wrong number of arguments for 'client|reply' command\r\n"
        assert c.call_raw("CLIENT", "REPLY", "ON") == b"+OK\r\n"


class TestTimeout:
    def test_idle_client_closed(self, start_server):
        s = start_server("--timeout", "1")
        c = Resp3(s.port)
        busy = Resp3(s.port)
        assert c.call("PING") == "PONG"
        t0 = time.time()
        # keep one client busy: it must survive
        closed = False
        while time.time() - t0 < 5:
            busy.call("PING")
            if c.is_closed(timeout=0.2):
                closed = True
                break
        elapsed = time.time() - t0
        assert closed, "idle client not closed within 5 s with timeout 1"
        assert elapsed >= 0.9
        assert busy.call("PING") == "PONG"
        c.close()
        busy.close()

    def test_timeout_zero_keeps_clients(self, c):
        assert c.call("CONFIG", "GET", "timeout") == [b"timeout", b"0"]
