/*
 * Every test program runs in the locale its environment names, set with
 * setlocale(LC_ALL, "") before main: the library must be right under any
 * LC_NUMERIC and LC_TIME a host program chooses, and CMake registers each
 * test a second time under LC_ALL=de_DE.UTF-8 (a comma-decimal locale) to
 * prove it. When LC_ALL names a locale the system lacks, setlocale would
 * silently leave "C" in place and the run would prove nothing, so that
 * stops the program; a missing LANG locale only leaves "C".
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

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
