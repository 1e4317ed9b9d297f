/*
 * Keys and background work on a worker thread while the terminal loop
 * keeps reading keys (see jobs.h): one thread per job, a condition
 * variable to wait for it, the loop polling the terminal every few
 * milliseconds, cancelling with orm_db_cancel (on a thread of its own,
 * so the loop never waits for a cancel to travel), and a queue of the
 * keys typed meanwhile.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs.h"
#include "mem.h"

/* A job that ends within this long never shows the indicator nor polls
 * the terminal (most keys take well under a millisecond). */
#define JOB_QUICK_MS 20
/* The progress indicator appears after this long, and is redrawn. */
#define JOB_PROGRESS_MS 200
#define JOB_REDRAW_MS   100
/* How long one look at the terminal waits, and how often a cancel is
 * repeated while the work has not returned (a cancel that came between
 * two statements stopped nothing: orm_db_cancel). */
#define JOB_POLL_MS   10
#define JOB_CANCEL_MS 50
/* Keys kept while work runs; more are dropped (and said so). */
#define JOB_QUEUE_MAX 256

struct tui_jobs {
    tui_event queue[JOB_QUEUE_MAX];
    size_t head, count;
    int dropped;
};

typedef struct job {
    tui_app *app;
    const tui_event *ev; /* the key, or NULL: a step of background work */
    int more;            /* tui_app_idle's answer */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
} job;

int tui_jobs_new(tui_jobs **out)
{
    *out = tui_calloc(1, sizeof **out);
    return *out ? 0 : ORM_ENOMEM;
}

void tui_jobs_free(tui_jobs *jobs)
{
    free(jobs);
}

int tui_jobs_next(tui_jobs *jobs, tui_event *out)
{
    if (!jobs || jobs->count == 0)
        return 0;
    *out = jobs->queue[jobs->head];
    jobs->head = (jobs->head + 1) % JOB_QUEUE_MAX;
    jobs->count--;
    return 1;
}

static void queue_push(tui_jobs *jobs, const tui_event *ev)
{
    if (jobs->count == JOB_QUEUE_MAX) {
        jobs->dropped = 1;
        return;
    }
    jobs->queue[(jobs->head + jobs->count) % JOB_QUEUE_MAX] = *ev;
    jobs->count++;
}

static long ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long)(now.tv_sec - start->tv_sec) * 1000 +
           (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void *job_main(void *payload)
{
    job *jb = payload;
    /* Signals go to the loop's thread, which turns them into keys; a
     * read or poll of this thread is not interrupted by them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (jb->ev)
        tui_app_key(jb->app, jb->ev);
    else
        jb->more = tui_app_idle(jb->app);
    pthread_mutex_lock(&jb->lock);
    jb->done = 1;
    pthread_cond_signal(&jb->cond);
    pthread_mutex_unlock(&jb->lock);
    return NULL;
}

/* 1 once the job has ended, waiting up to `ms` for it. */
static int job_wait(job *jb, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&jb->lock);
    while (!jb->done &&
           pthread_cond_timedwait(&jb->cond, &jb->lock, &until) == 0)
        ;
    int done = jb->done;
    pthread_mutex_unlock(&jb->lock);
    return done;
}

/* orm_db_cancel on a thread of its own. A cancel travels: PostgreSQL's
 * opens a connection (PQcancel), MariaDB's logs in to send KILL QUERY;
 * at 100 ms a round trip the loop would stop reading keys and drawing the
 * indicator for a third of a second at each one. At most one is on its
 * way; a repeat meanwhile is dropped, and run waits for it at the end.
 * It reaches the database in use when it is sent (tui_app_cancel: the
 * work may have switched to another). */
typedef struct canceller {
    tui_app *app;
    pthread_t thread;
    int started;
    atomic_int busy;
} canceller;

static void *cancel_main(void *payload)
{
    canceller *c = payload;
    tui_app_cancel(c->app);
    atomic_store(&c->busy, 0);
    return NULL;
}

static void cancel_wait(canceller *c)
{
    if (c->started)
        pthread_join(c->thread, NULL);
    c->started = 0;
}

static void cancel_send(canceller *c)
{
    if (c->started && atomic_load(&c->busy))
        return;
    cancel_wait(c);
    atomic_store(&c->busy, 1);
    if (pthread_create(&c->thread, NULL, cancel_main, c) == 0) {
        c->started = 1;
        return;
    }
    tui_app_cancel(c->app); /* no thread: here, as before */
    atomic_store(&c->busy, 0);
}

/* The status line while a key's work runs: only this line changes, the
 * rest of the screen is what was drawn before the key. */
static void progress_draw(tui_app *app, long ms, int cancelling)
{
    static const char *const spinner[] = {
        "\xE2\xA0\x8B", "\xE2\xA0\x99", "\xE2\xA0\xB9", "\xE2\xA0\xB8",
        "\xE2\xA0\xBC", "\xE2\xA0\xB4", "\xE2\xA0\xA6", "\xE2\xA0\xA7",
        "\xE2\xA0\x87", "\xE2\xA0\x8F"};
    tui_screen *scr = app->screen;
    char text[128];
    int row = scr->rows - 1;
    if (row < 0 || scr->cols < 1)
        return;
    snprintf(text, sizeof text, "%s %s %ld.%ld s \xE2\x80\x94 Esc cancels",
             spinner[(ms / JOB_REDRAW_MS) % 10],
             cancelling ? "cancelling" : "working", ms / 1000,
             (ms % 1000) / 100);
    tui_screen_fill(scr, row, 0, scr->cols, TUI_EL_MESSAGE);
    tui_screen_put(scr, row, 0, text, scr->cols, TUI_EL_MESSAGE);
    scr->ops->refresh(scr);
}

/* Run `jb` on a thread of its own and watch the terminal until it ends.
 * Returns 1 when the user cancelled it. */
static int run(tui_jobs *jobs, job *jb)
{
    tui_app *app = jb->app;
    pthread_t thread;
    canceller cancel = {.app = app};
    struct timespec start;
    int cancelling = 0, by_user = 0;
    long last_cancel = 0, drawn = -JOB_REDRAW_MS;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pthread_mutex_init(&jb->lock, NULL);
    pthread_cond_init(&jb->cond, NULL);
    if (pthread_create(&thread, NULL, job_main, jb) != 0) {
        job_main(jb); /* no thread: run it here, as before */
        goto done;
    }
    if (job_wait(jb, JOB_QUICK_MS))
        goto joined;
    for (;;) {
        long ms = ms_since(&start);
        tui_event got;
        if (jb->ev && ms >= JOB_PROGRESS_MS && ms - drawn >= JOB_REDRAW_MS) {
            progress_draw(app, ms, cancelling);
            drawn = ms;
        }
        if (app->screen->ops->read(app->screen, JOB_POLL_MS, &got)) {
            int stop = !jb->ev || got.key == TUI_KEY_ESC ||
                       got.key == TUI_KEY_INTERRUPT;
            /* Esc is the cancel itself; anything else is handled after
             * the work (Ctrl-C then asks or quits as always). */
            if (!(jb->ev && got.key == TUI_KEY_ESC))
                queue_push(jobs, &got);
            if (stop && !cancelling) {
                cancelling = 1;
                by_user = jb->ev != NULL;
                last_cancel = ms_since(&start);
                cancel_send(&cancel);
            }
        }
        if (job_wait(jb, 0))
            break;
        if (cancelling && ms_since(&start) - last_cancel >= JOB_CANCEL_MS) {
            last_cancel = ms_since(&start);
            cancel_send(&cancel);
        }
    }
joined:
    pthread_join(thread, NULL);
    cancel_wait(&cancel);
done:
    pthread_cond_destroy(&jb->cond);
    pthread_mutex_destroy(&jb->lock);
    return by_user;
}

void tui_jobs_key(tui_jobs *jobs, tui_app *app, const tui_event *ev)
{
    job jb = {.app = app, .ev = ev};
    if (tui_app_key_takes_terminal(app, ev)) {
        tui_app_key(app, ev); /* $EDITOR needs this thread's terminal */
        return;
    }
    if (run(jobs, &jb))
        tui_app_message(app, "cancelled: the screen is as it was before");
    if (jobs->dropped) {
        jobs->dropped = 0;
        tui_app_error(app, "keys typed while waiting were too many: some "
                           "were dropped");
    }
}

int tui_jobs_idle(tui_jobs *jobs, tui_app *app)
{
    job jb = {.app = app, .ev = NULL};
    run(jobs, &jb);
    return jb.more || jobs->count > 0;
}
