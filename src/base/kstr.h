/* kstr.h - a borrowed byte string: pointer + length, no ownership, no NUL guarantee.
 *
 * Command arguments are kstrs pointing into the client's query buffer; they are valid
 * until the command returns. Anything that must outlive the command copies the bytes.
 */
#ifndef KV_KSTR_H
#define KV_KSTR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

typedef struct kstr {
    const char *p;
    size_t len;
} kstr;

#define KSTR_LIT(s) ((kstr){(s), sizeof(s) - 1})

static inline kstr kstr_make(const char *p, size_t len)
{
    return (kstr){p, len};
}

/* ASCII case-insensitive comparison with a NUL-terminated literal (option names). */
static inline bool kstr_is(kstr a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && strncasecmp(a.p, lit, n) == 0;
}

static inline bool kstr_eq(kstr a, kstr b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

#endif
