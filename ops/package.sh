#!/usr/bin/env bash
# Builds a Debian package of Switchboard: the release binary with the Swift runtime linked in (so it runs on
# a host without the Swift toolchain), the systemd units and timers with their shared sandboxing drop-in,
# and the example configuration. Installing it creates the `switchboard` system user, its state directory
# /var/lib/switchboard and /etc/switchboard; it enables no unit (pick the ones you run).
#   ops/package.sh [--output DIR]      # prints the path of the .deb it wrote (default DIR: .build-package)
# Needs dpkg-dev (dpkg-shlibdeps works out the library packages the binary depends on).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
output="$repo/.build-package"
while [ $# -gt 0 ]; do
    case "$1" in
    --output)
        output=$(mkdir -p "$2" && cd "$2" && pwd)
        shift 2
        ;;
    *)
        echo "usage: ops/package.sh [--output DIR]" >&2
        exit 64
        ;;
    esac
done

# --static-swift-stdlib links the Swift runtime and Foundation into the binary; the C libraries stay
# shared, from Debian's packages, and become the package's dependencies.
swift build --package-path "$repo" -c release --static-swift-stdlib --product switchboard >&2
binary="$repo/.build/release/switchboard"
version=$("$binary" --version | awk '{print $NF}')
architecture=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
install -D -m 0755 "$binary" "$root/usr/bin/switchboard"
strip --strip-unneeded "$root/usr/bin/switchboard"
units="$root/lib/systemd/system"
install -d "$units/switchboard-.service.d"
install -m 0644 "$repo"/ops/systemd/*.service "$repo"/ops/systemd/*.timer "$units/"
install -m 0644 "$repo/ops/systemd/switchboard-.service.d/hardening.conf" "$units/switchboard-.service.d/"
docs="$root/usr/share/doc/switchboard"
install -D -m 0644 "$repo/ops/switchboard.example.json" "$docs/examples/switchboard.example.json"
install -m 0644 "$repo/README.md" "$repo/ops/RUNBOOK.md" "$docs/"

# The library packages the binary links against, as dpkg-shlibdeps finds them (it wants a debian/control).
mkdir -p "$stage/shlibs/debian"
printf 'Source: switchboard\n\nPackage: switchboard\nArchitecture: any\n' >"$stage/shlibs/debian/control"
depends=$(cd "$stage/shlibs" && dpkg-shlibdeps --warnings=0 -O "$root/usr/bin/switchboard" | sed -n 's/^shlibs:Depends=//p')

install -d "$root/DEBIAN"
cat >"$root/DEBIAN/control" <<CONTROL
Package: switchboard
Version: $version
Architecture: $architecture
Maintainer: Switchboard <switchboard@localhost>
Depends: $depends, passwd
Recommends: sqlite3
Section: net
Priority: optional
Homepage: https://github.com/switchboard-chat/switchboard
Description: durable job queue and workers for chat-bot backends
 Receives chat providers' messages (webhooks, long polling), records each one durably once, and runs
 the turn: resolves the chat's owner, asks an agent and delivers the reply through the provider's API.
 SQLite on one machine, PostgreSQL for a fleet.
CONTROL

cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
# The service user the units run as, its state directory and the configuration directory it reads.
set -e
if [ "$1" = configure ]; then
    if ! getent passwd switchboard >/dev/null; then
        useradd --system --user-group --home-dir /var/lib/switchboard --no-create-home \
            --shell /usr/sbin/nologin switchboard
    fi
    install -d -m 0750 -o switchboard -g switchboard /var/lib/switchboard /etc/switchboard
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
fi
exit 0
POSTINST

cat >"$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
# Stops the units before the binary goes: workers hand their jobs back to the queue as on any stop.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop 'switchboard-*.service' 'switchboard-*.timer' || true
fi
exit 0
PRERM

cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
# The database and configuration stay, also on purge: they hold what users sent and were promised.
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
exit 0
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

package="$output/switchboard_${version}_${architecture}.deb"
mkdir -p "$output"
dpkg-deb --root-owner-group --build "$root" "$package" >&2
echo "$package"
