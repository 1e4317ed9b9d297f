/* Theme files (tui_theme_parse): any text applies what is valid over
 * the default theme and lists its problems. */
#include "fuzz.h"
#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    tui_theme theme;
    orm_buf problems = ORM_BUF_INIT;
    tui_theme_default(&theme);
    int n = tui_theme_parse(&theme, text, "fuzz.theme", &problems);
    FUZZ_ASSERT(n == 0 || problems.len > 0, "%d problems but no text", n);
    orm_buf_free(&problems);
    free(text);
    return 0;
}
