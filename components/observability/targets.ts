// What Prometheus scrapes, as the pinned upstream releases create it: the labels, ports and paths of every
// metrics endpoint modelplane monitors, and the labels of the Prometheus pods that scrape them. Pure; each
// fact cites the file it was read from at the pinned tag.
import { KSERVE_NAMESPACE } from "../names";

/**
 * kube-prometheus-stack 83.4.0 installed as release `prometheus` in `monitoring` (monitoring contract, KServe
 * v0.20.0 hack/setup/infra/manage.prometheus-helm.sh). Its Prometheus custom resource is named
 * `<fullname>-prometheus` (templates/_helpers.tpl `kube-prometheus-stack.prometheus.crname`; fullname =
 * "prometheus-kube-prometheus-stack" truncated to 26 characters), and prometheus-operator v0.90.1 (the chart's
 * appVersion) labels its pods with the selector labels of that name (pkg/prometheus/server/operator.go
 * makeSelectorLabels: app.kubernetes.io/name=prometheus, app.kubernetes.io/instance=<name>, prometheus=<name>,
 * operator.prometheus.io/name=<name>, app.kubernetes.io/managed-by=prometheus-operator).
 */
export const PROMETHEUS_RELEASE = "prometheus";
export const PROMETHEUS_CR_NAME = "prometheus-kube-prometheus-prometheus";
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": "prometheus",
    prometheus: PROMETHEUS_CR_NAME,
};

/**
 * Pod labels KServe v0.20.0 gives an LLMInferenceService's pods (pkg/constants/constants.go; values in
 * pkg/controller/v1alpha2/llmisvc/workload_single_node.go, workload_multi_node.go, scheduler.go SchedulerLabels).
 * Every pod: part-of=llminferenceservice, name=<service>, component=<its role>. The pods that serve (single,
 * prefill, decode, LWS leaders) also get kserve.io/component=workload and llm-d.ai/role (both | decode | prefill);
 * LWS workers get them only when the service has no leader template, which modelplane's multi-node topologies
 * always have (KServe's data-parallel preset and modelplane's pipeline-parallel preset both set `template`).
 */
export const KSERVE_POD_LABELS = {
    name: "app.kubernetes.io/name",
    component: "app.kubernetes.io/component",
    partOf: "app.kubernetes.io/part-of",
    workload: "kserve.io/component",
    role: "llm-d.ai/role",
} as const;

/**
 * vLLM serves Prometheus metrics on its OpenAI port at /metrics (plain HTTP: KServe's
 * `.GlobalConfig.EnableTLS` comes from the ingress config's `enableLLMInferenceServiceTLS`, which no
 * kserve-llmisvc-resources v0.20.0 value sets). The port is 8000, except in P/D decode pods where the routing
 * sidecar holds 8000 and vLLM listens on 8001 (config/llmisvcconfig/config-llm-decode-template.yaml), so the
 * sidecar's port would not give vLLM's own metrics.
 */
export const VLLM_METRICS = { path: "/metrics", port: 8000, decodePort: 8001 } as const;

/**
 * The endpoint picker (ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.9.0, config/llmisvcconfig/
 * config-llm-scheduler.yaml) serves metrics on :9090 (container port `metrics`), over plain HTTP, behind
 * controller-runtime's authentication and authorization filter: llm-d-router v0.9.0 cmd/epp/runner/runner.go
 * sets `filters.WithAuthenticationAndAuthorization` when `--metrics-endpoint-auth` is true, its default
 * (pkg/epp/server/options.go), and KServe's preset does not pass the flag. A scrape therefore needs a bearer
 * token whose subject may `get` the non-resource URL /metrics: the Prometheus ServiceAccount's, which the chart's
 * ClusterRole grants (templates/prometheus/clusterrole.yaml `nonResourceURLs: ["/metrics", "/metrics/cadvisor"]`);
 * KServe binds the EPP's ServiceAccount to system:auth-delegator so it can review the token
 * (pkg/controller/v1alpha2/llmisvc/scheduler.go expectedSchedulerAuthDelegatorBinding). KServe gives the
 * EPP a Service named `<name>-epp-service` with the `metrics` port and the scheduler labels
 * (scheduler.go expectedSchedulerService, SchedulerLabels), so a ServiceMonitor reaches it and can send the
 * token from a file (PodMonitor endpoints have no bearerTokenFile).
 */
export const EPP_METRICS = { path: "/metrics", port: 9090, portName: "metrics" } as const;
export const KSERVE_COMPONENTS = {
    scheduler: "llminferenceservice-router-scheduler",
    workload: "workload",
    partOf: "llminferenceservice",
} as const;

/** The Prometheus pod's own ServiceAccount token (mounted by Kubernetes), sent to the endpoints that check it. */
export const SERVICE_ACCOUNT_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * Envoy Gateway v1.8.1 proxies: labels from internal/infrastructure/kubernetes/proxy/resource.go EnvoyAppLabel,
 * plus the owning Gateway's name and namespace; the `metrics` container port is EnvoyStatsPort 19001
 * (internal/xds/bootstrap/bootstrap.go), path /stats/prometheus (resource_provider.go prometheus.io/path),
 * present unless the EnvoyProxy disables Prometheus.
 */
export const ENVOY_PROXY_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": "envoy",
    "app.kubernetes.io/component": "proxy",
    "app.kubernetes.io/managed-by": "envoy-gateway",
};
export const ENVOY_OWNING_GATEWAY_LABELS = {
    name: "gateway.envoyproxy.io/owning-gateway-name",
    namespace: "gateway.envoyproxy.io/owning-gateway-namespace",
} as const;
export const ENVOY_METRICS = { path: "/stats/prometheus", port: 19001, portName: "metrics" } as const;

/**
 * KServe v0.20.0's LLMInferenceService controller (charts/kserve-llmisvc-resources/files/llmisvc/resources.yaml):
 * Service `llmisvc-controller-manager-service` in `kserve`, port `https` 8443 → container port `metrics`. The
 * controller serves it over HTTPS with authentication and authorization (cmd/llmisvc/main.go: `--metrics-secure`
 * defaults to true, FilterProvider WithAuthenticationAndAuthorization; a self-signed certificate) and binds
 * `127.0.0.1` by default (values.yaml `kserve.llmisvc.controller.metricsBindAddress`), which the KServe layer
 * widens when observability is on (components/kserve/values.ts).
 */
export const KSERVE_CONTROLLER_SERVICE = {
    name: "llmisvc-controller-manager-service",
    namespace: KSERVE_NAMESPACE,
    labels: { "control-plane": "llmisvc-controller-manager", "controller-tools.k8s.io": "1.0" } as Readonly<Record<string, string>>,
    portName: "https",
    port: 8443,
} as const;

/**
 * NVIDIA dcgm-exporter chart 4.8.2 (tag 4.5.3-4.8.2, deployment/): the Service carries the selector labels
 * app.kubernetes.io/name=dcgm-exporter, app.kubernetes.io/instance=<release>, app.kubernetes.io/component=
 * dcgm-exporter (templates/_helpers.tpl) and a `metrics` port 9400 (templates/service.yaml); metrics at /metrics.
 */
export const DCGM_RELEASE = "dcgm-exporter";
export const DCGM_NAMESPACE = "dcgm-exporter";
export const DCGM_SERVICE_LABELS: Readonly<Record<string, string>> = {
    "app.kubernetes.io/name": "dcgm-exporter",
    "app.kubernetes.io/instance": DCGM_RELEASE,
    "app.kubernetes.io/component": "dcgm-exporter",
};
export const DCGM_METRICS = { path: "/metrics", port: 9400, portName: "metrics" } as const;
