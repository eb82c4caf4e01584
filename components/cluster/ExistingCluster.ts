import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { PLATFORM_NAMESPACE } from "../names";
import { poolMarker } from "./nodePools";
import { ClusterArgs, ClusterOutputs } from "./types";

/**
 * A cluster modelplane does not manage (on-prem, kind, a cluster from another stack). It builds the provider
 * and describes the GPU pools — labels and taints the nodes already carry (DESIGN.md §0, on-prem) — with one
 * marker ConfigMap per pool in PLATFORM_NAMESPACE: the policy pack reads pool capacity from those, as it
 * reads node groups / node pools on aws and gcp. No cloud resource is registered.
 */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly provider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly readyResources: pulumi.Resource[];
    /** The namespace holding the pool markers (and modelplane's other cluster-wide objects). */
    readonly namespace: k8s.core.v1.Namespace;
    /** Marker ConfigMaps by pool name. */
    readonly poolMarkers: Record<string, k8s.core.v1.ConfigMap> = {};

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:cluster:ExistingCluster", name, {}, opts);
        const c = args.config;
        const kubeconfig = c.secrets.kubeconfig;
        this.kubeconfig = pulumi.secret(kubeconfig ?? "");
        this.clusterName = pulumi.output(c.cluster.name);
        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: kubeconfig !== undefined ? this.kubeconfig : undefined,
            context: c.cluster.context,
            // A changed kubeconfig (rotated credentials) must not replace every object on the cluster:
            // with clusterIdentifier set, only a change of this value replaces the provider (pulumi-kubernetes#3068).
            clusterIdentifier: c.cluster.name,
            enableServerSideApply: true,
        }, { parent: this });

        const k8sOpts = { parent: this, provider: this.provider };
        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: PLATFORM_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
        }, k8sOpts);
        for (const pool of c.gpuPools) {
            const marker = poolMarker(pool);
            this.poolMarkers[pool.name] = new k8s.core.v1.ConfigMap(`${name}-pool-${pool.name}`, {
                metadata: { ...marker.metadata, namespace: this.namespace.metadata.name },
                data: marker.data,
            }, k8sOpts);
        }

        // Layers that put objects into PLATFORM_NAMESPACE wait for it.
        this.readyResources = [this.namespace];
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}
