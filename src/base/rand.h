/* rand.h - the random numbers of sampling and randomized structures: eviction samples,
 * SPOP/SRANDMEMBER/HRANDFIELD/ZRANDMEMBER picks, skiplist levels. splitmix64: a few
 * instructions a draw, uniform enough for all of these, any seed valid; never for
 * anything secret. One process-wide stream, seeded at start-up from the clock and pid;
 * tests seed it for reproducible runs.
 */
#ifndef KV_RAND_H
#define KV_RAND_H

#include <stddef.h>
#include <stdint.h>

extern uint64_t rand_state;

void rand_seed(uint64_t seed);

static inline uint64_t rand_u64(void)
{
    uint64_t z = (rand_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (0 when n is 0): the modulo bias of a 64-bit draw is below 2^-30 for
 * any n a server holds. */
static inline size_t rand_below(size_t n)
{
    return n ? (size_t)(rand_u64() % n) : 0;
}

#endif
