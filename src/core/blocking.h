/* blocking.h - clients blocked on keys: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, BZPOPMIN
 * BZPOPMAX BZMPOP. Redis 7.0 semantics.
 *
 * How a blocking command uses this module:
 *
 *   1. Parse the timeout with blocking_timeout_or_reply() (seconds, fractional).
 *   2. Try to serve right away, exactly as the non-blocking form would (first key in
 *      argument order that has data; WRONGTYPE for a key of another type).
 *   3. Nothing to serve: if blocking_may_block(c) is false (inside MULTI/EXEC, a fake or
 *      script client) reply the "nothing" reply at once (BLPOP/BLMPOP/BZPOP*: null array;
 *      BLMOVE/BRPOPLPUSH: null bulk, as Redis 7.0). Otherwise call blocking_block() and
 *      return WITHOUT replying.
 *
 * A blocked client processes no further input: pipelined requests wait in its query
 * buffer and run once it is unblocked (before the next loop sleep). It is unblocked by:
 *
 *   serving  a writer called blocking_signal_key_ready(db, key) for one of its keys (the
 *            keyspace change hook does this for every write, so RENAME/COPY/MOVE/RESTORE/
 *            SWAPDB onto a watched key wake clients too, as Redis's dbAdd does). After the
 *            current top-level command (after EXEC for a transaction, so MULTI is
 *            isolated) each ready key is visited in signal order and its blocked clients,
 *            first blocked first served, get their serve function called with their
 *            ORIGINAL arguments (c->argv/argc/cmd restored; own copy). Serving may make
 *            further keys ready (BLMOVE pushes) and repeats until no key is ready.
 *   timeout  the deadline passed (ms precision, own event timer): reply null array
 *            (RESP2 *-1, RESP3 _), as Redis 7.0 does for every blocking type.
 *   CLIENT UNBLOCK id [TIMEOUT|ERROR]: the timeout reply, or
 *            "-UNBLOCKED client unblocked via CLIENT UNBLOCK".
 *   disconnect: blocking_client_gone() from client_close() frees everything.
 *
 * Stats follow Redis 7.0: the command counts (calls, total_commands_processed, MONITOR)
 * when it first runs and blocks; the slow log skips it then. When served, the serve time is
 * added to its usec, an error reply counts failed_calls/errorstats, and the slow log gets
 * the original arguments. A timeout adds nothing. CLIENT UNBLOCK counts a failed call
 * (Redis 7.0 does, for both modes).
 *
 * Ownership: keys and argv are copied at blocking_block(); callers keep nothing.
 * Single-threaded: everything runs on the event-loop thread.
 */
#ifndef KV_BLOCKING_H
#define KV_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>

#include "base/kstr.h"
#include "core/client.h"

/* Serves blocked client c from `key`, which was signalled ready. Called with c->argv,
 * c->argc, c->cmd set to the blocked command (argv valid for the call only) and c->db the
 * database it blocked in. Either replies to c (data, or an error such as BLMOVE's
 * WRONGTYPE destination) and returns true, which unblocks c; or returns false without
 * replying when this key cannot serve c now (absent, empty, another type): c stays
 * blocked and the next client blocked on the key is tried. */
typedef bool blocking_serve_fn(client *c, kstr key);

/* Subscribes this module to the keyspace change hooks (key_changed, swapped). Call once
 * at start-up; blocking_block() calls it on first use if nobody did. */
void blocking_setup(void);

/* Parses a blocking timeout in seconds as Redis 7.0 (long double, rounded up to whole ms;
 * 0 = forever). Replies "ERR timeout is not a float or out of range" or
 * "ERR timeout is negative" and returns false on bad input. *timeout_ms is relative. */
bool blocking_timeout_or_reply(client *c, kstr arg, long long *timeout_ms);

/* False inside MULTI/EXEC and for fake clients: the command must answer at once. */
bool blocking_may_block(const client *c);

/* Blocks c on keys[0..nkeys) (duplicates ignored) in c->db until served, timed out
 * (timeout_ms > 0) or unblocked. Copies the keys and c's current argv. Sets
 * CLIENT_BLOCKED; the caller returns without replying. */
void blocking_block(client *c, const kstr *keys, int nkeys, long long timeout_ms,
                    blocking_serve_fn *serve);

/* A write made `key` of d possibly servable. O(1); a no-op unless a client is blocked on
 * that key. Serving happens later (see blocking_handle_ready). */
void blocking_signal_key_ready(db *d, kstr key);

/* Serves the clients of every ready key. Dispatch calls it after each top-level command;
 * cheap (one load) when nothing is ready. */
extern bool blocking_have_ready;
void blocking_serve_ready(void);
static inline void blocking_handle_ready(void)
{
    if (blocking_have_ready) {
        blocking_serve_ready();
    }
}

/* CLIENT UNBLOCK: replies to target (timeout reply, or the UNBLOCKED error when `error`)
 * and unblocks it. False when target is not blocked. */
bool blocking_unblock(client *target, bool error);

/* Disconnect: drops c from every key and the timeout table. No-op if c is not blocked. */
void blocking_client_gone(client *c);

size_t blocking_clients(void);              /* INFO blocked_clients */
size_t blocking_clients_in_timeout(void);   /* INFO clients_in_timeout_table */

#endif
