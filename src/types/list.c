/* list.c - the list family: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP LLEN LRANGE LINDEX LSET
 * LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, and the blocking BLPOP BRPOP BLMOVE
 * BRPOPLPUSH BLMPOP (through core/blocking.h).
 *
 * Storage. Every list is a quicklist (ds/quicklist.h) created with the current
 * list-max-listpack-size and list-compress-depth; OBJECT ENCODING reports "quicklist"
 * whatever the size, as Redis 7.0 does (the "listpack" list encoding is Redis 7.2's). A
 * list that loses its last element is deleted with its key.
 *
 * Argument checks run in Redis 7.0's order, so that the first error a client sees is
 * Redis's: e.g. LRANGE parses its indexes before looking at the key, LINDEX and LSET the
 * other way round. Read commands (LLEN LRANGE LINDEX LPOS) count keyspace hits and misses
 * as Redis's lookupKeyRead; writes do not. In-place changes call db_touch() (WATCH, and
 * it is what wakes clients blocked on the key).
 *
 * Blocking commands first act as their non-blocking form; when no key has data they
 * block (or, inside MULTI, answer the timeout reply at once). A woken client is served by
 * serve_pop()/serve_move() with its original arguments, as Redis 7.0's
 * serveClientBlockedOnList: from the key that became ready.
 */
#include <limits.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "core/blocking.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "ds/quicklist.h"
#include "persist/propagate.h"
#include "pubsub/notify.h"
#include "types/limits.h"
#include "types/types.h"

#define ERR_OUT_OF_RANGE "ERR index out of range"
#define ERR_NO_SUCH_KEY "ERR no such key"
#define ERR_POSITIVE "ERR value is out of range, must be positive"

/* ---- the value ---- */

static void list_free(void *ptr)
{
    ql_destroy(ptr);
}

static size_t list_size(const void *ptr)
{
    return ql_mem_usage(ptr);
}

static void *list_copy(const void *ptr)
{
    return ql_dup(ptr);
}

static const kobj_type_ops list_ops = {list_free, list_size, list_copy};

void list_type_setup(void)
{
    kobj_register_type(OBJ_LIST, &list_ops);
}

static quicklist *ql_of(const kobj *o)
{
    return kobj_ptr(o);
}

/* Creates an empty list under key (absent) and returns its quicklist. */
static quicklist *create_list(db *d, kstr key)
{
    quicklist *ql = ql_create((int)type_limits.list_max_listpack_size,
                              (int)type_limits.list_compress_depth);
    db_add(d, kobj_new_ptr(key, OBJ_LIST, ENC_QUICKLIST, ql, -1));
    return ql;
}

/* The list under key for a write: NULL when absent, or when of another type (then
 * *wrong is set and WRONGTYPE replied). */
static kobj *find_write(client *c, kstr key, bool *wrong)
{
    kobj *o = db_find(c->db, key);
    *wrong = o && kobj_type(o) != OBJ_LIST;
    if (*wrong) {
        reply_wrongtype(c);
        return NULL;
    }
    return o;
}

static kobj *find_read(client *c, kstr key, bool *wrong)
{
    kobj *o = db_find_read(c->db, key);
    *wrong = o && kobj_type(o) != OBJ_LIST;
    if (*wrong) {
        reply_wrongtype(c);
        return NULL;
    }
    return o;
}

/* After elements were removed: raises the command's event, deletes the key of an emptied
 * list ("del"), else notes the change. */
static void after_removal(client *c, kstr key, quicklist *ql, const char *event)
{
    notify_keyspace_event(NOTIFY_LIST, event, c->db, key);
    if (ql_count(ql) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
    } else {
        db_touch(c->db, key);
    }
}

static const char *pop_event(bool tail)
{
    return tail ? "rpop" : "lpop";
}

/* LEFT / RIGHT as Redis's getListPositionFromObjectOrReply; *tail is true for RIGHT. */
static bool where_or_reply(client *c, kstr a, bool *tail)
{
    if (kstr_is(a, "left")) {
        *tail = false;
    } else if (kstr_is(a, "right")) {
        *tail = true;
    } else {
        reply_syntax_error(c);
        return false;
    }
    return true;
}

/* Redis's getRangeLongFromObjectOrReply with a message: msg for a non-integer too. */
static bool range_or_reply(client *c, kstr a, long long min, long long max, long long *out,
                           const char *msg)
{
    long long v;
    if (!str_to_ll(a.p, a.len, &v) || v < min || v > max) {
        reply_error(&c->out, msg);
        return false;
    }
    *out = v;
    return true;
}

/* Replies the head or tail element and removes it. */
static void pop_reply(client *c, quicklist *ql, bool tail)
{
    ql_entry e;
    ql_peek(ql, tail, &e);
    reply_bulk(&c->out, e.s, e.len);
    ql_pop_discard(ql, tail);
}

/* Pops up to count elements and replies them as an array. */
static void pop_range_reply(client *c, quicklist *ql, bool tail, long long count)
{
    size_t n = ql_count(ql);
    if ((unsigned long long)count < n) {
        n = (size_t)count;
    }
    reply_array(&c->out, n);
    for (size_t i = 0; i < n; i++) {
        pop_reply(c, ql, tail);
    }
    db_dirty((long long)n);
}

/* LMPOP/BLMPOP's [key, [elements]] reply, popping from the list under key. */
static void mpop_reply(client *c, kstr key, quicklist *ql, bool tail, long long count)
{
    reply_array(&c->out, 2);
    reply_bulk(&c->out, key.p, key.len);
    pop_range_reply(c, ql, tail, count);
    after_removal(c, key, ql, pop_event(tail));
}

/* ---- push ---- */

static void push_generic(client *c, bool tail, bool only_existing)
{
    kstr key = c->argv[1];
    bool wrong;
    kobj *o = find_write(c, key, &wrong);
    if (wrong) {
        return;
    }
    quicklist *ql;
    if (o) {
        ql = ql_of(o);
    } else if (only_existing) {
        reply_int(&c->out, 0);
        return;
    } else {
        ql = create_list(c->db, key);
    }
    for (int i = 2; i < c->argc; i++) {
        ql_push(ql, tail, c->argv[i].p, c->argv[i].len);
    }
    db_dirty(c->argc - 2);
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_LIST, tail ? "rpush" : "lpush", c->db, key);
    reply_int(&c->out, (long long)ql_count(ql));
}

static void cmd_lpush(client *c)
{
    push_generic(c, false, false);
}

static void cmd_rpush(client *c)
{
    push_generic(c, true, false);
}

static void cmd_lpushx(client *c)
{
    push_generic(c, false, true);
}

static void cmd_rpushx(client *c)
{
    push_generic(c, true, true);
}

/* ---- pop ---- */

static void pop_generic(client *c, bool tail)
{
    if (c->argc > 3) {
        reply_errorf(&c->out, "ERR wrong number of arguments for '%s' command",
                     c->cmd->fullname);
        return;
    }
    long long count = 0;
    bool has_count = c->argc == 3;
    if (has_count && !range_or_reply(c, c->argv[2], 0, LONG_MAX, &count, ERR_POSITIVE)) {
        return;
    }
    kstr key = c->argv[1];
    bool wrong;
    kobj *o = find_write(c, key, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        if (has_count) {
            reply_null_array(&c->out);
        } else {
            reply_null(&c->out);
        }
        return;
    }
    quicklist *ql = ql_of(o);
    if (!has_count) {
        pop_reply(c, ql, tail);
        db_dirty(1);
    } else if (count == 0) {
        reply_empty_array(&c->out);
        return;
    } else {
        pop_range_reply(c, ql, tail, count);
    }
    after_removal(c, key, ql, pop_event(tail));
}

static void cmd_lpop(client *c)
{
    pop_generic(c, false);
}

static void cmd_rpop(client *c)
{
    pop_generic(c, true);
}

/* ---- read commands ---- */

static void cmd_llen(client *c)
{
    bool wrong;
    kobj *o = find_read(c, c->argv[1], &wrong);
    if (!wrong) {
        reply_int(&c->out, o ? (long long)ql_count(ql_of(o)) : 0);
    }
}

static void cmd_lrange(client *c)
{
    long long start, end;
    if (!arg_ll_or_reply(c, c->argv[2], &start) || !arg_ll_or_reply(c, c->argv[3], &end)) {
        return;
    }
    bool wrong;
    kobj *o = find_read(c, c->argv[1], &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_empty_array(&c->out);
        return;
    }
    quicklist *ql = ql_of(o);
    long long llen = (long long)ql_count(ql);
    if (!rank_range(&start, &end, llen)) {
        reply_empty_array(&c->out);
        return;
    }
    long long n = end - start + 1;
    reply_array(&c->out, (size_t)n);
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql, start, true);
    while (n-- > 0 && ql_iter_next(&it, &e)) {
        reply_bulk(&c->out, e.s, e.len);
    }
    ql_iter_done(&it);
}

static void cmd_lindex(client *c)
{
    bool wrong;
    kobj *o = find_read(c, c->argv[1], &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
        return;
    }
    long long index;
    if (!arg_ll_or_reply(c, c->argv[2], &index)) {
        return;
    }
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql_of(o), index, true);
    if (ql_iter_next(&it, &e)) {
        reply_bulk(&c->out, e.s, e.len);
    } else {
        reply_null(&c->out);
    }
    ql_iter_done(&it);
}

/* LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
static void cmd_lpos(client *c)
{
    long long rank = 1, count = -1, maxlen = 0;
    for (int j = 3; j < c->argc; j++) {
        kstr opt = c->argv[j];
        bool more = j + 1 < c->argc;
        if (kstr_is(opt, "rank") && more) {
            long long v;
            j++;
            if (!str_to_ll(c->argv[j].p, c->argv[j].len, &v)) {
                reply_error(&c->out, ERR_NOT_INT);
                return;
            }
            if (v == 0) {
                reply_error(&c->out, "ERR RANK can't be zero: use 1 to start from the first "
                            "match, 2 from the second ... or use negative to start from the end "
                            "of the list");
                return;
            }
            rank = v;
        } else if (kstr_is(opt, "count") && more) {
            if (!range_or_reply(c, c->argv[++j], 0, LLONG_MAX, &count,
                                "ERR COUNT can't be negative")) {
                return;
            }
        } else if (kstr_is(opt, "maxlen") && more) {
            if (!range_or_reply(c, c->argv[++j], 0, LLONG_MAX, &maxlen,
                                "ERR MAXLEN can't be negative")) {
                return;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    bool forward = rank > 0;
    /* Redis 7.0 negates LLONG_MIN into itself: every match then ranks, and the COUNT
     * test overflows so that it never ends the search. */
    bool wrapped = rank == LLONG_MIN;
    if (wrapped) {
        rank = 1;
    } else if (rank < 0) {
        rank = -rank;
    }
    bool wrong;
    kobj *o = find_read(c, c->argv[1], &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        if (count != -1) {
            reply_empty_array(&c->out);
        } else {
            reply_null(&c->out);
        }
        return;
    }
    quicklist *ql = ql_of(o);
    long long llen = (long long)ql_count(ql);
    kstr ele = c->argv[2];
    void *defer = count != -1 ? reply_defer(&c->out) : NULL;
    long long index = 0, matches = 0, found = -1, emitted = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql, forward ? 0 : -1, forward);
    while ((maxlen == 0 || index < maxlen) && ql_iter_next(&it, &e)) {
        if (e.len == ele.len && (e.len == 0 || memcmp(e.s, ele.p, e.len) == 0)) {
            matches++;
            long long at = forward ? index : llen - index - 1;
            if (matches >= rank) {
                if (!defer) {
                    found = at;
                    break;
                }
                reply_int(&c->out, at);
                emitted++;
                if (count && !wrapped && matches - rank + 1 >= count) {
                    break;
                }
            }
        }
        index++;
    }
    ql_iter_done(&it);
    if (defer) {
        reply_defer_set(&c->out, defer, REPLY_ARRAY, (size_t)emitted);
    } else if (found >= 0) {
        reply_int(&c->out, found);
    } else {
        reply_null(&c->out);
    }
}

/* ---- in-place edits ---- */

static void cmd_lset(client *c)
{
    kstr key = c->argv[1];
    kobj *o = db_find(c->db, key);
    if (!o) {
        reply_error(&c->out, ERR_NO_SUCH_KEY);
        return;
    }
    if (kobj_type(o) != OBJ_LIST) {
        reply_wrongtype(c);
        return;
    }
    long long index;
    if (!arg_ll_or_reply(c, c->argv[2], &index)) {
        return;
    }
    if (!ql_replace(ql_of(o), index, c->argv[3].p, c->argv[3].len)) {
        reply_error(&c->out, ERR_OUT_OF_RANGE);
        return;
    }
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_LIST, "lset", c->db, key);
    reply_ok(&c->out);
}

static void cmd_linsert(client *c)
{
    bool after;
    if (kstr_is(c->argv[2], "after")) {
        after = true;
    } else if (kstr_is(c->argv[2], "before")) {
        after = false;
    } else {
        reply_syntax_error(c);
        return;
    }
    kstr key = c->argv[1], pivot = c->argv[3], ele = c->argv[4];
    bool wrong;
    kobj *o = find_write(c, key, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    quicklist *ql = ql_of(o);
    bool inserted = false;
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql, 0, true);
    while (ql_iter_next(&it, &e)) {
        if (e.len == pivot.len && (e.len == 0 || memcmp(e.s, pivot.p, e.len) == 0)) {
            ql_iter_insert(&it, ele.p, ele.len, after);
            inserted = true;
            break;
        }
    }
    ql_iter_done(&it);
    if (!inserted) {
        reply_int(&c->out, -1);
        return;
    }
    db_touch(c->db, key);
    notify_keyspace_event(NOTIFY_LIST, "linsert", c->db, key);
    reply_int(&c->out, (long long)ql_count(ql));
}

static void cmd_lrem(client *c)
{
    long long toremove;
    if (!arg_ll_or_reply(c, c->argv[2], &toremove)) {
        return;
    }
    kstr key = c->argv[1], ele = c->argv[3];
    bool wrong;
    kobj *o = find_write(c, key, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    quicklist *ql = ql_of(o);
    bool forward = toremove >= 0;
    unsigned long long limit = forward ? (unsigned long long)toremove
                                       : 0ULL - (unsigned long long)toremove;
    long long removed = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql, forward ? 0 : -1, forward);
    while (ql_iter_next(&it, &e)) {
        if (e.len == ele.len && (e.len == 0 || memcmp(e.s, ele.p, e.len) == 0)) {
            ql_iter_delete(&it);
            removed++;
            if (limit && (unsigned long long)removed == limit) {
                break;
            }
        }
    }
    ql_iter_done(&it);
    db_dirty(removed);
    if (removed) {
        after_removal(c, key, ql, "lrem");
    }
    reply_int(&c->out, removed);
}

static void cmd_ltrim(client *c)
{
    long long start, end;
    if (!arg_ll_or_reply(c, c->argv[2], &start) || !arg_ll_or_reply(c, c->argv[3], &end)) {
        return;
    }
    kstr key = c->argv[1];
    bool wrong;
    kobj *o = find_write(c, key, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_ok(&c->out);
        return;
    }
    quicklist *ql = ql_of(o);
    long long llen = (long long)ql_count(ql), ltrim, rtrim;
    if (!rank_range(&start, &end, llen)) {
        ltrim = llen;
        rtrim = 0;
    } else {
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_del_range(ql, 0, (size_t)ltrim);
    ql_del_range(ql, -rtrim, (size_t)rtrim);
    db_dirty(ltrim + rtrim);
    after_removal(c, key, ql, "ltrim");
    reply_ok(&c->out);
}

/* ---- moves ---- */

/* What a pop propagates (Redis 7.0): blocking and multi-key pops replay as the plain
 * LPOP/RPOP of the key they served, with the count actually popped (count < 0: the
 * single-element form). Used only if the command changed something. */
static void propagate_pop(kstr key, bool tail, long long count)
{
    if (!propagate_on) {
        return;
    }
    char num[24];
    kstr argv[3] = {tail ? KSTR_LIT("RPOP") : KSTR_LIT("LPOP"), key, {NULL, 0}};
    int argc = 2;
    if (count >= 0) {
        argv[2] = kstr_make(num, ll_to_str(num, count));
        argc = 3;
    }
    propagate_rewrite(argv, argc);
}

/* Pops from the list src (non-empty) under srckey and pushes onto dstkey, replying the
 * element; WRONGTYPE when dstkey holds another type (nothing moves then, false). */
static bool move_element(client *c, kstr srckey, kobj *src, kstr dstkey, bool from_tail,
                         bool to_tail)
{
    kobj *dst = db_find(c->db, dstkey);
    if (dst && kobj_type(dst) != OBJ_LIST) {
        reply_wrongtype(c);
        return false;
    }
    quicklist *sq = ql_of(src);
    ql_entry e;
    ql_peek(sq, from_tail, &e);
    /* The element must outlive the pop, and dst may be this very list. */
    char small[128];
    char *v = e.len <= sizeof(small) ? small : kv_malloc(e.len);
    size_t len = e.len;
    memcpy(v, e.s, len);
    ql_pop_discard(sq, from_tail);
    quicklist *dq = dst ? ql_of(dst) : create_list(c->db, dstkey);
    ql_push(dq, to_tail, v, len);
    notify_keyspace_event(NOTIFY_LIST, to_tail ? "rpush" : "lpush", c->db, dstkey);
    reply_bulk(&c->out, v, len);
    if (v != small) {
        kv_free(v);
    }
    after_removal(c, srckey, sq, pop_event(from_tail));
    db_touch(c->db, dstkey);
    if (propagate_on) {
        /* LMOVE serves RPOPLPUSH, BLMOVE and BRPOPLPUSH alike, blocked or not. */
        kstr argv[5] = {KSTR_LIT("LMOVE"), srckey, dstkey,
                        from_tail ? KSTR_LIT("RIGHT") : KSTR_LIT("LEFT"),
                        to_tail ? KSTR_LIT("RIGHT") : KSTR_LIT("LEFT")};
        propagate_rewrite(argv, 5);
    }
    return true;
}

/* LMOVE / RPOPLPUSH once the directions are known. */
static void lmove_generic(client *c, bool from_tail, bool to_tail)
{
    kstr src = c->argv[1];
    bool wrong;
    kobj *o = find_write(c, src, &wrong);
    if (wrong) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
        return;
    }
    if (move_element(c, src, o, c->argv[2], from_tail, to_tail)) {
        db_dirty(1);
    }
}

static void cmd_lmove(client *c)
{
    bool from_tail, to_tail;
    if (where_or_reply(c, c->argv[3], &from_tail) && where_or_reply(c, c->argv[4], &to_tail)) {
        lmove_generic(c, from_tail, to_tail);
    }
}

static void cmd_rpoplpush(client *c)
{
    lmove_generic(c, true, false);
}

/* ---- multi-key pops ---- */

typedef struct mpop_args {
    int first_key, nkeys;
    bool tail;
    long long count;
} mpop_args;

/* Parses [timeout] numkeys key... LEFT|RIGHT [COUNT n] starting at numkeys_idx, as
 * Redis 7.0's lmpopGenericCommand. */
static bool mpop_parse(client *c, int numkeys_idx, mpop_args *a)
{
    long long numkeys;
    if (!range_or_reply(c, c->argv[numkeys_idx], 1, LONG_MAX, &numkeys,
                        "ERR numkeys should be greater than 0")) {
        return false;
    }
    if (numkeys >= c->argc - numkeys_idx - 1) {
        reply_syntax_error(c);
        return false;
    }
    int where_idx = numkeys_idx + (int)numkeys + 1;
    if (!where_or_reply(c, c->argv[where_idx], &a->tail)) {
        return false;
    }
    a->count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        if (a->count == -1 && kstr_is(c->argv[j], "count") && j + 1 < c->argc) {
            if (!range_or_reply(c, c->argv[++j], 1, LONG_MAX, &a->count,
                                "ERR count should be greater than 0")) {
                return false;
            }
        } else {
            reply_syntax_error(c);
            return false;
        }
    }
    if (a->count == -1) {
        a->count = 1;
    }
    a->first_key = numkeys_idx + 1;
    a->nkeys = (int)numkeys;
    return true;
}

/* Pops from the first non-empty list among the keys. Returns true when it replied (data
 * or WRONGTYPE), false when every key was missing. count < 0: BLPOP's single element. */
static bool pop_first_ready(client *c, const kstr *keys, int nkeys, bool tail,
                            long long count)
{
    for (int i = 0; i < nkeys; i++) {
        bool wrong;
        kobj *o = find_write(c, keys[i], &wrong);
        if (wrong) {
            return true;
        }
        if (!o) {
            continue;
        }
        quicklist *ql = ql_of(o);
        if (count >= 0) {
            long long len = (long long)ql_count(ql);
            propagate_pop(keys[i], tail, count < len ? count : len);
            mpop_reply(c, keys[i], ql, tail, count);
        } else {
            propagate_pop(keys[i], tail, -1);
            reply_array(&c->out, 2);
            reply_bulk(&c->out, keys[i].p, keys[i].len);
            pop_reply(c, ql, tail);
            db_dirty(1);
            after_removal(c, keys[i], ql, pop_event(tail));
        }
        return true;
    }
    return false;
}

static void cmd_lmpop(client *c)
{
    mpop_args a;
    if (!mpop_parse(c, 1, &a)) {
        return;
    }
    if (!pop_first_ready(c, c->argv + a.first_key, a.nkeys, a.tail, a.count)) {
        reply_null_array(&c->out);
    }
}

/* ---- blocking ---- */

static void cmd_blmpop(client *c);
static void cmd_brpop(client *c);

/* Serves a client blocked in BLPOP / BRPOP / BLMPOP from key (blocking_serve_fn). */
static bool serve_pop(client *c, kstr key)
{
    kobj *o = db_find(c->db, key);
    if (!o || kobj_type(o) != OBJ_LIST) {
        return false;
    }
    quicklist *ql = ql_of(o);
    if (c->cmd->fn == cmd_blmpop) {
        mpop_args a;
        /* Arguments were checked when it blocked; parse them again, quietly. */
        if (!mpop_parse(c, 2, &a)) {
            return true;
        }
        long long len = (long long)ql_count(ql);
        propagate_pop(key, a.tail, a.count < len ? a.count : len);
        mpop_reply(c, key, ql, a.tail, a.count);
        return true;
    }
    propagate_pop(key, c->cmd->fn == cmd_brpop, -1);
    db_dirty(0); /* a served BLPOP / BRPOP counts nothing in Redis 7.0 */
    reply_array(&c->out, 2);
    reply_bulk(&c->out, key.p, key.len);
    pop_reply(c, ql, c->cmd->fn == cmd_brpop);
    after_removal(c, key, ql, pop_event(c->cmd->fn == cmd_brpop));
    return true;
}

static void bpop_generic(client *c, bool tail)
{
    long long timeout;
    if (!blocking_timeout_or_reply(c, c->argv[c->argc - 1], &timeout)) {
        return;
    }
    const kstr *keys = c->argv + 1;
    int nkeys = c->argc - 2;
    if (pop_first_ready(c, keys, nkeys, tail, -1)) {
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null_array(&c->out);
        return;
    }
    blocking_block(c, keys, nkeys, timeout, serve_pop);
}

static void cmd_blpop(client *c)
{
    bpop_generic(c, false);
}

static void cmd_brpop(client *c)
{
    bpop_generic(c, true);
}

static void cmd_blmpop(client *c)
{
    mpop_args a;
    if (!mpop_parse(c, 2, &a)) {
        return;
    }
    long long timeout;
    if (!blocking_timeout_or_reply(c, c->argv[1], &timeout)) {
        return;
    }
    if (pop_first_ready(c, c->argv + a.first_key, a.nkeys, a.tail, a.count)) {
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null_array(&c->out);
        return;
    }
    blocking_block(c, c->argv + a.first_key, a.nkeys, timeout, serve_pop);
}

static void cmd_blmove(client *c);

/* BLMOVE's directions, or BRPOPLPUSH's fixed RIGHT LEFT (arguments already checked). */
static void move_dirs(client *c, bool *from_tail, bool *to_tail)
{
    if (c->cmd->fn == cmd_blmove) {
        *from_tail = kstr_is(c->argv[3], "right");
        *to_tail = kstr_is(c->argv[4], "right");
    } else {
        *from_tail = true;
        *to_tail = false;
    }
}

/* Serves a client blocked in BLMOVE / BRPOPLPUSH (blocking_serve_fn). As Redis 7.0, a
 * destination of another type answers WRONGTYPE and unblocks the client. */
static bool serve_move(client *c, kstr key)
{
    kobj *o = db_find(c->db, key);
    if (!o || kobj_type(o) != OBJ_LIST) {
        return false;
    }
    bool from_tail, to_tail;
    move_dirs(c, &from_tail, &to_tail);
    move_element(c, key, o, c->argv[2], from_tail, to_tail);
    db_dirty(0); /* a served BLMOVE counts nothing in Redis 7.0 */
    return true;
}

static void bmove_generic(client *c, long long timeout)
{
    bool wrong;
    kobj *o = find_write(c, c->argv[1], &wrong);
    if (wrong) {
        return;
    }
    if (o) {
        bool from_tail, to_tail;
        move_dirs(c, &from_tail, &to_tail);
        if (move_element(c, c->argv[1], o, c->argv[2], from_tail, to_tail)) {
            db_dirty(1);
        }
        return;
    }
    if (!blocking_may_block(c)) {
        reply_null(&c->out);
        return;
    }
    blocking_block(c, c->argv + 1, 1, timeout, serve_move);
}

static void cmd_blmove(client *c)
{
    bool from_tail, to_tail;
    long long timeout;
    if (!where_or_reply(c, c->argv[3], &from_tail) || !where_or_reply(c, c->argv[4], &to_tail) ||
        !blocking_timeout_or_reply(c, c->argv[5], &timeout)) {
        return;
    }
    bmove_generic(c, timeout);
}

static void cmd_brpoplpush(client *c)
{
    long long timeout;
    if (blocking_timeout_or_reply(c, c->argv[3], &timeout)) {
        bmove_generic(c, timeout);
    }
}

/* ---- table ---- */

#define LIST "list"
#define PUSH_COMPLEXITY                                                                   \
    "O(1) for each element added, so O(N) to add N elements when the command is called "  \
    "with multiple arguments."
#define RW_ACCESS_DELETE (KS_RW | KS_ACCESS | KS_DELETE)

command list_commands[] = {
    {"lpush", cmd_lpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT,
     LIST, "Prepend one or multiple elements to a list", "1.0.0", PUSH_COMPLEXITY, NULL, NULL},
    {"rpush", cmd_rpush, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT,
     LIST, "Append one or multiple elements to a list", "1.0.0", PUSH_COMPLEXITY, NULL, NULL},
    {"lpushx", cmd_lpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT,
     LIST, "Prepend an element to a list, only if the list exists", "2.2.0", PUSH_COMPLEXITY,
     NULL, NULL},
    {"rpushx", cmd_rpushx, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT,
     LIST, "Append an element to a list, only if the list exists", "2.2.0", PUSH_COMPLEXITY,
     NULL, NULL},
    {"lpop", cmd_lpop, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, RW_ACCESS_DELETE, LIST,
     "Remove and get the first elements in a list", "1.0.0",
     "O(N) where N is the number of elements returned", NULL, NULL},
    {"rpop", cmd_rpop, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, RW_ACCESS_DELETE, LIST,
     "Remove and get the last elements in a list", "1.0.0",
     "O(N) where N is the number of elements returned", NULL, NULL},
    {"llen", cmd_llen, 2, CMD_READONLY | CMD_FAST, 1, 1, 1, KS_RO, LIST,
     "Get the length of a list", "1.0.0", "O(1)", NULL, NULL},
    {"lrange", cmd_lrange, 4, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, LIST,
     "Get a range of elements from a list", "1.0.0",
     "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest "
     "end (HEAD or TAIL) for large lists; and N is the number of elements in the specified "
     "range.", NULL, NULL},
    {"lindex", cmd_lindex, 3, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, LIST,
     "Get an element from a list by its index", "1.0.0",
     "O(N) where N is the number of elements to traverse to get to the element at index. "
     "This makes asking for the first or the last element of the list O(1).", NULL, NULL},
    {"lset", cmd_lset, 4, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, KS_RW | KS_UPDATE, LIST,
     "Set the value of an element in a list by its index", "1.0.0",
     "O(N) where N is the length of the list. Setting either the first or the last element "
     "of the list is O(1).", NULL, NULL},
    {"linsert", cmd_linsert, 5, CMD_WRITE | CMD_DENYOOM, 1, 1, 1, KS_RW | KS_INSERT, LIST,
     "Insert an element before or after another element in a list", "2.2.0",
     "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
     "means that inserting somewhere on the left end on the list (head) can be considered "
     "O(1) and inserting somewhere on the right end (tail) is O(N).", NULL, NULL},
    {"lrem", cmd_lrem, 4, CMD_WRITE, 1, 1, 1, KS_RW | KS_DELETE, LIST,
     "Remove elements from a list", "1.0.0",
     "O(N+M) where N is the length of the list and M is the number of elements removed.",
     NULL, NULL},
    {"ltrim", cmd_ltrim, 4, CMD_WRITE, 1, 1, 1, KS_RW | KS_DELETE, LIST,
     "Trim a list to the specified range", "1.0.0",
     "O(N) where N is the number of elements to be removed by the operation.", NULL, NULL},
    {"lpos", cmd_lpos, -3, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, LIST,
     "Return the index of matching elements on a list", "6.0.6",
     "O(N) where N is the number of elements in the list, for the average case. When "
     "searching for elements near the head or the tail of the list, or when the MAXLEN "
     "option is provided, the command may run in constant time.", NULL, NULL},
    {"lmove", cmd_lmove, 5, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, RW_ACCESS_DELETE, LIST,
     "Pop an element from a list, push it to another list and return it", "6.2.0", "O(1)",
     NULL, NULL},
    {"rpoplpush", cmd_rpoplpush, 3, CMD_WRITE | CMD_DENYOOM, 1, 2, 1, RW_ACCESS_DELETE, LIST,
     "Remove the last element in a list, prepend it to another list and return it", "1.2.0",
     "O(1)", NULL, NULL},
    {"lmpop", cmd_lmpop, -4, CMD_WRITE, 0, 0, 0, RW_ACCESS_DELETE, LIST,
     "Pop elements from a list", "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements "
     "returned.", NULL, NULL},
    {"blpop", cmd_blpop, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, 1, -2, 1,
     RW_ACCESS_DELETE, LIST,
     "Remove and get the first element in a list, or block until one is available", "2.0.0",
     "O(N) where N is the number of provided keys.", NULL, NULL},
    {"brpop", cmd_brpop, -3, CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING, 1, -2, 1,
     RW_ACCESS_DELETE, LIST,
     "Remove and get the last element in a list, or block until one is available", "2.0.0",
     "O(N) where N is the number of provided keys.", NULL, NULL},
    {"blmove", cmd_blmove, 6, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, 1, 2, 1,
     RW_ACCESS_DELETE, LIST,
     "Pop an element from a list, push it to another list and return it; or block until one "
     "is available", "6.2.0", "O(1)", NULL, NULL},
    {"brpoplpush", cmd_brpoplpush, 4, CMD_WRITE | CMD_DENYOOM | CMD_NOSCRIPT | CMD_BLOCKING, 1,
     2, 1, RW_ACCESS_DELETE, LIST,
     "Pop an element from a list, push it to another list and return it; or block until one "
     "is available", "2.2.0", "O(1)", NULL, NULL},
    {"blmpop", cmd_blmpop, -5, CMD_WRITE | CMD_BLOCKING, 0, 0, 0, RW_ACCESS_DELETE, LIST,
     "Pop elements from a list, or block until one is available", "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements "
     "returned.", NULL, NULL},
    {0},
};

/* ---- whole-value visitor (types/value_io.h) ---- */

void list_value_each(const kobj *o, void (*fn)(void *priv, kstr elem), void *priv)
{
    ql_iter it;
    ql_entry e;
    ql_iter_start(&it, ql_of(o), 0, true);
    while (ql_iter_next(&it, &e)) {
        fn(priv, kstr_make((const char *)e.s, e.len));
    }
    ql_iter_done(&it);
}
