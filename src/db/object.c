/* object.c - keyspace entries (layout in object.h). */
#include "db/object.h"

#include <string.h>

#include "base/alloc.h"
#include "base/varint.h"

#define KOBJ_TTL 0x01
#define KOBJ_OUTLINE 0x02 /* string bytes live in a kbuf */
#define INLINE_MAX 512    /* longer strings go out of line: cheap appends, lazy free */

struct kobj {
    uint32_t meta; /* type:4 enc:4 lru:24 */
    uint8_t flags;
    uint8_t data[];
};

typedef struct kbuf {
    size_t len, cap;
    char bytes[];
} kbuf;

static const kobj_type_ops *type_ops[16];

void kobj_register_type(int type, const kobj_type_ops *ops)
{
    type_ops[type] = ops;
}

/* Offset of the key length varint. */
static size_t key_off(const kobj *o)
{
    return (o->flags & KOBJ_TTL) ? 8 : 0;
}

/* Offset of the value part. */
static size_t val_off(const kobj *o)
{
    size_t klen, off = key_off(o);
    off += varint_get(o->data + off, &klen);
    return off + klen;
}

static kbuf *outline(const kobj *o)
{
    kbuf *b;
    memcpy(&b, o->data + val_off(o), sizeof(b));
    return b;
}

int kobj_type(const kobj *o)
{
    return o->meta & 0xf;
}

int kobj_enc(const kobj *o)
{
    return (o->meta >> 4) & 0xf;
}

void kobj_set_enc(kobj *o, int enc)
{
    o->meta = (o->meta & ~0xf0u) | ((uint32_t)enc << 4);
}

const char *kobj_enc_name(int enc)
{
    switch (enc) {
    case ENC_RAW: return "raw";
    case ENC_INT: return "int";
    case ENC_HT: return "hashtable";
    case ENC_INTSET: return "intset";
    case ENC_SKIPLIST: return "skiplist";
    case ENC_EMBSTR: return "embstr";
    case ENC_QUICKLIST: return "quicklist";
    case ENC_LISTPACK: return "listpack";
    default: return "unknown";
    }
}

uint32_t kobj_lru(const kobj *o)
{
    return o->meta >> 8;
}

bool kobj_lru_frozen;

void kobj_stamp_lru(kobj *o, uint32_t lru)
{
    o->meta = (o->meta & 0xffu) | (lru << 8);
}

void kobj_set_lru(kobj *o, uint32_t lru)
{
    if (!kobj_lru_frozen) {
        kobj_stamp_lru(o, lru);
    }
}

/* Allocates an entry with room for a value part of vsize bytes and fills the header,
 * TTL and key. Returns it with *val pointing at the value part. */
static kobj *alloc_entry(kstr key, int type, int enc, int64_t expire_ms, size_t vsize,
                         uint8_t **val)
{
    size_t size = sizeof(kobj) + (expire_ms >= 0 ? 8 : 0) + varint_len(key.len) + key.len +
                  vsize;
    kobj *o = kv_malloc(size);
    o->meta = (uint32_t)type | ((uint32_t)enc << 4);
    o->flags = 0;
    uint8_t *p = o->data;
    if (expire_ms >= 0) {
        o->flags |= KOBJ_TTL;
        memcpy(p, &expire_ms, 8);
        p += 8;
    }
    p += varint_put(p, key.len);
    memcpy(p, key.p, key.len);
    *val = p + key.len;
    return o;
}

/* Capacity for a string growing to n bytes, as Redis's sds: double below 1 MB, then add
 * 1 MB, so repeated APPEND is amortised O(1) and the slack stays bounded. */
static size_t greedy(size_t n)
{
    return n < 1024 * 1024 ? n * 2 : n + 1024 * 1024;
}

static kbuf *kbuf_new(size_t len, size_t cap)
{
    kbuf *b = kv_malloc(sizeof(kbuf) + cap);
    b->len = len;
    b->cap = kv_alloc_size(b) - sizeof(kbuf);
    return b;
}

kobj *kobj_new_string(kstr key, kstr val, int enc, int64_t expire_ms)
{
    uint8_t *v;
    if (val.len > INLINE_MAX) {
        kobj *o = alloc_entry(key, OBJ_STRING, enc, expire_ms, sizeof(kbuf *), &v);
        o->flags |= KOBJ_OUTLINE;
        kbuf *b = kbuf_new(val.len, val.len);
        memcpy(b->bytes, val.p, val.len);
        memcpy(v, &b, sizeof(b));
        return o;
    }
    kobj *o = alloc_entry(key, OBJ_STRING, enc, expire_ms, varint_len(val.len) + val.len, &v);
    v += varint_put(v, val.len);
    if (val.len) {
        memcpy(v, val.p, val.len);
    }
    return o;
}

kobj *kobj_new_ptr(kstr key, int type, int enc, void *ptr, int64_t expire_ms)
{
    uint8_t *v;
    kobj *o = alloc_entry(key, type, enc, expire_ms, sizeof(ptr), &v);
    memcpy(v, &ptr, sizeof(ptr));
    return o;
}

void *kobj_ptr(const kobj *o)
{
    void *p;
    memcpy(&p, o->data + val_off(o), sizeof(p));
    return p;
}

void kobj_set_ptr(kobj *o, void *ptr)
{
    memcpy(o->data + val_off(o), &ptr, sizeof(ptr));
}

static void free_value(kobj *o)
{
    if (kobj_type(o) == OBJ_STRING) {
        if (o->flags & KOBJ_OUTLINE) {
            kv_free(outline(o));
        }
    } else if (type_ops[kobj_type(o)]) {
        type_ops[kobj_type(o)]->free(kobj_ptr(o));
    }
}

void kobj_free(kobj *o)
{
    if (!o) {
        return;
    }
    free_value(o);
    kv_free(o);
}

kstr kobj_key(const kobj *o)
{
    size_t klen, off = key_off(o);
    off += varint_get(o->data + off, &klen);
    return kstr_make((const char *)o->data + off, klen);
}

bool kobj_has_expire(const kobj *o)
{
    return o->flags & KOBJ_TTL;
}

int64_t kobj_expire(const kobj *o)
{
    if (!(o->flags & KOBJ_TTL)) {
        return -1;
    }
    int64_t ms;
    memcpy(&ms, o->data, 8);
    return ms;
}

/* Bytes the entry uses (without allocator slack). */
static size_t entry_size(const kobj *o)
{
    size_t off = val_off(o);
    if (kobj_type(o) != OBJ_STRING || (o->flags & KOBJ_OUTLINE)) {
        return sizeof(kobj) + off + sizeof(void *);
    }
    size_t vlen;
    size_t n = varint_get(o->data + off, &vlen);
    return sizeof(kobj) + off + n + vlen;
}

kobj *kobj_with_expire(kobj *o, int64_t ms)
{
    bool had = o->flags & KOBJ_TTL, want = ms >= 0;
    if (had && want) {
        memcpy(o->data, &ms, 8);
        return o;
    }
    if (!had && !want) {
        return o;
    }
    /* The TTL field sits before the key: rebuild with everything after it shifted. */
    size_t after = entry_size(o) - sizeof(kobj) - (had ? 8 : 0);
    kobj *n = kv_malloc(sizeof(kobj) + (want ? 8 : 0) + after);
    n->meta = o->meta;
    n->flags = (uint8_t)((o->flags & ~KOBJ_TTL) | (want ? KOBJ_TTL : 0));
    memcpy(n->data + (want ? 8 : 0), o->data + (had ? 8 : 0), after);
    if (want) {
        memcpy(n->data, &ms, 8);
    }
    kv_free(o);
    return n;
}

kstr kobj_str(const kobj *o)
{
    const uint8_t *v = o->data + val_off(o);
    if (o->flags & KOBJ_OUTLINE) {
        kbuf *b;
        memcpy(&b, v, sizeof(b));
        return kstr_make(b->bytes, b->len);
    }
    size_t len;
    v += varint_get(v, &len);
    return kstr_make((const char *)v, len);
}

kobj *kobj_with_str(kobj *o, kstr val, int enc)
{
    kstr old = kobj_str(o);
    if (!(o->flags & KOBJ_OUTLINE) && old.len == val.len) {
        memmove((char *)old.p, val.p, val.len); /* same size: in place (INCR, SET) */
        kobj_set_enc(o, enc);
        return o;
    }
    kobj *n = kobj_new_string(kobj_key(o), val, enc, kobj_expire(o));
    n->meta = (n->meta & 0xffu) | (o->meta & ~0xffu); /* keep the LRU/LFU bits */
    kobj_free(o);
    return n;
}

kobj *kobj_str_resize(kobj *o, size_t newlen, char **bytes)
{
    kstr old = kobj_str(o);
    if (o->flags & KOBJ_OUTLINE) {
        uint8_t *slot = o->data + val_off(o);
        kbuf *b;
        memcpy(&b, slot, sizeof(b));
        if (newlen > b->cap) {
            b = kv_realloc(b, sizeof(kbuf) + greedy(newlen));
            b->cap = kv_alloc_size(b) - sizeof(kbuf);
            memcpy(slot, &b, sizeof(b));
        }
        if (newlen > b->len) {
            memset(b->bytes + b->len, 0, newlen - b->len);
        }
        b->len = newlen;
        *bytes = b->bytes;
        return o;
    }
    if (newlen > INLINE_MAX) {
        uint8_t *v;
        kobj *n = alloc_entry(kobj_key(o), OBJ_STRING, kobj_enc(o), kobj_expire(o),
                              sizeof(kbuf *), &v);
        n->meta = o->meta;
        n->flags |= KOBJ_OUTLINE;
        kbuf *b = kbuf_new(newlen, greedy(newlen));
        size_t keep = old.len < newlen ? old.len : newlen;
        memcpy(b->bytes, old.p, keep);
        memset(b->bytes + keep, 0, newlen - keep);
        memcpy(v, &b, sizeof(b));
        kv_free(o);
        *bytes = b->bytes;
        return n;
    }
    uint8_t *v;
    kobj *n = alloc_entry(kobj_key(o), OBJ_STRING, kobj_enc(o), kobj_expire(o),
                          varint_len(newlen) + newlen, &v);
    n->meta = o->meta;
    v += varint_put(v, newlen);
    size_t keep = old.len < newlen ? old.len : newlen;
    memcpy(v, old.p, keep);
    memset(v + keep, 0, newlen - keep);
    kv_free(o);
    *bytes = (char *)v;
    return n;
}

kobj *kobj_copy(const kobj *o, kstr newkey)
{
    kobj *n;
    if (kobj_type(o) == OBJ_STRING) {
        n = kobj_new_string(newkey, kobj_str(o), kobj_enc(o), kobj_expire(o));
    } else {
        void *p = type_ops[kobj_type(o)]->copy(kobj_ptr(o));
        n = kobj_new_ptr(newkey, kobj_type(o), kobj_enc(o), p, kobj_expire(o));
    }
    n->meta = o->meta;
    return n;
}

kobj *kobj_rekey(kobj *o, kstr newkey)
{
    kobj *n;
    if (kobj_type(o) == OBJ_STRING && !(o->flags & KOBJ_OUTLINE)) {
        n = kobj_new_string(newkey, kobj_str(o), kobj_enc(o), kobj_expire(o));
    } else {
        void *p;
        memcpy(&p, o->data + val_off(o), sizeof(p)); /* kbuf or type pointer: moved */
        n = kobj_new_ptr(newkey, kobj_type(o), kobj_enc(o), p, kobj_expire(o));
        n->flags |= o->flags & KOBJ_OUTLINE;
    }
    n->meta = o->meta;
    kv_free(o); /* the shell only: the value now belongs to n */
    return n;
}

size_t kobj_alloc_size(const kobj *o)
{
    size_t n = kv_alloc_size(o);
    if (kobj_type(o) == OBJ_STRING) {
        if (o->flags & KOBJ_OUTLINE) {
            n += kv_alloc_size(outline(o));
        }
    } else if (type_ops[kobj_type(o)]) {
        n += type_ops[kobj_type(o)]->size(kobj_ptr(o));
    }
    return n;
}

size_t kobj_free_effort(const kobj *o)
{
    const kobj_type_ops *ops = type_ops[kobj_type(o)];
    if (kobj_type(o) == OBJ_STRING || !ops || !ops->free_effort) {
        return 1;
    }
    return ops->free_effort(kobj_ptr(o));
}

void *kobj_release_value(kobj *o, void (**free_fn)(void *))
{
    void *p = kobj_ptr(o);
    *free_fn = type_ops[kobj_type(o)]->free;
    kv_free(o);
    return p;
}
