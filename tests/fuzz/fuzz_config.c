/* The config file (tui_config_load): keys, [ui] settings and named
 * connections from any bytes; problems are reported, nothing crashes or
 * leaks. The input goes through a memory file (/proc/self/fd/N), as the
 * reader takes a path. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz.h"
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static char path[64];
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("orb-fuzz-config", 0);
        FUZZ_ASSERT(fd >= 0, "no memory file");
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    FUZZ_ASSERT(ftruncate(fd, 0) == 0 &&
                    pwrite(fd, data, size, 0) == (ssize_t)size,
                "cannot write %s", path);
    tui_config cfg = TUI_CONFIG_INIT;
    tui_keymap km;
    orm_buf problems = ORM_BUF_INIT;
    tui_keymap_default(&km);
    int n = tui_config_load(&cfg, &km, path, &problems);
    FUZZ_ASSERT(n == 0 || problems.len > 0, "%d problems but no text", n);
    tui_config_clear(&cfg);
    orm_buf_free(&problems);
    return 0;
}
