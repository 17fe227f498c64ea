/* child.c - bookkeeping of the background child (see child.h). */
#include "persist/child.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "core/server.h"
#include "db/lazyfree.h"

static pid_t pid = -1;
static int kind = CHILD_NONE;
static long long latest_fork_usec, total_forks;

pid_t child_fork(int k)
{
    if (pid > 0) {
        errno = EBUSY;
        return -1;
    }
    uint64_t start = clock_mono_us();
    pid_t p = fork();
    if (p < 0) {
        return -1;
    }
    if (p == 0) {
        lazyfree_after_fork_child();
        log_set_role('C');
        for (int i = 0; i < srv.nlisten; i++) {
            close(srv.listen_fds[i]);
        }
        if (srv.unix_fd >= 0) {
            close(srv.unix_fd);
        }
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGUSR1, SIG_DFL);
        return 0;
    }
    pid = p;
    kind = k;
    latest_fork_usec = (long long)(clock_mono_us() - start);
    total_forks++;
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

int child_reap(bool *ok, bool *bysignal)
{
    if (pid <= 0) {
        return CHILD_NONE;
    }
    int status;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r != pid) {
        return CHILD_NONE;
    }
    int k = kind;
    *bysignal = WIFSIGNALED(status);
    *ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    pid = -1;
    kind = CHILD_NONE;
    return k;
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
    pid = -1;
    kind = CHILD_NONE;
}

long long child_latest_fork_usec(void)
{
    return latest_fork_usec;
}

long long child_total_forks(void)
{
    return total_forks;
}
