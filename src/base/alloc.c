/* alloc.c - allocator wrappers that count usable bytes (see alloc.h).
 *
 * With jemalloc (linked as Debian ships it, replacing malloc) the counter adds
 * malloc_usable_size of each block; that is what the allocator really holds for it,
 * size-class rounding included. used_memory therefore matches what Redis reports.
 */
#include "base/alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(KV_JEMALLOC)
#include <jemalloc/jemalloc.h>
#define raw_malloc malloc
#define raw_calloc calloc
#define raw_realloc realloc
#define raw_free free
#define raw_usable malloc_usable_size
#elif defined(KV_MIMALLOC)
#include <mimalloc.h>
#define raw_malloc mi_malloc
#define raw_calloc mi_calloc
#define raw_realloc mi_realloc
#define raw_free mi_free
#define raw_usable mi_usable_size
#else
#define raw_malloc malloc
#define raw_calloc calloc
#define raw_realloc realloc
#define raw_free free
#define raw_usable malloc_usable_size
#endif

static size_t used;                   /* main thread */
static atomic_size_t background_freed; /* relaxed: only summed for reporting */
static _Thread_local bool background;

static void oom(size_t n)
{
    fprintf(stderr, "kvik: out of memory allocating %zu bytes\n", n);
    fflush(stderr);
    abort();
}

size_t kv_alloc_size(const void *p)
{
    return p ? raw_usable((void *)p) : 0;
}

void *kv_malloc(size_t n)
{
    void *p = raw_malloc(n ? n : 1);
    if (!p) {
        oom(n);
    }
    used += raw_usable(p);
    return p;
}

void *kv_calloc(size_t n)
{
    void *p = raw_calloc(1, n ? n : 1);
    if (!p) {
        oom(n);
    }
    used += raw_usable(p);
    return p;
}

void *kv_realloc(void *p, size_t n)
{
    if (!p) {
        return kv_malloc(n);
    }
    size_t old = kv_alloc_size(p);
#if defined(KV_JEMALLOC)
    /* Same size class: realloc would return p itself, but jemalloc would still count the
     * whole block as freshly allocated bytes toward its thread-cache GC, and a listpack
     * growing one entry at a time then makes the GC flush the cache every few pushes:
     * every node's walk up the size classes gets fresh slabs, freed again right after
     * (megabytes of dirty pages in RSS after loading a big list). */
    if (n && nallocx(n, 0) == old) {
        return p;
    }
#endif
    void *q = raw_realloc(p, n ? n : 1);
    if (!q) {
        oom(n);
    }
    used = used - old + kv_alloc_size(q);
    return q;
}

void kv_free(void *p)
{
    if (!p) {
        return;
    }
    size_t n = raw_usable(p);
    if (background) {
        atomic_fetch_add_explicit(&background_freed, n, memory_order_relaxed);
    } else {
        used -= n;
    }
    raw_free(p);
}

char *kv_memdup(const void *p, size_t n)
{
    char *s = kv_malloc(n + 1);
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

char *kv_strdup(const char *s)
{
    return kv_memdup(s, strlen(s));
}

size_t kv_used_memory(void)
{
    return used - atomic_load_explicit(&background_freed, memory_order_relaxed);
}

void kv_alloc_mark_background_thread(void)
{
    background = true;
}

const char *kv_alloc_name(void)
{
#ifdef KV_JEMALLOC
    static char name[64];
    if (!name[0]) {
        const char *v = "unknown";
        size_t sz = sizeof(v);
        mallctl("version", &v, &sz, NULL, 0);
        snprintf(name, sizeof(name), "jemalloc-%.*s", (int)strcspn(v, "-"), v);
    }
    return name;
#elif defined(KV_MIMALLOC)
    static char name[32];
    if (!name[0]) {
        int v = mi_version();
        snprintf(name, sizeof(name), "mimalloc-%d.%d.%d", v / 100, (v / 10) % 10, v % 10);
    }
    return name;
#else
    return "libc";
#endif
}

void kv_alloc_purge(void)
{
#ifdef KV_JEMALLOC
    mallctl("arena." "4096" ".purge", NULL, NULL, NULL, 0); /* MALLCTL_ARENAS_ALL */
#elif defined(KV_MIMALLOC)
    mi_collect(true);
#else
    malloc_trim(0);
#endif
}
