/*
 * Opening the database orb works on: the URL from the command line or the
 * demo database, the password main.c found (prompt or ORB_PASSWORD), the
 * models file, and reflection of
 * every table no model covers. Errors become one line on `err` and an
 * exit status; no message ever carries the password.
 */
#include <stdlib.h>
#include <string.h>

#include "orm/sys/buf.h"
#include "tui.h"

/* Defined in demo.c (it would belong in tui.h). */

/* `text` with every occurrence of `secret` replaced by "***" (owned).
 * Belt and braces: drivers keep passwords out of messages already. */
static char *scrub(const char *text, const char *secret)
{
    orm_buf b = ORM_BUF_INIT;
    size_t n = secret ? strlen(secret) : 0;
    if (n < 3)
        return orm_strdup(text);
    for (const char *p = text; *p;) {
        const char *hit = strstr(p, secret);
        if (!hit) {
            orm_buf_append(&b, p);
            break;
        }
        orm_buf_appendn(&b, p, (size_t)(hit - p));
        orm_buf_append(&b, "***");
        p = hit + n;
    }
    return orm_buf_finish(&b);
}

/* Print one built line (and free it), scrubbed of `secret`. */
static void print_line(FILE *err, const char *secret, orm_buf *line)
{
    char *clean = line->failed ? NULL : scrub(orm_buf_str(line), secret);
    fprintf(err, "%s\n", clean ? clean : "orb: out of memory");
    free(clean);
    orm_buf_free(line);
}

/* Load the models file and register its models. Every problem is printed
 * as "path:line: message" and stops orb (exit 2): a model it left out
 * would otherwise be reflected or missing without anyone noticing. */
static int load_models(orm_db *db, const char *path, FILE *err)
{
    orm_modelfile *mf = NULL;
    orm_error e = ORM_ERROR_INIT;
    int rc = orm_modelfile_load(&mf, path, &e);
    int status = 0;

    if (rc == ORM_EIO || (rc && !mf)) {
        fprintf(err, "orb: %s\n", orm_error_text(&e));
        status = rc == ORM_EIO ? 2 : 1;
        goto done;
    }
    if (mf->nproblems) {
        char *text = orm_modelfile_problems_text(mf);
        fprintf(err, "%s\norb: %s\n", text ? text : "orb: out of memory",
                orm_error_text(&e));
        free(text);
        status = 2;
        goto done;
    }
    for (size_t i = 0; i < mf->nmodels; i++) {
        orm_model *m = mf->models[i];
        if (!m)
            continue;
        mf->models[i] = NULL;
        if (orm_db_register(db, m) != 0) {
            orm_model_free(m);
            fprintf(err, "orb: out of memory\n");
            status = 1;
            goto done;
        }
    }
done:
    orm_modelfile_free(mf);
    orm_error_clear(&e);
    return status;
}

/* Read the schema of what is not declared: the one model a command
 * reads when a table has exactly its name (or is "schema.table" of the
 * current schema), else every table. Each table costs the network
 * dialects a few queries, so a command on one table of a big schema does
 * not pay for the others. */
static int reflect(orm_db *db, const char *one_model)
{
    if (one_model) {
        const orm_model *found = NULL;
        int rc = orm_db_lookup_model(db, one_model, &found);
        if (rc == 0)
            return 0;
        if (rc != ORM_DONE)
            return rc;
    }
    if (one_model && !strchr(one_model, '.')) {
        orm_model *model = NULL;
        int rc = orm_db_reflect(db, one_model, &model);
        if (rc == 0) {
            if ((rc = orm_db_register(db, model)) != 0)
                orm_model_free(model);
            return rc;
        }
        if (rc != ORM_ENOTFOUND)
            return rc;
    }
    return orm_db_reflect_all(db);
}

int tui_open_db(orm_db **out, const tui_options *opts, FILE *err)
{
    return tui_open_db_watched(out, opts, err, NULL, NULL);
}

int tui_open_db_watched(orm_db **out, const tui_options *opts, FILE *err,
                        void (*opening)(orm_db *db, void *payload),
                        void *payload)
{
    orm_open_options oo = ORM_OPEN_OPTIONS_INIT;
    orm_error e = ORM_ERROR_INIT;
    orm_buf line = ORM_BUF_INIT;
    orm_url *parsed = NULL;
    orm_db *db = NULL;
    char *demo_url = NULL, *shown = NULL;
    const char *url = opts->url;
    const char *password = opts->password;
    int status = 0;

    *out = NULL;
    if (password && !*password)
        password = NULL;
    if (!url) {
        if (tui_demo_ensure(&demo_url, &e) != 0) {
            fprintf(err, "orb: cannot create the demo database: %s\n",
                    orm_error_text(&e));
            status = 1;
            goto done;
        }
        url = demo_url;
    }
    /* A URL that does not parse is a usage error, told apart here. */
    if (orm_url_parse(&parsed, url, &e) != 0) {
        orm_buf_appendf(&line, "orb: invalid URL: %s", orm_error_text(&e));
        print_line(err, password, &line);
        status = 2;
        goto done;
    }
    shown = orm_url_format(parsed, 1);
    if (!shown) {
        fprintf(err, "orb: out of memory\n");
        status = 1;
        goto done;
    }
    oo.read_only = opts->read_only;
    oo.password = password;
    oo.must_exist = !opts->create;
    if (orm_db_open(&db, url, &oo) != 0) {
        const char *reason =
            db ? orm_error_text(orm_db_error(db)) : "out of memory";
        const char *url_password = parsed->password;
        /* Scrub both the given and the URL's password. */
        char *clean = scrub(reason, url_password);
        orm_buf_appendf(&line, "orb: cannot open %s: %s", shown,
                        clean ? clean : "out of memory");
        if (db && orm_db_error(db)->code == ORM_ENOTFOUND)
            orm_buf_append(&line, " (create-all creates a database, as "
                                  "does ?mode=rwc in the URL)");
        print_line(err, password, &line);
        free(clean);
        status = 1;
        goto done;
    }
    if (opening)
        opening(db, payload);
    if (!opts->url && tui_demo_register(db) != 0) {
        fprintf(err, "orb: out of memory\n");
        status = 1;
        goto done;
    }
    if (opts->models_file &&
        (status = load_models(db, opts->models_file, err)) != 0)
        goto done;
    if (reflect(db, opts->one_model) != 0) {
        orm_buf_appendf(&line, "orb: cannot read the tables of %s: %s", shown,
                        orm_error_text(orm_db_error(db)));
        print_line(err, password, &line);
        status = 1;
        goto done;
    }
    *out = db;
    db = NULL;
done:
    if (db && opening)
        opening(NULL, payload);
    orm_buf_free(&line);
    orm_db_free(db);
    orm_url_free(parsed);
    orm_error_clear(&e);
    free(demo_url);
    free(shown);
    return status;
}
