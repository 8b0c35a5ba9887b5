#!/usr/bin/env bash
# smtpc loads its TLS module (smtpc-openssl.so) only from its one fixed place, and only when
# root or the user owns the file and its directory and no one else may write them. A module
# planted where another user can write never runs (its constructor would create a marker).
# Usage: tls_module_test.sh SMTPC PLANTED_MODULE LIBDIR
#   SMTPC: the build-tree program; PLANTED_MODULE: a module whose constructor creates
#   $SMTPC_PLANTED_MARKER; LIBDIR: the configured CMAKE_INSTALL_LIBDIR (lib, lib/<triplet>).
set -euo pipefail
smtpc=$1
planted=$2
libdir=$3
module="$(dirname "$smtpc")/smtpc-openssl.so"
work=$(mktemp -d)
listener=
cleanup() {
  [ -z "$listener" ] || kill "$listener" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export SMTPC_PLANTED_MARKER="$work/marker"

# Modules planted for a copy of smtpc in directory $1: beside it and in ../<libdir>/smtpc/.
plant_around() {
  local bin=$1
  for dir in "$bin" "$bin/../$libdir/smtpc" "$bin/../lib/smtpc"; do
    mkdir -p "$dir"
    cp "$planted" "$dir/smtpc-openssl.so"
  done
}
not_loaded() {
  [ ! -e "$SMTPC_PLANTED_MARKER" ] || fail "$1: the planted module ran"
}

# 1. A copy of smtpc in a world-writable directory (as a build in /tmp/X/build would look
#    for /tmp/X/lib/smtpc/): modules planted around it are not loaded.
shared="$work/shared"
mkdir -p "$shared/bin"
chmod 1777 "$shared"
cp "$smtpc" "$shared/bin/smtpc"
plant_around "$shared/bin"
version=$(cd "$shared/bin" && ./smtpc --version)
not_loaded "a copy of smtpc under a world-writable directory"
grep -q "no TLS" <<<"$version" || fail "the copy found a TLS module: $version"

# 2. Without /proc the program's location is unknown: nothing relative to the working
#    directory is tried (old: ../lib/smtpc/smtpc-openssl.so from the cwd).
#    AddressSanitizer cannot run without /proc (it reads /proc/self/maps and reports false
#    stack overflows), so the sanitizer build leaves this case to the normal build.
# (ldd's output is read whole first: with pipefail, `ldd | grep -q` fails whenever grep
# exits before ldd has written everything and ldd dies of SIGPIPE.)
if grep -q libasan <<<"$(ldd "$smtpc")"; then
  echo "case 2 skipped: an AddressSanitizer build cannot run without /proc"
else
  mkdir -p "$work/cwd/bin"
  plant_around "$work/cwd/bin"
  (cd "$work/cwd/bin" &&
    unshare -rm sh -c 'mount -t tmpfs none /proc && exec "$0" --version' "$shared/bin/smtpc" \
      >/dev/null)
  not_loaded "smtpc started without /proc from a directory with planted modules"
fi

# 3. The build tree's own module, made writable by everyone (0666, bound over the real
#    one in a private mount namespace): refused with exit 35, naming it.
cp "$module" "$work/open-module.so"
chmod 0666 "$work/open-module.so"
python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen()
print(s.getsockname()[1], flush=True)
s.accept()[0].close()' >"$work/port" &
listener=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
status=0
unshare -rm sh -c 'mount --bind "$0" "$1" && exec "$2" "smtps://127.0.0.1:$3" -k \
    --mail-from a@example.org --mail-rcpt b@example.org -T /dev/null' \
  "$work/open-module.so" "$module" "$smtpc" "$port" 2>"$work/stderr" || status=$?
[ "$status" = 35 ] || fail "a 0666 module: exit $status, not 35: $(cat "$work/stderr")"
grep -q "refusing to load $module: .*writable by group or others (mode 0666)" "$work/stderr" ||
  fail "a 0666 module: $(cat "$work/stderr")"

# 4. The same module in a directory others may write: refused.
mkdir -m 0777 "$work/open-dir"
cp "$module" "$work/open-dir/smtpc-openssl.so"
cp "$smtpc" "$work/open-dir/smtpc"  # the build directory is hidden under it
chmod 0755 "$work/open-dir/smtpc-openssl.so"
version=$(unshare -rm sh -c 'mount --bind "$0" "$1" && exec "$2" --version' \
  "$work/open-dir" "$(dirname "$module")" "$smtpc" 2>&1 || true)
grep -q "refusing to load $module: $(dirname "$module") is writable by group or others" \
  <<<"$version" || fail "a module in a 0777 directory: $version"

# 5. The build tree's program still loads its own module.
grep -q ' OpenSSL/' <<<"$("$smtpc" --version)" || fail "the build-tree smtpc lost its TLS module"
echo PASS
