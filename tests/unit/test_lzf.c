// deps: src/ds/lzf.c src/ds/listpack.c src/base/alloc.c src/base/rand.c
/* test_lzf.c - unit tests for the LZF codec (src/ds/lzf.c).
 *
 * Decodes LZF strings taken from real Redis 7.0 DUMP payloads (rdbcompression yes), round
 * trips many kinds of data at many sizes, checks that a too-small output buffer gives 0
 * in both directions, and feeds truncated and corrupted streams to the decompressor in
 * exact-size allocations so that ASan catches any out-of-bounds access.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/rand.h"
#include "ds/listpack.h"
#include "ds/lzf.h"

#include "check.h"

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

/* RDB length (6/14/32-bit forms) at d[*i]. */
static size_t rdb_len(const uint8_t *d, size_t *i)
{
    uint8_t t = d[*i] >> 6;
    size_t n;
    if (t == 0) {
        n = d[*i] & 0x3F;
        *i += 1;
    } else if (t == 1) {
        n = (size_t)(d[*i] & 0x3F) << 8 | d[*i + 1];
        *i += 2;
    } else {
        n = (size_t)d[*i + 1] << 24 | (size_t)d[*i + 2] << 16 | (size_t)d[*i + 3] << 8 |
            d[*i + 4];
        *i += 5;
    }
    return n;
}

/* Decompresses the LZF string (0xC3 clen ulen data) of a DUMP payload into a fresh
 * buffer of exactly ulen bytes; *ulen receives the length. */
static uint8_t *dump_lzf(const char *hex, uint8_t want_type, size_t *ulen)
{
    uint8_t d[1024];
    size_t dn = unhex(hex, d);
    CHECK(d[0] == want_type && d[1] == 0xC3);
    size_t i = 2;
    size_t clen = rdb_len(d, &i);
    *ulen = rdb_len(d, &i);
    CHECK(i + clen + 10 == dn);
    uint8_t *c = malloc(clen), *u = malloc(*ulen);
    memcpy(c, d + i, clen);
    CHECK(lzf_decompress(c, clen, u, *ulen) == *ulen);
    CHECK(lzf_decompress(c, clen, u, *ulen - 1) == 0); /* one byte short: refused */
    free(c);
    return u;
}

static void test_redis_dump(void)
{
    size_t n;
    /* SET s <"a" x 100>; DUMP s */
    uint8_t *u = dump_lzf("00c3094064016161e057000161610a00e8a3b507b06df271", 0, &n);
    bool all_a = n == 100;
    for (size_t i = 0; i < n; i++) {
        all_a = all_a && u[i] == 'a';
    }
    CHECK(all_a);
    free(u);

    static const char s2[] = "hello world, hello world, hello lzf! 0123456789 0123456789 "
                             "abcabcabcabcabc";
    u = dump_lzf("00c32f404a0d68656c6c6f20776f726c642c2068e0090c0e6c7a66212030313233343536373839e00"
                 "30a02616263e001020162630a0025df249fade11b76",
                 0, &n);
    CHECK(n == sizeof(s2) - 1 && memcmp(u, s2, n) == 0);
    free(u);

    /* HSET h field0 value0 ... field7 value7; DUMP h: a compressed hash listpack */
    u = dump_lzf("10c34051408713870000001000866669656c6430078676616c75652007600f0031a00f2007600f00"
                 "32a00f2007600f0033a00f2007600f0034a00f2007600f0035a00f2007600f0036a00f2007600f"
                 "0037a00f023707ff0a008a5692d246b696d0",
                 16, &n);
    uint8_t *lp = lp_new(0);
    for (int i = 0; i < 8; i++) {
        char f[16], v[16];
        int fl = snprintf(f, sizeof(f), "field%d", i), vl = snprintf(v, sizeof(v), "value%d", i);
        lp = lp_append(lp, (const uint8_t *)f, (size_t)fl);
        lp = lp_append(lp, (const uint8_t *)v, (size_t)vl);
    }
    CHECK(n == lp_bytes(lp) && memcmp(u, lp, n) == 0);
    /* and ours compresses it to something that decodes to the same bytes */
    uint8_t c[256], back[256];
    size_t cl = lzf_compress(lp, n, c, n - 4);
    CHECK(cl > 0 && cl < n - 4);
    CHECK(lzf_decompress(c, cl, back, sizeof(back)) == n && memcmp(back, lp, n) == 0);
    lp_free(lp);
    free(u);
}

/* Fills buf with data of a given kind. */
static void fill(uint8_t *buf, size_t n, int kind)
{
    static const char *words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                                  "lazy ", "dog ", "field", "value", "12345", "\n"};
    size_t i = 0;
    switch (kind) {
    case 0: /* random: incompressible */
        for (; i < n; i++) {
            buf[i] = (uint8_t)rand_u64();
        }
        break;
    case 1: /* one byte repeated */
        memset(buf, 'z', n);
        break;
    case 2: /* text-like */
        while (i < n) {
            const char *w = words[rand_below(sizeof(words) / sizeof(words[0]))];
            for (size_t k = 0; w[k] && i < n; k++) {
                buf[i++] = (uint8_t)w[k];
            }
        }
        break;
    case 3: /* small alphabet: short matches everywhere */
        for (; i < n; i++) {
            buf[i] = (uint8_t)('a' + rand_below(3));
        }
        break;
    case 4: /* long repeats at distances near the 8192 window edge */
        for (; i < n; i++) {
            buf[i] = i >= 8192 && (rand_u64() & 7) ? buf[i - 8192] : i >= 8191 && (rand_u64() & 1) ? buf[i - 8191] : (uint8_t)rand_u64();
        }
        break;
    default: /* runs of random length */
        while (i < n) {
            uint8_t b = (uint8_t)rand_u64();
            size_t run = 1 + rand_below(300);
            for (size_t k = 0; k < run && i < n; k++) {
                buf[i++] = b;
            }
        }
        break;
    }
}

static void test_round_trips(void)
{
    static const size_t sizes[] = {1,   2,   3,   4,   5,    8,    31,   32,    33,    63,
                                   64,  100, 255, 256, 257,  1000, 4096, 8191,  8192,  8193,
                                   8200, 16383, 16384, 16385, 65536, 100000, 300000};
    int bad = 0, rounds = 0;
    size_t total_in = 0, total_out = 0;
    for (int kind = 0; kind < 6; kind++) {
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
            size_t n = sizes[si];
            size_t cap = n + n / 32 + 2; /* worst case: all literals */
            uint8_t *in = malloc(n), *c = malloc(cap), *u = malloc(n);
            fill(in, n, kind);
            size_t cl = lzf_compress(in, n, c, cap);
            rounds++;
            if (cl == 0 || lzf_decompress(c, cl, u, n) != n || memcmp(u, in, n) != 0) {
                bad++;
                fprintf(stderr, "FAIL round trip kind %d size %zu (cl %zu)\n", kind, n, cl);
            } else if (lzf_decompress(c, cl, u, n - 1) != 0) {
                bad++;
                fprintf(stderr, "FAIL short output accepted, kind %d size %zu\n", kind, n);
            }
            total_in += n;
            total_out += cl;
            /* an exact-size output buffer one byte too small must give 0, no overflow */
            if (cl > 1) {
                uint8_t *tight = malloc(cl - 1);
                if (lzf_compress(in, n, tight, cl - 1) != 0) {
                    bad++;
                    fprintf(stderr, "FAIL tight compress kind %d size %zu\n", kind, n);
                }
                free(tight);
                tight = malloc(cl);
                if (lzf_compress(in, n, tight, cl) != cl) {
                    bad++;
                }
                free(tight);
            }
            free(in);
            free(c);
            free(u);
        }
    }
    if (bad == 0) {
        passed += rounds;
    } else {
        failed += bad;
    }
    printf("round trips: %d, %zu bytes -> %zu\n", rounds, total_in, total_out);
    uint8_t x = 0;
    CHECK(lzf_compress(&x, 0, &x, 1) == 0);
    CHECK(lzf_decompress(&x, 0, &x, 1) == 0);
}

/* Hostile input: every prefix, and random corruption; decompressor must stay in bounds. */
static void test_corrupt(void)
{
    size_t n = 20000;
    uint8_t *in = malloc(n);
    fill(in, n, 2);
    size_t cap = n + n / 32 + 2;
    uint8_t *c = malloc(cap);
    size_t cl = lzf_compress(in, n, c, cap);
    CHECK(cl > 0 && cl < n);
    uint8_t *u = malloc(n);
    int shorter = 0;
    for (size_t t = 0; t < cl; t++) {
        uint8_t *cc = malloc(t ? t : 1);
        memcpy(cc, c, t);
        size_t r = lzf_decompress(cc, t, u, n);
        shorter += r < n; /* a prefix never yields the whole output */
        free(cc);
    }
    CHECK(shorter == (int)cl);
    for (int round = 0; round < 5000; round++) {
        size_t t = (rand_u64() & 1) ? cl : rand_below(cl + 1);
        uint8_t *cc = malloc(t ? t : 1);
        memcpy(cc, c, t);
        for (int k = 0, flips = 1 + (int)rand_below(4); k < flips && t; k++) {
            cc[rand_below(t)] = (uint8_t)rand_u64();
        }
        size_t outcap = (rand_u64() & 1) ? n : rand_below(n);
        uint8_t *out = malloc(outcap ? outcap : 1);
        size_t r = lzf_decompress(cc, t, out, outcap);
        if (r > outcap) {
            failed++;
        }
        free(out);
        free(cc);
    }
    passed++;
    /* hand-made bad streams */
    uint8_t out[64];
    static const uint8_t ref_before_start[] = {0x00, 'a', 0x20, 0x01}; /* d = 2 > 1 */
    CHECK(lzf_decompress(ref_before_start, sizeof(ref_before_start), out, sizeof(out)) == 0);
    static const uint8_t ok_fill[] = {0x00, 'a', 0x20, 0x00}; /* 'a' then 3 more */
    CHECK(lzf_decompress(ok_fill, sizeof(ok_fill), out, sizeof(out)) == 4 &&
          memcmp(out, "aaaa", 4) == 0);
    static const uint8_t long_ref[] = {0x00, 'b', 0xE0, 0x05, 0x00}; /* 1 + 14 */
    CHECK(lzf_decompress(long_ref, sizeof(long_ref), out, sizeof(out)) == 15);
    CHECK(lzf_decompress(long_ref, 4, out, sizeof(out)) == 0); /* offset byte missing */
    CHECK(lzf_decompress(long_ref, 3, out, sizeof(out)) == 0); /* length byte missing */
    static const uint8_t lit_cut[] = {0x05, 'a', 'b'};
    CHECK(lzf_decompress(lit_cut, sizeof(lit_cut), out, sizeof(out)) == 0);
    free(in);
    free(c);
    free(u);
}

int main(void)
{
    rand_seed(0x2545F4914F6CDD1DULL);
    test_redis_dump();
    test_round_trips();
    test_corrupt();
    return check_summary("test_lzf");
}
