/* server.c - placeholder table until the family lands (being written). */
#include "core/families.h"

command server_commands[] = {
    {0},
};
