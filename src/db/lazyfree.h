/* lazyfree.h - freeing large values off the request path.
 *
 * A background thread frees what the main thread hands it: a collection with many
 * elements, or a whole emptied database (FLUSHALL ASYNC). The main thread never waits for
 * it. Handed-over memory is counted out of used_memory when the thread has freed it.
 *
 * Thread contract: the thread only calls the free functions it is given, and those may
 * only call kv_free (no allocation, no shared state besides the allocator).
 */
#ifndef KV_LAZYFREE_H
#define KV_LAZYFREE_H

#include <stddef.h>

#define LAZYFREE_THRESHOLD 64 /* allocations to free above which a value goes to the thread */

typedef void lazyfree_fn(void *ptr);

void lazyfree_setup(void);
void lazyfree_teardown(void);          /* drains the queue and joins the thread */
void lazyfree_submit(lazyfree_fn *fn, void *ptr);
/* The same, for a value known to hold `bytes`: counted in lazyfree_pending_bytes() until
 * freed, so that maxmemory does not evict for memory already on its way out. */
void lazyfree_submit_sized(lazyfree_fn *fn, void *ptr, size_t bytes);
size_t lazyfree_pending_bytes(void);
size_t lazyfree_pending(void);         /* jobs not done yet (INFO lazyfree_pending_objects) */
long long lazyfree_freed(void);        /* jobs done since start (INFO lazyfreed_objects) */
/* fork() around the thread (persist/child.c): prepare takes the queue lock so that no thread holds
 * it at the fork; parent releases it; child releases it and makes later submissions free
 * inline (the child has no lazy-free thread; jobs queued before the fork are the
 * parent's and are left alone). */
void lazyfree_fork_prepare(void);
void lazyfree_fork_parent(void);
void lazyfree_fork_child(void);

#endif
