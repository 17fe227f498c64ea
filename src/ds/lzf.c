/* lzf.c - LZF compressor and decompressor (liblzf's stream format, see lzf.h).
 *
 * Owns nothing: both directions run on caller buffers. Terms: a "literal run" is 1..32
 * bytes copied verbatim behind a control byte (len - 1); a "reference" repeats len
 * (3..264) bytes found d (1..8192) bytes back in the output, encoded as
 *
 *   short (len 3..8):    [ (len-2)<<5 | (d-1)>>8 ] [ (d-1) & 0xFF ]
 *   long  (len 9..264):  [ 7<<5 | (d-1)>>8 ] [ len-9 ] [ (d-1) & 0xFF ]
 *
 * Compressor: greedy, one hash table of the last position of each 3-byte prefix. The
 * table is sized to the input (256..16384 slots) and zeroed per call, so small inputs
 * (most RDB strings, quicklist nodes of a few KB) pay little for the reset, and no byte
 * of it is read uninitialised. Positions are stored + 1 so that 0 means "empty". The
 * output is a valid liblzf stream; it need not be byte-identical to liblzf's (the
 * heuristics differ), only decodable by it, which is all RDB and Redis require.
 *
 * Decompressor: every token is checked against both ends before it is copied, so
 * corrupt or hostile input yields 0, never an out-of-bounds access.
 */
#include "ds/lzf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define HLOG_MIN 8
#define HLOG_MAX 14
#define MAX_LIT 32
#define MAX_OFF 8192              /* distance d, 13 bits of d - 1 */
#define MAX_REF (2 + 7 + 255)     /* longest reference */

static inline uint32_t hash3(const uint8_t *p, unsigned hlog)
{
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - hlog);
}

/* Writes in[from..to) as literal runs; false if out_cap is exceeded. */
static bool put_literals(const uint8_t *in, size_t from, size_t to, uint8_t *out,
                         size_t *op, size_t out_cap)
{
    while (from < to) {
        size_t n = to - from < MAX_LIT ? to - from : MAX_LIT;
        if (n + 1 > out_cap - *op) {
            return false;
        }
        out[(*op)++] = (uint8_t)(n - 1);
        memcpy(out + *op, in + from, n);
        *op += n;
        from += n;
    }
    return true;
}

size_t lzf_compress(const void *in_data, size_t in_len, void *out_data, size_t out_cap)
{
    const uint8_t *in = in_data;
    uint8_t *out = out_data;
    if (in_len == 0 || in_len > UINT32_MAX - 1) {
        return 0;
    }
    unsigned hlog = HLOG_MIN;
    while (hlog < HLOG_MAX && ((size_t)1 << hlog) < in_len) {
        hlog++;
    }
    uint32_t htab[1u << HLOG_MAX];
    memset(htab, 0, sizeof(htab[0]) << hlog);

    size_t ip = 0, lit = 0, op = 0;
    while (ip + 2 < in_len) {
        uint32_t h = hash3(in + ip, hlog);
        size_t ref = htab[h];
        htab[h] = (uint32_t)(ip + 1);
        if (ref == 0 || ip - (ref - 1) > MAX_OFF || memcmp(in + ref - 1, in + ip, 3) != 0) {
            ip++;
            continue;
        }
        size_t r = ref - 1;
        size_t max = in_len - ip < MAX_REF ? in_len - ip : MAX_REF;
        size_t len = 3;
        while (len < max && in[r + len] == in[ip + len]) {
            len++;
        }
        if (!put_literals(in, lit, ip, out, &op, out_cap)) {
            return 0;
        }
        size_t off = ip - r - 1;
        size_t code = len - 2;
        if ((code < 7 ? 2u : 3u) > out_cap - op) {
            return 0;
        }
        if (code < 7) {
            out[op++] = (uint8_t)(code << 5 | off >> 8);
        } else {
            out[op++] = (uint8_t)(7 << 5 | off >> 8);
            out[op++] = (uint8_t)(code - 7);
        }
        out[op++] = (uint8_t)off;
        /* Index the positions inside the match too: later repeats find closer copies. */
        size_t end = ip + len;
        for (ip++; ip < end && ip + 2 < in_len; ip++) {
            htab[hash3(in + ip, hlog)] = (uint32_t)(ip + 1);
        }
        ip = end;
        lit = ip;
    }
    if (!put_literals(in, lit, in_len, out, &op, out_cap)) {
        return 0;
    }
    return op;
}

size_t lzf_decompress(const void *in_data, size_t in_len, void *out_data, size_t out_cap)
{
    const uint8_t *in = in_data;
    uint8_t *out = out_data;
    size_t ip = 0, op = 0;
    while (ip < in_len) {
        unsigned ctrl = in[ip++];
        if (ctrl < MAX_LIT) {
            size_t n = ctrl + 1;
            if (n > in_len - ip || n > out_cap - op) {
                return 0;
            }
            memcpy(out + op, in + ip, n);
            ip += n;
            op += n;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip >= in_len) {
                return 0;
            }
            len += in[ip++];
        }
        len += 2;
        if (ip >= in_len) {
            return 0;
        }
        size_t d = ((size_t)(ctrl & 0x1F) << 8 | in[ip++]) + 1;
        if (d > op || len > out_cap - op) {
            return 0;
        }
        uint8_t *dst = out + op;
        const uint8_t *src = dst - d;
        if (d >= len) {
            memcpy(dst, src, len);
        } else {
            /* overlapping: a run that repeats its own output (e.g. d = 1 fills) */
            for (size_t i = 0; i < len; i++) {
                dst[i] = src[i];
            }
        }
        op += len;
    }
    return op;
}
