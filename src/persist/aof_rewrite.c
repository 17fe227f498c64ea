/* aof_rewrite.c - writing the AOF-format base file (see aof_rewrite.h).
 *
 * Per database with keys: SELECT, then per key the commands that recreate it, with
 * Redis's choices so the file reads like one Redis wrote: SET for strings, RPUSH / SADD /
 * ZADD / HMSET with at most 64 elements per command (one huge command would need one
 * huge buffer at load time), then PEXPIREAT for a key TTL and HPEXPIREAT per field TTL.
 * Keys already expired are skipped; so are hash fields already expired.
 */
#include "persist/aof_rewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/util.h"
#include "db/db.h"
#include "persist/child.h"
#include "persist/respbuf.h"
#include "types/value_io.h"
#include "types/set.h"

#define ITEMS_PER_CMD 64
#define FLUSH_BYTES (64 * 1024)
#define AUTOSYNC_BYTES (4 * 1024 * 1024)

typedef struct writer {
    int fd;
    int err;                /* errno of the first failure, 0 while fine */
    bool incremental_fsync;
    long long since_sync;
    respbuf b;
    /* the command being batched */
    kstr key;
    const char *cmd;
    size_t batch_hdr;       /* offset of the current command's header placeholder */
    int in_batch, left;
    int64_t now;
    /* hash fields with a TTL, written after the hash */
    respbuf ttl_fields;
    long long nttl;
} writer;

static void flush(writer *w, bool force)
{
    if (w->err || (!force && w->b.len < FLUSH_BYTES)) {
        return;
    }
    size_t off = 0;
    while (off < w->b.len) {
        ssize_t n = write(w->fd, w->b.p + off, w->b.len - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            w->err = errno;
            return;
        }
        off += (size_t)n;
    }
    w->since_sync += (long long)w->b.len;
    w->b.len = 0;
    if (w->incremental_fsync && w->since_sync >= AUTOSYNC_BYTES) {
        fdatasync(w->fd);
        w->since_sync = 0;
    }
}

/* Batches: RPUSH key a b c ... in commands of at most ITEMS_PER_CMD items. The header
 * "*<n>" is only known at the end, so each batch is written when full or finished. */
static respbuf items;
static int nitems, item_args;

static void batch_begin(writer *w, const char *cmd, kstr key, long long total, int args)
{
    w->cmd = cmd;
    w->key = key;
    w->left = (int)(total > 0 ? total : 0);
    item_args = args;
    nitems = 0;
    items.len = 0;
}

static void batch_emit(writer *w)
{
    if (!nitems) {
        return;
    }
    rb_array_header(&w->b, 2 + (long long)nitems * item_args);
    rb_bulk(&w->b, w->cmd, strlen(w->cmd));
    rb_bulk(&w->b, w->key.p, w->key.len);
    rb_add(&w->b, items.p, items.len);
    items.len = 0;
    nitems = 0;
    flush(w, false);
}

static void batch_item_done(writer *w)
{
    if (++nitems == ITEMS_PER_CMD) {
        batch_emit(w);
    }
}

static void list_item(void *priv, kstr e)
{
    rb_bulk(&items, e.p, e.len);
    batch_item_done(priv);
}

static void zset_item(void *priv, kstr m, double score)
{
    char buf[128];
    size_t n = d_to_str(buf, sizeof(buf), score);
    rb_bulk(&items, buf, n);
    rb_bulk(&items, m.p, m.len);
    batch_item_done(priv);
}

static void hash_item(void *priv, kstr f, kstr v, int64_t expire_ms)
{
    writer *w = priv;
    if (expire_ms >= 0 && expire_ms < w->now) {
        return;
    }
    rb_bulk(&items, f.p, f.len);
    rb_bulk(&items, v.p, v.len);
    if (expire_ms >= 0) {
        /* HPEXPIREAT key <ms> FIELDS 1 <field>, one per field: TTLs rarely coincide. */
        rb_array_header(&w->ttl_fields, 6);
        rb_bulk(&w->ttl_fields, "HPEXPIREAT", 10);
        rb_bulk(&w->ttl_fields, w->key.p, w->key.len);
        rb_bulk_ll(&w->ttl_fields, expire_ms);
        rb_bulk(&w->ttl_fields, "FIELDS", 6);
        rb_bulk(&w->ttl_fields, "1", 1);
        rb_bulk(&w->ttl_fields, f.p, f.len);
        w->nttl++;
    }
    batch_item_done(w);
}

static void write_key(writer *w, kobj *o)
{
    kstr key = kobj_key(o);
    int64_t expire = kobj_expire(o);
    if (expire >= 0 && expire < w->now) {
        return;
    }
    switch (kobj_type(o)) {
    case OBJ_STRING: {
        kstr v = kobj_str(o);
        rb_array_header(&w->b, 3);
        rb_bulk(&w->b, "SET", 3);
        rb_bulk(&w->b, key.p, key.len);
        rb_bulk(&w->b, v.p, v.len);
        break;
    }
    case OBJ_LIST:
        batch_begin(w, "RPUSH", key, 0, 1);
        list_value_each(o, list_item, w);
        batch_emit(w);
        break;
    case OBJ_SET:
        batch_begin(w, "SADD", key, 0, 1);
        set_value_each(o, (void (*)(void *, kstr))list_item, w);
        batch_emit(w);
        break;
    case OBJ_ZSET:
        batch_begin(w, "ZADD", key, 0, 2);
        zset_value_each(o, zset_item, w);
        batch_emit(w);
        break;
    case OBJ_HASH:
        batch_begin(w, "HMSET", key, 0, 2);
        w->ttl_fields.len = 0;
        w->nttl = 0;
        hash_value_each(o, hash_item, w);
        batch_emit(w);
        rb_add(&w->b, w->ttl_fields.p, w->ttl_fields.len);
        break;
    default:
        return;
    }
    if (expire >= 0) {
        rb_array_header(&w->b, 3);
        rb_bulk(&w->b, "PEXPIREAT", 9);
        rb_bulk(&w->b, key.p, key.len);
        rb_bulk_ll(&w->b, expire);
    }
    flush(w, false);
}

int aof_rewrite_base(const char *path, bool timestamp, bool incremental_fsync,
                     int key_delay_us, long long *keys)
{
    long long nkeys = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        return -1;
    }
    writer w = {.fd = fd, .incremental_fsync = incremental_fsync, .now = clock_ms()};
    if (timestamp) {
        char ts[64];
        int n = snprintf(ts, sizeof(ts), "#TS:%lld\r\n", (long long)time(NULL));
        rb_add(&w.b, ts, (size_t)n);
    }
    for (int i = 0; i < db_count() && !w.err; i++) {
        db *d = db_get(i);
        if (!db_size(d)) {
            continue;
        }
        rb_array_header(&w.b, 2);
        rb_bulk(&w.b, "SELECT", 6);
        rb_bulk_ll(&w.b, i);
        ht_iter it;
        ht_iter_init(&it, d->keys);
        kobj *o;
        while ((o = ht_iter_next(&it)) != NULL && !w.err) {
            write_key(&w, o);
            if (key_delay_us) {
                clock_debug_delay(key_delay_us);
            }
            if (++nkeys % 1024 == 0) {
                child_report_progress(nkeys);
            }
        }
        ht_iter_done(&it);
    }
    flush(&w, true);
    rb_free(&w.b);
    rb_free(&w.ttl_fields);
    rb_free(&items);
    int err = w.err;
    if (!err && fsync(fd) < 0) {
        err = errno;
    }
    if (close(fd) < 0 && !err) {
        err = errno;
    }
    if (err) {
        errno = err;
        return -1;
    }
    *keys = nkeys;
    return 0;
}
