// Pure builders of a team's tenancy objects: its Namespace, GPU ResourceQuota and NetworkPolicies.
//
// Upstream facts:
// - ResourceQuota: for extended resources such as nvidia.com/gpu "only quota items with prefix `requests.`
//   are allowed" (kubernetes docs, concepts/policy/resource-quotas "Resource Quota for Extended Resources"),
//   because extended resources cannot be overcommitted (requests must equal limits). A `limits.nvidia.com/gpu`
//   item would not be counted, so the quota has `requests.nvidia.com/gpu` only — which caps limits as well.
// - KServe pod labels (kserve/kserve pkg/controller/v1alpha2/llmisvc/workload.go GetWorkloadLabelSelector,
//   scheduler.go SchedulerLabels, pkg/constants/constants.go):
//     model server pods (single, decode, prefill, LWS leaders):
//       app.kubernetes.io/part-of=llminferenceservice, kserve.io/component=workload, app.kubernetes.io/name=<svc>
//     LWS worker pods of a service with a leader template (every multi-node topology modelplane ships) get no
//       kserve.io/component, only app.kubernetes.io/component=llminferenceservice-workload-worker (decode/main) or
//       llminferenceservice-workload-worker-prefill (workload_multi_node.go expectedMainMultiNodeLWS /
//       expectedPrefillMultiNodeLWS at v0.20.0), so the model-servers policy does not select them: they get their own.
//     EPP (endpoint picker) pods:
//       app.kubernetes.io/part-of=llminferenceservice, app.kubernetes.io/component=llminferenceservice-router-scheduler
// - Ports (config/llmisvcconfig/*.yaml): vLLM 8000 (/v1, /health, /metrics); P/D decode pods: routing sidecar
//   8000 → vLLM 8001; EPP gRPC ext_proc 9002, health 9003, metrics 9090, ZMQ 5557 (KV events). Multi-node and
//   P/D traffic between model pods uses ports chosen at runtime (LWS leader/worker torch.distributed/NCCL,
//   data-parallel RPC `dataRPCPort` default 5555, NIXL side channel default 5600 plus UCX transfer ports), so
//   model pods of the namespace may reach each other on any port.
// - Envoy Gateway runs a Gateway's proxies in its controller namespace `envoy-gateway-system` unless gateway
//   namespace mode is on (then in the Gateway's namespace) — both are allowed (research/routing.md §3.1).
import { TeamConfig, PlatformSettings } from "../config";
import { GPU_RESOURCE, MANAGED_BY_LABEL, MANAGED_BY_VALUE, TEAM_LABEL } from "../../lib/labels";
import { prometheusPeer } from "../observability/networkPolicies";

/** Envoy Gateway's controller namespace, where it deploys Gateway proxies by default. */
export const ENVOY_GATEWAY_NAMESPACE = "envoy-gateway-system";
export const RESOURCE_QUOTA_NAME = "gpu-quota";
export const MODEL_SERVERS_POLICY = "model-servers";
export const ENDPOINT_PICKERS_POLICY = "endpoint-pickers";
export const MODEL_WORKERS_POLICY = "model-workers";

export const KSERVE_LABELS = {
    partOf: { key: "app.kubernetes.io/part-of", value: "llminferenceservice" },
    workload: { key: "kserve.io/component", value: "workload" },
    scheduler: { key: "app.kubernetes.io/component", value: "llminferenceservice-router-scheduler" },
    /** app.kubernetes.io/component of LWS workers (pkg/constants/constants.go at v0.20.0: LLMComponentWorkloadWorker*). */
    workers: { key: "app.kubernetes.io/component", values: ["llminferenceservice-workload-worker", "llminferenceservice-workload-worker-prefill"] },
} as const;

export const PORTS = {
    /** vLLM, or the P/D routing sidecar in front of it. */
    vllm: 8000,
    /** vLLM behind the routing sidecar in P/D decode pods. */
    decodeVllm: 8001,
    eppGrpc: 9002,
    eppMetrics: 9090,
} as const;

interface Meta {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
}
export interface NamespaceObject {
    apiVersion: "v1";
    kind: "Namespace";
    metadata: Meta;
}
export interface ResourceQuotaObject {
    apiVersion: "v1";
    kind: "ResourceQuota";
    metadata: Meta;
    spec: { hard: Record<string, string> };
}
interface LabelSelector {
    matchLabels: Record<string, string>;
    matchExpressions?: { key: string; operator: "In"; values: string[] }[];
}
export interface NetworkPolicyPeer {
    namespaceSelector?: LabelSelector;
    podSelector?: LabelSelector;
}
export interface NetworkPolicyRule {
    from: NetworkPolicyPeer[];
    ports?: { protocol: string; port: number }[];
}
export interface NetworkPolicyObject {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: Meta;
    spec: { podSelector: LabelSelector; policyTypes: string[]; ingress: NetworkPolicyRule[] };
}

export function teamLabels(team: TeamConfig): Record<string, string> {
    return { [TEAM_LABEL]: team.name, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
}

export function buildNamespace(team: TeamConfig): NamespaceObject {
    return { apiVersion: "v1", kind: "Namespace", metadata: { name: team.name, labels: teamLabels(team) } };
}

/** Admission-time guard: the namespace can never hold pods requesting more than the team's GPU quota. */
export function buildResourceQuota(team: TeamConfig): ResourceQuotaObject {
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: RESOURCE_QUOTA_NAME, namespace: team.name, labels: teamLabels(team) },
        spec: { hard: { [`requests.${GPU_RESOURCE}`]: String(team.gpuQuota) } },
    };
}

const namespacePeer = (ns: string): NetworkPolicyPeer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** Namespaces whose pods are the gateway's proxies. */
export function gatewayNamespaces(platform: PlatformSettings): string[] {
    return [...new Set([platform.gateway.namespace, ENVOY_GATEWAY_NAMESPACE])];
}

/**
 * Ingress to a team's KServe pods. Model servers: from the gateway's proxies and Prometheus on the serving
 * ports, and from every KServe pod of the namespace (EPP, LWS peers, prefill/decode peers) on any
 * port. Endpoint pickers: from the gateway's proxies on the ext_proc port, from Prometheus on metrics, and from
 * the namespace's KServe pods (KV events). LWS workers: from the namespace's KServe pods only. Everything else in
 * the namespace is left alone.
 */
export function buildNetworkPolicies(team: TeamConfig, platform: PlatformSettings): NetworkPolicyObject[] {
    const kservePods: NetworkPolicyPeer = { podSelector: { matchLabels: { [KSERVE_LABELS.partOf.key]: KSERVE_LABELS.partOf.value } } };
    const gateways = gatewayNamespaces(platform).map(namespacePeer);
    // Only the Prometheus pods of the monitoring namespace, and only on the ports that serve /metrics (vLLM's
    // metrics share its API port; the EPP's have their own).
    const monitoring = prometheusPeer(platform);
    const policy = (name: string, podSelector: LabelSelector, ingress: NetworkPolicyRule[]): NetworkPolicyObject => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: team.name, labels: teamLabels(team) },
        spec: { podSelector, policyTypes: ["Ingress"], ingress },
    });
    return [
        policy(MODEL_SERVERS_POLICY, { matchLabels: {
            [KSERVE_LABELS.partOf.key]: KSERVE_LABELS.partOf.value,
            [KSERVE_LABELS.workload.key]: KSERVE_LABELS.workload.value,
        } }, [
            { from: gateways, ports: tcp(PORTS.vllm, PORTS.decodeVllm) },
            { from: [monitoring], ports: tcp(PORTS.vllm, PORTS.decodeVllm) },
            { from: [kservePods] },
        ]),
        policy(ENDPOINT_PICKERS_POLICY, { matchLabels: {
            [KSERVE_LABELS.partOf.key]: KSERVE_LABELS.partOf.value,
            [KSERVE_LABELS.scheduler.key]: KSERVE_LABELS.scheduler.value,
        } }, [
            { from: gateways, ports: tcp(PORTS.eppGrpc) },
            { from: [monitoring], ports: tcp(PORTS.eppMetrics) },
            { from: [kservePods] },
        ]),
        // LWS workers run vLLM headless (no HTTP API, no /metrics: components/observability/monitors.ts): only their
        // own service's peers talk to them (torch.distributed / NCCL / data-parallel RPC on ports chosen at run time).
        policy(MODEL_WORKERS_POLICY, {
            matchLabels: { [KSERVE_LABELS.partOf.key]: KSERVE_LABELS.partOf.value },
            matchExpressions: [{ key: KSERVE_LABELS.workers.key, operator: "In", values: [...KSERVE_LABELS.workers.values] }],
        }, [
            { from: [kservePods] },
        ]),
    ];
}
