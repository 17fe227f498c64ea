/* clientevict.h - client eviction (`maxmemory-clients`), as Redis 7.0.
 *
 * The memory of all normal and pubsub clients together is bounded: once the recorded sum
 * reaches the limit, evictable clients are disconnected, largest first, until it is under
 * again. A client with CLIENT NO-EVICT on (or a fake one) is counted but never evicted.
 *
 * Each client carries the figure last added to the sum (c->mem_counted). An evictable
 * client's figure is refreshed at its checkpoints: before each command it runs, after its
 * reads and queued replies (client_after_reply), after its writes; every client's in the
 * cron. With the directive at 0 nothing is tracked and the checkpoints cost one test of
 * cevict_on.
 */
#ifndef KV_CLIENTEVICT_H
#define KV_CLIENTEVICT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/client.h"

/* The directive is set: tracking and eviction are active. */
extern bool cevict_on;

/* K_CUSTOM config hooks: "0", bytes with Redis's units, or "N%" of maxmemory (0..100). */
const char *cevict_parse(const char *v, size_t len);
void cevict_format(char *buf, size_t cap);

/* The limit in bytes now (0 when off); follows maxmemory for a percentage. */
size_t cevict_limit(void);
/* Sum of the figures of all tracked clients. */
size_t cevict_total(void);

/* Refreshes c's figure and evicts if the sum reached the limit. Returns true when c
 * itself was evicted (it is then CLOSE_ASAP). */
bool cevict_touch(client *c);
/* Refreshes c's figure without evicting (its memory only shrank). */
void cevict_update(client *c);
/* c is closing: its figure leaves the sum. */
void cevict_forget(client *c);
/* Evicts while the sum is at or over the limit. */
void cevict_run(void);
/* Refreshes every client's figure, then evicts if needed. */
void cevict_cron(void);

static inline bool cevict_check(client *c)
{
    return cevict_on && !(c->flags & CLIENT_NO_EVICT) && cevict_touch(c);
}

#endif
