/* rdb_format.h - the RDB constants shared by the writer and the loader (Redis's numbers).
 *
 * Lengths: 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits, big-endian), 0x80 + 32 bits
 * big-endian, 0x81 + 64 bits big-endian; 11xxxxxx introduces a special string encoding:
 * 0 int8, 1 int16, 2 int32 (little-endian), 3 LZF (compressed length, original length,
 * data). Expire times and binary doubles are 8 bytes little-endian.
 */
#ifndef KV_RDB_FORMAT_H
#define KV_RDB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

enum {
    RDB_TYPE_STRING = 0,
    RDB_TYPE_LIST = 1,
    RDB_TYPE_SET = 2,
    RDB_TYPE_ZSET = 3,
    RDB_TYPE_HASH = 4,
    RDB_TYPE_ZSET_2 = 5,
    RDB_TYPE_MODULE_PRE_GA = 6,
    RDB_TYPE_MODULE_2 = 7,
    RDB_TYPE_HASH_ZIPMAP = 9,
    RDB_TYPE_LIST_ZIPLIST = 10,
    RDB_TYPE_SET_INTSET = 11,
    RDB_TYPE_ZSET_ZIPLIST = 12,
    RDB_TYPE_HASH_ZIPLIST = 13,
    RDB_TYPE_LIST_QUICKLIST = 14,
    RDB_TYPE_STREAM_LISTPACKS = 15,
    RDB_TYPE_HASH_LISTPACK = 16,
    RDB_TYPE_ZSET_LISTPACK = 17,
    RDB_TYPE_LIST_QUICKLIST_2 = 18,
    RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    RDB_TYPE_SET_LISTPACK = 20,
    RDB_TYPE_STREAM_LISTPACKS_3 = 21,
    RDB_TYPE_HASH_METADATA_PRE_GA = 22,
    RDB_TYPE_HASH_LISTPACK_EX_PRE_GA = 23,
    RDB_TYPE_HASH_METADATA = 24,
    RDB_TYPE_HASH_LISTPACK_EX = 25,
};

enum {
    RDB_OPCODE_SLOT_INFO = 244,
    RDB_OPCODE_FUNCTION2 = 245,
    RDB_OPCODE_FUNCTION_PRE_GA = 246,
    RDB_OPCODE_MODULE_AUX = 247,
    RDB_OPCODE_IDLE = 248,
    RDB_OPCODE_FREQ = 249,
    RDB_OPCODE_AUX = 250,
    RDB_OPCODE_RESIZEDB = 251,
    RDB_OPCODE_EXPIRETIME_MS = 252,
    RDB_OPCODE_EXPIRETIME = 253,
    RDB_OPCODE_SELECTDB = 254,
    RDB_OPCODE_EOF = 255,
};

#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

#define RDB_QUICKLIST_NODE_PLAIN 1
#define RDB_QUICKLIST_NODE_PACKED 2

#define RDB_LEN_MAX_BYTES 9

/* Encodes a length into out (RDB_LEN_MAX_BYTES); returns the bytes used. */
static inline size_t rdb_encode_len(uint8_t *out, uint64_t n)
{
    if (n < (1 << 6)) {
        out[0] = (uint8_t)n;
        return 1;
    }
    if (n < (1 << 14)) {
        out[0] = (uint8_t)((RDB_14BITLEN << 6) | (n >> 8));
        out[1] = (uint8_t)n;
        return 2;
    }
    if (n <= UINT32_MAX) {
        out[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) {
            out[1 + i] = (uint8_t)(n >> (24 - 8 * i));
        }
        return 5;
    }
    out[0] = RDB_64BITLEN;
    for (int i = 0; i < 8; i++) {
        out[1 + i] = (uint8_t)(n >> (56 - 8 * i));
    }
    return 9;
}

/* Redis's rdbEncodeInteger: v as an int8/16/32 special string (out: 5 bytes); 0 when v
 * needs more than 32 bits. */
static inline size_t rdb_encode_int(uint8_t *out, long long v)
{
    if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        out[1] = (uint8_t)v;
        return 2;
    }
    if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        out[1] = (uint8_t)v;
        out[2] = (uint8_t)(v >> 8);
        return 3;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        out[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++) {
            out[1 + i] = (uint8_t)((uint32_t)v >> (8 * i));
        }
        return 5;
    }
    return 0;
}

#endif
