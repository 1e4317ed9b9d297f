#!/usr/bin/env bash
# Test of completions/orb.bash: source it, set COMP_LINE/COMP_POINT and
# COMP_WORDS/COMP_CWORD as bash does, call _orb and compare COMPREPLY.
# Model and column names come from a SQLite database through the real
# orb (the first argument), as a user's shell would get them.
#   tests/completion_test.sh PATH/TO/orb
set -uo pipefail

orb=${1:?usage: $0 PATH/TO/orb}
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

# shellcheck disable=SC1091 # the script under test, found at run time
source "$here/../completions/orb.bash"

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
