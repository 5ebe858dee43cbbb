#!/bin/sh
# Checks the Debian package on a clean Debian 12 root with systemd as its init: builds the package
# (ops/package.sh), debootstraps a minimal bookworm with systemd and no Swift toolchain, installs the
# package with apt (which resolves its Depends from the archive and runs its postinst: the service user,
# /var/lib/switchboard, /etc/switchboard), boots the root with systemd-nspawn, starts
# switchboard-worker@1 (the packaged unit under the packaged hardening drop-in) with an --exec command,
# enqueues a job, and prints what the job saw and the unit's journal. Exits 0 when the job completed
# under the unit, 1 otherwise.
#   sudo ops/check/package-under-systemd.sh
# Needs root, deb.debian.org, the Debian packages debootstrap, systemd-container and dpkg-dev; takes a
# few minutes.
set -eu
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /var/tmp/switchboard-package.XXXXXX)
root="$work/root"
trap 'rm -rf "$work"' EXIT

package=$("$repo/ops/package.sh" --output "$work")
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" http://deb.debian.org/debian \
    >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$package" "$root/tmp/switchboard.deb"
chroot "$root" apt-get install -y -q /tmp/switchboard.deb >"$work/install.log" 2>&1 || {
    cat "$work/install.log"
    exit 1
}

# The operator's part: a configuration owned by the service user, and a drop-in giving worker 1 an --exec
# command that reads the payload, runs programs and writes to the state directory.
echo '{"links": {"mode": "open", "default_owner": "acct_check"}}' >"$root/etc/switchboard/switchboard.json"
chroot "$root" chown switchboard:switchboard /etc/switchboard/switchboard.json
chmod 0600 "$root/etc/switchboard/switchboard.json"
mkdir -p "$root/etc/systemd/system/switchboard-worker@1.service.d"
cat >"$root/etc/systemd/system/switchboard-worker@1.service.d/exec.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/usr/bin/switchboard work --config /etc/switchboard/switchboard.json --queues reports --kinds report --exec "cat > /var/lib/switchboard/seen.txt; echo >> /var/lib/switchboard/seen.txt; id >> /var/lib/switchboard/seen.txt"
UNIT
cat >"$root/usr/local/bin/check.sh" <<'CHECK'
#!/bin/sh
exec >/root/check.log 2>&1
export SWITCHBOARD_DB=/var/lib/switchboard/switchboard.db
as() { runuser -u switchboard -- "$@"; }
echo "--- the package"
dpkg -s switchboard | grep -E '^(Version|Depends):'
echo "--- the binary needs no Swift toolchain"
ldd /usr/bin/switchboard
switchboard --version
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
if ! ldd /usr/bin/switchboard | grep -q 'not found' && grep -q '"report":"nightly"' /var/lib/switchboard/seen.txt &&
    grep -q '(switchboard)' /var/lib/switchboard/seen.txt && settled; then
    echo "RESULT: the packaged worker completed the --exec job under its hardened unit"
else
    echo "RESULT: the packaged worker did not complete the --exec job"
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
grep -q '^RESULT: the packaged worker completed' "$root/root/check.log"
