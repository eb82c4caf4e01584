// Who may scrape: the Prometheus pods of the monitoring namespace, and nobody else that was not already admitted.
// Pure. The team namespaces' policies (components/tenancy/objects.ts) use prometheusPeer for their metrics ports.
import { PlatformSettings } from "../config";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { DCGM_METRICS, DCGM_NAMESPACE, PROMETHEUS_POD_LABELS } from "./targets";

export interface PolicyPeer {
    namespaceSelector: { matchLabels: Record<string, string> };
    podSelector: { matchLabels: Record<string, string> };
}

/**
 * The Prometheus pods (targets.ts PROMETHEUS_POD_LABELS) in the monitoring namespace: one peer, so both selectors
 * must match (a namespace selector alone would admit Grafana, the operator, kube-state-metrics and anything
 * else deployed there).
 */
export function prometheusPeer(platform: PlatformSettings): PolicyPeer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": platform.monitoringNamespace } },
        podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
    };
}

/** The DCGM exporter's namespace: only Prometheus, only on the metrics port (GPU inventory is nobody else's business). */
export function buildDcgmNetworkPolicy(platform: PlatformSettings) {
    return {
        apiVersion: "networking.k8s.io/v1" as const,
        kind: "NetworkPolicy" as const,
        metadata: { name: "prometheus-only", namespace: DCGM_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
        spec: {
            podSelector: { matchLabels: {} as Record<string, string> },
            policyTypes: ["Ingress"],
            ingress: [{ from: [prometheusPeer(platform)], ports: [{ protocol: "TCP", port: DCGM_METRICS.port }] }],
        },
    };
}
