// GPU node autoscaling on EKS: Cluster Autoscaler over the managed node groups modelplane already creates. Pure
// builders (tags, IAM policy, Helm values); AwsCluster registers the tags and the identity, Addons the release.
//
// Why Cluster Autoscaler with managed node groups and not Karpenter (awslabs/ai-on-eks runs its GPU capacity on
// Karpenter NodePools, research/gpu-nodes.md §5):
// - Nothing destroyed by a refactor: Karpenter launches its own instances from NodePools/EC2NodeClasses, so moving
//   the pools to it replaces every running GPU node group (prod's h100 group sits on a capacity reservation).
//   Cluster Autoscaler only moves the desired size of the node groups that exist (the groups already ignore
//   `scalingConfig.desiredSize` for that reason): adding it changes no node.
// - Capacity blocks and reservations: an EKS managed node group takes both directly (capacityType CAPACITY_BLOCK,
//   launch template targeting the `cr-…` id; EKS adds the scale-to-zero action before a block ends), while Karpenter
//   needs ≥ 1.6 with the `ReservedCapacity` feature gate for them (ai-on-eks PRs #184, #363).
// - A pool is one instance type with fixed labels and taints: the bin-packing across instance families that is
//   Karpenter's strength does not apply, and min/max per pool are the node group's own min/max.
// What Karpenter would do better: faster launches (no ASG in the loop) and consolidation of half-empty GPU nodes.
//
// Scale from zero (kubernetes/autoscaler@cluster-autoscaler-1.33.6 cluster-autoscaler/cloudprovider/aws/README.md):
// CA builds a template node per ASG from the instance type and the ASG's `k8s.io/cluster-autoscaler/node-template/*`
// tags; EKS's DescribeNodegroup labels and taints are used only until the group has had its first node. EKS does not
// copy node group labels and taints to the ASG, so modelplane tags the ASG with each of them (lib/node-template.ts
// reads them back the way CA does, and test/scale-up.test.ts checks every shipped model against them).
//
// Capacity types (what happens when CA raises a group's desired size):
// - onDemand / spot: EC2 launches the type; a spot group with no capacity fails to launch, CA backs the group off
//   (from 5 minutes, doubling up to 30: FAQ.md initial-/max-node-group-backoff-duration) and the pods stay Pending until spot capacity returns.
// - reservation (ON_DEMAND with a targeted capacity reservation): nodes launch into the reservation; once it is full
//   launches fail (a targeted reservation never falls back to unreserved on-demand) and CA backs off. Set maxNodes to
//   the reservation's instance count.
// - capacityBlock: instances exist only inside the block's window. Before it, launches fail and CA backs off (pods stay
//   Pending); inside it, CA scales up to the block's size; EKS's scheduled action "Amazon EKS Node Group Capacity
//   Scaledown Before Reservation End" sets the group to 0 forty minutes before the end (EC2 terminates the instances
//   thirty minutes before), so the pods go Pending again and CA's scale-ups fail until a new block starts. CA does not
//   buy blocks; buy them ahead and keep maxNodes at the block's size.
import { caTemplateTags, Taint, awsAcceleratorLabelValue } from "../../lib/node-template";
import { GPU_RESOURCE, GPU_TAINT } from "../../lib/labels";
import { GpuPoolConfig } from "../config";
import { poolLabels } from "./nodePools";

/** The node label CA's AWS provider treats as "GPU node": until the device plugin reports GPUs, such a node counts as not ready, so CA does not scale up again for the same pods (cloudprovider/aws/aws_cloud_provider.go GPULabel). */
export const AWS_CA_GPU_LABEL = "k8s.amazonaws.com/accelerator";

/** Where the release runs and the ServiceAccount the Pod Identity association names. */
export const CLUSTER_AUTOSCALER = { namespace: "kube-system", serviceAccount: "cluster-autoscaler", releaseName: "cluster-autoscaler" } as const;

/**
 * CA image per Kubernetes minor: CA's minor must match the cluster's (kubernetes/autoscaler README "Releases": each
 * CA minor is tested against the same Kubernetes minor). Each is the last patch tag of that minor
 * (`cluster-autoscaler-1.3x.y` tags of kubernetes/autoscaler).
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<string, string>> = {
    "1.32": "v1.32.7",
    "1.33": "v1.33.6",
    "1.34": "v1.34.5",
    "1.35": "v1.35.2",
};

/** The CA image tag for a cluster's `kubernetesVersion` ("1.33" or "1.33.x"); undefined for a minor not in the table. */
export function clusterAutoscalerImageTag(kubernetesVersion: string): string | undefined {
    const minor = /^(\d+\.\d+)/.exec(kubernetesVersion)?.[1];
    return minor ? CLUSTER_AUTOSCALER_IMAGES[minor] : undefined;
}

/** Labels of an EKS GPU pool's nodes: the pool labels plus CA's GPU label. */
export function awsPoolLabels(pool: GpuPoolConfig): Record<string, string> {
    const labels = poolLabels(pool);
    if (pool.gpusPerNode > 0) labels[AWS_CA_GPU_LABEL] = awsAcceleratorLabelValue(pool.accelerator);
    return labels;
}

/** The pool's taints in Kubernetes spelling (what the node will carry). */
export function poolK8sTaints(pool: GpuPoolConfig): Taint[] {
    return pool.taint ? [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect }] : [];
}

/**
 * The ASG tags CA builds the pool's template node from at zero nodes: every node label, the taint, and the GPU count
 * (CA also knows it from its instance list; the tag keeps a capacity-block group, whose type is only in the launch
 * template, unambiguous).
 */
export function awsAutoscalerTags(pool: GpuPoolConfig): Record<string, string> {
    return caTemplateTags(awsPoolLabels(pool), poolK8sTaints(pool), pool.gpusPerNode > 0 ? { [GPU_RESOURCE]: String(pool.gpusPerNode) } : {});
}

/** Tag key of an ASG tag as a Pulumi name suffix (`/`, `.` and `_` become `-`). */
export function tagResourceSuffix(key: string): string {
    return key.replace(/^k8s\.io\/cluster-autoscaler\/node-template\//, "").replace(/[^A-Za-z0-9-]+/g, "-").replace(/-+$/, "").toLowerCase();
}

export interface AutoscalerPolicyArgs {
    clusterName: string;
    partition: string;
    region: string;
    accountId: string;
}

/**
 * Least privilege for CA on EKS with ASG auto-discovery (cloudprovider/aws/README.md "Full Cluster Autoscaler Features
 * Policy", which asks to restrict the write actions by tag condition): the describe calls on `*` (they take no
 * resource-level permissions, except eks:DescribeNodegroup, limited to this cluster's node groups); SetDesiredCapacity
 * and TerminateInstanceInAutoScalingGroup only on ASGs tagged as this cluster's (EKS tags every managed node group's ASG
 * `k8s.io/cluster-autoscaler/<cluster>=owned` and `k8s.io/cluster-autoscaler/enabled=true`; the EKS best-practices
 * guide's CA policy uses the same condition).
 */
export function clusterAutoscalerPolicy(a: AutoscalerPolicyArgs): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Describe",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                ],
                Resource: "*",
            },
            {
                Sid: "DescribeOwnNodegroups",
                Effect: "Allow",
                Action: ["eks:DescribeNodegroup"],
                Resource: `arn:${a.partition}:eks:${a.region}:${a.accountId}:nodegroup/${a.clusterName}/*`,
            },
            {
                Sid: "ScaleOwnNodeGroups",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: {
                    StringEquals: {
                        [`aws:ResourceTag/k8s.io/cluster-autoscaler/${a.clusterName}`]: "owned",
                        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
                    },
                },
            },
        ],
    });
}

/**
 * Helm values of the `cluster-autoscaler` chart (kubernetes/autoscaler charts/cluster-autoscaler at
 * cluster-autoscaler-chart-9.51.0):
 * - auto-discovery of the ASGs EKS tags for this cluster (min/max are the node groups', which Pulumi sets);
 * - `expander: least-waste` (CA's default, stated): a GPU pod selects one pool by label, so only that pool's group can
 *   take it and the expander never chooses between GPU pools; least-waste decides only for pods several groups fit;
 * - `balance-similar-node-groups: false`: it balances groups that differ only in zone; modelplane makes one group per
 *   pool (spanning the pool's zones) and pools differ in their `modelplane.io/pool` label, so no two are similar;
 * - runs only on nodes of no GPU pool: a CA pod on a GPU node would keep that node from scaling down (kube-system pods
 *   block scale-down) and an untainted GPU pool would otherwise accept it.
 */
export function clusterAutoscalerValues(args: { clusterName: string; region: string; kubernetesVersion: string }): Record<string, unknown> {
    const tag = clusterAutoscalerImageTag(args.kubernetesVersion);
    if (!tag) throw new Error(`no Cluster Autoscaler image for Kubernetes ${args.kubernetesVersion} (config validation should have caught this)`);
    return {
        cloudProvider: "aws",
        awsRegion: args.region,
        autoDiscovery: { clusterName: args.clusterName },
        image: { tag },
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER.serviceAccount } },
        extraArgs: {
            logtostderr: true,
            stderrthreshold: "info",
            v: 4,
            expander: "least-waste",
            "balance-similar-node-groups": false,
        },
        affinity: {
            nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: "modelplane.io/pool", operator: "DoesNotExist" }] }],
                },
            },
        },
        // As CA's example deployment (cloudprovider/aws/examples/cluster-autoscaler-autodiscover.yaml), without a CPU limit.
        resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
    };
}
