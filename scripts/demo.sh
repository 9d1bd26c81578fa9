#!/usr/bin/env bash
# Runs the shipped post-deploy checklist against a local stand-in for the backend and
# frontend (examples/demo-site), with --yes, and verifies the journal it wrote.
# Usage: scripts/demo.sh [path/to/runbook-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/release/runbook}"
[ -x "$bin" ] || { echo "demo: no runbook binary at $bin; run 'swift build -c release' first" >&2; exit 2; }
command -v jq >/dev/null || { echo "demo: jq is needed by the checklist's last step (apt-get install -y jq)" >&2; exit 2; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$port" --bind 127.0.0.1 --directory examples/demo-site >/dev/null 2>&1 &
server=$!
state=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$state"' EXIT
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/healthz/" >/dev/null 2>&1 && break; sleep 0.1; done

url="http://127.0.0.1:$port"
status=0
"$bin" run --yes --state-dir "$state" --incident DEMO-1 \
  --set BACKEND_URL="$url" --set FRONTEND_URL="$url" --set TAG=v1.0.0 --set PROBE_COUNT=5 \
  runbooks/post-deploy-checklist.md || status=$?
run_id=$(ls "$state/runs" | tail -n 1)
echo
"$bin" verify --state-dir "$state" "$run_id"
exit "$status"
