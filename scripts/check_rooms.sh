#!/bin/sh
# Keeps the screens of tui/ out of one another's files (docs/ARCHITECTURE.md,
# "Where things live"), so that the include circle app.c <-> edit.c <->
# view_*.c cannot come back. Run by ctest as tui_rooms; prints each broken
# rule as file:line: what is wrong, and fails.
#
#   1. Screens are made and asked through one header: only tui/core/views.h
#      declares tui_view_* functions.
#   2. A screen file (view_*.c) includes, besides the C library's and the
#      ORM's headers, only the browser core (tui/core/, tui/screen/,
#      tui/tui.h), headers of its own room, and the interfaces of the two
#      flows: edit.h (editing) and filter_views.h (filtering).
#   3. A screen's private header (view_X.h, when view_X.c is split into
#      view_X_*.c) is included only by that screen's files.
#   4. app.c opens no screen but the first (models), help and the
#      recent messages.
#   5. Which screen a view is comes from tui_view_ops.kind: tui/ never
#      reads tui_view_ops.name (tests print it). No file includes a .c file.
#
# Usage: check_rooms.sh [SOURCE_DIR]
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2
tui=tui

# The quoted includes of a file, as "LINE NAME".
includes() {
    grep -n '^#include "' "$1" | sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1 \2/'
}

rule_one_interface() {
    find "$tui" -name '*.h' ! -path "$tui/core/views.h" | sort |
        while read -r h; do
            grep -n '\btui_view_[a-z_]*(' "$h" | while IFS=: read -r line text; do
                echo "$h:$line: a screen function declared outside" \
                    "tui/core/views.h: $text"
            done
        done
}

rule_includes() {
    find "$tui" -name '*.[ch]' | sort | xargs awk -v tui="$tui" \
        -v headers="$(find "$tui" -name '*.h' | tr '\n' ' ')" '
    BEGIN {
        n = split(headers, h, " ")
        for (i = 1; i <= n; i++) {
            k = h[i]
            sub(".*/", "", k)
            where[k] = h[i]
        }
    }
    /^#include "/ {
        name = $0
        sub(/^#include "/, "", name)
        sub(/".*/, "", name)
        src = FILENAME
        base = src
        sub(".*/", "", base)
        dir = src
        sub("/[^/]*$", "", dir)
        at = src ":" FNR ": "
        if (name ~ /\.c$/) {
            print at "includes a .c file: " name
            next
        }
        if (!(name in where))
            next # the ORM, a generated or a test header
        found = where[name]
        hdir = found
        sub("/[^/]*$", "", hdir)
        # 3. A header private to a screen stays with it.
        if (name ~ /^view_.*\.h$/) {
            stem = name
            sub(/\.h$/, "", stem)
            if (base != stem ".c" && index(base, stem "_") != 1)
                print at "includes " name ", private to " stem "*.c"
        }
        # 2. What a screen may include.
        if (base !~ /^view_.*\.c$/)
            next
        if (hdir == tui || hdir == tui "/core" || hdir == tui "/screen" ||
            hdir == dir || name == "edit.h" || name == "filter_views.h")
            next
        print at "a screen includes " found ", the insides of another room"
    }'
}

rule_app_first_screen() {
    grep -n 'tui_view_[a-z_]*_new' "$tui/core/app.c" |
        grep -v 'tui_view_models_new\|tui_view_help_new\|tui_view_messages_new' |
        while IFS=: read -r line text; do
            echo "$tui/core/app.c:$line: the app opens a screen itself: $text"
        done
}

rule_kinds() {
    grep -rn 'ops->name' "$tui" | while IFS=: read -r file line text; do
        echo "$file:$line: tells screens apart by name (ops->kind says" \
            "which screen a view is): $text"
    done
}

problems=$(
    rule_one_interface
    rule_includes
    rule_app_first_screen
    rule_kinds
)
if [ -n "$problems" ]; then
    printf '%s\n' "$problems" | sed 's/^/check_rooms: /' >&2
    exit 1
fi
echo "check_rooms: the screens of tui/ meet only through tui/core/views.h"
