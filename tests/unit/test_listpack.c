// deps: src/ds/listpack.c src/base/alloc.c src/base/rand.c
/* test_listpack.c - unit tests for the listpack (src/ds/listpack.c).
 *
 * Three kinds of checks: (1) exact bytes - integer and string encodings at every boundary,
 * backlen sizes, and listpacks taken from real Redis 7.0 DUMP payloads; (2) a random
 * operation run checked against a reference model (an array of strings), walking both
 * ways after every step; (3) lp_validate on truncated and corrupted inputs, each copied
 * into an exact-size allocation so that ASan catches any read past the end.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"
#include "ds/listpack.h"

#include "check.h"

static const uint8_t *S(const char *s)
{
    return (const uint8_t *)s;
}

/* ---- exact encodings ------------------------------------------------------------- */

typedef struct int_case {
    const char *text;
    bool is_int;      /* stored as an integer? */
    uint8_t enc;      /* expected first byte (for strings: masked type bits) */
    size_t entry_len; /* encoding + data + backlen */
} int_case;

static void test_int_encodings(void)
{
    static const int_case cases[] = {
        {"0", true, 0x00, 2},
        {"1", true, 0x01, 2},
        {"127", true, 0x7F, 2},
        {"128", true, 0xC0, 3},
        {"-1", true, 0xDF, 3},
        {"-4096", true, 0xD0, 3},
        {"4095", true, 0xCF, 3},
        {"4096", true, 0xF1, 4},
        {"-4097", true, 0xF1, 4},
        {"32767", true, 0xF1, 4},
        {"-32768", true, 0xF1, 4},
        {"32768", true, 0xF2, 5},
        {"-32769", true, 0xF2, 5},
        {"8388607", true, 0xF2, 5},
        {"-8388608", true, 0xF2, 5},
        {"8388608", true, 0xF3, 6},
        {"-8388609", true, 0xF3, 6},
        {"2147483647", true, 0xF3, 6},
        {"-2147483648", true, 0xF3, 6},
        {"2147483648", true, 0xF4, 10},
        {"-2147483649", true, 0xF4, 10},
        {"9223372036854775807", true, 0xF4, 10},
        {"-9223372036854775808", true, 0xF4, 10},
        {"-1234567890123456789", true, 0xF4, 10}, /* 20 chars */
        {"9223372036854775808", false, 0x80, 21},
        {"-9223372036854775809", false, 0x80, 22},
        {"12345678901234567890", false, 0x80, 22},  /* 20 digits, > INT64_MAX */
        {"18446744073709551616", false, 0x80, 22},
        {"-12345678901234567890", false, 0x80, 23}, /* 21 chars */
        {"-0", false, 0x80, 4},
        {"007", false, 0x80, 5},
        {"00", false, 0x80, 4},
        {"+5", false, 0x80, 4},
        {" 5", false, 0x80, 4},
        {"5 ", false, 0x80, 4},
        {"-", false, 0x80, 3},
        {"", false, 0x80, 2},
        {"1e3", false, 0x80, 5},
        {"0x10", false, 0x80, 6},
        {"-01", false, 0x80, 5},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const int_case *c = &cases[i];
        size_t tl = strlen(c->text);
        uint8_t *lp = lp_append(lp_new(0), S(c->text), tl);
        uint8_t *p = lp_first(lp);
        CHECK_MSG(p != NULL, "%s", c->text);
        uint8_t enc = c->is_int ? p[0] : (uint8_t)(p[0] & 0xC0);
        CHECK_MSG(enc == c->enc, "%s: enc %02x want %02x", c->text, p[0], c->enc);
        CHECK_MSG(lp_bytes(lp) == 7 + c->entry_len, "%s: %zu bytes", c->text, lp_bytes(lp));
        CHECK_MSG(lp_entry_size_for(S(c->text), tl) == c->entry_len, "%s", c->text);
        uint8_t buf[LP_INTBUF_SIZE];
        size_t len;
        long long iv = 12345;
        bool is_int = !c->is_int;
        const uint8_t *s = lp_get(p, &len, buf, &iv, &is_int);
        CHECK_MSG(len == tl && memcmp(s, c->text, tl) == 0, "%s: read back", c->text);
        CHECK_MSG(is_int == c->is_int, "%s", c->text);
        if (c->is_int) {
            CHECK_MSG(iv == strtoll(c->text, NULL, 10), "%s", c->text);
            CHECK(s == buf);
            /* The same entry through lp_append_int. */
            uint8_t *lp2 = lp_append_int(lp_new(0), iv);
            CHECK_MSG(lp_bytes(lp2) == lp_bytes(lp) && memcmp(lp2, lp, lp_bytes(lp)) == 0,
                      "%s: append_int", c->text);
            lp_free(lp2);
            /* Reading without an intbuf still gives the value. */
            iv = 0;
            CHECK(lp_get(p, &len, NULL, &iv, NULL) == NULL && iv == strtoll(c->text, NULL, 10));
        }
        CHECK_MSG(lp_eq(p, S(c->text), tl), "%s", c->text);
        CHECK_MSG(lp_find(lp, lp_first(lp), S(c->text), tl, 0) == p, "%s", c->text);
        CHECK(lp_prev(lp, p) == NULL && lp_next(lp, p) == NULL && lp_last(lp) == p);
        CHECK(lp_validate(lp, lp_bytes(lp), true));
        lp_free(lp);
    }
    /* Integer entries are not equal to non-canonical spellings of the same number. */
    uint8_t *lp = lp_append(lp_new(0), S("7"), 1);
    CHECK(!lp_eq(lp_first(lp), S("07"), 2));
    CHECK(!lp_eq(lp_first(lp), S("+7"), 2));
    CHECK(lp_find(lp, lp_first(lp), S("07"), 2, 0) == NULL);
    CHECK(!lp_eq(lp_first(lp), S("8"), 1));
    lp = lp_append(lp, S("07"), 2);
    CHECK(lp_find(lp, lp_first(lp), S("07"), 2, 0) == lp_last(lp));
    CHECK(lp_length(lp) == 2);
    lp_free(lp);
    /* Exact bytes of a few integers (two's complement, little endian). */
    lp = lp_append_int(lp_new(0), -2);
    lp = lp_append_int(lp, 300);
    lp = lp_append_int(lp, -70000);
    static const uint8_t want[] = {0x12, 0, 0, 0, 3, 0, 0xDF, 0xFE, 2, 0xC1, 0x2C, 2,
                                   0xF2, 0x90, 0xEE, 0xFE, 4, 0xFF};
    CHECK(lp_bytes(lp) == sizeof(want) && memcmp(lp, want, sizeof(want)) == 0);
    lp_free(lp);
}

static void test_string_encodings(void)
{
    /* length -> header bytes; backlen then follows Redis's thresholds */
    static const size_t lens[] = {0,    1,    62,   63,    64,    65,    125,     126,
                                  127,  4094, 4095, 4096,  4097,  16377, 16378,   16379,
                                  70000, 2097145, 2097146, 2097147};
    char *buf = malloc(2097147);
    for (size_t i = 0; i < 2097147; i++) {
        buf[i] = (char)('a' + i % 26);
    }
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t n = lens[i];
        size_t hdr = n < 64 ? 1 : n < 4096 ? 2 : 5;
        size_t l = hdr + n;
        size_t blen = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : 4;
        uint8_t *lp = lp_new(0);
        lp = lp_append(lp, S("x"), 1);
        lp = lp_append(lp, S(buf), n);
        lp = lp_append(lp, S("y"), 1);
        CHECK_MSG(lp_bytes(lp) == 7 + 3 + l + blen + 3, "len %zu: %zu bytes", n, lp_bytes(lp));
        CHECK(lp_entry_size_for(S(buf), n) == l + blen);
        uint8_t *p = lp_next(lp, lp_first(lp));
        uint8_t want = n < 64 ? (uint8_t)(0x80 | n) : n < 4096 ? (uint8_t)(0xE0 | (n >> 8)) : 0xF0;
        CHECK_MSG(p[0] == want, "len %zu: enc %02x", n, p[0]);
        /* backlen bytes: first has bit 7 clear, the rest set */
        const uint8_t *b = p + l;
        CHECK_MSG((b[0] & 128) == 0, "len %zu", n);
        for (size_t k = 1; k < blen; k++) {
            CHECK_MSG(b[k] & 128, "len %zu", n);
        }
        size_t got;
        const uint8_t *s = lp_get(p, &got, NULL, NULL, NULL);
        CHECK(got == n && memcmp(s, buf, n) == 0);
        CHECK(lp_prev(lp, lp_last(lp)) == p);
        CHECK(lp_prev(lp, p) == lp_first(lp));
        CHECK(lp_find(lp, lp_first(lp), S(buf), n, 0) == p);
        CHECK(lp_validate(lp, lp_bytes(lp), true));
        /* replace the big entry by a small one and back */
        uint8_t *np;
        lp = lp_insert(lp, S("z"), 1, p, LP_REPLACE, &np);
        CHECK(lp_bytes(lp) == 16 && lp_eq(np, S("z"), 1) && lp_length(lp) == 3);
        lp = lp_insert(lp, S(buf), n, np, LP_REPLACE, &np);
        CHECK(lp_bytes(lp) == 7 + 3 + l + blen + 3 && lp_eq(np, S(buf), n));
        CHECK(lp_validate(lp, lp_bytes(lp), true));
        lp_free(lp);
    }
    free(buf);
}

/* ---- cross-check with Redis 7.0 DUMP payloads ----------------------------------- */

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

/* The listpack inside a DUMP payload: type byte, RDB string length (6/14/32-bit), bytes
 * (rdbcompression was off, so no LZF). Returns its offset, sets *len. */
static size_t dump_listpack(const uint8_t *d, size_t *len)
{
    size_t i = 1;
    uint8_t t = d[i] >> 6;
    if (t == 0) {
        *len = d[i] & 0x3F;
        return i + 1;
    } else if (t == 1) {
        *len = (size_t)(d[i] & 0x3F) << 8 | d[i + 1];
        return i + 2;
    }
    *len = (size_t)d[i + 1] << 24 | (size_t)d[i + 2] << 16 | (size_t)d[i + 3] << 8 | d[i + 4];
    return i + 5;
}

static void check_dump(const char *hex, uint8_t rdb_type, const char *const *elems, size_t n)
{
    uint8_t *d = malloc(strlen(hex) / 2 + 1);
    size_t dn = unhex(hex, d);
    size_t len;
    size_t off = dump_listpack(d, &len);
    CHECK(d[0] == rdb_type);
    CHECK(off + len + 10 == dn); /* + RDB version (2) + CRC64 (8) */
    uint8_t *lp = lp_new(0);
    for (size_t i = 0; i < n; i++) {
        lp = lp_append(lp, S(elems[i]), strlen(elems[i]));
    }
    CHECK_MSG(lp_bytes(lp) == len && memcmp(lp, d + off, len) == 0, "redis dump mismatch (%zu vs %zu)",
              lp_bytes(lp), len);
    /* and the Redis bytes read back as the same entries, both ways */
    uint8_t *copy = kv_malloc(len);
    memcpy(copy, d + off, len);
    bool valid = lp_validate(copy, len, true);
    CHECK(valid);
    if (!valid) {
        kv_free(copy);
        lp_free(lp);
        free(d);
        return;
    }
    CHECK(lp_length(copy) == n);
    size_t i = 0;
    for (uint8_t *p = lp_first(copy); p; p = lp_next(copy, p), i++) {
        CHECK(i < n && lp_eq(p, S(elems[i]), strlen(elems[i])));
    }
    CHECK(i == n);
    for (uint8_t *p = lp_last(copy); p; p = lp_prev(copy, p)) {
        CHECK(i > 0 && lp_eq(p, S(elems[i - 1]), strlen(elems[i - 1])));
        i--;
    }
    CHECK(i == 0);
    kv_free(copy);
    lp_free(lp);
    free(d);
}

static void test_redis_dump(void)
{
    /* redis-server 7.0.15, CONFIG SET rdbcompression no; HSET h a 1 b hello; DUMP h */
    static const char *h1[] = {"a", "1", "b", "hello"};
    check_dump("101616000000040081610201018162028568656c6c6f06ff0a00e8c5fe99ee07955d", 16, h1,
               4);

    /* HSET h2 with integer boundaries and non-canonical numbers (see h2 below) */
    static char f63[64], v64[65];
    memset(f63, 'x', 63);
    memset(v64, 'y', 64);
    static const char *h2[] = {"0", "127", "128", "-1", "-4096", "4095", "4096", "-4097",
                               "32767", "-32768", "32768", "-32769", "8388607", "-8388608",
                               "8388608", "2147483647", "-2147483648", "2147483648",
                               "9223372036854775807", "-9223372036854775808", "-0", "007",
                               f63, v64, "12345678901234567890", "+1"};
    check_dump("104112120100001a0000017f01c08002dfff02d00002cfff02f1001003f1ffef03f1ff7f03f1008003f2"
               "00800004f2ff7fff04f2ffff7f04f200008004f30000800005f3ffffff7f05f30000008005f400000080"
               "0000000009f4ffffffffffffff7f09f4000000000000008009822d30038330303704bf78787878787878"
               "787878787878787878787878787878787878787878787878787878787878787878787878787878787878"
               "787878787878787878787878787840e04079797979797979797979797979797979797979797979797979"
               "797979797979797979797979797979797979797979797979797979797979797979797979797979429431"
               "3233343536373839303132333435363738393015822b3103ff0a003a35a2b3ef4c21c4",
               16, h2, sizeof(h2) / sizeof(h2[0]));

    /* ZADD z 1.5 m1 3 m2 -2 m3; DUMP z (RDB type 17 = zset listpack, ordered by score) */
    static const char *z[] = {"m3", "-2", "m1", "1.5", "m2", "3"};
    check_dump("111d1d0000000600826d3303dffe02826d310383312e3504826d32030301ff0a00c7fc52dea9c068ce",
               17, z, 6);
}

/* ---- random operations against a reference model --------------------------------- */

typedef struct model {
    char **s;
    size_t *len;
    size_t n, cap;
} model;

static void model_insert(model *m, size_t at, const char *s, size_t len)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->s = realloc(m->s, m->cap * sizeof(*m->s));
        m->len = realloc(m->len, m->cap * sizeof(*m->len));
    }
    memmove(m->s + at + 1, m->s + at, (m->n - at) * sizeof(*m->s));
    memmove(m->len + at + 1, m->len + at, (m->n - at) * sizeof(*m->len));
    m->s[at] = malloc(len + 1);
    memcpy(m->s[at], s, len);
    m->s[at][len] = '\0';
    m->len[at] = len;
    m->n++;
}

static void model_delete(model *m, size_t at, size_t count)
{
    for (size_t i = at; i < at + count; i++) {
        free(m->s[i]);
    }
    memmove(m->s + at, m->s + at + count, (m->n - at - count) * sizeof(*m->s));
    memmove(m->len + at, m->len + at + count, (m->n - at - count) * sizeof(*m->len));
    m->n -= count;
}

/* A random element: integers near every encoding boundary, non-canonical numbers,
 * short and long strings (around 63/64 and 4095/4096), some with NUL and 0xFF bytes. */
static size_t random_elem(char *buf)
{
    static const long long edges[] = {0,      127,     128,      -1,        -4096,
                                      -4097,  4095,    4096,     32767,     32768,
                                      -32768, -32769,  8388607,  8388608,   -8388608,
                                      -8388609, INT32_MAX, INT32_MIN, (long long)INT32_MAX + 1,
                                      LLONG_MAX, LLONG_MIN};
    static const char *odd[] = {"-0", "007", "+1", " 1", "1 ", "", "-", "1.0",
                                "9223372036854775808", "-9223372036854775809",
                                "12345678901234567890", "00"};
    switch (rand_below(8)) {
    case 0: {
        long long v = edges[rand_below(sizeof(edges) / sizeof(edges[0]))];
        /* +-1 around the edge; wraps at the int64 limits, still an integer */
        uint64_t u = (uint64_t)v + (uint64_t)rand_below(3) - 1;
        v = u <= (uint64_t)LLONG_MAX ? (long long)u : -(long long)(~u) - 1;
        return (size_t)sprintf(buf, "%lld", v);
    }
    case 1:
        return (size_t)sprintf(buf, "%lld", (long long)(rand_u64() >> rand_below(64)) *
                                                (rand_u64() & 1 ? 1 : -1));
    case 2: {
        const char *s = odd[rand_below(sizeof(odd) / sizeof(odd[0]))];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        return n;
    }
    case 3: {
        static const size_t near[] = {62, 63, 64, 65, 126, 127, 4094, 4095, 4096, 4097};
        size_t n = near[rand_below(sizeof(near) / sizeof(near[0]))];
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)('a' + rand_below(3));
        }
        return n;
    }
    case 4: {
        size_t n = rand_below(300);
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)rand_u64(); /* arbitrary bytes, including 0x00 and 0xFF */
        }
        return n;
    }
    default: {
        size_t n = 1 + rand_below(6);
        for (size_t i = 0; i < n; i++) {
            buf[i] = (char)('a' + rand_below(4)); /* small alphabet: find() hits */
        }
        return n;
    }
    }
}

static bool same_as_model(uint8_t *lp, const model *m)
{
    if (lp_length(lp) != m->n || !lp_validate(lp, lp_bytes(lp), true)) {
        return false;
    }
    size_t i = 0;
    for (uint8_t *p = lp_first(lp); p; p = lp_next(lp, p), i++) {
        size_t len;
        uint8_t buf[LP_INTBUF_SIZE];
        const uint8_t *s = lp_get(p, &len, buf, NULL, NULL);
        if (i >= m->n || len != m->len[i] || memcmp(s, m->s[i], len) != 0) {
            return false;
        }
    }
    if (i != m->n) {
        return false;
    }
    for (uint8_t *p = lp_last(lp); p; p = lp_prev(lp, p)) {
        if (i == 0 || !lp_eq(p, S(m->s[i - 1]), m->len[i - 1])) {
            return false;
        }
        i--;
    }
    return i == 0;
}

/* Index of the first model element equal to s at or after `from`, stepping 1 + skip. */
static long model_find(const model *m, size_t from, const char *s, size_t len, unsigned skip)
{
    for (size_t i = from; i < m->n; i += 1 + skip) {
        if (m->len[i] == len && memcmp(m->s[i], s, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static long index_of(uint8_t *lp, uint8_t *p)
{
    long i = 0;
    for (uint8_t *q = lp_first(lp); q; q = lp_next(lp, q), i++) {
        if (q == p) {
            return i;
        }
    }
    return -1;
}

static void test_random_ops(void)
{
    char *buf = malloc(8192);
    model m = {0};
    uint8_t *lp = lp_new(64);
    int bad = 0;
    size_t max_n = 0;
    for (int step = 0; step < 40000 && bad < 5; step++) {
        size_t len = random_elem(buf);
        int op = (int)rand_below(11);
        /* keep the list around a few hundred entries: grow more than shrink when small */
        if (m.n > 300 && op < 5) {
            op += 5;
        } else if (m.n < 250 && (op == 5 || op == 7) && step < 20000) {
            op = 2; /* first half: grow to a few hundred entries */
        }
        switch (op) {
        case 0:
            lp = lp_append(lp, S(buf), len);
            model_insert(&m, m.n, buf, len);
            break;
        case 1:
            lp = lp_prepend(lp, S(buf), len);
            model_insert(&m, 0, buf, len);
            break;
        case 2:
        case 3: {
            if (m.n == 0) {
                break;
            }
            size_t at = rand_below(m.n);
            bool after = rand_u64() & 1;
            long idx = (rand_u64() & 1) ? (long)at : (long)at - (long)m.n;
            uint8_t *p = lp_seek(lp, idx), *np;
            lp = lp_insert(lp, S(buf), len, p, after ? LP_AFTER : LP_BEFORE, &np);
            model_insert(&m, at + after, buf, len);
            if (!lp_eq(np, S(buf), len) || index_of(lp, np) != (long)(at + after)) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d: insert newp\n", step);
            }
            break;
        }
        case 4: {
            if (m.n == 0) {
                break;
            }
            size_t at = rand_below(m.n);
            uint8_t *np;
            lp = lp_insert(lp, S(buf), len, lp_seek(lp, (long)at), LP_REPLACE, &np);
            model_delete(&m, at, 1);
            model_insert(&m, at, buf, len);
            if (index_of(lp, np) != (long)at) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d: replace newp\n", step);
            }
            break;
        }
        case 5:
        case 6: {
            if (m.n == 0) {
                break;
            }
            size_t at = rand_below(m.n);
            uint8_t *next;
            lp = lp_delete(lp, lp_seek(lp, (long)at), &next);
            model_delete(&m, at, 1);
            long want = at < m.n ? (long)at : -1;
            if ((want < 0 && next != NULL) || (want >= 0 && index_of(lp, next) != want)) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d: delete next\n", step);
            }
            break;
        }
        case 7: {
            long idx = (long)rand_below(m.n + 3) - (long)rand_below(m.n + 3);
            size_t count = rand_below(6);
            lp = lp_delete_range(lp, idx, count);
            long start = idx < 0 ? idx + (long)m.n : idx;
            if (start >= 0 && start < (long)m.n && count) {
                size_t c = count < m.n - (size_t)start ? count : m.n - (size_t)start;
                model_delete(&m, (size_t)start, c);
            }
            break;
        }
        case 8: {
            long idx = (long)rand_below(2 * m.n + 3) - (long)m.n - 1;
            uint8_t *p = lp_seek(lp, idx);
            long want = idx < 0 ? idx + (long)m.n : idx;
            bool in = want >= 0 && want < (long)m.n;
            if (in ? (p == NULL || !lp_eq(p, S(m.s[want]), m.len[want])) : p != NULL) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d: seek %ld\n", step, idx);
            }
            break;
        }
        default: {
            /* find an existing element (or the random one) from a random start */
            const char *s = buf;
            size_t sl = len;
            if (m.n && (rand_u64() & 1)) {
                size_t k = rand_below(m.n);
                s = m.s[k];
                sl = m.len[k];
            }
            size_t from = rand_below(m.n + 1);
            unsigned skip = (unsigned)rand_below(3);
            uint8_t *p = lp_find(lp, lp_seek(lp, (long)from), S(s), sl, skip);
            long want = model_find(&m, from, s, sl, skip);
            if (index_of(lp, p) != want || (p == NULL) != (want < 0)) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d: find got %ld want %ld\n", step,
                        index_of(lp, p), want);
            }
            break;
        }
        }
        max_n = m.n > max_n ? m.n : max_n;
        if (step % 7 == 0 || m.n < 10) {
            if (!same_as_model(lp, &m)) {
                bad++, failed++;
                fprintf(stderr, "FAIL step %d (op %d): listpack differs from model\n", step, op);
            } else {
                passed++;
            }
        }
    }
    CHECK(same_as_model(lp, &m));
    printf("random ops: 40000 steps, max length %zu, final %zu\n", max_n, m.n);
    lp_free(lp);
    model_delete(&m, 0, m.n);
    free(m.s);
    free(m.len);
    free(buf);
}

/* Inserting an entry's own bytes back into the same listpack (the block moves). */
static void test_self_insert(void)
{
    uint8_t *lp = lp_new(0);
    char big[5000];
    memset(big, 'q', sizeof(big));
    lp = lp_append(lp, S(big), sizeof(big));
    lp = lp_append(lp, S("tail"), 4);
    for (int i = 0; i < 4; i++) {
        size_t len;
        const uint8_t *s = lp_get(lp_first(lp), &len, NULL, NULL, NULL);
        lp = lp_prepend(lp, s, len);
    }
    size_t len;
    const uint8_t *s = lp_get(lp_last(lp), &len, NULL, NULL, NULL);
    lp = lp_insert(lp, s, len, lp_first(lp), LP_REPLACE, NULL);
    CHECK(lp_length(lp) == 6 && lp_eq(lp_first(lp), S("tail"), 4));
    for (uint8_t *p = lp_next(lp, lp_first(lp)); p != lp_last(lp); p = lp_next(lp, p)) {
        CHECK(lp_eq(p, S(big), sizeof(big)));
    }
    CHECK(lp_validate(lp, lp_bytes(lp), true));
    lp_free(lp);
}

/* ---- count: 65535 means "walk" ------------------------------------------------------ */

static void test_count_unknown(void)
{
    uint8_t *lp = lp_new(0);
    for (int i = 0; i < 65534; i++) {
        lp = lp_append_int(lp, i % 100);
    }
    CHECK(lp[4] == 0xFE && lp[5] == 0xFF && lp_length(lp) == 65534);
    lp = lp_append(lp, S("x"), 1);
    CHECK(lp[4] == 0xFF && lp[5] == 0xFF && lp_length(lp) == 65535);
    lp = lp_append(lp, S("y"), 1);
    CHECK(lp_length(lp) == 65536);
    CHECK(lp_validate(lp, lp_bytes(lp), true));
    CHECK(lp_eq(lp_seek(lp, 65535), S("y"), 1) && lp_eq(lp_seek(lp, -2), S("x"), 1));
    CHECK(lp_seek(lp, 65536) == NULL && lp_seek(lp, -65537) == NULL);
    CHECK(lp_eq(lp_seek(lp, -65536), S("0"), 1));
    lp = lp_delete_range(lp, 0, 10);
    CHECK(lp_length(lp) == 65526);
    CHECK(lp_eq(lp_first(lp), S("10"), 2));
    lp = lp_delete_range(lp, 0, 65526);
    CHECK(lp_length(lp) == 0 && lp_first(lp) == NULL && lp_last(lp) == NULL);
    CHECK(lp_bytes(lp) == 7);
    lp_free(lp);
}

/* ---- validation of untrusted bytes ------------------------------------------------ */

static bool validate_copy(const uint8_t *src, size_t n, bool deep)
{
    uint8_t *c = kv_malloc(n ? n : 1);
    memcpy(c, src, n);
    bool ok = lp_validate(c, n, deep);
    if (ok && deep) {
        /* anything accepted must be walkable both ways and agree with itself */
        size_t fwd = 0, back = 0;
        for (uint8_t *p = lp_first(c); p; p = lp_next(c, p)) {
            size_t len;
            uint8_t buf[LP_INTBUF_SIZE];
            lp_get(p, &len, buf, NULL, NULL);
            fwd++;
        }
        for (uint8_t *p = lp_last(c); p; p = lp_prev(c, p)) {
            back++;
        }
        if (fwd != back || fwd != lp_length(c)) {
            failed++;
            fprintf(stderr, "FAIL: accepted listpack walks %zu/%zu/%zu\n", fwd, back,
                    lp_length(c));
        }
    }
    kv_free(c);
    return ok;
}

static uint8_t *sample_listpack(void)
{
    char big[5000];
    memset(big, 'b', sizeof(big));
    uint8_t *lp = lp_new(0);
    lp = lp_append(lp, S("hello"), 5);
    lp = lp_append(lp, S("5"), 1);
    lp = lp_append(lp, S("-300"), 4);
    lp = lp_append(lp, S(big), 100);
    lp = lp_append(lp, S("70000"), 5);
    lp = lp_append(lp, S("-2147483648"), 11);
    lp = lp_append(lp, S("9223372036854775807"), 19);
    lp = lp_append(lp, S(big), sizeof(big));
    lp = lp_append(lp, S("30000"), 5);
    lp = lp_append(lp, S("x"), 1);
    return lp;
}

static void test_validate(void)
{
    uint8_t *lp = sample_listpack();
    size_t n = lp_bytes(lp);
    CHECK(validate_copy(lp, n, true));
    CHECK(validate_copy(lp, n, false));
    CHECK(!validate_copy(lp, n - 1, false));
    CHECK(!validate_copy(lp, 0, false));
    CHECK(!validate_copy(lp, 6, true));
    CHECK(lp_validate(NULL, 0, true) == false);
    {
        uint8_t *e = lp_new(0);
        CHECK(validate_copy(e, 7, true));
        lp_free(e);
    }

    uint8_t *w = malloc(n);
    /* truncations: the raw prefix, and the prefix with the header and end byte fixed up
     * so that only the deep walk can notice */
    int rejected = 0, total = 0;
    for (size_t t = 0; t < n; t++) {
        memcpy(w, lp, t);
        total++;
        rejected += !validate_copy(w, t, true);
        if (t >= 7) {
            w[0] = (uint8_t)t;
            w[1] = (uint8_t)(t >> 8);
            w[2] = w[3] = 0;
            w[t - 1] = 0xFF;
            total++;
            rejected += !validate_copy(w, t, true);
        }
    }
    CHECK_MSG(rejected == total, "%d of %d truncations rejected", rejected, total);

    /* wrong count */
    memcpy(w, lp, n);
    w[4]++;
    CHECK(!validate_copy(w, n, true));
    CHECK(validate_copy(w, n, false)); /* the shallow check only looks at the header */
    w[4] = 0xFF;
    w[5] = 0xFF; /* unknown: accepted, walked */
    CHECK(validate_copy(w, n, true));

    /* every backlen byte altered: must be rejected */
    int bl_total = 0, bl_rej = 0;
    for (uint8_t *p = lp_first(lp); p; p = lp_next(lp, p)) {
        uint8_t *q = lp_next(lp, p);
        size_t end = q ? (size_t)(q - lp) : n - 1; /* one past the entry's last byte */
        memcpy(w, lp, n);
        w[end - 1] ^= 0x01;
        bl_total++;
        bl_rej += !validate_copy(w, n, true);
        memcpy(w, lp, n);
        w[end - 1] ^= 0x80;
        bl_total++;
        bl_rej += !validate_copy(w, n, true);
    }
    CHECK_MSG(bl_rej == bl_total, "%d of %d backlen corruptions rejected", bl_rej, bl_total);

    /* unused encodings, an end byte in the middle, a 32-bit string length past the end */
    memcpy(w, lp, n);
    w[6] = 0xF5;
    CHECK(!validate_copy(w, n, true));
    w[6] = 0xFF;
    CHECK(!validate_copy(w, n, true));
    {
        uint8_t bad[] = {0x0C, 0, 0, 0, 1, 0, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
        CHECK(!validate_copy(bad, sizeof(bad), true));
        uint8_t bad2[] = {0x09, 0, 0, 0, 1, 0, 0xE0, 0xFF}; /* 12-bit len cut by the end */
        CHECK(!validate_copy(bad2, sizeof(bad2), true));
        uint8_t bad3[] = {0x09, 0, 0, 0, 1, 0, 0xF4, 0x01, 0xFF};
        CHECK(!validate_copy(bad3, sizeof(bad3), true));
        uint8_t good[] = {0x09, 0, 0, 0, 1, 0, 0x05, 0x01, 0xFF};
        CHECK(validate_copy(good, sizeof(good), true));
        uint8_t bad4[] = {0x09, 0, 0, 0, 1, 0, 0x05, 0x02, 0xFF}; /* backlen 2 != 1 */
        CHECK(!validate_copy(bad4, sizeof(bad4), true));
        uint8_t bad5[] = {0x09, 0, 0, 0, 1, 0, 0x05, 0x01, 0xFE}; /* no end byte */
        CHECK(!validate_copy(bad5, sizeof(bad5), true));
        uint8_t bad6[] = {0x0A, 0, 0, 0, 1, 0, 0x05, 0x01, 0xFF}; /* total != size */
        CHECK(!validate_copy(bad6, sizeof(bad6), true));
    }

    /* random byte corruption: whatever is accepted must be safe to walk (checked inside
     * validate_copy); under ASan any out-of-bounds read aborts the run */
    int accepted = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(w, lp, n);
        int flips = 1 + (int)rand_below(3);
        for (int k = 0; k < flips; k++) {
            /* half of the hits on the header and the small entries around the strings */
            size_t at = (rand_u64() & 1) ? rand_below(n) : (rand_u64() & 1) ? rand_below(140) : n - 1 - rand_below(60);
            w[at] = (uint8_t)rand_u64();
        }
        size_t t = (rand_u64() & 3) ? n : rand_below(n + 1);
        accepted += validate_copy(w, t, true);
    }
    passed++;
    printf("random corruption: %d of 20000 accepted (all walked safely)\n", accepted);
    free(w);
    lp_free(lp);
}

/* ---- misc API edges ---------------------------------------------------------------- */

static void test_edges(void)
{
    uint8_t *lp = lp_new(0);
    CHECK(lp_bytes(lp) == 7 && lp_length(lp) == 0);
    CHECK(lp_first(lp) == NULL && lp_last(lp) == NULL && lp_seek(lp, 0) == NULL);
    CHECK(lp_seek(lp, -1) == NULL);
    CHECK(lp_find(lp, lp_first(lp), S("a"), 1, 0) == NULL);
    CHECK(lp_next(lp, NULL) == NULL && lp_prev(lp, NULL) == NULL);
    lp = lp_delete_range(lp, 0, 5);
    CHECK(lp_bytes(lp) == 7);
    uint8_t *np;
    lp = lp_insert(lp, S("a"), 1, NULL, LP_BEFORE, &np); /* NULL = past the end: appends */
    CHECK(np == lp_first(lp) && lp_length(lp) == 1);
    lp = lp_prepend(lp, S("b"), 1);
    lp = lp_insert(lp, S("c"), 1, NULL, LP_AFTER, NULL);
    CHECK(lp_eq(lp_seek(lp, 0), S("b"), 1) && lp_eq(lp_seek(lp, 1), S("a"), 1) &&
          lp_eq(lp_seek(lp, 2), S("c"), 1));
    CHECK(lp_seek(lp, LONG_MIN) == NULL && lp_seek(lp, LONG_MAX) == NULL);
    /* field/value search: skip = 1 only looks at even positions */
    lp = lp_delete_range(lp, 0, 3);
    const char *kv[] = {"f1", "v1", "v1", "f1", "f2", "v2"};
    for (int i = 0; i < 6; i++) {
        lp = lp_append(lp, S(kv[i]), 2);
    }
    CHECK(index_of(lp, lp_find(lp, lp_first(lp), S("f1"), 2, 1)) == 0);
    CHECK(index_of(lp, lp_find(lp, lp_first(lp), S("v1"), 2, 1)) == 2);
    CHECK(lp_find(lp, lp_first(lp), S("v2"), 2, 1) == NULL);
    CHECK(index_of(lp, lp_find(lp, lp_seek(lp, 1), S("f1"), 2, 1)) == 3);
    CHECK(index_of(lp, lp_find(lp, lp_first(lp), S("v2"), 2, 0)) == 5);
    lp = lp_delete(lp, lp_last(lp), &np);
    CHECK(np == NULL && lp_length(lp) == 5);
    lp = lp_delete_range(lp, -2, 100);
    CHECK(lp_length(lp) == 3 && lp_eq(lp_last(lp), S("v1"), 2));
    CHECK(lp_validate(lp, lp_bytes(lp), true));
    lp_free(lp);
    lp_free(NULL);
}

int main(void)
{
    rand_seed(0x9E3779B97F4A7C15ULL);
    test_int_encodings();
    test_string_encodings();
    test_redis_dump();
    test_edges();
    test_self_insert();
    test_random_ops();
    test_count_unknown();
    test_validate();
    return check_summary("test_listpack");
}
