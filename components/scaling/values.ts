// The model-autoscaling stack KServe v0.20.0 needs for `spec.scaling` (pure: tested without mocks).
//
// What KServe v0.20.0 does with `scaling` (pkg/controller/v1alpha2/llmisvc/scaling.go, workload.go):
// - it always creates a VariantAutoscaling (llmd.ai/v1alpha1, WVA's CRD) and, for `wva.keda`, a KEDA ScaledObject
//   (keda.sh/v1alpha1) whose Prometheus trigger reads `wva_desired_replicas`; a missing CRD is a hard error
//   (`ScalingCRDNotFound`) returned before the router is reconciled: no HTTPRoute, InferencePool or endpoint picker;
// - for KEDA it needs `autoscaling-wva-controller-config` in the `inferenceservice-config` ConfigMap (namespace
//   `kserve`; config_loader.go) with `prometheus.url`, else `validateAutoscalingConfig` fails every reconcile;
// - `wva.hpa` instead needs a Prometheus Adapter serving the external metrics API, which the controller cannot
//   check: without one the HPA sits in an Unknown state and never scales (reconcileHPA's comment).
// modelplane uses the KEDA actuator, the path KServe's quick install tests (hack/setup/quick-install/definitions/
// llmisvc/llmisvc-autoscaling-keda-dependency-install.definition: Prometheus, KEDA, WVA).
import { KubeObject } from "../addons/kube";
import { KSERVE_NAMESPACE } from "../names";
import { INFERENCE_POOL_GROUP } from "../models/llmInferenceService";
import { PROMETHEUS_NAMESPACE, PROMETHEUS_SERVICE, PROMETHEUS_URL } from "../monitoring/values";

/** kserve@v0.20.0 hack/setup/global-vars.env KEDA_NAMESPACE / WVA_NAMESPACE, and the release names of manage.*-helm.sh. */
export const KEDA_NAMESPACE = "keda";
export const KEDA_RELEASE = "keda";
export const WVA_NAMESPACE = "wva-system";
export const WVA_RELEASE = "llm-d-wva";
/** The ConfigMap KServe's LLMInferenceService controller reads its settings from, and the key of the WVA/KEDA ones. */
export const INFERENCESERVICE_CONFIG = "inferenceservice-config";
export const WVA_CONTROLLER_CONFIG_KEY = "autoscaling-wva-controller-config";

/**
 * kedacore/charts keda 2.18.0 values: the chart's defaults (what manage.keda-helm.sh installs), and its CRDs kept
 * when the release is uninstalled. The chart renders them as templates (keda/templates/crds/, `crds.install`), so
 * Helm would delete them, and with them every ScaledObject, on an uninstall or on the rollback of a failed first
 * install; Helm never deletes the CRDs WVA's and kube-prometheus-stack's charts bring (their crds/ directories).
 */
export function kedaValues(): Record<string, unknown> {
    return { crds: { additionalAnnotations: { "helm.sh/resource-policy": "keep" } } };
}

/**
 * workload-variant-autoscaler (llm-d-workload-variant-autoscaler v0.7.0 charts/workload-variant-autoscaler) values:
 * manage.wva-helm.sh's settings at kserve v0.20.0 (one cluster-wide controller reading modelplane's Prometheus over
 * HTTPS, the chart's sample VariantAutoscaling / HPA / vLLM Service off, metrics over HTTP for Prometheus to scrape
 * through the chart's ServiceMonitor), plus:
 * - `wva.image.tag`: the controller of the chart's own release. The chart at the v0.7.0 tag still names v0.5.1;
 *   its release workflow rewrites it when it publishes (docs/developer-guide/release-process.md), stated here so the
 *   image cannot drift from the pin;
 * - `wva.poolGroup`: KServe v0.20.0 creates InferencePools in inference.networking.k8s.io (v1); WVA watches the
 *   x-k8s.io v1alpha2 group unless told (internal/utils/pool/pool.go GetPoolGKNN).
 */
export function wvaValues(version: string): Record<string, unknown> {
    return {
        controller: { enabled: true },
        wva: {
            enabled: true,
            replicaCount: 1,
            namespaceScoped: false,
            image: { tag: version.startsWith("v") ? version : `v${version}` },
            imagePullPolicy: "IfNotPresent",
            metrics: { secure: false },
            poolGroup: INFERENCE_POOL_GROUP,
            prometheus: {
                baseURL: PROMETHEUS_URL,
                // Prometheus's certificate is self-signed (components/monitoring/values.ts), as in KServe's tested set.
                tls: { insecureSkipVerify: true },
                serviceAccountName: PROMETHEUS_SERVICE,
                monitoringNamespace: PROMETHEUS_NAMESPACE,
            },
        },
        va: { enabled: false },
        hpa: { enabled: false },
        vllmService: { enabled: false },
        llmd: { namespace: WVA_NAMESPACE },
    };
}

/**
 * The value of `autoscaling-wva-controller-config`: JSON of KServe's WVAAutoscalingConfig (config_loader.go at
 * v0.20.0: `prometheus.url`, `prometheus.tlsInsecureSkipVerify`), which becomes the ScaledObjects' Prometheus
 * trigger (`serverAddress`, `unsafeSsl`). KServe's own installer writes `prometheus.unsafeSsl` (hack/kserve-install.sh
 * at v0.20.0), a key the controller's struct does not have: json.Unmarshal drops it, `unsafeSsl` stays false, and
 * KEDA would refuse Prometheus's self-signed certificate. The field the controller reads is set here.
 */
export function wvaControllerConfig(): string {
    return JSON.stringify({ prometheus: { url: PROMETHEUS_URL, tlsInsecureSkipVerify: true } });
}

/**
 * A server-side-apply patch that owns just that key of KServe's ConfigMap: the kserve-llmisvc-resources chart has no
 * value for it (files/common/configmap.yaml at v0.20.0). A Helm upgrade of KServe keeps the key (it is in neither the
 * old nor the new manifest of the three-way merge).
 */
export function wvaControllerConfigPatch(): KubeObject {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: INFERENCESERVICE_CONFIG,
            namespace: KSERVE_NAMESPACE,
            // No labels: the ConfigMap's labels belong to its Helm release (app.kubernetes.io/managed-by: Helm).
            annotations: { "pulumi.com/patchForce": "true" },
        },
        data: { [WVA_CONTROLLER_CONFIG_KEY]: wvaControllerConfig() },
    };
}
