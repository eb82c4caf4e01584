#!/usr/bin/env bash
# Opt-in end-to-end test with the upstream controllers in the loop, offline (npm run test:e2e:controllers).
#
# Real: etcd, kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes v1.37.2), KWOK v0.8.0,
# LeaderWorkerSet v0.8.0, KServe v0.20.0's LLMInferenceService controller and local-model controller (out of
# cluster, webhooks served on 127.0.0.1 and registered by URL), the Pulumi CLI and the program.
# Simulated: the nodes (KWOK: GPU nodes made from the program's own pool markers, pods "Running" as soon as
# they are bound) and the gateway controller's status (tool.cjs gateway-status, logged as SIMULATED).
#
#   1 controllers  cluster + controllers up; KWOK nodes mirror each pool the program declares (npm run plan);
#                  KServe's inferenceservice-config and presets applied from its module, as its charts would
#   2 up           `pulumi up` of the e2e stack (platform.charts: false, CRDs from ../shared/crds)
#   1 charts render  every chart the program installs (this stack with platform.charts: true, and the shipped
#                  stacks), rendered with the program's values by Helm's engine from the pinned modules' chart
#                  sources; every values key the program sets is a key of the chart (controllers/charts.cjs)
#   3 reconcile    every LLMInferenceService reconciled with no error condition; its workloads, Service,
#                  HTTPRoute, InferencePool and endpoint picker exist; every pod on a node of its own pool with
#                  its GPUs, Running; the over-quota team's model refused naming its ResourceQuota
#   3 charts apply the rendered objects of this stack's charts accepted by the API server (strict fields), their
#                  pods scheduled on the program's pools and Running; the local-model agent on every cache node
#   4 destroy      `pulumi destroy` with the controllers still running (KServe's finalizers), state empty
#
# Env: MODELPLANE_E2E_KEEP=1 keeps the temp dir (every process's log); MODELPLANE_E2E_TIMEOUT (seconds the
#      assertions wait for the controllers to converge, default 240); MODELPLANE_E2E_CHARTS_ONLY=1 runs step 1
#      and the two charts steps only (npm run test:e2e:charts).
# Exit: 0 all steps passed; 1 a step failed; 3 the toolchain is incomplete.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED_CRDS=$(cd "$REPO/../shared/crds" 2>/dev/null && pwd) || { echo "e2e-controllers: ../shared/crds is missing" >&2; exit 1; }
T_START=$SECONDS

# ---- toolchain ----------------------------------------------------------------------------------------
"$HERE/toolchain.sh" --controllers >&2 || { echo "e2e-controllers: toolchain build failed" >&2; exit 1; }
TBIN=$("$HERE/toolchain.sh" --print-bin)
eval "$("$HERE/toolchain.sh" --print-module-dirs)"   # KWOK_DIR, KSERVE_DIR, LWS_DIR (read-only module sources)
for b in pulumi pulumi-language-nodejs pulumi-resource-kubernetes etcd kube-apiserver kube-controller-manager \
         kube-scheduler kwok llmisvc-manager localmodel-manager localmodelnode-agent lws-controller; do
  [ -x "$TBIN/$b" ] || { echo "e2e-controllers: toolchain incomplete: $TBIN/$b is missing" >&2; exit 3; }
done

LOG_PREFIX=e2e-controllers
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
TOOL=(node "$HERE/controllers/tool.cjs" "$TMP/admin.kubeconfig")
declare -a RESULTS=()
FAILED=0 PASSED=0
pass() { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $1"); log "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $1: $2"); log "FAIL $1: $2"; }
die_step() { fail "$1" "$2"; summary; exit 1; }
summary() {
  echo "e2e-controllers results ($((SECONDS - T_START))s in all, $((SECONDS - T_CLUSTER))s after the toolchain):"
  printf '  %s\n' "${RESULTS[@]}"
  echo "e2e-controllers: $PASSED passed, $FAILED failed"
}
T_CLUSTER=$SECONDS

# ---- 1: cluster and controllers --------------------------------------------------------------------------
# Deployments, DaemonSets (the charts' node agents), StatefulSets (LWS groups), Jobs, quota, GC, namespaces, PV binding and protection (the cache PVCs
# must go for KServe's LocalModelCache to delete), node lifecycle (removes the not-ready taint of new nodes). KWOK's
# heartbeat stage posts node status every 10-20 min (kustomize/stage/node/heartbeat-with-lease: delay 600 s +
# jitter 610 s): with the default 50 s grace every node went NotReady each minute and its pods lost Ready.
cluster_start namespace-controller,garbage-collector-controller,resourcequota-controller,serviceaccount-controller,deployment-controller,daemonset-controller,replicaset-controller,statefulset-controller,job-controller,persistentvolume-binder-controller,persistentvolumeclaim-protection-controller,persistentvolume-protection-controller,node-lifecycle-controller \
  --node-monitor-grace-period 30m
KC="$TMP/admin.kubeconfig"
cert webhook "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
# wait_https <port> <name> <pid>: a TLS server answers on 127.0.0.1:<port>
wait_https() {
  for _ in $(seq 1 240); do
    curl -sk -o /dev/null "https://127.0.0.1:$1/" 2>/dev/null && return 0
    alive "$3" || break
    sleep 0.5
  done
  tail -30 "$TMP/logs/$2.log" >&2; return 1
}

# ---- Pulumi project and stack (as run.sh) ----
pulumi_project "$TBIN/pulumi-language-nodejs" "$TBIN/pulumi-language-nodejs-upstream" "$TBIN/pulumi-resource-kubernetes"

# The x-k8s InferencePool (v1alpha2) CRD, taken out of KServe's bundle in ../shared/crds (as run.sh does).
node -e '
const yaml = require("yaml"); const fs = require("fs");
const docs = yaml.parseAllDocuments(fs.readFileSync(process.argv[1], "utf8")).map((d) => d.toJS()).filter(Boolean);
const crd = docs.find((d) => d.metadata && d.metadata.name === "inferencepools.inference.networking.x-k8s.io");
if (!crd) { console.error("no x-k8s InferencePool CRD in " + process.argv[1]); process.exit(1); }
fs.writeFileSync(process.argv[2], yaml.stringify(crd));
' "$SHARED_CRDS/kserve/v0.20.0-gie/gateway-inference-extension.yaml" "$TMP/x-k8s-inferencepool.yaml" || exit 1
LWS_CRD="$LWS_DIR/config/crd/bases/leaderworkerset.x-k8s.io_leaderworkersets.yaml"

# Three GPU pools (h100 with RAID0 NVMe for the local model cache) and three teams; gamma's quota (2) is below its
# model's demand (4): that model must be refused by the ResourceQuota. Demand: alpha chat 1 (l4) + pd 2 (P/D) +
# cached 1 (localCache) on h100 = 4; beta pp = TP8 × PP2 = 16 GPUs, two whole h100-mn nodes (LeaderWorkerSet). The
# multi-node model has a pool of its own (and a longer grace period, as prod's deepseek-r1 has): the scheduler
# spreads small pods over a shared pool's nodes, and a 3-node h100 pool with pd + cached + pp (19 of 24 GPUs) left
# no node with 8 free GPUs for pp's worker.
# The h100 pool is untainted, as config validation requires for a localCache model: KServe v0.20.0's download Job
# has no tolerations (kserve/kserve#5348) and stayed Pending on the tainted pool (found by this test).
# kserveCrds lists every CRD of the kserve-llmisvc-crd chart it stands in for, ClusterStorageContainer included
# (charts/kserve-llmisvc-crd/templates/ at v0.20.0; not in ../shared/crds, so from the KServe module): KServe's
# local-model node agent lists ClusterStorageContainers before it creates a download Job and fails without the
# CRD (found by this test when the stack listed only the two LLM CRDs).
cat >Pulumi.e2e.yaml <<EOF
$SALT
config:
  modelplane:cloud: existing
  modelplane:cluster:
    name: modelplane-e2e
    context: modelplane-e2e
  modelplane:gpuPools:
    - name: h100
      accelerator: H100
      gpusPerNode: 8
      maxNodes: 2
      localNvme: raid0
      nodeSelector: { modelplane.io/pool: h100, kserve/localmodel: worker }
      taint: false
    - name: h100-mn
      accelerator: H100
      gpusPerNode: 8
      maxNodes: 2
      nodeSelector: { modelplane.io/pool: h100-mn }
    - name: l4
      accelerator: L4
      gpusPerNode: 4
      maxNodes: 2
      nodeSelector: { modelplane.io/pool: l4 }
  modelplane:teams:
    - { name: alpha, gpuQuota: 4 }
    - { name: beta, gpuQuota: 16 }
    - { name: gamma, gpuQuota: 2 }
  modelplane:models:
    - name: chat
      team: alpha
      uri: hf://Qwen/Qwen3-4B
      pool: l4
      replicas: 1
      size: { paramsBillions: 4.0, dtype: bfloat16 }
    - name: pd
      team: alpha
      uri: hf://meta-llama/Llama-3.1-8B-Instruct
      pool: h100
      replicas: 1
      size: { paramsBillions: 8, dtype: bfloat16 }
      prefill: { replicas: 1, parallelism: { tensor: 1 } }
    - name: cached
      team: alpha
      uri: hf://Qwen/Qwen3-8B
      pool: h100
      replicas: 1
      loader: localCache
      size: { paramsBillions: 8.2, dtype: bfloat16 }
    - name: pp
      team: beta
      uri: hf://Qwen/Qwen2.5-72B-Instruct
      pool: h100-mn
      replicas: 1
      parallelism: { tensor: 8, pipeline: 2 }
      size: { paramsBillions: 72.7, dtype: bfloat16 }
      template: { terminationGracePeriodSeconds: 300 }
    - name: over
      team: gamma
      uri: hf://Qwen/Qwen3-14B
      pool: l4
      replicas: 1
      parallelism: { tensor: 4 }
      size: { paramsBillions: 14.8, dtype: bfloat16 }
  modelplane:platform:
    charts: false
    versions:
      gatewayApiCrds: { files: ["$SHARED_CRDS/gateway-api"] }
      envoyGatewayCrds: { files: ["$SHARED_CRDS/envoy-gateway"] }
      aiGatewayCrds: { files: ["$SHARED_CRDS/ai-gateway"] }
      inferencePoolCrds: { files: ["$SHARED_CRDS/inference-extension/v1.5.0/inference.networking.k8s.io_inferencepools.yaml"] }
      inferencePoolAlphaCrds: { files: ["$TMP/x-k8s-inferencepool.yaml"] }
      llmdRouterCrds: { files: ["$SHARED_CRDS/inference-extension/llm-d-router"] }
      kserveCrds: { files: ["$SHARED_CRDS/kserve/serving.kserve.io_llminferenceservices.yaml", "$SHARED_CRDS/kserve/serving.kserve.io_llminferenceserviceconfigs.yaml", "$KSERVE_DIR/config/crd/full/clusterstoragecontainer/serving.kserve.io_clusterstoragecontainers.yaml"] }
      lws: { files: ["$LWS_CRD"] }
      kserveServingCrds: { files: ["$KSERVE_DIR/config/crd/full/serving.kserve.io_inferenceservices.yaml"] }
      kserveLocalModelCrds: { files: ["$SHARED_CRDS/kserve/serving.kserve.io_localmodelcaches.yaml", "$SHARED_CRDS/kserve/serving.kserve.io_localmodelnamespacecaches.yaml", "$SHARED_CRDS/kserve/serving.kserve.io_localmodelnodegroups.yaml", "$SHARED_CRDS/kserve/serving.kserve.io_localmodelnodes.yaml"] }
EOF

# The program's own view of the cluster: the offline plan of this stack file (pool markers, gateway, models).
echo '{ "all": "advisory" }' >"$TMP/plan-policy.json"
(cd "$REPO" && npm run -s plan -- e2e --config-file "$PROJ/Pulumi.e2e.yaml" --policy-config "$TMP/plan-policy.json" --out "$TMP/plan") \
  >"$TMP/logs/plan.log" 2>&1 || { cat "$TMP/logs/plan.log" >&2; die_step "1 controllers" "npm run plan failed"; }
# The charts' plans, in the background while the cluster starts: the same stack file with only
# `platform.charts: true` (the Releases and their values as this stack would install them), and the shipped stacks
# (the charts this stack does not install: KServe's CRD charts, the AI Gateway CRD chart, ...), for charts.cjs.
sed 's/^    charts: false$/    charts: true/' "$PROJ/Pulumi.e2e.yaml" >"$TMP/Pulumi.e2e-charts.yaml"
[ "$(diff "$PROJ/Pulumi.e2e.yaml" "$TMP/Pulumi.e2e-charts.yaml" | grep -c '^[<>]')" = 2 ] || die_step "1 controllers" "the charts stack file differs in more than platform.charts"
CHART_PLANS=("e2e-charts --config-file $TMP/Pulumi.e2e-charts.yaml" prod dev local)
(
  cd "$REPO" || exit 1
  t0=$SECONDS
  for p in "${CHART_PLANS[@]}"; do
    read -r -a a <<<"$p"
    npm run -s plan -- "${a[@]}" --policy-config "$TMP/plan-policy.json" --out "$TMP/plan-${a[0]}" >"$TMP/logs/plan-${a[0]}.log" 2>&1 \
      || { echo "npm run plan -- $p failed (log: plan-${a[0]}.log)"; exit 1; }
  done
  echo $((SECONDS - t0)) >"$TMP/charts-plans.secs"
) >"$TMP/charts-plans.out" 2>&1 &
CHART_PLANS_PID=$!
GATEWAY=$(jq -r '[.[] | .props | select(.kind? == "Gateway")][0].metadata | "\(.namespace)/\(.name)"' "$TMP/plan/resources.json")
LOCALMODEL=$(jq -r 'if any(.[]; .props.kind? == "LocalModelNodeGroup") then "true" else "false" end' "$TMP/plan/resources.json")
# The CRD files the program applies (its yaml/v2 ConfigGroups): installed before the controllers start, since
# KServe looks once at start for HTTPRoute, Gateway, InferencePool and LWS. Only what the program declares, so
# a CRD the program forgets is missing here as on a real cluster.
mapfile -t CRD_FILES < <(jq -r '.[] | select(.type == "kubernetes:yaml/v2:ConfigGroup") | .props.files[]?' "$TMP/plan/resources.json")
[ ${#CRD_FILES[@]} -gt 0 ] || die_step "1 controllers" "the plan has no CRD files"

# KWOK with the module's own stages, kustomize/stage/fast: node-fast, node heartbeat (with lease) and pod-fast (the
# binary has none built in). The heartbeats keep the nodes Ready for the node-lifecycle controller, which removes
# the not-ready taint the API server puts on every new node.
node -e '
const yaml = require("yaml"); const fs = require("fs"); const path = require("path");
const files = (dir) => yaml.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8")).resources
  .flatMap((r) => (fs.statSync(path.join(dir, r)).isDirectory() ? files(path.join(dir, r)) : [path.join(dir, r)]));
fs.writeFileSync(process.argv[2], files(process.argv[1]).map((f) => fs.readFileSync(f, "utf8")).join("\n---\n"));
' "$KWOK_DIR/kustomize/stage/fast" "$TMP/kwok-stages.yaml" || die_step "1 controllers" "KWOK stages"
start kwok "$TBIN/kwok" --kubeconfig "$KC" --config "$TMP/kwok-stages.yaml" --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --cidr 127.1.0.1/24 --server-address 127.0.0.1:"$(free_port)"
"${TOOL[@]}" nodes "$TMP/plan/resources.json" "$TMP/nodes.json" >&2 || { tail -20 "$TMP/logs/kwok.log" >&2; die_step "1 controllers" "KWOK nodes"; }
start kube-scheduler "$TBIN/kube-scheduler" --kubeconfig "$KC" --authentication-kubeconfig "$KC" --authorization-kubeconfig "$KC" \
  --secure-port 0 --leader-elect=false

# CRDs first: KServe checks once at start which of HTTPRoute, Gateway, InferencePool and LWS exist.
"${TOOL[@]}" crds "${CRD_FILES[@]}" >&2 || die_step "1 controllers" "CRDs"

# LeaderWorkerSet: its webhooks on 127.0.0.1 (the pod webhook labels group pods; failurePolicy Fail).
LWS_WH=$(free_port)
mkdir -p "$TMP/lws-certs"; cp "$P/webhook.crt" "$TMP/lws-certs/tls.crt"; cp "$P/webhook.key" "$TMP/lws-certs/tls.key"
cat >"$TMP/lws-config.yaml" <<EOF
apiVersion: config.lws.x-k8s.io/v1alpha1
kind: Configuration
leaderElection: { leaderElect: false }
internalCertManagement: { enable: false }
webhook: { host: 127.0.0.1, port: $LWS_WH, certDir: $TMP/lws-certs }
metrics: { bindAddress: "0" }
health: { healthProbeBindAddress: "127.0.0.1:$(free_port)" }
EOF
start lws-controller env KUBECONFIG="$KC" "$TBIN/lws-controller" --config "$TMP/lws-config.yaml"
wait_https "$LWS_WH" lws-controller "${PIDS[-1]}" || die_step "1 controllers" "the LWS webhook server did not start"
"${TOOL[@]}" webhooks "$LWS_DIR/config/webhook" "https://127.0.0.1:$LWS_WH" "$P/ca.crt" >&2 || die_step "1 controllers" "LWS webhooks"

# KServe: inferenceservice-config first (its config webhook loads it), with the chart values modelplane sets.
"${TOOL[@]}" kserve-config "$KSERVE_DIR/config/configmap/inferenceservice.yaml" "$GATEWAY" "$LOCALMODEL" kserve-localmodel-jobs >&2 \
  || die_step "1 controllers" "inferenceservice-config"
KS_WH=$(free_port)
mkdir -p "$TMP/kserve-tmp/k8s-webhook-server/serving-certs"
cp "$P/webhook.crt" "$TMP/kserve-tmp/k8s-webhook-server/serving-certs/tls.crt"; cp "$P/webhook.key" "$TMP/kserve-tmp/k8s-webhook-server/serving-certs/tls.key"
start llmisvc-manager env POD_NAMESPACE=kserve TMPDIR="$TMP/kserve-tmp" KUBECONFIG="$KC" "$TBIN/llmisvc-manager" \
  --metrics-addr 0 --metrics-secure=false --health-probe-addr "127.0.0.1:$(free_port)" --webhook-port "$KS_WH"
KSERVE_PID=${PIDS[-1]}
wait_https "$KS_WH" llmisvc-manager "$KSERVE_PID" || die_step "1 controllers" "the KServe webhook server did not start"
"${TOOL[@]}" webhooks "$KSERVE_DIR/config/webhook/llmisvc" "https://127.0.0.1:$KS_WH" "$P/ca.crt" >&2 || die_step "1 controllers" "KServe webhooks"
"${TOOL[@]}" kustomization "$KSERVE_DIR/config/llmisvcconfig" >&2 || die_step "1 controllers" "KServe presets (config/llmisvcconfig)"
LM_WH=$(free_port)
mkdir -p "$TMP/localmodel-tmp/k8s-webhook-server/serving-certs"
cp "$P/webhook.crt" "$TMP/localmodel-tmp/k8s-webhook-server/serving-certs/tls.crt"; cp "$P/webhook.key" "$TMP/localmodel-tmp/k8s-webhook-server/serving-certs/tls.key"
start_localmodel() {
  start localmodel-manager env POD_NAMESPACE=kserve TMPDIR="$TMP/localmodel-tmp" KUBECONFIG="$KC" "$TBIN/localmodel-manager" \
    --metrics-addr 0 --health-probe-addr "127.0.0.1:$(free_port)" --webhook-port "$LM_WH"
}
start_localmodel
# KServe v0.20.0's local-model controller also watches InferenceServices (serving.kserve.io/v1beta1) and exits
# when that CRD is missing. This run found that the platform installed only the llmisvc and localmodel CRD charts;
# it now installs KServe's kserve-crd chart with the local model cache (components/versions.ts kserveServingCrds,
# here from the KServe module's file). Should the controller still exit on what the program installs, that is
# reported as a failure of its own, and the CRD is taken from the module (logged as a workaround) so the
# localCache path can still be exercised.
sleep 4
if ! alive "${PIDS[-1]}"; then
  why=$(grep -m1 -o 'no matches for kind[^,]*' "$TMP/logs/localmodel-manager.log" | sed 's/\\"/"/g; s/"$//' || tail -1 "$TMP/logs/localmodel-manager.log")
  unset 'PIDS[-1]' 'PNAMES[-1]'
  mv "$TMP/logs/localmodel-manager.log" "$TMP/logs/localmodel-manager.first.log"
  fail "1 local-model controller" "KServe's localmodel controller exits on the CRDs the program installs: $why"
  log "WORKAROUND: applying serving.kserve.io_inferenceservices.yaml from the KServe module so the local-model controller can run"
  "${TOOL[@]}" crds "$KSERVE_DIR/config/crd/full/serving.kserve.io_inferenceservices.yaml" >&2 || die_step "1 controllers" "InferenceService CRD"
  start_localmodel
fi
# KServe's local-model node agent (its DaemonSet's process): one for the first node the DaemonSet's own
# nodeSelector (the chart's base file) picks among the program's pools, as NODE_NAME. Its metrics and probe
# addresses are fixed (:8080, :8081 in cmd/localmodelnode v0.20.0, no flags), so one agent per host; it writes
# under /mnt/models (platform_default.go MountPath), here a temp dir bound over /mnt in a mount namespace of its own.
AGENT_NODE=""
if [ "$LOCALMODEL" = true ]; then
  mapfile -t AGENT_NODES < <("${TOOL[@]}" agent-nodes "$KSERVE_DIR/charts/kserve-localmodel-resources/files/resources.yaml" "$TMP/nodes.json")
  if [ ${#AGENT_NODES[@]} -eq 0 ]; then
    fail "1 local-model agent" "KServe's agent DaemonSet selects no node of the program's pools (its chart's nodeSelector): no agent, no download Job, the cache never fills"
  else
    AGENT_NODE=${AGENT_NODES[0]}
    mkdir -p "$TMP/agent-mnt"
    start localmodelnode-agent env NODE_NAME="$AGENT_NODE" POD_NAMESPACE=kserve KUBECONFIG="$KC" \
      unshare --mount --propagation private -- sh -c 'mount --bind "$1" /mnt && shift && exec "$@"' sh "$TMP/agent-mnt" "$TBIN/localmodelnode-agent"
  fi
fi
start gateway-status "${TOOL[@]}" gateway-status
sleep 3
dead=$(dead_processes)
[ -z "$dead" ] || die_step "1 controllers" "exited: $dead"
pass "1 controllers: KWOK nodes from the plan's pools ($(jq -r '[.pools[] | "\(.pool) \(.maxNodes)×\(.gpusPerNode) GPU"] | join(", ")' "$TMP/nodes.json"), + system), scheduler, LWS, KServe (webhooks by URL), local-model controller${AGENT_NODE:+, local-model agent on $AGENT_NODE}, SIMULATED gateway status"

# ---- 1 charts: every chart the program installs, rendered with its values ------------------------------------
# test/e2e/controllers/charts.cjs: from the chart sources of the pinned modules, by Helm's engine (chart-render),
# with .Capabilities.APIVersions = what this API server serves now; strict values; the objects of this stack's
# Releases are applied after step 3.
CHARTS_OK=""
T_CHARTS=$SECONDS
if wait "$CHART_PLANS_PID"; then
  API_VERSIONS=$( { kget /api | jq -r '.versions[]'; kget /apis | jq -r '.groups[].versions[].groupVersion'; } | sort -u | tr '\n' ' ')
  CHART_RENDER="$TBIN/chart-render" API_VERSIONS="$API_VERSIONS" KSERVE_DIR="$KSERVE_DIR" EG_DIR="$EG_DIR" AIG_DIR="$AIG_DIR" CM_DIR="$CM_DIR" NVDP_DIR="$NVDP_DIR" WVA_DIR="$WVA_DIR" \
    node "$HERE/controllers/charts.cjs" render "$TMP/charts-rendered.json" "$TMP/plan-e2e-charts/resources.json" \
      "$TMP/plan-prod/resources.json" "$TMP/plan-dev/resources.json" "$TMP/plan-local/resources.json" >"$TMP/charts-render.txt" 2>&1
  rc=$?
  cat "$TMP/charts-render.txt"
  took="$((SECONDS - T_CHARTS))s after step 1, plans $(cat "$TMP/charts-plans.secs")s in the background"
  if [ $rc -eq 0 ]; then CHARTS_OK=1; pass "1 charts render: $(tail -1 "$TMP/charts-render.txt") ($took)"; else fail "1 charts render" "$(tail -1 "$TMP/charts-render.txt") ($took)"; fi
else
  cat "$TMP/charts-plans.out" >&2
  fail "1 charts render" "$(tail -1 "$TMP/charts-plans.out")"
fi

# Step 3 charts, run after the reconcile assertions so that those see exactly what they saw before: the rendered
# objects on this cluster. Workloads are created for real (the scheduler places their pods on the KWOK nodes of the
# program's pools); webhook configurations and objects that exist already (the driver's stand-ins, the program's)
# are sent as a dry run (charts.cjs says why).
charts_apply() {
  if [ -z "$CHARTS_OK" ]; then fail "3 charts apply" "not run: the charts were not rendered"; return; fi
  local t0=$SECONDS ok
  node "$HERE/controllers/charts.cjs" apply "$KC" "$TMP/charts-rendered.json" "$TMP/nodes.json" "$TMP/plan-e2e-charts/resources.json" 120 >"$TMP/charts-apply.txt" 2>&1 &
  CHARTS_PID=$!
  if wait "$CHARTS_PID"; then ok=1; else ok=""; fi
  cat "$TMP/charts-apply.txt"
  if [ -n "$ok" ]; then pass "3 charts apply: $(tail -1 "$TMP/charts-apply.txt") ($((SECONDS - t0))s)"; else fail "3 charts apply" "$(tail -1 "$TMP/charts-apply.txt") ($((SECONDS - t0))s)"; fi
}

# MODELPLANE_E2E_CHARTS_ONLY=1 (npm run test:e2e:charts): the charts' steps alone, on the cluster of step 1 (no
# `pulumi up`: the program's own objects are absent, so nothing already exists but the driver's stand-ins).
if [ "${MODELPLANE_E2E_CHARTS_ONLY:-}" = 1 ]; then
  charts_apply
  summary
  [ "$FAILED" -eq 0 ]; exit
fi

# ---- 2: pulumi up ---------------------------------------------------------------------------------------
pulumi config set --secret modelplane:kubeconfig <"$KC" >"$TMP/logs/config.log" 2>&1 || { cat "$TMP/logs/config.log" >&2; exit 1; }
# A (fake) Hugging Face token, so that the download Job's credentials can be checked (the program puts it in a
# Secret listed by the downloader ServiceAccount; KServe's agent turns that into the Job's HF_TOKEN).
pulumi config set --secret modelplane:huggingFaceToken hf_modelplane_e2e_not_a_token >>"$TMP/logs/config.log" 2>&1 || { cat "$TMP/logs/config.log" >&2; exit 1; }
run() {
  local name=$1; shift
  log "pulumi $*"
  local t0=$SECONDS rc
  setsid env "${PULUMI_GO_ENV[@]}" pulumi "$@" >"$TMP/logs/$name.log" 2>&1 </dev/null &
  CLI_PID=$!
  wait "$CLI_PID"; rc=$?
  CLI_PID=""
  log "  exit $rc after $((SECONDS - t0))s (log: $name.log)"
  return $rc
}
UP_OK=""
if run up up --yes --non-interactive --skip-preview; then
  UP_OK=1
  pass "2 up: pulumi up against the controllers (webhooks admitted every object)"
else
  grep -E 'error|Error' "$TMP/logs/up.log" | head -30 >&2
  fail "2 up" "pulumi up failed: $(grep -m1 -oE 'error: .{0,300}' "$TMP/logs/up.log")"
fi

# ---- 3: what the controllers made of it ------------------------------------------------------------------
if [ -n "$UP_OK" ]; then
  # In the background and waited for, so that a signal stops the run at once (as run() does for pulumi).
  node "$HERE/controllers/assert.cjs" "$KC" "$TMP/plan/resources.json" "$TMP/nodes.json" "${MODELPLANE_E2E_TIMEOUT:-240}" "$AGENT_NODE" >"$TMP/assert.txt" 2>&1 &
  ASSERT_PID=$!
  if wait "$ASSERT_PID"; then ok=1; else ok=""; fi
  cat "$TMP/assert.txt"
  if [ -n "$ok" ]; then pass "3 reconcile: $(tail -1 "$TMP/assert.txt")"; else fail "3 reconcile" "$(tail -1 "$TMP/assert.txt")"; fi
  gs="$TMP/logs/gateway-status.log"
  echo "gateway status writer (SIMULATED): $(grep -oE 'HTTPRoute [^:]+: Accepted, ResolvedRefs=False InvalidKind' "$gs" | sort -u | wc -l) HTTPRoutes rejected InvalidKind (x-k8s InferencePool backendRef), then $(grep -oE 'HTTPRoute [^:]+: Accepted, ResolvedRefs=True' "$gs" | sort -u | wc -l) resolved on inference.networking.k8s.io; $(grep -c '' "$gs") status writes in all"
else
  fail "3 reconcile" "not run: pulumi up failed"
fi

# ---- 3 charts: the rendered objects on this cluster (charts_apply, defined after step 1) -------------------
charts_apply

# ---- 4: destroy, controllers still up -------------------------------------------------------------------
# The driver stands in for KServe's charts, so it also stands in for their uninstall, at the point where the
# program's destroy order puts it. The program deletes the models first (they depend on the KServe layer), then
# the kserve-llmisvc release (controller + its webhook configurations), then kserve-runtime-configs (the
# well-known presets), then the kserve Namespace (components/kserve/KServe.ts). So: once the kserve Namespace
# is being deleted, no LLMInferenceService may be left (checked: a model outliving KServe would keep its
# finalizer forever), and KServe's webhook configurations are removed as that uninstall would (logged as
# SIMULATED). Without that, KServe's config webhook denies deleting the well-known presets
# (PREVENT_WELL_KNOWN_CONFIG_DELETION defaults to true in cmd/llmisvc v0.20.0) and the namespace never empties.
(
  for _ in $(seq 1 900); do
    if kget /api/v1/namespaces/kserve 2>/dev/null | jq -e '.metadata.deletionTimestamp' >/dev/null; then
      left=$(kget /apis/serving.kserve.io/v1alpha2/llminferenceservices 2>/dev/null | jq -r '[.items[]? | "\(.metadata.namespace)/\(.metadata.name)"] | join(", ")')
      printf '%s' "$left" >"$TMP/kserve-uninstall-left.txt"
      for kind in validatingwebhookconfigurations mutatingwebhookconfigurations; do
        for wh in $(kget "/apis/admissionregistration.k8s.io/v1/$kind" | jq -r --arg u "https://127.0.0.1:$KS_WH/" \
            '.items[] | select(any(.webhooks[]; (.clientConfig.url // "") | startswith($u))) | .metadata.name'); do
          kcurl -X DELETE "$API/apis/admissionregistration.k8s.io/v1/$kind/$wh" >/dev/null 2>&1
          echo "[e2e-controllers $(date +%H:%M:%S)] SIMULATED uninstall of kserve-llmisvc: $kind/$wh deleted" >>"$TMP/logs/uninstall.log"
        done
      done
      exit 0
    fi
    sleep 1
  done
) &
PIDS+=($!); PNAMES+=(destroy-watcher)
if run destroy destroy --yes --non-interactive --skip-preview; then
  left=$(pulumi stack export 2>/dev/null | jq '[.deployment.resources // [] | .[] | select(.type != "pulumi:pulumi:Stack" and (.type | startswith("pulumi:providers:") | not))] | length')
  if [ "$left" = 0 ]; then pass "4 destroy: state empty"; else fail "4 destroy" "$left resources left in the state"; fi
else
  grep -E 'error' "$TMP/logs/destroy.log" | head -20 >&2
  fail "4 destroy" "pulumi destroy failed: $(grep -m1 -oE 'error: .{0,300}' "$TMP/logs/destroy.log")"
fi
if [ ! -e "$TMP/kserve-uninstall-left.txt" ]; then
  fail "4 destroy order" "the kserve Namespace was never deleted"
elif [ -s "$TMP/kserve-uninstall-left.txt" ]; then
  fail "4 destroy order" "the kserve Namespace was deleted while LLMInferenceServices were left: $(cat "$TMP/kserve-uninstall-left.txt")"
else
  pass "4 destroy order: every LLMInferenceService gone before KServe's namespace (then KServe's webhooks removed: SIMULATED chart uninstall)"
fi
kill "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null; unset 'PIDS[-1]' 'PNAMES[-1]'  # the watcher
dead=$(dead_processes)
[ -z "$dead" ] || fail "processes" "exited during the run: $dead"
summary
[ "$FAILED" -eq 0 ]
