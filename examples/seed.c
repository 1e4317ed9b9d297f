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

/* Every failure ends the program with the step and the ORM's message. */
static int failed(const char *step, const orm_error *err)
{
    fprintf(stderr, "seed: %s: %s\n", step, orm_error_text(err));
    return 1;
}

static void print_record(const char *step, orm_record *rec)
{
    char *repr = rec ? orm_record_repr(rec) : NULL;
    printf("%s: %s\n", step, rec ? (repr ? repr : "?") : "None");
    free(repr);
}

/* Print what a .all() gave, then free the array (the records belong to
 * the session). */
static void print_all(const char *step, orm_record **recs, size_t n)
{
    printf("%s: [", step);
    for (size_t i = 0; i < n; i++) {
        char *repr = orm_record_repr(recs[i]);
        printf("%s%s", i ? ", " : "", repr ? repr : "?");
        free(repr);
    }
    printf("]\n");
    free(recs);
}

/* Account(handle=...) and db.session.add(...): the session owns it. */
static int add_account(orm_session *s, const char *handle, orm_record **out)
{
    orm_error err = ORM_ERROR_INIT;
    int rc = orm_record_new(out, &Account);
    if (rc == 0 && (rc = orm_record_set_text(*out, "handle", handle, &err)))
        failed(handle, &err);
    if (rc == 0 && (rc = orm_session_add(s, *out)))
        failed(handle, orm_session_error(s));
    if (rc) /* not the session's: ours to free */
        orm_record_free(*out);
    orm_error_clear(&err);
    return rc;
}

int main(int argc, char **argv)
{
    /* app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite:///app_data.db' */
    const char *url = argc > 1 ? argv[1] : "sqlite:///app_data.db";
    orm_db *db = NULL;
    orm_session *s = NULL;
    orm_record *rec = NULL, *user = NULL, **users = NULL;
    orm_error err = ORM_ERROR_INIT;
    size_t n = 0;
    int status = 1;

    if (orm_db_open(&db, url, NULL) != 0) {
        failed("open", db ? orm_last_error(db) : &err);
        goto done;
    }
    if (orm_db_register(db, &Account) != 0 || orm_session_new(&s, db) != 0) {
        fprintf(stderr, "seed: out of memory\n");
        goto done;
    }

    /* A clean start, so that every run prints the same ids. */
    if (orm_db_drop_table(db, &Account) != 0) {
        failed("drop accounts", orm_last_error(db));
        goto done;
    }

    /* db.create_all() */
    if (orm_db_create_all(db) != 0) {
        failed("create_all", orm_last_error(db));
        goto done;
    }
    printf("create_all: %s\n", Account.table);

    /* new_user = Account(handle='jdoe', secret='supersecret')
     * db.session.add(new_user); db.session.commit(); print(new_user.id) */
    if (add_account(s, "jdoe", &rec) != 0)
        goto done;
    if (orm_session_commit(s) != 0) {
        failed("commit jdoe", orm_last_error(s));
        goto done;
    }
    {
        int64_t id = 0;
        const char *key = NULL;
        orm_record_get_int(rec, "id", &id);
        printf("add + commit: new_user.id = %lld\n", (long long)id);
        /* The secret was generated on add; say what it looks like only. */
        orm_record_get_text(rec, "secret_key", &key);
        printf("secret_key: %zu hex characters\n",
               key ? strspn(key, "0123456789abcdef") : 0);
    }

    /* user = Account.query.get(1) */
    {
        orm_value pk = orm_value_int(1);
        if (orm_session_get(s, &Account, &pk, &user) < 0) {
            failed("get(1)", orm_last_error(s));
            goto done;
        }
        print_record("query.get(1)", user); /* NULL (None) if not there */
    }

    /* user = Account.query.filter_by(handle='jdoe').first() */
    {
        orm_value jdoe = orm_value_text("jdoe");
        if (orm_session_first_by(s, &Account, "handle", &jdoe, &user) < 0) {
            failed("filter_by", orm_last_error(s));
            goto done;
        }
        print_record("filter_by(handle='jdoe').first()", user);
    }

    /* users = Account.query.filter(Account.handle.like('%doe%')).all() */
    if (orm_session_all(s, &Account,
                        orm_like(orm_col("handle"), orm_str("%doe%")), &users,
                        &n) != 0) {
        failed("filter(like).all()", orm_last_error(s));
        goto done;
    }
    print_all("filter(handle.like('%doe%')).all()", users, n);

    /* Somebody to find with or_, and_ and not_: alice, bob, users up to
     * id 13, with admin at id 12. */
    {
        static const char *const handles[] = {
            "alice",  "bob",    "user04", "user05", "user06", "user07",
            "user08", "user09", "user10", "user11", "admin",  "user13"};
        int64_t last = 0;
        for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
            if (add_account(s, handles[i], &rec) != 0)
                goto done;
        if (orm_session_commit(s) != 0) {
            failed("add accounts", orm_last_error(s));
            goto done;
        }
        orm_record_get_int(rec, "id", &last);
        printf("add + commit: %zu more accounts, last id %lld\n",
               sizeof handles / sizeof handles[0], (long long)last);
    }

    /* results = Account.query.filter(or_(Account.handle == 'alice',
     *                                    Account.handle == 'bob')).all() */
    if (orm_session_all(s, &Account,
                        orm_or(orm_eq(orm_col("handle"), orm_str("alice")),
                               orm_eq(orm_col("handle"), orm_str("bob"))),
                        &users, &n) != 0) {
        failed("filter(or_).all()", orm_last_error(s));
        goto done;
    }
    print_all("filter(or_(handle == 'alice', handle == 'bob')).all()", users,
              n);

    /* results = Account.query.filter(and_(Account.handle != 'admin',
     *                                     Account.id > 10)).all() */
    if (orm_session_all(s, &Account,
                        orm_and(orm_ne(orm_col("handle"), orm_str("admin")),
                                orm_gt(orm_col("id"), orm_int(10))),
                        &users, &n) != 0) {
        failed("filter(and_).all()", orm_last_error(s));
        goto done;
    }
    print_all("filter(and_(handle != 'admin', id > 10)).all()", users, n);

    /* results = Account.query.filter(
     *     not_(Account.handle.like('user%'))).all() */
    if (orm_session_all(s, &Account,
                        orm_not(orm_like(orm_col("handle"), orm_str("user%"))),
                        &users, &n) != 0) {
        failed("filter(not_).all()", orm_last_error(s));
        goto done;
    }
    print_all("filter(not_(handle.like('user%'))).all()", users, n);

    /* The same conditions in orb's filter language, as `orb rows
     * accounts --where` and the browser take them. */
    {
        orm_expr *e = NULL;
        if (orm_filter_parse(&e, "handle != 'admin' and id > 10", &Account,
                             &err) != 0) {
            failed("filter language", &err);
            goto done;
        }
        if (orm_session_all(s, &Account, e, &users, &n) != 0) {
            failed("where", orm_last_error(s));
            goto done;
        }
        print_all("where \"handle != 'admin' and id > 10\"", users, n);
    }

    /* target = Account.query.filter_by(handle='jdoe').first()
     * if target: target.handle = 'jane_doe'; db.session.commit() */
    {
        orm_value jdoe = orm_value_text("jdoe");
        orm_record *target = NULL;
        if (orm_session_first_by(s, &Account, "handle", &jdoe, &target) < 0) {
            failed("filter_by", orm_last_error(s));
            goto done;
        }
        if (target) {
            if (orm_record_set_text(target, "handle", "jane_doe", &err) != 0) {
                failed("target.handle = 'jane_doe'", &err);
                goto done;
            }
            if (orm_session_commit(s) != 0) {
                failed("update", orm_last_error(s));
                goto done;
            }
        }
        print_record("update + commit", target);
        if (orm_session_first_by(s, &Account, "handle", &jdoe, &user) < 0) {
            failed("filter_by", orm_last_error(s));
            goto done;
        }
        print_record("filter_by(handle='jdoe').first()", user);
    }

    /* target = Account.query.filter_by(handle='jane_doe').first()
     * if target: db.session.delete(target); db.session.commit() */
    {
        orm_value jane_doe = orm_value_text("jane_doe");
        orm_record *target = NULL;
        if (orm_session_first_by(s, &Account, "handle", &jane_doe, &target) <
            0) {
            failed("filter_by", orm_last_error(s));
            goto done;
        }
        if (target) {
            print_record("delete + commit", target);
            if (orm_session_delete(s, target) != 0 ||
                orm_session_commit(s) != 0) {
                failed("delete", orm_last_error(s));
                goto done;
            }
        }
        if (orm_session_first_by(s, &Account, "handle", &jane_doe, &user) < 0) {
            failed("filter_by", orm_last_error(s));
            goto done;
        }
        print_record("filter_by(handle='jane_doe').first()", user);
    }

    /* Account.query.count() */
    {
        orm_query *q = NULL;
        int64_t count = 0;
        if (orm_query_new(&q, s, &Account) != 0 ||
            orm_query_count(q, &count) != 0) {
            failed("count", orm_last_error(s));
            orm_query_free(q);
            goto done;
        }
        orm_query_free(q);
        printf("query.count(): %lld\n", (long long)count);
    }
    status = 0;

done:
    orm_session_free(s);
    orm_db_free(db);
    orm_error_clear(&err);
    return status;
}
