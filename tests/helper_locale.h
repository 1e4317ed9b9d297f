/*
 * Locales for tests (helper_locale.c): every test program starts in its
 * environment's locale; a test that must prove something under a
 * comma-decimal locale switches to de_DE.UTF-8 itself and back.
 */
#ifndef HELPER_LOCALE_H
#define HELPER_LOCALE_H

/* Switch to de_DE.UTF-8 (failing the test when the system lacks it) after
 * checking that it writes 9.95 as "9,95"; returns the previous locale for
 * helper_locale_restore. */
char *helper_locale_comma(void);
/* Put back what helper_locale_comma returned, and free it. */
void helper_locale_restore(char *saved);

#endif
