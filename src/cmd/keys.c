/* keys.c - the generic keyspace family: DEL UNLINK EXISTS TYPE, the EXPIRE/TTL commands,
 * PERSIST, RENAME(NX), KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB/FLUSHALL, SWAPDB, MOVE, COPY,
 * TOUCH and OBJECT.
 *
 * These commands act on entries whatever their type, so they only use the keyspace API
 * (db/db.h) and the entry accessors (db/object.h); nothing here knows a type's layout.
 *
 * Lookups follow Redis's three kinds, because they show in INFO keyspace_hits/misses and
 * in OBJECT IDLETIME:
 *   - plain reads (TOUCH, COPY's source): db_find_read, counting stats and touching LRU;
 *   - introspection reads (EXISTS, TYPE, TTL family, OBJECT, SCAN's TYPE filter): count
 *     stats but leave the LRU clock alone (Redis's LOOKUP_NOTOUCH) - find_notouch();
 *   - writes (EXPIRE, PERSIST, RENAME, MOVE): no stats, but the access refreshes LRU -
 *     ref_write().
 * Every lookup deletes an expired key first (lazy expiry), so an expired key is absent
 * to all of these commands.
 *
 * Time: absolute expire times are ms since the epoch; "now" is db_now_ms, the command
 * clock, so one command sees one instant.
 *
 * Debt: FLUSHDB/FLUSHALL ASYNC and UNLINK free synchronously until a lazy-free thread
 * exists.
 */
#include <limits.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/scanargs.h"
#include "core/families.h"
#include "core/persistence.h"
#include "db/evict.h"
#include "persist/propagate.h"
#include "pubsub/notify.h"
#include "types/types.h"

#define ERR_NO_SUCH_KEY "ERR no such key"
#define ERR_DB_RANGE "ERR DB index is out of range"
#define ERR_SAME_OBJECT "ERR source and destination objects are the same"
#define ERR_INT_RANGE "ERR value is out of range, value must between -2147483648 and 2147483647"

/* Redis shares the string objects of the integers 0..9999 (OBJ_SHARED_INTEGERS) and
 * OBJECT REFCOUNT reports them with this count (INT_MAX). */
#define SHARED_INTEGERS 10000
#define SHARED_REFCOUNT 2147483647LL

/* ---- lookups ---- */

/* notify: raise keymiss on a miss (all but OBJECT, Redis's LOOKUP_NONOTIFY). */
static kobj *find_notouch_ex(db *d, kstr key, bool notify)
{
    kobj *o = db_find(d, key);
    if (o) {
        db_stats.hits++;
    } else {
        db_stats.misses++;
        if (notify) {
            notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", d, key);
        }
    }
    return o;
}

static kobj *find_notouch(db *d, kstr key)
{
    return find_notouch_ex(d, key, true);
}

static kobj **ref_write(db *d, kstr key)
{
    kobj **ref = db_ref(d, key);
    if (ref) {
        evict_touch(*ref);
    }
    return ref;
}

static const char *type_name(int type)
{
    switch (type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    default: return "none";
    }
}

/* A database index argument as MOVE and COPY ... DB read it (Redis's getIntFromObject
 * followed by selectDb). */
static db *db_arg_or_reply(client *c, kstr a)
{
    long long id;
    if (!arg_ll_range_or_reply(c, a, INT_MIN, INT_MAX, &id, ERR_INT_RANGE)) {
        return NULL;
    }
    db *d = db_get((int)id);
    if (!d) {
        reply_error(&c->out, ERR_DB_RANGE);
    }
    return d;
}

/* ---- DEL UNLINK EXISTS TYPE TOUCH ---- */

static void cmd_del(client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        if (db_delete(c->db, c->argv[i])) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, c->argv[i]);
            n++;
        }
    }
    db_dirty(n);
    reply_int(&c->out, n);
}

static void cmd_unlink(client *c)
{
    /* Debt: no lazy-free thread yet, so the values are freed here, as DEL does. Large
     * strings already live out of line (object.c), which is what a background free will
     * hand over. */
    cmd_del(c);
}

static void cmd_exists(client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        n += find_notouch(c->db, c->argv[i]) != NULL;
    }
    reply_int(&c->out, n);
}

static void cmd_touch(client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        n += db_find_read(c->db, c->argv[i]) != NULL;
    }
    reply_int(&c->out, n);
}

static void cmd_type(client *c)
{
    kobj *o = find_notouch(c->db, c->argv[1]);
    reply_simple(&c->out, o ? type_name(kobj_type(o)) : "none");
}

/* ---- EXPIRE PEXPIRE EXPIREAT PEXPIREAT ---- */

enum { EXPIRE_NX = 1, EXPIRE_XX = 2, EXPIRE_GT = 4, EXPIRE_LT = 8 };

/* "ERR Unsupported option <opt>", the option printed as Redis's %s prints it: up to its
 * first NUL byte, at any length. */
static void reply_unsupported_option(client *c, kstr opt)
{
    static const char prefix[] = "ERR Unsupported option ";
    const char *nul = memchr(opt.p, '\0', opt.len);
    size_t n = nul ? (size_t)(nul - opt.p) : opt.len;
    char *msg = kv_malloc(sizeof(prefix) + n);
    memcpy(msg, prefix, sizeof(prefix) - 1);
    memcpy(msg + sizeof(prefix) - 1, opt.p, n);
    msg[sizeof(prefix) - 1 + n] = '\0';
    reply_error(&c->out, msg);
    kv_free(msg);
}

/* Options are checked before the time argument, as Redis does. */
static bool expire_flags_or_reply(client *c, int *flags)
{
    int f = 0;
    for (int i = 3; i < c->argc; i++) {
        kstr a = c->argv[i];
        if (kstr_is(a, "nx")) {
            f |= EXPIRE_NX;
        } else if (kstr_is(a, "xx")) {
            f |= EXPIRE_XX;
        } else if (kstr_is(a, "gt")) {
            f |= EXPIRE_GT;
        } else if (kstr_is(a, "lt")) {
            f |= EXPIRE_LT;
        } else {
            reply_unsupported_option(c, a);
            return false;
        }
    }
    if ((f & EXPIRE_NX) && (f & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        reply_error(&c->out,
                    "ERR NX and XX, GT or LT options at the same time are not compatible");
        return false;
    }
    if ((f & EXPIRE_GT) && (f & EXPIRE_LT)) {
        reply_error(&c->out, "ERR GT and LT options at the same time are not compatible");
        return false;
    }
    *flags = f;
    return true;
}

/* Whether the conditions allow replacing the key's expire time `cur` (-1: none, which
 * counts as an infinite TTL) by `when`. */
static bool expire_allowed(int flags, int64_t cur, int64_t when)
{
    if ((flags & EXPIRE_NX) && cur != -1) {
        return false;
    }
    if ((flags & EXPIRE_XX) && cur == -1) {
        return false;
    }
    if ((flags & EXPIRE_GT) && (cur == -1 || when <= cur)) {
        return false;
    }
    if ((flags & EXPIRE_LT) && cur != -1 && when >= cur) {
        return false;
    }
    return true;
}

/* basetime: 0 for the *AT forms, now for the relative ones; unit_ms: 1000 for seconds. */
static void expire_generic(client *c, int64_t basetime, long long unit_ms)
{
    int flags;
    long long when;
    if (!expire_flags_or_reply(c, &flags) || !arg_ll_or_reply(c, c->argv[2], &when)) {
        return;
    }
    /* Negative times are allowed (they delete the key); only overflow is an error. */
    if (unit_ms > 1 && (when > LLONG_MAX / unit_ms || when < LLONG_MIN / unit_ms)) {
        goto overflow;
    }
    when *= unit_ms;
    if (when > LLONG_MAX - basetime) {
        goto overflow;
    }
    when += basetime;

    kobj **ref = ref_write(c->db, c->argv[1]);
    if (!ref) {
        reply_int(&c->out, 0);
        return;
    }
    if (!expire_allowed(flags, kobj_expire(*ref), when)) {
        reply_int(&c->out, 0);
        return;
    }
    if (when <= db_now_ms && !db_expiry_paused) {
        /* Already in the past: a deletion, not an expiry (no expired_keys count). */
        db_delete(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, c->argv[1]);
        if (propagate_on) {
            kstr argv[2] = {KSTR_LIT("DEL"), c->argv[1]};
            propagate_rewrite(argv, 2);
        }
    } else {
        db_set_expire(c->db, ref, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", c->db, c->argv[1]);
        if (propagate_on) {
            /* PEXPIREAT <absolute ms>. The NX/XX/GT/LT condition held here, and the
             * replay meets the same state, so it is left out. */
            char ms[24];
            kstr argv[3] = {KSTR_LIT("PEXPIREAT"), c->argv[1],
                            kstr_make(ms, ll_to_str(ms, when))};
            propagate_rewrite(argv, 3);
        }
    }
    db_dirty(1);
    reply_int(&c->out, 1);
    return;
overflow:
    reply_errorf(&c->out, "ERR invalid expire time in '%s' command", c->cmd->fullname);
}

static void cmd_expire(client *c)
{
    expire_generic(c, db_now_ms, 1000);
}

static void cmd_pexpire(client *c)
{
    expire_generic(c, db_now_ms, 1);
}

static void cmd_expireat(client *c)
{
    expire_generic(c, 0, 1000);
}

static void cmd_pexpireat(client *c)
{
    expire_generic(c, 0, 1);
}

/* ---- TTL PTTL EXPIRETIME PEXPIRETIME PERSIST ---- */

/* Rounds ms to the nearest second, halves up, without the overflow of (ms + 500) / 1000
 * near LLONG_MAX (Redis answers 9223372036854776 there). ms >= 0. */
static long long ms_to_sec_round(long long ms)
{
    return ms / 1000 + (ms % 1000 >= 500);
}

static void ttl_generic(client *c, bool absolute, bool in_ms)
{
    kobj *o = find_notouch(c->db, c->argv[1]);
    if (!o) {
        reply_int(&c->out, -2);
        return;
    }
    long long when = kobj_expire(o);
    if (when == -1) {
        reply_int(&c->out, -1);
        return;
    }
    long long v = absolute ? when : when - db_now_ms;
    if (v < 0) {
        v = 0;
    }
    reply_int(&c->out, in_ms ? v : ms_to_sec_round(v));
}

static void cmd_ttl(client *c)
{
    ttl_generic(c, false, false);
}

static void cmd_pttl(client *c)
{
    ttl_generic(c, false, true);
}

static void cmd_expiretime(client *c)
{
    ttl_generic(c, true, false);
}

static void cmd_pexpiretime(client *c)
{
    ttl_generic(c, true, true);
}

static void cmd_persist(client *c)
{
    kobj **ref = ref_write(c->db, c->argv[1]);
    if (!ref || !kobj_has_expire(*ref)) {
        reply_int(&c->out, 0);
        return;
    }
    db_set_expire(c->db, ref, -1);
    notify_keyspace_event(NOTIFY_GENERIC, "persist", c->db, c->argv[1]);
    db_dirty(1);
    reply_int(&c->out, 1);
}

/* ---- RENAME RENAMENX ---- */

static void rename_generic(client *c, bool nx)
{
    kstr src = c->argv[1], dst = c->argv[2];
    if (!ref_write(c->db, src)) {
        reply_error(&c->out, ERR_NO_SUCH_KEY);
        return;
    }
    if (kstr_eq(src, dst)) {
        if (nx) {
            reply_int(&c->out, 0);
        } else {
            reply_ok(&c->out);
        }
        return;
    }
    if (ref_write(c->db, dst)) {
        if (nx) {
            reply_int(&c->out, 0);
            return;
        }
        /* As Redis, the old dst is deleted first, so dst is a new key ("new" event). */
        db_delete(c->db, dst);
    }
    /* The entry moves under its new name with its value and TTL. */
    kobj *o = kobj_rekey(db_take(c->db, src), dst);
    db_add(c->db, o);
    hash_track_key(c->db, dst); /* field TTLs keep expiring under the new name */
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", c->db, src);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", c->db, dst);
    db_dirty(1);
    if (nx) {
        reply_int(&c->out, 1);
    } else {
        reply_ok(&c->out);
    }
}

static void cmd_rename(client *c)
{
    rename_generic(c, false);
}

static void cmd_renamenx(client *c)
{
    rename_generic(c, true);
}

/* ---- KEYS ---- */

struct keys_ctx {
    client *c;
    kstr pat;
    bool all;     /* a lone "*": also matches the empty key, which glob_match refuses */
    size_t count;
};

static void keys_one(void *priv, kobj *o)
{
    struct keys_ctx *k = priv;
    kstr key = kobj_key(o);
    if (k->all || glob_match(k->pat.p, k->pat.len, key.p, key.len, false)) {
        reply_bulk(&k->c->out, key.p, key.len);
        k->count++;
    }
}

static void cmd_keys(client *c)
{
    kstr pat = c->argv[1];
    struct keys_ctx k = {c, pat, pat.len == 1 && pat.p[0] == '*', 0};
    void *len = reply_defer(&c->out);
    /* A full cursor walk over an unchanging table visits every bucket once; db_scan
     * skips expired entries (KEYS does not delete them, as in Redis). */
    uint64_t cursor = 0;
    do {
        cursor = db_scan(c->db, cursor, false, keys_one, &k);
    } while (cursor);
    reply_defer_set(&c->out, len, REPLY_ARRAY, k.count);
}

/* ---- SCAN ---- */

struct scan_ctx {
    kobj **found;
    size_t n, cap;
};

static void scan_one(void *priv, kobj *o)
{
    struct scan_ctx *s = priv;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->found = kv_realloc(s->found, sizeof(kobj *) * s->cap);
    }
    s->found[s->n++] = o;
}

static void cmd_scan(client *c)
{
    uint64_t cursor;
    if (!scan_cursor_or_reply(c, c->argv[1], &cursor)) {
        return;
    }
    scan_opts opts;
    if (!scan_opts_or_reply(c, 2, SCAN_ALLOW_TYPE, &opts)) {
        return;
    }
    long long count = opts.count;

    /* COUNT bounds the work of one call: stop once COUNT entries are gathered, or after
     * COUNT * 10 buckets so a sparse table cannot make one call walk all of it. The
     * entries stay valid: nothing below mutates the table until the reply is built. */
    long long max_buckets = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    struct scan_ctx s = {0};
    do {
        cursor = db_scan(c->db, cursor, true, scan_one, &s);
    } while (cursor && max_buckets-- > 0 && s.n < (unsigned long long)count);

    size_t kept = 0;
    for (size_t i = 0; i < s.n; i++) {
        kstr key = kobj_key(s.found[i]);
        if (!scan_opts_match(&opts, key.p, key.len)) {
            continue;
        }
        if (opts.has_type) {
            db_stats.hits++; /* Redis looks the key up again to learn its type */
            if (!kstr_is(opts.type, type_name(kobj_type(s.found[i])))) {
                continue;
            }
        }
        s.found[kept++] = s.found[i];
    }

    char buf[24];
    size_t blen = ull_to_str(buf, cursor);
    reply_array(&c->out, 2);
    reply_bulk(&c->out, buf, blen);
    reply_array(&c->out, kept);
    for (size_t i = 0; i < kept; i++) {
        kstr key = kobj_key(s.found[i]);
        reply_bulk(&c->out, key.p, key.len);
    }
    kv_free(s.found);
}

/* ---- RANDOMKEY DBSIZE FLUSHDB FLUSHALL SWAPDB ---- */

static void cmd_randomkey(client *c)
{
    kobj *o = db_random(c->db);
    if (!o) {
        reply_null(&c->out);
        return;
    }
    kstr key = kobj_key(o);
    reply_bulk(&c->out, key.p, key.len);
}

static void cmd_dbsize(client *c)
{
    reply_int(&c->out, (long long)db_size(c->db));
}

/* FLUSHDB/FLUSHALL [SYNC|ASYNC]: ASYNC hands the old tables to the lazy-free thread;
 * the default is SYNC, as Redis's lazyfree-lazy-user-flush no. */
static bool flush_mode_or_reply(client *c, bool *async)
{
    *async = c->argc == 2 && kstr_is(c->argv[1], "async");
    if (c->argc == 1 || *async || (c->argc == 2 && kstr_is(c->argv[1], "sync"))) {
        return true;
    }
    reply_syntax_error(c);
    return false;
}

static void cmd_flushdb(client *c)
{
    bool async;
    if (!flush_mode_or_reply(c, &async)) {
        return;
    }
    db_dirty((long long)db_size(c->db));
    db_flush(c->db, async);
    reply_ok(&c->out);
}

static void cmd_flushall(client *c)
{
    bool async;
    if (!flush_mode_or_reply(c, &async)) {
        return;
    }
    for (int i = 0; i < db_count(); i++) {
        db_dirty((long long)db_size(db_get(i))); /* before the save, which zeroes it */
        db_flush(db_get(i), async);
    }
    persist_after_flushall();
    reply_ok(&c->out);
}

/* Redis's getIntFromObjectOrReply with a message: the message covers both a non-integer
 * and one outside the int range. */
static bool db_index_or_reply(client *c, kstr a, long long *out, const char *msg)
{
    if (!str_to_ll(a.p, a.len, out) || *out < INT_MIN || *out > INT_MAX) {
        reply_error(&c->out, msg);
        return false;
    }
    return true;
}

static void cmd_swapdb(client *c)
{
    long long a, b;
    if (!db_index_or_reply(c, c->argv[1], &a, "ERR invalid first DB index") ||
        !db_index_or_reply(c, c->argv[2], &b, "ERR invalid second DB index")) {
        return;
    }
    db *da = db_get((int)a), *db_b = db_get((int)b);
    if (!da || !db_b) {
        reply_error(&c->out, ERR_DB_RANGE);
        return;
    }
    /* Clients keep their db pointers: a client on db 1 sees the former db 0 afterwards,
     * as in Redis. */
    if (da != db_b) {
        db_swap(da, db_b);
        hash_swap_dbs((int)a, (int)b);
    }
    db_dirty(1);
    reply_ok(&c->out);
}

/* ---- MOVE COPY ---- */

static void cmd_move(client *c)
{
    db *dst = db_arg_or_reply(c, c->argv[2]);
    if (!dst) {
        return;
    }
    if (dst == c->db) {
        reply_error(&c->out, ERR_SAME_OBJECT);
        return;
    }
    kstr key = c->argv[1];
    if (!ref_write(c->db, key) || ref_write(dst, key)) {
        reply_int(&c->out, 0);
        return;
    }
    db_add(dst, db_take(c->db, key)); /* value and TTL travel in the one entry */
    hash_track_key(dst, key);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", dst, key);
    db_dirty(1);
    reply_int(&c->out, 1);
}

static void cmd_copy(client *c)
{
    db *dst = c->db;
    bool replace = false;
    for (int i = 3; i < c->argc; i++) {
        if (kstr_is(c->argv[i], "replace")) {
            replace = true;
        } else if (kstr_is(c->argv[i], "db") && i + 1 < c->argc) {
            dst = db_arg_or_reply(c, c->argv[++i]);
            if (!dst) {
                return;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    kstr src = c->argv[1], newkey = c->argv[2];
    if (dst == c->db && kstr_eq(src, newkey)) {
        reply_error(&c->out, ERR_SAME_OBJECT);
        return;
    }
    kobj *o = db_find_read(c->db, src);
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    /* The destination lookup may delete an expired entry there; o is another entry of
     * its own allocation, so it stays valid. */
    if (ref_write(dst, newkey)) {
        if (!replace) {
            reply_int(&c->out, 0);
            return;
        }
        db_delete(dst, newkey); /* as Redis: then the copy is a new key */
    }
    db_add(dst, kobj_copy(o, newkey));
    hash_track_key(dst, newkey);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", dst, newkey);
    db_dirty(1);
    reply_int(&c->out, 1);
}

/* ---- OBJECT ---- */

static kobj *object_lookup(client *c)
{
    kobj *o = find_notouch_ex(c->db, c->argv[2], false);
    if (!o) {
        reply_null(&c->out);
    }
    return o;
}

static void object_encoding(client *c)
{
    kobj *o = object_lookup(c);
    if (o) {
        reply_bulk_cstr(&c->out, kobj_enc_name(kobj_enc(o)));
    }
}

static void object_refcount(client *c)
{
    kobj *o = object_lookup(c);
    if (!o) {
        return;
    }
    long long v;
    if (kobj_type(o) == OBJ_STRING && kobj_enc(o) == ENC_INT &&
        str_to_ll(kobj_str(o).p, kobj_str(o).len, &v) && v >= 0 && v < SHARED_INTEGERS) {
        reply_int(&c->out, SHARED_REFCOUNT);
    } else {
        reply_int(&c->out, 1);
    }
}

static void object_idletime(client *c)
{
    kobj *o = object_lookup(c);
    if (!o) {
        return;
    }
    if (evict_policy_is_lfu()) {
        reply_error(&c->out, "ERR An LFU maxmemory policy is selected, idle time not tracked. "
                             "Please note that when switching between policies at runtime "
                             "LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(&c->out, evict_idle_seconds(o));
}

static void object_freq(client *c)
{
    kobj *o = object_lookup(c);
    if (!o) {
        return;
    }
    if (!evict_policy_is_lfu()) {
        reply_error(&c->out, "ERR An LFU maxmemory policy is not selected, access frequency "
                             "not tracked. Please note that when switching between policies "
                             "at runtime LRU and LFU data will take some time to adjust.");
        return;
    }
    reply_int(&c->out, evict_lfu_freq(o));
}

static void object_help(client *c)
{
    /* reply_subcommand_help sends the lines as given; OBJECT's last line says "Prints",
     * unlike CLIENT's "Print". */
    static const char *const help[] = {
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
        NULL};
    reply_subcommand_help(c, help);
}

/* ---- table (Redis 7.0's arity, flags, key specs, docs) ---- */

#define GEN "generic"
#define SRV "server"
#define KSP "keyspace"
#define KSP_DANGER "keyspace dangerous"
#define EXPIRE_ROW(name, fn, summary, since)                                                \
    {name, fn, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, GEN, summary, since,  \
     "O(1)", KSP, NULL}
#define TTL_ROW(name, fn, summary, since)                                                   \
    {name, fn, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, KS_RO | KS_ACCESS, GEN, summary, since, \
     "O(1)", KSP, NULL}
#define OBJECT_ROW(name, fn, summary, since)                                                \
    {name, fn, 3, CMD_READONLY, 2, 2, 1, KS_RO, GEN, summary, since, "O(1)", KSP, NULL}

static command object_subs[] = {
    OBJECT_ROW("encoding", object_encoding, "Inspect the internal encoding of a Redis object",
               "2.2.3"),
    OBJECT_ROW("freq", object_freq,
               "Get the logarithmic access frequency counter of a Redis object", "4.0.0"),
    OBJECT_ROW("idletime", object_idletime,
               "Get the time since a Redis object was last accessed", "2.2.3"),
    OBJECT_ROW("refcount", object_refcount,
               "Get the number of references to the value of the key", "2.2.3"),
    {"help", object_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, GEN,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", KSP, NULL},
    {0},
};

/* Commands with two keys (RENAME, RENAMENX, COPY) have two key specs in Redis; the table
 * holds one, so key_flags carry the first key's (source) flags. */
command keys_commands[] = {
    {"del", cmd_del, -2, CMD_WRITE, 1, -1, 1, KS_RM | KS_DELETE, GEN, "Delete a key",
     "1.0.0",
     "O(N) where N is the number of keys that will be removed. When a key to remove holds a "
     "value other than a string, the individual complexity for this key is O(M) where M is "
     "the number of elements in the list, set, sorted set or hash. Removing a single key "
     "that holds a string value is O(1).",
     KSP, NULL},
    {"unlink", cmd_unlink, -2, CMD_WRITE | CMD_FAST, 1, -1, 1, KS_RM | KS_DELETE, GEN,
     "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non "
     "blocking.",
     "4.0.0",
     "O(1) for each key removed regardless of its size. Then the command does O(N) work in a "
     "different thread in order to reclaim memory, where N is the number of allocations the "
     "deleted objects where composed of.",
     KSP, NULL},
    {"exists", cmd_exists, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, KS_RO, GEN,
     "Determine if a key exists", "1.0.0", "O(N) where N is the number of keys to check.",
     KSP, NULL},
    {"type", cmd_type, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, KS_RO, GEN,
     "Determine the type stored at key", "1.0.0", "O(1)", KSP, NULL},
    EXPIRE_ROW("expire", cmd_expire, "Set a key's time to live in seconds", "1.0.0"),
    EXPIRE_ROW("pexpire", cmd_pexpire, "Set a key's time to live in milliseconds", "2.6.0"),
    EXPIRE_ROW("expireat", cmd_expireat, "Set the expiration for a key as a UNIX timestamp",
               "1.2.0"),
    EXPIRE_ROW("pexpireat", cmd_pexpireat,
               "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
               "2.6.0"),
    TTL_ROW("ttl", cmd_ttl, "Get the time to live for a key in seconds", "1.0.0"),
    TTL_ROW("pttl", cmd_pttl, "Get the time to live for a key in milliseconds", "2.6.0"),
    TTL_ROW("expiretime", cmd_expiretime, "Get the expiration Unix timestamp for a key",
            "7.0.0"),
    TTL_ROW("pexpiretime", cmd_pexpiretime,
            "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0"),
    {"persist", cmd_persist, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_UPDATE, GEN,
     "Remove the expiration from a key", "2.2.0", "O(1)", KSP, NULL},
    {"rename", cmd_rename, 3, CMD_WRITE, 1, 2, 1, KS_RW | KS_ACCESS | KS_DELETE, GEN,
     "Rename a key", "1.0.0", "O(1)", KSP, NULL},
    {"renamenx", cmd_renamenx, 3, CMD_WRITE | CMD_FAST, 1, 2, 1,
     KS_RW | KS_ACCESS | KS_DELETE, GEN, "Rename a key, only if the new key does not exist",
     "1.0.0", "O(1)", KSP, NULL},
    {"keys", cmd_keys, 2, CMD_READONLY, 0, 0, 0, 0, GEN,
     "Find all keys matching the given pattern", "1.0.0",
     "O(N) with N being the number of keys in the database, under the assumption that the "
     "key names in the database and the given pattern have limited length.",
     KSP_DANGER, NULL},
    {"scan", cmd_scan, -2, CMD_READONLY, 0, 0, 0, 0, GEN, "Incrementally iterate the keys space",
     "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
     "the cursor to return back to 0. N is the number of elements inside the collection.",
     KSP, NULL},
    {"randomkey", cmd_randomkey, 1, CMD_READONLY, 0, 0, 0, 0, GEN,
     "Return a random key from the keyspace", "1.0.0", "O(1)", KSP, NULL},
    {"dbsize", cmd_dbsize, 1, CMD_READONLY | CMD_FAST, 0, 0, 0, 0, SRV,
     "Return the number of keys in the selected database", "1.0.0", "O(1)", KSP, NULL},
    {"flushdb", cmd_flushdb, -1, CMD_WRITE, 0, 0, 0, 0, SRV,
     "Remove all keys from the current database", "1.0.0",
     "O(N) where N is the number of keys in the selected database", KSP_DANGER, NULL},
    {"flushall", cmd_flushall, -1, CMD_WRITE, 0, 0, 0, 0, SRV,
     "Remove all keys from all databases", "1.0.0",
     "O(N) where N is the total number of keys in all databases", KSP_DANGER, NULL},
    {"swapdb", cmd_swapdb, 3, CMD_WRITE | CMD_FAST, 0, 0, 0, 0, SRV, "Swaps two Redis databases",
     "4.0.0",
     "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     KSP_DANGER, NULL},
    {"move", cmd_move, 3, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, GEN,
     "Move a key to another database", "1.0.0", "O(1)", KSP, NULL},
    {"copy", cmd_copy, -3, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, KS_RO | KS_ACCESS, GEN,
     "Copy a key", "6.2.0",
     "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
     "values.",
     KSP, NULL},
    {"touch", cmd_touch, -2, CMD_READONLY | CMD_FAST, 1, -1, 1, KS_RO, GEN,
     "Alters the last access time of a key(s). Returns the number of existing keys "
     "specified.",
     "3.2.1", "O(N) where N is the number of keys that will be touched.", KSP, NULL},
    {"object", NULL, -2, 0, 0, 0, 0, 0, GEN, "A container for object introspection commands",
     "2.2.3", "Depends on subcommand.", NULL, object_subs},
    {0},
};
