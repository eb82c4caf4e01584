// Stateful platform pieces must be `protect`ed where the config says so (prod): deleting a cluster or a
// GPU node pool takes every model down, and deleting a CRD deletes every object of its kind.
//
// Contract with the program (what counts as stateful):
// - clusters: `aws:eks/cluster:Cluster`, `gcp:container/cluster:Cluster`;
// - GPU and system node pools: `aws:eks/nodeGroup:NodeGroup`, `gcp:container/nodePool:NodePool`;
// - CRDs: `kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition` (also the ones a chart renders,
//   which the engine analyzes as children of the chart);
// - CRD bundles: components that install CRDs from a file or chart. The program names them with a `-crds`
//   suffix: `kubernetes:yaml/v2:ConfigFile`, `kubernetes:yaml/v2:ConfigGroup`, `kubernetes:helm.sh/v3:Release`
//   and `kubernetes:helm.sh/v4:Chart` whose resource name ends with `-crds`.
// `protect` is what CrossGuard can see (PolicyResourceOptions has protect, not retainOnDelete), and children
// inherit it from their component, so a protected bundle protects the CRDs it renders.
import type { ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/resources";
import { CONFIG_FILE, describeResource, stackFileFor, policyConfig, strictSchema } from "./common";

export const CRD_BUNDLE_TYPES: ReadonlySet<string> = new Set([
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:helm.sh/v4:Chart",
]);
export const CRD_BUNDLE_SUFFIX = "-crds";

const STATEFUL: Record<string, string> = {
    [TYPES.eksCluster]: "cluster",
    [TYPES.gkeCluster]: "cluster",
    [TYPES.eksNodeGroup]: "node pool",
    [TYPES.gkeNodePool]: "node pool",
    [TYPES.crd]: "CRD",
};

/** What a resource is, if the policy requires it to be protected. */
export function statefulKind(r: { type: string; name: string }): string | undefined {
    if (Object.hasOwn(STATEFUL, r.type)) return STATEFUL[r.type];
    if (CRD_BUNDLE_TYPES.has(r.type) && r.name.endsWith(CRD_BUNDLE_SUFFIX)) return "CRD bundle";
    return undefined;
}

export interface ProtectConfig {
    requireProtect: boolean;
}

export const protectStatefulPlatform: StackValidationPolicy = {
    name: "protect-stateful-platform",
    description: "Clusters, node pools and CRDs are protected against deletion where the config requires it (prod).",
    configSchema: strictSchema({
        requireProtect: {
            type: "boolean",
            default: false,
            description: "Require `protect` on clusters, node pools, CRDs and CRD bundles (set true for prod).",
        },
    }),
    remediationSteps: "Set modelplane:protect: true in the stack config (modelplane passes protect to these resources).",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const { requireProtect } = policyConfig<ProtectConfig>(args, protectStatefulPlatform);
        if (!requireProtect) args.notApplicable(`requireProtect is false in ${CONFIG_FILE}`);
        for (const r of args.resources) {
            const kind = statefulKind(r);
            if (!kind || r.opts.protect) continue;
            const consequence =
                kind === "cluster" ? "deleting it takes down every model"
                : kind === "node pool" ? "deleting it evicts every pod on it"
                : "deleting a CRD deletes every object of its kind";
            report(
                `${kind} ${describeResource(r)} is not protected (${consequence}); set modelplane:protect: true in ${stackFileFor(r.urn)} ` +
                    `(modelplane then registers it with protect); an already deployed resource can also be protected with ` +
                    `\`pulumi state protect '${r.urn}'\`.`,
                r.urn,
            );
        }
    },
};

export const protectionPolicies: StackValidationPolicy[] = [protectStatefulPlatform];
