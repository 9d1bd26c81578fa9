#!/usr/bin/env bash
# Writes scripts/release.order: the functions a release `runbook` runs in the commands operators
# use most (start-up, a run, a rehearsal, a resume after a crash, check, show, runs, status,
# verify, export), as callgrind saw them, in the order first seen. The release link (Package.swift)
# hands the file to lld (--symbol-ordering-file), which lays those functions out together at the
# start of the code: a process then maps far fewer pages of its 17 MB of code (docs/benchmarks.md).
#
# Run it after a change that adds or renames much of what runs (a stale list still links; its
# missing names are skipped and the gain shrinks): it builds a release, profiles it (about a
# minute), and rewrites the file. Needs valgrind (apt-get install -y valgrind).
# `scripts/symbol-order.sh --check` only says how many of the listed functions the release
# binary still has (nm, no valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--check" ]; then
    [ -x .build/release/runbook ] || { echo "symbol-order.sh: no release binary; swift build -c release --static-swift-stdlib first" >&2; exit 2; }
    listed=$(wc -l <scripts/release.order)
    present=$(nm --defined-only .build/release/runbook | awk '{print $NF}' | sort -u | comm -12 - <(sort -u scripts/release.order) | wc -l)
    echo "scripts/release.order: $present of its $listed functions are in .build/release/runbook ($((present * 100 / listed))%; the C library's and its loader's, listed too, never are)"
    exit 0
fi
command -v valgrind >/dev/null || { echo "symbol-order.sh: valgrind is not installed; apt-get install -y valgrind" >&2; exit 1; }
swift build -c release --static-swift-stdlib >/dev/null
work=$(mktemp -d /tmp/runbook-symbol-order-XXXXXX)
trap 'rm -rf "$work"' EXIT
# valgrind cannot read the toolchain's DWARF 5; the symbol table is all it needs.
cp .build/release/runbook "$work/runbook"
strip -g "$work/runbook"
python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
with open(f"{work}/book.md", "w") as f:
    f.write("---\ntitle: Order\n---\n# Order\n\nProse before the steps.\n\n## Section\n\n")
    for k in range(20):
        f.write(f"Step {k} prose.\n\n```bash {{id=s-{k}}}\necho \"step {k}\"\n```\n\n")
    f.write("- [ ] a manual step\n")
with open(f"{work}/crash.md", "w") as f:
    f.write("# Crash\n\n```bash {id=one}\necho one\n```\n\n")
    f.write(f"```bash {{id=two}}\nif [ ! -e {work}/crashed ]; then touch {work}/crashed; kill -KILL $PPID; fi\n```\n\n")
    f.write("```bash {id=three}\necho three\n```\n")
EOF
rb="$work/runbook"
profile() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.%p" "$rb" "$@" </dev/null >/dev/null 2>&1 || true; }
profile --version
profile run --yes --state-dir "$work/ran" "$work/book.md"
profile run --yes --dry-run --state-dir "$work/rehearsed" "$work/book.md"
# The step kills the runner; the shell would say so.
{ profile run --yes --state-dir "$work/crashed-run" "$work/crash.md"; } 2>/dev/null
crashed=$(ls -1d "$work"/crashed-run/runs/*)
profile resume --yes --rerun-unknown all --state-dir "$work/crashed-run" "$crashed"
ran=$(ls -1d "$work"/ran/runs/*)
profile check "$work/book.md"
profile show "$work/book.md"
profile show --json "$work/book.md"
profile runs --state-dir "$work/ran"
profile status --state-dir "$work/ran" "$ran"
profile verify --state-dir "$work/ran" "$ran"
for format in markdown json html; do profile export --state-dir "$work/ran" --format "$format" --output "$work/export.$format" "$ran"; done
# Each process's functions in the order callgrind first names them; processes in start order.
ls -1 "$work"/cg.* | sort -t. -k2 -n | xargs grep -hoE '^c?fn=\([0-9]+\) .*' | sed -E 's/^c?fn=\([0-9]+\) //' \
    | grep -v '^0x' | awk '!seen[$0]++' >"$work/order"
count=$(wc -l <"$work/order")
if [ "$count" -lt 1000 ]; then echo "symbol-order.sh: only $count functions seen; profiling failed, scripts/release.order kept" >&2; exit 1; fi
mv "$work/order" scripts/release.order
echo "scripts/release.order: $count functions; relink the release to use it: rm .build/release/runbook && swift build -c release --static-swift-stdlib"
