/* ev.c - epoll event loop with a timer min-heap (see ev.h).
 *
 * Invariants: files[fd].mask mirrors what epoll has registered for fd. Timers live in a
 * binary min-heap ordered by due time (monotonic ms); ev_timer_del marks a timer dead and
 * the loop drops it when it reaches the top, so deletion is O(1) and never reorders.
 */
#include "event/ev.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"

typedef struct file_ev {
    int mask;
    ev_file_fn *fn;
    void *data;
} file_ev;

typedef struct timer {
    long long id;
    int64_t due_ms;
    ev_timer_fn *fn;
    void *data;
    bool dead;
} timer;

struct ev_loop {
    int epfd;
    int setsize;
    file_ev *files;
    struct epoll_event *fired;
    timer *heap;
    size_t nheap, capheap;
    long long next_id;
    ev_hook_fn *before_sleep;
    bool stop;
};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ev_loop *ev_create(int setsize)
{
    ev_loop *l = kv_calloc(sizeof(*l));
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0) {
        kv_free(l);
        return NULL;
    }
    l->setsize = setsize;
    l->files = kv_calloc(sizeof(file_ev) * (size_t)setsize);
    l->fired = kv_calloc(sizeof(struct epoll_event) * (size_t)setsize);
    l->next_id = 1;
    return l;
}

void ev_destroy(ev_loop *l)
{
    if (!l) {
        return;
    }
    close(l->epfd);
    kv_free(l->files);
    kv_free(l->fired);
    kv_free(l->heap);
    kv_free(l);
}

int ev_setsize(const ev_loop *l)
{
    return l->setsize;
}

int ev_resize(ev_loop *l, int setsize)
{
    for (int fd = setsize; fd < l->setsize; fd++) {
        if (l->files[fd].mask) {
            return -1;
        }
    }
    l->files = kv_realloc(l->files, sizeof(file_ev) * (size_t)setsize);
    l->fired = kv_realloc(l->fired, sizeof(struct epoll_event) * (size_t)setsize);
    if (setsize > l->setsize) {
        memset(l->files + l->setsize, 0, sizeof(file_ev) * (size_t)(setsize - l->setsize));
    }
    l->setsize = setsize;
    return 0;
}

static int apply(ev_loop *l, int fd, int old, int mask)
{
    struct epoll_event ee = {0};
    ee.events = (mask & EV_READ ? EPOLLIN : 0) | (mask & EV_WRITE ? EPOLLOUT : 0);
    ee.data.fd = fd;
    int op = old == 0 ? EPOLL_CTL_ADD : (mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD);
    return epoll_ctl(l->epfd, op, fd, &ee);
}

int ev_add(ev_loop *l, int fd, int mask, ev_file_fn *fn, void *data)
{
    if (fd < 0 || fd >= l->setsize) {
        errno = ERANGE;
        return -1;
    }
    file_ev *f = &l->files[fd];
    int want = f->mask | mask;
    if (want != f->mask && apply(l, fd, f->mask, want) < 0) {
        return -1;
    }
    f->mask = want;
    f->fn = fn;
    f->data = data;
    return 0;
}

void ev_del(ev_loop *l, int fd, int mask)
{
    if (fd < 0 || fd >= l->setsize) {
        return;
    }
    file_ev *f = &l->files[fd];
    int want = f->mask & ~mask;
    if (want != f->mask) {
        apply(l, fd, f->mask, want);
        f->mask = want;
    }
}

int ev_mask(const ev_loop *l, int fd)
{
    return (fd >= 0 && fd < l->setsize) ? l->files[fd].mask : 0;
}

static void heap_swap(timer *h, size_t a, size_t b)
{
    timer t = h[a];
    h[a] = h[b];
    h[b] = t;
}

static void heap_up(timer *h, size_t i)
{
    while (i > 0 && h[(i - 1) / 2].due_ms > h[i].due_ms) {
        heap_swap(h, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(timer *h, size_t n, size_t i)
{
    for (;;) {
        size_t m = i, a = 2 * i + 1, b = a + 1;
        if (a < n && h[a].due_ms < h[m].due_ms) {
            m = a;
        }
        if (b < n && h[b].due_ms < h[m].due_ms) {
            m = b;
        }
        if (m == i) {
            return;
        }
        heap_swap(h, i, m);
        i = m;
    }
}

static void heap_push(ev_loop *l, timer t)
{
    if (l->nheap == l->capheap) {
        l->capheap = l->capheap ? l->capheap * 2 : 16;
        l->heap = kv_realloc(l->heap, sizeof(timer) * l->capheap);
    }
    l->heap[l->nheap] = t;
    heap_up(l->heap, l->nheap++);
}

static timer heap_pop(ev_loop *l)
{
    timer t = l->heap[0];
    l->heap[0] = l->heap[--l->nheap];
    heap_down(l->heap, l->nheap, 0);
    return t;
}

long long ev_timer_add(ev_loop *l, long ms, ev_timer_fn *fn, void *data)
{
    timer t = {.id = l->next_id++, .due_ms = mono_ms() + ms, .fn = fn, .data = data};
    heap_push(l, t);
    return t.id;
}

void ev_timer_del(ev_loop *l, long long id)
{
    for (size_t i = 0; i < l->nheap; i++) {
        if (l->heap[i].id == id) {
            l->heap[i].dead = true;
            return;
        }
    }
}

void ev_set_before_sleep(ev_loop *l, ev_hook_fn *fn)
{
    l->before_sleep = fn;
}

void ev_stop(ev_loop *l)
{
    l->stop = true;
}

static void run_timers(ev_loop *l)
{
    int64_t now = mono_ms();
    while (l->nheap && (l->heap[0].dead || l->heap[0].due_ms <= now)) {
        timer t = heap_pop(l);
        if (t.dead) {
            continue;
        }
        long next = t.fn(l, t.id, t.data);
        if (next != EV_NOMORE) {
            t.due_ms = now + next;
            heap_push(l, t);
        }
    }
}

static int wait_ms(ev_loop *l)
{
    while (l->nheap && l->heap[0].dead) {
        heap_pop(l);
    }
    if (!l->nheap) {
        return -1;
    }
    int64_t d = l->heap[0].due_ms - mono_ms();
    return d < 0 ? 0 : (int)d;
}

static void fire(ev_loop *l, int n)
{
    for (int i = 0; i < n; i++) {
        struct epoll_event *e = &l->fired[i];
        int fd = e->data.fd;
        int mask = 0;
        if (e->events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            mask |= EV_READ;
        }
        if (e->events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            mask |= EV_WRITE;
        }
        /* Re-read the entry each time: an earlier callback may have removed or
         * replaced it. Read first, then write, as Redis does by default. */
        file_ev *f = &l->files[fd];
        if (f->mask & mask & EV_READ) {
            f->fn(l, fd, f->data, EV_READ);
        }
        f = &l->files[fd];
        if (f->mask & mask & EV_WRITE) {
            f->fn(l, fd, f->data, EV_WRITE);
        }
    }
}

void ev_run(ev_loop *l)
{
    l->stop = false;
    while (!l->stop) {
        if (l->before_sleep) {
            l->before_sleep(l);
        }
        if (l->stop) {
            break;
        }
        fire(l, epoll_wait(l->epfd, l->fired, l->setsize, wait_ms(l)));
        run_timers(l);
    }
}

void ev_poll_files(ev_loop *l)
{
    fire(l, epoll_wait(l->epfd, l->fired, l->setsize, 0));
}
