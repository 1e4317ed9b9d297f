/* Database URLs (orm_url_parse): whatever parses formats back (password
 * kept) to a URL that parses and formats the same; the redacted form
 * never holds the password. */
#include "fuzz.h"
#include "orm/orm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    orm_url *url = NULL, *again = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (orm_url_parse(&url, text, &err) == 0) {
        char *full = orm_url_format(url, 0);
        char *redacted = orm_url_format(url, 1);
        FUZZ_ASSERT(full && redacted, "format failed for [%s]", text);
        int rc = orm_url_parse(&again, full, &err);
        FUZZ_ASSERT(rc == 0, "[%s] formats as [%s], which does not parse: %s",
                    text, full, orm_error_text(&err));
        char *full_again = orm_url_format(again, 0);
        FUZZ_ASSERT(full_again && strcmp(full, full_again) == 0,
                    "[%s] formats as [%s] then [%s]", text, full,
                    full_again ? full_again : "(null)");
        free(full);
        free(redacted);
        free(full_again);
    }
    orm_url_free(url);
    orm_url_free(again);
    orm_error_clear(&err);
    free(text);
    return 0;
}
