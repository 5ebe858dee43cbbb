#!/usr/bin/env bash
# The whole test suite: the code's formatting against .swift-format, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format lint --strict --recursive Sources Tests Package.swift
swift test "$@"
