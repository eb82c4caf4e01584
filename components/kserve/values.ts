// Helm values of KServe's charts and the local-model agent patch (pure, tested without mocks).
import { createHash } from "node:crypto";
import { PlatformConfig } from "../config";
import { gatewayRef, KSERVE_NAMESPACE } from "../names";
import { GPU_TOLERATION, poolSelectorTerms, requiredNodeAffinity } from "../addons/scheduling";
import { modelCacheHostPath, nvmePools } from "../storage/layout";
import { KubeObject } from "../addons/kube";
import { LOCALMODEL_NODE_LABEL } from "../../lib/labels";
import { observabilityEnabled } from "../observability/values";

/** Namespace KServe's LocalModel controller runs download Jobs in (`localModel.jobNamespace`); no chart creates it. */
export const LOCALMODEL_JOBS_NAMESPACE = "kserve-localmodel-jobs";
/** KServe's node agent DaemonSet (kserve-localmodel-resources files/resources.yaml). */
export const LOCALMODEL_AGENT = "kserve-localmodelnode-agent";

/** Whether KServe's local model cache is installed: some pool has local NVMe. */
export function localModelEnabled(cfg: PlatformConfig): boolean {
    return nvmePools(cfg).length > 0;
}

/**
 * kserve-llmisvc-resources (controller, webhooks, inferenceservice-config):
 * - `llmisvc.createGIECRDs: false`: the InferencePool / llm-d CRDs have one owner, the routing-CRD layer
 *   (research/kserve.md §5.1: set it to false "if GIE is installed separately"), which must then bring all four
 *   CRDs the chart would have created, the x-k8s InferencePool v1alpha2 of the P/D routing sidecar included
 *   (components/versions.ts ROUTING_CRDS). Upstream's installer instead adopts the GIE CRDs into this release
 *   (llmisvc-full-install-helm.sh `adopt_existing_crds_for_release` at v0.20.0); here Envoy Gateway, installed
 *   before KServe, already needs the InferencePool CRD (components/inference/InferenceExtension.ts);
 * - the default gateway of every LLMInferenceService is ours: the controller reads
 *   `ingress.kserveIngressGateway` ("<namespace>/<name>", files/common/configmap-patch.yaml) into
 *   GlobalConfig.IngressGatewayNamespace/Name, which the router-route preset's parentRef uses;
 * - `localmodel.enabled` turns on the llmisvc webhook that rewrites cached model URIs to the node-group PVC
 *   (pkg/webhook/admission/llminferenceservice/defaulter.go);
 * - with observability on, the controller's metrics listen on every interface instead of the chart's
 *   `127.0.0.1` (values.yaml `llmisvc.controller.metricsBindAddress`; the deployment passes
 *   `--metrics-addr=<address>:<port>`), so Prometheus can reach them. They stay HTTPS with token review
 *   (cmd/llmisvc/main.go), and the kserve namespace has no NetworkPolicy to widen.
 */
export function kserveValues(cfg: PlatformConfig): Record<string, unknown> {
    const gw = gatewayRef(cfg);
    const metrics = observabilityEnabled(cfg) ? { controller: { metricsBindAddress: "0.0.0.0" } } : {};
    return {
        kserve: {
            llmisvc: { createGIECRDs: false, ...metrics },
            controller: { gateway: { ingressGateway: { kserveGateway: `${gw.namespace}/${gw.name}` } } },
            localmodel: { enabled: localModelEnabled(cfg), jobNamespace: LOCALMODEL_JOBS_NAMESPACE },
        },
    };
}

/** kserve-runtime-configs: only the LLMInferenceServiceConfig presets (kserve-config-llm-*), no ServingRuntimes. */
export function runtimeConfigsValues(): Record<string, unknown> {
    return { kserve: { llmisvcConfigs: { enabled: true }, servingruntime: { enabled: false } } };
}

/**
 * kserve-localmodel-resources: the node agent runs on the NVMe pools' nodes (it creates the cache directory
 * there and reports what is downloaded) and tolerates the GPU taint. Its base manifest hard-codes
 * `nodeSelector: kserve/localmodel: worker` (files/resources.yaml at v0.20.0); the chart value is merged into
 * that map, so it cannot be removed: the NVMe pools' nodes carry the label instead (components/cluster/
 * nodePools.ts poolLabels; an existing cluster's nodes must already have it, config.ts checks the pool's
 * nodeSelector), and the value states it explicitly.
 */
export function localModelValues(cfg: PlatformConfig): Record<string, unknown> {
    return {
        kserve: {
            localmodel: { enabled: true, jobNamespace: LOCALMODEL_JOBS_NAMESPACE },
            localmodelnode: {
                controller: {
                    nodeSelector: { [LOCALMODEL_NODE_LABEL.key]: LOCALMODEL_NODE_LABEL.value },
                    affinity: requiredNodeAffinity(poolSelectorTerms(nvmePools(cfg))),
                    tolerations: [GPU_TOLERATION],
                },
            },
        },
    };
}

/**
 * The agent's hostPath must be the model-cache directory on NVMe (components/storage/layout.ts
 * `modelCacheHostPath`), but kserve-localmodel-resources v0.20.0 hard-codes `/models` (no value for it; on
 * GKE's read-only COS root it cannot even be created). A server-side-apply patch owns just that field.
 * A Helm upgrade of the chart reverts it (three-way merge), so the patch carries the chart revision it was
 * applied after: any change of chart version or values changes the patch and Pulumi re-applies it, forcing
 * the field back (`pulumi.com/patchForce`). Undefined when KServe's default path is kept (existing clusters).
 */
export function localModelAgentPatch(cfg: PlatformConfig, chartVersion: string): KubeObject | undefined {
    const hostPath = modelCacheHostPath(cfg.cloud);
    if (!hostPath) return undefined;
    const revision = createHash("sha256").update(JSON.stringify([chartVersion, localModelValues(cfg)])).digest("hex").slice(0, 16);
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: {
            name: LOCALMODEL_AGENT,
            namespace: KSERVE_NAMESPACE,
            annotations: { "pulumi.com/patchForce": "true", "modelplane.io/localmodel-chart-revision": revision },
        },
        spec: { template: { spec: { volumes: [{ name: "models", hostPath: { path: hostPath, type: "DirectoryOrCreate" } }] } } },
    };
}
