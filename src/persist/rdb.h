/* rdb.h - Redis's RDB snapshot format: writing the keyspace as a file and loading one.
 *
 * Format. What Redis 7.0 writes (RDB version 10): "REDIS0010", aux fields (redis-ver,
 * redis-bits, ctime, used-mem, aof-base), then per non-empty database SELECTDB and
 * RESIZEDB, each key with its expire time (ms), type, name and value, then EOF and a
 * CRC-64 (0 when checksums are off). Values use Redis's compact encodings where Kvik
 * holds the same bytes (intset, listpack, quicklist nodes as listpacks, kept LZF-compressed
 * when they are in memory), strings are int-encoded or LZF-compressed as Redis does. A
 * dataset with hash field TTLs is written as Redis 7.4 writes it (version 12, hash types
 * 24 "metadata"), the only way to keep them; otherwise the file is version 10 and Redis 7.0
 * loads it. The loader reads every type and encoding Redis 7.x writes for the data types
 * Kvik has, older ones included (ziplist, zipmap, quicklist of ziplists, zset scores as
 * text), up to version 12; streams and module values are refused with a clear error.
 *
 * API. Writers and loaders work on a file descriptor, so the append-only log can put an
 * RDB base in its own files and a forked child can write to any fd; the *_file forms add
 * the atomic file handling (temp file, fsync, rename). Every failure fills an rdb_error:
 * its code, the byte offset where it happened and a message to log.
 *
 * Threads: main thread, or a forked child (writing only reads the keyspace).
 */
#ifndef KV_RDB_H
#define KV_RDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RDB_VERSION 10      /* what Redis 7.0 writes */
#define RDB_VERSION_HFE 12  /* Redis 7.4: needed for hash field TTLs */
#define RDB_VERSION_MAX 12  /* the newest this loader reads */

typedef enum rdb_err {
    RDB_OK = 0,
    RDB_ERR_IO = -1,          /* a read or write failed (sys_errno says why) */
    RDB_ERR_NOENT = -2,       /* no such file (loading: start empty) */
    RDB_ERR_FORMAT = -3,      /* not an RDB file, or a version this loader does not read */
    RDB_ERR_CORRUPT = -4,     /* damaged content */
    RDB_ERR_TRUNCATED = -5,   /* the file ends early */
    RDB_ERR_CHECKSUM = -6,    /* CRC-64 mismatch */
    RDB_ERR_UNSUPPORTED = -7, /* a type Kvik does not have (stream, module value) */
    RDB_ERR_DBINDEX = -8,     /* a database index >= the databases setting */
    RDB_ERR_ABORTED = -9,     /* the progress callback asked to stop */
} rdb_err;

typedef struct rdb_error {
    rdb_err code;
    int sys_errno;
    long long offset; /* bytes into the stream */
    char msg[256];
} rdb_error;

typedef struct rdb_save_opts {
    bool compress;  /* rdbcompression: LZF for strings over 20 bytes */
    bool checksum;  /* rdbchecksum: CRC-64 trailer (else 0) */
    bool aof_base;  /* the aof-base aux field (an AOF base file) */
    const char *redis_ver; /* the redis-ver aux field (the Redis version Kvik follows) */
    int key_delay_us;      /* rdb-key-save-delay: clock_debug_delay per key (tests) */
    /* Called every 1024 keys with the count written so far (a BGSAVE child reports its
     * progress), NULL for none. */
    void (*progress)(void *priv, long long keys);
    void *priv;
} rdb_save_opts;

typedef struct rdb_save_stats {
    long long keys, bytes;
} rdb_save_stats;

/* Writes the whole keyspace to fd (no fsync, fd left open). 0 or a negative rdb_err. */
int rdb_save_to_fd(int fd, const rdb_save_opts *o, rdb_save_stats *st, rdb_error *err);
/* Writes path atomically: a temp file in the same directory ("temp-<pid>.rdb"), fsync,
 * rename over path, fsync of the directory. 0 or a negative rdb_err. */
int rdb_save_file(const char *path, const rdb_save_opts *o, rdb_save_stats *st,
                  rdb_error *err);

typedef struct rdb_load_opts {
    bool checksum;       /* verify the CRC-64 trailer when the file has one */
    bool skip_expired;   /* drop keys whose expire time has passed (Redis as a master) */
    bool discard;        /* parse and check only; nothing enters the keyspace */
    bool replace;        /* a key already present is replaced (else: an error) */
    /* Called about every `progress_bytes` bytes (serves clients, logs progress); false
     * stops the load with RDB_ERR_ABORTED. */
    bool (*progress)(void *priv, long long bytes);
    void *priv;
    long long progress_bytes;
    /* Called for each aux field and database switch (--check-rdb reports them), with the
     * offset just past it, as redis-check-rdb prints. */
    void (*on_aux)(void *priv, long long offset, const char *key, size_t klen,
                   const char *val, size_t vlen);
    void (*on_selectdb)(void *priv, long long offset, int dbid);
} rdb_load_opts;

typedef struct rdb_load_stats {
    int version;
    long long keys_loaded, keys_expired, keys_with_expire, bytes;
    bool checksum_present;
} rdb_load_stats;

/* Bytes the value of o takes in a snapshot (DEBUG OBJECT serializedlength). */
struct kobj;
size_t rdb_value_size(const struct kobj *o, bool compress);

/* Loads an RDB stream from fd into the keyspace (which the caller has emptied if it
 * wants a replacement), reading from the fd's current position. file_size (the bytes
 * from there to the end, or -1 when unknown) bounds allocations by what the file can
 * hold. On failure, keys loaded so far stay in the keyspace. Reads are buffered:
 * afterwards the fd's offset may be past the stream's end; st->bytes is the stream's
 * length (EOF opcode and checksum included), so a caller that reads on after an RDB
 * preamble (an AOF) seeks to its start + st->bytes. */
int rdb_load_fd(int fd, long long file_size, const rdb_load_opts *o, rdb_load_stats *st,
                rdb_error *err);
int rdb_load_file(const char *path, const rdb_load_opts *o, rdb_load_stats *st,
                  rdb_error *err);

/* A short name for an error code ("short read", "checksum mismatch", ...). */
const char *rdb_err_name(rdb_err code);

#endif
