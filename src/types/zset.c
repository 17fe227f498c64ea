/* zset.c - the sorted-set type: its two encodings and every Z* command.
 *
 * Value. A sorted set is held in one of two encodings, as Redis 7.0 does, and OBJECT
 * ENCODING names them as Redis does:
 *   - "listpack": one listpack of member, score, member, score ... pairs sorted by (score,
 *     member); a score is written as Redis 7.0 writes it (an integral score within
 *     +-2^62 as an integer entry, so -0 reads back as 0; others as d2string text), byte
 *     for byte what Redis's RDB would carry. Used while
 *     the set has at most zset-max-listpack-entries members, each at most
 *     zset-max-listpack-value bytes (and the blob stays under 1 GB);
 *   - "skiplist": a skiplist ordered by (score, member) with spans (ds/skiplist.h) plus a
 *     member -> node map (ds/ht.h) whose entries ARE the skiplist nodes: a member costs one
 *     allocation (score, links and bytes together) and one table slot.
 * A set converts to "skiplist" when an insertion would break a listpack limit and never
 * converts back, except that results written whole (ZRANGESTORE, Z*STORE) are built in
 * whichever encoding their final size calls for (Redis's zsetConvertToListpackIfNeeded).
 *
 * The kobj value pointer of a skiplist set carries a tag bit (bit 0 set) so that the
 * type operations (free, size, copy), which see only the pointer, can tell the encodings
 * apart; inside this file values travel as a `zval` (encoding + untagged pointer), loaded
 * from and stored back to the entry with zv_load/zv_store.
 *
 * Layers, top to bottom: command handlers; result sinks (a client reply or a destination
 * key, for the ZRANGE family) and the set-operation engine (ZUNION/ZINTER/ZDIFF);
 * encoding-agnostic value operations (zv_*) and a cursor (zcur) that walks either
 * encoding in both directions; the two encodings' own helpers (zl_* listpack pairs,
 * zs_* skiplist + map).
 *
 * Behaviour, replies, error texts and the order in which errors are detected are Redis
 * 7.0's (ZRANK/ZREVRANK WITHSCORE is Redis 7.2's). Read commands count keyspace hits and
 * misses as Redis's lookupKeyRead does; writers refresh the LRU clock and call db_touch
 * after changing a value in place. A write that empties a set deletes the key.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/rand.h"
#include "base/util.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/scanargs.h"
#include "core/families.h"
#include "pubsub/notify.h"
#include "db/db.h"
#include "db/evict.h"
#include "ds/ht.h"
#include "ds/listpack.h"
#include "ds/skiplist.h"
#include "persist/propagate.h"
#include "types/limits.h"
#include "types/set.h"
#include "types/types.h"
#include "types/value_io.h"

#define ERR_NAN "ERR resulting score is not a number (NaN)"
#define ERR_MINMAX_FLOAT "ERR min or max is not a float"
#define ERR_MINMAX_LEX "ERR min or max not valid string range item"
#define ERR_POSITIVE "ERR value is out of range, must be positive"

#define SKIPLIST_TAG ((uintptr_t)1)
#define LP_SAFETY_SIZE ((size_t)1 << 30) /* Redis's LISTPACK_MAX_SAFETY_SIZE */
#define SCORE_BUF 128                    /* d_to_str output, always enough */

/* ======================================================================================
 * Value representation
 * ==================================================================================== */

typedef struct zset {
    ht *map;         /* member -> node (the nodes of zsl) */
    zskiplist zsl;
} zset;

typedef struct zval {
    int enc; /* ENC_LISTPACK or ENC_SKIPLIST */
    union {
        uint8_t *lp;
        zset *zs;
    };
} zval;

static zval zv_load(const kobj *o)
{
    zval v;
    uintptr_t p = (uintptr_t)kobj_ptr(o);
    v.enc = kobj_enc(o);
    if (v.enc == ENC_LISTPACK) {
        v.lp = (uint8_t *)p;
    } else {
        v.zs = (zset *)(p & ~SKIPLIST_TAG);
    }
    return v;
}

static void *zv_tagged(const zval *v)
{
    return v->enc == ENC_LISTPACK ? (void *)v->lp : (void *)((uintptr_t)v->zs | SKIPLIST_TAG);
}

static void zv_store(kobj *o, const zval *v)
{
    kobj_set_ptr(o, zv_tagged(v));
    kobj_set_enc(o, v->enc);
}

/* ---- skiplist + map ---- */

static uint64_t node_hash(const void *e)
{
    const zsl_node *n = e;
    return hash_bytes(n->member, n->len);
}

static bool node_match(const void *e, const void *key)
{
    const zsl_node *n = e;
    const kstr *k = key;
    return n->len == k->len && (k->len == 0 || memcmp(n->member, k->p, k->len) == 0);
}

static const ht_type node_map_type = {node_hash, node_match, NULL};

static zset *zs_create(void)
{
    zset *zs = kv_malloc(sizeof(*zs));
    zs->map = ht_create(&node_map_type);
    zsl_init(&zs->zsl);
    return zs;
}

/* Frees the map (not its entries), then the nodes through the skiplist. Only kv_free is
 * called, so this may run on the lazy-free thread. */
static void zs_destroy(zset *zs)
{
    ht_destroy(zs->map);
    zsl_deinit(&zs->zsl);
    kv_free(zs);
}

static zsl_node *zs_find(const zset *zs, kstr m)
{
    return ht_find(zs->map, hash_bytes(m.p, m.len), &m);
}

static zsl_node *zs_insert(zset *zs, double score, kstr m)
{
    zsl_node *n = zsl_insert(&zs->zsl, score, m.p, m.len);
    ht_insert(zs->map, hash_bytes(m.p, m.len), n);
    return n;
}

static void zs_remove(zset *zs, zsl_node *n)
{
    kstr k = {n->member, n->len};
    ht_remove(zs->map, hash_bytes(k.p, k.len), &k);
    zsl_delete(&zs->zsl, n);
}

/* Range deletions hand each unlinked node here: out of the map, then freed. */
static void zs_unlinked(void *priv, zsl_node *n)
{
    zset *zs = priv;
    kstr k = {n->member, n->len};
    ht_remove(zs->map, hash_bytes(k.p, k.len), &k);
    zsl_node_free(n);
}

/* ---- listpack pairs ---- */

static size_t score_text(char *buf, double score)
{
    return d_to_str(buf, SCORE_BUF, score);
}

/* The text a listpack stores for a score. Redis 7.0 writes integral scores within
 * +-LLONG_MAX/2 as integers (its double2ll: so -0 is stored, and read back, as 0) and
 * the others as d2string text; the listpack turns integer text into integer entries. */
static size_t lp_score_text(char *buf, double score)
{
    if (score >= (double)(-LLONG_MAX / 2) && score <= (double)(LLONG_MAX / 2)) {
        long long ll = (long long)score;
        if ((double)ll == score) {
            return ll_to_str(buf, ll);
        }
    }
    return d_to_str(buf, SCORE_BUF, score);
}

/* The score of a pair, from its score entry: an integer entry, or d2string text. */
static double zl_score(const uint8_t *sp)
{
    size_t len;
    long long iv;
    bool is_int = false;
    uint8_t ibuf[LP_INTBUF_SIZE];
    const uint8_t *s = lp_get(sp, &len, ibuf, &iv, &is_int);
    if (is_int) {
        return (double)iv;
    }
    char tmp[SCORE_BUF];
    if (len >= sizeof(tmp)) {
        len = sizeof(tmp) - 1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return strtod(tmp, NULL);
}

/* The member of the pair at p; integer entries are rendered into buf. */
static kstr zl_member(const uint8_t *p, uint8_t *buf)
{
    size_t len;
    const uint8_t *s = lp_get(p, &len, buf, NULL, NULL);
    return (kstr){(const char *)s, len};
}

static size_t zl_len(const uint8_t *lp)
{
    return lp_length(lp) / 2;
}

/* The member entry of m, or NULL; *score gets its score. */
static uint8_t *zl_find(uint8_t *lp, kstr m, double *score)
{
    uint8_t *first = lp_first(lp);
    if (!first) {
        return NULL;
    }
    uint8_t *p = lp_find(lp, first, (const uint8_t *)m.p, m.len, 1);
    if (p && score) {
        *score = zl_score(lp_next(lp, p));
    }
    return p;
}

/* True when the pair at p sorts before (score, m). */
static bool zl_before(uint8_t *lp, uint8_t *p, double score, kstr m)
{
    double s = zl_score(lp_next(lp, p));
    if (s != score) {
        return s < score;
    }
    uint8_t buf[LP_INTBUF_SIZE];
    kstr pm = zl_member(p, buf);
    return zsl_cmp_member(pm.p, pm.len, m.p, m.len) < 0;
}

/* Inserts a pair (member absent) at its sorted position. Appends and prepends are
 * checked first: results of ranges arrive in order, forward or reverse. */
static uint8_t *zl_insert(uint8_t *lp, double score, kstr m)
{
    char sbuf[SCORE_BUF];
    size_t slen = lp_score_text(sbuf, score);
    uint8_t *last = lp_last(lp);
    uint8_t *at = NULL;
    if (last && !zl_before(lp, lp_prev(lp, last), score, m)) {
        uint8_t *first = lp_first(lp);
        if (!zl_before(lp, first, score, m)) {
            at = first;
        } else {
            for (uint8_t *p = lp_next(lp, lp_next(lp, first)); p; p = lp_next(lp, lp_next(lp, p))) {
                if (!zl_before(lp, p, score, m)) {
                    at = p;
                    break;
                }
            }
        }
    }
    if (!at) {
        lp = lp_append(lp, (const uint8_t *)m.p, m.len);
        return lp_append(lp, (const uint8_t *)sbuf, slen);
    }
    uint8_t *mp;
    lp = lp_insert(lp, (const uint8_t *)m.p, m.len, at, LP_BEFORE, &mp);
    return lp_insert(lp, (const uint8_t *)sbuf, slen, mp, LP_AFTER, NULL);
}

static uint8_t *zl_delete(uint8_t *lp, uint8_t *p)
{
    uint8_t *sp;
    lp = lp_delete(lp, p, &sp);
    return lp_delete(lp, sp, NULL);
}

/* ---- encoding-agnostic operations ---- */

static size_t zv_len(const zval *v)
{
    return v->enc == ENC_LISTPACK ? zl_len(v->lp) : v->zs->zsl.length;
}

static void zv_free(zval *v)
{
    if (v->enc == ENC_LISTPACK) {
        lp_free(v->lp);
    } else {
        zs_destroy(v->zs);
    }
}

static zval zv_new_listpack(void)
{
    zval v;
    v.enc = ENC_LISTPACK;
    v.lp = lp_new(0);
    return v;
}

static zval zv_new_skiplist(void)
{
    zval v;
    v.enc = ENC_SKIPLIST;
    v.zs = zs_create();
    return v;
}

static void zv_to_skiplist(zval *v)
{
    zset *zs = zs_create();
    uint8_t buf[LP_INTBUF_SIZE];
    for (uint8_t *p = lp_first(v->lp); p; p = lp_next(v->lp, lp_next(v->lp, p))) {
        zs_insert(zs, zl_score(lp_next(v->lp, p)), zl_member(p, buf));
    }
    lp_free(v->lp);
    v->enc = ENC_SKIPLIST;
    v->zs = zs;
}

static bool fits_listpack(size_t count, size_t maxlen, size_t totlen)
{
    return count <= (size_t)type_limits.zset_max_listpack_entries &&
           maxlen <= (size_t)type_limits.zset_max_listpack_value && totlen <= LP_SAFETY_SIZE;
}

static bool zv_score(const zval *v, kstr m, double *score)
{
    if (v->enc == ENC_LISTPACK) {
        return zl_find(v->lp, m, score) != NULL;
    }
    zsl_node *n = zs_find(v->zs, m);
    if (n) {
        *score = n->score;
    }
    return n != NULL;
}

/* Adds (score, m), m absent, converting to a skiplist first when the listpack would
 * break a limit (Redis's zsetAdd insertion branch). */
static void zv_insert_new(zval *v, double score, kstr m)
{
    if (v->enc == ENC_LISTPACK) {
        if (zl_len(v->lp) + 1 > (size_t)type_limits.zset_max_listpack_entries ||
            m.len > (size_t)type_limits.zset_max_listpack_value ||
            lp_bytes(v->lp) + m.len > LP_SAFETY_SIZE) {
            zv_to_skiplist(v);
        } else {
            v->lp = zl_insert(v->lp, score, m);
            return;
        }
    }
    zs_insert(v->zs, score, m);
}

enum { ZA_INCR = 1 << 0, ZA_NX = 1 << 1, ZA_XX = 1 << 2, ZA_GT = 1 << 3, ZA_LT = 1 << 4 };
enum { ZA_OUT_NOP = 1 << 0, ZA_OUT_NAN = 1 << 1, ZA_OUT_ADDED = 1 << 2, ZA_OUT_UPDATED = 1 << 3 };

/* Redis's zsetAdd: returns false (and ZA_OUT_NAN) when the score is or becomes NaN;
 * otherwise *out says what happened and *newscore (when something was done) the score. */
static bool zv_add(zval *v, double score, kstr m, int flags, int *out, double *newscore)
{
    *out = 0;
    if (isnan(score)) {
        *out = ZA_OUT_NAN;
        return false;
    }
    double cur = 0;
    uint8_t *p = NULL;
    zsl_node *n = NULL;
    bool found;
    if (v->enc == ENC_LISTPACK) {
        p = zl_find(v->lp, m, &cur);
        found = p != NULL;
    } else {
        n = zs_find(v->zs, m);
        found = n != NULL;
        if (n) {
            cur = n->score;
        }
    }
    if (found) {
        if (flags & ZA_NX) {
            *out = ZA_OUT_NOP;
            return true;
        }
        if (flags & ZA_INCR) {
            score += cur;
            if (isnan(score)) {
                *out = ZA_OUT_NAN;
                return false;
            }
        }
        if (((flags & ZA_LT) && score >= cur) || ((flags & ZA_GT) && score <= cur)) {
            *out = ZA_OUT_NOP;
            return true;
        }
        *newscore = score;
        if (score != cur) {
            if (p) {
                v->lp = zl_delete(v->lp, p);
                v->lp = zl_insert(v->lp, score, m);
            } else {
                zsl_update_score(&v->zs->zsl, n, score);
            }
            *out = ZA_OUT_UPDATED;
        }
        return true;
    }
    if (flags & ZA_XX) {
        *out = ZA_OUT_NOP;
        return true;
    }
    zv_insert_new(v, score, m);
    *newscore = score;
    *out = ZA_OUT_ADDED;
    return true;
}

static bool zv_delete(zval *v, kstr m)
{
    if (v->enc == ENC_LISTPACK) {
        uint8_t *p = zl_find(v->lp, m, NULL);
        if (p) {
            v->lp = zl_delete(v->lp, p);
        }
        return p != NULL;
    }
    zsl_node *n = zs_find(v->zs, m);
    if (n) {
        zs_remove(v->zs, n);
    }
    return n != NULL;
}

/* 0-based rank of m (from the top when rev), -1 when absent; *score gets its score. */
static long long zv_rank(const zval *v, kstr m, bool rev, double *score)
{
    size_t len = zv_len(v);
    if (v->enc == ENC_LISTPACK) {
        size_t rank = 0;
        for (uint8_t *p = lp_first(v->lp); p; p = lp_next(v->lp, lp_next(v->lp, p)), rank++) {
            if (lp_eq(p, (const uint8_t *)m.p, m.len)) {
                *score = zl_score(lp_next(v->lp, p));
                return (long long)(rev ? len - 1 - rank : rank);
            }
        }
        return -1;
    }
    zsl_node *n = zs_find(v->zs, m);
    if (!n) {
        return -1;
    }
    *score = n->score;
    size_t rank = zsl_rank(&v->zs->zsl, n); /* 1-based */
    return (long long)(rev ? len - rank : rank - 1);
}

static zval zv_copy(const zval *v)
{
    zval c;
    c.enc = v->enc;
    if (v->enc == ENC_LISTPACK) {
        size_t n = lp_bytes(v->lp);
        c.lp = kv_malloc(n);
        memcpy(c.lp, v->lp, n);
        return c;
    }
    c.zs = zs_create();
    for (zsl_node *n = zsl_first(&v->zs->zsl); n; n = zsl_next(n)) {
        zs_insert(c.zs, n->score, (kstr){n->member, n->len});
    }
    return c;
}

/* ---- cursor over either encoding ---- */

typedef struct zcur {
    const zval *v;
    uint8_t *p;   /* listpack: member entry of the current pair, NULL past either end */
    zsl_node *n;  /* skiplist: current node, NULL past either end */
    uint8_t buf[LP_INTBUF_SIZE];
} zcur;

static bool zc_ok(const zcur *z)
{
    return z->v->enc == ENC_LISTPACK ? z->p != NULL : z->n != NULL;
}

static kstr zc_member(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        return zl_member(z->p, z->buf);
    }
    return (kstr){z->n->member, z->n->len};
}

static double zc_score(const zcur *z)
{
    return z->v->enc == ENC_LISTPACK ? zl_score(lp_next(z->v->lp, z->p)) : z->n->score;
}

static void zc_next(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        uint8_t *sp = lp_next(z->v->lp, z->p);
        z->p = sp ? lp_next(z->v->lp, sp) : NULL;
    } else {
        z->n = zsl_next(z->n);
    }
}

static void zc_prev(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        uint8_t *sp = lp_prev(z->v->lp, z->p);
        z->p = sp ? lp_prev(z->v->lp, sp) : NULL;
    } else {
        z->n = zsl_prev(z->n);
    }
}

static void zc_move(zcur *z, bool rev)
{
    if (rev) {
        zc_prev(z);
    } else {
        zc_next(z);
    }
}

static void zc_init(zcur *z, const zval *v)
{
    z->v = v;
    z->p = NULL;
    z->n = NULL;
}

/* Positions at 0-based index idx (invalid when out of range). */
static void zc_seek(zcur *z, const zval *v, size_t idx)
{
    zc_init(z, v);
    if (v->enc == ENC_LISTPACK) {
        z->p = idx < zl_len(v->lp) ? lp_seek(v->lp, (long)(2 * idx)) : NULL;
    } else {
        z->n = zsl_at_rank(&v->zs->zsl, idx + 1);
    }
}

static void zc_first(zcur *z, const zval *v, bool rev)
{
    zc_init(z, v);
    if (v->enc == ENC_LISTPACK) {
        uint8_t *p = rev ? lp_last(v->lp) : lp_first(v->lp);
        z->p = p && rev ? lp_prev(v->lp, p) : p;
    } else {
        z->n = rev ? zsl_last(&v->zs->zsl) : zsl_first(&v->zs->zsl);
    }
}

/* Moves k elements on (backward when rev); O(log n) on a skiplist. */
static void zc_skip(zcur *z, unsigned long long k, bool rev)
{
    if (z->v->enc == ENC_SKIPLIST) {
        if (k == 0 || !z->n) {
            return;
        }
        const zskiplist *zsl = &z->v->zs->zsl;
        size_t rank = zsl_rank(zsl, z->n);
        if (rev) {
            z->n = k < rank ? zsl_at_rank(zsl, rank - (size_t)k) : NULL;
        } else {
            z->n = k < zsl->length - rank + 1 ? zsl_at_rank(zsl, rank + (size_t)k) : NULL;
        }
        return;
    }
    while (z->p && k--) {
        zc_move(z, rev);
    }
}

/* Redis's zzlIsInRange / zzlIsInLexRange: false when the range is empty or misses the
 * listpack's ends (checked on the last and first pairs, as Redis does). */
static bool lp_meets_score(const zval *v, const zrange_score *r)
{
    uint8_t *last = lp_last(v->lp);
    return !zsl_score_range_empty(r) && last && zsl_score_gte_min(zl_score(last), r) &&
           zsl_score_lte_max(zl_score(lp_next(v->lp, lp_first(v->lp))), r);
}

static bool lp_meets_lex(const zval *v, const zrange_lex *r)
{
    uint8_t *last = lp_last(v->lp);
    uint8_t buf[LP_INTBUF_SIZE];
    if (zsl_lex_range_empty(r) || !last) {
        return false;
    }
    kstr m = zl_member(lp_prev(v->lp, last), buf);
    if (!zsl_lex_gte_min(m.p, m.len, r)) {
        return false;
    }
    m = zl_member(lp_first(v->lp), buf);
    return zsl_lex_lte_max(m.p, m.len, r);
}

/* First (or last, when rev) element inside the range. */
static void zc_score_range(zcur *z, const zval *v, const zrange_score *r, bool rev)
{
    zc_init(z, v);
    if (v->enc == ENC_SKIPLIST) {
        z->n = rev ? zsl_last_in_score(&v->zs->zsl, r) : zsl_first_in_score(&v->zs->zsl, r);
        return;
    }
    if (!lp_meets_score(v, r)) {
        return;
    }
    for (zc_first(z, v, rev); z->p; zc_move(z, rev)) {
        double s = zc_score(z);
        if (rev ? zsl_score_lte_max(s, r) : zsl_score_gte_min(s, r)) {
            if (!(rev ? zsl_score_gte_min(s, r) : zsl_score_lte_max(s, r))) {
                z->p = NULL;
            }
            return;
        }
    }
}

static void zc_lex_range(zcur *z, const zval *v, const zrange_lex *r, bool rev)
{
    zc_init(z, v);
    if (v->enc == ENC_SKIPLIST) {
        z->n = rev ? zsl_last_in_lex(&v->zs->zsl, r) : zsl_first_in_lex(&v->zs->zsl, r);
        return;
    }
    if (!lp_meets_lex(v, r)) {
        return;
    }
    for (zc_first(z, v, rev); z->p; zc_move(z, rev)) {
        kstr m = zc_member(z);
        if (rev ? zsl_lex_lte_max(m.p, m.len, r) : zsl_lex_gte_min(m.p, m.len, r)) {
            if (!(rev ? zsl_lex_gte_min(m.p, m.len, r) : zsl_lex_lte_max(m.p, m.len, r))) {
                z->p = NULL;
            }
            return;
        }
    }
}

/* ---- range counts and deletions ---- */

static bool cur_in_score(zcur *z, const void *range)
{
    return zsl_score_lte_max(zc_score(z), range);
}

static bool cur_in_lex(zcur *z, const void *range)
{
    kstr m = zc_member(z);
    return zsl_lex_lte_max(m.p, m.len, range);
}

typedef bool cur_in_fn(zcur *z, const void *range);

/* Counts from the first element in range on while still inside (listpack), or by ranks
 * (skiplist). */
static size_t zv_count(const zval *v, bool lex, const void *range)
{
    zcur z;
    if (lex) {
        zc_lex_range(&z, v, range, false);
    } else {
        zc_score_range(&z, v, range, false);
    }
    if (!zc_ok(&z)) {
        return 0;
    }
    if (v->enc == ENC_SKIPLIST) {
        const zskiplist *zsl = &v->zs->zsl;
        zsl_node *last = lex ? zsl_last_in_lex(zsl, range) : zsl_last_in_score(zsl, range);
        return zsl_rank(zsl, last) - zsl_rank(zsl, z.n) + 1;
    }
    cur_in_fn *in = lex ? cur_in_lex : cur_in_score;
    size_t n = 0;
    for (; z.p && in(&z, range); zc_next(&z)) {
        n++;
    }
    return n;
}

/* Deletes the elements of a score or lex range; returns how many. */
static size_t zv_delete_range(zval *v, bool lex, const void *range)
{
    if (v->enc == ENC_SKIPLIST) {
        zskiplist *zsl = &v->zs->zsl;
        return lex ? zsl_delete_range_lex(zsl, range, zs_unlinked, v->zs)
                   : zsl_delete_range_score(zsl, range, zs_unlinked, v->zs);
    }
    /* As Redis: from the first element in range, delete while still inside. */
    zcur z;
    if (lex) {
        zc_lex_range(&z, v, range, false);
    } else {
        zc_score_range(&z, v, range, false);
    }
    if (!z.p) {
        return 0;
    }
    size_t idx = 0, n = 0;
    for (uint8_t *p = lp_first(v->lp); p != z.p; p = lp_next(v->lp, lp_next(v->lp, p))) {
        idx++;
    }
    cur_in_fn *in = lex ? cur_in_lex : cur_in_score;
    for (; z.p && in(&z, range); zc_next(&z)) {
        n++;
    }
    v->lp = lp_delete_range(v->lp, (long)(2 * idx), 2 * n);
    return n;
}

/* Deletes 0-based ranks start..end (valid, inclusive). */
static size_t zv_delete_ranks(zval *v, size_t start, size_t end)
{
    if (v->enc == ENC_SKIPLIST) {
        return zsl_delete_range_rank(&v->zs->zsl, start + 1, end + 1, zs_unlinked, v->zs);
    }
    v->lp = lp_delete_range(v->lp, (long)(2 * start), 2 * (end - start + 1));
    return end - start + 1;
}

/* ---- type operations (free, size, copy) ---- */

static zval zv_untag(const void *ptr)
{
    zval v;
    uintptr_t p = (uintptr_t)ptr;
    if (p & SKIPLIST_TAG) {
        v.enc = ENC_SKIPLIST;
        v.zs = (zset *)(p & ~SKIPLIST_TAG);
    } else {
        v.enc = ENC_LISTPACK;
        v.lp = (uint8_t *)p;
    }
    return v;
}

static void op_free(void *ptr)
{
    zval v = zv_untag(ptr);
    zv_free(&v);
}

static size_t op_size(const void *ptr)
{
    zval v = zv_untag(ptr);
    if (v.enc == ENC_LISTPACK) {
        return kv_alloc_size(v.lp);
    }
    size_t n = kv_alloc_size(v.zs) + ht_mem_usage(v.zs->map) + kv_alloc_size(v.zs->zsl.header);
    for (zsl_node *x = zsl_first(&v.zs->zsl); x; x = zsl_next(x)) {
        n += kv_alloc_size(x);
    }
    return n;
}

static void *op_copy(const void *ptr)
{
    zval v = zv_untag(ptr);
    zval c = zv_copy(&v);
    return zv_tagged(&c);
}

static size_t op_free_effort(const void *ptr)
{
    zval v = zv_untag(ptr);
    return v.enc == ENC_LISTPACK ? 1 : v.zs->zsl.length + 1;
}

static const kobj_type_ops zset_ops = {op_free, op_size, op_copy, op_free_effort};

void zset_type_setup(void)
{
    kobj_register_type(OBJ_ZSET, &zset_ops);
}

/* ======================================================================================
 * Shared helpers for the commands
 * ==================================================================================== */

/* lookupKeyRead + checkType. False when WRONGTYPE was sent; *out is NULL when absent. */
static bool read_or_reply(client *c, kstr key, kobj **out)
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
static bool write_or_reply(client *c, kstr key, kobj **out)
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
static void finish_write(client *c, kobj *o, zval *v, kstr key, const char *event)
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
static bool pairs_nested(const client *c)
{
    return c->out.resp > 2;
}

static void reply_member(client *c, kstr m)
{
    reply_bulk(&c->out, m.p, m.len);
}

static void reply_arity(client *c)
{
    reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", c->cmd->fullname);
}

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
static bool range_ll_or_reply(client *c, kstr a, long long min, long long max, long long *out,
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
    if (!write_or_reply(c, key, &o)) {
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
    if (!write_or_reply(c, key, &o)) {
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
    if (deleted) {
        finish_write(c, o, &v, key, "zrem");
    }
    reply_int(&c->out, deleted);
}

static void cmd_zscore(client *c)
{
    kobj *o;
    if (!read_or_reply(c, c->argv[1], &o)) {
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
    if (!read_or_reply(c, c->argv[1], &o)) {
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
    if (!read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_len(&v)) : 0);
}

static void cmd_zcount(client *c)
{
    zrange_score r;
    kobj *o;
    if (!score_range_or_reply(c, c->argv[2], c->argv[3], &r) ||
        !read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_count(&v, false, &r)) : 0);
}

static void cmd_zlexcount(client *c)
{
    zrange_lex r;
    kobj *o;
    if (!lex_range_or_reply(c, c->argv[2], c->argv[3], &r) ||
        !read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    zval v;
    reply_int(&c->out, o ? (v = zv_load(o), (long long)zv_count(&v, true, &r)) : 0);
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
    if (!read_or_reply(c, c->argv[1], &o)) {
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
    s->nested = s->withscores && pairs_nested(c);
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
    reply_member(s->c, m);
    if (s->withscores) {
        reply_double(&s->c->out, score);
    }
}

/* Makes dst hold v and raises event; an empty v deletes dst instead ("del" when it
 * existed). Replies the size. */
static void store_result(client *c, kstr dst, zval *v, const char *event)
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
        store_result(s->c, s->dst, &s->acc, "zrangestore");
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
    if (start < 0) {
        start += llen;
    }
    if (end < 0) {
        end += llen;
    }
    if (start < 0) {
        start = 0;
    }
    if (start > end || start >= llen) {
        sink_empty(s);
        return;
    }
    if (end >= llen) {
        end = llen - 1;
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

static void cmd_zrange(client *c)
{
    zrange_generic(c, 1, NULL, RT_AUTO, DIR_AUTO);
}

static void cmd_zrangestore(client *c)
{
    zrange_generic(c, 2, &c->argv[1], RT_AUTO, DIR_AUTO);
}

static void cmd_zrevrange(client *c)
{
    zrange_generic(c, 1, NULL, RT_RANK, DIR_REV);
}

static void cmd_zrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RT_SCORE, DIR_FWD);
}

static void cmd_zrevrangebyscore(client *c)
{
    zrange_generic(c, 1, NULL, RT_SCORE, DIR_REV);
}

static void cmd_zrangebylex(client *c)
{
    zrange_generic(c, 1, NULL, RT_LEX, DIR_FWD);
}

static void cmd_zrevrangebylex(client *c)
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
    if (!write_or_reply(c, key, &o)) {
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
        if (start < 0) {
            start += llen;
        }
        if (end < 0) {
            end += llen;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > end || start >= llen) {
            reply_int(&c->out, 0);
            return;
        }
        if (end >= llen) {
            end = llen - 1;
        }
        deleted = zv_delete_ranks(&v, (size_t)start, (size_t)end);
    } else if (rangetype == RT_SCORE) {
        deleted = zv_delete_range(&v, false, &sr);
    } else {
        deleted = zv_delete_range(&v, true, &lr);
    }
    if (deleted) {
        static const char *const events[] = {
            [RT_RANK] = "zremrangebyrank", [RT_SCORE] = "zremrangebyscore",
            [RT_LEX] = "zremrangebylex"};
        finish_write(c, o, &v, key, events[rangetype]);
    }
    reply_int(&c->out, (long long)deleted);
}

static void cmd_zremrangebyrank(client *c)
{
    zremrange_generic(c, RT_RANK);
}

static void cmd_zremrangebyscore(client *c)
{
    zremrange_generic(c, RT_SCORE);
}

static void cmd_zremrangebylex(client *c)
{
    zremrange_generic(c, RT_LEX);
}

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
        if (!write_or_reply(c, key, &o)) {
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
        reply_member(c, key);
    } else {
        reply_array(&c->out, 2);
        reply_member(c, key);
        reply_array(&c->out, n);
    }
    zcur z;
    zc_first(&z, &v, max);
    for (size_t i = 0; i < n; i++) {
        if (nested) {
            reply_array(&c->out, 2);
        }
        reply_member(c, zc_member(&z));
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
    finish_write(c, o, &v, key, max ? "zpopmax" : "zpopmin");
}

static void zpop_minmax(client *c, bool max)
{
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    long long count = -1;
    if (c->argc == 3 &&
        !range_ll_or_reply(c, c->argv[2], 0, LLONG_MAX, &count, ERR_POSITIVE)) {
        return;
    }
    zpop_generic(c, &c->argv[1], 1, max, false, count, pairs_nested(c) && c->argc == 3, false);
}

static void cmd_zpopmin(client *c)
{
    zpop_minmax(c, false);
}

static void cmd_zpopmax(client *c)
{
    zpop_minmax(c, true);
}

/* Parses "numkeys key... MIN|MAX [COUNT n]" from argv[at]; false when an error was sent. */
static bool mpop_args_or_reply(client *c, int at, long long *numkeys, bool *max,
                               long long *count)
{
    if (!range_ll_or_reply(c, c->argv[at], 1, LLONG_MAX, numkeys,
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
            if (!range_ll_or_reply(c, c->argv[j], 1, LLONG_MAX, count,
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

static void cmd_zmpop(client *c)
{
    long long numkeys, count;
    bool max;
    if (!mpop_args_or_reply(c, 1, &numkeys, &max, &count)) {
        return;
    }
    zpop_generic(c, &c->argv[2], (int)numkeys, max, true, count, true, true);
}

/* ---- blocking: BZPOPMIN BZPOPMAX BZMPOP ---- */

static void cmd_bzmpop(client *c);
static void cmd_bzpopmax(client *c);

/* Pops from the first of keys holding a sorted set (a wrong type before it is an error).
 * True when a reply was sent. */
static bool zpop_first_ready(client *c, const kstr *keys, int nkeys, bool max, long long count,
                             bool nested)
{
    for (int j = 0; j < nkeys; j++) {
        kobj *o;
        if (!write_or_reply(c, keys[j], &o)) {
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

static void cmd_bzpopmin(client *c)
{
    bzpop_generic(c, false);
}

static void cmd_bzpopmax(client *c)
{
    bzpop_generic(c, true);
}

/* BZMPOP timeout numkeys key... MIN|MAX [COUNT n]: the arguments are checked before the
 * timeout, as Redis does. */
static void cmd_bzmpop(client *c)
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
    if (withscores && pairs_nested(c)) {
        reply_array(&c->out, 2);
    }
    if (p) {
        uint8_t buf[LP_INTBUF_SIZE];
        reply_member(c, zl_member(p, buf));
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
    if (!read_or_reply(c, c->argv[1], &o)) {
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
    size_t mult = withscores && !pairs_nested(c) ? 2 : 1;

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
            if (withscores && pairs_nested(c)) {
                reply_array(&c->out, 2);
            }
            reply_member(c, zc_member(&z));
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
        if (!range_ll_or_reply(c, c->argv[2], -LLONG_MAX, LLONG_MAX, &count, NULL)) {
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
    if (!read_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
        return;
    }
    zval v = zv_load(o);
    zcur z;
    zc_seek(&z, &v, rand_below(zv_len(&v)));
    reply_member(c, zc_member(&z));
}

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
    if (fits_listpack(r->n, r->maxlen, r->totlen)) {
        v = zv_new_listpack();
        char sbuf[SCORE_BUF];
        for (size_t i = 0; i < r->n; i++) {
            zsl_node *x = r->v[i];
            v.lp = lp_append(v.lp, (const uint8_t *)x->member, x->len);
            v.lp = lp_append(v.lp, (const uint8_t *)sbuf, lp_score_text(sbuf, x->score));
        }
        result_free(r);
        return v;
    }
    v.enc = ENC_SKIPLIST;
    v.zs = kv_malloc(sizeof(*v.zs));
    zsl_init(&v.zs->zsl);
    if (!r->map) {
        r->map = ht_create(&node_map_type);
        for (size_t i = 0; i < r->n; i++) {
            ht_insert(r->map, node_hash(r->v[i]), r->v[i]);
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
    r->map = ht_create(&node_map_type);
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
            if (!range_ll_or_reply(c, c->argv[j + 1], 0, LLONG_MAX, &limit,
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
            store_result(c, *dst, &v, event);
        }
        goto done;
    }
    bool nested = withscores && pairs_nested(c);
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

static void cmd_zunion(client *c)
{
    setop_generic(c, NULL, 1, OP_UNION, false);
}

static void cmd_zinter(client *c)
{
    setop_generic(c, NULL, 1, OP_INTER, false);
}

static void cmd_zdiff(client *c)
{
    setop_generic(c, NULL, 1, OP_DIFF, false);
}

static void cmd_zunionstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_UNION, false);
}

static void cmd_zinterstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_INTER, false);
}

static void cmd_zdiffstore(client *c)
{
    setop_generic(c, &c->argv[1], 2, OP_DIFF, false);
}

static void cmd_zintercard(client *c)
{
    setop_generic(c, NULL, 1, OP_INTER, true);
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
    if (!read_or_reply(c, c->argv[1], &o)) {
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
                reply_member(c, m);
                reply_member(c, zl_member(lp_next(v.lp, p), sbuf));
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
    char sbuf[SCORE_BUF];
    for (size_t i = 0; i < kept; i++) {
        reply_bulk(&c->out, s.v[i]->member, s.v[i]->len);
        reply_bulk(&c->out, sbuf, score_text(sbuf, s.v[i]->score));
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

/* ---- whole-value visitor (types/value_io.h) ---- */

void zset_value_each(const kobj *o, void (*fn)(void *priv, kstr member, double score),
                     void *priv)
{
    zval v = zv_load(o);
    zcur z;
    zc_seek(&z, &v, 0);
    while (zc_ok(&z)) {
        fn(priv, zc_member(&z), zc_score(&z));
        zc_next(&z);
    }
}
/* ======================================================================================
 * Persistence (types/value_io.h)
 * ==================================================================================== */

/* Members arrive unordered: they go into a skiplist, and a set small enough becomes a
 * listpack at the end, as Redis's loader converts after loading. */
struct zset_builder {
    zset *zs;
    size_t maxlen, totlen;
};

size_t zset_value_len(const kobj *o)
{
    zval v = zv_load(o);
    return zv_len(&v);
}

const uint8_t *zset_value_listpack(const kobj *o)
{
    zval v = zv_load(o);
    return v.enc == ENC_LISTPACK ? v.lp : NULL;
}

void zset_value_each_rev(const kobj *o, void (*fn)(void *priv, kstr m, double score),
                         void *priv)
{
    zval v = zv_load(o);
    if (v.enc == ENC_LISTPACK) {
        uint8_t buf[LP_INTBUF_SIZE];
        for (uint8_t *sp = lp_last(v.lp); sp; sp = lp_prev(v.lp, lp_prev(v.lp, sp))) {
            uint8_t *mp = lp_prev(v.lp, sp);
            fn(priv, zl_member(mp, buf), zl_score(sp));
        }
        return;
    }
    for (zsl_node *n = zsl_last(&v.zs->zsl); n; n = zsl_prev(n)) {
        fn(priv, (kstr){n->member, n->len}, n->score);
    }
}

zset_builder *zset_build_start(size_t hint)
{
    zset_builder *b = kv_malloc(sizeof(*b));
    b->zs = zs_create();
    b->maxlen = b->totlen = 0;
    return b;
}

bool zset_build_add(zset_builder *b, kstr m, double score)
{
    if (zs_find(b->zs, m)) {
        return false;
    }
    zs_insert(b->zs, score, m);
    b->maxlen = m.len > b->maxlen ? m.len : b->maxlen;
    b->totlen += m.len;
    return true;
}

kobj *zset_build_finish(zset_builder *b, kstr key, int64_t expire_ms)
{
    zval v = {.enc = ENC_SKIPLIST, .zs = b->zs};
    bool small = fits_listpack(b->zs->zsl.length, b->maxlen, b->totlen);
    kv_free(b);
    if (v.zs->zsl.length == 0) {
        zs_destroy(v.zs);
        return NULL;
    }
    if (small) {
        uint8_t *lp = lp_new(0);
        char sbuf[SCORE_BUF];
        for (zsl_node *n = zsl_first(&v.zs->zsl); n; n = zsl_next(n)) {
            lp = lp_append(lp, (const uint8_t *)n->member, n->len);
            size_t slen = lp_score_text(sbuf, n->score);
            lp = lp_append(lp, (const uint8_t *)sbuf, slen);
        }
        zs_destroy(v.zs);
        v.enc = ENC_LISTPACK;
        v.lp = lp;
    }
    return kobj_new_ptr(key, OBJ_ZSET, v.enc, zv_tagged(&v), expire_ms);
}

void zset_build_abort(zset_builder *b)
{
    if (b) {
        zs_destroy(b->zs);
        kv_free(b);
    }
}

/* Kept as it is within zset-max-listpack-entries (Redis checks only the count here),
 * converted beyond. Pairs must be in strictly ascending (score, member) order: that also
 * rules out duplicates, and the listpack code relies on it. */
kobj *zset_from_listpack(kstr key, uint8_t *lp, int64_t expire_ms)
{
    size_t n = lp_length(lp);
    bool ok = n > 0 && n % 2 == 0;
    uint8_t *prev = NULL;
    for (uint8_t *p = ok ? lp_first(lp) : NULL; p && ok; p = lp_next(lp, lp_next(lp, p))) {
        double s = zl_score(lp_next(lp, p));
        if (isnan(s)) {
            ok = false;
        } else if (prev) {
            uint8_t buf[LP_INTBUF_SIZE];
            ok = zl_before(lp, prev, s, zl_member(p, buf));
        }
        prev = p;
    }
    if (!ok) {
        lp_free(lp);
        return NULL;
    }
    zval v = {.enc = ENC_LISTPACK, .lp = lp};
    if (n / 2 > (size_t)type_limits.zset_max_listpack_entries) {
        zv_to_skiplist(&v);
    }
    return kobj_new_ptr(key, OBJ_ZSET, v.enc, zv_tagged(&v), expire_ms);
}
