/* hash.c - the hash family: HSET HSETNX HMSET HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS
 * HLEN HSTRLEN HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN, the key lookup every hash command
 * starts with, and the family's command table. The value is types/hash_value.c; field
 * expiry and its commands are types/hash_ttl.c.
 *
 * Statistics. Read commands count keyspace hits and misses as Redis's lookupKeyRead;
 * writes do not. In-place changes call db_touch() (WATCH).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "core/scanargs.h"
#include "db/evict.h"
#include "ds/fieldtab.h"
#include "ds/listpack.h"
#include "persist/propagate.h"
#include "pubsub/notify.h"
#include "types/hash_value.h"

/* A reply this large is cut off by closing the client (HRANDFIELD with a huge negative
 * count), rather than growing until the allocator aborts. */
#define REPLY_GUARD_BYTES ((size_t)1 << 30)
/* ---- lookups ------------------------------------------------------------------------- */

/* The hash under key, with its due fields expired; NULL when there is none (also when it
 * just lost its last field). For another type, replies WRONGTYPE and sets *wrong. `read`
 * counts a keyspace hit or miss (Redis's lookupKeyRead); both refresh the LRU clock. */
kobj *hash_lookup(client *c, kstr key, bool read, bool *wrong)
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
    if (hash_is_table(o)) {
        ft_rehash_step(hash_tab(o)); /* reads help finish a resize, as Redis's dictFind does */
    }
    return hash_expire_due_fields(c->db, key, o) ? o : NULL;
}

kobj *hash_create(client *c, kstr key)
{
    kobj *o = kobj_new_ptr(key, OBJ_HASH, ENC_LISTPACK, lp_new(0), -1);
    db_add(c->db, o);
    return o;
}

/* After a write: deletes the key of a hash left empty ("del", returns true), else
 * signals the change. */
bool hash_finish_write(client *c, kstr key, kobj *o, bool changed)
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

void hash_reply_kstr(client *c, kstr s)
{
    reply_bulk(&c->out, s.p, s.len);
}

void hash_reply_arity(client *c)
{
    reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command", c->cmd->fullname);
}

/* ---- HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS ------------------------ */

static void hset_generic(client *c, bool ok_reply)
{
    if (c->argc % 2 == 1) {
        hash_reply_arity(c);
        return;
    }
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        o = hash_create(c, key);
    }
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2) {
        created += hash_set_field(o, c->argv[i], c->argv[i + 1], false);
    }
    db_dirty((c->argc - 2) / 2); /* fields added or updated */
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
    kobj *o = hash_lookup(c, key, false, &wrong);
    hash_fval v;
    if (wrong) {
        return;
    }
    if (o && hash_get_field(o, c->argv[2], &v)) {
        reply_int(&c->out, 0);
        return;
    }
    if (!o) {
        o = hash_create(c, key);
    }
    hash_set_field(o, c->argv[2], c->argv[3], false);
    db_dirty(1);
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_HASH, "hset", c->db, key);
    reply_int(&c->out, 1);
}

static void cmd_hget(client *c)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    hash_fval v;
    if (wrong) {
        return;
    }
    if (o && hash_get_field(o, c->argv[2], &v)) {
        hash_reply_kstr(c, v.s);
    } else {
        reply_null(&c->out);
    }
}

static void cmd_hmget(client *c)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    reply_array(&c->out, (size_t)c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        hash_fval v;
        if (o && hash_get_field(o, c->argv[i], &v)) {
            hash_reply_kstr(c, v.s);
        } else {
            reply_null(&c->out);
        }
    }
}

static void cmd_hdel(client *c)
{
    bool wrong;
    kstr key = c->argv[1];
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (!o) {
        if (!wrong) {
            reply_int(&c->out, 0);
        }
        return;
    }
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        if (hash_del_field(o, c->argv[i])) {
            deleted++;
            if (hash_len(o) == 0) {
                break; /* as Redis: the key goes with its last field */
            }
        }
    }
    db_dirty(deleted);
    if (deleted) {
        notify_keyspace_event(NOTIFY_HASH, "hdel", c->db, key);
        hash_finish_write(c, key, o, true);
    }
    reply_int(&c->out, deleted);
}

static void cmd_hlen(client *c)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    if (!wrong) {
        reply_int(&c->out, o ? (long long)hash_len(o) : 0);
    }
}

static void cmd_hstrlen(client *c)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    hash_fval v;
    if (!wrong) {
        reply_int(&c->out, o && hash_get_field(o, c->argv[2], &v) ? (long long)v.s.len : 0);
    }
}

static void cmd_hexists(client *c)
{
    bool wrong;
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    hash_fval v;
    if (!wrong) {
        reply_int(&c->out, o && hash_get_field(o, c->argv[2], &v) ? 1 : 0);
    }
}

/* ---- HGETALL HKEYS HVALS --------------------------------------------------------------- */

enum { WANT_FIELDS = 1, WANT_VALUES = 2 };

static void getall_generic(client *c, int want)
{
    bool wrong, map = want == (WANT_FIELDS | WANT_VALUES);
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
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
    hash_iter it;
    kstr f, v;
    hash_iter_init(&it, o);
    while (hash_iter_next(&it, &f, &v)) {
        if (want & WANT_FIELDS) {
            hash_reply_kstr(c, f);
        }
        if (want & WANT_VALUES) {
            hash_reply_kstr(c, v);
        }
    }
    hash_iter_done(&it);
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
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    hash_fval cur;
    if (o && hash_get_field(o, c->argv[2], &cur) && !str_to_ll(cur.s.p, cur.s.len, &value)) {
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
        o = hash_create(c, key);
    }
    hash_set_field(o, c->argv[2], kstr_make(buf, len), true);
    db_dirty(1);
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
    kobj *o = hash_lookup(c, key, false, &wrong);
    if (wrong) {
        return;
    }
    hash_fval cur;
    if (o && hash_get_field(o, c->argv[2], &cur) && !str_to_ld(cur.s.p, cur.s.len, &value)) {
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
        o = hash_create(c, key);
    }
    hash_set_field(o, c->argv[2], kstr_make(buf, len), true);
    db_dirty(1);
    db_touch(c->db, key);
    if (propagate_on) {
        /* The result, not the increment: float formatting must not differ on replay.
         * HSET drops a field TTL, so a field with one replays through HSETEX KEEPTTL;
         * plain HSET otherwise, which Redis 7.0 can load too. */
        int64_t ttl;
        kstr v = kstr_make(buf, len);
        if (hash_field_ttl(o, c->argv[2], &ttl) && ttl >= 0) {
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
    hash_reply_kstr(c, f);
    if (withvalues) {
        hash_reply_kstr(c, v);
    }
}

static void reply_lp_pair(client *c, uint8_t *lp, uint8_t *p, bool withvalues)
{
    uint8_t fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE];
    reply_pair(c, hash_lp_str(p, fb), hash_lp_str(lp_next(lp, p), vb), withvalues);
}

static void reply_entry(client *c, const ft_entry *e, bool withvalues)
{
    reply_pair(c, hash_entry_field(e), hash_entry_value(e), withvalues);
}

/* CASE 1 of Redis's HRANDFIELD: count picks with repetition, in random order. */
static void hrandfield_repeat(client *c, kobj *o, size_t size, unsigned long long count,
                              bool withvalues)
{
    uint8_t **pos = NULL;
    if (!hash_is_table(o)) {
        /* Field positions once, so each pick is O(1) rather than a walk. */
        uint8_t *lp = hash_lpk(o);
        pos = kv_malloc(sizeof(*pos) * size);
        size_t i = 0;
        for (uint8_t *p = lp_first(lp); p; p = hash_lp_skip(lp, p, hash_stride(o))) {
            pos[i++] = p;
        }
    }
    for (unsigned long long i = 0; i < count; i++) {
        if (pos) {
            reply_lp_pair(c, hash_lpk(o), pos[rand_below(size)], withvalues);
        } else {
            reply_entry(c, ft_random(hash_tab(o)), withvalues);
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
    if (!hash_is_table(o)) {
        /* Selection sampling: one pass, each pair kept with probability needed/left. */
        uint8_t *lp = hash_lpk(o);
        size_t needed = count, left = size;
        for (uint8_t *p = lp_first(lp); p && needed; p = hash_lp_skip(lp, p, hash_stride(o)), left--) {
            if (rand_below(left) < needed) {
                reply_lp_pair(c, lp, p, withvalues);
                needed--;
            }
        }
        return;
    }
    ft *t = hash_tab(o);
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
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
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
        hash_iter it;
        kstr f, v;
        hash_iter_init(&it, o);
        while (hash_iter_next(&it, &f, &v)) {
            reply_pair(c, f, v, withvalues);
        }
        hash_iter_done(&it);
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
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
    } else if (hash_is_table(o)) {
        hash_reply_kstr(c, hash_entry_field(ft_random(hash_tab(o))));
    } else {
        uint8_t buf[LP_INTBUF_SIZE], *lp = hash_lpk(o);
        long idx = (long)(hash_stride(o) * rand_below(hash_len(o)));
        hash_reply_kstr(c, hash_lp_str(lp_seek(lp, idx), buf));
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
    kobj *o = hash_lookup(c, c->argv[1], true, &wrong);
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
    if (!hash_is_table(o)) {
        /* A packed hash is returned whole, with cursor 0, as Redis does. */
        reply_array(&c->out, 2);
        reply_bulk(&c->out, "0", 1);
        hdr = reply_defer(&c->out);
        hash_iter it;
        kstr f, v;
        hash_iter_init(&it, o);
        while (hash_iter_next(&it, &f, &v)) {
            if (!scan_opts_match(&opts, f.p, f.len)) {
                continue;
            }
            hash_reply_kstr(c, f);
            if (with_values) {
                hash_reply_kstr(c, v);
            }
            n += with_values ? 2 : 1;
        }
        hash_iter_done(&it);
        reply_defer_set(&c->out, hdr, REPLY_ARRAY, n);
        return;
    }
    /* As Redis: stop once COUNT items (a field and its value are two) are gathered or
     * after COUNT * 10 buckets, so a sparse table cannot make one call walk all of it. */
    scan_acc acc = {NULL, 0, 0};
    long long max_buckets = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    size_t per = with_values ? 2 : 1;
    do {
        cursor = ft_scan(hash_tab(o), cursor, scan_collect, &acc);
    } while (cursor && max_buckets-- && acc.n * per < (unsigned long long)count);
    char buf[24];
    size_t blen = ull_to_str(buf, cursor);
    reply_array(&c->out, 2);
    reply_bulk(&c->out, buf, blen);
    hdr = reply_defer(&c->out);
    for (size_t i = 0; i < acc.n; i++) {
        kstr f = hash_entry_field(acc.v[i]);
        if (!scan_opts_match(&opts, f.p, f.len)) {
            continue;
        }
        hash_reply_kstr(c, f);
        if (with_values) {
            hash_reply_kstr(c, hash_entry_value(acc.v[i]));
        }
        n += per;
    }
    reply_defer_set(&c->out, hdr, REPLY_ARRAY, n);
    kv_free(acc.v);
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
