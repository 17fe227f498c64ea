/* util.c - number <-> string conversions, glob matching and memory units (see util.h).
 *
 * Every function here reproduces what Redis 7.0 does with the same bytes, quirks
 * included, because clients observe the results: which strings INCR accepts, how a score
 * or an INCRBYFLOAT result is spelled, which keys KEYS returns, what CONFIG GET maxmemory
 * says after "CONFIG SET maxmemory 1K". Where Redis leans on libc (strtod, strtold,
 * snprintf) we call the same libc functions on the same bytes, so glibc decides rounding
 * exactly as it does for redis-server. Where Redis's behaviour comes from its own loops
 * (integer parsing, glob matching) we reimplement the observable rules, which are listed
 * next to each function and were checked against redis-server 7.0.15.
 *
 * Terms: a "C-string view" of (s, len) is its prefix up to the first NUL byte; some Redis
 * helpers take NUL-terminated strings and so never see what follows an embedded NUL.
 */
#include "base/util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Redis's buffer for long double text (MAX_LONG_DOUBLE_CHARS): string2ld refuses inputs
 * that do not fit in it with their NUL, so 5119 bytes is the longest accepted. */
#define LD_MAX_CHARS (5 * 1024)

/* Inputs to str_to_d shorter than this are copied to the stack to add the NUL strtod
 * needs; longer ones (legal: "0.000...1" may be any length) go to a temporary heap copy. */
#define D_STACK_CHARS 128

/* glob_match gives up (no match) when a match would need more than this many '*' groups,
 * as Redis 7.0.15 does to bound its recursion on hostile patterns. */
#define GLOB_MAX_STARS 1000

/* isspace() in the C locale, which is the locale redis-server parses numbers in. */
static bool is_c_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* ---- integers ---------------------------------------------------------------------- */

bool str_to_ll(const char *s, size_t len, long long *out)
{
    /* Rules: "0" alone, or an optional '-' then a digit 1-9 then digits, nothing else, so
     * "-0", "007", "+1", " 1", "1 " are all refused; the value must fit in long long. */
    size_t i = 0;
    bool neg = false;
    unsigned long long v;

    if (len == 0) {
        return false;
    }
    if (len == 1 && s[0] == '0') {
        if (out != NULL) {
            *out = 0;
        }
        return true;
    }
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    if (i >= len || s[i] < '1' || s[i] > '9') {
        return false;
    }
    v = (unsigned long long)(s[i++] - '0');
    for (; i < len; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (neg) {
        /* |LLONG_MIN| is one more than LLONG_MAX. */
        if (v > (unsigned long long)LLONG_MAX + 1) {
            return false;
        }
        if (out != NULL) {
            *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
        }
    } else {
        if (v > (unsigned long long)LLONG_MAX) {
            return false;
        }
        if (out != NULL) {
            *out = (long long)v;
        }
    }
    return true;
}

bool str_to_ull(const char *s, size_t len, unsigned long long *out)
{
    /* Redis's string2ull works on a C string: the strict signed parse first (a negative
     * result is refused), then strtoull(base 10), which also takes leading whitespace, a
     * sign, leading zeros and negates modulo 2^64 (" -1" is 18446744073709551615, "-0"
     * is 0); only magnitude overflow and trailing bytes are refused. XADD IDs show it. */
    const char *nul = memchr(s, '\0', len);
    size_t n = nul != NULL ? (size_t)(nul - s) : len;
    size_t i = 0;
    long long ll;
    unsigned long long v = 0;
    bool neg = false;

    if (str_to_ll(s, n, &ll)) {
        if (ll < 0) {
            return false;
        }
        if (out != NULL) {
            *out = (unsigned long long)ll;
        }
        return true;
    }
    while (i < n && is_c_space((unsigned char)s[i])) {
        i++;
    }
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    if (i >= n) {
        return false; /* empty, or no digits: nothing converted */
    }
    for (; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (out != NULL) {
        *out = neg ? 0 - v : v;
    }
    return true;
}

size_t ull_to_str(char *buf, unsigned long long v)
{
    char tmp[24];
    size_t n = 0;
    size_t i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (i = 0; i < n; i++) {
        buf[i] = tmp[n - 1 - i];
    }
    buf[n] = '\0';
    return n;
}

size_t ll_to_str(char *buf, long long v)
{
    if (v < 0) {
        /* Negate in unsigned arithmetic so LLONG_MIN needs no special case. */
        buf[0] = '-';
        return 1 + ull_to_str(buf + 1, 0 - (unsigned long long)v);
    }
    return ull_to_str(buf, (unsigned long long)v);
}

/* ---- floating point ---------------------------------------------------------------- */

bool str_to_d(const char *s, size_t len, double *out)
{
    /* strtod needs a NUL; the caller's bytes may be a slice of a read buffer. */
    char stack[D_STACK_CHARS];
    char *buf = stack;
    char *end;
    double v;
    bool ok;

    if (len == 0 || is_c_space((unsigned char)s[0])) {
        return false;
    }
    if (len >= sizeof(stack)) {
        buf = malloc(len + 1);
        if (buf == NULL) {
            return false;
        }
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    /* All bytes consumed (an embedded NUL stops strtod early, so it is refused);
     * overflow to +-inf and underflow to zero are refused, while a denormal result (also
     * ERANGE) and a literal "inf" are accepted. */
    ok = (size_t)(end - buf) == len && !isnan(v) &&
         !(errno == ERANGE && (isinf(v) || v == 0.0));
    if (buf != stack) {
        free(buf);
    }
    if (ok && out != NULL) {
        *out = v;
    }
    return ok;
}

bool str_to_ld(const char *s, size_t len, long double *out)
{
    char buf[LD_MAX_CHARS];
    char *end;
    long double v;

    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (is_c_space((unsigned char)buf[0])) {
        return false;
    }
    errno = 0;
    v = strtold(buf, &end);
    if ((size_t)(end - buf) != len || isnan(v) ||
        (errno == ERANGE && (isinf(v) || v == 0.0L))) {
        return false;
    }
    if (out != NULL) {
        *out = v;
    }
    return true;
}

/* Copies a short literal if it fits with its NUL; returns its length or 0. */
static size_t put_lit(char *buf, size_t cap, const char *lit)
{
    size_t n = strlen(lit);

    if (n + 1 > cap) {
        return 0;
    }
    memcpy(buf, lit, n + 1);
    return n;
}

size_t d_to_str(char *buf, size_t cap, double v)
{
    int n;

    /* Spelled out rather than left to printf: glibc prints a negative NaN as "-nan". */
    if (isnan(v)) {
        return put_lit(buf, cap, "nan");
    }
    if (isinf(v)) {
        return put_lit(buf, cap, v > 0 ? "inf" : "-inf");
    }
    if (v == 0.0) {
        return put_lit(buf, cap, signbit(v) ? "-0" : "0");
    }
    /* Integers below 2^52 print identically through the integer path ("%.17g" has room
     * for all their digits); it is only faster. */
    if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == (double)(long long)v) {
        char tmp[24];
        size_t len = ll_to_str(tmp, (long long)v);
        if (len + 1 > cap) {
            return 0;
        }
        memcpy(buf, tmp, len + 1);
        return len;
    }
    n = snprintf(buf, cap, "%.17g", v);
    if (n < 0 || (size_t)n + 1 > cap) {
        return 0;
    }
    return (size_t)n;
}

size_t ld_to_str(char *buf, size_t cap, long double v)
{
    int r;
    size_t n;

    if (isinf(v)) {
        return put_lit(buf, cap, v > 0 ? "inf" : "-inf");
    }
    /* 17 fractional digits: with 80-bit long doubles this rounds short decimals such as
     * 0.1+0.2 back to what the user typed ("0.3"). */
    r = snprintf(buf, cap, "%.17Lf", v);
    if (r < 0 || (size_t)r + 1 > cap) {
        return 0;
    }
    n = (size_t)r;
    if (memchr(buf, '.', n) != NULL) {
        while (buf[n - 1] == '0') {
            n--;
        }
        if (buf[n - 1] == '.') {
            n--;
        }
    }
    /* A tiny negative value rounds to "-0.000..." and would print as "-0". */
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        n = 1;
    }
    buf[n] = '\0';
    return n;
}

/* ---- glob matching ----------------------------------------------------------------- */

/* Redis compares pattern and string bytes as (signed) char and folds case with glibc's
 * tolower() in the C locale, which leaves ASCII other than A-Z alone, maps -128..-2 to
 * 128..254 and keeps -1 (EOF). That mapping is visible only in nocase ranges: "[\xc0-z]"
 * then matches nothing. */
static int glob_byte(char c)
{
    return (signed char)c;
}

static int glob_fold(int c)
{
    if (c >= 'A' && c <= 'Z') {
        return c + ('a' - 'A');
    }
    if (c < -1) {
        return c + 256;
    }
    return c;
}

/* Matches one non-star token of pat starting at *pp against the byte c and advances *pp
 * past the token. The token's extent never depends on c.
 *
 *   ?        any byte
 *   [...]    class: optional leading ^ negates; \x is x taken literally (compared
 *            case-sensitively even with nocase); a-b is a range whose bounds are swapped
 *            if reversed; ']' closes; an unclosed class runs to the end of the pattern
 *   \x       x literally; a trailing lone '\' is a literal backslash
 *   x        x (folded when nocase)
 */
static bool glob_token(const char *pat, size_t plen, size_t *pp, char c, bool nocase)
{
    size_t p = *pp;
    bool match = false;
    bool neg = false;

    if (pat[p] == '?') {
        *pp = p + 1;
        return true;
    }
    if (pat[p] != '[') {
        if (pat[p] == '\\' && plen - p >= 2) {
            p++;
        }
        *pp = p + 1;
        if (nocase) {
            return glob_fold(glob_byte(pat[p])) == glob_fold(glob_byte(c));
        }
        return pat[p] == c;
    }
    p++;
    if (p < plen && pat[p] == '^') {
        neg = true;
        p++;
    }
    for (;;) {
        if (p >= plen) {
            break;
        }
        if (pat[p] == '\\' && plen - p >= 2) {
            if (pat[p + 1] == c) {
                match = true;
            }
            p += 2;
        } else if (pat[p] == ']') {
            p++;
            break;
        } else if (plen - p >= 3 && pat[p + 1] == '-') {
            int lo = glob_byte(pat[p]);
            int hi = glob_byte(pat[p + 2]);
            int x = glob_byte(c);
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            /* Folded after the swap, as Redis does, so "[Z-a]" is empty with nocase. */
            if (nocase) {
                lo = glob_fold(lo);
                hi = glob_fold(hi);
                x = glob_fold(x);
            }
            if (x >= lo && x <= hi) {
                match = true;
            }
            p += 3;
        } else {
            if (nocase ? glob_fold(glob_byte(pat[p])) == glob_fold(glob_byte(c))
                       : pat[p] == c) {
                match = true;
            }
            p++;
        }
    }
    *pp = p;
    return neg ? !match : match;
}

bool glob_match(const char *pat, size_t patlen, const char *s, size_t slen, bool nocase)
{
    /* Iterative matching with one backtrack point, the latest '*': when the rest of the
     * pattern fails, only that star swallows one more byte; earlier stars never need to,
     * because any text they could give up would have to be matched by the latest star's
     * tail anyway. Every token but '*' takes exactly one byte, so this finds a match
     * iff one exists, in O(patlen * slen) time and no stack, whatever the pattern.
     *
     * Redis quirks kept: the empty string matches only the empty pattern (even "*"
     * fails on it), and a pattern needing its 1001st '*' group (consecutive stars are
     * one group) with pattern left after that group never matches. */
    size_t p = 0;
    size_t i = 0;
    size_t star_p = 0; /* pattern index just after the latest star group */
    size_t star_i = 0; /* string index where that star's match currently ends */
    bool have_star = false;
    unsigned stars = 0;

    if (slen == 0) {
        return patlen == 0;
    }
    while (i < slen) {
        if (p < patlen && pat[p] == '*') {
            while (p < patlen && pat[p] == '*') {
                p++;
            }
            if (p == patlen) {
                return true;
            }
            if (++stars > GLOB_MAX_STARS) {
                return false;
            }
            have_star = true;
            star_p = p;
            star_i = i;
            continue;
        }
        if (p < patlen && glob_token(pat, patlen, &p, s[i], nocase)) {
            i++;
            continue;
        }
        if (!have_star) {
            return false;
        }
        p = star_p;
        i = ++star_i;
    }
    while (p < patlen && pat[p] == '*') {
        p++;
    }
    return p == patlen;
}

/* ---- memory units ------------------------------------------------------------------ */

/* ASCII case-insensitive equality with a lowercase literal, as strcasecmp in the C
 * locale. */
static bool unit_is(const char *u, const char *lit)
{
    for (; *lit != '\0'; u++, lit++) {
        char c = *u;
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c + ('a' - 'A'));
        }
        if (c != *lit) {
            return false;
        }
    }
    return *u == '\0';
}

bool str_to_mem(const char *s, unsigned long long *out)
{
    /* Redis's memtoull, observable through CONFIG SET maxmemory: a leading '-' is an
     * error; then up to 127 digits, then nothing or a unit (b, k, kb, m, mb, g, gb, any
     * case). No digits means 0 ("" and "kb" are accepted as 0). Too many digits for
     * 64 bits saturate at 2^64-1, and the unit multiplication wraps modulo 2^64
     * ("17179869184gb" is 0): Redis checks neither. */
    static const struct {
        const char *name;
        unsigned long long mul;
    } units[] = {
        {"", 1ULL},
        {"b", 1ULL},
        {"k", 1000ULL},
        {"kb", 1024ULL},
        {"m", 1000ULL * 1000},
        {"mb", 1024ULL * 1024},
        {"g", 1000ULL * 1000 * 1000},
        {"gb", 1024ULL * 1024 * 1024},
    };
    const char *u = s;
    unsigned long long mul = 0;
    unsigned long long v = 0;
    size_t k;

    if (*s == '-') {
        return false;
    }
    while (*u >= '0' && *u <= '9') {
        u++;
    }
    for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
        if (unit_is(u, units[k].name)) {
            mul = units[k].mul;
            break;
        }
    }
    if (mul == 0 || u - s >= 128) {
        return false;
    }
    for (; s < u; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (ULLONG_MAX - d) / 10) {
            v = ULLONG_MAX;
            break;
        }
        v = v * 10 + d;
    }
    *out = v * mul;
    return true;
}

size_t str_repr(char *out, const char *s, size_t len)
{
    size_t n = 0;
    out[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '\\':
        case '"':
            out[n++] = '\\';
            out[n++] = (char)ch;
            break;
        case '\n': out[n++] = '\\'; out[n++] = 'n'; break;
        case '\r': out[n++] = '\\'; out[n++] = 'r'; break;
        case '\t': out[n++] = '\\'; out[n++] = 't'; break;
        case '\a': out[n++] = '\\'; out[n++] = 'a'; break;
        case '\b': out[n++] = '\\'; out[n++] = 'b'; break;
        default:
            if (ch >= 32 && ch < 127) {
                out[n++] = (char)ch;
            } else {
                n += (size_t)sprintf(out + n, "\\x%02x", ch);
            }
        }
    }
    out[n++] = '"';
    return n;
}
