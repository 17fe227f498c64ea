/* hash.c - SipHash-1-2 with a per-process random key (see hash.h).
 *
 * One compression round and two finalization rounds, as Redis uses for its dicts: fast
 * on short keys and still keyed, so an attacker who does not know the seed cannot craft
 * colliding keys.
 */
#include "base/hash.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint8_t seed[16];

void hash_set_seed(const uint8_t s[16])
{
    memcpy(seed, s, sizeof(seed));
}

void hash_setup(void)
{
    int fd = open("/dev/urandom", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, seed, sizeof(seed)) : -1;
    if (fd >= 0) {
        close(fd);
    }
    if (n != (ssize_t)sizeof(seed)) {
        /* No urandom: fall back to time and pid, still differing per process. */
        uint64_t t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
        memcpy(seed, &t, 8);
        memcpy(seed + 8, &t, 8);
    }
}

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                          \
    do {                                                                                  \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                         \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                            \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                            \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                         \
    } while (0)

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint8_t fold(uint8_t c, int nocase)
{
    return (nocase && c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static uint64_t siphash12(const uint8_t *in, size_t len, int nocase)
{
    uint64_t k0 = load64(seed), k1 = load64(seed + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    uint64_t b = (uint64_t)len << 56;
    size_t whole = len & ~(size_t)7;

    for (size_t i = 0; i < whole; i += 8) {
        uint64_t m;
        if (nocase) {
            uint8_t t[8];
            for (int j = 0; j < 8; j++) {
                t[j] = fold(in[i + j], 1);
            }
            m = load64(t);
        } else {
            m = load64(in + i);
        }
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t i = 0; i < (len & 7); i++) {
        b |= (uint64_t)fold(in[whole + i], nocase) << (8 * i);
    }
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t hash_bytes(const void *p, size_t len)
{
    return siphash12(p, len, 0);
}

uint64_t hash_nocase(const void *p, size_t len)
{
    return siphash12(p, len, 1);
}
