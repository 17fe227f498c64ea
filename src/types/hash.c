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
 * where Redis 7.0 does (the test file pins the cases). Giving any field a TTL also moves a
 * listpack hash to the field table, so a hash with field TTLs always reports "hashtable"
 * (Redis 7.4 would report "listpackex" for a small one); it never converts back, as Redis.
 *
 * Value pointer. The kobj holds either the listpack pointer or the field table pointer
 * with its low bit set (TABLE_TAG): the type ops (free, size, copy), which see only the
 * pointer, tell the two apart by that bit, and the listpack stays a bare Redis listpack.
 *
 * Field expiry. A field whose expire time is before the command clock (db_now_ms) is
 * expired, as in Redis (at < now; a time set at or before now deletes the field at once).
 * Expired fields are invisible to every command: the lookup at the start of each hash
 * command removes the due ones (they are the head of the table's expire heap, so this is
 * O(expired)), and a hash that loses its last field is deleted with its key. They are
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
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "ds/fieldtab.h"
#include "ds/listpack.h"
#include "types/limits.h"
#include "types/types.h"

#define TABLE_TAG ((uintptr_t)1)
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

/* ---- the value: a listpack or a tagged field table --------------------------------- */

static inline bool val_is_table(const void *p)
{
    return ((uintptr_t)p & TABLE_TAG) != 0;
}

static inline ft *val_table(const void *p)
{
    return (ft *)((uintptr_t)p & ~TABLE_TAG);
}

static inline void *table_val(ft *t)
{
    return (void *)((uintptr_t)t | TABLE_TAG);
}

static inline bool is_table(const kobj *o)
{
    return val_is_table(kobj_ptr(o));
}

static inline ft *tab(const kobj *o)
{
    return val_table(kobj_ptr(o));
}

static inline uint8_t *lpk(const kobj *o)
{
    return kobj_ptr(o);
}

static void value_free(void *p)
{
    if (val_is_table(p)) {
        ft_destroy(val_table(p));
    } else {
        lp_free(p);
    }
}

static size_t value_size(const void *p)
{
    return val_is_table(p) ? ft_mem_usage(val_table(p)) : kv_alloc_size(p);
}

static void *value_copy(const void *p)
{
    if (val_is_table(p)) {
        return table_val(ft_copy(val_table(p)));
    }
    size_t n = lp_bytes(p);
    void *c = kv_malloc(n);
    memcpy(c, p, n);
    return c;
}

static size_t value_free_effort(const void *p)
{
    return val_is_table(p) ? ft_size(val_table(p)) + 1 : 1;
}

static const kobj_type_ops hash_ops = {value_free, value_size, value_copy, value_free_effort};

/* ---- field access, either encoding ------------------------------------------------- */

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

/* Position of field f in a listpack hash, or NULL. */
static uint8_t *lp_field(uint8_t *lp, kstr f)
{
    uint8_t *p = lp_first(lp);
    return p ? lp_find(lp, p, (const uint8_t *)f.p, f.len, 1) : NULL;
}

static size_t hash_len(const kobj *o)
{
    return is_table(o) ? ft_size(tab(o)) : lp_length(lpk(o)) / 2;
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
    uint8_t *lp = lpk(o), *p = lp_field(lp, f);
    if (p) {
        v->s = lp_str(lp_next(lp, p), v->buf);
    }
    return p != NULL;
}

static void convert_to_table(kobj *o)
{
    uint8_t *lp = lpk(o), buf[LP_INTBUF_SIZE], vbuf[LP_INTBUF_SIZE];
    ft *t = ft_create();
    for (uint8_t *p = lp_first(lp); p; p = lp_next(lp, p)) {
        kstr f = lp_str(p, buf);
        p = lp_next(lp, p);
        kstr v = lp_str(p, vbuf);
        ft_set(t, f.p, f.len, v.p, v.len, false, NULL);
    }
    lp_free(lp);
    kobj_set_ptr(o, table_val(t));
    kobj_set_enc(o, ENC_HT);
}

static bool over_value_limit(size_t len)
{
    return (unsigned long long)len > (unsigned long long)type_limits.hash_max_listpack_value;
}

/* Sets field f to v (Redis's hashTypeSet): a listpack converts first when f or v is
 * longer than hash-max-listpack-value, after the insert when it holds more than
 * hash-max-listpack-entries fields. keep_ttl: an existing field keeps its expire time
 * (HINCRBY, HSETEX KEEPTTL); otherwise a set drops it (HSET). Returns true when f is new. */
static bool set_field(kobj *o, kstr f, kstr v, bool keep_ttl)
{
    if (!is_table(o) && (over_value_limit(f.len) || over_value_limit(v.len) ||
                         lp_bytes(lpk(o)) + f.len + v.len + 22 > LP_SAFETY_BYTES)) {
        convert_to_table(o);
    }
    if (is_table(o)) {
        bool added;
        ft_set(tab(o), f.p, f.len, v.p, v.len, keep_ttl, &added);
        return added;
    }
    uint8_t *lp = lpk(o), *p = lp_field(lp, f);
    if (p) {
        lp = lp_insert(lp, (const uint8_t *)v.p, v.len, lp_next(lp, p), LP_REPLACE, NULL);
        kobj_set_ptr(o, lp);
        return false;
    }
    lp = lp_append(lp, (const uint8_t *)f.p, f.len);
    lp = lp_append(lp, (const uint8_t *)v.p, v.len);
    kobj_set_ptr(o, lp);
    if ((long long)(lp_length(lp) / 2) > type_limits.hash_max_listpack_entries) {
        convert_to_table(o);
    }
    return true;
}

static bool del_field(kobj *o, kstr f)
{
    if (is_table(o)) {
        return ft_delete(tab(o), f.p, f.len);
    }
    uint8_t *lp = lpk(o), *p = lp_field(lp, f), *next;
    if (!p) {
        return false;
    }
    lp = lp_delete(lp, p, &next);
    lp = lp_delete(lp, next, NULL);
    kobj_set_ptr(o, lp);
    return true;
}

/* Iteration over field/value pairs in storage order (listpack: insertion order). Nothing
 * may change the hash while an iterator lives. */
typedef struct hiter {
    bool table;
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
    it->p = lp_next(it->lp, it->p);
    *v = lp_str(it->p, it->vbuf);
    it->p = lp_next(it->lp, it->p);
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
 * and a binary min-heap on due (the cycle's work list). */
typedef struct reg_rec {
    int64_t due;
    size_t heap_idx;
    int db_id;
    size_t keylen;
    char key[];
} reg_rec;

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
    return reg_hash(r->db_id, kstr_make(r->key, r->keylen));
}

static bool reg_entry_match(const void *e, const void *k)
{
    const reg_rec *r = e;
    const reg_key *rk = k;
    return r->db_id == rk->db_id && kstr_eq(kstr_make(r->key, r->keylen), rk->key);
}

static void reg_entry_free(void *e)
{
    kv_free(e);
}

static const ht_type reg_type = {reg_entry_hash, reg_entry_match, reg_entry_free};

static inline void reg_put(size_t i, reg_rec *r)
{
    reg.heap[i] = r;
    r->heap_idx = i;
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
    reg_key k = {r->db_id, kstr_make(r->key, r->keylen)};
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

/* Records (or re-times) the hash o under key in d when it has fields with TTLs. A record
 * left behind by a hash that lost its TTLs is not looked for here: the cycle drops it. */
static void reg_sync(db *d, kstr key, kobj *o)
{
    if (!is_table(o) || !ft_volatile(tab(o))) {
        return;
    }
    int64_t due = ft_expire(ft_next_expiring(tab(o)));
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
    r = kv_malloc(sizeof(*r) + key.len);
    r->due = due;
    r->db_id = d->id;
    r->keylen = key.len;
    if (key.len) {
        memcpy(r->key, key.p, key.len);
    }
    ht_insert(reg.table, h, r);
    if (reg.n == reg.cap) {
        reg.cap = reg.cap ? reg.cap * 2 : 16;
        reg.heap = kv_realloc(reg.heap, reg.cap * sizeof(*reg.heap));
    }
    reg_put(reg.n++, r);
    reg_sift_up(reg.n - 1);
}

/* The hash a record names, or NULL when that name no longer holds a hash with TTLs. */
static kobj *reg_target(const reg_rec *r, db **dp)
{
    db *d = db_get(r->db_id);
    kobj *o = d ? db_find(d, kstr_make(r->key, r->keylen)) : NULL;
    if (!o || kobj_type(o) != OBJ_HASH || !is_table(o) || !ft_volatile(tab(o))) {
        return NULL;
    }
    *dp = d;
    return o;
}

/* ---- expiring fields ------------------------------------------------------------------ */

static inline bool field_expired(int64_t at)
{
    return at >= 0 && at < db_now_ms;
}

/* Removes up to max due fields of a table hash; returns how many went. */
static size_t remove_due_fields(ft *t, size_t max)
{
    size_t n = 0;
    ft_entry *e;
    while (n < max && (e = ft_next_expiring(t)) != NULL && field_expired(ft_expire(e))) {
        ft_delete_entry(t, e);
        n++;
    }
    expired_fields += (long long)n;
    return n;
}

/* Lazy expiry at lookup: removes o's due fields; deletes the key when none is left
 * (returns false then). Keeps o's registry record current. */
static bool expire_due_fields(db *d, kstr key, kobj *o)
{
    if (!is_table(o) || !ft_volatile(tab(o))) {
        return true;
    }
    ft *t = tab(o);
    if (remove_due_fields(t, SIZE_MAX)) {
        if (ft_size(t) == 0) {
            db_delete(d, key);
            return false;
        }
        db_touch(d, key);
    }
    reg_sync(d, key, o);
    return true;
}

struct sweep {
    reg_rec *recs[SWEEP_PER_CYCLE];
    size_t n;
};

static void sweep_one(void *priv, void *e)
{
    struct sweep *s = priv;
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
        ft *t = tab(o);
        size_t removed = 0, n;
        do {
            n = remove_due_fields(t, CYCLE_CHECK_EVERY);
            removed += n;
            out_of_time = clock_mono_us() - start > budget_us;
        } while (n == CYCLE_CHECK_EVERY && !out_of_time);
        kstr key = kstr_make(r->key, r->keylen);
        if (ft_size(t) == 0) {
            db_delete(d, key); /* before reg_drop frees the key bytes */
            reg_drop(r);
        } else {
            if (removed) {
                db_touch(d, key);
            }
            if (ft_volatile(t)) {
                reg_sync(d, key, o);
            } else {
                reg_drop(r);
            }
        }
    }
    /* Sweep: a few records per call, in table order. */
    struct sweep s = {.n = 0};
    size_t buckets = 0;
    do {
        reg.sweep_cursor = ht_scan(reg.table, reg.sweep_cursor, sweep_one, &s);
    } while (reg.sweep_cursor && s.n < SWEEP_PER_CYCLE / 2 && ++buckets < SWEEP_PER_CYCLE);
    for (size_t i = 0; i < s.n; i++) {
        db *d;
        if (!reg_target(s.recs[i], &d)) {
            reg_drop(s.recs[i]);
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
        if (r->db_id == a || r->db_id == b) {
            moved[n++] = r;
        }
    }
    ht_iter_done(&it);
    for (size_t i = 0; i < n; i++) {
        r = moved[i];
        reg_key k = {r->db_id, kstr_make(r->key, r->keylen)};
        ht_remove(reg.table, reg_hash(k.db_id, k.key), &k);
    }
    for (size_t i = 0; i < n; i++) {
        r = moved[i];
        r->db_id = r->db_id == a ? b : a;
        ht_insert(reg.table, reg_hash(r->db_id, kstr_make(r->key, r->keylen)), r);
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
    kobj_set_lru(o, db_lru_clock);
    if (kobj_type(o) != OBJ_HASH) {
        reply_wrongtype(c);
        *wrong = true;
        return NULL;
    }
    return expire_due_fields(c->db, key, o) ? o : NULL;
}

static kobj *create_hash(client *c, kstr key)
{
    kobj *o = kobj_new_ptr(key, OBJ_HASH, ENC_LISTPACK, lp_new(0), -1);
    db_add(c->db, o);
    return o;
}

/* After a write: deletes the key of a hash left empty (true), else signals the change. */
static bool finish_write(client *c, kstr key, kobj *o, bool changed)
{
    if (hash_len(o) == 0) {
        db_delete(c->db, key);
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
    reply_bulk(&c->out, buf, len);
}
