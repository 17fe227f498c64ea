/* reply.c - RESP encoding into a chain of blocks (see reply.h).
 *
 *   head -> [next|used|size|data.....] -> [ ... ] -> tail
 *            ^ head_sent bytes of head already on the wire
 *
 * A block with size 0 but used > 0 is a filled deferred header: appends never go into it
 * because it has no free space by construction.
 */
#include "proto/reply.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/util.h"

#define BLOCK_MIN 1024
#define BLOCK_MAX (16 * 1024)
#define DEFER_CAP 32

struct reply_block {
    reply_block *next;
    size_t used, size;
    char data[];
};

void reply_init(reply_out *o)
{
    memset(o, 0, sizeof(*o));
    o->resp = 2;
}

void reply_reset(reply_out *o)
{
    reply_block *b = o->head;
    while (b) {
        reply_block *n = b->next;
        kv_free(b);
        b = n;
    }
    o->head = o->tail = NULL;
    o->pending = o->head_sent = 0;
}

static reply_block *block_new(reply_out *o, size_t need)
{
    size_t size = o->pending < BLOCK_MIN ? BLOCK_MIN : BLOCK_MAX;
    if (size < need) {
        size = need;
    }
    reply_block *b = kv_malloc(sizeof(*b) + size);
    b->next = NULL;
    b->used = 0;
    b->size = size;
    if (o->tail) {
        o->tail->next = b;
    } else {
        o->head = b;
    }
    o->tail = b;
    return b;
}

/* Room for n more bytes in the tail block? A filled deferred header (size 0) never has
 * any, so nothing is written into it. */
static inline char *tail_room(reply_out *o, size_t n)
{
    reply_block *b = o->tail;
    return (b && b->used + n <= b->size) ? b->data + b->used : NULL;
}

static inline void tail_commit(reply_out *o, size_t n)
{
    o->tail->used += n;
    o->pending += n;
}

/* Decimal digits of v into d; the lengths of most replies have one to three. */
static inline size_t put_len(char *d, size_t v)
{
    if (v < 10) {
        d[0] = (char)('0' + v);
        return 1;
    }
    if (v < 100) {
        d[0] = (char)('0' + v / 10);
        d[1] = (char)('0' + v % 10);
        return 2;
    }
    return ll_to_str(d, (long long)v);
}

void reply_raw(reply_out *o, const void *p, size_t n)
{
    if (o->discard || n == 0) {
        return;
    }
    char *d = tail_room(o, n);
    if (d) {
        memcpy(d, p, n); /* the common case: it fits the tail */
        tail_commit(o, n);
        return;
    }
    const char *s = p;
    reply_block *b = o->tail;
    if (b && b->size > b->used) {
        size_t k = b->size - b->used;
        if (k > n) {
            k = n;
        }
        memcpy(b->data + b->used, s, k);
        b->used += k;
        s += k;
        n -= k;
        o->pending += k;
    }
    if (n) {
        b = block_new(o, n);
        memcpy(b->data, s, n);
        b->used = n;
        o->pending += n;
    }
}

void reply_append_copy(reply_out *dst, const reply_out *src)
{
    size_t skip = src->head_sent;
    for (const reply_block *b = src->head; b; b = b->next) {
        reply_raw(dst, b->data + skip, b->used - skip);
        skip = 0;
    }
}

/* A type byte, a decimal number and CRLF: the header of most replies. */
static void header(reply_out *o, char type, long long v)
{
    char buf[32];
    buf[0] = type;
    size_t n = 1 + ll_to_str(buf + 1, v);
    buf[n++] = '\r';
    buf[n++] = '\n';
    reply_raw(o, buf, n);
}

void reply_simple(reply_out *o, const char *s)
{
    reply_raw(o, "+", 1);
    reply_raw(o, s, strlen(s));
    reply_raw(o, "\r\n", 2);
}

void reply_ok(reply_out *o)
{
    char *d = tail_room(o, 5);
    if (d && !o->discard) {
        memcpy(d, "+OK\r\n", 5);
        tail_commit(o, 5);
        return;
    }
    reply_raw(o, "+OK\r\n", 5);
}

void reply_error(reply_out *o, const char *msg)
{
    size_t n = strlen(msg);
    size_t code = strcspn(msg, " ");
    if (code >= sizeof(o->last_error)) {
        code = sizeof(o->last_error) - 1;
    }
    memcpy(o->last_error, msg, code);
    o->last_error[code] = '\0';
    if (!memchr(msg, '\r', n) && !memchr(msg, '\n', n)) {
        o->errors++;
        reply_raw(o, "-", 1);
        reply_raw(o, msg, n);
        reply_raw(o, "\r\n", 2);
        return;
    }
    char *copy = kv_memdup(msg, n);
    for (size_t i = 0; i < n; i++) {
        if (copy[i] == '\r' || copy[i] == '\n') {
            copy[i] = ' ';
        }
    }
    reply_error(o, copy);
    kv_free(copy);
}

void reply_errorf(reply_out *o, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    reply_error(o, buf);
}

void reply_int(reply_out *o, long long v)
{
    if (v >= 0 && v < 10) {
        char s[4] = {':', (char)('0' + v), '\r', '\n'};
        reply_raw(o, s, 4);
        return;
    }
    header(o, ':', v);
}

void reply_bulk(reply_out *o, const void *p, size_t n)
{
    /* Header, data and CRLF in one pass when all fit the tail block (24 bytes cover the
     * longest header plus both CRLFs). */
    char *d = tail_room(o, n + 24);
    if (d && !o->discard) {
        char *s = d;
        *d++ = '$';
        d += put_len(d, n);
        *d++ = '\r';
        *d++ = '\n';
        memcpy(d, p, n);
        d += n;
        *d++ = '\r';
        *d++ = '\n';
        tail_commit(o, (size_t)(d - s));
        return;
    }
    header(o, '$', (long long)n);
    reply_raw(o, p, n);
    reply_raw(o, "\r\n", 2);
}

void reply_bulk_cstr(reply_out *o, const char *s)
{
    if (!s) {
        reply_null(o);
        return;
    }
    reply_bulk(o, s, strlen(s));
}

void reply_bulk_ll(reply_out *o, long long v)
{
    char buf[32];
    size_t n = ll_to_str(buf, v);
    reply_bulk(o, buf, n);
}

void reply_null(reply_out *o)
{
    if (o->resp == 3) {
        reply_raw(o, "_\r\n", 3);
    } else {
        reply_raw(o, "$-1\r\n", 5);
    }
}

void reply_null_array(reply_out *o)
{
    if (o->resp == 3) {
        reply_raw(o, "_\r\n", 3);
    } else {
        reply_raw(o, "*-1\r\n", 5);
    }
}

static char agg_type(const reply_out *o, reply_agg kind)
{
    if (o->resp == 2) {
        return '*';
    }
    switch (kind) {
    case REPLY_MAP:
        return '%';
    case REPLY_SET:
        return '~';
    case REPLY_PUSH:
        return '>';
    default:
        return '*';
    }
}

static long long agg_len(const reply_out *o, reply_agg kind, size_t n)
{
    return (long long)(kind == REPLY_MAP && o->resp == 2 ? n * 2 : n);
}

void reply_aggregate(reply_out *o, reply_agg kind, size_t n)
{
    header(o, agg_type(o, kind), agg_len(o, kind, n));
}

void reply_array(reply_out *o, size_t n)
{
    reply_aggregate(o, REPLY_ARRAY, n);
}

void reply_map(reply_out *o, size_t n)
{
    reply_aggregate(o, REPLY_MAP, n);
}

void reply_empty_array(reply_out *o)
{
    reply_raw(o, "*0\r\n", 4);
}

void reply_double(reply_out *o, double d)
{
    char buf[128];
    size_t n = d_to_str(buf, sizeof(buf), d);
    if (o->resp == 3) {
        reply_raw(o, ",", 1);
        reply_raw(o, buf, n);
        reply_raw(o, "\r\n", 2);
    } else {
        reply_bulk(o, buf, n);
    }
}

void reply_bool(reply_out *o, bool b)
{
    if (o->resp == 3) {
        reply_raw(o, b ? "#t\r\n" : "#f\r\n", 4);
    } else {
        reply_raw(o, b ? ":1\r\n" : ":0\r\n", 4);
    }
}

void reply_verbatim(reply_out *o, const char *p, size_t n, const char *fmt3)
{
    if (o->resp == 2) {
        reply_bulk(o, p, n);
        return;
    }
    header(o, '=', (long long)n + 4);
    reply_raw(o, fmt3, 3);
    reply_raw(o, ":", 1);
    reply_raw(o, p, n);
    reply_raw(o, "\r\n", 2);
}

void *reply_defer(reply_out *o)
{
    if (o->discard) {
        return NULL;
    }
    reply_block *b = kv_malloc(sizeof(*b) + DEFER_CAP);
    b->next = NULL;
    b->used = 0;
    b->size = 0; /* nothing appends here; filled by reply_defer_set */
    if (o->tail) {
        o->tail->next = b;
    } else {
        o->head = b;
    }
    o->tail = b;
    return b;
}

void reply_defer_set(reply_out *o, void *handle, reply_agg kind, size_t n)
{
    if (!handle) {
        return;
    }
    reply_block *b = handle;
    char buf[DEFER_CAP];
    buf[0] = agg_type(o, kind);
    size_t len = 1 + ll_to_str(buf + 1, agg_len(o, kind, n));
    buf[len++] = '\r';
    buf[len++] = '\n';
    memcpy(b->data, buf, len);
    b->used = len;
    o->pending += len;
}

ssize_t reply_write(reply_out *o, int fd)
{
    ssize_t total = 0;
    while (o->pending) {
        struct iovec iov[64];
        int n = 0;
        size_t off = o->head_sent, batch = 0;
        for (reply_block *b = o->head; b && n < 64; b = b->next) {
            if (b->used > off) {
                iov[n].iov_base = b->data + off;
                iov[n].iov_len = b->used - off;
                batch += iov[n].iov_len;
                n++;
            }
            off = 0;
        }
        /* One block (the usual unpipelined reply): write() spares the kernel the iovec
         * import. */
        ssize_t w = n == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : writev(fd, iov, n);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return total;
            }
            return -1;
        }
        total += w;
        o->pending -= (size_t)w;
        size_t left = (size_t)w;
        /* Free the blocks that went out whole; keep a partly filled tail (rewound) so
         * the next replies reuse it instead of allocating. */
        while (o->head) {
            reply_block *b = o->head;
            size_t avail = b->used - o->head_sent;
            if (left < avail) {
                o->head_sent += left;
                break;
            }
            left -= avail;
            o->head_sent = 0;
            if (b == o->tail && b->size == BLOCK_MIN) {
                b->used = 0;
                break;
            }
            o->head = b->next;
            if (!o->head) {
                o->tail = NULL;
            }
            kv_free(b);
        }
        if ((size_t)w < batch) {
            break; /* the socket buffer is full */
        }
    }
    return total;
}
