/* varint.h - unsigned LEB128 lengths: 7 bits a byte, high bit set on all but the last.
 * Used inside compact entries (keyspace entries, hash fields) where most lengths are
 * below 128 and take one byte. Header-only: the callers are hot paths. */
#ifndef KV_VARINT_H
#define KV_VARINT_H

#include <stddef.h>
#include <stdint.h>

static inline size_t varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Writes v at p (varint_len(v) bytes); returns the bytes written. */
static inline size_t varint_put(uint8_t *p, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Reads a varint written by varint_put; returns the bytes read. */
static inline size_t varint_get(const uint8_t *p, size_t *v)
{
    size_t r = 0, n = 0;
    int shift = 0;
    do {
        r |= (size_t)(p[n] & 0x7f) << shift;
        shift += 7;
    } while (p[n++] & 0x80);
    *v = r;
    return n;
}

#endif
