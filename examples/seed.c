/*
 * The Flask-SQLAlchemy tutorial, step by step, in C with orb's ORM.
 *
 *     seed [URL]          default: sqlite:///app_data.db
 *
 * Each section below is one step of the tutorial (the Python it stands
 * for is quoted above it). The program prints what each step returns in a
 * stable form, without secrets or timestamps, so that tests/test_seed.c
 * can check that SQLite, PostgreSQL and MySQL/MariaDB all give the same
 * answers. It starts by dropping the accounts table: every run begins
 * from an empty table and prints the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orm/orm.h"

/*
 * class Account(db.Model):
 *     __tablename__ = 'accounts'
 *     id = db.Column(db.Integer, primary_key=True)
 *     handle = db.Column(db.String(50), unique=True, nullable=False)
 *     secret_key = db.Column(db.String(128))   # secrets.token_hex(16)
 *     def __repr__(self): return f"<Account {self.handle}>"
 *
 * A model is plain data. The secret key gets its default from a
 * generator, as __init__ did, and ORM_SECRET keeps it off screens.
 */
static const orm_column account_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "handle",
     .type = ORM_STRING,
     .length = 50,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
    {.name = "secret_key",
     .type = ORM_STRING,
     .length = 128,
     .flags = ORM_SECRET,
     .default_gen = "token_hex(16)"},
};

static const orm_model Account = {
    .name = "Account",
    .table = "accounts",
    .repr = "<Account {handle}>",
    .columns = account_columns,
    .ncolumns = sizeof account_columns / sizeof account_columns[0],
};

/* ---- printing results ---- */

static void print_record(const char *step, orm_record *rec)
{
    char *repr = rec ? orm_record_repr(rec) : NULL;
    printf("%s: %s\n", step, rec ? (repr ? repr : "?") : "None");
    free(repr);
}

static void print_records(const char *step, orm_record **recs, size_t n)
{
    printf("%s: [", step);
    for (size_t i = 0; i < n; i++) {
        char *repr = orm_record_repr(recs[i]);
        printf("%s%s", i ? ", " : "", repr ? repr : "?");
        free(repr);
    }
    printf("]\n");
}

static int64_t record_id(const orm_record *rec)
{
    const orm_value *id = orm_record_get(rec, "id");
    return id && id->kind == ORM_VINT ? id->u.i : -1;
}

/* Every failure ends the program with the step and the ORM's message. */
static int failed(const char *step, const orm_error *err)
{
    fprintf(stderr, "seed: %s: %s\n", step, orm_error_text(err));
    return 1;
}

/* Account(handle=...): a new record, not yet in the session. */
static int new_account(orm_record **out, const char *handle, orm_error *err)
{
    orm_value v = orm_value_text(handle);
    int rc = orm_record_new(out, &Account);
    if (rc)
        return orm_error_set(err, rc, "out of memory");
    rc = orm_record_set(*out, "handle", &v, err);
    if (rc) {
        orm_record_free(*out);
        *out = NULL;
    }
    return rc;
}

/* Account.query.filter_by(handle=...).first() */
static int first_by_handle(orm_session *s, const char *handle, orm_record **out)
{
    orm_query *q = NULL;
    orm_value v = orm_value_text(handle);
    int rc = orm_query_new(&q, s, &Account);
    if (rc == 0)
        rc = orm_query_filter_by(q, "handle", &v);
    if (rc == 0)
        rc = orm_query_first(q, out); /* ORM_ROW, or ORM_DONE: None */
    orm_query_free(q);
    return rc;
}

/* Account.query.filter(expr).all(), printed. Takes ownership of expr. */
static int print_filter(orm_session *s, const char *step, orm_expr *expr)
{
    orm_query *q = NULL;
    orm_record **recs = NULL;
    size_t n = 0;
    int rc = orm_query_new(&q, s, &Account);
    if (rc) {
        orm_expr_free(expr);
        return rc;
    }
    rc = orm_query_filter(q, expr); /* NULL expr (no memory) fails here */
    if (rc == 0)
        rc = orm_query_all(q, &recs, &n);
    if (rc == 0)
        print_records(step, recs, n);
    else
        failed(step, orm_query_error(q));
    free(recs); /* the array is ours; the records belong to the session */
    orm_query_free(q);
    return rc;
}

int main(int argc, char **argv)
{
    /* app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///app_data.db' */
    const char *url = argc > 1 ? argv[1] : "sqlite:///app_data.db";
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL;
    orm_error err = ORM_ERROR_INIT;
    int status = 1;

    if (orm_db_open(&db, url, NULL) != 0) {
        failed("open", db ? orm_db_error(db) : &err);
        goto done;
    }
    if (orm_db_register(db, &Account) != 0 || orm_session_new(&s, db) != 0) {
        fprintf(stderr, "seed: out of memory\n");
        goto done;
    }

    /* A clean start, so that every run prints the same ids. */
    if (orm_db_drop_table(db, &Account) != 0) {
        failed("drop accounts", orm_db_error(db));
        goto done;
    }

    /* db.create_all() */
    if (orm_db_create_all(db) != 0) {
        failed("create_all", orm_db_error(db));
        goto done;
    }
    printf("create_all: %s\n", Account.table);

    /* new_user = Account(handle='jdoe', secret='supersecret')
     * db.session.add(new_user); db.session.commit(); print(new_user.id) */
    if (new_account(&rec, "jdoe", &err) != 0) {
        failed("Account(handle='jdoe')", &err);
        goto done;
    }
    if (orm_session_add(s, rec) != 0 || orm_session_commit(s) != 0) {
        failed("add jdoe", orm_session_error(s));
        goto done;
    }
    printf("add + commit: new_user.id = %lld\n", (long long)record_id(rec));
    {
        /* The secret was generated on add; say what it looks like only. */
        const orm_value *key = orm_record_get(rec, "secret_key");
        size_t hex = 0;
        for (size_t i = 0; key && key->kind == ORM_VTEXT && i < key->u.s.len;
             i++)
            hex += strchr("0123456789abcdef", key->u.s.ptr[i]) != NULL;
        printf("secret_key: %zu hex characters\n", hex);
    }

    /* user = Account.query.get(1) */
    {
        orm_value pk = orm_value_int(1);
        orm_record *user = NULL;
        int rc = orm_session_get(s, &Account, &pk, &user);
        if (rc < 0) {
            failed("get(1)", orm_session_error(s));
            goto done;
        }
        print_record("query.get(1)", rc == ORM_ROW ? user : NULL);
    }

    /* user = Account.query.filter_by(handle='jdoe').first() */
    {
        orm_record *user = NULL;
        if (first_by_handle(s, "jdoe", &user) < 0) {
            failed("filter_by", orm_session_error(s));
            goto done;
        }
        print_record("filter_by(handle='jdoe').first()", user);
    }

    /* users = Account.query.filter(Account.handle.like('%doe%')).all() */
    if (print_filter(s, "filter(handle.like('%doe%')).all()",
                     orm_like(orm_col("handle"), orm_str("%doe%"))) != 0)
        goto done;

    /* Somebody to find with or_ and and_: alice, bob, users up to id 13,
     * with admin at id 12. */
    {
        static const char *const handles[] = {
            "alice",  "bob",    "user04", "user05", "user06", "user07",
            "user08", "user09", "user10", "user11", "admin",  "user13"};
        for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++) {
            if (new_account(&rec, handles[i], &err) != 0) {
                failed("Account(handle=...)", &err);
                goto done;
            }
            if (orm_session_add(s, rec) != 0) {
                orm_record_free(rec);
                failed("add", orm_session_error(s));
                goto done;
            }
        }
        if (orm_session_commit(s) != 0) {
            failed("add accounts", orm_session_error(s));
            goto done;
        }
        printf("add + commit: %zu more accounts, last id %lld\n",
               sizeof handles / sizeof handles[0], (long long)record_id(rec));
    }

    /* results = Account.query.filter(or_(Account.handle == 'alice',
     *                                    Account.handle == 'bob')).all() */
    if (print_filter(s, "filter(or_(handle == 'alice', handle == 'bob')).all()",
                     orm_or(orm_eq(orm_col("handle"), orm_str("alice")),
                            orm_eq(orm_col("handle"), orm_str("bob")))) != 0)
        goto done;

    /* results = Account.query.filter(and_(Account.handle != 'admin',
     *                                     Account.id > 10)).all() */
    if (print_filter(s, "filter(and_(handle != 'admin', id > 10)).all()",
                     orm_and(orm_ne(orm_col("handle"), orm_str("admin")),
                             orm_gt(orm_col("id"), orm_int(10)))) != 0)
        goto done;

    /* The same conditions in orb's filter language, as `orb rows
     * accounts --where` and the browser take them. */
    {
        orm_expr *e = NULL;
        if (orm_filter_parse(&e, "handle != 'admin' and id > 10", &Account,
                             &err) != 0) {
            failed("filter language", &err);
            goto done;
        }
        if (print_filter(s, "where \"handle != 'admin' and id > 10\"", e))
            goto done;
    }

    /* target = Account.query.filter_by(handle='jdoe').first()
     * if target: target.handle = 'jane_doe'; db.session.commit() */
    {
        orm_record *target = NULL;
        orm_value v = orm_value_text("jane_doe");
        if (first_by_handle(s, "jdoe", &target) < 0) {
            failed("filter_by", orm_session_error(s));
            goto done;
        }
        if (target) {
            if (orm_record_set(target, "handle", &v, &err) != 0) {
                failed("target.handle = 'jane_doe'", &err);
                goto done;
            }
            if (orm_session_commit(s) != 0) {
                failed("update", orm_session_error(s));
                goto done;
            }
        }
        print_record("update + commit", target);
    }
    {
        orm_record *user = NULL;
        if (first_by_handle(s, "jdoe", &user) < 0) {
            failed("filter_by", orm_session_error(s));
            goto done;
        }
        print_record("filter_by(handle='jdoe').first()", user);
    }

    /* target = Account.query.filter_by(handle='jane_doe').first()
     * if target: db.session.delete(target); db.session.commit() */
    {
        orm_record *target = NULL;
        if (first_by_handle(s, "jane_doe", &target) < 0) {
            failed("filter_by", orm_session_error(s));
            goto done;
        }
        if (target) {
            print_record("delete + commit", target);
            if (orm_session_delete(s, target) != 0 ||
                orm_session_commit(s) != 0) {
                failed("delete", orm_session_error(s));
                goto done;
            }
        }
    }
    {
        orm_record *user = NULL;
        if (first_by_handle(s, "jane_doe", &user) < 0) {
            failed("filter_by", orm_session_error(s));
            goto done;
        }
        print_record("filter_by(handle='jane_doe').first()", user);
    }

    /* Account.query.count() */
    {
        orm_query *q = NULL;
        int64_t n = 0;
        if (orm_query_new(&q, s, &Account) != 0 ||
            orm_query_count(q, &n) != 0) {
            failed("count", q ? orm_query_error(q) : orm_session_error(s));
            orm_query_free(q);
            goto done;
        }
        orm_query_free(q);
        printf("query.count(): %lld\n", (long long)n);
    }
    status = 0;

done:
    orm_session_free(s);
    orm_db_free(db);
    orm_error_clear(&err);
    return status;
}
