/* info.h - the INFO text: sections, field names and order as Redis 7.0.15 prints them,
 * and the few statistics only INFO needs (instantaneous rates, memory peak, errorstats).
 */
#ifndef KV_INFO_H
#define KV_INFO_H

#include <stddef.h>

#include "base/kstr.h"

/* Builds the INFO text for the section names in args (none: the default sections;
 * "all", "everything", "default" and section names mix, case-insensitively). Returns a
 * kv_malloc'd buffer the caller frees; *len gets its length (no NUL counted). */
char *info_generate(const kstr *args, int nargs, size_t *len);

/* Called from the server cron: samples ops/sec and network rates every 100 ms and keeps
 * the memory peak. Cheap when called more often. */
void info_cron(void);

/* Counts n error replies whose code (first word: "ERR", "WRONGTYPE") is code, for the
 * errorstats section. At most 128 distinct codes are tracked, as Redis does; later ones
 * still count in total_error_replies, which the caller keeps. */
void info_record_error(const char *code, long long n);

/* CONFIG RESETSTAT: clears errorstats and the rate samples (Redis keeps the memory
 * peak). */
void info_reset_stats(void);

/* Redis's bytesToHuman: "894.93K", "1.00M", "12B". buf >= 32 bytes. */
void info_bytes_to_human(char *buf, unsigned long long n);

/* The memory figures INFO memory reports, for MEMORY STATS and MEMORY DOCTOR. */
typedef struct info_memory {
    size_t used, peak, startup, rss;
    size_t clients_normal;    /* client buffers, as mem_clients_normal */
    size_t max_client_in, max_client_out;
} info_memory;
void info_memory_figures(info_memory *m);

#endif
