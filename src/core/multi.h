/* multi.h - transactions: MULTI/EXEC/DISCARD and optimistic locking with WATCH.
 *
 * Dispatch hands every command of a client in MULTI to multi_queue() (except the
 * transaction commands themselves, QUIT and RESET); EXEC replays the queue through
 * dispatch_call(). WATCH registers (db, key) pairs; the keyspace's change hooks mark every
 * watcher of a changed key dirty, and EXEC of a dirty client answers a null array.
 */
#ifndef KV_MULTI_H
#define KV_MULTI_H

#include <stdbool.h>

#include "core/client.h"

void multi_setup(void);
/* True when the command runs now even inside MULTI. */
bool multi_runs_immediately(const command *cmd);
void multi_queue(client *c, command *cmd);   /* copies the arguments; replies +QUEUED */
void multi_flag_error(client *c);            /* a rejected command poisons the EXEC */
void multi_reset(client *c);                 /* DISCARD + UNWATCH (RESET, disconnect) */
size_t multi_queued(const client *c);        /* CLIENT LIST multi= (-1 reported by caller) */
size_t multi_mem(const client *c);
bool multi_queued_write(const client *c);    /* a queued command has CMD_WRITE */

#endif
