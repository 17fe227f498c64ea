/* child.h - the one background child process (AOF rewrite now; snapshots later).
 *
 * Redis runs at most one fork child at a time; this module is the single place that
 * knows whether one runs, of which kind, and reaps it. Callers ask child_active() before
 * starting work of their own and schedule it for later when another child runs.
 *
 * Fork safety: the parent has helper threads (lazy free, AOF fsync). The child never
 * talks to them: child_fork() switches lazy free to inline frees in the child, closes the
 * listening sockets there, and the child leaves with _exit() only.
 */
#ifndef KV_CHILD_H
#define KV_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

enum child_kind { CHILD_NONE = 0, CHILD_AOF = 1, CHILD_RDB = 2 };

/* Forks a child of `kind`. Returns 0 in the child, its pid in the parent, -1 (errno set)
 * when the fork failed. Refuses (-1, EBUSY) when a child already runs. */
pid_t child_fork(int kind);
bool child_active(void);
int child_kind(void);                 /* CHILD_NONE when none */
pid_t child_pid(void);
/* Reaps the child if it exited: returns its kind (CHILD_NONE when none finished) and sets
 * *ok (exit status 0), *bysignal (killed by a signal). Call from the cron. */
int child_reap(bool *ok, bool *bysignal);
/* Kills the running child (SIGUSR1, as Redis: the child treats it as a clean abort) and
 * waits for it. */
void child_kill(void);
long long child_latest_fork_usec(void); /* INFO latest_fork_usec: the parent's stall */
long long child_total_forks(void);

#endif
