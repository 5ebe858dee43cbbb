#!/usr/bin/env bash
# Measures two revisions side by side on this machine: builds each in release mode (cached per commit
# under .build-compare/), then runs one benchmark with each binary alternately (A B, then B A, ...) for
# several rounds, and prints every figure's median for each revision and the ratio B/A, with the figures
# of each round.
#   ops/bench/compare.sh [--rounds N] REV_A REV_B BENCH [BENCH ARGS...]
#   ops/bench/compare.sh 2330a12 main queue --jobs 40000 --latency-seconds 1
#   ops/bench/compare.sh --rounds 5 HEAD~1 HEAD serve --events 20000 --wrk-seconds 0
# BENCH is a `switchboard bench` command (queue, intake, pipeline, serve); its --json report is read.
# Figures only compare within one run: the machine's speed drifts between sittings.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds=3
if [ "${1:-}" = "--rounds" ]; then
    rounds="$2"
    shift 2
fi
if [ $# -lt 3 ]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
fi
rev_a="$1"
rev_b="$2"
shift 2

# The release binary of one revision, built in a detached worktree and kept per commit. It runs in the
# subshell of `$(build ...)`, so its traps are its own: the worktree goes however the build ends.
build() {
    local commit binary tree
    commit=$(git -C "$root" rev-parse --verify "$1^{commit}")
    binary="$root/.build-compare/$commit/release/switchboard"
    if [ ! -x "$binary" ]; then
        tree=$(mktemp -d)
        # Expanded now: by the time the subshell exits, the function's local `tree` is gone.
        trap "git -C '$root' worktree remove --force '$tree' >/dev/null 2>&1 || true" EXIT
        trap 'exit 130' INT TERM
        git -C "$root" worktree add --quiet --detach "$tree" "$commit"
        swift build -c release --product switchboard --package-path "$tree" \
            --scratch-path "$root/.build-compare/$commit" >&2
        git -C "$root" worktree remove --force "$tree"
    fi
    echo "$binary"
}

echo "compare: building $rev_a" >&2
binary_a=$(build "$rev_a")
echo "compare: building $rev_b" >&2
binary_b=$(build "$rev_b")

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
run() {
    local label="$1" binary="$2" round="$3" dir
    shift 3
    dir=$(mktemp -d)
    echo "compare: round $round, $label" >&2
    "$binary" bench "$@" --json --dir "$dir" >"$results/$label.$round.json" 2>"$results/$label.$round.log" || {
        cat "$results/$label.$round.log" >&2
        rm -rf "$dir"
        return 1
    }
    rm -rf "$dir"
}
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
        run A "$binary_a" "$round" "$@"
        run B "$binary_b" "$round" "$@"
    else
        run B "$binary_b" "$round" "$@"
        run A "$binary_a" "$round" "$@"
    fi
done
python3 "$here/compare.py" --a "$rev_a" --b "$rev_b" --rounds "$rounds" "$results"
