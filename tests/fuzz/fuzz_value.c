/* Typed values (orm_value_parse) and filter literals
 * (orm_filter_parse_literal, the CLI's COL:=LITERAL): the first byte
 * picks the column type, the rest is the text. A value that parses
 * formats back to text that parses to an equal value. */
#include "fuzz.h"
#include "orm/orm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    orm_column col = {.name = "c"};
    col.type = (orm_type)(data[0] % ORM_TYPE_COUNT);
    if (col.type == ORM_STRING)
        col.length = data[0] & 0x80 ? 8 : 0;
    if (col.type == ORM_NUMERIC) {
        col.precision = data[0] & 0x80 ? 6 : 0;
        col.scale = data[0] & 0x80 ? 2 : 0;
    }
    char *text = fuzz_text(data + 1, size - 1);
    orm_value v, again, lit;
    orm_error err = ORM_ERROR_INIT;
    if (orm_value_parse(&v, &col, text, &err) == 0) {
        char *shown = orm_value_format(&v, &col);
        if (shown) { /* NULL only for a NULL value */
            int rc = orm_value_parse(&again, &col, shown, &err);
            FUZZ_ASSERT(rc == 0, "%s [%s] formats as [%s]: %s",
                        orm_type_name(col.type), text, shown,
                        orm_error_text(&err));
            FUZZ_ASSERT(orm_value_equal(&v, &again),
                        "%s [%s] -> [%s] is another value",
                        orm_type_name(col.type), text, shown);
            orm_value_clear(&again);
            free(shown);
        }
        orm_value_clear(&v);
    }
    orm_error_clear(&err);
    if (orm_filter_parse_literal(&lit, text, &col, &err) == 0)
        orm_value_clear(&lit);
    orm_error_clear(&err);
    free(text);
    return 0;
}
