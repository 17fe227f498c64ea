/* aof_check.c - `kvik-server --check-aof [--fix] <file.manifest|file.aof>`, reporting
 * as redis-check-aof 7.0 does: a manifest checks its base and incremental files, a single
 * file is checked as an old-style AOF. A file that starts with an RDB preamble (a
 * .base.rdb) gets --check-rdb's report first, then its AOF tail is checked. Exit status 0
 * when valid (or fixed), 1 otherwise.
 *
 * --fix truncates a damaged file to its last complete command after asking, which only
 * makes sense for the last file of the log (a truncated middle file loses what follows).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "core/persistence.h"
#include "persist/aof.h"
#include "persist/aof_manifest.h"
#include "persist/aof_reader.h"

enum { CHECK_OK = 0, CHECK_TRUNCATED = 1, CHECK_BAD = 2 };

/* Scans one file; prints the analysis line. Returns CHECK_*; *valid gets the offset of
 * the last complete command (transactions whole). */
/* Lines are counted across the files of one check, as redis-check-aof does. */
static long long line_base = 1;

static int scan(const char *path, const char *shown, long long *valid, long long *size)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    *size = (long long)st.st_size;
    aof_reader *r = aof_reader_open(path);
    if (!r) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        exit(1);
    }
    if (aof_file_starts_with_rdb(path) == 1) {
        long long end = 0;
        if (persist_check_rdb(path, shown, &end) != 0) {
            printf("RDB preamble of AOF file is not sane, aborting.\n");
            exit(1);
        }
        printf("RDB preamble is OK, proceeding with AOF tail...\n");
        aof_reader_seek(r, end);
    }
    long long before_multi = -1, last_payload = 0;
    int rc = CHECK_OK;
    const char *why = NULL;
    char why_buf[4200];
    long long err_pos = 0, bad_cmd = -1;
    for (;;) {
        long long before = r->valid_up_to;
        int s = aof_reader_next(r);
        if (s == AOF_READ_EOF) {
            if (before_multi >= 0) {
                why = "Reached EOF before reading EXEC for MULTI";
                err_pos = last_payload;
                rc = CHECK_TRUNCATED;
            }
            break;
        }
        if (s != AOF_READ_OK) {
            why = r->why;
            err_pos = r->err_pos;
            rc = s == AOF_READ_TRUNC ? CHECK_TRUNCATED : CHECK_BAD;
            break;
        }
        /* Positions are reported where the last argument read starts, as redis-check-aof
         * does. */
        last_payload = r->err_pos;
        bool multi = kstr_is(r->argv[0], "multi"), exec = kstr_is(r->argv[0], "exec");
        if ((multi && before_multi >= 0) || (exec && before_multi < 0)) {
            snprintf(why_buf, sizeof(why_buf), "Unexpected %s in AOF %s", multi ? "MULTI" : "EXEC",
                     shown);
            why = why_buf;
            err_pos = last_payload;
            bad_cmd = multi ? before_multi : before; /* a transaction is kept whole */
            rc = CHECK_BAD;
            break;
        }
        if (multi) {
            before_multi = before;
        } else if (exec) {
            before_multi = -1;
        }
    }
    *valid = bad_cmd >= 0 ? bad_cmd : before_multi >= 0 ? before_multi : r->valid_up_to;
    long long lines = line_base + r->lines;
    line_base = lines;
    if (why) {
        printf("0x%16llx: %s\n", (unsigned long long)err_pos, why);
    }
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, "
           "diff=%lld\n", shown, *size, *valid, lines, *size - *valid);
    aof_reader_close(r);
    return rc;
}

static int fix(const char *path, const char *shown, long long size, long long valid)
{
    printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n",
           shown, size, size - valid, valid);
    printf("Continue? [y/N]: ");
    fflush(stdout);
    char answer[16];
    if (!fgets(answer, sizeof(answer), stdin) || strncasecmp(answer, "y", 1) != 0) {
        printf("Aborting...\n");
        return 1;
    }
    if (truncate(path, valid) < 0) {
        printf("Failed to truncate AOF %s\n", shown);
        return 1;
    }
    printf("Successfully truncated AOF %s\n", shown);
    return 0;
}

/* Checks one file of a multi-part log (or an old-style one); returns the exit status. */
static int check_file(const char *path, const char *shown, const char *label, bool last,
                      bool do_fix)
{
    long long valid, size;
    int rc = scan(path, shown, &valid, &size);
    if (rc == CHECK_OK) {
        printf("%s%s%s is valid\n", label, label[0] ? " " : "", shown);
        return 0;
    }
    if (!do_fix) {
        printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", shown);
        return 1;
    }
    if (rc == CHECK_TRUNCATED && !last) {
        printf("Failed to truncate AOF %s because it is not the last file\n", shown);
        return 1;
    }
    if (rc == CHECK_BAD) {
        printf("AOF %s is not valid: the damage is not at the end, so --fix cannot repair "
               "it by truncating without losing later data.\n", shown);
        return 1;
    }
    return fix(path, shown, size, valid);
}

static int check_manifest(const char *path, bool do_fix)
{
    printf("Start checking Multi Part AOF\n");
    char *copy = kv_strdup(path);
    char *dir = dirname(copy);
    aof_manifest m;
    char err[256];
    int rc = aof_manifest_load(&m, path, err, sizeof(err));
    if (rc != 0) {
        printf("%s\n", rc == 1 ? "The AOF manifest file doesn't exist" : err);
        kv_free(copy);
        return 1;
    }
    size_t total = (m.base ? 1 : 0) + m.nincr, seen = 0;
    int status = 0;
    char fpath[4096];
    if (m.base) {
        snprintf(fpath, sizeof(fpath), "%s/%s", dir, m.base->name);
        if (aof_file_is_rdb(m.base->name) || aof_file_starts_with_rdb(fpath) == 1) {
            printf("Start to check BASE AOF (RDB format).\n");
        } else {
            printf("Start to check BASE AOF (RESP format).\n");
        }
        status = check_file(fpath, m.base->name, "BASE AOF", ++seen == total, do_fix);
    }
    if (status == 0 && m.nincr) {
        printf("Start to check INCR files.\n");
        for (size_t i = 0; i < m.nincr && status == 0; i++) {
            snprintf(fpath, sizeof(fpath), "%s/%s", dir, m.incr[i].name);
            status = check_file(fpath, m.incr[i].name, "INCR AOF", ++seen == total, do_fix);
        }
    }
    if (status == 0) {
        printf("All AOF files and manifest are valid\n");
    }
    aof_manifest_clear(&m);
    kv_free(copy);
    return status;
}

int aof_check_main(int argc, char **argv)
{
    bool do_fix = false;
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--fix")) {
            do_fix = true;
        } else if (!file) {
            file = argv[i];
        } else {
            file = NULL;
            break;
        }
    }
    if (!file) {
        printf("Usage: kvik-server --check-aof [--fix] <file.manifest|file.aof>\n");
        return 1;
    }
    size_t n = strlen(file);
    if (n > 9 && !strcmp(file + n - 9, ".manifest")) {
        return check_manifest(file, do_fix);
    }
    struct stat st;
    if (stat(file, &st) < 0) {
        printf("Cannot open file %s: %s\n", file, strerror(errno));
        return 1;
    }
    printf("Start checking Old-Style AOF\n");
    return check_file(file, file, "AOF", true, do_fix);
}
