/* scanargs.c - SCAN-family option parsing (see scanargs.h). */
#include "core/scanargs.h"

#include "base/util.h"
#include "core/dispatch.h"

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
