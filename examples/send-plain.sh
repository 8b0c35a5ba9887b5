#!/usr/bin/env bash
# Send examples/email.txt through a relay in plain SMTP, showing the dialogue.
# Usage: examples/send-plain.sh smtp://relay.example.com:25 from@example.com to@example.com
set -euo pipefail
url=${1:?URL}
from=${2:?sender}
to=${3:?recipient}
exec smtpc "$url" --mail-from "$from" --mail-rcpt "$to" -T "$(dirname "$0")/email.txt" -v
