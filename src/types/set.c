/* set.c - placeholder table until the family lands (being written). */
#include "core/families.h"

command set_commands[] = {
    {0},
};
