// deps: src/persist/aof_manifest.c src/persist/aof_reader.c src/base/splitargs.c src/base/util.c src/base/alloc.c
/* test_aof_files.c - the AOF manifest (parse, save, rewrite bookkeeping) and the AOF
 * command reader (complete, truncated, malformed and annotated input), on files in a
 * temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"

#include "check.h"

static char dir[256];

static void write_file(const char *name, const char *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    fwrite(data, 1, len, fp);
    fclose(fp);
}

static int load(aof_manifest *m, const char *text, char *err)
{
    write_file("m.manifest", text, strlen(text));
    char path[512];
    snprintf(path, sizeof(path), "%s/m.manifest", dir);
    return aof_manifest_load(m, path, err, 256);
}

static void test_manifest(void)
{
    aof_manifest m;
    char err[256];
    CHECK_MSG(load(&m, "file a.1.base.aof seq 1 type b\nfile a.1.incr.aof seq 1 type i\n"
                   "# comment\nfile a.2.incr.aof seq 2 type i\n", err) == 0, "%s", err);
    CHECK_MSG(m.base && !strcmp(m.base->name, "a.1.base.aof") && m.base_seq == 1, "base");
    CHECK_MSG(m.nincr == 2 && m.incr_seq == 2 && !strcmp(m.incr[1].name, "a.2.incr.aof"), "incr");
    /* a rewrite that started with incr 3: base 2, incr 1 and 2 become history */
    const char *incr = aof_manifest_new_incr(&m, "a");
    CHECK_MSG(!strcmp(incr, "a.3.incr.aof"), "new incr %s", incr);
    aof_manifest_new_base(&m, "a", false, 3);
    CHECK_MSG(!strcmp(m.base->name, "a.2.base.aof") && m.nincr == 1 && m.nhist == 3,
          "after rewrite: %s %zu %zu", m.base->name, m.nincr, m.nhist);
    CHECK_MSG(aof_manifest_save(&m, dir, "a") == 0, "save");
    aof_manifest_clear(&m);
    char path[512];
    snprintf(path, sizeof(path), "%s/a.manifest", dir);
    CHECK_MSG(aof_manifest_load(&m, path, err, sizeof(err)) == 0, "%s", err);
    CHECK_MSG(m.nhist == 3 && m.nincr == 1 && m.incr_seq == 3 && m.base_seq == 2, "reloaded");
    aof_manifest_clear(&m);

    /* key order free, quoted names */
    CHECK_MSG(load(&m, "type b seq 4 file \"x y.base.aof\"\n", err) == 0, "%s", err);
    CHECK_MSG(m.base && !strcmp(m.base->name, "x y.base.aof"), "quoted");
    aof_manifest_clear(&m);

    CHECK_MSG(load(&m, "file a seq 1 type b\nfile b seq 2 type b\n", err) < 0 &&
              strstr(err, "duplicate base"), "dup base: %s", err);
    CHECK_MSG(load(&m, "file a seq 2 type i\nfile b seq 1 type i\n", err) < 0 &&
              strstr(err, "non-monotonic"), "order: %s", err);
    CHECK_MSG(load(&m, "file a seq 1 type x\n", err) < 0, "type");
    CHECK_MSG(load(&m, "file a seq 1\n", err) < 0, "missing type");
    CHECK_MSG(load(&m, "file ../a seq 1 type b\n", err) < 0, "path");
    CHECK_MSG(load(&m, "# only a comment\n", err) < 0 && strstr(err, "empty"), "empty");
    snprintf(path, sizeof(path), "%s/absent.manifest", dir);
    CHECK_MSG(aof_manifest_load(&m, path, err, sizeof(err)) == 1, "absent");
}

static aof_reader *open_text(const char *data, size_t len)
{
    write_file("t.aof", data, len);
    char path[512];
    snprintf(path, sizeof(path), "%s/t.aof", dir);
    return aof_reader_open(path);
}

#define TEXT(s) s, sizeof(s) - 1

static void test_reader(void)
{
    aof_reader *r = open_text(TEXT("#TS:1700000000\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
                                   "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_OK && r->argc == 2 && r->argv[1].len == 1, "select");
    CHECK_MSG(aof_reader_next(r) == AOF_READ_OK && r->argc == 3 && r->argv[2].len == 4 &&
              !memcmp(r->argv[2].p, "a\r\nb", 4), "binary-safe payload");
    CHECK_MSG(aof_reader_next(r) == AOF_READ_EOF && r->valid_up_to == r->pos, "eof");
    aof_reader_close(r);

    r = open_text(TEXT("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$3\r\nab"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_OK, "first");
    CHECK_MSG(aof_reader_next(r) == AOF_READ_TRUNC && r->valid_up_to == 14, "trunc %lld",
          r->valid_up_to);
    aof_reader_close(r);

    r = open_text(TEXT("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\nX3\r\nabc\r\n"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_OK, "first");
    CHECK_MSG(aof_reader_next(r) == AOF_READ_BAD && r->err_pos == 27 &&
              strstr(r->why, "Expected prefix '$'"), "bad %lld %s", r->err_pos, r->why);
    aof_reader_close(r);

    r = open_text(TEXT("*1\r\n$4\r\nPI"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_TRUNC && r->valid_up_to == 0, "trunc in first");
    aof_reader_close(r);

    r = open_text(TEXT("*0\r\n"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_BAD, "zero argc");
    aof_reader_close(r);

    r = open_text(TEXT("*2\r\n$3\r\nGET"));
    CHECK_MSG(aof_reader_next(r) == AOF_READ_TRUNC, "header without newline");
    aof_reader_close(r);

    write_file("r.rdb", TEXT("REDIS0009"));
    char path[512];
    snprintf(path, sizeof(path), "%s/r.rdb", dir);
    CHECK_MSG(aof_file_starts_with_rdb(path) == 1, "rdb signature");
    snprintf(path, sizeof(path), "%s/t.aof", dir);
    CHECK_MSG(aof_file_starts_with_rdb(path) == 0, "not rdb");
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/kvik-aof-unit-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_manifest();
    test_reader();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0) {
        printf("could not remove %s\n", dir);
    }
    return check_summary("aof_files");
}
