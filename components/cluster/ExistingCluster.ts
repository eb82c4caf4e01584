import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterArgs, ClusterOutputs } from "./types";

/**
 * A cluster modelplane does not manage (on-prem, kind, a cluster from another stack). It only builds the
 * provider; GPU pools are labels and taints the nodes already carry (DESIGN.md §0, on-prem).
 */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly provider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly readyResources: pulumi.Resource[] = [];

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
        this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
    }
}
