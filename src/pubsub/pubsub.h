/* pubsub.h - publish/subscribe: channel, pattern and shard-channel registries and the
 * per-client subscription sets behind SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and PUBLISH.
 *
 * The command table is pubsub_commands[] (core/families.h). A client with at least one
 * subscription of any kind carries CLIENT_PUBSUB; in RESP2 that limits it to the commands
 * pubsub_allowed_in_context() accepts (dispatch enforces it).
 */
#ifndef KV_PUBSUB_H
#define KV_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include "core/client.h"

/* Drops every subscription of c without replying (RESET, disconnect). */
void pubsub_client_gone(client *c);
/* CLIENT LIST sub= psub= ssub=. */
void pubsub_client_counts(const client *c, size_t *sub, size_t *psub, size_t *ssub);
/* May cmd run on a RESP2 connection in subscribed mode? */
bool pubsub_allowed_in_context(const command *cmd);

/* PUBLISH from inside the server (keyspace notifications, tracking invalidations on
 * __redis__:invalidate): delivers msg to the subscribers of channel and of matching
 * patterns; returns how many received it. */
long long pubsub_publish(kstr channel, kstr msg);
/* Whether any client has a channel or pattern subscription (lets keyspace notifications
 * skip building channel names nobody can receive). */
bool pubsub_has_subscribers(void);

#endif
