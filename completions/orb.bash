# Bash completion for orb: commands, options, named connections (@NAME),
# and model and column names read from the database through orb itself
# (`orb URL models`, `orb URL schema MODEL`, each under `timeout 2`, so a
# slow or unreachable server never hangs the shell).
#
# Installed as share/bash-completion/completions/orb; works without the
# bash-completion package too (`source orb.bash`).

# orb's words on the line up to the cursor, split at blanks (bash splits
# COMP_WORDS at '@', ':' and '=' as well, which would cut @shop and URLs).
_orb_words() {
  local line=${COMP_LINE:0:COMP_POINT}
  read -ra _orb_w <<<"$line"
  [[ -z $line || $line == *[[:blank:]] ]] && _orb_w+=("")
}

# COMPREPLY from the words in $2 that start with $1, made relative to the
# part of the word readline replaces: after its last COMP_WORDBREAKS
# character ("Handle=Zo" replaces "Zo"), but with '@' and '$', which
# readline keeps ("@sh" replaces "@sh").
_orb_reply() {
  local cur=$1 word wb=${COMP_WORDBREAKS-$' \t\n"\'@><=;|&(:'}
  local tail=$cur i
  local - # set -f below stays inside this function
  set -f
  COMPREPLY=()
  for word in $2; do
    [[ $word == "$cur"* ]] && COMPREPLY+=("$word")
  done
  for ((i = ${#cur} - 1; i >= 0; i--)); do
    if [[ $wb == *"${cur:i:1}"* ]]; then
      # Bash's readline keeps '@' and '$' with the word they start.
      case ${cur:i:1} in
        @ | \$) tail=${cur:i} ;;
        *) tail=${cur:i+1} ;;
      esac
      break
    fi
  done
  local strip=${cur:0:${#cur}-${#tail}}
  [[ -n $strip ]] && COMPREPLY=("${COMPREPLY[@]#"$strip"}")
  return 0
}

# Run orb quietly with the global arguments of the line, read-only (a
# SQLite file that is not there is not created); never prompts.
_orb_run() {
  local bin=${_orb_w[0]/#\~/$HOME}
  [[ $bin == */* ]] || bin=$(type -P "$bin") || return
  timeout 2 "$bin" --read-only "${_orb_global[@]}" "$@" </dev/null 2>/dev/null
}

# The first column of a table orb printed, without its two header lines.
_orb_first_column() {
  awk 'NR > 2 { print $1 }'
}

_orb() {
  local _orb_w _orb_global=() cur prev
  _orb_words
  cur=${_orb_w[-1]}
  prev=
  ((${#_orb_w[@]} > 1)) && prev=${_orb_w[-2]}

  local commands="models schema rows get count add set delete create-all
    filter export help connections"
  local global_opts="--models --theme --state --read-only --password-prompt
    --help --version"

  # Walk the words before the cursor: global options, the URL or @NAME,
  # then the command and its positional arguments.
  local i w cmd='' npos=0 prompt='' takes_value='' selected=''
  for ((i = 1; i < ${#_orb_w[@]} - 1; i++)); do
    w=${_orb_w[i]}
    if [[ -n $takes_value ]]; then
      takes_value=
      [[ -z $cmd ]] && _orb_global+=("$w")
      continue
    fi
    if [[ -z $cmd ]]; then
      case $w in
        --models | --theme | --state)
          _orb_global+=("$w")
          takes_value=1
          ;;
        --password-prompt) prompt=1 ;;
        -*) _orb_global+=("$w") ;;
        @* | *://*) _orb_global+=("$w") ;;
        *) cmd=$w ;;
      esac
    else
      case $w in
        --where | --filter) takes_value=1 selected=1 ;;
        --order | --limit | --offset | --format | --output | --expect | \
          --expect-count) takes_value=1 ;;
        -*) ;;
        *) npos=$((npos + 1)) ;;
      esac
    fi
  done

  # The value of an option.
  case $prev in
    --models | --state | --output)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0
      ;;
    --theme)
      _orb_reply "$cur" "default light high-contrast monochrome"
      return 0
      ;;
    --format)
      _orb_reply "$cur" "table csv tsv json"
      return 0
      ;;
    --where | --order | --limit | --offset | --filter | --expect | --expect-count)
      return 0
      ;;
  esac

  if [[ -z $cmd ]]; then
    case $cur in
      -*) _orb_reply "$cur" "$global_opts" ;;
      @*)
        local names
        names=$(_orb_run connections | awk '{ print "@" $1 }')
        _orb_reply "$cur" "$names"
        ;;
      *) _orb_reply "$cur" "$commands" ;;
    esac
    return 0
  fi

  # Asking the database would prompt for a password: complete what is
  # known without it.
  local ask=1
  [[ -n $prompt ]] && ask=

  local opts=
  case $cmd in
    rows) opts="--where --order --limit --offset --format --reveal --filter" ;;
    get) opts="--reveal" ;;
    count) opts="--where --filter" ;;
    set) opts="--expect --expect-count --filter --where" ;;
    export) opts="--where --filter --format --output --reveal" ;;
  esac
  if [[ $cur == -* ]]; then
    _orb_reply "$cur" "$opts"
    return 0
  fi

  case $cmd in
    create-all)
      ((npos == 0)) || return 0
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      ;;
    filter)
      ((npos == 0)) && _orb_reply "$cur" "list save show delete rename"
      ;;
    schema | rows | get | count | add | set | delete | export)
      [[ -n $ask ]] || return 0
      local model
      if ((npos == 0)); then
        _orb_reply "$cur" "$(_orb_run models | _orb_first_column)"
        return 0
      fi
      # COL=VALUE arguments: after MODEL (add, set --where) or MODEL KEY
      # (set).
      if [[ ($cmd == add && npos -ge 1) || ($cmd == set && npos -ge 2) ||
        ($cmd == set && -n $selected && npos -ge 1) ]] &&
        [[ $cur != *=* ]]; then
        for ((i = 1; i < ${#_orb_w[@]} - 1; i++)); do
          [[ ${_orb_w[i]} == "$cmd" ]] && model=${_orb_w[i + 1]} && break
        done
        local columns
        columns=$(_orb_run schema "$model" | _orb_first_column |
          sed 's/$/=/')
        _orb_reply "$cur" "$columns"
        compopt -o nospace 2>/dev/null
      fi
      ;;
  esac
  return 0
}

complete -F _orb orb
