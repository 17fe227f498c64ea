/* scanargs.h - the arguments of the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN): one parser
 * so that every variant answers bad input with the same Redis errors. */
#ifndef KV_SCANARGS_H
#define KV_SCANARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/client.h"

enum { SCAN_ALLOW_TYPE = 1, SCAN_ALLOW_NOVALUES = 2 };

typedef struct scan_opts {
    long long count;  /* COUNT, 10 by default */
    kstr pattern;     /* MATCH */
    bool match;       /* a pattern other than "*" is in force */
    kstr type;        /* TYPE (SCAN) */
    bool has_type;
    bool novalues;    /* NOVALUES (HSCAN, Redis 7.4) */
} scan_opts;

/* A cursor as Redis parses it (strtoul's quirks kept: "" and "+0" are 0, "-1" wraps);
 * replies "ERR invalid cursor" and returns false otherwise. */
bool scan_cursor_or_reply(client *c, kstr a, uint64_t *out);

/* Parses the options from argv[first] on; `allow` adds TYPE and/or NOVALUES to MATCH and
 * COUNT. Replies (syntax error, not an integer) and returns false on bad input. */
bool scan_opts_or_reply(client *c, int first, unsigned allow, scan_opts *o);

/* True when the bytes pass the MATCH pattern (always when there is none). */
bool scan_opts_match(const scan_opts *o, const char *p, size_t len);

/* The reply of a scan over a missing key: cursor "0" and no elements. */
void scan_reply_empty(client *c);

#endif
