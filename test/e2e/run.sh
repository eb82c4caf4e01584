#!/usr/bin/env bash
# End-to-end test of the real program against a real API server (npm run test:e2e).
#
# Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 only (self-signed certs, service
# account keys, a kubeconfig: all in a temp dir), logs the Pulumi CLI into a file:// backend in that dir,
# creates stack `e2e` in a temp copy of the project (symlinks to Pulumi.yaml, index.ts, components/, lib/,
# policies/, node_modules/) with `cloud: existing`, the generated kubeconfig as a secret,
# `platform.charts: false` and the upstream CRDs from ../shared/crds through the versions overrides (the
# air-gapped path: plain manifests from files, and the bundles that are charts by default from local charts built
# of the same files, installed as Helm releases as prod installs them; lib/stack.sh), then runs five steps, each
# asserting what it claims:
#   1 up          `pulumi up` succeeds; every Namespace, ResourceQuota, NetworkPolicy, StorageClass,
#                 GatewayClass, Gateway, LLMInferenceServiceConfig, LLMInferenceService and CRD in the state
#                 is read back from the API server, plus the per-team / per-model values of this stack, the
#                 local charts' releases (deployed) and their CRDs;
#                 the CLI's log shows the provider binary it used and no plugin download.
#   2 idempotent  `pulumi preview --expect-no-changes` succeeds.
#   3 one-change  one model's replicas changed: `--expect-no-changes` fails and `preview --json` has exactly
#                 one step with op update, that model's LLMInferenceService, and nothing else but `same`.
#   4 policy      the pack with an over-quota config fails with team-gpu-quota naming the team and numbers;
#                 with the shipped-style config the same preview passes (and the pack did run).
#   5 destroy     `pulumi destroy` succeeds, the team namespaces are gone, the retained CRDs (the state's and the
#                 local charts') are still there.
#
# Every process it starts is stopped by the EXIT trap (also on failure or Ctrl-C); the temp dir is removed
# unless MODELPLANE_E2E_KEEP=1.
#
# Env: MODELPLANE_E2E_LANGHOST=<pulumi-language-nodejs binary> (MODELPLANE_E2E_UPSTREAM_LANGHOST=<the host it
#      passes through to, for test/e2e/langhost>) and MODELPLANE_E2E_PROVIDER=<pulumi-resource-
#      kubernetes binary> replace the toolchain's (the Go module proxy does not serve the v3.248.0 language
#      host, see toolchain.sh); MODELPLANE_E2E_KEEP=1 keeps the temp dir; MODELPLANE_E2E_VERBOSE=1 echoes logs.
# Exit: 0 all steps passed; 1 a step failed; 3 the toolchain is incomplete (nothing was run).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED_CRDS=$(cd "$REPO/../shared/crds" 2>/dev/null && pwd) || { echo "e2e: ../shared/crds is missing" >&2; exit 1; }

log() { echo "[e2e $(date +%H:%M:%S)] $*" >&2; }

# ---- toolchain ----------------------------------------------------------------------------------------
"$HERE/toolchain.sh" >&2 || { echo "e2e: toolchain build failed" >&2; exit 1; }
TBIN=$("$HERE/toolchain.sh" --print-bin)
LANGHOST=${MODELPLANE_E2E_LANGHOST:-$TBIN/pulumi-language-nodejs}
PROVIDER=${MODELPLANE_E2E_PROVIDER:-$TBIN/pulumi-resource-kubernetes}
for b in "$TBIN/pulumi" "$LANGHOST" "$PROVIDER" "$TBIN/etcd" "$TBIN/kube-apiserver" "$TBIN/kube-controller-manager"; do
  if [ ! -x "$b" ]; then
    echo "e2e: toolchain incomplete: $b is missing (see the toolchain report above; MODELPLANE_E2E_LANGHOST /" \
         "MODELPLANE_E2E_PROVIDER name binaries built elsewhere)" >&2
    exit 3
  fi
done

# ---- temp dir, processes (stopped by the EXIT trap), PKI, etcd + kube-apiserver + kube-controller-manager ----
LOG_PREFIX=e2e
# shellcheck source=lib/cluster.sh
source "$HERE/lib/cluster.sh"
FAILED=0 PASSED=0
# Namespace deletion (finalizers) and quota status need the namespace, GC and resourcequota controllers. kcm
# authenticates as system:masters: with per-controller credentials off, the namespace controller deletes every
# kind of object with kcm's own identity.
cluster_start namespace-controller,garbage-collector-controller,resourcequota-controller,serviceaccount-controller

# kpath <apiVersion> <kind> <namespace or ""> <name>: REST path, from discovery.
declare -A PLURALS=()
kpath() {
  local av=$1 kind=$2 ns=$3 name=$4 base
  if [[ $av == */* ]]; then base="/apis/$av"; else base="/api/$av"; fi
  if [ -z "${PLURALS[$av/$kind]:-}" ]; then
    PLURALS[$av/$kind]=$(kget "$base" | jq -r --arg k "$kind" '.resources[] | select(.kind == $k and (.name | contains("/") | not)) | .name' | head -1)
  fi
  local plural=${PLURALS[$av/$kind]}
  [ -n "$plural" ] || return 1
  if [ -n "$ns" ]; then echo "$base/namespaces/$ns/$plural/$name"; else echo "$base/$plural/$name"; fi
}

# ---- Pulumi ---------------------------------------------------------------------------------------------
pulumi_project "$LANGHOST" "${MODELPLANE_E2E_UPSTREAM_LANGHOST:-$TBIN/pulumi-language-nodejs-upstream}" "$PROVIDER"
unset MODELPLANE_E2E_UPSTREAM_LANGHOST
log "pulumi $(pulumi version), language host $("$TMP/bin/pulumi-language-nodejs" --version 2>/dev/null || echo '?'), provider $PROVIDER"

# The stack (write_stack) and the offline CRD files its platform.versions name (e2e_offline_crds): lib/stack.sh.
# shellcheck source=lib/stack.sh
source "$HERE/lib/stack.sh"
set_kubeconfig() {
  pulumi config set --secret modelplane:kubeconfig <"$TMP/admin.kubeconfig" >"$TMP/logs/config.log" 2>&1 \
    || { cat "$TMP/logs/config.log" >&2; return 1; }
}
e2e_offline_crds || exit 1
write_stack 1
set_kubeconfig || exit 1
grep -q 'modelplane:kubeconfig:' Pulumi.e2e.yaml && grep -A1 'modelplane:kubeconfig:' Pulumi.e2e.yaml | grep -q secure \
  || { echo "e2e: the kubeconfig was not stored as a secret" >&2; exit 1; }
cp Pulumi.e2e.yaml "$TMP/Pulumi.e2e.base.yaml"

# Policy pack configs: shipped-style (every policy mandatory, quotas = the teams' gpuQuota) and over quota
# (beta's quota 3, below its demand of 4 GPUs; both quota copies lowered, as the platform team would).
policy_config() { # <beta quota> <file>
  cat >"$2" <<EOF
{
  "all": "mandatory",
  "team-gpu-quota": { "quotas": { "alpha": $ALPHA_QUOTA, "beta": $1 }, "defaultQuota": 0 },
  "namespace-gpu-resourcequota": { "quotas": { "alpha": $ALPHA_QUOTA, "beta": $1 }, "defaultQuota": 0 },
  "allowed-gpu-instance-types": { "allowed": [], "maxNodes": 2 },
  "model-fits-accelerator": { "headroom": 0.9 },
  "max-gpus-per-model": { "max": 8 },
  "protect-stateful-platform": { "requireProtect": false }
}
EOF
}
policy_config "$BETA_QUOTA" "$TMP/policy-ok.json"
policy_config 3 "$TMP/policy-over.json"

# run <log name> <pulumi args...>: runs pulumi in the project, output to $TMP/logs/<name>.log; returns its status.
run() {
  local name=$1; shift
  log "pulumi $*"
  local t0=$SECONDS rc
  # In its own process group, waited for with `wait` (which a signal interrupts, so the trap runs at once).
  setsid env "${PULUMI_GO_ENV[@]}" pulumi "$@" >"$TMP/logs/$name.log" 2>&1 </dev/null &
  CLI_PID=$!
  wait "$CLI_PID"; rc=$?
  CLI_PID=""
  [ "${MODELPLANE_E2E_VERBOSE:-}" = 1 ] && cat "$TMP/logs/$name.log" >&2
  log "  exit $rc after $((SECONDS - t0))s (log: $name.log)"
  return $rc
}
show() { echo "---- $1 (last ${2:-40} lines)" >&2; tail -n "${2:-40}" "$TMP/logs/$1" >&2; echo "----" >&2; }
declare -a RESULTS=()
pass() { PASSED=$((PASSED + 1)); RESULTS+=("PASS  $1"); log "PASS $1"; }
fail() { FAILED=$((FAILED + 1)); RESULTS+=("FAIL  $1: $2"); log "FAIL $1: $2"; }

# ---- step 1: up + read back ---------------------------------------------------------------------------
step_up() {
  if ! run up up --yes --non-interactive --skip-preview --logtostderr -v=6; then
    grep -vE '^I[0-9]{4} ' "$TMP/logs/up.log" | tail -60 >&2
    fail "1 up" "pulumi up failed (errors above)"; return 1
  fi
  local errs=()
  # Which provider binary the engine used, and no download attempt.
  grep -E 'GetPluginPath\(resource, kubernetes.*found on \$PATH' "$TMP/logs/up.log" | head -1 >&2
  grep -qE "GetPluginPath\(resource, kubernetes.*found on \\\$PATH $TMP/bin/pulumi-resource-kubernetes" "$TMP/logs/up.log" \
    || errs+=("the log does not show the provider loaded from $TMP/bin (ambient)")
  grep -qE "GetPluginPath\(language, nodejs.*found next to current executable $TMP/bin/pulumi-language-nodejs|GetPluginPath\(language, nodejs.*found on \\\$PATH $TMP/bin/pulumi-language-nodejs" "$TMP/logs/up.log" \
    || errs+=("the log does not show the language host loaded from $TMP/bin")
  if grep -iE 'downloading plugin|installing plugin|plugin install|downloading provider' "$TMP/logs/up.log" | head -3 >&2; then
    errs+=("the CLI tried to download a plugin")
  fi
  [ "$(ls "$PULUMI_HOME/plugins" 2>/dev/null | wc -l)" = 0 ] || errs+=("plugins appeared in PULUMI_HOME: $(ls "$PULUMI_HOME/plugins")")

  pulumi stack export --show-secrets=false >"$TMP/state.json" 2>"$TMP/logs/export.log" || { fail "1 up" "stack export failed"; return 1; }
  # Every declared object of the kinds the issue names (plus CRDs), read back from the API server.
  local kinds='["Namespace","ResourceQuota","NetworkPolicy","StorageClass","GatewayClass","Gateway","LLMInferenceServiceConfig","LLMInferenceService","CustomResourceDefinition"]'
  jq -c --argjson kinds "$kinds" '.deployment.resources[] | select(.type | startswith("kubernetes:")) | .outputs
      | select(.kind != null and (.kind as $k | $kinds | index($k)))
      | {apiVersion, kind, ns: (.metadata.namespace // ""), name: .metadata.name, spec, replicas: .spec.replicas}' \
      "$TMP/state.json" >"$TMP/declared.jsonl"
  jq -r '.kind' "$TMP/declared.jsonl" | sort | uniq -c | sed 's/^/    declared: /' >&2
  local n=0
  while IFS= read -r o; do
    local av kind ns name path live
    av=$(jq -r .apiVersion <<<"$o"); kind=$(jq -r .kind <<<"$o"); ns=$(jq -r .ns <<<"$o"); name=$(jq -r .name <<<"$o")
    if ! path=$(kpath "$av" "$kind" "$ns" "$name"); then errs+=("$kind: the API server does not serve $av"); continue; fi
    if ! live=$(kget "$path"); then errs+=("$kind ${ns:+$ns/}$name is not on the API server ($path)"); continue; fi
    # The declared spec is what the server holds (server-side defaults may add fields, never change ours).
    if [ "$kind" != CustomResourceDefinition ] && [ "$(jq -c .spec <<<"$o")" != null ]; then
      local diff
      diff=$(jq -n --argjson d "$(jq -c .spec <<<"$o")" --argjson l "$(jq -c '.spec // {}' <<<"$live")" \
        '[paths(scalars) as $p | select(($d | getpath($p)) != ($l | getpath($p))) | $p | map(tostring) | join(".")] | .[0:3] | join(", ")' -r)
      [ -z "$diff" ] || errs+=("$kind ${ns:+$ns/}$name: live spec differs at $diff")
    fi
    n=$((n + 1))
  done <"$TMP/declared.jsonl"
  log "  read back $n declared objects"
  # What this stack must have declared (so an empty program cannot pass).
  expect() { # <kind> <ns> <name> <jq condition on the live object> <what>
    local path live
    path=$(kpath "$1" "$2" "$3" "$4") && live=$(kget "$path") || { errs+=("$2 $4${3:+ in $3} is missing"); return; }
    jq -e "$5" <<<"$live" >/dev/null || errs+=("$2 ${3:+$3/}$4: expected $6, got $(jq -c "${7:-.spec}" <<<"$live")")
  }
  for t in alpha:$ALPHA_QUOTA beta:$BETA_QUOTA; do
    local team=${t%%:*} q=${t#*:}
    expect v1 Namespace "" "$team" '.status.phase == "Active"' "an Active namespace" .status
    local rq
    rq=$(kget "/api/v1/namespaces/$team/resourcequotas" | jq -r --arg q "$q" '[.items[] | select(.spec.hard["requests.nvidia.com/gpu"] == $q)] | length')
    [ "${rq:-0}" -ge 1 ] || errs+=("namespace $team: no ResourceQuota with requests.nvidia.com/gpu = $q")
    local np
    np=$(kget "/apis/networking.k8s.io/v1/namespaces/$team/networkpolicies" | jq '.items | length')
    [ "${np:-0}" -ge 1 ] || errs+=("namespace $team: no NetworkPolicy")
  done
  expect serving.kserve.io/v1alpha2 LLMInferenceService alpha chat '.spec.replicas == 1' "spec.replicas 1"
  expect serving.kserve.io/v1alpha2 LLMInferenceService beta coder '.spec.replicas == 2' "spec.replicas 2"
  for k in LLMInferenceServiceConfig GatewayClass Gateway StorageClass; do
    grep -q "\"kind\":\"$k\"" "$TMP/declared.jsonl" || errs+=("the stack declares no $k")
  done
  local charted
  charted=$(chart_crds) && [ "$(wc -w <<<"$charted")" = 12 ] \
    || errs+=("the local charts should hold 12 CRDs (KServe 2 + 4, AI Gateway 6), found: $(tr '\n' ' ' <<<"$charted")")
  for crd in llminferenceservices.serving.kserve.io llminferenceserviceconfigs.serving.kserve.io gateways.gateway.networking.k8s.io inferencepools.inference.networking.k8s.io $charted; do
    kget "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$crd" >/dev/null || errs+=("CRD $crd is not on the API server")
  done
  # The local CRD charts are Helm releases, deployed (Helm keeps a release's state in a Secret of its namespace).
  local rel
  for rel in kserve:kserve-llmisvc-crd kserve:kserve-localmodel-crd envoy-ai-gateway-system:aieg-crd; do
    jq -e '[.items[] | select(.metadata.labels.name == "'"${rel#*:}"'" and .metadata.labels.status == "deployed")] | length == 1' \
      <<<"$(kget "/api/v1/namespaces/${rel%%:*}/secrets?labelSelector=owner%3Dhelm")" >/dev/null \
      || errs+=("Helm release ${rel#*:} in ${rel%%:*} is not deployed")
  done
  if [ ${#errs[@]} -gt 0 ]; then printf '    %s\n' "${errs[@]}" >&2; fail "1 up" "${#errs[@]} read-back error(s), first: ${errs[0]}"; return 1; fi
  pass "1 up: pulumi up, $n declared objects read back from the API server"
}

# ---- step 2: idempotent ---------------------------------------------------------------------------------
step_idempotent() {
  local t0=$SECONDS
  if run preview-nochange preview --expect-no-changes --non-interactive; then
    PREVIEW_SECONDS=$((SECONDS - t0))
    pass "2 idempotent: preview --expect-no-changes"
  else
    show preview-nochange; fail "2 idempotent" "preview --expect-no-changes failed right after up"
  fi
}

# ---- step 3: one model's replicas ---------------------------------------------------------------------
step_one_change() {
  local errs=()
  # chat is the only model with `replicas: 1`: exactly one line may change.
  sed 's/^      replicas: 1$/      replicas: 2/' "$TMP/Pulumi.e2e.base.yaml" >Pulumi.e2e.yaml
  [ "$(diff "$TMP/Pulumi.e2e.base.yaml" Pulumi.e2e.yaml | grep -c '^>')" = 1 ] || errs+=("could not change exactly one line of the stack file")
  if run preview-changed-expect preview --expect-no-changes --non-interactive; then
    errs+=("preview --expect-no-changes passed although chat's replicas changed")
  fi
  if ! run preview-changed-json preview --json --non-interactive; then
    show preview-changed-json; errs+=("preview --json failed")
  else
    # --json prints one JSON document on stdout; diagnostics may precede it on stderr (merged in the log).
    sed -n '/^{/,$p' "$TMP/logs/preview-changed-json.log" >"$TMP/preview-changed.json"
    if ! jq -e . "$TMP/preview-changed.json" >/dev/null 2>&1; then
      errs+=("preview --json printed no JSON")
    else
      jq -r '.steps[] | "\(.op) \(.urn)"' "$TMP/preview-changed.json" | grep -v '^same ' | sed 's/^/    /' >&2
      local updates others
      updates=$(jq -c '[.steps[] | select(.op == "update") | .urn]' "$TMP/preview-changed.json")
      others=$(jq -c '[.steps[] | select(.op != "update" and .op != "same") | "\(.op) \(.urn)"]' "$TMP/preview-changed.json")
      [ "$(jq length <<<"$updates")" = 1 ] || errs+=("expected exactly 1 update, got $(jq length <<<"$updates"): $updates")
      jq -e '.[0] | test("kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService::[^:]*chat[^:]*$")' <<<"$updates" >/dev/null \
        || errs+=("the update is not chat's LLMInferenceService: $updates")
      [ "$others" = "[]" ] || errs+=("other changes: $others")
      local diff
      diff=$(jq -c '[.steps[] | select(.op == "update") | .detailedDiff // {} | keys[]]' "$TMP/preview-changed.json")
      [ "$diff" = '["spec.replicas"]' ] || errs+=("the update's detailed diff is $diff, not [\"spec.replicas\"]")
    fi
  fi
  cp "$TMP/Pulumi.e2e.base.yaml" Pulumi.e2e.yaml
  if [ ${#errs[@]} -gt 0 ]; then printf '    %s\n' "${errs[@]}" >&2; fail "3 one-change" "${errs[0]}"; return 1; fi
  pass "3 one-change: replicas 1→2 previews exactly one update (LLMInferenceService chat, spec.replicas); --expect-no-changes fails"
}

# ---- step 4: policy pack ----------------------------------------------------------------------------------
# Optional (MODELPLANE_E2E_MEASURE_TYPECHECK=1): the same no-change preview with the program type-checked again
# (PULUMI_NODEJS_TRANSPILE_ONLY=false overrides tsconfig.pulumi.json's noCheck in @pulumi/pulumi cmd/run/run.js),
# to measure what transpile-only saves. Not a step: it asserts nothing.
measure_typecheck() {
  [ "${MODELPLANE_E2E_MEASURE_TYPECHECK:-}" = 1 ] && [ -n "${PREVIEW_SECONDS:-}" ] || return 0
  local t0=$SECONDS
  PULUMI_NODEJS_TRANSPILE_ONLY=false run preview-typechecked preview --expect-no-changes --non-interactive || true
  log "measure: preview --expect-no-changes ${PREVIEW_SECONDS}s transpile-only (tsconfig.pulumi.json) vs $((SECONDS - t0))s type-checked"
}

step_policy() {
  local errs=()
  if run policy-over preview --non-interactive --policy-pack policies --policy-pack-config "$TMP/policy-over.json"; then
    errs+=("preview with the over-quota policy config passed")
  fi
  local log="$TMP/logs/policy-over.log"
  grep -q 'team-gpu-quota' "$log" || errs+=("no team-gpu-quota violation in the output")
  grep -q '\[mandatory\]  team-gpu-quota' "$log" || errs+=("team-gpu-quota is not reported as a mandatory violation")
  # Text of policies/quotas.ts: team "beta" requests 4 GPUs (coder: 4) but its quota is 3
  grep -qE 'team "beta" requests 4 GPUs \(coder: 4\) but its quota is 3' "$log" \
    || errs+=("the violation does not name team beta, its 4 GPUs (coder: 4) and quota 3")
  grep -q 'team "alpha"' "$log" && errs+=("team alpha (within quota) was reported too")
  [ ${#errs[@]} -eq 0 ] || show policy-over 60
  if ! run policy-ok preview --non-interactive --policy-pack policies --policy-pack-config "$TMP/policy-ok.json"; then
    show policy-ok 60; errs+=("preview with the shipped-style policy config failed")
  fi
  grep -q 'modelplane-gpu-guard' "$TMP/logs/policy-ok.log" || errs+=("the shipped-style run does not show the pack modelplane-gpu-guard (did it run?)")
  grep -q 'team-gpu-quota' "$TMP/logs/policy-ok.log" && errs+=("team-gpu-quota reported with the shipped-style config")
  if [ ${#errs[@]} -gt 0 ]; then printf '    %s\n' "${errs[@]}" >&2; fail "4 policy" "${errs[0]}"; return 1; fi
  pass "4 policy: over-quota config fails with team-gpu-quota (beta, 4 GPUs, quota 3); shipped-style config passes"
}

# ---- step 5: destroy ----------------------------------------------------------------------------------
step_destroy() {
  local errs=()
  local crds
  crds=$(jq -r 'select(.kind == "CustomResourceDefinition") | .name' "$TMP/declared.jsonl" 2>/dev/null)
  [ -n "$crds" ] || errs+=("no CRD was declared (nothing to check as retained)")
  local charted
  charted=$(chart_crds) && [ -n "$charted" ] || errs+=("no CRD found in the local charts (nothing to check as retained)")
  crds="$crds $charted"
  if ! run destroy destroy --yes --non-interactive --skip-preview; then
    show destroy 60; fail "5 destroy" "pulumi destroy failed"; return 1
  fi
  local left
  left=$(pulumi stack export 2>/dev/null | jq '[.deployment.resources // [] | .[] | select(.type != "pulumi:pulumi:Stack" and (.type | startswith("pulumi:providers:") | not))] | length')
  [ "$left" = 0 ] || errs+=("$left resources left in the state")
  for team in alpha beta; do
    local gone=""
    for _ in $(seq 1 120); do
      if ! kget "/api/v1/namespaces/$team" >/dev/null; then gone=1; break; fi
      sleep 0.5
    done
    [ -n "$gone" ] || errs+=("namespace $team still exists 60s after destroy ($(kget "/api/v1/namespaces/$team" | jq -c .status))")
  done
  local c
  for c in $crds; do
    kget "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$c" >/dev/null || errs+=("CRD $c was deleted (it should be retained)")
  done
  if [ ${#errs[@]} -gt 0 ]; then printf '    %s\n' "${errs[@]}" >&2; fail "5 destroy" "${errs[0]}"; return 1; fi
  pass "5 destroy: state empty, namespaces gone, $(wc -w <<<"$crds") CRDs retained"
}

T0=$SECONDS
if step_up; then
  step_idempotent
  measure_typecheck
  step_one_change
  step_policy
else
  for s in "2 idempotent" "3 one-change" "4 policy"; do fail "$s" "not run: step 1 failed"; done
fi
step_destroy
alive "$API_PID" || fail "cluster" "kube-apiserver exited during the run"
alive "$KCM_PID" || fail "cluster" "kube-controller-manager exited during the run"

echo "e2e results ($((SECONDS - T0))s after cluster start):"
printf '  %s\n' "${RESULTS[@]}"
echo "e2e: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
