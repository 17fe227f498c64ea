/* ev.h - the event loop: fd readiness, timers and before-sleep hooks (epoll backend).
 *
 * One loop per thread. File events: at most one read and one write callback per fd; the
 * fd is the index into a table sized at creation (setsize), so lookups are O(1).
 * Timers: a min-heap keyed by due time; a timer callback returns the next delay in ms or
 * EV_NOMORE to stop. Before-sleep hooks run once per turn, before the loop waits: that is
 * where buffered replies are written, once per loop turn per client.
 */
#ifndef KV_EV_H
#define KV_EV_H

#include <stdint.h>

#define EV_READ 1
#define EV_WRITE 2
#define EV_NOMORE (-1)

typedef struct ev_loop ev_loop;
typedef void ev_file_fn(ev_loop *loop, int fd, void *data, int mask);
typedef long ev_timer_fn(ev_loop *loop, long long id, void *data);
typedef void ev_hook_fn(ev_loop *loop);

ev_loop *ev_create(int setsize);
void ev_destroy(ev_loop *loop);
int ev_setsize(const ev_loop *loop);
int ev_resize(ev_loop *loop, int setsize);   /* -1 when an fd >= setsize is in use */

/* Adds mask to the fd's interest; the callback is shared by both masks. -1 on error
 * (fd out of range, epoll failure). */
int ev_add(ev_loop *loop, int fd, int mask, ev_file_fn *fn, void *data);
void ev_del(ev_loop *loop, int fd, int mask);
int ev_mask(const ev_loop *loop, int fd);

long long ev_timer_add(ev_loop *loop, long ms, ev_timer_fn *fn, void *data);
void ev_timer_del(ev_loop *loop, long long id);

void ev_set_before_sleep(ev_loop *loop, ev_hook_fn *fn);
void ev_run(ev_loop *loop);   /* until ev_stop */
void ev_stop(ev_loop *loop);
/* Handles the fd events ready now, without waiting and without timers or hooks: a long
 * job (loading a dataset) keeps clients served this way, as Redis's
 * processEventsWhileBlocked. */
void ev_poll_files(ev_loop *loop);

#endif
