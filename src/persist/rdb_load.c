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
    int kind; /* 0 hash, 1 zset, 2 set (single members) */
    hash_builder *hb;
    zset_builder *zb;
    set_builder *sb;
    sbuf first;
    bool have_first;
    bool dup, bad;
} pair_ctx;

static bool pair_entry(void *priv, const uint8_t *s, size_t len)
{
    pair_ctx *c = priv;
    if (c->kind == 2) {
        c->dup = !set_build_add(c->sb, kstr_make((const char *)s, len));
        return !c->dup;
    }
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

/* ---- values ---- */

static int string_enc(kstr v)
{
    if (v.len <= 20 && str_to_ll(v.p, v.len, NULL)) {
        return ENC_INT;
    }
    return v.len <= OBJ_EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW;
}

static quicklist *new_list(void)
{
    return ql_create((int)type_limits.list_max_listpack_size,
                     (int)type_limits.list_compress_depth);
}

/* Loads a value of the given RDB type; *out is NULL when the value is empty (the key is
 * skipped, as Redis does). */
static int load_value(reader *r, int type, kstr key, int64_t exp, kobj **out)
{
    sbuf s = {0}, f = {0};
    uint64_t n;
    int rc = RDB_OK;
    *out = NULL;
    switch (type) {
    case RDB_TYPE_STRING:
        if (!rd_str(r, &s)) {
            break;
        }
        *out = kobj_new_string(key, sb_kstr(&s), string_enc(sb_kstr(&s)), exp);
        break;
    case RDB_TYPE_LIST: {
        if (!rd_count(r, &n, 1)) {
            break;
        }
        quicklist *ql = new_list();
        bool ok = true;
        for (uint64_t i = 0; i < n && (ok = rd_str(r, &s)); i++) {
            ql_push(ql, true, s.p, s.len);
        }
        if (!ok || ql_count(ql) == 0) {
            ql_destroy(ql);
        } else {
            *out = kobj_new_ptr(key, OBJ_LIST, ENC_QUICKLIST, ql, exp);
        }
        break;
    }
    case RDB_TYPE_LIST_ZIPLIST:
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
        uint64_t nodes = 1;
        if (type != RDB_TYPE_LIST_ZIPLIST && !rd_count(r, &nodes, 2)) {
            break;
        }
        quicklist *ql = new_list();
        push_ctx pc = {ql};
        bool ok = true;
        for (uint64_t i = 0; i < nodes && ok; i++) {
            uint64_t container = RDB_QUICKLIST_NODE_PACKED;
            if (type == RDB_TYPE_LIST_QUICKLIST_2 && !(ok = rd_len(r, &container))) {
                break;
            }
            if (container == RDB_QUICKLIST_NODE_PLAIN) {
                if ((ok = rd_str(r, &s))) {
                    ql_push(ql, true, s.p, s.len);
                }
            } else if (container != RDB_QUICKLIST_NODE_PACKED) {
                ok = false;
                fail(r, RDB_ERR_CORRUPT, "Quicklist integrity check failed (container %llu)",
                     (unsigned long long)container);
            } else if (type == RDB_TYPE_LIST_QUICKLIST_2) {
                uint8_t *lp = rd_listpack(r, &s);
                if (!(ok = lp != NULL)) {
                    break;
                }
                ql_append_listpack(ql, lp); /* an empty one is dropped */
            } else {
                if ((ok = rd_str(r, &s)) &&
                    !(ok = ziplist_walk((const uint8_t *)s.p, s.len, push_entry, &pc))) {
                    fail(r, RDB_ERR_CORRUPT, "Ziplist integrity check failed");
                }
            }
        }
        if (!ok || ql_count(ql) == 0) {
            ql_destroy(ql);
        } else {
            *out = kobj_new_ptr(key, OBJ_LIST, ENC_QUICKLIST, ql, exp);
        }
        break;
    }
    case RDB_TYPE_SET: {
        if (!rd_count(r, &n, 1)) {
            break;
        }
        set_builder *b = set_build_start(n);
        bool ok = true;
        for (uint64_t i = 0; i < n && ok; i++) {
            if (!(ok = rd_str(r, &s))) {
                break;
            }
            if (!set_build_add(b, sb_kstr(&s))) {
                ok = false;
                fail(r, RDB_ERR_CORRUPT, "Duplicate set members detected");
            }
        }
        if (ok) {
            *out = set_build_finish(b, key, exp);
        } else {
            set_build_abort(b);
        }
        break;
    }
    case RDB_TYPE_SET_INTSET: {
        if (!rd_str(r, &s)) {
            break;
        }
        if (!intset_validate(s.p, s.len, true)) {
            fail(r, RDB_ERR_CORRUPT, "Intset integrity check failed");
            break;
        }
        size_t len = s.len;
        *out = set_from_intset(key, kv_realloc(sb_take(&s), len), exp);
        break;
    }
    case RDB_TYPE_SET_LISTPACK: {
        uint8_t *lp = rd_listpack(r, &s);
        if (!lp) {
            break;
        }
        pair_ctx pc = {.kind = 2, .sb = set_build_start(lp_length(lp))};
        uint8_t ib[LP_INTBUF_SIZE];
        bool ok = true;
        for (uint8_t *p = lp_first(lp); p && ok; p = lp_next(lp, p)) {
            size_t len;
            const uint8_t *e = lp_get(p, &len, ib, NULL, NULL);
            ok = pair_entry(&pc, e, len);
        }
        lp_free(lp);
        if (!ok) {
            set_build_abort(pc.sb);
            fail(r, RDB_ERR_CORRUPT, "Duplicate set members detected");
        } else {
            *out = set_build_finish(pc.sb, key, exp);
        }
        break;
    }
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
        if (!rd_count(r, &n, 2)) {
            break;
        }
        zset_builder *b = zset_build_start(n);
        bool ok = true;
        for (uint64_t i = 0; i < n && ok; i++) {
            double score;
            uint64_t bits;
            if (!(ok = rd_str(r, &s))) {
                break;
            }
            if (type == RDB_TYPE_ZSET_2) {
                ok = rd_le64(r, &bits);
                memcpy(&score, &bits, 8);
            } else {
                ok = rd_text_double(r, &score);
            }
            if (!ok) {
                break;
            }
            if (isnan(score)) {
                ok = false;
                fail(r, RDB_ERR_CORRUPT, "Zset with NAN score detected");
            } else if (!zset_build_add(b, sb_kstr(&s), score)) {
                ok = false;
                fail(r, RDB_ERR_CORRUPT, "Duplicate zset fields detected");
            }
        }
        if (ok) {
            *out = zset_build_finish(b, key, exp);
        } else {
            zset_build_abort(b);
        }
        break;
    }
    case RDB_TYPE_ZSET_LISTPACK: {
        uint8_t *lp = rd_listpack(r, &s);
        if (!lp) {
            break;
        }
        if (lp_length(lp) == 0) {
            lp_free(lp);
            break;
        }
        if (!(*out = zset_from_listpack(key, lp, exp))) {
            fail(r, RDB_ERR_CORRUPT, "Zset listpack integrity check failed");
        }
        break;
    }
    case RDB_TYPE_HASH:
    case RDB_TYPE_HASH_METADATA:
    case RDB_TYPE_HASH_METADATA_PRE_GA: {
        uint64_t min = 0;
        if (type == RDB_TYPE_HASH_METADATA && !rd_le64(r, &min)) {
            break;
        }
        if (!rd_count(r, &n, 2)) {
            break;
        }
        hash_builder *b = hash_build_start(n);
        bool ok = true;
        for (uint64_t i = 0; i < n && ok; i++) {
            uint64_t ttl = 0;
            if (type != RDB_TYPE_HASH && !(ok = rd_len(r, &ttl))) {
                break;
            }
            if (!(ok = rd_str(r, &f) && rd_str(r, &s))) {
                break;
            }
            int64_t at = -1;
            if (ttl) {
                at = type == RDB_TYPE_HASH_METADATA ? (int64_t)(ttl + min - 1) : (int64_t)ttl;
            }
            if (!hash_build_add(b, sb_kstr(&f), sb_kstr(&s), at)) {
                ok = false;
                fail(r, RDB_ERR_CORRUPT, "Duplicate hash fields detected");
            }
        }
        if (ok) {
            *out = hash_build_finish(b, key, exp);
        } else {
            hash_build_abort(b);
        }
        break;
    }
    case RDB_TYPE_HASH_LISTPACK: {
        uint8_t *lp = rd_listpack(r, &s);
        if (!lp) {
            break;
        }
        if (lp_length(lp) == 0) {
            lp_free(lp);
            break;
        }
        if (!(*out = hash_from_listpack(key, lp, exp))) {
            fail(r, RDB_ERR_CORRUPT, "Hash listpack integrity check failed");
        }
        break;
    }
    case RDB_TYPE_HASH_LISTPACK_EX:
    case RDB_TYPE_HASH_LISTPACK_EX_PRE_GA: {
        uint64_t min;
        if (type == RDB_TYPE_HASH_LISTPACK_EX && !rd_le64(r, &min)) {
            break;
        }
        uint8_t *lp = rd_listpack(r, &s);
        if (!lp) {
            break;
        }
        if (lp_length(lp) % 3) {
            lp_free(lp);
            fail(r, RDB_ERR_CORRUPT, "Hash listpack integrity check failed");
            break;
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
        if (ok) {
            *out = hash_build_finish(b, key, exp);
        } else {
            hash_build_abort(b);
        }
        break;
    }
    case RDB_TYPE_HASH_ZIPMAP:
    case RDB_TYPE_HASH_ZIPLIST:
    case RDB_TYPE_ZSET_ZIPLIST: {
        if (!rd_str(r, &s)) {
            break;
        }
        bool zset = type == RDB_TYPE_ZSET_ZIPLIST;
        pair_ctx pc = {.kind = zset ? 1 : 0};
        if (zset) {
            pc.zb = zset_build_start(0);
        } else {
            pc.hb = hash_build_start(0);
        }
        bool ok = type == RDB_TYPE_HASH_ZIPMAP
                      ? zipmap_walk((const uint8_t *)s.p, s.len, pair_entry, &pc)
                      : ziplist_walk((const uint8_t *)s.p, s.len, pair_entry, &pc);
        ok = ok && !pc.have_first;
        sb_free(&pc.first);
        if (!ok) {
            fail(r, RDB_ERR_CORRUPT, pc.dup ? "Duplicate fields detected"
                                            : "Ziplist integrity check failed");
            if (zset) {
                zset_build_abort(pc.zb);
            } else {
                hash_build_abort(pc.hb);
            }
        } else {
            *out = zset ? zset_build_finish(pc.zb, key, exp) : hash_build_finish(pc.hb, key, exp);
        }
        break;
    }
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
        fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds a stream (key '%.*s'): Kvik has no "
             "stream type", (int)(key.len > 64 ? 64 : key.len), key.p);
        break;
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
        fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds a module value (key '%.*s'): Kvik "
             "loads no modules", (int)(key.len > 64 ? 64 : key.len), key.p);
        break;
    default:
        fail(r, RDB_ERR_CORRUPT, "Unknown RDB encoding type %d", type);
        break;
    }
    sb_free(&s);
    sb_free(&f);
    rc = r->err->code;
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

static int load_stream(reader *r, rdb_load_stats *st)
{
    const rdb_load_opts *o = r->o;
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
    db *d = db_get(0);
    int64_t exp = -1, now = clock_ms();
    sbuf key = {0}, val = {0};
    int rc = RDB_OK;
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
        if (type == RDB_OPCODE_EXPIRETIME) {
            uint8_t b[4];
            if (!rd(r, b, 4)) {
                rc = r->err->code;
                break;
            }
            exp = (int64_t)((uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                            ((uint32_t)b[3] << 24)) * 1000;
            continue;
        }
        if (type == RDB_OPCODE_EXPIRETIME_MS) {
            uint64_t v;
            if (!rd_le64(r, &v)) {
                rc = r->err->code;
                break;
            }
            exp = (int64_t)v;
            continue;
        }
        if (type == RDB_OPCODE_IDLE || type == RDB_OPCODE_FREQ) {
            uint64_t ignored;
            uint8_t b;
            if (!(type == RDB_OPCODE_IDLE ? rd_len(r, &ignored) : rd_byte(r, &b))) {
                rc = r->err->code;
                break;
            }
            continue;
        }
        if (type == RDB_OPCODE_SELECTDB) {
            uint64_t id;
            if (!rd_len(r, &id)) {
                rc = r->err->code;
                break;
            }
            if (!o->discard && id >= (uint64_t)db_count()) {
                rc = fail(r, RDB_ERR_DBINDEX, "FATAL: Data file was created with a Redis "
                          "server configured to handle more than %d databases. Exiting\n",
                          db_count());
                break;
            }
            d = o->discard ? d : db_get((int)id);
            if (o->on_selectdb) {
                o->on_selectdb(o->priv, at, (int)id);
            }
            continue;
        }
        if (type == RDB_OPCODE_SLOT_INFO) {
            /* Redis 7.4 cluster mode: slot, keys, expires of a slot; sizing hints only. */
            uint64_t a, b, c;
            if (!rd_len(r, &a) || !rd_len(r, &b) || !rd_len(r, &c)) {
                rc = r->err->code;
                break;
            }
            continue;
        }
        if (type == RDB_OPCODE_RESIZEDB) {
            uint64_t a, b;
            if (!rd_len(r, &a) || !rd_len(r, &b)) {
                rc = r->err->code;
                break;
            }
            continue;
        }
        if (type == RDB_OPCODE_AUX) {
            if (!rd_str(r, &key) || !rd_str(r, &val)) {
                rc = r->err->code;
                break;
            }
            if (o->on_aux) {
                o->on_aux(o->priv, at, key.p, key.len, val.p, val.len);
            }
            continue;
        }
        if (type == RDB_OPCODE_MODULE_AUX) {
            rc = fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds module data: Kvik loads no "
                      "modules");
            break;
        }
        if (type == RDB_OPCODE_FUNCTION2 || type == RDB_OPCODE_FUNCTION_PRE_GA) {
            rc = fail(r, RDB_ERR_UNSUPPORTED, "The RDB file holds function libraries: Kvik "
                      "has no FUNCTION support");
            break;
        }
        if (!is_value_type(type)) {
            rc = fail(r, RDB_ERR_CORRUPT, "Unknown RDB encoding type %d", type);
            break;
        }
        if (!rd_str(r, &key)) {
            rc = r->err->code;
            break;
        }
        kobj *obj;
        kstr k = sb_kstr(&key);
        if ((rc = load_value(r, type, k, exp, &obj)) != RDB_OK) {
            break;
        }
        int64_t key_exp = exp;
        exp = -1;
        if (!obj) {
            continue; /* an empty value: Redis skips the key too */
        }
        if (key_exp >= 0) {
            st->keys_with_expire++;
        }
        bool expired = key_exp >= 0 && key_exp < now;
        if (o->discard) {
            kobj_free(obj);
            st->keys_loaded++;
            st->keys_expired += expired;
            continue;
        }
        if (o->skip_expired && expired) {
            kobj_free(obj);
            st->keys_expired++;
            continue;
        }
        if (o->replace && db_peek(d, k)) {
            db_delete(d, k);
        }
        if (db_peek(d, k)) {
            kobj_free(obj);
            rc = fail(r, RDB_ERR_CORRUPT, "RDB has duplicated key '%.*s' in DB %d",
                      (int)(k.len > 64 ? 64 : k.len), k.p, d->id);
            break;
        }
        bool field_ttls = kobj_type(obj) == OBJ_HASH && hash_value_min_expire(obj) >= 0;
        db_add(d, obj);
        if (field_ttls) {
            hash_track_key(d, k);
        }
        st->keys_loaded++;
    }
    sb_free(&key);
    sb_free(&val);
    if (rc != RDB_OK) {
        return rc;
    }
    fold_crc(r);
    uint64_t computed = r->crc, stored;
    if (version >= 5) {
        if (!rd_le64(r, &stored)) {
            return r->err->code;
        }
        st->checksum_present = stored != 0;
        if (o->checksum && stored != 0 && stored != computed) {
            r->pos -= 8; /* report the trailer's offset */
            return fail(r, RDB_ERR_CHECKSUM, "Wrong RDB checksum expected: (%llx) got (%llx). "
                        "Aborting now.", (unsigned long long)stored,
                        (unsigned long long)computed);
        }
    }
    return RDB_OK;
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
