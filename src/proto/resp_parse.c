/* resp_parse.c - RESP2 request parsing, byte-compatible with Redis 7.0 (see resp_parse.h).
 *
 * Terms. A request is either an inline line ("SET k v\r\n", split as sdssplitargs) or a
 * multibulk: a count line, then that many bulks, each a length line and the data:
 *
 *     *2\r\n $3\r\n GET\r\n $1\r\n k\r\n
 *     ^count ^header ^data     ...
 *
 * A "line" here is what Redis finds with strchr: up to '\r' for count and length lines
 * (the byte after the '\r' must be present but is never checked), up to '\n' for inline
 * requests (a '\r' before it is dropped). Two bytes after each bulk's data are skipped
 * whatever they are. These are Redis's quirks and clients can observe them, so we keep
 * them.
 *
 * Resumption. State lives in resp_parser: p->pos is where the next unparsed element of the
 * request starts, p->scan how far the search for its line end got, p->bulk the length of
 * a bulk whose header is parsed. A call picks up there, so a request that arrives in many
 * pieces costs O(its length) in total, not O(pieces * length).
 *
 * Integers are parsed here with Redis's string2ll rules (optional '-', no '+', no blanks,
 * no leading zeros, fewer than 21 bytes) rather than with base/util so this module links
 * alone in its unit test and fuzz target.
 */
#include "proto/resp_parse.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define UNAUTH_MAX_MULTIBULK 10   /* Redis: authRequired() && ll > 10 */
#define UNAUTH_MAX_BULK 16384     /* Redis: authRequired() && ll > 16384 */
#define ARGV_MIN_GROW 16

/* Internal result of the line parsers below: the line is parsed, the request goes on. */
enum { GO_ON = 3 };

static const char err_inline_big[] = "Protocol error: too big inline request";
static const char err_mbulk_big[] = "Protocol error: too big mbulk count string";
static const char err_bulk_big[] = "Protocol error: too big bulk count string";
static const char err_mbulk_len[] = "Protocol error: invalid multibulk length";
static const char err_bulk_len[] = "Protocol error: invalid bulk length";
static const char err_quotes[] = "Protocol error: unbalanced quotes in request";
static const char err_unauth_mbulk[] = "Protocol error: unauthenticated multibulk length";
static const char err_unauth_bulk[] = "Protocol error: unauthenticated bulk length";

static void reset(resp_parser *p)
{
    p->pos = 0;
    p->scan = 0;
    p->multibulk = 0;
    p->bulk = -1;
    p->stalled = 0;
}

void resp_parser_init(resp_parser *p)
{
    memset(p, 0, sizeof(*p));
    reset(p);
}

static int fail(resp_parser *p, const char *msg)
{
    p->error = msg;
    reset(p);
    return RESP_ERROR;
}

static int need_more(resp_parser *p, size_t hint)
{
    p->need_hint = hint;
    return RESP_NEED_MORE;
}

static int done(resp_parser *p, size_t consumed, size_t argc)
{
    p->consumed = consumed;
    p->argc = argc;
    reset(p);
    return RESP_OK;
}

/* Redis's string2ll. */
static int parse_ll(const char *s, size_t len, long long *out)
{
    if (len == 0 || len >= 21) {
        return 0;
    }
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        if (++i == len) {
            return 0;
        }
    }
    if (s[i] < '1' || s[i] > '9') {
        return 0;
    }
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) {
            return 0;
        }
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) {
            return 0;
        }
        *out = (long long)v;
    }
    return 1;
}

/* Looks for `term` ending the line that starts at p->pos, resuming at p->scan. Returns 1
 * with its index in *at, or 0 if it is not in buf yet or never will be: Redis searches
 * with strchr, which stops at a NUL, so a NUL before the terminator hides it for good. */
static int find_line_end(resp_parser *p, const char *buf, size_t len, char term, size_t *at)
{
    if (p->stalled) {
        return 0;
    }
    size_t i = p->scan;
    for (; i < len; i++) {
        if (buf[i] == term) {
            p->scan = i; /* found again at once if the caller must come back */
            *at = i;
            return 1;
        }
        if (buf[i] == '\0') {
            p->stalled = 1;
            return 0;
        }
    }
    p->scan = len;
    return 0;
}

static int parse_inline(resp_parser *p, char *buf, size_t len, const resp_limits *lim,
                        resp_arg *argv, size_t argv_cap)
{
    size_t nl;
    if (!find_line_end(p, buf, len, '\n', &nl)) {
        if (len > lim->max_inline_len) {
            return fail(p, err_inline_big);
        }
        return need_more(p, len + 1);
    }
    if (nl > lim->max_inline_len) {
        return fail(p, err_inline_big);
    }
    size_t end = nl > 0 && buf[nl - 1] == '\r' ? nl - 1 : nl;
    /* With no room at all, split_args only counts (argv NULL), which is what GROW needs. */
    long n = split_args(buf, end, argv_cap > 0 ? argv : NULL, argv_cap);
    if (n == -1) {
        return fail(p, err_quotes);
    }
    if (n == -2 || (argv_cap == 0 && n > 0)) {
        p->argv_want = (size_t)(n > 0 ? n : split_args(buf, end, NULL, 0));
        return RESP_GROW;
    }
    return done(p, nl + 1, (size_t)n);
}

/* The common shape of a count or length line, wholly in buf: `type`, 1 to 18 digits
 * without a leading zero, '\r' and the byte after it. Returns 1 with the value and the
 * index of the '\r'; 0 means "not that shape" and the caller takes the general path,
 * which handles everything else (signs, zeros, NULs, long or split lines, errors) as
 * before. Digits are never '\r' or NUL, so the '\r' found here is the one the general
 * line search would find, and 18 digits cannot overflow. */
static inline int quick_line(const char *buf, size_t at, size_t len, char type,
                             long long *out, size_t *cr)
{
    if (at + 3 >= len || buf[at] != type) {
        return 0;
    }
    size_t i = at + 1;
    unsigned d = (unsigned)((unsigned char)buf[i] - '1');
    if (d > 8) {
        return 0;
    }
    long long v = (long long)d + 1;
    size_t last = at + 18; /* index of the 18th digit */
    for (i++; i < len && (d = (unsigned)((unsigned char)buf[i] - '0')) <= 9; i++) {
        if (i > last) {
            return 0;
        }
        v = v * 10 + (long long)d;
    }
    if (i + 1 >= len || buf[i] != '\r') {
        return 0;
    }
    *out = v;
    *cr = i;
    return 1;
}

/* Parses the "*N" line. Returns GO_ON, or a result for the caller. */
static int parse_count(resp_parser *p, char *buf, size_t len, const resp_limits *lim)
{
    size_t cr;
    long long n;
    if (p->pos == 0 && quick_line(buf, 0, len, '*', &n, &cr) && n <= INT_MAX &&
        !(n > UNAUTH_MAX_MULTIBULK && lim->unauthenticated)) {
        p->multibulk = n;
        p->pos = cr + 2;
        p->scan = p->pos;
        p->argc = 0;
        return GO_ON;
    }
    if (!find_line_end(p, buf, len, '\r', &cr)) {
        if (len > lim->max_inline_len) {
            return fail(p, err_mbulk_big);
        }
        return need_more(p, len + 1);
    }
    if (cr > lim->max_inline_len) {
        return fail(p, err_mbulk_big);
    }
    if (cr + 1 >= len) {
        return need_more(p, cr + 2); /* Redis wants one byte after the '\r', any byte */
    }
    if (!parse_ll(buf + 1, cr - 1, &n) || n > INT_MAX) {
        return fail(p, err_mbulk_len);
    }
    if (n > UNAUTH_MAX_MULTIBULK && lim->unauthenticated) {
        return fail(p, err_unauth_mbulk);
    }
    if (n <= 0) {
        return done(p, cr + 2, 0);
    }
    p->multibulk = n;
    p->pos = cr + 2;
    p->scan = p->pos;
    p->argc = 0;
    return GO_ON;
}

/* Parses a "$N" line at p->pos. Returns GO_ON with p->bulk set, or a result. */
static int parse_bulk_header(resp_parser *p, char *buf, size_t len, const resp_limits *lim)
{
    size_t cr;
    long long n;
    if (quick_line(buf, p->pos, len, '$', &n, &cr) && n <= lim->max_bulk_len &&
        !(n > UNAUTH_MAX_BULK && lim->unauthenticated)) {
        p->scan = cr;
        p->pos = cr + 2;
        p->bulk = n;
        return GO_ON;
    }
    if (!find_line_end(p, buf, len, '\r', &cr)) {
        if (len - p->pos > lim->max_inline_len) {
            return fail(p, err_bulk_big);
        }
        return need_more(p, len + 1);
    }
    if (cr - p->pos > lim->max_inline_len) {
        return fail(p, err_bulk_big);
    }
    if (cr + 1 >= len) {
        return need_more(p, cr + 2);
    }
    unsigned char c = (unsigned char)buf[p->pos];
    if (c != '$') {
        /* Redis formats the byte with %c and then maps CR and LF in errors to spaces.
         * It cannot be NUL: the line search would have stalled on it. */
        static const char head[] = "Protocol error: expected '$', got '";
        memcpy(p->errbuf, head, sizeof(head) - 1);
        p->errbuf[sizeof(head) - 1] = (char)(c == '\r' || c == '\n' ? ' ' : c);
        p->errbuf[sizeof(head)] = '\'';
        p->errbuf[sizeof(head) + 1] = '\0';
        return fail(p, p->errbuf);
    }
    if (!parse_ll(buf + p->pos + 1, cr - p->pos - 1, &n) || n < 0 || n > lim->max_bulk_len) {
        return fail(p, err_bulk_len);
    }
    if (n > UNAUTH_MAX_BULK && lim->unauthenticated) {
        return fail(p, err_unauth_bulk);
    }
    p->pos = cr + 2;
    p->bulk = n;
    return GO_ON;
}

static size_t grow_target(size_t have, unsigned long long announced)
{
    unsigned long long want = have < ARGV_MIN_GROW / 2 ? ARGV_MIN_GROW : 2ULL * have;
    if (want > announced) {
        want = announced;
    }
    return want > SIZE_MAX ? SIZE_MAX : (size_t)want;
}

static int parse_multibulk(resp_parser *p, char *buf, size_t len, const resp_limits *lim,
                           resp_arg *argv, size_t argv_cap)
{
    int r;
    if (p->multibulk == 0 && (r = parse_count(p, buf, len, lim)) != GO_ON) {
        return r;
    }
    while (p->multibulk > 0) {
        if (p->bulk < 0 && (r = parse_bulk_header(p, buf, len, lim)) != GO_ON) {
            return r;
        }
        /* Data plus the two bytes after it, which Redis skips unchecked. */
        unsigned long long need = (unsigned long long)p->bulk + 2;
        size_t avail = len - p->pos;
        if (avail < need) {
            unsigned long long total = need + p->pos;
            return need_more(p, total > SIZE_MAX ? SIZE_MAX : (size_t)total);
        }
        if (p->argc >= argv_cap) {
            p->argv_want = grow_target(argv_cap, p->argc + (unsigned long long)p->multibulk);
            return RESP_GROW;
        }
        argv[p->argc].off = p->pos;
        argv[p->argc].len = (size_t)p->bulk;
        p->argc++;
        p->pos += (size_t)need;
        p->scan = p->pos;
        p->bulk = -1;
        p->multibulk--;
    }
    return done(p, p->pos, p->argc);
}

/* A whole multibulk request in buf with every line of quick_line's shape and argv big
 * enough: parsed in one pass with the state in locals. Returns RESP_OK, or -1 to let the
 * general path parse it from its start (it then finds the same lines, or the error). */
static int quick_request(resp_parser *p, const char *buf, size_t len, const resp_limits *lim,
                         resp_arg *argv, size_t argv_cap)
{
    long long n, b;
    size_t cr;
    if (!quick_line(buf, 0, len, '*', &n, &cr) || (unsigned long long)n > argv_cap ||
        (n > UNAUTH_MAX_MULTIBULK && lim->unauthenticated)) {
        return -1;
    }
    size_t pos = cr + 2;
    for (long long k = 0; k < n; k++) {
        if (!quick_line(buf, pos, len, '$', &b, &cr) || b > lim->max_bulk_len ||
            (b > UNAUTH_MAX_BULK && lim->unauthenticated)) {
            return -1;
        }
        pos = cr + 2;
        if ((unsigned long long)b + 2 > len - pos) {
            return -1; /* the data is not all here yet */
        }
        argv[k].off = pos;
        argv[k].len = (size_t)b;
        pos += (size_t)b + 2;
    }
    return done(p, pos, (size_t)n);
}

int resp_parse(resp_parser *p, char *buf, size_t len, const resp_limits *lim,
               resp_arg *argv, size_t argv_cap)
{
    if (len == 0) {
        return need_more(p, 1);
    }
    if (p->multibulk == 0 && buf[0] == '*' &&
        quick_request(p, buf, len, lim, argv, argv_cap) == RESP_OK) {
        return RESP_OK;
    }
    if (p->multibulk > 0 || buf[0] == '*') {
        return parse_multibulk(p, buf, len, lim, argv, argv_cap);
    }
    return parse_inline(p, buf, len, lim, argv, argv_cap);
}
