#!/usr/bin/env bash
# The whole test suite: the code's formatting against .swift-format, then every test. Suites whose type
# name ends in MeasuredAlone assert latencies in milliseconds: they run after the others, on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive Sources Tests Package.swift
swift build --build-tests
alone="MeasuredAlone"
swift test --skip-build --skip "$alone" "$@"
swift test --skip-build --filter "$alone" "$@"
