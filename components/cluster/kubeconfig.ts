// Pure kubeconfig builders for the clusters modelplane creates. Credentials are never embedded: kubectl and
// the Pulumi Kubernetes provider (client-go) run an exec plugin that mints a short-lived token, so the
// kubeconfig only holds the endpoint and CA. It is still exported as a secret (DESIGN.md §2).
import { stringify } from "yaml";

/** client-go exec credential API both `aws eks get-token` and `gke-gcloud-auth-plugin` speak. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

interface ExecConfig {
    apiVersion: string;
    command: string;
    args?: string[];
    installHint?: string;
    provideClusterInfo?: boolean;
    interactiveMode?: "Never" | "IfAvailable" | "Always";
}

/** One-cluster kubeconfig with an exec user; the context is named after the cluster. */
export function execKubeconfig(name: string, server: string, caData: string, exec: ExecConfig): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server, "certificate-authority-data": caData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        preferences: {},
        users: [{ name, user: { exec } }],
    });
}

export interface EksKubeconfigArgs {
    clusterName: string;
    /** https://… endpoint of the EKS API server. */
    endpoint: string;
    /** Base64 PEM of the cluster CA (`certificateAuthority.data`). */
    caData: string;
    region: string;
}

/** EKS: token from `aws eks get-token` (same exec block `aws eks update-kubeconfig` writes). */
export function eksKubeconfig(a: EksKubeconfigArgs): string {
    return execKubeconfig(a.clusterName, a.endpoint, a.caData, {
        apiVersion: EXEC_API_VERSION,
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", a.clusterName, "--region", a.region, "--output", "json"],
        interactiveMode: "Never",
    });
}

export interface GkeKubeconfigArgs {
    /** Context/cluster name in the kubeconfig (modelplane uses the GKE cluster name). */
    clusterName: string;
    /** Endpoint IP or host of the GKE control plane (`endpoint`, without scheme). */
    endpoint: string;
    /** Base64 PEM of the cluster CA (`masterAuth.clusterCaCertificate`). */
    caData: string;
}

/** GKE: token from `gke-gcloud-auth-plugin`, as `gcloud container clusters get-credentials` writes it. */
export function gkeKubeconfig(a: GkeKubeconfigArgs): string {
    const server = /^https?:\/\//.test(a.endpoint) ? a.endpoint : `https://${a.endpoint}`;
    return execKubeconfig(a.clusterName, server, a.caData, {
        apiVersion: EXEC_API_VERSION,
        command: "gke-gcloud-auth-plugin",
        installHint: "Install gke-gcloud-auth-plugin for kubectl: https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin",
        provideClusterInfo: true,
        interactiveMode: "Never",
    });
}
