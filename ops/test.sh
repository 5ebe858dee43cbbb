#!/usr/bin/env bash
# The whole test suite: the code's formatting against .swift-format, then every test (the committed fuzz
# corpus is replayed there), then each fuzz target under libFuzzer and the address sanitizer for a few
# seconds (FUZZ_SECONDS each, default 10; ops/fuzz.sh). Suites whose type name ends in MeasuredAlone
# assert latencies or wall-clock windows: they run after the other tests, one at a time, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive Sources Tests Package.swift FuzzTesting/Package.swift FuzzTesting/Sources
swift build --build-tests
alone="MeasuredAlone"
swift test --skip-build --skip "$alone" "$@"
swift test --skip-build --no-parallel --filter "$alone" "$@"
./ops/fuzz.sh --seconds "${FUZZ_SECONDS:-10}"
