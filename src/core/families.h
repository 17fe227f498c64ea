/* families.h - the command families' tables, each defined beside its handlers. */
#ifndef KV_FAMILIES_H
#define KV_FAMILIES_H

#include "core/command.h"

extern command conn_commands[];   /* cmd/conn.c: connection and CLIENT */
extern command string_commands[]; /* types/string.c */
extern command keys_commands[];   /* cmd/keys.c: generic keyspace commands, OBJECT */
extern command server_commands[]; /* cmd/server.c: INFO CONFIG DEBUG SLOWLOG SHUTDOWN ... */
extern command command_commands[]; /* cmd/command.c: COMMAND and its subcommands */

extern command list_commands[];   /* types/list.c */
extern command hash_commands[];   /* types/hash.c */
extern command set_commands[];    /* types/set.c */
extern command zset_commands[];   /* types/zset.c */
extern command multi_commands[];  /* core/multi.c: MULTI EXEC DISCARD WATCH UNWATCH */
extern command pubsub_commands[]; /* pubsub/pubsub.c: (P|S)SUBSCRIBE, PUBLISH, PUBSUB ... */
extern command memory_commands[]; /* cmd/memory.c: MEMORY and its subcommands */
extern command aof_commands[];    /* persist/aof.c: BGREWRITEAOF */

#endif
