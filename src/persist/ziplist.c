/* ziplist.c - walkers over Redis's retired ziplist and zipmap blobs (see ziplist.h).
 *
 * Ziplist layout: zlbytes u32 LE, zltail u32 LE, zllen u16 LE, entries, 0xFF. An entry is
 * prevlen (1 byte, or 0xFE and a u32 LE), an encoding, then data:
 *   00pppppp             string, 6-bit length
 *   01pppppp qqqqqqqq    string, 14-bit length (big-endian)
 *   10000000 + u32 BE    string, 32-bit length
 *   11000000 int16, 11010000 int32, 11100000 int64, 11110000 int24, 11111110 int8 (LE)
 *   1111xxxx             immediate 0..12 (xxxx - 1), xxxx in 0001..1101
 * Zipmap layout: zmlen u8, then pairs of (len, field, len, free u8, value, free bytes),
 * then 0xFF; a length is one byte below 254, or 254 and a u32 (little-endian).
 */
#include "persist/ziplist.h"

#include <string.h>

#include "base/util.h"

static uint32_t rd_le(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

bool ziplist_walk(const uint8_t *zl, size_t size, zl_entry_fn *fn, void *priv)
{
    if (size < 11 || rd_le(zl, 4) != size || zl[size - 1] != 0xFF) {
        return false;
    }
    const uint8_t *p = zl + 10, *end = zl + size - 1;
    char buf[24];
    while (p < end) {
        /* prevlen */
        if (*p == 0xFE) {
            if (end - p < 5) {
                return false;
            }
            p += 5;
        } else {
            p += 1;
        }
        if (p >= end) {
            return false;
        }
        uint8_t enc = *p;
        size_t len = 0;
        const uint8_t *s;
        long long v = 0;
        bool is_int = true;
        size_t avail = (size_t)(end - p);
        switch (enc >> 6) {
        case 0:
            len = enc & 0x3f;
            p += 1;
            is_int = false;
            break;
        case 1:
            if (avail < 2) {
                return false;
            }
            len = ((size_t)(enc & 0x3f) << 8) | p[1];
            p += 2;
            is_int = false;
            break;
        case 2:
            if (enc != 0x80 || avail < 5) {
                return false;
            }
            len = ((size_t)p[1] << 24) | ((size_t)p[2] << 16) | ((size_t)p[3] << 8) | p[4];
            p += 5;
            is_int = false;
            break;
        default: {
            int n;
            if (enc == 0xC0) {
                n = 2;
            } else if (enc == 0xD0) {
                n = 4;
            } else if (enc == 0xE0) {
                n = 8;
            } else if (enc == 0xF0) {
                n = 3;
            } else if (enc == 0xFE) {
                n = 1;
            } else if (enc >= 0xF1 && enc <= 0xFD) {
                n = 0;
                v = (enc & 0x0f) - 1;
            } else {
                return false;
            }
            if (avail < (size_t)n + 1) {
                return false;
            }
            if (n > 0) {
                uint64_t u = 0;
                for (int i = n - 1; i >= 0; i--) {
                    u = (u << 8) | p[1 + i];
                }
                /* sign-extend from n bytes */
                int shift = 64 - 8 * n;
                v = shift ? (long long)(u << shift) >> shift : (long long)u;
            }
            p += 1 + (size_t)n;
            break;
        }
        }
        if (is_int) {
            len = ll_to_str(buf, v);
            s = (const uint8_t *)buf;
        } else {
            if ((size_t)(end - p) < len) {
                return false;
            }
            s = p;
            p += len;
        }
        if (!fn(priv, s, len)) {
            return false;
        }
    }
    return p == end;
}

/* A zipmap length at *p; false when it does not fit. 255 (the end) yields UINT32_MAX. */
static bool zm_len(const uint8_t **p, const uint8_t *end, uint32_t *len)
{
    if (*p >= end) {
        return false;
    }
    if (**p < 254) {
        *len = *(*p)++;
        return true;
    }
    if (**p == 255) {
        *len = UINT32_MAX;
        return true;
    }
    if (end - *p < 5) {
        return false;
    }
    *len = rd_le(*p + 1, 4);
    *p += 5;
    return true;
}

bool zipmap_walk(const uint8_t *zm, size_t size, zl_entry_fn *fn, void *priv)
{
    if (size < 2 || zm[size - 1] != 0xFF) {
        return false;
    }
    const uint8_t *p = zm + 1, *end = zm + size;
    for (;;) {
        uint32_t flen, vlen;
        if (!zm_len(&p, end, &flen)) {
            return false;
        }
        if (flen == UINT32_MAX) {
            return p + 1 == end;
        }
        if ((size_t)(end - p) < flen) {
            return false;
        }
        const uint8_t *f = p;
        p += flen;
        if (!zm_len(&p, end, &vlen) || vlen == UINT32_MAX || p >= end) {
            return false;
        }
        uint8_t free_bytes = *p++;
        if ((size_t)(end - p) < (size_t)vlen + free_bytes) {
            return false;
        }
        if (!fn(priv, f, flen) || !fn(priv, p, vlen)) {
            return false;
        }
        p += vlen + free_bytes;
    }
}
