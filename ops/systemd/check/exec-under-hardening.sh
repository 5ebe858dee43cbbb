#!/bin/sh
# Checks that the worker unit, with the shared hardening drop-in, runs an --exec job: boots a Debian 12
# container (debootstrap + systemd-nspawn, as root, with deb.debian.org reachable) with systemd as its
# init, installs the units and a switchboard built with the Swift runtime linked in, starts
# switchboard-worker@1 with an --exec command, enqueues a job, and prints what the job saw and the unit's
# journal. Exits 0 when the job completed under the unit, 1 otherwise.
#   sudo ops/systemd/check/exec-under-hardening.sh
# Needs the Debian packages debootstrap and systemd-container; takes a few minutes.
set -eu
repo=$(cd "$(dirname "$0")/../../.." && pwd)
work=$(mktemp -d /var/tmp/switchboard-hardening.XXXXXX)
root="$work/root"
trap 'rm -rf "$work"' EXIT

swift build --package-path "$repo" -c release --static-swift-stdlib --scratch-path "$work/build" \
    --product switchboard >/dev/null
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libsqlite3-0,libcurl4,libpq5,libmicrohttpd12 \
    bookworm "$root" http://deb.debian.org/debian >/dev/null

install -m 0755 "$work/build/release/switchboard" "$root/usr/local/bin/switchboard"
cp -r "$repo/ops/systemd/." "$root/etc/systemd/system/"
rm -rf "$root/etc/systemd/system/check"
chroot "$root" useradd --system --home /var/lib/switchboard --shell /usr/sbin/nologin switchboard
mkdir -p "$root/etc/switchboard"
echo '{"links": {"mode": "open", "default_owner": "acct_check"}}' >"$root/etc/switchboard/switchboard.json"
chroot "$root" chown switchboard:switchboard /etc/switchboard/switchboard.json
chmod 0600 "$root/etc/switchboard/switchboard.json"

# The worker with an --exec command that reads the payload, runs programs and writes to the state directory.
mkdir -p "$root/etc/systemd/system/switchboard-worker@1.service.d"
cat >"$root/etc/systemd/system/switchboard-worker@1.service.d/exec.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/usr/local/bin/switchboard work --config /etc/switchboard/switchboard.json --queues reports --kinds report --exec "cat > /var/lib/switchboard/seen.txt; echo >> /var/lib/switchboard/seen.txt; id >> /var/lib/switchboard/seen.txt"
UNIT
cat >"$root/usr/local/bin/check.sh" <<'CHECK'
#!/bin/sh
exec >/root/check.log 2>&1
export SWITCHBOARD_DB=/var/lib/switchboard/switchboard.db
as() { runuser -u switchboard -- "$@"; }
echo '{"queue":"reports","kind":"report","payload":{"report":"nightly"}}' | as switchboard enqueue --batch
settled() {
    as switchboard stats --json | grep -q '"dead_letters":0' &&
        ! as switchboard stats --json | grep -qE '"(ready|leased|scheduled)":[1-9]'
}
for _ in $(seq 1 60); do
    [ -s /var/lib/switchboard/seen.txt ] && settled && break
    sleep 1
done
as switchboard stats
echo "--- what the --exec command saw and wrote"
cat /var/lib/switchboard/seen.txt
echo "--- the unit"
systemctl show switchboard-worker@1 -p ActiveState -p SubState -p NRestarts -p StatusText
echo "--- its journal"
journalctl -u switchboard-worker@1 --no-pager -o cat
if grep -q '"report":"nightly"' /var/lib/switchboard/seen.txt && grep -q '(switchboard)' /var/lib/switchboard/seen.txt &&
    settled; then
    echo "RESULT: the --exec job completed under the hardened unit"
else
    echo "RESULT: the --exec job did not complete under the hardened unit"
fi
systemctl poweroff
CHECK
chmod 0755 "$root/usr/local/bin/check.sh"
cat >"$root/etc/systemd/system/check.service" <<'UNIT'
[Unit]
After=switchboard-worker@1.service
Wants=switchboard-worker@1.service
[Service]
Type=oneshot
ExecStart=/usr/local/bin/check.sh
[Install]
WantedBy=multi-user.target
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -s /etc/systemd/system/check.service "$root/etc/systemd/system/multi-user.target.wants/check.service"

timeout 300 systemd-nspawn --quiet -D "$root" -b --register=no --keep-unit --console=passive >"$work/boot.log" 2>&1 || true
cat "$root/root/check.log"
grep -q '^RESULT: the --exec job completed' "$root/root/check.log"
