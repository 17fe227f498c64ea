/* check.h - the assertion macros every unit test uses: a failed check prints where and
 * what, counts, and lets the test go on, so one run shows every failure; main() ends with
 * `return check_summary("name");`. Each test is one translation unit, so the counters are
 * file-local. */
#ifndef KV_TEST_CHECK_H
#define KV_TEST_CHECK_H

#include <stddef.h>
#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                 \
    } while (0)

/* CHECK with a printf-style explanation of the failure. */
#define CHECK_MSG(cond, ...)                                                              \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
        }                                                                                 \
    } while (0)

/* CHECK for loops over many entries: counts once, reports the first bad index. */
#define CHECK_ALL(n, i, cond)                                                             \
    do {                                                                                  \
        size_t bad_ = (size_t)-1;                                                         \
        for (size_t i = 0; i < (n); i++) {                                                \
            if (!(cond)) {                                                                \
                bad_ = i;                                                                 \
                break;                                                                    \
            }                                                                             \
        }                                                                                 \
        if (bad_ == (size_t)-1) {                                                         \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            fprintf(stderr, "FAIL %s:%d: %s (at %zu)\n", __FILE__, __LINE__, #cond, bad_); \
        }                                                                                 \
    } while (0)

static inline int check_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
}

#endif
