/* rdb_save.c - writing the keyspace as an RDB stream (see rdb.h).
 *
 * Output goes through a 64 KB buffer; the CRC-64 is folded in per flushed chunk, so a
 * snapshot reads each byte once. Everything here only reads the keyspace: the same code
 * runs in the main thread (SAVE) and in a forked child (BGSAVE), where nothing may touch
 * state shared with the parent's other threads (no lazy-free submissions, no logging
 * through shared state besides the log file).
 *
 * Byte choices follow Redis 7.0's rdbSaveObject so that a file Kvik writes is what Redis
 * would write for the same data where the in-memory forms agree: a string that is a
 * canonical integer fitting 32 bits is int-encoded; other strings over 20 bytes are
 * LZF-compressed when that saves at least 4 bytes (rdbcompression); intsets and listpacks
 * are written as blobs (strings); list nodes as listpacks, compressed nodes as their LZF
 * data; large sets and hashes element by element; skiplist sorted sets from the highest
 * score down, with binary doubles.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/crc64.h"
#include "base/util.h"
#include "db/db.h"
#include "ds/intset.h"
#include "ds/listpack.h"
#include "ds/lzf.h"
#include "ds/quicklist.h"
#include "persist/rdb.h"
#include "persist/rdb_format.h"
#include "types/set.h"
#include "types/value_io.h"

#define WBUF_SIZE (64 * 1024)

typedef struct writer {
    int fd;
    uint8_t *buf;
    size_t len;
    uint64_t crc;
    long long written; /* bytes flushed */
    bool compress;
    rdb_error *err;
    bool failed;
    uint8_t *lzf;      /* scratch for compression */
    size_t lzf_cap;
} writer;

static void fail_io(writer *w)
{
    if (!w->failed) {
        w->failed = true;
        w->err->code = RDB_ERR_IO;
        w->err->sys_errno = errno;
        w->err->offset = w->written;
        snprintf(w->err->msg, sizeof(w->err->msg), "Write error saving DB on disk: %s",
                 strerror(errno));
    }
}

static void flush(writer *w)
{
    if (w->failed || w->len == 0) {
        w->len = 0;
        return;
    }
    if (w->fd < 0) { /* counting only (rdb_value_size) */
        w->written += (long long)w->len;
        w->len = 0;
        return;
    }
    w->crc = crc64(w->crc, w->buf, w->len);
    size_t off = 0;
    while (off < w->len) {
        ssize_t n = write(w->fd, w->buf + off, w->len - off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail_io(w);
            break;
        }
        if (n == 0) {
            errno = ENOSPC;
            fail_io(w);
            break;
        }
        off += (size_t)n;
    }
    w->written += (long long)w->len;
    w->len = 0;
}

static void put(writer *w, const void *p, size_t n)
{
    const uint8_t *s = p;
    while (n > 0) {
        if (w->len == WBUF_SIZE) {
            flush(w);
        }
        size_t room = WBUF_SIZE - w->len, k = n < room ? n : room;
        memcpy(w->buf + w->len, s, k);
        w->len += k;
        s += k;
        n -= k;
    }
}

static void put_byte(writer *w, uint8_t b)
{
    if (w->len == WBUF_SIZE) {
        flush(w);
    }
    w->buf[w->len++] = b;
}

static void put_len(writer *w, uint64_t n)
{
    uint8_t b[RDB_LEN_MAX_BYTES];
    put(w, b, rdb_encode_len(b, n));
}

static void put_le64(writer *w, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)(v >> (8 * i));
    }
    put(w, b, 8);
}

static void put_lzf_blob(writer *w, const void *data, size_t clen, size_t len)
{
    put_byte(w, (RDB_ENCVAL << 6) | RDB_ENC_LZF);
    put_len(w, clen);
    put_len(w, len);
    put(w, data, clen);
}

/* Redis's rdbSaveRawString. */
static void put_string(writer *w, const void *p, size_t len)
{
    if (len <= 11 && len > 0) {
        long long v;
        uint8_t b[5];
        size_t n;
        if (str_to_ll(p, len, &v) && (n = rdb_encode_int(b, v)) > 0) {
            put(w, b, n);
            return;
        }
    }
    if (w->compress && len > 20) {
        if (w->lzf_cap < len) {
            kv_free(w->lzf);
            w->lzf_cap = len;
            w->lzf = kv_malloc(len);
        }
        size_t clen = lzf_compress(p, len, w->lzf, len - 4);
        if (clen > 0) {
            put_lzf_blob(w, w->lzf, clen, len);
            return;
        }
    }
    put_len(w, len);
    put(w, p, len);
}

static void put_kstr(writer *w, kstr s)
{
    put_string(w, s.p, s.len);
}

/* ---- values ---- */

static void put_node(void *priv, const uint8_t *lp, size_t sz, const uint8_t *lzf,
                     size_t lzf_len)
{
    writer *w = priv;
    put_len(w, RDB_QUICKLIST_NODE_PACKED);
    if (lzf) {
        put_lzf_blob(w, lzf, lzf_len, sz);
    } else {
        put_string(w, lp, sz);
    }
}

static void put_member(void *priv, kstr m)
{
    put_kstr(priv, m);
}

static void put_field(void *priv, kstr f, kstr v, int64_t at)
{
    put_kstr(priv, f);
    put_kstr(priv, v);
}

typedef struct hfe_ctx {
    writer *w;
    int64_t min;
} hfe_ctx;

/* Redis 7.4's HASH_METADATA field: TTL relative to the minimum + 1 (0: none), field,
 * value. */
static void put_field_ttl(void *priv, kstr f, kstr v, int64_t at)
{
    hfe_ctx *h = priv;
    put_len(h->w, at < 0 ? 0 : (uint64_t)(at - h->min) + 1);
    put_kstr(h->w, f);
    put_kstr(h->w, v);
}

static void put_scored(void *priv, kstr m, double score)
{
    writer *w = priv;
    put_kstr(w, m);
    uint64_t bits;
    memcpy(&bits, &score, 8);
    put_le64(w, bits);
}

static int type_byte(const kobj *o)
{
    switch (kobj_type(o)) {
    case OBJ_STRING:
        return RDB_TYPE_STRING;
    case OBJ_LIST:
        return RDB_TYPE_LIST_QUICKLIST_2;
    case OBJ_SET:
        return set_value_intset(o) ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case OBJ_ZSET:
        return zset_value_listpack(o) ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    default:
        if (hash_value_min_expire(o) >= 0) {
            return RDB_TYPE_HASH_METADATA;
        }
        return hash_value_listpack(o) ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    }
}

static void put_value(writer *w, const kobj *o, int type)
{
    switch (type) {
    case RDB_TYPE_STRING:
        put_kstr(w, kobj_str(o));
        break;
    case RDB_TYPE_LIST_QUICKLIST_2: {
        const quicklist *ql = kobj_ptr(o);
        put_len(w, ql->len);
        ql_each_node(ql, put_node, w);
        break;
    }
    case RDB_TYPE_SET_INTSET: {
        const intset *is = set_value_intset(o);
        put_string(w, is, intset_bytes(is));
        break;
    }
    case RDB_TYPE_SET:
        put_len(w, set_value_len(o));
        set_value_each(o, put_member, w);
        break;
    case RDB_TYPE_ZSET_LISTPACK: {
        const uint8_t *lp = zset_value_listpack(o);
        put_string(w, lp, lp_bytes(lp));
        break;
    }
    case RDB_TYPE_ZSET_2:
        put_len(w, zset_value_len(o));
        zset_value_each_rev(o, put_scored, w);
        break;
    case RDB_TYPE_HASH_LISTPACK: {
        const uint8_t *lp = hash_value_listpack(o);
        put_string(w, lp, lp_bytes(lp));
        break;
    }
    case RDB_TYPE_HASH:
        put_len(w, hash_value_len(o));
        hash_value_each(o, put_field, w);
        break;
    default: { /* RDB_TYPE_HASH_METADATA */
        hfe_ctx h = {w, hash_value_min_expire(o)};
        put_le64(w, (uint64_t)h.min);
        put_len(w, hash_value_len(o));
        hash_value_each(o, put_field_ttl, &h);
        break;
    }
    }
}

static void put_aux(writer *w, const char *key, const char *val)
{
    put_byte(w, RDB_OPCODE_AUX);
    put_string(w, key, strlen(key));
    put_string(w, val, strlen(val));
}

static void put_aux_ll(writer *w, const char *key, long long v)
{
    char buf[24];
    ll_to_str(buf, v);
    put_aux(w, key, buf);
}

/* Whether any hash holds field TTLs: those need version 12 (Redis 7.4's types). */
static bool any_field_ttls(void)
{
    if (hash_ttl_hashes() == 0) {
        return false;
    }
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(i);
        if (db_size(d) == 0) {
            continue;
        }
        ht_iter it;
        ht_iter_init(&it, d->keys);
        kobj *o;
        bool found = false;
        while (!found && (o = ht_iter_next(&it)) != NULL) {
            found = kobj_type(o) == OBJ_HASH && hash_value_min_expire(o) >= 0;
        }
        ht_iter_done(&it);
        if (found) {
            return true;
        }
    }
    return false;
}

int rdb_save_to_fd(int fd, const rdb_save_opts *o, rdb_save_stats *st, rdb_error *err)
{
    memset(err, 0, sizeof(*err));
    writer w = {.fd = fd, .buf = kv_malloc(WBUF_SIZE), .compress = o->compress, .err = err};
    long long keys = 0;
    char magic[16];
    snprintf(magic, sizeof(magic), "REDIS%04d",
             any_field_ttls() ? RDB_VERSION_HFE : RDB_VERSION);
    put(&w, magic, 9);
    put_aux(&w, "redis-ver", o->redis_ver ? o->redis_ver : "7.0.15");
    put_aux_ll(&w, "redis-bits", (long long)sizeof(void *) * 8);
    put_aux_ll(&w, "ctime", (long long)time(NULL));
    put_aux_ll(&w, "used-mem", (long long)kv_used_memory());
    put_aux_ll(&w, "aof-base", o->aof_base ? 1 : 0);
    for (int i = 0; i < db_count() && !w.failed; i++) {
        db *d = db_get(i);
        if (db_size(d) == 0) {
            continue;
        }
        put_byte(&w, RDB_OPCODE_SELECTDB);
        put_len(&w, (uint64_t)i);
        put_byte(&w, RDB_OPCODE_RESIZEDB);
        put_len(&w, db_size(d));
        put_len(&w, d->expires);
        ht_iter it;
        ht_iter_init(&it, d->keys);
        kobj *e;
        while ((e = ht_iter_next(&it)) != NULL && !w.failed) {
            int64_t exp = kobj_expire(e);
            if (exp >= 0) {
                put_byte(&w, RDB_OPCODE_EXPIRETIME_MS);
                put_le64(&w, (uint64_t)exp);
            }
            int type = type_byte(e);
            put_byte(&w, (uint8_t)type);
            put_kstr(&w, kobj_key(e));
            put_value(&w, e, type);
            if (o->key_delay_us) {
                clock_debug_delay(o->key_delay_us);
            }
            if ((++keys & 1023) == 0 && o->progress) {
                o->progress(o->priv, keys);
            }
        }
        ht_iter_done(&it);
    }
    put_byte(&w, RDB_OPCODE_EOF);
    flush(&w);
    uint64_t crc = o->checksum ? w.crc : 0;
    put_le64(&w, crc);
    flush(&w);
    kv_free(w.buf);
    kv_free(w.lzf);
    if (st) {
        st->keys = keys;
        st->bytes = w.written;
    }
    return w.failed ? RDB_ERR_IO : RDB_OK;
}

size_t rdb_value_size(const kobj *o, bool compress)
{
    rdb_error err;
    writer w = {.fd = -1, .buf = kv_malloc(WBUF_SIZE), .compress = compress, .err = &err};
    put_value(&w, o, type_byte(o));
    flush(&w);
    kv_free(w.buf);
    kv_free(w.lzf);
    return (size_t)w.written;
}

static int fail_errno(rdb_error *err, const char *what, const char *path)
{
    err->code = RDB_ERR_IO;
    err->sys_errno = errno;
    snprintf(err->msg, sizeof(err->msg), "%s %.160s: %s", what, path, strerror(errno));
    return RDB_ERR_IO;
}

int rdb_save_file(const char *path, const rdb_save_opts *o, rdb_save_stats *st,
                  rdb_error *err)
{
    memset(err, 0, sizeof(*err));
    /* The temp file goes next to the target so that rename() is atomic. */
    char tmp[PATH_MAX];
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    snprintf(tmp, sizeof(tmp), "%.*stemp-%d.rdb", dirlen, path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int e = errno;
        char cwd[PATH_MAX];
        errno = e;
        fail_errno(err, "Failed opening the temp RDB file", tmp);
        snprintf(err->msg, sizeof(err->msg),
                 "Failed opening the temp RDB file %.60s (in server root dir %.120s) for saving: %s",
                 tmp, getcwd(cwd, sizeof(cwd)) ? cwd : "unknown", strerror(e));
        return RDB_ERR_IO;
    }
    int rc = rdb_save_to_fd(fd, o, st, err);
    if (rc == RDB_OK && fsync(fd) < 0) {
        rc = fail_errno(err, "fsync failed on", tmp);
    }
    if (close(fd) < 0 && rc == RDB_OK) {
        rc = fail_errno(err, "close failed on", tmp);
    }
    if (rc == RDB_OK && rename(tmp, path) < 0) {
        rc = fail_errno(err, "Error moving temp DB file on the final destination", path);
    }
    if (rc != RDB_OK) {
        unlink(tmp);
        return rc;
    }
    /* Make the rename itself durable. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%.*s", dirlen ? dirlen : 1, dirlen ? path : ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return RDB_OK;
}
