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
for lib in libc6 libssl3 libstdc++6 libfmt9 libidn2-0 libmagic1; do
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
for elf in "$out/root/usr/bin/smtpc" "$out"/root/usr/lib/*/smtpc/smtpc-openssl.so; do
  if readelf -S "$elf" | grep -q '\.symtab'; then fail "$elf is not stripped"; fi
done
echo "PASS"
