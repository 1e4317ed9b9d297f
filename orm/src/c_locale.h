/*
 * The C locale, made once, for the moments the core writes or reads text
 * that must not follow the host program's locale (numbers, day names):
 * uselocale only swaps a thread-local pointer, so this is cheap per call.
 */
#ifndef ORM_C_LOCALE_H
#define ORM_C_LOCALE_H

#include <locale.h>

/* Switch this thread to the C locale; pass the result to
 * orm_c_locale_leave. Should no C locale object exist (glibc hands back
 * its static one, so not there), the program's locale stays in use. */
locale_t orm_c_locale_enter(void);
void orm_c_locale_leave(locale_t saved);

#endif
