/*
 * The recovery journal's insides, shared by its files only: journal.c
 * (the file: its name, the slot lock, writing it atomically, reading it
 * back and setting it aside) and journal_json.c (the pending changes as
 * JSON and restoring them). Everything else uses journal.h.
 */
#ifndef TUI_JOURNAL_FILE_H
#define TUI_JOURNAL_FILE_H

#include <jansson.h>

#include "journal.h"

#define JOURNAL_VERSION 1

struct tui_journal {
    char *dir;
    char *url;  /* without password: the key */
    char *path; /* NAME.json or NAME-k.json */
    int lock_fd;
    size_t limit;   /* the largest file written or read: TUI_JOURNAL_MAX */
    int exists;     /* the file is there */
    int waiting;    /* an earlier run's journal awaits an answer */
    char *written;  /* the last state written (compact, without time) */
    json_t *loaded; /* the earlier run's journal, while waiting */
    /* What the last sync saw: the session's generation and the open
     * form's text. While both stay, the file is up to date and the
     * pending changes are not turned into JSON again (10,000 of them,
     * a bulk edit's, take a second: every key would). */
    int synced;
    unsigned long synced_generation;
    char *synced_form;
};

/* "256 MiB", or a number of bytes below 1 MiB, into out. */
void journal_size_text(char *out, size_t size, size_t bytes);
/* Write `text` to the journal: a temporary file (0600), fsync, rename
 * over the journal, fsync the directory. */
int journal_write_file(tui_journal *j, const char *text, orm_error *err);
int journal_remove_file(tui_journal *j, orm_error *err);
/* Rename the journal aside as PATH.bad-YYYYmmdd-HHMMSS (a number added
 * when that exists); the new name goes to *aside (owned). */
int journal_set_aside(tui_journal *j, const char *why, char **aside);

#endif
