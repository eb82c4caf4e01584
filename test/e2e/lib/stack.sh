# Sourced by test/e2e/run.sh and bench/engine.sh: the e2e stack and the offline platform block every stack on the
# local API server uses (platform.charts false, the upstream CRDs from ../shared/crds through the versions
# overrides: the air-gapped path). Needs SHARED_CRDS and TMP; write_stack needs SALT too.

# e2e_offline_crds: the files the platform block names that ../shared/crds does not hold as such: two CRD files and
# three CRD charts.
e2e_offline_crds() {
  # LeaderWorkerSet's manifests.yaml (CRD + controller) is a GitHub release asset that ../shared/crds does not
  # hold: the offline cluster gets none (no model here spans nodes).
  echo "# LeaderWorkerSet manifests are not available offline" >"$TMP/lws-offline.yaml"
  # The x-k8s InferencePool (v1alpha2) the P/D routing sidecar waits for: ../shared/crds has it only inside KServe's
  # four-CRD bundle, whose other three the other bundles bring; the one document is taken out of it (it equals GIE
  # v1.3.1's config/crd/bases file, which the default URL names).
  node -e '
const yaml = require("yaml"); const fs = require("fs");
const docs = yaml.parseAllDocuments(fs.readFileSync(process.argv[1], "utf8")).map((d) => d.toJS()).filter(Boolean);
const crd = docs.find((d) => d.metadata && d.metadata.name === "inferencepools.inference.networking.x-k8s.io");
if (!crd) { console.error("e2e: no x-k8s InferencePool CRD in " + process.argv[1]); process.exit(1); }
fs.writeFileSync(process.argv[2], yaml.stringify(crd));
' "$SHARED_CRDS/kserve/v0.20.0-gie/gateway-inference-extension.yaml" "$TMP/x-k8s-inferencepool.yaml" || return 1
  # The CRD bundles that are charts by default are installed from local charts, as prod installs them from their
  # registries (a helm.v3.Release each, components/addons/install.ts crdBundle): the same chart names and
  # versions, the same CRD files in templates/ (kserve charts/kserve-llmisvc-crd and kserve-localmodel-crd at
  # v0.20.0; ai-gateway manifests/charts/ai-gateway-crds-helm at v1.0.0, ../shared/crds/ai-gateway/README.md). The
  # kserve-llmisvc-crd chart's third CRD, ClusterStorageContainer, is not in ../shared/crds; nothing here needs it.
  e2e_chart kserve-llmisvc-crd v0.20.0 "$SHARED_CRDS/kserve/serving.kserve.io_llminferenceservices.yaml" \
    "$SHARED_CRDS/kserve/serving.kserve.io_llminferenceserviceconfigs.yaml" || return 1
  e2e_chart kserve-localmodel-crd v0.20.0 "$SHARED_CRDS"/kserve/serving.kserve.io_localmodel*.yaml || return 1
  e2e_chart ai-gateway-crds-helm v1.0.0 "$SHARED_CRDS"/ai-gateway/*.yaml
}

# chart_crds: the names of the CRDs in the local charts.
chart_crds() {
  node -e '
const yaml = require("yaml"); const fs = require("fs");
for (const f of process.argv.slice(1)) for (const d of yaml.parseAllDocuments(fs.readFileSync(f, "utf8")))
  { const o = d.toJS(); if (o && o.kind === "CustomResourceDefinition") console.log(o.metadata.name); }
' "$TMP"/charts/*/templates/*.yaml
}

# e2e_chart <name> <version> <file>...: a chart in $TMP/charts/<name> whose templates are the files.
e2e_chart() {
  local dir="$TMP/charts/$1" f
  mkdir -p "$dir/templates" || return 1
  printf 'apiVersion: v2\nname: %s\nversion: %s\nappVersion: %s\ntype: application\n' "$1" "$2" "$2" >"$dir/Chart.yaml"
  for f in "${@:3}"; do
    [ -f "$f" ] || { echo "e2e: $f is missing (chart $1)" >&2; return 1; }
    cp "$f" "$dir/templates/"
  done
}

# chart_source [files] <chart>: the versions override naming a local chart of e2e_offline_crds, or with `files` its
# CRD files.
chart_source() {
  if [ "$1" = files ]; then echo "{ files: [\"$TMP/charts/$2/templates\"] }"; else echo "{ path: \"$TMP/charts/$2\" }"; fi
}

# e2e_platform_block [files]: the stack file's `modelplane:platform` entry (indented under `config:`). The CRD
# bundles that are charts by default come from the local charts of e2e_offline_crds; with `files`, the same CRD files
# (the charts' templates/ directories) as plain manifests: the e2e stack until issue 18's work, the engine bench's
# "before".
e2e_platform_block() {
  local ai kserve localmodel
  ai=$(chart_source "${1:-}" ai-gateway-crds-helm) kserve=$(chart_source "${1:-}" kserve-llmisvc-crd)
  localmodel=$(chart_source "${1:-}" kserve-localmodel-crd)
  cat <<EOF
  modelplane:platform:
    charts: false
    versions:
      gatewayApiCrds: { files: ["$SHARED_CRDS/gateway-api"] }
      envoyGatewayCrds: { files: ["$SHARED_CRDS/envoy-gateway"] }
      aiGatewayCrds: $ai
      inferencePoolCrds: { files: ["$SHARED_CRDS/inference-extension/v1.5.0/inference.networking.k8s.io_inferencepools.yaml"] }
      inferencePoolAlphaCrds: { files: ["$TMP/x-k8s-inferencepool.yaml"] }
      llmdRouterCrds: { files: ["$SHARED_CRDS/inference-extension/llm-d-router"] }
      kserveCrds: $kserve
      lws: { files: ["$TMP/lws-offline.yaml"] }
      kserveLocalModelCrds: $localmodel
EOF
}

# The stack: two teams on an 8×H100 pool the API server has no nodes for (pods never schedule: fine).
# GPU demand (lib/demand worst case): alpha chat 1×TP1 = 1 GPU; beta coder 2 replicas × TP2 = 4 GPUs.
ALPHA_QUOTA=4 BETA_QUOTA=4
write_stack() { # <chat replicas> [files]
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
  modelplane:teams:
    - { name: alpha, gpuQuota: $ALPHA_QUOTA }
    - { name: beta, gpuQuota: $BETA_QUOTA }
  modelplane:models:
    - name: chat
      team: alpha
      uri: hf://Qwen/Qwen3-8B
      pool: h100
      replicas: $1
      size: { paramsBillions: 8.2, dtype: bfloat16 }
    - name: coder
      team: beta
      uri: hf://Qwen/Qwen2.5-Coder-14B-Instruct
      pool: h100
      replicas: 2
      parallelism: { tensor: 2 }
      size: { paramsBillions: 14.8, dtype: bfloat16 }
EOF
  e2e_platform_block "${2:-}" >>Pulumi.e2e.yaml
}
