/* aof_reader.h - reading commands back from an AOF file, for replay and for --check-aof.
 *
 * The format is what Redis writes: RESP arrays of bulk strings ("*<n>\r\n" then n times
 * "$<len>\r\n<bytes>\r\n"), plus annotation lines starting with '#' (timestamps) which
 * are skipped. Parsing follows Redis's loader: header lines are read up to their newline,
 * so a header needs its "\r\n"; a bulk's payload must be followed by two bytes.
 *
 * Ownership: argv points into the reader's own buffer, valid until the next read.
 */
#ifndef KV_AOF_READER_H
#define KV_AOF_READER_H

#include <stdio.h>

#include "base/kstr.h"

enum aof_read_status {
    AOF_READ_OK = 0,      /* one command in argv */
    AOF_READ_EOF = 1,     /* clean end of file */
    AOF_READ_TRUNC = -1,  /* the file ends inside a command */
    AOF_READ_BAD = -2,    /* not the AOF format */
    AOF_READ_IOERR = -3,
};

typedef struct aof_reader {
    FILE *fp;
    long long valid_up_to;   /* offset just past the last complete command */
    long long pos;           /* bytes consumed so far */
    long long lines;         /* newline-terminated lines consumed, payloads counted */
    long long err_pos;       /* where the element that failed started */
    char why[128];           /* what was wrong, for the checker */
    kstr *argv;
    int argc, argv_cap;
    char *buf;
    size_t buf_cap;
} aof_reader;

/* Opens path; NULL when it cannot be opened (errno set). */
aof_reader *aof_reader_open(const char *path);
void aof_reader_close(aof_reader *r);
/* Continues reading at byte offset off (after an RDB preamble). */
void aof_reader_seek(aof_reader *r, long long off);
int aof_reader_next(aof_reader *r);
/* Reads the first bytes to tell an RDB file ("REDIS") from the AOF format. */
int aof_file_starts_with_rdb(const char *path);

#endif
