/* aof_manifest.c - reading and writing the AOF manifest (see aof_manifest.h).
 *
 * The parser accepts what Redis 7.0 writes and reads: '#' comment lines, key/value pairs
 * in any order, quoted names (split_args), lines of at most 1024 bytes. Anything else is
 * an error that stops start-up, with Redis's wording.
 */
#include "persist/aof_manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/splitargs.h"
#include "base/util.h"

#define MAX_LINE 1024

static void push(aof_file **arr, size_t *n, const char *name, long long seq, int type)
{
    *arr = kv_realloc(*arr, sizeof(aof_file) * (*n + 1));
    (*arr)[*n] = (aof_file){kv_strdup(name), seq, type};
    (*n)++;
}

void aof_manifest_clear(aof_manifest *m)
{
    if (m->base) {
        kv_free(m->base->name);
        kv_free(m->base);
    }
    for (size_t i = 0; i < m->nincr; i++) {
        kv_free(m->incr[i].name);
    }
    for (size_t i = 0; i < m->nhist; i++) {
        kv_free(m->hist[i].name);
    }
    kv_free(m->incr);
    kv_free(m->hist);
    memset(m, 0, sizeof(*m));
}

bool aof_file_is_rdb(const char *name)
{
    size_t n = strlen(name);
    return n >= 4 && !strcmp(name + n - 4, ".rdb");
}

/* One line: 0, or -1 with the reason. */
static int parse_line(aof_manifest *m, char *line, size_t len, char *err, size_t errcap)
{
    split_arg args[16];
    long argc = split_args(line, len, args, 16);
    if (argc < 0 || argc % 2 != 0 || argc == 0) {
        snprintf(err, errcap, "Invalid AOF manifest file format");
        return -1;
    }
    char name[MAX_LINE + 1] = "";
    long long seq = -1;
    int type = 0;
    for (long i = 0; i < argc; i += 2) {
        const char *k = line + args[i].off, *v = line + args[i + 1].off;
        size_t kl = args[i].len, vl = args[i + 1].len;
        if (kl == 4 && !memcmp(k, "file", 4)) {
            snprintf(name, sizeof(name), "%.*s", (int)vl, v);
        } else if (kl == 3 && !memcmp(k, "seq", 3)) {
            if (!str_to_ll(v, vl, &seq)) {
                seq = -1;
            }
        } else if (kl == 4 && !memcmp(k, "type", 4)) {
            type = vl == 1 ? v[0] : '?';
        }
        /* Unknown keys are ignored, as Redis does (forward compatibility). */
    }
    if (!name[0] || seq < 0 || !type) {
        snprintf(err, errcap, "Invalid AOF manifest file format");
        return -1;
    }
    if (strchr(name, '/')) {
        snprintf(err, errcap, "File can't be a path, just a filename");
        return -1;
    }
    switch (type) {
    case AOF_FILE_BASE:
        if (m->base) {
            snprintf(err, errcap, "Found duplicate base file information");
            return -1;
        }
        m->base = kv_malloc(sizeof(aof_file));
        *m->base = (aof_file){kv_strdup(name), seq, type};
        m->base_seq = seq;
        break;
    case AOF_FILE_HIST:
        push(&m->hist, &m->nhist, name, seq, type);
        break;
    case AOF_FILE_INCR:
        if (seq <= m->incr_seq) {
            snprintf(err, errcap, "Found a non-monotonic sequence number");
            return -1;
        }
        push(&m->incr, &m->nincr, name, seq, type);
        m->incr_seq = seq;
        break;
    default:
        snprintf(err, errcap, "Unknown AOF file type");
        return -1;
    }
    return 0;
}

int aof_manifest_load(aof_manifest *m, const char *path, char *err, size_t errcap)
{
    memset(m, 0, sizeof(*m));
    FILE *fp = fopen(path, "r");
    if (!fp) {
        if (errno == ENOENT) {
            return 1;
        }
        snprintf(err, errcap, "Fail to open AOF manifest %s: %s", path, strerror(errno));
        return -1;
    }
    char line[MAX_LINE + 2];
    int rc = 0;
    bool any = false;
    while (fgets(line, sizeof(line), fp)) {
        size_t len = strlen(line);
        if (len && line[len - 1] != '\n' && !feof(fp)) {
            snprintf(err, errcap, "The AOF manifest file contains too long line");
            rc = -1;
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
                       line[len - 1] == ' ' || line[len - 1] == '\t')) {
            line[--len] = '\0';
        }
        if (len == 0 || line[0] == '#') {
            continue;
        }
        any = true;
        if (parse_line(m, line, len, err, errcap) < 0) {
            rc = -1;
            break;
        }
    }
    if (ferror(fp) && rc == 0) {
        snprintf(err, errcap, "Read AOF manifest failed");
        rc = -1;
    }
    fclose(fp);
    if (rc == 0 && !any) {
        snprintf(err, errcap, "Found an empty AOF manifest");
        rc = -1;
    }
    if (rc < 0) {
        aof_manifest_clear(m);
    }
    return rc;
}

static void append_line(char **buf, size_t *len, const aof_file *f)
{
    char line[MAX_LINE + 64];
    int n = snprintf(line, sizeof(line), "file %s seq %lld type %c\n", f->name, f->seq,
                     f->type);
    *buf = kv_realloc(*buf, *len + (size_t)n + 1);
    memcpy(*buf + *len, line, (size_t)n + 1);
    *len += (size_t)n;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd < 0) {
        return -1;
    }
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int aof_manifest_save(const aof_manifest *m, const char *dir, const char *filename)
{
    char *buf = kv_calloc(1);
    size_t len = 0;
    if (m->base) {
        append_line(&buf, &len, m->base);
    }
    for (size_t i = 0; i < m->nhist; i++) {
        append_line(&buf, &len, &m->hist[i]);
    }
    for (size_t i = 0; i < m->nincr; i++) {
        append_line(&buf, &len, &m->incr[i]);
    }
    char tmp[4096], final[4096];
    snprintf(tmp, sizeof(tmp), "%s/temp-%s.manifest", dir, filename);
    snprintf(final, sizeof(final), "%s/%s.manifest", dir, filename);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t off = 0;
        while (off < len) {
            ssize_t w = write(fd, buf + off, len - off);
            if (w < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            off += (size_t)w;
        }
        if (off == len && fsync(fd) == 0 && close(fd) == 0) {
            fd = -1;
            if (rename(tmp, final) == 0) {
                fsync_dir(dir);
                rc = 0;
            }
        }
        if (fd >= 0) {
            close(fd);
        }
        if (rc < 0) {
            int e = errno;
            unlink(tmp);
            errno = e;
        }
    }
    kv_free(buf);
    return rc;
}

const char *aof_manifest_new_incr(aof_manifest *m, const char *filename)
{
    char name[MAX_LINE];
    long long seq = ++m->incr_seq;
    snprintf(name, sizeof(name), "%s.%lld.incr.aof", filename, seq);
    push(&m->incr, &m->nincr, name, seq, AOF_FILE_INCR);
    return m->incr[m->nincr - 1].name;
}

void aof_manifest_base_name(const aof_manifest *m, const char *filename, bool rdb, char *out,
                            size_t cap)
{
    snprintf(out, cap, "%s.%lld.base.%s", filename, m->base_seq + 1, rdb ? "rdb" : "aof");
}

const char *aof_manifest_new_base(aof_manifest *m, const char *filename, bool rdb,
                                  long long keep_incr_from)
{
    char name[MAX_LINE];
    aof_manifest_base_name(m, filename, rdb, name, sizeof(name));
    if (m->base) {
        push(&m->hist, &m->nhist, m->base->name, m->base->seq, AOF_FILE_HIST);
        kv_free(m->base->name);
    } else {
        m->base = kv_malloc(sizeof(aof_file));
    }
    m->base_seq++;
    *m->base = (aof_file){kv_strdup(name), m->base_seq, AOF_FILE_BASE};
    size_t keep = 0;
    for (size_t i = 0; i < m->nincr; i++) {
        if (m->incr[i].seq < keep_incr_from) {
            push(&m->hist, &m->nhist, m->incr[i].name, m->incr[i].seq, AOF_FILE_HIST);
            kv_free(m->incr[i].name);
        } else {
            m->incr[keep++] = m->incr[i];
        }
    }
    m->nincr = keep;
    return m->base->name;
}

void aof_manifest_drop_history(aof_manifest *m)
{
    for (size_t i = 0; i < m->nhist; i++) {
        kv_free(m->hist[i].name);
    }
    kv_free(m->hist);
    m->hist = NULL;
    m->nhist = 0;
}
