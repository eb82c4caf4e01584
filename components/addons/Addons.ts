import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

export interface AddonsArgs extends LayerArgs {
    /**
     * Gateway API CRDs: cert-manager starts after them, because with `enableGatewayAPI` (ACME through our
     * Gateway) it refuses to start without gateway.networking.k8s.io/v1 (cert-manager issue #6649).
     */
    gatewayApiCrds?: pulumi.Resource;
}
import { resolveVersions } from "../versions";
import { CLUSTER_AUTOSCALER, clusterAutoscalerValues } from "../cluster/autoscaler";
import { crdBundle, defined, helmRelease, InstallContext } from "./install";
import { CERT_MANAGER_NAMESPACE, certManagerValues, DEVICE_PLUGIN_NAMESPACE, devicePluginValues, needsDevicePlugin } from "./values";

/**
 * cert-manager, LeaderWorkerSet and (EKS only) the NVIDIA device plugin and Cluster Autoscaler: what the layers above assume
 * every cluster has (DESIGN.md §1).
 */
export class Addons extends pulumi.ComponentResource {
    /** cert-manager (its CRDs and webhook): Issuers and Certificates wait for it. Undefined without charts. */
    readonly certManager?: pulumi.Resource;
    /** LeaderWorkerSet CRD + controller (multi-node replicas). */
    readonly lws: pulumi.Resource;
    readonly devicePlugin?: pulumi.Resource;
    /** Cluster Autoscaler (EKS only): scales the GPU node groups from their minNodes. */
    readonly clusterAutoscaler?: pulumi.Resource;
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: AddonsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:addons:Addons", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        const after = { dependsOn: args.dependsOn ?? [] };

        this.certManager = helmRelease(`${name}-cert-manager`, v.certManager, {
            releaseName: "cert-manager", namespace: CERT_MANAGER_NAMESPACE, createNamespace: true, values: certManagerValues(cfg),
        }, ctx, { dependsOn: [...after.dependsOn, ...defined([args.gatewayApiCrds])] });

        // The LWS release manifest carries the CRD next to its controller (kserve manage.lws-operator.sh applies
        // it server-side): deleting the bundle would delete every LeaderWorkerSet, i.e. every multi-node replica,
        // so it is handled as a CRD bundle (retained, protected in prod).
        this.lws = crdBundle(`${name}-lws-crds`, v.lws, { releaseName: "lws", namespace: "lws-system", createNamespace: true }, ctx, after)!;

        if (needsDevicePlugin(cfg)) {
            this.devicePlugin = helmRelease(`${name}-nvidia-device-plugin`, v.nvidiaDevicePlugin, {
                releaseName: "nvidia-device-plugin", namespace: DEVICE_PLUGIN_NAMESPACE, createNamespace: true, values: devicePluginValues(cfg),
            }, ctx, after);
        }

        // EKS: GPU node groups start at minNodes and only Cluster Autoscaler adds nodes (GKE scales its pools itself;
        // existing clusters bring their own autoscaler). Its IAM role and Pod Identity association are AwsCluster's.
        if (cfg.cloud === "aws") {
            this.clusterAutoscaler = helmRelease(`${name}-cluster-autoscaler`, v.clusterAutoscaler, {
                releaseName: CLUSTER_AUTOSCALER.releaseName, namespace: CLUSTER_AUTOSCALER.namespace,
                values: clusterAutoscalerValues({ clusterName: cfg.cluster.name, region: cfg.providers["aws:region"], kubernetesVersion: cfg.cluster.kubernetesVersion }),
            }, ctx, after);
        }

        this.ready = defined([this.certManager, this.lws, this.devicePlugin]);
        this.registerOutputs({});
    }
}
