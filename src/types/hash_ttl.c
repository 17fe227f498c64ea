/* hash_ttl.c - per-field expiry of hashes: the registry of hashes with field TTLs, lazy
 * and active removal of due fields, and the commands that set or read field TTLs (Redis
 * 7.4: HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT HTTL HPTTL HEXPIRETIME HPEXPIRETIME
 * HPERSIST; Redis 8.0: HGETDEL HGETEX HSETEX).
 *
 * Field expiry. A field whose expire time is before the command clock (db_now_ms) is
 * expired, as in Redis (at < now; a time set at or before now deletes the field at once).
 * Expired fields are invisible to every command: the lookup at the start of each hash
 * command removes the due ones (the head of a table's expire heap: O(expired); for
 * triplets, one walk of the small listpack), and a hash that loses its last field is
 * deleted with its key. They are reclaimed actively too: hash_expire_cycle() (from the server cron) pops hashes from a
 * registry ordered by each hash's earliest field expire time and removes their due
 * fields, within a time budget. The registry is keyed by (database, key) and holds no
 * pointer into the keyspace, so it never dangles: a hash freed elsewhere (DEL, FLUSHALL,
 * the lazy-free thread) or renamed is noticed when its record is next visited, and the
 * record dropped. Hash commands re-register a hash with field TTLs under its current name
 * whenever they touch it; hash_track_key() and hash_swap_dbs() let RENAME/MOVE/COPY and
 * SWAPDB do the same. Unlike Redis 7.4, HLEN never counts an expired field.
 *
 * Deletions of fields by expiry count in hash_expired_fields() (Redis's expired_subkeys).
 */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "ds/fieldtab.h"
#include "ds/ht.h"
#include "ds/listpack.h"
#include "persist/propagate.h"
#include "persist/respbuf.h"
#include "pubsub/notify.h"
#include "types/hash_value.h"
#include "types/types.h"
#include "types/value_io.h"

/* Redis's HFE_MAX_ABS_TIME_MSEC: (2^48 - 1) >> 2, the largest field expire time. */
#define HFE_MAX_MS 70368744177663LL
/* Fields the active cycle removes between two clock reads. */
#define CYCLE_CHECK_EVERY 64
/* Registry records the cycle re-validates per call (finds hashes freed elsewhere). */
#define SWEEP_PER_CYCLE 256

#define ERR_FIELDS_KEYWORD "ERR Mandatory argument FIELDS is missing or not at the right position"
#define ERR_NUMFIELDS_MATCH "ERR The `numfields` parameter must match the number of arguments"
#define ERR_NUMFIELDS_POSITIVE "ERR Number of fields must be a positive integer"
#define ERR_NUMFIELDS_GT0 "ERR Parameter `numFields` should be greater than 0"

static long long expired_fields;

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
    int64_t due = hash_may_have_ttls(o) ? hash_min_expire(o) : -1;
    if (due >= 0) {
        reg_set_due(d, key, due);
    }
}

/* The hash a record names, or NULL when that name no longer holds a hash with TTLs. */
static kobj *reg_target(const reg_rec *r, db **dp)
{
    db *d = db_get((int)r->db_id);
    kobj *o = d ? db_find(d, rec_key(r)) : NULL;
    if (!o || kobj_type(o) != OBJ_HASH || !hash_may_have_ttls(o)) {
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
    if (hash_is_table(o)) {
        ft *t = hash_tab(o);
        ft_entry *e;
        while (n < max && (e = ft_next_expiring(t)) != NULL && field_expired(ft_expire(e))) {
            note_gone(hash_entry_field(e));
            ft_delete_entry(t, e);
            n++;
        }
        *next = hash_min_expire(o);
    } else if (hash_kind(o) == HASH_KIND_LPX) {
        uint8_t *lp = hash_lpk(o), *p = lp_first(lp);
        while (p) {
            int64_t at = hash_lp_ttl_at(hash_lp_skip(lp, p, 2));
            if (!field_expired(at)) {
                if (at >= 0 && (*next < 0 || at < *next)) {
                    *next = at;
                }
                p = hash_lp_skip(lp, p, 3);
                continue;
            }
            if (propagate_on) {
                uint8_t fbuf[LP_INTBUF_SIZE];
                note_gone(hash_lp_str(p, fbuf));
            }
            for (int i = 0; i < 3; i++) {
                lp = lp_delete(lp, p, &p);
            }
            n++;
        }
        hash_set_lp(o, lp);
    }
    expired_fields += (long long)n;
    return n;
}

/* Lazy expiry at lookup: removes o's due fields; deletes the key when none is left
 * (returns false then). Keeps o's registry record current. */
bool hash_expire_due_fields(db *d, kstr key, kobj *o)
{
    if (!hash_may_have_ttls(o)) {
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
            db_dirty_uncount(); /* expiry counts no change, as a key's */
            propagate_forget_change();
            return false;
        }
        db_touch(d, key);
        db_dirty_uncount();
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
            db_dirty_uncount();
            reg_drop(r);
            continue;
        }
        if (removed) {
            db_touch(d, key);
            db_dirty_uncount();
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

void hash_ttl_setup(void)
{
    if (!reg.table) {
        reg.table = ht_create(&reg_type);
    }
}

long long hash_expired_fields(void)
{
    return expired_fields;
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
        hash_reply_arity(c); /* HGETEX key EX 1 FIELDS: Redis reads past argv here */
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
    if (!hash_field_ttl(o, f, &prev)) {
        return HFE_NO_FIELD;
    }
    if (at < 0) {
        if (prev < 0) {
            return HFE_NOT_MET;
        }
        hash_store_ttl(o, f, -1);
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
        hash_del_field(o, f);
        expired_fields++;
        return HFE_DELETED;
    }
    hash_store_ttl(o, f, at);
    return HFE_SET;
}

/* After a command that may have set TTLs or deleted fields: drops an emptied key, else
 * signals the change and (re)registers the hash for active expiry. */
static void finish_expire_write(client *c, kstr key, kobj *o, bool changed)
{
    if (!hash_finish_write(c, key, o, changed)) {
        reg_sync(c->db, key, o);
    }
}

static void hexpire_generic(client *c, bool seconds, bool relative)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
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
    long long changed = 0;
    for (int i = first; i < c->argc; i++) {
        int r = o ? field_set_expire(o, c->argv[i], at, cond) : HFE_NO_FIELD;
        updated |= r == HFE_SET;
        deleted |= r == HFE_DELETED;
        changed += r == HFE_SET || r == HFE_DELETED;
        reply_int(&c->out, r);
    }
    db_dirty(changed); /* fields updated or deleted, as Redis 7.4 */
    if (o && (updated || deleted)) {
        notify_keyspace_event(NOTIFY_HASH, deleted ? "hdel" : "hexpire", c->db, key);
        finish_expire_write(c, key, o, true);
        propagate_abs_time(c, 0, KSTR_LIT("HPEXPIREAT"), 2, at);
    }
}

void cmd_hexpire(client *c)
{
    hexpire_generic(c, true, true);
}

void cmd_hpexpire(client *c)
{
    hexpire_generic(c, false, true);
}

void cmd_hexpireat(client *c)
{
    hexpire_generic(c, true, false);
}

void cmd_hpexpireat(client *c)
{
    hexpire_generic(c, false, false);
}

static void httl_generic(client *c, bool seconds, bool absolute)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
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
        if (!o || !hash_field_ttl(o, f, &at)) {
            r = HFE_NO_FIELD;
        } else if (at < 0) {
            r = HFE_NO_TTL;
        } else {
            r = seconds ? (at + 999 - base) / 1000 : at - base;
        }
        reply_int(&c->out, r);
    }
}

void cmd_httl(client *c)
{
    httl_generic(c, true, false);
}

void cmd_hpttl(client *c)
{
    httl_generic(c, false, false);
}

void cmd_hexpiretime(client *c)
{
    httl_generic(c, true, true);
}

void cmd_hpexpiretime(client *c)
{
    httl_generic(c, false, true);
}

void cmd_hpersist(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    int first = fields_or_reply(c, 2, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    long long changed = 0;
    for (int i = first; i < c->argc; i++) {
        int r = o ? field_set_expire(o, c->argv[i], -1, 0) : HFE_NO_FIELD;
        if (r == HFE_NOT_MET) {
            r = HFE_NO_TTL;
        }
        changed += r == HFE_SET;
        reply_int(&c->out, r);
    }
    db_dirty(changed);
    if (changed) {
        db_touch(c->db, key);
        notify_keyspace_event(NOTIFY_HASH, "hpersist", c->db, key);
    }
}

void cmd_hgetdel(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    int first = fields_or_reply(c, 2, ERR_NUMFIELDS_POSITIVE);
    if (!first) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - first));
    long long deleted = 0;
    for (int i = first; i < c->argc; i++) {
        hash_fval v;
        if (o && hash_get_field(o, c->argv[i], &v)) {
            hash_reply_kstr(c, v.s);
            hash_del_field(o, c->argv[i]);
            deleted++;
        } else {
            reply_null(&c->out);
        }
    }
    db_dirty(deleted);
    if (deleted) {
        notify_keyspace_event(NOTIFY_HASH, "hdel", c->db, key);
        hash_finish_write(c, key, o, true);
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

void cmd_hgetex(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
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
    long long changed = 0;
    for (int i = first; i < c->argc; i++) {
        hash_fval v;
        if (!o || !hash_get_field(o, c->argv[i], &v)) {
            reply_null(&c->out);
            continue;
        }
        hash_reply_kstr(c, v.s);
        if (opt) {
            int r = field_set_expire(o, c->argv[i], at, 0);
            updated |= r == HFE_SET;
            deleted |= r == HFE_DELETED;
            changed += r == HFE_SET || r == HFE_DELETED;
        }
    }
    db_dirty(changed);
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
                hash_reply_arity(c);
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
                hash_reply_arity(c);
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
    hash_reply_arity(c); /* no FIELDS: unreachable with arity -6, kept for safety */
    return 0;
}

void cmd_hsetex(client *c)
{
    unsigned fl = 0;
    int64_t at = -1;
    int first = hsetex_args_or_reply(c, &fl, &at);
    if (!first) {
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
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
            hash_fval v;
            bool exists = hash_get_field(o, c->argv[i], &v);
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
        o = hash_create(c, key);
    }
    bool keep = fl & (OPT_TIMES | OPT_KEEPTTL);
    bool updated = false, deleted = false;
    db_dirty((c->argc - first) / 2); /* the fields set */
    for (int i = first; i < c->argc; i += 2) {
        hash_set_field(o, c->argv[i], c->argv[i + 1], keep);
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

size_t hash_ttl_hashes(void)
{
    return reg.n;
}

