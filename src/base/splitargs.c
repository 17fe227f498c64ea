/* splitargs.c - Redis's sdssplitargs over a (pointer, length) line, without allocating.
 *
 * The grammar is Redis's, quirks included, because redis-cli users and config files rely
 * on it:
 *   - blanks before a word are isspace() (space \t \n \v \f \r), but inside an unquoted
 *     word only space \t \n \r end it, so "a\vb" is one word while "\va" is "a";
 *   - a quote may open mid-word and its content joins the word: a"b c" -> `ab c`;
 *   - a closing quote followed by anything but a blank (isspace) is an error;
 *   - in "double quotes": \xHH (two hex digits) is a byte, \n \r \t \b \a are controls,
 *     a backslash before any other byte yields that byte (so \x4g is `x4g`);
 *   - in 'single quotes' only \' is an escape; other backslashes are literal;
 *   - a NUL byte ends the input (Redis works on C strings).
 *
 * The work is done in two passes over the same code: the first only validates and counts,
 * so that an error or a too-small argv leaves the line untouched; the second writes.
 * Writing in place is safe because every output byte consumes at least one input byte:
 * the write index never passes the read index, and look-ahead reads happen before the
 * write of the same step.
 */
#include "base/splitargs.h"

#include <string.h>

static int is_blank(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r, C-locale isspace */
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The byte at i, or 0 past the end: the end behaves as the NUL terminator did in Redis. */
#define AT(i) ((i) < len ? (unsigned char)line[i] : 0)

/* One pass. out == NULL: validate and count only. Returns argc or -1. */
static long split_pass(char *line, size_t len, split_arg *out)
{
    size_t r = 0; /* read index */
    size_t w = 0; /* write index, w <= r */
    long argc = 0;

    for (;;) {
        while (r < len && is_blank((unsigned char)line[r])) {
            r++;
        }
        if (r >= len) {
            return argc;
        }
        size_t start = w;
        int in_dq = 0, in_sq = 0, done = 0;
        while (!done) {
            unsigned char c = AT(r);
            int emit = -1;
            if (in_dq) {
                if (c == '\\' && AT(r + 1) == 'x' && hex_value(AT(r + 2)) >= 0 &&
                    hex_value(AT(r + 3)) >= 0) {
                    emit = hex_value(AT(r + 2)) * 16 + hex_value(AT(r + 3));
                    r += 3;
                } else if (c == '\\' && AT(r + 1)) {
                    r++;
                    switch (AT(r)) {
                    case 'n': emit = '\n'; break;
                    case 'r': emit = '\r'; break;
                    case 't': emit = '\t'; break;
                    case 'b': emit = '\b'; break;
                    case 'a': emit = '\a'; break;
                    default: emit = AT(r); break;
                    }
                } else if (c == '"') {
                    if (AT(r + 1) && !is_blank(AT(r + 1))) {
                        return -1;
                    }
                    done = 1;
                } else if (c == 0) {
                    return -1; /* unterminated */
                } else {
                    emit = c;
                }
            } else if (in_sq) {
                if (c == '\\' && AT(r + 1) == '\'') {
                    r++;
                    emit = '\'';
                } else if (c == '\'') {
                    if (AT(r + 1) && !is_blank(AT(r + 1))) {
                        return -1;
                    }
                    done = 1;
                } else if (c == 0) {
                    return -1;
                } else {
                    emit = c;
                }
            } else {
                switch (c) {
                case ' ':
                case '\n':
                case '\r':
                case '\t':
                case 0:
                    done = 1;
                    break;
                case '"':
                    in_dq = 1;
                    break;
                case '\'':
                    in_sq = 1;
                    break;
                default:
                    emit = c;
                    break;
                }
            }
            if (emit >= 0) {
                if (out != NULL) {
                    line[w] = (char)emit;
                }
                w++;
            }
            if (AT(r)) {
                r++;
            }
        }
        if (out != NULL) {
            out[argc].off = start;
            out[argc].len = w - start;
        }
        argc++;
    }
}

long split_args(char *line, size_t len, split_arg *argv, size_t argv_cap)
{
    const char *nul = len > 0 ? memchr(line, '\0', len) : NULL;
    if (nul != NULL) {
        len = (size_t)(nul - line);
    }
    long argc = split_pass(line, len, NULL);
    if (argc < 0 || argv == NULL) {
        return argc;
    }
    if ((size_t)argc > argv_cap) {
        return -2;
    }
    return split_pass(line, len, argv);
}
