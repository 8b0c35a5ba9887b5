#!/usr/bin/env bash
# scripts/check-function-length on planted files: a function over the limit fails the
# check, one whose comment says "Long on purpose: REASON" passes (and --list names it), a
# marker without a reason does not count, and a lambda counts toward its function.
set -euo pipefail
check=$(cd "$(dirname "$0")/../.." && pwd)/scripts/check-function-length
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A function of `lines` statements (plus its two braces), after a comment `comment`.
plant() {  # plant FILE COMMENT LINES [LAMBDA]
  {
    printf '%s\nint planted(int x) {\n' "$2"
    if [ "${4:-}" = lambda ]; then printf '  auto f = [&](int y) {\n'; fi
    for ((i = 0; i < $3; i++)); do printf '  x += %d;\n' "$i"; done
    if [ "${4:-}" = lambda ]; then printf '    return y;\n  };\n'; fi
    printf '  return x;\n}\n'
  } >"$1"
}

failures=0
expect() {  # expect NAME WANTED-STATUS ARGS...
  local name=$1 wanted=$2
  shift 2
  local status=0
  "$check" "$@" >"$work/out" 2>&1 || status=$?
  if [ "$status" -ne "$wanted" ]; then
    echo "FAIL $name: exit $status, wanted $wanted" >&2
    cat "$work/out" >&2
    failures=$((failures + 1))
  fi
}

plant "$work/short.cpp" "// Adds." 70
expect "a function within the limit" 0 "$work/short.cpp"
plant "$work/long.cpp" "// Adds." 90
expect "a function over the limit" 1 "$work/long.cpp"
grep -q "long.cpp:2: planted is 93 lines" "$work/out" || {
  echo "FAIL the long function is not named with its length" >&2
  cat "$work/out" >&2
  failures=$((failures + 1))
}
plant "$work/excused.cpp" "// Adds.
// Long on purpose: one statement per step of the planted test." 90
expect "a long function with a reason" 0 "$work/excused.cpp"
expect "--list names it" 0 --list "$work/excused.cpp"
grep -q "long on purpose: one statement per step" "$work/out" || {
  echo "FAIL --list does not give the reason" >&2
  failures=$((failures + 1))
}
plant "$work/empty_reason.cpp" "// Long on purpose:" 90
expect "a marker without a reason" 1 "$work/empty_reason.cpp"
plant "$work/lambda.cpp" "// Adds." 78 lambda
expect "a lambda counts toward its function" 1 "$work/lambda.cpp"

if [ "$failures" -ne 0 ]; then exit 1; fi
echo "check-function-length: all cases passed"
