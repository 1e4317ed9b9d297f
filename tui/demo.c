/*
 * The demo database: what `orb` opens when no URL is given, so that a
 * first run has something to browse. It lives in
 * $XDG_DATA_HOME/orb/demo.db (default ~/.local/share/orb/demo.db) and is
 * built on first use through the ORM itself: declared models, create_all,
 * and one session commit of deterministic sample data (a fixed-seed PRNG,
 * so every machine gets the same rows). It is built in a temporary file
 * and renamed into place, so a crash never leaves half a demo behind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "orm/sys/buf.h"
#include "paths.h"
#include "tui.h"

#define DEMO_ACCOUNTS 2000
#define DEMO_POSTS    5000
#define DEMO_COMMENTS 10000
#define DEMO_TAGGINGS 6000
#define DEMO_SEED     0x0b5eed0fc0ffee11ull
/* Records per commit: each batch gets a fresh session, so memory stays
 * small; the file is only renamed into place when complete, so batching
 * never leaves half a demo behind. */
#define DEMO_BATCH 5000
/* 2023-01-01 00:00:00 UTC: every timestamp is this plus an offset. */
#define DEMO_EPOCH 1672531200

/* ---- models ---- */

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

static const orm_column post_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "account_id",
     .type = ORM_INTEGER,
     .flags = ORM_NOT_NULL | ORM_INDEX,
     .ref_table = "accounts",
     .ref_column = "id"},
    {.name = "title", .type = ORM_STRING, .length = 200, .flags = ORM_NOT_NULL},
    {.name = "body", .type = ORM_TEXT},
    {.name = "published",
     .type = ORM_BOOLEAN,
     .flags = ORM_NOT_NULL,
     .default_value = "false"},
    {.name = "created",
     .type = ORM_DATETIME,
     .flags = ORM_NOT_NULL,
     .default_gen = "now()"},
    {.name = "rating", .type = ORM_NUMERIC, .precision = 3, .scale = 1},
};

static const orm_column comment_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "post_id",
     .type = ORM_INTEGER,
     .flags = ORM_NOT_NULL | ORM_INDEX,
     .ref_table = "posts",
     .ref_column = "id"},
    {.name = "account_id",
     .type = ORM_INTEGER,
     .flags = ORM_NOT_NULL | ORM_INDEX,
     .ref_table = "accounts",
     .ref_column = "id"},
    {.name = "body", .type = ORM_TEXT},
    {.name = "created",
     .type = ORM_DATETIME,
     .flags = ORM_NOT_NULL,
     .default_gen = "now()"},
};

static const orm_column tag_columns[] = {
    {.name = "id", .type = ORM_INTEGER, .flags = ORM_PK},
    {.name = "name",
     .type = ORM_STRING,
     .length = 30,
     .flags = ORM_UNIQUE | ORM_NOT_NULL},
};

/* A composite primary key, so that `get post_tags 12,3` has an example. */
static const orm_column post_tag_columns[] = {
    {.name = "post_id",
     .type = ORM_INTEGER,
     .flags = ORM_PK | ORM_NO_AUTOINC,
     .ref_table = "posts",
     .ref_column = "id"},
    {.name = "tag_id",
     .type = ORM_INTEGER,
     .flags = ORM_PK | ORM_NO_AUTOINC | ORM_INDEX,
     .ref_table = "tags",
     .ref_column = "id"},
};

static const orm_model demo_models[] = {
    {.name = "Account",
     .table = "accounts",
     .repr = "<Account {handle}>",
     .columns = account_columns,
     .ncolumns = sizeof account_columns / sizeof account_columns[0]},
    {.name = "Post",
     .table = "posts",
     .repr = "<Post {title}>",
     .columns = post_columns,
     .ncolumns = sizeof post_columns / sizeof post_columns[0]},
    {.name = "Comment",
     .table = "comments",
     .repr = "<Comment {id} on {post_id}>",
     .columns = comment_columns,
     .ncolumns = sizeof comment_columns / sizeof comment_columns[0]},
    {.name = "Tag",
     .table = "tags",
     .repr = "<Tag {name}>",
     .columns = tag_columns,
     .ncolumns = sizeof tag_columns / sizeof tag_columns[0]},
    {.name = "PostTag",
     .table = "post_tags",
     .repr = "<PostTag {post_id}/{tag_id}>",
     .columns = post_tag_columns,
     .ncolumns = sizeof post_tag_columns / sizeof post_tag_columns[0]},
};

#define DEMO_NMODELS (sizeof demo_models / sizeof demo_models[0])
enum { M_ACCOUNT, M_POST, M_COMMENT, M_TAG, M_POST_TAG };

int tui_demo_register(orm_db *db)
{
    for (size_t i = 0; i < DEMO_NMODELS; i++) {
        int rc = orm_db_register(db, &demo_models[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- sample data ---- */

/* splitmix64: tiny, fast, and the same on every platform (unlike rand()). */
typedef struct demo_rng {
    uint64_t state;
} demo_rng;

static uint64_t rng_next(demo_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). The modulo bias is irrelevant for sample data. */
static size_t rng_below(demo_rng *r, size_t n)
{
    return n ? (size_t)(rng_next(r) % n) : 0;
}

#define PICK(r, list) ((list)[rng_below((r), sizeof(list) / sizeof((list)[0]))])

static const char *const first_names[] = {
    "alice",  "bob",    "carol",    "dave",    "erin",   "frank",  "grace",
    "heidi",  "ivan",   "judy",     "mallory", "niaj",   "olivia", "peggy",
    "rupert", "sybil",  "trent",    "victor",  "walter", "yara",   "zoe",
    "josé",   "zoë",    "françois", "søren",   "björn",  "anaïs",  "łukasz",
    "müller", "renée",  "nuño",     "ana",     "kenji",  "mei",    "priya",
    "omar",   "fatima", "chen",     "dmitri",  "ingrid", "aroha",  "tariq",
    "日本語", "さくら", "李雷",     "Ольга",   "Ελένη",  "דנה",    "سارة"};

static const char *const last_names[] = {
    "doe",      "smith",   "jones",   "garcia",   "müller", "rossi", "dubois",
    "kowalski", "tanaka",  "kim",     "nguyen",   "silva",  "novak", "olsen",
    "berg",     "costa",   "ivanova", "haddad",   "okafor", "patel", "lópez",
    "nakamura", "schmidt", "moreau",  "andersen", "quinn",  "reyes", "wong"};

static const char *const emoji[] = {"🦊", "🐙", "🚀", "🌵", "🎧",
                                    "☕",    "🐢", "🍕", "⚡", "🌈"};

static const char *const adjectives[] = {
    "Quick",   "Practical", "Gentle",  "Honest",     "Unexpected", "Modern",
    "Tiny",    "Stubborn",  "Elegant", "Forgotten",  "Careful",    "Lazy",
    "Curious", "Reliable",  "Naïve",   "Über-simple"};

static const char *const nouns[] = {
    "guide to SQLite",    "notes on indexes",     "recipe for sourdough",
    "look at C11",        "tour of PostgreSQL",   "rant about timezones",
    "review of ncurses",  "story about backups",  "take on code review",
    "list of shortcuts",  "primer on UTF-8",      "case for unit tests",
    "report from FOSDEM", "diary of a migration", "plan for the garden"};

static const char *const sentences[] = {
    "I tried this last weekend and it mostly worked.",
    "The trick is to commit early and often.",
    "Nobody tells you how much time goes into naming things.",
    "Backups you have never restored are only hopes.",
    "Ça marche très bien, merci !",
    "Das Ergebnis war überraschend gut.",
    "これはテストの文章です。",
    "Measure first, then optimise.",
    "It's a \"simple\" change, they said.",
    "Commas, quotes \" and semicolons; all in one line.",
    "Tabs\tand spaces, together at last.",
    "Line one.\nLine two.",
    "Works on my machine 🤷",
    "See https://example.org/docs?id=42&lang=en for details.",
    "100% agree with the previous comment.",
    "Could you share the configuration?",
    "Thanks — this saved me an afternoon."};

static const char *const tag_names[] = {
    "c",        "databases", "sqlite",   "postgresql", "mysql",
    "tutorial", "opinion",   "tooling",  "unicode",    "testing",
    "cooking",  "gardening", "travel",   "music",      "café",
    "日本",     "howto",     "security", "release",    "meta"};

/* Remembers the handles made so far (open addressing, FNV-1a). */
typedef struct handle_set {
    char **slots;
    size_t cap;
} handle_set;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

/* 1 if added, 0 if already present. `s` is copied. */
static int handle_set_add(handle_set *set, const char *s, int *failed)
{
    size_t i = (size_t)(fnv1a(s) & (set->cap - 1));
    while (set->slots[i]) {
        if (strcmp(set->slots[i], s) == 0)
            return 0;
        i = (i + 1) & (set->cap - 1);
    }
    set->slots[i] = orm_strdup(s);
    if (!set->slots[i])
        *failed = 1;
    return 1;
}

static void handle_set_free(handle_set *set)
{
    for (size_t i = 0; set->slots && i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
}

/* A plausible handle, unique in `set`, at most 50 characters. */
static void make_handle(orm_buf *out, demo_rng *r, handle_set *set, int *failed)
{
    for (int attempt = 0;; attempt++) {
        const char *first = PICK(r, first_names);
        const char *last = PICK(r, last_names);
        orm_buf_reset(out);
        switch (rng_below(r, 8)) {
        case 0:
            orm_buf_appendf(out, "%s_%s", first, last);
            break;
        case 1:
            orm_buf_appendf(out, "%s.%s%zu", first, last, rng_below(r, 100));
            break;
        case 2:
            orm_buf_appendf(out, "%c%s", first[0] & 0x80 ? 'x' : first[0],
                            last);
            break;
        case 3:
            orm_buf_appendf(out, "%s%zu", first, 1950 + rng_below(r, 60));
            break;
        case 4:
            orm_buf_appendf(out, "%s%s", PICK(r, emoji), first);
            break;
        case 5:
            orm_buf_appendf(out, "the_real_%s", first);
            break;
        case 6:
            orm_buf_appendf(out, "%s-%s", last, first);
            break;
        default:
            orm_buf_appendf(out, "%s%s%s", first, last, PICK(r, emoji));
            break;
        }
        if (attempt > 3)
            orm_buf_appendf(out, "%d", attempt);
        if (out->failed) {
            *failed = 1;
            return;
        }
        if (handle_set_add(set, orm_buf_str(out), failed) || *failed)
            return;
    }
}

/* Body text: NULL sometimes, empty sometimes, else a few sentences. */
static int make_body(orm_buf *out, demo_rng *r, size_t max_sentences)
{
    size_t roll = rng_below(r, 100);
    orm_buf_reset(out);
    if (roll < 6)
        return 0; /* NULL */
    if (roll < 9)
        return 1; /* empty string */
    size_t n = 1 + rng_below(r, max_sentences);
    for (size_t i = 0; i < n; i++) {
        if (i)
            orm_buf_appendc(out, ' ');
        orm_buf_append(out, PICK(r, sentences));
    }
    return 1;
}

static void format_stamp(char *out, size_t size, int64_t offset_s)
{
    time_t t = (time_t)(DEMO_EPOCH + offset_s);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* ---- building ---- */

typedef struct demo_builder {
    orm_session *s;
    orm_error err;
    orm_buf text;
    demo_rng rng;
} demo_builder;

/* Commit when a batch is full (all = 1: whatever is pending). */
static int flush_batch(demo_builder *b, int all)
{
    size_t n = orm_session_pending_count(b->s);
    if (n == 0 || (!all && n < DEMO_BATCH))
        return 0;
    if (orm_session_commit(b->s) != 0) {
        orm_error_copy(&b->err, orm_session_error(b->s));
        return b->err.code ? b->err.code : ORM_EERROR;
    }
    /* A fresh session keeps memory flat: committed records are done. */
    orm_db *db = orm_session_db(b->s);
    orm_session_free(b->s);
    b->s = NULL;
    if (orm_session_new(&b->s, db) != 0)
        return orm_error_set(&b->err, ORM_ENOMEM, "out of memory");
    return 0;
}

/* Add a record of a model to the session (it may be committed at once);
 * NULL on failure (err set). The pointer is only good for a NULL test. */
static orm_record *add_record(demo_builder *b, size_t model,
                              const orm_value *values)
{
    const orm_model *m = &demo_models[model];
    orm_record *rec = NULL;
    int rc = orm_record_new(&rec, m);
    if (rc) {
        orm_error_set(&b->err, rc, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < m->ncolumns; i++) {
        if (values[i].kind == ORM_VNULL && !orm_column_nullable(&m->columns[i]))
            continue; /* a default fills it */
        if (orm_record_set_at(rec, i, &values[i], &b->err) != 0) {
            orm_record_free(rec);
            return NULL;
        }
    }
    if (orm_session_add(b->s, rec) != 0) {
        orm_error_copy(&b->err, orm_session_error(b->s));
        orm_record_free(rec);
        return NULL;
    }
    if (flush_batch(b, 0) != 0)
        return NULL;
    return rec;
}

static int add_accounts(demo_builder *b)
{
    static const char *const fixed[] = {"jdoe", "alice", "bob", "admin"};
    handle_set set = {tui_calloc(4096, sizeof(char *)), 4096};
    orm_buf handle = ORM_BUF_INIT;
    char secret[33];
    int failed = !set.slots, rc = 0;

    for (size_t i = 0; i < DEMO_ACCOUNTS && !failed && rc == 0; i++) {
        if (i < sizeof fixed / sizeof fixed[0]) {
            orm_buf_reset(&handle);
            orm_buf_append(&handle, fixed[i]);
            handle_set_add(&set, fixed[i], &failed);
        } else {
            make_handle(&handle, &b->rng, &set, &failed);
        }
        uint64_t a = rng_next(&b->rng), c = rng_next(&b->rng);
        snprintf(secret, sizeof secret, "%016llx%016llx", (unsigned long long)a,
                 (unsigned long long)c);
        if (failed || handle.failed)
            break;
        orm_value row[3] = {orm_value_int((int64_t)i + 1),
                            orm_value_text(orm_buf_str(&handle)),
                            orm_value_text(secret)};
        if (!add_record(b, M_ACCOUNT, row))
            rc = b->err.code ? b->err.code : ORM_ENOMEM;
    }
    if (rc == 0 && (failed || handle.failed))
        rc = orm_error_set(&b->err, ORM_ENOMEM, "out of memory");
    orm_buf_free(&handle);
    handle_set_free(&set);
    return rc;
}

static int add_posts(demo_builder *b)
{
    char created[32], rating[8];
    orm_buf title = ORM_BUF_INIT;
    int64_t when = 0;
    int rc = 0;

    for (size_t i = 0; i < DEMO_POSTS && rc == 0; i++) {
        demo_rng *r = &b->rng;
        when += (int64_t)rng_below(r, 9000);
        format_stamp(created, sizeof created, when);
        /* One draw per statement: the order in which a call's arguments
         * (or an initializer list's values) are evaluated is unspecified,
         * and clang's differs from gcc's. This is gcc's order, in which
         * the demo data were first made. */
        const char *noun = PICK(r, nouns);
        const char *adjective = PICK(r, adjectives);
        orm_buf_reset(&title);
        orm_buf_appendf(&title, "%s %s", adjective, noun);
        if (rng_below(r, 10) == 0)
            orm_buf_appendf(&title, ", part %zu", 2 + rng_below(r, 5));
        int has_body = make_body(&b->text, r, 6);
        int has_rating = rng_below(r, 5) != 0;
        size_t tenths = rng_below(r, 10);
        size_t units = 1 + rng_below(r, 4);
        snprintf(rating, sizeof rating, "%zu.%zu", units, tenths);
        if (title.failed || b->text.failed) {
            rc = orm_error_set(&b->err, ORM_ENOMEM, "out of memory");
            break;
        }
        int64_t account = 1 + (int64_t)rng_below(r, DEMO_ACCOUNTS);
        int published = rng_below(r, 10) < 7;
        orm_value row[7] = {
            orm_value_int((int64_t)i + 1),
            orm_value_int(account),
            orm_value_text(orm_buf_str(&title)),
            has_body ? orm_value_text(orm_buf_str(&b->text)) : orm_value_null(),
            orm_value_bool(published),
            orm_value_text(created),
            has_rating ? orm_value_text(rating) : orm_value_null()};
        if (!add_record(b, M_POST, row))
            rc = b->err.code ? b->err.code : ORM_ENOMEM;
    }
    orm_buf_free(&title);
    return rc;
}

static int add_comments(demo_builder *b)
{
    char created[32];
    int rc = 0;

    for (size_t i = 0; i < DEMO_COMMENTS && rc == 0; i++) {
        demo_rng *r = &b->rng;
        /* Older posts have had longer to collect comments. */
        size_t post = rng_below(r, DEMO_POSTS);
        size_t other = rng_below(r, DEMO_POSTS);
        if (other < post)
            post = other;
        int64_t when = (int64_t)post * 4500 + (int64_t)rng_below(r, 864000);
        format_stamp(created, sizeof created, when);
        int has_body = make_body(&b->text, r, 2);
        if (b->text.failed) {
            rc = orm_error_set(&b->err, ORM_ENOMEM, "out of memory");
            break;
        }
        orm_value row[5] = {
            orm_value_int((int64_t)i + 1), orm_value_int((int64_t)post + 1),
            orm_value_int(1 + (int64_t)rng_below(r, DEMO_ACCOUNTS)),
            has_body ? orm_value_text(orm_buf_str(&b->text)) : orm_value_null(),
            orm_value_text(created)};
        if (!add_record(b, M_COMMENT, row))
            rc = b->err.code ? b->err.code : ORM_ENOMEM;
    }
    return rc;
}

static int add_tags(demo_builder *b)
{
    const size_t ntags = sizeof tag_names / sizeof tag_names[0];
    unsigned char *seen = NULL;
    int rc = 0;

    for (size_t i = 0; i < ntags && rc == 0; i++) {
        orm_value row[2] = {orm_value_int((int64_t)i + 1),
                            orm_value_text(tag_names[i])};
        if (!add_record(b, M_TAG, row))
            rc = b->err.code ? b->err.code : ORM_ENOMEM;
    }
    if (rc == 0)
        rc = flush_batch(b, 1);
    /* Each (post, tag) pair at most once: a bitmap of pairs. */
    seen = tui_calloc((size_t)DEMO_POSTS * ntags / 8 + 1, 1);
    if (!seen && rc == 0)
        rc = orm_error_set(&b->err, ORM_ENOMEM, "out of memory");
    for (size_t n = 0; n < DEMO_TAGGINGS && rc == 0;) {
        size_t post = rng_below(&b->rng, DEMO_POSTS);
        size_t tag = rng_below(&b->rng, ntags);
        size_t bit = post * ntags + tag;
        if (seen[bit / 8] & (1u << (bit % 8)))
            continue;
        seen[bit / 8] |= (unsigned char)(1u << (bit % 8));
        orm_value row[2] = {orm_value_int((int64_t)post + 1),
                            orm_value_int((int64_t)tag + 1)};
        if (!add_record(b, M_POST_TAG, row))
            rc = b->err.code ? b->err.code : ORM_ENOMEM;
        n++;
    }
    free(seen);
    return rc;
}

/* Fill the database at `url` (empty, just created). */
static int demo_build(const char *url, orm_error *err)
{
    demo_builder b = {NULL, ORM_ERROR_INIT, ORM_BUF_INIT, {DEMO_SEED}};
    orm_db *db = NULL;
    int rc = orm_db_open(&db, url, NULL);

    if (rc) {
        orm_error_copy(err, db ? orm_db_error(db) : &b.err);
        if (!db)
            orm_error_set(err, rc, "%s", orm_strerror(rc));
        goto done;
    }
    if ((rc = tui_demo_register(db)) != 0) {
        orm_error_set(err, rc, "out of memory");
        goto done;
    }
    if ((rc = orm_db_create_all(db)) != 0) {
        orm_error_copy(err, orm_db_error(db));
        goto done;
    }
    if ((rc = orm_session_new(&b.s, db)) != 0) {
        orm_error_set(err, rc, "out of memory");
        goto done;
    }
    /* A batch never mixes tables (see DEMO_BATCH). */
    rc = add_accounts(&b);
    if (rc == 0 && (rc = flush_batch(&b, 1)) == 0)
        rc = add_posts(&b);
    if (rc == 0 && (rc = flush_batch(&b, 1)) == 0)
        rc = add_comments(&b);
    if (rc == 0 && (rc = flush_batch(&b, 1)) == 0)
        rc = add_tags(&b);
    if (rc) {
        orm_error_copy(err, &b.err);
        goto done;
    }
    if ((rc = flush_batch(&b, 1)) != 0)
        orm_error_copy(err, &b.err);
done:
    orm_session_free(b.s);
    orm_db_free(db);
    orm_buf_free(&b.text);
    orm_error_clear(&b.err);
    return rc;
}

/* ---- where it lives ---- */

/* sqlite:////path with the characters a URL would misread escaped. */
static char *path_to_url(const char *path)
{
    orm_buf b = ORM_BUF_INIT;
    orm_buf_append(&b, "sqlite:///");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
            orm_buf_appendc(&b, (char)*p);
        else
            orm_buf_appendf(&b, "%%%02X", *p);
    }
    return orm_buf_finish(&b);
}

int tui_demo_ensure(char **out, orm_error *err)
{
    char *file = NULL, *temp = NULL, *url = NULL, *temp_url = NULL;
    char temp_name[64];
    struct stat st;
    int rc;

    *out = NULL;
    /* $XDG_DATA_HOME/orb/demo.db; the directories are made (0700). */
    if ((rc = tui_data_path(&file, "demo.db", err)) != 0)
        goto done;
    if (!(url = path_to_url(file))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    if (stat(file, &st) == 0)
        goto done;
    snprintf(temp_name, sizeof temp_name, ".demo.db.%ld.tmp", (long)getpid());
    if ((rc = tui_data_path(&temp, temp_name, err)) != 0)
        goto done;
    if (!(temp_url = path_to_url(temp))) {
        rc = orm_error_set(err, ORM_ENOMEM, "out of memory");
        goto done;
    }
    unlink(temp);
    rc = demo_build(temp_url, err);
    if (rc == 0 && rename(temp, file) != 0)
        rc = orm_error_set(err, ORM_EIO, "cannot create %s: %s", file,
                           strerror(errno));
    if (rc)
        unlink(temp);

done:
    if (rc == 0) {
        *out = url;
        url = NULL;
    }
    free(url);
    free(temp_url);
    free(file);
    free(temp);
    return rc;
}
