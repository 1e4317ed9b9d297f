/* The C locale, made once (c_locale.h). */
#include <pthread.h>

#include "c_locale.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_make(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t orm_c_locale_enter(void)
{
    pthread_once(&c_locale_once, c_locale_make);
    return c_locale ? uselocale(c_locale) : (locale_t)0;
}

void orm_c_locale_leave(locale_t saved)
{
    if (saved)
        uselocale(saved);
}
