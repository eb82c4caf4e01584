// Test helpers for observability: what the pinned upstream controllers create from a shipped plan (the pods,
// Services and nodes Prometheus must reach), label-selector matching as Kubernetes and prometheus-operator do
// it, and which monitor scrapes which target. Independent of the builders under test: the pod labels follow
// KServe v0.20.0's code (cited in components/observability/targets.ts), not the monitors' selectors.
import { GpuPoolConfig, PlatformConfig } from "../components/config";
import { poolLabels } from "../components/cluster/nodePools";
import { GPU_TAINT } from "../lib/labels";
import { RegisteredResource } from "../lib/resources";
import { ofType } from "./harness";

type Obj = Record<string, any>;

export interface Selector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelector semantics: every matchLabels pair and every expression must hold; {} matches all. */
export function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
    if (!sel) return false;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
    for (const e of sel.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, e.key);
        const vals = e.values ?? [];
        const ok = e.operator === "In" ? has && vals.includes(labels[e.key])
            : e.operator === "NotIn" ? !has || !vals.includes(labels[e.key])
                : e.operator === "Exists" ? has
                    : e.operator === "DoesNotExist" ? !has : false;
        if (!ok) return false;
    }
    return true;
}

/** A connection's source, as NetworkPolicy peers see it. */
export interface Source { namespaceLabels: Record<string, string>; podLabels: Record<string, string>; sameNamespace: boolean }

/**
 * NetworkPolicy ingress as Kubernetes evaluates it: a pod no policy selects accepts everything; a selected pod accepts
 * a connection only if some rule of some policy selecting it admits the source (peers: namespaceSelector and/or
 * podSelector; a podSelector alone means the policy's own namespace) and the port (no `ports`: every port).
 */
export function admits(policies: Obj[], podLabels: Record<string, string>, src: Source, port: number): boolean {
    const selecting = policies.filter((p) => selects(p.spec.podSelector, podLabels));
    if (selecting.length === 0) return true;
    return selecting.some((p) => (p.spec.ingress as Obj[]).some((rule) => {
        const portOk = rule.ports === undefined || (rule.ports as Obj[]).some((pp) => pp.port === port);
        const fromOk = (rule.from as Obj[]).some((peer) => {
            const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, src.namespaceLabels) : src.sameNamespace;
            const podOk = peer.podSelector ? selects(peer.podSelector, src.podLabels) : true;
            return nsOk && podOk;
        });
        return portOk && fromOk;
    }));
}

/** prometheus-operator namespaceSelector: `any`, or matchNames; absent means the monitor's own namespace. */
export function inNamespaces(monitor: Obj, ns: string): boolean {
    const nsSel = monitor.spec.namespaceSelector as Obj | undefined;
    if (nsSel?.any) return true;
    if (nsSel?.matchNames) return (nsSel.matchNames as string[]).includes(ns);
    return monitor.metadata.namespace === ns;
}

export interface PodTarget {
    kind: "model" | "endpoint-picker" | "gateway";
    what: string;
    namespace: string;
    labels: Record<string, string>;
    /** Container ports the pod declares: number → name (undefined when unnamed). */
    ports: Map<number, string | undefined>;
    /** The port its metrics are served on, or null when it serves none (headless vLLM workers). */
    metricsPort: number | null;
}
export interface ServiceTarget {
    kind: "endpoint-picker" | "kserve-controller" | "dcgm";
    what: string;
    namespace: string;
    labels: Record<string, string>;
    portNames: string[];
    metricsPortName: string;
}

const KSERVE = (name: string, component: string, extra: Record<string, string> = {}) => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/part-of": "llminferenceservice",
    "app.kubernetes.io/component": component,
    ...extra,
});
const WORKLOAD = { "kserve.io/component": "workload" };

/**
 * The pods KServe v0.20.0 creates for each LLMInferenceService of a plan, with the labels its code gives them
 * (workload_single_node.go, workload_multi_node.go) plus the service's spec.labels (PropagateMap), and the
 * container ports of the presets (config/llmisvcconfig/*.yaml; modelplane's pipeline-parallel preset).
 */
export function modelPods(resources: RegisteredResource[]): PodTarget[] {
    const out: PodTarget[] = [];
    for (const r of ofType(resources, "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService")) {
        const meta = r.props.metadata as Obj;
        const spec = r.props.spec as Obj;
        const name = meta.name as string;
        const ns = meta.namespace as string;
        const extra = (spec.labels ?? {}) as Record<string, string>;
        const pd = spec.prefill !== undefined;
        const multi = spec.worker !== undefined;
        const role = pd ? "decode" : "both";
        const mainComponent = multi ? "llminferenceservice-workload-leader" : "llminferenceservice-workload";
        // P/D decode pods: vLLM on 8001 behind the routing sidecar on 8000 (config-llm-decode-template.yaml).
        const mainPorts = pd ? new Map<number, string | undefined>([[8001, undefined], [8000, undefined]]) : new Map<number, string | undefined>([[8000, undefined]]);
        out.push({
            kind: "model", what: `${ns}/${name} ${pd ? "decode" : multi ? "leader" : "main"}`, namespace: ns,
            labels: { ...KSERVE(name, mainComponent, { ...WORKLOAD, "llm-d.ai/role": role }), ...extra },
            ports: mainPorts, metricsPort: pd ? 8001 : 8000,
        });
        if (multi) {
            // Workers of a service with a leader template: no kserve.io/component, no role (workload_multi_node.go);
            // vLLM runs --headless there: nothing serves HTTP.
            out.push({
                kind: "model", what: `${ns}/${name} worker`, namespace: ns,
                labels: { ...KSERVE(name, "llminferenceservice-workload-worker"), ...extra },
                ports: new Map(), metricsPort: null,
            });
        }
        if (pd) {
            const prefillExtra = { ...extra, ...((spec.prefill.labels ?? {}) as Record<string, string>) };
            out.push({
                kind: "model", what: `${ns}/${name} prefill`, namespace: ns,
                labels: { ...KSERVE(name, "llminferenceservice-workload-prefill", { ...WORKLOAD, "llm-d.ai/role": "prefill" }), ...prefillExtra },
                ports: new Map([[8000, undefined]]), metricsPort: 8000,
            });
            if (spec.prefill.worker !== undefined) {
                out.push({
                    kind: "model", what: `${ns}/${name} prefill worker`, namespace: ns,
                    labels: { ...KSERVE(name, "llminferenceservice-workload-worker-prefill"), ...prefillExtra },
                    ports: new Map(), metricsPort: null,
                });
            }
        }
    }
    return out;
}

/** Each routed service's endpoint picker Service (scheduler.go expectedSchedulerService: SchedulerLabels, the template's named ports). */
export function eppServices(resources: RegisteredResource[]): ServiceTarget[] {
    return ofType(resources, "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService")
        .filter((r) => (r.props.spec as Obj).router?.scheduler !== undefined)
        .map((r) => {
            const meta = r.props.metadata as Obj;
            return {
                kind: "endpoint-picker" as const, what: `${meta.namespace}/${meta.name} endpoint picker`, namespace: meta.namespace,
                labels: KSERVE(meta.name, "llminferenceservice-router-scheduler"),
                portNames: ["grpc", "grpc-health", "metrics", "zmq"], metricsPortName: "metrics",
            };
        });
}

/** Each Gateway's Envoy proxy pods (Envoy Gateway v1.8.1 in its controller namespace; resource.go EnvoyAppLabel). */
export function gatewayPods(resources: RegisteredResource[]): PodTarget[] {
    return ofType(resources, "kubernetes:gateway.networking.k8s.io/v1:Gateway").map((r) => {
        const meta = r.props.metadata as Obj;
        return {
            kind: "gateway" as const, what: `${meta.namespace}/${meta.name} Envoy proxy`, namespace: "envoy-gateway-system",
            labels: {
                "app.kubernetes.io/name": "envoy", "app.kubernetes.io/component": "proxy", "app.kubernetes.io/managed-by": "envoy-gateway",
                "gateway.envoyproxy.io/owning-gateway-name": meta.name, "gateway.envoyproxy.io/owning-gateway-namespace": meta.namespace,
            },
            ports: new Map<number, string | undefined>([[19001, "metrics"], [19003, "readiness"], [10080, "http"]]),
            metricsPort: 19001,
        };
    });
}

export interface GpuNode {
    pool: GpuPoolConfig;
    labels: Record<string, string>;
    taints: { key: string; value: string; effect: string }[];
}

/** One node of each GPU pool, labelled and tainted as the cluster layer makes it (nodePools.ts poolLabels). */
export function gpuNodes(cfg: PlatformConfig): GpuNode[] {
    return cfg.gpuPools.filter((p) => p.gpusPerNode > 0).map((pool) => ({
        pool,
        labels: cfg.cloud === "existing" ? { ...pool.nodeSelector } : poolLabels(pool),
        taints: pool.taint ? [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }] : [],
    }));
}

/** corev1 toleration semantics for one taint. */
export function tolerates(tolerations: Obj[], taint: { key: string; value: string; effect: string }): boolean {
    return tolerations.some((t) => (t.key === undefined || t.key === taint.key)
        && (t.operator === "Exists" || t.value === taint.value)
        && (t.effect === undefined || t.effect === taint.effect));
}

/** Required node affinity semantics: some term whose every expression holds. */
export function affinityAdmits(affinity: Obj | undefined, labels: Record<string, string>): boolean {
    const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Obj[] | undefined;
    if (!terms) return true;
    return terms.some((t) => selects({ matchExpressions: t.matchExpressions }, labels));
}

/** The PodMonitors whose selector, namespace and endpoint port pick this pod's metrics port. */
export function podMonitorsOf(monitors: Obj[], pod: PodTarget): Obj[] {
    return monitors.filter((m) => m.kind === "PodMonitor" && inNamespaces(m, pod.namespace) && selects(m.spec.selector, pod.labels)
        && (m.spec.podMetricsEndpoints as Obj[]).some((e) => pod.metricsPort !== null && (e.portNumber === pod.metricsPort
            || (e.port !== undefined && pod.ports.get(pod.metricsPort) === e.port))));
}

/** PodMonitors that would make a target of this pod on some port (whether or not it serves metrics there). */
export function podMonitorsSelecting(monitors: Obj[], pod: PodTarget): Obj[] {
    return monitors.filter((m) => m.kind === "PodMonitor" && inNamespaces(m, pod.namespace) && selects(m.spec.selector, pod.labels)
        && (m.spec.podMetricsEndpoints as Obj[]).some((e) => (e.portNumber !== undefined && pod.ports.has(e.portNumber))
            || (e.port !== undefined && [...pod.ports.values()].includes(e.port))));
}

/** The ServiceMonitors whose selector, namespace and endpoint port name pick this Service's metrics port. */
export function serviceMonitorsOf(monitors: Obj[], svc: ServiceTarget): Obj[] {
    return monitors.filter((m) => m.kind === "ServiceMonitor" && inNamespaces(m, svc.namespace) && selects(m.spec.selector, svc.labels)
        && (m.spec.endpoints as Obj[]).some((e) => e.port === svc.metricsPortName && svc.portNames.includes(e.port)));
}
