/* log.h - Redis-format log lines: "pid:M 26 Nov 2026 10:00:00.123 * message".
 *
 * log_setup() sets the level and destination (NULL or "" = stdout). The macros check the
 * level before formatting, so a disabled debug line costs one comparison.
 */
#ifndef KV_LOG_H
#define KV_LOG_H

enum log_level { LL_DEBUG = 0, LL_VERBOSE, LL_NOTICE, LL_WARNING, LL_NOTHING };

extern int log_level_current;

int log_setup(int level, const char *file); /* 0, or -1 when file cannot be opened */
void log_set_level(int level);
/* The role letter after the pid: 'M' (the server), 'C' (a forked child), as Redis. */
extern char log_role;
void log_raw(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int log_level_parse(const char *name);      /* "debug".."nothing" -> level, -1 unknown */
const char *log_level_name(int level);

#define LOG(level, ...)                                                                   \
    do {                                                                                  \
        if ((level) >= log_level_current) {                                               \
            log_raw((level), __VA_ARGS__);                                                \
        }                                                                                 \
    } while (0)
#define log_debug(...) LOG(LL_DEBUG, __VA_ARGS__)
#define log_verbose(...) LOG(LL_VERBOSE, __VA_ARGS__)
#define log_notice(...) LOG(LL_NOTICE, __VA_ARGS__)
#define log_warning(...) LOG(LL_WARNING, __VA_ARGS__)

#endif
