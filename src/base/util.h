/* util.h - number <-> string conversions, glob matching, units: byte-exact with Redis.
 *
 * All functions are pure and allocation-free unless they say otherwise.
 */
#ifndef KV_UTIL_H
#define KV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strict integer parsing as Redis's string2ll: optional '-', no '+', no spaces, no leading
 * zeros (except "0"; "-0" is refused), no overflow. Returns true and stores *out (if not
 * NULL) on success. */
bool str_to_ll(const char *s, size_t len, long long *out);
/* As Redis's string2ull (stream IDs), which is NOT strict: the input ends at its first NUL
 * byte; str_to_ll is tried first (a negative value is refused), then strtoull base-10
 * rules: leading whitespace, '+', leading zeros allowed, and a '-' negates modulo 2^64
 * (" -1" -> 18446744073709551615, "-0" -> 0); refuses trailing bytes and magnitudes
 * above 2^64-1. */
bool str_to_ull(const char *s, size_t len, unsigned long long *out);
/* Writes the decimal form of v into buf (>= 21 bytes), returns its length (no NUL needed
 * by callers, but one is written). */
size_t ll_to_str(char *buf, long long v);
size_t ull_to_str(char *buf, unsigned long long v);

/* Double parsing as Redis's string2d / getDoubleFromObject (glibc strtod on the whole
 * input): rejects empty, leading or trailing space, embedded NUL, NaN, overflow to +-inf
 * ("1e309") and underflow to 0 ("1e-400"); accepts "inf"/"infinity" with sign in any
 * case, hex floats ("0x10"), denormals. Inputs of 128 bytes or more are copied to a
 * temporary libc malloc buffer (freed before return; false if that fails). */
bool str_to_d(const char *s, size_t len, double *out);
/* Long double parsing as Redis's string2ld (INCRBYFLOAT): the str_to_d rules with
 * strtold, and input of 5*1024 bytes or more (len >= 5120) is refused. */
bool str_to_ld(const char *s, size_t len, long double *out);
/* Redis's d2string (RESP2 bulk doubles, "%.17g" with inf/-inf/nan spellings and
 * exact-integer fast path; 1e17 -> "1e+17", 0.1 -> "0.10000000000000001", -0.0 -> "-0").
 * buf >= 128 bytes is always enough; returns length, 0 if it does not fit with its NUL. */
size_t d_to_str(char *buf, size_t cap, double v);
/* Redis's ld2string in LD_STR_HUMAN mode (INCRBYFLOAT result: "%.17Lf", trailing zeros
 * and a trailing '.' removed, "-0" -> "0"; +-inf as "inf"/"-inf"). Returns length, 0 if
 * it does not fit with its NUL (printf output is built before trimming: 5120 bytes, as
 * Redis uses, fit every finite value; -LDBL_MAX needs 4953). */
size_t ld_to_str(char *buf, size_t cap, long double v);

/* Glob matching as Redis's stringmatchlen: * ? [abc] [^a] [a-z] and \ escapes;
 * nocase folds ASCII case. Redis quirks kept: the empty string matches only the empty
 * pattern ("*" too fails; callers special-case a lone "*" as Redis's KEYS/SCAN do);
 * patterns needing more than 1000 '*' groups never match. Iterative: O(patlen*slen)
 * time, no recursion, whatever the pattern. */
bool glob_match(const char *pat, size_t patlen, const char *s, size_t slen, bool nocase);

/* "100mb", "2gb", "1k", "12345" as Redis's memtoull: b/k/kb/m/mb/g/gb (case-insensitive;
 * k=1000, kb=1024 ...). s is a C string. Returns false on a leading '-', any other
 * suffix, or 128+ digits. Like Redis it does not detect overflow: digits saturate at
 * 2^64-1 and the unit multiply wraps ("17179869184gb" -> 0); no digits gives 0 ("",
 * "kb"). */
bool str_to_mem(const char *s, unsigned long long *out);

/* Writes s quoted as Redis's sdscatrepr does ("..." with \n \r \t \a \b \\ \" and \xHH
 * escapes) to out, which must hold 4 * len + 2 bytes; returns the bytes written. */
size_t str_repr(char *out, const char *s, size_t len);

/* A rank range as Redis reads LRANGE, LTRIM, ZRANGE and ZREMRANGEBYRANK arguments:
 * negative indexes count from the end, start is clamped to 0 and end to len - 1. False
 * when the range is empty (then *start and *end are unspecified). */
static inline bool rank_range(long long *start, long long *end, long long len)
{
    if (*start < 0) {
        *start += len;
    }
    if (*end < 0) {
        *end += len;
    }
    if (*start < 0) {
        *start = 0;
    }
    if (*start > *end || *start >= len) {
        return false;
    }
    if (*end >= len) {
        *end = len - 1;
    }
    return true;
}

#endif
