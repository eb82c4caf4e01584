#!/usr/bin/env bash
# `npm run bench:engine [-- 50 200 1000]`: `pulumi preview` and `up` of generated fleets through the real CLI,
# language host, engine and Kubernetes provider against local API servers, side by side with a floor program that
# registers the same resources with the same inputs (bench/engine-floor.ts), and the e2e stack's preview before
# issue 18 and now (with two references: the stack of then with this code, and no CRD bodies). Writes
# bench/engine.md (bench/engine.ts report). Not part of CI.
#
# Uses the e2e toolchain (test/e2e/toolchain.sh: built on first use, ~30 min cold) and its helpers
# (test/e2e/lib/cluster.sh: temp dir, PKI, processes stopped by the EXIT trap; lib/stack.sh: the e2e stack and its
# offline platform block). Every (N, round) gets two fresh etcd + kube-apiserver pairs, one per side, so neither
# side finds the other's objects and both start from an empty cluster.
#
# Args: sizes (default 50 200 1000), or `e2e` for the e2e comparison alone. Env: BENCH_ENGINE_ROUNDS ("50:3 200:2 1000:1" by default: rounds per size),
# BENCH_ENGINE_E2E_ROUNDS (3: rounds of the e2e comparison, every mode once per round; 0 skips it), BENCH_ENGINE_TIMEOUT
# (3600 s per command), BENCH_ENGINE_OUT (bench/engine.md; with `e2e`, /tmp/modelplane-engine-e2e.md, and the raw
# results stay beside it: the committed tables and results are a full run's), MODELPLANE_E2E_KEEP=1 keeps the temp dir
# (every command's log).
# BENCH_ENGINE_CHECKPOINTS=write: the fleets' commands write every checkpoint (the CLI's default; see CHECKPOINTS below).
# BENCH_ENGINE_BEFORE_REV: the "before" of the e2e comparison (below). BENCH_ENGINE_PULUMI_ARGS: more arguments for
# every measured command (e.g. `--profiling <prefix>`; a profiling aid). BENCH_ENGINE_E2E_KNOB (default: the Go GC
# settings the shipped workflows and the e2e give `pulumi`, test/e2e/lib/cluster.sh PULUMI_GO_ENV; empty: none):
# environment settings of one more e2e mode, this code as shipped run with them. The fleets run with Go's defaults.
set -uo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
HERE="$REPO/test/e2e"
SHARED_CRDS=$(cd "$REPO/../shared/crds" 2>/dev/null && pwd) || { echo "engine bench: ../shared/crds is missing" >&2; exit 1; }
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(50 200 1000)
E2E_ONLY=""
if [[ " ${SIZES[*]} " == *" e2e "* ]]; then
  [ ${#SIZES[@]} = 1 ] || { echo "engine bench: \`e2e\` runs the e2e comparison alone; give it without sizes" >&2; exit 2; }
  E2E_ONLY=1; SIZES=()
fi
ROUNDS_SPEC=${BENCH_ENGINE_ROUNDS:-50:3 200:2 1000:1}
E2E_ROUNDS=${BENCH_ENGINE_E2E_ROUNDS:-3}
TIMEOUT=${BENCH_ENGINE_TIMEOUT:-3600}
# The fleets' commands skip the engine's per-step checkpoints (PULUMI_SKIP_CHECKPOINTS=true) unless this is "write":
# on a file backend every checkpoint rewrites the whole state, which the CRDs make 13 MiB at N = 50, so an `up` of
# N = 1,000 would spend hours writing state on both sides alike (bench/engine.md, Reading).
CHECKPOINTS=${BENCH_ENGINE_CHECKPOINTS:-skip}
OUT_MD=${BENCH_ENGINE_OUT:-$BENCH/engine.md}
if [ -n "$E2E_ONLY" ]; then
  [ "$E2E_ROUNDS" -gt 0 ] || { echo "engine bench: \`e2e\` with BENCH_ENGINE_E2E_ROUNDS=0 would measure nothing" >&2; exit 2; }
  OUT_MD=${BENCH_ENGINE_OUT:-/tmp/modelplane-engine-e2e.md}
fi
# The largest process of each command's tree (engine, provider, program): its peak RSS, from /usr/bin/time when present.
TIMEBIN=$(command -v /usr/bin/time || true)
rounds_for() { local s; for s in $ROUNDS_SPEC; do [ "${s%%:*}" = "$1" ] && { echo "${s#*:}"; return; }; done; echo 1; }

"$HERE/toolchain.sh" >&2 || { echo "engine bench: toolchain build failed" >&2; exit 1; }
TBIN=$("$HERE/toolchain.sh" --print-bin)
LOG_PREFIX=engine
# shellcheck source=../test/e2e/lib/cluster.sh
source "$HERE/lib/cluster.sh"
# shellcheck source=../test/e2e/lib/stack.sh
source "$HERE/lib/stack.sh"
KNOB=${BENCH_ENGINE_E2E_KNOB-${PULUMI_GO_ENV[*]}}
e2e_offline_crds || exit 1
e2e_platform_block >"$TMP/platform.yaml"
RESULTS="$TMP/results.jsonl"; : >"$RESULTS"
tsnode() { node "$REPO/node_modules/ts-node/dist/bin-transpile.js" "$@"; }

# ---- CLI, hosts, provider, two projects ----------------------------------------------------------------
for b in pulumi pulumi-language-nodejs pulumi-language-nodejs-upstream pulumi-resource-kubernetes; do
  [ -x "$TBIN/$b" ] || { echo "engine bench: $TBIN/$b is missing" >&2; exit 3; }
  cp "$TBIN/$b" "$TMP/bin/$b"
done
export PATH="$TMP/bin:$PATH"
export PULUMI_HOME="$TMP/home" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE=modelplane-bench
unset PULUMI_ACCESS_TOKEN PULUMI_BACKEND_URL PULUMI_NODEJS_TRANSPILE_ONLY
# The program's project: the repo's files and its Pulumi.yaml, with the probe added to the runtime options.
PROJ_P="$TMP/program" PROJ_F="$TMP/floor"
mkdir -p "$PROJ_P" "$PROJ_F"
for f in package.json tsconfig.json tsconfig.pulumi.json index.ts components lib policies node_modules; do ln -s "$REPO/$f" "$PROJ_P/$f"; done
grep -q '^    tsconfig: ' "$REPO/Pulumi.yaml" || { echo "engine bench: Pulumi.yaml has no runtime.options.tsconfig line" >&2; exit 1; }
sed "s|^    tsconfig: .*|&\n    nodeargs: \"--require $BENCH/engine-probe.js\"|" "$REPO/Pulumi.yaml" >"$PROJ_P/Pulumi.yaml"
# The e2e comparison only. "Type-checked": this code as every e2e preview ran it until the language host passed the
# runtime options on (no tsconfig option, so @pulumi/pulumi's run.js type-checks with tsconfig.json). "Before": the
# program as it was when issue 18 was filed (BENCH_ENGINE_BEFORE_REV, default b7de501, the last commit before its
# work), run the same way: what users and the e2e waited on. Its files come from git; node_modules is this one's (the
# same runtime dependencies at the same versions, plus later ones it does not load).
PROJ_T="$TMP/typechecked" PROJ_B="$TMP/before"
BEFORE_REV=${BENCH_ENGINE_BEFORE_REV:-b7de501}
mkdir -p "$PROJ_T" "$PROJ_B"
for f in package.json tsconfig.json tsconfig.pulumi.json index.ts components lib policies node_modules; do ln -s "$REPO/$f" "$PROJ_T/$f"; done
grep -v '^    tsconfig: ' "$PROJ_P/Pulumi.yaml" >"$PROJ_T/Pulumi.yaml"
git -C "$REPO" archive "$BEFORE_REV" index.ts components lib policies package.json tsconfig.json Pulumi.yaml | tar -x -C "$PROJ_B" \
  || { echo "engine bench: cannot read $BEFORE_REV from git (BENCH_ENGINE_BEFORE_REV)" >&2; exit 1; }
ln -s "$REPO/node_modules" "$PROJ_B/node_modules"
! grep -q '^    tsconfig: ' "$PROJ_B/Pulumi.yaml" || { echo "engine bench: $BEFORE_REV's Pulumi.yaml already names a tsconfig" >&2; exit 1; }
sed -i "s|^    typescript: true|&\n    nodeargs: \"--require $BENCH/engine-probe.js\"|" "$PROJ_B/Pulumi.yaml"
grep -q engine-probe "$PROJ_B/Pulumi.yaml" || { echo "engine bench: no runtime.options.typescript line in $BEFORE_REV's Pulumi.yaml" >&2; exit 1; }
# The floor's project: the same runtime options, its own name, bench/engine-floor.ts as its index.ts (a `main` in a
# subdirectory would make that directory the program's working directory, where tsconfig.pulumi.json is not).
for f in package.json tsconfig.json tsconfig.pulumi.json bench lib node_modules; do ln -s "$REPO/$f" "$PROJ_F/$f"; done
ln -s "$REPO/bench/engine-floor.ts" "$PROJ_F/index.ts"
{
  printf 'name: modelplane-floor\nruntime:\n  name: nodejs\n  options:\n'
  sed -n '/^  options:/,/^[a-z]/p' "$PROJ_P/Pulumi.yaml" | grep '^    '
} >"$PROJ_F/Pulumi.yaml"
(cd "$PROJ_P" && pulumi login "file://$TMP/state" >"$TMP/logs/login.log" 2>&1) || { cat "$TMP/logs/login.log" >&2; exit 1; }
OPTIONS=$(sed -n '/^  options:/,/^[a-z]/p' "$PROJ_P/Pulumi.yaml" | grep '^    [a-z]' | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g')
log "pulumi $(pulumi version); runtime options (both projects): $OPTIONS"

# ---- API servers ---------------------------------------------------------------------------------------
declare -A SRV_URL=() SRV_PIDS=()
# server_start <side>: a fresh etcd + kube-apiserver; writes $TMP/<side>.kubeconfig (context modelplane-e2e).
server_start() {
  local side=$1 dir="$TMP/srv-$1-$RANDOM" ep pp ap
  mkdir -p "$dir/etcd" "$dir/apiserver"
  ep=$(free_port); pp=$(free_port); ap=$(free_port)
  start "etcd-$side" "$TBIN/etcd" --name "$side" --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$ep" --advertise-client-urls "http://127.0.0.1:$ep" \
    --listen-peer-urls "http://127.0.0.1:$pp" --initial-advertise-peer-urls "http://127.0.0.1:$pp" \
    --initial-cluster "$side=http://127.0.0.1:$pp" --unsafe-no-fsync --log-level warn
  local etcd_pid=${PIDS[-1]}
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ep/health" >/dev/null && break; sleep 0.2; done
  start "kube-apiserver-$side" "$TBIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$ep" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$ap" --cert-dir "$dir/apiserver" \
    --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" --client-ca-file "$P/ca.crt" \
    --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
    --service-account-issuer https://kubernetes.default.svc --service-cluster-ip-range 10.0.0.0/24 \
    --authorization-mode RBAC --endpoint-reconciler-type none --profiling=false
  local api_pid=${PIDS[-1]}
  SRV_PIDS[$side]="$api_pid $etcd_pid"
  SRV_URL[$side]="https://127.0.0.1:$ap"
  local ready=""
  for _ in $(seq 1 300); do
    [ "$(kcurl -o /dev/null -w '%{http_code}' "${SRV_URL[$side]}/readyz" 2>/dev/null)" = 200 ] && { ready=1; break; }
    alive "$api_pid" || break; sleep 0.5
  done
  [ -n "$ready" ] || { tail -20 "$TMP/logs/kube-apiserver-$side.log" >&2; echo "engine bench: kube-apiserver ($side) not ready" >&2; exit 1; }
  API=${SRV_URL[$side]} kubeconfig admin "$TMP/$side.kubeconfig"
  # The provider waits for a ResourceQuota's status (pulumi-kubernetes' await), which the resourcequota controller
  # writes: the same controllers as test/e2e/run.sh.
  API=${SRV_URL[$side]} kubeconfig kcm "$TMP/$side-kcm.kubeconfig"
  start "kube-controller-manager-$side" "$TBIN/kube-controller-manager" --kubeconfig "$TMP/$side-kcm.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 --leader-elect=false \
    --controllers namespace-controller,garbage-collector-controller,resourcequota-controller,serviceaccount-controller \
    --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" --profiling=false
  SRV_PIDS[$side]="${PIDS[-1]} ${SRV_PIDS[$side]}"
}
server_stop() {
  local pid
  for pid in ${SRV_PIDS[$1]}; do
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  true
}
# requests <side>: the API server's request counters (apiserver_request_total) as JSON {total, mutating, dryRun, byVerb}.
requests() {
  kcurl "${SRV_URL[$1]}/metrics" | awk '/^apiserver_request_total\{/ {
      verb = $0; sub(/.*verb="/, "", verb); sub(/".*/, "", verb)
      n[verb] += $NF; t += $NF
      if ($0 ~ /dry_run="All"/) d += $NF
      if (verb ~ /^(POST|PUT|PATCH|APPLY|DELETE|DELETECOLLECTION)$/) m += $NF
    } END { printf "{\"total\":%d,\"mutating\":%d,\"dryRun\":%d,\"byVerb\":{", t, m, d; s = ""
      for (v in n) { printf "%s\"%s\":%d", s, v, n[v]; s = "," } print "}}" }'
}

# ---- one measured pulumi command -----------------------------------------------------------------------
# measure <n> <round> <side> <op> <pulumi args...>: runs in the side's project, appends one line to $RESULTS.
measure() {
  local n=$1 round=$2 side=$3 op=$4; shift 4
  local proj=$PROJ_P; [ "$side" = floor ] && proj=$PROJ_F; [ "$op" = e2e-typechecked ] && proj=$PROJ_T; [ "$op" = e2e-before ] && proj=$PROJ_B
  local probe="$TMP/probe-$n-$round-$side-$op.jsonl" logf="$TMP/logs/$n-$round-$side-$op.log"
  : >"$probe"
  local before after t0 t1 rc ckpt=written rss=null
  local -a knob=() timer=()
  [ "$CHECKPOINTS" = write ] || [[ $op == e2e-* ]] || ckpt=skipped
  [ "$op" = e2e-knob ] && read -ra knob <<<"$KNOB"
  [ -n "$TIMEBIN" ] && timer=("$TIMEBIN" -f %M -o "$TMP/rss")
  rm -f "$TMP/rss"
  before=$(requests "$side")
  t0=$(date +%s.%N)
  (cd "$proj" && env "${knob[@]}" KUBECONFIG="$TMP/$side.kubeconfig" MODELPLANE_BENCH_PROBE="$probe" \
     PULUMI_SKIP_CHECKPOINTS=$([ "$ckpt" = skipped ] && echo true || echo false) \
     "${timer[@]}" timeout "$TIMEOUT" pulumi "$@" --non-interactive ${BENCH_ENGINE_PULUMI_ARGS:-} >"$logf" 2>&1 </dev/null); rc=$?
  t1=$(date +%s.%N)
  [ -s "$TMP/rss" ] && rss=$(tail -1 "$TMP/rss" | grep -E '^[0-9]+$' || echo null)
  after=$(requests "$side")
  local state=null bytes=null
  if [ "$op" = up ]; then
    if (cd "$proj" && pulumi stack export --stack "$STACK" >"$TMP/export.json" 2>/dev/null); then
      state=$(jq '.deployment.resources | length' "$TMP/export.json") || state=null
      bytes=$(wc -c <"$TMP/export.json")
    fi
  fi
  # The scrape itself is one GET the counters include: subtracted.
  jq -cn --argjson n "$n" --argjson round "$round" --arg side "$side" --arg op "$op" --argjson exit "$rc" \
    --argjson load "$(cut -d' ' -f1 /proc/loadavg)" \
    --argjson wall "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')" \
    --argjson b "$before" --argjson a "$after" --argjson state "${state:-null}" --argjson bytes "${bytes:-null}" --arg ckpt "$ckpt" \
    --argjson rss "${rss:-null}" \
    --slurpfile probe "$probe" '{n: $n, round: $round, side: $side, op: $op, exit: $exit, wallS: $wall, load: $load,
      requests: ($a.total - $b.total - 1), mutating: ($a.mutating - $b.mutating), dryRun: ($a.dryRun - $b.dryRun),
      byVerb: ($a.byVerb | with_entries(.value -= ($b.byVerb[.key] // 0)) | with_entries(select(.value > 0)))}
      + (if ($probe | length) > 0 then {probe: $probe[-1]} else {} end)
      + (if $rss == null then {} else {maxRssKiB: $rss} end)
      + (if $state == null then {} else {stateResources: $state} end) + (if $bytes == null then {} else {stateBytes: $bytes} end)
      + (if ($op | startswith("e2e-")) then {} else {checkpoints: $ckpt} end)' >>"$RESULTS"
  log "  N=$n r$round $side $op: exit $rc, $(tail -1 "$RESULTS" | jq -r '"\(.wallS) s wall, registrations \(.probe.firstS // "-")–\(.probe.lastS // "-") s, \(.requests) requests"')"
  if [ "$rc" != 0 ]; then tail -15 "$logf" >&2; fi
  return 0
}

# ---- report (rewritten after every size, so a long run that is stopped keeps what it measured) -----------------
report() {
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
  jq -n --arg command "npm run bench:engine -- ${E2E_ONLY:+e2e}${SIZES[*]}  (BENCH_ENGINE_ROUNDS=\"$ROUNDS_SPEC\", BENCH_ENGINE_E2E_ROUNDS=$E2E_ROUNDS, BENCH_ENGINE_BEFORE_REV=$BEFORE_REV, BENCH_ENGINE_CHECKPOINTS=$CHECKPOINTS, BENCH_ENGINE_E2E_KNOB=\"$KNOB\")" \
    --arg machine "$(nproc) × $cpu, $(free -g | awk '/^Mem:/{print $2}') GiB RAM, $(uname -sr), Node $(node --version); 1-minute load average $(cut -d' ' -f1 /proc/loadavg) at the end (the machine is shared)" \
    --arg date "$(date -u +%Y-%m-%dT%H:%MZ)" \
    --arg versions "pulumi $(pulumi version); language host test/e2e/langhost over the upstream sdk/v3 v3.68.0 host (runtime options passed on); pulumi-resource-kubernetes 4.25.0; kube-apiserver and etcd of the e2e toolchain; runtime options: $OPTIONS." \
    --arg beforeRev "$BEFORE_REV" --arg knob "$KNOB" \
    '{command: $command, machine: $machine, date: $date, versions: $versions, beforeRev: $beforeRev, knob: $knob}' >"$TMP/meta.json"
  local raw="$BENCH/engine-results.jsonl"; [ -n "$E2E_ONLY" ] && raw="${OUT_MD%.md}-results.jsonl"
  cp "$RESULTS" "$raw"
  tsnode "$BENCH/engine.ts" report "$RESULTS" "$TMP/meta.json" "$OUT_MD" || exit 1
  log "wrote $OUT_MD (raw results: $raw)"
}

# ---- the e2e stack's preview: before issue 18 and now -----------------------------------------------------
# Three stacks in one backend under one project name, each previewed as a new stack: `e2e` (the e2e stack now,
# test/e2e/lib/stack.sh: its chart CRD bundles from local charts), `e2e-files` (the e2e stack before: every CRD bundle
# from files; the `before` and `files` modes run it) and `e2e-bare` (e2e-files with every files list one empty file,
# the `no-crd-bodies` reference: its custom resources preview without a server dry run, their CRDs unknown, as on
# every new stack).
if [ "$E2E_ROUNDS" -gt 0 ]; then
  log "e2e stack (test/e2e/lib/stack.sh): preview of a new stack, $BEFORE_REV type-checked on the stack of then, this code type-checked and as shipped, $E2E_ROUNDS round(s)"
  server_start program
  e2e_stack() { # <stack> [files]: a new stack and its file
    (cd "$PROJ_P" && pulumi stack init "$1" --secrets-provider passphrase >>"$TMP/logs/e2e-init.log" 2>&1) || { cat "$TMP/logs/e2e-init.log" >&2; return 1; }
    SALT=$(grep '^encryptionsalt:' "$PROJ_P/Pulumi.$1.yaml")
    (cd "$PROJ_P" && write_stack 1 "${2:-}" && { [ "$1" = e2e ] || mv Pulumi.e2e.yaml "Pulumi.$1.yaml"; })
  }
  e2e_stack e2e-files files && e2e_stack e2e-bare files && e2e_stack e2e || exit 1
  echo "# no CRD bodies (bench reference)" >"$TMP/no-crd-bodies.yaml"
  sed -i -E "s|^(      [A-Za-z]+: )\{ files: \[.*\] \}\$|\1{ files: [\"$TMP/no-crd-bodies.yaml\"] }|" "$PROJ_P/Pulumi.e2e-bare.yaml"
  [ "$(grep -c 'no-crd-bodies.yaml' "$PROJ_P/Pulumi.e2e-bare.yaml")" = "$(grep -c '{ files: \[' "$PROJ_P/Pulumi.e2e-files.yaml")" ] \
    || { echo "engine bench: the no-CRD-bodies stack did not replace every files list" >&2; exit 1; }
  { ! grep -q '{ path: ' "$PROJ_P/Pulumi.e2e-files.yaml" && grep -q '{ path: ' "$PROJ_P/Pulumi.e2e.yaml"; } \
    || { echo "engine bench: e2e-files must name files only and e2e its local charts" >&2; exit 1; }
  for f in "$PROJ_P"/Pulumi.e2e*.yaml; do cp "$f" "$PROJ_T/"; cp "$f" "$PROJ_B/"; done
  modes=(before typechecked transpile-only); [ -n "$KNOB" ] && modes+=(knob); modes+=(files no-crd-bodies)
  for r in $(seq 1 "$E2E_ROUNDS"); do
    order=("${modes[@]}")
    [ $((r % 2)) = 0 ] && mapfile -t order < <(printf '%s\n' "${modes[@]}" | tac)
    for mode in "${order[@]}"; do
      case $mode in before|files) STACK=e2e-files ;; no-crd-bodies) STACK=e2e-bare ;; *) STACK=e2e ;; esac
      measure 2 "$r" program "e2e-$mode" preview --stack "$STACK"
    done
  done
  server_stop program
  report
fi

# ---- the fleets ----------------------------------------------------------------------------------------
for n in "${SIZES[@]}"; do
  d="$TMP/n$n"
  tsnode "$BENCH/engine.ts" gen "$n" "$d" "$TMP/platform.yaml" || exit 1
  for v in base change; do
    (cd "$REPO" && tsnode plan/cli.ts "bench$n" --config-file "$d/$v.yaml" --policy-config "$d/policy.json" --out "$d/plan-$v" >"$TMP/logs/plan-$n-$v.log" 2>&1) \
      || { cat "$TMP/logs/plan-$n-$v.log" >&2; exit 1; }
  done
  log "N=$n: $(jq length "$d/plan-base/resources.json") resources in the offline plan"
  for r in $(seq 1 "$(rounds_for "$n")"); do
    server_start program; server_start floor
    ps="p$n-r$r" fs="f$n-r$r"
    (cd "$PROJ_P" && pulumi stack init "$ps" --secrets-provider passphrase >"$TMP/logs/init-$ps.log" 2>&1) || { cat "$TMP/logs/init-$ps.log" >&2; exit 1; }
    salt=$(grep '^encryptionsalt:' "$PROJ_P/Pulumi.$ps.yaml")
    { echo "$salt"; cat "$d/base.yaml"; } >"$PROJ_P/Pulumi.$ps.yaml"
    (cd "$PROJ_F" && pulumi stack init "$fs" --secrets-provider passphrase >"$TMP/logs/init-$fs.log" 2>&1 \
      && pulumi config set resources "$d/plan-base/resources.json" --stack "$fs" >>"$TMP/logs/init-$fs.log" 2>&1) || { cat "$TMP/logs/init-$fs.log" >&2; exit 1; }
    sides=(program floor); [ $((r % 2)) = 0 ] && sides=(floor program)
    for op in preview-new up preview-nochange preview-change up-change; do
      if [ "$op" = preview-change ]; then
        { echo "$salt"; cat "$d/change.yaml"; } >"$PROJ_P/Pulumi.$ps.yaml"
        (cd "$PROJ_F" && pulumi config set resources "$d/plan-change/resources.json" --stack "$fs" >/dev/null 2>&1)
      fi
      for side in "${sides[@]}"; do
        STACK=$ps; [ "$side" = floor ] && STACK=$fs
        case $op in
          preview-new|preview-change) measure "$n" "$r" "$side" "$op" preview --stack "$STACK" ;;
          preview-nochange) measure "$n" "$r" "$side" "$op" preview --expect-no-changes --stack "$STACK" ;;
          up|up-change) measure "$n" "$r" "$side" "$op" up --yes --skip-preview --stack "$STACK" ;;
        esac
      done
    done
    server_stop program; server_stop floor
  done
  report
done

