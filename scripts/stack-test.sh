#!/usr/bin/env bash
# The shipped runbooks against the practice stack, for real (docs/practice-stack.md): starts
# the stack, runs every runbook with --yes and explicit --confirm flags after the matching
# `break`, and checks each outcome in the runbook's journal and in the stack itself (HTTP
# bodies, PostgreSQL state, which release gunicorn serves). Stops the stack at the end, however
# it ends. Usage: scripts/stack-test.sh [path/to/runbook-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:-.build/debug/runbook}")
[ -x "$bin" ] || { echo "stack-test: no runbook binary at $bin; run 'swift build' first" >&2; exit 2; }
test_started=$(date +%s%N)
# Under /tmp itself (not a 0700 mktemp folder): the stack's unprivileged user must reach it.
export PRACTICE_STACK_DIR="/tmp/runbook-stack-test-$$"
work="/tmp/runbook-stack-test-$$-runs"
mkdir -p "$work/logs"
stack=scripts/practice-stack

cleanup() {
  local status=$?
  "$stack" down >/dev/null 2>&1 || echo "stack-test: 'practice-stack down' failed; folder $PRACTICE_STACK_DIR" >&2
  [ "$status" -ne 0 ] || rm -rf "$work"
  [ "$status" -eq 0 ] || echo "stack-test: runbook state and logs kept in $work" >&2
}
trap cleanup EXIT

fail() { echo "stack-test: FAIL: $*" >&2; exit 1; }
ok() { echo "stack-test: ok: $*"; }

# rb EXPECTED_EXIT LABEL ARGS...: one `runbook run --yes`, its exit status checked and its
# journal verified; RUN is the new run's id.
rb() {
  local expected=$1 label=$2 before status=0
  shift 2
  before=$(ls "$work/runs" 2>/dev/null || true)
  "$bin" run --yes --state-dir "$work" "$@" >"$work/logs/$label.log" 2>&1 || status=$?
  RUN=$(comm -13 <(echo "$before") <(ls "$work/runs"))
  [ "$(wc -w <<<"$RUN")" -eq 1 ] || fail "$label: expected one new run, found '$RUN'"
  if [ "$status" -ne "$expected" ]; then
    tail -n 40 "$work/logs/$label.log" >&2
    fail "$label: runbook exited $status, expected $expected (log: $work/logs/$label.log)"
  fi
  "$bin" verify --state-dir "$work" "$RUN" >/dev/null || fail "$label: the journal of run $RUN does not verify"
}

status_json() { "$bin" status --json --state-dir "$work" "$RUN"; }

# expect_steps OUTCOME KEY...: each step's final outcome in `runbook status --json`.
expect_steps() {
  local want=$1 key got
  shift
  for key in "$@"; do
    got=$(status_json | jq -r --arg k "$key" '.steps[] | select(.key == $k) | .outcome')
    [ "$got" = "$want" ] || fail "run $RUN: step '$key' is '$got', expected '$want'"
  done
}

expect_run_state() {
  local got
  got=$(status_json | jq -r '.run.state')
  [ "$got" = "$1" ] || fail "run $RUN is '$got', expected '$1'"
}

# output KEY: what the step printed, read from the output files its step_end records name.
output() {
  local file
  jq -r --arg k "$1" 'select(.type == "step_end" and .key == $k) | .output.file // empty' \
    "$work/runs/$RUN/journal.jsonl" | while read -r file; do cat "$work/runs/$RUN/$file"; done
}

expect_output() { # KEY TEXT
  local text
  text=$(output "$1")  # whole, not piped: grep -q would end the pipe early (pipefail)
  grep -qF -- "$2" <<<"$text" || fail "run $RUN: the output of step '$1' does not contain '$2'"
}

# expect_health STATUS VERSION: the backend's /healthz/ body (not only its status code).
expect_health() {
  local body
  body=$(curl --silent --max-time 10 "$BACKEND_URL/healthz/" || true)
  jq -e --arg s "$1" --arg v "$2" '.status == $s and .version == $v' >/dev/null <<<"$body" \
    || fail "/healthz/ answered '$body', expected status $1 and version $2"
}

http_code() { curl --silent --output /dev/null --max-time 10 --write-out '%{http_code}' "$1" || true; }

sql() { psql "$PRACTICE_STACK_ADMIN_DATABASE_URL" -X -At -v ON_ERROR_STOP=1 -c "$1"; }

only_section() { # N: the --only list that runs incident section N alone, as incidents.md prints it
  sed -n 's/^Run alone: `runbook run \(.*\) runbooks\/incidents.md`$/\1/p' runbooks/incidents.md | sed -n "${1}p"
}

# ---- start -------------------------------------------------------------------------------
up_output=$("$stack" up)
echo "$up_output" | head -n 1
up_ms=$(cat "$PRACTICE_STACK_DIR/up")
again=$("$stack" up 2>&1)
grep -q "already up" <<<"$again" || fail "a second 'up' did not say the stack is already up: $again"
"$stack" status >/dev/null || fail "'practice-stack status' did not exit 0 on a running stack"
eval "$("$stack" env)"
expect_health ok v1.0.0
ok "stack up; a second 'up' says so"

# env points every param of every shipped runbook somewhere.
for file in runbooks/*.md; do
  for name in $("$bin" show --json "$file" | jq -r '.params[].name'); do
    grep -q "^export $name=" "$PRACTICE_STACK_DIR/env.sh" || fail "'practice-stack env' has no line for $name ($file)"
  done
done
ok "'practice-stack env' sets every runbook param"

# The app itself: login and the API (the runbooks only read /healthz/).
jar="$work/cookies"
curl --silent --fail --max-time 10 --cookie-jar "$jar" "$BACKEND_URL/api/login/" >/dev/null
csrf=$(awk '$6 == "csrftoken" {print $7}' "$jar")
login() {
  curl --silent --max-time 10 --cookie "$jar" --header "X-CSRFToken: $csrf" --header 'Content-Type: application/json' \
    --data "{\"username\": \"operator\", \"password\": \"$1\"}" --write-out ' %{http_code}' "$BACKEND_URL/api/login/"
}
[ "$(login practice)" = '{"user": "operator"} 200' ] || fail "login with the right password did not answer 200"
[[ "$(login wrong)" == *" 401" ]] || fail "login with a wrong password did not answer 401"
ok "login endpoint: 200 with the right password, 401 with a wrong one"

# ---- check and rehearse --------------------------------------------------------------------
"$bin" check --warnings-as-errors runbooks/*.md >"$work/logs/check.log" 2>&1 || { cat "$work/logs/check.log" >&2; fail "runbook check"; }
grep -q "0 errors, 0 warnings" "$work/logs/check.log" || fail "runbook check reported findings"
# The rules the shipped runbooks keep (issue 10, item 2), from each runbook's plan.
for file in runbooks/*.md; do
  findings=$("$bin" show --json "$file" | jq -r '
    (.steps[] | select(.attributes.written | map(.key) | index("id") | not) | "step \(.key) has no id="),
    (.steps[] | select(.kind == "code" and (.attributes.idempotent | not) and (.attributes.confirm | not))
      | "step \(.key) changes something (not idempotent) but has no confirm"),
    (.steps[] | select(.kind == "code") | .commands[]? | select(.text | test("\\bcurl\\s+-"))
      | select(.text | test("--max-time") | not) | "a curl without --max-time: \(.text[0:60])"),
    (.params[] | select(.name | test("TOKEN|KEY|PASSWORD|SECRET_VALUE|DATABASE_URL|HOOK_URL"))
      | select(.secret | not) | "param \(.name) is a credential but not secret")')
  [ -z "$findings" ] || fail "$file: $findings"
done
ok "every step has an id=, every changing step a confirm, every curl a --max-time, every credential is secret"
for file in runbooks/*.md; do
  rb 0 "rehearse-$(basename "$file" .md)" --dry-run "$file"
  [ "$(status_json | jq -r '.run.mode')" = rehearsal ] || fail "$file: the rehearsal is not recorded as one"
done
ok "every runbook checks with no warnings and rehearses with --dry-run --yes"

# ---- post-deploy checklist -----------------------------------------------------------------
rb 0 post-deploy-healthy --set TAG=v1.0.0 runbooks/post-deploy-checklist.md
expect_steps ok smoke-healthz smoke-frontend-assets probe-error-rate late-healthz
expect_output smoke-healthz "/healthz/: OK"
expect_output probe-error-rate "error rate at most 0.0%"
ok "post-deploy checklist on a healthy backend: exit 0"

"$stack" break healthz >/dev/null
[ "$(http_code "$BACKEND_URL/healthz/")" = 502 ] || fail "after 'break healthz' /healthz/ does not answer 502"
rb 1 post-deploy-broken --set TAG=v1.0.0 runbooks/post-deploy-checklist.md
expect_steps failed smoke-healthz
expect_steps not_run smoke-frontend-assets probe-error-rate
expect_run_state aborted
expect_output smoke-healthz "HTTP 502"
[ "$(status_json | jq '.steps[] | select(.key == "smoke-healthz") | .attempts')" -eq 4 ] || fail "smoke-healthz was not tried 4 times (retries=3)"
ok "post-deploy checklist after 'break healthz': smoke-healthz failed (HTTP 502, 4 attempts), exit 1, recorded"

# ---- incident: backend 5xx spike (restart through the Koyeb CLI stand-in) -------------------
# shellcheck disable=SC2046
rb 0 incident-5xx --set HOSTING=koyeb --confirm restart-backend --confirm scale-backend $(only_section 1) runbooks/incidents.md
expect_output sample-status-codes "30 502"
expect_output recent-deploys "ghcr.io/example-org/backend:v1.0.0"
expect_steps ok restart-backend scale-backend 5xx-verify
expect_steps skipped check-credentials
expect_health ok v1.0.0
ok "5xx incident after 'break healthz': diagnosed (30 × 502), restarted, healthy"

# ---- DB migration runbook, against the real PostgreSQL -------------------------------------
notes_before=$(sql "SELECT count(*) FROM notes_note")
"$stack" break migration >/dev/null
rb 1 migration-blocked --set TAG=v2.0.0 --set LOCK_TIMEOUT=1s --confirm backup --confirm migrate runbooks/db-migration.md
expect_steps ok preflight backup verify-backup check-locks migrate-plan show-sql
expect_steps failed migrate
expect_output migrate "canceling statement due to lock timeout"
expect_output show-sql "ALTER TABLE \"notes_note\" ADD COLUMN \"pinned_at\""
[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes_note' AND column_name = 'pinned_at'")" = 0 ] \
  || fail "the failed migration left the pinned_at column behind"
backup="$BACKUP_DIR/pre-migrate-v2.0.0.dump"
[ -s "$backup" ] || fail "no pg_dump backup at $backup"
sql "CREATE DATABASE scratch_restore" >/dev/null
pg_restore --dbname="${PRACTICE_STACK_ADMIN_DATABASE_URL%/app}/scratch_restore" --no-owner --exit-on-error "$backup"
restored=$(psql "${PRACTICE_STACK_ADMIN_DATABASE_URL%/app}/scratch_restore" -X -At -c "SELECT count(*) FROM notes_note")
[ "$restored" = "$notes_before" ] || fail "the backup restored $restored notes into scratch_restore, the database has $notes_before"
sql "DROP DATABASE scratch_restore" >/dev/null
ok "migration under a held lock: backup made and restorable ($restored notes), migrate failed on the lock timeout, schema unchanged"

sleep 1.5  # the blocker must be idle for longer than IDLE_TXN_AGE
DATABASE_URL=$PRACTICE_STACK_ADMIN_DATABASE_URL rb 0 end-blocker --set IDLE_TXN_AGE="1 second" \
  --confirm terminate-idle-in-transaction --only idle-in-transaction --only terminate-idle-in-transaction runbooks/incidents.md
expect_output idle-in-transaction "nightly-report"
expect_output terminate-idle-in-transaction "nightly-report"
rb 0 migration-applied --set TAG=v2.0.0 --confirm migrate --from migrate runbooks/db-migration.md
expect_steps ok migrate verify-applied check-invalid-indexes backend-health
expect_steps skipped backup reverse-migrations restore-backup
[ "$(sql "SELECT count(*) FROM django_migrations WHERE app = 'notes' AND name = '0002_note_pinned_at'")" = 1 ] || fail "0002 is not recorded as applied"
[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes_note' AND column_name = 'pinned_at'")" = 1 ] || fail "no pinned_at column after the migration"
expect_health ok v1.0.0
ok "the blocker ended with the DB incident's steps; the migration applied; release 1 still healthy on the new schema"

rb 0 migration-reversed --set TAG=v2.0.0 --set ROLLBACK_APP=notes --set ROLLBACK_TO=0001_initial \
  --confirm reverse-migrations --only reverse-plan --only reverse-migrations runbooks/db-migration.md
expect_output reverse-plan "Undo Add field pinned_at to note"
[ "$(sql "SELECT count(*) FROM django_migrations WHERE app = 'notes' AND name = '0002_note_pinned_at'")" = 0 ] || fail "0002 is still applied after reversing it"
[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'notes_note' AND column_name = 'pinned_at'")" = 0 ] || fail "pinned_at is still there after reversing"
sql "INSERT INTO notes_note (title, body, created) VALUES ('written after the backup', '', now())" >/dev/null
rb 0 migration-restored --set TAG=v2.0.0 --confirm restore-backup --only restore-backup runbooks/db-migration.md
[ "$(sql "SELECT count(*) FROM notes_note")" = "$notes_before" ] || fail "the restore did not put back the $notes_before notes of the backup"
[ "$(sql "SELECT count(*) FROM notes_note WHERE title = 'written after the backup'")" = 0 ] || fail "a note written after the backup survived the restore"
expect_health ok v1.0.0
ok "the way back: the migration reversed (column dropped), then the backup restored (later writes gone)"

# ---- deploy release 2, then roll back after a bad release ------------------------------------
# The deploy's smoke check does not take another live version for a deploy (v1.0.0 is live).
rb 1 deploy-smoke-wrong-version --set TAG=v2.0.0 --only smoke-healthz runbooks/deploy.md
expect_steps failed smoke-healthz
expect_output smoke-healthz "/healthz/ reports version v1.0.0, expected v2.0.0"
rb 0 deploy-v2 --set TAG=v2.0.0 --confirm migrate --confirm render-deploy --confirm koyeb-deploy --confirm deploy-frontend runbooks/deploy.md
expect_steps ok verify-image check-missing-migrations migrate render-deploy render-wait-live build-frontend deploy-frontend smoke-healthz smoke-frontend
expect_output verify-image "linux/amd64"
expect_health ok v2.0.0
curl --silent --max-time 10 "$BACKEND_URL/api/notes/" | jq -e '.notes[0] | has("pinned_at")' >/dev/null || fail "the API does not serve release 2's pinned_at"
grep -q 'index-a85e3d07.js' <<<"$(curl --silent --max-time 10 "$FRONTEND_URL/")" || fail "the frontend does not serve release 2's bundle"
rb 0 post-deploy-v2 --set TAG=v2.0.0 runbooks/post-deploy-checklist.md
ok "deploy of v2.0.0: migration applied, gunicorn serves v2.0.0, frontend rebuilt and live; post-deploy checklist passes"

"$stack" break version >/dev/null
expect_health ok v2.0.1
[ "$(http_code "$BACKEND_URL/api/notes/")" = 500 ] || fail "after 'break version' /api/notes/ does not answer 500"
rb 1 post-deploy-bad-release --set TAG=v2.0.0 runbooks/post-deploy-checklist.md
expect_steps failed smoke-healthz
expect_output smoke-healthz "version is 'v2.0.1', expected 'v2.0.0'"
rb 0 rollback --set ROLLBACK_TAG=v1.0.0 --confirm render-rollback --confirm koyeb-rollback --confirm pages-rollback runbooks/rollback.md
expect_steps ok backend-history verify-rollback-image recent-migrations render-rollback render-rollback-live pages-pick-target pages-rollback verify-healthz verify-frontend
expect_output backend-history "ghcr.io/example-org/backend:v2.0.1"
expect_output recent-migrations "0002_note_pinned_at"
expect_health ok v1.0.0
[ "$(http_code "$BACKEND_URL/api/notes/")" = 200 ] || fail "after the rollback /api/notes/ does not answer 200"
grep -q 'index-4b1f0c2e.js' <<<"$(curl --silent --max-time 10 "$FRONTEND_URL/")" || fail "the frontend was not rolled back to release 1's bundle"
ok "bad release v2.0.1 caught by the checklist; rollback: backend v1.0.0 healthy, API 200, frontend release 1"
rm -rf "$TMPDIR/runbook-rollback"  # the runbook's "afterwards": the next rollback chooses afresh

# ---- incident: database connection exhaustion ---------------------------------------------
"$stack" break db >/dev/null
grep -q "connection slots are reserved" <<<"$(curl --silent --max-time 10 "$BACKEND_URL/healthz/")" || fail "after 'break db' /healthz/ does not report the exhausted connections"
sleep 1.5
# shellcheck disable=SC2046
DATABASE_URL=$PRACTICE_STACK_ADMIN_DATABASE_URL rb 0 incident-db --set IDLE_TXN_AGE="1 second" \
  --confirm terminate-idle-in-transaction $(only_section 2) runbooks/incidents.md
expect_output connections-overview "report-worker"
expect_output idle-in-transaction "report-worker"
expect_steps ok terminate-idle-in-transaction db-verify
expect_health ok v1.0.0
ok "DB incident after 'break db': the stuck sessions found, ended, backend healthy"

# ---- incident: expired secret ----------------------------------------------------------------
"$stack" break secret >/dev/null
grep -q "password authentication failed" <<<"$(curl --silent --max-time 10 "$BACKEND_URL/healthz/")" || fail "after 'break secret' /healthz/ does not report the failed login"
rb 1 incident-secret-diagnose --only check-credentials runbooks/incidents.md
expect_output check-credentials "postgres     FAILED"
expect_output check-credentials "render       HTTP 200"
new_url=$("$stack" rotate-db-password)  # the provider's side of the manual step secrets-rotate
eval "$("$stack" env)"                  # and the operator's password manager: DATABASE_URL is the new one
[ "$DATABASE_URL" = "$new_url" ] || fail "'practice-stack env' does not print the rotated DATABASE_URL"
new_password=${new_url#postgres://app:}
new_password=${new_password%%@*}
NEW_SECRET_VALUE=$new_url rb 0 incident-secret-mitigate --confirm replace-secret --only replace-secret --only secrets-verify runbooks/incidents.md
expect_health ok v1.0.0
if grep -rqF -- "$new_password" "$work/runs"; then fail "the new database password appears in a run's records"; fi
ok "secret incident after 'break secret': diagnosed (postgres FAILED), replaced and redeployed, healthy; the new value is in no record"

# ---- incident: frontend blank page -----------------------------------------------------------
"$stack" break frontend >/dev/null
# shellcheck disable=SC2046
rb 1 incident-frontend-diagnose --confirm purge-zone-cache $(only_section 3) runbooks/incidents.md
expect_steps failed check-frontend-assets
expect_output check-frontend-assets ".js -> 200 text/html"
rb 0 frontend-rollback --confirm pages-rollback --only pages-pick-target --only pages-rollback runbooks/rollback.md
# shellcheck disable=SC2046
rb 0 incident-frontend-verify --confirm purge-zone-cache $(only_section 3) runbooks/incidents.md
expect_steps ok check-frontend-assets check-bundle-api-url check-cors pages-deployments purge-zone-cache
ok "frontend incident after 'break frontend': the missing bundle found, Pages rolled back, the page loads"

# ---- the Koyeb way: deploy v2.0.0 again with HOSTING=koyeb (koyeb services update) ---------
rb 0 deploy-v2-koyeb --set TAG=v2.0.0 --set HOSTING=koyeb --confirm migrate --confirm render-deploy \
  --confirm koyeb-deploy --confirm deploy-frontend runbooks/deploy.md
expect_output render-deploy "HOSTING=koyeb: nothing to do on Render"
expect_output koyeb-deploy "image=ghcr.io/example-org/backend:v2.0.0 status=LIVE"
expect_health ok v2.0.0
ok "deploy of v2.0.0 with HOSTING=koyeb: the Koyeb CLI stand-in switched gunicorn to v2.0.0"

# ---- no secret in any record ------------------------------------------------------------
# shellcheck source=/dev/null
. "$PRACTICE_STACK_DIR/run/secrets"
for name in PG_ADMIN_PASSWORD PG_APP_PASSWORD RENDER_API_KEY RENDER_HOOK_KEY KOYEB_TOKEN CLOUDFLARE_API_TOKEN GHCR_TOKEN; do
  if grep -rqF -- "${!name}" "$work/runs"; then fail "the value of $name appears in a run's records: $(grep -rlF -- "${!name}" "$work/runs" | head -n 3)"; fi
done
if grep -qF -- "$RENDER_HOOK_KEY" "$PRACTICE_STACK_DIR/run/hosting.log"; then fail "the deploy hook's key appears in the hosting log"; fi
ok "no credential of the stack appears in any journal, output or code file of the $(ls "$work/runs" | wc -l) runs"

# ---- stop ----------------------------------------------------------------------------------
ports=$(cat "$PRACTICE_STACK_DIR/ports")
"$stack" down >/dev/null
for port in $(sed 's/.*=//' <<<"$ports"); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port still answers after 'down'"; fi
done
if pgrep -f -- "$PRACTICE_STACK_DIR" >/dev/null; then fail "processes started from $PRACTICE_STACK_DIR are left after 'down'"; fi
[ ! -e "$PRACTICE_STACK_DIR" ] || fail "'down' left $PRACTICE_STACK_DIR"
"$stack" status >/dev/null && fail "'status' says up after 'down'"
ok "'down' left nothing running"

total_ms=$(( ($(date +%s%N) - test_started) / 1000000 ))
printf 'stack-test: practice stack start-up %d.%03d s; the stack tests took %d.%03d s\n' \
  $((up_ms / 1000)) $((up_ms % 1000)) $((total_ms / 1000)) $((total_ms % 1000))
