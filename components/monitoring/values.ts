// Prometheus (kube-prometheus-stack) as modelplane installs it: names other layers rely on, the chart values and
// the TLS objects. Pure: tested without mocks.
//
// The install follows KServe v0.20.0's tested set (hack/setup/infra/manage.prometheus-helm.sh): release
// `prometheus` in namespace `monitoring`, Prometheus serving HTTPS with a cert-manager self-signed certificate,
// Grafana, Alertmanager, node-exporter and kube-state-metrics off, and every ServiceMonitor / PodMonitor of the
// cluster selected. HTTPS is not optional: WVA v0.7.0 refuses a Prometheus URL that is not https://
// (llm-d-workload-variant-autoscaler@v0.7.0 internal/utils/tls.go: "HTTPS is required - URL must use https://").
import { PlatformConfig } from "../config";
import { KubeObject } from "../addons/kube";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";

/** Namespace of modelplane's Prometheus (the contract with the observability layer; KServe's `PROMETHEUS_NAMESPACE`). */
export const PROMETHEUS_NAMESPACE = "monitoring";
/** Helm release name: kube-prometheus-stack names its objects `<release>-kube-prometheus-*` after it. */
export const PROMETHEUS_RELEASE = "prometheus";
/** The Prometheus Service (and ServiceAccount) the chart creates for release `prometheus`. */
export const PROMETHEUS_SERVICE = `${PROMETHEUS_RELEASE}-kube-prometheus-prometheus`;
export const PROMETHEUS_PORT = 9090;
/** In-cluster URL of Prometheus's HTTP API (HTTPS, self-signed: clients skip verification or trust PROMETHEUS_TLS_SECRET's ca.crt). */
export const PROMETHEUS_URL = `https://${PROMETHEUS_SERVICE}.${PROMETHEUS_NAMESPACE}.svc:${PROMETHEUS_PORT}`;
/** Secret (tls.crt, tls.key, ca.crt) Prometheus serves HTTPS with; cert-manager keeps it. */
export const PROMETHEUS_TLS_SECRET = "prometheus-tls";
const ISSUER = "prometheus-selfsigned";

export type MonitoringFootprint = "small" | "standard";

/** The footprint in effect: the stack's choice, else small on an existing cluster (kind, a lab) and standard on EKS/GKE. */
export function monitoringFootprint(cfg: PlatformConfig): MonitoringFootprint {
    return cfg.platform.monitoring.footprint ?? (cfg.cloud === "existing" ? "small" : "standard");
}

/** Whether modelplane installs Prometheus: the stack says so and Helm charts are installed at all. */
export function monitoringInstalled(cfg: Pick<PlatformConfig, "platform">): boolean {
    return cfg.platform.monitoring.enabled && cfg.platform.charts;
}

const FOOTPRINTS: Record<MonitoringFootprint, { prometheus: Record<string, unknown>; operator: Record<string, unknown> }> = {
    // KServe's tested values (manage.prometheus-helm.sh): enough for a kind cluster with a model or two.
    small: {
        prometheus: {
            retention: "1d",
            resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "200m", memory: "512Mi" } },
        },
        operator: { resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
    },
    // A fleet: every vLLM pod and endpoint picker scraped (a few thousand series each). No PersistentVolume:
    // history lives on the node (emptyDir) and is bounded by size, so a restart loses it but never fills a disk.
    standard: {
        prometheus: {
            retention: "7d",
            retentionSize: "20GB",
            resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "8Gi" } },
        },
        operator: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } } },
    },
};

/**
 * kube-prometheus-stack 83.4.0 values (every key exists in the chart's values.yaml at tag
 * kube-prometheus-stack-83.4.0; test/monitoring.test.ts checks them against a copy of its key list).
 */
export function prometheusValues(cfg: PlatformConfig): Record<string, unknown> {
    const size = FOOTPRINTS[monitoringFootprint(cfg)];
    return {
        grafana: { enabled: false },
        alertmanager: { enabled: false },
        nodeExporter: { enabled: false },
        kubeStateMetrics: { enabled: false },
        prometheusOperator: size.operator,
        prometheus: {
            // Prometheus scrapes itself over the HTTPS it serves.
            serviceMonitor: { scheme: "https", tlsConfig: { insecureSkipVerify: true } },
            prometheusSpec: {
                // Every ServiceMonitor / PodMonitor in the cluster, not only the ones labelled for this release:
                // WVA's and the models' monitors are created by other charts and layers.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                ...size.prometheus,
                web: {
                    tlsConfig: {
                        cert: { secret: { name: PROMETHEUS_TLS_SECRET, key: "tls.crt" } },
                        keySecret: { name: PROMETHEUS_TLS_SECRET, key: "tls.key" },
                    },
                },
            },
        },
    };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Helm's merge of values: maps merge key by key, anything else (lists included) is replaced by the overlay. */
export function mergeValues(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(overlay)) {
        out[k] = isPlainObject(out[k]) && isPlainObject(v) ? mergeValues(out[k] as Record<string, unknown>, v) : v;
    }
    return out;
}

/**
 * The self-signed Issuer and the Certificate Prometheus serves HTTPS with, as manage.prometheus-helm.sh creates them
 * (the Service's short, namespaced and cluster-local names).
 */
export function prometheusTlsObjects(): { issuer: KubeObject; certificate: KubeObject } {
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
    const host = `${PROMETHEUS_SERVICE}.${PROMETHEUS_NAMESPACE}`;
    return {
        issuer: {
            apiVersion: "cert-manager.io/v1", kind: "Issuer",
            metadata: { name: ISSUER, namespace: PROMETHEUS_NAMESPACE, labels },
            spec: { selfSigned: {} },
        },
        certificate: {
            apiVersion: "cert-manager.io/v1", kind: "Certificate",
            metadata: { name: PROMETHEUS_TLS_SECRET, namespace: PROMETHEUS_NAMESPACE, labels },
            spec: {
                secretName: PROMETHEUS_TLS_SECRET,
                duration: "8760h",
                issuerRef: { name: ISSUER, kind: "Issuer" },
                dnsNames: [host, `${host}.svc`, `${host}.svc.cluster.local`],
            },
        },
    };
}
