/* limits.h - the encoding thresholds of the collection types (Redis's config names).
 *
 * Owned here, set by the config table (core/config.c) and read by the type modules when
 * they decide between a packed encoding and a general one.
 */
#ifndef KV_TYPE_LIMITS_H
#define KV_TYPE_LIMITS_H

struct type_limits {
    long long list_max_listpack_size;   /* list-max-listpack-size, -2 (8 KB) by default */
    long long list_compress_depth;      /* list-compress-depth, 1 (Redis: 0) */
    long long hash_max_listpack_entries;  /* 512 (redis.conf ships 128) */
    long long hash_max_listpack_value;    /* 64 */
    long long set_max_intset_entries;     /* 512 */
    long long set_max_listpack_entries;   /* 128 */
    long long set_max_listpack_value;     /* 64 */
    long long zset_max_listpack_entries;  /* 128 */
    long long zset_max_listpack_value;    /* 64 */
};

extern struct type_limits type_limits;

#endif
