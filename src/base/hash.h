/* hash.h - keyed 64-bit hashing (SipHash-1-2) against hash flooding.
 *
 * hash_setup() seeds the key once at start-up from /dev/urandom; tests may call
 * hash_set_seed() for reproducible runs. hash_nocase() folds ASCII case (command names).
 */
#ifndef KV_HASH_H
#define KV_HASH_H

#include <stddef.h>
#include <stdint.h>

void hash_setup(void);
void hash_set_seed(const uint8_t seed[16]);
uint64_t hash_bytes(const void *p, size_t len);
uint64_t hash_nocase(const void *p, size_t len);

#endif
