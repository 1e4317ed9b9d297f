/* Showing arbitrary bytes (tui/screen/text.c, display.c): fitting into a
 * width never exceeds it and yields valid UTF-8 of that width; wrapping
 * gives lines no wider than asked; a value shows without crashing. */
#include "fuzz.h"
#include "display.h"
#include "text.h"

#include <utf8proc.h>

static int valid_utf8(const char *s, size_t len)
{
    utf8proc_int32_t cp;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0)
            return 0;
        i += (size_t)n;
    }
    return 1;
}

typedef struct wrap_check {
    int width;
} wrap_check;

static int check_line(const char *text, size_t len, void *payload)
{
    wrap_check *w = payload;
    int got = tui_text_width(text, len);
    if (got > w->width) {
        /* Only a character wider than the line itself may overflow. */
        char shown[TUI_GRAPHEME_MAX];
        int first = 0;
        size_t n = tui_text_next(shown, &first, text, len);
        FUZZ_ASSERT(n == len, "a wrapped line of width %d for %d", got,
                    w->width);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    orm_buf out = ORM_BUF_INIT;
    static const int widths[] = {0, 1, 2, 3, 10, 80};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        orm_buf_reset(&out);
        int w = tui_text_fit(&out, s, size, widths[i]);
        FUZZ_ASSERT(w <= widths[i], "fit to %d gave %d", widths[i], w);
        FUZZ_ASSERT(valid_utf8(out.data ? out.data : "", out.len),
                    "fit gave invalid UTF-8");
        FUZZ_ASSERT(tui_text_width(out.data ? out.data : "", out.len) == w,
                    "fit says %d, text is %d wide", w,
                    tui_text_width(out.data ? out.data : "", out.len));
        if (widths[i] > 0) {
            wrap_check wc = {widths[i]};
            tui_text_wrap(s, size, widths[i], check_line, &wc);
        }
    }
    orm_column col = {.name = "c", .type = ORM_TEXT};
    orm_value v = orm_value_textn(s, size);
    tui_element el;
    int right;
    orm_buf_reset(&out);
    tui_value_show(&out, &el, &right, &col, &v, 1, NULL);
    orm_buf_free(&out);
    return 0;
}
