// Pure builders of the prometheus-operator monitors (monitoring.coreos.com/v1, prometheus-operator v0.90.1,
// kube-prometheus-stack 83.4.0's CRDs) that make Prometheus scrape every modelplane workload:
//   per model ..... PodMonitor of its vLLM pods (+ one for P/D decode pods), ServiceMonitor of its endpoint picker
//   platform ...... PodMonitor of the gateway's Envoy proxies, ServiceMonitor of KServe's controller,
//                   ServiceMonitor of DCGM on the GPU nodes (with each node's modelplane pool as a label)
// The facts about the targets (labels, ports, auth) are in targets.ts.
import { GpuPoolConfig, ModelConfig } from "../config";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, MODEL_LABEL } from "../../lib/labels";
import { TARGET_LABELS } from "./metrics";
import {
    DCGM_METRICS, DCGM_NAMESPACE, DCGM_SERVICE_LABELS, ENVOY_METRICS, ENVOY_PROXY_LABELS, EPP_METRICS, KSERVE_COMPONENTS,
    KSERVE_CONTROLLER_SERVICE, KSERVE_POD_LABELS, SERVICE_ACCOUNT_TOKEN_FILE, VLLM_METRICS,
} from "./targets";

export const MONITORING_API_VERSION = "monitoring.coreos.com/v1";

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}
export interface RelabelConfig {
    sourceLabels?: string[];
    separator?: string;
    regex?: string;
    targetLabel?: string;
    replacement?: string;
    action?: "replace" | "keep" | "drop" | "labeldrop" | "labelkeep";
}
interface Endpoint {
    path: string;
    scheme?: "http" | "https";
    interval?: string;
    honorLabels?: boolean;
    tlsConfig?: { insecureSkipVerify: boolean };
    relabelings?: RelabelConfig[];
}
/** PodMonitor podMetricsEndpoints[]: a named container port or its number. */
export interface PodMetricsEndpoint extends Endpoint {
    port?: string;
    portNumber?: number;
}
/** ServiceMonitor endpoints[]: a named Service port. */
export interface ServiceEndpoint extends Endpoint {
    port: string;
    bearerTokenFile?: string;
}
interface Meta {
    name: string;
    namespace: string;
    labels: Record<string, string>;
}
export interface PodMonitorObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "PodMonitor";
    metadata: Meta;
    spec: { selector: LabelSelector; namespaceSelector: { matchNames: string[] }; podMetricsEndpoints: PodMetricsEndpoint[] };
}
export interface ServiceMonitorObject {
    apiVersion: typeof MONITORING_API_VERSION;
    kind: "ServiceMonitor";
    metadata: Meta;
    spec: {
        selector: LabelSelector;
        namespaceSelector: { matchNames: string[] };
        endpoints: ServiceEndpoint[];
        attachMetadata?: { node: boolean };
    };
}
export type MonitorObject = PodMonitorObject | ServiceMonitorObject;

const baseLabels = (extra: Record<string, string> = {}): Record<string, string> => ({ [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...extra });

/** A Kubernetes label name as Prometheus's service discovery spells it in `__meta_…_label_<name>`. */
export function promLabelName(label: string): string {
    return label.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** A string matched literally by an RE2 regex (Prometheus anchors relabel regexes). */
function literal(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Copies two pod labels onto every vLLM series: the LLMInferenceService (dashboards select by it) and the llm-d role. */
const vllmRelabelings: RelabelConfig[] = [
    { sourceLabels: [`__meta_kubernetes_pod_label_${promLabelName(KSERVE_POD_LABELS.name)}`], targetLabel: TARGET_LABELS.llmisvc, action: "replace" },
    { sourceLabels: [`__meta_kubernetes_pod_label_${promLabelName(KSERVE_POD_LABELS.role)}`], targetLabel: TARGET_LABELS.role, action: "replace" },
];

/**
 * The model's vLLM pods: every pod KServe gives kserve.io/component=workload (single, LWS leaders, prefill, P/D
 * decode), scraped at vLLM's /metrics. P/D decode pods get a second monitor on port 8001, since their 8000 is the
 * routing sidecar (targets.ts VLLM_METRICS); the first excludes them. `portNumber` keeps only pods whose
 * containers declare that port (prometheus-operator v0.90.1 pkg/prometheus/promcfg.go: a `keep` on
 * __meta_kubernetes_pod_container_port_number) (KServe's presets declare 8000, and 8001 on the decode container). LWS workers run
 * vLLM headless (no HTTP server: modelplane's pipeline-parallel preset and KServe's data-parallel preset both pass
 * `--headless`), so there is nothing to scrape on them; their GPUs are in DCGM's series, with the pod's name.
 */
export function buildModelPodMonitors(m: ModelConfig, namespace: string): PodMonitorObject[] {
    const selector = (role: LabelSelector["matchExpressions"]): LabelSelector => ({
        matchLabels: {
            [KSERVE_POD_LABELS.name]: m.name,
            [KSERVE_POD_LABELS.partOf]: KSERVE_COMPONENTS.partOf,
            [KSERVE_POD_LABELS.workload]: KSERVE_COMPONENTS.workload,
        },
        matchExpressions: role,
    });
    const monitor = (name: string, sel: LabelSelector, portNumber: number): PodMonitorObject => ({
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name, namespace, labels: baseLabels({ [MODEL_LABEL]: m.name }) },
        spec: {
            selector: sel,
            namespaceSelector: { matchNames: [namespace] },
            podMetricsEndpoints: [{ portNumber, path: VLLM_METRICS.path, scheme: "http", relabelings: vllmRelabelings }],
        },
    });
    const out = [monitor(`${m.name}-vllm`, selector([{ key: KSERVE_POD_LABELS.role, operator: "NotIn", values: ["decode"] }]), VLLM_METRICS.port)];
    if (m.prefill) {
        out.push(monitor(`${m.name}-vllm-decode`, selector([{ key: KSERVE_POD_LABELS.role, operator: "In", values: ["decode"] }]), VLLM_METRICS.decodePort));
    }
    return out;
}

/**
 * The model's endpoint picker, through the Service KServe gives it (`<name>-epp-service`, port `metrics`), with
 * the Prometheus ServiceAccount's token: the EPP checks it (targets.ts EPP_METRICS).
 */
export function buildEppServiceMonitor(m: ModelConfig, namespace: string): ServiceMonitorObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: `${m.name}-epp`, namespace, labels: baseLabels({ [MODEL_LABEL]: m.name }) },
        spec: {
            selector: {
                matchLabels: {
                    [KSERVE_POD_LABELS.component]: KSERVE_COMPONENTS.scheduler,
                    [KSERVE_POD_LABELS.name]: m.name,
                    [KSERVE_POD_LABELS.partOf]: KSERVE_COMPONENTS.partOf,
                },
            },
            namespaceSelector: { matchNames: [namespace] },
            endpoints: [{ port: EPP_METRICS.portName, path: EPP_METRICS.path, scheme: "http", bearerTokenFile: SERVICE_ACCOUNT_TOKEN_FILE }],
        },
    };
}

/** Every monitor of one model. */
export function buildModelMonitors(m: ModelConfig, namespace: string): MonitorObject[] {
    return [...buildModelPodMonitors(m, namespace), buildEppServiceMonitor(m, namespace)];
}

/**
 * The gateway's Envoy proxies, wherever Envoy Gateway runs them: its controller namespace, or the Gateway's own
 * with gateway namespace mode (the same namespaces the team NetworkPolicies admit, tenancy gatewayNamespaces).
 */
export function buildEnvoyPodMonitor(namespaces: string[], monitorNamespace: string): PodMonitorObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "PodMonitor",
        metadata: { name: "envoy-proxies", namespace: monitorNamespace, labels: baseLabels() },
        spec: {
            selector: { matchLabels: { ...ENVOY_PROXY_LABELS } },
            namespaceSelector: { matchNames: [...namespaces] },
            podMetricsEndpoints: [{ port: ENVOY_METRICS.portName, path: ENVOY_METRICS.path, scheme: "http" }],
        },
    };
}

/** KServe's LLMInferenceService controller: HTTPS with a self-signed certificate, token checked (targets.ts). */
export function buildKServeControllerServiceMonitor(): ServiceMonitorObject {
    const svc = KSERVE_CONTROLLER_SERVICE;
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "llmisvc-controller-manager", namespace: svc.namespace, labels: baseLabels() },
        spec: {
            selector: { matchLabels: { ...svc.labels } },
            namespaceSelector: { matchNames: [svc.namespace] },
            endpoints: [{
                port: svc.portName, path: "/metrics", scheme: "https",
                // controller-runtime generates its own certificate when none is given (cmd/llmisvc/main.go passes none).
                tlsConfig: { insecureSkipVerify: true }, bearerTokenFile: SERVICE_ACCOUNT_TOKEN_FILE,
            }],
        },
    };
}

/**
 * `pool=<name>` on a DCGM target whose node carries every label of that pool's nodeSelector (the node's labels
 * come with attachMetadata.node). The pools' selectors are what the models and the exporter's affinity use, so
 * the label means the same pool on cloud pools (modelplane.io/pool) and an existing cluster's labelled nodes.
 */
export function poolRelabelings(pools: GpuPoolConfig[]): RelabelConfig[] {
    return pools.map((p) => {
        const entries = Object.entries(p.nodeSelector).sort(([a], [b]) => a.localeCompare(b));
        return {
            sourceLabels: entries.map(([k]) => `__meta_kubernetes_node_label_${promLabelName(k)}`),
            separator: ";",
            regex: entries.map(([, v]) => literal(v)).join(";"),
            targetLabel: TARGET_LABELS.pool,
            replacement: p.name,
            action: "replace",
        };
    });
}

/**
 * DCGM on the GPU nodes. honorLabels keeps the exporter's `pod`/`namespace`/`container` (the pod that holds the
 * GPU, which is what the per-team dashboard groups by) instead of renaming them `exported_*` under the target's
 * own namespace.
 */
export function buildDcgmServiceMonitor(pools: GpuPoolConfig[]): ServiceMonitorObject {
    return {
        apiVersion: MONITORING_API_VERSION,
        kind: "ServiceMonitor",
        metadata: { name: "dcgm-exporter", namespace: DCGM_NAMESPACE, labels: baseLabels() },
        spec: {
            selector: { matchLabels: { ...DCGM_SERVICE_LABELS } },
            namespaceSelector: { matchNames: [DCGM_NAMESPACE] },
            attachMetadata: { node: true },
            endpoints: [{
                port: DCGM_METRICS.portName, path: DCGM_METRICS.path, scheme: "http", interval: "15s", honorLabels: true,
                relabelings: poolRelabelings(pools),
            }],
        },
    };
}

