/* resp_parse.h - the request parser: RESP2 multibulk and inline commands.
 *
 * A pure function over a buffer: no client, no globals, no replies, no allocation. The
 * caller owns a small resp_parser state (so a request that arrives in pieces is not
 * re-parsed from its start on every read) and an argv array of (offset, length) slices.
 * A request is multibulk iff its first byte is '*'; anything else is an inline line.
 *
 * Buffer contract. `buf` always starts at the first byte of the request being parsed and
 * holds `len` bytes. Between calls that return RESP_NEED_MORE or RESP_GROW the caller may
 * move the bytes (realloc, compact) and append more, but must keep the same request's bytes
 * at the start of buf and never drop bytes from its end. Argument slices are offsets from
 * buf, so they survive the move; they are valid until the caller drops the request's
 * bytes (after RESP_OK it may consume `p->consumed` bytes once it is done with argv). For
 * inline requests the parser rewrites bytes of the line in place (unquoting only
 * shrinks), so buf is not const.
 *
 * Results:
 *   RESP_OK         a whole request: argc slices in argv, p->consumed bytes used. argc may
 *                   be 0 (an empty inline line, "*0\r\n", "*-1\r\n"): skip it.
 *   RESP_NEED_MORE  incomplete; p->need_hint is the total buffer length the parser needs
 *                   before anything can progress (>= len + 1). While a bulk is being read it
 *                   is the length up to the end of that bulk and its CRLF, so a caller
 *                   reading a large value can size its buffer once and read it in one go.
 *   RESP_GROW       argv is full: grow it to at least p->argv_want entries and call again
 *                   (nothing is lost). argv_want is already geometric (double, at least 16)
 *                   and capped at the count the request announced, and it is only asked for
 *                   when an argument has actually arrived: a hostile "*2147483647\r\n"
 *                   makes the caller allocate nothing until arguments come, and then no
 *                   more than twice what came. For an inline line it is the exact count.
 *   RESP_ERROR      malformed: p->error is Redis's message without the "-ERR " prefix, e.g.
 *                   "Protocol error: invalid bulk length". Reply with it and close. It points
 *                   at a static string or at p->errbuf: valid until the next call with p.
 *
 * After RESP_OK or RESP_ERROR the state is reset for the next request automatically.
 *
 * Limits, as Redis 7.0: a line (inline request, "*N" or "$N" header) whose end is not in the
 * first max_inline_len bytes is an error ("too big inline request", "too big mbulk count
 * string", "too big bulk count string"). Redis checks this on what one read brought (16 KB
 * reads), so a line between 64 and 80 KB may pass or fail there depending on timing; here
 * the outcome does not depend on how the bytes were split. As in Redis (whose search is a
 * strchr), a NUL byte before the line end hides it: the request can only end in the
 * "too big" error.
 */
#ifndef KV_RESP_PARSE_H
#define KV_RESP_PARSE_H

#include <stddef.h>

#include "base/splitargs.h"

enum { RESP_OK = 0, RESP_NEED_MORE = 1, RESP_GROW = 2, RESP_ERROR = -1 };

#define RESP_MAX_BULK_LEN_DEFAULT (512LL * 1024 * 1024) /* proto-max-bulk-len */
#define RESP_MAX_INLINE_LEN_DEFAULT ((size_t)64 * 1024) /* PROTO_INLINE_MAX_SIZE */

/* An argument: {off, len}, off from the start of buf. The same type split_args fills, so
 * inline lines are split straight into the caller's argv. */
typedef split_arg resp_arg;

typedef struct resp_limits {
    long long max_bulk_len;   /* proto-max-bulk-len, default 512 MB (a master: LLONG_MAX) */
    size_t max_inline_len;    /* 64 KB: see "Limits" above */
    int unauthenticated;      /* 1: Redis's tighter limits for clients that must AUTH first
                                 (multibulk count > 10, bulk length > 16384 are errors) */
} resp_limits;

typedef struct resp_parser {
    /* results */
    size_t consumed;      /* after RESP_OK: bytes of buf that made the request */
    size_t argc;          /* after RESP_OK: number of arguments */
    size_t need_hint;     /* after RESP_NEED_MORE */
    size_t argv_want;     /* after RESP_GROW */
    const char *error;    /* after RESP_ERROR: static string or errbuf */
    /* private state, set by resp_parser_init */
    size_t pos;           /* start of the first unparsed element of the current request */
    size_t scan;          /* the search for the current line's end has covered [pos, scan) */
    long long multibulk;  /* arguments still expected, 0 while the "*N" line is unparsed */
    long long bulk;       /* length of the bulk being read, -1 while its "$N" is unparsed */
    int stalled;          /* a NUL precedes the current line's end (see "Limits") */
    char errbuf[48];      /* "Protocol error: expected '$', got 'X'" */
} resp_parser;

void resp_parser_init(resp_parser *p);
int resp_parse(resp_parser *p, char *buf, size_t len, const resp_limits *lim,
               resp_arg *argv, size_t argv_cap);

#endif
