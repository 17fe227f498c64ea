/* list.c - placeholder table until the family lands (being written). */
#include "core/families.h"

command list_commands[] = {
    {0},
};
