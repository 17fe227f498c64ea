/* string.c - the string family: SET and its variants, GET and its variants, MGET/MSET,
 * APPEND, STRLEN, the INCR family, INCRBYFLOAT, GETRANGE/SETRANGE and LCS.
 *
 * One generic function per family, as in Redis: set_generic serves SET, SETNX, SETEX,
 * PSETEX and GETSET; incr_generic serves INCR, DECR, INCRBY and DECRBY; GETDEL and GETEX
 * share lookup_read_ref. Behaviour, replies and error texts are Redis 7.0's, including
 * the order in which errors are detected (a client sees the same first error).
 *
 * Encodings. OBJECT ENCODING reports what Redis would hold: a value written whole (SET,
 * MSET, GETSET, APPEND to a missing key ...) is "int" when it is a canonical long long,
 * "embstr" up to 44 bytes, "raw" beyond (Redis's tryObjectEncoding); INCR results are
 * "int"; INCRBYFLOAT results are "embstr"/"raw" (Redis builds them as plain strings);
 * APPEND and SETRANGE leave "raw", because Redis must unshare the value to edit it. The
 * encoding is a label kept in the entry: storage is the entry's own business.
 *
 * Keyspace statistics. Commands that Redis implements with lookupKeyRead (GET, GETSET,
 * GETDEL, GETEX, SET ... GET, MGET, STRLEN, GETRANGE, SUBSTR, LCS) count keyspace hits and
 * misses; write lookups (SET, INCR, APPEND, SETRANGE, MSET ...) count nothing but still
 * expire a stale key first and refresh the entry's LRU clock.
 *
 * Expire times. SET/SETEX/PSETEX/GETEX take EX/PX (relative) or EXAT/PXAT (absolute);
 * the value must be > 0 and must not overflow once made absolute milliseconds, else
 * "invalid expire time in '<cmd>' command". As Redis 7.0, SET with an absolute time in
 * the past stores an already expired key (it is reclaimed as any expired key: lazily on
 * access or by the active cycle, counting in expired_keys); GETEX with EXAT/PXAT in the
 * past deletes the key at once.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "db/evict.h"
#include "core/server.h"
#include "persist/propagate.h"
#include "pubsub/notify.h"

#define ERR_TOO_BIG "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
#define ERR_OVERFLOW "ERR increment or decrement would overflow"

/* Longest INCRBYFLOAT result text (Redis's MAX_LONG_DOUBLE_CHARS). */
#define LD_TEXT_MAX (5 * 1024)
/* SETRANGE on a missing key builds the value in a stack buffer up to this size. */
#define SETRANGE_STACK 256

/* Option flags of SET and GETEX (Redis's OBJ_SET_* / OBJ_EX ...). */
enum {
    OPT_NX = 1 << 0,
    OPT_XX = 1 << 1,
    OPT_GET = 1 << 2,
    OPT_KEEPTTL = 1 << 3,
    OPT_PERSIST = 1 << 4,
    OPT_EX = 1 << 5,
    OPT_PX = 1 << 6,
    OPT_EXAT = 1 << 7,
    OPT_PXAT = 1 << 8,
};
#define OPT_ANY_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

/* ---- shared helpers ------------------------------------------------------------------ */

/* The encoding Redis's tryObjectEncoding gives a value received whole. */
static int whole_value_enc(kstr v)
{
    if (v.len <= 20 && str_to_ll(v.p, v.len, NULL)) {
        return ENC_INT;
    }
    return v.len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW;
}

/* Redis's checkStringLength: a string may not grow beyond proto-max-bulk-len. Both
 * operands are below 2^63, so the unsigned sum cannot wrap. */
static bool size_ok_or_reply(client *c, unsigned long long len, unsigned long long add)
{
    if (len + add > (unsigned long long)srv.cfg.proto_max_bulk_len) {
        reply_error(&c->out, ERR_TOO_BIG);
        return false;
    }
    return true;
}

/* lookupKeyRead with the slot: expires a stale key, counts a hit or a miss, refreshes the
 * LRU clock. One hash computation, where db_find_read + db_ref would take two. */
static kobj **lookup_read_ref(db *d, kstr key)
{
    kobj **ref = db_ref(d, key);
    if (ref) {
        db_stats.hits++;
        evict_touch(*ref);
    } else {
        db_stats.misses++;
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", d, key);
    }
    return ref;
}

/* lookupKeyWrite: expires a stale key, refreshes the LRU clock, no statistics. */
static kobj **lookup_write_ref(db *d, kstr key)
{
    kobj **ref = db_ref(d, key);
    if (ref) {
        evict_touch(*ref);
    }
    return ref;
}

static bool is_string_or_reply(client *c, const kobj *o)
{
    if (kobj_type(o) != OBJ_STRING) {
        reply_wrongtype(c);
        return false;
    }
    return true;
}

static void reply_str(client *c, const kobj *o)
{
    kstr v = kobj_str(o);
    reply_bulk(&c->out, v.p, v.len);
}

/* Makes key hold the string val with TTL `at` (-1: none), whatever it held before. ref is
 * the key's slot from a lookup just made, or NULL when the key is absent. A string entry
 * is reused (in place when the size is unchanged, the common case of a cache refresh);
 * any other value is replaced by a fresh entry. */
static void store_string(db *d, kobj **ref, kstr key, kstr val, int enc, int64_t at)
{
    if (!ref) {
        db_add(d, kobj_new_string(key, val, enc, at));
        return;
    }
    kobj *o = *ref;
    if (kobj_type(o) != OBJ_STRING || kobj_has_expire(o) != (at >= 0)) {
        db_set(d, kobj_new_string(key, val, enc, at)); /* rare: type or TTL shape changes */
        return;
    }
    *ref = kobj_with_str(o, val, enc);
    db_touch(d, key);
    if (at >= 0) {
        db_set_expire(d, ref, at); /* had a TTL already: rewritten in place */
    }
    evict_touch(*ref);
}

/* ---- option parsing and expire times ------------------------------------------------- */

/* Which option argument a is, as a flag; 0 when it is none of them. */
static unsigned option_flag(kstr a)
{
    switch (a.len) {
    case 2:
        if (kstr_is(a, "EX")) {
            return OPT_EX;
        }
        if (kstr_is(a, "PX")) {
            return OPT_PX;
        }
        if (kstr_is(a, "NX")) {
            return OPT_NX;
        }
        if (kstr_is(a, "XX")) {
            return OPT_XX;
        }
        return 0;
    case 3:
        return kstr_is(a, "GET") ? OPT_GET : 0;
    case 4:
        if (kstr_is(a, "EXAT")) {
            return OPT_EXAT;
        }
        return kstr_is(a, "PXAT") ? OPT_PXAT : 0;
    case 7:
        if (kstr_is(a, "KEEPTTL")) {
            return OPT_KEEPTTL;
        }
        return kstr_is(a, "PERSIST") ? OPT_PERSIST : 0;
    default:
        return 0;
    }
}

/* Options each flag may not be combined with (Redis's parseExtendedStringArgumentsOrReply).
 * Repeating an option is allowed; for expire options the last value wins. */
static unsigned option_conflicts(unsigned f)
{
    switch (f) {
    case OPT_NX:
        return OPT_XX;
    case OPT_XX:
        return OPT_NX;
    case OPT_KEEPTTL:
        return OPT_PERSIST | OPT_ANY_EXPIRE;
    case OPT_PERSIST:
        return OPT_KEEPTTL | OPT_ANY_EXPIRE;
    case OPT_GET:
        return 0;
    default: /* an expire option: any other expire option, KEEPTTL, PERSIST */
        return (OPT_ANY_EXPIRE & ~f) | OPT_KEEPTTL | OPT_PERSIST;
    }
}

/* Parses SET (is_set) or GETEX options from argv[first]. On success *flags holds the
 * options and *expire the expire argument (when an expire option was given). */
static bool parse_options_or_reply(client *c, int first, bool is_set, unsigned *flags,
                                   kstr *expire)
{
    const unsigned allowed = is_set ? (OPT_NX | OPT_XX | OPT_GET | OPT_KEEPTTL | OPT_ANY_EXPIRE)
                                    : (OPT_PERSIST | OPT_ANY_EXPIRE);
    unsigned fl = 0;
    for (int j = first; j < c->argc; j++) {
        unsigned f = option_flag(c->argv[j]) & allowed;
        if (!f || (fl & option_conflicts(f))) {
            reply_syntax_error(c);
            return false;
        }
        if (f & OPT_ANY_EXPIRE) {
            if (j + 1 >= c->argc) {
                reply_syntax_error(c);
                return false;
            }
            *expire = c->argv[++j];
        }
        fl |= f;
    }
    *flags = fl;
    return true;
}

/* Turns an expire argument into absolute ms since the epoch (Redis's
 * getExpireMillisecondsOrReply). The error names the command being run. */
static bool expire_at_or_reply(client *c, kstr arg, unsigned flags, int64_t *at)
{
    long long v;
    if (!arg_ll_or_reply(c, arg, &v)) {
        return false;
    }
    bool seconds = flags & (OPT_EX | OPT_EXAT);
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        goto invalid;
    }
    if (seconds) {
        v *= 1000;
    }
    if (flags & (OPT_EX | OPT_PX)) {
        if (v > LLONG_MAX - db_now_ms) {
            goto invalid; /* Redis detects this as the sum wrapping negative */
        }
        v += db_now_ms;
    }
    *at = v;
    return true;
invalid:
    reply_errorf(&c->out, "ERR invalid expire time in '%s' command", c->cmd->fullname);
    return false;
}

/* ---- SET family ---------------------------------------------------------------------- */

/* SET key val with `flags`; expire.p != NULL when an expire option was given. Replies +OK
 * (or :1 when int_reply) on success; on an NX/XX abort null (or :0); with OPT_GET the old
 * value instead, whatever happens to the write. */
static void set_generic(client *c, unsigned flags, kstr key, kstr val, kstr expire,
                        bool int_reply)
{
    db *d = c->db;
    int64_t at = -1;
    if (expire.p && !expire_at_or_reply(c, expire, flags, &at)) {
        return;
    }
    kobj **ref;
    if (flags & OPT_GET) {
        ref = lookup_read_ref(d, key);
        if (!ref) {
            reply_null(&c->out);
        } else if (!is_string_or_reply(c, *ref)) {
            return;
        } else {
            reply_str(c, *ref);
        }
    } else {
        ref = db_ref(d, key);
    }
    if (((flags & OPT_NX) && ref) || ((flags & OPT_XX) && !ref)) {
        if (!(flags & OPT_GET)) {
            if (int_reply) {
                reply_int(&c->out, 0);
            } else {
                reply_null(&c->out);
            }
        }
        return;
    }
    if ((flags & OPT_KEEPTTL) && ref) {
        at = kobj_expire(*ref);
    }
    store_string(d, ref, key, val, whole_value_enc(val), at);
    notify_keyspace_event(NOTIFY_STRING, "set", d, key);
    if (expire.p) {
        notify_keyspace_event(NOTIFY_GENERIC, "expire", d, key);
    }
    if (propagate_on && expire.p && !(flags & OPT_PXAT)) {
        /* A relative TTL replays as the absolute time it meant (Redis 7.0). */
        char ms[24];
        kstr argv[5] = {KSTR_LIT("SET"), key, val, KSTR_LIT("PXAT"),
                        kstr_make(ms, ll_to_str(ms, at))};
        propagate_rewrite(argv, 5);
    }
    if (!(flags & OPT_GET)) {
        if (int_reply) {
            reply_int(&c->out, 1);
        } else {
            reply_ok(&c->out);
        }
    }
}

static void cmd_set(client *c)
{
    unsigned flags = 0;
    kstr expire = {NULL, 0};
    if (c->argc > 3 && !parse_options_or_reply(c, 3, true, &flags, &expire)) {
        return;
    }
    set_generic(c, flags, c->argv[1], c->argv[2], expire, false);
}

static void cmd_setnx(client *c)
{
    set_generic(c, OPT_NX, c->argv[1], c->argv[2], (kstr){NULL, 0}, true);
}

static void cmd_setex(client *c)
{
    set_generic(c, OPT_EX, c->argv[1], c->argv[3], c->argv[2], false);
}

static void cmd_psetex(client *c)
{
    set_generic(c, OPT_PX, c->argv[1], c->argv[3], c->argv[2], false);
}

static void cmd_getset(client *c)
{
    set_generic(c, OPT_GET, c->argv[1], c->argv[2], (kstr){NULL, 0}, false);
}

static void mset_generic(client *c, bool nx)
{
    if (c->argc % 2 == 0) {
        reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    db *d = c->db;
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_find(d, c->argv[j])) {
                reply_int(&c->out, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        kstr val = c->argv[j + 1];
        store_string(d, db_ref(d, c->argv[j]), c->argv[j], val, whole_value_enc(val), -1);
        notify_keyspace_event(NOTIFY_STRING, "set", d, c->argv[j]);
    }
    if (nx) {
        reply_int(&c->out, 1);
    } else {
        reply_ok(&c->out);
    }
}

static void cmd_mset(client *c)
{
    mset_generic(c, false);
}

static void cmd_msetnx(client *c)
{
    mset_generic(c, true);
}

/* ---- GET family ---------------------------------------------------------------------- */

static void cmd_get(client *c)
{
    kobj *o = db_find_read(c->db, c->argv[1]);
    if (!o) {
        reply_null(&c->out);
    } else if (is_string_or_reply(c, o)) {
        reply_str(c, o);
    }
}

static void cmd_getdel(client *c)
{
    kobj **ref = lookup_read_ref(c->db, c->argv[1]);
    if (!ref) {
        reply_null(&c->out);
        return;
    }
    if (!is_string_or_reply(c, *ref)) {
        return;
    }
    reply_str(c, *ref); /* copied into the output before the entry goes */
    db_delete(c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, c->argv[1]);
    if (propagate_on) {
        kstr argv[2] = {KSTR_LIT("DEL"), c->argv[1]};
        propagate_rewrite(argv, 2);
    }
}

static void cmd_getex(client *c)
{
    unsigned flags = 0;
    kstr expire = {NULL, 0};
    if (!parse_options_or_reply(c, 2, false, &flags, &expire)) {
        return;
    }
    db *d = c->db;
    kobj **ref = lookup_read_ref(d, c->argv[1]);
    if (!ref) {
        reply_null(&c->out); /* before the expire is validated, as Redis */
        return;
    }
    if (!is_string_or_reply(c, *ref)) {
        return;
    }
    int64_t at = -1;
    if (expire.p && !expire_at_or_reply(c, expire, flags, &at)) {
        return;
    }
    reply_str(c, *ref);
    char ms[24];
    kstr argv[3] = {KSTR_LIT("DEL"), c->argv[1], {NULL, 0}};
    int argc = 2;
    if ((flags & (OPT_EXAT | OPT_PXAT)) && at <= db_now_ms && !db_expiry_paused) {
        db_delete(d, c->argv[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", d, c->argv[1]);
    } else if (expire.p) {
        db_set_expire(d, ref, at);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", d, c->argv[1]);
        argv[0] = KSTR_LIT("PEXPIREAT");
        argv[2] = kstr_make(ms, ll_to_str(ms, at));
        argc = 3;
    } else if ((flags & OPT_PERSIST) && kobj_has_expire(*ref)) {
        db_set_expire(d, ref, -1); /* without a TTL nothing changes: WATCH unaffected */
        notify_keyspace_event(NOTIFY_GENERIC, "persist", d, c->argv[1]);
        argv[0] = KSTR_LIT("PERSIST");
    }
    if (propagate_on) {
        propagate_rewrite(argv, argc); /* used only if something changed */
    }
}

static void cmd_mget(client *c)
{
    reply_array(&c->out, (size_t)(c->argc - 1));
    for (int j = 1; j < c->argc; j++) {
        kobj *o = db_find_read(c->db, c->argv[j]);
        if (o && kobj_type(o) == OBJ_STRING) {
            reply_str(c, o);
        } else {
            reply_null(&c->out);
        }
    }
}

static void cmd_strlen(client *c)
{
    kobj *o = db_find_read(c->db, c->argv[1]);
    if (!o) {
        reply_int(&c->out, 0);
    } else if (is_string_or_reply(c, o)) {
        reply_int(&c->out, (long long)kobj_str(o).len);
    }
}

/* GETRANGE and SUBSTR. */
static void cmd_getrange(client *c)
{
    long long start, end;
    if (!arg_ll_or_reply(c, c->argv[2], &start) || !arg_ll_or_reply(c, c->argv[3], &end)) {
        return;
    }
    kobj *o = db_find_read(c->db, c->argv[1]);
    if (!o) {
        reply_bulk(&c->out, "", 0);
        return;
    }
    if (!is_string_or_reply(c, o)) {
        return;
    }
    kstr s = kobj_str(o);
    long long len = (long long)s.len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(&c->out, "", 0);
        return;
    }
    /* Negative indexes count from the end, then clamp to the string (Redis's rules: an
     * index still negative becomes 0, so GETRANGE k -100 -100 is the first byte). */
    if (start < 0) {
        start += len;
    }
    if (end < 0) {
        end += len;
    }
    if (start < 0) {
        start = 0;
    }
    if (end < 0) {
        end = 0;
    }
    if (end >= len) {
        end = len - 1;
    }
    if (start > end || len == 0) {
        reply_bulk(&c->out, "", 0);
    } else {
        reply_bulk(&c->out, s.p + start, (size_t)(end - start + 1));
    }
}

/* ---- writes that edit a value -------------------------------------------------------- */

static void cmd_append(client *c)
{
    db *d = c->db;
    kstr add = c->argv[2];
    kobj **ref = lookup_write_ref(d, c->argv[1]);
    if (!ref) {
        db_add(d, kobj_new_string(c->argv[1], add, whole_value_enc(add), -1));
        notify_keyspace_event(NOTIFY_STRING, "append", d, c->argv[1]);
        reply_int(&c->out, (long long)add.len);
        return;
    }
    if (!is_string_or_reply(c, *ref)) {
        return;
    }
    size_t old = kobj_str(*ref).len;
    if (!size_ok_or_reply(c, old, add.len)) {
        return;
    }
    if (add.len) {
        char *bytes;
        *ref = kobj_str_resize(*ref, old + add.len, &bytes);
        memcpy(bytes + old, add.p, add.len);
    }
    kobj_set_enc(*ref, ENC_RAW);
    db_touch(d, c->argv[1]); /* even for "": Redis signals every APPEND (WATCH aborts) */
    notify_keyspace_event(NOTIFY_STRING, "append", d, c->argv[1]);
    reply_int(&c->out, (long long)(old + add.len));
}

static void cmd_setrange(client *c)
{
    db *d = c->db;
    kstr val = c->argv[3];
    long long offset;
    if (!arg_ll_or_reply(c, c->argv[2], &offset)) {
        return;
    }
    if (offset < 0) {
        reply_error(&c->out, "ERR offset is out of range");
        return;
    }
    kobj **ref = lookup_write_ref(d, c->argv[1]);
    if (!ref) {
        if (val.len == 0) {
            reply_int(&c->out, 0); /* setting nothing creates nothing */
            return;
        }
        if (!size_ok_or_reply(c, (unsigned long long)offset, val.len)) {
            return;
        }
        /* Built at its exact size, as Redis does for a new key. */
        size_t len = (size_t)offset + val.len;
        char stack[SETRANGE_STACK];
        char *buf = len <= sizeof(stack) ? stack : kv_malloc(len);
        memset(buf, 0, (size_t)offset);
        memcpy(buf + offset, val.p, val.len);
        db_add(d, kobj_new_string(c->argv[1], kstr_make(buf, len), ENC_RAW, -1));
        if (buf != stack) {
            kv_free(buf);
        }
        notify_keyspace_event(NOTIFY_STRING, "setrange", d, c->argv[1]);
        reply_int(&c->out, (long long)len);
        return;
    }
    if (!is_string_or_reply(c, *ref)) {
        return;
    }
    size_t old = kobj_str(*ref).len;
    if (val.len == 0) {
        reply_int(&c->out, (long long)old);
        return;
    }
    if (!size_ok_or_reply(c, (unsigned long long)offset, val.len)) {
        return;
    }
    size_t end = (size_t)offset + val.len;
    char *bytes;
    if (end > old) {
        *ref = kobj_str_resize(*ref, end, &bytes); /* zero-fills the gap */
    } else {
        bytes = (char *)kobj_str(*ref).p; /* the entry owns these bytes: edit in place */
    }
    memcpy(bytes + offset, val.p, val.len);
    db_touch(d, c->argv[1]);
    notify_keyspace_event(NOTIFY_STRING, "setrange", d, c->argv[1]);
    kobj_set_enc(*ref, ENC_RAW);
    reply_int(&c->out, (long long)(end > old ? end : old));
}

/* INCR, DECR, INCRBY, DECRBY. */
static void incr_generic(client *c, long long incr)
{
    db *d = c->db;
    kobj **ref = lookup_write_ref(d, c->argv[1]);
    long long v = 0;
    if (ref) {
        if (!is_string_or_reply(c, *ref)) {
            return;
        }
        kstr s = kobj_str(*ref);
        if (!str_to_ll(s.p, s.len, &v)) {
            reply_error(&c->out, ERR_NOT_INT);
            return;
        }
    }
    if ((incr < 0 && v < 0 && incr < LLONG_MIN - v) ||
        (incr > 0 && v > 0 && incr > LLONG_MAX - v)) {
        reply_error(&c->out, ERR_OVERFLOW);
        return;
    }
    v += incr;
    char buf[24];
    kstr text = kstr_make(buf, ll_to_str(buf, v));
    if (ref) {
        *ref = kobj_with_str(*ref, text, ENC_INT); /* keeps the TTL */
        db_touch(d, c->argv[1]);
    } else {
        db_add(d, kobj_new_string(c->argv[1], text, ENC_INT, -1));
    }
    notify_keyspace_event(NOTIFY_STRING, "incrby", d, c->argv[1]);
    reply_int(&c->out, v);
}

static void cmd_incr(client *c)
{
    incr_generic(c, 1);
}

static void cmd_decr(client *c)
{
    incr_generic(c, -1);
}

static void cmd_incrby(client *c)
{
    long long incr;
    if (arg_ll_or_reply(c, c->argv[2], &incr)) {
        incr_generic(c, incr);
    }
}

static void cmd_decrby(client *c)
{
    long long incr;
    if (!arg_ll_or_reply(c, c->argv[2], &incr)) {
        return;
    }
    if (incr == LLONG_MIN) {
        reply_error(&c->out, "ERR decrement would overflow"); /* -LLONG_MIN overflows */
        return;
    }
    incr_generic(c, -incr);
}

static void cmd_incrbyfloat(client *c)
{
    db *d = c->db;
    kobj **ref = lookup_write_ref(d, c->argv[1]);
    long double v = 0, incr;
    if (ref) {
        if (!is_string_or_reply(c, *ref)) {
            return;
        }
        kstr s = kobj_str(*ref);
        if (!str_to_ld(s.p, s.len, &v)) {
            reply_error(&c->out, ERR_NOT_FLOAT);
            return;
        }
    }
    if (!str_to_ld(c->argv[2].p, c->argv[2].len, &incr)) {
        reply_error(&c->out, ERR_NOT_FLOAT);
        return;
    }
    v += incr;
    if (isnan(v) || isinf(v)) {
        reply_error(&c->out, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[LD_TEXT_MAX];
    kstr text = kstr_make(buf, ld_to_str(buf, sizeof(buf), v));
    int enc = text.len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW; /* never "int" */
    if (ref) {
        *ref = kobj_with_str(*ref, text, enc); /* keeps the TTL */
        db_touch(d, c->argv[1]);
    } else {
        db_add(d, kobj_new_string(c->argv[1], text, enc, -1));
    }
    notify_keyspace_event(NOTIFY_STRING, "incrbyfloat", d, c->argv[1]);
    if (propagate_on) {
        /* Float formatting must not differ on replay: the result, not the increment. */
        kstr argv[4] = {KSTR_LIT("SET"), c->argv[1], text, KSTR_LIT("KEEPTTL")};
        propagate_rewrite(argv, 4);
    }
    reply_bulk(&c->out, text.p, text.len);
}

/* ---- LCS ----------------------------------------------------------------------------- */

/* Longest common subsequence by the textbook dynamic programme, as Redis: a table of
 * (alen+1)*(blen+1) uint32 cells, refused when it would exceed proto-max-bulk-len, then
 * one walk back from the corner that builds the string and the matched ranges (IDX).
 * The walk's tie-breaks are Redis's, so IDX reports the same ranges. */
static void cmd_lcs(client *c)
{
    kobj *oa = db_find_read(c->db, c->argv[1]);
    kobj *ob = db_find_read(c->db, c->argv[2]);
    if ((oa && kobj_type(oa) != OBJ_STRING) || (ob && kobj_type(ob) != OBJ_STRING)) {
        reply_error(&c->out, "ERR The specified keys must contain string values");
        return;
    }
    bool getlen = false, getidx = false, withmatchlen = false;
    long long minmatchlen = 0;
    for (int j = 3; j < c->argc; j++) {
        kstr opt = c->argv[j];
        if (kstr_is(opt, "IDX")) {
            getidx = true;
        } else if (kstr_is(opt, "LEN")) {
            getlen = true;
        } else if (kstr_is(opt, "WITHMATCHLEN")) {
            withmatchlen = true;
        } else if (kstr_is(opt, "MINMATCHLEN") && j + 1 < c->argc) {
            if (!arg_ll_or_reply(c, c->argv[++j], &minmatchlen)) {
                return;
            }
            if (minmatchlen < 0) {
                minmatchlen = 0;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    if (getidx && getlen) {
        reply_error(&c->out, "ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    kstr a = oa ? kobj_str(oa) : kstr_make("", 0);
    kstr b = ob ? kobj_str(ob) : kstr_make("", 0);
    if (a.len >= UINT32_MAX - 1 || b.len >= UINT32_MAX - 1) {
        reply_error(&c->out, "ERR String too long for LCS");
        return;
    }
    uint32_t alen = (uint32_t)a.len, blen = (uint32_t)b.len;
    /* Below 2^64 by the checks above; compared before anything is allocated. */
    unsigned long long cells = (unsigned long long)(alen + 1ull) * (blen + 1ull);
    if (cells > (unsigned long long)srv.cfg.proto_max_bulk_len / sizeof(uint32_t) ||
        cells * sizeof(uint32_t) > (unsigned long long)srv.cfg.proto_max_bulk_len) {
        reply_error(&c->out, "ERR Insufficient memory, transient memory for LCS exceeds "
                             "proto-max-bulk-len");
        return;
    }
    uint32_t *t = kv_malloc((size_t)cells * sizeof(uint32_t));
    size_t w = (size_t)blen + 1;
#define LCS(i, j) t[(size_t)(i) * w + (j)]
    for (uint32_t j = 0; j <= blen; j++) {
        LCS(0, j) = 0;
    }
    for (uint32_t i = 1; i <= alen; i++) {
        LCS(i, 0) = 0;
        for (uint32_t j = 1; j <= blen; j++) {
            if (a.p[i - 1] == b.p[j - 1]) {
                LCS(i, j) = LCS(i - 1, j - 1) + 1;
            } else {
                uint32_t up = LCS(i - 1, j), left = LCS(i, j - 1);
                LCS(i, j) = up > left ? up : left;
            }
        }
    }
    uint32_t total = LCS(alen, blen);
    if (getlen) {
        reply_int(&c->out, total);
        kv_free(t);
        return;
    }
    char *result = getidx ? NULL : kv_malloc(total + 1);
    void *matches = NULL;
    size_t nmatches = 0;
    if (getidx) {
        reply_map(&c->out, 2);
        reply_bulk_cstr(&c->out, "matches");
        matches = reply_defer(&c->out);
    }
    /* Current range, when arange_start != alen: a[arange_start..arange_end] matches
     * b[brange_start..brange_end]. Ranges are found from the ends of the strings back. */
    uint32_t arange_start = alen, arange_end = 0, brange_start = 0, brange_end = 0;
    uint32_t idx = total, i = alen, j = blen;
    while (i > 0 && j > 0) {
        bool emit = false;
        if (a.p[i - 1] == b.p[j - 1]) {
            if (result) {
                result[idx - 1] = a.p[i - 1];
            }
            if (arange_start == alen) {
                arange_start = arange_end = i - 1;
                brange_start = brange_end = j - 1;
            } else if (arange_start == i && brange_start == j) {
                arange_start--;
                brange_start--;
            } else {
                emit = true;
            }
            if (arange_start == 0 || brange_start == 0) {
                emit = true; /* the range reached the start of a string */
            }
            idx--;
            i--;
            j--;
        } else {
            if (LCS(i - 1, j) > LCS(i, j - 1)) {
                i--;
            } else {
                j--;
            }
            emit = arange_start != alen;
        }
        if (emit) {
            uint32_t mlen = arange_end - arange_start + 1;
            if (matches && (minmatchlen == 0 || mlen >= minmatchlen)) {
                reply_array(&c->out, withmatchlen ? 3 : 2);
                reply_array(&c->out, 2);
                reply_int(&c->out, arange_start);
                reply_int(&c->out, arange_end);
                reply_array(&c->out, 2);
                reply_int(&c->out, brange_start);
                reply_int(&c->out, brange_end);
                if (withmatchlen) {
                    reply_int(&c->out, mlen);
                }
                nmatches++;
            }
            arange_start = alen;
        }
    }
#undef LCS
    kv_free(t);
    if (matches) {
        reply_bulk_cstr(&c->out, "len");
        reply_int(&c->out, total);
        reply_defer_set(&c->out, matches, REPLY_ARRAY, nmatches);
    } else {
        reply_bulk(&c->out, result, total);
        kv_free(result);
    }
}

/* ---- table --------------------------------------------------------------------------- */

#define STR "string"
#define W_DENY (CMD_WRITE | CMD_DENYOOM)
#define RO_FAST (CMD_READONLY | CMD_FAST)

command string_commands[] = {
    {"get", cmd_get, 2, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, STR,
     "Get the value of a key", "1.0.0", "O(1)", NULL, NULL},
    {"set", cmd_set, -3, W_DENY, 1, 1, 1,
     KS_RW | KS_ACCESS | KS_UPDATE | KS_VARIABLE_FLAGS, STR,
     "Set the string value of a key", "1.0.0", "O(1)", NULL, NULL},
    {"setnx", cmd_setnx, 3, W_DENY | CMD_FAST, 1, 1, 1, KS_OW | KS_INSERT, STR,
     "Set the value of a key, only if the key does not exist", "1.0.0", "O(1)", NULL, NULL},
    {"setex", cmd_setex, 4, W_DENY, 1, 1, 1, KS_OW | KS_UPDATE, STR,
     "Set the value and expiration of a key", "2.0.0", "O(1)", NULL, NULL},
    {"psetex", cmd_psetex, 4, W_DENY, 1, 1, 1, KS_OW | KS_UPDATE, STR,
     "Set the value and expiration in milliseconds of a key", "2.6.0", "O(1)", NULL, NULL},
    {"getset", cmd_getset, 3, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Set the string value of a key and return its old value", "1.0.0", "O(1)", NULL, NULL},
    {"getdel", cmd_getdel, 2, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_DELETE,
     STR, "Get the value of a key and delete the key", "6.2.0", "O(1)", NULL, NULL},
    {"getex", cmd_getex, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE,
     STR, "Get the value of a key and optionally set its expiration", "6.2.0", "O(1)", NULL,
     NULL},
    {"mget", cmd_mget, -2, RO_FAST, 1, -1, 1, KS_RO | KS_ACCESS, STR,
     "Get the values of all the given keys", "1.0.0",
     "O(N) where N is the number of keys to retrieve.", NULL, NULL},
    {"mset", cmd_mset, -3, W_DENY, 1, -1, 2, KS_OW | KS_UPDATE, STR,
     "Set multiple keys to multiple values", "1.0.1",
     "O(N) where N is the number of keys to set.", NULL, NULL},
    {"msetnx", cmd_msetnx, -3, W_DENY, 1, -1, 2, KS_OW | KS_INSERT, STR,
     "Set multiple keys to multiple values, only if none of the keys exist", "1.0.1",
     "O(N) where N is the number of keys to set.", NULL, NULL},
    {"append", cmd_append, 3, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT, STR,
     "Append a value to a key", "2.0.0",
     "O(1). The amortized time complexity is O(1) assuming the appended value is small and "
     "the already present value is of any size, since the dynamic string library used by "
     "Redis will double the free space available on every reallocation.", NULL, NULL},
    {"strlen", cmd_strlen, 2, RO_FAST, 1, 1, 1, KS_RO, STR,
     "Get the length of the value stored in a key", "2.2.0", "O(1)", NULL, NULL},
    {"incr", cmd_incr, 2, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Increment the integer value of a key by one", "1.0.0", "O(1)", NULL, NULL},
    {"decr", cmd_decr, 2, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Decrement the integer value of a key by one", "1.0.0", "O(1)", NULL, NULL},
    {"incrby", cmd_incrby, 3, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Increment the integer value of a key by the given amount", "1.0.0", "O(1)", NULL,
     NULL},
    {"decrby", cmd_decrby, 3, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Decrement the integer value of a key by the given number", "1.0.0", "O(1)", NULL,
     NULL},
    {"incrbyfloat", cmd_incrbyfloat, 3, W_DENY | CMD_FAST, 1, 1, 1,
     KS_RW | KS_ACCESS | KS_UPDATE, STR,
     "Increment the float value of a key by the given amount", "2.6.0", "O(1)", NULL, NULL},
    {"getrange", cmd_getrange, 4, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, STR,
     "Get a substring of the string stored at a key", "2.4.0",
     "O(N) where N is the length of the returned string. The complexity is ultimately "
     "determined by the returned length, but because creating a substring from an existing "
     "string is very cheap, it can be considered O(1) for small strings.", NULL, NULL},
    {"substr", cmd_getrange, 4, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, STR,
     "Get a substring of the string stored at a key", "1.0.0",
     "O(N) where N is the length of the returned string. The complexity is ultimately "
     "determined by the returned length, but because creating a substring from an existing "
     "string is very cheap, it can be considered O(1) for small strings.", NULL, NULL},
    {"setrange", cmd_setrange, 4, W_DENY, 1, 1, 1, KS_RW | KS_UPDATE, STR,
     "Overwrite part of a string at key starting at the specified offset", "2.2.0",
     "O(1), not counting the time taken to copy the new string in place. Usually, this "
     "string is very small so the amortized complexity is O(1). Otherwise, complexity is "
     "O(M) with M being the length of the value argument.", NULL, NULL},
    {"lcs", cmd_lcs, -3, CMD_READONLY, 1, 2, 1, KS_RO | KS_ACCESS, STR,
     "Find longest common substring", "7.0.0",
     "O(N*M) where N and M are the lengths of s1 and s2, respectively", NULL, NULL},
    {0},
};
