/*
 * Every test program runs in the locale its environment names, set with
 * setlocale(LC_ALL, "") before main: the library must be right under any
 * LC_NUMERIC and LC_TIME a host program chooses, and CMake registers each
 * test a second time under LC_ALL=de_DE.UTF-8 (a comma-decimal locale) to
 * prove it. When LC_ALL names a locale the system lacks, setlocale would
 * silently leave "C" in place and the run would prove nothing, so that
 * stops the program; a missing LANG locale only leaves "C".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper_locale.h"

__attribute__((constructor)) static void test_locale_from_environment(void)
{
    const char *want = getenv("LC_ALL");
    if (setlocale(LC_ALL, "") || !want || !*want)
        return;
    fprintf(stderr,
            "tests: LC_ALL=%s is not an installed locale; scripts/deps.sh "
            "makes it (localedef -i de_DE -f UTF-8 de_DE.UTF-8)\n",
            want);
    exit(1);
}

char *helper_locale_comma(void)
{
    char *saved = strdup(setlocale(LC_ALL, NULL));
    assert_non_null(saved);
    if (!setlocale(LC_ALL, "de_DE.UTF-8"))
        fail_msg("the de_DE.UTF-8 locale is missing: scripts/deps.sh makes "
                 "it (localedef -i de_DE -f UTF-8 de_DE.UTF-8)");
    char probe[16];
    snprintf(probe, sizeof probe, "%.2f", 9.95);
    assert_string_equal(probe, "9,95");
    return saved;
}

void helper_locale_restore(char *saved)
{
    setlocale(LC_ALL, saved);
    free(saved);
}
