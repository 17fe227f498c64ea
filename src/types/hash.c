/* hash.c - placeholder table until the family lands (being written). */
#include "core/families.h"

command hash_commands[] = {
    {0},
};
