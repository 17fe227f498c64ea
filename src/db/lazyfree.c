/* lazyfree.c - the background free thread (see lazyfree.h).
 *
 * A mutex-protected singly linked queue and a condition variable. Jobs are few and large
 * (a value of more than LAZYFREE_THRESHOLD allocations), so the lock is never hot.
 */
#include "db/lazyfree.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "base/alloc.h"

typedef struct job {
    struct job *next;
    lazyfree_fn *fn;
    void *ptr;
} job;

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static job *head, *tail;
static bool stopping, started;
static atomic_size_t pending;   /* relaxed: a statistic */
static atomic_llong freed;

static void *run(void *arg)
{
    (void)arg;
    kv_alloc_mark_background_thread();
    for (;;) {
        pthread_mutex_lock(&lock);
        while (!head && !stopping) {
            pthread_cond_wait(&wake, &lock);
        }
        job *j = head;
        if (j) {
            head = j->next;
            if (!head) {
                tail = NULL;
            }
        }
        pthread_mutex_unlock(&lock);
        if (!j) {
            return NULL; /* stopping and drained */
        }
        j->fn(j->ptr);
        free(j);
        atomic_fetch_sub_explicit(&pending, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&freed, 1, memory_order_relaxed);
    }
}

void lazyfree_setup(void)
{
    started = pthread_create(&thread, NULL, run, NULL) == 0;
}

void lazyfree_teardown(void)
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

void lazyfree_submit(lazyfree_fn *fn, void *ptr)
{
    /* The job node comes from plain malloc: it is freed on the other thread and is
     * bookkeeping, not data. No thread (start-up failure): free inline. */
    job *j = started ? malloc(sizeof(*j)) : NULL;
    if (!j) {
        fn(ptr);
        return;
    }
    j->next = NULL;
    j->fn = fn;
    j->ptr = ptr;
    atomic_fetch_add_explicit(&pending, 1, memory_order_relaxed);
    pthread_mutex_lock(&lock);
    if (tail) {
        tail->next = j;
    } else {
        head = j;
    }
    tail = j;
    pthread_cond_signal(&wake);
    pthread_mutex_unlock(&lock);
}

size_t lazyfree_pending(void)
{
    return atomic_load_explicit(&pending, memory_order_relaxed);
}

long long lazyfree_freed(void)
{
    return atomic_load_explicit(&freed, memory_order_relaxed);
}

void lazyfree_fork_prepare(void)
{
    pthread_mutex_lock(&lock);
}

void lazyfree_fork_parent(void)
{
    pthread_mutex_unlock(&lock);
}

void lazyfree_fork_child(void)
{
    head = tail = NULL;
    started = false;
    pthread_mutex_unlock(&lock);
}
