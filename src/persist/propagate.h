/* propagate.h - the stream of dataset changes, in a deterministic command form, that the
 * append-only file consumes (and replication could later).
 *
 * Model, as Redis 7.0: every top-level command (an EXEC as a whole, a served blocked
 * client, an active-expiry deletion) is one execution unit. Each command that changed the
 * dataset contributes operations to its unit: by default its own arguments verbatim; a
 * handler whose arguments would replay differently (relative TTLs, random pops, floats)
 * replaces them with propagate_rewrite(); propagate_also() adds further operations. When
 * the unit ends its operations go to the sink, wrapped in MULTI/EXEC when there are
 * several. "Changed the dataset" is detected from the keyspace change hooks, so handlers
 * that change nothing propagate nothing without saying so.
 *
 * Cost when nothing consumes the stream: dispatch tests propagate_on once per command and
 * handlers guard their rewrites with it; the hooks are not registered before a sink is.
 *
 * Ownership: argv passed in is copied; the sink borrows the RESP bytes for the call.
 */
#ifndef KV_PROPAGATE_H
#define KV_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kstr.h"

/* Receives one operation: the database it applies to and the command as RESP. */
typedef void propagate_sink_fn(int dbid, const char *resp, size_t len);

extern bool propagate_on;

/* Attaches the consumer (NULL detaches): propagate_on follows. */
void propagate_set_sink(propagate_sink_fn *fn);

/* Dispatch: around each command call. `dbid` is the client's database at the call;
 * argv/argc what leave propagates when the command changed the dataset and rewrote
 * nothing (argv NULL: never verbatim, e.g. a served blocked command). Calls nest (EXEC
 * runs its queue inside); the outermost leave ends the unit. */
void propagate_enter(int dbid);
void propagate_leave(const kstr *argv, int argc);

/* Handlers: what the running command propagates instead of its arguments, if it changed
 * the dataset. The last call wins. Guard calls with propagate_on. */
void propagate_rewrite(const kstr *argv, int argc);
/* The same with the command already encoded as RESP (built piece by piece). */
void propagate_rewrite_resp(const char *resp, size_t len);
/* One more operation, in order, whether or not the command changed anything; outside a
 * unit (active expiry) it goes to the sink at once. */
void propagate_also(int dbid, const kstr *argv, int argc);
void propagate_also_resp(int dbid, const char *resp, size_t len); /* already RESP */
/* The last keyspace change signal was expiry inside a value (hash fields): not the
 * running command's change, and it replays by itself. */
void propagate_forget_change(void);
/* DEL key: a key that expired (the keyspace's expired hook calls it). */
void propagate_expired(int dbid, kstr key);

#endif
