/* zset_pop.c - popping sorted sets by score: ZPOPMIN ZPOPMAX ZMPOP, and the blocking
 * BZPOPMIN BZPOPMAX BZMPOP, which wait through core/blocking.h for a key to be served.
 *
 * Behaviour, replies and errors are Redis 7.0's, as for the whole family (types/zset.c).
 */
#include <limits.h>
#include <stdint.h>

#include "base/util.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "db/db.h"
#include "persist/propagate.h"
#include "pubsub/notify.h"
#include "types/zset_value.h"

#define ERR_POSITIVE "ERR value is out of range, must be positive"

/* ======================================================================================
 * ZPOPMIN ZPOPMAX ZMPOP
 * ==================================================================================== */

/* Redis's genericZpopCommand. keys: candidates, the first existing one is popped (a
 * wrong type there is an error). count < 0: no count given (one element). emitkey: the
 * reply names the key (ZMPOP); nested: pairs as arrays; nil_when_empty: a null array,
 * not an empty one, when no key exists. */
static void zpop_generic(client *c, const kstr *keys, int nkeys, bool max, bool emitkey,
                         long long count, bool nested, bool nil_when_empty)
{
    kobj *o = NULL;
    kstr key = {0};
    for (int i = 0; i < nkeys && !o; i++) {
        key = keys[i];
        if (!zset_write_or_reply(c, key, &o)) {
            return;
        }
    }
    if (!o) {
        if (nil_when_empty) {
            reply_null_array(&c->out);
        } else {
            reply_empty_array(&c->out);
        }
        return;
    }
    if (count == 0) {
        reply_empty_array(&c->out);
        return;
    }
    if (count < 0) {
        count = 1;
    }
    zval v = zv_load(o);
    size_t llen = zv_len(&v);
    size_t n = (unsigned long long)count > llen ? llen : (size_t)count;
    if (propagate_on) {
        /* ZMPOP and the blocking forms replay as the plain pop of what they served. */
        char num[24];
        kstr argv[3] = {max ? KSTR_LIT("ZPOPMAX") : KSTR_LIT("ZPOPMIN"), key,
                        kstr_make(num, ll_to_str(num, (long long)n))};
        propagate_rewrite(argv, 3);
    }
    if (!nested && !emitkey) {
        reply_array(&c->out, n * 2);
    } else if (nested && !emitkey) {
        reply_array(&c->out, n);
    } else if (!nested && emitkey) {
        reply_array(&c->out, n * 2 + 1);
        zset_reply_member(c, key);
    } else {
        reply_array(&c->out, 2);
        zset_reply_member(c, key);
        reply_array(&c->out, n);
    }
    zcur z;
    zc_first(&z, &v, max);
    for (size_t i = 0; i < n; i++) {
        if (nested) {
            reply_array(&c->out, 2);
        }
        zset_reply_member(c, zc_member(&z));
        reply_double(&c->out, zc_score(&z));
        if (v.enc == ENC_LISTPACK) {
            zc_move(&z, max);
        } else {
            zsl_node *gone = z.n;
            zc_move(&z, max);
            zs_remove(v.zs, gone);
        }
    }
    if (v.enc == ENC_LISTPACK) {
        v.lp = lp_delete_range(v.lp, max ? -(long)(2 * n) : 0, 2 * n);
    }
    db_dirty((long long)n); /* served blocked pops count too, as in Redis 7.0 */
    zset_finish_write(c, o, &v, key, max ? "zpopmax" : "zpopmin");
}

static void zpop_minmax(client *c, bool max)
{
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    long long count = -1;
    if (c->argc == 3 &&
        !zset_range_ll_or_reply(c, c->argv[2], 0, LLONG_MAX, &count, ERR_POSITIVE)) {
        return;
    }
    zpop_generic(c, &c->argv[1], 1, max, false, count, zset_pairs_nested(c) && c->argc == 3, false);
}

void cmd_zpopmin(client *c)
{
    zpop_minmax(c, false);
}

void cmd_zpopmax(client *c)
{
    zpop_minmax(c, true);
}

/* Parses "numkeys key... MIN|MAX [COUNT n]" from argv[at]; false when an error was sent. */
static bool mpop_args_or_reply(client *c, int at, long long *numkeys, bool *max,
                               long long *count)
{
    if (!zset_range_ll_or_reply(c, c->argv[at], 1, LLONG_MAX, numkeys,
                           "ERR numkeys should be greater than 0")) {
        return false;
    }
    long long where = at + *numkeys + 1;
    if (*numkeys >= c->argc || where >= c->argc) {
        reply_syntax_error(c);
        return false;
    }
    if (kstr_is(c->argv[where], "min")) {
        *max = false;
    } else if (kstr_is(c->argv[where], "max")) {
        *max = true;
    } else {
        reply_syntax_error(c);
        return false;
    }
    *count = -1;
    for (long long j = where + 1; j < c->argc; j++) {
        bool more = j + 1 < c->argc;
        if (*count == -1 && more && kstr_is(c->argv[j], "count")) {
            j++;
            if (!zset_range_ll_or_reply(c, c->argv[j], 1, LLONG_MAX, count,
                                   "ERR count should be greater than 0")) {
                return false;
            }
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    if (*count == -1) {
        *count = 1;
    }
    return true;
}

void cmd_zmpop(client *c)
{
    long long numkeys, count;
    bool max;
    if (!mpop_args_or_reply(c, 1, &numkeys, &max, &count)) {
        return;
    }
    zpop_generic(c, &c->argv[2], (int)numkeys, max, true, count, true, true);
}

/* ---- blocking: BZPOPMIN BZPOPMAX BZMPOP ---- */

/* Pops from the first of keys holding a sorted set (a wrong type before it is an error).
 * True when a reply was sent. */
static bool zpop_first_ready(client *c, const kstr *keys, int nkeys, bool max, long long count,
                             bool nested)
{
    for (int j = 0; j < nkeys; j++) {
        kobj *o;
        if (!zset_write_or_reply(c, keys[j], &o)) {
            return true;
        }
        if (o) {
            zpop_generic(c, &keys[j], 1, max, true, count, nested, false);
            return true;
        }
    }
    return false;
}

/* Serves a client blocked in BZPOPMIN / BZPOPMAX / BZMPOP from key (blocking_serve_fn). */
static bool serve_zpop(client *c, kstr key)
{
    kobj *o = db_find(c->db, key);
    if (!o || kobj_type(o) != OBJ_ZSET) {
        return false;
    }
    if (c->cmd->fn == cmd_bzmpop) {
        long long numkeys, count;
        bool max;
        /* Checked when it blocked: parsing again cannot fail. */
        if (mpop_args_or_reply(c, 2, &numkeys, &max, &count)) {
            zpop_generic(c, &key, 1, max, true, count, true, false);
        }
        return true;
    }
    zpop_generic(c, &key, 1, c->cmd->fn == cmd_bzpopmax, true, -1, false, false);
    return true;
}

static void bzpop_generic(client *c, bool max)
{
    long long timeout;
    if (!blocking_timeout_or_reply(c, c->argv[c->argc - 1], &timeout)) {
        return;
    }
    const kstr *keys = c->argv + 1;
    int nkeys = c->argc - 2;
    if (zpop_first_ready(c, keys, nkeys, max, -1, false)) {
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null_array(&c->out);
        return;
    }
    blocking_block(c, keys, nkeys, timeout, serve_zpop);
}

void cmd_bzpopmin(client *c)
{
    bzpop_generic(c, false);
}

void cmd_bzpopmax(client *c)
{
    bzpop_generic(c, true);
}

/* BZMPOP timeout numkeys key... MIN|MAX [COUNT n]: the arguments are checked before the
 * timeout, as Redis does. */
void cmd_bzmpop(client *c)
{
    long long numkeys, count, timeout;
    bool max;
    if (!mpop_args_or_reply(c, 2, &numkeys, &max, &count) ||
        !blocking_timeout_or_reply(c, c->argv[1], &timeout)) {
        return;
    }
    if (zpop_first_ready(c, &c->argv[3], (int)numkeys, max, count, true)) {
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null_array(&c->out);
        return;
    }
    blocking_block(c, &c->argv[3], (int)numkeys, timeout, serve_zpop);
}

