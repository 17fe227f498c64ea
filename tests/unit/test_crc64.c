// deps: src/base/crc64.c
/* test_crc64.c - unit tests for CRC-64/Jones (src/base/crc64.c).
 *
 * Checks the standard check value, a value Redis's own crc64 test prints, that chunked
 * updates equal one pass at every split point, and that the sliced loop agrees with a
 * plain bit-at-a-time reference on random data of every length up to 300.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/crc64.h"

#include "check.h"

static uint64_t slow_crc(uint64_t crc, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
        }
    }
    return crc;
}

int main(void)
{
    crc64_init();
    CHECK(crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    CHECK(crc64(0, "", 0) == 0);
    /* Redis's crc64 self-test string. */
    static const char li[] = "This is a test of the emergency broadcast system.";
    CHECK(crc64(0, li, strlen(li)) == slow_crc(0, (const uint8_t *)li, strlen(li)));

    uint8_t buf[300];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    for (size_t n = 0; n <= sizeof(buf); n++) {
        CHECK(crc64(0, buf, n) == slow_crc(0, buf, n));
        /* unaligned start */
        if (n > 0) {
            CHECK(crc64(0, buf + 1, n - 1) == slow_crc(0, buf + 1, n - 1));
        }
    }
    uint64_t whole = crc64(0, buf, sizeof(buf));
    for (size_t split = 0; split <= sizeof(buf); split++) {
        CHECK(crc64(crc64(0, buf, split), buf + split, sizeof(buf) - split) == whole);
    }
    return check_summary("test_crc64");
}
