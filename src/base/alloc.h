/* alloc.h - the one allocator, with byte accounting.
 *
 * Every heap allocation in Kvik goes through here so that used_memory (INFO) and maxmemory
 * see what the allocator really holds: each call adds or subtracts the usable size of the
 * block, not the size asked for. The backend is chosen at build time (MALLOC=jemalloc,
 * mimalloc or libc); sanitizer builds use libc.
 *
 * Conventions: kv_malloc/kv_calloc/kv_realloc never return NULL; a real allocation
 * failure logs and aborts (request paths bound sizes before they allocate, so a hostile
 * request cannot reach this). kv_free(NULL) is a no-op. The caller owns what it gets.
 * Threads: the main thread owns the counter (a plain size_t, no atomics on the hot path).
 * The lazy-free thread only frees; it marks itself with kv_alloc_mark_background_thread()
 * and its frees are counted into a separate atomic that used_memory subtracts.
 */
#ifndef KV_ALLOC_H
#define KV_ALLOC_H

#include <stddef.h>

void *kv_malloc(size_t n);
void *kv_calloc(size_t n);
void *kv_realloc(void *p, size_t n);
void kv_free(void *p);
char *kv_strdup(const char *s);
char *kv_memdup(const void *p, size_t n); /* copies n bytes and adds a NUL */

size_t kv_alloc_size(const void *p); /* usable size of a live block; 0 for NULL */
size_t kv_used_memory(void);         /* bytes currently held through this module */
const char *kv_alloc_name(void);     /* "jemalloc-5.3.0", "mimalloc-2.0.9", "libc" */
void kv_alloc_purge(void);           /* return free pages to the OS where the backend can */
void kv_alloc_mark_background_thread(void); /* this thread only frees (lazyfree) */

#endif
