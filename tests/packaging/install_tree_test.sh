#!/usr/bin/env bash
# Installs the build into a temporary prefix and checks what a user gets: the tree, the
# program finding its TLS module from there, the man pages rendering without warnings,
# and the bash completion loading and completing. Usage: install_tree_test.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
module="$libdir/smtpc/smtpc-openssl.so"  # the default build's TLS module
grep -q '^SMTPC_STATIC_DEPS:BOOL=ON' "$build/CMakeCache.txt" && module=bin/smtpc
for path in bin/smtpc "$module" \
    share/man/man1/smtpc.1.gz share/man/man5/smtpc.conf.5.gz \
    share/bash-completion/completions/smtpc share/zsh/vendor-completions/_smtpc \
    share/fish/vendor_completions.d/smtpc.fish \
    share/doc/smtpc/README.md share/doc/smtpc/copyright share/doc/smtpc/changelog.gz \
    share/doc/smtpc/cron.md share/doc/smtpc/exit-codes.md share/doc/smtpc/examples/send-plain.sh; do
  [ -e "$prefix/$path" ] || fail "$path is not installed"
done
echo "installed tree:"; (cd "$prefix" && find . -type f | sort)

# The installed program loads its TLS module from the configured prefix's <libdir>/smtpc
# only, never relative to itself: run from the temporary prefix it finds none; with the
# tree laid over the configured prefix (an overlay in a private mount namespace, so nothing
# is installed on this machine) it finds it.
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
version=$("$prefix/bin/smtpc" --version)
if ! grep -q '^SMTPC_STATIC_DEPS:BOOL=ON' "$build/CMakeCache.txt"; then
  if [ ! -e "$configured/$libdir/smtpc/smtpc-openssl.so" ]; then  # smtpc not installed here
    grep -q "no TLS: TLS support is not installed: no $configured/$libdir/smtpc/smtpc-openssl.so" \
      <<<"$version" || fail "smtpc found a TLS module outside $configured: $version"
  fi
  [ -d "$configured" ] || fail "the configured prefix $configured does not exist to lay the tree over"
  version=$(unshare -rm sh -c 'mount -t overlay overlay -o "lowerdir=$0:$1" "$1" && exec "$1/bin/smtpc" --version' \
    "$prefix" "$configured")
fi
grep -q '^smtpc .* OpenSSL/' <<<"$version" || fail "smtpc -V does not name OpenSSL: $version"

# Man pages render, without groff warnings, and document the options.
for page in man1/smtpc.1.gz man5/smtpc.conf.5.gz; do
  warnings=$(MANWIDTH=80 man --warnings -l "$prefix/share/man/$page" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man $page: $warnings"
done
text=$(MANWIDTH=80 man -l "$prefix/share/man/man1/smtpc.1.gz" 2>/dev/null)
for want in SYNOPSIS --mail-rcpt --upload-file --oauth2-bearer "SENDMAIL MODE" "EXIT STATUS"; do
  grep -qF -- "$want" <<<"$text" || fail "smtpc(1) does not mention $want"
done

# Every option --help all lists is in the man page and the completions.
"$prefix/bin/smtpc" --help all | grep -oE -- '^ {1,5}(-., )?--[a-z0-9.-]+' |
  grep -oE -- '--[a-z0-9.-]+' | sort -u >"$prefix/options"
[ "$(wc -l <"$prefix/options")" -gt 40 ] || fail "--help all lists too few options"
while read -r option; do
  grep -qF -- "${option//-/\\-}" <(zcat "$prefix/share/man/man1/smtpc.1.gz") ||
    fail "smtpc(1) lacks $option"
  grep -qw -- "$option" "$prefix/share/bash-completion/completions/smtpc" ||
    fail "the bash completion lacks $option"
  grep -q -- "-l ${option#--} " "$prefix/share/fish/vendor_completions.d/smtpc.fish" ||
    fail "the fish completion lacks $option"
done <"$prefix/options"

# The bash completion loads and completes --mail-<TAB>.
registered=$(bash -c "source '$prefix/share/bash-completion/completions/smtpc' && complete -p smtpc")
[ "$registered" = "complete -F _smtpc smtpc" ] || fail "bash: $registered"
completed=$(bash -c "source '$prefix/share/bash-completion/completions/smtpc'
  COMP_WORDS=(smtpc --mail-); COMP_CWORD=1; _smtpc; echo \"\${COMPREPLY[*]}\"")
[ "$completed" = "--mail-auth --mail-from --mail-rcpt --mail-rcpt-allowfails" ] ||
  fail "bash completes --mail- as: $completed"
completed=$(bash -c "source '$prefix/share/bash-completion/completions/smtpc'
  COMP_WORDS=(smtpc --help c); COMP_CWORD=2; _smtpc; echo \"\${COMPREPLY[*]}\"")
[ "$completed" = "connection compose config" ] || fail "bash completes --help c as: $completed"
if command -v zsh >/dev/null; then zsh -n "$prefix/share/zsh/vendor-completions/_smtpc"; fi
if command -v fish >/dev/null; then fish -n "$prefix/share/fish/vendor_completions.d/smtpc.fish"; fi
echo "PASS"
