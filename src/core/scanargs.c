/* scanargs.c - SCAN-family option parsing (see scanargs.h). */
#include "core/scanargs.h"

#include <string.h>

#include "base/util.h"
#include "core/dispatch.h"

/* Redis parses the cursor with strtoul and refuses leading space, trailing bytes and
 * overflow; strtoul's quirks stay: "" and "+0" are 0, "-1" wraps to 2^64-1, the string
 * ends at a NUL byte. */
bool scan_cursor_or_reply(client *c, kstr a, uint64_t *out)
{
    const char *nul = memchr(a.p, '\0', a.len);
    size_t len = nul ? (size_t)(nul - a.p) : a.len, i = 0;
    bool neg = false, overflow = false;
    uint64_t v = 0;
    if (len && (a.p[0] == ' ' || (a.p[0] >= '\t' && a.p[0] <= '\r'))) {
        goto invalid;
    }
    if (i < len && (a.p[i] == '+' || a.p[i] == '-')) {
        neg = a.p[i] == '-';
        i++;
    }
    size_t digits = i;
    for (; i < len && a.p[i] >= '0' && a.p[i] <= '9'; i++) {
        unsigned d = (unsigned)(a.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            overflow = true;
        }
        v = v * 10 + d;
    }
    if (i == digits) {
        /* No digits: strtoul consumed nothing, so only the empty string passes. */
        if (len != 0) {
            goto invalid;
        }
        *out = 0;
        return true;
    }
    if (i != len || overflow) {
        goto invalid;
    }
    *out = neg ? (uint64_t)0 - v : v;
    return true;
invalid:
    reply_error(&c->out, "ERR invalid cursor");
    return false;
}

bool scan_opts_or_reply(client *c, int first, unsigned allow, scan_opts *o)
{
    *o = (scan_opts){.count = 10};
    for (int i = first; i < c->argc;) {
        kstr opt = c->argv[i];
        bool has_value = i + 1 < c->argc;
        if (has_value && kstr_is(opt, "count")) {
            if (!arg_ll_or_reply(c, c->argv[i + 1], &o->count)) {
                return false;
            }
            if (o->count < 1) {
                reply_syntax_error(c);
                return false;
            }
            i += 2;
        } else if (has_value && kstr_is(opt, "match")) {
            o->pattern = c->argv[i + 1];
            o->match = !(o->pattern.len == 1 && o->pattern.p[0] == '*');
            i += 2;
        } else if ((allow & SCAN_ALLOW_TYPE) && has_value && kstr_is(opt, "type")) {
            o->type = c->argv[i + 1];
            o->has_type = true;
            i += 2;
        } else if ((allow & SCAN_ALLOW_NOVALUES) && kstr_is(opt, "novalues")) {
            o->novalues = true;
            i++;
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    return true;
}

bool scan_opts_match(const scan_opts *o, const char *p, size_t len)
{
    return !o->match || glob_match(o->pattern.p, o->pattern.len, p, len, false);
}

void scan_reply_empty(client *c)
{
    reply_array(&c->out, 2);
    reply_bulk(&c->out, "0", 1);
    reply_array(&c->out, 0);
}
