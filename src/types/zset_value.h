/* zset_value.h - what the pieces of the sorted-set family share (not for other modules:
 * they read sorted sets through types/value_io.h).
 *
 * types/zset_value.c owns the value: its two encodings, the operations on either (zv_*),
 * a cursor that walks either (zc_*), and the encodings' own helpers (zl_* listpack
 * pairs, zs_* skiplist + map). Values travel as a `zval` (encoding + untagged pointer),
 * loaded from and stored back to the entry with zv_load/zv_store. The commands are split
 * by concern: types/zset_range.c (range specs, the ZRANGE family, ZCOUNT, ZLEXCOUNT,
 * ZREMRANGEBY*), types/zset_setop.c (ZUNION ZINTER ZDIFF, their STORE forms, ZINTERCARD),
 * types/zset_pop.c (ZPOPMIN ZPOPMAX ZMPOP and their blocking forms) and types/zset.c (the
 * rest, the helpers they share and the family's command table).
 */
#ifndef KV_ZSET_VALUE_H
#define KV_ZSET_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/kstr.h"
#include "core/client.h"
#include "db/object.h"
#include "ds/ht.h"
#include "ds/listpack.h"
#include "ds/skiplist.h"

#define ZSET_SKIPLIST_TAG ((uintptr_t)1)
#define ZSET_SCORE_BUF 128                    /* d_to_str output, always enough */

typedef struct zset {
    ht *map;         /* member -> node (the nodes of zsl) */
    zskiplist zsl;
} zset;

typedef struct zval {
    int enc; /* ENC_LISTPACK or ENC_SKIPLIST */
    union {
        uint8_t *lp;
        zset *zs;
    };
} zval;

static inline zval zv_load(const kobj *o)
{
    zval v;
    uintptr_t p = (uintptr_t)kobj_ptr(o);
    v.enc = kobj_enc(o);
    if (v.enc == ENC_LISTPACK) {
        v.lp = (uint8_t *)p;
    } else {
        v.zs = (zset *)(p & ~ZSET_SKIPLIST_TAG);
    }
    return v;
}

static inline void *zv_tagged(const zval *v)
{
    return v->enc == ENC_LISTPACK ? (void *)v->lp : (void *)((uintptr_t)v->zs | ZSET_SKIPLIST_TAG);
}

static inline void zv_store(kobj *o, const zval *v)
{
    kobj_set_ptr(o, zv_tagged(v));
    kobj_set_enc(o, v->enc);
}

/* A position in either encoding, walked in both directions; the member bytes it hands
 * out are valid until it moves (listpack integers are decoded into buf). Nothing may
 * change the set while a cursor lives. */
typedef struct zcur {
    const zval *v;
    uint8_t *p;   /* listpack: member entry of the current pair, NULL past either end */
    zsl_node *n;  /* skiplist: current node, NULL past either end */
    uint8_t buf[LP_INTBUF_SIZE];
} zcur;

/* zv_add's flags (ZADD's options) and what it reports in *out. */
enum { ZA_INCR = 1 << 0, ZA_NX = 1 << 1, ZA_XX = 1 << 2, ZA_GT = 1 << 3, ZA_LT = 1 << 4 };
enum { ZA_OUT_NOP = 1 << 0, ZA_OUT_NAN = 1 << 1, ZA_OUT_ADDED = 1 << 2, ZA_OUT_UPDATED = 1 << 3 };

/* ---- the value (types/zset_value.c) ---- */

uint64_t zs_node_hash(const void *e);
extern const ht_type zs_node_map_type; /* member -> node map of a skiplist set */
/* Removes node n from the member map and the skiplist (zsl_delete). */
void zs_remove(zset *zs, zsl_node *n);
/* A score as Redis prints it (d2string); zl_score_text as the listpack stores it. */
size_t zset_score_text(char *buf, double score);
size_t zl_score_text(char *buf, double score);
double zl_score(const uint8_t *sp);
kstr zl_member(const uint8_t *p, uint8_t *buf);
size_t zl_len(const uint8_t *lp);
size_t zv_len(const zval *v);
void zv_free(zval *v);
zval zv_new_listpack(void);
zval zv_new_skiplist(void);
/* Whether count members, the longest maxlen bytes, totlen in all, fit a listpack. */
bool zset_fits_listpack(size_t count, size_t maxlen, size_t totlen);
bool zv_score(const zval *v, kstr m, double *score);
void zv_insert_new(zval *v, double score, kstr m);
/* Redis's zsetAdd; see zset_value.c. */
bool zv_add(zval *v, double score, kstr m, int flags, int *out, double *newscore);
bool zv_delete(zval *v, kstr m);
long long zv_rank(const zval *v, kstr m, bool rev, double *score);
bool zc_ok(const zcur *z);
kstr zc_member(zcur *z);
double zc_score(const zcur *z);
void zc_next(zcur *z);
void zc_prev(zcur *z);
void zc_move(zcur *z, bool rev);
void zc_seek(zcur *z, const zval *v, size_t idx);
void zc_first(zcur *z, const zval *v, bool rev);
void zc_skip(zcur *z, unsigned long long k, bool rev);
void zc_score_range(zcur *z, const zval *v, const zrange_score *r, bool rev);
void zc_lex_range(zcur *z, const zval *v, const zrange_lex *r, bool rev);
/* range: a zrange_score (lex false) or a zrange_lex (lex true). */
size_t zv_count(const zval *v, bool lex, const void *range);
size_t zv_delete_range(zval *v, bool lex, const void *range);
size_t zv_delete_ranks(zval *v, size_t start, size_t end);

/* ---- command handlers and helpers (types/zset_range.c, zset_pop.c, zset_setop.c,
 * zset.c), for the table in types/zset.c ---- */

/* Makes dst hold v (ownership passes) and raises event, or deletes dst when v is empty;
 * replies the size. */
void zset_store_result(client *c, kstr dst, zval *v, const char *event);
void cmd_zcount(client *c);
void cmd_zlexcount(client *c);
void cmd_zrange(client *c);
void cmd_zrangestore(client *c);
void cmd_zrevrange(client *c);
void cmd_zrangebyscore(client *c);
void cmd_zrevrangebyscore(client *c);
void cmd_zrangebylex(client *c);
void cmd_zrevrangebylex(client *c);
void cmd_zremrangebyrank(client *c);
void cmd_zremrangebyscore(client *c);
void cmd_zremrangebylex(client *c);

void cmd_zpopmin(client *c);
void cmd_zpopmax(client *c);
void cmd_zmpop(client *c);
void cmd_bzmpop(client *c);
void cmd_bzpopmin(client *c);
void cmd_bzpopmax(client *c);

void cmd_zunion(client *c);
void cmd_zinter(client *c);
void cmd_zdiff(client *c);
void cmd_zunionstore(client *c);
void cmd_zinterstore(client *c);
void cmd_zdiffstore(client *c);
void cmd_zintercard(client *c);

/* types/zset.c: lookups (false after a WRONGTYPE reply; *out NULL when absent), the end
 * of a write (stores v back, raises event, deletes an emptied key), reply helpers. */
bool zset_read_or_reply(client *c, kstr key, kobj **out);
bool zset_write_or_reply(client *c, kstr key, kobj **out);
void zset_finish_write(client *c, kobj *o, zval *v, kstr key, const char *event);
bool zset_pairs_nested(const client *c);
void zset_reply_member(client *c, kstr m);
bool zset_range_ll_or_reply(client *c, kstr a, long long min, long long max, long long *out,
                              const char *msg);

#endif
