/* tracking.h - server-assisted client-side caching (CLIENT TRACKING), as Redis 7.0.
 *
 * A tracking client is told when a key it read may have changed: a RESP3 `invalidate`
 * push on its own connection, or, with REDIRECT, on another connection (a push if that
 * one speaks RESP3, else a `message` on `__redis__:invalidate` when it is subscribed).
 * Default mode remembers the keys each read-only command touched; BCAST mode instead
 * announces every change of a key under the client's prefixes, batched before the loop
 * sleeps.
 *
 * The hot path stays free for clients that do not track: dispatch calls in here only when
 * `tracking_nclients` is non-zero or the client carries CLIENT_TRACKING.
 */
#ifndef KV_TRACKING_H
#define KV_TRACKING_H

#include <stddef.h>

#include "core/client.h"

extern size_t tracking_nclients; /* clients with tracking on (INFO tracking_clients) */
extern long long tracking_max_keys; /* tracking-table-max-keys; 0 = unlimited */

void tracking_setup(void);

/* Around a top-level command (dispatch, only while tracking_nclients): begin trims the
 * table to tracking-table-max-keys; end sends the invalidations a client caused for its
 * own keys (Redis sends them after the command's reply) and drops a CLIENT CACHING that
 * has been used. cmd is NULL when the request named no command. */
void tracking_command_begin(client *c);
void tracking_command_end(client *c, const command *cmd);
/* After each executed command (EXEC's included) of a CLIENT_TRACKING client: remembers
 * the keys a read-only command read. */
void tracking_after_call(client *c, const command *cmd);
/* Before the loop sleeps: sends the batched BCAST invalidations. */
void tracking_before_sleep(void);
/* Disconnect: tracking off; redirections to c become broken. */
void tracking_client_gone(client *c);
/* RESET: tracking off. */
void tracking_reset(client *c);

/* CLIENT LIST redir=: the redirect id, 0 without one, -1 when tracking is off. */
long long tracking_redirect_of(const client *c);

/* INFO stats. */
size_t tracking_total_keys(void);
size_t tracking_total_items(void);
size_t tracking_total_prefixes(void);

/* CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO (rows in cmd/conn.c). */
void tracking_cmd_tracking(client *c);
void tracking_cmd_caching(client *c);
void tracking_cmd_getredir(client *c);
void tracking_cmd_trackinginfo(client *c);

#endif
