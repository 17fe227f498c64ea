/* zset_value.c - the sorted-set value: its two encodings, conversion, the operations on
 * either, a cursor over either, the type operations (free, size, copy) and what
 * persistence reads and builds (types/value_io.h). The commands are types/zset*.c.
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
 * apart; values travel as a `zval` (encoding + untagged pointer), loaded
 * from and stored back to the entry with zv_load/zv_store.
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/util.h"
#include "ds/ht.h"
#include "ds/listpack.h"
#include "ds/skiplist.h"
#include "types/limits.h"
#include "types/types.h"
#include "types/value_io.h"
#include "types/zset_value.h"

#define LP_SAFETY_SIZE ((size_t)1 << 30) /* Redis's LISTPACK_MAX_SAFETY_SIZE */

/* ---- skiplist + map ---- */

uint64_t zs_node_hash(const void *e)
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

const ht_type zs_node_map_type = {zs_node_hash, node_match, NULL};

static zset *zs_create(void)
{
    zset *zs = kv_malloc(sizeof(*zs));
    zs->map = ht_create(&zs_node_map_type);
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

void zs_remove(zset *zs, zsl_node *n)
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

size_t zset_score_text(char *buf, double score)
{
    return d_to_str(buf, ZSET_SCORE_BUF, score);
}

/* The text a listpack stores for a score. Redis 7.0 writes integral scores within
 * +-LLONG_MAX/2 as integers (its double2ll: so -0 is stored, and read back, as 0) and
 * the others as d2string text; the listpack turns integer text into integer entries. */
size_t zl_score_text(char *buf, double score)
{
    if (score >= (double)(-LLONG_MAX / 2) && score <= (double)(LLONG_MAX / 2)) {
        long long ll = (long long)score;
        if ((double)ll == score) {
            return ll_to_str(buf, ll);
        }
    }
    return d_to_str(buf, ZSET_SCORE_BUF, score);
}

/* The score of a pair, from its score entry: an integer entry, or d2string text. */
double zl_score(const uint8_t *sp)
{
    size_t len;
    long long iv;
    bool is_int = false;
    uint8_t ibuf[LP_INTBUF_SIZE];
    const uint8_t *s = lp_get(sp, &len, ibuf, &iv, &is_int);
    if (is_int) {
        return (double)iv;
    }
    char tmp[ZSET_SCORE_BUF];
    if (len >= sizeof(tmp)) {
        len = sizeof(tmp) - 1;
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return strtod(tmp, NULL);
}

/* The member of the pair at p; integer entries are rendered into buf. */
kstr zl_member(const uint8_t *p, uint8_t *buf)
{
    size_t len;
    const uint8_t *s = lp_get(p, &len, buf, NULL, NULL);
    return (kstr){(const char *)s, len};
}

size_t zl_len(const uint8_t *lp)
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
    char sbuf[ZSET_SCORE_BUF];
    size_t slen = zl_score_text(sbuf, score);
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

size_t zv_len(const zval *v)
{
    return v->enc == ENC_LISTPACK ? zl_len(v->lp) : v->zs->zsl.length;
}

void zv_free(zval *v)
{
    if (v->enc == ENC_LISTPACK) {
        lp_free(v->lp);
    } else {
        zs_destroy(v->zs);
    }
}

zval zv_new_listpack(void)
{
    zval v;
    v.enc = ENC_LISTPACK;
    v.lp = lp_new(0);
    return v;
}

zval zv_new_skiplist(void)
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

bool zset_fits_listpack(size_t count, size_t maxlen, size_t totlen)
{
    return count <= (size_t)type_limits.zset_max_listpack_entries &&
           maxlen <= (size_t)type_limits.zset_max_listpack_value && totlen <= LP_SAFETY_SIZE;
}

bool zv_score(const zval *v, kstr m, double *score)
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
void zv_insert_new(zval *v, double score, kstr m)
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

/* Redis's zsetAdd: returns false (and ZA_OUT_NAN) when the score is or becomes NaN;
 * otherwise *out says what happened and *newscore (when something was done) the score. */
bool zv_add(zval *v, double score, kstr m, int flags, int *out, double *newscore)
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

bool zv_delete(zval *v, kstr m)
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
long long zv_rank(const zval *v, kstr m, bool rev, double *score)
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

bool zc_ok(const zcur *z)
{
    return z->v->enc == ENC_LISTPACK ? z->p != NULL : z->n != NULL;
}

kstr zc_member(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        return zl_member(z->p, z->buf);
    }
    return (kstr){z->n->member, z->n->len};
}

double zc_score(const zcur *z)
{
    return z->v->enc == ENC_LISTPACK ? zl_score(lp_next(z->v->lp, z->p)) : z->n->score;
}

void zc_next(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        uint8_t *sp = lp_next(z->v->lp, z->p);
        z->p = sp ? lp_next(z->v->lp, sp) : NULL;
    } else {
        z->n = zsl_next(z->n);
    }
}

void zc_prev(zcur *z)
{
    if (z->v->enc == ENC_LISTPACK) {
        uint8_t *sp = lp_prev(z->v->lp, z->p);
        z->p = sp ? lp_prev(z->v->lp, sp) : NULL;
    } else {
        z->n = zsl_prev(z->n);
    }
}

void zc_move(zcur *z, bool rev)
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
void zc_seek(zcur *z, const zval *v, size_t idx)
{
    zc_init(z, v);
    if (v->enc == ENC_LISTPACK) {
        z->p = idx < zl_len(v->lp) ? lp_seek(v->lp, (long)(2 * idx)) : NULL;
    } else {
        z->n = zsl_at_rank(&v->zs->zsl, idx + 1);
    }
}

void zc_first(zcur *z, const zval *v, bool rev)
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
void zc_skip(zcur *z, unsigned long long k, bool rev)
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
void zc_score_range(zcur *z, const zval *v, const zrange_score *r, bool rev)
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

void zc_lex_range(zcur *z, const zval *v, const zrange_lex *r, bool rev)
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
size_t zv_count(const zval *v, bool lex, const void *range)
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
size_t zv_delete_range(zval *v, bool lex, const void *range)
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
size_t zv_delete_ranks(zval *v, size_t start, size_t end)
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
    if (p & ZSET_SKIPLIST_TAG) {
        v.enc = ENC_SKIPLIST;
        v.zs = (zset *)(p & ~ZSET_SKIPLIST_TAG);
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
    bool small = zset_fits_listpack(b->zs->zsl.length, b->maxlen, b->totlen);
    kv_free(b);
    if (v.zs->zsl.length == 0) {
        zs_destroy(v.zs);
        return NULL;
    }
    if (small) {
        uint8_t *lp = lp_new(0);
        char sbuf[ZSET_SCORE_BUF];
        for (zsl_node *n = zsl_first(&v.zs->zsl); n; n = zsl_next(n)) {
            lp = lp_append(lp, (const uint8_t *)n->member, n->len);
            size_t slen = zl_score_text(sbuf, n->score);
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
