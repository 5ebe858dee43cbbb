#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 (with the Swift toolchain already on PATH), builds it in
# release mode, and runs a first job end to end on a local SQLite file: no provider tokens needed.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q libsqlite3-dev libcurl4-openssl-dev pkg-config

swift build -c release
switchboard=.build/release/switchboard
database=.build/quickstart.db
rm -f "$database" "$database"-wal "$database"-shm "$database"-writer

echo "== enqueueing three jobs into $database"
for name in Ada Grace Linus; do
    "$switchboard" enqueue --db "$database" --queue greetings --kind hello --payload "{\"name\":\"$name\"}"
done
"$switchboard" enqueue --db "$database" --queue greetings --kind hello --payload '{"name":"Ada"}' \
    --dedupe-key greet-ada-once
"$switchboard" enqueue --db "$database" --queue greetings --kind hello --payload '{"name":"Ada"}' \
    --dedupe-key greet-ada-once

echo "== draining them with a shell-command worker"
"$switchboard" work --db "$database" --queue greetings --drain \
    --exec 'echo "job $SWITCHBOARD_JOB_ID says hello to $(sed -e "s/.*\"name\":\"\([^\"]*\)\".*/\1/")"'

echo "== queue after the run"
"$switchboard" stats --db "$database"
