/* crc64.c - CRC-64/Jones (see crc64.h), eight bytes per step.
 *
 * The reflected CRC is computed with "slicing by 8": table[0] is the classic byte-wise
 * table for the reflected polynomial, and table[k][b] is the CRC of byte b followed by k
 * zero bytes, so eight input bytes fold into the register with eight independent table
 * reads instead of eight dependent steps. RDB files are checksummed as they are written
 * and read, so this runs over every byte of a snapshot; the byte-wise loop handles the
 * unaligned head and the tail.
 */
#include "base/crc64.h"

#include <stdbool.h>
#include <string.h>

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ULL /* 0xad93d23594c935a9 bit-reversed */

static uint64_t table[8][256];
static bool ready;

void crc64_init(void)
{
    if (ready) {
        return;
    }
    for (int b = 0; b < 256; b++) {
        uint64_t c = (uint64_t)b;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ POLY_REFLECTED : c >> 1;
        }
        table[0][b] = c;
    }
    for (int b = 0; b < 256; b++) {
        uint64_t c = table[0][b];
        for (int k = 1; k < 8; k++) {
            c = table[0][c & 0xff] ^ (c >> 8);
            table[k][b] = c;
        }
    }
    ready = true;
}

uint64_t crc64(uint64_t crc, const void *p, size_t len)
{
    const uint8_t *s = p;
    if (!ready) {
        crc64_init();
    }
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
        w = __builtin_bswap64(w);
#endif
        crc ^= w;
        crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^
              table[5][(crc >> 16) & 0xff] ^ table[4][(crc >> 24) & 0xff] ^
              table[3][(crc >> 32) & 0xff] ^ table[2][(crc >> 40) & 0xff] ^
              table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
        s += 8;
        len -= 8;
    }
    while (len--) {
        crc = table[0][(crc ^ *s++) & 0xff] ^ (crc >> 8);
    }
    return crc;
}
