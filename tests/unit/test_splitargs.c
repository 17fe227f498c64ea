// deps: src/base/splitargs.c
/* test_splitargs.c - split_args against outputs taken from redis-server 7.0 (inline
 * "RPUSH k <line>" then LRANGE), including its quirks. */
#include "base/splitargs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Renders a split as "3[a|b|c]" (the count first, so "" and no argument differ) with non-printable bytes as \xHH, or "ERR"/"FULL". */
static void render(char *out, size_t cap, const char *line, long n, const split_arg *argv)
{
    size_t o = 0;
    if (n == -1) {
        snprintf(out, cap, "ERR");
        return;
    }
    if (n == -2) {
        snprintf(out, cap, "FULL");
        return;
    }
    o += (size_t)snprintf(out, cap, "%ld[", n);
    for (long i = 0; i < n; i++) {
        if (i > 0) {
            out[o++] = '|';
        }
        for (size_t j = 0; j < argv[i].len; j++) {
            unsigned char c = (unsigned char)line[argv[i].off + j];
            if (c < 32 || c > 126 || c == '|' || c == '\\') {
                o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
            } else {
                out[o++] = (char)c;
            }
        }
    }
    out[o++] = ']';
    out[o] = '\0';
}

/* Splits (line, len) with room for 64 args and compares with the rendering `want`. */
static void check_split(const char *line, size_t len, const char *want, int lineno)
{
    char *copy = malloc(len + 1);
    memcpy(copy, line, len);
    split_arg argv[64];
    long n = split_args(copy, len, argv, 64);
    char got[1024];
    render(got, sizeof(got), copy, n, argv);
    CHECK_MSG(strcmp(got, want) == 0, "line %d: split of \"%.*s\": got %s, want %s", lineno,
          (int)len, line, got, want);
    if (n >= 0) {
        /* Counting agrees, and every slice is inside the line. */
        char *copy2 = malloc(len + 1);
        memcpy(copy2, line, len);
        CHECK_MSG(split_args(copy2, len, NULL, 0) == n, "line %d: count mismatch", lineno);
        CHECK_MSG(memcmp(copy2, line, len) == 0, "line %d: counting wrote", lineno);
        for (long i = 0; i < n; i++) {
            CHECK_MSG(argv[i].off + argv[i].len <= len, "line %d: slice out of line", lineno);
        }
        free(copy2);
    }
    free(copy);
}

#define SPLIT(lit, want) check_split(lit, sizeof(lit) - 1, want, __LINE__)

static void test_basic(void)
{
    SPLIT("", "0[]");
    SPLIT("   \t ", "0[]");
    SPLIT("SET k v", "3[SET|k|v]");
    SPLIT("  SET   k\tv  ", "3[SET|k|v]");
    SPLIT("a\rb\nc", "3[a|b|c]");
    /* \v and \f are skipped before a word but do not end one (isspace vs. the switch). */
    SPLIT("a\vb", "1[a\\x0bb]");
    SPLIT("\va\f", "1[a\\x0c]");
    SPLIT("\x80\xff", "1[\\x80\\xff]");
}

static void test_double_quotes(void)
{
    SPLIT("\"\"", "1[]");
    SPLIT("a \"\" b", "3[a||b]");
    SPLIT("\"a b\"", "1[a b]");
    SPLIT("\"\\x41\\x4g\"", "1[Ax4g]");
    SPLIT("\"\\x4\"", "1[x4]");
    SPLIT("\"\\xfF\\x00z\"", "1[\\xff\\x00z]");
    SPLIT("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", "1[\\x0a\\x0d\\x09\\x08\\x07\\x5c\"q]");
    SPLIT("a\"b c\"", "1[ab c]");
    SPLIT("a\"b c\"d", "ERR");
    SPLIT("\"a\"b", "ERR");
    SPLIT("\"a\"\vb", "2[a|b]"); /* \v after a closing quote is a blank (isspace) */
    SPLIT("\"a", "ERR");
    SPLIT("\"a\\", "ERR");
    SPLIT("\"a\\\"", "ERR");
    SPLIT("x \"'\"", "2[x|']");
}

static void test_single_quotes(void)
{
    SPLIT("'a b'", "1[a b]");
    SPLIT("'a\\'b\\n'", "1[a'b\\x5cn]");
    SPLIT("'\\x41'", "1[\\x5cx41]");
    SPLIT("''", "1[]");
    SPLIT("a '' b", "3[a||b]");
    SPLIT("'a'b", "ERR");
    SPLIT("'a", "ERR");
    SPLIT("a'\"'", "1[a\"]");
}

static void test_empty_arg_count(void)
{
    /* "" alone is one empty argument, distinct from an empty line. */
    char line[] = "\"\"";
    split_arg argv[4];
    CHECK_MSG(split_args(line, 2, argv, 4) == 1, "\"\" is one argument");
    CHECK_MSG(argv[0].len == 0, "\"\" is empty");
    char blank[] = "  ";
    CHECK_MSG(split_args(blank, 2, argv, 4) == 0, "blank line has no arguments");
}

static void test_nul_ends_line(void)
{
    SPLIT("a b\0c d", "2[a|b]");
    SPLIT("\"a\0\"", "ERR");
    SPLIT("\0a", "0[]");
}

static void test_capacity(void)
{
    char line[] = "a \"b c\" d";
    char orig[sizeof(line)];
    memcpy(orig, line, sizeof(line));
    split_arg argv[3];
    CHECK_MSG(split_args(line, sizeof(line) - 1, argv, 2) == -2, "too many -> -2");
    CHECK_MSG(memcmp(line, orig, sizeof(line)) == 0, "line untouched on -2");
    CHECK_MSG(split_args(line, sizeof(line) - 1, NULL, 0) == 3, "count only");
    CHECK_MSG(memcmp(line, orig, sizeof(line)) == 0, "line untouched on count");
    CHECK_MSG(split_args(line, sizeof(line) - 1, argv, 0) == -2, "cap 0 -> -2");
    CHECK_MSG(split_args(line, sizeof(line) - 1, argv, 3) == 3, "fits");
    CHECK_MSG(argv[1].len == 3 && memcmp(line + argv[1].off, "b c", 3) == 0, "unquoted in place");
    char bad[] = "a \"b";
    char bad_orig[sizeof(bad)];
    memcpy(bad_orig, bad, sizeof(bad));
    CHECK_MSG(split_args(bad, sizeof(bad) - 1, argv, 3) == -1, "unbalanced -> -1");
    CHECK_MSG(split_args(bad, sizeof(bad) - 1, argv, 0) == -1, "unbalanced wins over full");
    CHECK_MSG(memcmp(bad, bad_orig, sizeof(bad)) == 0, "line untouched on -1");
    CHECK_MSG(split_args(NULL, 0, NULL, 0) == 0, "empty NULL line");
}

int main(void)
{
    test_basic();
    test_double_quotes();
    test_single_quotes();
    test_empty_arg_count();
    test_nul_ends_line();
    test_capacity();
    return check_summary("test_splitargs");
}
