/* clock.h - wall and monotonic time. */
#ifndef KV_CLOCK_H
#define KV_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);   /* wall clock, ms since the epoch (TTLs, TIME, LASTSAVE) */
int64_t clock_us(void);   /* wall clock, µs since the epoch */
uint64_t clock_mono_us(void); /* monotonic µs, for intervals and latency */

#endif
