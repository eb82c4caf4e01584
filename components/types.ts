import * as pulumi from "@pulumi/pulumi";
import * as k8s from "./kube";
import { PlatformConfig } from "./config";

/** Arguments every in-cluster layer takes: the validated config, the cluster's provider, what to wait for. */
export interface LayerArgs {
    config: PlatformConfig;
    provider: k8s.Provider;
    /** Resources this layer's objects must be created after (e.g. the CRDs they instantiate). */
    dependsOn?: pulumi.Resource[];
}
