/* clock.c - wall and monotonic clocks. */
#include "base/clock.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int64_t clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_ms(void)
{
    return clock_us() / 1000;
}

uint64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void clock_debug_delay(int usec)
{
    if (usec < 0) {
        usec = (rand() % -usec) == 0 ? 1 : 0;
    }
    if (usec) {
        usleep((useconds_t)usec);
    }
}
