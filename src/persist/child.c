/* child.c - the background child: fork, reports, reaping (see child.h).
 *
 * Reports are fixed-size records written into a non-blocking pipe; a full pipe drops a
 * record, since the parent only wants the latest. The copy-on-write size is the child's
 * Private_Dirty memory, as Redis measures it: pages that stopped being shared with the
 * parent.
 */
#include "persist/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/server.h"
#include "db/db.h"
#include "db/lazyfree.h"
#include "db/object.h"

typedef struct report {
    long long keys, cow;
    int final;
} report;

/* Parent side. */
static pid_t pid = -1;
static int kind = CHILD_NONE;
static child_done_fn *on_done;
static int64_t started_ms;
static int info_pipe = -1;          /* read end, -1 none */
static long long latest_fork_usec, total_forks;
static child_stats stats;
static int64_t cow_updated_ms;

/* Child side. */
static int report_fd = -1;
static uint64_t last_report_us;
static long long cow_peak, cow_sum, cow_samples; /* the child's own view, for its log */

static long long private_dirty_bytes(void)
{
    FILE *fp = fopen("/proc/self/smaps_rollup", "r");
    if (!fp) {
        return 0;
    }
    char line[256];
    long long kb = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (!strncmp(line, "Private_Dirty:", 14)) {
            kb += atoll(line + 14);
        }
    }
    fclose(fp);
    return kb * 1024;
}

static void in_child(int fd)
{
    lazyfree_fork_child();
    log_role = 'C';
    report_fd = fd;
    last_report_us = clock_mono_us();
    if (setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0) + 5) < 0) {
        log_verbose("Could not lower the priority of the child: %s", strerror(errno));
    }
    /* The listeners are the parent's: a child outliving it must not hold the port. */
    for (int i = 0; i < srv.nlisten; i++) {
        close(srv.listen_fds[i]);
    }
    if (srv.unix_fd >= 0) {
        close(srv.unix_fd);
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

pid_t child_fork(int k, child_done_fn *done)
{
    if (pid > 0) {
        errno = EBUSY;
        return -1;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
        fds[0] = fds[1] = -1;
    }
    long long keys = 0;
    for (int i = 0; i < db_count(); i++) {
        keys += (long long)db_size(db_get(i));
    }
    uint64_t start = clock_mono_us();
    lazyfree_fork_prepare();
    pid_t p = fork();
    int fork_errno = errno;
    if (p == 0) {
        if (fds[0] >= 0) {
            close(fds[0]);
        }
        in_child(fds[1]);
        return 0;
    }
    lazyfree_fork_parent();
    if (fds[1] >= 0) {
        close(fds[1]);
    }
    latest_fork_usec = (long long)(clock_mono_us() - start);
    if (p < 0) {
        if (fds[0] >= 0) {
            close(fds[0]);
        }
        errno = fork_errno;
        return -1;
    }
    total_forks++;
    pid = p;
    kind = k;
    on_done = done;
    started_ms = clock_ms();
    info_pipe = fds[0];
    stats.keys_total = keys;
    stats.keys_done = 0;
    stats.cow_bytes = stats.cow_peak = 0;
    stats.last_cow[k] = 0;
    cow_updated_ms = 0;
    kobj_lru_frozen = true;
    return p;
}

bool child_active(void)
{
    return pid > 0;
}

int child_kind(void)
{
    return kind;
}

pid_t child_pid(void)
{
    return pid;
}

int64_t child_start_ms(void)
{
    return started_ms;
}

static void read_reports(void)
{
    report rep;
    while (info_pipe >= 0 && read(info_pipe, &rep, sizeof(rep)) == (ssize_t)sizeof(rep)) {
        stats.keys_done = rep.keys;
        stats.cow_bytes = rep.cow;
        stats.cow_peak = rep.cow > stats.cow_peak ? rep.cow : stats.cow_peak;
        cow_updated_ms = clock_ms();
        if (rep.final) {
            stats.last_cow[kind] = rep.cow;
        }
    }
}

/* The child is gone: back to no child. */
static void forget(void)
{
    read_reports();
    if (info_pipe >= 0) {
        close(info_pipe);
        info_pipe = -1;
    }
    stats.keys_done = stats.keys_total = 0;
    stats.cow_bytes = stats.cow_peak = 0;
    cow_updated_ms = 0;
    pid = -1;
    kind = CHILD_NONE;
    on_done = NULL;
    kobj_lru_frozen = false;
}

void child_cron(void)
{
    if (pid <= 0) {
        return;
    }
    read_reports();
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    bool ok;
    int sig;
    if (r == pid) {
        ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    } else if (r < 0 && errno == ECHILD) {
        ok = false; /* reaped by someone else: its outcome is unknown */
        sig = 0;
    } else {
        return;
    }
    pid_t p = pid;
    child_done_fn *done = on_done;
    forget();
    if (done) {
        done(p, ok, sig);
    }
}

void child_kill(void)
{
    if (pid <= 0) {
        return;
    }
    kill(pid, SIGUSR1);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    forget();
}

static void send_report(long long keys, int final)
{
    if (report_fd < 0) {
        return;
    }
    report rep = {keys, private_dirty_bytes(), final};
    cow_peak = rep.cow > cow_peak ? rep.cow : cow_peak;
    cow_sum += rep.cow;
    cow_samples++;
    ssize_t n = write(report_fd, &rep, sizeof(rep));
    (void)n;
}

void child_report_progress(long long keys)
{
    uint64_t now = clock_mono_us();
    if (now - last_report_us >= 1000000) {
        last_report_us = now;
        send_report(keys, 0);
    }
}

void child_report_final(long long keys, const char *what)
{
    send_report(keys, 1);
    log_notice("Fork CoW for %s: current %lld MB, peak %lld MB, average %lld MB", what,
               (long long)(private_dirty_bytes() >> 20), cow_peak >> 20,
               cow_samples ? (cow_sum / cow_samples) >> 20 : 0);
}

void child_get_stats(child_stats *st)
{
    read_reports();
    *st = stats;
    st->cow_age_s = cow_updated_ms ? (long long)(clock_ms() - cow_updated_ms) / 1000 : 0;
}

long long child_latest_fork_usec(void)
{
    return latest_fork_usec;
}

long long child_total_forks(void)
{
    return total_forks;
}
