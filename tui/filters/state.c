/*
 * orb's state database: saved filters and filter history, written through
 * orb's own ORM to a SQLite file. Rows are keyed by the browsed database's
 * URL without password, so one state file serves every database. What a
 * user filtered for can say much about the data, so the file is the
 * user's alone (0600, in a 0700 folder) and every write is one SQLite
 * transaction (its rollback journal makes it all or nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "orm/sys/buf.h"
#include "paths.h"
#include "state.h"

#define HISTORY_KEEP 50

static const char *const filter_unique_cols[] = {"db_url", "name"};
static const orm_unique filter_uniques[] = {
    {"uq_saved_filters_db_url_name", 2, filter_unique_cols}};
static const orm_column filter_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "db_url", .type = ORM_TEXT, .flags = ORM_NOT_NULL},
    {.name = "name", .type = ORM_STRING, .length = 200, .flags = ORM_NOT_NULL},
    {.name = "model", .type = ORM_STRING, .length = 200, .flags = ORM_NOT_NULL},
    {.name = "expr", .type = ORM_TEXT, .flags = ORM_NOT_NULL},
    {.name = "created", .type = ORM_DATETIME, .default_gen = "now()"},
    {.name = "last_used", .type = ORM_DATETIME},
};
static const orm_model SavedFilter = {.name = "SavedFilter",
                                      .table = "saved_filters",
                                      .columns = filter_columns,
                                      .ncolumns = 7,
                                      .uniques = filter_uniques,
                                      .nuniques = 1};

static const orm_column history_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "db_url", .type = ORM_TEXT, .flags = ORM_NOT_NULL},
    {.name = "model", .type = ORM_STRING, .length = 200, .flags = ORM_NOT_NULL},
    {.name = "expr", .type = ORM_TEXT, .flags = ORM_NOT_NULL},
    {.name = "used",
     .type = ORM_DATETIME,
     .flags = ORM_NOT_NULL,
     .default_gen = "now()"},
};
static const orm_model FilterHistory =
    ORM_MODEL("FilterHistory", "filter_history", history_columns);

struct tui_state {
    orm_db *db;
    char *path;
    char *db_url;
};

/* Make `path` a regular file only its owner can read and write, before
 * SQLite opens it (SQLite would create it 0644, and gives its journal the
 * file's own mode). A file made by an older orb is narrowed; one of
 * someone else's is left as it is. */
static int state_file_private(const char *path, orm_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    int rc = 0;
    if (fd < 0)
        return orm_error_set(err, ORM_EIO, "state file '%s': %s", path,
                             strerror(errno));
    if (fstat(fd, &st) != 0)
        rc = orm_error_set(err, ORM_EIO, "state file '%s': %s", path,
                           strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = orm_error_set(err, ORM_EINVALID,
                           "state file '%s' is not a regular file", path);
    else if (st.st_uid == geteuid() && (st.st_mode & 077) &&
             fchmod(fd, st.st_mode & 0700) != 0)
        rc = orm_error_set(err, ORM_EIO, "state file '%s': %s", path,
                           strerror(errno));
    close(fd);
    return rc;
}

/* The default state folder ($XDG_DATA_HOME/orb) is the user's alone too,
 * also when an older orb made it 0755. */
static int state_dir_private(const char *path, orm_error *err)
{
    char *dir = orm_strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    struct stat st;
    int rc = 0;
    if (!dir)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (slash && slash != dir) {
        *slash = '\0';
        if (stat(dir, &st) == 0 && st.st_uid == geteuid() &&
            (st.st_mode & 077) && chmod(dir, st.st_mode & 0700) != 0)
            rc = orm_error_set(err, ORM_EIO, "state folder '%s': %s", dir,
                               strerror(errno));
    }
    free(dir);
    return rc;
}

int tui_state_open(tui_state **out, const char *path, const char *db_url,
                   orm_error *err)
{
    tui_state *st = tui_calloc(1, sizeof *st);
    orm_buf url = ORM_BUF_INIT;
    int rc;
    *out = NULL;
    if (!st)
        return orm_error_set(err, ORM_ENOMEM, "out of memory");
    if (path)
        st->path = orm_strdup(path);
    else if ((rc = tui_data_path(&st->path, "state.db", err)) != 0 ||
             (rc = state_dir_private(st->path, err)) != 0)
        goto fail;
    st->db_url = orm_strdup(db_url);
    if (!st->path || !st->db_url) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = state_file_private(st->path, err)) != 0)
        goto fail;
    /* sqlite:/// + "/abs" gives the four-slash absolute form. */
    orm_buf_append(&url, "sqlite:///");
    orm_buf_append(&url, st->path);
    if (!orm_buf_str(&url)) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto fail;
    }
    rc = orm_db_open(&st->db, orm_buf_str(&url), NULL);
    if (rc == 0)
        rc = orm_db_register(st->db, &SavedFilter);
    if (rc == 0)
        rc = orm_db_register(st->db, &FilterHistory);
    if (rc == 0)
        rc = orm_db_create_all(st->db);
    if (rc) {
        orm_error_set(err, rc, "state file '%s': %s", st->path,
                      st->db ? orm_error_text(orm_db_error(st->db))
                             : orm_strerror(rc));
        goto fail;
    }
    orm_buf_free(&url);
    *out = st;
    return 0;
fail:
    orm_buf_free(&url);
    tui_state_free(st);
    return rc;
}

void tui_state_free(tui_state *st)
{
    if (!st)
        return;
    orm_db_free(st->db);
    free(st->path);
    free(st->db_url);
    free(st);
}

const char *tui_state_path(const tui_state *st)
{
    return st->path;
}

void tui_saved_filter_clear(tui_saved_filter *f)
{
    if (!f)
        return;
    free(f->name);
    free(f->model);
    free(f->expr);
    free(f->last_used);
    memset(f, 0, sizeof *f);
}

void tui_saved_filters_free(tui_saved_filter *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        tui_saved_filter_clear(&list[i]);
    free(list);
}

void tui_strings_free(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free(list[i]);
    free(list);
}

/* ---- helpers ---- */

/* Copy a session failure into err (the message names what went wrong). */
static int fail_with(orm_error *err, orm_session *s, int rc)
{
    if (s && orm_session_error(s)->code == rc)
        orm_error_copy(err, orm_session_error(s));
    else if (!err || err->code != rc)
        orm_error_set(err, rc, "%s", orm_strerror(rc));
    return rc;
}

static char *text_dup(const orm_record *rec, const char *col)
{
    const orm_value *v = orm_record_get(rec, col);
    if (!v || v->kind == ORM_VNULL)
        return NULL;
    return orm_value_format(v, orm_model_column(orm_record_model(rec), col));
}

/* The saved filter record with this name, in session s. */
static int find_filter(tui_state *st, orm_session *s, const char *name,
                       orm_record **out, orm_error *err)
{
    orm_query *q = NULL;
    orm_value url = orm_value_text(st->db_url);
    orm_value n = orm_value_text(name);
    int rc = orm_query_new(&q, s, &SavedFilter);
    if (rc == 0)
        rc = orm_query_filter_by(q, "db_url", &url);
    if (rc == 0)
        rc = orm_query_filter_by(q, "name", &n);
    if (rc == 0)
        rc = orm_query_first(q, out);
    orm_query_free(q);
    if (rc == ORM_DONE)
        return orm_error_set(err, ORM_ENOTFOUND, "no saved filter named '%s'",
                             name);
    return rc < 0 ? fail_with(err, s, rc) : 0;
}

static int set_text(orm_record *rec, const char *col, const char *text,
                    orm_error *err)
{
    orm_value v = orm_value_text(text);
    return orm_record_set(rec, col, &v, err);
}

static int set_now(orm_record *rec, const char *col, orm_error *err)
{
    orm_value now = ORM_VALUE_NULL_INIT;
    int rc = orm_default_generate(&now, "now()", err);
    if (rc == 0)
        rc = orm_record_set(rec, col, &now, err);
    orm_value_clear(&now);
    return rc;
}

/* ---- saved filters ---- */

int tui_state_filter_save(tui_state *st, const char *name, const char *model,
                          const char *expr, int replace, orm_error *err)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    int rc;
    if (!*name)
        return orm_error_set(err, ORM_EINVALID, "a filter needs a name");
    if ((rc = orm_session_new(&s, st->db)) != 0)
        return orm_error_set(err, rc, "out of memory");
    rc = find_filter(st, s, name, &rec, err);
    if (rc == 0 && !replace) {
        rc = orm_error_set(err, ORM_EUNIQUE,
                           "a filter named '%s' already exists", name);
        goto done;
    }
    if (rc == ORM_ENOTFOUND) {
        orm_error_clear(err);
        rec = NULL;
        if ((rc = orm_record_new(&rec, &SavedFilter)) != 0 ||
            (rc = set_text(rec, "db_url", st->db_url, err)) != 0 ||
            (rc = set_text(rec, "name", name, err)) != 0 ||
            (rc = orm_session_add(s, rec)) != 0) {
            orm_record_free(rec);
            goto done;
        }
    } else if (rc) {
        goto done;
    }
    if ((rc = set_text(rec, "model", model, err)) != 0 ||
        (rc = set_text(rec, "expr", expr, err)) != 0)
        goto done;
    if ((rc = orm_session_commit(s)) != 0)
        fail_with(err, s, rc);
done:
    orm_session_free(s);
    return rc;
}

static int filter_from_record(tui_saved_filter *out, const orm_record *rec)
{
    memset(out, 0, sizeof *out);
    out->name = text_dup(rec, "name");
    out->model = text_dup(rec, "model");
    out->expr = text_dup(rec, "expr");
    out->last_used = text_dup(rec, "last_used");
    if (!out->name || !out->model || !out->expr) {
        tui_saved_filter_clear(out);
        return ORM_ENOMEM;
    }
    return 0;
}

int tui_state_filter_get(tui_state *st, const char *name, tui_saved_filter *out,
                         orm_error *err)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    int rc = orm_session_new(&s, st->db);
    if (rc)
        return orm_error_set(err, rc, "out of memory");
    rc = find_filter(st, s, name, &rec, err);
    if (rc == 0 && (rc = filter_from_record(out, rec)) != 0)
        orm_error_set(err, rc, "out of memory");
    orm_session_free(s);
    return rc;
}

int tui_state_filter_list(tui_state *st, const char *model,
                          tui_saved_filter **out, size_t *count, orm_error *err)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    orm_value url = orm_value_text(st->db_url);
    int rc = orm_session_new(&s, st->db);
    *out = NULL;
    *count = 0;
    if (rc == 0)
        rc = orm_query_new(&q, s, &SavedFilter);
    if (rc == 0)
        rc = orm_query_filter_by(q, "db_url", &url);
    if (rc == 0 && model) {
        orm_value m = orm_value_text(model);
        rc = orm_query_filter_by(q, "model", &m);
    }
    if (rc == 0)
        rc = orm_query_order_by(q, "name", 0);
    if (rc == 0)
        rc = orm_query_all(q, &rows, &n);
    if (rc) {
        fail_with(err, s, rc);
        goto done;
    }
    *out = tui_calloc(n ? n : 1, sizeof **out);
    if (!*out) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if ((rc = filter_from_record(&(*out)[i], rows[i])) != 0) {
            tui_saved_filters_free(*out, i);
            *out = NULL;
            rc = orm_error_set(err, rc, "out of memory");
            goto done;
        }
    }
    *count = n;
done:
    free(rows);
    orm_query_free(q);
    orm_session_free(s);
    return rc;
}

/* Find a filter, apply `change` to it, commit. */
static int update_filter(tui_state *st, const char *name,
                         int (*change)(orm_session *, orm_record *,
                                       const char *, orm_error *),
                         const char *arg, orm_error *err)
{
    orm_session *s = NULL;
    orm_record *rec = NULL;
    int rc = orm_session_new(&s, st->db);
    if (rc)
        return orm_error_set(err, rc, "out of memory");
    rc = find_filter(st, s, name, &rec, err);
    if (rc == 0)
        rc = change(s, rec, arg, err);
    if (rc == 0 && (rc = orm_session_commit(s)) != 0)
        fail_with(err, s, rc);
    orm_session_free(s);
    return rc;
}

static int change_delete(orm_session *s, orm_record *rec, const char *arg,
                         orm_error *err)
{
    (void)arg;
    (void)err;
    return orm_session_delete(s, rec);
}

static int change_touch(orm_session *s, orm_record *rec, const char *arg,
                        orm_error *err)
{
    (void)s;
    (void)arg;
    return set_now(rec, "last_used", err);
}

static int change_rename(orm_session *s, orm_record *rec, const char *arg,
                         orm_error *err)
{
    (void)s;
    return set_text(rec, "name", arg, err);
}

int tui_state_filter_delete(tui_state *st, const char *name, orm_error *err)
{
    return update_filter(st, name, change_delete, NULL, err);
}

int tui_state_filter_touch(tui_state *st, const char *name, orm_error *err)
{
    return update_filter(st, name, change_touch, NULL, err);
}

int tui_state_filter_rename(tui_state *st, const char *old_name,
                            const char *new_name, orm_error *err)
{
    if (!*new_name)
        return orm_error_set(err, ORM_EINVALID, "a filter needs a name");
    int rc = update_filter(st, old_name, change_rename, new_name, err);
    if (rc == ORM_EUNIQUE)
        orm_error_set(err, rc, "a filter named '%s' already exists", new_name);
    return rc;
}

char *tui_state_model_key(const orm_model *model)
{
    return orm_name_join(model->schema && *model->schema ? model->schema : NULL,
                         model->table);
}

int tui_state_filter_is_for(const tui_saved_filter *f, const orm_model *model)
{
    char *key = tui_state_model_key(model);
    int same = key && f->model && strcmp(key, f->model) == 0;
    free(key);
    return same;
}

int tui_state_filter_parse(const tui_saved_filter *f, const orm_model *model,
                           orm_expr **out, orm_error *err)
{
    orm_error why = ORM_ERROR_INIT;
    int rc = orm_filter_parse(out, f->expr, model, &why);
    if (rc) {
        size_t pos = why.position;
        orm_error_set(err, rc, "saved filter '%s': %s", f->name,
                      orm_error_text(&why));
        if (err) {
            err->position = pos;
            if (why.column)
                orm_error_set_column(err, why.column);
        }
    }
    orm_error_clear(&why);
    return rc;
}

/* ---- history ---- */

static int history_query(tui_state *st, orm_session *s, const char *model,
                         orm_query **out)
{
    orm_value url = orm_value_text(st->db_url);
    orm_value m = orm_value_text(model);
    int rc = orm_query_new(out, s, &FilterHistory);
    if (rc == 0)
        rc = orm_query_filter_by(*out, "db_url", &url);
    if (rc == 0)
        rc = orm_query_filter_by(*out, "model", &m);
    if (rc == 0)
        rc = orm_query_order_by(*out, "used", 1);
    if (rc == 0)
        rc = orm_query_order_by(*out, "id", 1);
    return rc;
}

int tui_state_history_add(tui_state *st, const char *model, const char *expr,
                          orm_error *err)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL, *rec = NULL;
    size_t n = 0;
    int rc = orm_session_new(&s, st->db);
    if (rc == 0)
        rc = history_query(st, s, model, &q);
    if (rc == 0)
        rc = orm_query_all(q, &rows, &n);
    if (rc) {
        fail_with(err, s, rc);
        goto done;
    }
    /* Drop an older copy of the same filter and anything past the limit. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        const orm_value *e = orm_record_get(rows[i], "expr");
        if (strcmp(e->u.s.ptr, expr) == 0 || i + 1 >= HISTORY_KEEP)
            rc = orm_session_delete(s, rows[i]);
    }
    if (rc == 0 && (rc = orm_record_new(&rec, &FilterHistory)) == 0) {
        if ((rc = set_text(rec, "db_url", st->db_url, err)) != 0 ||
            (rc = set_text(rec, "model", model, err)) != 0 ||
            (rc = set_text(rec, "expr", expr, err)) != 0 ||
            (rc = orm_session_add(s, rec)) != 0)
            orm_record_free(rec);
    }
    if (rc == 0 && (rc = orm_session_commit(s)) != 0)
        fail_with(err, s, rc);
done:
    free(rows);
    orm_query_free(q);
    orm_session_free(s);
    return rc;
}

int tui_state_history_list(tui_state *st, const char *model, size_t limit,
                           char ***out, size_t *count, orm_error *err)
{
    orm_session *s = NULL;
    orm_query *q = NULL;
    orm_record **rows = NULL;
    size_t n = 0;
    int rc = orm_session_new(&s, st->db);
    *out = NULL;
    *count = 0;
    if (rc == 0)
        rc = history_query(st, s, model, &q);
    if (rc == 0) {
        orm_query_limit(q, (int64_t)limit);
        rc = orm_query_all(q, &rows, &n);
    }
    if (rc) {
        fail_with(err, s, rc);
        goto done;
    }
    *out = tui_calloc(n ? n : 1, sizeof **out);
    for (size_t i = 0; *out && i < n; i++) {
        if (!((*out)[i] = text_dup(rows[i], "expr"))) {
            tui_strings_free(*out, i);
            *out = NULL;
        }
    }
    if (!*out)
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
    else
        *count = n;
done:
    free(rows);
    orm_query_free(q);
    orm_session_free(s);
    return rc;
}
