/* child.h - the one background child process: BGSAVE (CHILD_RDB) or an AOF rewrite
 * (CHILD_AOF).
 *
 * Redis runs at most one fork child at a time; this module is the single place that
 * forks it, knows whether one runs and of which kind, reaps or kills it, and keeps what
 * INFO reports about forks and children (latest_fork_usec, total_forks, current_cow_*,
 * current_save_keys_*, rdb_last_cow_size, aof_last_cow_size). Callers ask child_active()
 * before starting work of their own and schedule it for later when another child runs.
 *
 * Fork safety: the parent has helper threads (lazy free, AOF fsync). The child never
 * talks to them: child_fork() takes the lazy-free queue lock around fork() and switches
 * lazy free to inline frees in the child, closes the listening sockets there, lowers the
 * child's priority (nice +5: on a busy machine the server it forked from comes first) and
 * the child leaves with _exit() only. While a child runs, reads stop touching LRU clocks
 * (kobj_lru_frozen) so that the pages the child still shares stay shared.
 *
 * Progress: the child reports keys written and its copy-on-write size (Private_Dirty)
 * through a pipe, about once a second and once at the end; the parent reads the reports
 * from child_cron() and INFO.
 */
#ifndef KV_CHILD_H
#define KV_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum child_kind { CHILD_NONE = 0, CHILD_AOF = 1, CHILD_RDB = 2 };

/* Told in the parent when its child ended: ok (exit status 0), or the number of the
 * signal that killed it (0: none). Not called for a child_kill(). */
typedef void child_done_fn(pid_t pid, bool ok, int bysignal);

/* Forks a child of `kind`. Returns 0 in the child, its pid in the parent, -1 (errno set)
 * when the fork failed. Refuses (-1, EBUSY) when a child already runs. */
pid_t child_fork(int kind, child_done_fn *done);
bool child_active(void);
int child_kind(void);                 /* CHILD_NONE when none */
pid_t child_pid(void);
int64_t child_start_ms(void);        /* when the running child was forked */
/* Cron: reads the child's reports, reaps it if it exited (calling its done function). */
void child_cron(void);
/* Kills the running child (SIGUSR1, as Redis: a deliberate stop, not an error) and waits
 * for it. Its done function is not called: the caller cleans up what it left. */
void child_kill(void);

/* In the child: reports keys written so far (at most once a second). */
void child_report_progress(long long keys);
/* In the child, when done: the last report, and the CoW log line ("RDB", "AOF rewrite"). */
void child_report_final(long long keys, const char *what);

typedef struct child_stats {
    long long cow_peak, cow_bytes, cow_age_s;   /* current_cow_*: the running child */
    long long keys_done, keys_total;            /* current_save_keys_* */
    long long last_cow[3];                      /* by kind: rdb_/aof_last_cow_size */
} child_stats;
void child_get_stats(child_stats *st);
long long child_latest_fork_usec(void); /* INFO latest_fork_usec: the parent's stall */
long long child_total_forks(void);

#endif
