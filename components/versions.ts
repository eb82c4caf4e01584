// Every upstream version, chart reference and manifest URL modelplane installs, in one place (DESIGN.md §1),
// each overridable from `modelplane:platform.versions` (air-gapped mirrors, local files, pinned upgrades).
//
// The defaults are the set KServe v0.20.0 is tested with: kserve `kserve-deps.env` at tag v0.20.0 (the
// "LLMISvc dependencies" block and the common dependencies) and `hack/setup/quick-install/
// llmisvc-full-install-helm.sh` at v0.20.0, plus the node add-ons. Each entry of CATALOG cites the file that
// states its version. The routing CRDs are the four KServe v0.20.0 ships for itself
// (`config/llmisvc/gateway-inference-extension.yaml`, the chart's `createGIECRDs`), from their own upstreams:
//   GIE v1.5.0 `v1-manifests.yaml` ........ InferencePool inference.networking.k8s.io/v1
//   llm-d-router v0.9.0 `manifests.yaml` .. InferenceObjective / InferenceModelRewrite llm-d.ai/v1alpha2
//   GIE v1.3.1 x-k8s InferencePool ........ inference.networking.x-k8s.io/v1alpha2, which the P/D decode pods'
//                                           routing sidecar waits for (see inferencePoolAlphaCrds below)
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

/** A Helm chart: from an https repository (`repo` + `chart` name), an OCI registry (`repo` = oci://…), or a local path. */
export interface ChartSource {
    type: "chart";
    /** https://… Helm repository or oci://registry/path (the chart name is appended). Absent with `path`. */
    repo?: string;
    chart: string;
    version: string;
    /** Local chart directory or .tgz (air-gapped); wins over repo/chart. */
    path?: string;
}

/** Plain manifests applied as a yaml/v2 ConfigGroup: URLs, local files or directories (their *.yaml). */
export interface ManifestSource {
    type: "manifest";
    /** Upstream version the files belong to (undefined when an override names files only). */
    version?: string;
    files: string[];
}

export interface ImageSource {
    type: "image";
    image: string;
    version: string;
}

export type Source = ChartSource | ManifestSource | ImageSource;

const gh = (repo: string, tag: string, asset: string) => `https://github.com/${repo}/releases/download/${tag}/${asset}`;

/** How each component is defined; manifest URLs are functions of the version so a version override moves them. */
const CATALOG = {
    // kserve-deps.env@v0.20.0 CERT_MANAGER_VERSION=v1.17.0
    certManager: { type: "chart", repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.17.0" },
    // kserve-deps.env@v0.20.0 LWS_VERSION=v0.8.0
    lws: { type: "manifest", version: "v0.8.0", url: (v: string) => gh("kubernetes-sigs/lws", v, "manifests.yaml") },
    // Not in KServe's set: the release before 0.20.0 (gh-pages index.yaml lists 0.19.3 and 0.20.0; 0.20.0 was two
    // days old when pinned).
    nvidiaDevicePlugin: { type: "chart", repo: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.19.3" },
    // Not in KServe's set: EKS GPU node autoscaling (components/cluster/autoscaler.ts). charts/cluster-autoscaler/Chart.yaml
    // at kubernetes/autoscaler tag cluster-autoscaler-chart-9.51.0 (appVersion 1.33.0, the last chart of the 1.33 line);
    // the image tag follows the cluster's Kubernetes minor (CLUSTER_AUTOSCALER_IMAGES).
    clusterAutoscaler: { type: "chart", repo: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.51.0" },
    // Not in KServe's set: helm/provisioner/Chart.yaml at tag v2.9.0 (gh-pages index.yaml).
    localStaticProvisioner: {
        type: "chart", repo: "https://kubernetes-sigs.github.io/sig-storage-local-static-provisioner",
        chart: "local-static-provisioner", version: "2.9.0",
    },
    // Not in KServe's set: deployment/Chart.yaml `version: "4.8.2"` at tag 4.5.3-4.8.2 (NVIDIA/dcgm-exporter, the
    // newest tag when pinned), published at the chart repository its README names.
    dcgmExporter: { type: "chart", repo: "https://nvidia.github.io/dcgm-exporter/helm-charts", chart: "dcgm-exporter", version: "4.8.2" },
    // Built from the provisioner's tag (Makefile STAGINGIMAGENODECLEANUPCONTROLLER at v2.9.0).
    nodeCleanupController: { type: "image", image: "registry.k8s.io/sig-storage/local-volume-node-cleanup", version: "v2.9.0" },
    // kserve-deps.env@v0.20.0 GATEWAY_API_VERSION=v1.5.1 (standard-install.yaml: manage.gateway-api-crd.sh)
    gatewayApiCrds: { type: "manifest", version: "v1.5.1", url: (v: string) => gh("kubernetes-sigs/gateway-api", v, "standard-install.yaml") },
    // kserve-deps.env@v0.20.0 ENVOY_GATEWAY_VERSION=v1.8.1; the CRD-only release asset (envoyproxy/gateway v1.8.1
    // tools/make/kube.mk `generate-manifests`)
    envoyGatewayCrds: { type: "manifest", version: "v1.8.1", url: (v: string) => gh("envoyproxy/gateway", v, "envoy-gateway-crds.yaml") },
    envoyGateway: { type: "chart", repo: "oci://docker.io/envoyproxy", chart: "gateway-helm", version: "v1.8.1" },
    // kserve-deps.env@v0.20.0 ENVOY_AI_GATEWAY_VERSION=v1.0.0 (ai-gateway site/docs/getting-started/installation.md)
    aiGatewayCrds: { type: "chart", repo: "oci://docker.io/envoyproxy", chart: "ai-gateway-crds-helm", version: "v1.0.0" },
    aiGateway: { type: "chart", repo: "oci://docker.io/envoyproxy", chart: "ai-gateway-helm", version: "v1.0.0" },
    // kserve-deps.env@v0.20.0 GIE_VERSION=v1.5.0; `v1-manifests.yaml` (llmisvc-full-install-helm.sh
    // install_gateway_api_extension_crd) = InferencePool inference.networking.k8s.io/v1 only
    inferencePoolCrds: {
        type: "manifest", version: "v1.5.0",
        url: (v: string) => gh("kubernetes-sigs/gateway-api-inference-extension", v, "v1-manifests.yaml"),
    },
    // The x-k8s InferencePool (v1alpha2) that no GIE v1.5.0 manifest has, yet KServe v0.20.0's P/D decode preset
    // runs llm-d-router's routing sidecar with `--pool-group=inference.networking.x-k8s.io`
    // (config/llmisvcconfig/config-llm-decode-template.yaml), and that sidecar waits for an informer cache sync
    // on inferencepools.v1alpha2.inference.networking.x-k8s.io before it listens (llm-d-router v0.9.0
    // pkg/sidecar/proxy). KServe's chart creates it with `createGIECRDs` (charts/kserve-llmisvc-resources
    // templates/_helpers.tpl gieCRDNames at v0.20.0); its bundled copy (config/llmisvc/
    // gateway-inference-extension.yaml) is annotated `inference.networking.k8s.io/bundle-version: v1.3.1` and
    // equals GIE v1.3.1's config/crd/bases file below (same spec; ../shared/crds/kserve/v0.20.0-gie).
    inferencePoolAlphaCrds: {
        type: "manifest", version: "v1.3.1",
        url: (v: string) => `https://raw.githubusercontent.com/kubernetes-sigs/gateway-api-inference-extension/${v}/config/crd/bases/inference.networking.x-k8s.io_inferencepools.yaml`,
    },
    // kserve-deps.env@v0.20.0 LLMD_ROUTER_VERSION=v0.9.0 (manifests.yaml = the llm-d.ai CRDs: Makefile
    // `select(.spec.group == "llm-d.ai")` at v0.9.0; InferenceObjective v1alpha2)
    llmdRouterCrds: { type: "manifest", version: "v0.9.0", url: (v: string) => gh("llm-d/llm-d-router", v, "manifests.yaml") },
    // kserve-deps.env@v0.20.0 KSERVE_VERSION=v0.20.0 (charts/*/Chart.yaml carry one version)
    kserveCrds: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-llmisvc-crd", version: "v0.20.0" },
    kserve: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-llmisvc-resources", version: "v0.20.0" },
    kserveRuntimeConfigs: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-runtime-configs", version: "v0.20.0" },
    kserveLocalModelCrds: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-localmodel-crd", version: "v0.20.0" },
    // KServe's serving CRDs (InferenceService v1beta1 and kin). Installed only with the local model cache: KServe
    // v0.20.0's local-model controller indexes InferenceService objects at start-up and exits without that CRD
    // (pkg/controller/v1alpha1/localmodel/reconcilers/localmodelcache_reconciler.go `IndexField(&v1beta1.InferenceService{}`),
    // found by the controllers e2e. The chart skips clusterstoragecontainers when another release (kserve-llmisvc-crd)
    // owns it (its template's `lookup`).
    kserveServingCrds: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-crd", version: "v0.20.0" },
    kserveLocalModel: { type: "chart", repo: "oci://ghcr.io/kserve/charts", chart: "kserve-localmodel-resources", version: "v0.20.0" },
    // The model-autoscaling stack KServe v0.20.0's KEDA path is tested with (hack/setup/quick-install/definitions/
    // llmisvc/llmisvc-autoscaling-keda-dependency-install.definition: prometheus-helm, keda-helm, wva-helm).
    // kserve-deps.env@v0.20.0 PROMETHEUS_VERSION=83.4.0 (hack/setup/infra/manage.prometheus-helm.sh installs
    // prometheus-community/kube-prometheus-stack as release `prometheus` in `monitoring`)
    prometheusStack: {
        type: "chart", repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "83.4.0",
    },
    // kserve-deps.env@v0.20.0 KEDA_VERSION=2.18.0 (manage.keda-helm.sh: kedacore/keda, release `keda`)
    keda: { type: "chart", repo: "https://kedacore.github.io/charts", chart: "keda", version: "2.18.0" },
    // kserve-deps.env@v0.20.0 WVA_VERSION=v0.7.0; manage.wva-helm.sh installs oci://ghcr.io/llm-d/workload-variant-autoscaler
    // at "${WVA_VERSION#v}" (the chart is semver without the v; llm-d-workload-variant-autoscaler v0.7.0
    // docs/developer-guide/release-process.md: the release workflow sets the chart version from the tag)
    wva: { type: "chart", repo: "oci://ghcr.io/llm-d", chart: "workload-variant-autoscaler", version: "0.7.0" },
} as const;

export type VersionKey = keyof typeof CATALOG;
export const VERSION_KEYS = Object.keys(CATALOG) as VersionKey[];

/**
 * Components that bring CRDs only. Their override may switch between a chart and plain manifests
 * (`files`), so an air-gapped cluster or the offline e2e test can apply the CRDs from local files.
 */
export const CRD_BUNDLE_KEYS = [
    "gatewayApiCrds", "envoyGatewayCrds", "aiGatewayCrds", "inferencePoolCrds", "inferencePoolAlphaCrds", "llmdRouterCrds", "kserveCrds", "kserveLocalModelCrds", "kserveServingCrds",
] as const;

/**
 * The routing CRDs each routing bundle brings at its default version. KServe's chart is installed with
 * `createGIECRDs: false` (components/kserve/values.ts), so these bundles must bring every CRD that the chart
 * would otherwise create (charts/kserve-llmisvc-resources/templates/_helpers.tpl `gieCRDNames` at v0.20.0);
 * test/serving.test.ts checks that against KServe's own bundle.
 */
export const ROUTING_CRDS: Partial<Record<VersionKey, readonly string[]>> = {
    inferencePoolCrds: ["inferencepools.inference.networking.k8s.io"],
    inferencePoolAlphaCrds: ["inferencepools.inference.networking.x-k8s.io"],
    llmdRouterCrds: ["inferenceobjectives.llm-d.ai", "inferencemodelrewrites.llm-d.ai"],
};

const same = (v: string) => v;
const vPrefixed = (v: string) => (v.startsWith("v") ? v : `v${v}`);
/** Components released in lockstep with another: key → [leader, leader version → own version]. */
const FOLLOWS: Partial<Record<VersionKey, [VersionKey, (v: string) => string]>> = {
    envoyGatewayCrds: ["envoyGateway", same],
    aiGatewayCrds: ["aiGateway", same],
    kserveCrds: ["kserve", same],
    kserveRuntimeConfigs: ["kserve", same],
    kserveLocalModelCrds: ["kserve", same],
    kserveServingCrds: ["kserve", same],
    kserveLocalModel: ["kserve", same],
    // The node-cleanup image is tagged like the provisioner release (chart 2.9.0 ↔ image v2.9.0).
    nodeCleanupController: ["localStaticProvisioner", vPrefixed],
};

type Catalog = typeof CATALOG;
type SourceOf<E> = E extends { type: "chart" } ? ChartSource : E extends { type: "manifest" } ? ManifestSource : ImageSource;
/** Resolved sources; CRD bundles may be a chart or manifests, whatever the default. */
export type Versions = { [K in VersionKey]: K extends (typeof CRD_BUNDLE_KEYS)[number] ? ChartSource | ManifestSource : SourceOf<Catalog[K]> };

/**
 * One override, as written under `modelplane:platform.versions.<key>`:
 * - a string: the version (`v1.8.3`); manifest URLs follow it;
 * - charts: `{ version?, repo?, chart?, path? }` (a mirror registry, a renamed chart, a local chart, whose version is
 *   its Chart.yaml's: a `version` beside `path` must agree with it);
 * - manifests: `{ version?, files? }` (`files`: URLs, local files or directories, one or a list);
 * - CRD bundles also take `files` when their default is a chart (the chart is then not used), and a local chart
 *   (`path`) when their default is manifests (a Helm release of that chart, components/addons/install.ts crdBundle);
 * - images: `{ version?, image? }` (a mirror repository).
 */
export type VersionOverride = string | {
    version?: string;
    repo?: string;
    chart?: string;
    path?: string;
    files?: string | string[];
    image?: string;
};

export type VersionOverrides = Partial<Record<VersionKey, VersionOverride>>;

const VERSION_RE = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function isRemote(f: string): boolean {
    return /^(https?|oci):\/\//.test(f);
}

/** Local directories become their *.yaml / *.yml files (sorted), so the plan shows exactly what is applied. */
function expandFiles(files: string[], baseDir: string): string[] {
    const out: string[] = [];
    for (const f of files) {
        const abs = path.resolve(baseDir, f);
        if (!isRemote(f) && fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
            const yamls = fs.readdirSync(abs).filter((n) => /\.ya?ml$/.test(n)).sort();
            out.push(...yamls.map((n) => path.join(f, n)));
        } else {
            out.push(f);
        }
    }
    return out;
}

/**
 * The `version` a local chart's Chart.yaml states: what a release of it installs, whatever the catalog's default
 * (a .tgz, or a directory without a readable Chart.yaml, has none here). undefined when unknown.
 */
export function localChartVersion(chartPath: string, baseDir = process.cwd()): string | undefined {
    const file = path.join(path.resolve(baseDir, chartPath), "Chart.yaml");
    if (!fs.existsSync(file)) return undefined;
    try {
        const v = (YAML.parse(fs.readFileSync(file, "utf8")) as { version?: unknown } | null)?.version;
        return typeof v === "string" && VERSION_RE.test(v) ? v : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The sources to install: defaults with `overrides` applied. Call `validateVersionOverrides` first (config
 * does): this function trusts the shape. Relative local paths resolve from `baseDir` (the project directory,
 * where `pulumi up` and the plan run).
 */
export function resolveVersions(overrides: Record<string, unknown> = {}, baseDir = process.cwd()): Versions {
    const out: Record<string, Source> = {};
    const overrideOf = (key: VersionKey) => {
        const raw = overrides[key] as VersionOverride | undefined;
        return typeof raw === "string" ? { version: raw } : (raw ?? {});
    };
    // A follower takes its leader's overridden version unless it is pinned itself, so `kserve: v0.21.0`
    // moves all five KServe charts and `envoyGateway: v1.8.3` moves its CRDs too.
    const defaultVersion = (key: VersionKey): string => {
        const follow = FOLLOWS[key];
        const lv = follow ? overrideOf(follow[0]).version : undefined;
        return follow && lv ? follow[1](lv) : CATALOG[key].version;
    };
    for (const key of VERSION_KEYS) {
        const def = CATALOG[key];
        const o = overrideOf(key);
        const files = o.files === undefined ? undefined : Array.isArray(o.files) ? o.files : [o.files];
        // A local chart installs the version its Chart.yaml states, so that is the one the compatibility rules check.
        const version = o.version ?? (o.path ? localChartVersion(o.path, baseDir) : undefined) ?? defaultVersion(key);
        switch (def.type) {
            case "chart":
                out[key] = files
                    ? { type: "manifest", version: o.version, files: expandFiles(files, baseDir) }
                    : { type: "chart", repo: o.repo ?? def.repo, chart: o.chart ?? def.chart, version, ...(o.path ? { path: o.path } : {}) };
                break;
            case "manifest":
                out[key] = files
                    ? { type: "manifest", version: o.version, files: expandFiles(files, baseDir) }
                    : o.path
                        ? { type: "chart", chart: path.basename(path.resolve(baseDir, o.path)), version, path: o.path }
                        : { type: "manifest", version, files: [def.url(version)] };
                break;
            case "image":
                out[key] = { type: "image", image: o.image ?? def.image, version };
                break;
        }
    }
    return out as Versions;
}

/** The version a component is pinned to, if known (a files-only override has none). */
export function versionOf(s: Source): string | undefined {
    return s.version;
}

// ---------------------------------------------------------------------------------------------------
// Validation

export interface VersionIssue {
    path: string;
    message: string;
}

const PATH = "modelplane:platform.versions";

interface SemVer { major: number; minor: number; patch: number }

export function parseVersion(v: string | undefined): SemVer | undefined {
    const m = v?.match(/^v?(\d+)\.(\d+)\.(\d+)/);
    return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) } : undefined;
}

function cmp(a: SemVer, b: SemVer): number {
    return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const fmt = (v: SemVer) => `v${v.major}.${v.minor}.${v.patch}`;

/**
 * Envoy AI Gateway → Envoy Gateway and Gateway API it is tested with (envoyproxy/ai-gateway
 * site/docs/compatibility.md at v1.0.0 and v1.1.0; `egMinVersion` 1.8.1 in site/docs/_vars.json).
 * Keyed by AI Gateway minor; newer AI Gateway minors are held to the newest row.
 */
const AI_GATEWAY_COMPAT: { aiGateway: string; minEnvoyGateway: string; gatewayApiMinor: string }[] = [
    { aiGateway: "0.5", minEnvoyGateway: "1.6.0", gatewayApiMinor: "1.4" },
    { aiGateway: "0.6", minEnvoyGateway: "1.7.0", gatewayApiMinor: "1.4" },
    { aiGateway: "0.7", minEnvoyGateway: "1.8.0", gatewayApiMinor: "1.5" },
    { aiGateway: "1.0", minEnvoyGateway: "1.8.1", gatewayApiMinor: "1.5" },
];

/** CRD bundles whose version must equal their controller's: a controller against other CRDs misreads objects. */
const SAME_VERSION: [VersionKey, VersionKey, string][] = [
    ["envoyGatewayCrds", "envoyGateway", "Envoy Gateway's CRDs and controller are released together"],
    ["aiGatewayCrds", "aiGateway", "Envoy AI Gateway's CRD chart and controller chart are released together"],
    ["kserveCrds", "kserve", "KServe's charts are released together (charts/*/Chart.yaml carry one version)"],
    ["kserveRuntimeConfigs", "kserve", "the presets in kserve-runtime-configs match the controller of the same release"],
    ["kserveLocalModelCrds", "kserve", "KServe's charts are released together"],
    ["kserveServingCrds", "kserve", "KServe's charts are released together"],
    ["kserveLocalModel", "kserve", "KServe's charts are released together"],
];

function checkShape(key: VersionKey, raw: unknown, add: (p: string, m: string) => void): void {
    const at = `${PATH}.${key}`;
    const def = CATALOG[key];
    const crdBundle = (CRD_BUNDLE_KEYS as readonly string[]).includes(key);
    if (typeof raw === "string") {
        if (!VERSION_RE.test(raw)) add(at, `"${raw}" is not a version such as ${def.version}`);
        return;
    }
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
        add(at, `must be a version string (e.g. ${def.version}) or an object`);
        return;
    }
    const allowed = def.type === "chart" ? ["version", "repo", "chart", "path", ...(crdBundle ? ["files"] : [])]
        : def.type === "manifest" ? ["version", "files", ...(crdBundle ? ["path"] : [])] : ["version", "image"];
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) {
        if (!allowed.includes(k)) add(`${at}.${k}`, `unknown key; ${key} takes ${allowed.join(", ")}`);
    }
    if (o.version !== undefined && (typeof o.version !== "string" || !VERSION_RE.test(o.version))) {
        add(`${at}.version`, `must be a version such as ${def.version}`);
    }
    for (const k of ["repo", "chart", "path", "image"]) {
        if (o[k] !== undefined && (typeof o[k] !== "string" || (o[k] as string).length === 0)) add(`${at}.${k}`, "must be a non-empty string");
    }
    if (typeof o.repo === "string" && !/^(https?|oci):\/\//.test(o.repo)) add(`${at}.repo`, "must be an https:// Helm repository or an oci:// registry path");
    if (o.files !== undefined && allowed.includes("files")) {
        const files = Array.isArray(o.files) ? o.files : [o.files];
        if (files.length === 0) add(`${at}.files`, "must name at least one file, directory or URL");
        files.forEach((f, i) => {
            const fp = Array.isArray(o.files) ? `${at}.files[${i}]` : `${at}.files`;
            if (typeof f !== "string" || f.length === 0) add(fp, "must be a non-empty string (URL, file or directory)");
            else if (!isRemote(f) && !fs.existsSync(path.resolve(f))) {
                add(fp, `${f} does not exist (relative paths are resolved from the project directory, ${process.cwd()})`);
            }
        });
        if (o.path !== undefined || o.repo !== undefined || o.chart !== undefined) add(`${at}.files`, "cannot be combined with repo, chart or path");
    }
    if (typeof o.path === "string" && !fs.existsSync(path.resolve(o.path))) {
        add(`${at}.path`, `${o.path} does not exist (relative paths are resolved from the project directory, ${process.cwd()})`);
    } else if (typeof o.path === "string" && typeof o.version === "string") {
        const stated = localChartVersion(o.path);
        const [a, b] = [parseVersion(stated), parseVersion(o.version)];
        if (a && b && cmp(a, b) !== 0) {
            add(`${at}.version`, `${o.version} is not the version of the chart at ${o.path} (its Chart.yaml says ${stated}); remove the key or correct it`);
        }
    }
}

/**
 * Checks `modelplane:platform.versions`: unknown keys, shapes, and the compatibility rules upstream states.
 * `context.aiGateway: false` (platform.gateway.aiGateway) skips the AI Gateway rules: it is not installed.
 * Every issue carries its config path (`modelplane:platform.versions.<key>`), so config.ts reports them
 * with the other config errors before anything is registered.
 */
export function validateVersionOverrides(overrides: Record<string, unknown> | undefined, context: { aiGateway?: boolean } = {}): VersionIssue[] {
    const issues: VersionIssue[] = [];
    const add = (p: string, message: string) => issues.push({ path: p, message });
    const o = overrides ?? {};
    let shapesOk = true;
    for (const [key, raw] of Object.entries(o)) {
        if (!(VERSION_KEYS as string[]).includes(key)) {
            add(`${PATH}.${key}`, `unknown key; known: ${VERSION_KEYS.join(", ")}`);
            shapesOk = false;
            continue;
        }
        const before = issues.length;
        checkShape(key as VersionKey, raw, add);
        if (issues.length > before) shapesOk = false;
    }
    if (!shapesOk) return issues;

    const v = resolveVersions(o);
    const ver = (k: VersionKey) => parseVersion(versionOf(v[k]));
    // Blame the key the user changed (the other side is a default they may not know about).
    const blame = (a: VersionKey, b: VersionKey) => `${PATH}.${a in o ? a : b}`;

    // Rule 1 (AI Gateway compatibility matrix): Envoy AI Gateway v1.0.x needs Envoy Gateway ≥ v1.8.1 and
    // Gateway API v1.5.x. EG below that lacks the extension-manager behaviour AI Gateway's xDS hooks rely on.
    const aigw = ver("aiGateway");
    if (aigw && context.aiGateway !== false) {
        const row = [...AI_GATEWAY_COMPAT].reverse().find((r) => cmp(aigw, parseVersion(`${r.aiGateway}.0`)!) >= 0);
        const eg = ver("envoyGateway");
        if (row && eg && cmp(eg, parseVersion(row.minEnvoyGateway)!) < 0) {
            add(blame("envoyGateway", "aiGateway"),
                `Envoy AI Gateway ${fmt(aigw)} needs Envoy Gateway ≥ v${row.minEnvoyGateway} (ai-gateway site/docs/compatibility.md); ` +
                `envoyGateway is ${fmt(eg)}`);
        }
        const gwapi = ver("gatewayApiCrds");
        if (row && gwapi && `${gwapi.major}.${gwapi.minor}` !== row.gatewayApiMinor) {
            add(blame("gatewayApiCrds", "aiGateway"),
                `Envoy AI Gateway ${fmt(aigw)} is tested with Gateway API v${row.gatewayApiMinor}.x (ai-gateway site/docs/compatibility.md); ` +
                `gatewayApiCrds is ${fmt(gwapi)}`);
        }
    }

    // Rule 2: KServe's llmisvc controller (≥ v0.17, kserve PR #4886) schedules through InferencePool
    // inference.networking.k8s.io/v1, which GIE ships from v1.0.0 (GA); older bundles only have v1alpha2.
    const ks = ver("kserve");
    const gie = ver("inferencePoolCrds");
    if (ks && gie && cmp(ks, { major: 0, minor: 17, patch: 0 }) >= 0 && gie.major < 1) {
        add(blame("inferencePoolCrds", "kserve"),
            `KServe ${fmt(ks)} needs the InferencePool v1 API (inference.networking.k8s.io/v1), first in GIE v1.0.0; inferencePoolCrds is ${fmt(gie)}`);
    }

    // Rule 3: CRD bundles and their controllers move together.
    for (const [a, b, why] of SAME_VERSION) {
        const va = ver(a);
        const vb = ver(b);
        if (va && vb && cmp(va, vb) !== 0) add(blame(a, b), `${a} (${fmt(va)}) and ${b} (${fmt(vb)}) must be the same version: ${why}`);
    }
    return issues;
}
