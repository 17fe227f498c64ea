/* clientevict.c - client eviction: the `maxmemory-clients` limit (see clientevict.h).
 *
 * The directive is stored as Redis stores it: bytes when positive, a percentage of
 * maxmemory when negative, 0 for off. The limit follows maxmemory at every check, and
 * like Redis it is never below 128 KB (a tiny limit would evict the client that tries to
 * raise it); a percentage with maxmemory 0 means no limit, though clients are tracked.
 *
 * The sum is kept exact against the figures: a client's figure changes the sum by the
 * difference, and a client marked for closing (evicted, killed, gone) leaves the sum at
 * once, so the loop that evicts sees the sum fall before the client is freed in
 * before-sleep. Eviction takes the largest figures first: the candidates are collected
 * and sorted only when the sum is over the limit, which is rare.
 */
#include "core/clientevict.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/util.h"
#include "core/server.h"
#include "db/evict.h"

#define MIN_LIMIT ((size_t)128 * 1024) /* Redis's floor for the effective limit */

bool cevict_on;
static long long maxmemory_clients; /* < 0: percent of maxmemory */
static size_t total;
static int64_t last_over_log_ms;

const char *cevict_parse(const char *v, size_t len)
{
    char tmp[64];
    long long ll;
    unsigned long long ull;
    if (len >= sizeof(tmp)) {
        return "argument must be a memory or percent value";
    }
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    /* Redis tries "N%" first (N as its strict integer syntax, not negative), then a
     * memory value whose 64 bits it stores signed: above 2^63 it reads as a percentage. */
    if (len > 1 && tmp[len - 1] == '%' && str_to_ll(tmp, len - 1, &ll) && ll >= 0) {
        ll = -ll;
    } else if (str_to_mem(tmp, &ull)) {
        ll = (long long)ull;
    } else {
        return "argument must be a memory or percent value";
    }
    if (ll < -100) {
        return "percentage argument must be less or equal to 100";
    }
    bool was_on = cevict_on;
    maxmemory_clients = ll;
    cevict_on = ll != 0;
    if (cevict_on != was_on) {
        /* Start from fresh figures, or drop them: off tracks nothing. */
        total = 0;
        for (client *c = client_first(); c; c = c->next) {
            c->mem_counted = 0;
            if (cevict_on) {
                cevict_update(c);
            }
        }
    }
    return NULL;
}

void cevict_format(char *buf, size_t cap)
{
    if (maxmemory_clients < 0) {
        snprintf(buf, cap, "%lld%%", -maxmemory_clients);
    } else {
        snprintf(buf, cap, "%lld", maxmemory_clients);
    }
}

size_t cevict_limit(void)
{
    size_t limit;
    if (maxmemory_clients < 0) {
        if (evict_cfg.maxmemory <= 0) {
            return SIZE_MAX;
        }
        double bytes = (double)evict_cfg.maxmemory * (double)-maxmemory_clients / 100;
        limit = bytes >= (double)SIZE_MAX ? SIZE_MAX : (size_t)bytes;
    } else if (maxmemory_clients > 0) {
        limit = (size_t)maxmemory_clients;
    } else {
        return 0;
    }
    return limit < MIN_LIMIT ? MIN_LIMIT : limit;
}

size_t cevict_total(void)
{
    return total;
}

void cevict_update(client *c)
{
    if (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_FAKE)) {
        return; /* gone from the sum already, or not a connection */
    }
    size_t m = client_memory(c);
    total += m - c->mem_counted; /* modular: right whether it grew or shrank */
    c->mem_counted = m;
}

void cevict_forget(client *c)
{
    total -= c->mem_counted;
    c->mem_counted = 0;
}

bool cevict_touch(client *c)
{
    cevict_update(c);
    if (total >= cevict_limit()) {
        cevict_run();
    }
    return (c->flags & CLIENT_CLOSE_ASAP) != 0;
}

static int by_memory_desc(const void *a, const void *b)
{
    size_t ma = (*(client *const *)a)->mem_counted, mb = (*(client *const *)b)->mem_counted;
    return ma < mb ? 1 : (ma > mb ? -1 : 0);
}

static bool evictable(const client *c)
{
    return c->fd >= 0 && !(c->flags & (CLIENT_NO_EVICT | CLIENT_FAKE | CLIENT_CLOSE_ASAP));
}

void cevict_run(void)
{
    size_t limit = cevict_limit();
    if (!cevict_on || limit == 0 || total < limit) {
        return;
    }
    size_t n = 0;
    for (client *c = client_first(); c; c = c->next) {
        n += evictable(c);
    }
    client **cand = kv_malloc(sizeof(*cand) * (n ? n : 1));
    n = 0;
    for (client *c = client_first(); c; c = c->next) {
        if (evictable(c)) {
            cand[n++] = c;
        }
    }
    qsort(cand, n, sizeof(*cand), by_memory_desc);
    for (size_t i = 0; i < n && total >= limit; i++) {
        char info[1024];
        client_info_line(cand[i], info, sizeof(info));
        log_notice("Evicting client: %s", info);
        srv.stats.evicted_clients++;
        /* It leaves the sum at once (cevict_forget) and its output is freed now, as
         * Redis frees an evicted client on the spot: another client growing before
         * this one is freed in before-sleep finds the memory back. */
        client_close_async_drop_output(cand[i]);
    }
    kv_free(cand);
    if (total >= limit) {
        /* Redis logs this at every check while it lasts; once a second says as much. */
        int64_t now = clock_ms();
        if (now - last_over_log_ms >= 1000) {
            last_over_log_ms = now;
            log_warning("Over client maxmemory after evicting all evictable clients");
        }
    }
}

void cevict_cron(void)
{
    for (client *c = client_first(); c; c = c->next) {
        cevict_update(c);
    }
    cevict_run();
}
