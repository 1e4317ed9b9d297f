/* Theme files (tui_theme_parse): any text applies what is valid over
 * the default theme and lists its problems. The default theme is made
 * once and copied for each input. */
#include "fuzz.h"
#include "theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tui_theme defaults;
    static int have_defaults;
    if (!have_defaults) {
        tui_theme_default(&defaults);
        have_defaults = 1;
    }
    char *text = fuzz_text(data, size);
    tui_theme theme = defaults;
    orm_buf problems = ORM_BUF_INIT;
    int n = tui_theme_parse(&theme, text, "fuzz.theme", &problems);
    FUZZ_ASSERT(n == 0 || problems.len > 0, "%d problems but no text", n);
    orm_buf_free(&problems);
    free(text);
    return 0;
}
