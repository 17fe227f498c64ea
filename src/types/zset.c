/* zset.c - placeholder table until the family lands (being written). */
#include "core/families.h"

command zset_commands[] = {
    {0},
};
