// Helm values of the add-ons (pure, tested without mocks).
import { PlatformConfig } from "../config";
import { GPU_TOLERATION, gpuPools, poolSelectorTerms, requiredNodeAffinity } from "./scheduling";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const DEVICE_PLUGIN_NAMESPACE = "nvidia-device-plugin";

/** Node label the NVIDIA device plugin's own chart accepts to force a GPU node (k8s-device-plugin values.yaml). */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/**
 * cert-manager: CRDs from the chart's templates (`crds.enabled`, the successor of `installCRDs`, as KServe's
 * hack/setup/infra/manage.cert-manager-helm.sh sets it) with `crds.keep` so a Helm uninstall leaves them (and
 * every Certificate) alone. Gateway API support is switched on when an ACME http01 solver must answer through
 * our Gateway (cert-manager `enableGatewayAPI` controller option; off by default).
 */
export function certManagerValues(cfg: PlatformConfig): Record<string, unknown> {
    const acme = cfg.platform.gateway.tls?.issuer === "letsencrypt";
    return {
        crds: { enabled: true, keep: true },
        ...(acme ? {
            config: {
                apiVersion: "controller.config.cert-manager.io/v1alpha1",
                kind: "ControllerConfiguration",
                enableGatewayAPI: true,
            },
        } : {}),
    };
}

/** Whether this stack needs the NVIDIA device plugin: EKS AL2023 NVIDIA AMIs ship none (research/gpu-nodes.md §1.4). */
export function needsDevicePlugin(cfg: PlatformConfig): boolean {
    // GKE installs its own device plugin with the driver; existing clusters bring theirs.
    return cfg.cloud === "aws" && gpuPools(cfg.gpuPools).length > 0;
}

/**
 * NVIDIA device plugin: only on GPU nodes. The chart's default affinity wants NFD labels (pci-10de) that
 * nothing on AL2023 sets, so the DaemonSet would schedule nowhere (research/gpu-nodes.md §1.4 gotcha). We
 * replace it: a node qualifies by `nvidia.com/gpu.present=true` (the chart's own "force" label) or by being in
 * one of our GPU pools; lists replace chart defaults in Helm, so these terms are the only ones.
 */
export function devicePluginValues(cfg: PlatformConfig): Record<string, unknown> {
    const terms = [
        { matchExpressions: [{ key: GPU_PRESENT_LABEL, operator: "In" as const, values: ["true"] }] },
        ...poolSelectorTerms(gpuPools(cfg.gpuPools)),
    ];
    return {
        affinity: requiredNodeAffinity(terms),
        tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, GPU_TOLERATION],
        // Feature discovery would pull in NFD; the pools are labelled by modelplane already.
        gfd: { enabled: false },
        nfd: { enabled: false },
    };
}
