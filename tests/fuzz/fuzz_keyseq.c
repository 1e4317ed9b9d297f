/* The terminal escape decoder (tui_key_from_sequence): the bytes after
 * ESC that curses did not know become a key or nothing. */
#include "fuzz.h"
#include "screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int key = tui_key_from_sequence((const char *)data, size);
    FUZZ_ASSERT(key >= 0, "key %d", key);
    return 0;
}
