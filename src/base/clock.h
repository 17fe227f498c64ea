/* clock.h - wall and monotonic time. */
#ifndef KV_CLOCK_H
#define KV_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);   /* wall clock, ms since the epoch (TTLs, TIME, LASTSAVE) */
int64_t clock_us(void);   /* wall clock, µs since the epoch */
uint64_t clock_mono_us(void); /* monotonic µs, for intervals and latency */
/* Redis's debugDelay (rdb-key-save-delay, a test hook): sleeps usec µs; a negative value
 * -n sleeps 1 µs with probability 1/n, for delays shorter than a system call. */
void clock_debug_delay(int usec);

#endif
