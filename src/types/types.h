/* types.h - start-up of the data-type modules: each registers its value operations
 * (free, size, copy) with the object layer. */
#ifndef KV_TYPES_H
#define KV_TYPES_H

#include <stdint.h>

#include "base/kstr.h"

struct db;

void types_setup(void);
void set_type_setup(void);   /* types/set.c */
void list_type_setup(void);  /* types/list.c */
void zset_type_setup(void);  /* types/zset_value.c */

/* types/hash_value.c (setup) and types/hash_ttl.c (field expiry) */
void hash_type_setup(void);
void hash_expire_cycle(uint64_t budget_us); /* server cron: reclaims expired hash fields */
void hash_track_key(struct db *d, kstr key); /* a hash placed by RENAME/MOVE/COPY/RESTORE */
void hash_swap_dbs(int a, int b);            /* after SWAPDB a b */
long long hash_expired_fields(void);         /* INFO stats expired_subkeys */

#endif
