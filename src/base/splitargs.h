/* splitargs.h - splitting a text line into arguments, as Redis's sdssplitargs.
 *
 * Used by inline requests and by config file lines.
 */
#ifndef KV_SPLITARGS_H
#define KV_SPLITARGS_H

#include <stddef.h>

/* One argument: a slice of the line that split_args rewrote (offset from its start). */
typedef struct split_arg {
    size_t off;
    size_t len;
} split_arg;

/* Splits a line into arguments as Redis's sdssplitargs: spaces separate, "double quotes"
 * with \n \r \t \b \a \\ \" \xHH escapes, 'single quotes' with only \' escaped; a closing
 * quote must be followed by a space or the end; a quote may open in the middle of a word
 * (a"b c" is the one argument `ab c`); "" is an empty argument. A NUL byte ends the line,
 * as it does for Redis's C strings.
 *
 * Writes the unquoted bytes back into line (they only shrink) and the slices into argv
 * (offsets from line, valid as long as the caller keeps line). Returns the number of
 * arguments, -1 for unbalanced quotes, -2 when more than argv_cap arguments (the line is
 * left unchanged then: call again with a larger argv). With argv == NULL it only counts:
 * returns the number of arguments or -1, and writes nothing. Never allocates. */
long split_args(char *line, size_t len, split_arg *argv, size_t argv_cap);

#endif
