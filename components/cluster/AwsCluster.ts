import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as k8s from "../kube";
import { GpuPoolConfig, PlatformConfig } from "../config";
import { modelBucketPrefixes, podIdentityTrustPolicy, s3ModelReaderPolicy, serviceTrustPolicy } from "./identity";
import { eksKubeconfig } from "./kubeconfig";
import { AWS_DEFAULT_AZ_COUNT, AWS_DEFAULT_VPC_CIDR, awsSubnetLayout, principalKey, subnetsInZones } from "./network";
import { launchTemplateUserData } from "./nodeadm";
import { AWS_GPU_AMI_TYPE, awsCapacity, awsPoolZones, awsSystemAmiType, poolAnnotations, poolTaints } from "./nodePools";
import { awsAutoscalerTags, awsPoolLabels, CLUSTER_AUTOSCALER, clusterAutoscalerPolicy, tagResourceSuffix } from "./autoscaler";
import { ClusterArgs, ClusterOutputs } from "./types";
import { POOL_LABEL } from "../../lib/labels";

/**
 * IMDSv2 only, hop limit 2. Tokens are required (no IMDSv1 credential theft through SSRF). A hop limit of 2
 * is what the research's launch template uses (research/gpu-nodes.md §1.7) and what containers on the
 * node need to reach IMDS at all; model pods get S3 credentials from EKS Pod Identity, not the node role,
 * so lowering it to 1 is a hardening option once no workload relies on IMDS for region/instance facts.
 */
export const IMDS_OPTIONS = { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 } as const;

/** Control-plane log types EKS can ship to CloudWatch (all of them: audit matters for a shared platform). */
export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** The EKS add-ons every cluster gets (research §1.6). coredns needs nodes to become healthy. */
const NODE_INDEPENDENT_ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] as const;

/** Root volume of AL2023 AMIs. */
const ROOT_DEVICE = "/dev/xvda";

interface AwsNetwork {
    privateSubnetIds: pulumi.Output<string[]>;
    /** Private subnets with their AZ (looked up only when a pool names zones, for existing VPCs). */
    subnetZones: () => pulumi.Output<{ id: string; zone: string }[]>;
}

/**
 * An EKS cluster with GPU managed node groups (issue 3): its VPC (or an existing one), access entries,
 * KMS-encrypted secrets, control-plane logs, the core add-ons, a system node group, one node group per
 * GPU pool (with the ASG tags Cluster Autoscaler scales it from zero by), the Pod Identity roles of Cluster
 * Autoscaler and of model pods (which read weights from S3).
 */
export class AwsCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly provider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly readyResources: pulumi.Resource[];
    readonly modelReaderIdentity: pulumi.Output<string>;
    readonly cluster: aws.eks.Cluster;
    /** GPU node groups by pool name. */
    readonly nodeGroups: Record<string, aws.eks.NodeGroup> = {};
    private readonly podIdentityAgent: aws.eks.Addon;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:cluster:AwsCluster", name, {}, opts);
        const cfg = args.config;
        const c = cfg.cluster;
        const region = cfg.providers["aws:region"];
        // Checked before any child is registered.
        cfg.gpuPools.forEach((pool, i) => {
            // Zone names carry their region; a typo here would only fail deep inside EC2 at `up`.
            for (const z of pool.zones ?? []) {
                if (!z.startsWith(region)) throw new Error(`modelplane:gpuPools[${i}].zones: ${z} is not in region ${region} (aws:region)`);
            }
        });
        const child = { parent: this };
        const partition = aws.getPartitionOutput({}, child).partition;
        const policyArn = (policy: string) => pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}`;

        const network = this.network(name, cfg, region);

        // --- Control plane -----------------------------------------------------------------------------
        // Secrets envelope encryption. Losing this key loses every Secret in etcd, so it is protected with the cluster.
        const secretsKey = new aws.kms.Key(`${name}-secrets`, {
            description: `EKS secrets encryption for ${c.name}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
        }, { ...child, protect: cfg.protect });

        // Created ahead of the cluster so its retention is ours (EKS would otherwise create it with no expiry).
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
            name: `/aws/eks/${c.name}/cluster`,
            retentionInDays: 90,
        }, child);

        const clusterRole = new aws.iam.Role(`${name}-cluster-role`, {
            assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"),
        }, child);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, {
            role: clusterRole.name,
            policyArn: policyArn("AmazonEKSClusterPolicy"),
        }, child);

        const publicCidrs = c.endpointPublicAccessCidrs;
        this.cluster = new aws.eks.Cluster(`${name}-eks`, {
            name: c.name,
            version: c.kubernetesVersion,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: network.privateSubnetIds,
                endpointPrivateAccess: true,
                // Public endpoint only for the listed CIDRs; none listed → private only (config.ts doc).
                endpointPublicAccess: publicCidrs.length > 0,
                publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
            },
            // Access entries only (no aws-auth ConfigMap). The creator (the deploying role) keeps admin so the
            // same `pulumi up` can create the in-cluster objects (pulumi-eks cluster.ts does the same).
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            // vpc-cni, kube-proxy and coredns come as managed add-ons below, not as EKS's self-managed copies.
            bootstrapSelfManagedAddons: false,
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: EKS_LOG_TYPES,
            deletionProtection: cfg.protect,
            tags: { "modelplane.io/cluster": c.name },
        }, {
            ...child,
            protect: cfg.protect,
            dependsOn: [clusterPolicy, logGroup],
            // Both are create-time only upstream; a diff on them would replace the cluster (pulumi-eks L733-755).
            ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
        });
        this.clusterName = this.cluster.name;

        for (const arn of c.adminPrincipalArns) {
            const key = principalKey(arn);
            const entry = new aws.eks.AccessEntry(`${name}-admin-${key}`, {
                clusterName: this.cluster.name, principalArn: arn, type: "STANDARD",
            }, child);
            new aws.eks.AccessPolicyAssociation(`${name}-admin-${key}`, {
                clusterName: this.cluster.name,
                principalArn: arn,
                policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
                accessScope: { type: "cluster" },
            }, { ...child, dependsOn: [entry] });
        }

        // --- Add-ons that need no nodes (DaemonSets): before any node group, so nodes come up with a CNI ----
        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs> = {}, dependsOn: pulumi.Resource[] = []) =>
            new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName: this.cluster.name,
                addonName,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                ...extra,
            }, { ...child, dependsOn });
        const early: Record<string, aws.eks.Addon> = {};
        for (const a of NODE_INDEPENDENT_ADDONS) {
            // The VPC CNI enforces NetworkPolicy only when asked to (the tenancy layer relies on NetworkPolicy).
            early[a] = addon(a, a === "vpc-cni" ? { configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) } : {});
        }
        this.podIdentityAgent = early["eks-pod-identity-agent"];

        // --- Nodes ---------------------------------------------------------------------------------------
        const nodeRole = new aws.iam.Role(`${name}-node-role`, {
            assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
        }, child);
        // The CNI policy sits on the node role (the VPC CNI's default); model pods never use node credentials.
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy"]
            .map((p) => new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: policyArn(p) }, child));
        const nodeDeps = [...Object.values(early), ...nodePolicies];

        const sys = c.systemPool!; // config.ts requires it for aws
        const systemLt = new aws.ec2.LaunchTemplate(`${name}-system`, {
            description: `modelplane ${c.name} system nodes`,
            metadataOptions: IMDS_OPTIONS,
            blockDeviceMappings: [rootVolume(sys.diskSizeGiB)],
            updateDefaultVersion: true,
        }, child);
        const systemGroup = new aws.eks.NodeGroup(`${name}-system`, {
            clusterName: this.cluster.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds: network.privateSubnetIds,
            amiType: awsSystemAmiType(sys.instanceType),
            capacityType: "ON_DEMAND",
            instanceTypes: [sys.instanceType],
            scalingConfig: { minSize: sys.minNodes, maxSize: sys.maxNodes, desiredSize: sys.minNodes },
            launchTemplate: { id: systemLt.id, version: systemLt.latestVersion.apply(String) },
            updateConfig: { maxUnavailable: 1 },
            tags: { "modelplane.io/cluster": c.name },
        }, { ...child, protect: cfg.protect, dependsOn: nodeDeps, ignoreChanges: ["scalingConfig.desiredSize"] });

        const coredns = addon("coredns", {}, [systemGroup]);

        for (const pool of cfg.gpuPools) {
            this.nodeGroups[pool.name] = this.gpuNodeGroup(name, cfg, pool, nodeRole, network, nodeDeps);
            this.autoscalerTags(name, pool, this.nodeGroups[pool.name]);
        }

        // --- Cluster Autoscaler's identity (the release itself is in addons) ----------------------------------
        const caRole = new aws.iam.Role(`${name}-cluster-autoscaler`, {
            description: `modelplane ${c.name}: Cluster Autoscaler scales this cluster's node groups (EKS Pod Identity)`,
            assumeRolePolicy: podIdentityTrustPolicy(),
        }, child);
        const account = aws.getCallerIdentityOutput({}, child).accountId;
        new aws.iam.RolePolicy(`${name}-cluster-autoscaler`, {
            role: caRole.name,
            policy: pulumi.all([partition, account]).apply(([p, accountId]) => clusterAutoscalerPolicy({ clusterName: c.name, partition: p, region, accountId })),
        }, child);
        new aws.eks.PodIdentityAssociation(`${name}-cluster-autoscaler`, {
            clusterName: this.cluster.name,
            namespace: CLUSTER_AUTOSCALER.namespace,
            serviceAccount: CLUSTER_AUTOSCALER.serviceAccount,
            roleArn: caRole.arn,
        }, { ...child, dependsOn: [this.podIdentityAgent] });

        // --- Identity for model pods ---------------------------------------------------------------------
        const reader = new aws.iam.Role(`${name}-model-reader`, {
            description: `modelplane ${c.name}: model pods read weights from S3 (EKS Pod Identity)`,
            assumeRolePolicy: podIdentityTrustPolicy(),
        }, child);
        new aws.iam.RolePolicy(`${name}-model-reader-s3`, {
            role: reader.name,
            policy: partition.apply((p) => s3ModelReaderPolicy(modelBucketPrefixes(cfg), p)),
        }, child);
        this.modelReaderIdentity = reader.arn;

        // --- Kubernetes provider -------------------------------------------------------------------------
        this.kubeconfig = pulumi.secret(pulumi.all([this.cluster.endpoint, this.cluster.certificateAuthority]).apply(
            ([endpoint, ca]) => eksKubeconfig({ clusterName: c.name, endpoint, caData: ca.data ?? "", region })));
        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
            // The kubeconfig is computed while the cluster changes; without a stable identifier that alone would
            // replace the provider and every object on it (research/pulumi.md §4, pulumi-kubernetes#3068).
            clusterIdentifier: c.name,
            enableServerSideApply: true,
        }, child);

        this.readyResources = [systemGroup, coredns, this.podIdentityAgent, ...Object.values(this.nodeGroups)];
        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            modelReaderIdentity: this.modelReaderIdentity,
        });
    }

    /** EKS Pod Identity: pods running as `serviceAccount` in `namespace` assume the model-reader role (or `identity`). */
    bindServiceAccount(name: string, namespace: string, serviceAccount: string, parent: pulumi.Resource, identity?: pulumi.Input<string>): pulumi.Output<Record<string, string>> {
        new aws.eks.PodIdentityAssociation(name, {
            clusterName: this.cluster.name,
            namespace,
            serviceAccount,
            roleArn: identity ?? this.modelReaderIdentity,
        }, { parent, dependsOn: [this.podIdentityAgent] });
        // Pod Identity needs no ServiceAccount annotation (unlike IRSA).
        return pulumi.output<Record<string, string>>({});
    }

    /**
     * The ASG tags Cluster Autoscaler reads a node group's template node from when it has no nodes
     * (components/cluster/autoscaler.ts): EKS does not copy a node group's labels and taints to its ASG. Children of
     * the node group (the plan and test/scale-up.test.ts find them by parent), one Tag resource per key so a label
     * change touches only its own tag; `propagateAtLaunch: false` keeps them off the instances.
     */
    private autoscalerTags(name: string, pool: GpuPoolConfig, group: aws.eks.NodeGroup): void {
        const asgName = group.resources.apply((rs) => rs?.[0]?.autoscalingGroups?.[0]?.name ?? "");
        for (const [key, value] of Object.entries(awsAutoscalerTags(pool))) {
            new aws.autoscaling.Tag(`${name}-gpu-${pool.name}-ca-${tagResourceSuffix(key)}`, {
                autoscalingGroupName: asgName,
                tag: { key, value, propagateAtLaunch: false },
            }, { parent: group });
        }
    }

    private gpuNodeGroup(name: string, cfg: PlatformConfig, pool: GpuPoolConfig, nodeRole: aws.iam.Role,
        network: AwsNetwork, dependsOn: pulumi.Resource[]): aws.eks.NodeGroup {
        const capacity = awsCapacity(pool);
        const zones = awsPoolZones(pool);
        const child = { parent: this };
        const lt = new aws.ec2.LaunchTemplate(`${name}-gpu-${pool.name}`, {
            description: `modelplane ${cfg.cluster.name} GPU pool ${pool.name}`,
            metadataOptions: IMDS_OPTIONS,
            // With a launch template the node group's diskSize must not be set (EKS launch-templates doc).
            blockDeviceMappings: [rootVolume(pool.diskSizeGiB)],
            userData: launchTemplateUserData(pool.localNvme),
            ...capacity.launchTemplate,
            tagSpecifications: ["instance", "volume"].map((resourceType) => ({
                resourceType, tags: { "modelplane.io/cluster": cfg.cluster.name, [POOL_LABEL]: pool.name },
            })),
            updateDefaultVersion: true,
        }, child);
        const subnetIds = zones
            ? network.subnetZones().apply((s) => subnetsInZones(s, zones, `modelplane:gpuPools (pool ${pool.name}).zones`))
            : network.privateSubnetIds;
        return new aws.eks.NodeGroup(`${name}-gpu-${pool.name}`, {
            clusterName: this.cluster.name,
            nodeRoleArn: nodeRole.arn,
            subnetIds,
            amiType: AWS_GPU_AMI_TYPE,
            capacityType: capacity.capacityType,
            instanceTypes: capacity.instanceTypes,
            labels: awsPoolLabels(pool),
            taints: poolTaints(pool),
            scalingConfig: { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: pool.minNodes },
            launchTemplate: { id: lt.id, version: lt.latestVersion.apply(String) },
            // Surge nodes need spare GPUs that reservations and blocks do not have: replace one node at a time.
            updateConfig: { maxUnavailable: 1 },
            // Pool facts for the policy pack (the instance type may live in the launch template).
            tags: { "modelplane.io/cluster": cfg.cluster.name, ...poolAnnotations(pool) },
        }, {
            ...child,
            protect: cfg.protect,
            dependsOn,
            // The cluster autoscaler owns the current size; Pulumi owns min/max (pulumi-eks does the same).
            ignoreChanges: ["scalingConfig.desiredSize"],
        });
    }

    private network(name: string, cfg: PlatformConfig, region: string): AwsNetwork {
        const n = cfg.cluster.network ?? {};
        const child = { parent: this };
        if (n.vpcId && n.privateSubnetIds) {
            // An existing VPC: its owner provides NAT and (recommended) the S3 gateway endpoint.
            const ids = n.privateSubnetIds;
            let zones: pulumi.Output<{ id: string; zone: string }[]> | undefined;
            return {
                privateSubnetIds: pulumi.output(ids),
                subnetZones: () => zones ??= pulumi.all(ids.map((id) =>
                    aws.ec2.getSubnetOutput({ id }, child).availabilityZone.apply((zone) => ({ id, zone })))),
            };
        }

        const cidr = n.vpcCidr ?? AWS_DEFAULT_VPC_CIDR;
        const azCount = n.availabilityZones ?? AWS_DEFAULT_AZ_COUNT;
        const layout = awsSubnetLayout(cidr, azCount);
        const azNames = aws.getAvailabilityZonesOutput({ state: "available" }, child).names.apply((names) => {
            if (names.length < azCount) throw new Error(`modelplane:cluster.network.availabilityZones is ${azCount} but ${region} has ${names.length} available`);
            return names.slice(0, azCount);
        });
        const tags = (extra: Record<string, string> = {}) => ({ "modelplane.io/cluster": cfg.cluster.name, ...extra });

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({ Name: cfg.cluster.name }),
        }, child);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags() }, child);
        const publicRt = new aws.ec2.RouteTable(`${name}-public`, {
            vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags({ Name: `${cfg.cluster.name}-public` }),
        }, child);

        const privateSubnets: aws.ec2.Subnet[] = [];
        const privateRts: aws.ec2.RouteTable[] = [];
        layout.private.forEach((privateCidr, i) => {
            const zone = azNames.apply((z) => z[i]);
            // Public subnets hold only NAT gateways and internet-facing load balancers (role tag for the LB controller).
            const pub = new aws.ec2.Subnet(`${name}-public-${i}`, {
                vpcId: vpc.id, cidrBlock: layout.public[i], availabilityZone: zone,
                tags: tags({ Name: `${cfg.cluster.name}-public-${i}`, "kubernetes.io/role/elb": "1" }),
            }, child);
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: pub.id, routeTableId: publicRt.id }, child);
            // One NAT gateway per AZ: a zone's nodes keep egress (image pulls, Hugging Face) when another zone fails.
            const eip = new aws.ec2.Eip(`${name}-nat-ip-${i}`, { domain: "vpc", tags: tags() }, child);
            const nat = new aws.ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: pub.id, tags: tags() }, { ...child, dependsOn: [igw] });

            const priv = new aws.ec2.Subnet(`${name}-private-${i}`, {
                vpcId: vpc.id, cidrBlock: privateCidr, availabilityZone: zone,
                tags: tags({ Name: `${cfg.cluster.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1" }),
            }, child);
            const rt = new aws.ec2.RouteTable(`${name}-private-${i}`, {
                vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tags({ Name: `${cfg.cluster.name}-private-${i}` }),
            }, child);
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: priv.id, routeTableId: rt.id }, child);
            privateSubnets.push(priv);
            privateRts.push(rt);
        });

        // Model weights come from S3: a gateway endpoint keeps that traffic off the NAT gateways (NAT tops out
        // at 100 Gbps shared, and charges per GB) — research §1.6, EKS ml-inference-fast-model-loading.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId: vpc.id,
            serviceName: `com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRts.map((rt) => rt.id),
            tags: tags(),
        }, child);

        const subnetZones = pulumi.all(privateSubnets.map((s) => pulumi.all([s.id, s.availabilityZone])
            .apply(([id, zone]) => ({ id, zone }))));
        return {
            privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
            subnetZones: () => subnetZones,
        };
    }
}

function rootVolume(sizeGiB: number) {
    return { deviceName: ROOT_DEVICE, ebs: { volumeSize: sizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } };
}
