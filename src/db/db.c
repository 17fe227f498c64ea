/* db.c - databases, lookups with lazy expiry, TTL count, SCAN (see db.h). */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/hash.h"
#include "db/evict.h"
#include "db/lazyfree.h"
#include "pubsub/notify.h"

db_stats_t db_stats;
const db_hooks *db_hooks_list[DB_MAX_HOOKS];
int db_hooks_count;

void db_add_hooks(const db_hooks *h)
{
    if (db_hooks_count == DB_MAX_HOOKS) {
        fprintf(stderr, "kvik: too many keyspace hook subscribers\n");
        abort();
    }
    db_hooks_list[db_hooks_count++] = h;
}
int64_t db_now_ms;
uint32_t db_lru_clock;
bool db_expiry_paused;

db_dirty_frame db_dirty_cur;

void db_notify_expired(db *d, kstr key)
{
    db_dirty_uncount(); /* the db_touch before was the expiry, not the command */
    for (int i = 0; i < db_hooks_count; i++) {
        if (db_hooks_list[i]->expired) {
            db_hooks_list[i]->expired(d, key);
        }
    }
}

static db *dbs;
static int ndbs;

/* Hashes of the current prefetch batch, in the order the lookups will come. */
static struct {
    const char *p;
    size_t len;
    uint64_t hash;
} ahead[DB_PREFETCH_MAX];
static int ahead_n, ahead_at;

uint64_t db_key_hash(kstr key)
{
    for (int i = ahead_at; i < ahead_n; i++) {
        if (ahead[i].p == key.p && ahead[i].len == key.len) {
            ahead_at = i + 1;
            return ahead[i].hash;
        }
    }
    return hash_bytes(key.p, key.len);
}

static uint64_t entry_hash(const void *e)
{
    return db_key_hash(kobj_key(e));
}

static bool entry_match(const void *e, const void *key)
{
    return kstr_eq(kobj_key(e), *(const kstr *)key);
}

static void entry_free(void *e)
{
    kobj_free(e);
}

static const ht_type keyspace_type = {entry_hash, entry_match, entry_free};

void db_setup(int count)
{
    ndbs = count;
    dbs = kv_calloc(sizeof(db) * (size_t)count);
    for (int i = 0; i < count; i++) {
        dbs[i].id = i;
        dbs[i].keys = ht_create(&keyspace_type);
    }
    db_now_ms = clock_ms();
    evict_config_changed();
}

void db_teardown(void)
{
    for (int i = 0; i < ndbs; i++) {
        ht_destroy(dbs[i].keys);
    }
    kv_free(dbs);
    dbs = NULL;
    ndbs = 0;
}

int db_count(void)
{
    return ndbs;
}

db *db_get(int id)
{
    return (id >= 0 && id < ndbs) ? &dbs[id] : NULL;
}

bool db_is_expired(const kobj *o)
{
    int64_t when = kobj_expire(o);
    return when >= 0 && when <= db_now_ms && !db_expiry_paused;
}

void db_free_entry(kobj *o)
{
    if (kobj_type(o) != OBJ_STRING && kobj_free_effort(o) > LAZYFREE_THRESHOLD) {
        void (*fn)(void *);
        size_t bytes = kobj_alloc_size(o) - kv_alloc_size(o);
        void *value = kobj_release_value(o, &fn);
        lazyfree_submit_sized(fn, value, bytes);
        return;
    }
    kobj_free(o);
}

static void unlink_expired(db *d, kobj *o, uint64_t h)
{
    kstr key = kobj_key(o);
    kobj *gone = ht_remove(d->keys, h, &key);
    d->expires--;
    db_stats.expired_keys++;
    db_touch(d, key);
    notify_keyspace_event(NOTIFY_EXPIRED, "expired", d, key);
    db_notify_expired(d, key);
    db_free_entry(gone);
}

kobj *db_peek(db *d, kstr key)
{
    return ht_find(d->keys, db_key_hash(key), &key);
}

void db_prefetch_begin(void)
{
    ahead_n = ahead_at = 0;
}

void db_prefetch_end(void)
{
    ahead_n = ahead_at = 0;
}

uint64_t db_prefetch(db *d, kstr key)
{
    uint64_t h = hash_bytes(key.p, key.len);
    if (ahead_n < DB_PREFETCH_MAX) {
        ahead[ahead_n].p = key.p;
        ahead[ahead_n].len = key.len;
        ahead[ahead_n].hash = h;
        ahead_n++;
    }
    ht_prefetch(d->keys, h);
    return h;
}

void db_prefetch_entry(db *d, uint64_t hash)
{
    ht_prefetch_entries(d->keys, hash);
}

kobj **db_ref(db *d, kstr key)
{
    uint64_t h = db_key_hash(key);
    kobj **ref = (kobj **)ht_find_ref(d->keys, h, &key);
    if (ref && db_is_expired(*ref)) {
        unlink_expired(d, *ref, h);
        return NULL;
    }
    return ref;
}

kobj *db_find(db *d, kstr key)
{
    kobj **ref = db_ref(d, key);
    return ref ? *ref : NULL;
}

kobj *db_find_read(db *d, kstr key)
{
    kobj *o = db_find(d, key);
    if (o) {
        db_stats.hits++;
        evict_touch(o);
    } else {
        db_stats.misses++;
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", d, key);
    }
    return o;
}

void db_add(db *d, kobj *o)
{
    uint64_t h = db_key_hash(kobj_key(o));
    evict_key_added(d, h, o, NULL);
    ht_insert(d->keys, h, o);
    if (kobj_has_expire(o)) {
        d->expires++;
    }
    db_touch(d, kobj_key(o));
    notify_keyspace_event(NOTIFY_NEW, "new", d, kobj_key(o));
}

void db_set(db *d, kobj *o)
{
    kstr key = kobj_key(o);
    uint64_t h = db_key_hash(key);
    kobj **ref = (kobj **)ht_find_ref(d->keys, h, &key);
    evict_key_added(d, h, o, ref && !db_is_expired(*ref) ? *ref : NULL);
    bool added = !ref;
    if (!ref) {
        ht_insert(d->keys, h, o);
    } else {
        if (kobj_has_expire(*ref)) {
            d->expires--;
            if (db_is_expired(*ref)) {
                /* as Redis: the lookup before the write expires it, then the key is new */
                db_stats.expired_keys++;
                notify_keyspace_event(NOTIFY_EXPIRED, "expired", d, key);
                added = true;
            }
        }
        db_free_entry(*ref);
        *ref = o;
    }
    if (kobj_has_expire(o)) {
        d->expires++;
    }
    db_touch(d, key);
    if (added) {
        notify_keyspace_event(NOTIFY_NEW, "new", d, key);
    }
}

kobj *db_take(db *d, kstr key)
{
    kobj *o = ht_remove(d->keys, db_key_hash(key), &key);
    if (o) {
        if (kobj_has_expire(o)) {
            d->expires--;
        }
        db_touch(d, key);
    }
    return o;
}

bool db_delete(db *d, kstr key)
{
    kobj *o = db_take(d, key);
    if (!o) {
        return false;
    }
    bool live = !db_is_expired(o);
    if (!live) {
        db_stats.expired_keys++;
        notify_keyspace_event(NOTIFY_EXPIRED, "expired", d, kobj_key(o));
    }
    db_free_entry(o);
    return live;
}

void db_set_expire(db *d, kobj **ref, int64_t ms)
{
    bool had = kobj_has_expire(*ref);
    *ref = kobj_with_expire(*ref, ms);
    d->expires += (size_t)(ms >= 0) - (size_t)had;
    db_touch(d, kobj_key(*ref));
}

size_t db_size(const db *d)
{
    return ht_size(d->keys);
}

static void destroy_table(void *t)
{
    ht_destroy(t);
}

void db_flush(db *d, bool async)
{
    db_dirty_cur.touched += (long long)ht_size(d->keys);
    for (int i = 0; i < db_hooks_count; i++) {
        if (db_hooks_list[i]->flushed) {
            db_hooks_list[i]->flushed(d);
        }
    }
    if (async && ht_size(d->keys) > LAZYFREE_THRESHOLD) {
        lazyfree_submit(destroy_table, d->keys);
        d->keys = ht_create(&keyspace_type);
    } else {
        ht_clear(d->keys);
    }
    d->expires = 0;
    d->expire_cursor = 0;
    d->avg_ttl = 0;
}

void db_swap(db *a, db *b)
{
    db_dirty_cur.touched++;
    for (int i = 0; i < db_hooks_count; i++) {
        if (db_hooks_list[i]->swapped) {
            db_hooks_list[i]->swapped(a, b);
        }
    }
    db t = *a;
    *a = *b;
    *b = t;
    b->id = a->id;
    a->id = t.id;
}

kobj *db_random(db *d)
{
    /* As Redis on a primary: an expired key met on the way is deleted (and counted, and
     * announced) and the draw repeats, so the loop ends with a live key or an empty db. */
    while (ht_size(d->keys)) {
        kobj *o = ht_random(d->keys);
        if (!o) {
            return NULL;
        }
        if (!db_is_expired(o)) {
            return o;
        }
        unlink_expired(d, o, db_key_hash(kobj_key(o)));
    }
    return NULL;
}

#define SCAN_REAP_MAX 64

struct scan_ctx {
    db_scan_fn *fn;
    void *priv;
    bool reap;
    size_t nexpired;
    kobj *expired[SCAN_REAP_MAX];
};

static void scan_one(void *priv, void *e)
{
    struct scan_ctx *c = priv;
    if (!db_is_expired(e)) {
        c->fn(c->priv, e);
    } else if (c->reap && c->nexpired < SCAN_REAP_MAX) {
        c->expired[c->nexpired++] = e;
    }
}

uint64_t db_scan(db *d, uint64_t cursor, bool reap, db_scan_fn *fn, void *priv)
{
    struct scan_ctx c = {fn, priv, reap, 0, {NULL}};
    cursor = ht_scan(d->keys, cursor, scan_one, &c);
    /* After the walk: deleting inside it would change the buckets being read. */
    for (size_t i = 0; i < c.nexpired; i++) {
        unlink_expired(d, c.expired[i], db_key_hash(kobj_key(c.expired[i])));
    }
    return cursor;
}

void db_rehash(int ms)
{
    for (int i = 0; i < ndbs; i++) {
        if (ht_is_rehashing(dbs[i].keys)) {
            ht_rehash_ms(dbs[i].keys, ms);
            return; /* one table per call keeps the budget */
        }
    }
}
