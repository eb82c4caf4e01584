// Grafana dashboards as code: pure builders of classic dashboard JSON, typed with Grafana's own generated schema
// types (@grafana/schema, the `Dashboard` model of Grafana's dashboard kind), and the ConfigMaps the Grafana
// sidecar of kube-prometheus-stack loads (label grafana_dashboard=1 in any namespace: the chart's
// grafana.sidecar.dashboards defaults at 83.4.0).
//
//   modelplane / model  one dashboard, variables namespace + model (an LLMInferenceService): requests, TTFT,
//                        inter-token latency, KV-cache use, queue depth, prefix-cache hit rate, tokens, GPUs
//   modelplane / team   one dashboard, variable team: GPUs requested vs the team's quota, GPU use of its pods
//   modelplane / pool   one per GPU pool: GPU utilisation and memory, nodes vs the pool's maxNodes
// One templated dashboard serves every model and team (hundreds of models would otherwise be hundreds of
// ConfigMaps and a dashboard list nobody can browse); pools are few and each has a constant (maxNodes), so each
// gets its own. Every series used is listed in metrics.ts (a test holds the dashboards to that list).
import type { Dashboard, Panel, VariableModel } from "@grafana/schema";
import { GpuPoolConfig, PlatformConfig } from "../config";
import { RESOURCE_QUOTA_NAME } from "../tenancy/objects";
import { GPU_RESOURCE, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { TARGET_LABELS } from "./metrics";
import { gpuPools } from "../addons/scheduling";

/** Classic dashboard JSON version the builders write (Grafana migrates older versions on load, never newer). */
export const SCHEMA_VERSION = 39;
/** The kube-prometheus-stack sidecar's default label (grafana.sidecar.dashboards.label / labelValue). */
export const DASHBOARD_LABEL = { key: "grafana_dashboard", value: "1" } as const;
/** Annotation naming the Grafana folder (the values set grafana.sidecar.dashboards.folderAnnotation to it). */
export const FOLDER_ANNOTATION = "grafana_folder";
export const FOLDER = "modelplane";

const DS = { type: "prometheus", uid: "${datasource}" };

let panelId = 0;
interface Query { expr: string; legend: string }
interface PanelSpec { title: string; description: string; unit: string; queries: Query[]; type?: "timeseries" | "stat"; w?: number; h?: number; max?: number }

/** Lays panels out left to right, two per row unless a width says otherwise (the grid is 24 wide). */
function layout(specs: PanelSpec[]): Panel[] {
    let x = 0;
    let y = 0;
    let rowH = 0;
    panelId = 0;
    return specs.map((s) => {
        const w = s.w ?? 12;
        const h = s.h ?? 8;
        if (x + w > 24) { x = 0; y += rowH; rowH = 0; }
        const panel: Panel = {
            id: ++panelId,
            type: s.type ?? "timeseries",
            title: s.title,
            description: s.description,
            datasource: DS,
            gridPos: { x, y, w, h },
            fieldConfig: { defaults: { unit: s.unit, ...(s.max !== undefined ? { min: 0, max: s.max } : {}) }, overrides: [] },
            options: s.type === "stat" ? { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } } : { legend: { displayMode: "list", placement: "bottom", showLegend: true } },
            targets: s.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: q.expr, legendFormat: q.legend })),
        };
        x += w;
        rowH = Math.max(rowH, h);
        return panel;
    });
}

const datasourceVariable: VariableModel = {
    name: "datasource", label: "Data source", type: "datasource", query: "prometheus",
    current: { text: "Prometheus", value: "prometheus" }, hide: 0,
};

function queryVariable(name: string, label: string, query: string): VariableModel {
    return {
        // A plain-string query: Grafana's Prometheus data source reads label_values(…) from it in every version.
        name, label, type: "query", datasource: DS, query,
        refresh: 2, sort: 1, includeAll: false, multi: false, hide: 0,
    };
}

function dashboard(uid: string, title: string, description: string, variables: VariableModel[], panels: PanelSpec[]): Dashboard {
    return {
        uid, title, description,
        tags: ["modelplane"],
        schemaVersion: SCHEMA_VERSION,
        editable: false,
        graphTooltip: 1,
        time: { from: "now-6h", to: "now" },
        refresh: "30s",
        timezone: "browser",
        templating: { list: [datasourceVariable, ...variables] },
        panels: layout(panels),
        links: [{ title: "modelplane", type: "dashboards", tags: ["modelplane"], asDropdown: true, icon: "external link", includeVars: false, keepTime: true, targetBlank: false, tooltip: "", url: "" }],
    };
}

const RATE = "$__rate_interval";
const quantiles = (metric: string, sel: string): Query[] => [0.5, 0.95, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket{${sel}}[${RATE}])))`,
    legend: `p${Math.round(q * 100)}`,
}));

/** The per-model dashboard: one LLMInferenceService's vLLM pods (the `llmisvc` label the PodMonitors add). */
export function modelDashboard(): Dashboard {
    const sel = `namespace="$namespace", ${TARGET_LABELS.llmisvc}="$model"`;
    return dashboard("modelplane-model", "modelplane / model",
        "One model (LLMInferenceService): vLLM's request, latency, KV-cache and prefix-cache metrics over all of its pods.",
        [
            queryVariable("namespace", "Team", `label_values(vllm:num_requests_running, namespace)`),
            queryVariable("model", "Model", `label_values(vllm:num_requests_running{namespace="$namespace"}, ${TARGET_LABELS.llmisvc})`),
        ],
        [
            { title: "Requests finished / s", description: "vllm:request_success by finished_reason.", unit: "reqps",
                queries: [{ expr: `sum by (finished_reason) (rate(vllm:request_success_total{${sel}}[${RATE}]))`, legend: "{{finished_reason}}" }] },
            { title: "Requests running and waiting", description: "vllm:num_requests_running and vllm:num_requests_waiting, summed over the pods.", unit: "short",
                queries: [
                    { expr: `sum(vllm:num_requests_running{${sel}})`, legend: "running" },
                    { expr: `sum(vllm:num_requests_waiting{${sel}})`, legend: "waiting" },
                ] },
            { title: "Time to first token", description: "vllm:time_to_first_token_seconds quantiles.", unit: "s",
                queries: quantiles("vllm:time_to_first_token_seconds", sel) },
            { title: "Inter-token latency", description: "vllm:inter_token_latency_seconds quantiles.", unit: "s",
                queries: quantiles("vllm:inter_token_latency_seconds", sel) },
            { title: "KV-cache use per pod", description: "vllm:kv_cache_usage_perc (1 = full: requests get preempted).", unit: "percentunit", max: 1,
                queries: [{ expr: `max by (pod) (vllm:kv_cache_usage_perc{${sel}})`, legend: "{{pod}}" }] },
            { title: "Queue depth per pod", description: "vllm:num_requests_waiting per pod: requests not yet scheduled.", unit: "short",
                queries: [{ expr: `sum by (pod) (vllm:num_requests_waiting{${sel}})`, legend: "{{pod}}" }] },
            { title: "Prefix-cache hit rate", description: "Cached tokens over queried tokens (vllm:prefix_cache_hits / vllm:prefix_cache_queries): what prefix-aware routing buys.", unit: "percentunit", max: 1,
                queries: [{ expr: `sum(rate(vllm:prefix_cache_hits_total{${sel}}[${RATE}])) / sum(rate(vllm:prefix_cache_queries_total{${sel}}[${RATE}]))`, legend: "hit rate" }] },
            { title: "Tokens / s", description: "vllm:prompt_tokens and vllm:generation_tokens.", unit: "short",
                queries: [
                    { expr: `sum(rate(vllm:prompt_tokens_total{${sel}}[${RATE}]))`, legend: "prompt" },
                    { expr: `sum(rate(vllm:generation_tokens_total{${sel}}[${RATE}]))`, legend: "generated" },
                ] },
            { title: "End-to-end latency", description: "vllm:e2e_request_latency_seconds quantiles.", unit: "s",
                queries: quantiles("vllm:e2e_request_latency_seconds", sel) },
            { title: "GPU utilisation per pod", description: "DCGM_FI_DEV_GPU_UTIL of the GPUs the model's pods hold (workers included).", unit: "percent", max: 100,
                queries: [{ expr: `avg by (pod) (DCGM_FI_DEV_GPU_UTIL{namespace="$namespace", pod=~"$model-kserve-.*"})`, legend: "{{pod}}" }] },
        ]);
}

/** The per-team dashboard: GPUs the team's pods request against its ResourceQuota, and what they do with them. */
export function teamDashboard(): Dashboard {
    const quota = (type: "used" | "hard") =>
        `sum(kube_resourcequota{namespace="$team", resourcequota="${RESOURCE_QUOTA_NAME}", resource="requests.${GPU_RESOURCE}", type="${type}"})`;
    return dashboard("modelplane-team", "modelplane / team",
        "One team (namespace): GPUs requested against its GPU ResourceQuota, and the utilisation of the GPUs its pods hold.",
        [queryVariable("team", "Team", `label_values(kube_resourcequota{resourcequota="${RESOURCE_QUOTA_NAME}"}, namespace)`)],
        [
            { title: "GPUs requested", description: "requests.nvidia.com/gpu used (kube-state-metrics).", unit: "short", type: "stat", w: 6,
                queries: [{ expr: quota("used"), legend: "used" }] },
            { title: "GPU quota", description: "requests.nvidia.com/gpu hard limit of the team's ResourceQuota.", unit: "short", type: "stat", w: 6,
                queries: [{ expr: quota("hard"), legend: "quota" }] },
            { title: "Quota used", description: "Requested GPUs over the quota.", unit: "percentunit", type: "stat", w: 12, max: 1,
                queries: [{ expr: `${quota("used")} / ${quota("hard")}`, legend: "used" }] },
            { title: "GPUs requested vs quota", description: "Over time: what the team asks for against what it may ask for.", unit: "short",
                queries: [{ expr: quota("used"), legend: "requested" }, { expr: quota("hard"), legend: "quota" }] },
            { title: "GPU utilisation", description: "Mean DCGM_FI_DEV_GPU_UTIL of the GPUs the team's pods hold, and GPUs held.", unit: "percent",
                queries: [
                    { expr: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="$team"})`, legend: "utilisation %" },
                    { expr: `count(DCGM_FI_DEV_GPU_UTIL{namespace="$team"})`, legend: "GPUs held" },
                ] },
            { title: "GPU memory used per pod", description: "DCGM_FI_DEV_FB_USED summed over each pod's GPUs.", unit: "decmbytes", w: 24,
                queries: [{ expr: `sum by (pod) (DCGM_FI_DEV_FB_USED{namespace="$team"})`, legend: "{{pod}}" }] },
        ]);
}

/** The dashboard of one GPU pool: DCGM series labelled with the pool by the DCGM ServiceMonitor. */
export function poolDashboard(pool: GpuPoolConfig): Dashboard {
    const sel = `${TARGET_LABELS.pool}="${pool.name}"`;
    return dashboard(`modelplane-pool-${pool.name}`, `modelplane / pool ${pool.name}`,
        `GPU pool ${pool.name} (${pool.accelerator}, ${pool.gpusPerNode} GPUs per node, at most ${pool.maxNodes} nodes).`,
        [],
        [
            { title: "GPU utilisation", description: "Mean DCGM_FI_DEV_GPU_UTIL over the pool's GPUs.", unit: "percent", type: "stat", w: 8, max: 100,
                queries: [{ expr: `avg(DCGM_FI_DEV_GPU_UTIL{${sel}})`, legend: "utilisation" }] },
            { title: "GPU memory used", description: "DCGM_FI_DEV_FB_USED over used + free, the pool's GPUs together.", unit: "percentunit", type: "stat", w: 8, max: 1,
                queries: [{ expr: `sum(DCGM_FI_DEV_FB_USED{${sel}}) / (sum(DCGM_FI_DEV_FB_USED{${sel}}) + sum(DCGM_FI_DEV_FB_FREE{${sel}}))`, legend: "memory" }] },
            { title: "Nodes", description: `GPU nodes reporting (one DCGM exporter each) against the pool's maxNodes (${pool.maxNodes}).`, unit: "short", type: "stat", w: 8,
                queries: [{ expr: `count(count by (Hostname) (DCGM_FI_DEV_GPU_UTIL{${sel}}))`, legend: "nodes" }] },
            { title: "Nodes vs max", description: "GPU nodes over time against maxNodes: the headroom the autoscaler has left.", unit: "short",
                queries: [
                    { expr: `count(count by (Hostname) (DCGM_FI_DEV_GPU_UTIL{${sel}}))`, legend: "nodes" },
                    { expr: `vector(${pool.maxNodes})`, legend: "max" },
                ] },
            { title: "GPU utilisation per node", description: "Mean DCGM_FI_DEV_GPU_UTIL of each node's GPUs.", unit: "percent", max: 100,
                queries: [{ expr: `avg by (Hostname) (DCGM_FI_DEV_GPU_UTIL{${sel}})`, legend: "{{Hostname}}" }] },
            { title: "GPUs held by pods", description: "GPUs that a pod holds (DCGM names the pod) against all of the pool's GPUs.", unit: "short",
                queries: [
                    { expr: `count(DCGM_FI_DEV_GPU_UTIL{${sel}, pod!=""})`, legend: "held" },
                    { expr: `count(DCGM_FI_DEV_GPU_UTIL{${sel}})`, legend: "all" },
                ] },
        ]);
}

/** Every dashboard of the stack: model and team, and one per GPU pool. */
export function dashboards(cfg: PlatformConfig): Dashboard[] {
    return [modelDashboard(), teamDashboard(), ...gpuPools(cfg.gpuPools).map(poolDashboard)];
}

export interface ConfigMapObject {
    apiVersion: "v1";
    kind: "ConfigMap";
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    data: Record<string, string>;
}

/** The ConfigMap the Grafana sidecar turns into a dashboard (file `<uid>.json`). */
export function dashboardConfigMap(d: Dashboard, namespace: string): ConfigMapObject {
    const uid = d.uid!;
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: `dashboard-${uid}`,
            namespace,
            labels: { [DASHBOARD_LABEL.key]: DASHBOARD_LABEL.value, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
            annotations: { [FOLDER_ANNOTATION]: FOLDER },
        },
        data: { [`${uid}.json`]: JSON.stringify(d, null, 2) },
    };
}
