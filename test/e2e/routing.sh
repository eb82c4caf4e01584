#!/usr/bin/env bash
# Opt-in routing check, offline (npm run test:e2e:routing): the endpoint picker (EPP), running the
# EndpointPickerConfig our program generates for a model, routes OpenAI chat requests prefix-aware.
#
# Real: the EPP (sigs.k8s.io/gateway-api-inference-extension v1.5.0 ./cmd/epp), llm-d-inference-sim v0.10.2 (one
# process per simulated pod), etcd + kube-apiserver + kube-controller-manager (k8s.io/kubernetes v1.37.2), the
# InferencePool v1 CRD (../shared/crds), the program's plan (npm run plan) and its EndpointPickerConfig.
# Simulated: the pods (Pod objects whose status - Running, Ready, podIP - this script writes through the status
# subresource; each one's "container" is a simulator process in a network namespace of its own holding the pod IP),
# and Envoy (test/e2e/extproc: our ext_proc client asks the EPP, then sends the request to the chosen endpoint).
#
# KServe v0.20.0 deploys llm-d-router v0.9.0 as the picker; the Go module proxy does not serve it (403), so GIE's
# reference picker stands in. It reads config apiVersion inference.networking.x-k8s.io/v1alpha1 while the program
# emits llm-d.ai/v1alpha1 (llm-d-router's group): the ONLY change made to the program's config is that apiVersion.
#
# Steps: toolchain (--routing; the only step that may use the network: the Go module proxy) → everything else in a
# private network namespace (unshare --net: loopback only, so no process can reach the network) → plan → cluster →
# pods, simulators, InferencePool → EPP with the program's config → traffic → EPP with the control config (the
# program's output for the same model with routing.scorers.prefixCache: 0) → same traffic → summary and
# test/e2e/routing-result.md (the kept record: this check is not run in CI).
#
# Env: MODELPLANE_ROUTING_STACK (default prod), MODELPLANE_ROUTING_MODEL (default llama-3-3-70b: non-P/D; GIE has no
#      P/D plugins), MODELPLANE_ROUTING_PODS (4), MODELPLANE_ROUTING_K (same-prefix requests, 8),
#      MODELPLANE_ROUTING_P (different prefixes, 8), MODELPLANE_ROUTING_RESULT (record file, default
#      test/e2e/routing-result.md; "-" for none), MODELPLANE_E2E_KEEP=1 keeps the temp dir (every process's log).
# Exit: 0 every assertion passed; 1 an assertion or a step failed; 3 the toolchain is incomplete.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

STACK=${MODELPLANE_ROUTING_STACK:-prod}
MODEL=${MODELPLANE_ROUTING_MODEL:-llama-3-3-70b}
NPODS=${MODELPLANE_ROUTING_PODS:-4}
NSAME=${MODELPLANE_ROUTING_K:-8}
NPREFIX=${MODELPLANE_ROUTING_P:-8}
RESULT_FILE=${MODELPLANE_ROUTING_RESULT:-$HERE/routing-result.md}
GIE_VERSION=v1.5.0 SIM_VERSION=v0.10.2   # = toolchain.sh GIE_VERSION / SIM_VERSION (checked below)
GIE_CONFIG_API=inference.networking.x-k8s.io/v1alpha1   # GIE v1.5.0 apix/config/v1alpha1 GroupName + version

banner() {
  cat <<EOF
routing check: what is real and what is simulated
  REAL       endpoint picker: sigs.k8s.io/gateway-api-inference-extension ${GIE_VERSION} ./cmd/epp (built from the Go module proxy)
  REAL       vLLM simulator: github.com/llm-d/llm-d-inference-sim ${SIM_VERSION}, one process per pod (no GPU, no model: simulated tokens)
  REAL       etcd + kube-apiserver + kube-controller-manager v1.37.2, the InferencePool v1 CRD from ../shared/crds
  REAL       the EndpointPickerConfig: the program's own output (npm run plan -- ${STACK}, model ${MODEL}); only apiVersion rewritten
  SIMULATED  pods: Pod objects whose status (Running, Ready, podIP) this script writes; each pod IP is a network namespace running a simulator
  SIMULATED  Envoy: test/e2e/extproc (ours) speaks ext_proc v3 to the EPP as Envoy would, then sends the request to the chosen endpoint
  NOT HERE   llm-d-router v0.9.0 (what KServe v0.20.0 deploys as the picker): not served by the Go module proxy
EOF
}

# ================================ phase 1 (host network): the toolchain ================================
if [ "${1:-}" != --in-netns ]; then
  banner
  grep -q "GIE_VERSION=${GIE_VERSION}" "$HERE/toolchain.sh" && grep -q "SIM_VERSION=${SIM_VERSION}" "$HERE/toolchain.sh" \
    || { echo "routing: GIE_VERSION/SIM_VERSION differ from toolchain.sh" >&2; exit 1; }
  t0=$(date +%s.%N)
  report=$(mktemp)
  "$HERE/toolchain.sh" --routing 2>&1 | tee "$report" >&2 || { rm -f "$report"; echo "routing: toolchain build failed" >&2; exit 1; }
  MODELPLANE_ROUTING_TOOLCHAIN_REPORT=$(sed -n '/^toolchain (/,$p' "$report")
  rm -f "$report"
  MODELPLANE_ROUTING_TOOLCHAIN_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  MODELPLANE_ROUTING_T0=$t0
  export MODELPLANE_ROUTING_TOOLCHAIN_REPORT MODELPLANE_ROUTING_TOOLCHAIN_SECS MODELPLANE_ROUTING_T0
  # Everything else runs in a network namespace of its own: only a loopback interface, so no process of this
  # check can reach the network (the simulators' pod IPs are veth pairs inside it).
  if ! unshare --net true 2>/dev/null; then
    echo "routing: cannot create a network namespace (unshare --net: needs root / CAP_SYS_ADMIN); the simulated pods need one each" >&2
    exit 1
  fi
  exec unshare --net -- bash "$0" --in-netns
fi

# ================================ phase 2 (private network namespace) ================================
# Only a loopback interface may exist here (the guarantee that nothing below reaches the network).
[ "$(ip -o link show | wc -l)" -eq 1 ] || { echo "routing: not in a private network namespace (run test/e2e/routing.sh without arguments)" >&2; exit 1; }
ip link set lo up
: "${MODELPLANE_ROUTING_T0:=$(date +%s.%N)}" "${MODELPLANE_ROUTING_TOOLCHAIN_SECS:=?}" "${MODELPLANE_ROUTING_TOOLCHAIN_REPORT:=(not run)}"
TBIN=$("$HERE/toolchain.sh" --print-bin)
for b in etcd kube-apiserver kube-controller-manager epp llm-d-inference-sim extproc-client; do
  [ -x "$TBIN/$b" ] || { echo "routing: toolchain incomplete: $TBIN/$b is missing" >&2; exit 3; }
done
SHARED_CRDS=$(cd "$REPO/../shared/crds" 2>/dev/null && pwd) || { echo "routing: ../shared/crds is missing" >&2; exit 1; }
POOL_CRD="$SHARED_CRDS/inference-extension/${GIE_VERSION}/inference.networking.k8s.io_inferencepools.yaml"
[ -f "$POOL_CRD" ] || { echo "routing: $POOL_CRD is missing" >&2; exit 1; }

LOG_PREFIX=routing
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
TOOL=(node "$HERE/routing/tool.cjs")
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
declare -a RESULTS=() TIMINGS=() NOTES=()
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $1"); log "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $1 — $2"); log "FAIL $1 — $2"; }
note() { RESULTS+=("INFO  $1"); NOTES+=("$1"); log "INFO $1"; }
check() { if [ "$2" = ok ]; then pass "$1"; else fail "$1" "$2"; fi; }   # check <name> <ok | what went wrong>
step_t=$(now)
timing() { local t; t=$(now); TIMINGS+=("$(printf '%-52s %6ss' "$1" "$(secs "$step_t" "$t")")"); step_t=$t; }
abort() { fail "$1" "$2"; finish; exit 1; }
# finish: the summary (stdout) and the record file; write_result: the record (markdown)
finish() {
  local total
  total=$(awk -v a="$MODELPLANE_ROUTING_T0" -v b="$(now)" 'BEGIN{printf "%.0f", b-a}')
  {
    echo "routing results (${total}s in all; toolchain ${MODELPLANE_ROUTING_TOOLCHAIN_SECS}s):"
    printf '  %s\n' "${RESULTS[@]}"
    echo "routing: $PASSED passed, $FAILED failed"
  } | tee "$TMP/summary.txt"
  [ "$RESULT_FILE" = - ] && return 0
  write_result "$total" >"$RESULT_FILE.tmp" && mv "$RESULT_FILE.tmp" "$RESULT_FILE"
  log "record written: $RESULT_FILE"
}
write_result() {
  cat <<EOF
# Routing check: result of the last run

Written by \`test/e2e/routing.sh\` (\`npm run test:e2e:routing\`); not run in CI, so this file is the kept record.

- **Date:** $(date -u '+%Y-%m-%d %H:%M UTC')
- **Host:** $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $(go version 2>/dev/null || /usr/local/go/bin/go version)
- **Commands:** \`npm run test:e2e:routing\` (= \`test/e2e/toolchain.sh --routing\`, then everything below in \`unshare --net\`)
- **Stack / model:** \`npm run plan -- ${STACK}\` → \`${NAMESPACE}/${MODEL}\` (served as \`${SERVED}\`), ${NPODS} simulated pods
- **Run time:** ${1}s in all, of which toolchain ${MODELPLANE_ROUTING_TOOLCHAIN_SECS}s

## Versions

| piece | version | real or simulated |
|---|---|---|
| endpoint picker | \`sigs.k8s.io/gateway-api-inference-extension\` ${GIE_VERSION} \`./cmd/epp\` | real binary (stands in for llm-d-router v0.9.0, which the Go module proxy does not serve) |
| model servers | \`github.com/llm-d/llm-d-inference-sim\` ${SIM_VERSION} | real simulator binary, one per pod, each in its own network namespace at its pod IP |
| API server | etcd + kube-apiserver + kube-controller-manager (serviceaccount only) v1.37.2 | real |
| InferencePool CRD | \`../shared/crds/inference-extension/${GIE_VERSION}/inference.networking.k8s.io_inferencepools.yaml\` | real (v1) |
| pods | Pod objects, status written through the status subresource | simulated |
| gateway | \`test/e2e/extproc\` (ours), ext_proc v3 client built in the GIE module | simulated (stands in for Envoy) |

## Configs (the program's output; only \`apiVersion\` rewritten ${PROGRAM_API:-?} → ${GIE_CONFIG_API})

Program config (\`npm run plan -- ${STACK}\`, \`spec.router.scheduler.config.inline\`):

\`\`\`json
$(jq -c . "$TMP/program-config.json" 2>/dev/null || echo "(not reached)")
\`\`\`

Control config (same stack, \`routing.scorers.prefixCache: 0\` for ${MODEL}; the program leaves weight-0 scorers out):

\`\`\`json
$(jq -c . "$TMP/program-control-config.json" 2>/dev/null || echo "(not reached)")
\`\`\`

## Distribution

Traffic: ${NSAME} requests sharing a ${PROMPT_CHARS:-?}-char system prompt (short different questions); ${NPREFIX} different
system prompts of the same length, each sent twice (round 1 all, then round 2 all). Sent one after the other.
Backends by pod; cached tokens as \`cached/prompt\` tokens the simulator reports (\`usage.prompt_tokens_details\`).

| | program config | control (no prefix-cache-scorer) |
|---|---|---|
| same prefix, ${NSAME} requests | ${MAIN_SAME_DIST:-} | ${CONTROL_SAME_DIST:-} |
| ${NPREFIX} different prefixes, first requests | ${MAIN_SPREAD_DIST:-} | ${CONTROL_SPREAD_DIST:-} |
| second request on its prefix's first backend | ${MAIN_FOLLOW:-}/${NPREFIX} | ${CONTROL_FOLLOW:-}/${NPREFIX} |
| simulator cached tokens, same-prefix requests 2..${NSAME} | ${MAIN_CACHED:-} | ${CONTROL_CACHED:-} |

Load-aware (program config, fresh picker, the last pod's simulator restarted with \`--fake-metrics\` waiting 10 /
KV 90%): ${NPREFIX} new prefixes → ${LOAD_DIST:-(not reached)}.

Mean time from request headers to the picker's decision (program config): ${MAIN_EPP_MS:-?} ms. Memory: ${MEM:-?}.

## Timings

\`\`\`
$(printf '%s\n' "${TIMINGS[@]}")
\`\`\`

Toolchain (\`test/e2e/toolchain.sh --routing\` as run; "cached" = built before, cold build times of the pieces are
in test/e2e/README.md, "Routing check"):

\`\`\`
${MODELPLANE_ROUTING_TOOLCHAIN_REPORT}
\`\`\`

## Summary output

\`\`\`
$(cat "$TMP/summary.txt")
\`\`\`
EOF
}


# ---- the program's EndpointPickerConfig ------------------------------------------------------------------
# model_config <plan dir> <out file>: the model's spec.router.scheduler.config.inline from the plan's resources.json
# (fails when the model is missing, is P/D, or has no inline config).
model_config() {
  local res="$1/resources.json"
  jq -e --arg m "$MODEL" '[.[] | select(.type | test(":LLMInferenceService$")) | select(.name == $m)] | length == 1' "$res" >/dev/null \
    || { echo "no LLMInferenceService named $MODEL in $res"; return 1; }
  jq -e --arg m "$MODEL" '.[] | select(.type | test(":LLMInferenceService$")) | select(.name == $m) | .props.spec.prefill == null' "$res" >/dev/null \
    || { echo "$MODEL is a prefill/decode model: its config uses llm-d's P/D plugins, which GIE ${GIE_VERSION} does not have; pick a non-P/D model"; return 1; }
  jq -e --arg m "$MODEL" '.[] | select(.type | test(":LLMInferenceService$")) | select(.name == $m) | .props.spec.router.scheduler.config.inline' "$res" >"$2" \
    || { echo "$MODEL has no spec.router.scheduler.config.inline"; return 1; }
}
# for_gie <program config> <out>: the same config with the apiVersion GIE v1.5.0 decodes; nothing else changes.
for_gie() {
  jq --arg v "$GIE_CONFIG_API" '.apiVersion = $v' "$1" >"$2"
  [ "$(jq -S 'del(.apiVersion)' "$1")" = "$(jq -S 'del(.apiVersion)' "$2")" ] || { echo "rewrite changed more than apiVersion"; return 1; }
}

log "plan: npm run plan -- $STACK"
(cd "$REPO" && npm run --silent plan -- "$STACK" --out "$TMP/plan") >"$TMP/logs/plan.log" 2>&1 \
  || { tail -20 "$TMP/logs/plan.log" >&2; abort "plan" "npm run plan -- $STACK failed (log above)"; }
err=$(model_config "$TMP/plan" "$TMP/program-config.json") || abort "config" "$err"
SERVED=$(jq -r --arg m "$MODEL" '.[] | select(.type | test(":LLMInferenceService$")) | select(.name == $m) | .props.spec.model.name' "$TMP/plan/resources.json")
NAMESPACE=$(jq -r --arg m "$MODEL" '.[] | select(.type | test(":LLMInferenceService$")) | select(.name == $m) | .props.metadata.namespace' "$TMP/plan/resources.json")
PROGRAM_API=$(jq -r .apiVersion "$TMP/program-config.json")
err=$(for_gie "$TMP/program-config.json" "$TMP/epp-config.json") || abort "config" "$err"
log "REWRITE apiVersion ${PROGRAM_API} → ${GIE_CONFIG_API} in the program's config (GIE ${GIE_VERSION} decodes only its own group; llm-d-router, which reads ${PROGRAM_API}, is not served by the Go module proxy). Plugins, profiles and weights are the program's, unchanged."
pass "config: the program's EndpointPickerConfig for ${STACK}/${MODEL} (${SERVED}): $(jq -c '[.schedulingProfiles[].plugins[] | if .weight then "\(.pluginRef)=\(.weight)" else .pluginRef end]' "$TMP/program-config.json")"

# The control: the program's output for the same stack with only this model's prefixCache weight set to 0.
"${TOOL[@]}" control-stack "$REPO/Pulumi.$STACK.yaml" "$TMP/Pulumi.control.yaml" "$MODEL"
(cd "$REPO" && npm run --silent plan -- "$STACK" --config-file "$TMP/Pulumi.control.yaml" --out "$TMP/plan-control") >"$TMP/logs/plan-control.log" 2>&1 \
  || { tail -20 "$TMP/logs/plan-control.log" >&2; abort "control config" "plan with prefixCache: 0 failed"; }
err=$(model_config "$TMP/plan-control" "$TMP/program-control-config.json") || abort "control config" "$err"
err=$(for_gie "$TMP/program-control-config.json" "$TMP/epp-control-config.json") || abort "control config" "$err"
if jq -e '[.plugins[].type] | index("prefix-cache-scorer")' "$TMP/epp-control-config.json" >/dev/null; then
  abort "control config" "the program still emits prefix-cache-scorer with prefixCache: 0"
fi
log "control config (program output, prefixCache: 0): $(jq -c '[.schedulingProfiles[].plugins[] | if .weight then "\(.pluginRef)=\(.weight)" else .pluginRef end]' "$TMP/epp-control-config.json")"
timing "plan (program config + control config)"

# ---- cluster ---------------------------------------------------------------------------------------------
# kube-controller-manager only for the serviceaccount controller (a Pod needs its namespace's default SA).
cluster_start serviceaccount-controller
KC="$TMP/admin.kubeconfig"
# kapply <collection path> <json file>: create the object (fails on any status but 201)
kapply() {
  local code
  code=$(kcurl -o "$TMP/last-response.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary "@$2" "$API$1")
  [ "$code" = 201 ] || { echo "POST $1: HTTP $code $(jq -c '.message // .' "$TMP/last-response.json" 2>/dev/null)" >&2; return 1; }
}
"${TOOL[@]}" yaml2json "$POOL_CRD" >"$TMP/pool-crd.json"
kapply /apis/apiextensions.k8s.io/v1/customresourcedefinitions "$TMP/pool-crd.json"
for _ in $(seq 1 100); do
  kget /apis/apiextensions.k8s.io/v1/customresourcedefinitions/inferencepools.inference.networking.k8s.io \
    | jq -e '.status.conditions[]? | select(.type == "Established" and .status == "True")' >/dev/null 2>&1 && break
  sleep 0.2
done
kget /apis/inference.networking.k8s.io/v1 >/dev/null || abort "cluster" "InferencePool v1 not served after installing $POOL_CRD"
printf '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%s"}}' "$NAMESPACE" >"$TMP/ns.json"
kapply /api/v1/namespaces "$TMP/ns.json"
for _ in $(seq 1 100); do kget "/api/v1/namespaces/$NAMESPACE/serviceaccounts/default" >/dev/null && break; sleep 0.2; done
timing "cluster (etcd, kube-apiserver, CRD, namespace)"

# ---- simulated pods: Pod objects + one simulator per pod IP ----------------------------------------------
# llm-d-inference-sim v0.10.2 has no bind-address flag (pkg/communication/http.go: net.Listen("tcp4", ":<port>")),
# so each one runs in a network namespace of its own, listening on :8000 there as in a real pod, reached through a
# veth pair at its pod IP 10.244.<i>.2. All of it lives inside this check's private namespace.
POOL="${MODEL}-inference-pool"
SELECTOR_KEY=modelplane.io/routing-check
declare -a POD_IPS=() SIM_PIDS=() SIM_NAMES=()
SIM_ARGS=(--port 8000 --model "$SERVED" --force-dummy-tokenizer --max-model-len 32768 --mode echo
          --time-to-first-token 20ms --inter-token-latency 2ms --enable-kvcache --block-size 16)
# start_sim <i> <log name> [more simulator flags]: simulator i in a new network namespace at 10.244.<i>.2:8000
start_sim() {
  local i=$1 logname=$2; shift 2
  local ip=10.244.$i.2 name="${MODEL}-sim-$i" pid
  # POD_IP/POD_NAME/POD_NAMESPACE: the downward-API env a real pod would give it (its KV-cache simulation needs
  # POD_IP); --zmq-endpoint= : no KV-event publishing (nothing here consumes it).
  start "$logname" env POD_IP="$ip" POD_NAME="$name" POD_NAMESPACE="$NAMESPACE" \
    unshare --net -- "$TBIN/llm-d-inference-sim" "${SIM_ARGS[@]}" --zmq-endpoint="" "$@"
  pid=${PIDS[-1]}
  for _ in $(seq 1 50); do [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break; sleep 0.1; done
  for _ in $(seq 1 50); do ip link show "vh$i" >/dev/null 2>&1 || break; sleep 0.1; done   # a previous pair is gone
  ip link add "vh$i" type veth peer name eth0 netns "$pid"
  ip addr add "10.244.$i.1/24" dev "vh$i"; ip link set "vh$i" up
  nsenter -t "$pid" -n sh -c "ip link set lo up && ip addr add $ip/24 dev eth0 && ip link set eth0 up"
  POD_IPS[$((i - 1))]=$ip; SIM_PIDS[$((i - 1))]=$pid; SIM_NAMES[$((i - 1))]=$name
}
# wait_sim <i> <log name>: simulator i answers on its pod IP
wait_sim() {
  local i=$1
  for _ in $(seq 1 150); do
    curl -sf -o /dev/null "http://${POD_IPS[$((i - 1))]}:8000/metrics" && return 0
    alive "${SIM_PIDS[$((i - 1))]}" || break
    sleep 0.2
  done
  tail -20 "$TMP/logs/$2.log" >&2
  return 1
}
for i in $(seq 1 "$NPODS"); do
  start_sim "$i" "sim-$i"
  ip=${POD_IPS[$((i - 1))]} name=${SIM_NAMES[$((i - 1))]}
  cat >"$TMP/pod-$i.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$name","namespace":"$NAMESPACE",
 "labels":{"$SELECTOR_KEY":"$MODEL","app.kubernetes.io/name":"$MODEL"},
 "annotations":{"modelplane.io/simulated":"llm-d-inference-sim ${SIM_VERSION} in a network namespace at $ip"}},
 "spec":{"automountServiceAccountToken":false,"containers":[{"name":"main","image":"simulated/llm-d-inference-sim:${SIM_VERSION}",
  "ports":[{"name":"http","containerPort":8000}]}]}}
EOF
  kapply "/api/v1/namespaces/$NAMESPACE/pods" "$TMP/pod-$i.json"
  ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  cat >"$TMP/pod-$i-status.json" <<EOF
{"status":{"phase":"Running","podIP":"$ip","podIPs":[{"ip":"$ip"}],"hostIP":"127.0.0.1","startTime":"$ts",
 "conditions":[{"type":"PodScheduled","status":"True","lastTransitionTime":"$ts"},{"type":"Initialized","status":"True","lastTransitionTime":"$ts"},
  {"type":"ContainersReady","status":"True","lastTransitionTime":"$ts"},{"type":"Ready","status":"True","lastTransitionTime":"$ts"}]}}
EOF
  code=$(kcurl -o "$TMP/last-response.json" -w '%{http_code}' -X PATCH -H 'Content-Type: application/merge-patch+json' \
    --data-binary "@$TMP/pod-$i-status.json" "$API/api/v1/namespaces/$NAMESPACE/pods/$name/status")
  [ "$code" = 200 ] || abort "pods" "status of $name: HTTP $code $(jq -c .message "$TMP/last-response.json")"
  log "SIMULATED pod $NAMESPACE/$name: status Running/Ready, podIP $ip written through the status subresource"
done
for i in $(seq 1 "$NPODS"); do
  wait_sim "$i" "sim-$i" || abort "simulators" "sim-$i does not answer on ${POD_IPS[$((i - 1))]}:8000"
done
timing "pods + ${NPODS} simulators"

# ---- InferencePool v1 ------------------------------------------------------------------------------------
cat >"$TMP/pool.json" <<EOF
{"apiVersion":"inference.networking.k8s.io/v1","kind":"InferencePool","metadata":{"name":"$POOL","namespace":"$NAMESPACE"},
 "spec":{"selector":{"matchLabels":{"$SELECTOR_KEY":"$MODEL"}},"targetPorts":[{"number":8000}],
  "endpointPickerRef":{"name":"${MODEL}-epp","port":{"number":9002}}}}
EOF
kapply "/apis/inference.networking.k8s.io/v1/namespaces/$NAMESPACE/inferencepools" "$TMP/pool.json"

# ---- the EPP ---------------------------------------------------------------------------------------------
EPP_GRPC="" EPP_METRICS="" EPP_NAME="" EPP_PID="" EPP_ERR=""
# start_epp <name> <config file>: (not in a subshell: it sets EPP_* and registers the process) the picker for the pool, TLS with its own self-signed cert (the default), no
# tracing (it would export to a collector), metrics on 127.0.0.1 without auth (read here for the pool's ready pods).
start_epp() {
  EPP_NAME=$1
  EPP_GRPC=$(free_port); local health; health=$(free_port); EPP_METRICS=$(free_port)
  start "$EPP_NAME" env KUBECONFIG="$KC" "$TBIN/epp" --pool-name "$POOL" --pool-namespace "$NAMESPACE" \
    --config-file "$2" --grpc-port "$EPP_GRPC" --grpc-health-port "$health" --metrics-port "$EPP_METRICS" \
    --tracing=false --metrics-endpoint-auth=false --enable-pprof=false --v=2
  EPP_PID=${PIDS[-1]}
  local ready=""
  for _ in $(seq 1 300); do
    alive "$EPP_PID" || break
    n=$(curl -sf "http://127.0.0.1:$EPP_METRICS/metrics" 2>/dev/null | awk -v p="$POOL" '$1 ~ /^inference_pool_ready_pods\{/ && index($1, "\"" p "\"") {print $2}')
    [ "${n:-0}" = "$NPODS" ] && { ready=1; break; }
    sleep 0.5
  done
  if [ -z "$ready" ]; then
    local missing
    missing=$(grep -o "plugin type '[^']*' is not registered" "$TMP/logs/$EPP_NAME.log" | head -1 || true)
    tail -25 "$TMP/logs/$EPP_NAME.log" >&2
    if [ -n "$missing" ]; then
      EPP_ERR="GIE ${GIE_VERSION} does not have a plugin our config names: $missing"
    elif ! alive "$EPP_PID"; then
      EPP_ERR="$EPP_NAME exited: $(grep -m1 -iE 'error|failed' "$TMP/logs/$EPP_NAME.log" | cut -c1-300)"
    else
      EPP_ERR="$EPP_NAME: the pool's ready pods never reached $NPODS (last: ${n:-none})"
    fi
    return 1
  fi
  sleep 1   # one metrics scrape of every endpoint (refresh interval 50 ms) before traffic
}
stop_epp() {
  kill "$EPP_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do alive "$EPP_PID" || return 0; sleep 0.1; done
  kill -9 "$EPP_PID" 2>/dev/null || true
}

# sim_counts: "<count> ..." of vllm:request_success_total per simulator (its own counter), in pod order
sim_counts() {
  local i out=()
  for i in $(seq 1 "$NPODS"); do
    out+=("$(curl -sf "http://${POD_IPS[$((i - 1))]}:8000/metrics" | awk '$1 ~ /^vllm:request_success_total/ {s += $2} END {printf "%d", s}')")
  done
  echo "${out[*]}"
}
# traffic <label> <input>: runs the requests through the ext_proc client; results in $TMP/<label>.out.jsonl
traffic() {
  "$TBIN/extproc-client" -epp "127.0.0.1:$EPP_GRPC" -in "$2" -out "$TMP/$1.out.jsonl" 2>>"$TMP/logs/extproc-client.log" || true
}
# pod_of <ip:port>: the simulated pod's name for an endpoint, or the endpoint itself when it is no pool member
pod_of() { local i; for i in "${!POD_IPS[@]}"; do [ "$1" = "${POD_IPS[$i]}:8000" ] && { echo "${SIM_NAMES[$i]}"; return; }; done; echo "$1 (not a pool pod)"; }
distribution() { jq -r '.endpoint' "$@" | sort | uniq -c | while read -r c e; do printf '%s×%s\n' "$c" "$(pod_of "$e" | sed "s/^${MODEL}-//")"; done | paste -sd' '; }

"${TOOL[@]}" traffic "$TMP" "$SERVED" "${NSAME}" "${NPREFIX}" >&2 || abort "traffic" "could not generate the requests"
PROMPT_CHARS=$(head -1 "$TMP/same.jsonl" | jq -r '.body.messages[0].content | length')
POOL_ENDPOINTS=$(printf '%s:8000\n' "${POD_IPS[@]}" | jq -R . | jq -sc .)

# run_traffic <tag>: same-prefix then spread traffic against the running EPP; common assertions; sets
# SAME_BACKENDS, SPREAD_BACKENDS, FOLLOW_OK, and the distributions
run_traffic() {
  local tag=$1 before after expected
  before=$(sim_counts)
  traffic "$tag-same" "$TMP/same.jsonl"
  traffic "$tag-spread" "$TMP/spread.jsonl"
  after=$(sim_counts)
  local all=("$TMP/$tag-same.out.jsonl" "$TMP/$tag-spread.out.jsonl")
  local total bad
  total=$(cat "${all[@]}" | wc -l)
  [ "$total" -eq $((NSAME + 2 * NPREFIX)) ] || fail "$tag: every request answered" "$total results for $((NSAME + 2 * NPREFIX)) requests"
  bad=$(jq -r 'select(.status != 200 or .error) | "\(.id): HTTP \(.status) \(.error // "")"' "${all[@]}" | head -3)
  check "$tag: all $((NSAME + 2 * NPREFIX)) requests got HTTP 200 from a simulator through the picker's choice" "${bad:-ok}"
  bad=$(jq -r --argjson pool "$POOL_ENDPOINTS" \
    'select((.endpoint as $e | $pool | index($e)) == null or .answeredBy != .endpoint or .headerEndpoint != .metadataEndpoint)
     | "\(.id): endpoint \(.endpoint) header \(.headerEndpoint) metadata \(.metadataEndpoint) answered by \(.answeredBy)"' "${all[@]}" | head -3)
  check "$tag: every chosen endpoint is a pool pod (header = dynamic metadata = the address that answered)" "${bad:-ok}"
  expected=$(for ip in "${POD_IPS[@]}"; do jq -r --arg e "$ip:8000" 'select(.endpoint == $e and .status == 200) | .id' "${all[@]}" | wc -l; done | paste -sd' ')
  local delta
  delta=$(paste -d' ' <(tr ' ' '\n' <<<"$before") <(tr ' ' '\n' <<<"$after") | awk '{printf "%s%d", (NR > 1 ? " " : ""), $2 - $1}')
  local sum; sum=$(tr ' ' '\n' <<<"$delta" | awk '{s += $1} END {print s + 0}')
  if [ "$delta" = "$expected" ] && [ "$sum" -eq "$total" ]; then
    pass "$tag: each simulator's own request counter matches the requests routed to it ($delta)"
  else
    fail "$tag: each simulator's own request counter matches the requests routed to it" "simulators counted [$delta] (sum $sum for $total requests), the client routed [$expected]"
  fi
  SAME_BACKENDS=$(jq -r 'select(.status == 200) | .endpoint' "$TMP/$tag-same.out.jsonl" | sort -u | wc -l)
  SAME_DIST=$(distribution "$TMP/$tag-same.out.jsonl")
  SPREAD_BACKENDS=$(jq -r 'select(.status == 200 and (.id | endswith("-r1"))) | .endpoint' "$TMP/$tag-spread.out.jsonl" | sort -u | wc -l)
  SPREAD_DIST=$(jq -c 'select(.id | endswith("-r1"))' "$TMP/$tag-spread.out.jsonl" | distribution /dev/stdin)
  FOLLOW_OK=$(jq -s '[map(select(.status == 200 and (.endpoint // "") != "")) | group_by(.id | sub("-r[12]$"; ""))[]
                      | select(length == 2 and .[0].endpoint == .[1].endpoint)] | length' "$TMP/$tag-spread.out.jsonl")
  SAME_CACHED=$(jq -r 'select(.id != "same-1") | "\(.cachedTokens // 0)/\(.promptTokens)"' "$TMP/$tag-same.out.jsonl" | paste -sd' ')
  SAME_MIN_CACHED=$(jq -s '[.[] | select(.id != "same-1") | .cachedTokens // 0] | min // 0' "$TMP/$tag-same.out.jsonl")
  SAME_FIRST=$(jq -r 'select(.id == "same-1") | .endpoint' "$TMP/$tag-same.out.jsonl")
  SAME_EPP_MS=$(jq -s '[.[].eppMillis] | add / length | floor' "$TMP/$tag-same.out.jsonl" "$TMP/$tag-spread.out.jsonl")
}

start_epp epp "$TMP/epp-config.json" || abort "EPP with the program's config" "$EPP_ERR"
pass "EPP ${GIE_VERSION} started with the program's config (every plugin type registered) and sees all ${NPODS} pool pods"
timing "EPP start (program config)"

run_traffic main
if [ "$SAME_BACKENDS" -eq 1 ]; then
  pass "same prefix: all ${NSAME} requests sharing a ${PROMPT_CHARS}-char system prompt landed on one backend ($SAME_DIST)"
else
  fail "same prefix: all ${NSAME} requests sharing a long system prompt land on one backend" "$SAME_BACKENDS backends: $SAME_DIST (first: $(pod_of "$SAME_FIRST"))"
fi
if [ "$SPREAD_BACKENDS" -ge 2 ]; then
  pass "different prefixes: the first requests of ${NPREFIX} different prefixes spread over $SPREAD_BACKENDS backends ($SPREAD_DIST)"
else
  fail "different prefixes: the first requests of ${NPREFIX} different prefixes land on at least 2 backends" "one hot backend: $SPREAD_DIST"
fi
check "per-prefix affinity: each of the ${NPREFIX} prefixes' second request went where its first went ($FOLLOW_OK/${NPREFIX})" \
  "$([ "$FOLLOW_OK" -eq "${NPREFIX}" ] && echo ok || echo "$FOLLOW_OK of ${NPREFIX}")"
# The simulators start with empty caches and the same-prefix requests come first: each follow-up on the first's
# simulator finds the shared system prompt in that simulator's (simulated) prefix cache.
if [ "$SAME_BACKENDS" -eq 1 ] && [ "$SAME_MIN_CACHED" -gt 0 ]; then
  pass "same prefix: the simulator reports a prefix-cache hit for each of requests 2..${NSAME} (cached/prompt tokens: $SAME_CACHED)"
else
  fail "same prefix: the simulator reports a prefix-cache hit for each of requests 2..${NSAME}" "cached/prompt tokens: $SAME_CACHED"
fi
rss() { awk '{printf "%d", $1 / 1024}' <(ps -o rss= -p "$1" 2>/dev/null || echo 0); }   # MiB
MEM="picker $(rss "$EPP_PID") MiB; simulators $(for p in "${SIM_PIDS[@]}"; do rss "$p"; echo; done | paste -sd/) MiB (RSS after the first traffic)"
MAIN_SAME_DIST=$SAME_DIST MAIN_SPREAD_DIST=$SPREAD_DIST MAIN_FOLLOW=$FOLLOW_OK MAIN_CACHED=$SAME_CACHED MAIN_EPP_MS=$SAME_EPP_MS
timing "traffic (program config): $((NSAME + 2 * NPREFIX)) requests"
stop_epp

# ---- control: the program's config for prefixCache: 0 (queue + kv-cache utilization only) ---------------
start_epp epp-control "$TMP/epp-control-config.json" || abort "EPP with the control config" "$EPP_ERR"
pass "EPP ${GIE_VERSION} started with the control config (the program's output for prefixCache: 0)"
timing "EPP start (control config)"
run_traffic control
CONTROL_SAME=$([ "$SAME_BACKENDS" -eq 1 ] && echo "all ${NSAME} on one backend: affinity did NOT disappear" || echo "spread over $SAME_BACKENDS backends: affinity disappeared, the same-prefix check would FAIL")
note "control (no prefix-cache-scorer): same-prefix requests: $SAME_DIST — $CONTROL_SAME"
note "control: per-prefix second requests on their first's backend: $FOLLOW_OK/${NPREFIX} (program config: $MAIN_FOLLOW/${NPREFIX}); first requests: $SPREAD_DIST"
note "control: simulator cached/prompt tokens of same-prefix requests 2..${NSAME} (caches warm from the first run): $SAME_CACHED"
CONTROL_SAME_DIST=$SAME_DIST CONTROL_SPREAD_DIST=$SPREAD_DIST CONTROL_FOLLOW=$FOLLOW_OK CONTROL_CACHED=$SAME_CACHED
timing "traffic (control config): $((NSAME + 2 * NPREFIX)) requests"
stop_epp

# ---- load-aware: the program's config also reads the pods' metrics -----------------------------------------
# The last simulator is restarted reporting a waiting queue of 10 and 90% KV-cache use (--fake-metrics: it then
# reports only these); a fresh picker with the program's config must send none of NPREFIX new prefixes there (no
# prefix is known to it, so queue-scorer and kv-cache-utilization-scorer decide). If the picker did not scrape
# the pods' metrics, the busy pod would look idle and get its share.
BUSY=$NPODS
kill "${SIM_PIDS[$((BUSY - 1))]}" 2>/dev/null || true
for _ in $(seq 1 50); do alive "${SIM_PIDS[$((BUSY - 1))]}" || break; sleep 0.1; done
start_sim "$BUSY" "sim-$BUSY-busy" --fake-metrics '{"waiting-requests":10,"running-requests":5,"kv-cache-usage":0.9}'
wait_sim "$BUSY" "sim-$BUSY-busy" || abort "load-aware" "the busy simulator does not answer"
busy_ip=${POD_IPS[$((BUSY - 1))]}
log "SIMULATED load: ${SIM_NAMES[$((BUSY - 1))]} ($busy_ip) reports $(curl -sf "http://$busy_ip:8000/metrics" | grep -E '^vllm:(num_requests_waiting|kv_cache_usage_perc)' | awk '{printf "%s=%s ", $1, $2}')"
start_epp epp-load "$TMP/epp-config.json" || abort "EPP with the program's config (load-aware)" "$EPP_ERR"
traffic load "$TMP/load.jsonl"
bad=$(jq -r --argjson pool "$POOL_ENDPOINTS" 'select(.status != 200 or .error or ((.endpoint as $e | $pool | index($e)) == null)) | "\(.id): HTTP \(.status) \(.endpoint) \(.error // "")"' "$TMP/load.out.jsonl" | head -3)
[ "$(wc -l <"$TMP/load.out.jsonl")" -eq "$NPREFIX" ] || bad="${bad:-}$(wc -l <"$TMP/load.out.jsonl") results for $NPREFIX requests"
check "load-aware: all $NPREFIX requests got HTTP 200 from a pool pod" "${bad:-ok}"
LOAD_DIST=$(distribution "$TMP/load.out.jsonl")
LOAD_BUSY=$(jq -r --arg e "$busy_ip:8000" 'select(.endpoint == $e) | .id' "$TMP/load.out.jsonl" | wc -l)
LOAD_OK=$(jq -r 'select(.status == 200) | .id' "$TMP/load.out.jsonl" | wc -l)
if [ "$LOAD_BUSY" -eq 0 ] && [ "$LOAD_OK" -eq "$NPREFIX" ]; then
  pass "load-aware: none of $NPREFIX new prefixes went to the pod reporting queue 10 / KV 90% (${LOAD_DIST})"
else
  fail "load-aware: no new prefix goes to the pod reporting queue 10 / KV 90%" "$LOAD_BUSY of $NPREFIX did (${LOAD_DIST})"
fi
timing "load-aware: busy simulator, EPP, $NPREFIX requests"
stop_epp

finish
[ "$FAILED" -eq 0 ]
