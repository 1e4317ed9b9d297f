/*
 * Writing and reading whole files in tests (helper_file.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "helper_file.h"
#include "orm/sys/buf.h"

void file_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

char *file_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    orm_buf b = ORM_BUF_INIT;
    char chunk[8192];
    size_t n;
    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        orm_buf_appendn(&b, chunk, n);
    fclose(f);
    return orm_buf_finish(&b);
}
