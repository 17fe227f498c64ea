// deps: src/persist/ziplist.c src/base/util.c src/base/alloc.c
/* test_rdb_codec.c - unit tests for the RDB encoders (persist/rdb_format.h) and the
 * walkers over retired packed formats (persist/ziplist.c).
 *
 * Lengths and integer strings are checked at every encoding boundary against the bytes
 * Redis writes (a Redis 7.0 dump stores 12345 as c1 39 30). The ziplist and zipmap walkers
 * read hand-built blobs holding every entry encoding, and then every truncation and a
 * sweep of single-byte corruptions of them, which must be refused or read within bounds
 * (the blobs are exact-size allocations, so the sanitizer build catches overreads).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "persist/rdb_format.h"
#include "persist/ziplist.h"

#include "check.h"

static bool bytes_are(const uint8_t *got, size_t n, const char *hex)
{
    size_t want = strlen(hex) / 2;
    if (n != want) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        if (got[i] != v) {
            return false;
        }
    }
    return true;
}

static void test_lengths(void)
{
    uint8_t b[RDB_LEN_MAX_BYTES];
    size_t n;
    n = rdb_encode_len(b, 0);
    CHECK(bytes_are(b, n, "00"));
    n = rdb_encode_len(b, 63);
    CHECK(bytes_are(b, n, "3f"));
    n = rdb_encode_len(b, 64);
    CHECK(bytes_are(b, n, "4040"));
    n = rdb_encode_len(b, 16383);
    CHECK(bytes_are(b, n, "7fff"));
    n = rdb_encode_len(b, 16384);
    CHECK(bytes_are(b, n, "8000004000"));
    n = rdb_encode_len(b, UINT32_MAX);
    CHECK(bytes_are(b, n, "80ffffffff"));
    n = rdb_encode_len(b, (uint64_t)UINT32_MAX + 1);
    CHECK(bytes_are(b, n, "810000000100000000"));
}

static void test_ints(void)
{
    uint8_t b[5];
    size_t n;
    n = rdb_encode_int(b, 0);
    CHECK(bytes_are(b, n, "c000"));
    n = rdb_encode_int(b, -128);
    CHECK(bytes_are(b, n, "c080"));
    n = rdb_encode_int(b, 127);
    CHECK(bytes_are(b, n, "c07f"));
    n = rdb_encode_int(b, 128);
    CHECK(bytes_are(b, n, "c18000"));
    n = rdb_encode_int(b, 12345); /* as in a Redis 7.0 dump */
    CHECK(bytes_are(b, n, "c13930"));
    n = rdb_encode_int(b, -32768);
    CHECK(bytes_are(b, n, "c10080"));
    n = rdb_encode_int(b, 32768);
    CHECK(bytes_are(b, n, "c200800000"));
    n = rdb_encode_int(b, INT32_MIN);
    CHECK(bytes_are(b, n, "c200000080"));
    CHECK(rdb_encode_int(b, (long long)INT32_MAX + 1) == 0);
    CHECK(rdb_encode_int(b, (long long)INT32_MIN - 1) == 0);
}

typedef struct collect {
    char out[4096];
    size_t len;
    int n;
} collect;

static bool collect_entry(void *priv, const uint8_t *s, size_t len)
{
    collect *c = priv;
    if (c->len + len + 1 < sizeof(c->out)) {
        memcpy(c->out + c->len, s, len);
        c->len += len;
        c->out[c->len++] = '|';
    }
    c->n++;
    return true;
}

/* A ziplist: "x", 5 (immediate), 100 (int8), -1000 (int16), 100000 (int24),
 * 1000000000 (int32), -10^15 (int64), then a 70-byte string (14-bit length). */
static size_t build_ziplist(uint8_t *zl)
{
    size_t p = 10, prev = 0, tail = 10;
    uint8_t e[128];
    size_t en;
#define ENTRY(...)                                                                        \
    do {                                                                                  \
        const uint8_t body[] = {__VA_ARGS__};                                             \
        tail = p;                                                                         \
        e[0] = (uint8_t)prev;                                                             \
        memcpy(e + 1, body, sizeof(body));                                                \
        en = 1 + sizeof(body);                                                            \
        memcpy(zl + p, e, en);                                                            \
        p += en;                                                                          \
        prev = en;                                                                        \
    } while (0)
    ENTRY(0x01, 'x');
    ENTRY(0xF6);
    ENTRY(0xFE, 100);
    ENTRY(0xC0, 0x18, 0xFC);
    ENTRY(0xF0, 0xA0, 0x86, 0x01);
    ENTRY(0xD0, 0x00, 0xCA, 0x9A, 0x3B);
    ENTRY(0xE0, 0x00, 0x80, 0x39, 0x5B, 0x81, 0x72, 0xFC, 0xFF);
#undef ENTRY
    tail = p;
    zl[p++] = (uint8_t)prev;
    zl[p++] = 0x40;
    zl[p++] = 70;
    memset(zl + p, 'L', 70);
    p += 70;
    zl[p++] = 0xFF;
    uint32_t total = (uint32_t)p;
    memcpy(zl, &total, 4);
    uint32_t t = (uint32_t)tail;
    memcpy(zl + 4, &t, 4);
    zl[8] = 8;
    zl[9] = 0;
    return p;
}

static void test_ziplist(void)
{
    uint8_t buf[256];
    size_t n = build_ziplist(buf);
    uint8_t *zl = malloc(n);
    memcpy(zl, buf, n);
    collect c = {0};
    CHECK(ziplist_walk(zl, n, collect_entry, &c));
    CHECK(c.n == 8);
    char want[256];
    char ls[71];
    memset(ls, 'L', 70);
    ls[70] = '\0';
    snprintf(want, sizeof(want), "x|5|100|-1000|100000|1000000000|-1000000000000000|%s|", ls);
    CHECK(c.len == strlen(want) && memcmp(c.out, want, c.len) == 0);
    free(zl);

    /* every truncation is refused (zlbytes no longer matches, or the end is missing) */
    for (size_t k = 0; k < n; k++) {
        uint8_t *t = malloc(k ? k : 1);
        memcpy(t, buf, k);
        collect d = {0};
        CHECK(!ziplist_walk(t, k, collect_entry, &d));
        free(t);
    }
    /* single-byte corruptions: whatever the verdict, reads stay in bounds */
    for (size_t k = 10; k < n - 1; k++) {
        for (int v = 0; v < 256; v += 17) {
            uint8_t *t = malloc(n);
            memcpy(t, buf, n);
            t[k] = (uint8_t)v;
            collect d = {0};
            (void)ziplist_walk(t, n, collect_entry, &d);
            free(t);
        }
    }
    passed++;
}

static void test_zipmap(void)
{
    const uint8_t zm[] = {2, 2, 'z', 'f', 2, 0, 'z', 'v', 3, 'z', 'f', '2', 3, 1, 'z', 'v', '2',
                          'X', 0xFF};
    uint8_t *m = malloc(sizeof(zm));
    memcpy(m, zm, sizeof(zm));
    collect c = {0};
    CHECK(zipmap_walk(m, sizeof(zm), collect_entry, &c));
    CHECK(c.n == 4 && c.len == strlen("zf|zv|zf2|zv2|") &&
          memcmp(c.out, "zf|zv|zf2|zv2|", c.len) == 0);
    free(m);
    for (size_t k = 0; k < sizeof(zm); k++) {
        uint8_t *t = malloc(k ? k : 1);
        memcpy(t, zm, k);
        collect d = {0};
        CHECK(!zipmap_walk(t, k, collect_entry, &d));
        free(t);
    }
}

int main(void)
{
    test_lengths();
    test_ints();
    test_ziplist();
    test_zipmap();
    return check_summary("test_rdb_codec");
}
