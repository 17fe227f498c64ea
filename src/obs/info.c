/* info.c - the INFO text (see info.h).
 *
 * Sections and the fields inside them come out in Redis 7.0.15's order, whatever order
 * the arguments name them in, so tools that parse INFO (exporters, redis-cli, client
 * libraries that read redis_version) find what they expect. Fields for subsystems Kvik
 * does not have yet (replication, AOF, Lua, defrag) are printed with the
 * values an idle Redis without that feature shows, rather than left out: parsers
 * commonly index fields by name and fail on a missing one. kvik_version is the one
 * addition, right after redis_version.
 *
 * Rates (instantaneous_*) follow Redis's scheme: every 100 ms the cron records the
 * per-second rate since the previous sample into a ring of 16, and INFO reports the mean.
 *
 * Memory: used_memory is what the allocator module counts; the allocator_* fields are
 * derived from it and the RSS, since the allocator module exposes no finer statistics.
 */
#include "obs/info.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/clock.h"
#include "base/log.h"
#include "core/client.h"
#include "core/command.h"
#include "core/persistence.h"
#include "core/server.h"
#include "db/db.h"
#include "core/blocking.h"
#include "core/tracking.h"
#include "db/evict.h"
#include "db/lazyfree.h"
#include "persist/aof.h"
#include "persist/child.h"
#include "types/types.h"

/* ---- a growable text buffer ---- */

typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(sbuf *b, const char *fmt, ...)
{
    for (;;) {
        size_t room = b->cap - b->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            return;
        }
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        b->cap = (b->cap + (size_t)n + 1) * 2;
        b->p = kv_realloc(b->p, b->cap);
    }
}

/* ---- statistics INFO owns ---- */

#define RATE_SAMPLES 16
#define RATE_PERIOD_MS 100
#define MAX_ERROR_CODES 128

enum { RATE_OPS, RATE_NET_IN, RATE_NET_OUT, RATE_COUNT };

static struct {
    int64_t last_ms;
    long long last_value;
    long long samples[RATE_SAMPLES];
    int idx;
} rates[RATE_COUNT];

static size_t memory_peak, memory_startup;
static bool startup_recorded;

typedef struct error_stat {
    char code[64];
    long long count;
} error_stat;

static error_stat errors[MAX_ERROR_CODES];
static int nerrors;
static bool errors_full_logged;

static void rate_sample(int which, long long value, int64_t now_ms)
{
    long long dt = now_ms - rates[which].last_ms;
    long long dv = value - rates[which].last_value;
    rates[which].samples[rates[which].idx] = dt > 0 ? dv * 1000 / dt : 0;
    rates[which].idx = (rates[which].idx + 1) % RATE_SAMPLES;
    rates[which].last_ms = now_ms;
    rates[which].last_value = value;
}

static long long rate_get(int which)
{
    long long sum = 0;
    for (int i = 0; i < RATE_SAMPLES; i++) {
        sum += rates[which].samples[i];
    }
    return sum / RATE_SAMPLES;
}

static void track_peak(void)
{
    size_t used = kv_used_memory();
    if (used > memory_peak) {
        memory_peak = used;
    }
}

void info_cron(void)
{
    int64_t now = (int64_t)(clock_mono_us() / 1000);
    if (!startup_recorded) {
        /* The first cron tick runs right after start-up: what is held then is the
         * baseline that used_memory_dataset is measured against. */
        startup_recorded = true;
        memory_startup = kv_used_memory();
        for (int i = 0; i < RATE_COUNT; i++) {
            rates[i].last_ms = now;
        }
        rates[RATE_OPS].last_value = srv.stats.total_commands_processed;
        rates[RATE_NET_IN].last_value = srv.stats.net_input_bytes;
        rates[RATE_NET_OUT].last_value = srv.stats.net_output_bytes;
    }
    track_peak();
    if (now - rates[RATE_OPS].last_ms < RATE_PERIOD_MS) {
        return;
    }
    rate_sample(RATE_OPS, srv.stats.total_commands_processed, now);
    rate_sample(RATE_NET_IN, srv.stats.net_input_bytes, now);
    rate_sample(RATE_NET_OUT, srv.stats.net_output_bytes, now);
}

void info_record_error(const char *code, long long n)
{
    for (int i = 0; i < nerrors; i++) {
        if (!strcmp(errors[i].code, code)) {
            errors[i].count += n;
            return;
        }
    }
    if (nerrors == MAX_ERROR_CODES) {
        if (!errors_full_logged) {
            errors_full_logged = true;
            /* Redis logs this once too; from here on only total_error_replies grows. */
            log_warning("Errorstats stopped adding new errors because the number of "
                        "different errors reached %d; new errors will only be counted in "
                        "total_error_replies", MAX_ERROR_CODES);
        }
        return;
    }
    snprintf(errors[nerrors].code, sizeof(errors[nerrors].code), "%s", code);
    errors[nerrors].count = n;
    nerrors++;
}

void info_reset_stats(void)
{
    nerrors = 0;
    errors_full_logged = false;
    int64_t now = (int64_t)(clock_mono_us() / 1000);
    for (int i = 0; i < RATE_COUNT; i++) {
        memset(rates[i].samples, 0, sizeof(rates[i].samples));
        rates[i].idx = 0;
        rates[i].last_ms = now;
        rates[i].last_value = 0; /* the counters themselves are being zeroed */
    }
}

void info_bytes_to_human(char *buf, unsigned long long n)
{
    static const char units[] = "KMGTP";
    if (n < 1024) {
        snprintf(buf, 32, "%lluB", n);
        return;
    }
    unsigned long long scale = 1024;
    for (int i = 0; units[i]; i++, scale *= 1024) {
        if (n / scale < 1024) {
            snprintf(buf, 32, "%.2f%c", (double)n / (double)scale, units[i]);
            return;
        }
    }
    snprintf(buf, 32, "%lluB", n); /* beyond petabytes Redis prints plain bytes */
}

/* ---- sections ---- */

enum {
    SEC_SERVER = 1 << 0,
    SEC_CLIENTS = 1 << 1,
    SEC_MEMORY = 1 << 2,
    SEC_PERSISTENCE = 1 << 3,
    SEC_STATS = 1 << 4,
    SEC_REPLICATION = 1 << 5,
    SEC_CPU = 1 << 6,
    SEC_MODULES = 1 << 7,
    SEC_COMMANDSTATS = 1 << 8,
    SEC_ERRORSTATS = 1 << 9,
    SEC_LATENCYSTATS = 1 << 10,
    SEC_CLUSTER = 1 << 11,
    SEC_KEYSPACE = 1 << 12,
    SEC_ALL = (1 << 13) - 1,
    SEC_DEFAULT = SEC_ALL & ~(SEC_COMMANDSTATS | SEC_LATENCYSTATS),
};

static const struct {
    const char *name;
    unsigned bits;
} section_names[] = {
    {"server", SEC_SERVER},           {"clients", SEC_CLIENTS},
    {"memory", SEC_MEMORY},           {"persistence", SEC_PERSISTENCE},
    {"stats", SEC_STATS},             {"replication", SEC_REPLICATION},
    {"cpu", SEC_CPU},                 {"modules", SEC_MODULES},
    {"module_list", SEC_MODULES},     {"commandstats", SEC_COMMANDSTATS},
    {"errorstats", SEC_ERRORSTATS},   {"latencystats", SEC_LATENCYSTATS},
    {"cluster", SEC_CLUSTER},         {"keyspace", SEC_KEYSPACE},
    {"default", SEC_DEFAULT},         {"all", SEC_ALL},
    {"everything", SEC_ALL},
};

static unsigned parse_sections(const kstr *args, int nargs)
{
    if (nargs == 0) {
        return SEC_DEFAULT;
    }
    unsigned bits = 0;
    for (int i = 0; i < nargs; i++) {
        for (size_t j = 0; j < sizeof(section_names) / sizeof(section_names[0]); j++) {
            if (kstr_is(args[i], section_names[j].name)) {
                bits |= section_names[j].bits;
            }
        }
    }
    return bits;
}

static const char *build_id(void)
{
    /* Stable for a given version and compiler: FNV-1a over both. */
    static char id[17];
    if (!id[0]) {
        uint64_t h = 1469598103934665603ULL;
        const char *parts[] = {KVIK_VERSION, __VERSION__};
        for (size_t i = 0; i < 2; i++) {
            for (const char *p = parts[i]; *p; p++) {
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
            }
        }
        snprintf(id, sizeof(id), "%016llx", (unsigned long long)h);
    }
    return id;
}

static int current_hz(void)
{
    return srv.cfg.hz < 1 ? 1 : (srv.cfg.hz > 500 ? 500 : srv.cfg.hz);
}

static void section_server(sbuf *b)
{
    struct utsname un;
    if (uname(&un) != 0) {
        memset(&un, 0, sizeof(un));
    }
    uint64_t up = (clock_mono_us() - srv.start_mono_us) / 1000000;
    int gcc_major = 0, gcc_minor = 0, gcc_patch = 0;
#ifdef __GNUC__
    gcc_major = __GNUC__;
    gcc_minor = __GNUC_MINOR__;
    gcc_patch = __GNUC_PATCHLEVEL__;
#endif
    sb_add(b,
           "# Server\r\n"
           "redis_version:%s\r\n"
           "kvik_version:%s\r\n"
           "redis_git_sha1:00000000\r\n"
           "redis_git_dirty:0\r\n"
           "redis_build_id:%s\r\n"
           "redis_mode:standalone\r\n"
           "os:%s %s %s\r\n"
           "arch_bits:%d\r\n"
           "monotonic_clock:POSIX clock_gettime\r\n"
           "multiplexing_api:epoll\r\n"
           "atomicvar_api:c11-builtin\r\n"
           "gcc_version:%d.%d.%d\r\n"
           "process_id:%ld\r\n"
           "process_supervised:no\r\n"
           "run_id:%s\r\n"
           "tcp_port:%d\r\n"
           "server_time_usec:%lld\r\n"
           "uptime_in_seconds:%llu\r\n"
           "uptime_in_days:%llu\r\n"
           "hz:%d\r\n"
           "configured_hz:%d\r\n"
           "lru_clock:%u\r\n"
           "executable:%s\r\n"
           "config_file:%s\r\n"
           "io_threads_active:0\r\n",
           REDIS_COMPAT_VERSION, KVIK_VERSION, build_id(), un.sysname, un.release, un.machine,
           (int)(sizeof(long) * 8), gcc_major, gcc_minor, gcc_patch, (long)getpid(),
           srv.run_id, srv.cfg.port, (long long)clock_us(), (unsigned long long)up,
           (unsigned long long)(up / 86400), current_hz(), current_hz(),
           (unsigned)db_lru_clock, srv.executable ? srv.executable : "",
           srv.config_file ? srv.config_file : "");
}

/* Bytes held for clients: the structure, query buffers and queued replies. */
static size_t clients_memory(size_t *max_in, size_t *max_out)
{
    size_t total = 0;
    *max_in = *max_out = 0;
    for (client *c = client_first(); c; c = c->next) {
        total += client_memory(c); /* what tot-mem and maxmemory-clients count */
        if (c->qcap > *max_in) {
            *max_in = c->qcap;
        }
        if (c->out.pending > *max_out) {
            *max_out = c->out.pending;
        }
    }
    return total;
}

static void section_clients(sbuf *b)
{
    size_t max_in, max_out;
    clients_memory(&max_in, &max_out);
    sb_add(b,
           "# Clients\r\n"
           "connected_clients:%zu\r\n"
           "cluster_connections:0\r\n"
           "maxclients:%d\r\n"
           "client_recent_max_input_buffer:%zu\r\n"
           "client_recent_max_output_buffer:%zu\r\n"
           "blocked_clients:%zu\r\n"
           "tracking_clients:%zu\r\n"
           "clients_in_timeout_table:%zu\r\n",
           client_count(), srv.cfg.maxclients, max_in, max_out, blocking_clients(),
           tracking_nclients, blocking_clients_in_timeout());
}

static size_t rss_bytes(void)
{
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) {
        return 0;
    }
    unsigned long size = 0, resident = 0;
    int n = fscanf(fp, "%lu %lu", &size, &resident);
    fclose(fp);
    return n == 2 ? (size_t)resident * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static double ratio(size_t a, size_t b)
{
    return b ? (double)a / (double)b : 0;
}

void info_memory_figures(info_memory *m)
{
    track_peak();
    m->used = kv_used_memory();
    m->peak = memory_peak;
    m->startup = memory_startup;
    m->rss = rss_bytes();
    m->clients_normal = clients_memory(&m->max_client_in, &m->max_client_out);
}

static void section_memory(sbuf *b)
{
    size_t used = kv_used_memory();
    size_t rss = rss_bytes();
    track_peak();
    size_t max_in, max_out;
    size_t mem_clients = clients_memory(&max_in, &max_out);
    size_t tables = 0;
    for (int i = 0; i < db_count(); i++) {
        tables += ht_mem_usage(db_get(i)->keys);
    }
    size_t overhead = memory_startup + mem_clients + tables;
    size_t dataset = used > overhead ? used - overhead : 0;
    size_t net = used > memory_startup ? used - memory_startup : 0;
    unsigned long long sysmem =
        (unsigned long long)sysconf(_SC_PHYS_PAGES) * (unsigned long long)sysconf(_SC_PAGESIZE);
    char used_h[32], rss_h[32], peak_h[32], sys_h[32], max_h[32];
    info_bytes_to_human(max_h, (unsigned long long)evict_cfg.maxmemory);
    info_bytes_to_human(used_h, used);
    info_bytes_to_human(rss_h, rss);
    info_bytes_to_human(peak_h, memory_peak);
    info_bytes_to_human(sys_h, sysmem);
    /* Without finer allocator statistics, allocated == active == used and resident ==
     * RSS: the fragmentation then shows up in mem_fragmentation_ratio alone. */
    sb_add(b,
           "# Memory\r\n"
           "used_memory:%zu\r\n"
           "used_memory_human:%s\r\n"
           "used_memory_rss:%zu\r\n"
           "used_memory_rss_human:%s\r\n"
           "used_memory_peak:%zu\r\n"
           "used_memory_peak_human:%s\r\n"
           "used_memory_peak_perc:%.2f%%\r\n"
           "used_memory_overhead:%zu\r\n"
           "used_memory_startup:%zu\r\n"
           "used_memory_dataset:%zu\r\n"
           "used_memory_dataset_perc:%.2f%%\r\n"
           "allocator_allocated:%zu\r\n"
           "allocator_active:%zu\r\n"
           "allocator_resident:%zu\r\n"
           "total_system_memory:%llu\r\n"
           "total_system_memory_human:%s\r\n",
           used, used_h, rss, rss_h, memory_peak, peak_h, ratio(used, memory_peak) * 100,
           overhead, memory_startup, dataset, ratio(dataset, net) * 100, used, used, rss,
           sysmem, sys_h);
    sb_add(b,
           "used_memory_lua:0\r\n"
           "used_memory_vm_eval:0\r\n"
           "used_memory_lua_human:0B\r\n"
           "used_memory_scripts_eval:0\r\n"
           "number_of_cached_scripts:0\r\n"
           "number_of_functions:0\r\n"
           "number_of_libraries:0\r\n"
           "used_memory_vm_functions:0\r\n"
           "used_memory_vm_total:0\r\n"
           "used_memory_vm_total_human:0B\r\n"
           "used_memory_functions:0\r\n"
           "used_memory_scripts:0\r\n"
           "used_memory_scripts_human:0B\r\n"
           "maxmemory:%lld\r\n"
           "maxmemory_human:%s\r\n"
           "maxmemory_policy:%s\r\n"
           "allocator_frag_ratio:1.00\r\n"
           "allocator_frag_bytes:0\r\n"
           "allocator_rss_ratio:%.2f\r\n"
           "allocator_rss_bytes:%lld\r\n"
           "rss_overhead_ratio:1.00\r\n"
           "rss_overhead_bytes:0\r\n"
           "mem_fragmentation_ratio:%.2f\r\n"
           "mem_fragmentation_bytes:%lld\r\n"
           "mem_not_counted_for_evict:0\r\n"
           "mem_replication_backlog:0\r\n"
           "mem_total_replication_buffers:0\r\n"
           "mem_clients_slaves:0\r\n"
           "mem_clients_normal:%zu\r\n"
           "mem_cluster_links:0\r\n"
           "mem_aof_buffer:0\r\n"
           "mem_allocator:%s\r\n"
           "active_defrag_running:0\r\n"
           "lazyfree_pending_objects:%zu\r\n"
           "lazyfreed_objects:%lld\r\n",
           evict_cfg.maxmemory, max_h, evict_policy_names[evict_cfg.policy],
           ratio(rss, used), (long long)rss - (long long)used, ratio(rss, used),
           (long long)rss - (long long)used, mem_clients, kv_alloc_name(), lazyfree_pending(),
           lazyfree_freed());
}

static void section_persistence(sbuf *b)
{
    const struct persistence *p = &persist;
    long long now = (long long)time(NULL);
    bool rdb_child = child_kind() == CHILD_RDB;
    child_stats cs;
    child_get_stats(&cs);
    char aof_main[1024], aof_extra[512];
    aof_info(0, aof_main, sizeof(aof_main));
    aof_info(1, aof_extra, sizeof(aof_extra));
    sb_add(b,
           "# Persistence\r\n"
           "loading:%d\r\n"
           "async_loading:0\r\n"
           "current_cow_peak:%lld\r\n"
           "current_cow_size:%lld\r\n"
           "current_cow_size_age:%lld\r\n"
           "current_fork_perc:%.2f\r\n"
           "current_save_keys_processed:%lld\r\n"
           "current_save_keys_total:%lld\r\n"
           "rdb_changes_since_last_save:%lld\r\n"
           "rdb_bgsave_in_progress:%d\r\n"
           "rdb_last_save_time:%lld\r\n"
           "rdb_last_bgsave_status:%s\r\n"
           "rdb_last_bgsave_time_sec:%lld\r\n"
           "rdb_current_bgsave_time_sec:%lld\r\n"
           "rdb_saves:%lld\r\n"
           "rdb_last_cow_size:%lld\r\n"
           "rdb_last_load_keys_expired:%lld\r\n"
           "rdb_last_load_keys_loaded:%lld\r\n"
           "%s"
           "module_fork_in_progress:0\r\n"
           "module_fork_last_cow_size:0\r\n"
           "%s",
           p->loading ? 1 : 0, cs.cow_peak, cs.cow_bytes, cs.cow_age_s,
           cs.keys_total ? (double)cs.keys_done * 100 / (double)cs.keys_total : 0.0,
           cs.keys_done, cs.keys_total, srv.dirty, rdb_child ? 1 : 0,
           (long long)srv.lastsave, p->last_bgsave_ok ? "ok" : "err", p->last_bgsave_secs,
           rdb_child ? (long long)(clock_ms() - p->child_start_ms) / 1000 : -1LL, p->saves,
           cs.last_cow[CHILD_RDB], p->last_load_keys_expired, p->last_load_keys_loaded,
           aof_main, aof_extra);
    if (p->loading) {
        long long elapsed = now - p->loading_start;
        double perc = p->loading_total_bytes
                          ? (double)p->loading_loaded_bytes * 100 / (double)p->loading_total_bytes
                          : 0;
        long long eta = elapsed && p->loading_loaded_bytes
                            ? (p->loading_total_bytes - p->loading_loaded_bytes) /
                                  (p->loading_loaded_bytes / elapsed + 1)
                            : 1;
        sb_add(b,
               "loading_start_time:%lld\r\n"
               "loading_total_bytes:%lld\r\n"
               "loading_rdb_used_mem:%lld\r\n"
               "loading_loaded_bytes:%lld\r\n"
               "loading_loaded_perc:%.2f\r\n"
               "loading_eta_seconds:%lld\r\n",
               (long long)p->loading_start, p->loading_total_bytes, p->loading_rdb_used_mem,
               p->loading_loaded_bytes, perc, eta);
    }
}

/* How long memory has been over maxmemory in the current stretch (0 when under). */
static long long exceeded_now_us(void)
{
    uint64_t since = evict_stats.exceeded_since_us;
    return since ? (long long)(clock_mono_us() - since) : 0;
}

static void section_stats(sbuf *b)
{
    const struct server_stats *st = &srv.stats;
    sb_add(b,
           "# Stats\r\n"
           "total_connections_received:%lld\r\n"
           "total_commands_processed:%lld\r\n"
           "instantaneous_ops_per_sec:%lld\r\n"
           "total_net_input_bytes:%lld\r\n"
           "total_net_output_bytes:%lld\r\n"
           "total_net_repl_input_bytes:0\r\n"
           "total_net_repl_output_bytes:0\r\n"
           "instantaneous_input_kbps:%.2f\r\n"
           "instantaneous_output_kbps:%.2f\r\n"
           "instantaneous_input_repl_kbps:0.00\r\n"
           "instantaneous_output_repl_kbps:0.00\r\n"
           "rejected_connections:%lld\r\n"
           "sync_full:0\r\n"
           "sync_partial_ok:0\r\n"
           "sync_partial_err:0\r\n"
           "expired_keys:%lld\r\n"
           "expired_subkeys:%lld\r\n"
           "expired_stale_perc:%.2f\r\n"
           "expired_time_cap_reached_count:0\r\n"
           "expire_cycle_cpu_milliseconds:%lld\r\n"
           "evicted_keys:%lld\r\n"
           "evicted_clients:%lld\r\n"
           "total_eviction_exceeded_time:%lld\r\n"
           "current_eviction_exceeded_time:%lld\r\n"
           "keyspace_hits:%lld\r\n"
           "keyspace_misses:%lld\r\n",
           st->total_connections_received, st->total_commands_processed, rate_get(RATE_OPS),
           st->net_input_bytes, st->net_output_bytes, (double)rate_get(RATE_NET_IN) / 1024,
           (double)rate_get(RATE_NET_OUT) / 1024, st->rejected_connections,
           db_stats.expired_keys, hash_expired_fields(),
           (double)db_stats.expired_stale_perc_x100 / 100,
           db_stats.expire_cycle_cpu_us / 1000, evict_stats.evicted_keys, st->evicted_clients,
           (evict_stats.exceeded_time_us + exceeded_now_us()) / 1000, exceeded_now_us() / 1000,
           db_stats.hits, db_stats.misses);
    sb_add(b,
           "pubsub_channels:0\r\n"
           "pubsub_patterns:0\r\n"
           "pubsubshard_channels:0\r\n"
           "latest_fork_usec:%lld\r\n"
           "total_forks:%lld\r\n"
           "migrate_cached_sockets:0\r\n"
           "slave_expires_tracked_keys:0\r\n"
           "active_defrag_hits:0\r\n"
           "active_defrag_misses:0\r\n"
           "active_defrag_key_hits:0\r\n"
           "active_defrag_key_misses:0\r\n"
           "total_active_defrag_time:0\r\n"
           "current_active_defrag_time:0\r\n"
           "tracking_total_keys:%zu\r\n"
           "tracking_total_items:%zu\r\n"
           "tracking_total_prefixes:%zu\r\n"
           "unexpected_error_replies:%lld\r\n"
           "total_error_replies:%lld\r\n"
           "dump_payload_sanitizations:0\r\n"
           "total_reads_processed:0\r\n"
           "total_writes_processed:0\r\n"
           "io_threaded_reads_processed:0\r\n"
           "io_threaded_writes_processed:0\r\n"
           "reply_buffer_shrinks:0\r\n"
           "reply_buffer_expands:0\r\n",
           child_latest_fork_usec(), child_total_forks(),
           tracking_total_keys(), tracking_total_items(), tracking_total_prefixes(),
           st->unexpected_error_replies, st->total_error_replies);
}

/* 40 hex digits, made once: there is no replication yet, but the field is a fixed-size
 * id tools compare, so it must look like one and stay stable for the process. */
static const char *master_replid(void)
{
    static char id[41];
    if (!id[0]) {
        static const char hex[] = "0123456789abcdef";
        unsigned char raw[20] = {0};
        FILE *fp = fopen("/dev/urandom", "r");
        if (!fp || fread(raw, 1, sizeof(raw), fp) != sizeof(raw)) {
            for (size_t i = 0; i < sizeof(raw); i++) {
                raw[i] = (unsigned char)(srv.run_id[i * 2] * 31 + (int)i);
            }
        }
        if (fp) {
            fclose(fp);
        }
        for (size_t i = 0; i < sizeof(raw); i++) {
            id[i * 2] = hex[raw[i] >> 4];
            id[i * 2 + 1] = hex[raw[i] & 15];
        }
    }
    return id;
}

static void section_replication(sbuf *b)
{
    sb_add(b,
           "# Replication\r\n"
           "role:master\r\n"
           "connected_slaves:0\r\n"
           "master_failover_state:no-failover\r\n"
           "master_replid:%s\r\n"
           "master_replid2:0000000000000000000000000000000000000000\r\n"
           "master_repl_offset:0\r\n"
           "second_repl_offset:-1\r\n"
           "repl_backlog_active:0\r\n"
           "repl_backlog_size:1048576\r\n"
           "repl_backlog_first_byte_offset:0\r\n"
           "repl_backlog_histlen:0\r\n",
           master_replid());
}

static void section_cpu(sbuf *b)
{
    struct rusage self = {0}, children = {0}, thread = {0};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
#ifdef RUSAGE_THREAD
    getrusage(RUSAGE_THREAD, &thread);
#else
    thread = self;
#endif
    sb_add(b,
           "# CPU\r\n"
           "used_cpu_sys:%ld.%06ld\r\n"
           "used_cpu_user:%ld.%06ld\r\n"
           "used_cpu_sys_children:%ld.%06ld\r\n"
           "used_cpu_user_children:%ld.%06ld\r\n"
           "used_cpu_sys_main_thread:%ld.%06ld\r\n"
           "used_cpu_user_main_thread:%ld.%06ld\r\n",
           (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
           (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
           (long)children.ru_stime.tv_sec, (long)children.ru_stime.tv_usec,
           (long)children.ru_utime.tv_sec, (long)children.ru_utime.tv_usec,
           (long)thread.ru_stime.tv_sec, (long)thread.ru_stime.tv_usec,
           (long)thread.ru_utime.tv_sec, (long)thread.ru_utime.tv_usec);
}

static void command_stat_line(sbuf *b, const command *cmd)
{
    const command_stats *s = &cmd->stats;
    if (!s->calls && !s->failed_calls && !s->rejected_calls) {
        return;
    }
    sb_add(b, "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
              "failed_calls=%lld\r\n",
           cmd->fullname, s->calls, s->usec,
           s->calls ? (double)s->usec / (double)s->calls : 0.0, s->rejected_calls,
           s->failed_calls);
}

static void section_commandstats(sbuf *b)
{
    sb_add(b, "# Commandstats\r\n");
    for (size_t i = 0; command_at(i); i++) {
        const command *cmd = command_at(i);
        command_stat_line(b, cmd);
        for (const command *s = cmd->subs; s && s->name; s++) {
            command_stat_line(b, s);
        }
    }
}

static int error_cmp(const void *a, const void *b)
{
    return strcmp(((const error_stat *)a)->code, ((const error_stat *)b)->code);
}

static void section_errorstats(sbuf *b)
{
    sb_add(b, "# Errorstats\r\n");
    /* Redis keeps them in a radix tree: listed in byte order of the code. */
    qsort(errors, (size_t)nerrors, sizeof(errors[0]), error_cmp);
    for (int i = 0; i < nerrors; i++) {
        sb_add(b, "errorstat_%s:count=%lld\r\n", errors[i].code, errors[i].count);
    }
}

static void section_keyspace(sbuf *b)
{
    sb_add(b, "# Keyspace\r\n");
    for (int i = 0; i < db_count(); i++) {
        db *d = db_get(i);
        size_t keys = db_size(d);
        if (keys) {
            sb_add(b, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, keys, d->expires,
                   (long long)d->avg_ttl);
        }
    }
}

char *info_generate(const kstr *args, int nargs, size_t *len)
{
    unsigned want = parse_sections(args, nargs);
    sbuf b = {0};
    sb_add(&b, "%s", "");
    int n = 0;
#define SECTION(bit, call)                                                                    \
    do {                                                                                      \
        if (want & (bit)) {                                                                   \
            if (n++) {                                                                        \
                sb_add(&b, "\r\n");                                                           \
            }                                                                                 \
            call;                                                                             \
        }                                                                                     \
    } while (0)
    SECTION(SEC_SERVER, section_server(&b));
    SECTION(SEC_CLIENTS, section_clients(&b));
    SECTION(SEC_MEMORY, section_memory(&b));
    SECTION(SEC_PERSISTENCE, section_persistence(&b));
    SECTION(SEC_STATS, section_stats(&b));
    SECTION(SEC_REPLICATION, section_replication(&b));
    SECTION(SEC_CPU, section_cpu(&b));
    SECTION(SEC_MODULES, sb_add(&b, "# Modules\r\n"));
    SECTION(SEC_COMMANDSTATS, section_commandstats(&b));
    SECTION(SEC_ERRORSTATS, section_errorstats(&b));
    /* Per-command latency histograms are not kept yet: the section is present, empty. */
    SECTION(SEC_LATENCYSTATS, sb_add(&b, "# Latencystats\r\n"));
    SECTION(SEC_CLUSTER, sb_add(&b, "# Cluster\r\ncluster_enabled:0\r\n"));
    SECTION(SEC_KEYSPACE, section_keyspace(&b));
#undef SECTION
    *len = b.len;
    return b.p;
}
