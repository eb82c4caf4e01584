#!/usr/bin/env bash
# npm run test:e2e: both end-to-end tiers, each on a cluster of its own.
#   run.sh          the five steps: the real engine and provider against a real API server (up, idempotent
#                   preview, one-change diff, policy pack, destroy)
#   controllers.sh  the upstream controllers in the loop: KServe v0.20.0 (LLMInferenceService controller,
#                   local-model controller and node agent), LWS, kube-scheduler on KWOK GPU nodes made from the
#                   program's pools; every model reconciled and placed, quota refusal, download credentials,
#                   destroy order
# The toolchain is built first (both tiers' pieces), then the tiers run at the same time: neither keeps both cores
# busy (the Pulumi engine, the program and the provider mostly wait on each other), so together they take little
# more than the longer one. MODELPLANE_E2E_SERIAL=1 runs them one after the other. Each tier's log is printed
# when it ends; the last line sums both (`e2e: N passed, M failed`), and the exit status is non-zero when either
# failed. Env: as run.sh and controllers.sh (MODELPLANE_E2E_KEEP=1, ...).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS
logs=$(mktemp -d)
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done; wait; rm -rf "$logs"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$HERE/toolchain.sh" --controllers >&2 || { echo "e2e: toolchain build failed" >&2; echo "e2e: 0 passed, 1 failed"; exit 1; }

counts() { # <prefix> <log>: "passed failed" from the tier's summary line, or nothing
  grep -E "^$1: [0-9]+ passed, [0-9]+ failed" "$2" | tail -1 | sed -E "s/^$1: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/"
}
tier() { # <name>: runs test/e2e/<name>.sh, its output in $logs/<name>.log, its exit code and seconds in .rc / .secs
  local t=$SECONDS
  bash "$HERE/$1.sh" >"$logs/$1.log" 2>&1
  echo $? >"$logs/$1.rc"
  echo $((SECONDS - t)) >"$logs/$1.secs"
}

if [ "${MODELPLANE_E2E_SERIAL:-}" = 1 ]; then
  tier run; cat "$logs/run.log"
  tier controllers; cat "$logs/controllers.log"
else
  echo "[e2e $(date +%H:%M:%S)] run.sh and controllers.sh started side by side; each log follows when it ends" >&2
  tier run & pids+=($!)
  tier controllers & pids+=($!)
  wait "${pids[0]}"; cat "$logs/run.log"
  wait "${pids[1]}"; cat "$logs/controllers.log"
  pids=()
fi

read -r p1 f1 <<<"$(counts e2e "$logs/run.log")"
read -r p2 f2 <<<"$(counts e2e-controllers "$logs/controllers.log")"
rc1=$(cat "$logs/run.rc") rc2=$(cat "$logs/controllers.rc")
echo "e2e tiers ($((SECONDS - T0))s in all): run.sh ${p1:-?} passed, ${f1:-?} failed (exit $rc1, $(cat "$logs/run.secs")s); controllers.sh ${p2:-?} passed, ${f2:-?} failed (exit $rc2, $(cat "$logs/controllers.secs")s)"
echo "e2e: $(( ${p1:-0} + ${p2:-0} )) passed, $(( ${f1:-0} + ${f2:-0} + (rc1 != 0 && ${f1:-0} == 0) + (rc2 != 0 && ${f2:-0} == 0) )) failed"
[ "$rc1" -eq 0 ] && [ "$rc2" -eq 0 ] && [ -n "${p1:-}" ] && [ -n "${p2:-}" ]
