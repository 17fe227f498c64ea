/* tracking.c - client-side caching: who may cache which key, and telling them when it
 * changes (see tracking.h).
 *
 * Terms. A *tracking client* has CLIENT_TRACKING and a `tstate` (c->tracking); the
 * *target* of its invalidations is itself or its REDIRECT client.
 *
 *   table:    key name -> ids of the clients that read it (default mode). Keys are names
 *             only, not (db, name), as in Redis: a write in any database invalidates. An
 *             entry is dropped once invalidated; the clients read it again to re-register.
 *   by_id:    client id -> tstate of every tracking client. The table holds ids, never
 *             pointers, so a client that stopped tracking or went away is just skipped.
 *   prefixes: BCAST prefixes, sorted as Redis's radix tree orders them; each lists its
 *             clients and the keys changed under it since the loop last slept (with the
 *             id of the last client that changed each, for NOLOOP).
 *
 * Invalidations for the client running the current command (its own writes) are queued
 * and sent after the command, and after EXEC as a whole, so they follow the reply; all
 * others are appended to the target's output at once. FLUSHDB/FLUSHALL send every
 * tracking client one null invalidation and empty the table.
 *
 * A tstate caches a pointer to the redirect target; every disconnect clears the caches
 * that point at the leaving client, so a redirect is never followed to freed memory.
 */
#include "core/tracking.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "core/dispatch.h"
#include "ds/ht.h"

size_t tracking_nclients;
long long tracking_max_keys;

#define INVALIDATE_CHANNEL "__redis__:invalidate"

typedef struct bprefix bprefix;

typedef struct tstate {
    client *c;
    uint64_t redir;          /* REDIRECT id, 0 for none */
    client *redir_client;    /* the redirect target while it is connected, else NULL */
    bprefix **prefixes;      /* BCAST: this client's prefixes */
    size_t nprefixes, capprefixes;
} tstate;

/* One key of the table: the ids of the clients that read it. */
typedef struct tkey {
    uint64_t hash;
    uint64_t *ids;
    uint32_t n, cap;
    size_t len;
    char name[];
} tkey;

/* A key changed under a BCAST prefix since the last broadcast. */
typedef struct bkey {
    uint64_t hash;
    uint64_t by;             /* id of the client that changed it last, 0 for the server */
    size_t len;
    char name[];
} bkey;

struct bprefix {
    client **clients;
    size_t n, cap;
    ht *keys;                /* bkey entries, NULL while none are pending */
    size_t len;
    char name[];
};

static ht *table;
static size_t total_items;
static ht *by_id;
static bprefix **prefixes;
static size_t nprefixes, capprefixes;
static size_t nredirecting;  /* tracking clients with a REDIRECT */
static bool bcast_pending;

/* The client whose top-level command is running (set while tracking is in use), whether
 * its command has started (before, the table is being trimmed: NOLOOP applies, but
 * nothing waits for a reply), its queued self-invalidations (a NULL name = a flush) and
 * the last flush it announced. */
static client *current;
static bool executing;
typedef struct pending {
    char *name;
    size_t len;
} pending;
static pending *pend;
static size_t npend, cappend;
static uint64_t flush_client_id;
static long long flush_command_no = -1;
static unsigned limit_rounds;

/* ---- hash table types ---- */

static uint64_t tkey_hash(const void *e)
{
    return ((const tkey *)e)->hash;
}

static bool tkey_match(const void *e, const void *key)
{
    const tkey *t = e;
    const kstr *k = key;
    return t->len == k->len && memcmp(t->name, k->p, k->len) == 0;
}

static void tkey_free(void *e)
{
    kv_free(((tkey *)e)->ids);
    kv_free(e);
}

static const ht_type tkey_type = {tkey_hash, tkey_match, tkey_free};

static uint64_t bkey_hash(const void *e)
{
    return ((const bkey *)e)->hash;
}

static bool bkey_match(const void *e, const void *key)
{
    const bkey *b = e;
    const kstr *k = key;
    return b->len == k->len && memcmp(b->name, k->p, k->len) == 0;
}

static void bkey_free(void *e)
{
    kv_free(e);
}

static const ht_type bkey_type = {bkey_hash, bkey_match, bkey_free};

static uint64_t id_hash(uint64_t id)
{
    return hash_bytes(&id, sizeof(id));
}

static uint64_t tstate_hash(const void *e)
{
    return id_hash(((const tstate *)e)->c->id);
}

static bool tstate_match(const void *e, const void *key)
{
    return ((const tstate *)e)->c->id == *(const uint64_t *)key;
}

static const ht_type tstate_type = {tstate_hash, tstate_match, NULL};

/* Redis's radix-tree order: bytewise, a prefix before its extensions. */
static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r) {
        return r;
    }
    return alen < blen ? -1 : alen > blen;
}

/* ---- delivery ---- */

/* What an invalidation carries: one key, a list of keys (BCAST), or null (a flush). */
typedef struct payload {
    const kstr *keys;
    size_t n;
    bool null;
} payload;

static void put_payload(reply_out *o, const payload *pl, int tracker_resp)
{
    if (pl->null) {
        /* Redis encodes the null in the tracking client's protocol even when a redirect
         * target of the other protocol receives it. */
        if (tracker_resp > 2) {
            reply_raw(o, "_\r\n", 3);
        } else {
            reply_raw(o, "$-1\r\n", 5);
        }
        return;
    }
    reply_array(o, pl->n);
    for (size_t i = 0; i < pl->n; i++) {
        reply_bulk(o, pl->keys[i].p, pl->keys[i].len);
    }
}

/* Appends a push to `to` even under CLIENT REPLY OFF/SKIP, as Redis does for pushes. */
static bool push_begin(client *to, bool *saved)
{
    if (to->flags & CLIENT_CLOSE_ASAP) {
        return false;
    }
    *saved = to->out.discard;
    to->out.discard = false;
    return true;
}

static void push_end(client *to, bool saved)
{
    to->out.discard = saved;
    client_after_reply(to); /* also applies the output buffer limits */
}

/* Sends one invalidation meant for tracking client t to its target. */
static void deliver(client *t, const payload *pl)
{
    tstate *ts = t->tracking;
    client *to = t;
    bool saved;
    if (ts->redir) {
        if (!ts->redir_client) {
            t->flags |= CLIENT_TRACKING_BROKEN_REDIR;
            if (t->resp > 2 && push_begin(t, &saved)) {
                reply_aggregate(&t->out, REPLY_PUSH, 2);
                reply_bulk_cstr(&t->out, "tracking-redir-broken");
                reply_int(&t->out, (long long)ts->redir);
                push_end(t, saved);
            }
            return;
        }
        to = ts->redir_client;
    }
    if (to->resp > 2) {
        if (!push_begin(to, &saved)) {
            return;
        }
        reply_aggregate(&to->out, REPLY_PUSH, 2);
        reply_bulk_cstr(&to->out, "invalidate");
    } else if (to != t || ts->redir) {
        /* RESP2 has no pushes: only a redirect target in subscribed mode can take one, as
         * a message on the invalidation channel. */
        if (!(to->flags & CLIENT_PUBSUB) || !push_begin(to, &saved)) {
            return;
        }
        reply_aggregate(&to->out, REPLY_PUSH, 3);
        reply_bulk_cstr(&to->out, "message");
        reply_bulk_cstr(&to->out, INVALIDATE_CHANNEL);
    } else {
        return;
    }
    put_payload(&to->out, pl, t->resp);
    push_end(to, saved);
}

static void deliver_key(client *t, const char *name, size_t len)
{
    kstr k = kstr_make(name, len);
    payload pl = {&k, 1, false};
    deliver(t, &pl);
}

static void queue_self(const char *name, size_t len)
{
    if (npend == cappend) {
        cappend = cappend ? cappend * 2 : 8;
        pend = kv_realloc(pend, cappend * sizeof(*pend));
    }
    pend[npend].name = name ? kv_memdup(name, len) : NULL;
    pend[npend].len = len;
    npend++;
}

static tstate *tracker(uint64_t id)
{
    return ht_find(by_id, id_hash(id), &id);
}

/* ---- the table ---- */

static void remember(client *c, kstr key)
{
    uint64_t h = hash_bytes(key.p, key.len);
    tkey *e = ht_find(table, h, &key);
    if (!e) {
        e = kv_malloc(sizeof(*e) + key.len + 1);
        e->hash = h;
        e->ids = NULL;
        e->n = e->cap = 0;
        e->len = key.len;
        memcpy(e->name, key.p, key.len);
        e->name[key.len] = '\0';
        ht_insert(table, h, e);
    }
    for (uint32_t i = e->n; i > 0; i--) {
        if (e->ids[i - 1] == c->id) {
            return;
        }
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 2;
        e->ids = kv_realloc(e->ids, e->cap * sizeof(uint64_t));
    }
    e->ids[e->n++] = c->id;
    total_items++;
}

static void remember_for_bcast(kstr key)
{
    uint64_t by = current ? current->id : 0;
    for (size_t i = 0; i < nprefixes; i++) {
        bprefix *p = prefixes[i];
        if (p->len > key.len || memcmp(p->name, key.p, p->len) != 0) {
            continue;
        }
        if (!p->keys) {
            p->keys = ht_create(&bkey_type);
        }
        uint64_t h = hash_bytes(key.p, key.len);
        bkey *b = ht_find(p->keys, h, &key);
        if (!b) {
            b = kv_malloc(sizeof(*b) + key.len);
            b->hash = h;
            b->len = key.len;
            memcpy(b->name, key.p, key.len);
            ht_insert(p->keys, h, b);
        }
        b->by = by;
        bcast_pending = true;
    }
}

/* The key may have changed: tell the clients that read it, then forget them. bcast:
 * also announce it to BCAST prefixes (not for entries evicted from the table). */
static void invalidate(kstr key, bool bcast)
{
    if (bcast && nprefixes) {
        remember_for_bcast(key);
    }
    if (!ht_size(table)) {
        return;
    }
    tkey *e = ht_remove(table, hash_bytes(key.p, key.len), &key);
    if (!e) {
        return;
    }
    for (uint32_t i = 0; i < e->n; i++) {
        tstate *ts = tracker(e->ids[i]);
        if (!ts || (ts->c->flags & CLIENT_TRACKING_BCAST)) {
            continue; /* stopped tracking, or switched to BCAST since it read the key */
        }
        client *t = ts->c;
        if (t == current && (t->flags & CLIENT_TRACKING_NOLOOP)) {
            continue;
        }
        if (t == current && executing) {
            queue_self(e->name, e->len);
        } else {
            deliver_key(t, e->name, e->len);
        }
    }
    total_items -= e->n;
    tkey_free(e);
}

static void on_key_changed(db *d, kstr key)
{
    (void)d;
    if (ht_size(table) || nprefixes) {
        invalidate(key, true);
    }
}

/* FLUSHALL empties every database in turn: Redis announces it once per command. */
static void on_flushed(db *d)
{
    (void)d;
    if (current) {
        if (current->id == flush_client_id && current->commands == flush_command_no) {
            return;
        }
        flush_client_id = current->id;
        flush_command_no = current->commands;
    }
    if (tracking_nclients) {
        payload pl = {NULL, 0, true};
        ht_iter it;
        ht_iter_init(&it, by_id);
        for (tstate *ts; (ts = ht_iter_next(&it)) != NULL;) {
            if (ts->c == current) {
                queue_self(NULL, 0);
            } else {
                deliver(ts->c, &pl);
            }
        }
        ht_iter_done(&it);
    }
    ht_clear(table);
    total_items = 0;
}

static void trim_table(void);

void tracking_command_begin(client *c)
{
    current = c;
    executing = false;
    trim_table();
    executing = true;
}

static void trim_table(void)
{
    if (!tracking_max_keys || ht_size(table) <= (size_t)tracking_max_keys) {
        limit_rounds = 0;
        return;
    }
    /* Over the limit: invalidate random keys, with more effort each time a command
     * finds the table still too big, as Redis does. */
    int effort = 100 * (int)(limit_rounds + 1);
    while (effort-- > 0) {
        tkey *e = ht_random(table);
        if (!e) {
            break;
        }
        char *name = kv_memdup(e->name, e->len);
        invalidate(kstr_make(name, e->len), false);
        kv_free(name);
        if (ht_size(table) <= (size_t)tracking_max_keys) {
            limit_rounds = 0;
            return;
        }
    }
    limit_rounds++;
}

static bool is_client_command(const command *cmd)
{
    const command *top = cmd->parent ? cmd->parent : cmd;
    return strcmp(top->name, "client") == 0;
}

void tracking_command_end(client *c, const command *cmd)
{
    if (current == c && npend) {
        payload null = {NULL, 0, true};
        for (size_t i = 0; i < npend; i++) {
            if (c->flags & CLIENT_TRACKING) {
                if (pend[i].name) {
                    deliver_key(c, pend[i].name, pend[i].len);
                } else {
                    deliver(c, &null);
                }
            }
            kv_free(pend[i].name);
        }
        npend = 0;
    }
    current = NULL;
    /* CLIENT CACHING applies to the next command, or the whole next transaction. */
    if ((c->flags & CLIENT_TRACKING_CACHING) && !(c->flags & CLIENT_MULTI) &&
        !(cmd && is_client_command(cmd))) {
        c->flags &= ~CLIENT_TRACKING_CACHING;
    }
}

static void remember_pos(void *priv, int pos)
{
    client *c = priv;
    remember(c, c->argv[pos]);
}

void tracking_after_call(client *c, const command *cmd)
{
    if (!(cmd->flags & CMD_READONLY) || (c->flags & CLIENT_TRACKING_BCAST) ||
        (cmd->flags & CMD_PUBSUB)) {
        return;
    }
    bool caching = c->flags & CLIENT_TRACKING_CACHING;
    if (((c->flags & CLIENT_TRACKING_OPTIN) && !caching) ||
        ((c->flags & CLIENT_TRACKING_OPTOUT) && caching)) {
        return;
    }
    command_for_each_key(cmd, c->argv, c->argc, remember_pos, c);
}

/* ---- BCAST ---- */

static int bkey_cmp(const void *a, const void *b)
{
    const bkey *x = *(const bkey *const *)a, *y = *(const bkey *const *)b;
    return name_cmp(x->name, x->len, y->name, y->len);
}

static void broadcast(bprefix *p)
{
    size_t n = ht_size(p->keys);
    bkey **list = kv_malloc(n * sizeof(bkey *));
    kstr *keys = kv_malloc(n * sizeof(kstr));
    size_t k = 0;
    ht_iter it;
    ht_iter_init(&it, p->keys);
    for (bkey *b; (b = ht_iter_next(&it)) != NULL;) {
        list[k++] = b;
    }
    ht_iter_done(&it);
    qsort(list, n, sizeof(bkey *), bkey_cmp);
    for (size_t i = 0; i < n; i++) {
        keys[i] = kstr_make(list[i]->name, list[i]->len);
    }
    for (size_t j = 0; j < p->n; j++) {
        client *c = p->clients[j];
        if (!(c->flags & CLIENT_TRACKING_NOLOOP)) {
            payload pl = {keys, n, false};
            deliver(c, &pl);
            continue;
        }
        /* NOLOOP: leave out the keys this client changed itself. */
        kstr *mine = kv_malloc(n * sizeof(kstr));
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (list[i]->by != c->id) {
                mine[m++] = keys[i];
            }
        }
        if (m) {
            payload pl = {mine, m, false};
            deliver(c, &pl);
        }
        kv_free(mine);
    }
    kv_free(keys);
    kv_free(list);
    ht_destroy(p->keys);
    p->keys = NULL;
}

void tracking_before_sleep(void)
{
    if (!bcast_pending) {
        return;
    }
    bcast_pending = false;
    for (size_t i = 0; i < nprefixes; i++) {
        if (prefixes[i]->keys) {
            broadcast(prefixes[i]);
        }
    }
}

static bprefix *prefix_get(kstr name)
{
    size_t at = 0;
    for (; at < nprefixes; at++) {
        int r = name_cmp(prefixes[at]->name, prefixes[at]->len, name.p, name.len);
        if (r == 0) {
            return prefixes[at];
        }
        if (r > 0) {
            break;
        }
    }
    bprefix *p = kv_calloc(sizeof(*p) + name.len + 1);
    p->len = name.len;
    memcpy(p->name, name.p, name.len);
    if (nprefixes == capprefixes) {
        capprefixes = capprefixes ? capprefixes * 2 : 4;
        prefixes = kv_realloc(prefixes, capprefixes * sizeof(bprefix *));
    }
    memmove(prefixes + at + 1, prefixes + at, (nprefixes - at) * sizeof(bprefix *));
    prefixes[at] = p;
    nprefixes++;
    return p;
}

static void prefix_add_client(tstate *ts, kstr name)
{
    bprefix *p = prefix_get(name);
    for (size_t i = 0; i < p->n; i++) {
        if (p->clients[i] == ts->c) {
            return;
        }
    }
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4;
        p->clients = kv_realloc(p->clients, p->cap * sizeof(client *));
    }
    p->clients[p->n++] = ts->c;
    if (ts->nprefixes == ts->capprefixes) {
        ts->capprefixes = ts->capprefixes ? ts->capprefixes * 2 : 4;
        ts->prefixes = kv_realloc(ts->prefixes, ts->capprefixes * sizeof(bprefix *));
    }
    ts->prefixes[ts->nprefixes++] = p;
}

static void prefix_remove_client(bprefix *p, client *c)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->clients[i] == c) {
            p->clients[i] = p->clients[--p->n];
            break;
        }
    }
    if (p->n) {
        return;
    }
    for (size_t i = 0; i < nprefixes; i++) {
        if (prefixes[i] == p) {
            memmove(prefixes + i, prefixes + i + 1, (nprefixes - i - 1) * sizeof(bprefix *));
            nprefixes--;
            break;
        }
    }
    ht_destroy(p->keys);
    kv_free(p->clients);
    kv_free(p);
}

/* ---- enabling and disabling ---- */

static void disable(client *c)
{
    tstate *ts = c->tracking;
    if (!ts) {
        return;
    }
    for (size_t i = 0; i < ts->nprefixes; i++) {
        prefix_remove_client(ts->prefixes[i], c);
    }
    kv_free(ts->prefixes);
    if (ts->redir) {
        nredirecting--;
    }
    ht_remove(by_id, id_hash(c->id), &c->id);
    kv_free(ts);
    c->tracking = NULL;
    if (--tracking_nclients == 0) {
        /* Dispatch stops calling in here: nothing may stay queued for later. */
        for (size_t i = 0; i < npend; i++) {
            kv_free(pend[i].name);
        }
        npend = 0;
        current = NULL;
    }
    c->flags &= ~(CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST |
                  CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING |
                  CLIENT_TRACKING_NOLOOP);
}

static void enable(client *c, uint64_t redir, client *target, uint32_t options,
                   const kstr *pfx, size_t npfx)
{
    tstate *ts = c->tracking;
    if (!ts) {
        ts = c->tracking = kv_calloc(sizeof(*ts));
        ts->c = c;
        ht_insert(by_id, id_hash(c->id), ts);
        tracking_nclients++;
    }
    if (ts->redir) {
        nredirecting--;
    }
    ts->redir = redir;
    ts->redir_client = target;
    if (redir) {
        nredirecting++;
    }
    c->flags |= CLIENT_TRACKING;
    c->flags &= ~(CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN |
                  CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP);
    if (options & CLIENT_TRACKING_BCAST) {
        c->flags |= CLIENT_TRACKING_BCAST;
        if (npfx == 0) {
            prefix_add_client(ts, KSTR_LIT(""));
        }
        for (size_t i = 0; i < npfx; i++) {
            prefix_add_client(ts, pfx[i]);
        }
    }
    c->flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT |
                           CLIENT_TRACKING_NOLOOP);
}

void tracking_client_gone(client *c)
{
    if (c->tracking) {
        disable(c);
    }
    if (!nredirecting) {
        return;
    }
    ht_iter it;
    ht_iter_init(&it, by_id);
    for (tstate *ts; (ts = ht_iter_next(&it)) != NULL;) {
        if (ts->redir_client == c) {
            ts->redir_client = NULL;
        }
    }
    ht_iter_done(&it);
}

void tracking_reset(client *c)
{
    disable(c);
}

long long tracking_redirect_of(const client *c)
{
    const tstate *ts = c->tracking;
    return ts ? (long long)ts->redir : -1;
}

size_t tracking_total_keys(void)
{
    return table ? ht_size(table) : 0;
}

size_t tracking_total_items(void)
{
    return total_items;
}

size_t tracking_total_prefixes(void)
{
    return nprefixes;
}

/* ---- commands ---- */

static bool overlaps(const char *a, size_t alen, const char *b, size_t blen)
{
    return memcmp(a, b, alen < blen ? alen : blen) == 0;
}

/* Prefixes of one client must not overlap each other or those it already has. */
static bool prefixes_ok_or_reply(client *c, const kstr *pfx, size_t n)
{
    const tstate *ts = c->tracking;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; ts && k < ts->nprefixes; k++) {
            const bprefix *p = ts->prefixes[k];
            if (overlaps(p->name, p->len, pfx[i].p, pfx[i].len)) {
                reply_errorf(&c->out,
                             "ERR Prefix '%.*s' overlaps with an existing prefix '%.*s'. "
                             "Prefixes for a single client must not overlap.",
                             (int)pfx[i].len, pfx[i].p, (int)p->len, p->name);
                return false;
            }
        }
        for (size_t j = i + 1; j < n; j++) {
            if (overlaps(pfx[i].p, pfx[i].len, pfx[j].p, pfx[j].len)) {
                reply_errorf(&c->out,
                             "ERR Prefix '%.*s' overlaps with another provided prefix '%.*s'. "
                             "Prefixes for a single client must not overlap.",
                             (int)pfx[i].len, pfx[i].p, (int)pfx[j].len, pfx[j].p);
                return false;
            }
        }
    }
    return true;
}

/* The checks of an ON, in Redis's order; replies the first failure. */
static bool on_ok_or_reply(client *c, uint32_t options, const kstr *pfx, size_t npfx)
{
    const char *err = NULL;
    uint32_t f = c->flags;
    if (!(options & CLIENT_TRACKING_BCAST) && npfx) {
        err = "ERR PREFIX option requires BCAST mode to be enabled";
    } else if ((f & CLIENT_TRACKING) &&
               !!(f & CLIENT_TRACKING_BCAST) != !!(options & CLIENT_TRACKING_BCAST)) {
        err = "ERR You can't switch BCAST mode on/off before disabling tracking for this "
              "client, and then re-enabling it with a different mode.";
    } else if ((options & CLIENT_TRACKING_BCAST) &&
               (options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT))) {
        err = "ERR OPTIN and OPTOUT are not compatible with BCAST";
    } else if ((options & CLIENT_TRACKING_OPTIN) && (options & CLIENT_TRACKING_OPTOUT)) {
        err = "ERR You can't specify both OPTIN mode and OPTOUT mode";
    } else if (((options & CLIENT_TRACKING_OPTIN) && (f & CLIENT_TRACKING_OPTOUT)) ||
               ((options & CLIENT_TRACKING_OPTOUT) && (f & CLIENT_TRACKING_OPTIN))) {
        err = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
              "client, and then re-enabling it with a different mode.";
    }
    if (err) {
        reply_error(&c->out, err);
        return false;
    }
    return !(options & CLIENT_TRACKING_BCAST) || prefixes_ok_or_reply(c, pfx, npfx);
}

void tracking_cmd_tracking(client *c)
{
    long long redir = 0;
    client *target = NULL;
    uint32_t options = 0;
    kstr *pfx = kv_malloc(sizeof(kstr) * (size_t)c->argc);
    size_t npfx = 0;
    for (int j = 3; j < c->argc; j++) {
        bool more = j + 1 < c->argc;
        kstr a = c->argv[j];
        if (kstr_is(a, "redirect") && more) {
            j++;
            if (redir != 0) {
                reply_error(&c->out, "ERR A client can only redirect to a single other client");
                goto out;
            }
            if (!arg_ll_or_reply(c, c->argv[j], &redir)) {
                goto out;
            }
            target = redir > 0 ? client_by_id((uint64_t)redir) : NULL;
            if (!target || (target->flags & CLIENT_FAKE)) {
                reply_error(&c->out, "ERR The client ID you want redirect to does not exist");
                goto out;
            }
        } else if (kstr_is(a, "bcast")) {
            options |= CLIENT_TRACKING_BCAST;
        } else if (kstr_is(a, "optin")) {
            options |= CLIENT_TRACKING_OPTIN;
        } else if (kstr_is(a, "optout")) {
            options |= CLIENT_TRACKING_OPTOUT;
        } else if (kstr_is(a, "noloop")) {
            options |= CLIENT_TRACKING_NOLOOP;
        } else if (kstr_is(a, "prefix") && more) {
            pfx[npfx++] = c->argv[++j];
        } else {
            reply_syntax_error(c);
            goto out;
        }
    }
    if (kstr_is(c->argv[2], "on")) {
        if (!on_ok_or_reply(c, options, pfx, npfx)) {
            goto out;
        }
        enable(c, (uint64_t)redir, target, options, pfx, npfx);
    } else if (kstr_is(c->argv[2], "off")) {
        disable(c);
    } else {
        reply_syntax_error(c);
        goto out;
    }
    reply_ok(&c->out);
out:
    kv_free(pfx);
}

void tracking_cmd_caching(client *c)
{
    if (!(c->flags & CLIENT_TRACKING)) {
        reply_error(&c->out, "ERR CLIENT CACHING can be called only when the client is in "
                             "tracking mode with OPTIN or OPTOUT mode enabled");
        return;
    }
    kstr opt = c->argv[2];
    if (kstr_is(opt, "yes")) {
        if (!(c->flags & CLIENT_TRACKING_OPTIN)) {
            reply_error(&c->out, "ERR CLIENT CACHING YES is only valid when tracking is "
                                 "enabled in OPTIN mode.");
            return;
        }
    } else if (kstr_is(opt, "no")) {
        if (!(c->flags & CLIENT_TRACKING_OPTOUT)) {
            reply_error(&c->out, "ERR CLIENT CACHING NO is only valid when tracking is "
                                 "enabled in OPTOUT mode.");
            return;
        }
    } else {
        reply_syntax_error(c);
        return;
    }
    c->flags |= CLIENT_TRACKING_CACHING;
    reply_ok(&c->out);
}

void tracking_cmd_getredir(client *c)
{
    reply_int(&c->out, tracking_redirect_of(c));
}

static int bprefix_cmp(const void *a, const void *b)
{
    const bprefix *x = *(const bprefix *const *)a, *y = *(const bprefix *const *)b;
    return name_cmp(x->name, x->len, y->name, y->len);
}

void tracking_cmd_trackinginfo(client *c)
{
    static const struct {
        uint32_t flag, needs;
        const char *name;
    } marks[] = {
        {CLIENT_TRACKING_BCAST, 0, "bcast"},
        {CLIENT_TRACKING_OPTIN, 0, "optin"},
        {CLIENT_TRACKING_CACHING, CLIENT_TRACKING_OPTIN, "caching-yes"},
        {CLIENT_TRACKING_OPTOUT, 0, "optout"},
        {CLIENT_TRACKING_CACHING, CLIENT_TRACKING_OPTOUT, "caching-no"},
        {CLIENT_TRACKING_NOLOOP, 0, "noloop"},
        {CLIENT_TRACKING_BROKEN_REDIR, 0, "broken_redirect"},
    };
    const char *flags[8];
    size_t n = 0;
    flags[n++] = (c->flags & CLIENT_TRACKING) ? "on" : "off";
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
        if ((c->flags & marks[i].flag) && (!marks[i].needs || (c->flags & marks[i].needs))) {
            flags[n++] = marks[i].name;
        }
    }
    reply_map(&c->out, 3);
    reply_bulk_cstr(&c->out, "flags");
    reply_aggregate(&c->out, REPLY_SET, n);
    for (size_t i = 0; i < n; i++) {
        reply_bulk_cstr(&c->out, flags[i]);
    }
    reply_bulk_cstr(&c->out, "redirect");
    reply_int(&c->out, tracking_redirect_of(c));
    reply_bulk_cstr(&c->out, "prefixes");
    tstate *ts = c->tracking;
    size_t np = ts ? ts->nprefixes : 0;
    reply_array(&c->out, np);
    if (np) {
        bprefix **sorted = kv_malloc(np * sizeof(bprefix *));
        memcpy(sorted, ts->prefixes, np * sizeof(bprefix *));
        qsort(sorted, np, sizeof(bprefix *), bprefix_cmp);
        for (size_t i = 0; i < np; i++) {
            reply_bulk(&c->out, sorted[i]->name, sorted[i]->len);
        }
        kv_free(sorted);
    }
}

void tracking_setup(void)
{
    static const db_hooks hooks = {on_key_changed, on_flushed, NULL};
    table = ht_create(&tkey_type);
    by_id = ht_create(&tstate_type);
    db_add_hooks(&hooks);
}
