/* respbuf.h - a growable byte buffer that encodes commands as RESP arrays of bulk strings,
 * the form both the AOF and (later) replication carry.
 *
 * Ownership: the buffer owns its bytes (kv_malloc); rb_free() releases them. Pointers into
 * p are invalidated by any append.
 */
#ifndef KV_RESPBUF_H
#define KV_RESPBUF_H

#include <stddef.h>

#include "base/kstr.h"

typedef struct respbuf {
    char *p;
    size_t len, cap;
} respbuf;

void rb_reserve(respbuf *b, size_t more);
void rb_add(respbuf *b, const void *p, size_t n);
void rb_free(respbuf *b);
/* "*<argc>\r\n" then each argument as "$<len>\r\n<bytes>\r\n". */
void rb_command(respbuf *b, const kstr *argv, int argc);
/* Array header / one bulk: for commands built piece by piece (rewrite batches). */
void rb_array_header(respbuf *b, long long n);
void rb_bulk(respbuf *b, const char *p, size_t n);
void rb_bulk_ll(respbuf *b, long long v);

#endif
