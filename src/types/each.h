/* each.h - element visitors for values held in the keyspace, for code outside the type
 * modules that must read a whole value without knowing its encoding (the AOF rewrite).
 * set_value_each lives in set.h.
 *
 * Every visitor calls fn once per element in the type's natural order (list head to
 * tail, sorted set by ascending score, hash in storage order). Element bytes are valid
 * during the call only; fn must not change the value. The visitors do not touch LRU or
 * statistics and never delete anything (expired hash fields are passed with their
 * expire time: the caller decides), so they are safe in a forked child.
 */
#ifndef KV_EACH_H
#define KV_EACH_H

#include <stdint.h>

#include "base/kstr.h"
#include "db/object.h"

void list_value_each(const kobj *o, void (*fn)(void *priv, kstr elem), void *priv);
void zset_value_each(const kobj *o, void (*fn)(void *priv, kstr member, double score),
                     void *priv);
/* expire_ms: the field's absolute TTL, -1 when it has none. */
void hash_value_each(const kobj *o,
                     void (*fn)(void *priv, kstr field, kstr value, int64_t expire_ms),
                     void *priv);

#endif
