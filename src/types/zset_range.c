/* zset_range.c - ranges of sorted sets: the range specs (score and lex bounds, as Redis
 * parses them), the ZRANGE family (ZRANGE with BYSCORE/BYLEX/REV/LIMIT, ZRANGESTORE and
 * the older ZREVRANGE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX), ZCOUNT,
 * ZLEXCOUNT and ZREMRANGEBYRANK/SCORE/LEX. A range goes to a sink: the client reply or a
 * destination key (ZRANGESTORE; the set operations store through zset_store_result too).
 *
 * Behaviour, replies and errors are Redis 7.0's, as for the whole family (types/zset.c).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "db/db.h"
#include "pubsub/notify.h"
#include "types/limits.h"
#include "types/zset_value.h"

#define ERR_MINMAX_FLOAT "ERR min or max is not a float"
#define ERR_MINMAX_LEX "ERR min or max not valid string range item"

/* strtod on a NUL-terminated copy, as Redis reads range bounds: leading spaces, hex and
 * "inf" are accepted, "" is 0, the text ends at an embedded NUL; NaN is refused. */
static bool strtod_whole(const char *p, size_t len, double *out)
{
    char stack[128];
    char *buf = len < sizeof(stack) ? stack : kv_malloc(len + 1);
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end;
    double d = strtod(buf, &end);
    bool ok = *end == '\0' && !isnan(d);
    if (buf != stack) {
        kv_free(buf);
    }
    *out = d;
    return ok;
}

static bool parse_score_bound(kstr a, double *v, bool *ex)
{
    *ex = a.len > 0 && a.p[0] == '(';
    return *ex ? strtod_whole(a.p + 1, a.len - 1, v) : strtod_whole(a.p, a.len, v);
}

static bool score_range_or_reply(client *c, kstr min, kstr max, zrange_score *r)
{
    if (!parse_score_bound(min, &r->min, &r->minex) ||
        !parse_score_bound(max, &r->max, &r->maxex)) {
        reply_error(&c->out, ERR_MINMAX_FLOAT);
        return false;
    }
    return true;
}

/* "-" / "+" (nothing may follow, though Redis stops reading at a NUL), "(x" / "[x". */
static bool parse_lex_bound(kstr a, zlex_bound *b)
{
    if (a.len == 0) {
        return false;
    }
    b->p = a.p + 1;
    b->len = a.len - 1;
    b->inf = 0;
    switch (a.p[0]) {
    case '+':
    case '-':
        if (a.len > 1 && a.p[1] != '\0') {
            return false;
        }
        b->inf = a.p[0] == '+' ? 1 : -1;
        b->ex = true;
        b->p = NULL;
        b->len = 0;
        return true;
    case '(':
        b->ex = true;
        return true;
    case '[':
        b->ex = false;
        return true;
    default:
        return false;
    }
}

static bool lex_range_or_reply(client *c, kstr min, kstr max, zrange_lex *r)
{
    if (!parse_lex_bound(min, &r->min) || !parse_lex_bound(max, &r->max)) {
        reply_error(&c->out, ERR_MINMAX_LEX);
        return false;
    }
    return true;
}

/* Redis's getRangeLongFromObjectOrReply: msg (when given) answers both a non-integer
 * and an out-of-range value. */
void cmd_zcount(client *c)
{
    zrange_score r;
    kobj *o;
    if (!score_range_or_reply(c, c->argv[2], c->argv[3], &r) ||
        !zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_count(&v, false, &r)) : 0);
}

void cmd_zlexcount(client *c)
{
    zrange_lex r;
    kobj *o;
    if (!lex_range_or_reply(c, c->argv[2], c->argv[3], &r) ||
        !zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_count(&v, true, &r)) : 0);
}

/* ======================================================================================
 * The ZRANGE family: result sinks and range emission
 * ==================================================================================== */

/* Where a range goes: the client (optionally with scores), or a destination key whose
 * new value is built as elements arrive and written (or deleted, when empty) at the end. */
typedef struct zsink {
    client *c;
    bool store;
    bool withscores;
    bool nested;     /* RESP3 (member, score) pairs */
    kstr dst;
    size_t n;
    zval acc;        /* store: the value being built */
} zsink;

static void sink_init(zsink *s, client *c, const kstr *dst, bool withscores)
{
    memset(s, 0, sizeof(*s));
    s->c = c;
    s->store = dst != NULL;
    if (dst) {
        s->dst = *dst;
    }
    s->withscores = withscores && !s->store;
    s->nested = s->withscores && zset_pairs_nested(c);
}

/* known: the number of elements that will be emitted (a client reply needs it), or -1
 * when a store does not know it yet. */
static void sink_begin(zsink *s, long long known)
{
    if (s->store) {
        /* As Redis 7.0: a result known to be too long starts as a skiplist; others start
         * packed and convert on the way (which decides whether a -0 score stays -0). */
        s->acc = known > type_limits.zset_max_listpack_entries ? zv_new_skiplist()
                                                               : zv_new_listpack();
    } else {
        reply_array(&s->c->out, (size_t)known * (s->withscores && !s->nested ? 2 : 1));
    }
}

static void sink_emit(zsink *s, kstr m, double score)
{
    s->n++;
    if (s->store) {
        zv_insert_new(&s->acc, score, m);
        return;
    }
    if (s->nested) {
        reply_array(&s->c->out, 2);
    }
    zset_reply_member(s->c, m);
    if (s->withscores) {
        reply_double(&s->c->out, score);
    }
}

/* Makes dst hold v and raises event; an empty v deletes dst instead ("del" when it
 * existed). Replies the size. */
void zset_store_result(client *c, kstr dst, zval *v, const char *event)
{
    size_t n = zv_len(v);
    if (n == 0) {
        zv_free(v);
        if (db_delete(c->db, dst)) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, dst);
        }
        reply_int(&c->out, 0);
        return;
    }
    db_set(c->db, kobj_new_ptr(dst, OBJ_ZSET, v->enc, zv_tagged(v), -1));
    notify_keyspace_event(NOTIFY_ZSET, event, c->db, dst);
    reply_int(&c->out, (long long)n);
}

static void sink_end(zsink *s)
{
    if (s->store) {
        zset_store_result(s->c, s->dst, &s->acc, "zrangestore");
    }
}

static void sink_empty(zsink *s)
{
    sink_begin(s, 0);
    sink_end(s);
}

static void range_by_rank(zsink *s, const zval *v, long long start, long long end, bool rev)
{
    long long llen = (long long)zv_len(v);
    if (!rank_range(&start, &end, llen)) {
        sink_empty(s);
        return;
    }
    long long n = end - start + 1;
    sink_begin(s, n);
    zcur z;
    zc_seek(&z, v, (size_t)(rev ? llen - 1 - start : start));
    for (; n > 0 && zc_ok(&z); n--, zc_move(&z, rev)) {
        sink_emit(s, zc_member(&z), zc_score(&z));
    }
    sink_end(s);
}

/* Whether the element under z is still inside the range on the side the walk heads to. */
static bool still_inside(zcur *z, bool lex, const void *range, bool rev)
{
    if (lex) {
        kstr m = zc_member(z);
        return rev ? zsl_lex_gte_min(m.p, m.len, range) : zsl_lex_lte_max(m.p, m.len, range);
    }
    double score = zc_score(z);
    return rev ? zsl_score_gte_min(score, range) : zsl_score_lte_max(score, range);
}

/* Redis's genericZrangebyscoreCommand / genericZrangebylexCommand. The result is counted
 * before it is emitted so a client reply gets its exact length up front (by ranks on a
 * skiplist score range, by a walk otherwise). */
static void range_by_bounds(zsink *s, const zval *v, bool lex, const void *range,
                            long long offset, long long limit, bool rev)
{
    /* A negative offset skips everything, as Redis's `while (offset--)` does. */
    if ((offset > 0 && offset >= (long long)zv_len(v)) || offset < 0) {
        sink_empty(s);
        return;
    }
    zcur z;
    if (lex) {
        zc_lex_range(&z, v, range, rev);
    } else {
        zc_score_range(&z, v, range, rev);
    }
    zc_skip(&z, (unsigned long long)offset, rev);
    unsigned long long n = 0, cap = limit < 0 ? ULLONG_MAX : (unsigned long long)limit;
    if (zc_ok(&z) && !lex && v->enc == ENC_SKIPLIST) {
        const zskiplist *zsl = &v->zs->zsl;
        zsl_node *end = rev ? zsl_first_in_score(zsl, range) : zsl_last_in_score(zsl, range);
        size_t at = zsl_rank(zsl, z.n), to = end ? zsl_rank(zsl, end) : 0;
        if (end && (rev ? at >= to : to >= at)) {
            n = (rev ? at - to : to - at) + 1;
        }
        n = n < cap ? n : cap;
    } else if (zc_ok(&z)) {
        zcur w = z;
        for (; n < cap && zc_ok(&w) && still_inside(&w, lex, range, rev); zc_move(&w, rev)) {
            n++;
        }
    }
    /* A store starts from "length unknown", as Redis does for these ranges. */
    sink_begin(s, s->store ? -1 : (long long)n);
    for (; n > 0; n--, zc_move(&z, rev)) {
        sink_emit(s, zc_member(&z), zc_score(&z));
    }
    sink_end(s);
}

enum { RT_AUTO, RT_RANK, RT_SCORE, RT_LEX };
enum { DIR_AUTO, DIR_FWD, DIR_REV };

/* Redis's zrangeGenericCommand: ZRANGE, ZRANGESTORE and the legacy forms. The source key
 * is argv[first], min and max follow; options after them. */
static void zrange_generic(client *c, int first, const kstr *dst, int rangetype, int direction)
{
    bool store = dst != NULL, withscores = false;
    long long offset = 0, limit = -1;
    kstr key = c->argv[first];
    kstr minarg = c->argv[first + 1], maxarg = c->argv[first + 2];
    for (int j = first + 3; j < c->argc; j++) {
        kstr a = c->argv[j];
        int left = c->argc - j - 1;
        if (!store && kstr_is(a, "withscores")) {
            withscores = true;
        } else if (kstr_is(a, "limit") && left >= 2) {
            if (!arg_ll_or_reply(c, c->argv[j + 1], &offset) ||
                !arg_ll_or_reply(c, c->argv[j + 2], &limit)) {
                return;
            }
            j += 2;
        } else if (direction == DIR_AUTO && kstr_is(a, "rev")) {
            direction = DIR_REV;
        } else if (rangetype == RT_AUTO && kstr_is(a, "bylex")) {
            rangetype = RT_LEX;
        } else if (rangetype == RT_AUTO && kstr_is(a, "byscore")) {
            rangetype = RT_SCORE;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if (direction == DIR_AUTO) {
        direction = DIR_FWD;
    }
    if (rangetype == RT_AUTO) {
        rangetype = RT_RANK;
    }
    if (limit != -1 && rangetype == RT_RANK) {
        reply_error(&c->out, "ERR syntax error, LIMIT is only supported in combination with "
                             "either BYSCORE or BYLEX");
        return;
    }
    if (withscores && rangetype == RT_LEX) {
        reply_error(&c->out,
                    "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    bool rev = direction == DIR_REV;
    if (rev && rangetype != RT_RANK) {
        kstr t = minarg; /* given as max, min */
        minarg = maxarg;
        maxarg = t;
    }
    long long start = 0, end = 0;
    zrange_score sr;
    zrange_lex lr;
    if (rangetype == RT_RANK) {
        if (!arg_ll_or_reply(c, minarg, &start) || !arg_ll_or_reply(c, maxarg, &end)) {
            return;
        }
    } else if (rangetype == RT_SCORE) {
        if (!score_range_or_reply(c, minarg, maxarg, &sr)) {
            return;
        }
    } else if (!lex_range_or_reply(c, minarg, maxarg, &lr)) {
        return;
    }

    zsink s;
    sink_init(&s, c, dst, withscores);
    kobj *o = db_find_read(c->db, key);
    if (!o) {
        if (store) {
            sink_empty(&s);
        } else {
            reply_empty_array(&c->out);
        }
        return;
    }
    if (kobj_type(o) != OBJ_ZSET) {
        reply_wrongtype(c);
        return;
    }
    zval v = zv_load(o);
    if (rangetype == RT_RANK) {
        range_by_rank(&s, &v, start, end, rev);
    } else if (rangetype == RT_SCORE) {
        range_by_bounds(&s, &v, false, &sr, offset, limit, rev);
    } else {
        range_by_bounds(&s, &v, true, &lr, offset, limit, rev);
    }
}

void cmd_zrange(client *c)
{
    zrange_generic(c, 1, NULL, RT_AUTO, DIR_AUTO);
}

void cmd_zrangestore(client *c)
{
    zrange_generic(c, 2, &c->argv[1], RT_AUTO, DIR_AUTO);
}

void cmd_zrevrange(client *c)
{
    zrange_generic(c, 1, NULL, RT_RANK, DIR_REV);
}

void cmd_zrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RT_SCORE, DIR_FWD);
}

void cmd_zrevrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RT_SCORE, DIR_REV);
}

void cmd_zrangebylex(client *c)
{
    zrange_generic(c, 1, NULL, RT_LEX, DIR_FWD);
}

void cmd_zrevrangebylex(client *c)
{
    zrange_generic(c, 1, NULL, RT_LEX, DIR_REV);
}

/* ======================================================================================
 * ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX
 * ==================================================================================== */

static void zremrange_generic(client *c, int rangetype)
{
    kstr key = c->argv[1];
    long long start = 0, end = 0;
    zrange_score sr;
    zrange_lex lr;
    if (rangetype == RT_RANK) {
        if (!arg_ll_or_reply(c, c->argv[2], &start) || !arg_ll_or_reply(c, c->argv[3], &end)) {
            return;
        }
    } else if (rangetype == RT_SCORE) {
        if (!score_range_or_reply(c, c->argv[2], c->argv[3], &sr)) {
            return;
        }
    } else if (!lex_range_or_reply(c, c->argv[2], c->argv[3], &lr)) {
        return;
    }
    kobj *o;
    if (!zset_write_or_reply(c, key, &o)) {
        return;
    }
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    zval v = zv_load(o);
    size_t deleted;
    if (rangetype == RT_RANK) {
        long long llen = (long long)zv_len(&v);
        if (!rank_range(&start, &end, llen)) {
            reply_int(&c->out, 0);
            return;
        }
        deleted = zv_delete_ranks(&v, (size_t)start, (size_t)end);
    } else if (rangetype == RT_SCORE) {
        deleted = zv_delete_range(&v, false, &sr);
    } else {
        deleted = zv_delete_range(&v, true, &lr);
    }
    db_dirty((long long)deleted);
    if (deleted) {
        static const char *const events[] = {
            [RT_RANK] = "zremrangebyrank", [RT_SCORE] = "zremrangebyscore",
            [RT_LEX] = "zremrangebylex"};
        zset_finish_write(c, o, &v, key, events[rangetype]);
    }
    reply_int(&c->out, (long long)deleted);
}

void cmd_zremrangebyrank(client *c)
{
    zremrange_generic(c, RT_RANK);
}

void cmd_zremrangebyscore(client *c)
{
    zremrange_generic(c, RT_SCORE);
}

void cmd_zremrangebylex(client *c)
{
    zremrange_generic(c, RT_LEX);
}

