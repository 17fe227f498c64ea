#include "core/families.h"
command string_commands[] = {{0}};
command keys_commands[] = {{0}};
command server_commands[] = {{0}};
