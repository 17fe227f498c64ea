/* lzf.h - LZF compression, stream-compatible with liblzf (what Redis uses for RDB strings
 * with rdbcompression and for compressed quicklist nodes with list-compress-depth).
 *
 * Conventions. Both functions work on caller-owned buffers and allocate nothing; they keep
 * no state and are safe to call from any thread. Neither writes past out[out_cap).
 * The stream format is liblzf's: a literal run is a control byte 000LLLLL followed by
 * L+1 bytes (1..32); a back reference is LLLooooo [extra length byte when LLL = 7]
 * oooooooo, copying len + 2 bytes from `offset + 1` bytes back (offset < 8192). There is
 * no header: the caller stores both lengths (RDB does).
 */
#ifndef KV_LZF_H
#define KV_LZF_H

#include <stddef.h>

/* Compresses in[0..in_len) into out; returns the compressed size, or 0 when the result
 * would not fit in out_cap bytes (or in_len is 0). Pass out_cap < in_len to ask "only if
 * it saves something", as Redis does. */
size_t lzf_compress(const void *in, size_t in_len, void *out, size_t out_cap);

/* Decompresses in[0..in_len) into out; returns the decompressed size, or 0 when the
 * input is corrupt (a truncated token, a reference before the start of the output) or
 * the output would exceed out_cap. Reads only in[0..in_len): safe on untrusted data. */
size_t lzf_decompress(const void *in, size_t in_len, void *out, size_t out_cap);

#endif
