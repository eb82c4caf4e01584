// Pure IAM documents and naming for the identities modelplane creates (cluster, nodes, model readers).
import { PlatformConfig } from "../config";

/** Trust policy letting an AWS service assume a role (`sts:AssumeRole`, plus extra actions if asked). */
export function serviceTrustPolicy(service: string, extraActions: string[] = []): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{
            Effect: "Allow",
            Principal: { Service: service },
            Action: extraActions.length ? ["sts:AssumeRole", ...extraActions] : "sts:AssumeRole",
        }],
    });
}

/**
 * EKS Pod Identity trust: the principal is `pods.eks.amazonaws.com` and it needs both `sts:AssumeRole` and
 * `sts:TagSession` (it tags sessions with cluster/namespace/service account) — EKS user guide pod-id-role.
 */
export function podIdentityTrustPolicy(): string {
    return serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:TagSession"]);
}

/**
 * Model buckets the platform's model-reader identity may read, by naming convention (no config yet):
 * `<cluster>-models*` and `<project>-<stack>-models*` (e.g. llm-prod-models, modelplane-prod-models-eu).
 * A team that needs other buckets sets its own `cloudIdentity`.
 */
export function modelBucketPrefixes(cfg: PlatformConfig): string[] {
    return [...new Set([`${cfg.cluster.name}-models`, `${cfg.project}-${cfg.stack}-models`])];
}

/** Read-only S3 access to the model buckets: list the buckets, get their objects (RunAI streamer, storage initializer). */
export function s3ModelReaderPolicy(prefixes: string[], partition = "aws"): string {
    const buckets = prefixes.map((p) => `arn:${partition}:s3:::${p}*`);
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "ListModelBuckets", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: buckets },
            { Sid: "ReadModelObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: buckets.map((b) => `${b}/*`) },
        ],
    });
}

/**
 * IAM condition limiting a project-level `roles/storage.objectViewer` grant to the model buckets: Cloud
 * Storage resource names are `projects/_/buckets/<bucket>[/objects/<object>]`, so a name prefix covers the
 * buckets and their objects.
 */
export function gcsModelReaderCondition(prefixes: string[]): { title: string; description: string; expression: string } {
    return {
        title: "modelplane-model-buckets",
        description: `Read model weights from buckets named ${prefixes.map((p) => `${p}*`).join(", ")}`,
        expression: prefixes.map((p) => `resource.name.startsWith("projects/_/buckets/${p}")`).join(" || "),
    };
}

/** Workload Identity member of a Kubernetes ServiceAccount (GKE workload pool `<project>.svc.id.goog`). */
export function workloadIdentityMember(project: string, namespace: string, serviceAccount: string): string {
    return `serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]`;
}

/** Annotation a GKE ServiceAccount needs to act as a GCP service account (Workload Identity). */
export const GKE_SA_ANNOTATION = "iam.gke.io/gcp-service-account";
