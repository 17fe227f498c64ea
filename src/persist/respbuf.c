/* respbuf.c - RESP command encoding into a growable buffer (see respbuf.h). */
#include "persist/respbuf.h"

#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

void rb_reserve(respbuf *b, size_t more)
{
    if (b->len + more <= b->cap) {
        return;
    }
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + more) {
        cap *= 2;
    }
    b->p = kv_realloc(b->p, cap);
    b->cap = cap;
}

void rb_add(respbuf *b, const void *p, size_t n)
{
    if (n == 0) {
        return; /* p may be NULL then (an empty buffer) */
    }
    rb_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void rb_free(respbuf *b)
{
    kv_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

static void prefixed(respbuf *b, char prefix, long long n)
{
    rb_reserve(b, 24);
    b->p[b->len++] = prefix;
    b->len += ll_to_str(b->p + b->len, n);
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
}

void rb_array_header(respbuf *b, long long n)
{
    prefixed(b, '*', n);
}

void rb_bulk(respbuf *b, const char *p, size_t n)
{
    prefixed(b, '$', (long long)n);
    rb_reserve(b, n + 2);
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
}

void rb_bulk_ll(respbuf *b, long long v)
{
    char tmp[24];
    size_t n = ll_to_str(tmp, v);
    rb_bulk(b, tmp, n);
}

void rb_command(respbuf *b, const kstr *argv, int argc)
{
    rb_array_header(b, argc);
    for (int i = 0; i < argc; i++) {
        rb_bulk(b, argv[i].p, argv[i].len);
    }
}
