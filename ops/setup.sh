#!/usr/bin/env bash
# Installs what Switchboard needs on Debian 12 (with the Swift toolchain already on PATH), builds it in
# release mode, and runs the whole pipeline once on a fresh local SQLite file: no provider tokens needed.
# libpq-dev is PostgreSQL's client library (for --db postgres://...); postgresql brings the server
# programs the test suite starts a server of its own with (it never touches a running server).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root=()
if [ "$(id -u)" -ne 0 ]; then
    as_root=(sudo)
fi
"${as_root[@]}" apt-get update -q
"${as_root[@]}" apt-get install -y -q libsqlite3-dev libcurl4-openssl-dev libssl-dev libpq-dev libmicrohttpd-dev libwebsockets-dev libprotobuf-c-dev postgresql pgbouncer pkg-config python3-prometheus-client python3-jwt python3-cryptography python3-venv wrk chromium

swift build -c release --static-swift-stdlib
.build/release/switchboard demo
