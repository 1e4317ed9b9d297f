/*
 * Text on a terminal: display width of UTF-8 by grapheme (utf8proc), so
 * CJK and emoji take two columns, cutting to a width with "…", and
 * wrapping for the record screen. Invalid bytes and control characters
 * are shown as visible replacements so they can never move the cursor.
 */
#ifndef TUI_TEXT_H
#define TUI_TEXT_H

#include <stddef.h>

#include "orm/sys/buf.h"

/* The longest grapheme kept in one screen cell, in bytes; longer
 * clusters keep their first code points. */
#define TUI_GRAPHEME_MAX 32

/*
 * Read one grapheme (a user-perceived character) from s[0..len).
 * Copies its visible form (NUL-terminated, control characters and
 * invalid bytes replaced) into `out` (TUI_GRAPHEME_MAX bytes) and its
 * display width (0, 1 or 2) into *width. Returns the bytes consumed
 * (at least 1 when len > 0, 0 at the end).
 */
size_t tui_text_next(char *out, int *width, const char *s, size_t len);

/* Display width of s[0..len) (as drawn, after replacements). */
int tui_text_width(const char *s, size_t len);
/* Same for a NUL-terminated string. */
int tui_text_widthz(const char *s);

/*
 * Append to `out` the longest prefix of s[0..len) that fits `max_width`
 * columns; when the text does not fit, the prefix ends with "…". Returns
 * the width appended. Control characters and invalid bytes are replaced.
 */
int tui_text_fit(orm_buf *out, const char *s, size_t len, int max_width);

/*
 * Wrap s[0..len) into lines of at most `width` columns (words kept whole
 * where they fit, newlines honoured). Calls `line` for each line with
 * its bytes; stops early when `line` returns non-zero and returns that.
 */
int tui_text_wrap(const char *s, size_t len, int width,
                  int (*line)(const char *text, size_t len, void *payload),
                  void *payload);

/* Case-insensitive (Unicode case folding) substring test for the models
 * list narrowing. */
int tui_text_contains(const char *haystack, const char *needle);
/* Characters that steer a terminal rather than show: C0 and C1 controls,
 * DEL, and the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069), which reorder what follows them. */
int tui_text_is_control(int32_t cp);
/* Append `s` for a terminal: such characters as visible escapes (\x1b,
 * \u202e; \n, \t and \r by name), invalid UTF-8 as U+FFFD. With
 * `keep_layout` newlines and tabs pass as they are (CSV and TSV lines),
 * else one value stays on one line. */
void tui_text_append_terminal(orm_buf *b, const char *s, size_t n,
                              int keep_layout);

/* "1,234,567" for exact counts, "~1.2M" style for estimates. Writes into
 * `out` (at least 32 bytes). */
void tui_text_count(char *out, size_t size, long long n, int estimate);

#endif
