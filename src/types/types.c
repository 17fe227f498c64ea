/* types.c - calls each data type's setup once at start-up (see types.h). */
#include "types/types.h"

void types_setup(void)
{
    set_type_setup();
    list_type_setup();
    hash_type_setup();
    zset_type_setup();
}
