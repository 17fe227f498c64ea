// deps: src/proto/resp_parse.c src/base/splitargs.c
/* test_resp_parse.c - the request parser against behaviour observed on redis-server 7.0.
 *
 * Most checks run an input through a simulated connection (transcript()) and compare the
 * sequence of results with the expected one, then feed the same input in pieces (byte by
 * byte, and in odd-sized chunks, with argv starting empty or tiny) and require the same
 * transcript. Each call gets a fresh heap copy of the unparsed bytes, so a parser that
 * kept a pointer into an old buffer or read past len would be caught by ASan.
 */
#include "proto/resp_parse.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"

#define E_MBULK "Protocol error: invalid multibulk length"
#define E_BULK "Protocol error: invalid bulk length"
#define E_MBULK_BIG "Protocol error: too big mbulk count string"
#define E_BULK_BIG "Protocol error: too big bulk count string"
#define E_INLINE_BIG "Protocol error: too big inline request"
#define E_QUOTES "Protocol error: unbalanced quotes in request"
#define E_UNAUTH_MBULK "Protocol error: unauthenticated multibulk length"
#define E_UNAUTH_BULK "Protocol error: unauthenticated bulk length"
#define E_EXPECTED(c) "Protocol error: expected '$', got '" c "'"

static const resp_limits lim_default = {RESP_MAX_BULK_LEN_DEFAULT, RESP_MAX_INLINE_LEN_DEFAULT, 0};
static const resp_limits lim_unauth = {RESP_MAX_BULK_LEN_DEFAULT, RESP_MAX_INLINE_LEN_DEFAULT, 1};

/* A growable string for transcripts. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void putf(text *t, const char *fmt, unsigned long long v)
{
    char b[64];
    int n = snprintf(b, sizeof(b), fmt, v);
    put(t, b, (size_t)n);
}

/* "2[GET|k];" with \xHH for bytes outside printable ASCII, '|', '\\', ';'. */
static void put_request(text *t, const char *buf, const resp_arg *argv, size_t argc)
{
    putf(t, "%llu[", argc);
    for (size_t i = 0; i < argc; i++) {
        if (i > 0) {
            put(t, "|", 1);
        }
        for (size_t j = 0; j < argv[i].len; j++) {
            unsigned char c = (unsigned char)buf[argv[i].off + j];
            if (c < 32 || c > 126 || c == '|' || c == '\\' || c == ';') {
                putf(t, "\\x%02llx", c);
            } else {
                put(t, (const char *)&c, 1);
            }
        }
    }
    put(t, "];", 2);
}

typedef struct run_stats {
    size_t calls, grows;
} run_stats;

/* Runs `in` through one parser as a connection would. Bytes become available `step` at a
 * time (0: all at once). argv starts with cap0 entries and grows to argv_want on GROW.
 * The transcript lists each request ("n[args];"), then "E:msg" on an error, or "M:hint"
 * if the input ends inside a request. */
static char *transcript(const char *in, size_t len, const resp_limits *lim, size_t step,
                        size_t cap0, run_stats *st)
{
    text t = {0};
    put(&t, "", 0);
    char *conn = malloc(len ? len : 1); /* the connection's bytes; inline parsing rewrites */
    memcpy(conn, in, len);
    size_t start = 0, avail = step == 0 || step > len ? len : step;
    size_t cap = cap0;
    resp_arg *argv = cap ? malloc(cap * sizeof(*argv)) : NULL;
    resp_parser p;
    resp_parser_init(&p);
    run_stats local = {0};
    while (start < len) {
        size_t n = avail - start;
        char *tmp = malloc(n ? n : 1);
        memcpy(tmp, conn + start, n);
        int r = resp_parse(&p, tmp, n, lim, argv, cap);
        memcpy(conn + start, tmp, n);
        local.calls++;
        if (r == RESP_OK) {
            CHECK_MSG(p.consumed > 0 && p.consumed <= n, "consumed %zu of %zu", p.consumed, n);
            CHECK_MSG(p.argc <= cap, "argc %zu > cap %zu", p.argc, cap);
            for (size_t i = 0; i < p.argc; i++) {
                CHECK_MSG(argv[i].off <= n && argv[i].len <= n - argv[i].off, "slice outside");
            }
            put_request(&t, tmp, argv, p.argc);
            start += p.consumed;
        } else if (r == RESP_ERROR) {
            put(&t, "E:", 2);
            put(&t, p.error, strlen(p.error));
            free(tmp);
            break;
        } else if (r == RESP_GROW) {
            CHECK_MSG(p.argv_want > cap, "argv_want %zu <= cap %zu", p.argv_want, cap);
            cap = p.argv_want;
            argv = realloc(argv, cap * sizeof(*argv));
            local.grows++;
        } else {
            CHECK_MSG(r == RESP_NEED_MORE, "bad result %d", r);
            CHECK_MSG(p.need_hint > n, "need_hint %zu <= len %zu", p.need_hint, n);
            if (avail == len) {
                putf(&t, "M:%llu", p.need_hint);
                free(tmp);
                break;
            }
            avail = step == 0 || avail + step > len ? len : avail + step;
        }
        if (start == avail && avail < len) {
            avail = avail + step > len ? len : avail + step;
        }
        free(tmp);
    }
    free(argv);
    free(conn);
    if (st != NULL) {
        *st = local;
    }
    return t.s;
}

/* Checks the one-shot transcript against `want` (NULL: don't) and that every way of
 * splitting the input into pieces, and every starting argv size, gives the same. */
static void check_input(const char *in, size_t len, const resp_limits *lim, const char *want,
                        int line)
{
    char *once = transcript(in, len, lim, 0, 64, NULL);
    if (want != NULL) {
        CHECK_MSG(strcmp(once, want) == 0, "line %d: got \"%s\", want \"%s\"", line, once, want);
    }
    static const size_t steps_small[] = {1, 2, 3, 5, 7, 13};
    static const size_t steps_big[] = {997, 4093, 16384};
    const size_t *steps = len < 4096 ? steps_small : steps_big;
    size_t nsteps = len < 4096 ? sizeof(steps_small) / sizeof(steps_small[0])
                               : sizeof(steps_big) / sizeof(steps_big[0]);
    for (size_t i = 0; i < nsteps; i++) {
        for (size_t cap0 = 0; cap0 <= 2; cap0 += 2) {
            char *pieces = transcript(in, len, lim, steps[i], cap0, NULL);
            CHECK_MSG(strcmp(pieces, once) == 0, "line %d: step %zu cap %zu: got \"%s\", want \"%s\"",
                  line, steps[i], cap0, pieces, once);
            free(pieces);
        }
    }
    free(once);
}

#define IN(lit, want) check_input(lit, sizeof(lit) - 1, &lim_default, want, __LINE__)
#define IN_UNAUTH(lit, want) check_input(lit, sizeof(lit) - 1, &lim_unauth, want, __LINE__)

static void test_multibulk_counts(void)
{
    IN("*0\r\n", "0[];");
    IN("*-1\r\n", "0[];");
    IN("*-10\r\n*1\r\n$4\r\nPING\r\n", "0[];1[PING];");
    IN("*-9223372036854775808\r\n", "0[];");
    IN("*-99999999999999999999\r\n", "E:" E_MBULK);
    IN("*2147483647\r\n", "M:14");
    IN("*2147483648\r\n", "E:" E_MBULK);
    IN("*3000000000\r\n", "E:" E_MBULK);
    IN("*1048577\r\n", "M:11");
    IN("*\r\n", "E:" E_MBULK);
    IN("*abc\r\n", "E:" E_MBULK);
    IN("*+1\r\n", "E:" E_MBULK);
    IN("*01\r\n", "E:" E_MBULK);
    IN("*-0\r\n", "E:" E_MBULK);
    IN("*-\r\n", "E:" E_MBULK);
    IN("* 1\r\n", "E:" E_MBULK);
    IN("*1 \r\n", "E:" E_MBULK);
    IN("*1\n$4\r\nPING\r\n", "E:" E_MBULK); /* the count line ends at '\r' only */
    IN("*1", "M:3");
    IN("*1\r", "M:4");
    /* The byte after '\r' is skipped unchecked. */
    IN("*1\rX$4\r\nPING\r\n", "1[PING];");
}

static void test_bulks(void)
{
    IN("*1\r\n$-1\r\n", "E:" E_BULK);
    IN("*1\r\n$536870912\r\n", "M:536870930");
    IN("*1\r\n$536870913\r\n", "E:" E_BULK);
    IN("*1\r\n$2147483648\r\n", "E:" E_BULK);
    IN("*1\r\n$\r\n", "E:" E_BULK);
    IN("*1\r\n$04\r\nPING\r\n", "E:" E_BULK);
    IN("*1\r\n$+4\r\nPING\r\n", "E:" E_BULK);
    IN("*1\r\n$4 \r\nPING\r\n", "E:" E_BULK);
    IN("*1\r\n$0\r\n\r\n", "1[];");
    IN("*2\r\n$0\r\n\r\n$0\r\n\r\n", "2[|];");
    IN("*1\r\n$4\r\nPI\0G\r\n", "1[PI\\x00G];");
    IN("*1\r\n$4\r\nP\r\nG\r\n", "1[P\\x0d\\x0aG];");
    /* The two bytes after the data are skipped whatever they are, as Redis does. */
    IN("*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n", "1[PING];1[PING];");
    IN("*1\r\n$4\rXPING\r\n", "1[PING];");
    IN("*1\r\n$4\r\nPIN", "M:14");
    IN("*1\r\n$4\r\nPING\r", "M:14");
    IN("*1\r\n$4\r", "M:8");
    IN("*1\r\n$4", "M:7");
    IN("*2\r\n$3\r\nGET\r\n", "M:14");
}

static void test_expected_dollar(void)
{
    IN("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "E:" E_EXPECTED("f"));
    IN("*1\r\n%\r\n", "E:" E_EXPECTED("%"));
    IN("*1\r\nx\x80y\r\n", "E:" E_EXPECTED("x"));
    IN("*1\r\n\x80\r\n", "E:" E_EXPECTED("\x80"));
    IN("*1\r\n*1\r\n", "E:" E_EXPECTED("*"));
    /* Redis maps CR and LF in error messages to spaces. */
    IN("*1\r\n\r\n", "E:" E_EXPECTED(" "));
    IN("*1\r\n\n\r\n", "E:" E_EXPECTED(" "));
    /* The check waits for a whole line. */
    IN("*1\r\nfoo", "M:8");
    IN("*1\r\n\r", "M:6");
}

static void test_inline(void)
{
    IN("PING\n", "1[PING];");
    IN("PING\r\n", "1[PING];");
    IN("\r\n", "0[];");
    IN("\n", "0[];");
    IN("   \r\nPING\r\n", "0[];1[PING];");
    IN("+PING\r\n", "1[+PING];");
    IN(":1\r\n", "1[:1];");
    IN("$4\r\n", "1[$4];");
    IN("PING", "M:5");
    IN("PING\r", "M:6");
    IN("PING \"a\r\n", "E:" E_QUOTES);
    IN("ECHO \"a\"b\r\n", "E:" E_QUOTES);
    IN("ECHO 'a'b\r\n", "E:" E_QUOTES);
    IN("ECHO a\"b c\"\r\n", "2[ECHO|ab c];");
    IN("ECHO \"\"\r\n", "2[ECHO|];");
    IN("ECHO \"\\x41\\x4g\"\r\n", "2[ECHO|Ax4g];");
    IN("ECHO 'a\\'b\\n'\r\n", "2[ECHO|a'b\\x5cn];");
    IN("ECHO a\rb\r\n", "3[ECHO|a|b];");
    IN("ECHO a\vb\r\n", "2[ECHO|a\\x0bb];");
    IN("\vECHO\v\r\n", "1[ECHO\\x0b];");
    IN("ECHO \"a\"\v\r\n", "2[ECHO|a];");
    IN("ECHO a\nPING\r\n", "2[ECHO|a];1[PING];");
    IN("PING\rECHO\r\n", "2[PING|ECHO];");
    IN("a\r\r\n", "1[a];");
    /* strchr stops at NUL: the line end is never found (Redis waits, then "too big"). */
    IN("ECHO a\0b\r\nPING\r\n", "M:17");
}

static void test_pipelines(void)
{
    IN("PING\r\n*2\r\n$4\r\nECHO\r\n$3\r\nhey\r\nSET a b\n*1\r\n$0\r\n\r\n*0\r\n\n",
       "1[PING];2[ECHO|hey];3[SET|a|b];1[];0[];0[];");
    IN("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI", "1[PING];1[PING];M:14");
    IN("*1\r\n$4\r\nPING\r\n*x\r\n", "1[PING];E:" E_MBULK);
    IN("GET a\r\n*1\r\n$4\r\nPING\r\n\"x\r\n", "2[GET|a];1[PING];E:" E_QUOTES);
}

static void test_nul_stalls(void)
{
    IN("*1\0\r\n", "M:6");
    IN("*1\r\n$4\0\r\nPING\r\n", "M:16");
    IN("*\0", "M:3");
}

static char *repeat(const char *head, size_t h, char fill, size_t n, const char *tail,
                    size_t *len)
{
    size_t t = strlen(tail);
    char *s = malloc(h + n + t + 1);
    memcpy(s, head, h);
    memset(s + h, fill, n);
    memcpy(s + h + n, tail, t + 1);
    *len = h + n + t;
    return s;
}

static void big_input(const char *head, size_t hlen, char fill, size_t n, const char *tail,
                      const resp_limits *lim, const char *want, int line)
{
    size_t len;
    char *s = repeat(head, hlen, fill, n, tail, &len);
    check_input(s, len, lim, want, line);
    free(s);
}

/* head, then n times fill, then tail; head is a literal and may hold NULs. */
#define BIG(head, fill, n, tail, want)                                                    \
    big_input(head, sizeof(head) - 1, fill, n, tail, &lim_default, want, __LINE__)
#define REPEAT(head, fill, n, tail, len) repeat(head, sizeof(head) - 1, fill, n, tail, len)

static void test_too_big(void)
{
    BIG("", 'A', 65536, "", "M:65537");
    BIG("", 'A', 65537, "", "E:" E_INLINE_BIG);
    BIG("*", '1', 65535, "", "M:65537");
    BIG("*", '1', 65536, "", "E:" E_MBULK_BIG);
    BIG("*1\r\n$", '1', 65535, "", "M:65541");
    BIG("*1\r\n$", '1', 65536, "", "E:" E_BULK_BIG);
    BIG("*1\r\nX", '1', 65536, "", "E:" E_BULK_BIG);
    /* A line end beyond the limit is an error even when it arrives in the same read. */
    BIG("ECHO ", 'x', 100000, "\r\n", "E:" E_INLINE_BIG);
    BIG("*", '1', 100000, "\r\n", "E:" E_MBULK_BIG);
    BIG("*1\r\n$", '1', 100000, "\r\n", "E:" E_BULK_BIG);
    /* At the limit: 65536 bytes before the '\n' pass, 65537 do not. */
    BIG("ECHO ", 'x', 65536 - 5 - 1, "\r\n", NULL);
    BIG("", 'x', 65536, "\n", NULL);
    BIG("", 'x', 65536, "\r\n", "E:" E_INLINE_BIG);
    BIG("", ' ', 65536, "\n", "0[];");
    /* A bulk may be far longer than the line limit. */
    BIG("*1\r\n$100000\r\n", 'v', 100000, "\r\n", NULL);

    size_t len;
    char *s = REPEAT("", 'x', 65536, "\n", &len);
    char *r = transcript(s, len, &lim_default, 0, 4, NULL);
    CHECK_MSG(strncmp(r, "1[xxx", 5) == 0 && strlen(r) == 65536 + 4, "64 KB inline line passes");
    free(r);
    free(s);

    /* NUL hides the line end: only "too big" can end it, as in Redis. */
    s = REPEAT("ECHO a\0b\r\n", 'B', 65537, "", &len);
    r = transcript(s, len, &lim_default, 0, 4, NULL);
    CHECK_MSG(strcmp(r, "E:" E_INLINE_BIG) == 0, "NUL stall then too big: %s", r);
    free(r);
    free(s);
    s = REPEAT("*1\0\r\n", '1', 65537, "", &len);
    r = transcript(s, len, &lim_default, 0, 4, NULL);
    CHECK_MSG(strcmp(r, "E:" E_MBULK_BIG) == 0, "NUL stall then too big: %s", r);
    free(r);
    free(s);
    s = REPEAT("*2\r\n$4\r\nECHO\r\n$4\0\r\n", '1', 65537, "", &len);
    r = transcript(s, len, &lim_default, 0, 4, NULL);
    CHECK_MSG(strcmp(r, "E:" E_BULK_BIG) == 0, "NUL stall then too big: %s", r);
    free(r);
    free(s);
}

static void test_unauthenticated(void)
{
    IN_UNAUTH("*10\r\n", "M:6");
    IN_UNAUTH("*11\r\n", "E:" E_UNAUTH_MBULK);
    IN_UNAUTH("*-11\r\nAUTH secret\r\n", "0[];2[AUTH|secret];");
    IN_UNAUTH("*1\r\n$16384\r\n", "M:16398");
    IN_UNAUTH("*1\r\n$16385\r\n", "E:" E_UNAUTH_BULK);
    IN_UNAUTH("*1\r\n$-1\r\n", "E:" E_BULK);
    IN_UNAUTH("*1\r\n$536870913\r\n", "E:" E_BULK);
    IN_UNAUTH("*2147483648\r\n", "E:" E_MBULK);
    IN_UNAUTH("*x\r\n", "E:" E_MBULK);
    /* No tighter inline limit than 64 KB. */
    big_input("ECHO ", 5, 'x', 20000, "\r\n", &lim_unauth, NULL, __LINE__);
}

static void test_limits(void)
{
    resp_limits small = {10, 16, 0};
#define IN_LIM(lit, lim, want) check_input(lit, sizeof(lit) - 1, lim, want, __LINE__)
    IN_LIM("*1\r\n$10\r\n0123456789\r\n", &small, "1[0123456789];");
    IN_LIM("*1\r\n$11\r\n", &small, "E:" E_BULK);
    IN_LIM("0123456789abcdef\n", &small, "1[0123456789abcdef];");
    IN_LIM("0123456789abcdefg\n", &small, "E:" E_INLINE_BIG);
    IN_LIM("*000000000000001\r\n", &small, "E:" E_MBULK); /* 16 bytes fit */
    IN_LIM("*0000000000000001\r\n", &small, "E:" E_MBULK_BIG);
    IN_LIM("*1\r\n$000000000000001\r\n", &small, "E:" E_BULK);
    IN_LIM("*1\r\n$0000000000000001\r\n", &small, "E:" E_BULK_BIG);
    /* A master's stream has no bulk limit: huge lengths must not overflow anything. */
    resp_limits master = {LLONG_MAX, RESP_MAX_INLINE_LEN_DEFAULT, 0};
    const char *huge = "*1\r\n$9223372036854775807\r\nab";
    char *r = transcript(huge, strlen(huge), &master, 0, 4, NULL);
    CHECK_MSG(strncmp(r, "M:", 2) == 0, "huge bulk waits: %s", r);
    CHECK_MSG(strtoull(r + 2, NULL, 10) >= (unsigned long long)INT64_MAX, "huge hint: %s", r);
    free(r);
}

static void test_need_hint(void)
{
    /* The hint covers the whole bulk and its CRLF, so a caller can read it in one go. */
    char buf[64] = "*2\r\n$3\r\nSET\r\n$100000000\r\nabc";
    size_t len = strlen(buf);
    resp_parser p;
    resp_parser_init(&p);
    resp_arg argv[4];
    int r = resp_parse(&p, buf, len, &lim_default, argv, 4);
    CHECK_MSG(r == RESP_NEED_MORE && p.need_hint == 25 + 100000000 + 2, "hint %zu", p.need_hint);
    r = resp_parse(&p, buf, len, &lim_default, argv, 4);
    CHECK_MSG(r == RESP_NEED_MORE && p.need_hint == 25 + 100000000 + 2, "hint again %zu",
          p.need_hint);
    /* Header incomplete: one more byte. */
    resp_parser_init(&p);
    r = resp_parse(&p, buf, 20, &lim_default, argv, 4);
    CHECK_MSG(r == RESP_NEED_MORE && p.need_hint == 21, "hint %zu", p.need_hint);
    resp_parser_init(&p);
    r = resp_parse(&p, buf, 0, &lim_default, argv, 4);
    CHECK_MSG(r == RESP_NEED_MORE && p.need_hint == 1, "empty buffer hint %zu", p.need_hint);
}

static void test_grow(void)
{
    /* 20 one-byte arguments, argv starting at 0: grows to 16, then to the announced 20. */
    char buf[256];
    size_t len = (size_t)sprintf(buf, "*20\r\n");
    for (int i = 0; i < 20; i++) {
        len += (size_t)sprintf(buf + len, "$1\r\n%c\r\n", 'a' + i);
    }
    resp_parser p;
    resp_parser_init(&p);
    resp_arg argv[32];
    size_t len20 = len;
    int r = resp_parse(&p, buf, len, &lim_default, NULL, 0);
    CHECK_MSG(r == RESP_GROW && p.argv_want == 16, "first grow %d %zu", r, p.argv_want);
    r = resp_parse(&p, buf, len, &lim_default, argv, 16);
    CHECK_MSG(r == RESP_GROW && p.argv_want == 20, "second grow capped %d %zu", r, p.argv_want);
    r = resp_parse(&p, buf, len, &lim_default, argv, 20);
    CHECK_MSG(r == RESP_OK && p.argc == 20 && p.consumed == len, "after grow %d %zu", r, p.argc);
    CHECK_MSG(argv[19].len == 1 && buf[argv[19].off] == 't', "last arg");

    /* Geometric: 100 arguments from 16 -> 32 -> 64 -> 100. */
    char big_req[1024];
    len = (size_t)sprintf(big_req, "*100\r\n");
    for (int i = 0; i < 100; i++) {
        len += (size_t)sprintf(big_req + len, "$1\r\nx\r\n");
    }
    resp_parser_init(&p);
    resp_arg many[100];
    size_t cap = 0, wants[8], nw = 0;
    while ((r = resp_parse(&p, big_req, len, &lim_default, many, cap)) == RESP_GROW && nw < 8) {
        wants[nw++] = cap = p.argv_want;
    }
    CHECK_MSG(r == RESP_OK && nw == 4 && wants[0] == 16 && wants[1] == 32 && wants[2] == 64 &&
              wants[3] == 100,
          "geometric grow %d %zu", r, nw);

    /* A hostile count asks for nothing until arguments arrive. */
    char hostile[64] = "*2147483647\r\n";
    resp_parser_init(&p);
    r = resp_parse(&p, hostile, strlen(hostile), &lim_default, NULL, 0);
    CHECK_MSG(r == RESP_NEED_MORE, "hostile count alone needs more: %d", r);
    strcat(hostile, "$1\r\na\r\n");
    r = resp_parse(&p, hostile, strlen(hostile), &lim_default, NULL, 0);
    CHECK_MSG(r == RESP_GROW && p.argv_want == 16, "hostile grows small: %d %zu", r, p.argv_want);

    /* Inline: the exact count, and the line is untouched until it fits. */
    char line[] = "a \"b c\" d e f\r\n";
    char orig[sizeof(line)];
    memcpy(orig, line, sizeof(line));
    resp_parser_init(&p);
    r = resp_parse(&p, line, sizeof(line) - 1, &lim_default, argv, 2);
    CHECK_MSG(r == RESP_GROW && p.argv_want == 5, "inline grow %d %zu", r, p.argv_want);
    CHECK_MSG(memcmp(line, orig, sizeof(line)) == 0, "inline untouched on grow");
    r = resp_parse(&p, line, sizeof(line) - 1, &lim_default, NULL, 0);
    CHECK_MSG(r == RESP_GROW && p.argv_want == 5, "inline grow from NULL %d %zu", r, p.argv_want);
    r = resp_parse(&p, line, sizeof(line) - 1, &lim_default, argv, 5);
    CHECK_MSG(r == RESP_OK && p.argc == 5 && p.consumed == sizeof(line) - 1, "inline after grow");
    CHECK_MSG(argv[1].len == 3 && memcmp(line + argv[1].off, "b c", 3) == 0, "unquoted in place");
    char empty[] = "  \r\n";
    resp_parser_init(&p);
    r = resp_parse(&p, empty, 4, &lim_default, NULL, 0);
    CHECK_MSG(r == RESP_OK && p.argc == 0 && p.consumed == 4, "empty inline needs no argv");

    run_stats st;
    char *t = transcript(buf, len20, &lim_default, 1, 0, &st);
    CHECK_MSG(st.grows == 2, "byte by byte grows twice, got %zu", st.grows);
    free(t);
}

static void test_errors_reset(void)
{
    /* After an error the same parser starts a new request from scratch. */
    resp_parser p;
    resp_parser_init(&p);
    resp_arg argv[4];
    char bad[] = "*1\r\n$x\r\n";
    CHECK_MSG(resp_parse(&p, bad, 8, &lim_default, argv, 4) == RESP_ERROR, "error");
    CHECK_MSG(strcmp(p.error, E_BULK) == 0, "error string %s", p.error);
    char good[] = "*1\r\n$4\r\nPING\r\n";
    CHECK_MSG(resp_parse(&p, good, 14, &lim_default, argv, 4) == RESP_OK && p.argc == 1,
          "parses after error");
    char bad2[] = "*1\r\n?\r\n";
    CHECK_MSG(resp_parse(&p, bad2, 7, &lim_default, argv, 4) == RESP_ERROR &&
              strcmp(p.error, E_EXPECTED("?")) == 0,
          "errbuf message %s", p.error);
}

/* The parser must not go back over bytes it already parsed: we scribble over everything
 * before p->pos after each NEED_MORE, and a re-parse from the start would see garbage. */
static void test_resumes_without_rereading(void)
{
    enum { N = 1000 };
    size_t cap = 16 + N * 16;
    char *req = malloc(cap);
    size_t len = (size_t)sprintf(req, "*%d\r\n", N);
    for (int i = 0; i < N; i++) {
        len += (size_t)sprintf(req + len, "$5\r\nv%04d\r\n", i);
    }
    resp_parser p;
    resp_parser_init(&p);
    resp_arg *argv = malloc(N * sizeof(*argv));
    int r = RESP_NEED_MORE;
    size_t avail = 0;
    while (r == RESP_NEED_MORE && avail < len) {
        avail = avail + 7 > len ? len : avail + 7;
        r = resp_parse(&p, req, avail, &lim_default, argv, N);
        if (r == RESP_NEED_MORE) {
            memset(req, '#', p.pos);
        }
    }
    CHECK_MSG(r == RESP_OK && p.argc == N && p.consumed == len, "resumed parse %d %zu", r, p.argc);
    CHECK_MSG(argv[N - 1].len == 5 && argv[N - 1].off == len - 7, "last slice");
    free(argv);
    free(req);
}

/* Large inputs fed in small pieces stay linear: a million arguments in 1000-byte reads. */
static void test_linear(void)
{
    enum { N = 1000000 };
    size_t len = 0;
    char *req = malloc(16 + (size_t)N * 7);
    len = (size_t)sprintf(req, "*%d\r\n", N);
    for (int i = 0; i < N; i++) {
        memcpy(req + len, "$1\r\nx\r\n", 7);
        len += 7;
    }
    resp_parser p;
    resp_parser_init(&p);
    size_t cap = 0;
    resp_arg *argv = NULL;
    clock_t t0 = clock();
    size_t avail = 0, calls = 0;
    int r = RESP_NEED_MORE;
    while (r != RESP_OK && r != RESP_ERROR) {
        if (r == RESP_NEED_MORE) {
            avail = avail + 1000 > len ? len : avail + 1000;
        }
        r = resp_parse(&p, req, avail, &lim_default, argv, cap);
        calls++;
        if (r == RESP_GROW) {
            cap = p.argv_want;
            argv = realloc(argv, cap * sizeof(*argv));
        }
    }
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK_MSG(r == RESP_OK && p.argc == N && cap == N, "million args %d %zu %zu", r, p.argc, cap);
    CHECK_MSG(secs < 5.0, "million args in 1000-byte pieces took %.2fs (%zu calls)", secs, calls);

    /* A pipeline of inline commands. */
    char *pipe = malloc((size_t)N * 6);
    for (int i = 0; i < N; i++) {
        memcpy(pipe + (size_t)i * 6, "PING\r\n", 6);
    }
    resp_parser_init(&p);
    size_t off = 0, count = 0;
    resp_arg a[2];
    while (off < (size_t)N * 6 &&
           resp_parse(&p, pipe + off, (size_t)N * 6 - off, &lim_default, a, 2) == RESP_OK) {
        off += p.consumed;
        count++;
    }
    CHECK_MSG(count == N, "inline pipeline %zu", count);
    free(pipe);
    free(argv);
    free(req);
}

/* Many generated inputs: any split into pieces must agree with one-shot parsing. */
static void test_random_splits(void)
{
    static const char *atoms[] = {
        "*1\r\n", "*2\r\n", "*3\r\n", "*0\r\n", "*-1\r\n", "$1\r\na\r\n", "$0\r\n\r\n", "$3\r\nSET\r\n",
        "$2\r\n\r\n\r\n", "PING\r\n", "GET \"k\"\n", "\r\n", "\n", "a 'b' \"c\"\r\n", "$", "*", "\r",
        "\n", "x", "1", "-", "\"", "'", " ", "\0", "$10\r\n", "0123456789",
    };
    unsigned seed = 12345;
    char in[512];
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0;
        int natoms = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
        for (int k = 0; k < natoms; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *a = atoms[(seed >> 16) % (sizeof(atoms) / sizeof(atoms[0]))];
            size_t alen = a[0] == '\0' ? 1 : strlen(a);
            memcpy(in + len, a, alen);
            len += alen;
        }
        check_input(in, len, &lim_default, NULL, __LINE__);
        check_input(in, len, &lim_unauth, NULL, __LINE__);
    }
}

int main(void)
{
    test_multibulk_counts();
    test_bulks();
    test_expected_dollar();
    test_inline();
    test_pipelines();
    test_nul_stalls();
    test_too_big();
    test_unauthenticated();
    test_limits();
    test_need_hint();
    test_grow();
    test_errors_reset();
    test_resumes_without_rereading();
    test_linear();
    test_random_splits();
    return check_summary("test_resp_parse");
}
