#!/usr/bin/env bash
# The lint command: swift-format in strict lint mode (configuration in .swift-format and
# Tests/.swift-format), the architecture checks, and the architecture checker's self-test.
# Runs all three, then exits non-zero if any failed, so one run shows every finding.
set -euo pipefail
cd "$(dirname "$0")/.."

failed=()

step() {
    echo "+ $*"
    if ! "$@"; then
        failed+=("$*")
    fi
}

step swift format lint --strict --recursive --parallel Sources Tests Package.swift
step python3 scripts/check-architecture.py
step python3 scripts/test_check_architecture.py

if ((${#failed[@]})); then
    echo "lint: ${#failed[@]} of 3 checks failed:" >&2
    printf '  %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "lint: all checks passed"
