// The shape of one resource as the program registered it. The offline plan collects these under
// Pulumi's mocks; the policy runner turns them into the arguments CrossGuard's engine would pass.
// It is plain data (JSON-serialisable) so resources.json, tests and policies share one type.

/** Resource options the engine reports to policies (PolicyResourceOptions) plus the ones we check ourselves. */
export interface RegisteredOptions {
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    /** URN of the resource this one is deleted with, if any. */
    deletedWith?: string;
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
}

export interface RegisteredResource {
    urn: string;
    type: string;
    name: string;
    /** false for ComponentResources (local or remote, e.g. helm v4 Chart). */
    custom: boolean;
    /** true when the component is implemented by a provider (helm v4 Chart, yaml v2 ConfigGroup). */
    remote: boolean;
    parent?: string;
    /** Provider reference `urn::id`, when one was set explicitly or inherited. */
    provider?: string;
    dependencies: string[];
    /** The inputs the program gave, with secrets replaced by SECRET_PLACEHOLDER. */
    props: Record<string, unknown>;
    /** The same inputs with secret values kept (never written to disk). */
    rawProps?: Record<string, unknown>;
    /** Top-level input keys whose value is (or contains) a secret. */
    secretProps: string[];
    opts: RegisteredOptions;
}

/** What a secret value looks like in resources.json and manifests. */
export const SECRET_PLACEHOLDER = "[secret]";

/** The Kubernetes type token of a custom resource (`kubernetes:<apiVersion>:<kind>`), as CustomResource registers it. */
export function k8sType(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion}:${kind}`;
}

export const TYPES = {
    llmInferenceService: k8sType("serving.kserve.io/v1alpha2", "LLMInferenceService"),
    llmInferenceServiceConfig: k8sType("serving.kserve.io/v1alpha2", "LLMInferenceServiceConfig"),
    inferenceObjective: k8sType("llm-d.ai/v1alpha2", "InferenceObjective"),
    namespace: "kubernetes:core/v1:Namespace",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    configMap: "kubernetes:core/v1:ConfigMap",
    crd: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    eksCluster: "aws:eks/cluster:Cluster",
    eksNodeGroup: "aws:eks/nodeGroup:NodeGroup",
    gkeCluster: "gcp:container/cluster:Cluster",
    gkeNodePool: "gcp:container/nodePool:NodePool",
} as const;
