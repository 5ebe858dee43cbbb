#!/usr/bin/env bash
# Builds Switchboard's fuzz targets with libFuzzer and the address sanitizer (the FuzzTesting package, into
# .build-fuzz) and runs each for a bounded time, starting from its committed corpus
# (FuzzTesting/corpus/TARGET). Fails if any target crashes, trips the sanitizer, times out or breaks one
# of its properties; the input that did is saved and its path printed.
#
#   ops/fuzz.sh [--seconds N] [--merge] [--list] [TARGET...] [-- LIBFUZZER-FLAGS...]
#
#   --seconds N  how long each target runs (default 10); 0 only replays the corpus under the sanitizer
#   --merge      afterwards, add the inputs that reached new code to the committed corpus (libFuzzer's
#                -merge=1, on edges only, keeps just those), ready to commit
#   --list       print the targets and what each is fed, and exit
#   TARGET...    the targets to run (default: all)
#   -- FLAGS     passed to libFuzzer as they are (-jobs=2, -dict=FILE, -max_len=N, ...)
#
# Inputs that reached new code are kept across runs in .build-fuzz/runs/corpus/TARGET; what failed is in
# .build-fuzz/runs/artifacts/TARGET, and libFuzzer's output in .build-fuzz/runs/logs/TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
merge=false
list=false
targets=()
flags=()
while (($# > 0)); do
    case "$1" in
    --seconds)
        [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds needs a whole number" >&2; exit 64; }
        seconds="$2"
        shift 2
        ;;
    --merge) merge=true; shift ;;
    --list) list=true; shift ;;
    --) shift; flags=("$@"); break ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 64 ;;
    *) targets+=("$1"); shift ;;
    esac
done

root="$PWD"
scratch="$root/.build-fuzz"
mkdir -p "$scratch"
echo "fuzz: building the targets with -sanitize=fuzzer,address (log: .build-fuzz/build.log)"
# --sanitize=fuzzer tells SwiftPM the executable gets libFuzzer's main; the compiler flag asks for both
# sanitizers at once, because of two -sanitize= flags swiftc keeps only the last (SwiftPM's own
# `--sanitize=fuzzer --sanitize=address` builds without the coverage libFuzzer needs).
if ! swift build --package-path FuzzTesting --scratch-path "$scratch" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
    >"$scratch/build.log" 2>&1; then
    # gold warns once per sanitizer symbol it cannot export; the errors are what matter.
    grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40 >&2
    echo "fuzz: the build failed" >&2
    exit 1
fi
binary="$scratch/debug/SwitchboardFuzz"

if $list; then
    FUZZ_TARGET=list "$binary" -runs=0 2>/dev/null
    exit 0
fi
if ((${#targets[@]} == 0)); then
    mapfile -t targets < <(ls FuzzTesting/corpus)
fi

# The Swift runtime keeps caches for the life of the process that LeakSanitizer takes for leaks. Its
# backtracer, started on a crash, trips the sanitizer reading the dead process's memory and can hang:
# libFuzzer and the sanitizer report the crash themselves.
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no
failed=()
for target in "${targets[@]}"; do
    committed="$root/FuzzTesting/corpus/$target"
    [[ -d "$committed" ]] || { echo "fuzz: no target $target (see --list)" >&2; exit 64; }
    found="$scratch/runs/corpus/$target"
    artifacts="$scratch/runs/artifacts/$target"
    log="$scratch/runs/logs/$target.log"
    mkdir -p "$found" "$artifacts" "$(dirname "$log")"
    run=(-max_total_time="$seconds")
    ((seconds > 0)) || run=(-runs=0)
    # Each kind of input has a dictionary of its words (FuzzTesting/dictionaries), to mutate with.
    case "$target" in
    router | intake-bearer | webhook-*) run+=(-dict="$root/FuzzTesting/dictionaries/request.dict") ;;
    json | configuration | normaliser-* | poll-* | socket-slack | socket-discord | socket-dingtalk | socket-wecom) run+=(-dict="$root/FuzzTesting/dictionaries/json.dict") ;;
    retry-after) run+=(-dict="$root/FuzzTesting/dictionaries/answer.dict") ;;
    cron | event-stream) run+=(-dict="$root/FuzzTesting/dictionaries/$target.dict") ;;
    esac
    # Run from the artifacts folder: libFuzzer writes its workers' logs to the working directory. An
    # input taking over 60 s is a hang; less can be a busy machine (10 s timed out under a load of 60).
    if (cd "$artifacts" && FUZZ_TARGET="$target" "$binary" "${run[@]}" -timeout=60 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${flags[@]}" "$found" "$committed") >"$log" 2>&1; then
        executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
        echo "fuzz: $target: ${executed:-?} inputs, ${rate:-?}/s${coverage:+, $coverage}, no failure"
    else
        failed+=("$target")
        echo "fuzz: $target FAILED; from its log ($log):" >&2
        grep -E "Fatal error|runtime failure|ERROR: |SUMMARY|^MS: |Test unit written" "$log" | head -8 >&2 || true
    fi
    if $merge; then
        # Only inputs that reach code the corpus does not (edges, not new hit counts), so it stays small.
        FUZZ_TARGET="$target" "$binary" -merge=1 -use_counters=0 "$committed" "$found" >>"$log" 2>&1
        echo "fuzz: $target: $(grep -o 'MERGE-OUTER: [0-9]* new files' "$log" | tail -1 | grep -o '[0-9]*' || echo 0) inputs added to FuzzTesting/corpus/$target"
    fi
done

if ((${#failed[@]} > 0)); then
    echo "fuzz: failed: ${failed[*]}. The inputs are in .build-fuzz/runs/artifacts/TARGET; replay one with" >&2
    echo "  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 FUZZ_TARGET=TARGET .build-fuzz/debug/SwitchboardFuzz FILE" >&2
    exit 1
fi
