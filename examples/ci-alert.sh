#!/usr/bin/env bash
# A CI failure alert: composed on the command line, with the build log attached.
# Usage: SMTPC_PASSWORD=... examples/ci-alert.sh smtps://smtp.example.com ci@example.com ops@example.com build.log
set -euo pipefail
url=${1:?URL}
from=${2:?sender}
to=${3:?recipient}
log=${4:?log file}
exec smtpc "$url" -u "$from" --mail-from "$from" --mail-rcpt "$to" \
  --subject "build failed: ${CI_COMMIT_SHA:-unknown commit}" \
  --body "The build failed; the log is attached." --attach "$log"
