/* zset_setop.c - set algebra on sorted sets: ZUNION ZINTER ZDIFF, ZUNIONSTORE
 * ZINTERSTORE ZDIFFSTORE and ZINTERCARD. Inputs may be plain sets (score 1, as Redis);
 * results are built as unlinked skiplist nodes and written in whichever encoding their
 * size calls for.
 *
 * Behaviour, replies and errors are Redis 7.0's, as for the whole family (types/zset.c).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "db/db.h"
#include "pubsub/notify.h"
#include "types/set.h"
#include "types/zset_value.h"

/* ======================================================================================
 * ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD
 * ==================================================================================== */

/* An input of a set operation: a sorted set or a plain set (score 1), or missing. */
typedef struct zsrc {
    kobj *o;
    zval v;
    bool owned; /* v was built here from a plain set: freed with the operation */
    double weight;
    size_t len;
    int pos; /* position on the command line (stable ordering) */
} zsrc;

static void add_plain_member(void *priv, kstr member)
{
    zv_insert_new(priv, 1.0, member);
}

static size_t src_len(const zsrc *s)
{
    return s->o ? zv_len(&s->v) : 0;
}

static bool src_find(const zsrc *s, kstr m, double *score)
{
    return s->o && zv_score(&s->v, m, score);
}

/* The result of a set operation: unlinked skiplist nodes (one per member), optionally
 * indexed by a member map (the union needs it to aggregate; it becomes the result's map
 * when the result is stored as a skiplist). */
typedef struct zresult {
    ht *map;
    zsl_node **v;
    size_t n, cap;
    size_t maxlen, totlen;
} zresult;

static void result_push(zresult *r, zsl_node *x)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->v = kv_realloc(r->v, sizeof(*r->v) * r->cap);
    }
    r->v[r->n++] = x;
    r->totlen += x->len;
    if (x->len > r->maxlen) {
        r->maxlen = x->len;
    }
}

static int node_order(const void *a, const void *b)
{
    const zsl_node *x = *(zsl_node *const *)a, *y = *(zsl_node *const *)b;
    if (x->score != y->score) {
        return x->score < y->score ? -1 : 1;
    }
    return zsl_cmp_member(x->member, x->len, y->member, y->len);
}

static void result_free(zresult *r)
{
    for (size_t i = 0; i < r->n; i++) {
        zsl_node_free(r->v[i]);
    }
    ht_destroy(r->map);
    kv_free(r->v);
}

/* Turns a sorted result into a value (consuming the result). */
static zval result_value(zresult *r)
{
    zval v;
    if (zset_fits_listpack(r->n, r->maxlen, r->totlen)) {
        v = zv_new_listpack();
        char sbuf[ZSET_SCORE_BUF];
        for (size_t i = 0; i < r->n; i++) {
            zsl_node *x = r->v[i];
            v.lp = lp_append(v.lp, (const uint8_t *)x->member, x->len);
            v.lp = lp_append(v.lp, (const uint8_t *)sbuf, zl_score_text(sbuf, x->score));
        }
        result_free(r);
        return v;
    }
    v.enc = ENC_SKIPLIST;
    v.zs = kv_malloc(sizeof(*v.zs));
    zsl_init(&v.zs->zsl);
    if (!r->map) {
        r->map = ht_create(&zs_node_map_type);
        for (size_t i = 0; i < r->n; i++) {
            ht_insert(r->map, zs_node_hash(r->v[i]), r->v[i]);
        }
    }
    v.zs->map = r->map;
    for (size_t i = 0; i < r->n; i++) {
        zsl_link(&v.zs->zsl, r->v[i]);
    }
    kv_free(r->v);
    memset(r, 0, sizeof(*r));
    return v;
}

enum { AGG_SUM, AGG_MIN, AGG_MAX };
enum { OP_UNION, OP_INTER, OP_DIFF };

static void aggregate(double *target, double val, int agg)
{
    if (agg == AGG_SUM) {
        *target += val;
        if (isnan(*target)) { /* +inf + -inf: Redis's convention is 0 */
            *target = 0.0;
        }
    } else if (agg == AGG_MIN) {
        *target = val < *target ? val : *target;
    } else {
        *target = val > *target ? val : *target;
    }
}

static int src_by_len(const void *a, const void *b)
{
    const zsrc *x = a, *y = b;
    if (x->len != y->len) {
        return x->len < y->len ? -1 : 1;
    }
    return x->pos - y->pos;
}

static void op_union(zsrc *src, long long n, int agg, zresult *r)
{
    r->map = ht_create(&zs_node_map_type);
    for (long long i = 0; i < n; i++) {
        if (src_len(&src[i]) == 0) {
            continue;
        }
        zcur z;
        for (zc_first(&z, &src[i].v, false); zc_ok(&z); zc_next(&z)) {
            double score = src[i].weight * zc_score(&z);
            if (isnan(score)) {
                score = 0;
            }
            kstr m = zc_member(&z);
            uint64_t h = hash_bytes(m.p, m.len);
            zsl_node *x = ht_find(r->map, h, &m);
            if (x) {
                aggregate(&x->score, score, agg);
            } else {
                x = zsl_node_new(score, m.p, m.len);
                ht_insert(r->map, h, x);
                result_push(r, x);
            }
        }
    }
}

/* Iterates src[0] (the smallest), keeping members present in every input. With
 * card_only, counts instead (stopping at limit when limit > 0). */
static size_t op_inter(zsrc *src, long long n, int agg, zresult *r, bool card_only,
                       long long limit)
{
    size_t card = 0;
    if (src_len(&src[0]) == 0) {
        return 0;
    }
    zcur z;
    for (zc_first(&z, &src[0].v, false); zc_ok(&z); zc_next(&z)) {
        double s0 = zc_score(&z);
        double score = src[0].weight * s0;
        if (isnan(score)) {
            score = 0;
        }
        kstr m = zc_member(&z);
        long long j;
        for (j = 1; j < n; j++) {
            double value;
            if (src[j].o == src[0].o) {
                value = s0 * src[j].weight;
            } else if (src_find(&src[j], m, &value)) {
                value *= src[j].weight;
            } else {
                break;
            }
            aggregate(&score, value, agg);
        }
        if (j < n) {
            continue;
        }
        if (card_only) {
            card++;
            if (limit && card >= (unsigned long long)limit) {
                break;
            }
        } else {
            result_push(r, zsl_node_new(score, m.p, m.len));
        }
    }
    return card;
}

static void op_diff(zsrc *src, long long n, zresult *r)
{
    if (src_len(&src[0]) == 0) {
        return;
    }
    zcur z;
    for (zc_first(&z, &src[0].v, false); zc_ok(&z); zc_next(&z)) {
        kstr m = zc_member(&z);
        long long j;
        for (j = 1; j < n; j++) {
            double ignored;
            if (src[j].o == src[0].o || src_find(&src[j], m, &ignored)) {
                break;
            }
        }
        if (j == n) {
            result_push(r, zsl_node_new(zc_score(&z), m.p, m.len));
        }
    }
}

/* Redis's zunionInterDiffGenericCommand. dst: store destination (or NULL); numkeys at
 * argv[at]; card_only: ZINTERCARD. */
static void setop_generic(client *c, const kstr *dst, int at, int op, bool card_only)
{
    long long n;
    if (!arg_ll_or_reply(c, c->argv[at], &n)) {
        return;
    }
    if (n < 1) {
        reply_errorf(&c->out, "ERR at least 1 input key is needed for '%s' command",
                     c->cmd->fullname);
        return;
    }
    if (n > c->argc - (at + 1)) {
        reply_syntax_error(c);
        return;
    }
    zsrc *src = kv_calloc(sizeof(*src) * (size_t)n);
    int j = at + 1;
    for (long long i = 0; i < n; i++, j++) {
        /* lookupKeyRead for the STORE forms too, as Redis 7.0 (stats, keymiss). */
        kobj *o = db_find_read(c->db, c->argv[j]);
        if (o && kobj_type(o) != OBJ_ZSET && kobj_type(o) != OBJ_SET) {
            reply_wrongtype(c);
            goto done;
        }
        src[i].o = o;
        if (o && kobj_type(o) == OBJ_SET) {
            src[i].v = zv_new_skiplist(); /* a plain set: every member scores 1 */
            src[i].owned = true;
            set_value_each(o, add_plain_member, &src[i].v);
        } else if (o) {
            src[i].v = zv_load(o);
        }
        src[i].weight = 1.0;
        src[i].pos = (int)i;
    }

    int agg = AGG_SUM;
    bool withscores = false;
    long long limit = 0;
    while (j < c->argc) {
        int remaining = c->argc - j;
        kstr a = c->argv[j];
        if (op != OP_DIFF && !card_only && remaining >= n + 1 && kstr_is(a, "weights")) {
            j++;
            for (long long i = 0; i < n; i++, j++) {
                if (!str_to_d(c->argv[j].p, c->argv[j].len, &src[i].weight)) {
                    reply_error(&c->out, "ERR weight value is not a float");
                    goto done;
                }
            }
        } else if (op != OP_DIFF && !card_only && remaining >= 2 && kstr_is(a, "aggregate")) {
            kstr w = c->argv[j + 1];
            if (kstr_is(w, "sum")) {
                agg = AGG_SUM;
            } else if (kstr_is(w, "min")) {
                agg = AGG_MIN;
            } else if (kstr_is(w, "max")) {
                agg = AGG_MAX;
            } else {
                reply_syntax_error(c);
                goto done;
            }
            j += 2;
        } else if (remaining >= 1 && !dst && !card_only && kstr_is(a, "withscores")) {
            j++;
            withscores = true;
        } else if (card_only && remaining >= 2 && kstr_is(a, "limit")) {
            if (!zset_range_ll_or_reply(c, c->argv[j + 1], 0, LLONG_MAX, &limit,
                                   "ERR LIMIT can't be negative")) {
                goto done;
            }
            j += 2;
        } else {
            reply_syntax_error(c);
            goto done;
        }
    }

    for (long long i = 0; i < n; i++) {
        src[i].len = src_len(&src[i]);
    }
    if (op != OP_DIFF) {
        qsort(src, (size_t)n, sizeof(*src), src_by_len);
    }
    zresult r = {0};
    if (op == OP_INTER) {
        size_t card = op_inter(src, n, agg, &r, card_only, limit);
        if (card_only) {
            reply_int(&c->out, (long long)card);
            goto done;
        }
    } else if (op == OP_UNION) {
        op_union(src, n, agg, &r);
    } else {
        op_diff(src, n, &r);
    }
    if (r.n > 1) {
        qsort(r.v, r.n, sizeof(*r.v), node_order);
    }

    if (dst) {
        const char *event = op == OP_INTER   ? "zinterstore"
                            : op == OP_UNION ? "zunionstore"
                                             : "zdiffstore";
        if (r.n == 0) {
            result_free(&r);
            if (db_delete(c->db, *dst)) {
                notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, *dst);
            }
            reply_int(&c->out, 0);
        } else {
            zval v = result_value(&r);
            zset_store_result(c, *dst, &v, event);
        }
        goto done;
    }
    bool nested = withscores && zset_pairs_nested(c);
    reply_array(&c->out, r.n * (withscores && !nested ? 2 : 1));
    for (size_t i = 0; i < r.n; i++) {
        if (nested) {
            reply_array(&c->out, 2);
        }
        reply_bulk(&c->out, r.v[i]->member, r.v[i]->len);
        if (withscores) {
            reply_double(&c->out, r.v[i]->score);
        }
    }
    result_free(&r);
done:
    for (long long i = 0; i < n; i++) {
        if (src[i].owned) {
            zv_free(&src[i].v);
        }
    }
    kv_free(src);
}

void cmd_zunion(client *c)
{
    setop_generic(c, NULL, 1, OP_UNION, false);
}

void cmd_zinter(client *c)
{
    setop_generic(c, NULL, 1, OP_INTER, false);
}

void cmd_zdiff(client *c)
{
    setop_generic(c, NULL, 1, OP_DIFF, false);
}

void cmd_zunionstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_UNION, false);
}

void cmd_zinterstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_INTER, false);
}

void cmd_zdiffstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_DIFF, false);
}

void cmd_zintercard(client *c)
{
    setop_generic(c, NULL, 1, OP_INTER, true);
}

