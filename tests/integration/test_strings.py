"""String commands: replies, errors and encodings exactly as Redis 7.0 gives them."""
import time

import pytest

from util import NOT_FLOAT, NOT_INT, SYNTAX, WRONGTYPE, Err, Raw, arity, bad_expire, make_list

LLONG_MAX = 2 ** 63 - 1
LLONG_MIN = -2 ** 63


# ---------------------------------------------------------------- SET / GET

def test_set_get_basic(c):
    assert c("SET", "k", "v") == "OK"
    assert c("GET", "k") == b"v"
    assert c("SET", "k", "w") == "OK"
    assert c("GET", "k") == b"w"
    assert c("GET", "missing") is None


def test_set_command_name_case_insensitive(c):
    assert c("set", "k", "v") == "OK"
    assert c("sEt", "k", "v2") == "OK"
    assert c("get", "k") == b"v2"


def test_set_empty_string_value(c):
    assert c("SET", "k", "") == "OK"
    assert c("GET", "k") == b""
    assert c("STRLEN", "k") == 0
    assert c("EXISTS", "k") == 1


def test_binary_safe_all_byte_values(c, r):
    value = bytes(range(256))
    assert c("SET", value, value) == "OK"
    assert c("GET", value) == value
    assert r.get(value) == value
    assert c("STRLEN", value) == 256
    crlf = b"a\r\nb\r\n\x00\r\n"
    assert c("SET", "crlf", crlf) == "OK"
    assert c("GET", "crlf") == crlf
    assert c("APPEND", "crlf", b"\x00\xff") == len(crlf) + 2
    assert c("GET", "crlf") == crlf + b"\x00\xff"


def test_empty_key_name(c):
    assert c("SET", "", "empty") == "OK"
    assert c("GET", "") == b"empty"
    assert c("EXISTS", "") == 1


def test_large_value_roundtrip(c):
    value = bytes(i % 251 for i in range(1 << 20))
    assert c("SET", "big", value) == "OK"
    assert c("GET", "big") == value
    assert c("STRLEN", "big") == 1 << 20


def test_set_ex_sets_ttl(c):
    assert c("SET", "k", "v", "EX", 100) == "OK"
    assert 99 <= c("TTL", "k") <= 100
    assert 99000 <= c("PTTL", "k") <= 100000


def test_set_px_sets_ttl(c):
    assert c("SET", "k", "v", "PX", 100000) == "OK"
    assert 99000 <= c("PTTL", "k") <= 100000


def test_set_exat_pxat(c):
    at = int(time.time()) + 100
    assert c("SET", "k", "v", "EXAT", at) == "OK"
    assert c("EXPIRETIME", "k") == at
    pat = int(time.time() * 1000) + 100000
    assert c("SET", "k2", "v", "PXAT", pat) == "OK"
    assert c("PEXPIRETIME", "k2") == pat


def test_set_options_case_insensitive(c):
    assert c("SET", "k", "v", "ex", 100) == "OK"
    assert c("TTL", "k") > 0
    assert c("SET", "k", "v", "nx") is None
    assert c("SET", "k", "w", "xx", "keepttl") == "OK"
    assert c("TTL", "k") > 0
    assert c("SET", "k", "x", "get") == b"w"


def test_set_exat_in_past_reply_ok_key_gone(c):
    assert c("SET", "k", "v", "EXAT", 1) == "OK"
    assert c("GET", "k") is None
    assert c("EXISTS", "k") == 0
    assert c("SET", "k", "v", "PXAT", 1) == "OK"
    assert c("GET", "k") is None


def test_set_clears_previous_ttl(c):
    c("SET", "k", "v", "EX", 100)
    assert c("SET", "k", "v2") == "OK"
    assert c("TTL", "k") == -1


def test_set_keepttl(c):
    c("SET", "k", "v", "EX", 100)
    assert c("SET", "k", "v2", "KEEPTTL") == "OK"
    assert 99 <= c("TTL", "k") <= 100
    assert c("GET", "k") == b"v2"
    # KEEPTTL on a key without TTL keeps "no TTL"
    c("SET", "p", "v")
    assert c("SET", "p", "v2", "KEEPTTL") == "OK"
    assert c("TTL", "p") == -1


def test_set_nx(c):
    assert c("SET", "k", "v", "NX") == "OK"
    assert c("SET", "k", "w", "NX") is None
    assert c("GET", "k") == b"v"


def test_set_xx(c):
    assert c("SET", "k", "v", "XX") is None
    assert c("EXISTS", "k") == 0
    c("SET", "k", "v")
    assert c("SET", "k", "w", "XX") == "OK"
    assert c("GET", "k") == b"w"


def test_set_nx_ex_combination(c):
    assert c("SET", "k", "v", "NX", "EX", 50) == "OK"
    assert 0 < c("TTL", "k") <= 50
    assert c("SET", "k", "v", "EX", 50, "NX") is None


def test_set_xx_px_combination(c):
    c("SET", "k", "v")
    assert c("SET", "k", "w", "XX", "PX", 50000) == "OK"
    assert 0 < c("PTTL", "k") <= 50000


def test_set_get_option(c):
    assert c("SET", "k", "v", "GET") is None
    assert c("GET", "k") == b"v"
    assert c("SET", "k", "w", "GET") == b"v"
    assert c("GET", "k") == b"w"
    assert c("SET", "k", "x", "GET", "EX", 100) == b"w"
    assert c("TTL", "k") > 0


def test_set_get_with_nx(c):
    # Redis 7.0 accepts NX together with GET.
    assert c("SET", "k", "v", "NX", "GET") is None
    assert c("GET", "k") == b"v"
    assert c("SET", "k", "w", "NX", "GET") == b"v"
    assert c("GET", "k") == b"v"


def test_set_get_with_xx(c):
    assert c("SET", "k", "v", "XX", "GET") is None
    assert c("EXISTS", "k") == 0
    c("SET", "k", "v")
    assert c("SET", "k", "w", "XX", "GET") == b"v"
    assert c("GET", "k") == b"w"


def test_set_get_on_wrong_type(c, r):
    make_list(r, "l")
    assert c("SET", "l", "v", "GET") == WRONGTYPE
    assert c("TYPE", "l") == "list"


def test_get_wrong_type(c, r):
    make_list(r, "l")
    assert c("GET", "l") == WRONGTYPE


def test_set_overwrites_other_type(c, r):
    make_list(r, "l")
    assert c("SET", "l", "v") == "OK"
    assert c("TYPE", "l") == "string"
    assert c("GET", "l") == b"v"


@pytest.mark.parametrize("args", [
    ("NX", "XX"),
    ("XX", "NX"),
    ("EX", 10, "PX", 10000),
    ("EX", 10, "EXAT", 99999999999),
    ("PX", 10, "PXAT", 99999999999),
    ("EXAT", 9999999999, "PXAT", 9999999999999),
    ("EX", 10, "KEEPTTL"),
    ("KEEPTTL", "PX", 100),
    ("FOO",),
    ("EX",),
    ("PX",),
    ("EXAT",),
    ("PXAT",),
    ("NX", "EX"),
    ("10",),
])
def test_set_syntax_errors(c, args):
    assert c("SET", "k", "v", *args) == SYNTAX
    assert c("EXISTS", "k") == 0


def test_set_repeated_option_is_accepted(c):
    # Repeating the same option is not a conflict; the last expire value wins.
    assert c("SET", "k", "v", "EX", 10, "EX", 20) == "OK"
    assert 19 <= c("TTL", "k") <= 20
    assert c("SET", "k", "v", "PX", 100, "PX", 50000) == "OK"
    assert 49000 <= c("PTTL", "k") <= 50000
    assert c("SET", "k", "v", "NX", "NX") is None
    assert c("SET", "k", "v2", "GET", "GET") == b"v"
    assert c("SET", "k", "v3", "KEEPTTL", "KEEPTTL") == "OK"
    assert c("GET", "k") == b"v3"


@pytest.mark.parametrize("args", [
    ("EX", 0), ("EX", -1), ("PX", 0), ("PX", -100), ("EXAT", 0), ("PXAT", 0),
    ("EXAT", -5), ("PXAT", -5),
    ("EX", LLONG_MAX), ("EX", LLONG_MAX // 1000 + 1), ("PX", LLONG_MAX),
    ("EXAT", LLONG_MAX),
])
def test_set_invalid_expire(c, args):
    assert c("SET", "k", "v", *args) == bad_expire("set")
    assert c("EXISTS", "k") == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "", " 10", "10 ", "1e3", "99999999999999999999"])
def test_set_expire_not_integer(c, value):
    assert c("SET", "k", "v", "EX", value) == NOT_INT
    assert c("SET", "k", "v", "PX", value) == NOT_INT
    assert c("EXISTS", "k") == 0


def test_set_error_does_not_modify(c):
    c("SET", "k", "old")
    assert c("SET", "k", "new", "EX", 0) == bad_expire("set")
    assert c("SET", "k", "new", "NX", "XX") == SYNTAX
    assert c("GET", "k") == b"old"


@pytest.mark.parametrize("cmd,args", [
    ("GET", ()), ("GET", ("a", "b")), ("SET", ("k",)), ("SET", ()), ("GETSET", ("k",)),
    ("GETDEL", ()), ("GETEX", ()), ("SETNX", ("k",)), ("SETEX", ("k", 10)),
    ("PSETEX", ("k", 10)), ("MGET", ()), ("MSET", ()), ("MSET", ("k",)),
    ("MSET", ("a", 1, "b")), ("MSETNX", ("k",)), ("MSETNX", ("a", 1, "b")),
    ("APPEND", ("k",)), ("STRLEN", ()), ("INCR", ()), ("INCR", ("a", "b")),
    ("DECR", ()), ("INCRBY", ("k",)), ("DECRBY", ("k",)), ("INCRBYFLOAT", ("k",)),
    ("GETRANGE", ("k", 0)), ("SUBSTR", ("k", 0)), ("SETRANGE", ("k", 0)), ("LCS", ("a",)),
])
def test_wrong_number_of_arguments(c, cmd, args):
    assert c(cmd, *args) == arity(cmd.lower())


def test_wrong_arity_name_is_lowercase(c):
    assert c("GeT") == arity("get")


# ---------------------------------------------------------------- GETSET / GETDEL / GETEX

def test_getset(c, r):
    assert c("GETSET", "k", "v") is None
    assert c("GET", "k") == b"v"
    assert c("GETSET", "k", "w") == b"v"
    assert c("GET", "k") == b"w"
    make_list(r, "l")
    assert c("GETSET", "l", "v") == WRONGTYPE


def test_getset_clears_ttl(c):
    c("SET", "k", "v", "EX", 100)
    assert c("GETSET", "k", "w") == b"v"
    assert c("TTL", "k") == -1


def test_getdel(c, r):
    assert c("GETDEL", "k") is None
    c("SET", "k", "v")
    assert c("GETDEL", "k") == b"v"
    assert c("EXISTS", "k") == 0
    make_list(r, "l")
    assert c("GETDEL", "l") == WRONGTYPE
    assert c("EXISTS", "l") == 1


def test_getex_without_options(c):
    assert c("GETEX", "missing") is None
    c("SET", "k", "v", "EX", 100)
    assert c("GETEX", "k") == b"v"
    assert c("TTL", "k") > 0


def test_getex_ex_px(c):
    c("SET", "k", "v")
    assert c("GETEX", "k", "EX", 100) == b"v"
    assert 99 <= c("TTL", "k") <= 100
    assert c("GETEX", "k", "PX", 50000) == b"v"
    assert 49000 <= c("PTTL", "k") <= 50000


def test_getex_exat_pxat(c):
    c("SET", "k", "v")
    at = int(time.time()) + 200
    assert c("GETEX", "k", "EXAT", at) == b"v"
    assert c("EXPIRETIME", "k") == at
    pat = int(time.time() * 1000) + 200000
    assert c("GETEX", "k", "PXAT", pat) == b"v"
    assert c("PEXPIRETIME", "k") == pat


def test_getex_persist(c):
    c("SET", "k", "v", "EX", 100)
    assert c("GETEX", "k", "PERSIST") == b"v"
    assert c("TTL", "k") == -1
    assert c("GETEX", "k", "persist") == b"v"
    assert c("TTL", "k") == -1


def test_getex_exat_in_past_deletes_but_returns_value(c):
    c("SET", "k", "v")
    assert c("GETEX", "k", "EXAT", 1) == b"v"
    assert c("EXISTS", "k") == 0
    c("SET", "k", "w")
    assert c("GETEX", "k", "PXAT", 1) == b"w"
    assert c("GET", "k") is None


def test_getex_missing_key_with_options(c):
    assert c("GETEX", "missing", "EX", 10) is None
    assert c("EXISTS", "missing") == 0


@pytest.mark.parametrize("args", [
    ("PERSIST", "EX", 10), ("EX", 10, "PERSIST"), ("EX", 10, "PX", 10), ("FOO",),
    ("EX",), ("KEEPTTL",), ("NX",), ("GET",),
])
def test_getex_syntax_errors(c, args):
    c("SET", "k", "v")
    assert c("GETEX", "k", *args) == SYNTAX


@pytest.mark.parametrize("args", [
    ("EX", 0), ("PX", -1), ("EXAT", 0), ("PXAT", -1), ("EX", LLONG_MAX),
])
def test_getex_invalid_expire(c, args):
    c("SET", "k", "v")
    assert c("GETEX", "k", *args) == bad_expire("getex")
    assert c("TTL", "k") == -1


def test_getex_repeated_persist_is_accepted(c):
    c("SET", "k", "v", "EX", 100)
    assert c("GETEX", "k", "PERSIST", "PERSIST") == b"v"
    assert c("TTL", "k") == -1


def test_getex_not_integer(c):
    c("SET", "k", "v")
    assert c("GETEX", "k", "EX", "ten") == NOT_INT


def test_getex_wrong_type(c, r):
    make_list(r, "l")
    assert c("GETEX", "l") == WRONGTYPE
    assert c("GETEX", "l", "EX", 10) == WRONGTYPE


# ---------------------------------------------------------------- SETNX / SETEX / PSETEX

def test_setnx(c, r):
    assert c("SETNX", "k", "v") == 1
    assert c("SETNX", "k", "w") == 0
    assert c("GET", "k") == b"v"
    make_list(r, "l")
    assert c("SETNX", "l", "v") == 0


def test_setex(c):
    assert c("SETEX", "k", 100, "v") == "OK"
    assert c("GET", "k") == b"v"
    assert 99 <= c("TTL", "k") <= 100


def test_psetex(c):
    assert c("PSETEX", "k", 100000, "v") == "OK"
    assert c("GET", "k") == b"v"
    assert 99000 <= c("PTTL", "k") <= 100000


@pytest.mark.parametrize("ttl", [0, -1, LLONG_MAX])
def test_setex_invalid_expire(c, ttl):
    assert c("SETEX", "k", ttl, "v") == bad_expire("setex")
    assert c("EXISTS", "k") == 0


@pytest.mark.parametrize("ttl", [0, -1, LLONG_MAX])
def test_psetex_invalid_expire(c, ttl):
    assert c("PSETEX", "k", ttl, "v") == bad_expire("psetex")
    assert c("EXISTS", "k") == 0


def test_setex_not_integer(c):
    assert c("SETEX", "k", "abc", "v") == NOT_INT
    assert c("PSETEX", "k", "1.5", "v") == NOT_INT


# ---------------------------------------------------------------- MGET / MSET / MSETNX

def test_mget(c):
    c("SET", "a", "1")
    c("SET", "b", "2")
    assert c("MGET", "a", "missing", "b", "a") == [b"1", None, b"2", b"1"]
    assert c("MGET", "missing") == [None]


def test_mget_wrong_type_is_nil(c, r):
    c("SET", "a", "1")
    make_list(r, "l")
    assert c("MGET", "a", "l") == [b"1", None]


def test_mset(c):
    c("SET", "a", "old", "EX", 100)
    assert c("MSET", "a", "1", "b", "2") == "OK"
    assert c("MGET", "a", "b") == [b"1", b"2"]
    assert c("TTL", "a") == -1


def test_mset_duplicate_key_last_wins(c):
    assert c("MSET", "a", "1", "a", "2") == "OK"
    assert c("GET", "a") == b"2"


def test_msetnx(c):
    assert c("MSETNX", "a", "1", "b", "2") == 1
    assert c("MSETNX", "b", "x", "c", "3") == 0
    assert c("MGET", "a", "b", "c") == [b"1", b"2", None]


def test_msetnx_considers_any_type(c, r):
    make_list(r, "l")
    assert c("MSETNX", "l", "1", "z", "2") == 0
    assert c("EXISTS", "z") == 0


# ---------------------------------------------------------------- APPEND / STRLEN

def test_append(c):
    assert c("APPEND", "k", "hello") == 5
    assert c("APPEND", "k", " world") == 11
    assert c("GET", "k") == b"hello world"
    assert c("APPEND", "k", "") == 11


def test_append_empty_to_missing_creates_key(c):
    assert c("APPEND", "k", "") == 0
    assert c("EXISTS", "k") == 1
    assert c("GET", "k") == b""


def test_append_to_integer(c):
    c("SET", "k", "12")
    assert c("APPEND", "k", "34") == 4
    assert c("GET", "k") == b"1234"
    assert c("INCR", "k") == 1235


def test_append_keeps_ttl(c):
    c("SET", "k", "v", "EX", 100)
    c("APPEND", "k", "w")
    assert c("TTL", "k") > 0


def test_strlen(c, r):
    assert c("STRLEN", "missing") == 0
    c("SET", "k", "hello")
    assert c("STRLEN", "k") == 5
    c("SET", "n", "-12345")
    assert c("STRLEN", "n") == 6
    make_list(r, "l")
    assert c("STRLEN", "l") == WRONGTYPE
    assert c("APPEND", "l", "x") == WRONGTYPE


# ---------------------------------------------------------------- INCR family

def test_incr_decr(c):
    assert c("INCR", "n") == 1
    assert c("INCR", "n") == 2
    assert c("DECR", "n") == 1
    assert c("DECR", "m") == -1
    assert c("INCRBY", "n", 10) == 11
    assert c("DECRBY", "n", 20) == -9
    assert c("INCRBY", "n", -1) == -10
    assert c("DECRBY", "n", -10) == 0
    assert c("GET", "n") == b"0"


def test_incr_keeps_ttl(c):
    c("SET", "n", "5", "EX", 100)
    assert c("INCR", "n") == 6
    assert c("TTL", "n") > 0


def test_incr_on_spaced_numbers(c):
    c("SET", "n", " 1")
    assert c("INCR", "n") == NOT_INT
    c("SET", "n", "1 ")
    assert c("INCR", "n") == NOT_INT


@pytest.mark.parametrize("value", [
    "abc", "1.5", "", "+1", "01", "-0", "0x10", "1e3", "9223372036854775808",
    "-9223372036854775809", "123456789012345678901",
])
def test_incr_not_integer(c, value):
    c("SET", "n", value)
    assert c("INCR", "n") == NOT_INT
    assert c("DECR", "n") == NOT_INT
    assert c("INCRBY", "n", 1) == NOT_INT
    assert c("GET", "n") == value.encode()


def test_incrby_argument_not_integer(c):
    assert c("INCRBY", "n", "abc") == NOT_INT
    assert c("INCRBY", "n", "1.0") == NOT_INT
    assert c("DECRBY", "n", "") == NOT_INT
    assert c("INCRBY", "n", "9223372036854775808") == NOT_INT
    assert c("EXISTS", "n") == 0


def test_incr_limits(c):
    c("SET", "n", str(LLONG_MAX - 1))
    assert c("INCR", "n") == LLONG_MAX
    assert c("INCR", "n") == Err("ERR increment or decrement would overflow")
    assert c("GET", "n") == str(LLONG_MAX).encode()
    c("SET", "m", str(LLONG_MIN + 1))
    assert c("DECR", "m") == LLONG_MIN
    assert c("DECR", "m") == Err("ERR increment or decrement would overflow")
    assert c("INCRBY", "m", -1) == Err("ERR increment or decrement would overflow")
    assert c("INCRBY", "m", LLONG_MAX) == -1


def test_incrby_overflow(c):
    c("SET", "n", "1")
    assert c("INCRBY", "n", LLONG_MAX) == Err("ERR increment or decrement would overflow")
    c("SET", "n", "-2")
    assert c("DECRBY", "n", LLONG_MAX) == Err("ERR increment or decrement would overflow")
    assert c("GET", "n") == b"-2"


def test_decrby_llong_min(c):
    c("SET", "n", "0")
    assert c("DECRBY", "n", str(LLONG_MIN)) == Err("ERR decrement would overflow")
    assert c("INCRBY", "n", str(LLONG_MIN)) == LLONG_MIN


def test_incr_wrong_type(c, r):
    make_list(r, "l")
    for cmd in (("INCR", "l"), ("DECR", "l"), ("INCRBY", "l", 2), ("DECRBY", "l", 2),
                ("INCRBYFLOAT", "l", 1.5)):
        assert c(*cmd) == WRONGTYPE


def test_incr_result_is_int_encoded(c):
    c("INCR", "n")
    assert c("OBJECT", "ENCODING", "n") == b"int"
    c("INCRBY", "n", 123456789012)
    assert c("OBJECT", "ENCODING", "n") == b"int"


# ---------------------------------------------------------------- INCRBYFLOAT

@pytest.mark.parametrize("start,incr,expected", [
    (None, "1.5", b"1.5"),
    ("10.5", "0.1", b"10.6"),
    ("10", "0.5", b"10.5"),
    ("3", "-3", b"0"),
    ("5.0e3", "2.0e2", b"5200"),
    ("1", "1", b"2"),
    ("0.1", "0.2", b"0.3"),
    ("-1.5", "0.25", b"-1.25"),
    ("1", "1e-5", b"1.00001"),
    ("100", "-0.0001", b"99.9999"),
    # long double keeps ~19 significant digits: the +1 is lost, as in Redis
    ("1e20", "1", b"100000000000000000000"),
    ("  1", "1", None),
    ("9223372036854775807", "1", b"9223372036854775808"),
    ("12", "0", b"12"),
    (".5", ".5", b"1"),
    # long double arithmetic, printed with 17 decimals and trailing zeros trimmed
    ("1e30", "0", b"1000000000000000000024696061952"),
    ("1.23456789012345678", "0", b"1.23456789012345678"),
    ("-1.5e-5", "0", b"-0.000015"),
    ("0", "1e-20", b"0"),
    ("5", "-5.0", b"0"),
    ("-0", "0", b"0"),
    ("0x10", "1", b"17"),
    ("1.", "1", b"2"),
])
def test_incrbyfloat_formatting(c, start, incr, expected):
    if start is not None:
        c("SET", "f", start)
    got = c("INCRBYFLOAT", "f", incr)
    if expected is None:
        assert got == NOT_FLOAT
    else:
        assert got == expected
        assert c("GET", "f") == expected


def test_incrbyfloat_keeps_ttl(c):
    c("SET", "f", "1", "EX", 100)
    assert c("INCRBYFLOAT", "f", "0.5") == b"1.5"
    assert c("TTL", "f") > 0


@pytest.mark.parametrize("value", ["abc", "1.5x", "", "1,5", "nan", " 1", "1 "])
def test_incrbyfloat_value_not_float(c, value):
    c("SET", "f", value)
    assert c("INCRBYFLOAT", "f", "1") == NOT_FLOAT
    assert c("GET", "f") == value.encode()


@pytest.mark.parametrize("incr", ["abc", "", "nan", "1..2", "--1"])
def test_incrbyfloat_increment_not_float(c, incr):
    c("SET", "f", "1")
    assert c("INCRBYFLOAT", "f", incr) == NOT_FLOAT


@pytest.mark.parametrize("start,incr", [("1", "inf"), ("1", "-inf"), ("inf", "1"), ("1", "+inf")])
def test_incrbyfloat_infinity(c, start, incr):
    c("SET", "f", start)
    assert c("INCRBYFLOAT", "f", incr) == Err("ERR increment would produce NaN or Infinity")
    assert c("GET", "f") == start.encode()


def test_incrbyfloat_result_not_int_encoded_when_fraction(c):
    c("INCRBYFLOAT", "f", "1.5")
    assert c("OBJECT", "ENCODING", "f") == b"embstr"


# ---------------------------------------------------------------- GETRANGE / SUBSTR

@pytest.mark.parametrize("start,end,expected", [
    (0, 3, b"This"),
    (-3, -1, b"ing"),
    (0, -1, b"This is a string"),
    (10, 100, b"string"),
    (5, 3, b""),
    (-100, 3, b"This"),
    # both ends clamp to 0 when they are still negative after adding the length
    (-100, -100, b"T"),
    (100, 200, b""),
    (0, 0, b"T"),
    (-1, -1, b"g"),
    (15, 15, b"g"),
    (16, 16, b""),
    (-1, -5, b""),
    (3, -100, b""),
    (0, -17, b"T"),
    (0, -16, b"T"),
])
def test_getrange(c, start, end, expected):
    c("SET", "s", "This is a string")
    assert c("GETRANGE", "s", start, end) == expected
    assert c("SUBSTR", "s", start, end) == expected


def test_getrange_missing_and_empty(c):
    assert c("GETRANGE", "missing", 0, -1) == b""
    assert c("GETRANGE", "missing", 0, 10) == b""
    c("SET", "e", "")
    assert c("GETRANGE", "e", 0, -1) == b""


def test_getrange_on_integer_encoded(c):
    c("SET", "n", "1234567")
    assert c("GETRANGE", "n", 1, 3) == b"234"
    assert c("GETRANGE", "n", -2, -1) == b"67"


def test_getrange_errors(c, r):
    c("SET", "s", "hello")
    assert c("GETRANGE", "s", "a", 1) == NOT_INT
    assert c("GETRANGE", "s", 0, "1.5") == NOT_INT
    make_list(r, "l")
    assert c("GETRANGE", "l", 0, 1) == WRONGTYPE


# ---------------------------------------------------------------- SETRANGE

def test_setrange_overwrite(c):
    c("SET", "k", "Hello World")
    assert c("SETRANGE", "k", 6, "Redis") == 11
    assert c("GET", "k") == b"Hello Redis"


def test_setrange_extends_and_pads_with_zeros(c):
    c("SET", "k", "abc")
    assert c("SETRANGE", "k", 6, "xy") == 8
    assert c("GET", "k") == b"abc\x00\x00\x00xy"


def test_setrange_missing_key_pads(c):
    assert c("SETRANGE", "k", 5, "v") == 6
    assert c("GET", "k") == b"\x00\x00\x00\x00\x00v"


def test_setrange_empty_value(c):
    assert c("SETRANGE", "missing", 5, "") == 0
    assert c("EXISTS", "missing") == 0
    c("SET", "k", "abc")
    assert c("SETRANGE", "k", 10, "") == 3
    assert c("GET", "k") == b"abc"


def test_setrange_on_integer(c):
    c("SET", "n", "1234")
    assert c("SETRANGE", "n", 1, "9") == 4
    assert c("GET", "n") == b"1934"
    assert c("OBJECT", "ENCODING", "n") == b"raw"


def test_setrange_keeps_ttl(c):
    c("SET", "k", "abc", "EX", 100)
    c("SETRANGE", "k", 1, "x")
    assert c("TTL", "k") > 0


def test_setrange_offset_errors(c, r):
    c("SET", "k", "abc")
    assert c("SETRANGE", "k", -1, "x") == Err("ERR offset is out of range")
    assert c("SETRANGE", "missing", -1, "x") == Err("ERR offset is out of range")
    assert c("SETRANGE", "k", "abc", "x") == NOT_INT
    too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    assert c("SETRANGE", "k", 512 * 1024 * 1024, "x") == too_big
    assert c("SETRANGE", "k", 512 * 1024 * 1024 - 1, "xy") == too_big
    assert c("SETRANGE", "missing", LLONG_MAX, "x") == too_big
    assert c("EXISTS", "missing") == 0
    assert c("GET", "k") == b"abc"
    make_list(r, "l")
    assert c("SETRANGE", "l", 0, "x") == WRONGTYPE


def test_string_size_limit_follows_proto_max_bulk_len(start_server):
    srv = start_server("--proto-max-bulk-len", "1mb")
    c = Raw(srv)
    try:
        too_big = Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        assert c("SET", "k", b"a" * (1024 * 1024 - 6)) == "OK"
        assert c("APPEND", "k", "123456") == 1024 * 1024
        assert c("APPEND", "k", "x") == too_big
        assert c("SETRANGE", "k", 1024 * 1024 - 1, "x") == 1024 * 1024
        assert c("SETRANGE", "k", 1024 * 1024, "x") == too_big
        assert c("SETRANGE", "new", 1024 * 1024, "x") == too_big
        assert c("EXISTS", "new") == 0
        assert c("STRLEN", "k") == 1024 * 1024
    finally:
        c.close()


def test_setrange_offset_not_in_long_range(c):
    assert c("SETRANGE", "k", "99999999999999999999", "x") == NOT_INT
    assert c("SETRANGE", "k", "1.5", "x") == NOT_INT


# ---------------------------------------------------------------- LCS

def test_lcs_basic(c):
    c("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert c("LCS", "key1", "key2") == b"mytext"
    assert c("LCS", "key1", "key2", "LEN") == 6
    assert c("LCS", "key1", "key2", "len") == 6


def test_lcs_missing_keys_are_empty(c):
    c("SET", "a", "abc")
    assert c("LCS", "a", "missing") == b""
    assert c("LCS", "missing", "missing2", "LEN") == 0


def test_lcs_idx(c):
    c("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert c("LCS", "key1", "key2", "IDX") == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]


def test_lcs_idx_minmatchlen(c):
    c("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4) == [
        b"matches", [[[4, 7], [5, 8]]], b"len", 6]
    assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 0) == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]


def test_lcs_idx_withmatchlen(c):
    c("MSET", "key1", "ohmytext", "key2", "mynewtext")
    assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4]], b"len", 6]
    assert c("LCS", "key1", "key2", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], b"len", 6]


def test_lcs_longer_strings(c):
    c("MSET", "a", "rhabdomyosarcoma", "b", "rhabdomyosarcomas")
    assert c("LCS", "a", "b") == b"rhabdomyosarcoma"
    c("MSET", "a", "abcdefgh", "b", "xaxcxexgx")
    assert c("LCS", "a", "b") == b"aceg"
    assert c("LCS", "a", "b", "LEN") == 4
    assert c("LCS", "a", "b", "IDX") == [
        b"matches", [[[6, 6], [7, 7]], [[4, 4], [5, 5]], [[2, 2], [3, 3]], [[0, 0], [1, 1]]],
        b"len", 4]


def test_lcs_no_common(c):
    c("MSET", "a", "abc", "b", "xyz")
    assert c("LCS", "a", "b") == b""
    assert c("LCS", "a", "b", "IDX") == [b"matches", [], b"len", 0]


def test_lcs_errors(c, r):
    c("MSET", "a", "abc", "b", "abd")
    assert c("LCS", "a", "b", "LEN", "IDX") == Err(
        "ERR If you want both the length and indexes, please just use IDX.")
    assert c("LCS", "a", "b", "FOO") == SYNTAX
    assert c("LCS", "a", "b", "MINMATCHLEN") == SYNTAX
    assert c("LCS", "a", "b", "IDX", "MINMATCHLEN", "x") == NOT_INT
    make_list(r, "l")
    assert c("LCS", "a", "l") == Err("ERR The specified keys must contain string values")
    assert c("LCS", "l", "a") == Err("ERR The specified keys must contain string values")


# ---------------------------------------------------------------- OBJECT ENCODING

@pytest.mark.parametrize("value,encoding", [
    ("0", b"int"),
    ("123", b"int"),
    ("-123", b"int"),
    ("9223372036854775807", b"int"),
    ("-9223372036854775808", b"int"),
    ("9223372036854775808", b"embstr"),
    ("-9223372036854775809", b"embstr"),
    ("0123", b"embstr"),
    ("-0", b"embstr"),
    ("+1", b"embstr"),
    (" 1", b"embstr"),
    ("1.5", b"embstr"),
    ("", b"embstr"),
    ("hello", b"embstr"),
    ("a" * 44, b"embstr"),
    ("a" * 45, b"raw"),
    ("1" * 30, b"embstr"),
    ("a" * 1000, b"raw"),
])
def test_object_encoding_of_set_values(c, value, encoding):
    c("SET", "k", value)
    assert c("OBJECT", "ENCODING", "k") == encoding
    assert c("GET", "k") == value.encode()


def test_object_encoding_append_turns_raw(c):
    c("SET", "k", "abc")
    assert c("OBJECT", "ENCODING", "k") == b"embstr"
    c("APPEND", "k", "d")
    assert c("OBJECT", "ENCODING", "k") == b"raw"
    c("SET", "n", "12")
    c("APPEND", "n", "3")
    assert c("OBJECT", "ENCODING", "n") == b"raw"
    assert c("GET", "n") == b"123"


def test_object_encoding_after_setrange_and_mset(c):
    c("MSET", "a", "1", "b", "x" * 50, "c", "xy")
    assert c("OBJECT", "ENCODING", "a") == b"int"
    assert c("OBJECT", "ENCODING", "b") == b"raw"
    assert c("OBJECT", "ENCODING", "c") == b"embstr"
    c("SETRANGE", "c", 0, "z")
    assert c("OBJECT", "ENCODING", "c") == b"raw"
    c("SETRANGE", "new", 0, "z")
    assert c("OBJECT", "ENCODING", "new") == b"raw"


def test_object_encoding_missing_key(c):
    assert c("OBJECT", "ENCODING", "missing") is None


# ---------------------------------------------------------------- redis-py view

def test_redis_py_string_helpers(r):
    assert r.set("k", "v", ex=100, nx=True) is True
    assert r.set("k", "v", nx=True) is None
    assert r.get("k") == b"v"
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.mget(["a", "b", "c"]) == [b"1", b"2", None]
    assert r.incrbyfloat("a", 0.5) == 1.5
    assert r.getrange("k", 0, -1) == b"v"


# ---------------------------------------------------------------- error order and edge cases
# (added by the string-family helper; each checked against redis-server 7.0.15)

def test_set_expire_checked_before_get_type(c, r):
    make_list(r, "l")
    assert c("SET", "l", "v", "GET", "EX", 0) == bad_expire("set")
    assert c("SET", "l", "v", "GET", "EX", "x") == NOT_INT
    assert c("SET", "l", "v", "NX", "GET") == WRONGTYPE
    assert c("SET", "l", "v", "XX", "GET") == WRONGTYPE
    assert c("TYPE", "l") == "list"


def test_set_syntax_checked_before_expire_value(c):
    assert c("SET", "k", "v", "EX", "abc", "FOO") == SYNTAX
    assert c("SET", "k", "v", "EX", 0, "NX", "XX") == SYNTAX
    # the last of repeated expire values is the one validated
    assert c("SET", "k", "v", "EX", 0, "EX", 10) == "OK"
    assert c("SET", "k", "v", "EX", 10, "EX", 0) == bad_expire("set")


def test_set_get_with_expire_in_past_returns_old_value(c):
    c("SET", "k", "old")
    assert c("SET", "k", "new", "PXAT", 1, "GET") == b"old"
    assert c("GET", "k") is None
    assert c("EXISTS", "k") == 0


def test_set_keepttl_xx_on_missing_key(c):
    assert c("SET", "k", "v", "XX", "KEEPTTL") is None
    assert c("EXISTS", "k") == 0
    assert c("SET", "k", "v", "KEEPTTL") == "OK"
    assert c("TTL", "k") == -1


def test_set_keepttl_over_other_type_keeps_its_ttl(c, r):
    make_list(r, "l")
    r.expire("l", 100)
    assert c("SET", "l", "v", "KEEPTTL") == "OK"
    assert c("TYPE", "l") == "string"
    assert 99 <= c("TTL", "l") <= 100


def test_set_px_relative_overflow(c):
    assert c("SET", "k", "v", "PX", LLONG_MAX - 1000) == bad_expire("set")
    assert c("SET", "k", "v", "EX", LLONG_MAX // 1000) == bad_expire("set")
    # absolute times are not offset by now: PXAT LLONG_MAX is accepted
    assert c("SET", "k", "v", "PXAT", LLONG_MAX) == "OK"
    assert c("PEXPIRETIME", "k") == LLONG_MAX


def test_set_same_size_overwrite_keeps_things_right(c):
    # rewriting a value of the same length must update encoding and drop or keep TTL
    c("SET", "k", "abc", "EX", 100)
    assert c("SET", "k", "123") == "OK"
    assert c("OBJECT", "ENCODING", "k") == b"int"
    assert c("TTL", "k") == -1
    assert c("SET", "k", "xyz", "EX", 50) == "OK"
    assert c("OBJECT", "ENCODING", "k") == b"embstr"
    assert 49 <= c("TTL", "k") <= 50
    assert c("SET", "k", "456", "EX", 100) == "OK"
    assert 99 <= c("TTL", "k") <= 100
    assert c("GET", "k") == b"456"


def test_getex_missing_key_ignores_bad_expire(c):
    assert c("GETEX", "missing", "EX", 0) is None
    assert c("GETEX", "missing", "EX", "abc") is None
    assert c("GETEX", "missing", "FOO") == SYNTAX


def test_getex_type_checked_before_expire(c, r):
    make_list(r, "l")
    assert c("GETEX", "l", "EX", 0) == WRONGTYPE
    assert c("GETEX", "l", "EX", "abc") == WRONGTYPE


def test_getex_relative_expire_keeps_key(c):
    c("SET", "k", "v")
    assert c("GETEX", "k", "PX", 1000000) == b"v"
    assert c("EXISTS", "k") == 1


def test_getdel_then_missing(c):
    c("SET", "k", "v", "EX", 100)
    assert c("GETDEL", "k") == b"v"
    assert c("GETDEL", "k") is None
    assert c("TTL", "k") == -2


def test_msetnx_duplicate_key_last_wins(c):
    assert c("MSETNX", "a", "1", "a", "2") == 1
    assert c("GET", "a") == b"2"


def test_mset_over_other_type(c, r):
    make_list(r, "l")
    assert c("MSET", "l", "v", "x", "y") == "OK"
    assert c("TYPE", "l") == "string"
    assert c("GET", "l") == b"v"


def test_append_to_missing_key_encodes_as_set(c):
    assert c("APPEND", "n", "123") == 3
    assert c("OBJECT", "ENCODING", "n") == b"int"
    assert c("APPEND", "s", "abc") == 3
    assert c("OBJECT", "ENCODING", "s") == b"embstr"
    assert c("APPEND", "s", "") == 3
    assert c("OBJECT", "ENCODING", "s") == b"raw"


def test_append_grows_long_values(c):
    c("SET", "k", "")
    expected = b""
    for i in range(300):
        chunk = (b"%d," % i) * 7
        expected += chunk
        assert c("APPEND", "k", chunk) == len(expected)
    assert c("GET", "k") == expected
    assert c("GETRANGE", "k", -5, -1) == expected[-5:]


def test_setrange_type_checked_after_offset(c, r):
    make_list(r, "l")
    assert c("SETRANGE", "l", -1, "x") == Err("ERR offset is out of range")
    assert c("SETRANGE", "l", 0, "") == WRONGTYPE
    assert c("SETRANGE", "missing", LLONG_MAX, "") == 0


def test_setrange_inside_and_across_long_value(c):
    c("SET", "k", "a" * 600)
    assert c("SETRANGE", "k", 100, "xyz") == 600
    assert c("SETRANGE", "k", 598, "12345") == 603
    assert c("GET", "k") == b"a" * 100 + b"xyz" + b"a" * 495 + b"12345"
    assert c("SETRANGE", "new", 1000, "z") == 1001
    assert c("GET", "new") == b"\x00" * 1000 + b"z"


def test_getrange_argument_checked_before_type(c, r):
    make_list(r, "l")
    assert c("GETRANGE", "l", "a", 1) == NOT_INT
    assert c("GETRANGE", "missing", 0, "x") == NOT_INT


def test_getrange_extreme_indexes(c):
    c("SET", "s", "hello")
    assert c("GETRANGE", "s", LLONG_MIN, LLONG_MAX) == b"hello"
    assert c("GETRANGE", "s", LLONG_MAX, LLONG_MAX) == b""
    assert c("GETRANGE", "s", LLONG_MIN, LLONG_MIN) == b"h"


def test_incrbyfloat_integral_result_is_embstr(c):
    c("SET", "f", "1")
    assert c("INCRBYFLOAT", "f", "1") == b"2"
    assert c("OBJECT", "ENCODING", "f") == b"embstr"
    c("SET", "g", "1")
    # long double arithmetic, printed whole: 40 bytes stay embstr, 51 bytes are raw
    assert c("INCRBYFLOAT", "g", "1e40") == b"9999999999999999999783686092270256259072"
    assert c("OBJECT", "ENCODING", "g") == b"embstr"
    c("SET", "h", "1")
    assert c("INCRBYFLOAT", "h", "1e50") == (
        b"100000000000000000003583830118858923890798487404544")
    assert c("OBJECT", "ENCODING", "h") == b"raw"


def test_incrbyfloat_value_checked_before_increment(c, r):
    c("SET", "f", "abc")
    assert c("INCRBYFLOAT", "f", "xyz") == NOT_FLOAT
    make_list(r, "l")
    assert c("INCRBYFLOAT", "l", "xyz") == WRONGTYPE


def test_incr_on_value_made_raw(c):
    c("SET", "n", "1")
    c("APPEND", "n", "0")
    assert c("OBJECT", "ENCODING", "n") == b"raw"
    assert c("INCR", "n") == 11
    assert c("OBJECT", "ENCODING", "n") == b"int"
    c("SET", "m", "99")
    assert c("INCR", "m") == 100
    assert c("GET", "m") == b"100"


def test_incrby_argument_checked_before_type(c, r):
    make_list(r, "l")
    assert c("INCRBY", "l", "x") == NOT_INT
    assert c("DECRBY", "l", str(LLONG_MIN)) == Err("ERR decrement would overflow")
    assert c("INCRBY", "l", 1) == WRONGTYPE


def test_lcs_resp3_idx_is_a_map(server, r):
    c = Raw(server)
    try:
        assert c("HELLO", "3")[b"proto"] == 3
        c("MSET", "key1", "ohmytext", "key2", "mynewtext")
        assert c("LCS", "key1", "key2", "IDX", "MINMATCHLEN", 4, "WITHMATCHLEN") == {
            b"matches": [[[4, 7], [5, 8], 4]], b"len": 6}
        assert c("LCS", "key1", "key2") == b"mytext"
        assert c("LCS", "key1", "key2", "LEN") == 6
    finally:
        c.close()


def test_lcs_options_are_parsed_after_type_check(c, r):
    make_list(r, "l")
    assert c("LCS", "l", "missing", "FOO") == Err(
        "ERR The specified keys must contain string values")


def test_lcs_negative_minmatchlen_means_zero(c):
    c("MSET", "a", "ohmytext", "b", "mynewtext")
    assert c("LCS", "a", "b", "IDX", "MINMATCHLEN", -5) == [
        b"matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], b"len", 6]


def test_lcs_same_key_and_integers(c):
    c("SET", "n", "12345")
    assert c("LCS", "n", "n") == b"12345"
    c("SET", "m", "1x3y5")
    assert c("LCS", "n", "m", "IDX", "WITHMATCHLEN") == [
        b"matches", [[[4, 4], [4, 4], 1], [[2, 2], [2, 2], 1], [[0, 0], [0, 0], 1]],
        b"len", 3]


def test_lcs_transient_memory_is_bounded(c):
    # (20001)^2 cells of 4 bytes exceed the default 512mb proto-max-bulk-len: refused
    # up front instead of allocating 1.6 GB.
    c("SET", "a", "x" * 20000)
    c("SET", "b", "y" * 20000)
    assert c("LCS", "a", "b") == Err(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    assert c("LCS", "a", "b", "LEN") == Err(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")


def test_lcs_memory_limit_follows_proto_max_bulk_len(start_server):
    srv = start_server("--proto-max-bulk-len", "1mb")
    c = Raw(srv)
    try:
        c("SET", "a", "ab" * 300)
        c("SET", "b", "ba" * 300)
        assert c("LCS", "a", "b", "LEN") == Err(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        c("SET", "a", "ab" * 200)
        c("SET", "b", "ba" * 200)
        assert c("LCS", "a", "b", "LEN") == 399
    finally:
        c.close()


# ---------------------------------------------------------------- keyspace hits / misses

def keyspace_stats(c):
    text = c("INFO", "stats").decode()
    out = {}
    for line in text.split("\r\n"):
        if line.startswith("keyspace_hits:") or line.startswith("keyspace_misses:"):
            k, v = line.split(":")
            out[k] = int(v)
    return out["keyspace_hits"], out["keyspace_misses"]


@pytest.mark.parametrize("cmd,hits,misses", [
    (("GET", "a"), 1, 0), (("GET", "nokey"), 0, 1),
    (("MGET", "a", "nokey", "a"), 2, 1),
    (("STRLEN", "a"), 1, 0), (("STRLEN", "nokey"), 0, 1),
    (("GETRANGE", "a", 0, -1), 1, 0), (("SUBSTR", "nokey", 0, -1), 0, 1),
    (("GETSET", "a", "2"), 1, 0), (("GETSET", "nokey", "2"), 0, 1),
    (("GETDEL", "a"), 1, 0), (("GETDEL", "nokey"), 0, 1),
    (("GETEX", "a", "EX", 100), 1, 0), (("GETEX", "nokey"), 0, 1),
    (("SET", "a", "2", "GET"), 1, 0), (("SET", "nokey", "2", "GET"), 0, 1),
    (("LCS", "a", "nokey"), 1, 1),
    (("SET", "a", "2"), 0, 0), (("SET", "nokey", "2", "NX"), 0, 0), (("SETNX", "a", "2"), 0, 0),
    (("SETEX", "a", 10, "2"), 0, 0), (("PSETEX", "a", 10000, "2"), 0, 0),
    (("MSET", "a", "2", "nokey", "3"), 0, 0), (("MSETNX", "nokey", "3"), 0, 0),
    (("APPEND", "a", "x"), 0, 0), (("INCR", "a"), 0, 0), (("DECRBY", "nokey", 2), 0, 0),
    (("INCRBYFLOAT", "a", 1), 0, 0), (("SETRANGE", "a", 0, "x"), 0, 0),
    (("GETRANGE", "a", "x", 0), 0, 0),
])
def test_keyspace_hit_miss_accounting(c, cmd, hits, misses):
    c("SET", "a", "1")
    h0, m0 = keyspace_stats(c)
    c(*cmd)
    h1, m1 = keyspace_stats(c)
    assert (h1 - h0, m1 - m0) == (hits, misses)
