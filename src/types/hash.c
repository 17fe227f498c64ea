/* hash.c - the hash family: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS
 * HLEN HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, and per-field expiry (Redis 7.4:
 * HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HTTL HPTTL HEXPIRETIME HPEXPIRETIME HPERSIST;
 * Redis 8.0: HGETDEL HGETEX HSETEX).
 *
 * Encodings. A small hash is a listpack of field, value, field, value ... in insertion
 * order (Redis's exact bytes, ds/listpack.h); past hash-max-listpack-entries fields, or
 * with a field or value longer than hash-max-listpack-value bytes, it becomes a field
 * table (ds/fieldtab.h: one allocation per field holding field, value and optional expire
 * time). OBJECT ENCODING reports "listpack" and "hashtable" for them, converting exactly
 * where Redis 7.0 does (the test file pins the cases); a table never converts back. When
 * a small hash gets its first field TTL its listpack becomes triplets (field, value,
 * expire ms; 0 = none), as Redis 7.4's "listpackex" but kept in insertion order; OBJECT
 * ENCODING still says "listpack" for it (7.0 has no name for it). Triplets stay triplets.
 *
 *   KIND_LP     [f1][v1][f2][v2]...             ENC_LISTPACK
 *   KIND_LPX    [f1][v1][t1][f2][v2][t2]...     ENC_LISTPACK  (t = expire ms, 0 = none)
 *   KIND_TABLE  ft * (ds/fieldtab.h)            ENC_HT
 *
 * Value pointer. The kobj holds the listpack or field table pointer with the kind in its
 * two low bits (allocations are 16-byte aligned): the type ops (free, size, copy), which
 * see only the pointer, tell the kinds apart by them, and a listpack stays a bare Redis
 * listpack.
 *
 * Field expiry. A field whose expire time is before the command clock (db_now_ms) is
 * expired, as in Redis (at < now; a time set at or before now deletes the field at once).
 * Expired fields are invisible to every command: the lookup at the start of each hash
 * command removes the due ones (the head of a table's expire heap: O(expired); for
 * triplets, one walk of the small listpack), and a hash that loses its last field is
 * deleted with its key. They are
 * reclaimed actively too: hash_expire_cycle() (from the server cron) pops hashes from a
 * registry ordered by each hash's earliest field expire time and removes their due
 * fields, within a time budget. The registry is keyed by (database, key) and holds no
 * pointer into the keyspace, so it never dangles: a hash freed elsewhere (DEL, FLUSHALL,
 * the lazy-free thread) or renamed is noticed when its record is next visited, and the
 * record dropped. Hash commands re-register a hash with field TTLs under its current name
 * whenever they touch it; hash_track_key() and hash_swap_dbs() let RENAME/MOVE/COPY and
 * SWAPDB do the same. Unlike Redis 7.4, HLEN never counts an expired field.
 *
 * Statistics. Read commands count keyspace hits and misses as Redis's lookupKeyRead;
 * writes do not. In-place changes call db_touch() (WATCH); deletions of fields by expiry
 * count in hash_expired_fields() (Redis's expired_subkeys).
 */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/rand.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/scanargs.h"
#include "core/families.h"
#include "db/evict.h"
#include "ds/fieldtab.h"
#include "ds/listpack.h"
#include "persist/propagate.h"
#include "persist/respbuf.h"
#include "pubsub/notify.h"
#include "types/limits.h"
#include "types/types.h"
#include "types/value_io.h"

/* Redis keeps a listpack below 1 GB (LISTPACK_MAX_SAFETY_SIZE). */
#define LP_SAFETY_BYTES (1u << 30)
/* Redis's HFE_MAX_ABS_TIME_MSEC: (2^48 - 1) >> 2, the largest field expire time. */
#define HFE_MAX_MS 70368744177663LL
/* A reply this large is cut off by closing the client (HRANDFIELD with a huge negative
 * count), rather than growing until the allocator aborts. */
#define REPLY_GUARD_BYTES ((size_t)1 << 30)
/* Fields the active cycle removes between two clock reads. */
#define CYCLE_CHECK_EVERY 64
/* Registry records the cycle re-validates per call (finds hashes freed elsewhere). */
#define SWEEP_PER_CYCLE 256

#define ERR_FIELDS_KEYWORD "ERR Mandatory argument FIELDS is missing or not at the right position"
#define ERR_NUMFIELDS_MATCH "ERR The `numfields` parameter must match the number of arguments"
#define ERR_NUMFIELDS_POSITIVE "ERR Number of fields must be a positive integer"
#define ERR_NUMFIELDS_GT0 "ERR Parameter `numFields` should be greater than 0"

static long long expired_fields;

/* ---- the value: a listpack (pairs or triplets) or a field table, told by a tag ----- */

enum { KIND_LP = 0, KIND_TABLE = 1, KIND_LPX = 2 };
#define KIND_MASK ((uintptr_t)3)

static inline int val_kind(const void *p)
{
    return (int)((uintptr_t)p & KIND_MASK);
}

static inline void *val_untag(const void *p)
{
    return (void *)((uintptr_t)p & ~KIND_MASK);
}

static inline void *val_tag(void *p, int kind)
{
    assert(((uintptr_t)p & KIND_MASK) == 0); /* the allocator aligns to 16 */
    return (void *)((uintptr_t)p | (uintptr_t)kind);
}

static inline int kind(const kobj *o)
{
    return val_kind(kobj_ptr(o));
}

static inline bool is_table(const kobj *o)
{
    return kind(o) == KIND_TABLE;
}

static inline ft *tab(const kobj *o)
{
    return val_untag(kobj_ptr(o));
}

static inline uint8_t *lpk(const kobj *o)
{
    return val_untag(kobj_ptr(o));
}

/* Listpack elements per field: field, value (, expire time). */
static inline unsigned stride(const kobj *o)
{
    return kind(o) == KIND_LPX ? 3 : 2;
}

/* Stores a (possibly moved) listpack back, keeping the kind. */
static inline void set_lp(kobj *o, uint8_t *lp)
{
    kobj_set_ptr(o, val_tag(lp, kind(o)));
}

static void value_free(void *p)
{
    if (val_kind(p) == KIND_TABLE) {
        ft_destroy(val_untag(p));
    } else {
        lp_free(val_untag(p));
    }
}

static size_t value_size(const void *p)
{
    return val_kind(p) == KIND_TABLE ? ft_mem_usage(val_untag(p)) : kv_alloc_size(val_untag(p));
}

static void *value_copy(const void *p)
{
    if (val_kind(p) == KIND_TABLE) {
        return val_tag(ft_copy(val_untag(p)), KIND_TABLE);
    }
    size_t n = lp_bytes(val_untag(p));
    void *c = kv_malloc(n);
    memcpy(c, val_untag(p), n);
    return val_tag(c, val_kind(p));
}

static size_t value_free_effort(const void *p)
{
    return val_kind(p) == KIND_TABLE ? ft_size(val_untag(p)) + 1 : 1;
}

static const kobj_type_ops hash_ops = {value_free, value_size, value_copy, value_free_effort};

/* ---- field access, any encoding ----------------------------------------------------- */

/* A field's value as read: bytes in the hash, or in buf for a listpack integer. */
typedef struct fval {
    kstr s;
    uint8_t buf[LP_INTBUF_SIZE];
} fval;

static kstr entry_field(const ft_entry *e)
{
    kstr k;
    k.p = ft_field(e, &k.len);
    return k;
}

static kstr entry_value(const ft_entry *e)
{
    kstr k;
    k.p = ft_value(e, &k.len);
    return k;
}

static kstr lp_str(const uint8_t *p, uint8_t *buf)
{
    kstr k;
    k.p = (const char *)lp_get(p, &k.len, buf, NULL, NULL);
    return k;
}

/* The element `n` places after p (NULL past the end). */
static uint8_t *lp_skip(uint8_t *lp, uint8_t *p, unsigned n)
{
    while (p && n--) {
        p = lp_next(lp, p);
    }
    return p;
}

/* Position of field f in a packed hash of the given stride, or NULL. */
static uint8_t *lp_field(uint8_t *lp, kstr f, unsigned stride)
{
    uint8_t *p = lp_first(lp);
    return p ? lp_find(lp, p, (const uint8_t *)f.p, f.len, stride - 1) : NULL;
}

/* The expire time in a triplet's third element: 0 there means none (-1 here). */
static int64_t lp_ttl_at(const uint8_t *p)
{
    uint8_t buf[LP_INTBUF_SIZE];
    size_t len;
    long long v = 0;
    bool is_int = false;
    lp_get(p, &len, buf, &v, &is_int);
    return is_int && v > 0 ? v : -1;
}

static size_t hash_len(const kobj *o)
{
    return is_table(o) ? ft_size(tab(o)) : lp_length(lpk(o)) / stride(o);
}

static bool get_field(const kobj *o, kstr f, fval *v)
{
    if (is_table(o)) {
        ft_entry *e = ft_find(tab(o), f.p, f.len);
        if (e) {
            v->s = entry_value(e);
        }
        return e != NULL;
    }
    uint8_t *lp = lpk(o), *p = lp_field(lp, f, stride(o));
    if (p) {
        v->s = lp_str(lp_next(lp, p), v->buf);
    }
    return p != NULL;
}

/* Whether field f exists; *at gets its expire time (-1: none). */
static bool field_ttl(const kobj *o, kstr f, int64_t *at)
{
    if (is_table(o)) {
        ft_entry *e = ft_find(tab(o), f.p, f.len);
        *at = e ? ft_expire(e) : -1;
        return e != NULL;
    }
    uint8_t *lp = lpk(o), *p = lp_field(lp, f, stride(o));
    *at = p && kind(o) == KIND_LPX ? lp_ttl_at(lp_skip(lp, p, 2)) : -1;
    return p != NULL;
}

static void convert_to_table(kobj *o)
{
    uint8_t *lp = lpk(o), buf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    bool triplets = kind(o) == KIND_LPX;
    ft *t = ft_create();
    for (uint8_t *p = lp_first(lp); p;) {
        kstr f = lp_str(p, buf);
        p = lp_next(lp, p);
        kstr v = lp_str(p, vbuf);
        p = lp_next(lp, p);
        ft_entry *e = ft_set(t, f.p, f.len, v.p, v.len, false, NULL);
        if (triplets) {
            int64_t at = lp_ttl_at(p);
            if (at >= 0) {
                ft_set_expire(t, e, at);
            }
            p = lp_next(lp, p);
        }
    }
    lp_free(lp);
    kobj_set_ptr(o, val_tag(t, KIND_TABLE));
    kobj_set_enc(o, ENC_HT);
}

/* Pairs to triplets, every field without expire time: the first TTL of a small hash. */
static void convert_to_triplets(kobj *o)
{
    uint8_t *lp = lpk(o), buf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    uint8_t *n = lp_new(lp_bytes(lp) + lp_length(lp) + 8);
    for (uint8_t *p = lp_first(lp); p; p = lp_skip(lp, p, 2)) {
        kstr f = lp_str(p, buf), v = lp_str(lp_next(lp, p), vbuf);
        n = lp_append(n, (const uint8_t *)f.p, f.len);
        n = lp_append(n, (const uint8_t *)v.p, v.len);
        n = lp_append_int(n, 0);
    }
    lp_free(lp);
    kobj_set_ptr(o, val_tag(n, KIND_LPX));
}

static bool over_value_limit(size_t len)
{
    return (unsigned long long)len > (unsigned long long)type_limits.hash_max_listpack_value;
}

/* Sets field f to v (Redis's hashTypeSet): a packed hash converts first when f or v is
 * longer than hash-max-listpack-value, after the insert when it holds more than
 * hash-max-listpack-entries fields. keep_ttl: an existing field keeps its expire time
 * (HINCRBY, HSETEX KEEPTTL); otherwise a set drops it (HSET). Returns true when f is new. */
static bool set_field(kobj *o, kstr f, kstr v, bool keep_ttl)
{
    if (!is_table(o) && (over_value_limit(f.len) || over_value_limit(v.len) ||
                         lp_bytes(lpk(o)) + f.len + v.len + 32 > LP_SAFETY_BYTES)) {
        convert_to_table(o);
    }
    if (is_table(o)) {
        bool added;
        ft_set(tab(o), f.p, f.len, v.p, v.len, keep_ttl, &added);
        return added;
    }
    unsigned s = stride(o);
    uint8_t *lp = lpk(o), *p = lp_field(lp, f, s);
    if (p) {
        uint8_t *vp;
        lp = lp_insert(lp, (const uint8_t *)v.p, v.len, lp_next(lp, p), LP_REPLACE, &vp);
        if (s == 3 && !keep_ttl) {
            uint8_t *tp = lp_next(lp, vp);
            if (lp_ttl_at(tp) >= 0) {
                lp = lp_insert(lp, (const uint8_t *)"0", 1, tp, LP_REPLACE, NULL);
            }
        }
        set_lp(o, lp);
        return false;
    }
    lp = lp_append(lp, (const uint8_t *)f.p, f.len);
    lp = lp_append(lp, (const uint8_t *)v.p, v.len);
    if (s == 3) {
        lp = lp_append_int(lp, 0);
    }
    set_lp(o, lp);
    if ((long long)(lp_length(lp) / s) > type_limits.hash_max_listpack_entries) {
        convert_to_table(o);
    }
    return true;
}

static bool del_field(kobj *o, kstr f)
{
    if (is_table(o)) {
        return ft_delete(tab(o), f.p, f.len);
    }
    unsigned s = stride(o);
    uint8_t *lp = lpk(o), *p = lp_field(lp, f, s);
    if (!p) {
        return false;
    }
    for (unsigned i = 0; i < s; i++) {
        lp = lp_delete(lp, p, &p);
    }
    set_lp(o, lp);
    return true;
}

/* Gives existing field f the expire time at, or none (at < 0). A packed hash gets
 * triplets for its first TTL. */
static void store_ttl(kobj *o, kstr f, int64_t at)
{
    if (is_table(o)) {
        ft_set_expire(tab(o), ft_find(tab(o), f.p, f.len), at);
        return;
    }
    if (kind(o) == KIND_LP) {
        if (at < 0) {
            return;
        }
        convert_to_triplets(o);
    }
    char buf[24];
    size_t len = ll_to_str(buf, at < 0 ? 0 : at);
    uint8_t *lp = lpk(o), *tp = lp_skip(lp, lp_field(lp, f, 3), 2);
    set_lp(o, lp_insert(lp, (const uint8_t *)buf, len, tp, LP_REPLACE, NULL));
}

/* Iteration over field/value pairs in storage order (listpack: insertion order). Nothing
 * may change the hash while an iterator lives. */
typedef struct hiter {
    bool table;
    unsigned stride;
    uint8_t *lp, *p;
    ft_iter fi;
    uint8_t fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
} hiter;

static void hiter_init(hiter *it, kobj *o)
{
    it->table = is_table(o);
    if (it->table) {
        ft_iter_init(&it->fi, tab(o), false);
    } else {
        it->stride = stride(o);
        it->lp = lpk(o);
        it->p = lp_first(it->lp);
    }
}

static bool hiter_next(hiter *it, kstr *f, kstr *v)
{
    if (it->table) {
        ft_entry *e = ft_iter_next(&it->fi);
        if (!e) {
            return false;
        }
        *f = entry_field(e);
        *v = entry_value(e);
        return true;
    }
    if (!it->p) {
        return false;
    }
    *f = lp_str(it->p, it->fbuf);
    *v = lp_str(lp_next(it->lp, it->p), it->vbuf);
    it->p = lp_skip(it->lp, it->p, it->stride);
    return true;
}

static void hiter_done(hiter *it)
{
    if (it->table) {
        ft_iter_done(&it->fi);
    }
}

/* ---- the registry of hashes with field TTLs ---------------------------------------- */

/* One record per (database, key) whose hash had a field TTL when last seen; due is that
 * hash's earliest field expire time then. Records sit in a hash table (lookup by name)
 * and a binary min-heap on due (the cycle's work list). One allocation each: a 16-byte
 * header, then the key as a varint length and its bytes (a session key fits 32 bytes). */
typedef struct reg_rec {
    int64_t due;
    uint32_t heap_idx;
    uint32_t db_id;
    uint8_t key[]; /* varint length, bytes */
} reg_rec;

static kstr rec_key(const reg_rec *r)
{
    size_t len = 0, n = 0;
    int shift = 0;
    do {
        len |= (size_t)(r->key[n] & 0x7f) << shift;
        shift += 7;
    } while (r->key[n++] & 0x80);
    return kstr_make((const char *)r->key + n, len);
}

static reg_rec *rec_new(int db_id, kstr key, int64_t due)
{
    uint8_t len[10];
    size_t n = 0, v = key.len;
    while (v >= 0x80) {
        len[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    len[n++] = (uint8_t)v;
    reg_rec *r = kv_malloc(sizeof(*r) + n + key.len);
    r->due = due;
    r->db_id = (uint32_t)db_id;
    memcpy(r->key, len, n);
    if (key.len) {
        memcpy(r->key + n, key.p, key.len);
    }
    return r;
}

typedef struct reg_key {
    int db_id;
    kstr key;
} reg_key;

static struct {
    ht *table;
    reg_rec **heap;
    size_t n, cap;
    uint64_t sweep_cursor;
} reg;

static uint64_t reg_hash(int db_id, kstr key)
{
    return hash_bytes(key.p, key.len) ^ ((uint64_t)(unsigned)db_id * 0x9e3779b97f4a7c15ULL);
}

static uint64_t reg_entry_hash(const void *e)
{
    const reg_rec *r = e;
    return reg_hash((int)r->db_id, rec_key(r));
}

static bool reg_entry_match(const void *e, const void *k)
{
    const reg_rec *r = e;
    const reg_key *rk = k;
    return (int)r->db_id == rk->db_id && kstr_eq(rec_key(r), rk->key);
}

static void reg_entry_free(void *e)
{
    kv_free(e);
}

static const ht_type reg_type = {reg_entry_hash, reg_entry_match, reg_entry_free};

static inline void reg_put(size_t i, reg_rec *r)
{
    reg.heap[i] = r;
    r->heap_idx = (uint32_t)i;
}

static void reg_sift_up(size_t i)
{
    reg_rec *r = reg.heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (reg.heap[parent]->due <= r->due) {
            break;
        }
        reg_put(i, reg.heap[parent]);
        i = parent;
    }
    reg_put(i, r);
}

static void reg_sift_down(size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, rr = l + 1, m = i;
        if (l < reg.n && reg.heap[l]->due < reg.heap[m]->due) {
            m = l;
        }
        if (rr < reg.n && reg.heap[rr]->due < reg.heap[m]->due) {
            m = rr;
        }
        if (m == i) {
            return;
        }
        reg_rec *tmp = reg.heap[i];
        reg_put(i, reg.heap[m]);
        reg_put(m, tmp);
        i = m;
    }
}

static void reg_drop(reg_rec *r)
{
    reg_key k = {(int)r->db_id, rec_key(r)};
    ht_remove(reg.table, reg_hash(k.db_id, k.key), &k);
    size_t i = r->heap_idx;
    reg_rec *last = reg.heap[--reg.n];
    if (i != reg.n) {
        reg_put(i, last);
        reg_sift_down(i);
        reg_sift_up(last->heap_idx);
    }
    if (reg.cap > 16 && reg.n < reg.cap / 4) {
        reg.cap /= 2;
        reg.heap = kv_realloc(reg.heap, reg.cap * sizeof(*reg.heap));
    }
    kv_free(r);
}

static inline bool field_expired(int64_t at)
{
    return at >= 0 && at < db_now_ms && !db_expiry_paused;
}

/* The earliest field expire time of o, -1 when no field has one. */
static int64_t min_expire(const kobj *o)
{
    if (is_table(o)) {
        ft_entry *e = ft_next_expiring(tab(o));
        return e ? ft_expire(e) : -1;
    }
    int64_t min = -1;
    if (kind(o) == KIND_LPX) {
        uint8_t *lp = lpk(o);
        for (uint8_t *p = lp_skip(lp, lp_first(lp), 2); p; p = lp_skip(lp, p, 3)) {
            int64_t at = lp_ttl_at(p);
            if (at >= 0 && (min < 0 || at < min)) {
                min = at;
            }
        }
    }
    return min;
}

/* Whether o may hold fields with TTLs (triplets may have had them all persisted). */
static inline bool may_have_ttls(const kobj *o)
{
    return is_table(o) ? ft_volatile(tab(o)) > 0 : kind(o) == KIND_LPX;
}

/* Records (or re-times) the name (d, key) as holding a hash whose earliest field expire
 * time is due (>= 0). */
static void reg_set_due(db *d, kstr key, int64_t due)
{
    reg_key k = {d->id, key};
    uint64_t h = reg_hash(d->id, key);
    reg_rec *r = ht_find(reg.table, h, &k);
    if (r) {
        int64_t old = r->due;
        r->due = due;
        if (due < old) {
            reg_sift_up(r->heap_idx);
        } else if (due > old) {
            reg_sift_down(r->heap_idx);
        }
        return;
    }
    r = rec_new(d->id, key, due);
    ht_insert(reg.table, h, r);
    if (reg.n == reg.cap) {
        reg.cap = reg.cap ? reg.cap * 2 : 16;
        reg.heap = kv_realloc(reg.heap, reg.cap * sizeof(*reg.heap));
    }
    reg_put(reg.n++, r);
    reg_sift_up(reg.n - 1);
}

/* Registers the hash o under key when it has fields with TTLs. A record left behind by
 * a hash that lost its TTLs is not looked for here: the cycle drops it. */
static void reg_sync(db *d, kstr key, kobj *o)
{
    int64_t due = may_have_ttls(o) ? min_expire(o) : -1;
    if (due >= 0) {
        reg_set_due(d, key, due);
    }
}

/* The hash a record names, or NULL when that name no longer holds a hash with TTLs. */
static kobj *reg_target(const reg_rec *r, db **dp)
{
    db *d = db_get((int)r->db_id);
    kobj *o = d ? db_find(d, rec_key(r)) : NULL;
    if (!o || kobj_type(o) != OBJ_HASH || !may_have_ttls(o)) {
        return NULL;
    }
    *dp = d;
    return o;
}

/* ---- expiring fields ------------------------------------------------------------------ */

/* Removes due fields of o: up to max from a table (in expire order), all from triplets
 * (one walk). Returns how many went; *next gets the earliest expire time left (-1: none). */
/* Field names removed by expiry, gathered while propagating: they replay as HDEL (the
 * replay runs with expiry paused, so it must be told which fields went, and when). */
static respbuf gone_fields;

static void note_gone(kstr f)
{
    if (propagate_on) {
        rb_bulk(&gone_fields, f.p, f.len);
    }
}

/* Emits HDEL key <the fields noted since the last call>. */
static void propagate_gone(db *d, kstr key, size_t n)
{
    if (!propagate_on || !n) {
        gone_fields.len = 0;
        return;
    }
    respbuf cmd = {0};
    rb_array_header(&cmd, 2 + (long long)n);
    rb_bulk(&cmd, "HDEL", 4);
    rb_bulk(&cmd, key.p, key.len);
    rb_add(&cmd, gone_fields.p, gone_fields.len);
    propagate_also_resp(d->id, cmd.p, cmd.len);
    rb_free(&cmd);
    gone_fields.len = 0;
}

static size_t remove_due_fields(kobj *o, size_t max, int64_t *next)
{
    size_t n = 0;
    *next = -1;
    if (is_table(o)) {
        ft *t = tab(o);
        ft_entry *e;
        while (n < max && (e = ft_next_expiring(t)) != NULL && field_expired(ft_expire(e))) {
            note_gone(entry_field(e));
            ft_delete_entry(t, e);
            n++;
        }
        *next = min_expire(o);
    } else if (kind(o) == KIND_LPX) {
        uint8_t *lp = lpk(o), *p = lp_first(lp);
        while (p) {
            int64_t at = lp_ttl_at(lp_skip(lp, p, 2));
            if (!field_expired(at)) {
                if (at >= 0 && (*next < 0 || at < *next)) {
                    *next = at;
                }
                p = lp_skip(lp, p, 3);
                continue;
            }
            if (propagate_on) {
                uint8_t fbuf[LP_INTBUF_SIZE];
                note_gone(lp_str(p, fbuf));
            }
            for (int i = 0; i < 3; i++) {
                lp = lp_delete(lp, p, &p);
            }
            n++;
        }
        set_lp(o, lp);
    }
    expired_fields += (long long)n;
    return n;
}

/* Lazy expiry at lookup: removes o's due fields; deletes the key when none is left
 * (returns false then). Keeps o's registry record current. */
static bool expire_due_fields(db *d, kstr key, kobj *o)
{
    if (!may_have_ttls(o)) {
        return true;
    }
    int64_t next;
    size_t gone = remove_due_fields(o, SIZE_MAX, &next);
    if (gone) {
        /* One event for the fields gone at this lookup (Redis 7.4 raises one per field
         * it meets; Kvik removes all due fields at once). The expiry is logged as HDEL of
         * those fields; the command that met it did not change anything by that. */
        notify_keyspace_event(NOTIFY_HASH, "hexpired", d, key);
        propagate_gone(d, key, gone);
        if (hash_len(o) == 0) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", d, key);
            db_delete(d, key);
            propagate_forget_change();
            return false;
        }
        db_touch(d, key);
        propagate_forget_change();
    }
    if (next >= 0) {
        reg_set_due(d, key, next);
    }
    return true;
}

struct sweep {
    reg_rec *recs[SWEEP_PER_CYCLE];
    size_t n;
};

static void sweep_one(void *priv, void *e)
{
    struct sweep *s = priv;
    for (size_t i = 0; i < s->n; i++) {
        if (s->recs[i] == e) {
            return; /* never twice: the record may be freed below */
        }
    }
    if (s->n < SWEEP_PER_CYCLE) {
        s->recs[s->n++] = e; /* a longer chain waits for the next pass */
    }
}

/* Spends about budget_us on hashes whose earliest field TTL has passed (the records at
 * the top of the heap), then re-validates a few records so those of hashes deleted or
 * renamed elsewhere do not linger until their due time. */
void hash_expire_cycle(uint64_t budget_us)
{
    if (!reg.n) {
        return;
    }
    ht_rehash_ms(reg.table, 0); /* the registry is written in bursts: finish its resizes */
    uint64_t start = clock_mono_us();
    db_now_ms = clock_ms();
    bool out_of_time = false;
    while (reg.n && field_expired(reg.heap[0]->due) && !out_of_time) {
        reg_rec *r = reg.heap[0];
        db *d;
        kobj *o = reg_target(r, &d);
        if (!o) {
            reg_drop(r);
            continue;
        }
        size_t removed = 0, n;
        int64_t due;
        do {
            n = remove_due_fields(o, CYCLE_CHECK_EVERY, &due);
            propagate_gone(d, rec_key(r), n);
            removed += n;
            out_of_time = clock_mono_us() - start > budget_us;
        } while (n == CYCLE_CHECK_EVERY && !out_of_time);
        kstr key = rec_key(r);
        if (removed) {
            notify_keyspace_event(NOTIFY_HASH, "hexpired", d, key);
        }
        if (hash_len(o) == 0) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", d, key);
            db_delete(d, key); /* before reg_drop frees the key bytes */
            reg_drop(r);
            continue;
        }
        if (removed) {
            db_touch(d, key);
        }
        if (due >= 0) {
            reg_set_due(d, key, due);
        } else {
            reg_drop(r);
        }
    }
    /* Sweep: a few records per call, in table order; more while most of them turn out
     * stale (after FLUSHALL, say) and time is left. */
    for (;;) {
        struct sweep s = {.n = 0};
        size_t buckets = 0, dropped = 0;
        do {
            reg.sweep_cursor = ht_scan(reg.table, reg.sweep_cursor, sweep_one, &s);
        } while (reg.sweep_cursor && s.n < SWEEP_PER_CYCLE / 2 && ++buckets < SWEEP_PER_CYCLE);
        for (size_t i = 0; i < s.n; i++) {
            db *d;
            if (!reg_target(s.recs[i], &d)) {
                reg_drop(s.recs[i]);
                dropped++;
            }
        }
        if (dropped * 2 <= s.n || !reg.n || clock_mono_us() - start > budget_us) {
            break;
        }
    }
}

void hash_track_key(db *d, kstr key)
{
    kobj *o = db_find(d, key);
    if (o && kobj_type(o) == OBJ_HASH) {
        reg_sync(d, key, o);
    }
}

void hash_swap_dbs(int a, int b)
{
    size_t n = 0;
    reg_rec **moved = kv_malloc(sizeof(*moved) * (ht_size(reg.table) + 1));
    ht_iter it;
    ht_iter_init(&it, reg.table);
    reg_rec *r;
    while ((r = ht_iter_next(&it)) != NULL) {
        if ((int)r->db_id == a || (int)r->db_id == b) {
            moved[n++] = r;
        }
    }
    ht_iter_done(&it);
    for (size_t i = 0; i < n; i++) {
        r = moved[i];
        reg_key k = {(int)r->db_id, rec_key(r)};
        ht_remove(reg.table, reg_hash(k.db_id, k.key), &k);
    }
    for (size_t i = 0; i < n; i++) {
        r = moved[i];
        r->db_id = (uint32_t)((int)r->db_id == a ? b : a);
        ht_insert(reg.table, reg_hash((int)r->db_id, rec_key(r)), r);
    }
    kv_free(moved);
}

long long hash_expired_fields(void)
{
    return expired_fields;
}

void hash_type_setup(void)
{
    kobj_register_type(OBJ_HASH, &hash_ops);
    if (!reg.table) {
        reg.table = ht_create(&reg_type);
    }
}

/* ---- lookups ------------------------------------------------------------------------- */

/* The hash under key, with its due fields expired; NULL when there is none (also when it
 * just lost its last field). For another type, replies WRONGTYPE and sets *wrong. `read`
 * counts a keyspace hit or miss (Redis's lookupKeyRead); both refresh the LRU clock. */
static kobj *lookup(client *c, kstr key, bool read, bool *wrong)
{
    *wrong = false;
    kobj *o = read ? db_find_read(c->db, key) : db_find(c->db, key);
    if (!o) {
        return NULL;
    }
    if (!read) {
        evict_touch(o); /* db_find_read did it for reads */
    }
    if (kobj_type(o) != OBJ_HASH) {
        reply_wrongtype(c);
        *wrong = true;
        return NULL;
    }
    if (is_table(o)) {
        ft_rehash_step(tab(o)); /* reads help finish a resize, as Redis's dictFind does */
    }
    return expire_due_fields(c->db, key, o) ? o : NULL;
}

static kobj *create_hash(client *c, kstr key)
{
    kobj *o = kobj_new_ptr(key, OBJ_HASH, ENC_LISTPACK, lp_new(0), -1);
    db_add(c->db, o);
    return o;
}

/* After a write: deletes the key of a hash left empty ("del", returns true), else
 * signals the change. */
static bool finish_write(client *c, kstr key, kobj *o, bool changed)
{
    if (hash_len(o) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
        return true;
    }
    if (changed) {
        db_touch(c->db, key);
    }
    return false;
}

static void reply_kstr(client *c, kstr s)
{
    reply_bulk(&c->out, s.p, s.len);
}

static void reply_arity(client *c)
{
    reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", c->cmd->fullname);
}

/* ---- HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS ------------------------ */

static void hset_generic(client *c, bool ok_reply)
{
    if (c->argc % 2 == 1) {
        reply_arity(c);
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        o = create_hash(c, key);
    }
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2) {
        created += set_field(o, c->argv[i], c->argv[i + 1], false);
    }
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_HASH, "hset", c->db, key);
    if (ok_reply) {
        reply_ok(&c->out);
    } else {
        reply_int(&c->out, created);
    }
}

static void cmd_hset(client *c)
{
    hset_generic(c, false);
}

static void cmd_hmset(client *c)
{
    hset_generic(c, true);
}

static void cmd_hsetnx(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    fval v;
    if (wrong) {
        return;
    }
    if (o && get_field(o, c->argv[2], &v)) {
        reply_int(&c->out, 0);
        return;
    }
    if (!o) {
        o = create_hash(c, key);
    }
    set_field(o, c->argv[2], c->argv[3], false);
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_HASH, "hset", c->db, key);
    reply_int(&c->out, 1);
}

static void cmd_hget(client *c)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    fval v;
    if (wrong) {
        return;
    }
    if (o && get_field(o, c->argv[2], &v)) {
        reply_kstr(c, v.s);
    } else {
        reply_null(&c->out);
    }
}

static void cmd_hmget(client *c)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    reply_array(&c->out, (size_t)c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        fval v;
        if (o && get_field(o, c->argv[i], &v)) {
            reply_kstr(c, v.s);
        } else {
            reply_null(&c->out);
        }
    }
}

static void cmd_hdel(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (!o) {
        if (!wrong) {
            reply_int(&c->out, 0);
        }
        return;
    }
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        if (del_field(o, c->argv[i])) {
            deleted++;
            if (hash_len(o) == 0) {
                break; /* as Redis: the key goes with its last field */
            }
        }
    }
    if (deleted) {
        notify_keyspace_event(NOTIFY_HASH, "hdel", c->db, key);
        finish_write(c, key, o, true);
    }
    reply_int(&c->out, deleted);
}

static void cmd_hlen(client *c)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (!wrong) {
        reply_int(&c->out, o ? (long long)hash_len(o) : 0);
    }
}

static void cmd_hstrlen(client *c)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    fval v;
    if (!wrong) {
        reply_int(&c->out, o && get_field(o, c->argv[2], &v) ? (long long)v.s.len : 0);
    }
}

static void cmd_hexists(client *c)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    fval v;
    if (!wrong) {
        reply_int(&c->out, o && get_field(o, c->argv[2], &v) ? 1 : 0);
    }
}

/* ---- HGETALL HKEYS HVALS --------------------------------------------------------------- */

enum { WANT_FIELDS = 1, WANT_VALUES = 2 };

static void getall_generic(client *c, int want)
{
    bool wrong, map = want == (WANT_FIELDS | WANT_VALUES);
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    size_t n = o ? hash_len(o) : 0;
    if (map) {
        reply_map(&c->out, n);
    } else {
        reply_array(&c->out, n);
    }
    if (!o) {
        return;
    }
    hiter it;
    kstr f, v;
    hiter_init(&it, o);
    while (hiter_next(&it, &f, &v)) {
        if (want & WANT_FIELDS) {
            reply_kstr(c, f);
        }
        if (want & WANT_VALUES) {
            reply_kstr(c, v);
        }
    }
    hiter_done(&it);
}

static void cmd_hgetall(client *c)
{
    getall_generic(c, WANT_FIELDS | WANT_VALUES);
}

static void cmd_hkeys(client *c)
{
    getall_generic(c, WANT_FIELDS);
}

static void cmd_hvals(client *c)
{
    getall_generic(c, WANT_VALUES);
}

/* ---- HINCRBY HINCRBYFLOAT ------------------------------------------------------------ */

static void cmd_hincrby(client *c)
{
    long long incr, value = 0;
    if (!arg_ll_or_reply(c, c->argv[3], &incr)) {
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    fval cur;
    if (o && get_field(o, c->argv[2], &cur) && !str_to_ll(cur.s.p, cur.s.len, &value)) {
        reply_error(&c->out, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        reply_error(&c->out, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[24];
    size_t len = ll_to_str(buf, value);
    if (!o) {
        o = create_hash(c, key);
    }
    set_field(o, c->argv[2], kstr_make(buf, len), true);
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_HASH, "hincrby", c->db, key);
    reply_int(&c->out, value);
}

static void cmd_hincrbyfloat(client *c)
{
    long double incr, value = 0;
    if (!str_to_ld(c->argv[3].p, c->argv[3].len, &incr)) {
        reply_error(&c->out, ERR_NOT_FLOAT);
        return;
    }
    if (isnan(incr) || isinf(incr)) {
        reply_error(&c->out, "ERR value is NaN or Infinity");
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    fval cur;
    if (o && get_field(o, c->argv[2], &cur) && !str_to_ld(cur.s.p, cur.s.len, &value)) {
        reply_error(&c->out, "ERR hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        reply_error(&c->out, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[5 * 1024];
    size_t len = ld_to_str(buf, sizeof(buf), value);
    if (!o) {
        o = create_hash(c, key);
    }
    set_field(o, c->argv[2], kstr_make(buf, len), true);
    db_touch(c->db, key);
    if (propagate_on) {
        /* The result, not the increment: float formatting must not differ on replay.
         * HSET drops a field TTL, so a field with one replays through HSETEX KEEPTTL;
         * plain HSET otherwise, which Redis 7.0 can load too. */
        int64_t ttl;
        kstr v = kstr_make(buf, len);
        if (field_ttl(o, c->argv[2], &ttl) && ttl >= 0) {
            kstr argv[7] = {KSTR_LIT("HSETEX"), key, KSTR_LIT("KEEPTTL"), KSTR_LIT("FIELDS"),
                            KSTR_LIT("1"), c->argv[2], v};
            propagate_rewrite(argv, 7);
        } else {
            kstr argv[4] = {KSTR_LIT("HSET"), key, c->argv[2], v};
            propagate_rewrite(argv, 4);
        }
    }
    notify_keyspace_event(NOTIFY_HASH, "hincrbyfloat", c->db, key);
    reply_bulk(&c->out, buf, len);
}

/* Propagates the running command with argv[name_idx] replaced by `name` and
 * argv[time_idx] by the absolute time `at`: relative field TTLs replay as the instant
 * they meant (HEXPIRE -> HPEXPIREAT, HGETEX/HSETEX EX -> PXAT). */
static void propagate_abs_time(client *c, int name_idx, kstr name, int time_idx, int64_t at)
{
    if (!propagate_on) {
        return;
    }
    kstr small[16];
    kstr *argv = c->argc <= 16 ? small : kv_malloc(sizeof(kstr) * (size_t)c->argc);
    memcpy(argv, c->argv, sizeof(kstr) * (size_t)c->argc);
    char ms[24];
    argv[name_idx] = name;
    argv[time_idx] = kstr_make(ms, ll_to_str(ms, at));
    propagate_rewrite(argv, c->argc);
    if (argv != small) {
        kv_free(argv);
    }
}

/* ---- HRANDFIELD ---------------------------------------------------------------------- */

/* Closes a client whose reply grew past REPLY_GUARD_BYTES (it cannot be finished). */
static bool reply_runaway(client *c)
{
    if (c->out.pending > REPLY_GUARD_BYTES) {
        client_close_async(c);
        return true;
    }
    return false;
}

static void reply_pair(client *c, kstr f, kstr v, bool withvalues)
{
    if (withvalues && c->resp > 2) {
        reply_array(&c->out, 2);
    }
    reply_kstr(c, f);
    if (withvalues) {
        reply_kstr(c, v);
    }
}

static void reply_lp_pair(client *c, uint8_t *lp, uint8_t *p, bool withvalues)
{
    uint8_t fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
    reply_pair(c, lp_str(p, fb), lp_str(lp_next(lp, p), vb), withvalues);
}

static void reply_entry(client *c, const ft_entry *e, bool withvalues)
{
    reply_pair(c, entry_field(e), entry_value(e), withvalues);
}

/* CASE 1 of Redis's HRANDFIELD: count picks with repetition, in random order. */
static void hrandfield_repeat(client *c, kobj *o, size_t size, unsigned long long count,
                              bool withvalues)
{
    uint8_t **pos = NULL;
    if (!is_table(o)) {
        /* Field positions once, so each pick is O(1) rather than a walk. */
        uint8_t *lp = lpk(o);
        pos = kv_malloc(sizeof(*pos) * size);
        size_t i = 0;
        for (uint8_t *p = lp_first(lp); p; p = lp_skip(lp, p, stride(o))) {
            pos[i++] = p;
        }
    }
    for (unsigned long long i = 0; i < count; i++) {
        if (pos) {
            reply_lp_pair(c, lpk(o), pos[rand_below(size)], withvalues);
        } else {
            reply_entry(c, ft_random(tab(o)), withvalues);
        }
        if ((i & 1023) == 1023 && reply_runaway(c)) {
            break;
        }
    }
    kv_free(pos);
}

static uint64_t ptr_hash(const void *e)
{
    uint64_t z = (uint64_t)(uintptr_t)e * 0x9e3779b97f4a7c15ULL;
    return z ^ (z >> 29);
}

static bool ptr_match(const void *e, const void *key)
{
    return e == key;
}

static const ht_type ptr_set_type = {ptr_hash, ptr_match, NULL};

/* count distinct fields out of size (count < size). */
static void hrandfield_distinct(client *c, kobj *o, size_t size, size_t count, bool withvalues)
{
    if (!is_table(o)) {
        /* Selection sampling: one pass, each pair kept with probability needed/left. */
        uint8_t *lp = lpk(o);
        size_t needed = count, left = size;
        for (uint8_t *p = lp_first(lp); p && needed; p = lp_skip(lp, p, stride(o)), left--) {
            if (rand_below(left) < needed) {
                reply_lp_pair(c, lp, p, withvalues);
                needed--;
            }
        }
        return;
    }
    ft *t = tab(o);
    if (count * 3 > size) {
        /* CASE 3: take all, drop random ones down to count. */
        ft_entry **all = kv_malloc(sizeof(*all) * size);
        size_t n = 0;
        ft_iter it;
        ft_iter_init(&it, t, false);
        ft_entry *e;
        while ((e = ft_iter_next(&it)) != NULL) {
            all[n++] = e;
        }
        ft_iter_done(&it);
        while (n > count) {
            size_t i = rand_below(n);
            all[i] = all[--n];
        }
        for (size_t i = 0; i < n; i++) {
            reply_entry(c, all[i], withvalues);
        }
        kv_free(all);
        return;
    }
    /* CASE 4: random picks until count distinct ones. */
    ht *seen = ht_create(&ptr_set_type);
    for (size_t added = 0; added < count;) {
        ft_entry *e = ft_random(t);
        uint64_t h = ptr_hash(e);
        if (ht_find(seen, h, e)) {
            continue;
        }
        ht_insert(seen, h, e);
        added++;
        reply_entry(c, e, withvalues);
    }
    ht_destroy(seen);
}

static void hrandfield_count(client *c, long long l, bool withvalues)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    unsigned long long count = l >= 0 ? (unsigned long long)l : (unsigned long long)-l;
    if (!o || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    size_t size = hash_len(o);
    size_t per = withvalues && c->resp == 2 ? 2 : 1;
    if (l < 0 || count == 1) {
        reply_array(&c->out, (size_t)count * per);
        hrandfield_repeat(c, o, size, count, withvalues);
        return;
    }
    if (count >= size) {
        reply_array(&c->out, size * per);
        hiter it;
        kstr f, v;
        hiter_init(&it, o);
        while (hiter_next(&it, &f, &v)) {
            reply_pair(c, f, v, withvalues);
        }
        hiter_done(&it);
        return;
    }
    reply_array(&c->out, (size_t)count * per);
    hrandfield_distinct(c, o, size, (size_t)count, withvalues);
}

static void cmd_hrandfield(client *c)
{
    if (c->argc >= 3) {
        long long l;
        if (!arg_ll_or_reply(c, c->argv[2], &l)) {
            return;
        }
        if (l == LLONG_MIN) {
            reply_error(&c->out, "ERR value is out of range, value must between "
                                 "-9223372036854775807 and 9223372036854775807");
            return;
        }
        if (c->argc > 4 || (c->argc == 4 && !kstr_is(c->argv[3], "withvalues"))) {
            reply_syntax_error(c);
            return;
        }
        bool withvalues = c->argc == 4;
        if (withvalues && (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2)) {
            reply_error(&c->out, "ERR value is out of range");
            return;
        }
        hrandfield_count(c, l, withvalues);
        return;
    }
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
    } else if (is_table(o)) {
        reply_kstr(c, entry_field(ft_random(tab(o))));
    } else {
        uint8_t buf[LP_INTBUF_SIZE], *lp = lpk(o);
        long idx = (long)(stride(o) * rand_below(hash_len(o)));
        reply_kstr(c, lp_str(lp_seek(lp, idx), buf));
    }
}

/* ---- HSCAN --------------------------------------------------------------------------- */

typedef struct scan_acc {
    ft_entry **v;
    size_t n, cap;
} scan_acc;

static void scan_collect(void *priv, ft_entry *e)
{
    scan_acc *a = priv;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 32;
        a->v = kv_realloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = e;
}

static void cmd_hscan(client *c)
{
    uint64_t cursor;
    if (!scan_cursor_or_reply(c, c->argv[2], &cursor)) {
        return;
    }
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        scan_reply_empty(c);
        return;
    }
    scan_opts opts;
    if (!scan_opts_or_reply(c, 3, SCAN_ALLOW_NOVALUES, &opts)) {
        return;
    }
    long long count = opts.count;
    bool with_values = !opts.novalues;
    void *hdr;
    size_t n = 0;
    if (!is_table(o)) {
        /* A packed hash is returned whole, with cursor 0, as Redis does. */
        reply_array(&c->out, 2);
        reply_bulk(&c->out, "0", 1);
        hdr = reply_defer(&c->out);
        hiter it;
        kstr f, v;
        hiter_init(&it, o);
        while (hiter_next(&it, &f, &v)) {
            if (!scan_opts_match(&opts, f.p, f.len)) {
                continue;
            }
            reply_kstr(c, f);
            if (with_values) {
                reply_kstr(c, v);
            }
            n += with_values ? 2 : 1;
        }
        hiter_done(&it);
        reply_defer_set(&c->out, hdr, REPLY_ARRAY, n);
        return;
    }
    /* As Redis: stop once COUNT items (a field and its value are two) are gathered or
     * after COUNT * 10 buckets, so a sparse table cannot make one call walk all of it. */
    scan_acc acc = {NULL, 0, 0};
    long long max_buckets = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    size_t per = with_values ? 2 : 1;
    do {
        cursor = ft_scan(tab(o), cursor, scan_collect, &acc);
    } while (cursor && max_buckets-- && acc.n * per < (unsigned long long)count);
    char buf[24];
    size_t blen = ull_to_str(buf, cursor);
    reply_array(&c->out, 2);
    reply_bulk(&c->out, buf, blen);
    hdr = reply_defer(&c->out);
    for (size_t i = 0; i < acc.n; i++) {
        kstr f = entry_field(acc.v[i]);
        if (!scan_opts_match(&opts, f.p, f.len)) {
            continue;
        }
        reply_kstr(c, f);
        if (with_values) {
            reply_kstr(c, entry_value(acc.v[i]));
        }
        n += per;
    }
    reply_defer_set(&c->out, hdr, REPLY_ARRAY, n);
    kv_free(acc.v);
}

/* ---- field expiry commands ----------------------------------------------------------- */

/* Parses "FIELDS numfields field..." with the keyword at argv[at]: numfields must be a
 * positive integer (else count_err) equal to the number of arguments after it. Returns
 * the index of the first field, or 0 after replying. */
static int fields_or_reply(client *c, int at, const char *count_err)
{
    if (at >= c->argc || !kstr_is(c->argv[at], "FIELDS")) {
        reply_error(&c->out, ERR_FIELDS_KEYWORD);
        return 0;
    }
    if (at + 1 >= c->argc) {
        reply_arity(c); /* HGETEX key EX 1 FIELDS: Redis reads past argv here */
        return 0;
    }
    long long n;
    if (!str_to_ll(c->argv[at + 1].p, c->argv[at + 1].len, &n) || n < 1) {
        reply_error(&c->out, count_err);
        return 0;
    }
    if (n != c->argc - at - 2) {
        reply_error(&c->out, ERR_NUMFIELDS_MATCH);
        return 0;
    }
    return at + 2;
}

/* An expire time argument as Redis's HFE parseExpireTime: an integer >= 0, in seconds or
 * ms, plus base (now for relative times, 0 for absolute ones), at most HFE_MAX_MS. */
static bool hfe_time_or_reply(client *c, kstr a, bool seconds, int64_t base, int64_t *out)
{
    long long v;
    if (!arg_ll_or_reply(c, a, &v)) {
        return false;
    }
    if (v < 0) {
        reply_error(&c->out, "ERR invalid expire time, must be >= 0");
        return false;
    }
    if (seconds) {
        if (v > HFE_MAX_MS / 1000) {
            goto invalid;
        }
        v *= 1000;
    }
    if (v > HFE_MAX_MS - base) {
        goto invalid;
    }
    *out = v + base;
    return true;
invalid:
    reply_errorf(&c->out, "ERR invalid expire time in '%s' command", c->cmd->fullname);
    return false;
}

enum { COND_NX = 1, COND_XX = 2, COND_GT = 4, COND_LT = 8 };
enum { HFE_NO_FIELD = -2, HFE_NO_TTL = -1, HFE_NOT_MET = 0, HFE_SET = 1, HFE_DELETED = 2 };

static unsigned cond_flag(kstr a)
{
    if (a.len != 2) {
        return 0;
    }
    return kstr_is(a, "NX")   ? COND_NX
           : kstr_is(a, "XX") ? COND_XX
           : kstr_is(a, "GT") ? COND_GT
           : kstr_is(a, "LT") ? COND_LT
                              : 0;
}

/* Gives field f of o the expire time `at`, or removes its TTL when at < 0, under the
 * NX/XX/GT/LT condition (a field without TTL counts as an infinite TTL: GT and XX fail,
 * LT and NX pass). A time at or before now deletes the field. Returns the HEXPIRE reply
 * code; HFE_SET also for a removed TTL, HFE_NOT_MET for nothing to remove. */
static int field_set_expire(kobj *o, kstr f, int64_t at, unsigned cond)
{
    int64_t prev;
    if (!field_ttl(o, f, &prev)) {
        return HFE_NO_FIELD;
    }
    if (at < 0) {
        if (prev < 0) {
            return HFE_NOT_MET;
        }
        store_ttl(o, f, -1);
        return HFE_SET;
    }
    if (prev < 0) {
        if (cond & (COND_XX | COND_GT)) {
            return HFE_NOT_MET;
        }
    } else if ((cond == COND_GT && prev >= at) || (cond == COND_LT && prev <= at) ||
               cond == COND_NX) {
        return HFE_NOT_MET;
    }
    if (at <= db_now_ms && !db_expiry_paused) {
        del_field(o, f);
        expired_fields++;
        return HFE_DELETED;
    }
    store_ttl(o, f, at);
    return HFE_SET;
}

/* After a command that may have set TTLs or deleted fields: drops an emptied key, else
 * signals the change and (re)registers the hash for active expiry. */
static void finish_expire_write(client *c, kstr key, kobj *o, bool changed)
{
    if (!finish_write(c, key, o, changed)) {
        reg_sync(c->db, key, o);
    }
}

static void hexpire_generic(client *c, bool seconds, bool relative)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    int64_t at;
    if (!hfe_time_or_reply(c, c->argv[2], seconds, relative ? db_now_ms : 0, &at)) {
        return;
    }
    unsigned cond = cond_flag(c->argv[3]);
    int first = fields_or_reply(c, cond ? 4 : 3, ERR_NUMFIELDS_GT0);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    bool updated = false, deleted = false;
    for (int i = first; i < c->argc; i++) {
        int r = o ? field_set_expire(o, c->argv[i], at, cond) : HFE_NO_FIELD;
        updated |= r == HFE_SET;
        deleted |= r == HFE_DELETED;
        reply_int(&c->out, r);
    }
    if (o && (updated || deleted)) {
        notify_keyspace_event(NOTIFY_HASH, deleted ? "hdel" : "hexpire", c->db, key);
        finish_expire_write(c, key, o, true);
        propagate_abs_time(c, 0, KSTR_LIT("HPEXPIREAT"), 2, at);
    }
}

static void cmd_hexpire(client *c)
{
    hexpire_generic(c, true, true);
}

static void cmd_hpexpire(client *c)
{
    hexpire_generic(c, false, true);
}

static void cmd_hexpireat(client *c)
{
    hexpire_generic(c, true, false);
}

static void cmd_hpexpireat(client *c)
{
    hexpire_generic(c, false, false);
}

static void httl_generic(client *c, bool seconds, bool absolute)
{
    bool wrong;
    kobj *o = lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    int first = fields_or_reply(c, 2, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    int64_t base = absolute ? 0 : db_now_ms;
    reply_array(&c->out, (size_t)(c->argc - first));
    for (int i = first; i < c->argc; i++) {
        kstr f = c->argv[i];
        int64_t at;
        long long r;
        if (!o || !field_ttl(o, f, &at)) {
            r = HFE_NO_FIELD;
        } else if (at < 0) {
            r = HFE_NO_TTL;
        } else {
            r = seconds ? (at + 999 - base) / 1000 : at - base;
        }
        reply_int(&c->out, r);
    }
}

static void cmd_httl(client *c)
{
    httl_generic(c, true, false);
}

static void cmd_hpttl(client *c)
{
    httl_generic(c, false, false);
}

static void cmd_hexpiretime(client *c)
{
    httl_generic(c, true, true);
}

static void cmd_hpexpiretime(client *c)
{
    httl_generic(c, false, true);
}

static void cmd_hpersist(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    int first = fields_or_reply(c, 2, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    bool changed = false;
    for (int i = first; i < c->argc; i++) {
        int r = o ? field_set_expire(o, c->argv[i], -1, 0) : HFE_NO_FIELD;
        if (r == HFE_NOT_MET) {
            r = HFE_NO_TTL;
        }
        changed |= r == HFE_SET;
        reply_int(&c->out, r);
    }
    if (changed) {
        db_touch(c->db, key);
        notify_keyspace_event(NOTIFY_HASH, "hpersist", c->db, key);
    }
}

static void cmd_hgetdel(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    int first = fields_or_reply(c, 2, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    bool deleted = false;
    for (int i = first; i < c->argc; i++) {
        fval v;
        if (o && get_field(o, c->argv[i], &v)) {
            reply_kstr(c, v.s);
            del_field(o, c->argv[i]);
            deleted = true;
        } else {
            reply_null(&c->out);
        }
    }
    if (deleted) {
        notify_keyspace_event(NOTIFY_HASH, "hdel", c->db, key);
        finish_write(c, key, o, true);
    }
}

/* Expire options of HGETEX and HSETEX. */
enum {
    OPT_EX = 1 << 0,
    OPT_PX = 1 << 1,
    OPT_EXAT = 1 << 2,
    OPT_PXAT = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_KEEPTTL = 1 << 5,
    OPT_FNX = 1 << 6,
    OPT_FXX = 1 << 7,
};
#define OPT_TIMES (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

static unsigned time_opt(kstr a)
{
    return kstr_is(a, "EX")     ? OPT_EX
           : kstr_is(a, "PX")   ? OPT_PX
           : kstr_is(a, "EXAT") ? OPT_EXAT
           : kstr_is(a, "PXAT") ? OPT_PXAT
                                : 0;
}

/* Parses the time argument of time option opt into absolute ms. */
static bool opt_time_or_reply(client *c, unsigned opt, kstr a, int64_t *at)
{
    bool seconds = opt & (OPT_EX | OPT_EXAT);
    int64_t base = opt & (OPT_EX | OPT_PX) ? db_now_ms : 0;
    return hfe_time_or_reply(c, a, seconds, base, at);
}

static void cmd_hgetex(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    unsigned opt = time_opt(c->argv[2]);
    int at_fields = 2;
    int64_t at = -1;
    if (opt) {
        at_fields = 4;
        if (!opt_time_or_reply(c, opt, c->argv[3], &at)) {
            return;
        }
    } else if (kstr_is(c->argv[2], "PERSIST")) {
        opt = OPT_PERSIST;
        at_fields = 3;
    }
    int first = fields_or_reply(c, at_fields, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    bool updated = false, deleted = false;
    for (int i = first; i < c->argc; i++) {
        fval v;
        if (!o || !get_field(o, c->argv[i], &v)) {
            reply_null(&c->out);
            continue;
        }
        reply_kstr(c, v.s);
        if (opt) {
            int r = field_set_expire(o, c->argv[i], at, 0);
            updated |= r == HFE_SET;
            deleted |= r == HFE_DELETED;
        }
    }
    if (o && (updated || deleted)) {
        /* As Redis 8.0: hpersist or hexpire when a field was updated, else hdel. */
        const char *event = !updated ? "hdel" : opt == OPT_PERSIST ? "hpersist" : "hexpire";
        notify_keyspace_event(NOTIFY_HASH, event, c->db, key);
        finish_expire_write(c, key, o, true);
        if (opt & OPT_TIMES) {
            propagate_abs_time(c, 2, KSTR_LIT("PXAT"), 3, at);
        }
    }
}

/* HSETEX options, parsed before the key is looked up (Redis's hsetexParseArgs). Returns
 * the index of the first field, or 0 after replying. */
static int hsetex_args_or_reply(client *c, unsigned *flags, int64_t *at)
{
    unsigned fl = 0;
    for (int i = 2; i < c->argc; i++) {
        kstr a = c->argv[i];
        unsigned t = time_opt(a);
        if (kstr_is(a, "FIELDS")) {
            if (i >= c->argc - 3) {
                reply_arity(c);
                return 0;
            }
            long long n;
            kstr na = c->argv[i + 1];
            if (!str_to_ll(na.p, na.len, &n) || n < 1 || n > INT_MAX) {
                reply_error(&c->out, "ERR invalid number of fields");
                return 0;
            }
            int remaining = c->argc - i - 2;
            if (remaining % 2 != 0 || n != remaining / 2) {
                reply_arity(c);
                return 0;
            }
            *flags = fl;
            return i + 2;
        } else if (t || kstr_is(a, "KEEPTTL")) {
            if (fl & (OPT_TIMES | OPT_KEEPTTL)) {
                reply_error(&c->out, "ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments "
                                     "can be specified");
                return 0;
            }
            if (!t) {
                fl |= OPT_KEEPTTL;
                continue;
            }
            if (i >= c->argc - 1) {
                reply_error(&c->out, "ERR missing expire time");
                return 0;
            }
            if (!opt_time_or_reply(c, t, c->argv[++i], at)) {
                return 0;
            }
            fl |= t;
        } else if (kstr_is(a, "FXX") || kstr_is(a, "FNX")) {
            if (fl & (OPT_FXX | OPT_FNX)) {
                reply_error(&c->out, "ERR Only one of FXX or FNX arguments can be specified");
                return 0;
            }
            fl |= kstr_is(a, "FXX") ? OPT_FXX : OPT_FNX;
        } else {
            reply_errorf(&c->out, "ERR unknown argument: %.*s", (int)a.len, a.p);
            return 0;
        }
    }
    reply_arity(c); /* no FIELDS: unreachable with arity -6, kept for safety */
    return 0;
}

static void cmd_hsetex(client *c)
{
    unsigned fl = 0;
    int64_t at = -1;
    int first = hsetex_args_or_reply(c, &fl, &at);
    if (!first) {
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    if (!o && (fl & OPT_FXX)) {
        reply_int(&c->out, 0);
        return;
    }
    if (o && (fl & (OPT_FXX | OPT_FNX))) {
        int found = 0, n = (c->argc - first) / 2;
        for (int i = first; i < c->argc; i += 2) {
            fval v;
            bool exists = get_field(o, c->argv[i], &v);
            found += exists;
            if (((fl & OPT_FXX) && !exists) || ((fl & OPT_FNX) && exists)) {
                break;
            }
        }
        if (((fl & OPT_FNX) && found) || ((fl & OPT_FXX) && found != n)) {
            reply_int(&c->out, 0);
            return;
        }
    }
    if (!o) {
        o = create_hash(c, key);
    }
    bool keep = fl & (OPT_TIMES | OPT_KEEPTTL);
    bool updated = false, deleted = false;
    for (int i = first; i < c->argc; i += 2) {
        set_field(o, c->argv[i], c->argv[i + 1], keep);
        if (fl & OPT_TIMES) {
            int r = field_set_expire(o, c->argv[i], at, 0);
            updated |= r == HFE_SET;
            deleted |= r == HFE_DELETED;
        }
    }
    notify_keyspace_event(NOTIFY_HASH, "hset", c->db, key);
    if (updated || deleted) {
        notify_keyspace_event(NOTIFY_HASH, deleted ? "hdel" : "hexpire", c->db, key);
    }
    finish_expire_write(c, key, o, true);
    if (fl & OPT_TIMES) {
        for (int i = 2; i < first - 2; i++) {
            if (time_opt(c->argv[i])) {
                propagate_abs_time(c, i, KSTR_LIT("PXAT"), i + 1, at);
                break;
            }
        }
    }
    reply_int(&c->out, 1);
}

/* ---- the table ----------------------------------------------------------------------- */

#define HASH "hash"
#define W_DENY (CMD_WRITE | CMD_DENYOOM)
#define RO_FAST (CMD_READONLY | CMD_FAST)
#define N_FIELDS "O(N) where N is the number of specified fields"

command hash_commands[] = {
    {"hset", cmd_hset, -4, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set the string value of a hash field", "2.0.0",
     "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
     "command is called with multiple field/value pairs.",
     NULL, NULL},
    {"hsetnx", cmd_hsetnx, 4, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT, HASH,
     "Set the value of a hash field, only if the field does not exist", "2.0.0", "O(1)", NULL,
     NULL},
    {"hget", cmd_hget, 3, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get the value of a hash field", "2.0.0", "O(1)", NULL, NULL},
    {"hmset", cmd_hmset, -4, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set multiple hash fields to multiple values", "2.0.0",
     "O(N) where N is the number of fields being set.", NULL, NULL},
    {"hmget", cmd_hmget, -3, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get the values of all the given hash fields", "2.0.0",
     "O(N) where N is the number of fields being requested.", NULL, NULL},
    {"hgetall", cmd_hgetall, 2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get all the fields and values in a hash", "2.0.0", "O(N) where N is the size of the hash.",
     NULL, NULL},
    {"hdel", cmd_hdel, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_DELETE, HASH,
     "Delete one or more hash fields", "2.0.0",
     "O(N) where N is the number of fields to be removed.", NULL, NULL},
    {"hexists", cmd_hexists, 3, RO_FAST, 1, 1, 1, KS_RO, HASH, "Determine if a hash field exists",
     "2.0.0", "O(1)", NULL, NULL},
    {"hlen", cmd_hlen, 2, RO_FAST, 1, 1, 1, KS_RO, HASH, "Get the number of fields in a hash",
     "2.0.0", "O(1)", NULL, NULL},
    {"hkeys", cmd_hkeys, 2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get all the fields in a hash", "2.0.0", "O(N) where N is the size of the hash.", NULL, NULL},
    {"hvals", cmd_hvals, 2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get all the values in a hash", "2.0.0", "O(N) where N is the size of the hash.", NULL, NULL},
    {"hincrby", cmd_hincrby, 4, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, HASH,
     "Increment the integer value of a hash field by the given number", "2.0.0", "O(1)", NULL,
     NULL},
    {"hincrbyfloat", cmd_hincrbyfloat, 4, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE,
     HASH, "Increment the float value of a hash field by the given amount", "2.6.0", "O(1)", NULL,
     NULL},
    {"hstrlen", cmd_hstrlen, 3, RO_FAST, 1, 1, 1, KS_RO, HASH,
     "Get the length of the value of a hash field", "3.2.0", "O(1)", NULL, NULL},
    {"hrandfield", cmd_hrandfield, -2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Get one or multiple random fields from a hash", "6.2.0",
     "O(N) where N is the number of fields returned", NULL, NULL},
    {"hscan", cmd_hscan, -3, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Incrementally iterate hash fields and associated values", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the "
     "collection..",
     NULL, NULL},
    /* Redis 7.4 */
    {"hexpire", cmd_hexpire, -6, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set expiry for hash field using relative time to expire (seconds)", "7.4.0", N_FIELDS, NULL,
     NULL},
    {"hpexpire", cmd_hpexpire, -6, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set expiry for hash field using relative time to expire (milliseconds)", "7.4.0", N_FIELDS,
     NULL, NULL},
    {"hexpireat", cmd_hexpireat, -6, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set expiry for hash field using an absolute Unix timestamp (seconds)", "7.4.0", N_FIELDS,
     NULL, NULL},
    {"hpexpireat", cmd_hpexpireat, -6, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set expiry for hash field using an absolute Unix timestamp (milliseconds)", "7.4.0", N_FIELDS,
     NULL, NULL},
    {"httl", cmd_httl, -5, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Returns the TTL in seconds of a hash field.", "7.4.0", N_FIELDS, NULL, NULL},
    {"hpttl", cmd_hpttl, -5, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Returns the TTL in milliseconds of a hash field.", "7.4.0", N_FIELDS, NULL, NULL},
    {"hexpiretime", cmd_hexpiretime, -5, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Returns the expiration time of a hash field as a Unix timestamp, in seconds.", "7.4.0",
     N_FIELDS, NULL, NULL},
    {"hpexpiretime", cmd_hpexpiretime, -5, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, HASH,
     "Returns the expiration time of a hash field as a Unix timestamp, in msec.", "7.4.0", N_FIELDS,
     NULL, NULL},
    {"hpersist", cmd_hpersist, -5, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Removes the expiration time for each specified field", "7.4.0", N_FIELDS, NULL, NULL},
    /* Redis 8.0 */
    {"hgetdel", cmd_hgetdel, -5, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_DELETE, HASH,
     "Returns the value of a field and deletes it from the hash.", "8.0.0", N_FIELDS, NULL, NULL},
    {"hgetex", cmd_hgetex, -5, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, HASH,
     "Get the value of one or more fields of a given hash key, and optionally set their "
     "expiration.",
     "8.0.0", N_FIELDS, NULL, NULL},
    {"hsetex", cmd_hsetex, -6, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, HASH,
     "Set the value of one or more fields of a given hash key, and optionally set their "
     "expiration.",
     "8.0.0", N_FIELDS, NULL, NULL},
    {0},
};

/* ---- persistence (types/value_io.h) ------------------------------------------------- */

/* A builder fills an entry under an empty name through the commands' own set_field and
 * store_ttl (so conversions happen where HSET's would); finish renames it. */
struct hash_builder {
    kobj *o;
};

size_t hash_value_len(const kobj *o)
{
    return hash_len(o);
}

const uint8_t *hash_value_listpack(const kobj *o)
{
    return kind(o) == KIND_LP ? lpk(o) : NULL;
}

size_t hash_ttl_hashes(void)
{
    return reg.n;
}

int64_t hash_value_min_expire(const kobj *o)
{
    return may_have_ttls(o) ? min_expire(o) : -1;
}

void hash_value_each(const kobj *o, void (*fn)(void *priv, kstr f, kstr v, int64_t at),
                     void *priv)
{
    if (is_table(o)) {
        ft_iter it;
        ft_iter_init(&it, tab(o), false);
        ft_entry *e;
        while ((e = ft_iter_next(&it)) != NULL) {
            fn(priv, entry_field(e), entry_value(e), ft_expire(e));
        }
        ft_iter_done(&it);
        return;
    }
    uint8_t *lp = lpk(o), fbuf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    bool triplets = kind(o) == KIND_LPX;
    for (uint8_t *p = lp_first(lp); p;) {
        kstr f = lp_str(p, fbuf);
        p = lp_next(lp, p);
        kstr v = lp_str(p, vbuf);
        p = lp_next(lp, p);
        int64_t at = -1;
        if (triplets) {
            at = lp_ttl_at(p);
            p = lp_next(lp, p);
        }
        fn(priv, f, v, at);
    }
}

hash_builder *hash_build_start(size_t hint)
{
    hash_builder *b = kv_malloc(sizeof(*b));
    b->o = kobj_new_ptr(kstr_make("", 0), OBJ_HASH, ENC_LISTPACK, lp_new(0), -1);
    if ((long long)hint > type_limits.hash_max_listpack_entries) {
        convert_to_table(b->o);
    }
    return b;
}

bool hash_build_add(hash_builder *b, kstr f, kstr v, int64_t at)
{
    if (!set_field(b->o, f, v, false)) {
        return false;
    }
    if (at >= 0) {
        store_ttl(b->o, f, at);
    }
    return true;
}

kobj *hash_build_finish(hash_builder *b, kstr key, int64_t expire_ms)
{
    kobj *o = b->o;
    kv_free(b);
    if (hash_len(o) == 0) {
        kobj_free(o);
        return NULL;
    }
    o = kobj_rekey(o, key);
    return expire_ms >= 0 ? kobj_with_expire(o, expire_ms) : o;
}

void hash_build_abort(hash_builder *b)
{
    if (b) {
        kobj_free(b->o);
        kv_free(b);
    }
}

/* Redis's loader keeps a listpack within the limits as it is and converts a larger one. */
kobj *hash_from_listpack(kstr key, uint8_t *lp, int64_t expire_ms)
{
    size_t n = lp_length(lp);
    bool fits = n > 0 && n % 2 == 0 &&
                (long long)(n / 2) <= type_limits.hash_max_listpack_entries;
    uint8_t buf[LP_INTBUF_SIZE];
    for (uint8_t *p = n % 2 == 0 ? lp_first(lp) : NULL; p && fits; p = lp_next(lp, p)) {
        kstr s = lp_str(p, buf);
        fits = !over_value_limit(s.len);
    }
    if (fits) {
        for (uint8_t *p = lp_first(lp); p; p = lp_skip(lp, p, 2)) {
            kstr f = lp_str(p, buf);
            uint8_t *after = lp_skip(lp, p, 2);
            if (after && lp_find(lp, after, (const uint8_t *)f.p, f.len, 1)) {
                lp_free(lp);
                return NULL; /* duplicate field */
            }
        }
        return kobj_new_ptr(key, OBJ_HASH, ENC_LISTPACK, lp, expire_ms);
    }
    if (n == 0 || n % 2) {
        lp_free(lp);
        return NULL;
    }
    hash_builder *b = hash_build_start(n / 2);
    uint8_t vbuf[LP_INTBUF_SIZE];
    for (uint8_t *p = lp_first(lp); p; p = lp_skip(lp, p, 2)) {
        if (!hash_build_add(b, lp_str(p, buf), lp_str(lp_next(lp, p), vbuf), -1)) {
            hash_build_abort(b);
            lp_free(lp);
            return NULL;
        }
    }
    lp_free(lp);
    return hash_build_finish(b, key, expire_ms);
}
