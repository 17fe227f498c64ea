/*
 * hiredis (Debian's libhiredis-dev) against a running server: the synchronous API, pipelined
 * replies (many redisAppendCommand then redisGetReply), reply types as hiredis builds them
 * (status, error, integer, nil, bulk, nested arrays), pub/sub on a blocking context,
 * reconnect after the server closes the connection, and the asynchronous API driven by
 * libevent through hiredis's adapter (ordered callbacks, pipelining, pub/sub, errors,
 * disconnect). Usage: test_hiredis PORT (or REDIS_PORT in the environment). Prints one line
 * per failed check, one per test, and a closing "N passed, N failed" (tests).
 */
#include <event2/event.h>
#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;
static int port;

#define CHECK(cond)                                                                       \
    do {                                                                                  \
        if (cond) {                                                                       \
            passed++;                                                                     \
        } else {                                                                          \
            failed++;                                                                     \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
        }                                                                                 \
    } while (0)

static redisContext *connect_or_die(void)
{
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c == NULL || c->err) {
        fprintf(stderr, "connect to %d: %s\n", port, c ? c->errstr : "out of memory");
        exit(2);
    }
    return c;
}

/* Runs a command and checks its reply's type; returns the reply for more checks. */
static redisReply *cmd(redisContext *c, int type, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(c, fmt, ap);
    va_end(ap);
    CHECK(r != NULL);
    if (r != NULL && r->type != type) {
        printf("  '%s': reply type %d, expected %d (%.*s)\n", fmt, r->type, type,
               r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STRING ? (int)r->len : 0,
               r->str ? r->str : "");
    }
    CHECK(r != NULL && r->type == type);
    return r;
}

static int is_str(redisReply *r, const char *s)
{
    return r != NULL && r->str != NULL && r->len == strlen(s) && memcmp(r->str, s, r->len) == 0;
}

static void test_sync_replies(void)
{
    redisContext *c = connect_or_die();
    redisReply *r;

    r = cmd(c, REDIS_REPLY_STATUS, "FLUSHALL");
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_STATUS, "PING");
    CHECK(is_str(r, "PONG"));
    freeReplyObject(r);

    /* Binary-safe arguments and bulk replies. */
    const char bin[] = "a\0b\r\nc";
    r = cmd(c, REDIS_REPLY_STATUS, "SET %b %b", "k\0ey", (size_t)4, bin, sizeof(bin));
    CHECK(is_str(r, "OK"));
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_STRING, "GET %b", "k\0ey", (size_t)4);
    CHECK(r->len == sizeof(bin) && memcmp(r->str, bin, sizeof(bin)) == 0);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_NIL, "GET missing");
    freeReplyObject(r);

    r = cmd(c, REDIS_REPLY_INTEGER, "INCRBY n %lld", 9007199254740993LL);
    CHECK(r->integer == 9007199254740993LL);
    freeReplyObject(r);

    r = cmd(c, REDIS_REPLY_ERROR, "LPUSH n x");
    CHECK(is_str(r, "WRONGTYPE Operation against a key holding the wrong kind of value"));
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_ERROR, "NOSUCHCMD a b");
    CHECK(r->len > 20 && strncmp(r->str, "ERR unknown command 'NOSUCHCMD'", 31) == 0);
    freeReplyObject(r);

    /* Arrays, empty arrays, nil inside an array, nested arrays. */
    r = cmd(c, REDIS_REPLY_INTEGER, "RPUSH l a bb ccc");
    CHECK(r->integer == 3);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_ARRAY, "LRANGE l 0 -1");
    CHECK(r->elements == 3 && is_str(r->element[1], "bb") && is_str(r->element[2], "ccc"));
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_ARRAY, "LRANGE nolist 0 -1");
    CHECK(r->elements == 0);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_ARRAY, "MGET l k missing");
    CHECK(r->elements == 3 && r->element[0]->type == REDIS_REPLY_NIL &&
          r->element[2]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_ARRAY, "SCAN 0 COUNT 100");
    CHECK(r->elements == 2 && r->element[0]->type == REDIS_REPLY_STRING &&
          r->element[1]->type == REDIS_REPLY_ARRAY && r->element[1]->elements == 3);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_NIL, "BLPOP emptylist 0.05");
    freeReplyObject(r);

    /* MULTI/EXEC: QUEUED statuses, then an array holding each command's reply. */
    freeReplyObject(cmd(c, REDIS_REPLY_STATUS, "MULTI"));
    r = cmd(c, REDIS_REPLY_STATUS, "INCR t");
    CHECK(is_str(r, "QUEUED"));
    freeReplyObject(r);
    freeReplyObject(cmd(c, REDIS_REPLY_STATUS, "LPUSH n x"));
    r = cmd(c, REDIS_REPLY_ARRAY, "EXEC");
    CHECK(r->elements == 2 && r->element[0]->type == REDIS_REPLY_INTEGER &&
          r->element[1]->type == REDIS_REPLY_ERROR);
    freeReplyObject(r);

    /* A 4 MiB value crosses many socket reads. */
    size_t big_len = 4u << 20;
    char *big = malloc(big_len);
    for (size_t i = 0; i < big_len; i++) {
        big[i] = (char)('a' + i % 26);
    }
    freeReplyObject(cmd(c, REDIS_REPLY_STATUS, "SET big %b", big, big_len));
    r = cmd(c, REDIS_REPLY_STRING, "GET big");
    CHECK(r->len == big_len && memcmp(r->str, big, big_len) == 0);
    freeReplyObject(r);
    free(big);
    redisFree(c);
}

static void test_pipelined_replies(void)
{
    redisContext *c = connect_or_die();
    enum { N = 5000 };
    for (int i = 0; i < N; i++) {
        CHECK(redisAppendCommand(c, "SET p:%d %d", i, i) == REDIS_OK);
    }
    redisAppendCommand(c, "GET p:%d", N - 1);
    redisAppendCommand(c, "INCR p:1");
    redisAppendCommand(c, "HGET p:2 f"); /* an error in the middle of the pipeline */
    redisAppendCommand(c, "DBSIZE");
    int ok = 0;
    for (int i = 0; i < N; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) == REDIS_OK && is_str(r, "OK")) {
            ok++;
        }
        freeReplyObject(r);
    }
    CHECK(ok == N);
    redisReply *r = NULL;
    CHECK(redisGetReply(c, (void **)&r) == REDIS_OK && r->type == REDIS_REPLY_STRING);
    CHECK(r != NULL && atoi(r->str) == N - 1);
    freeReplyObject(r);
    CHECK(redisGetReply(c, (void **)&r) == REDIS_OK && r->integer == 2);
    freeReplyObject(r);
    CHECK(redisGetReply(c, (void **)&r) == REDIS_OK && r->type == REDIS_REPLY_ERROR);
    freeReplyObject(r);
    CHECK(redisGetReply(c, (void **)&r) == REDIS_OK && r->type == REDIS_REPLY_INTEGER);
    CHECK(r != NULL && r->integer >= N);
    freeReplyObject(r);
    redisFree(c);
}

static void test_sync_pubsub(void)
{
    redisContext *sub = connect_or_die();
    redisContext *pub = connect_or_die();
    redisReply *r = cmd(sub, REDIS_REPLY_ARRAY, "SUBSCRIBE chan");
    CHECK(r->elements == 3 && is_str(r->element[0], "subscribe") && r->element[2]->integer == 1);
    freeReplyObject(r);
    r = cmd(pub, REDIS_REPLY_INTEGER, "PUBLISH chan %b", "m\0sg", (size_t)4);
    CHECK(r->integer == 1);
    freeReplyObject(r);
    r = NULL;
    CHECK(redisGetReply(sub, (void **)&r) == REDIS_OK);
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
          is_str(r->element[0], "message") && is_str(r->element[1], "chan") &&
          r->element[2]->len == 4 && memcmp(r->element[2]->str, "m\0sg", 4) == 0);
    freeReplyObject(r);
    r = cmd(sub, REDIS_REPLY_ARRAY, "UNSUBSCRIBE");
    CHECK(r->elements == 3 && r->element[2]->integer == 0);
    freeReplyObject(r);
    redisFree(sub);
    redisFree(pub);
}

static void test_reconnect(void)
{
    redisContext *c = connect_or_die();
    redisContext *admin = connect_or_die();
    redisReply *r = cmd(c, REDIS_REPLY_INTEGER, "CLIENT ID");
    long long id = r->integer;
    freeReplyObject(r);
    r = cmd(admin, REDIS_REPLY_INTEGER, "CLIENT KILL ID %lld", id);
    CHECK(r->integer == 1);
    freeReplyObject(r);

    r = redisCommand(c, "PING");
    CHECK(r == NULL && c->err != 0);
    freeReplyObject(r);
    CHECK(redisReconnect(c) == REDIS_OK && c->err == 0);
    r = cmd(c, REDIS_REPLY_INTEGER, "CLIENT ID");
    CHECK(r->integer != id);
    freeReplyObject(r);
    r = cmd(c, REDIS_REPLY_STATUS, "PING");
    CHECK(is_str(r, "PONG"));
    freeReplyObject(r);
    redisFree(admin);
    redisFree(c);
}

/* --- asynchronous API on libevent ------------------------------------------------------ */

struct async_state {
    struct event_base *base;
    redisAsyncContext *pub;
    int connected, disconnected, disconnect_status;
    int replies, in_order;
    int got_error, got_message, subscribed;
};

static void on_connect(const redisAsyncContext *ac, int status)
{
    struct async_state *st = ac->data;
    CHECK(status == REDIS_OK);
    st->connected++;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    struct async_state *st = ac->data;
    st->disconnected++;
    st->disconnect_status = status;
    if (st->disconnected == 2) {
        event_base_loopbreak(st->base); /* the timeout timer would keep the loop alive */
    }
}

static void on_incr(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct async_state *st = ac->data;
    redisReply *r = reply;
    long long expect = (long long)(size_t)privdata;
    if (r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == expect) {
        st->in_order++;
    }
    st->replies++;
}

static void on_error_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct async_state *st = ac->data;
    redisReply *r = reply;
    st->got_error = r != NULL && r->type == REDIS_REPLY_ERROR &&
                    strncmp(r->str, "WRONGTYPE", 9) == 0;
}

static void on_published(redisAsyncContext *ac, void *reply, void *privdata)
{
    redisReply *r = reply;
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1);
}

/* Subscription callbacks fire for the subscribe confirmation and for every message. */
static void on_sub(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct async_state *st = ac->data;
    redisReply *r = reply;
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        return;
    }
    if (is_str(r->element[0], "subscribe")) {
        st->subscribed = 1;
        redisAsyncCommand(st->pub, on_published, NULL, "PUBLISH async:chan hello");
    } else if (is_str(r->element[0], "message") && is_str(r->element[2], "hello")) {
        st->got_message = 1;
        redisAsyncCommand(ac, NULL, NULL, "UNSUBSCRIBE");
        redisAsyncDisconnect(ac);
        redisAsyncDisconnect(st->pub);
    }
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct async_state *st = arg;
    printf("FAIL async test timed out (connected %d, replies %d, subscribed %d, message %d, "
           "disconnected %d)\n",
           st->connected, st->replies, st->subscribed, st->got_message, st->disconnected);
    failed++;
    event_base_loopbreak(st->base);
}

static void test_async(void)
{
    struct async_state st = {0};
    st.base = event_base_new();
    redisAsyncContext *ac = redisAsyncConnect("127.0.0.1", port);
    redisAsyncContext *pub = redisAsyncConnect("127.0.0.1", port);
    CHECK(ac != NULL && ac->err == 0 && pub != NULL && pub->err == 0);
    ac->data = &st;
    pub->data = &st;
    st.pub = pub;
    redisLibeventAttach(ac, st.base);
    redisLibeventAttach(pub, st.base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetConnectCallback(pub, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    redisAsyncSetDisconnectCallback(pub, on_disconnect);

    /* Queued before the connection completes: all sent in one pipelined burst. */
    enum { N = 1000 };
    redisAsyncCommand(pub, NULL, NULL, "DEL async:ctr");
    for (size_t i = 1; i <= N; i++) {
        redisAsyncCommand(pub, on_incr, (void *)i, "INCR async:ctr");
    }
    redisAsyncCommand(pub, NULL, NULL, "SET async:str x");
    redisAsyncCommand(pub, on_error_reply, NULL, "LPUSH async:str y");
    redisAsyncCommand(ac, on_sub, NULL, "SUBSCRIBE async:chan");

    struct timeval limit = {10, 0};
    struct event *timer = evtimer_new(st.base, on_timeout, &st);
    evtimer_add(timer, &limit);
    event_base_dispatch(st.base);
    event_free(timer);
    event_base_free(st.base);

    CHECK(st.connected == 2);
    CHECK(st.replies == N && st.in_order == N);
    CHECK(st.got_error);
    CHECK(st.subscribed && st.got_message);
    CHECK(st.disconnected == 2 && st.disconnect_status == REDIS_OK);
}

int main(int argc, char **argv)
{
    const char *p = argc > 1 ? argv[1] : getenv("REDIS_PORT");
    if (p == NULL) {
        fprintf(stderr, "usage: test_hiredis PORT (or REDIS_PORT)\n");
        return 2;
    }
    port = atoi(p);
    struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {
        {"sync replies", test_sync_replies},   {"pipelined replies", test_pipelined_replies},
        {"sync pub/sub", test_sync_pubsub},    {"reconnect", test_reconnect},
        {"async (libevent)", test_async},
    };
    int tests_passed = 0, tests_failed = 0;
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int before = failed;
        tests[i].fn();
        printf("%s %s\n", failed == before ? "ok  " : "FAIL", tests[i].name);
        if (failed == before) {
            tests_passed++;
        } else {
            tests_failed++;
        }
    }
    printf("hiredis: %d checks passed, %d failed\n", passed, failed);
    printf("%d passed, %d failed\n", tests_passed, tests_failed);
    return failed ? 1 : 0;
}
