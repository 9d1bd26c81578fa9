#!/usr/bin/env bash
# The demo: starts the practice stack (scripts/practice-stack, docs/practice-stack.md), deploys
# release v2.0.0 to it with the shipped deploy runbook (its migration runs against the stack's
# PostgreSQL, gunicorn switches to the new release, the frontend is rebuilt and published),
# then runs the shipped post-deploy checklist, and verifies both journals. The stack stays up
# for you to try the other runbooks; `scripts/practice-stack down` stops it.
# Usage: scripts/demo.sh [path/to/runbook-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/release/runbook}")
[ -x "$bin" ] || { echo "demo: no runbook binary at $bin; run 'swift build -c release --static-swift-stdlib' first" >&2; exit 2; }

scripts/practice-stack up
eval "$(scripts/practice-stack env)"
state="$PRACTICE_STACK_DIR/runbook-state"
if curl --silent --max-time 10 "$BACKEND_URL/healthz/" | jq -e '.version == "v2.0.0"' >/dev/null; then
  echo "demo: v2.0.0 is already live on this stack; 'scripts/practice-stack down' first for a fresh demo" >&2
  exit 2
fi

run() { # FILE ARGS...: one run with --yes, then `runbook verify` of its journal
  local file=$1 before status=0 id
  shift
  before=$(ls "$state/runs" 2>/dev/null || true)
  "$bin" run --yes --state-dir "$state" --incident DEMO-1 "$@" "$file" || status=$?
  id=$(comm -13 <(echo "$before") <(ls "$state/runs"))
  echo
  "$bin" verify --state-dir "$state" "$id"
  [ "$status" -eq 0 ] || { echo "demo: $file exited $status; journal: $state/runs/$id" >&2; exit "$status"; }
}

run runbooks/deploy.md --set TAG=v2.0.0 \
  --confirm migrate --confirm render-deploy --confirm koyeb-deploy --confirm deploy-frontend
run runbooks/post-deploy-checklist.md --set TAG=v2.0.0
echo
echo "demo: v2.0.0 is live on the practice stack: $BACKEND_URL/healthz/ and $FRONTEND_URL/"
echo "demo: journals under $state; stop the stack with: scripts/practice-stack down"
