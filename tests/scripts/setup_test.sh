#!/usr/bin/env bash
# scripts/setup against stand-in dpkg-query, apt-get and sudo on PATH: which packages it
# counts as installed (dpkg's status word), and that apt-get waits for the dpkg lock.
set -euo pipefail
setup=$(cd "$(dirname "$0")/../.." && pwd)/scripts/setup
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"

# dpkg-query -W -f=FORMAT PKG: the status word from $work/status ("pkg word" lines,
# "installed" when not listed); answers both ${db:Status-Status} and ${Status}.
cat >"$work/bin/dpkg-query" <<'STUB'
#!/usr/bin/env bash
format=${2#-f=}
pkg=$3
word=$(awk -v p="$pkg" '$1 == p { print $2 }' "$SETUP_TEST_DIR/status")
word=${word:-installed}
case "$format" in
  *db:Status-Status*) printf '%s' "$word" ;;
  *) printf 'install ok %s' "$word" ;;
esac
STUB
printf '#!/usr/bin/env bash\necho "$*" >>"$SETUP_TEST_DIR/apt-get.log"\n' >"$work/bin/apt-get"
printf '#!/usr/bin/env bash\nexec "$@"\n' >"$work/bin/sudo"
chmod +x "$work/bin/"*
export PATH="$work/bin:$PATH" SETUP_TEST_DIR="$work"

failures=0
check() {  # check NAME STATUS-LINES EXPECTED-APT-GET-LOG
  printf '%s' "$2" >"$work/status"
  rm -f "$work/apt-get.log"
  if ! "$setup" 2>/dev/null; then
    echo "FAIL $1: scripts/setup failed"; failures=$((failures + 1)); return
  fi
  local got=
  [ -f "$work/apt-get.log" ] && got=$(cat "$work/apt-get.log")
  if [ "$got" != "$3" ]; then
    printf 'FAIL %s: apt-get was called with\n%s\nexpected\n%s\n' "$1" "$got" "$3"
    failures=$((failures + 1))
  else
    echo "ok $1"
  fi
}

check "all installed" "" ""
check "triggers pending or awaited count as installed" \
  $'cmake triggers-pending\nman-db triggers-awaited\n' ""
check "a missing or half-configured package is installed, waiting for the lock" \
  $'cmake not-installed\nman-db half-configured\n' \
  "-o DPkg::Lock::Timeout=900 install -y --no-install-recommends cmake man-db"
exit $((failures > 0))
