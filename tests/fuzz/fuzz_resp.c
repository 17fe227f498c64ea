/* fuzz_resp.c - libFuzzer target for the request parser and split_args.
 *
 * The first input byte picks limits (tiny line and bulk limits reach the "too big" and
 * "invalid bulk length" paths with short inputs) and the starting argv size; the rest is
 * the byte stream of a connection. It is parsed twice: all at once, and in pieces whose
 * sizes come from a generator seeded by a hash of the input, with argv grown only when the
 * parser asks. Both runs must give the same requests, error or final hint. Every call gets
 * a fresh heap copy of exactly the unparsed bytes, so reads past len or pointers kept
 * across calls trip ASan. Invariants checked on every call: consumed in (0, len], slices
 * inside the buffer, argc <= argv size, need_hint > len, argv_want > argv size, errors
 * are "Protocol error: ...".
 *
 * Build: clang -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined \
 *        -o fuzz_resp tests/fuzz/fuzz_resp.c src/proto/resp_parse.c src/base/splitargs.c
 */
#include "proto/resp_parse.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                                     \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            __builtin_trap();                                                             \
        }                                                                                 \
    } while (0)

typedef struct log_buf {
    uint8_t *b;
    size_t len, cap;
} log_buf;

static void log_put(log_buf *l, const void *p, size_t n)
{
    if (l->len + n > l->cap) {
        l->cap = (l->len + n) * 2 + 64;
        l->b = realloc(l->b, l->cap);
        REQUIRE(l->b != NULL);
    }
    memcpy(l->b + l->len, p, n);
    l->len += n;
}

static void log_size(log_buf *l, char tag, size_t v)
{
    log_put(l, &tag, 1);
    log_put(l, &v, sizeof(v));
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Bytes added when the parser needs more: mostly small pieces, sometimes big ones. */
static size_t piece(uint64_t *rng)
{
    uint64_t r = next_rand(rng);
    switch (r & 7) {
    case 0:
        return 1 + (size_t)((r >> 8) % 512);
    case 1:
    case 2:
        return 1;
    default:
        return 1 + (size_t)((r >> 8) % 8);
    }
}

static size_t more(size_t avail, size_t len, uint64_t *rng)
{
    size_t add = piece(rng);
    return add > len - avail ? len : avail + add;
}

/* rng == NULL: all bytes available from the start. */
static void run(const uint8_t *in, size_t len, const resp_limits *lim, size_t cap0,
                uint64_t *rng, log_buf *out)
{
    char *conn = malloc(len ? len : 1);
    REQUIRE(conn != NULL);
    memcpy(conn, in, len);
    size_t start = 0;
    size_t avail = rng == NULL ? len : more(0, len, rng);
    size_t cap = cap0;
    resp_arg *argv = cap ? malloc(cap * sizeof(*argv)) : NULL;
    resp_parser p;
    resp_parser_init(&p);
    while (start < len) {
        if (start == avail) {
            avail = more(avail, len, rng); /* rng is set: all-at-once never gets here */
        }
        size_t n = avail - start;
        char *buf = malloc(n);
        REQUIRE(buf != NULL);
        memcpy(buf, conn + start, n);
        int r = resp_parse(&p, buf, n, lim, argv, cap);
        memcpy(conn + start, buf, n); /* inline parsing rewrites the line */
        if (r == RESP_OK) {
            REQUIRE(p.consumed > 0 && p.consumed <= n);
            REQUIRE(p.argc <= cap);
            log_size(out, 'O', p.consumed);
            log_size(out, 'n', p.argc);
            for (size_t i = 0; i < p.argc; i++) {
                REQUIRE(argv[i].off <= n && argv[i].len <= n - argv[i].off);
                REQUIRE(argv[i].off + argv[i].len <= p.consumed);
                log_size(out, 'a', argv[i].len);
                log_put(out, buf + argv[i].off, argv[i].len);
            }
            start += p.consumed;
        } else if (r == RESP_ERROR) {
            REQUIRE(p.error != NULL && strncmp(p.error, "Protocol error: ", 16) == 0);
            log_put(out, "E", 1);
            log_put(out, p.error, strlen(p.error) + 1);
            free(buf);
            break;
        } else if (r == RESP_GROW) {
            REQUIRE(p.argv_want > cap);
            cap = p.argv_want;
            argv = realloc(argv, cap * sizeof(*argv));
            REQUIRE(argv != NULL);
        } else {
            REQUIRE(r == RESP_NEED_MORE);
            REQUIRE(p.need_hint > n);
            if (avail == len) {
                log_size(out, 'M', p.need_hint);
                free(buf);
                break;
            }
            avail = more(avail, len, rng);
        }
        free(buf);
    }
    free(argv);
    free(conn);
}

/* split_args on the raw bytes: counting and splitting agree, a short argv changes nothing,
 * slices stay inside the line. */
static void check_split(const uint8_t *in, size_t len)
{
    char *line = malloc(len ? len : 1);
    char *orig = malloc(len ? len : 1);
    REQUIRE(line != NULL && orig != NULL);
    memcpy(line, in, len);
    memcpy(orig, in, len);
    long count = split_args(line, len, NULL, 0);
    REQUIRE(count >= -1 && (count < 0 || (size_t)count <= len / 2 + 1));
    REQUIRE(memcmp(line, orig, len) == 0);
    if (count > 0) {
        split_arg few[1];
        REQUIRE(split_args(line, len, few, (size_t)count - 1) == -2);
        REQUIRE(memcmp(line, orig, len) == 0);
    }
    if (count >= 0) {
        split_arg *argv = malloc(((size_t)count + 1) * sizeof(*argv));
        REQUIRE(argv != NULL);
        REQUIRE(split_args(line, len, argv, (size_t)count) == count);
        for (long i = 0; i < count; i++) {
            REQUIRE(argv[i].off <= len && argv[i].len <= len - argv[i].off);
            REQUIRE(i == 0 || argv[i].off >= argv[i - 1].off + argv[i - 1].len);
        }
        free(argv);
    } else {
        split_arg one[1];
        REQUIRE(split_args(line, len, one, 1) == -1);
        REQUIRE(memcmp(line, orig, len) == 0);
    }
    free(orig);
    free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) {
        return 0;
    }
    uint8_t ctl = data[0];
    const uint8_t *in = data + 1;
    size_t len = size - 1;

    static const size_t inline_lims[4] = {RESP_MAX_INLINE_LEN_DEFAULT, 16, 64, 1024};
    static const long long bulk_lims[4] = {RESP_MAX_BULK_LEN_DEFAULT, 8, 100, LLONG_MAX};
    resp_limits lim = {bulk_lims[(ctl >> 3) & 3], inline_lims[ctl & 3], (ctl >> 2) & 1};
    size_t cap0 = (ctl >> 5) & 3; /* 0..3 */

    uint64_t seed = 1469598103934665603ULL; /* FNV-1a of the input seeds the splits */
    for (size_t i = 0; i < size; i++) {
        seed = (seed ^ data[i]) * 1099511628211ULL;
    }
    seed |= 1;

    log_buf once = {0}, pieces = {0};
    run(in, len, &lim, 16, NULL, &once);
    run(in, len, &lim, cap0, &seed, &pieces);
    REQUIRE(once.len == pieces.len && memcmp(once.b, pieces.b, once.len) == 0);
    free(once.b);
    free(pieces.b);

    check_split(in, len);
    return 0;
}
