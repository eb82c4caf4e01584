#!/usr/bin/env bash
# npm run test:e2e: both end-to-end tiers, one after the other, each on a cluster of its own.
#   run.sh          the five steps: the real engine and provider against a real API server (up, idempotent
#                   preview, one-change diff, policy pack, destroy)
#   controllers.sh  the upstream controllers in the loop: KServe v0.20.0 (LLMInferenceService controller,
#                   local-model controller and node agent), LWS, kube-scheduler on KWOK GPU nodes made from the
#                   program's pools; every model reconciled and placed, quota refusal, download credentials
# The second runs even when the first fails (they check different things); the last line sums both, and the
# exit status is non-zero when either failed. Env: as run.sh and controllers.sh (MODELPLANE_E2E_KEEP=1, ...).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS
out=$(mktemp)
trap 'rm -f "$out"' EXIT

counts() { # <prefix> <log>: "passed failed" from the tier's summary line, or nothing
  grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -1 | sed -E "s/^$1: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/"
}

bash "$HERE/run.sh" 2>&1 | tee "$out"
rc1=${PIPESTATUS[0]}
read -r p1 f1 <<<"$(counts e2e "$out")"
t1=$((SECONDS - T0))

bash "$HERE/controllers.sh" 2>&1 | tee "$out"
rc2=${PIPESTATUS[0]}
read -r p2 f2 <<<"$(counts e2e-controllers "$out")"
t2=$((SECONDS - T0 - t1))

echo "e2e tiers: run.sh ${p1:-?} passed, ${f1:-?} failed (exit $rc1, ${t1}s); controllers.sh ${p2:-?} passed, ${f2:-?} failed (exit $rc2, ${t2}s)"
echo "e2e: $(( ${p1:-0} + ${p2:-0} )) passed, $(( ${f1:-0} + ${f2:-0} )) failed"
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -n "${p1:-}" ] && [ -n "${p2:-}" ]
