/* rand.c - the state of the process-wide random stream (see rand.h). */
#include "base/rand.h"

uint64_t rand_state = 0x2545f4914f6cdd1dULL;

void rand_seed(uint64_t seed)
{
    rand_state = seed;
}
