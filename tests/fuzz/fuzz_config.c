/* The config file's text (tui_config_parse, what tui_config_load does
 * with a file's bytes): keys, [ui] settings and named connections from
 * any bytes; problems are reported, nothing crashes or leaks. The
 * default keymap is made once and copied for each input. */
#include "fuzz.h"

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tui_keymap defaults;
    static int have_defaults;
    if (!have_defaults) {
        tui_keymap_default(&defaults);
        have_defaults = 1;
    }
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km = defaults;
    orm_buf problems = ORM_BUF_INIT;
    int n = tui_config_parse(&cfg, &km, (const char *)data, size, "fuzz.config",
                             &problems);
    FUZZ_ASSERT(n == 0 || problems.len > 0, "%d problems but no text", n);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
    return 0;
}
