/* set.c - the set family: SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP SRANDMEMBER
 * SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN, and the
 * set value itself (its three representations, conversions, free/size/copy).
 *
 * Representations. A set value is a tagged pointer (`setv`): the low two bits name the
 * representation, the rest is its address (every allocation is at least 8-aligned).
 *
 *   INTSET  ds/intset: sorted integers in Redis's intset bytes. Used while every member
 *           is an integer (Redis's string2ll) and count <= set-max-intset-entries.
 *   PACKED  ds/listpack, members in insertion order, for small sets with other members:
 *           count <= set-max-listpack-entries, each <= set-max-listpack-value bytes.
 *   TABLE   a struct table around a ds/ht hash table of member entries (below).
 *
 * What OBJECT ENCODING says is Redis 7.0's rule, not ours: "intset" for INTSET, and
 * "hashtable" for PACKED and TABLE alike (7.0 has no listpack sets; they came in 7.2).
 * Conversions follow the same one-way path as Redis (INTSET -> PACKED or TABLE,
 * PACKED -> TABLE, never back), so the reported encoding changes exactly when 7.0's
 * does. Redis's own quirks are kept: a set built from scratch (SMOVE to a new key, the
 * *STORE commands, SPOP rebuilding what remains) starts as an intset. One visible
 * difference remains: SSCAN answers a PACKED set in one call with cursor 0, where Redis
 * pages through a small hashtable (which also fits in one call at the default COUNT up
 * to a few dozen members); both are valid SCAN behaviour.
 *
 * Why PACKED. Small sets of tags are a common workload, and a table has fixed costs (the
 * ht struct, 64-byte buckets, one block per member). used_memory per key (key included)
 * for 100k sets of 8-byte members: 5 members 117 B packed, 325 B as tables, 466 B in
 * Redis 7.0; 50 members 565 B, 2517 B, 3298 B. Lookups scan at most
 * set-max-listpack-entries (128) short entries, as Redis 7.2 does.
 *
 * Large sets, 1M members, used_memory per member: short strings ("member:N") 33.5 B
 * against Redis 7.0's 56.4 B; integers 17.5 B against 48.4 B (slots only, see below).
 *
 * Table entries. An ht slot holds one pointer per member and nothing else:
 *   - an integer member in [-2^62, 2^62) is the pointer itself: (v << 1) | 1. No
 *     allocation at all, so a large set of integers costs only its bucket slots;
 *   - any other member is one allocation, a varint length then the bytes (no struct, no
 *     separate string): a 13-byte member takes a 16-byte block.
 * A member's hash is SipHash of its 8-byte little-endian value for inline integers and
 * of its bytes otherwise; which one applies follows from the member text alone (a
 * canonical integer in range is always inline), so lookups never need to try both.
 *
 * Terms. `mem` is a member as commands handle it: its bytes, and its integer value when
 * it is a canonical integer. Keys are read with db_find_read (counting keyspace hits as
 * Redis's lookupKeyRead does, also for the sources of the *STORE commands) and written
 * through db_ref; entries never move when their value changes (kobj_set_ptr is in place),
 * so kobj pointers stay valid while other keys are looked up.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/hash.h"
#include "base/rand.h"
#include "base/util.h"
#include "core/client.h"
#include "core/dispatch.h"
#include "core/scanargs.h"
#include "core/families.h"
#include "db/evict.h"
#include "pubsub/notify.h"
#include "ds/ht.h"
#include "ds/intset.h"
#include "ds/listpack.h"
#include "persist/propagate.h"
#include "persist/respbuf.h"
#include "types/limits.h"
#include "types/set.h"
#include "types/types.h"
#include "types/value_io.h"

/* ---- members ------------------------------------------------------------------------- */

#define INLINE_MIN (-(1LL << 62))
#define INLINE_MAX ((1LL << 62) - 1)

typedef struct mem {
    const char *p; /* the bytes: the argument, an entry, or buf for integers */
    size_t len;
    long long v;   /* when is_int */
    bool is_int;   /* canonical integer text, as Redis's string2ll */
    bool hashed;
    uint64_t hash; /* cached table hash, when hashed */
    char buf[24];
} mem;

/* A mem may point into its own buf, so it is filled in place and never copied. */
static void mem_of_str(mem *m, const char *p, size_t len)
{
    m->p = p;
    m->len = len;
    m->is_int = len <= 20 && str_to_ll(p, len, &m->v);
    m->hashed = false;
}

static void mem_of_int(mem *m, long long v)
{
    m->len = ll_to_str(m->buf, v);
    m->p = m->buf;
    m->v = v;
    m->is_int = true;
    m->hashed = false;
}

static bool mem_inline(const mem *m)
{
    return m->is_int && m->v >= INLINE_MIN && m->v <= INLINE_MAX;
}

static uint64_t hash_int(long long v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) {
        b[i] = (uint8_t)((uint64_t)v >> (8 * i));
    }
    return hash_bytes(b, sizeof(b));
}

static uint64_t mem_hash(mem *m)
{
    if (!m->hashed) {
        m->hash = mem_inline(m) ? hash_int(m->v) : hash_bytes(m->p, m->len);
        m->hashed = true;
    }
    return m->hash;
}

/* ---- table entries --------------------------------------------------------------------- */

static bool te_is_int(const void *e)
{
    return ((uintptr_t)e & 1) != 0;
}

/* Arithmetic right shift of a negative value: implementation-defined in C, arithmetic in
 * every compiler Kvik builds with. */
static long long te_int(const void *e)
{
    return (long long)((intptr_t)(uintptr_t)e >> 1);
}

static void *te_of_int(long long v)
{
    return (void *)(uintptr_t)(((uint64_t)v << 1) | 1u);
}

static const char *te_str(const void *e, size_t *len)
{
    const uint8_t *p = e;
    size_t n = 0;
    int shift = 0;
    do {
        n |= (size_t)(*p & 0x7f) << shift;
        shift += 7;
    } while (*p++ & 0x80);
    *len = n;
    return (const char *)p;
}

static void *te_of_str(const char *s, size_t len)
{
    uint8_t hdr[10];
    size_t h = 0, n = len;
    do {
        hdr[h++] = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
    } while (n);
    uint8_t *e = kv_malloc(h + len);
    memcpy(e, hdr, h);
    if (len) {
        memcpy(e + h, s, len);
    }
    return e;
}

static void *te_of_mem(const mem *m)
{
    return mem_inline(m) ? te_of_int(m->v) : te_of_str(m->p, m->len);
}

static void mem_of_entry(mem *m, const void *e)
{
    if (te_is_int(e)) {
        mem_of_int(m, te_int(e));
    } else {
        size_t len;
        const char *s = te_str(e, &len);
        mem_of_str(m, s, len); /* out-of-range integers are strings that parse */
    }
}

static uint64_t te_hash(const void *e)
{
    if (te_is_int(e)) {
        return hash_int(te_int(e));
    }
    size_t len;
    const char *s = te_str(e, &len);
    return hash_bytes(s, len);
}

static bool te_match(const void *e, const void *key)
{
    const mem *m = key;
    if (te_is_int(e)) {
        return mem_inline(m) && m->v == te_int(e);
    }
    if (mem_inline(m)) {
        return false;
    }
    size_t len;
    const char *s = te_str(e, &len);
    return len == m->len && memcmp(s, m->p, len) == 0;
}

/* Runs on the lazy-free thread too: kv_free only. */
static void te_free(void *e)
{
    if (!te_is_int(e)) {
        kv_free(e);
    }
}

static const ht_type table_ht_type = {te_hash, te_match, te_free};

typedef struct table {
    ht *h;
    size_t entry_bytes; /* allocator bytes of the string entries (MEMORY USAGE) */
} table;

static table *table_new(void)
{
    table *t = kv_malloc(sizeof(*t));
    t->h = ht_create(&table_ht_type);
    t->entry_bytes = 0;
    return t;
}

static void table_free(table *t)
{
    ht_destroy(t->h);
    kv_free(t);
}

static bool table_add(table *t, mem *m)
{
    uint64_t hash = mem_hash(m);
    if (ht_find(t->h, hash, m)) {
        return false;
    }
    void *e = te_of_mem(m);
    if (!te_is_int(e)) {
        t->entry_bytes += kv_alloc_size(e);
    }
    ht_insert(t->h, hash, e);
    return true;
}

static bool table_remove(table *t, mem *m)
{
    void *e = ht_remove(t->h, mem_hash(m), m);
    if (!e) {
        return false;
    }
    if (!te_is_int(e)) {
        t->entry_bytes -= kv_alloc_size(e);
        kv_free(e);
    }
    return true;
}

/* A uniformly random entry of a non-empty table (ht_random is exactly uniform, chains
 * included, which SRANDMEMBER/SPOP's distribution relies on). */
static void *table_random(const table *t)
{
    return ht_random(t->h);
}

/* ---- set values ------------------------------------------------------------------------ */

enum { K_INTSET = 0, K_PACKED = 1, K_TABLE = 2 };

typedef uintptr_t setv;

static int sv_kind(setv s)
{
    return (int)(s & 3);
}

static void *sv_ptr(setv s)
{
    return (void *)(s & ~(uintptr_t)3);
}

static setv sv_make(int kind, void *p)
{
    return (uintptr_t)p | (uintptr_t)kind;
}

static intset *sv_is(setv s)
{
    return sv_ptr(s);
}

static uint8_t *sv_lp(setv s)
{
    return sv_ptr(s);
}

static table *sv_tab(setv s)
{
    return sv_ptr(s);
}

static setv sv_of(const kobj *o)
{
    return (setv)kobj_ptr(o);
}

/* What OBJECT ENCODING reports: Redis 7.0 knows only intset and hashtable. */
static int sv_enc(setv s)
{
    return sv_kind(s) == K_INTSET ? ENC_INTSET : ENC_HT;
}

static size_t sv_size(setv s)
{
    switch (sv_kind(s)) {
    case K_INTSET:
        return intset_len(sv_is(s));
    case K_PACKED:
        return lp_length(sv_lp(s));
    default:
        return ht_size(sv_tab(s)->h);
    }
}

static void sv_free(setv s)
{
    switch (sv_kind(s)) {
    case K_INTSET:
        intset_free(sv_is(s));
        break;
    case K_PACKED:
        lp_free(sv_lp(s));
        break;
    default:
        table_free(sv_tab(s));
        break;
    }
}

/* An empty intset: how Redis starts a set it builds from scratch. Never stored empty. */
static setv sv_new(void)
{
    return sv_make(K_INTSET, intset_new());
}

static bool packed_fits(size_t count, size_t len)
{
    return count <= (unsigned long long)type_limits.set_max_listpack_entries &&
           len <= (unsigned long long)type_limits.set_max_listpack_value;
}

/* Decimal length of the widest member of a non-empty intset (its minimum or maximum). */
static size_t intset_max_text(const intset *is)
{
    char buf[24];
    size_t a = ll_to_str(buf, intset_get(is, 0));
    size_t b = ll_to_str(buf, intset_get(is, intset_len(is) - 1));
    return a > b ? a : b;
}

static uint8_t *packed_add(uint8_t *lp, const mem *m)
{
    return m->is_int ? lp_append_int(lp, m->v) : lp_append(lp, (const uint8_t *)m->p, m->len);
}

/* Reads the listpack entry at pos into m (text in m->buf for integer entries; the
 * listpack keeps canonical integers as integers, so is_int is exact). */
static void mem_of_lp(mem *m, const uint8_t *pos)
{
    long long v;
    bool is_int;
    size_t len;
    const uint8_t *s = lp_get(pos, &len, (uint8_t *)m->buf, &v, &is_int);
    m->p = (const char *)s;
    m->len = len;
    m->is_int = is_int;
    m->v = v;
    m->hashed = false;
}

/* Iteration over any representation. Nothing may be added or removed meanwhile. */
typedef struct sv_iter {
    setv s;
    uint32_t i;   /* INTSET */
    uint8_t *pos; /* PACKED */
    ht_iter hi;   /* TABLE */
} sv_iter;

static void sv_iter_init(sv_iter *it, setv s)
{
    it->s = s;
    it->i = 0;
    if (sv_kind(s) == K_PACKED) {
        it->pos = lp_first(sv_lp(s));
    } else if (sv_kind(s) == K_TABLE) {
        ht_iter_init(&it->hi, sv_tab(s)->h);
    }
}

static bool sv_iter_next(sv_iter *it, mem *m)
{
    switch (sv_kind(it->s)) {
    case K_INTSET: {
        intset *is = sv_is(it->s);
        if (it->i >= intset_len(is)) {
            return false;
        }
        mem_of_int(m, intset_get(is, it->i++));
        return true;
    }
    case K_PACKED:
        if (!it->pos) {
            return false;
        }
        mem_of_lp(m, it->pos);
        it->pos = lp_next(sv_lp(it->s), it->pos);
        return true;
    default: {
        void *e = ht_iter_next(&it->hi);
        if (!e) {
            return false;
        }
        mem_of_entry(m, e);
        return true;
    }
    }
}

static void sv_iter_done(sv_iter *it)
{
    if (sv_kind(it->s) == K_TABLE) {
        ht_iter_done(&it->hi);
    }
}

/* Moves every member of s into a table (s is freed). */
static setv to_table(setv s)
{
    table *t = table_new();
    sv_iter it;
    mem m;
    sv_iter_init(&it, s);
    while (sv_iter_next(&it, &m)) {
        table_add(t, &m);
    }
    sv_iter_done(&it);
    sv_free(s);
    return sv_make(K_TABLE, t);
}

static setv intset_to_packed(setv s)
{
    intset *is = sv_is(s);
    uint8_t *lp = lp_new(0);
    for (uint32_t i = 0; i < intset_len(is); i++) {
        lp = lp_append_int(lp, intset_get(is, i));
    }
    intset_free(is);
    return sv_make(K_PACKED, lp);
}

/* An intset that must change representation to take one more member of length len:
 * packed when everything fits, a table otherwise. */
static setv intset_grow_out(setv s, size_t len)
{
    intset *is = sv_is(s);
    uint32_t n = intset_len(is);
    size_t widest = n ? intset_max_text(is) : 0;
    if (packed_fits((size_t)n + 1, len > widest ? len : widest)) {
        return intset_to_packed(s);
    }
    return to_table(s);
}

static bool sv_has(setv s, mem *m)
{
    switch (sv_kind(s)) {
    case K_INTSET:
        return m->is_int && intset_find(sv_is(s), m->v);
    case K_PACKED: {
        uint8_t *lp = sv_lp(s);
        return lp_find(lp, lp_first(lp), (const uint8_t *)m->p, m->len, 0) != NULL;
    }
    default:
        return ht_find(sv_tab(s)->h, mem_hash(m), m) != NULL;
    }
}

/* Adds m; true when it was absent. Converts as Redis's setTypeAdd would (the reported
 * encoding); *s may change. */
static bool sv_add(setv *s, mem *m)
{
    if (sv_kind(*s) == K_INTSET) {
        intset *is = sv_is(*s);
        if (!m->is_int) {
            *s = intset_grow_out(*s, m->len);
            return sv_add(s, m);
        }
        bool added;
        is = intset_add(is, m->v, &added);
        *s = sv_make(K_INTSET, is);
        if (added && intset_len(is) > (unsigned long long)type_limits.set_max_intset_entries) {
            /* Over the limit: the intset already holds m; convert what it has. */
            size_t n = intset_len(is);
            *s = packed_fits(n, intset_max_text(is)) ? intset_to_packed(*s) : to_table(*s);
        }
        return added;
    }
    if (sv_kind(*s) == K_PACKED) {
        uint8_t *lp = sv_lp(*s);
        if (lp_find(lp, lp_first(lp), (const uint8_t *)m->p, m->len, 0)) {
            return false;
        }
        if (!packed_fits(lp_length(lp) + 1, m->len)) {
            *s = to_table(*s);
            return table_add(sv_tab(*s), m);
        }
        *s = sv_make(K_PACKED, packed_add(lp, m));
        return true;
    }
    return table_add(sv_tab(*s), m);
}

/* Removes m; true when it was present. Representations never narrow (as Redis). */
static bool sv_remove(setv *s, mem *m)
{
    switch (sv_kind(*s)) {
    case K_INTSET: {
        if (!m->is_int) {
            return false;
        }
        bool removed;
        *s = sv_make(K_INTSET, intset_remove(sv_is(*s), m->v, &removed));
        return removed;
    }
    case K_PACKED: {
        uint8_t *lp = sv_lp(*s);
        uint8_t *pos = lp_find(lp, lp_first(lp), (const uint8_t *)m->p, m->len, 0);
        if (!pos) {
            return false;
        }
        *s = sv_make(K_PACKED, lp_delete(lp, pos, NULL));
        return true;
    }
    default:
        return table_remove(sv_tab(*s), m);
    }
}

/* A uniformly random member of a non-empty set. */
static void sv_random(setv s, mem *m)
{
    switch (sv_kind(s)) {
    case K_INTSET: {
        intset *is = sv_is(s);
        mem_of_int(m, intset_get(is, (uint32_t)rand_below(intset_len(is))));
        break;
    }
    case K_PACKED: {
        uint8_t *lp = sv_lp(s);
        mem_of_lp(m, lp_seek(lp, (long)rand_below(lp_length(lp))));
        break;
    }
    default:
        mem_of_entry(m, table_random(sv_tab(s)));
        break;
    }
}

static setv sv_copy(setv s)
{
    switch (sv_kind(s)) {
    case K_INTSET:
        return sv_make(K_INTSET, intset_dup(sv_is(s)));
    case K_PACKED: {
        uint8_t *lp = sv_lp(s);
        size_t n = lp_bytes(lp);
        uint8_t *d = kv_malloc(n);
        memcpy(d, lp, n);
        return sv_make(K_PACKED, d);
    }
    default: {
        table *t = table_new();
        ht_iter it;
        ht_iter_init(&it, sv_tab(s)->h);
        for (void *e; (e = ht_iter_next(&it));) {
            mem m;
            mem_of_entry(&m, e);
            table_add(t, &m);
        }
        ht_iter_done(&it);
        return sv_make(K_TABLE, t);
    }
    }
}

/* ---- value operations for the object layer ------------------------------------------ */

static void op_free(void *p)
{
    sv_free((setv)p);
}

static size_t op_size(const void *p)
{
    setv s = (setv)p;
    if (sv_kind(s) != K_TABLE) {
        return kv_alloc_size(sv_ptr(s));
    }
    const table *t = sv_tab(s);
    return kv_alloc_size(t) + ht_mem_usage(t->h) + t->entry_bytes;
}

static void *op_copy(const void *p)
{
    return (void *)sv_copy((setv)p);
}

static size_t op_free_effort(const void *p)
{
    setv s = (setv)p;
    return sv_kind(s) == K_TABLE ? 1 + ht_size(sv_tab(s)->h) : 1;
}

static const kobj_type_ops set_ops = {op_free, op_size, op_copy, op_free_effort};

void set_value_each(const kobj *o, void (*fn)(void *priv, kstr member), void *priv)
{
    sv_iter it;
    mem m;
    sv_iter_init(&it, sv_of(o));
    while (sv_iter_next(&it, &m)) {
        fn(priv, kstr_make(m.p, m.len));
    }
    sv_iter_done(&it);
}

void set_type_setup(void)
{
    kobj_register_type(OBJ_SET, &set_ops);
}

/* ---- lookups and storing --------------------------------------------------------------- */

/* lookupKeyRead + type check: false after replying WRONGTYPE; *out is NULL when absent. */
static bool read_set_or_reply(client *c, kstr key, kobj **out)
{
    kobj *o = db_find_read(c->db, key);
    if (o && kobj_type(o) != OBJ_SET) {
        reply_wrongtype(c);
        return false;
    }
    *out = o;
    return true;
}

/* lookupKeyWrite: expires a stale key, refreshes the LRU clock, no statistics. */
static kobj *lookup_write(client *c, kstr key)
{
    kobj **ref = db_ref(c->db, key);
    if (!ref) {
        return NULL;
    }
    evict_touch(*ref);
    return *ref;
}

/* Stores a changed value back into its entry (in place: the entry does not move). */
static void store_back(kobj *o, setv s)
{
    kobj_set_ptr(o, (void *)s);
    kobj_set_enc(o, sv_enc(s));
}

static void add_new_key(client *c, kstr key, setv s)
{
    db_add(c->db, kobj_new_ptr(key, OBJ_SET, sv_enc(s), (void *)s, -1));
}

static void reply_mem(client *c, const mem *m)
{
    reply_bulk(&c->out, m->p, m->len);
}

/* Replies every member of s as a RESP3 set (array in RESP2). */
static void reply_members(client *c, setv s)
{
    reply_aggregate(&c->out, REPLY_SET, sv_size(s));
    sv_iter it;
    mem m;
    sv_iter_init(&it, s);
    while (sv_iter_next(&it, &m)) {
        reply_mem(c, &m);
    }
    sv_iter_done(&it);
}

/* ---- SADD SREM SMOVE --------------------------------------------------------------------- */

static void cmd_sadd(client *c)
{
    kstr key = c->argv[1];
    kobj *o = lookup_write(c, key);
    if (o && kobj_type(o) != OBJ_SET) {
        reply_wrongtype(c);
        return;
    }
    /* A new set starts as an empty intset and converts while members come in, so that
     * duplicates in the arguments cannot make it skip an encoding Redis would keep. */
    setv s = o ? sv_of(o) : sv_new();
    long long added = 0;
    for (int i = 2; i < c->argc; i++) {
        mem m;
        mem_of_str(&m, c->argv[i].p, c->argv[i].len);
        added += sv_add(&s, &m);
    }
    db_dirty(added);
    if (o) {
        store_back(o, s);
        if (added) {
            db_touch(c->db, key);
        }
    } else {
        add_new_key(c, key, s);
    }
    if (added) {
        notify_keyspace_event(NOTIFY_SET, "sadd", c->db, key);
    }
    reply_int(&c->out, added);
}

static void cmd_srem(client *c)
{
    kstr key = c->argv[1];
    kobj *o = lookup_write(c, key);
    if (!o) {
        reply_int(&c->out, 0);
        return;
    }
    if (kobj_type(o) != OBJ_SET) {
        reply_wrongtype(c);
        return;
    }
    setv s = sv_of(o);
    long long removed = 0;
    for (int i = 2; i < c->argc; i++) {
        mem m;
        mem_of_str(&m, c->argv[i].p, c->argv[i].len);
        removed += sv_remove(&s, &m);
        if (sv_size(s) == 0) {
            break;
        }
    }
    store_back(o, s);
    db_dirty(removed);
    if (removed) {
        notify_keyspace_event(NOTIFY_SET, "srem", c->db, key);
    }
    if (sv_size(s) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
    } else if (removed) {
        db_touch(c->db, key);
    }
    reply_int(&c->out, removed);
}

static void cmd_smove(client *c)
{
    kstr src = c->argv[1], dst = c->argv[2];
    kobj *so = lookup_write(c, src);
    kobj *dobj = lookup_write(c, dst);
    if (!so) {
        reply_int(&c->out, 0);
        return;
    }
    if (kobj_type(so) != OBJ_SET || (dobj && kobj_type(dobj) != OBJ_SET)) {
        reply_wrongtype(c);
        return;
    }
    mem m;
    mem_of_str(&m, c->argv[3].p, c->argv[3].len);
    if (so == dobj) {
        reply_int(&c->out, sv_has(sv_of(so), &m));
        return;
    }
    setv s = sv_of(so);
    if (!sv_remove(&s, &m)) {
        reply_int(&c->out, 0);
        return;
    }
    store_back(so, s);
    db_dirty(1); /* and one more when dst gains the member, as Redis */
    notify_keyspace_event(NOTIFY_SET, "srem", c->db, src);
    if (sv_size(s) == 0) {
        db_delete(c->db, src);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, src);
    } else {
        db_touch(c->db, src);
    }
    if (dobj) {
        setv d = sv_of(dobj);
        bool added = sv_add(&d, &m);
        store_back(dobj, d);
        if (added) {
            db_dirty(1);
            db_touch(c->db, dst);
            notify_keyspace_event(NOTIFY_SET, "sadd", c->db, dst);
        }
    } else {
        setv d = sv_new();
        sv_add(&d, &m);
        db_dirty(1);
        add_new_key(c, dst, d);
        notify_keyspace_event(NOTIFY_SET, "sadd", c->db, dst);
    }
    reply_int(&c->out, 1);
}

/* ---- SISMEMBER SMISMEMBER SCARD SMEMBERS ---------------------------------------------- */

static void cmd_sismember(client *c)
{
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    mem m;
    mem_of_str(&m, c->argv[2].p, c->argv[2].len);
    reply_int(&c->out, o && sv_has(sv_of(o), &m));
}

static void cmd_smismember(client *c)
{
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    reply_array(&c->out, (size_t)(c->argc - 2));
    for (int i = 2; i < c->argc; i++) {
        mem m;
        mem_of_str(&m, c->argv[i].p, c->argv[i].len);
        reply_int(&c->out, o && sv_has(sv_of(o), &m));
    }
}

static void cmd_scard(client *c)
{
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    reply_int(&c->out, o ? (long long)sv_size(sv_of(o)) : 0);
}

static void cmd_smembers(client *c)
{
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        reply_aggregate(&c->out, REPLY_SET, 0);
        return;
    }
    reply_members(c, sv_of(o));
}

/* ---- random picks ------------------------------------------------------------------------ */

/* A small open-addressing set of nonzero words: which members were already picked. */
typedef struct pickset {
    uintptr_t *slots;
    size_t mask;
} pickset;

static void pickset_init(pickset *ps, size_t n)
{
    size_t cap = 16;
    while (cap < n * 2) {
        cap *= 2;
    }
    ps->slots = kv_calloc(cap * sizeof(uintptr_t));
    ps->mask = cap - 1;
}

/* Adds w (nonzero); false when it was there already. */
static bool pickset_add(pickset *ps, uintptr_t w)
{
    size_t i = (size_t)((w * 0x9e3779b97f4a7c15ULL) >> 17) & ps->mask;
    while (ps->slots[i]) {
        if (ps->slots[i] == w) {
            return false;
        }
        i = (i + 1) & ps->mask;
    }
    ps->slots[i] = w;
    return true;
}

/* Positions of every entry of a listpack, for random access without re-walking. */
static uint8_t **packed_positions(uint8_t *lp, size_t *n)
{
    *n = lp_length(lp);
    uint8_t **pos = kv_malloc((*n ? *n : 1) * sizeof(*pos));
    size_t i = 0;
    for (uint8_t *p = lp_first(lp); p; p = lp_next(lp, p)) {
        pos[i++] = p;
    }
    return pos;
}

/* The member at index i of a random-access view of s: the intset index, a listpack
 * position from `pos`, or a table entry from `ents`. */
typedef struct view {
    setv s;
    uint8_t **pos;
    void **ents;
    size_t n;
} view;

static void view_init(view *v, setv s, bool need_table_array)
{
    v->s = s;
    v->pos = NULL;
    v->ents = NULL;
    v->n = sv_size(s);
    if (sv_kind(s) == K_PACKED) {
        v->pos = packed_positions(sv_lp(s), &v->n);
    } else if (sv_kind(s) == K_TABLE && need_table_array) {
        v->ents = kv_malloc((v->n ? v->n : 1) * sizeof(void *));
        ht_iter it;
        size_t i = 0;
        ht_iter_init(&it, sv_tab(s)->h);
        for (void *e; (e = ht_iter_next(&it));) {
            v->ents[i++] = e;
        }
        ht_iter_done(&it);
    }
}

static void view_get(const view *v, size_t i, mem *m)
{
    switch (sv_kind(v->s)) {
    case K_INTSET:
        mem_of_int(m, intset_get(sv_is(v->s), (uint32_t)i));
        break;
    case K_PACKED:
        mem_of_lp(m, v->pos[i]);
        break;
    default:
        mem_of_entry(m, v->ents[i]);
        break;
    }
}

static void view_done(view *v)
{
    kv_free(v->pos);
    kv_free(v->ents);
}

/* Replies `count` distinct members of s chosen uniformly (count < size). */
static void reply_distinct_random(client *c, setv s, size_t count)
{
    size_t n = sv_size(s);
    if (count * 3 > n || sv_kind(s) == K_PACKED) {
        /* A good share of the set: shuffle the front of an index array (Fisher-Yates). */
        view v;
        view_init(&v, s, true);
        size_t *idx = kv_malloc(n * sizeof(size_t));
        for (size_t i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (size_t i = 0; i < count; i++) {
            size_t j = i + rand_below(n - i);
            size_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
            mem m;
            view_get(&v, idx[i], &m);
            reply_mem(c, &m);
        }
        kv_free(idx);
        view_done(&v);
        return;
    }
    /* A small share: draw until count distinct ones came up (few repeats expected). */
    pickset ps;
    pickset_init(&ps, count);
    size_t got = 0;
    while (got < count) {
        uintptr_t w;
        mem m;
        if (sv_kind(s) == K_INTSET) {
            size_t i = rand_below(n);
            w = (uintptr_t)i + 1;
            if (!pickset_add(&ps, w)) {
                continue;
            }
            mem_of_int(&m, intset_get(sv_is(s), (uint32_t)i));
        } else {
            void *e = table_random(sv_tab(s));
            w = (uintptr_t)e; /* entries are distinct words, never 0 */
            if (!pickset_add(&ps, w)) {
                continue;
            }
            mem_of_entry(&m, e);
        }
        reply_mem(c, &m);
        got++;
    }
    kv_free(ps.slots);
}

/* ---- SRANDMEMBER SPOP ------------------------------------------------------------------- */

#define ERR_RANGE_RANDMEMBER                                                              \
    "ERR value is out of range, value must between -9223372036854775807 and "             \
    "9223372036854775807"
#define ERR_MUST_BE_POSITIVE "ERR value is out of range, must be positive"

static void srandmember_count(client *c)
{
    long long count;
    if (!arg_ll_range_or_reply(c, c->argv[2], -LLONG_MAX, LLONG_MAX, &count,
                               ERR_RANGE_RANDMEMBER)) {
        return;
    }
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o || count == 0) {
        reply_array(&c->out, 0);
        return;
    }
    setv s = sv_of(o);
    size_t n = sv_size(s);
    if (count < 0) {
        /* Repetitions allowed: independent draws. */
        unsigned long long k = (unsigned long long)-count;
        reply_array(&c->out, (size_t)k);
        view v;
        view_init(&v, s, false);
        for (unsigned long long i = 0; i < k; i++) {
            mem m;
            if (sv_kind(s) == K_TABLE) {
                mem_of_entry(&m, table_random(sv_tab(s)));
            } else {
                view_get(&v, rand_below(n), &m);
            }
            reply_mem(c, &m);
        }
        view_done(&v);
        return;
    }
    if ((unsigned long long)count >= n) {
        reply_array(&c->out, n);
        sv_iter it;
        mem m;
        sv_iter_init(&it, s);
        while (sv_iter_next(&it, &m)) {
            reply_mem(c, &m);
        }
        sv_iter_done(&it);
        return;
    }
    reply_array(&c->out, (size_t)count);
    reply_distinct_random(c, s, (size_t)count);
}

static void cmd_srandmember(client *c)
{
    if (c->argc == 3) {
        srandmember_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        reply_null(&c->out);
        return;
    }
    mem m;
    sv_random(sv_of(o), &m);
    reply_mem(c, &m);
}

/* SPOP key count when count < size. Like Redis: when few members would remain (remaining
 * * 5 <= count) it draws the members that stay into a new set, replies everything left
 * in the old one and keeps the new one, whose encoding is then decided afresh (an
 * all-integer remainder becomes an intset again, as in Redis). */
static setv spop_some(client *c, setv s, size_t count)
{
    size_t n = sv_size(s), remaining = n - count;
    reply_aggregate(&c->out, REPLY_SET, count);
    /* Propagated as SREM of what was popped: the draw is random, the result is not. */
    respbuf srem = {0};
    if (propagate_on) {
        rb_array_header(&srem, 2 + (long long)count);
        rb_bulk(&srem, "SREM", 4);
        rb_bulk(&srem, c->argv[1].p, c->argv[1].len);
    }
    if (remaining * 5 > count) {
        for (size_t i = 0; i < count; i++) {
            mem m;
            sv_random(s, &m);
            reply_mem(c, &m);
            if (propagate_on) {
                rb_bulk(&srem, (const char *)m.p, m.len);
            }
            sv_remove(&s, &m);
        }
        if (propagate_on) {
            propagate_rewrite_resp(srem.p, srem.len);
            rb_free(&srem);
        }
        return s;
    }
    setv keep = sv_new();
    for (size_t i = 0; i < remaining; i++) {
        mem m;
        sv_random(s, &m);
        sv_add(&keep, &m);
        sv_remove(&s, &m); /* after the add: m may point into s */
    }
    sv_iter it;
    mem m;
    sv_iter_init(&it, s);
    while (sv_iter_next(&it, &m)) {
        reply_mem(c, &m);
        if (propagate_on) {
            rb_bulk(&srem, (const char *)m.p, m.len);
        }
    }
    sv_iter_done(&it);
    sv_free(s);
    if (propagate_on) {
        propagate_rewrite_resp(srem.p, srem.len);
        rb_free(&srem);
    }
    return keep;
}

static void spop_count(client *c)
{
    /* Redis answers the range text for a non-number too. */
    long long count;
    if (!str_to_ll(c->argv[2].p, c->argv[2].len, &count) || count < 0) {
        reply_error(&c->out, ERR_MUST_BE_POSITIVE);
        return;
    }
    kstr key = c->argv[1];
    kobj *o = lookup_write(c, key);
    if (o && kobj_type(o) != OBJ_SET) {
        reply_wrongtype(c);
        return;
    }
    if (!o || count == 0) {
        reply_aggregate(&c->out, REPLY_SET, 0);
        return;
    }
    setv s = sv_of(o);
    notify_keyspace_event(NOTIFY_SET, "spop", c->db, key);
    if ((unsigned long long)count >= sv_size(s)) {
        db_dirty((long long)sv_size(s));
        reply_members(c, s);
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
        if (propagate_on) {
            kstr argv[2] = {KSTR_LIT("DEL"), key};
            propagate_rewrite(argv, 2);
        }
        return;
    }
    db_dirty(count);
    s = spop_some(c, s, (size_t)count);
    store_back(o, s);
    db_touch(c->db, key);
}

static void cmd_spop(client *c)
{
    if (c->argc == 3) {
        spop_count(c);
        return;
    }
    if (c->argc > 3) {
        reply_syntax_error(c);
        return;
    }
    kstr key = c->argv[1];
    kobj *o = lookup_write(c, key);
    if (!o) {
        reply_null(&c->out);
        return;
    }
    if (kobj_type(o) != OBJ_SET) {
        reply_wrongtype(c);
        return;
    }
    setv s = sv_of(o);
    mem m;
    sv_random(s, &m);
    reply_mem(c, &m);
    if (propagate_on) {
        kstr argv[3] = {KSTR_LIT("SREM"), key, kstr_make((const char *)m.p, m.len)};
        propagate_rewrite(argv, 3);
    }
    sv_remove(&s, &m);
    store_back(o, s);
    notify_keyspace_event(NOTIFY_SET, "spop", c->db, key);
    if (sv_size(s) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, key);
    } else {
        db_touch(c->db, key);
    }
}

/* ---- SINTER SINTERCARD SINTERSTORE ----------------------------------------------------- */

/* Looks up nkeys source keys in order as Redis does: a wrong type stops at once (keys
 * after it are not looked up); absent keys give NULL. *missing counts them. */
static kobj **lookup_sources(client *c, const kstr *keys, int nkeys, int *missing)
{
    kobj **objs = kv_malloc((size_t)nkeys * sizeof(kobj *));
    *missing = 0;
    for (int i = 0; i < nkeys; i++) {
        if (!read_set_or_reply(c, keys[i], &objs[i])) {
            kv_free(objs);
            return NULL;
        }
        *missing += objs[i] == NULL;
    }
    return objs;
}

/* Makes dst hold s (or deletes dst when s is empty, freeing s); replies the size and
 * raises event (or "del" when an existing dst went). */
static void store_result(client *c, kstr dst, setv s, const char *event)
{
    size_t n = sv_size(s);
    if (n == 0) {
        sv_free(s);
        if (db_delete(c->db, dst)) {
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->db, dst);
        }
    } else {
        db_set(c->db, kobj_new_ptr(dst, OBJ_SET, sv_enc(s), (void *)s, -1));
        notify_keyspace_event(NOTIFY_SET, event, c->db, dst);
    }
    reply_int(&c->out, (long long)n);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = sv_size(*(const setv *)a), y = sv_size(*(const setv *)b);
    return x < y ? -1 : x > y;
}

enum { INTER_REPLY, INTER_STORE, INTER_CARD };

/* The intersection of the sets under keys: replied (SINTER), stored in dst
 * (SINTERSTORE) or counted up to limit (SINTERCARD, limit 0 = all). Walks the smallest
 * set and probes the others. */
static void inter_generic(client *c, const kstr *keys, int nkeys, int mode, kstr dst,
                          unsigned long long limit)
{
    int missing;
    kobj **objs = lookup_sources(c, keys, nkeys, &missing);
    if (!objs) {
        return;
    }
    if (missing) {
        kv_free(objs);
        if (mode == INTER_REPLY) {
            reply_aggregate(&c->out, REPLY_SET, 0);
        } else if (mode == INTER_CARD) {
            reply_int(&c->out, 0);
        } else {
            store_result(c, dst, sv_new(), "sinterstore");
        }
        return;
    }
    setv *sets = kv_malloc((size_t)nkeys * sizeof(setv));
    for (int i = 0; i < nkeys; i++) {
        sets[i] = sv_of(objs[i]);
    }
    kv_free(objs);
    qsort(sets, (size_t)nkeys, sizeof(setv), cmp_size);

    void *deferred = mode == INTER_REPLY ? reply_defer(&c->out) : NULL;
    setv result = mode == INTER_STORE ? sv_new() : 0;
    unsigned long long found = 0;
    sv_iter it;
    mem m;
    sv_iter_init(&it, sets[0]);
    while (sv_iter_next(&it, &m)) {
        int j = 1;
        while (j < nkeys && (sets[j] == sets[0] || sv_has(sets[j], &m))) {
            j++;
        }
        if (j < nkeys) {
            continue;
        }
        found++;
        if (mode == INTER_REPLY) {
            reply_mem(c, &m);
        } else if (mode == INTER_STORE) {
            sv_add(&result, &m);
        } else if (limit && found >= limit) {
            break;
        }
    }
    sv_iter_done(&it);
    kv_free(sets);
    if (mode == INTER_REPLY) {
        reply_defer_set(&c->out, deferred, REPLY_SET, (size_t)found);
    } else if (mode == INTER_CARD) {
        reply_int(&c->out, (long long)found);
    } else {
        store_result(c, dst, result, "sinterstore");
    }
}

static void cmd_sinter(client *c)
{
    inter_generic(c, c->argv + 1, c->argc - 1, INTER_REPLY, (kstr){0}, 0);
}

static void cmd_sinterstore(client *c)
{
    inter_generic(c, c->argv + 2, c->argc - 2, INTER_STORE, c->argv[1], 0);
}

static void cmd_sintercard(client *c)
{
    long long numkeys;
    if (!str_to_ll(c->argv[1].p, c->argv[1].len, &numkeys) || numkeys < 1) {
        reply_error(&c->out, "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(&c->out, "ERR Number of keys can't be greater than number of args");
        return;
    }
    long long limit = 0;
    for (int i = 2 + (int)numkeys; i < c->argc; i++) {
        if (kstr_is(c->argv[i], "limit") && i + 1 < c->argc) {
            kstr a = c->argv[++i];
            if (!str_to_ll(a.p, a.len, &limit) || limit < 0) {
                reply_error(&c->out, "ERR LIMIT can't be negative");
                return;
            }
        } else {
            reply_syntax_error(c);
            return;
        }
    }
    inter_generic(c, c->argv + 2, (int)numkeys, INTER_CARD, (kstr){0},
                  (unsigned long long)limit);
}

/* ---- SUNION SDIFF and their STORE forms ------------------------------------------------ */

/* Builds the union or difference into a fresh set (from an empty intset, as Redis, so
 * the result's encoding is what 7.0 reports), then replies or stores it. */
static void union_diff_generic(client *c, const kstr *keys, int nkeys, bool diff,
                               const kstr *dst)
{
    int missing;
    kobj **objs = lookup_sources(c, keys, nkeys, &missing);
    if (!objs) {
        return;
    }
    setv result = sv_new();
    if (!diff) {
        for (int i = 0; i < nkeys; i++) {
            if (!objs[i]) {
                continue;
            }
            sv_iter it;
            mem m;
            sv_iter_init(&it, sv_of(objs[i]));
            while (sv_iter_next(&it, &m)) {
                sv_add(&result, &m);
            }
            sv_iter_done(&it);
        }
    } else if (objs[0]) {
        setv first = sv_of(objs[0]);
        sv_iter it;
        mem m;
        sv_iter_init(&it, first);
        while (sv_iter_next(&it, &m)) {
            bool keep = true;
            for (int j = 1; j < nkeys && keep; j++) {
                keep = !objs[j] || !sv_has(sv_of(objs[j]), &m);
            }
            if (keep) {
                sv_add(&result, &m);
            }
        }
        sv_iter_done(&it);
    }
    kv_free(objs);
    if (dst) {
        store_result(c, *dst, result, diff ? "sdiffstore" : "sunionstore");
        return;
    }
    reply_members(c, result);
    sv_free(result);
}

static void cmd_sunion(client *c)
{
    union_diff_generic(c, c->argv + 1, c->argc - 1, false, NULL);
}

static void cmd_sunionstore(client *c)
{
    union_diff_generic(c, c->argv + 2, c->argc - 2, false, &c->argv[1]);
}

static void cmd_sdiff(client *c)
{
    union_diff_generic(c, c->argv + 1, c->argc - 1, true, NULL);
}

static void cmd_sdiffstore(client *c)
{
    union_diff_generic(c, c->argv + 2, c->argc - 2, true, &c->argv[1]);
}

/* ---- SSCAN --------------------------------------------------------------------------------- */

typedef struct scan_acc {
    void **ents;
    size_t n, cap;
} scan_acc;

static void scan_collect(void *priv, void *e)
{
    scan_acc *a = priv;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->ents = kv_realloc(a->ents, a->cap * sizeof(void *));
    }
    a->ents[a->n++] = e;
}

static bool scan_keep(const mem *m, const scan_opts *opts)
{
    return scan_opts_match(opts, m->p, m->len);
}

static void cmd_sscan(client *c)
{
    uint64_t cursor;
    if (!scan_cursor_or_reply(c, c->argv[2], &cursor)) {
        return;
    }
    kobj *o;
    if (!read_set_or_reply(c, c->argv[1], &o)) {
        return;
    }
    if (!o) {
        scan_reply_empty(c);
        return;
    }
    scan_opts opts;
    if (!scan_opts_or_reply(c, 3, 0, &opts)) {
        return;
    }
    long long count = opts.count;

    setv s = sv_of(o);
    if (sv_kind(s) != K_TABLE) {
        /* Compact sets answer in one go with cursor 0, as Redis does for its intsets. */
        void *deferred;
        size_t kept = 0;
        reply_array(&c->out, 2);
        reply_bulk(&c->out, "0", 1);
        deferred = reply_defer(&c->out);
        sv_iter it;
        mem m;
        sv_iter_init(&it, s);
        while (sv_iter_next(&it, &m)) {
            if (scan_keep(&m, &opts)) {
                reply_mem(c, &m);
                kept++;
            }
        }
        sv_iter_done(&it);
        reply_defer_set(&c->out, deferred, REPLY_ARRAY, kept);
        return;
    }

    /* COUNT bounds the work of one call: stop once COUNT members are gathered or after
     * COUNT * 10 buckets, as Redis does. Entries stay valid until the reply is built. */
    ht *h = sv_tab(s)->h;
    long long max_buckets = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    scan_acc acc = {0};
    do {
        cursor = ht_scan(h, cursor, scan_collect, &acc);
    } while (cursor && max_buckets-- > 0 && acc.n < (unsigned long long)count);

    char buf[24];
    size_t blen = ull_to_str(buf, cursor);
    reply_array(&c->out, 2);
    reply_bulk(&c->out, buf, blen);
    void *deferred = reply_defer(&c->out);
    size_t kept = 0;
    for (size_t i = 0; i < acc.n; i++) {
        mem m;
        mem_of_entry(&m, acc.ents[i]);
        if (scan_keep(&m, &opts)) {
            reply_mem(c, &m);
            kept++;
        }
    }
    reply_defer_set(&c->out, deferred, REPLY_ARRAY, kept);
    kv_free(acc.ents);
}

/* ---- the command table ------------------------------------------------------------------- */

#define SET "set"
#define W_DENY (CMD_WRITE | CMD_DENYOOM)
#define RO_FAST (CMD_READONLY | CMD_FAST)

command set_commands[] = {
    {"sadd", cmd_sadd, -3, W_DENY | CMD_FAST, 1, 1, 1, KS_RW | KS_INSERT, SET,
     "Add one or more members to a set", "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called "
     "with multiple arguments.",
     NULL, NULL},
    {"srem", cmd_srem, -3, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_DELETE, SET,
     "Remove one or more members from a set", "1.0.0",
     "O(N) where N is the number of members to be removed.", NULL, NULL},
    {"smembers", cmd_smembers, 2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, SET,
     "Get all the members in a set", "1.0.0", "O(N) where N is the set cardinality.", NULL,
     NULL},
    {"sismember", cmd_sismember, 3, RO_FAST, 1, 1, 1, KS_RO, SET,
     "Determine if a given value is a member of a set", "1.0.0", "O(1)", NULL, NULL},
    {"smismember", cmd_smismember, -3, RO_FAST, 1, 1, 1, KS_RO | KS_ACCESS, SET,
     "Returns the membership associated with the given elements for a set", "6.2.0",
     "O(N) where N is the number of elements being checked for membership", NULL, NULL},
    {"scard", cmd_scard, 2, RO_FAST, 1, 1, 1, KS_RO, SET, "Get the number of members in a set",
     "1.0.0", "O(1)", NULL, NULL},
    {"spop", cmd_spop, -2, CMD_WRITE | CMD_FAST, 1, 1, 1, KS_RW | KS_ACCESS | KS_DELETE, SET,
     "Remove and return one or multiple random members from a set", "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
     "count.",
     NULL, NULL},
    {"srandmember", cmd_srandmember, -2, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, SET,
     "Get one or multiple random members from a set", "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the absolute value of the "
     "passed count.",
     NULL, NULL},
    {"smove", cmd_smove, 4, CMD_WRITE | CMD_FAST, 1, 2, 1, KS_RW | KS_ACCESS | KS_DELETE, SET,
     "Move a member from one set to another", "1.0.0", "O(1)", NULL, NULL},
    {"sinter", cmd_sinter, -2, CMD_READONLY, 1, -1, 1, KS_RO | KS_ACCESS, SET,
     "Intersect multiple sets", "1.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     NULL, NULL},
    {"sintercard", cmd_sintercard, -3, CMD_READONLY, 0, 0, 0, KS_RO | KS_ACCESS, SET,
     "Intersect multiple sets and return the cardinality of the result", "7.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     NULL, NULL},
    {"sinterstore", cmd_sinterstore, -3, W_DENY, 1, -1, 1, KS_RW | KS_UPDATE, SET,
     "Intersect multiple sets and store the resulting set in a key", "1.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
     "of sets.",
     NULL, NULL},
    {"sunion", cmd_sunion, -2, CMD_READONLY, 1, -1, 1, KS_RO | KS_ACCESS, SET,
     "Add multiple sets", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", NULL, NULL},
    {"sunionstore", cmd_sunionstore, -3, W_DENY, 1, -1, 1, KS_OW | KS_UPDATE, SET,
     "Add multiple sets and store the resulting set in a key", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", NULL, NULL},
    {"sdiff", cmd_sdiff, -2, CMD_READONLY, 1, -1, 1, KS_RO | KS_ACCESS, SET,
     "Subtract multiple sets", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", NULL, NULL},
    {"sdiffstore", cmd_sdiffstore, -3, W_DENY, 1, -1, 1, KS_OW | KS_UPDATE, SET,
     "Subtract multiple sets and store the resulting set in a key", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", NULL, NULL},
    {"sscan", cmd_sscan, -3, CMD_READONLY, 1, 1, 1, KS_RO | KS_ACCESS, SET,
     "Incrementally iterate Set elements", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls "
     "for the cursor to return back to 0. N is the number of elements inside the "
     "collection..",
     NULL, NULL},
    {0},
};

/* ---- persistence (types/value_io.h) ---------------------------------------------------- */

struct set_builder {
    setv s;
};

size_t set_value_len(const kobj *o)
{
    return sv_size(sv_of(o));
}

const intset *set_value_intset(const kobj *o)
{
    setv s = sv_of(o);
    return sv_kind(s) == K_INTSET ? sv_is(s) : NULL;
}

/* A large set starts as a table, as Redis's loader creates a hashtable for more members
 * than set-max-intset-entries; small ones start as an intset and convert on the way. */
set_builder *set_build_start(size_t hint)
{
    set_builder *b = kv_malloc(sizeof(*b));
    bool big = hint > (unsigned long long)type_limits.set_max_intset_entries &&
               hint > (unsigned long long)type_limits.set_max_listpack_entries;
    b->s = big ? sv_make(K_TABLE, table_new()) : sv_new();
    return b;
}

bool set_build_add(set_builder *b, kstr member)
{
    mem m;
    mem_of_str(&m, member.p, member.len);
    return sv_add(&b->s, &m);
}

kobj *set_build_finish(set_builder *b, kstr key, int64_t expire_ms)
{
    setv s = b->s;
    kv_free(b);
    if (sv_size(s) == 0) {
        sv_free(s);
        return NULL;
    }
    return kobj_new_ptr(key, OBJ_SET, sv_enc(s), (void *)s, expire_ms);
}

void set_build_abort(set_builder *b)
{
    if (b) {
        sv_free(b->s);
        kv_free(b);
    }
}

kobj *set_from_intset(kstr key, intset *is, int64_t expire_ms)
{
    uint32_t n = intset_len(is);
    if (n == 0) {
        intset_free(is);
        return NULL;
    }
    setv s = sv_make(K_INTSET, is);
    if (n > (unsigned long long)type_limits.set_max_intset_entries) {
        s = packed_fits(n, intset_max_text(is)) ? intset_to_packed(s) : to_table(s);
    }
    return kobj_new_ptr(key, OBJ_SET, sv_enc(s), (void *)s, expire_ms);
}
