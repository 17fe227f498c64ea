/* reply.h - the reply builder: RESP2/RESP3 encoding into a client's output chain.
 *
 * This is the only module that knows RESP2 from RESP3: callers say "a map of 3" or "a
 * double" and the builder picks the wire form for o->resp (RESP2 flattens maps to arrays,
 * sends doubles and verbatim strings as bulk strings, nulls as $-1 / *-1).
 *
 * The chain is a list of blocks; appends copy into the tail block and allocate a larger
 * one when it is full. reply_write() sends as much as the socket takes with writev and
 * frees drained blocks, so an idle client holds no output memory.
 *
 * Deferred lengths: reply_defer() reserves a slot for an aggregate header whose count is
 * known only later (SCAN, KEYS); fill it with reply_defer_set(). The handle is valid until
 * the reply is written, so fill it before the command returns.
 */
#ifndef KV_REPLY_H
#define KV_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct reply_block reply_block;

typedef struct reply_out {
    reply_block *head, *tail;
    size_t pending;   /* bytes queued and not yet written */
    size_t head_sent; /* bytes of head already written */
    int resp;         /* 2 or 3 */
    bool discard;     /* CLIENT REPLY OFF/SKIP: drop what is appended */
    long long errors; /* error replies queued so far (stats) */
    char last_error[64]; /* code of the last error ("ERR", "WRONGTYPE"), for errorstats */
} reply_out;

typedef enum { REPLY_ARRAY, REPLY_MAP, REPLY_SET, REPLY_PUSH } reply_agg;

void reply_init(reply_out *o);
void reply_reset(reply_out *o);   /* frees all blocks */

void reply_raw(reply_out *o, const void *p, size_t n);
void reply_simple(reply_out *o, const char *s);            /* +s */
void reply_ok(reply_out *o);                               /* +OK */
/* "-msg\r\n". msg carries its code ("ERR syntax error", "WRONGTYPE ..."); CR/LF in it are
 * replaced by spaces so a reply can never be split. */
void reply_error(reply_out *o, const char *msg);
void reply_errorf(reply_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void reply_int(reply_out *o, long long v);
void reply_bulk(reply_out *o, const void *p, size_t n);
void reply_bulk_cstr(reply_out *o, const char *s);
void reply_bulk_ll(reply_out *o, long long v);
void reply_null(reply_out *o);        /* missing value: $-1 / _ */
void reply_null_array(reply_out *o);  /* missing aggregate: *-1 / _ */
void reply_aggregate(reply_out *o, reply_agg kind, size_t n);   /* n = pairs for maps */
void reply_array(reply_out *o, size_t n);
void reply_map(reply_out *o, size_t n);
void reply_double(reply_out *o, double d);      /* bulk / , */
void reply_bool(reply_out *o, bool b);          /* :1 :0 / #t #f */
void reply_verbatim(reply_out *o, const char *p, size_t n, const char *fmt3); /* bulk / = */
void reply_empty_array(reply_out *o);

/* Appends everything queued in src (not yet written) to dst: a reply encoded once into a
 * scratch reply_out with the receivers' protocol serves many receivers (PUBLISH). */
void reply_append_copy(reply_out *dst, const reply_out *src);

void *reply_defer(reply_out *o);
void reply_defer_set(reply_out *o, void *handle, reply_agg kind, size_t n);

/* Writes pending bytes to fd. Returns bytes written (0 when nothing was pending or the
 * socket would block), or -1 on a socket error (errno set). */
ssize_t reply_write(reply_out *o, int fd);

#endif
