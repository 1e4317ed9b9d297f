/*
 * Commit failure messages: what a failed statement was about (model,
 * columns, values, the table on the other side of a foreign key), asked
 * of the database where the driver's error leaves it out, and written in
 * plain words after the rollback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flush.h"

/* ---- failure messages ---- */

/*
 * A constraint error names the model, the column(s), the value(s) and,
 * for a foreign key, the table on the other side. The driver's detail
 * says what it can: PostgreSQL names the columns (and, in a foreign key
 * error, the referencing table), MariaDB the index or constraint,
 * SQLite the columns of a unique or not-null failure but nothing about
 * a foreign key. What is missing is found out: a foreign key by asking
 * the referenced (or referencing) table inside the failed transaction,
 * before the rollback; a constraint name by asking the driver which
 * columns it covers, after the rollback (PostgreSQL refuses statements
 * in a failed transaction).
 */

static void failure_add_col(flush_failure *ff, const orm_model *m,
                            const char *name)
{
    int i = name ? orm_model_column_index(m, name) : -1;
    if (i < 0 || ff->ncols == ORM_MAX_KEY)
        return;
    for (size_t k = 0; k < ff->ncols; k++)
        if (ff->cols[k] == i)
            return;
    ff->cols[ff->ncols++] = i;
}

/* "a" or "a, b" (as drivers join several names) into columns of m. */
static void failure_cols_from_list(flush_failure *ff, const orm_model *m,
                                   const char *list)
{
    if (!list)
        return;
    if (orm_model_column_index(m, list) >= 0) {
        failure_add_col(ff, m, list);
        return;
    }
    size_t before = ff->ncols;
    for (const char *p = list; *p;) {
        const char *sep = strstr(p, ", ");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        char *name = orm_strndup(p, n);
        int known = name && orm_model_column_index(m, name) >= 0;
        if (known)
            failure_add_col(ff, m, name);
        free(name);
        if (!known) {
            ff->ncols = before; /* all of them or none */
            return;
        }
        p += n + (sep ? 2 : 0);
    }
}

static int is_ident_char(unsigned char c)
{
    return c == '_' || c >= 0x80 || (c >= '0' && c <= '9') ||
           ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The columns a check expression's text names ("score >= 0"). */
static void failure_cols_from_text(flush_failure *ff, const orm_model *m,
                                   const char *text)
{
    for (size_t i = 0; text && i < m->ncolumns; i++) {
        const char *name = m->columns[i].name;
        size_t n = strlen(name);
        for (const char *hit = strstr(text, name); hit;
             hit = strstr(hit + 1, name)) {
            if ((hit == text || !is_ident_char((unsigned char)hit[-1])) &&
                !is_ident_char((unsigned char)hit[n])) {
                failure_add_col(ff, m, name);
                break;
            }
        }
    }
}

/* The columns a constraint name stands for, from the model. */
static void failure_cols_from_constraint(flush_failure *ff, const orm_model *m,
                                         const char *constraint)
{
    if (!constraint)
        return;
    for (size_t i = 0; i < m->nuniques && !ff->ncols; i++)
        if (m->uniques[i].name && strcmp(m->uniques[i].name, constraint) == 0)
            for (size_t k = 0; k < m->uniques[i].ncolumns; k++)
                failure_add_col(ff, m, m->uniques[i].columns[k]);
    for (size_t i = 0; i < m->nforeign_keys && !ff->ncols; i++)
        if (m->foreign_keys[i].name &&
            strcmp(m->foreign_keys[i].name, constraint) == 0)
            for (size_t k = 0; k < m->foreign_keys[i].ncolumns; k++)
                failure_add_col(ff, m, m->foreign_keys[i].columns[k]);
    if (ff->ncols)
        return;
    const orm_column *best = NULL;
    size_t clen = strlen(constraint);
    for (size_t i = 0; i < m->ncolumns; i++) {
        const char *name = m->columns[i].name;
        size_t n = strlen(name);
        /* MySQL names a column's unique key after the column; orb names
         * constraints uq_<table>_<column> / fk_<table>_<column>. */
        if (strcmp(constraint, name) == 0) {
            best = &m->columns[i];
            break;
        }
        if (clen > n && constraint[clen - n - 1] == '_' &&
            strcmp(constraint + clen - n, name) == 0 &&
            (!best || strlen(best->name) < n))
            best = &m->columns[i];
    }
    if (best)
        failure_add_col(ff, m, best->name);
}

/* A foreign key of `m` (single-column ones from their column), by
 * index: columns, referenced table and columns (NULL: the primary key
 * of the referenced table). Returns 0 past the last one. */
static int model_fk_at(const orm_model *m, size_t at, const char **cols,
                       size_t *ncols, const char **ref_table,
                       const char **ref_cols)
{
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (!m->columns[i].ref_table || at--)
            continue;
        cols[0] = m->columns[i].name;
        ref_cols[0] = m->columns[i].ref_column;
        *ncols = 1;
        *ref_table = m->columns[i].ref_table;
        return 1;
    }
    if (at >= m->nforeign_keys)
        return 0;
    const orm_foreign_key *fk = &m->foreign_keys[at];
    *ncols = fk->ncolumns < ORM_MAX_KEY ? fk->ncolumns : ORM_MAX_KEY;
    for (size_t k = 0; k < *ncols; k++) {
        cols[k] = fk->columns[k];
        ref_cols[k] = fk->ref_columns ? fk->ref_columns[k] : NULL;
    }
    *ref_table = fk->ref_table;
    return 1;
}

/* Referenced columns named, a NULL one standing for the primary key
 * column at the same position of `target`. 0 when one stays unknown. */
static int resolve_ref_cols(const orm_model *target, const char **ref_cols,
                            size_t n)
{
    int pk[ORM_MAX_KEY];
    size_t npk = target ? orm_model_pk(target, pk, ORM_MAX_KEY) : 0;
    for (size_t k = 0; k < n; k++) {
        if (ref_cols[k])
            continue;
        if (k >= npk || npk != n)
            return 0;
        ref_cols[k] = target->columns[pk[k]].name;
    }
    return 1;
}

/* Is there a row of `target` whose `cols` hold `values`? 1 yes, 0 no,
 * -1 cannot tell (the statement failed). */
static int row_exists(flush_ctx *f, const orm_model *target,
                      const char *const *cols, const orm_value *const *values,
                      size_t n)
{
    sql_builder sb;
    db_stmt st = {NULL, -1};
    int found = -1;
    sql_init(&sb, f->db->driver);
    sql_raw(&sb, "SELECT 1 FROM ");
    sql_table(&sb, target);
    sql_raw(&sb, " WHERE ");
    for (size_t k = 0; k < n; k++) {
        const orm_column *c = orm_model_column(target, cols[k]);
        if (!c)
            goto done;
        if (k)
            sql_raw(&sb, " AND ");
        sql_match(&sb, c, values[k]);
    }
    sql_raw(&sb, " LIMIT 1");
    if (!sql_ok(&sb) ||
        db_stmt_acquire(f->db, orm_buf_str(&sb.text), sb.nparams, 0, &st) ||
        db_stmt_bind(f->db, &st, sb.params, sb.types, sb.nparams))
        goto done;
    int rc = db_stmt_step(f->db, &st);
    found = rc == ORM_ROW ? 1 : rc == ORM_DONE ? 0 : -1;
done:
    db_stmt_release(f->db, &st);
    sql_free(&sb);
    return found;
}

/* Which foreign key of the record points at no row? (SQLite does not
 * say.) Fills the columns and the referenced side. */
static int probe_missing_reference(flush_ctx *f, flush_failure *ff,
                                   const orm_record *rec)
{
    const orm_model *m = rec->model;
    const char *cols[ORM_MAX_KEY], *ref_cols[ORM_MAX_KEY], *ref_table;
    const orm_value *values[ORM_MAX_KEY];
    size_t n;
    for (size_t at = 0; model_fk_at(m, at, cols, &n, &ref_table, ref_cols);
         at++) {
        const orm_model *target = orm_db_find_table(f->db, ref_table);
        int null = 0;
        for (size_t k = 0; k < n; k++) {
            int ci = orm_model_column_index(m, cols[k]);
            values[k] = ci >= 0 ? &rec->values[ci] : NULL;
            null |= !values[k] || values[k]->kind == ORM_VNULL;
        }
        if (null || !target || !resolve_ref_cols(target, ref_cols, n))
            continue;
        if (row_exists(f, target, ref_cols, values, n) == 0) {
            for (size_t k = 0; k < n; k++)
                failure_add_col(ff, m, cols[k]);
            ff->other_table = ref_table;
            ff->nother = n;
            memcpy(ff->other_cols, ref_cols, n * sizeof *ref_cols);
            return 1;
        }
    }
    return 0;
}

/* Which table still refers to the record (its key as loaded)? Only
 * models this database knows are asked; `only` narrows them to one
 * table (the driver named it). Fills both sides. */
static int probe_referencing(flush_ctx *f, flush_failure *ff,
                             const orm_record *rec, const char *only, int ask)
{
    const orm_model *m = rec->model;
    const char *cols[ORM_MAX_KEY], *ref_cols[ORM_MAX_KEY], *ref_table;
    const orm_value *values[ORM_MAX_KEY];
    size_t n;
    for (size_t i = 0; i < orm_db_model_count(f->db); i++) {
        const orm_model *child = orm_db_model_at(f->db, i);
        if (only && strcmp(child->table, only) != 0)
            continue;
        for (size_t at = 0;
             model_fk_at(child, at, cols, &n, &ref_table, ref_cols); at++) {
            if (orm_db_find_table(f->db, ref_table) != m ||
                !resolve_ref_cols(m, ref_cols, n))
                continue;
            int known = 1;
            for (size_t k = 0; k < n; k++) {
                int ci = orm_model_column_index(m, ref_cols[k]);
                known &= ci >= 0;
                values[k] = ci >= 0 ? &rec->original[ci] : NULL;
            }
            if (!known || (ask && row_exists(f, child, cols, values, n) != 1))
                continue;
            for (size_t k = 0; k < n; k++)
                failure_add_col(ff, m, ref_cols[k]);
            ff->other_table = child->table;
            ff->nother = n;
            memcpy(ff->other_cols, cols, n * sizeof *cols);
            return 1;
        }
    }
    return 0;
}

/* Before the rollback: keep the error and find out what needs the
 * failed transaction to be found out. */
void flush_describe_failure(flush_ctx *f, orm_record *rec, int rc,
                            flush_phase phase)
{
    flush_failure *ff = &f->failure;
    const orm_model *m = rec->model;
    orm_error *err = &ff->err;
    ff->rec = rec;
    ff->rc = rc;
    ff->phase = phase;
    ff->ncols = ff->nother = 0;
    ff->other_table = NULL;
    ff->still_referenced = 0;
    orm_error_copy(err, &f->db->err);
    if (rc != ORM_EFOREIGNKEY) {
        failure_cols_from_list(ff, m, err->column);
        if (!ff->ncols)
            failure_cols_from_constraint(ff, m, err->constraint);
        if (!ff->ncols && rc == ORM_ECHECK)
            failure_cols_from_text(ff, m, err->constraint);
        return;
    }
    /* A foreign key: which side? The driver names the referencing
     * table; a delete can only be the referenced side. */
    ff->still_referenced = phase == FLUSH_DELETE ||
                           (err->table && strcmp(err->table, m->table) != 0);
    if (ff->still_referenced) {
        if (!probe_referencing(f, ff, rec, err->table, !err->table) &&
            err->table) {
            ff->other_table = err->table;
            failure_cols_from_list(ff, m, NULL);
        }
        return;
    }
    failure_cols_from_list(ff, m, err->column);
    if (!ff->ncols)
        failure_cols_from_constraint(ff, m, err->constraint);
    if (ff->ncols) {
        /* The referenced side, from the model's key. */
        const char *cols[ORM_MAX_KEY], *ref_cols[ORM_MAX_KEY], *ref_table;
        size_t n;
        const char *first = m->columns[ff->cols[0]].name;
        for (size_t at = 0; model_fk_at(m, at, cols, &n, &ref_table, ref_cols);
             at++) {
            if (strcmp(cols[0], first) != 0)
                continue;
            ff->other_table = ref_table;
            if (resolve_ref_cols(orm_db_find_table(f->db, ref_table), ref_cols,
                                 n)) {
                ff->nother = n;
                memcpy(ff->other_cols, ref_cols, n * sizeof *ref_cols);
            }
            break;
        }
        return;
    }
    /* Nothing named (SQLite): ask the tables. An update may also have
     * moved a key that others still refer to. */
    if (!probe_missing_reference(f, ff, rec) && phase == FLUSH_UPDATE &&
        probe_referencing(f, ff, rec, NULL, 1))
        ff->still_referenced = 1;
}

/* "Account.handle" or "Pair.(region, code)"; "<Account jdoe>" when no
 * column is known. */
static void append_subject(orm_buf *b, const flush_failure *ff,
                           const char *what)
{
    const orm_model *m = ff->rec->model;
    if (!ff->ncols) {
        orm_buf_append(b, what);
        return;
    }
    orm_buf_appendf(b, "%s.%s", m->name, ff->ncols > 1 ? "(" : "");
    for (size_t k = 0; k < ff->ncols; k++)
        orm_buf_appendf(b, "%s%s", k ? ", " : "", m->columns[ff->cols[k]].name);
    if (ff->ncols > 1)
        orm_buf_appendc(b, ')');
}

/* The values of the columns: 9999, "jdoe", ("eu", 7). 0 when one is a
 * secret (then nothing is appended). */
static int append_values(orm_buf *b, const flush_failure *ff, int original)
{
    const orm_record *rec = ff->rec;
    for (size_t k = 0; k < ff->ncols; k++)
        if (rec->model->columns[ff->cols[k]].flags & ORM_SECRET)
            return 0;
    if (ff->ncols > 1)
        orm_buf_appendc(b, '(');
    for (size_t k = 0; k < ff->ncols; k++) {
        const orm_column *c = &rec->model->columns[ff->cols[k]];
        const orm_value *v =
            original ? &rec->original[ff->cols[k]] : &rec->values[ff->cols[k]];
        char *text = orm_value_format(v, c);
        if (k)
            orm_buf_append(b, ", ");
        if (!text)
            orm_buf_append(b, "NULL");
        else if (v->kind == ORM_VTEXT)
            orm_buf_appendf(b, "\"%s\"", text);
        else
            orm_buf_append(b, text);
        free(text);
    }
    if (ff->ncols > 1)
        orm_buf_appendc(b, ')');
    return 1;
}

/* " conf_posts (account_id)" */
static void append_other(orm_buf *b, const flush_failure *ff)
{
    orm_buf_appendf(b, " %s", ff->other_table);
    for (size_t k = 0; k < ff->nother; k++)
        orm_buf_appendf(b, "%s%s", k ? ", " : " (", ff->other_cols[k]);
    if (ff->nother)
        orm_buf_appendc(b, ')');
}

/* After the subject: why the database refused the record. */
static void append_reason(orm_buf *msg, const flush_failure *ff)
{
    const orm_error *err = &ff->err;
    switch (ff->rc) {
    case ORM_EUNIQUE:
        if (!ff->ncols) {
            orm_buf_append(msg, ": another record already has these values");
            if (err->constraint)
                orm_buf_appendf(msg, " (constraint %s)", err->constraint);
            break;
        }
        orm_buf_append(msg, ": ");
        if (!append_values(msg, ff, 0))
            orm_buf_append(msg, "this value");
        orm_buf_append(msg, " is already taken");
        break;
    case ORM_ENOTNULL:
        orm_buf_append(msg, ff->ncols ? ": a value is required (not NULL)"
                                      : ": a required value is missing");
        break;
    case ORM_EFOREIGNKEY:
        if (ff->still_referenced) {
            if (ff->ncols) {
                orm_buf_append(msg, ": ");
                append_values(msg, ff, 1);
            }
            orm_buf_append(msg, " is still referenced by");
            if (ff->other_table)
                append_other(msg, ff);
            else
                orm_buf_append(msg, " other records");
            orm_buf_append(msg, "; delete or change those first");
        } else if (ff->ncols) {
            orm_buf_append(msg, ": ");
            append_values(msg, ff, 0);
            if (ff->other_table) {
                orm_buf_append(msg, " does not exist in");
                append_other(msg, ff);
            } else {
                orm_buf_append(msg, " refers to a record that does not "
                                    "exist");
            }
        } else {
            orm_buf_append(msg, ": a referenced record does not exist");
        }
        break;
    case ORM_ECHECK:
        if (ff->ncols) {
            orm_buf_append(msg, ": ");
            if (!append_values(msg, ff, 0))
                orm_buf_append(msg, "this value");
            orm_buf_append(msg, " is not allowed");
        } else {
            orm_buf_append(msg, ": not allowed");
        }
        if (err->constraint)
            orm_buf_appendf(msg, " by check constraint %s", err->constraint);
        else
            orm_buf_appendf(msg, " (%s)", orm_error_text(err));
        break;
    default:
        orm_buf_appendf(msg, ": %s", orm_error_text(err));
    }
}

void flush_append_busy(orm_buf *msg, const orm_error *err)
{
    orm_buf_appendf(msg,
                    "%s; nothing was written; your changes are kept — "
                    "commit again to retry",
                    err->message && *err->message ? err->message
                                                  : orm_strerror(ORM_EBUSY));
}

/* After the rollback: name what is still unknown through the driver,
 * then write the message and hand it to the session. */
void flush_report_failure(flush_ctx *f)
{
    flush_failure *ff = &f->failure;
    orm_record *rec = ff->rec;
    if (!rec)
        return;
    const orm_model *m = rec->model;
    orm_error *err = &ff->err;
    orm_db *db = f->db;
    int rc = ff->rc;
    if (!ff->ncols && !ff->still_referenced && err->constraint &&
        db->driver->constraint_columns) {
        char **names = NULL;
        size_t n = 0;
        if (db_ensure_connected(db) == 0 &&
            db->driver->constraint_columns(db->conn, m->schema, m->table,
                                           err->constraint, &names, &n) == 0)
            for (size_t k = 0; k < n; k++)
                failure_add_col(ff, m, names[k]);
        for (size_t k = 0; k < n; k++)
            free(names[k]);
        free(names);
    }
    char *repr = orm_record_repr(rec);
    const char *what = repr ? repr : m->table;
    orm_buf msg = ORM_BUF_INIT;
    switch (rc) {
    case ORM_ECONFLICT:
        orm_buf_appendf(&msg,
                        "%s was changed or deleted by someone else since "
                        "it was loaded; reload it or overwrite",
                        what);
        break;
    case ORM_ECONNLOST:
        orm_buf_appendf(&msg,
                        "connection lost while saving %s; nothing was "
                        "written, your changes are kept — commit again",
                        what);
        break;
    case ORM_EBUSY:
        flush_append_busy(&msg, err);
        break;
    case ORM_ECANCELLED:
        orm_buf_appendf(&msg,
                        "commit cancelled while saving %s; nothing was "
                        "written, your changes are kept — commit again",
                        what);
        break;
    default:
        append_subject(&msg, ff, what);
        append_reason(&msg, ff);
    }
    char *text = orm_buf_finish(&msg);
    free(err->message);
    err->message = text;
    err->code = rc;
    /* (other_table may point into err->table: set it last.) */
    orm_error_set_column(err, ff->ncols ? m->columns[ff->cols[0]].name : NULL);
    orm_error_set_table(err, m->table);
    session_fail(f->s, err);
    session_set_failed(f->s, rec);
    orm_error_clear(err);
    ff->rec = NULL;
    free(repr);
}
