#!/usr/bin/env bash
# Send a message through a submission server (port 587) with STARTTLS required and a
# password read from a file, never from the command line.
# Usage: examples/send-submission.sh smtp.example.com me@example.com ~/.smtp-password to@example.com
set -euo pipefail
host=${1:?host}
user=${2:?user}
password_file=${3:?password file}
to=${4:?recipient}
exec smtpc "smtp://$host:587" --ssl-reqd -u "$user" --password-file "$password_file" \
  --mail-from "$user" --mail-rcpt "$to" -T "$(dirname "$0")/email.txt"
