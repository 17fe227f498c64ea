/* limits.c - storage for the encoding thresholds (see limits.h); the config table sets
 * them, defaults included. */
#include "types/limits.h"

struct type_limits type_limits;
