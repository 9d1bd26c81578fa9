#!/usr/bin/env bash
# The test command: builds with warnings as errors, lints (swift-format, architecture rules),
# runs the unit and end-to-end tests, then the README's demo (the practice stack up, release 2
# deployed with the shipped deploy runbook, the post-deploy checklist, journals verified, the
# stack down), then every shipped runbook against the practice stack (scripts/stack-test.sh).
# SCRATCH sets the build folder (default .build), e.g. SCRATCH=.build-me scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH:-.build}"
swift build --scratch-path "$scratch" --build-tests -Xswiftc -warnings-as-errors
scripts/lint.sh
swift test --scratch-path "$scratch" --skip-build
stack_started=$(date +%s)
# The demo gets a stack of its own (not the default folder, where yours may be up).
demo_stack="/tmp/runbook-demo-$$"
trap 'PRACTICE_STACK_DIR=$demo_stack scripts/practice-stack down >/dev/null 2>&1 || true' EXIT
PRACTICE_STACK_DIR=$demo_stack scripts/demo.sh "$scratch/debug/runbook" >/dev/null
PRACTICE_STACK_DIR=$demo_stack scripts/practice-stack down >/dev/null
trap - EXIT
echo "demo: the practice stack came up, v2.0.0 deployed with the shipped runbooks, journals verified, stack down"
scripts/stack-test.sh "$scratch/debug/runbook"
echo "the practice stack tests (demo and stack-test) added $(( $(date +%s) - stack_started )) s to this run"
