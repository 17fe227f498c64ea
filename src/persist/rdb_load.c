/* rdb_load.c - reading an RDB stream into the keyspace (see rdb.h).
 *
 * The input is untrusted: every length is checked against what the file can still hold
 * before anything is allocated, every blob (listpack, intset, ziplist, zipmap) is
 * validated entry by entry before it is adopted, and duplicates (keys, set members, hash
 * fields, sorted-set members) are errors, as they are in Redis with sanitize-dump-payload.
 * The first problem stops the load with an rdb_error naming its offset.
 *
 * Reading goes through a 256 KB buffer. The CRC-64 covers every byte up to and including
 * the EOF opcode; it is folded in each time the buffer is refilled (for the part already
 * consumed) and once more at EOF.
 *
 * Values are built through types/value_io.h, so they end in the encodings Redis's loader
 * would choose for the same data under the same limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
#include "persist/ziplist.h"
#include "types/limits.h"
#include "types/types.h"
#include "types/value_io.h"

#define RBUF_SIZE (256 * 1024)

typedef struct reader {
    int fd;
    uint8_t *buf;
    size_t pos, len, crc_pos;
    long long base;      /* stream offset of buf[0] */
    long long file_size; /* -1: unknown */
    bool eof;
    uint64_t crc;
    rdb_error *err;
    const rdb_load_opts *o;
    long long next_progress;
} reader;

/* A growable string buffer; take() hands its bytes over. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static long long offset(const reader *r)
{
    return r->base + (long long)r->pos;
}

static int fail(reader *r, rdb_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(reader *r, rdb_err code, const char *fmt, ...)
{
    if (r->err->code == RDB_OK) {
        r->err->code = code;
        r->err->offset = offset(r);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->err->msg, sizeof(r->err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

static void fold_crc(reader *r)
{
    if (r->pos > r->crc_pos) {
        r->crc = crc64(r->crc, r->buf + r->crc_pos, r->pos - r->crc_pos);
    }
    r->crc_pos = r->pos;
}

static bool refill(reader *r)
{
    fold_crc(r);
    r->base += (long long)r->pos;
    r->len = 0;
    r->pos = r->crc_pos = 0;
    for (;;) {
        ssize_t n = read(r->fd, r->buf, RBUF_SIZE);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            r->err->sys_errno = errno;
            fail(r, RDB_ERR_IO, "Read error loading the RDB file: %s", strerror(errno));
            return false;
        }
        r->len = (size_t)n;
        return n > 0;
    }
}

static bool rd(reader *r, void *dst, size_t n)
{
    uint8_t *d = dst;
    while (n > 0) {
        if (r->pos == r->len && !refill(r)) {
            fail(r, RDB_ERR_TRUNCATED, "Short read loading the RDB file (unexpected end)");
            return false;
        }
        size_t k = r->len - r->pos < n ? r->len - r->pos : n;
        memcpy(d, r->buf + r->pos, k);
        r->pos += k;
        d += k;
        n -= k;
    }
    return true;
}

static bool rd_byte(reader *r, uint8_t *b)
{
    return rd(r, b, 1);
}

/* Bytes the file can still hold after the current position (a large number when the
 * size is unknown). */
static unsigned long long remaining(const reader *r)
{
    if (r->file_size < 0) {
        return (unsigned long long)1 << 62;
    }
    long long left = r->file_size - offset(r);
    return left > 0 ? (unsigned long long)left : 0;
}

/* A length, or (with *encoded) the special-encoding id of a string. */
static bool rd_len_enc(reader *r, uint64_t *len, bool *encoded)
{
    uint8_t b[8];
    *encoded = false;
    if (!rd_byte(r, b)) {
        return false;
    }
    int kind = (b[0] & 0xC0) >> 6;
    if (kind == RDB_ENCVAL) {
        *encoded = true;
        *len = b[0] & 0x3f;
    } else if (kind == RDB_6BITLEN) {
        *len = b[0] & 0x3f;
    } else if (kind == RDB_14BITLEN) {
        uint8_t c;
        if (!rd_byte(r, &c)) {
            return false;
        }
        *len = ((uint64_t)(b[0] & 0x3f) << 8) | c;
    } else if (b[0] == RDB_32BITLEN) {
        if (!rd(r, b, 4)) {
            return false;
        }
        *len = ((uint64_t)b[0] << 24) | ((uint64_t)b[1] << 16) | ((uint64_t)b[2] << 8) | b[3];
    } else if (b[0] == RDB_64BITLEN) {
        if (!rd(r, b, 8)) {
            return false;
        }
        *len = 0;
        for (int i = 0; i < 8; i++) {
            *len = (*len << 8) | b[i];
        }
    } else {
        fail(r, RDB_ERR_CORRUPT, "Unknown length encoding %d in rdbLoadLen()", b[0]);
        return false;
    }
    return true;
}

static bool rd_len(reader *r, uint64_t *len)
{
    bool enc;
    if (!rd_len_enc(r, len, &enc)) {
        return false;
    }
    if (enc) {
        fail(r, RDB_ERR_CORRUPT, "Unexpected string encoding where a length was expected");
        return false;
    }
    return true;
}

/* A count of elements, each taking at least `min_bytes` in the file. */
static bool rd_count(reader *r, uint64_t *n, unsigned min_bytes)
{
    if (!rd_len(r, n)) {
        return false;
    }
    if (*n > remaining(r) / min_bytes) {
        fail(r, RDB_ERR_TRUNCATED, "Element count %llu exceeds what the file can hold",
             (unsigned long long)*n);
        return false;
    }
    return true;
}

static void sb_reserve(sbuf *s, size_t n)
{
    if (s->cap < n) {
        kv_free(s->p);
        s->cap = n < 64 ? 64 : n;
        s->p = kv_malloc(s->cap);
    }
}

/* Hands the bytes over (an allocation of exactly what the blob needs is not promised:
 * callers that adopt a blob reallocate it to its size). */
static void *sb_take(sbuf *s)
{
    void *p = s->p;
    s->p = NULL;
    s->len = s->cap = 0;
    return p;
}

static void sb_free(sbuf *s)
{
    kv_free(s->p);
    s->p = NULL;
    s->len = s->cap = 0;
}

/* A string in any of its encodings, into s (integers as decimal text). */
static bool rd_str(reader *r, sbuf *s)
{
    uint64_t len;
    bool enc;
    if (!rd_len_enc(r, &len, &enc)) {
        return false;
    }
    if (enc) {
        uint8_t b[4];
        long long v;
        switch (len) {
        case RDB_ENC_INT8:
            if (!rd(r, b, 1)) {
                return false;
            }
            v = (int8_t)b[0];
            break;
        case RDB_ENC_INT16:
            if (!rd(r, b, 2)) {
                return false;
            }
            v = (int16_t)(b[0] | (b[1] << 8));
            break;
        case RDB_ENC_INT32:
            if (!rd(r, b, 4)) {
                return false;
            }
            v = (int32_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                          ((uint32_t)b[3] << 24));
            break;
        case RDB_ENC_LZF: {
            uint64_t clen, ulen;
            if (!rd_len(r, &clen) || !rd_len(r, &ulen)) {
                return false;
            }
            if (clen > remaining(r)) {
                fail(r, RDB_ERR_TRUNCATED, "Short read loading the RDB file (LZF string)");
                return false;
            }
            if (ulen == 0 || clen == 0 || ulen > clen * 100 + 64) {
                fail(r, RDB_ERR_CORRUPT, "Invalid LZF compressed string lengths");
                return false;
            }
            uint8_t *c = kv_malloc(clen);
            if (!rd(r, c, clen)) {
                kv_free(c);
                return false;
            }
            sb_reserve(s, ulen);
            size_t got = lzf_decompress(c, clen, s->p, ulen);
            kv_free(c);
            if (got != ulen) {
                fail(r, RDB_ERR_CORRUPT, "Invalid LZF compressed string");
                return false;
            }
            s->len = ulen;
            return true;
        }
        default:
            fail(r, RDB_ERR_CORRUPT, "Unknown RDB string encoding type %d", (int)len);
            return false;
        }
        sb_reserve(s, 24);
        s->len = ll_to_str(s->p, v);
        return true;
    }
    if (len > remaining(r)) {
        fail(r, RDB_ERR_TRUNCATED, "Short read loading the RDB file (string of %llu bytes)",
             (unsigned long long)len);
        return false;
    }
    sb_reserve(s, len ? len : 1);
    s->len = len;
    return rd(r, s->p, len);
}

static kstr sb_kstr(const sbuf *s)
{
    return kstr_make(s->p ? s->p : "", s->len);
}

static bool rd_le64(reader *r, uint64_t *v)
{
    uint8_t b[8];
    if (!rd(r, b, 8)) {
        return false;
    }
    *v = 0;
    for (int i = 7; i >= 0; i--) {
        *v = (*v << 8) | b[i];
    }
    return true;
}

/* RDB_TYPE_ZSET's text score: a length byte (253 nan, 254 +inf, 255 -inf) and text. */
static bool rd_text_double(reader *r, double *d)
{
    uint8_t n;
    char buf[256];
    if (!rd_byte(r, &n)) {
        return false;
    }
    if (n >= 253) {
        *d = n == 253 ? NAN : n == 254 ? INFINITY : -INFINITY;
        return true;
    }
    if (!rd(r, buf, n)) {
        return false;
    }
    buf[n] = '\0';
    char *end;
    *d = strtod(buf, &end);
    if (end != buf + n) {
        fail(r, RDB_ERR_CORRUPT, "Invalid double value");
        return false;
    }
    return true;
}

/* ---- blobs ---- */

/* Reads a blob string and validates it as a listpack; returns an owned listpack of
 * exactly its size, or NULL after failing. */
static uint8_t *rd_listpack(reader *r, sbuf *s)
{
    if (!rd_str(r, s)) {
        return NULL;
    }
    if (!lp_validate((const uint8_t *)s->p, s->len, true)) {
        fail(r, RDB_ERR_CORRUPT, "Listpack integrity check failed");
        return NULL;
    }
    size_t n = s->len;
    return kv_realloc(sb_take(s), n);
}

typedef struct push_ctx {
    quicklist *ql;
} push_ctx;

static bool push_entry(void *priv, const uint8_t *s, size_t len)
{
    ql_push(((push_ctx *)priv)->ql, true, s, len);
    return true;
}

/* Pairs from a ziplist or zipmap: the first of each pair is kept until the second. */
typedef struct pair_ctx {
    int kind; /* 0 hash, 1 zset */
    hash_builder *hb;
    zset_builder *zb;
    sbuf first;
    bool have_first;
    bool dup, bad;
} pair_ctx;

static bool pair_entry(void *priv, const uint8_t *s, size_t len)
{
    pair_ctx *c = priv;
    if (!c->have_first) {
        sb_reserve(&c->first, len ? len : 1);
        memcpy(c->first.p, s, len);
        c->first.len = len;
        c->have_first = true;
        return true;
    }
    c->have_first = false;
    if (c->kind == 0) {
        c->dup = !hash_build_add(c->hb, sb_kstr(&c->first), kstr_make((const char *)s, len), -1);
        return !c->dup;
    }
    char buf[128];
    double score;
    if (len >= sizeof(buf)) {
        c->bad = true;
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    score = strtod(buf, &end);
    if (len == 0 || end != buf + len || isnan(score)) {
        c->bad = true;
        return false;
    }
    c->dup = !zset_build_add(c->zb, sb_kstr(&c->first), score);
    return !c->dup;
}

static quicklist *new_list(void)
{
    return ql_create((int)type_limits.list_max_listpack_size,
                     (int)type_limits.list_compress_depth);
}

/* ---- values ----
 *
 * One loader per family of RDB types. Each reads the value of `key` and returns a new
 * entry, or NULL: either the value was empty (Redis skips such keys too) or reading
 * failed, which r->err tells apart. s and f are scratch buffers owned by the caller. */

typedef struct vctx {
    reader *r;
    int type;
    kstr key;
    int64_t exp;
    sbuf *s, *f;
} vctx;

static int string_enc(kstr v)
{
    if (v.len <= 20 && str_to_ll(v.p, v.len, NULL)) {
        return ENC_INT;
    }
    return v.len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW;
}

static kobj *load_string(vctx *v)
{
    if (!rd_str(v->r, v->s)) {
        return NULL;
    }
    kstr val = sb_kstr(v->s);
    return kobj_new_string(v->key, val, string_enc(val), v->exp);
}

static kobj *list_entry(vctx *v, quicklist *ql, bool ok)
{
    if (!ok || ql_count(ql) == 0) {
        ql_destroy(ql);
        return NULL;
    }
    return kobj_new_ptr(v->key, OBJ_LIST, ENC_QUICKLIST, ql, v->exp);
}

/* One node of a quicklist type: a plain element, a listpack, or (v1) a ziplist. */
static bool load_list_node(vctx *v, quicklist *ql)
{
    reader *r = v->r;
    uint64_t container = RDB_QUICKLIST_NODE_PACKED;
    if (v->type == RDB_TYPE_LIST_QUICKLIST_2 && !rd_len(r, &container)) {
        return false;
    }
    if (container == RDB_QUICKLIST_NODE_PLAIN) {
        if (!rd_str(r, v->s)) {
            return false;
        }
        ql_push(ql, true, v->s->p, v->s->len);
        return true;
    }
    if (container != RDB_QUICKLIST_NODE_PACKED) {
        fail(r, RDB_ERR_CORRUPT, "Quicklist integrity check failed (container %llu)",
             (unsigned long long)container);
        return false;
    }
    if (v->type == RDB_TYPE_LIST_QUICKLIST_2) {
        uint8_t *lp = rd_listpack(r, v->s);
        if (lp) {
            ql_append_listpack(ql, lp); /* an empty one is dropped */
        }
        return lp != NULL;
    }
    push_ctx pc = {ql};
    if (!rd_str(r, v->s)) {
        return false;
    }
    if (!ziplist_walk((const uint8_t *)v->s->p, v->s->len, push_entry, &pc)) {
        fail(r, RDB_ERR_CORRUPT, "Ziplist integrity check failed");
        return false;
    }
    return true;
}

/* RDB_TYPE_LIST, LIST_ZIPLIST, LIST_QUICKLIST, LIST_QUICKLIST_2. */
static kobj *load_list(vctx *v)
{
    reader *r = v->r;
    quicklist *ql = new_list();
    uint64_t n = 1;
    bool ok = true;
    if (v->type == RDB_TYPE_LIST) {
        ok = rd_count(r, &n, 1);
        for (uint64_t i = 0; ok && i < n; i++) {
            if ((ok = rd_str(r, v->s))) {
                ql_push(ql, true, v->s->p, v->s->len);
            }
        }
        return list_entry(v, ql, ok);
    }
    if (v->type != RDB_TYPE_LIST_ZIPLIST) {
        ok = rd_count(r, &n, 2);
    }
    for (uint64_t i = 0; ok && i < n; i++) {
        ok = load_list_node(v, ql);
    }
    return list_entry(v, ql, ok);
}

/* RDB_TYPE_SET: members one by one. */
static kobj *load_set(vctx *v)
{
    reader *r = v->r;
    uint64_t n;
    if (!rd_count(r, &n, 1)) {
        return NULL;
    }
    set_builder *b = set_build_start(n);
    for (uint64_t i = 0; i < n; i++) {
        if (!rd_str(r, v->s)) {
            set_build_abort(b);
            return NULL;
        }
        if (!set_build_add(b, sb_kstr(v->s))) {
            fail(r, RDB_ERR_CORRUPT, "Duplicate set members detected");
            set_build_abort(b);
            return NULL;
        }
    }
    return set_build_finish(b, v->key, v->exp);
}

static kobj *load_set_intset(vctx *v)
{
    if (!rd_str(v->r, v->s)) {
        return NULL;
    }
    if (!intset_validate(v->s->p, v->s->len, true)) {
        fail(v->r, RDB_ERR_CORRUPT, "Intset integrity check failed");
        return NULL;
    }
    size_t len = v->s->len;
    return set_from_intset(v->key, kv_realloc(sb_take(v->s), len), v->exp);
}

/* RDB_TYPE_SET_LISTPACK (Redis 7.2). */
static kobj *load_set_listpack(vctx *v)
{
    uint8_t *lp = rd_listpack(v->r, v->s);
    if (!lp) {
        return NULL;
    }
    set_builder *b = set_build_start(lp_length(lp));
    uint8_t ib[LP_INTBUF_SIZE];
    bool ok = true;
    for (uint8_t *p = lp_first(lp); p && ok; p = lp_next(lp, p)) {
        size_t len;
        const uint8_t *e = lp_get(p, &len, ib, NULL, NULL);
        ok = set_build_add(b, kstr_make((const char *)e, len));
    }
    lp_free(lp);
    if (!ok) {
        set_build_abort(b);
        fail(v->r, RDB_ERR_CORRUPT, "Duplicate set members detected");
        return NULL;
    }
    return set_build_finish(b, v->key, v->exp);
}

/* RDB_TYPE_ZSET (scores as text) and ZSET_2 (binary doubles). */
static kobj *load_zset(vctx *v)
{
    reader *r = v->r;
    uint64_t n;
    if (!rd_count(r, &n, 2)) {
        return NULL;
    }
    zset_builder *b = zset_build_start(n);
    for (uint64_t i = 0; i < n; i++) {
        double score;
        uint64_t bits;
        bool ok = rd_str(r, v->s);
        if (ok && v->type == RDB_TYPE_ZSET_2) {
            ok = rd_le64(r, &bits);
            memcpy(&score, &bits, 8);
        } else if (ok) {
            ok = rd_text_double(r, &score);
        }
        if (ok && isnan(score)) {
            ok = false;
            fail(r, RDB_ERR_CORRUPT, "Zset with NAN score detected");
        } else if (ok && !zset_build_add(b, sb_kstr(v->s), score)) {
            ok = false;
            fail(r, RDB_ERR_CORRUPT, "Duplicate zset fields detected");
        }
        if (!ok) {
            zset_build_abort(b);
            return NULL;
        }
    }
    return zset_build_finish(b, v->key, v->exp);
}

/* RDB_TYPE_ZSET_LISTPACK and RDB_TYPE_HASH_LISTPACK: blobs kept as they are. */
static kobj *load_packed_pairs(vctx *v)
{
    uint8_t *lp = rd_listpack(v->r, v->s);
    if (!lp) {
        return NULL;
    }
    if (lp_length(lp) == 0) {
        lp_free(lp);
        return NULL;
    }
    bool zset = v->type == RDB_TYPE_ZSET_LISTPACK;
    kobj *o = zset ? zset_from_listpack(v->key, lp, v->exp)
                   : hash_from_listpack(v->key, lp, v->exp);
    if (!o) {
        fail(v->r, RDB_ERR_CORRUPT, "%s listpack integrity check failed", zset ? "Zset" : "Hash");
    }
    return o;
}

/* RDB_TYPE_HASH and Redis 7.4's HASH_METADATA (field TTLs relative to a minimum) and its
 * pre-GA form (absolute TTLs). */
static kobj *load_hash(vctx *v)
{
    reader *r = v->r;
    uint64_t min = 0, n;
    if (v->type == RDB_TYPE_HASH_METADATA && !rd_le64(r, &min)) {
        return NULL;
    }
    if (!rd_count(r, &n, 2)) {
        return NULL;
    }
    hash_builder *b = hash_build_start(n);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t ttl = 0;
        bool ok = v->type == RDB_TYPE_HASH || rd_len(r, &ttl);
        ok = ok && rd_str(r, v->f) && rd_str(r, v->s);
        int64_t at = -1;
        if (ttl) {
            at = v->type == RDB_TYPE_HASH_METADATA ? (int64_t)(ttl + min - 1) : (int64_t)ttl;
        }
        if (ok && !hash_build_add(b, sb_kstr(v->f), sb_kstr(v->s), at)) {
            ok = false;
            fail(r, RDB_ERR_CORRUPT, "Duplicate hash fields detected");
        }
        if (!ok) {
            hash_build_abort(b);
            return NULL;
        }
    }
    return hash_build_finish(b, v->key, v->exp);
}

/* Redis 7.4's HASH_LISTPACK_EX: field, value, expire ms (0: none) triplets. */
static kobj *load_hash_listpack_ex(vctx *v)
{
    reader *r = v->r;
    uint64_t min;
    if (v->type == RDB_TYPE_HASH_LISTPACK_EX && !rd_le64(r, &min)) {
        return NULL;
    }
    uint8_t *lp = rd_listpack(r, v->s);
    if (!lp) {
        return NULL;
    }
    if (lp_length(lp) % 3) {
        lp_free(lp);
        fail(r, RDB_ERR_CORRUPT, "Hash listpack integrity check failed");
        return NULL;
    }
    hash_builder *b = hash_build_start(lp_length(lp) / 3);
    uint8_t fb[LP_INTBUF_SIZE], vb[LP_INTBUF_SIZE], tb[LP_INTBUF_SIZE];
    bool ok = true;
    for (uint8_t *p = lp_first(lp); p && ok; p = lp_next(lp, p)) {
        kstr fk, vk;
        long long at = 0;
        bool is_int = false;
        size_t tl;
        fk.p = (const char *)lp_get(p, &fk.len, fb, NULL, NULL);
        p = lp_next(lp, p);
        vk.p = (const char *)lp_get(p, &vk.len, vb, NULL, NULL);
        p = lp_next(lp, p);
        lp_get(p, &tl, tb, &at, &is_int);
        if (!is_int || at < 0) {
            ok = false;
            fail(r, RDB_ERR_CORRUPT, "Hash listpack integrity check failed");
        } else if (!hash_build_add(b, fk, vk, at > 0 ? at : -1)) {
            ok = false;
            fail(r, RDB_ERR_CORRUPT, "Duplicate hash fields detected");
        }
    }
    lp_free(lp);
    if (!ok) {
        hash_build_abort(b);
        return NULL;
    }
    return hash_build_finish(b, v->key, v->exp);
}

/* Retired blobs of pairs: HASH_ZIPMAP, HASH_ZIPLIST, ZSET_ZIPLIST. */
static kobj *load_zipped_pairs(vctx *v)
{
    if (!rd_str(v->r, v->s)) {
        return NULL;
    }
    bool zset = v->type == RDB_TYPE_ZSET_ZIPLIST;
    pair_ctx pc = {.kind = zset ? 1 : 0};
    if (zset) {
        pc.zb = zset_build_start(0);
    } else {
        pc.hb = hash_build_start(0);
    }
    const uint8_t *blob = (const uint8_t *)v->s->p;
    bool ok = v->type == RDB_TYPE_HASH_ZIPMAP ? zipmap_walk(blob, v->s->len, pair_entry, &pc)
                                              : ziplist_walk(blob, v->s->len, pair_entry, &pc);
    ok = ok && !pc.have_first;
    sb_free(&pc.first);
    if (!ok) {
        fail(v->r, RDB_ERR_CORRUPT, pc.dup ? "Duplicate fields detected"
                                           : "Ziplist integrity check failed");
        if (zset) {
            zset_build_abort(pc.zb);
        } else {
            hash_build_abort(pc.hb);
        }
        return NULL;
    }
    return zset ? zset_build_finish(pc.zb, v->key, v->exp)
                : hash_build_finish(pc.hb, v->key, v->exp);
}

static kobj *refuse_type(vctx *v)
{
    int n = (int)(v->key.len > 64 ? 64 : v->key.len);
    switch (v->type) {
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        fail(v->r, RDB_ERR_UNSUPPORTED, "The RDB file holds a stream (key '%.*s'): Kvik has "
             "no stream type", n, v->key.p);
        break;
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
        fail(v->r, RDB_ERR_UNSUPPORTED, "The RDB file holds a module value (key '%.*s'): "
             "Kvik loads no modules", n, v->key.p);
        break;
    default:
        fail(v->r, RDB_ERR_CORRUPT, "Unknown RDB encoding type %d", v->type);
        break;
    }
    return NULL;
}

/* Loads a value of the given RDB type; *out is NULL when the value is empty (the key is
 * skipped, as Redis does). */
static int load_value(reader *r, int type, kstr key, int64_t exp, kobj **out)
{
    sbuf s = {0}, f = {0};
    vctx v = {r, type, key, exp, &s, &f};
    switch (type) {
    case RDB_TYPE_STRING:
        *out = load_string(&v);
        break;
    case RDB_TYPE_LIST:
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2:
        *out = load_list(&v);
        break;
    case RDB_TYPE_SET:
        *out = load_set(&v);
        break;
    case RDB_TYPE_SET_INTSET:
        *out = load_set_intset(&v);
        break;
    case RDB_TYPE_SET_LISTPACK:
        *out = load_set_listpack(&v);
        break;
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2:
        *out = load_zset(&v);
        break;
    case RDB_TYPE_ZSET_LISTPACK:
    case RDB_TYPE_HASH_LISTPACK:
        *out = load_packed_pairs(&v);
        break;
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_METADATA:
    case RDB_TYPE_HASH_METADATA_PRE_GA:
        *out = load_hash(&v);
        break;
    case RDB_TYPE_HASH_LISTPACK_EX:
    case RDB_TYPE_HASH_LISTPACK_EX_PRE_GA:
        *out = load_hash_listpack_ex(&v);
        break;
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST:
        *out = load_zipped_pairs(&v);
        break;
    default:
        *out = refuse_type(&v);
        break;
    }
    sb_free(&s);
    sb_free(&f);
    int rc = r->err->code;
    if (rc != RDB_OK && *out) {
        kobj_free(*out); /* a value finished before a later check failed */
        *out = NULL;
    }
    return rc;
}

/* ---- the stream ---- */

static bool is_value_type(int t)
{
    return (t >= RDB_TYPE_STRING && t <= RDB_TYPE_ZSET_2) ||
           (t >= RDB_TYPE_MODULE_PRE_GA && t <= RDB_TYPE_MODULE_2) ||
           (t >= RDB_TYPE_HASH_ZIPMAP && t <= RDB_TYPE_HASH_LISTPACK_EX);
}

/* Where the stream is: the database being filled and the expire time of the next key. */
typedef struct stream_state {
    db *d;
    int64_t exp, now;
    sbuf key, val;
    rdb_load_stats *st;
} stream_state;

static int read_header(reader *r, rdb_load_stats *st)
{
    char magic[10];
    if (!rd(r, magic, 9)) {
        return fail(r, RDB_ERR_FORMAT, "Short read: not an RDB file");
    }
    magic[9] = '\0';
    if (memcmp(magic, "REDIS", 5) != 0) {
        return fail(r, RDB_ERR_FORMAT, "Wrong signature trying to load DB from file");
    }
    int version = atoi(magic + 5);
    if (version < 1 || version > RDB_VERSION_MAX) {
        return fail(r, RDB_ERR_FORMAT, "Can't handle RDB format version %d", version);
    }
    st->version = version;
    return RDB_OK;
}

static int read_selectdb(reader *r, stream_state *ss, long long at)
{
    const rdb_load_opts *o = r->o;
    uint64_t id;
    if (!rd_len(r, &id)) {
        return r->err->code;
    }
    if (!o->discard && id >= (uint64_t)db_count()) {
        return fail(r, RDB_ERR_DBINDEX, "FATAL: Data file was created with a Redis server "
                    "configured to handle more than %d databases. Exiting\n", db_count());
    }
    if (!o->discard) {
        ss->d = db_get((int)id);
    }
    if (o->on_selectdb) {
        o->on_selectdb(o->priv, offset(r), (int)id); /* after it, as redis-check-rdb */
    }
    return RDB_OK;
}

/* Handles an opcode (anything but a value type). */
static int read_opcode(reader *r, stream_state *ss, int type, long long at)
{
    const rdb_load_opts *o = r->o;
    uint64_t a, b, c;
    uint8_t bytes[4];
    switch (type) {
    case RDB_OPCODE_EXPIRETIME:
        if (!rd(r, bytes, 4)) {
            return r->err->code;
        }
        ss->exp = (int64_t)((uint32_t)bytes[0] | ((uint32_t)bytes[1] << 8) |
                            ((uint32_t)bytes[2] << 16) | ((uint32_t)bytes[3] << 24)) * 1000;
        return RDB_OK;
    case RDB_OPCODE_EXPIRETIME_MS:
        if (!rd_le64(r, &a)) {
            return r->err->code;
        }
        ss->exp = (int64_t)a;
        return RDB_OK;
    case RDB_OPCODE_IDLE: /* LRU/LFU hints: Kvik starts every key fresh */
        return rd_len(r, &a) ? RDB_OK : r->err->code;
    case RDB_OPCODE_FREQ:
        return rd_byte(r, bytes) ? RDB_OK : r->err->code;
    case RDB_OPCODE_SELECTDB:
        return read_selectdb(r, ss, at);
    case RDB_OPCODE_SLOT_INFO: /* Redis 7.4 cluster mode: slot, keys, expires (hints) */
        return rd_len(r, &a) && rd_len(r, &b) && rd_len(r, &c) ? RDB_OK : r->err->code;
    case RDB_OPCODE_RESIZEDB: /* sizing hints */
        return rd_len(r, &a) && rd_len(r, &b) ? RDB_OK : r->err->code;
    case RDB_OPCODE_AUX:
        if (!rd_str(r, &ss->key) || !rd_str(r, &ss->val)) {
            return r->err->code;
        }
        if (o->on_aux) {
            o->on_aux(o->priv, offset(r), ss->key.p, ss->key.len, ss->val.p, ss->val.len);
        }
        return RDB_OK;
    case RDB_OPCODE_MODULE_AUX:
        return fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds module data: Kvik loads no "
                    "modules");
    case RDB_OPCODE_FUNCTION2:
    case RDB_OPCODE_FUNCTION_PRE_GA:
        return fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds function libraries: Kvik has "
                    "no FUNCTION support");
    default:
        return fail(r, RDB_ERR_CORRUPT, "Unknown RDB encoding type %d", type);
    }
}

/* A key and its value, then into the keyspace (or counted and dropped). */
static int read_key(reader *r, stream_state *ss, int type)
{
    const rdb_load_opts *o = r->o;
    rdb_load_stats *st = ss->st;
    int64_t exp = ss->exp;
    ss->exp = -1;
    if (!rd_str(r, &ss->key)) {
        return r->err->code;
    }
    kobj *obj;
    kstr k = sb_kstr(&ss->key);
    int rc = load_value(r, type, k, exp, &obj);
    if (rc != RDB_OK || !obj) {
        return rc; /* an empty value: Redis skips the key too */
    }
    bool expired = exp >= 0 && exp < ss->now;
    st->keys_with_expire += exp >= 0;
    if (o->discard || (o->skip_expired && expired)) {
        kobj_free(obj);
        st->keys_expired += expired;
        st->keys_loaded += o->discard;
        return RDB_OK;
    }
    if (o->replace && db_peek(ss->d, k)) {
        db_delete(ss->d, k);
    }
    if (db_peek(ss->d, k)) {
        kobj_free(obj);
        return fail(r, RDB_ERR_CORRUPT, "RDB has duplicated key '%.*s' in DB %d",
                    (int)(k.len > 64 ? 64 : k.len), k.p, ss->d->id);
    }
    bool field_ttls = kobj_type(obj) == OBJ_HASH && hash_value_min_expire(obj) >= 0;
    db_add(ss->d, obj);
    if (field_ttls) {
        hash_track_key(ss->d, k);
    }
    st->keys_loaded++;
    return RDB_OK;
}

static int read_trailer(reader *r, rdb_load_stats *st)
{
    fold_crc(r);
    uint64_t computed = r->crc, stored;
    if (st->version < 5) {
        return RDB_OK; /* no checksum before version 5 */
    }
    if (!rd_le64(r, &stored)) {
        return r->err->code;
    }
    st->checksum_present = stored != 0;
    if (r->o->checksum && stored != 0 && stored != computed) {
        fail(r, RDB_ERR_CHECKSUM, "Wrong RDB checksum expected: (%llx) got (%llx). Aborting "
             "now.", (unsigned long long)stored, (unsigned long long)computed);
        r->err->offset -= 8; /* the trailer's start */
        return RDB_ERR_CHECKSUM;
    }
    return RDB_OK;
}

static int load_stream(reader *r, rdb_load_stats *st)
{
    const rdb_load_opts *o = r->o;
    int rc = read_header(r, st);
    if (rc != RDB_OK) {
        return rc;
    }
    stream_state ss = {.d = o->discard ? NULL : db_get(0), .exp = -1, .now = clock_ms(),
                       .st = st};
    for (;;) {
        long long at = offset(r);
        if (o->progress && at >= r->next_progress) {
            if (!o->progress(o->priv, at)) {
                rc = fail(r, RDB_ERR_ABORTED, "Loading interrupted");
                break;
            }
            r->next_progress = at + (o->progress_bytes > 0 ? o->progress_bytes : (2 << 20));
        }
        uint8_t type;
        if (!rd_byte(r, &type)) {
            rc = r->err->code;
            break;
        }
        if (type == RDB_OPCODE_EOF) {
            break;
        }
        rc = is_value_type(type) ? read_key(r, &ss, type) : read_opcode(r, &ss, type, at);
        if (rc != RDB_OK) {
            break;
        }
    }
    sb_free(&ss.key);
    sb_free(&ss.val);
    return rc != RDB_OK ? rc : read_trailer(r, st);
}

int rdb_load_fd(int fd, long long file_size, const rdb_load_opts *o, rdb_load_stats *st,
                rdb_error *err)
{
    memset(err, 0, sizeof(*err));
    memset(st, 0, sizeof(*st));
    reader r = {.fd = fd, .buf = kv_malloc(RBUF_SIZE), .file_size = file_size, .err = err,
                .o = o};
    int rc = load_stream(&r, st);
    st->bytes = offset(&r);
    kv_free(r.buf);
    return rc;
}

int rdb_load_file(const char *path, const rdb_load_opts *o, rdb_load_stats *st,
                  rdb_error *err)
{
    memset(err, 0, sizeof(*err));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        memset(st, 0, sizeof(*st));
        err->code = errno == ENOENT ? RDB_ERR_NOENT : RDB_ERR_IO;
        err->sys_errno = errno;
        snprintf(err->msg, sizeof(err->msg), "Fatal error loading the DB: %s. Exiting.",
                 strerror(errno));
        return err->code;
    }
    struct stat sb;
    long long size = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (long long)sb.st_size : -1;
    int rc = rdb_load_fd(fd, size, o, st, err);
    close(fd);
    return rc;
}

const char *rdb_err_name(rdb_err code)
{
    switch (code) {
    case RDB_OK:
        return "ok";
    case RDB_ERR_IO:
        return "I/O error";
    case RDB_ERR_NOENT:
        return "no such file";
    case RDB_ERR_FORMAT:
        return "not an RDB file";
    case RDB_ERR_CORRUPT:
        return "corrupt file";
    case RDB_ERR_TRUNCATED:
        return "truncated file";
    case RDB_ERR_CHECKSUM:
        return "checksum mismatch";
    case RDB_ERR_UNSUPPORTED:
        return "unsupported content";
    case RDB_ERR_DBINDEX:
        return "database index out of range";
    case RDB_ERR_ABORTED:
        return "interrupted";
    }
    return "unknown error";
}
