/* fsyncer.c - the fsync thread (see fsyncer.h).
 *
 * A mutex-protected FIFO of (fd, close) jobs and two condition variables: one wakes the
 * thread, one wakes a main thread waiting for the queue to drain (shutdown, switching
 * files). Jobs are at most a few a second, so the lock is never contended.
 */
#include "persist/fsyncer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"

typedef struct job {
    struct job *next;
    int fd;
    bool sync, close_after;
} job;

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle = PTHREAD_COND_INITIALIZER;
static job *head, *tail;
static bool stopping, started;
static atomic_size_t pending; /* relaxed: INFO and the "one at a time" check */
static atomic_int last_error;  /* relaxed: a status for the main thread to report */

static void run_job(job *j)
{
    if (j->sync) {
        int rc = fdatasync(j->fd);
        /* EINVAL: a file that cannot be synced (a special file); nothing to report. */
        int err = rc < 0 && errno != EINVAL ? errno : 0;
        atomic_store_explicit(&last_error, err, memory_order_relaxed);
    }
    if (j->close_after) {
        close(j->fd);
    }
}

static void *run(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head && !stopping) {
            pthread_cond_wait(&wake, &lock);
        }
        job *j = head;
        if (!j) {
            break;
        }
        head = j->next;
        if (!head) {
            tail = NULL;
        }
        pthread_mutex_unlock(&lock);
        run_job(j);
        free(j);
        pthread_mutex_lock(&lock);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_relaxed);
        if (!head) {
            pthread_cond_broadcast(&idle);
        }
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

void fsyncer_setup(void)
{
    if (!started) {
        stopping = false;
        started = pthread_create(&thread, NULL, run, NULL) == 0;
    }
}

void fsyncer_teardown(void)
{
    if (!started) {
        return;
    }
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    started = false;
}

static void submit(int fd, bool sync, bool close_after)
{
    job *j = started ? malloc(sizeof(*j)) : NULL;
    if (!j) {
        job inline_job = {NULL, fd, sync, close_after};
        run_job(&inline_job);
        return;
    }
    j->next = NULL;
    j->fd = fd;
    j->sync = sync;
    j->close_after = close_after;
    pthread_mutex_lock(&lock);
    atomic_fetch_add_explicit(&pending, 1, memory_order_relaxed);
    if (tail) {
        tail->next = j;
    } else {
        head = j;
    }
    tail = j;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

void fsyncer_submit(int fd, bool close_after)
{
    submit(fd, true, close_after);
}

void fsyncer_close(int fd)
{
    submit(fd, false, true);
}

int fsyncer_error(void)
{
    return atomic_load_explicit(&last_error, memory_order_relaxed);
}

size_t fsyncer_pending(void)
{
    return atomic_load_explicit(&pending, memory_order_relaxed);
}

void fsyncer_drain(void)
{
    if (!started) {
        return;
    }
    pthread_mutex_lock(&lock);
    while (atomic_load_explicit(&pending, memory_order_relaxed)) {
        pthread_cond_wait(&idle, &lock);
    }
    pthread_mutex_unlock(&lock);
}
