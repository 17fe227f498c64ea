/* log.c - the log sink. Opens the log file per line as Redis does, so logrotate works
 * without a signal; stdout when no file is set. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_level_current = LL_NOTICE;
static char log_file[4096];

static const char *const names[] = {"debug", "verbose", "notice", "warning", "nothing"};

int log_level_parse(const char *name)
{
    for (int i = 0; i <= LL_NOTHING; i++) {
        if (!strcasecmp(name, names[i])) {
            return i;
        }
    }
    return -1;
}

const char *log_level_name(int level)
{
    return (level >= 0 && level <= LL_NOTHING) ? names[level] : "notice";
}

void log_set_level(int level)
{
    log_level_current = level;
}

int log_setup(int level, const char *file)
{
    log_level_current = level;
    if (!file || !file[0]) {
        log_file[0] = '\0';
        return 0;
    }
    FILE *fp = fopen(file, "a");
    if (!fp) {
        return -1;
    }
    fclose(fp);
    snprintf(log_file, sizeof(log_file), "%s", file);
    return 0;
}

char log_role = 'M';

void log_raw(int level, const char *fmt, ...)
{
    static const char marks[] = ".-*#";
    char msg[1024], stamp[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    size_t off = strftime(stamp, sizeof(stamp), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(stamp + off, sizeof(stamp) - off, "%03d", (int)(tv.tv_usec / 1000));

    FILE *fp = log_file[0] ? fopen(log_file, "a") : stdout;
    if (!fp) {
        return;
    }
    fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), log_role, stamp, marks[level > 3 ? 3 : level],
            msg);
    fflush(fp);
    if (fp != stdout) {
        fclose(fp);
    }
}
