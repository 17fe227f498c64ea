/* intset.c - the sorted integer set behind intset.h, in Redis's byte format.
 *
 * Owns: nothing beyond each set's single allocation. The header and the members are read
 * and written through explicit little-endian helpers, so the blob is the same on every
 * host (and unaligned access is never needed: the allocation starts 8-aligned and the
 * header is 8 bytes, but a blob handed over from RDB may sit anywhere).
 *
 * Terms. `width` is the encoding: bytes per member (2, 4 or 8). A value's width is the
 * narrowest of those that holds it. Upgrading rewrites every member at the new width,
 * back to front so the wider copy never overwrites a narrower member not yet read; the
 * value that caused it is wider than every member, so it is either the new minimum
 * (negative) or the new maximum (positive) and goes to one end without a search.
 *
 * Sizing. The allocation is resized to the exact blob on every add and remove, as Redis
 * does: with a size-class allocator most of these reallocs stay in place.
 */
#include "ds/intset.h"

#include <string.h>

#include "base/alloc.h"

struct intset {
    uint8_t bytes[INTSET_HEADER]; /* encoding u32 LE, length u32 LE; members follow */
};

/* ---- little-endian access ---- */

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int64_t get_int(const uint8_t *p, unsigned width)
{
    uint64_t u = 0;
    for (unsigned i = 0; i < width; i++) {
        u |= (uint64_t)p[i] << (8 * i);
    }
    if (width < 8 && (u >> (8 * width - 1)) & 1) {
        u |= ~(uint64_t)0 << (8 * width); /* sign-extend */
    }
    return (int64_t)u;
}

static void put_int(uint8_t *p, unsigned width, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (unsigned i = 0; i < width; i++) {
        p[i] = (uint8_t)(u >> (8 * i));
    }
}

static unsigned width_of(int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX) {
        return 2;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        return 4;
    }
    return 8;
}

/* ---- header ---- */

/* The blob as bytes: members lie beyond the declared header array, so address the whole
 * allocation rather than index past `bytes`. */
static uint8_t *raw(intset *is)
{
    return (uint8_t *)is;
}

static const uint8_t *craw(const intset *is)
{
    return (const uint8_t *)is;
}

unsigned intset_width(const intset *is)
{
    return get_u32(craw(is));
}

uint32_t intset_len(const intset *is)
{
    return get_u32(craw(is) + 4);
}

static void set_len(intset *is, uint32_t n)
{
    put_u32(raw(is) + 4, n);
}

size_t intset_bytes(const intset *is)
{
    return INTSET_HEADER + (size_t)intset_len(is) * intset_width(is);
}

static uint8_t *slot(intset *is, uint32_t pos)
{
    return raw(is) + INTSET_HEADER + (size_t)pos * intset_width(is);
}

static int64_t member(const intset *is, uint32_t pos)
{
    unsigned w = intset_width(is);
    return get_int(craw(is) + INTSET_HEADER + (size_t)pos * w, w);
}

static intset *resize(intset *is, uint32_t len, unsigned width)
{
    return kv_realloc(is, INTSET_HEADER + (size_t)len * width);
}

/* ---- public API ---- */

intset *intset_new(void)
{
    intset *is = kv_malloc(INTSET_HEADER);
    put_u32(raw(is), 2);
    put_u32(raw(is) + 4, 0);
    return is;
}

void intset_free(intset *is)
{
    kv_free(is);
}

intset *intset_dup(const intset *is)
{
    size_t n = intset_bytes(is);
    intset *d = kv_malloc(n);
    memcpy(d, is, n);
    return d;
}

int64_t intset_get(const intset *is, uint32_t pos)
{
    return member(is, pos);
}

/* Binary search: true when found at *pos; otherwise *pos is where v would be inserted. */
static bool search(const intset *is, int64_t v, uint32_t *pos)
{
    uint32_t lo = 0, hi = intset_len(is);
    if (hi == 0) {
        *pos = 0;
        return false;
    }
    /* Quick answers at both ends: appending ascending runs is the common bulk case. */
    if (v > member(is, hi - 1)) {
        *pos = hi;
        return false;
    }
    if (v < member(is, 0)) {
        *pos = 0;
        return false;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t m = member(is, mid);
        if (m == v) {
            *pos = mid;
            return true;
        }
        if (m < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *pos = lo;
    return false;
}

bool intset_find(const intset *is, int64_t v)
{
    uint32_t pos;
    return width_of(v) <= intset_width(is) && search(is, v, &pos);
}

/* Rewrites every member at the wider width `w` and adds v at the end it belongs to. */
static intset *upgrade_and_add(intset *is, int64_t v, unsigned w)
{
    unsigned old = intset_width(is);
    uint32_t len = intset_len(is);
    bool at_front = v < 0;
    is = resize(is, len + 1, w);
    uint8_t *base = raw(is) + INTSET_HEADER;
    for (uint32_t i = len; i-- > 0;) {
        int64_t m = get_int(base + (size_t)i * old, old);
        put_int(base + (size_t)(i + at_front) * w, w, m);
    }
    put_u32(raw(is), w);
    put_int(base + (size_t)(at_front ? 0 : len) * w, w, v);
    set_len(is, len + 1);
    return is;
}

intset *intset_add(intset *is, int64_t v, bool *added)
{
    unsigned w = width_of(v);
    if (w > intset_width(is)) {
        if (added) {
            *added = true;
        }
        return upgrade_and_add(is, v, w);
    }
    uint32_t pos;
    if (search(is, v, &pos)) {
        if (added) {
            *added = false;
        }
        return is;
    }
    uint32_t len = intset_len(is);
    w = intset_width(is);
    is = resize(is, len + 1, w);
    uint8_t *at = slot(is, pos);
    memmove(at + w, at, (size_t)(len - pos) * w);
    put_int(at, w, v);
    set_len(is, len + 1);
    if (added) {
        *added = true;
    }
    return is;
}

intset *intset_remove(intset *is, int64_t v, bool *removed)
{
    uint32_t pos;
    if (width_of(v) > intset_width(is) || !search(is, v, &pos)) {
        if (removed) {
            *removed = false;
        }
        return is;
    }
    uint32_t len = intset_len(is);
    unsigned w = intset_width(is);
    uint8_t *at = slot(is, pos);
    memmove(at, at + w, (size_t)(len - pos - 1) * w);
    set_len(is, len - 1);
    if (removed) {
        *removed = true;
    }
    return resize(is, len - 1, w);
}

bool intset_validate(const void *p, size_t size, bool deep)
{
    const uint8_t *b = p;
    if (size < INTSET_HEADER) {
        return false;
    }
    uint32_t w = get_u32(b), len = get_u32(b + 4);
    if (w != 2 && w != 4 && w != 8) {
        return false;
    }
    /* As Redis: an empty intset is never written, so reading one means corruption. */
    if (len == 0 || (size - INTSET_HEADER) / w != len || (size - INTSET_HEADER) % w != 0) {
        return false;
    }
    if (!deep) {
        return true;
    }
    int64_t prev = get_int(b + INTSET_HEADER, w);
    for (uint32_t i = 1; i < len; i++) {
        int64_t m = get_int(b + INTSET_HEADER + (size_t)i * w, w);
        if (m <= prev) {
            return false;
        }
        prev = m;
    }
    return true;
}
