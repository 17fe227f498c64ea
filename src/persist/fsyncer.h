/* fsyncer.h - a background thread that fsyncs (and optionally then closes) files, so
 * appendfsync everysec never stalls the event loop on a slow disk.
 *
 * Thread contract: the thread only calls fdatasync/fsync and close on the fds it is
 * given; the submitter must not close or reuse a submitted fd itself.
 */
#ifndef KV_FSYNCER_H
#define KV_FSYNCER_H

#include <stdbool.h>
#include <stddef.h>

void fsyncer_setup(void);
void fsyncer_teardown(void);                 /* runs what is queued, joins the thread */
void fsyncer_submit(int fd, bool close_after);
/* Closes fd on the thread without syncing: the last close of an unlinked file frees its
 * blocks, which takes long for a big file (deleting AOF history). */
void fsyncer_close(int fd);
size_t fsyncer_pending(void);                /* jobs queued or running */
/* errno of the last failed fsync, 0 once one succeeds again. */
int fsyncer_error(void);
/* Waits until every job submitted so far has finished. */
void fsyncer_drain(void);

#endif
