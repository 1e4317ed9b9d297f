#!/usr/bin/env bash
# Test of orb's bash completion (build/orb.bash, made from
# completions/orb.bash.in): source it, set COMP_LINE/COMP_POINT and
# COMP_WORDS/COMP_CWORD as bash does, call _orb and compare COMPREPLY.
# Model and column names come from a SQLite database through the real
# orb (the first argument), as a user's shell would get them. Every
# command and option that `orb --help` and `orb COMMAND --help` list must
# complete.
#   tests/completion_test.sh PATH/TO/orb PATH/TO/orb.bash
set -uo pipefail

orb=${1:?usage: $0 PATH/TO/orb PATH/TO/orb.bash}
script=${2:?usage: $0 PATH/TO/orb PATH/TO/orb.bash}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/orb-completion-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_CONFIG_DIRS=$tmp/none \
  XDG_DATA_HOME=$tmp/data
unset ORB_PASSWORD
mkdir -p "$XDG_CONFIG_HOME/orb"

cat >"$tmp/models.ini" <<'INI'
[Account]
__tablename__ = accounts
id = Integer primary_key
Handle = String(50) unique not_null
secret_key = String(32) secret default=token_hex(16)
INI
"$orb" "sqlite:///$tmp/shop.db" create-all "$tmp/models.ini" >/dev/null ||
  exit 1
cat >"$XDG_CONFIG_HOME/orb/config" <<INI
[connection.shop]
url = sqlite:///$tmp/shop.db
models = $tmp/models.ini
[connection.shelf]
url = sqlite:///$tmp/shop.db
[connection.warehouse]
url = sqlite:///$tmp/none.db
INI

# shellcheck disable=SC1090 # the script under test, found at run time
source "$script"

failures=0
# check 'LINE' 'EXPECTED' : complete at the end of LINE ("orb" is the
# binary under test); EXPECTED is COMPREPLY sorted, space-separated.
check() {
  local line="$orb ${1#orb }" want=$2 got
  COMP_LINE=$line
  COMP_POINT=${#line}
  # COMP_WORDS as bash splits them (at COMP_WORDBREAKS too); _orb reads
  # COMP_LINE, which keeps @NAME and URLs whole.
  read -ra COMP_WORDS <<<"${line//[@:=]/ & }"
  [[ $line == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _orb
  got=$(printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | paste -sd' ')
  if [[ $got != "$want" ]]; then
    echo "FAIL: [$1] gave [$got], expected [$want]"
    failures=$((failures + 1))
  else
    echo "ok: [$1] -> [$got]"
  fi
}

check 'orb ' 'add connections count create-all delete export filter get help models rows schema set'
check 'orb co' 'connections count'
check 'orb --mo' '--models'
check 'orb --theme l' 'light'
# Named connections: readline replaces the word with its '@'.
check 'orb @' '@shelf @shop @warehouse'
check 'orb @sh' '@shelf @shop'
check 'orb @shop ro' 'rows'
# Models and columns come from the database through orb.
check 'orb @shop rows ' 'Account'
check "orb sqlite:///$tmp/shop.db schema " 'accounts'
check 'orb @shop rows Account --' '--filter --format --limit --offset --order --reveal --where'
check 'orb @shop rows Account --format c' 'csv'
check 'orb @shop count Account --' '--filter --where'
check 'orb @shop add Account ' 'Handle= id= secret_key='
check 'orb @shop add Account Handle=Zoë s' 'secret_key='
check 'orb @shop add Account H' 'Handle='
check 'orb @shop set Account 1 s' 'secret_key='
check 'orb @shop set Account --' '--expect --expect-count --filter --where'
check 'orb @shop set Account --where id=1 H' 'Handle='
check "orb --models $tmp/models.ini sqlite:///$tmp/shop.db get A" 'Account'
check 'orb @shop filter ' 'delete list rename save show'
# Every command and option the help lists completes (the help is written
# from the same tables by other code: this is where the two must agree).
# has 'LINE' WORD: completing LINE offers WORD among others.
has() {
  local line="$orb ${1#orb }" got
  COMP_LINE=$line
  COMP_POINT=${#line}
  read -ra COMP_WORDS <<<"${line//[@:=]/ & }"
  [[ $line == *' ' ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _orb
  got=" ${COMPREPLY[*]} "
  if [[ $got != *" $2 "* ]]; then
    echo "FAIL: [$1] does not offer [$2] (gave [${got# }])"
    failures=$((failures + 1))
  fi
}
help=$("$orb" --help)
commands=$(sed -n '/^Commands:/,/^$/p' <<<"$help" | awk 'NR > 1 && NF { print $1 }')
[[ -n $commands ]] || { echo "FAIL: no commands in orb --help"; exit 1; }
ncommands=0 noptions=0
for command in $commands; do
  has 'orb ' "$command"
  ncommands=$((ncommands + 1))
  # A command's options, as its own help lists them.
  for option in $("$orb" "$command" --help | grep -o -- '^ *--[a-z][a-z-]*' | sort -u); do
    [[ $option == --help ]] && continue
    has "orb @shop $command --" "$option"
    noptions=$((noptions + 1))
  done
done
for option in $(sed -n '/^Options:/,/^$/p' <<<"$help" | grep -o -- '^  --[a-z-]*'); do
  has 'orb --' "$option"
  noptions=$((noptions + 1))
done
for word in $("$orb" filter --help | sed -n 's/^.*orb \[OPTIONS\] \[URL\] filter \([a-z]*\).*/\1/p'); do
  has 'orb @shop filter ' "$word"
done
echo "checked $ncommands commands and $noptions options against the help"
((ncommands >= 10 && noptions >= 15)) ||
  { echo "FAIL: too few words found in the help"; failures=$((failures + 1)); }

# An unreachable database or one that would ask for a password gives no
# names, and never a prompt.
check 'orb @warehouse rows ' ''
check 'orb --password-prompt @shop rows ' ''
# Completing never writes: the missing SQLite file was not created.
if [[ -e $tmp/none.db ]]; then
  echo "FAIL: completion created $tmp/none.db"
  failures=$((failures + 1))
fi

((failures == 0)) || { echo "$failures completion check(s) failed"; exit 1; }
