import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { PlatformConfig } from "../config";

/** What every cluster flavour (aws, gcp, existing) gives the layers above it: they do not care which. */
export interface ClusterOutputs {
    /** The one provider every in-cluster object uses (clusterIdentifier set, see pulumi.md §4). */
    provider: k8s.Provider;
    /** Kubeconfig of the cluster, always a secret. */
    kubeconfig: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    /** Resources in-cluster objects must wait for (e.g. node pools, so the device plugin has nodes). */
    readyResources: pulumi.Resource[];
    /**
     * Identity model pods use to read object-store weights: an IAM role ARN (aws, via EKS Pod Identity) or a
     * GCP service account email (gcp, via Workload Identity); undefined on existing clusters.
     */
    modelReaderIdentity?: pulumi.Output<string>;
    /**
     * Lets a Kubernetes ServiceAccount act as the model-reader identity: on AWS an EKS Pod Identity
     * association, on GCP a Workload Identity IAM binding. Returns the annotations the ServiceAccount needs
     * (GKE: iam.gke.io/gcp-service-account; none on AWS). `name` is the Pulumi name of the binding resource,
     * registered under `parent`. `identity` binds another identity instead (a team's `cloudIdentity`: an IAM
     * role ARN on aws, a service account email on gcp). Absent on existing clusters.
     */
    bindServiceAccount?(name: string, namespace: string, serviceAccount: string, parent: pulumi.Resource, identity?: pulumi.Input<string>): pulumi.Output<Record<string, string>>;
}

export interface ClusterArgs {
    config: PlatformConfig;
}
