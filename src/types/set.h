/* set.h - what other types read of a set value (sorted-set operations take plain sets as
 * inputs with score 1, as Redis does). */
#ifndef KV_SET_H
#define KV_SET_H

#include "base/kstr.h"
#include "db/object.h"

/* Calls fn for every member of the set held by o (an OBJ_SET entry). The member bytes are
 * valid during the call only; fn must not change the set. */
void set_value_each(const kobj *o, void (*fn)(void *priv, kstr member), void *priv);

#endif
