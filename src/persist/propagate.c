/* propagate.c - execution units of propagated operations (see propagate.h).
 *
 *   enter(db0) ............................................. leave(argv)   depth 1 (EXEC)
 *        enter(db0) .. also(DEL k) .. rewrite(SET..PXAT) .. leave       depth 2 (queued)
 *   unit: [DEL k][SET k v PXAT t] ... ; outermost leave: MULTI, ops, EXEC -> sink
 *
 * Each open call has a frame: the change counter at entry, its database, and its rewrite
 * (kept aside until leave, because operations added during the call come first, as in
 * Redis). A frame that saw nested calls (EXEC) never adds itself: its queue did.
 *
 * Change detection: the keyspace hooks bump `changes`. An expiry also passes through
 * key_changed but is not the command's doing: the expired hook takes that bump back and
 * adds the DEL instead.
 */
#include "persist/propagate.h"

#include "base/alloc.h"
#include "db/db.h"
#include "persist/respbuf.h"

#define MAX_DEPTH 8

bool propagate_on;

static propagate_sink_fn *sink;
static bool hooked;
static uint64_t changes;

typedef struct frame {
    uint64_t changes;
    int dbid;
    bool inner;        /* nested calls ran inside this one */
    bool rewritten;
    respbuf rewrite;
} frame;

static frame frames[MAX_DEPTH];
static int depth;

typedef struct op {
    int dbid;
    size_t off, len;
} op;

static respbuf unit;
static op *ops;
static size_t nops, capops;

static void on_changed(db *d, kstr key)
{
    changes++;
}

static void on_flushed(db *d)
{
    changes++;
}

static void on_swapped(db *a, db *b)
{
    changes++;
}

static void on_expired(db *d, kstr key)
{
    changes--; /* the key_changed that preceded was the expiry, not the command */
    if (propagate_on) {
        propagate_expired(d->id, key);
    }
}

static const db_hooks hooks = {on_changed, on_flushed, on_swapped, on_expired};

void propagate_set_sink(propagate_sink_fn *fn)
{
    sink = fn;
    propagate_on = fn != NULL;
    if (fn && !hooked) {
        db_add_hooks(&hooks);
        hooked = true;
    }
}

static void add_op(int dbid, const respbuf *src, const kstr *argv, int argc)
{
    if (nops == capops) {
        capops = capops ? capops * 2 : 8;
        ops = kv_realloc(ops, sizeof(op) * capops);
    }
    size_t off = unit.len;
    if (src) {
        rb_add(&unit, src->p, src->len);
    } else {
        rb_command(&unit, argv, argc);
    }
    ops[nops++] = (op){dbid, off, unit.len - off};
}

static void emit_now(int dbid, const kstr *argv, int argc)
{
    respbuf b = {0};
    rb_command(&b, argv, argc);
    if (sink) {
        sink(dbid, b.p, b.len);
    }
    rb_free(&b);
}

static void end_unit(void)
{
    if (!nops) {
        return;
    }
    if (sink) {
        static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
        static const char exec[] = "*1\r\n$4\r\nEXEC\r\n";
        bool wrap = nops > 1;
        if (wrap) {
            sink(ops[0].dbid, multi, sizeof(multi) - 1);
        }
        for (size_t i = 0; i < nops; i++) {
            sink(ops[i].dbid, unit.p + ops[i].off, ops[i].len);
        }
        if (wrap) {
            sink(ops[nops - 1].dbid, exec, sizeof(exec) - 1);
        }
    }
    nops = 0;
    unit.len = 0;
    if (unit.cap > 1024 * 1024) {
        rb_free(&unit); /* one huge unit must not pin its buffer forever */
    }
}

void propagate_enter(int dbid)
{
    if (depth > 0) {
        frames[depth - 1].inner = true;
    }
    if (depth == MAX_DEPTH) {
        depth++; /* deeper than any real nesting: counted, never recorded */
        return;
    }
    frame *f = &frames[depth++];
    f->changes = changes;
    f->dbid = dbid;
    f->inner = false;
    f->rewritten = false;
    f->rewrite.len = 0;
}

void propagate_leave(const kstr *argv, int argc)
{
    if (depth > MAX_DEPTH) {
        depth--;
        return;
    }
    frame *f = &frames[--depth];
    if (!f->inner && f->changes != changes) {
        if (f->rewritten) {
            add_op(f->dbid, &f->rewrite, NULL, 0);
        } else if (argv) {
            add_op(f->dbid, NULL, argv, argc);
        }
    }
    if (depth == 0) {
        end_unit();
    }
}

void propagate_rewrite(const kstr *argv, int argc)
{
    if (depth == 0 || depth > MAX_DEPTH) {
        return;
    }
    frame *f = &frames[depth - 1];
    f->rewrite.len = 0;
    rb_command(&f->rewrite, argv, argc);
    f->rewritten = true;
}

void propagate_rewrite_resp(const char *resp, size_t len)
{
    if (depth == 0 || depth > MAX_DEPTH) {
        return;
    }
    frame *f = &frames[depth - 1];
    f->rewrite.len = 0;
    rb_add(&f->rewrite, resp, len);
    f->rewritten = true;
}

void propagate_also(int dbid, const kstr *argv, int argc)
{
    if (!propagate_on) {
        return;
    }
    if (depth == 0) {
        emit_now(dbid, argv, argc);
        return;
    }
    add_op(dbid, NULL, argv, argc);
}

void propagate_forget_change(void)
{
    changes--;
}

void propagate_also_resp(int dbid, const char *resp, size_t len)
{
    if (!propagate_on) {
        return;
    }
    if (depth == 0) {
        if (sink) {
            sink(dbid, resp, len);
        }
        return;
    }
    respbuf b = {resp ? (char *)resp : NULL, len, len};
    add_op(dbid, &b, NULL, 0);
}

void propagate_expired(int dbid, kstr key)
{
    kstr argv[2] = {KSTR_LIT("DEL"), key};
    propagate_also(dbid, argv, 2);
}
