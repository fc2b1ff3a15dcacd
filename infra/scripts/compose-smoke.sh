#!/usr/bin/env bash
# Smoke test of the compose stack, as CI runs it on GitHub's runners (Docker needed):
# builds the images, starts PostgreSQL, Redis, the migration, the api, two workers and the Gemini
# emulator (profile demo), seeds demo data, runs one batch through the api and checks what came
# out: the run summary adds up, a recommendation is served, the revoked key is marked invalid,
# Bull Board and the metrics answer. Tears everything down afterwards (KEEP=1 to keep it).
#
#   bash infra/scripts/compose-smoke.sh            # SKIP_BUILD=1 to reuse images built before
set -euo pipefail
cd "$(dirname "$0")/../.."

compose=(docker compose -f infra/docker-compose.yml --profile demo --profile tools)
export MEALWISE_TAG="${MEALWISE_TAG:-smoke}"
export API_HOST_PORT="${API_HOST_PORT:-3000}"
# The emulator's keys (infra/docker/emulator.compose.json): two projects and one revoked key.
export GEMINI_API_KEYS="compose-project-a:compose-project-a-key-1,compose-project-b:compose-project-b-key-1,compose-project-b:compose-project-b-revoked-key"
export GEMINI_BASE_URL=http://gemini-emulator:8787
export GEMINI_MAX_REQUESTS_PER_MINUTE=60 GEMINI_MAX_REQUESTS_PER_KEY=1000
# Fresh credentials for this run only.
API_TOKENS="smoke-$(openssl rand -hex 16)"
ADMIN_TOKEN="smoke-admin-$(openssl rand -hex 16)"
BULL_BOARD_PASSWORD="$(openssl rand -hex 16)"
export API_TOKENS ADMIN_TOKEN BULL_BOARD_PASSWORD BULL_BOARD_USER=smoke

api="http://127.0.0.1:${API_HOST_PORT}"
step() { printf '\n== %s\n' "$*"; }
fail() { echo "smoke: FAILED: $*" >&2; "${compose[@]}" logs --no-color --tail=80 api worker gemini-emulator >&2 || true; exit 1; }
cleanup() { [ "${KEEP:-0}" = 1 ] || "${compose[@]}" down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

if [ "${SKIP_BUILD:-0}" != 1 ]; then step "build images"; "${compose[@]}" build; fi

step "postgres, redis, migration, demo data"
"${compose[@]}" up -d --wait postgres redis
"${compose[@]}" run --rm -T migrate
"${compose[@]}" run --rm -T cli db seed --users 200 --truncate

step "api, workers, emulator"
"${compose[@]}" up -d --wait api worker gemini-emulator
[ "$("${compose[@]}" ps --status running --quiet worker | wc -l)" -eq 2 ] || fail "expected 2 worker replicas"
curl -fsS "$api/readyz" >/dev/null || fail "/readyz"
curl -fsS "$api/openapi.json" | jq -e '.openapi | startswith("3.")' >/dev/null || fail "/openapi.json"

step "one batch through the api"
run_id=$(curl -fsS -X POST -H "Authorization: Bearer $ADMIN_TOKEN" "$api/v1/admin/batches" | jq -r .run_id)
[ -n "$run_id" ] && [ "$run_id" != null ] || fail "POST /v1/admin/batches gave no run_id"
summary=""
for _ in $(seq 1 150); do
  summary=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "$api/v1/admin/batches/$run_id" || true)
  if [ -n "$summary" ] && [ "$(jq -r .finished_at <<<"$summary")" != null ]; then break; fi
  sleep 2
done
echo "$summary" | jq .
jq -e '.finished_at != null' <<<"$summary" >/dev/null || fail "run $run_id did not finish"
jq -e '.enqueued > 0 and .succeeded + .skipped + .failed == .enqueued and .failed == 0' <<<"$summary" >/dev/null \
  || fail "run summary does not add up"

step "a recommendation, the key pool, Bull Board, metrics"
tgid=$("${compose[@]}" run --rm -T cli users active | head -1)
curl -fsS -H "Authorization: Bearer $API_TOKENS" "$api/v1/users/$tgid/recommendations" \
  | jq -e '.summary != null and (.tips | length) >= 2' || fail "no recommendation for $tgid"
"${compose[@]}" run --rm -T cli pool status | tee /dev/stderr | grep -q "invalid: API_KEY_INVALID" \
  || fail "the revoked key is not marked invalid"
[ "$(curl -s -o /dev/null -w '%{http_code}' -u "smoke:$BULL_BOARD_PASSWORD" "$api/admin/queues")" = 200 ] || fail "Bull Board"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$api/admin/queues")" = 401 ] || fail "Bull Board without credentials"
curl -fsS "$api/metrics" | grep -q '^mealwise_key_pool_requests_today' || fail "api metrics"
"${compose[@]}" exec -T worker node -e \
  "fetch('http://127.0.0.1:9464/metrics').then(r=>r.text()).then(t=>process.exit(t.includes('mealwise_batch_users{')?0:1))" \
  || fail "worker metrics"

echo
echo "smoke: all checks passed (run $run_id)"
