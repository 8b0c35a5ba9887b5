#!/usr/bin/env bash
# Builds the .deb with cpack and checks it: name, dependencies found by dpkg-shlibdeps,
# contents, stripped binaries, maintainer scripts. Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
deb="$out/smtpc_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "no $deb: $(ls "$out")"
info=$(dpkg-deb -I "$deb")
echo "$info"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libssl3 libidn2-0 libmagic1; do
  grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/smtpc ./usr/share/man/man1/smtpc.1.gz ./usr/share/doc/smtpc/copyright \
    ./usr/share/doc/smtpc/changelog.gz ./usr/share/bash-completion/completions/smtpc; do
  grep -q " $path\$" <<<"$contents" || fail "the package lacks $path"
done
if grep -q " ./usr/sbin/sendmail" <<<"$contents"; then fail "the package ships /usr/sbin/sendmail"; fi
dpkg-deb -x "$deb" "$out/root"
dpkg-deb -e "$deb" "$out/control"
grep -q "update-alternatives --install /usr/sbin/sendmail" "$out/control/postinst" ||
  fail "postinst does not offer sendmail through update-alternatives"
grep -q -- "--slave /usr/bin/mailq mailq /usr/bin/smtpc" "$out/control/postinst" ||
  fail "postinst does not offer mailq with sendmail"
grep -q "install -d -o root -g root -m 1733 /var/spool/smtpc/users" "$out/control/postinst" ||
  fail "postinst does not make the system spool's users/ directory"
# The TLS module goes where the install rules put it: <libdir>/smtpc, libdir as configured
# (GNUInstallDirs: lib for the default /usr/local prefix, lib/<triplet> for /usr).
elves=("$out/root/usr/bin/smtpc")
if ! grep -q '^SMTPC_STATIC_DEPS:BOOL=ON' "$build/CMakeCache.txt"; then
  libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
  module="$out/root/usr/$libdir/smtpc/smtpc-openssl.so"
  [ -f "$module" ] || fail "the package lacks /usr/$libdir/smtpc/smtpc-openssl.so"
  elves+=("$module")
fi
for elf in "${elves[@]}"; do
  if grep -q '\.symtab' <<<"$(readelf -S "$elf")"; then fail "$elf is not stripped"; fi
done
# libstdc++ and fmt are linked in by default (SMTPC_BUNDLE_CXX_RUNTIME) and shared with
# it off: the package depends on each exactly when a binary it ships needs the library.
needed=$(readelf -d "${elves[@]}" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
for pair in libstdc++.so.6:libstdc++6 libfmt.so.9:libfmt9 libgcc_s.so.1:libgcc-s1; do
  soname=${pair%%:*} lib=${pair#*:}
  if grep -qxF "$soname" <<<"$needed"; then
    grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib (needed: $soname): $depends"
  elif grep -q "\b$lib\b" <<<"$depends"; then
    fail "Depends names $lib, which nothing in the package needs: $depends"
  fi
done
# No library for ld.so, so no maintainer script may run ldconfig (lintian:
# maintscript-calls-ldconfig).
if grep -lE '^[[:space:]]*ldconfig' "$out"/control/post* "$out"/control/pre* 2>/dev/null; then
  fail "a maintainer script calls ldconfig"
fi
grep -q 'rm -rf /var/spool/smtpc' "$out/control/postrm" || fail "postrm does not purge the queue"
# lintian, when installed: no errors and no warnings.
if command -v lintian >/dev/null; then
  tags=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -E '^[EW]: ' || true)
  [ -z "$tags" ] || fail "lintian: $tags"
fi
echo "PASS"
