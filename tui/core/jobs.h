/*
 * Keys and background work on a real terminal, without freezing it. The
 * terminal loop (tui_app_run) hands each key, and each step of
 * background work (row counts), to a worker thread and keeps reading the
 * terminal itself: curses stays on the loop's thread, the worker only
 * changes the app's state and talks to the database.
 *
 * While a key's work runs longer than 200 ms the status line shows a
 * progress indicator; Esc stops it (orm_db_cancel on the database in
 * use, tui_app_cancel, repeated until the work returns) and says
 * "cancelled"; Ctrl-C stops it too and is then
 * handled as always (asks about pending changes, or quits). Other keys
 * typed meanwhile are kept and handled afterwards, in order. Background
 * work yields to any key: the key stops it, is handled, and the work
 * starts over afterwards (the views keep it pending when it was
 * cancelled). A key that takes the terminal itself (a form's $EDITOR
 * key, the redraw key: tui_app_key_takes_terminal) runs on the loop's
 * thread; every other key, a form's too, on the worker.
 *
 * The draw, on the loop's thread, asks the database for nothing: what a
 * screen shows is read as part of a key's work (tui_view_ops.prepare,
 * after every key, e.g. the rows a bigger terminal needs after a
 * resize) or as background work, so Esc can stop every query made for
 * the screen; a cancelled read leaves the rows held on the screen.
 */
#ifndef TUI_JOBS_H
#define TUI_JOBS_H

#include "app.h"

typedef struct tui_jobs tui_jobs;

int tui_jobs_new(tui_jobs **out);
void tui_jobs_free(tui_jobs *jobs);

/* A key typed while earlier work ran, oldest first: 1 and *out set, or
 * 0 when none is left. */
int tui_jobs_next(tui_jobs *jobs, tui_event *out);

/* Handle `ev` (tui_app_key) as described above. */
void tui_jobs_key(tui_jobs *jobs, tui_app *app, const tui_event *ev);

/* One step of background work (tui_app_idle), stopped by any key; 1
 * while work is left (also when a key stopped it). */
int tui_jobs_idle(tui_jobs *jobs, tui_app *app);

#endif
