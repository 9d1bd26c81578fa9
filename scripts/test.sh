#!/usr/bin/env bash
# The test command: builds with warnings as errors, lints (swift-format, architecture rules),
# runs the unit and end-to-end tests, then the demo (the shipped post-deploy checklist against a
# local stand-in server).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests -Xswiftc -warnings-as-errors
scripts/lint.sh
swift test --skip-build
scripts/demo.sh .build/debug/runbook >/dev/null
echo "demo: the shipped post-deploy checklist ran and its journal verified"
