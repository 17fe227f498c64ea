/* obuf.h - output buffer limits per client class (`client-output-buffer-limit`).
 *
 * Three classes as in Redis: normal, replica (also spelt slave) and pubsub (a client with
 * a subscription). Each has a hard limit (pending output at or above it closes the
 * client), a soft limit (closes it once output has stayed at or above it for more than
 * soft_seconds) and 0 meaning none. Defaults are Redis's: normal 0 0 0, replica 256mb 64mb
 * 60, pubsub 32mb 8mb 60.
 *
 * The check runs whenever output is queued for a client (client_after_reply); it costs
 * one comparison until the client's output reaches the smallest configured limit.
 */
#ifndef KV_OBUF_H
#define KV_OBUF_H

#include <stddef.h>

#include "core/client.h"

enum { OBUF_NORMAL, OBUF_REPLICA, OBUF_PUBSUB, OBUF_CLASSES };

typedef struct obuf_limit {
    unsigned long long hard, soft;
    int soft_seconds;
} obuf_limit;

extern obuf_limit obuf_limits[OBUF_CLASSES];
/* The smallest non-zero limit of any class: below it no client is over a limit. */
extern size_t obuf_threshold;

/* Parses "<class> <hard> <soft> <soft-seconds> ..." (words separated by single spaces,
 * as Redis splits them) and applies all of it, or nothing: returns NULL or Redis's
 * reason text. */
const char *obuf_parse(const char *s, size_t len);
/* The value as CONFIG GET shows it. */
void obuf_format(char *buf, size_t cap);

/* Closes c (asynchronously, as Redis) once it is over its class's limits. */
void obuf_check_limits(client *c);

static inline void obuf_maybe_check(client *c)
{
    if (c->out.pending >= obuf_threshold || c->obuf_soft_since) {
        obuf_check_limits(c);
    }
}

#endif
