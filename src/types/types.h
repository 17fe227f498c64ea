/* types.h - start-up of the data-type modules: each registers its value operations
 * (free, size, copy) with the object layer. */
#ifndef KV_TYPES_H
#define KV_TYPES_H

void types_setup(void);
void set_type_setup(void);   /* types/set.c */

#endif
