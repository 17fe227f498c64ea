/* crc64.h - CRC-64 as Redis computes it for RDB files (the "Jones" polynomial,
 * 0xad93d23594c935a9, bit-reflected, initial value 0, no final xor; check value of
 * "123456789" is 0xe9c6d914c4b8d9ca).
 *
 * Conventions. crc64() continues a running checksum: pass 0 to start, then the previous
 * result for each following chunk. The lookup tables are built once by crc64_init()
 * (called lazily by crc64 itself; call it first when several threads may checksum). Pure
 * otherwise: no allocation, no state besides the tables.
 */
#ifndef KV_CRC64_H
#define KV_CRC64_H

#include <stddef.h>
#include <stdint.h>

void crc64_init(void);
uint64_t crc64(uint64_t crc, const void *p, size_t len);

#endif
