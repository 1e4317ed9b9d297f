/* The filter language (orm_filter_parse), with a model of every column
 * type and without one: whatever parses prints back to text that parses
 * to an equal tree and prints the same again. */
#include "fuzz.h"
#include "orm/orm.h"

static const orm_column columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "big", .type = ORM_BIGINT},
    {.name = "small", .type = ORM_SMALLINT},
    {.name = "handle", .type = ORM_STRING, .length = 50},
    {.name = "note", .type = ORM_TEXT},
    {.name = "active", .type = ORM_BOOLEAN},
    {.name = "ratio", .type = ORM_FLOAT},
    {.name = "price", .type = ORM_NUMERIC, .precision = 10, .scale = 2},
    {.name = "born", .type = ORM_DATE},
    {.name = "at", .type = ORM_TIME},
    {.name = "seen", .type = ORM_DATETIME},
    {.name = "zoned", .type = ORM_DATETIMETZ},
    {.name = "data", .type = ORM_BLOB},
    {.name = "doc", .type = ORM_JSON},
    {.name = "uid", .type = ORM_UUID},
};
static const orm_model model = ORM_MODEL("Thing", "things", columns);

static void round_trip(const char *text, const orm_model *m)
{
    orm_expr *e = NULL, *again = NULL;
    orm_error err = ORM_ERROR_INIT;
    if (orm_filter_parse(&e, text, m, &err) != 0) {
        FUZZ_ASSERT(orm_error_text(&err)[0], "a failure without a message");
        orm_error_clear(&err);
        return;
    }
    char *printed = orm_filter_print(e);
    FUZZ_ASSERT(printed, "print failed for [%s]", text);
    int rc = orm_filter_parse(&again, printed, m, &err);
    FUZZ_ASSERT(rc == 0, "[%s] printed as [%s], which does not parse: %s", text,
                printed, orm_error_text(&err));
    FUZZ_ASSERT(orm_expr_equal(e, again), "[%s] -> [%s] is another filter",
                text, printed);
    char *printed_again = orm_filter_print(again);
    FUZZ_ASSERT(printed_again && strcmp(printed, printed_again) == 0,
                "[%s] prints as [%s] then [%s]", text, printed,
                printed_again ? printed_again : "(null)");
    free(printed);
    free(printed_again);
    orm_expr_free(e);
    orm_expr_free(again);
    orm_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size);
    round_trip(text, &model);
    round_trip(text, NULL);
    free(text);
    return 0;
}
