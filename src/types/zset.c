/* zset.c - the sorted-set family: ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZRANK ZREVRANK
 * ZRANDMEMBER ZSCAN, the lookups and reply helpers every Z* command uses, and the
 * family's command table. The value is types/zset_value.c; ranges, set algebra and pops
 * are types/zset_range.c, types/zset_setop.c and types/zset_pop.c.
 *
 * Behaviour, replies, error texts and the order in which errors are detected are Redis
 * 7.0's (ZRANK/ZREVRANK WITHSCORE is Redis 7.2's). Read commands count keyspace hits and
 * misses as Redis's lookupKeyRead does; writers refresh the LRU clock and call db_touch
 * after changing a value in place. A write that empties a set deletes the key.
 */
#include <limits.h>
#include <stdint.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/rand.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "core/scanargs.h"
#include "db/db.h"
#include "db/evict.h"
#include "pubsub/notify.h"
#include "types/limits.h"
#include "types/zset_value.h"

#define ERR_NAN "ERR resulting score is not a number (NaN)"

/* ======================================================================================
 * Shared helpers for the commands
 * ==================================================================================== */

/* lookupKeyRead + checkType. False when WRONGTYPE was sent; *out is NULL when absent. */
bool zset_read_or_reply(client *c, kstr key, kobj **out)
{
    kobj *o = db_find_read(c->db, key);
    if (o && kobj_type(o) != OBJ_ZSET) {
        reply_wrongtype(c);
        return false;
    }
    *out = o;
    return true;
}

/* lookupKeyWrite + checkType: lazy expiry and an LRU refresh, no statistics. */
bool zset_write_or_reply(client *c, kstr key, kobj **out)
{
    kobj *o = db_find(c->db, key);
    if (o) {
        evict_touch(o);
        if (kobj_type(o) != OBJ_ZSET) {
            reply_wrongtype(c);
            return false;
        }
    }
    *out = o;
    return true;
}

/* After a write: store the (possibly moved) value and raise event, then delete the key if
 * it emptied ("del"), else signal the change. */
void zset_finish_write(client *c, kobj *o, zval *v, kstr key, const char *event)
{
    zv_store(o, v);
    notify_keyspace_event(NOTIFY_ZSET, event, c->db, key);
    if (zv_len(v) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
    } else {
        db_touch(c->db, key);
    }
}

/* (member, score) lists: flat in RESP2, two-element arrays in RESP3 (Redis 7.0's shape
 * for WITHSCORES, ZPOP with a count, ZRANDMEMBER ... WITHSCORES). These two belong in the
 * reply module, which alone should know RESP versions; kept here until it has them. */
bool zset_pairs_nested(const client *c)
{
    return c->out.resp > 2;
}

void zset_reply_member(client *c, kstr m)
{
    reply_bulk(&c->out, m.p, m.len);
}

static void reply_arity(client *c)
{
    reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", c->cmd->fullname);
}

bool zset_range_ll_or_reply(client *c, kstr a, long long min, long long max, long long *out,
                              const char *msg)
{
    long long v;
    if (!str_to_ll(a.p, a.len, &v)) {
        reply_error(&c->out, msg ? msg : ERR_NOT_INT);
        return false;
    }
    if (v < min || v > max) {
        if (msg) {
            reply_error(&c->out, msg);
        } else {
            reply_errorf(&c->out, "ERR value is out of range, value must between %lld and %lld",
                         min, max);
        }
        return false;
    }
    *out = v;
    return true;
}

/* ======================================================================================
 * ZADD ZINCRBY ZREM ZSCORE ZMSCORE ZCARD ZCOUNT ZLEXCOUNT ZRANK ZREVRANK
 * ==================================================================================== */

static void zadd_generic(client *c, int flags)
{
    kstr key = c->argv[1];
    bool ch = false;
    int idx = 2;
    for (; idx < c->argc; idx++) {
        kstr a = c->argv[idx];
        if (kstr_is(a, "nx")) {
            flags |= ZA_NX;
        } else if (kstr_is(a, "xx")) {
            flags |= ZA_XX;
        } else if (kstr_is(a, "ch")) {
            ch = true;
        } else if (kstr_is(a, "incr")) {
            flags |= ZA_INCR;
        } else if (kstr_is(a, "gt")) {
            flags |= ZA_GT;
        } else if (kstr_is(a, "lt")) {
            flags |= ZA_LT;
        } else {
            break;
        }
    }
    int elements = c->argc - idx;
    if (elements % 2 || elements == 0) {
        reply_syntax_error(c);
        return;
    }
    elements /= 2;
    if ((flags & ZA_NX) && (flags & ZA_XX)) {
        reply_error(&c->out, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if (((flags & ZA_GT) && (flags & ZA_NX)) || ((flags & ZA_LT) && (flags & ZA_NX)) ||
        ((flags & ZA_GT) && (flags & ZA_LT))) {
        reply_error(&c->out,
                    "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if ((flags & ZA_INCR) && elements > 1) {
        reply_error(&c->out, "ERR INCR option supports a single increment-element pair");
        return;
    }

    double one, *scores = elements == 1 ? &one : kv_malloc(sizeof(double) * (size_t)elements);
    for (int j = 0; j < elements; j++) {
        if (!arg_double_or_reply(c, c->argv[idx + 2 * j], &scores[j])) {
            goto done;
        }
    }

    kobj *o;
    if (!zset_write_or_reply(c, key, &o)) {
        goto done;
    }
    long long added = 0, updated = 0, processed = 0;
    double newscore = 0;
    bool nan = false;
    if (!o && !(flags & ZA_XX)) {
        /* Redis sizes the new set by its first member only; later ones convert as needed. */
        zval nv = type_limits.zset_max_listpack_entries == 0 ||
                          (size_t)type_limits.zset_max_listpack_value < c->argv[idx + 1].len
                      ? zv_new_skiplist()
                      : zv_new_listpack();
        o = kobj_new_ptr(key, OBJ_ZSET, nv.enc, zv_tagged(&nv), -1);
        db_add(c->db, o);
    }
    if (o) {
        zval v = zv_load(o);
        for (int j = 0; j < elements; j++) {
            int out;
            if (!zv_add(&v, scores[j], c->argv[idx + 2 * j + 1], flags, &out, &newscore)) {
                nan = true; /* earlier elements stay added, as in Redis */
                break;
            }
            added += (out & ZA_OUT_ADDED) != 0;
            updated += (out & ZA_OUT_UPDATED) != 0;
            processed += (out & ZA_OUT_NOP) == 0;
        }
        zv_store(o, &v);
        db_dirty(added + updated);
        if (zv_len(&v) == 0) {
            db_delete(c->db, key); /* created for a first element that failed */
        } else if (added || updated) {
            db_touch(c->db, key);
        }
        if (added || updated) {
            notify_keyspace_event(NOTIFY_ZSET, (flags & ZA_INCR) ? "zincr" : "zadd", c->db, key);
        }
    }
    if (nan) {
        reply_error(&c->out, ERR_NAN);
    } else if (flags & ZA_INCR) {
        if (processed) {
            reply_double(&c->out, newscore);
        } else {
            reply_null(&c->out);
        }
    } else {
        reply_int(&c->out, ch ? added + updated : added);
    }
done:
    if (scores != &one) {
        kv_free(scores);
    }
}

static void cmd_zadd(client *c)
{
    zadd_generic(c, 0);
}

static void cmd_zincrby(client *c)
{
    zadd_generic(c, ZA_INCR);
}

static void cmd_zrem(client *c)
{
    kstr key = c->argv[1];
    kobj *o;
    if (!zset_write_or_reply(c, key, &o)) {
        return;
    }
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    zval v = zv_load(o);
    long long deleted = 0;
    for (int j = 2; j < c->argc && zv_len(&v) > 0; j++) {
        deleted += zv_delete(&v, c->argv[j]);
    }
    db_dirty(deleted);
    if (deleted) {
        zset_finish_write(c, o, &v, key, "zrem");
    }
    reply_int(&c->out, deleted);
}

static void cmd_zscore(client *c)
{
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    double score;
    zval v;
    if (o && (v = zv_load(o), zv_score(&v, c->argv[2], &score))) {
        reply_double(&c->out, score);
    } else {
        reply_null(&c->out);
    }
}

static void cmd_zmscore(client *c)
{
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    if (o) {
        v = zv_load(o);
    }
    reply_array(&c->out, (size_t)(c->argc - 2));
    for (int j = 2; j < c->argc; j++) {
        double score;
        if (o && zv_score(&v, c->argv[j], &score)) {
            reply_double(&c->out, score);
        } else {
            reply_null(&c->out);
        }
    }
}

static void cmd_zcard(client *c)
{
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_len(&v)) : 0);
}

/* ZRANK / ZREVRANK key member [WITHSCORE] (WITHSCORE: Redis 7.2). */
static void zrank_generic(client *c, bool rev)
{
    if (c->argc > 4) {
        reply_arity(c);
        return;
    }
    bool withscore = false;
    if (c->argc == 4) {
        if (!kstr_is(c->argv[3], "withscore")) {
            reply_syntax_error(c);
            return;
        }
        withscore = true;
    }
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    double score = 0;
    long long rank = -1;
    if (o) {
        zval v = zv_load(o);
        rank = zv_rank(&v, c->argv[2], rev, &score);
    }
    if (rank < 0) {
        if (withscore) {
            reply_null_array(&c->out);
        } else {
            reply_null(&c->out);
        }
        return;
    }
    if (withscore) {
        reply_array(&c->out, 2);
    }
    reply_int(&c->out, rank);
    if (withscore) {
        reply_double(&c->out, score);
    }
}

static void cmd_zrank(client *c)
{
    zrank_generic(c, false);
}

static void cmd_zrevrank(client *c)
{
    zrank_generic(c, true);
}

/* ======================================================================================
 * ZRANDMEMBER
 * ==================================================================================== */

/* Entry positions of a listpack's members, for O(1) random picks. */
static uint8_t **lp_members(const zval *v, size_t *n)
{
    *n = zl_len(v->lp);
    uint8_t **ps = kv_malloc(sizeof(*ps) * (*n ? *n : 1));
    size_t i = 0;
    for (uint8_t *p = lp_first(v->lp); p; p = lp_next(v->lp, lp_next(v->lp, p))) {
        ps[i++] = p;
    }
    return ps;
}

static void emit_pick(client *c, const zval *v, uint8_t *p, zsl_node *n, bool withscores)
{
    if (withscores && zset_pairs_nested(c)) {
        reply_array(&c->out, 2);
    }
    if (p) {
        uint8_t buf[LP_INTBUF_SIZE];
        zset_reply_member(c, zl_member(p, buf));
        if (withscores) {
            reply_double(&c->out, zl_score(lp_next(v->lp, p)));
        }
    } else {
        reply_bulk(&c->out, n->member, n->len);
        if (withscores) {
            reply_double(&c->out, n->score);
        }
    }
}

/* Pointer set for distinct picks from a big skiplist (entries are node pointers). */
static uint64_t ptr_hash(const void *e)
{
    uintptr_t p = (uintptr_t)e;
    return hash_bytes(&p, sizeof(p));
}

static bool ptr_match(const void *e, const void *key)
{
    return e == key;
}

static const ht_type ptr_set_type = {ptr_hash, ptr_match, NULL};

static void zrandmember_count(client *c, long long count, bool withscores)
{
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o || count == 0) {
        reply_empty_array(&c->out);
        return;
    }
    zval v = zv_load(o);
    size_t size = zv_len(&v);
    bool unique = count > 0;
    size_t want = unique ? (size_t)count : (size_t)(-(count + 1)) + 1;
    size_t mult = withscores && !zset_pairs_nested(c) ? 2 : 1;

    /* With repetitions (negative count), or a single element: independent picks. */
    if (!unique || want == 1) {
        reply_array(&c->out, want * mult);
        size_t np = 0;
        uint8_t **ps = v.enc == ENC_LISTPACK ? lp_members(&v, &np) : NULL;
        for (size_t i = 0; i < want; i++) {
            if (ps) {
                emit_pick(c, &v, ps[rand_below(np)], NULL, withscores);
            } else {
                emit_pick(c, &v, NULL, zsl_at_rank(&v.zs->zsl, 1 + rand_below(size)), withscores);
            }
        }
        kv_free(ps);
        return;
    }
    size_t n = want < size ? want : size;
    reply_array(&c->out, n * mult);
    /* The whole set, from the highest score down (Redis walks it with its set-operation
     * iterator, which runs backward). */
    if (want >= size) {
        zcur z;
        for (zc_first(&z, &v, true); zc_ok(&z); zc_prev(&z)) {
            if (withscores && zset_pairs_nested(c)) {
                reply_array(&c->out, 2);
            }
            zset_reply_member(c, zc_member(&z));
            if (withscores) {
                reply_double(&c->out, zc_score(&z));
            }
        }
        return;
    }
    /* Distinct picks: a partial shuffle when the sample is a large part of the set (or
     * the set is a listpack), else random ranks deduplicated through a pointer set. */
    if (v.enc == ENC_LISTPACK || want * 3 > size) {
        size_t np = 0;
        void **all;
        if (v.enc == ENC_LISTPACK) {
            all = (void **)lp_members(&v, &np);
        } else {
            np = size;
            all = kv_malloc(sizeof(*all) * np);
            size_t i = 0;
            for (zsl_node *x = zsl_first(&v.zs->zsl); x; x = zsl_next(x)) {
                all[i++] = x;
            }
        }
        for (size_t i = 0; i < n; i++) {
            size_t j = i + rand_below(np - i);
            void *t = all[i];
            all[i] = all[j];
            all[j] = t;
            if (v.enc == ENC_LISTPACK) {
                emit_pick(c, &v, all[i], NULL, withscores);
            } else {
                emit_pick(c, &v, NULL, all[i], withscores);
            }
        }
        kv_free(all);
        return;
    }
    ht *seen = ht_create(&ptr_set_type);
    while (ht_size(seen) < n) {
        zsl_node *x = zsl_at_rank(&v.zs->zsl, 1 + rand_below(size));
        uint64_t h = ptr_hash(x);
        if (!ht_find(seen, h, x)) {
            ht_insert(seen, h, x);
            emit_pick(c, &v, NULL, x, withscores);
        }
    }
    ht_destroy(seen);
}

static void cmd_zrandmember(client *c)
{
    if (c->argc >= 3) {
        long long count;
        if (!zset_range_ll_or_reply(c, c->argv[2], -LLONG_MAX, LLONG_MAX, &count, NULL)) {
            return;
        }
        if (c->argc > 4 || (c->argc == 4 && !kstr_is(c->argv[3], "withscores"))) {
            reply_syntax_error(c);
            return;
        }
        bool withscores = c->argc == 4;
        if (withscores && (count < -LLONG_MAX / 2 || count > LLONG_MAX / 2)) {
            reply_error(&c->out, "ERR value is out of range");
            return;
        }
        zrandmember_count(c, count, withscores);
        return;
    }
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
        return;
    }
    zval v = zv_load(o);
    zcur z;
    zc_seek(&z, &v, rand_below(zv_len(&v)));
    zset_reply_member(c, zc_member(&z));
}

/* ======================================================================================
 * ZSCAN
 * ==================================================================================== */

typedef struct scan_acc {
    zsl_node **v;
    size_t n, cap;
} scan_acc;

static void scan_one(void *priv, void *entry)
{
    scan_acc *s = priv;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = kv_realloc(s->v, sizeof(*s->v) * s->cap);
    }
    s->v[s->n++] = entry;
}

static void cmd_zscan(client *c)
{
    uint64_t cursor;
    if (!scan_cursor_or_reply(c, c->argv[2], &cursor)) {
        return;
    }
    kobj *o;
    if (!zset_read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        scan_reply_empty(c);
        return;
    }
    scan_opts opts;
    if (!scan_opts_or_reply(c, 3, 0, &opts)) {
        return;
    }
    long long count = opts.count;
    zval v = zv_load(o);
    char cbuf[24];
    if (v.enc == ENC_LISTPACK) {
        /* A packed set is returned whole, with cursor 0, scores as stored. */
        uint8_t mbuf[LP_INTBUF_SIZE], sbuf[LP_INTBUF_SIZE];
        size_t kept = 0;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                reply_array(&c->out, 2);
                reply_bulk(&c->out, "0", 1);
                reply_array(&c->out, kept * 2);
            }
            for (uint8_t *p = lp_first(v.lp); p; p = lp_next(v.lp, lp_next(v.lp, p))) {
                kstr m = zl_member(p, mbuf);
                if (!scan_opts_match(&opts, m.p, m.len)) {
                    continue;
                }
                if (pass == 0) {
                    kept++;
                    continue;
                }
                zset_reply_member(c, m);
                zset_reply_member(c, zl_member(lp_next(v.lp, p), sbuf));
            }
        }
        return;
    }
    long long max_buckets = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    scan_acc s = {0};
    do {
        cursor = ht_scan(v.zs->map, cursor, scan_one, &s);
    } while (cursor && max_buckets-- > 0 && s.n < (unsigned long long)count);
    size_t kept = 0;
    for (size_t i = 0; i < s.n; i++) {
        zsl_node *x = s.v[i];
        if (scan_opts_match(&opts, x->member, x->len)) {
            s.v[kept++] = x;
        }
    }
    reply_array(&c->out, 2);
    reply_bulk(&c->out, cbuf, ull_to_str(cbuf, cursor));
    reply_array(&c->out, kept * 2);
    char sbuf[ZSET_SCORE_BUF];
    for (size_t i = 0; i < kept; i++) {
        reply_bulk(&c->out, s.v[i]->member, s.v[i]->len);
        reply_bulk(&c->out, sbuf, zset_score_text(sbuf, s.v[i]->score));
    }
    kv_free(s.v);
}

/* ======================================================================================
 * Command table
 * ==================================================================================== */

#define RO_FAST (CMD_READONLY | CMD_FAST)
#define W_FAST (CMD_WRITE | CMD_FAST)
#define RO_ACC (KS_RO | KS_ACCESS)

command zset_commands[] = {
    {"zadd", cmd_zadd, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE,
     "sorted-set",
     "Add one or more members to a sorted set, or update its score if it already exists",
     "1.2.0", "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     NULL, NULL},
    {"zincrby", cmd_zincrby, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1,
     KS_RW | KS_ACCESS | KS_UPDATE, "sorted-set", "Increment the score of a member in a sorted set",
     "1.2.0", "O(log(N)) where N is the number of elements in the sorted set.", NULL, NULL},
    {"zrem", cmd_zrem, -3, W_FAST, 1, 1, 1, KS_RW | KS_DELETE, "sorted-set",
     "Remove one or more members from a sorted set", "1.2.0",
     "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
     "elements to be removed.",
     NULL, NULL},
    {"zscore", cmd_zscore, 3, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Get the score associated with the given member in a sorted set", "1.2.0", "O(1)", NULL,
     NULL},
    {"zmscore", cmd_zmscore, -3, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Get the score associated with the given members in a sorted set", "6.2.0",
     "O(N) where N is the number of members being requested.", NULL, NULL},
    {"zcard", cmd_zcard, 2, RO_FAST, 1, 1, 1, KS_RO, "sorted-set",
     "Get the number of members in a sorted set", "1.2.0", "O(1)", NULL, NULL},
    {"zcount", cmd_zcount, 4, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Count the members in a sorted set with scores within the given values", "2.0.0",
     "O(log(N)) with N being the number of elements in the sorted set.", NULL, NULL},
    {"zlexcount", cmd_zlexcount, 4, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Count the number of members in a sorted set between a given lexicographical range",
     "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.", NULL, NULL},
    {"zrange", cmd_zrange, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set", "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     NULL, NULL},
    {"zrangestore", cmd_zrangestore, -5, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, KS_OW | KS_UPDATE,
     "sorted-set", "Store a range of members from sorted set into another key", "6.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements stored into the destination key.",
     NULL, NULL},
    {"zrangebyscore", cmd_zrangebyscore, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set, by score", "1.0.5",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N)).",
     NULL, NULL},
    {"zrevrangebyscore", cmd_zrevrangebyscore, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set, by score, with scores ordered from high to "
     "low",
     "2.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N)).",
     NULL, NULL},
    {"zrangebylex", cmd_zrangebylex, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set, by lexicographical range", "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N)).",
     NULL, NULL},
    {"zrevrangebylex", cmd_zrevrangebylex, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
     "to lower strings.",
     "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
     "with LIMIT), you can consider it O(log(N)).",
     NULL, NULL},
    {"zrevrange", cmd_zrevrange, -4, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Return a range of members in a sorted set, by index, with scores ordered from high to "
     "low",
     "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     NULL, NULL},
    /* Arity -3, not 7.0's 3: WITHSCORE (7.2) is accepted. */
    {"zrank", cmd_zrank, -3, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Determine the index of a member in a sorted set", "2.0.0", "O(log(N))", NULL, NULL},
    {"zrevrank", cmd_zrevrank, -3, RO_FAST, 1, 1, 1, RO_ACC, "sorted-set",
     "Determine the index of a member in a sorted set, with scores ordered from high to low",
     "2.0.0", "O(log(N))", NULL, NULL},
    {"zpopmin", cmd_zpopmin, -2, W_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_DELETE, "sorted-set",
     "Remove and return members with the lowest scores in a sorted set", "5.0.0",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
     "number of elements popped.",
     NULL, NULL},
    {"zpopmax", cmd_zpopmax, -2, W_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_DELETE, "sorted-set",
     "Remove and return members with the highest scores in a sorted set", "5.0.0",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
     "number of elements popped.",
     NULL, NULL},
    {"zmpop", cmd_zmpop, -4, CMD_WRITE, 0, 0, 0, KS_RW | KS_ACCESS | KS_DELETE, "sorted-set",
     "Remove and return members with scores in a sorted set", "7.0.0",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
     "elements in the sorted set, and M being the number of elements popped.",
     NULL, NULL},
    {"bzpopmin", cmd_bzpopmin, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, 1, -2, 1,
     KS_RW | KS_ACCESS | KS_DELETE, "sorted-set",
     "Remove and return the member with the lowest score from one or more sorted sets, or "
     "block until one is available",
     "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", NULL, NULL},
    {"bzpopmax", cmd_bzpopmax, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST, 1, -2, 1,
     KS_RW | KS_ACCESS | KS_DELETE, "sorted-set",
     "Remove and return the member with the highest score from one or more sorted sets, or "
     "block until one is available",
     "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.", NULL, NULL},
    {"bzmpop", cmd_bzmpop, -5, CMD_WRITE | CMD_BLOCKING, 0, 0, 0, KS_RW | KS_ACCESS | KS_DELETE,
     "sorted-set",
     "Remove and return members with scores in a sorted set or block until one is available",
     "7.0.0",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
     "elements in the sorted set, and M being the number of elements popped.",
     NULL, NULL},
    {"zrandmember", cmd_zrandmember, -2, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Get one or multiple random elements from a sorted set", "6.2.0",
     "O(N) where N is the number of elements returned", NULL, NULL},
    {"zunion", cmd_zunion, -3, CMD_READONLY, 0, 0, 0, RO_ACC, "sorted-set",
     "Add multiple sorted sets", "6.2.0",
     "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
     "the number of elements in the resulting sorted set.",
     NULL, NULL},
    {"zinter", cmd_zinter, -3, CMD_READONLY, 0, 0, 0, RO_ACC, "sorted-set",
     "Intersect multiple sorted sets", "6.2.0",
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
     "number of input sorted sets and M being the number of elements in the resulting sorted "
     "set.",
     NULL, NULL},
    {"zdiff", cmd_zdiff, -3, CMD_READONLY, 0, 0, 0, RO_ACC, "sorted-set",
     "Subtract multiple sorted sets", "6.2.0",
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
     "is the size of the first set, and K is the size of the result set.",
     NULL, NULL},
    {"zunionstore", cmd_zunionstore, -4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, KS_OW | KS_UPDATE,
     "sorted-set", "Add multiple sorted sets and store the resulting sorted set in a new key",
     "2.0.0",
     "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
     "the number of elements in the resulting sorted set.",
     NULL, NULL},
    {"zinterstore", cmd_zinterstore, -4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, KS_OW | KS_UPDATE,
     "sorted-set",
     "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0",
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
     "number of input sorted sets and M being the number of elements in the resulting sorted "
     "set.",
     NULL, NULL},
    {"zdiffstore", cmd_zdiffstore, -4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, KS_OW | KS_UPDATE,
     "sorted-set",
     "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0",
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
     "is the size of the first set, and K is the size of the result set.",
     NULL, NULL},
    {"zintercard", cmd_zintercard, -3, CMD_READONLY, 0, 0, 0, RO_ACC, "sorted-set",
     "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0",
     "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
     "input sorted sets.",
     NULL, NULL},
    {"zremrangebyrank", cmd_zremrangebyrank, 4, CMD_WRITE, 1, 1, 1, KS_RW | KS_DELETE,
     "sorted-set", "Remove all members in a sorted set within the given indexes", "2.0.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation.",
     NULL, NULL},
    {"zremrangebyscore", cmd_zremrangebyscore, 4, CMD_WRITE, 1, 1, 1, KS_RW | KS_DELETE,
     "sorted-set", "Remove all members in a sorted set within the given scores", "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation.",
     NULL, NULL},
    {"zremrangebylex", cmd_zremrangebylex, 4, CMD_WRITE, 1, 1, 1, KS_RW | KS_DELETE,
     "sorted-set",
     "Remove all members in a sorted set between the given lexicographical range", "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by the operation.",
     NULL, NULL},
    {"zscan", cmd_zscan, -3, CMD_READONLY, 1, 1, 1, RO_ACC, "sorted-set",
     "Incrementally iterate sorted sets elements and associated scores", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
     "the cursor to return back to 0. N is the number of elements inside the collection..",
     NULL, NULL},
    {0},
};

