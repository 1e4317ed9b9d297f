/*
 * Test helpers (compiled into every test program) that write a file a
 * test prepares (a config, a theme, a models file) and read back one the
 * program wrote (an export, a journal).
 */
#ifndef HELPER_FILE_H
#define HELPER_FILE_H

/* Write `text` as the whole of `path`; fails the running test when it
 * cannot. */
void file_write(const char *path, const char *text);

/* The whole of `path` (NUL-terminated, "" when empty; the caller frees
 * it), or NULL when it cannot be opened. */
char *file_read(const char *path);

#endif
