#!/usr/bin/env bash
# The whole test suite: the code's formatting against .swift-format, then every test (the committed fuzz
# corpus is replayed there), then each fuzz target under libFuzzer and the address sanitizer for a few
# seconds (FUZZ_SECONDS each, default 10; ops/fuzz.sh). Suites whose type name ends in MeasuredAlone
# assert latencies or wall-clock windows: they run after the other tests, one at a time, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# The OpenAPI validator (and the jsonschema it brings) the API's tests check the document and every
# response with, from PyPI into a virtual environment of Debian's Python, at the versions
# ops/python-tools.txt pins; installed again when that list changes.
tools=.build/python-tools
if ! cmp -s ops/python-tools.txt "$tools/installed.txt"; then
    rm -rf "$tools"
    /usr/bin/python3 -m venv "$tools"
    "$tools/bin/pip" install --quiet --no-deps -r ops/python-tools.txt
    cp ops/python-tools.txt "$tools/installed.txt"
fi
swift format lint --strict --recursive Sources Tests Package.swift FuzzTesting/Package.swift FuzzTesting/Sources
swift build --build-tests
alone="MeasuredAlone"
# A test that never ends fails the run within a bound instead of holding it until CI gives up; the
# bounds are several times what each phase takes on a 2-core machine.
bounded() {
    local minutes="$1"
    shift
    local status=0
    timeout --kill-after=30s "${minutes}m" "$@" || status=$?
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "ops/test.sh: '$*' was still running after ${minutes} minutes: a test that started above never ended" >&2
    fi
    return "$status"
}
bounded 40 swift test --skip-build --skip "$alone" "$@"
bounded 15 swift test --skip-build --no-parallel --filter "$alone" "$@"
./ops/fuzz.sh --seconds "${FUZZ_SECONDS:-10}"
