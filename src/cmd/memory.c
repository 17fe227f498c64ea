/* memory.c - the MEMORY command family: USAGE, STATS, DOCTOR, PURGE, MALLOC-STATS, HELP.
 *
 * Figures come from the allocator module's byte count (what the allocator really holds,
 * size classes included) and from INFO's memory figures, so MEMORY STATS and INFO memory
 * always agree. Reply shapes, field names and the doctor's texts are Redis 7.0's; the
 * numbers are Kvik's own (one allocation per key, no robj or dictEntry), so MEMORY USAGE
 * of a small key is smaller than Redis's.
 */
#include <stdio.h>
#include <string.h>

#ifdef KV_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include "base/alloc.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/families.h"
#include "db/db.h"
#include "obs/info.h"

/* A key costs its entry (key, TTL, value) plus its slot in the table. */
static size_t key_usage(const kobj *o)
{
    return kobj_alloc_size(o) + sizeof(void *);
}

static void memory_usage(client *c)
{
    for (int j = 3; j < c->argc; j++) {
        long long samples;
        if (kstr_is(c->argv[j], "samples") && j + 1 < c->argc) {
            if (!arg_ll_or_reply(c, c->argv[j + 1], &samples)) {
                return;
            }
            if (samples < 0) {
                reply_syntax_error(c);
                return;
            }
            /* Sizes are kept exactly, so there is nothing to sample: parsed and unused. */
            j++;
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    kobj *o = db_find(c->db, c->argv[2]);
    if (!o) {
        reply_null(&c->out);
        return;
    }
    reply_int(&c->out, (long long)key_usage(o));
}

/* Redis reports these ratios as C floats: the same rounding gives the same digits. */
static void kv_double(client *c, const char *name, double v)
{
    reply_bulk_cstr(&c->out, name);
    reply_double(&c->out, (double)(float)v);
}

static void kv_int(client *c, const char *name, long long v)
{
    reply_bulk_cstr(&c->out, name);
    reply_int(&c->out, v);
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0;
}

static void memory_stats(client *c)
{
    info_memory m;
    info_memory_figures(&m);
    size_t keys = 0, tables = 0;
    int used_dbs = 0;
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(i);
        keys += db_size(d);
        tables += ht_mem_usage(d->keys);
        used_dbs += db_size(d) > 0;
    }
    size_t overhead = m.startup + m.clients_normal + tables;
    size_t net = m.used > m.startup ? m.used - m.startup : 0;
    size_t dataset = m.used > overhead ? m.used - overhead : 0;
    long long frag_bytes = (long long)m.rss - (long long)m.used;

    reply_map(&c->out, (size_t)(27 + used_dbs));
    kv_int(c, "peak.allocated", (long long)m.peak);
    kv_int(c, "total.allocated", (long long)m.used);
    kv_int(c, "startup.allocated", (long long)m.startup);
    kv_int(c, "replication.backlog", 0);
    kv_int(c, "clients.slaves", 0);
    kv_int(c, "clients.normal", (long long)m.clients_normal);
    kv_int(c, "cluster.links", 0);
    kv_int(c, "aof.buffer", 0);
    kv_int(c, "lua.caches", 0);
    kv_int(c, "functions.caches", 0);
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(i);
        if (!db_size(d)) {
            continue;
        }
        char name[32];
        snprintf(name, sizeof(name), "db.%d", i);
        reply_bulk_cstr(&c->out, name);
        reply_map(&c->out, 3);
        kv_int(c, "overhead.hashtable.main", (long long)ht_mem_usage(d->keys));
        /* TTLs live in the entries: there is no second table. */
        kv_int(c, "overhead.hashtable.expires", 0);
        kv_int(c, "overhead.hashtable.slot-to-keys", 0);
    }
    kv_int(c, "overhead.total", (long long)overhead);
    kv_int(c, "keys.count", (long long)keys);
    kv_int(c, "keys.bytes-per-key", keys ? (long long)(net / keys) : 0);
    kv_int(c, "dataset.bytes", (long long)dataset);
    kv_double(c, "dataset.percentage", ratio(dataset, net) * 100);
    kv_double(c, "peak.percentage", ratio(m.used, m.peak) * 100);
    /* As INFO: without finer allocator statistics, allocated == active == used and the
     * whole gap to the RSS shows as allocator RSS overhead. */
    kv_int(c, "allocator.allocated", (long long)m.used);
    kv_int(c, "allocator.active", (long long)m.used);
    kv_int(c, "allocator.resident", (long long)m.rss);
    kv_double(c, "allocator-fragmentation.ratio", 1.0);
    kv_int(c, "allocator-fragmentation.bytes", 0);
    kv_double(c, "allocator-rss.ratio", ratio(m.rss, m.used));
    kv_int(c, "allocator-rss.bytes", frag_bytes);
    kv_double(c, "rss-overhead.ratio", 1.0);
    kv_int(c, "rss-overhead.bytes", 0);
    kv_double(c, "fragmentation", ratio(m.rss, m.used));
    kv_int(c, "fragmentation.bytes", frag_bytes);
}

/* ---- MEMORY DOCTOR: Redis's checks and texts, for the figures Kvik has ---- */

static const char doctor_empty[] =
    "Hi Sam, this instance is empty or is using very little memory, my issues detector "
    "can't be used in these conditions. Please, leave for your mission on Earth and fill it "
    "with some data. The new Sam and I will be back to our programming as soon as I "
    "finished rebooting.\n";
static const char doctor_fine[] =
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
    "occurs on this base.\n";
static const char doctor_peak[] =
    " * Peak memory: In the past this instance used more than 150% the memory that is "
    "currently using. The allocator is normally not able to release memory after a peak, "
    "so you can expect to see a big fragmentation ratio, however this is actually harmless "
    "and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) "
    "is currently bigger than expected, the memory will be used as soon as you fill the "
    "Redis instance with more data. If the memory peak was only occasional and you want to "
    "try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other "
    "option is to shutdown and restart the instance.\n\n";
static const char doctor_rss[] =
    " * High total RSS: This instance has a memory fragmentation and RSS overhead greater "
    "than 1.4 (this means that the Resident Set Size of the Redis process is much larger "
    "than the sum of the logical allocations Redis performed). This problem is usually due "
    "either to a large peak memory (check if there is a peak memory entry above in the "
    "report) or may result from a workload that causes the allocator to fragment memory a "
    "lot. If the problem is a large peak memory, then there is no issue. Otherwise, make "
    "sure you are using the Jemalloc allocator and not the default libc malloc. Note: The "
    "currently used allocator is \"%s\".\n\n";
static const char doctor_alloc_rss[] =
    " * High allocator RSS overhead: This instance has an RSS memory overhead is greater "
    "than 1.1 (this means that the Resident Set Size of the allocator is much larger than "
    "the sum what the allocator actually holds). This problem is usually due to a large "
    "peak memory (check if there is a peak memory entry above in the report), you can try "
    "the MEMORY PURGE command to reclaim it.\n\n";
static const char doctor_clients[] =
    " * Big client buffers: The clients output buffers in this instance are greater than "
    "200K per client (on average). This may result from different causes, like Pub/Sub "
    "clients subscribed to channels bot not receiving data fast enough, so that data piles "
    "on the Redis instance output buffer, or clients sending commands with large replies or "
    "very large sequences of commands in the same pipeline. Please use the CLIENT LIST "
    "command in order to investigate the issue if it causes problems in your instance, or "
    "to understand better why certain clients are using a big amount of memory.\n\n";

static void memory_doctor(client *c)
{
    info_memory m;
    info_memory_figures(&m);
    if (m.used < 5 * 1024 * 1024) {
        reply_verbatim(&c->out, doctor_empty, sizeof(doctor_empty) - 1, "txt");
        return;
    }
    double frag = ratio(m.rss, m.used);
    long long frag_bytes = (long long)m.rss - (long long)m.used;
    size_t nclients = client_count();
    bool peak = (float)m.peak / (float)m.used > 1.5;
    bool rss = frag > 1.4 && frag_bytes > 10 << 20;
    bool alloc_rss = frag > 1.1 && frag_bytes > 10 << 20;
    bool clients = nclients && m.clients_normal / nclients > 200 * 1024;
    if (!peak && !rss && !alloc_rss && !clients) {
        reply_verbatim(&c->out, doctor_fine, sizeof(doctor_fine) - 1, "txt");
        return;
    }
    char report[4096];
    size_t n = (size_t)snprintf(report, sizeof(report),
                                "Sam, I detected a few issues in this Redis instance memory "
                                "implants:\n\n");
    if (peak) {
        n += (size_t)snprintf(report + n, sizeof(report) - n, "%s", doctor_peak);
    }
    if (rss) {
        n += (size_t)snprintf(report + n, sizeof(report) - n, doctor_rss, kv_alloc_name());
    }
    if (alloc_rss) {
        n += (size_t)snprintf(report + n, sizeof(report) - n, "%s", doctor_alloc_rss);
    }
    if (clients) {
        n += (size_t)snprintf(report + n, sizeof(report) - n, "%s", doctor_clients);
    }
    n += (size_t)snprintf(report + n, sizeof(report) - n,
                          "I'm here to keep you safe, Sam. I want to help you.\n");
    reply_verbatim(&c->out, report, n < sizeof(report) ? n : sizeof(report) - 1, "txt");
}

static void memory_purge(client *c)
{
    kv_alloc_purge();
    reply_ok(&c->out);
}

#ifdef KV_JEMALLOC
struct stats_text {
    char *p;
    size_t len, cap;
};

static void stats_write(void *priv, const char *s)
{
    struct stats_text *t = priv;
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = kv_realloc(t->p, t->cap);
    }
    memcpy(t->p + t->len, s, n + 1);
    t->len += n;
}
#endif

static void memory_malloc_stats(client *c)
{
#ifdef KV_JEMALLOC
    struct stats_text t = {NULL, 0, 0};
    malloc_stats_print(stats_write, &t, NULL);
    reply_verbatim(&c->out, t.p ? t.p : "", t.len, "txt");
    kv_free(t.p);
#else
    static const char none[] = "Stats not supported for the current allocator";
    reply_verbatim(&c->out, none, sizeof(none) - 1, "txt");
#endif
}

static void memory_help(client *c)
{
    static const char *const help[] = {
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP",
        "    Prints this help.",
        NULL};
    reply_subcommand_help(c, help);
}

#define SRV "server"

/* In the order Redis 7.0's COMMAND INFO lists them. */
static command memory_subs[] = {
    {"help", memory_help, 2, CMD_LOADING | CMD_STALE, 0, 0, 0, 0, SRV,
     "Show helpful text about the different subcommands", "4.0.0", "O(1)", NULL, NULL},
    {"usage", memory_usage, -3, CMD_READONLY, 2, 2, 1, KS_RO, SRV,
     "Estimate the memory usage of a key", "4.0.0", "O(N) where N is the number of samples.",
     NULL, NULL},
    {"doctor", memory_doctor, 2, 0, 0, 0, 0, 0, SRV, "Outputs memory problems report", "4.0.0",
     "O(1)", NULL, NULL},
    {"malloc-stats", memory_malloc_stats, 2, 0, 0, 0, 0, 0, SRV,
     "Show allocator internal stats", "4.0.0",
     "Depends on how much memory is allocated, could be slow", NULL, NULL},
    {"purge", memory_purge, 2, 0, 0, 0, 0, 0, SRV, "Ask the allocator to release memory",
     "4.0.0", "Depends on how much memory is allocated, could be slow", NULL, NULL},
    {"stats", memory_stats, 2, 0, 0, 0, 0, 0, SRV, "Show memory usage details", "4.0.0", "O(1)",
     NULL, NULL},
    {0},
};

command memory_commands[] = {
    {"memory", NULL, -2, 0, 0, 0, 0, 0, SRV, "A container for memory diagnostics commands",
     "4.0.0", "Depends on subcommand.", NULL, memory_subs},
    {0},
};
