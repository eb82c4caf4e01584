#!/usr/bin/env bash
# Builds the e2e toolchain from Go modules (the Go module proxy) into a cache OUTSIDE the repo:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/modelplane-e2e/<versions-key>/bin/
#     pulumi                       Pulumi CLI, at the @pulumi/pulumi version of package-lock.json
#     pulumi-language-nodejs       Node.js language host of the same release (next to the CLI = "bundled"); while
#                                  the proxy does not serve it: test/e2e/langhost (ours), a pass-through to
#     pulumi-language-nodejs-upstream   the newest upstream host the proxy serves (sdk/v3 v3.68.0), adding the
#                                  RunPlugin that policy packs need (see test/e2e/langhost/main.go)
#     pulumi-resource-kubernetes   Kubernetes provider (ambient plugin: the driver puts bin/ on PATH)
#     kube-apiserver, kube-controller-manager   from k8s.io/kubernetes
#     etcd                         from go.etcd.io/etcd/server/v3
#   and, only with --controllers (or MODELPLANE_E2E_CONTROLLERS=1), for test/e2e/controllers.sh:
#     kube-scheduler               from k8s.io/kubernetes, through the same kube wrapper (its go.sum covers it)
#     kwok                         sigs.k8s.io/kwok ./cmd/kwok, built in a copy of its module
#     llmisvc-manager              KServe's LLMInferenceService controller, github.com/kserve/kserve ./cmd/llmisvc,
#                                  built in a copy of its module (its go.mod replaces must apply)
#     localmodel-manager           KServe's local-model controller (./cmd/localmodel, same module): LocalModelCache →
#                                  the cache PV/PVC in each namespace of a model that uses it
#     localmodelnode-agent         KServe's local-model node agent (./cmd/localmodelnode, same module): the
#                                  DaemonSet process that creates each node's download Jobs
#     lws-controller               LeaderWorkerSet, sigs.k8s.io/lws ./cmd, built in a copy of its module
#     chart-render                 test/e2e/chartrender (ours): `helm template` through the Helm library the
#                                  Kubernetes provider links (helm.sh/helm/v3 of the provider wrapper's go.mod),
#                                  compiled inside a copy of that wrapper (nothing new downloaded)
#   plus the chart sources (modules downloaded, nothing built): Envoy Gateway, Envoy AI Gateway, cert-manager and the
#   NVIDIA device plugin at the chart versions of components/versions.ts (test/e2e/controllers/charts.cjs)
#   and, only with --routing (or MODELPLANE_E2E_ROUTING=1), for test/e2e/routing.sh:
#     epp                          the reference endpoint picker, sigs.k8s.io/gateway-api-inference-extension
#                                  ./cmd/epp, built in a copy of its module (GOWORK=off: the module has a go.work)
#     llm-d-inference-sim          vLLM simulator, github.com/llm-d/llm-d-inference-sim (CGO_ENABLED=0)
#     extproc-client               test/e2e/extproc (ours): an Envoy ext_proc v3 client standing in for Envoy,
#                                  compiled inside a copy of the GIE module (its go-control-plane, no new modules)
#
# The key hashes every pin (the versions below, the wrapper go.mod/go.sum files, the Go version), so a warm run
# only checks the binaries and takes seconds. Each binary is also cached under a key of its own inputs
# (modelplane-e2e/pieces/<name>-<key>/: Go version, its pins, its wrapper files, its build recipe), so moving
# one pin rebuilds only that piece. Idempotent: pieces already built are reused.
#
# The controllers' pins are not part of the versions key (the default toolchain's bin dir stays where it is);
# each of their pieces is keyed by its own pins like every other piece.
#
# Usage: test/e2e/toolchain.sh [--controllers] [--print-bin | --print-module-dirs]
#        test/e2e/toolchain.sh --routing: also build the routing check's pieces (epp, simulator, ext_proc client)
#        --print-bin: print the bin directory only, build nothing; --controllers: also build the optional pieces
# Exit: 0 every piece present; 1 a build failed (the report lists each piece, what it was built from, and
#       which wanted version the proxy does not serve).
# Env:  MODELPLANE_E2E_CACHE overrides the cache root; GOFLAGS etc. pass through to go.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TC="$HERE/toolchain"

# ---- pins --------------------------------------------------------------------------------------------
lock_version() { node -e 'const l=require(process.argv[1]);console.log(l.packages["node_modules/"+process.argv[2]].version)' "$REPO/package-lock.json" "$1"; }
PULUMI_VERSION=$(lock_version @pulumi/pulumi)            # 3.248.0
K8S_SDK_VERSION=$(lock_version @pulumi/kubernetes)        # 4.34.2
# The release commit of pulumi/pulumi v3.248.0 (tag v3.248.0) as the pseudo-version of the language host's
# nested module, which has no tags of its own.
LANGHOST_MODULE=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
LANGHOST_PSEUDO=v3.0.0-20260624120734-a88168d865b7
# The proxy answers 403 for that module at every version (also @latest and the version list). Until v3.68.0 the
# host was a package of the SDK module, which the proxy serves: that host, plus our pass-through adding RunPlugin.
UPSTREAM_LANGHOST_SDK=v3.68.0
# Kubernetes provider: the module has no tags; pseudo-versions of release commits. The proxy serves the
# v4.25.0 commit (f47bc2d6f199, its `@latest`) and answers 403 "not available" for the v4.26.0..v4.32.0 release
# commits and for v4.34.2 (the @pulumi/kubernetes version): PROVIDER_WANTED is tried first and reported.
PROVIDER_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
PROVIDER_WANTED=v${K8S_SDK_VERSION}
PROVIDER_PSEUDO=v4.0.0-20260115033456-f47bc2d6f199
PROVIDER_RELEASE=4.25.0
KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.7.0
# Optional pieces (--controllers): upstream controllers for test/e2e/controllers.sh.
KWOK_MODULE=sigs.k8s.io/kwok KWOK_VERSION=v0.8.0
KSERVE_MODULE=github.com/kserve/kserve KSERVE_VERSION=v0.20.0   # = the platform's kserve pin (components/versions.ts)
LWS_MODULE=sigs.k8s.io/lws LWS_VERSION=v0.8.0
# Optional pieces (--routing): the endpoint picker and the vLLM simulator for test/e2e/routing.sh. KServe v0.20.0
# deploys llm-d-router v0.9.0 as its picker, which the proxy does not serve (403 at every version tried, see
# ../shared/research/controllers-e2e.md): the reference picker of Gateway API Inference Extension stands in.
GIE_MODULE=sigs.k8s.io/gateway-api-inference-extension GIE_VERSION=v1.5.0
SIM_MODULE=github.com/llm-d/llm-d-inference-sim SIM_VERSION=v0.10.2
# Chart sources (--controllers): modules whose tags ship the charts modelplane installs, at the chart versions of
# components/versions.ts (charts.cjs fails when the plan's Release version differs). Downloaded, never built.
# KServe's charts come from KSERVE_MODULE above. Not served: sigs.k8s.io/sig-storage-local-static-provisioner
# (403 for v2.9.0, +incompatible and the version list), so that chart is not rendered.
EG_MODULE=github.com/envoyproxy/gateway EG_VERSION=v1.8.1
AIG_MODULE=github.com/envoyproxy/ai-gateway AIG_VERSION=v1.0.0
CM_MODULE=github.com/cert-manager/cert-manager CM_VERSION=v1.17.0
NVDP_MODULE=github.com/NVIDIA/k8s-device-plugin NVDP_VERSION=v0.19.3
WVA_MODULE=github.com/llm-d/llm-d-workload-variant-autoscaler WVA_VERSION=v0.7.0

die() { echo "toolchain: $*" >&2; exit 1; }
grep -q "github.com/pulumi/pulumi/pkg/v3 v${PULUMI_VERSION}" "$TC/pulumi/go.mod" \
  || die "package-lock.json has @pulumi/pulumi ${PULUMI_VERSION} but test/e2e/toolchain/pulumi/go.mod pins another pkg/v3: update the wrapper"
grep -q "k8s.io/kubernetes ${KUBE_VERSION}" "$TC/kube/go.mod" || die "KUBE_VERSION ${KUBE_VERSION} differs from toolchain/kube/go.mod"
grep -q "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}" "$TC/etcd/go.mod" || die "ETCD_VERSION ${ETCD_VERSION} differs from toolchain/etcd/go.mod"
grep -q "${PROVIDER_MODULE} ${PROVIDER_PSEUDO}" "$TC/kubernetes-provider/go.mod" || die "PROVIDER_PSEUDO differs from toolchain/kubernetes-provider/go.mod"

GO=${GO:-go}
command -v "$GO" >/dev/null || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; } || die "go not found"
KEY=$({ "$GO" version; echo "$PULUMI_VERSION $LANGHOST_PSEUDO $UPSTREAM_LANGHOST_SDK $PROVIDER_PSEUDO $PROVIDER_RELEASE $KUBE_VERSION $ETCD_VERSION";
        cat "$TC"/*/go.mod "$TC"/*/go.sum "$HERE"/langhost/* 2>/dev/null; } | sha256sum | cut -c1-16)
ROOT=${MODELPLANE_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/modelplane-e2e}
OUT="$ROOT/$KEY"
BIN="$OUT/bin"
CONTROLLERS=${MODELPLANE_E2E_CONTROLLERS:-}
ROUTING=${MODELPLANE_E2E_ROUTING:-}
PRINT_BIN="" PRINT_MODULES=""
for a in "$@"; do
  case $a in
    --print-bin) PRINT_BIN=1 ;;
    --controllers) CONTROLLERS=1 ;;
    --routing) ROUTING=1 ;;
    --print-module-dirs) PRINT_MODULES=1 ;;
    *) die "unknown argument $a (usage: toolchain.sh [--controllers] [--print-bin])" ;;
  esac
done
if [ -n "$PRINT_BIN" ]; then echo "$BIN"; exit 0; fi
# --print-module-dirs: KWOK_DIR=, KSERVE_DIR=, LWS_DIR= (the controllers' module sources in GOMODCACHE, read-only),
# for controllers.sh, which reads their stages, configs, webhooks and CRDs from there (never copied into the repo),
# and the chart sources' EG_DIR=, AIG_DIR=, CM_DIR=, NVDP_DIR=, WVA_DIR= with their versions (EG_VERSION=, ...).
CHART_MODULES=("EG ${EG_MODULE}@${EG_VERSION}" "AIG ${AIG_MODULE}@${AIG_VERSION}" "CM ${CM_MODULE}@${CM_VERSION}" "NVDP ${NVDP_MODULE}@${NVDP_VERSION}"
               "WVA ${WVA_MODULE}@${WVA_VERSION}")
if [ -n "$PRINT_MODULES" ]; then
  for m in "${CHART_MODULES[@]}"; do echo "${m%% *}_VERSION=${m##*@}"; done
  for m in "KWOK_DIR ${KWOK_MODULE}@${KWOK_VERSION}" "KSERVE_DIR ${KSERVE_MODULE}@${KSERVE_VERSION}" "LWS_DIR ${LWS_MODULE}@${LWS_VERSION}" \
           "${CHART_MODULES[@]/ /_DIR }"; do
    d=$(cd / && "$GO" mod download -json "${m#* }" | jq -r .Dir) || die "go mod download ${m#* } failed"
    echo "${m%% *}=$d"
  done
  exit 0
fi
mkdir -p "$BIN" "$OUT/logs" "$OUT/work"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN=local
NICE=(nice -n 19)

declare -a REPORT=()
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", b-a}'; }
record() { REPORT+=("$(printf '%-32s %-44s %s' "$1" "$2" "$3")"); }

# build <name> <label> <inputs (pins and wrapper files)> <builder> [args]: the builder writes $DEST/<name>;
# the binary is kept in pieces/<name>-<key>/ and linked into $BIN.
build() {
  local name=$1 label=$2 inputs=$3 fn=$4; shift 4
  local key f
  key=$({ "$GO" version; echo "$inputs"; declare -f "$fn"; [ "$fn" = build_kube ] && declare -f kube_ldflags
          for f in $inputs; do [ -f "$f" ] && cat "$f"; done; } | sha256sum | cut -c1-16)
  DEST="$ROOT/pieces/$name-$key"
  if [ -x "$DEST/$name" ]; then
    ln -f "$DEST/$name" "$BIN/$name" 2>/dev/null || cp "$DEST/$name" "$BIN/$name"
    record "$name" "$label" "cached"; return 0
  fi
  mkdir -p "$DEST"
  local t0 t1 log="$OUT/logs/$name.log"
  echo "== building $name ($label); log: $log" >&2
  t0=$(now)
  if ! (set -e; "$fn" "$@") >"$log" 2>&1; then
    tail -30 "$log" >&2
    record "$name" "$label" "FAILED (see $log)"
    return 1
  fi
  t1=$(now)
  [ -x "$DEST/$name" ] || { record "$name" "$label" "FAILED: no binary"; return 1; }
  ln -f "$DEST/$name" "$BIN/$name" 2>/dev/null || cp "$DEST/$name" "$BIN/$name"
  record "$name" "$label" "built in $(secs "$t0" "$t1")s"
}

# ---- Pulumi CLI ---------------------------------------------------------------------------------------
build_cli() {
  cd "$TC/pulumi"
  "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}" \
    -o "$DEST/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
}

# ---- Node.js language host ----------------------------------------------------------------------------
# The wrapper needs the nested module's go.sum lines, which only exist once the proxy serves it: the
# wrapper is assembled in the work dir and tidied there.
build_langhost() {
  local w="$OUT/work/langhost"
  rm -rf "$w"; mkdir -p "$w"
  cp "$TC/nodejs/go.mod" "$w/go.mod"
  cp "$TC/pulumi/go.sum" "$w/go.sum"
  cd "$w"
  "${NICE[@]}" "$GO" mod tidy
  "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}" \
    -o "$DEST/pulumi-language-nodejs" "$LANGHOST_MODULE"
}

# The fallback: the upstream host of sdk/v3 ${UPSTREAM_LANGHOST_SDK} (wrapper toolchain/nodejs-sdk) ...
build_upstream_langhost() {
  cd "$TC/nodejs-sdk"
  "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${UPSTREAM_LANGHOST_SDK}" \
    -o "$DEST/pulumi-language-nodejs-upstream" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
}
# ... behind test/e2e/langhost, which passes every call through and runs policy packs itself.
build_langhost_shim() {
  cd "$HERE/langhost"
  "${NICE[@]}" "$GO" build -trimpath -o "$DEST/pulumi-language-nodejs" .
}

# ---- Kubernetes provider ------------------------------------------------------------------------------
# The module zip lacks the two go:embed files the upstream Makefile generates (schema-embed.json =
# schema.json with .version set, minified; terraform-mapping-embed.json = terraform-mapping.json minified:
# cmd/pulumi-resource-kubernetes/generate.go). Files in GOMODCACHE cannot be overlaid, so the module is
# copied to the work dir, the two files are generated there, and a work copy of the wrapper replaces the
# module with that directory (go.sum is unchanged: the dependency graph is the same).
build_provider() {
  local dir w="$OUT/work/provider"
  dir=$(cd "$TC/kubernetes-provider" && "$GO" mod download -json "${PROVIDER_MODULE}@${PROVIDER_PSEUDO}" | jq -r .Dir)
  [ -d "$dir" ] || return 1
  rm -rf "$w"; mkdir -p "$w"
  cp -r "$dir" "$w/src"; chmod -R u+w "$w/src"
  local cmd="$w/src/cmd/pulumi-resource-kubernetes"
  jq -c --arg v "$PROVIDER_RELEASE" '.version = $v' "$cmd/schema.json" >"$cmd/schema-embed.json"
  jq -c . "$cmd/terraform-mapping.json" >"$cmd/terraform-mapping-embed.json"
  cp "$TC/kubernetes-provider/go.mod" "$TC/kubernetes-provider/go.sum" "$w/"
  cd "$w"
  "$GO" mod edit -replace "${PROVIDER_MODULE}=./src"
  "${NICE[@]}" "$GO" build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${PROVIDER_RELEASE}" \
    -o "$DEST/pulumi-resource-kubernetes" "${PROVIDER_MODULE}/cmd/pulumi-resource-kubernetes"
}

# ---- kube-apiserver, kube-controller-manager ---------------------------------------------------------
kube_ldflags() {
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local f=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    f+=" -X $pkg.gitVersion=${KUBE_VERSION} -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor} -X $pkg.gitTreeState=clean"
  done
  echo "$f"
}
build_kube() {
  cd "$TC/kube"
  "${NICE[@]}" "$GO" build -trimpath -ldflags "$(kube_ldflags)" -o "$DEST/$1" "k8s.io/kubernetes/cmd/$1"
}

# ---- etcd ---------------------------------------------------------------------------------------------
build_etcd() {
  cd "$TC/etcd"
  "${NICE[@]}" "$GO" build -trimpath -o "$DEST/etcd" go.etcd.io/etcd/server/v3
}

# ---- optional: upstream controllers (--controllers) ---------------------------------------------------
# build_module <module> <version> <package> <binary>: in a copy of the module (so its own go.mod, go.sum and
# replace directives apply; files in GOMODCACHE are read-only), GOWORK off.
build_module() {
  local dir w="$OUT/work/$4"
  dir=$(cd "$OUT/work" && "$GO" mod download -json "$1@$2" | jq -r .Dir)
  [ -d "$dir" ] || return 1
  rm -rf "$w"; mkdir -p "$w"
  cp -r "$dir" "$w/src"; chmod -R u+w "$w/src"
  cd "$w/src"
  GOWORK=off "${NICE[@]}" "$GO" build -trimpath -o "$DEST/$4" "$3"
  rm -rf "$w"
}

# available <module@version>: the proxy serves it (prints the error otherwise)
available() {
  local out
  if out=$(cd "$TC/pulumi" && "$GO" mod download -json "$1" 2>&1); then return 0; fi
  echo "$out" | jq -r '.Error // empty' 2>/dev/null || echo "$out"
  return 1
}

# The chart renderer (test/e2e/chartrender/main.go, ours) is compiled inside a copy of the provider wrapper, so that
# it links exactly the Helm the provider renders helm.v3.Release with; its go.sum covers it (nothing downloaded).
build_chart_render() {
  local w="$OUT/work/chart-render"
  rm -rf "$w"; mkdir -p "$w/cmd/chart-render"
  cp "$TC/kubernetes-provider/go.mod" "$TC/kubernetes-provider/go.sum" "$w/"
  cp "$HERE/chartrender/main.go" "$w/cmd/chart-render/main.go"
  cd "$w"
  "${NICE[@]}" "$GO" build -mod=readonly -trimpath -o "$DEST/chart-render" ./cmd/chart-render
  rm -rf "$w"
}
# chart_sources: download the chart source modules (no build); one line per module with the seconds it took.
chart_sources() {
  local m t0 d
  for m in "${CHART_MODULES[@]}"; do
    t0=$(now)
    if d=$(cd "$OUT/work" && "$GO" mod download -json "${m#* }" 2>&1 | jq -r '.Dir // .Error'); [ -d "$d" ]; then
      record "(chart source ${m%% *})" "${m#* }" "in GOMODCACHE ($(secs "$t0" "$(now)")s)"
    else
      record "(chart source ${m%% *})" "${m#* }" "FAILED: $d"; return 1
    fi
  done
}

# ---- optional: the routing check's pieces (--routing) -------------------------------------------------
# The simulator is pure Go: CGO_ENABLED=0 (its tokenizer's cgo path is not needed).
build_module_nocgo() { CGO_ENABLED=0 build_module "$@"; }
# The ext_proc client (test/e2e/extproc/main.go, ours) is compiled as a package inside a copy of the GIE module,
# so that it uses exactly that module's go-control-plane and gRPC (its go.sum covers them: nothing new downloaded).
build_extproc() {
  local dir w="$OUT/work/extproc-client"
  dir=$(cd "$OUT/work" && "$GO" mod download -json "${GIE_MODULE}@${GIE_VERSION}" | jq -r .Dir)
  [ -d "$dir" ] || return 1
  rm -rf "$w"; mkdir -p "$w"
  cp -r "$dir" "$w/src"; chmod -R u+w "$w/src"
  mkdir -p "$w/src/cmd/modelplane-extproc-client"
  cp "$HERE/extproc/main.go" "$w/src/cmd/modelplane-extproc-client/main.go"
  cd "$w/src"
  GOWORK=off "${NICE[@]}" "$GO" build -mod=readonly -trimpath -o "$DEST/extproc-client" ./cmd/modelplane-extproc-client
  rm -rf "$w"
}

T0=$(now)
rc=0
build pulumi "pulumi/pkg/v3 v${PULUMI_VERSION}" "v${PULUMI_VERSION} $TC/pulumi/go.mod $TC/pulumi/go.sum" build_cli || rc=1

LANGHOST_INPUTS="v${PULUMI_VERSION} ${LANGHOST_PSEUDO} $TC/nodejs/go.mod $TC/pulumi/go.sum"
if err=$(available "${LANGHOST_MODULE}@${LANGHOST_PSEUDO}"); then
  rm -f "$BIN/pulumi-language-nodejs-upstream"
  build pulumi-language-nodejs "v${PULUMI_VERSION} (${LANGHOST_PSEUDO})" "$LANGHOST_INPUTS" build_langhost || rc=1
else
  echo "toolchain: ${LANGHOST_MODULE}@${LANGHOST_PSEUDO} (v${PULUMI_VERSION}): $err" >&2
  echo "toolchain: using the upstream host of sdk/v3 ${UPSTREAM_LANGHOST_SDK} behind test/e2e/langhost instead" >&2
  record "(language host v${PULUMI_VERSION})" "${LANGHOST_PSEUDO}" "UNAVAILABLE from the proxy: $(head -1 <<<"$err")"
  build pulumi-language-nodejs-upstream "pulumi/sdk/v3 ${UPSTREAM_LANGHOST_SDK}" \
    "${UPSTREAM_LANGHOST_SDK} $TC/nodejs-sdk/go.mod $TC/nodejs-sdk/go.sum" build_upstream_langhost || rc=1
  build pulumi-language-nodejs "test/e2e/langhost (pass-through + RunPlugin)" \
    "$HERE/langhost/go.mod $HERE/langhost/go.sum $HERE/langhost/main.go" build_langhost_shim || rc=1
fi

PROVIDER_INPUTS="${PROVIDER_PSEUDO} ${PROVIDER_RELEASE} $TC/kubernetes-provider/go.mod $TC/kubernetes-provider/go.sum"
if [ -x "$BIN/pulumi-resource-kubernetes" ]; then
  record pulumi-resource-kubernetes "v${PROVIDER_RELEASE} (${PROVIDER_PSEUDO})" cached
else
  if err=$(available "${PROVIDER_MODULE}@${PROVIDER_WANTED}"); then
    echo "toolchain: the proxy now serves ${PROVIDER_MODULE}@${PROVIDER_WANTED}: move PROVIDER_PSEUDO to it" >&2
  else
    echo "toolchain: ${PROVIDER_MODULE}@${PROVIDER_WANTED} (the @pulumi/kubernetes version): $err" >&2
    echo "toolchain: building the newest release the proxy serves instead: v${PROVIDER_RELEASE} (${PROVIDER_PSEUDO})" >&2
  fi
  build pulumi-resource-kubernetes "v${PROVIDER_RELEASE} (${PROVIDER_PSEUDO})" "$PROVIDER_INPUTS" build_provider || rc=1
fi

KUBE_INPUTS="${KUBE_VERSION} $TC/kube/go.mod $TC/kube/go.sum"
build kube-apiserver "k8s.io/kubernetes ${KUBE_VERSION}" "$KUBE_INPUTS" build_kube kube-apiserver || rc=1
build kube-controller-manager "k8s.io/kubernetes ${KUBE_VERSION}" "$KUBE_INPUTS" build_kube kube-controller-manager || rc=1
build etcd "go.etcd.io/etcd/server/v3 ${ETCD_VERSION}" "${ETCD_VERSION} $TC/etcd/go.mod $TC/etcd/go.sum" build_etcd || rc=1
if [ -n "$CONTROLLERS" ]; then
  build kube-scheduler "k8s.io/kubernetes ${KUBE_VERSION}" "$KUBE_INPUTS" build_kube kube-scheduler || rc=1
  build kwok "${KWOK_MODULE} ${KWOK_VERSION}" "${KWOK_MODULE} ${KWOK_VERSION} ./cmd/kwok" \
    build_module "$KWOK_MODULE" "$KWOK_VERSION" ./cmd/kwok kwok || rc=1
  build llmisvc-manager "${KSERVE_MODULE} ${KSERVE_VERSION}" "${KSERVE_MODULE} ${KSERVE_VERSION} ./cmd/llmisvc" \
    build_module "$KSERVE_MODULE" "$KSERVE_VERSION" ./cmd/llmisvc llmisvc-manager || rc=1
  build localmodel-manager "${KSERVE_MODULE} ${KSERVE_VERSION}" "${KSERVE_MODULE} ${KSERVE_VERSION} ./cmd/localmodel" \
    build_module "$KSERVE_MODULE" "$KSERVE_VERSION" ./cmd/localmodel localmodel-manager || rc=1
  build localmodelnode-agent "${KSERVE_MODULE} ${KSERVE_VERSION}" "${KSERVE_MODULE} ${KSERVE_VERSION} ./cmd/localmodelnode" \
    build_module "$KSERVE_MODULE" "$KSERVE_VERSION" ./cmd/localmodelnode localmodelnode-agent || rc=1
  build lws-controller "${LWS_MODULE} ${LWS_VERSION}" "${LWS_MODULE} ${LWS_VERSION} ./cmd" \
    build_module "$LWS_MODULE" "$LWS_VERSION" ./cmd lws-controller || rc=1
  build chart-render "test/e2e/chartrender in the provider wrapper" \
    "$TC/kubernetes-provider/go.mod $TC/kubernetes-provider/go.sum $HERE/chartrender/main.go" build_chart_render || rc=1
  chart_sources || rc=1
fi
if [ -n "$ROUTING" ]; then
  build epp "${GIE_MODULE} ${GIE_VERSION}" "${GIE_MODULE} ${GIE_VERSION} ./cmd/epp" \
    build_module "$GIE_MODULE" "$GIE_VERSION" ./cmd/epp epp || rc=1
  build llm-d-inference-sim "${SIM_MODULE} ${SIM_VERSION}" "${SIM_MODULE} ${SIM_VERSION} ./cmd/llm-d-inference-sim CGO_ENABLED=0" \
    build_module_nocgo "$SIM_MODULE" "$SIM_VERSION" ./cmd/llm-d-inference-sim llm-d-inference-sim || rc=1
  build extproc-client "test/e2e/extproc in ${GIE_MODULE} ${GIE_VERSION}" \
    "${GIE_MODULE} ${GIE_VERSION} $HERE/extproc/main.go" build_extproc || rc=1
fi
T1=$(now)

{
  echo "toolchain ($KEY) in $BIN, $(secs "$T0" "$T1")s:"
  printf '  %s\n' "${REPORT[@]}"
} | tee "$OUT/report.txt"
if [ $rc -ne 0 ]; then exit 1; fi
