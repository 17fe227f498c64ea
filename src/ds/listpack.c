/* listpack.c - Redis's listpack byte format: build, walk, search, edit, validate.
 *
 * Owns: the listpack allocation (one block from kv_malloc, resized on every change so it
 * holds exactly lp_bytes bytes of payload). Everything else is computed from the bytes;
 * there is no side structure, so a listpack can be written to and read from RDB as is.
 *
 * Layout (all multi-byte fields little endian, except the backlen, see below):
 *
 *   +-----------+---------+---------+---------+-----+---------+------+
 *   | total u32 | count16 | entry 0 | entry 1 | ... | entry n | 0xFF |
 *   +-----------+---------+---------+---------+-----+---------+------+
 *   entry = <encoding [+ length | integer]> <string bytes> <backlen>
 *
 *   encoding byte     meaning                        following bytes
 *   0xxxxxxx          uint 0..127 in the byte        -
 *   10llllll          string, len < 64               len bytes
 *   110vvvvv v8       int -4096..4095 (13 bits, 2's complement, high bits first)
 *   1110llll l8       string, len < 4096 (12 bits)   len bytes
 *   11110000 l32      string, 32-bit length          len bytes
 *   11110001..0100    int 16 / 24 / 32 / 64 bits     2 / 3 / 4 / 8 bytes LE
 *   11111111          end of the listpack
 *
 * backlen holds the size of <encoding + data> (not counting itself) in 1..5 bytes of 7
 * bits, most significant group first; every byte but the first has bit 7 set, so reading
 * right to left from an entry's end one stops at the byte with bit 7 clear. The byte count
 * follows Redis's thresholds exactly (<= 127, < 16383, < 2097151, < 268435455), so two
 * byte-identical inputs produce byte-identical listpacks with Redis.
 *
 * Invariants: a string that is a canonical int64 (as Redis's lpStringToInt64: no sign but
 * '-', no leading zero, no "-0", at most 20 chars) is always stored as the smallest integer
 * encoding, so equality with an integer entry is numeric equality. count is exact unless it
 * is 65535 ("unknown": lp_length walks); once unknown it stays so, as in Redis.
 * Positions handed to callers always point at an encoding byte, never at the end byte.
 */
#include "ds/listpack.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define HDR_SIZE 6
#define LP_EOF 0xFF
#define COUNT_UNKNOWN 65535u
#define MAX_HDR 9 /* encoding byte + 8 bytes of integer, or + 4 bytes of length */

/* ---- small helpers ---------------------------------------------------------------- */

static inline uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void wr_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline unsigned rd_count(const uint8_t *lp)
{
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

static inline void wr_count(uint8_t *lp, unsigned n)
{
    lp[4] = (uint8_t)n;
    lp[5] = (uint8_t)(n >> 8);
}

/* Adds delta to the element count unless it is unknown; reaching 65535 makes it unknown. */
static inline void add_count(uint8_t *lp, long delta)
{
    unsigned n = rd_count(lp);
    if (n != COUNT_UNKNOWN) {
        long v = (long)n + delta;
        wr_count(lp, v >= (long)COUNT_UNKNOWN ? COUNT_UNKNOWN : (unsigned)v);
    }
}

static inline size_t backlen_size(uint64_t l)
{
    if (l <= 127) {
        return 1;
    } else if (l < 16383) {
        return 2;
    } else if (l < 2097151) {
        return 3;
    } else if (l < 268435455) {
        return 4;
    }
    return 5;
}

/* Writes the backlen of l into buf (left to right), returns its byte count. */
static inline size_t backlen_encode(uint8_t *buf, uint64_t l)
{
    size_t n = backlen_size(l);
    for (size_t i = 0; i < n; i++) {
        unsigned shift = (unsigned)(7 * (n - 1 - i));
        buf[i] = (uint8_t)((l >> shift) & 127) | (i ? 128 : 0);
    }
    return n;
}

/* Reads a backlen that ends at p (its last byte), walking left; *nbytes gets its size. */
static inline uint64_t backlen_decode(const uint8_t *p, size_t *nbytes)
{
    uint64_t v = 0;
    unsigned shift = 0;
    size_t n = 0;
    for (;;) {
        v |= (uint64_t)(p[-(ptrdiff_t)n] & 127) << shift;
        n++;
        if (!(p[-(ptrdiff_t)(n - 1)] & 128) || n == 5) {
            break;
        }
        shift += 7;
    }
    *nbytes = n;
    return v;
}

/* Size of an entry's encoding + data (without backlen). p must be a valid entry. */
static inline size_t enc_data_size(const uint8_t *p)
{
    uint8_t b = p[0];
    if (b < 0x80) {
        return 1;
    }
    if (b < 0xC0) {
        return 1 + (size_t)(b & 0x3F);
    }
    if (b < 0xE0) {
        return 2;
    }
    if (b < 0xF0) {
        return 2 + ((size_t)(b & 0x0F) << 8 | p[1]);
    }
    switch (b) {
    case 0xF0: return 5 + (size_t)rd_u32(p + 1);
    case 0xF1: return 3;
    case 0xF2: return 4;
    case 0xF3: return 5;
    case 0xF4: return 9;
    default: break;
    }
    fprintf(stderr, "listpack: bad encoding byte 0x%02x\n", b);
    abort();
}

static inline size_t entry_size(const uint8_t *p)
{
    size_t l = enc_data_size(p);
    return l + backlen_size(l);
}

static inline int64_t sign_extend(uint64_t uv, unsigned bits)
{
    if (bits < 64) {
        uint64_t m = 1ULL << (bits - 1);
        uv &= (1ULL << bits) - 1;
        uv = (uv ^ m) - m;
    }
    return uv <= (uint64_t)INT64_MAX ? (int64_t)uv : -(int64_t)(~uv) - 1;
}

static inline uint64_t rd_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

/* Decodes the integer of an integer entry (encoding byte b already known to be one). */
static inline int64_t int_value(const uint8_t *p)
{
    uint8_t b = p[0];
    if (b < 0x80) {
        return b;
    }
    if ((b & 0xE0) == 0xC0) {
        return sign_extend((uint64_t)(b & 0x1F) << 8 | p[1], 13);
    }
    switch (b) {
    case 0xF1: return sign_extend(rd_le(p + 1, 2), 16);
    case 0xF2: return sign_extend(rd_le(p + 1, 3), 24);
    case 0xF3: return sign_extend(rd_le(p + 1, 4), 32);
    default: return sign_extend(rd_le(p + 1, 8), 64);
    }
}

/* For a string entry returns its bytes and length; NULL for an integer entry. */
static inline const uint8_t *str_value(const uint8_t *p, size_t *len)
{
    uint8_t b = p[0];
    if ((b & 0xC0) == 0x80) {
        *len = b & 0x3F;
        return p + 1;
    }
    if ((b & 0xF0) == 0xE0) {
        *len = (size_t)(b & 0x0F) << 8 | p[1];
        return p + 2;
    }
    if (b == 0xF0) {
        *len = rd_u32(p + 1);
        return p + 5;
    }
    return NULL;
}

/* Redis's lpStringToInt64: canonical decimal int64 of at most 20 characters. */
static bool str_to_i64(const uint8_t *s, size_t len, int64_t *out)
{
    if (len == 0 || len > 20) {
        return false;
    }
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
        if (len == 1) {
            return false;
        }
    }
    if (s[i] < '1' || s[i] > '9') {
        return false;
    }
    uint64_t v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) {
            return false;
        }
        *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX) {
            return false;
        }
        *out = (int64_t)v;
    }
    return true;
}

/* Decimal text of v into buf (>= LP_INTBUF_SIZE bytes, NUL-terminated); returns length. */
static size_t i64_to_str(int64_t v, uint8_t *buf)
{
    uint8_t tmp[LP_INTBUF_SIZE];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0) {
        buf[len++] = '-';
    }
    while (n) {
        buf[len++] = tmp[--n];
    }
    buf[len] = '\0';
    return len;
}

/* ---- encoding new entries ----------------------------------------------------------- */

/* An entry ready to be written: hdr (encoding byte and integer or length bytes), then the
 * string bytes (if any), then the backlen. */
typedef struct encoded {
    uint8_t hdr[MAX_HDR];
    size_t hdr_len;
    const uint8_t *data;
    size_t data_len;
    uint8_t back[5];
    size_t back_len;
} encoded;

static size_t encode_int_hdr(int64_t v, uint8_t *buf)
{
    uint64_t uv = (uint64_t)v;
    unsigned nbytes;
    if (v >= 0 && v <= 127) {
        buf[0] = (uint8_t)v;
        return 1;
    } else if (v >= -4096 && v <= 4095) {
        uv &= 0x1FFF;
        buf[0] = (uint8_t)(0xC0 | (uv >> 8));
        buf[1] = (uint8_t)uv;
        return 2;
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        buf[0] = 0xF1;
        nbytes = 2;
    } else if (v >= -8388608 && v <= 8388607) {
        buf[0] = 0xF2;
        nbytes = 3;
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        buf[0] = 0xF3;
        nbytes = 4;
    } else {
        buf[0] = 0xF4;
        nbytes = 8;
    }
    for (unsigned i = 0; i < nbytes; i++) {
        buf[1 + i] = (uint8_t)(uv >> (8 * i));
    }
    return 1 + nbytes;
}

static size_t encode_str_hdr(size_t len, uint8_t *buf)
{
    if (len < 64) {
        buf[0] = (uint8_t)(0x80 | len);
        return 1;
    } else if (len < 4096) {
        buf[0] = (uint8_t)(0xE0 | (len >> 8));
        buf[1] = (uint8_t)len;
        return 2;
    }
    buf[0] = 0xF0;
    wr_u32(buf + 1, (uint32_t)len);
    return 5;
}

static void encode_finish(encoded *e)
{
    e->back_len = backlen_encode(e->back, (uint64_t)e->hdr_len + e->data_len);
}

static void encode_int(encoded *e, int64_t v)
{
    e->hdr_len = encode_int_hdr(v, e->hdr);
    e->data = NULL;
    e->data_len = 0;
    encode_finish(e);
}

static void encode_str(encoded *e, const uint8_t *s, size_t len)
{
    int64_t v;
    if (str_to_i64(s, len, &v)) {
        encode_int(e, v);
        return;
    }
    if (len > UINT32_MAX) {
        fprintf(stderr, "listpack: string of %zu bytes is too long\n", len);
        abort();
    }
    e->hdr_len = encode_str_hdr(len, e->hdr);
    e->data = s;
    e->data_len = len;
    encode_finish(e);
}

static inline size_t encoded_size(const encoded *e)
{
    return e->hdr_len + e->data_len + e->back_len;
}

/* Replaces the old_len bytes at offset off with entry e (or with nothing when e is NULL),
 * resizing the block; returns the new listpack. The caller fixes the count. */
static uint8_t *splice(uint8_t *lp, size_t off, size_t old_len, const encoded *e)
{
    size_t old_bytes = rd_u32(lp);
    size_t new_len = e ? encoded_size(e) : 0;
    size_t new_bytes = old_bytes - old_len + new_len;
    size_t tail = old_bytes - off - old_len;
    if (new_bytes > UINT32_MAX) {
        fprintf(stderr, "listpack: would exceed 4 GB (%zu bytes)\n", new_bytes);
        abort();
    }
    /* The string may live inside this very listpack (a caller moving an entry within
     * it): take a copy before the block moves or its bytes shift. */
    uint8_t *copy = NULL;
    encoded local;
    if (e && e->data_len && e->data >= lp && e->data < lp + old_bytes) {
        copy = kv_malloc(e->data_len);
        memcpy(copy, e->data, e->data_len);
        local = *e;
        local.data = copy;
        e = &local;
    }
    if (new_len > old_len) {
        lp = kv_realloc(lp, new_bytes);
        memmove(lp + off + new_len, lp + off + old_len, tail);
    } else if (new_len < old_len) {
        memmove(lp + off + new_len, lp + off + old_len, tail);
        lp = kv_realloc(lp, new_bytes);
    }
    if (e) {
        uint8_t *w = lp + off;
        memcpy(w, e->hdr, e->hdr_len);
        w += e->hdr_len;
        if (e->data_len) {
            memcpy(w, e->data, e->data_len);
            w += e->data_len;
        }
        memcpy(w, e->back, e->back_len);
    }
    wr_u32(lp, (uint32_t)new_bytes);
    kv_free(copy);
    return lp;
}

/* ---- public API --------------------------------------------------------------------- */

uint8_t *lp_new(size_t capacity_hint)
{
    size_t cap = capacity_hint > HDR_SIZE + 1 ? capacity_hint : HDR_SIZE + 1;
    uint8_t *lp = kv_malloc(cap);
    wr_u32(lp, HDR_SIZE + 1);
    wr_count(lp, 0);
    lp[HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(uint8_t *lp)
{
    kv_free(lp);
}

size_t lp_bytes(const uint8_t *lp)
{
    return rd_u32(lp);
}

size_t lp_length(const uint8_t *lp)
{
    unsigned n = rd_count(lp);
    if (n != COUNT_UNKNOWN) {
        return n;
    }
    size_t count = 0;
    const uint8_t *p = lp + HDR_SIZE;
    while (*p != LP_EOF) {
        p += entry_size(p);
        count++;
    }
    return count;
}

uint8_t *lp_first(uint8_t *lp)
{
    uint8_t *p = lp + HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

uint8_t *lp_next(uint8_t *lp, uint8_t *p)
{
    (void)lp;
    if (p == NULL) {
        return NULL;
    }
    p += entry_size(p);
    return *p == LP_EOF ? NULL : p;
}

/* The entry that ends right before p (p may be the end byte); NULL at the first entry. */
static inline uint8_t *prev_of(uint8_t *lp, uint8_t *p)
{
    if (p - lp <= HDR_SIZE) {
        return NULL;
    }
    size_t nbytes;
    uint64_t l = backlen_decode(p - 1, &nbytes);
    return p - nbytes - l;
}

uint8_t *lp_prev(uint8_t *lp, uint8_t *p)
{
    if (p == NULL) {
        return NULL;
    }
    return prev_of(lp, p);
}

uint8_t *lp_last(uint8_t *lp)
{
    return prev_of(lp, lp + rd_u32(lp) - 1);
}

uint8_t *lp_seek(uint8_t *lp, long index)
{
    size_t n = lp_length(lp);
    size_t i;
    if (index < 0) {
        unsigned long back = (unsigned long)(-(index + 1)) + 1;
        if (back > n) {
            return NULL;
        }
        i = n - back;
    } else {
        if ((unsigned long)index >= n) {
            return NULL;
        }
        i = (size_t)index;
    }
    uint8_t *p;
    if (i > n / 2) {
        p = lp_last(lp);
        for (size_t k = n - 1; k > i; k--) {
            p = prev_of(lp, p);
        }
    } else {
        p = lp + HDR_SIZE;
        for (size_t k = 0; k < i; k++) {
            p += entry_size(p);
        }
    }
    return p;
}

const uint8_t *lp_get(const uint8_t *p, size_t *len, uint8_t *intbuf, long long *ival,
                      bool *is_int)
{
    size_t slen;
    const uint8_t *s = str_value(p, &slen);
    if (s) {
        if (is_int) {
            *is_int = false;
        }
        *len = slen;
        return s;
    }
    int64_t v = int_value(p);
    if (ival) {
        *ival = v;
    }
    if (is_int) {
        *is_int = true;
    }
    if (intbuf == NULL) {
        *len = 0;
        return NULL;
    }
    *len = i64_to_str(v, intbuf);
    return intbuf;
}

bool lp_eq(const uint8_t *p, const uint8_t *s, size_t len)
{
    size_t slen;
    const uint8_t *es = str_value(p, &slen);
    if (es) {
        return slen == len && (len == 0 || memcmp(es, s, len) == 0);
    }
    int64_t v;
    return str_to_i64(s, len, &v) && v == int_value(p);
}

uint8_t *lp_insert(uint8_t *lp, const uint8_t *s, size_t len, uint8_t *p, lp_where where,
                   uint8_t **newp)
{
    encoded e;
    encode_str(&e, s, len);
    size_t off, old_len = 0;
    if (p == NULL || *p == LP_EOF) {
        if (where == LP_REPLACE) {
            fprintf(stderr, "listpack: LP_REPLACE without an entry\n");
            abort();
        }
        off = rd_u32(lp) - 1; /* append */
    } else if (where == LP_BEFORE) {
        off = (size_t)(p - lp);
    } else if (where == LP_AFTER) {
        off = (size_t)(p - lp) + entry_size(p);
    } else {
        off = (size_t)(p - lp);
        old_len = entry_size(p);
    }
    lp = splice(lp, off, old_len, &e);
    if (where != LP_REPLACE) {
        add_count(lp, 1);
    }
    if (newp) {
        *newp = lp + off;
    }
    return lp;
}

uint8_t *lp_append(uint8_t *lp, const uint8_t *s, size_t len)
{
    return lp_insert(lp, s, len, NULL, LP_AFTER, NULL);
}

uint8_t *lp_prepend(uint8_t *lp, const uint8_t *s, size_t len)
{
    return lp_insert(lp, s, len, lp + HDR_SIZE, LP_BEFORE, NULL);
}

uint8_t *lp_append_int(uint8_t *lp, long long v)
{
    encoded e;
    encode_int(&e, v);
    lp = splice(lp, rd_u32(lp) - 1, 0, &e);
    add_count(lp, 1);
    return lp;
}

uint8_t *lp_delete(uint8_t *lp, uint8_t *p, uint8_t **nextp)
{
    size_t off = (size_t)(p - lp);
    lp = splice(lp, off, entry_size(p), NULL);
    add_count(lp, -1);
    if (nextp) {
        *nextp = lp[off] == LP_EOF ? NULL : lp + off;
    }
    return lp;
}

uint8_t *lp_delete_range(uint8_t *lp, long index, size_t count)
{
    if (count == 0) {
        return lp;
    }
    uint8_t *p = lp_seek(lp, index);
    if (p == NULL) {
        return lp;
    }
    uint8_t *q = p;
    size_t deleted = 0;
    while (deleted < count && *q != LP_EOF) {
        q += entry_size(q);
        deleted++;
    }
    lp = splice(lp, (size_t)(p - lp), (size_t)(q - p), NULL);
    add_count(lp, -(long)deleted);
    return lp;
}

uint8_t *lp_find(uint8_t *lp, uint8_t *p, const uint8_t *s, size_t len, unsigned skip)
{
    (void)lp;
    if (p == NULL) {
        return NULL;
    }
    int64_t sv = 0;
    bool s_is_int = str_to_i64(s, len, &sv);
    unsigned to_skip = 0;
    while (*p != LP_EOF) {
        uint8_t b = p[0];
        size_t l;
        if (to_skip) {
            to_skip--;
            l = enc_data_size(p);
        } else if ((b & 0xC0) == 0x80) { /* the common case: short string */
            l = 1 + (size_t)(b & 0x3F);
            if (l - 1 == len && (len == 0 || memcmp(p + 1, s, len) == 0)) {
                return p;
            }
            to_skip = skip;
        } else {
            size_t elen;
            const uint8_t *es = str_value(p, &elen);
            if (es) {
                if (elen == len && (len == 0 || memcmp(es, s, len) == 0)) {
                    return p;
                }
            } else if (s_is_int && int_value(p) == sv) {
                return p;
            }
            l = enc_data_size(p);
            to_skip = skip;
        }
        p += l + backlen_size(l);
    }
    return NULL;
}

/* Checks the entry at p, which must end before `end` (the end byte); sets *next. */
static bool validate_entry(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
    size_t avail = (size_t)(end - p);
    uint8_t b = p[0];
    size_t hdr, data = 0;
    if (b < 0x80) {
        hdr = 1;
    } else if (b < 0xC0) {
        hdr = 1;
        data = b & 0x3F;
    } else if (b < 0xE0) {
        hdr = 2;
    } else if (b < 0xF0) {
        hdr = 2;
        if (avail < hdr) {
            return false;
        }
        data = (size_t)(b & 0x0F) << 8 | p[1];
    } else if (b == 0xF0) {
        hdr = 5;
        if (avail < hdr) {
            return false;
        }
        data = rd_u32(p + 1);
    } else if (b >= 0xF1 && b <= 0xF4) {
        static const size_t int_hdr[] = {3, 4, 5, 9};
        hdr = int_hdr[b - 0xF1];
    } else {
        return false; /* 0xF5..0xFE are unused, 0xFF here is a premature end */
    }
    if (hdr > avail || data > avail - hdr) {
        return false;
    }
    size_t l = hdr + data;
    size_t blen = backlen_size(l);
    if (blen > avail - l) {
        return false;
    }
    /* The backlen must be exactly what the encoder writes: same value, same byte count
     * and continuation bits, so lp_prev lands on this entry. */
    const uint8_t *q = p + l + blen - 1;
    uint64_t v = 0;
    for (size_t i = 0; i < blen; i++) {
        uint8_t c = q[-(ptrdiff_t)i];
        bool last = i == blen - 1;
        if (((c & 128) != 0) == last) {
            return false;
        }
        v |= (uint64_t)(c & 127) << (7 * i);
    }
    if (v != l) {
        return false;
    }
    *next = p + l + blen;
    return true;
}

bool lp_validate(const uint8_t *lp, size_t size, bool deep)
{
    if (lp == NULL || size < HDR_SIZE + 1 || size > UINT32_MAX) {
        return false;
    }
    if (rd_u32(lp) != size || lp[size - 1] != LP_EOF) {
        return false;
    }
    if (!deep) {
        return true;
    }
    const uint8_t *end = lp + size - 1;
    const uint8_t *p = lp + HDR_SIZE;
    size_t count = 0;
    while (p < end) {
        if (!validate_entry(p, end, &p)) {
            return false;
        }
        count++;
    }
    unsigned hdr_count = rd_count(lp);
    return hdr_count == COUNT_UNKNOWN || hdr_count == count;
}

size_t lp_entry_size_for(const uint8_t *s, size_t len)
{
    int64_t v;
    size_t l;
    if (str_to_i64(s, len, &v)) {
        uint8_t buf[MAX_HDR];
        l = encode_int_hdr(v, buf);
    } else {
        l = len + (len < 64 ? 1 : len < 4096 ? 2 : 5);
    }
    return l + backlen_size(l);
}
