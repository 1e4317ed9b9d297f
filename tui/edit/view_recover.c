/*
 * The offer made at start when an earlier orb on this database ended
 * without writing or discarding its changes (a crash, kill -9, a closed
 * terminal or SSH connection, a power loss): "found 3 unsaved changes
 * from 2026-12-06 08:50". y makes them pending again (with the values
 * they were loaded with, so a row changed meanwhile goes to the conflict
 * screen on write); n asks once more, then drops them; q quits and
 * leaves the journal for next time. Nothing else can be done until one
 * of those is chosen, so the new session never writes over them.
 */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "journal.h"
#include "mem.h"
#include "views.h"

typedef struct recover_view {
    tui_view base;
    tui_journal_found found;
    int confirming; /* n was pressed: "drop them for good?" */
} recover_view;

static const tui_scope recover_scopes[] = {TUI_SCOPE_QUESTION, TUI_SCOPE_BROWSE,
                                           TUI_SCOPE_GLOBAL};

static void count(orm_buf *out, size_t n, const char *what)
{
    orm_buf_appendf(out, "%zu %s%s", n, what, n == 1 ? "" : "s");
}

/* "3 unsaved changes (1 add, 1 change, 1 delete)", and "the text of an
 * open form (accounts)" */
static void what_text(const tui_journal_found *f, orm_buf *out)
{
    const char *sep = "";
    if (f->changes == 0) {
        orm_buf_appendf(out, "the text of an open form (%s)", f->form_table);
        return;
    }
    count(out, f->changes, "unsaved change");
    orm_buf_append(out, " (");
    if (f->adds) {
        count(out, f->adds, "add");
        sep = ", ";
    }
    if (f->updates) {
        orm_buf_append(out, sep);
        count(out, f->updates, "change");
        sep = ", ";
    }
    if (f->deletes) {
        orm_buf_append(out, sep);
        count(out, f->deletes, "delete");
    }
    orm_buf_append(out, ")");
    if (f->has_form)
        orm_buf_appendf(out, " and the text of an open form (%s)",
                        f->form_table);
}

static void when_text(const tui_journal_found *f, char *out, size_t size)
{
    struct tm tm;
    if (f->saved > 0 && localtime_r(&f->saved, &tm))
        strftime(out, size, "%Y-%m-%d %H:%M", &tm);
    else
        snprintf(out, size, "an unknown time");
}

static void line(tui_screen *scr, int *row, int end, const char *text,
                 tui_element el)
{
    if (*row < end)
        tui_screen_put(scr, *row, 2, text, scr->cols - 4, el);
    (*row)++;
}

static void recover_draw(tui_view *v, tui_app *app, tui_screen *scr, int top,
                         int height)
{
    recover_view *rv = (recover_view *)v;
    orm_buf what = ORM_BUF_INIT;
    char when[64];
    int row = top + 1, end = top + height;
    (void)app;
    what_text(&rv->found, &what);
    when_text(&rv->found, when, sizeof when);
    orm_buf head = ORM_BUF_INIT;
    orm_buf_appendf(&head, "Found %s from %s,", orm_buf_str(&what), when);
    line(scr, &row, end, orm_buf_str(&head), TUI_EL_LABEL);
    line(scr, &row, end,
         "left by an orb that ended without writing them (a crash, a kill, "
         "a closed terminal or connection).",
         TUI_EL_DEFAULT);
    row++;
    if (!rv->confirming) {
        line(scr, &row, end,
             "y  restore them as pending (w reviews and writes them; a row "
             "changed meanwhile by someone else is shown as a conflict)",
             TUI_EL_DEFAULT);
        line(scr, &row, end, "n  discard them (asks again)", TUI_EL_DEFAULT);
        line(scr, &row, end, "q  quit and decide next time", TUI_EL_DEFAULT);
    } else {
        line(scr, &row, end,
             "Discard them for good? They cannot be brought "
             "back.",
             TUI_EL_ERROR);
        line(scr, &row, end, "y  discard them", TUI_EL_DEFAULT);
        line(scr, &row, end, "n  no, go back", TUI_EL_DEFAULT);
    }
    orm_buf_free(&head);
    orm_buf_free(&what);
}

static void recover_title(tui_view *v, tui_app *app, orm_buf *out)
{
    (void)v;
    (void)app;
    orm_buf_append(out, "unsaved changes found");
}

static void recover_status(tui_view *v, tui_app *app, orm_buf *out)
{
    recover_view *rv = (recover_view *)v;
    (void)app;
    orm_buf_append(out, rv->confirming ? "discard for good? y/n"
                                       : "restore them? y/n (q quits)");
}

static unsigned recover_key(tui_view *v, tui_app *app, int key)
{
    recover_view *rv = (recover_view *)v;
    orm_error err = ORM_ERROR_INIT;
    tui_view *form = NULL;
    if (key == TUI_KEY_RESIZE || key == TUI_KEY_INTERRUPT)
        return TUI_UNHANDLED;
    tui_action a = tui_keymap_lookup_in(&app->keymap, recover_scopes, key);
    unsigned result = TUI_REDRAW;
    switch (a) {
    case TUI_ACT_ANSWER_YES:
        if (rv->confirming) {
            if (tui_journal_discard(app->journal, &err) != 0)
                tui_app_error(app, "%s", orm_error_text(&err));
            else
                tui_app_message(app, "discarded %zu unsaved change%s",
                                rv->found.changes,
                                rv->found.changes == 1 ? "" : "s");
        } else if (tui_journal_restore(app->journal, app, &form, &err) != 0) {
            tui_app_error(app, "%s", orm_error_text(&err));
            if (tui_journal_waiting(app->journal))
                break; /* still offered */
        } else if (orm_session_pending_count(app->session) == 0) {
            tui_app_message(app, "restored: the text of the form");
        } else {
            orm_buf what = ORM_BUF_INIT;
            tui_edit_pending_summary(app->session, &what);
            tui_app_message(app, "restored: %s (w reviews and writes)",
                            orm_buf_str(&what) ? orm_buf_str(&what)
                                               : "nothing");
            orm_buf_free(&what);
        }
        result = TUI_POP;
        if (form) {
            app->pushed = form;
            result |= TUI_PUSH;
        }
        break;
    case TUI_ACT_ANSWER_NO:
        rv->confirming = !rv->confirming;
        break;
    case TUI_ACT_BACK:
    case TUI_ACT_QUIT:
    case TUI_ACT_FORM_CANCEL:
        if (rv->confirming)
            rv->confirming = 0;
        else
            result = TUI_QUIT; /* the journal stays for next time */
        break;
    default:
        tui_app_message(app, "%s",
                        rv->confirming ? "y discards them for good, n goes "
                                         "back"
                                       : "y restores them, n discards them, "
                                         "q quits");
        break;
    }
    orm_error_clear(&err);
    return result;
}

static unsigned recover_handle(tui_view *v, tui_app *app, tui_action a)
{
    (void)v;
    (void)app;
    (void)a;
    return TUI_REDRAW;
}

static void recover_close(tui_view *v)
{
    free(v);
}

static const tui_view_ops recover_ops = {
    .name = "recover",
    .kind = TUI_VIEW_RECOVER,
    .draw = recover_draw,
    .title = recover_title,
    .status = recover_status,
    .handle = recover_handle,
    .key = recover_key,
    .scopes = recover_scopes,
    .close = recover_close,
};

int tui_view_recover_new(tui_view **out, const tui_journal_found *found)
{
    recover_view *rv = tui_calloc(1, sizeof *rv);
    *out = NULL;
    if (!rv)
        return ORM_ENOMEM;
    rv->base.ops = &recover_ops;
    rv->found = *found;
    *out = &rv->base;
    return 0;
}
