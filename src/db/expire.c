/* expire.c - the active expiry cycle.
 *
 * There is no second table of TTL keys (it would cost ~30 bytes a key). Instead the cycle
 * walks each database's table with a SCAN cursor and reclaims the expired entries it
 * meets. Pace: every call covers at least 1/(hz*2) of the table, so a full pass takes
 * about two seconds whatever the size; when a step finds many expired entries (more
 * than 10%), it keeps going until the time budget is spent. Databases without TTL keys
 * are skipped, so a cache without TTLs pays nothing.
 */
#include "db/db.h"

#include "base/alloc.h"
#include "base/clock.h"
#include "pubsub/notify.h"

#define BATCH 64

struct collect {
    kobj *expired[BATCH * 8];
    size_t n, seen;
};

static void collect_one(void *priv, void *e)
{
    struct collect *c = priv;
    c->seen++;
    if (c->n < sizeof(c->expired) / sizeof(c->expired[0]) && db_is_expired(e)) {
        c->expired[c->n++] = e;
    }
}

/* One step over a few buckets; returns entries examined, and *expired removed. */
static size_t step(db *d, size_t *expired)
{
    struct collect c;
    c.n = c.seen = 0;
    int buckets = 0;
    do {
        d->expire_cursor = ht_scan(d->keys, d->expire_cursor, collect_one, &c);
        buckets++;
    } while (d->expire_cursor && buckets < BATCH && c.n < BATCH * 4);
    for (size_t i = 0; i < c.n; i++) {
        kstr key = kobj_key(c.expired[i]);
        kobj *o = db_take(d, key); /* signals the change (WATCH) */
        db_notify_expired(d, key);
        db_stats.expired_keys++;
        notify_keyspace_event(NOTIFY_EXPIRED, "expired", d, kobj_key(o));
        db_free_entry(o);
    }
    *expired = c.n;
    return c.seen;
}

void db_expire_cycle(uint64_t budget_us)
{
    uint64_t start = clock_mono_us();
    db_now_ms = clock_ms();
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(i);
        if (!d->expires) {
            continue;
        }
        size_t quota = ht_size(d->keys) / 20 + BATCH; /* hz 10: a full pass in ~2 s */
        size_t seen = 0, found = 0;
        for (;;) {
            size_t exp;
            seen += step(d, &exp);
            found += exp;
            if (!d->expires || d->expire_cursor == 0) {
                break;
            }
            if (clock_mono_us() - start > budget_us) {
                break;
            }
            if (seen >= quota && found * 10 < seen) {
                break; /* few expired keys: the quota suffices */
            }
        }
        if (clock_mono_us() - start > budget_us) {
            break;
        }
    }
    db_stats.expire_cycle_cpu_us += (long long)(clock_mono_us() - start);
}
