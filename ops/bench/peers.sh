#!/usr/bin/env bash
# Compares Switchboard with huey, persist-queue and litequeue on one enqueue-then-process workload, and
# with --postgres URL with pgqueuer on that PostgreSQL database (which must hold no Switchboard schema).
# Installs the Python packages into a virtualenv under .build/ and builds Switchboard in release mode.
# Usage: ops/bench/peers.sh [--jobs N] [--postgres URL]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.build/peers-venv"

python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check huey persist-queue litequeue pgqueuer asyncpg
swift build -c release --package-path "$root" --product switchboard >&2
"$venv/bin/python" "$here/peers.py" --switchboard "$root/.build/release/switchboard" "$@"
