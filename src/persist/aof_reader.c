/* aof_reader.c - the AOF command reader (see aof_reader.h).
 *
 * Arguments are gathered into one growing buffer; argv slices are fixed up once the
 * command is complete, since the buffer may move while it grows.
 */
#include "persist/aof_reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define HEADER_MAX 128
#define MAX_ARGC (1024 * 1024)

aof_reader *aof_reader_open(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return NULL;
    }
    aof_reader *r = kv_calloc(sizeof(*r));
    r->fp = fp;
    return r;
}

void aof_reader_seek(aof_reader *r, long long off)
{
    fseeko(r->fp, (off_t)off, SEEK_SET);
    r->pos = r->valid_up_to = off;
}

void aof_reader_close(aof_reader *r)
{
    if (!r) {
        return;
    }
    fclose(r->fp);
    kv_free(r->argv);
    kv_free(r->buf);
    kv_free(r);
}

/* Reads one header line; returns its length (0 at a clean EOF), -1 when the file ends
 * inside it, -3 on I/O error. */
static long read_line(aof_reader *r, char *line)
{
    r->err_pos = r->pos;
    if (!fgets(line, HEADER_MAX, r->fp)) {
        return ferror(r->fp) ? -3 : 0;
    }
    long n = (long)strlen(line);
    r->pos += n;
    if (line[n - 1] != '\n') {
        if (feof(r->fp)) {
            return -1;
        }
    } else {
        r->lines++;
    }
    return n;
}

static int fail(aof_reader *r, int status, const char *why)
{
    snprintf(r->why, sizeof(r->why), "%s", why);
    return status;
}

static int read_count(aof_reader *r, char *line, char prefix, long long *out)
{
    long n = read_line(r, line);
    if (n == 0 || n == -1) {
        return fail(r, AOF_READ_TRUNC, "Unexpected EOF");
    }
    if (n < 0) {
        return fail(r, AOF_READ_IOERR, "Read error");
    }
    if (line[0] != prefix) {
        r->lines -= line[n - 1] == '\n'; /* a malformed line is not counted as read */
        char got[2] = {line[0], '\0'};
        snprintf(r->why, sizeof(r->why), "Expected prefix '%c', got: '%s'", prefix, got);
        return AOF_READ_BAD;
    }
    size_t len = (size_t)n - 1;
    while (len > 1 && (line[len] == '\n' || line[len] == '\r')) {
        len--;
    }
    if (!str_to_ll(line + 1, len, out)) {
        *out = strtoll(line + 1, NULL, 10); /* Redis reads these with atoi/strtol */
    }
    return AOF_READ_OK;
}

int aof_reader_next(aof_reader *r)
{
    char line[HEADER_MAX];
    long n;
    r->why[0] = '\0';
    for (;;) {
        n = read_line(r, line);
        if (n == 0) {
            return AOF_READ_EOF;
        }
        if (n == -3) {
            return fail(r, AOF_READ_IOERR, "Read error");
        }
        if (line[0] != '#') {
            break;
        }
        if (n == -1) {
            return AOF_READ_TRUNC;
        }
        r->lines--; /* annotations are not counted, as redis-check-aof counts */
        r->valid_up_to = r->pos; /* an annotation is a complete record */
    }
    if (n == -1) {
        return fail(r, AOF_READ_TRUNC, "Unexpected EOF");
    }
    if (line[0] != '*') {
        r->lines -= line[n - 1] == '\n';
        char got[2] = {line[0], '\0'};
        snprintf(r->why, sizeof(r->why), "Expected prefix '*', got: '%s'", got);
        return AOF_READ_BAD;
    }
    if (line[1] == '\0') {
        return fail(r, AOF_READ_TRUNC, "Unexpected EOF");
    }
    long long argc = strtoll(line + 1, NULL, 10);
    if (argc < 1 || argc > MAX_ARGC) {
        snprintf(r->why, sizeof(r->why), "Bad argument count");
        return AOF_READ_BAD;
    }
    if (argc > r->argv_cap) {
        r->argv_cap = (int)argc;
        r->argv = kv_realloc(r->argv, sizeof(kstr) * (size_t)argc);
    }
    size_t used = 0;
    size_t *offs = (size_t *)r->argv; /* offsets first, pointers once the buffer settles */
    for (long long i = 0; i < argc; i++) {
        long long len;
        int st = read_count(r, line, '$', &len);
        if (st != AOF_READ_OK) {
            return st;
        }
        if (len < 0 || len > (1LL << 40)) {
            snprintf(r->why, sizeof(r->why), "Bad bulk length");
            return AOF_READ_BAD;
        }
        if (used + (size_t)len + 2 > r->buf_cap) {
            size_t cap = r->buf_cap ? r->buf_cap : 4096;
            while (cap < used + (size_t)len + 2) {
                cap *= 2;
            }
            r->buf = kv_realloc(r->buf, cap);
            r->buf_cap = cap;
        }
        r->err_pos = r->pos;
        size_t got = fread(r->buf + used, 1, (size_t)len + 2, r->fp);
        r->pos += (long long)got;
        if (got < (size_t)len + 2) {
            if (ferror(r->fp)) {
                return fail(r, AOF_READ_IOERR, "Read error");
            }
            snprintf(r->why, sizeof(r->why), "Expected to read %lld bytes, got %lld bytes",
                     len + 2, (long long)got);
            return AOF_READ_TRUNC;
        }
        if (memchr(r->buf + used, '\n', (size_t)len + 2)) {
            /* The checker counts lines as redis-check-aof does: per newline read. */
            for (size_t k = used; k < used + (size_t)len + 2; k++) {
                r->lines += r->buf[k] == '\n';
            }
        }
        offs[2 * i] = used;
        offs[2 * i + 1] = (size_t)len;
        used += (size_t)len + 2;
    }
    for (long long i = 0; i < argc; i++) {
        size_t off = offs[2 * i], len = offs[2 * i + 1];
        r->argv[i] = kstr_make(r->buf + off, len);
    }
    r->argc = (int)argc;
    r->valid_up_to = r->pos;
    return AOF_READ_OK;
}

int aof_file_starts_with_rdb(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        return -1;
    }
    char sig[5];
    size_t n = fread(sig, 1, 5, fp);
    fclose(fp);
    return n == 5 && !memcmp(sig, "REDIS", 5);
}
