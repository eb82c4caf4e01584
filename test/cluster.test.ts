// The cluster layer under mocks: what the shipped stacks (and mutated copies) register for EKS, GKE and
// existing clusters. The pure builders are tested in cluster-builders.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import YAML, { parse } from "yaml";
import { findInstanceType } from "../lib/catalog";
import { ACCELERATOR_LABEL, POOL_ANNOTATIONS, POOL_LABEL } from "../lib/labels";
import { RegisteredResource, SECRET_PLACEHOLDER, TYPES } from "../lib/resources";
import { parseStackConfig } from "../components/config";
import { PLATFORM_NAMESPACE } from "../components/names";
import { createPlatform } from "../components/platform";
import { AwsCluster } from "../components/cluster/AwsCluster";
import { GcpCluster } from "../components/cluster/GcpCluster";
import { parseMimeMultipart } from "../components/cluster/nodeadm";
import { evaluate } from "../plan/evaluate";
import { byName, diffResources, ofType, PROJECT_DIR, rawStack, registered, shippedResources, stackConfig } from "./harness";

type Raw = Record<string, any>;
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const PROVIDER = "pulumi:providers:kubernetes";

/** Patches one pool of a raw stack config in place. */
function patchPool(raw: Raw, name: string, patch: Record<string, unknown>): void {
    const pools = raw["modelplane:gpuPools"] as Raw[];
    const i = pools.findIndex((p) => p.name === name);
    assert.ok(i >= 0, `pool ${name} exists`);
    pools[i] = { ...pools[i], ...patch };
}

/** NodeConfig documents in a launch template's base64 MIME user data. */
function nodeConfigsOf(lt: RegisteredResource): Raw[] {
    const b64 = lt.props.userData;
    assert.equal(typeof b64, "string", `${lt.name} has user data`);
    const mime = Buffer.from(b64 as string, "base64").toString("utf8");
    const parts = parseMimeMultipart(mime);
    assert.ok(parts.length > 0, "MIME multipart with at least one part");
    return parts.filter((p) => p.headers["content-type"] === "application/node.eks.aws").map((p) => parse(p.body));
}

function cloudResources(resources: RegisteredResource[]): RegisteredResource[] {
    return resources.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("gcp:"));
}

describe("cluster: prod (AWS EKS)", () => {
    let res: RegisteredResource[];
    before(async () => { res = await shippedResources("prod"); });

    it("registers one managed node group per GPU pool plus the system group", () => {
        const groups = ofType(res, TYPES.eksNodeGroup).map((r) => r.name).sort();
        assert.deepEqual(groups, ["llm-prod-gpu-h100", "llm-prod-gpu-l40s", "llm-prod-system"]);
    });

    it("GPU node groups: AL2023 NVIDIA AMI, catalog instance type, pool/accelerator/gpu.present labels, GPU taint, scaling", () => {
        const cfg = stackConfig("prod");
        assert.ok(cfg.gpuPools.some((p) => p.taint) && cfg.gpuPools.some((p) => !p.taint), "prod has a tainted and an untainted GPU pool");
        for (const pool of cfg.gpuPools) {
            const ng = byName(res, TYPES.eksNodeGroup, `llm-prod-gpu-${pool.name}`).props as Raw;
            assert.equal(ng.amiType, "AL2023_x86_64_NVIDIA");
            assert.deepEqual(ng.instanceTypes, [pool.instanceType]);
            // k8s.amazonaws.com/accelerator: Cluster Autoscaler's AWS GPU label (a node with it but no GPUs yet is "not ready").
            assert.deepEqual(ng.labels, {
                [POOL_LABEL]: pool.name, [ACCELERATOR_LABEL]: pool.accelerator, "nvidia.com/gpu.present": "true", "kserve/localmodel": "worker",
                "k8s.amazonaws.com/accelerator": `nvidia-${pool.accelerator.toLowerCase()}`,
            });
            assert.deepEqual(ng.taints, pool.taint ? [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }] : []);
            assert.deepEqual(ng.scalingConfig, { minSize: pool.minNodes, maxSize: pool.maxNodes, desiredSize: pool.minNodes });
            assert.equal(ng.clusterName, "llm-prod");
            assert.equal(ng.diskSize, undefined, "disk size lives in the launch template");
            // Pool facts for the policy pack, GPU count from the catalog.
            const tags = ng.tags as Record<string, string>;
            assert.equal(tags[POOL_ANNOTATIONS.gpusPerNode], String(findInstanceType(pool.instanceType!, "aws")!.gpus));
            assert.equal(tags[POOL_ANNOTATIONS.maxNodes], String(pool.maxNodes));
            assert.equal(tags[POOL_ANNOTATIONS.instanceType], pool.instanceType);
        }
    });

    it("capacity: the h100 reservation is ON_DEMAND targeting cr-…, the l40s pool plain ON_DEMAND", () => {
        assert.equal(byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-h100").props.capacityType, "ON_DEMAND");
        assert.deepEqual(byName(res, LT, "llm-prod-gpu-h100").props.capacityReservationSpecification,
            { capacityReservationTarget: { capacityReservationId: "cr-0a1b2c3d4e5f60718" } });
        assert.equal(byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-l40s").props.capacityType, "ON_DEMAND");
        assert.equal(byName(res, LT, "llm-prod-gpu-l40s").props.capacityReservationSpecification, undefined);
    });

    it("launch templates require IMDSv2 (tokens required, hop limit 2) on every node group", () => {
        for (const lt of ofType(res, LT)) {
            assert.deepEqual(lt.props.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 }, lt.name);
        }
        for (const ng of ofType(res, TYPES.eksNodeGroup)) {
            const ref = ng.props.launchTemplate as Raw;
            assert.equal(ref.id, `${ng.name}-id`, `${ng.name} uses its own launch template`);
            assert.equal(ref.version, "1");
        }
    });

    it("user data: h100 (raid0) is a MIME NodeConfig with localStorage RAID0; l40s (localVolumes) mounts disks without RAID", () => {
        const [h100] = nodeConfigsOf(byName(res, LT, "llm-prod-gpu-h100"));
        assert.equal(h100.apiVersion, "node.eks.aws/v1alpha1");
        assert.equal(h100.kind, "NodeConfig");
        assert.equal(h100.spec.instance.localStorage.strategy, "RAID0");
        const [l40s] = nodeConfigsOf(byName(res, LT, "llm-prod-gpu-l40s"));
        assert.equal(l40s.spec.instance.localStorage.strategy, "Mount");
        assert.equal(byName(res, LT, "llm-prod-system").props.userData, undefined);
    });

    it("node groups ignore desiredSize (the autoscaler owns it)", () => {
        for (const ng of ofType(res, TYPES.eksNodeGroup)) assert.deepEqual(ng.opts.ignoreChanges, ["scalingConfig.desiredSize"], ng.name);
    });

    it("protects the cluster, the node groups and the secrets key (prod protect: true)", () => {
        assert.equal(byName(res, TYPES.eksCluster, "llm-prod-eks").opts.protect, true);
        for (const ng of ofType(res, TYPES.eksNodeGroup)) assert.equal(ng.opts.protect, true, ng.name);
        assert.equal(byName(res, "aws:kms/key:Key", "llm-prod-secrets").opts.protect, true);
    });

    it("cluster: API auth mode, private endpoint + public only for the listed CIDRs, KMS secrets, control-plane logs", () => {
        const c = byName(res, TYPES.eksCluster, "llm-prod-eks").props as Raw;
        assert.equal(c.name, "llm-prod");
        assert.equal(c.version, "1.33");
        assert.equal(c.accessConfig.authenticationMode, "API");
        assert.equal(c.vpcConfig.endpointPrivateAccess, true);
        assert.equal(c.vpcConfig.endpointPublicAccess, true);
        assert.deepEqual(c.vpcConfig.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.equal(c.vpcConfig.subnetIds.length, 3);
        assert.deepEqual(c.encryptionConfig.resources, ["secrets"]);
        assert.match(c.encryptionConfig.provider.keyArn, /kms/);
        assert.deepEqual(c.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    });

    it("access entries: cluster admin for each adminPrincipalArns entry", () => {
        const entries = ofType(res, "aws:eks/accessEntry:AccessEntry");
        assert.deepEqual(entries.map((e) => e.props.principalArn), ["arn:aws:iam::123456789012:role/platform-admin"]);
        const assoc = ofType(res, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")[0].props as Raw;
        assert.match(assoc.policyArn, /cluster-access-policy\/AmazonEKSClusterAdminPolicy$/);
        assert.deepEqual(assoc.accessScope, { type: "cluster" });
    });

    it("add-ons: vpc-cni (NetworkPolicy on), kube-proxy, eks-pod-identity-agent, coredns after the system nodes", () => {
        const addons = ofType(res, "aws:eks/addon:Addon");
        assert.deepEqual(addons.map((a) => a.props.addonName).sort(), ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
        assert.deepEqual(JSON.parse(byName(res, "aws:eks/addon:Addon", "llm-prod-vpc-cni").props.configurationValues as string), { enableNetworkPolicy: "true" });
        const system = byName(res, TYPES.eksNodeGroup, "llm-prod-system");
        assert.ok(byName(res, "aws:eks/addon:Addon", "llm-prod-coredns").dependencies.includes(system.urn));
        const gpu = byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-h100");
        assert.ok(gpu.dependencies.includes(byName(res, "aws:eks/addon:Addon", "llm-prod-vpc-cni").urn), "nodes come up with a CNI");
    });

    it("network: VPC with 3 private subnets, a NAT gateway per AZ and an S3 gateway endpoint on the private route tables", () => {
        assert.equal(byName(res, "aws:ec2/vpc:Vpc", "llm-prod-vpc").props.cidrBlock, "10.60.0.0/16");
        const subnets = ofType(res, "aws:ec2/subnet:Subnet");
        assert.deepEqual(subnets.filter((s) => s.name.includes("private")).map((s) => s.props.availabilityZone), ["us-east-2a", "us-east-2b", "us-east-2c"]);
        assert.equal(ofType(res, "aws:ec2/natGateway:NatGateway").length, 3);
        const s3 = byName(res, "aws:ec2/vpcEndpoint:VpcEndpoint", "llm-prod-s3").props as Raw;
        assert.equal(s3.serviceName, "com.amazonaws.us-east-2.s3");
        assert.equal(s3.vpcEndpointType, "Gateway");
        assert.equal((s3.routeTableIds as string[]).length, 3);
    });

    it("model reader: a Pod Identity role reading the model buckets", () => {
        const role = byName(res, "aws:iam/role:Role", "llm-prod-model-reader").props as Raw;
        assert.equal(JSON.parse(role.assumeRolePolicy).Statement[0].Principal.Service, "pods.eks.amazonaws.com");
        const policy = JSON.parse(byName(res, "aws:iam/rolePolicy:RolePolicy", "llm-prod-model-reader-s3").props.policy as string);
        assert.ok(policy.Statement[1].Resource.includes("arn:aws:s3:::llm-prod-models*/*"));
    });

    it("the k8s provider has clusterIdentifier and a secret kubeconfig; the stack output is secret too", async () => {
        const provider = byName(res, PROVIDER, "llm-prod-k8s");
        assert.equal(provider.props.clusterIdentifier, "llm-prod");
        assert.deepEqual(provider.secretProps, ["kubeconfig"]);
        assert.equal(provider.props.kubeconfig, SECRET_PLACEHOLDER);
        const { outputs } = await evaluate(stackConfig("prod"), createPlatform);
        assert.equal(outputs.kubeconfig, SECRET_PLACEHOLDER);
    });

    it("changing one pool's maxNodes changes only that pool's node group (and its dashboard's max-nodes line)", async () => {
        const changed = await registered(stackConfig("prod", (raw) => patchPool(raw, "h100", { maxNodes: 5 })));
        const d = diffResources(res, changed);
        assert.deepEqual(d.added, []);
        assert.deepEqual(d.removed, []);
        assert.deepEqual(d.changed.sort(), [
            byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-h100").urn,
            byName(res, "kubernetes:core/v1:ConfigMap", "observability-dashboard-modelplane-pool-h100").urn,
        ].sort());
    });
});

describe("cluster: AWS variants (spot, capacity block, existing VPC, private endpoint)", () => {
    let res: RegisteredResource[];
    before(async () => {
        res = await registered(stackConfig("prod", (raw) => {
            raw["modelplane:protect"] = false;
            raw["modelplane:cluster"].endpointPublicAccessCidrs = [];
            raw["modelplane:cluster"].network = { vpcId: "vpc-0abc", privateSubnetIds: ["subnet-0a", "subnet-0b", "subnet-0c"] };
            patchPool(raw, "h100", { capacity: "capacityBlock", reservation: "cr-0123456789abcdef0", zones: ["us-east-2b"] });
            patchPool(raw, "l40s", { capacity: "spot", taint: false });
        }));
    });

    it("capacityBlock → CAPACITY_BLOCK; the launch template has the capacity-block market, the block and the instance type", () => {
        const ng = byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-h100").props as Raw;
        assert.equal(ng.capacityType, "CAPACITY_BLOCK");
        assert.equal(ng.instanceTypes, undefined);
        assert.equal((ng.tags as Raw)[POOL_ANNOTATIONS.instanceType], "p5.48xlarge", "the policy pack still sees the type");
        const lt = byName(res, LT, "llm-prod-gpu-h100").props as Raw;
        assert.deepEqual(lt.instanceMarketOptions, { marketType: "capacity-block" });
        assert.deepEqual(lt.capacityReservationSpecification, { capacityReservationTarget: { capacityReservationId: "cr-0123456789abcdef0" } });
        assert.equal(lt.instanceType, "p5.48xlarge");
    });

    it("capacityBlock node group sits in the single subnet of zones[0] (AZ looked up for existing subnets)", () => {
        assert.deepEqual(byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-h100").props.subnetIds, ["subnet-0b"]);
        assert.deepEqual(byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-l40s").props.subnetIds, ["subnet-0a", "subnet-0b", "subnet-0c"]);
    });

    it("spot → SPOT; taint: false → no taints", () => {
        const ng = byName(res, TYPES.eksNodeGroup, "llm-prod-gpu-l40s").props as Raw;
        assert.equal(ng.capacityType, "SPOT");
        assert.deepEqual(ng.instanceTypes, ["g6e.12xlarge"]);
        assert.deepEqual(ng.taints, []);
    });

    it("an existing VPC: no VPC, subnets, NAT or endpoint created; the cluster uses the given subnets", () => {
        for (const t of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/vpcEndpoint:VpcEndpoint"]) {
            assert.equal(ofType(res, t).length, 0, t);
        }
        assert.deepEqual((byName(res, TYPES.eksCluster, "llm-prod-eks").props.vpcConfig as Raw).subnetIds, ["subnet-0a", "subnet-0b", "subnet-0c"]);
    });

    it("no endpointPublicAccessCidrs → private endpoint only", () => {
        const vpc = byName(res, TYPES.eksCluster, "llm-prod-eks").props.vpcConfig as Raw;
        assert.equal(vpc.endpointPublicAccess, false);
        assert.equal(vpc.publicAccessCidrs, undefined);
        assert.equal(vpc.endpointPrivateAccess, true);
    });

    it("protect: false leaves the cluster and node groups unprotected", () => {
        assert.equal(byName(res, TYPES.eksCluster, "llm-prod-eks").opts.protect, false);
        for (const ng of ofType(res, TYPES.eksNodeGroup)) assert.equal(ng.opts.protect, false, ng.name);
    });

    it("a zone outside the cluster subnets stops the plan (exit 2) naming the pool and the zones it has", () => {
        // The AZs of a created VPC come from an invoke, so this is found while the program runs: a child
        // process shows what `npm run plan` reports (the error surfaces as a rejected Output there).
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-cluster-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8"));
        const pool = doc.config["modelplane:gpuPools"].find((p: Raw) => p.name === "h100");
        Object.assign(pool, { capacity: "capacityBlock", zones: ["us-east-2f"] });
        fs.writeFileSync(file, YAML.stringify(doc));
        const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin-transpile"), "plan/cli.ts", "prod", "--config-file", file, "--out", path.join(dir, "out")], {
            cwd: PROJECT_DIR, encoding: "utf8", timeout: 120_000,
        });
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(r.stderr, /pool h100\).zones: zone us-east-2f is not one of the cluster subnets' zones \(us-east-2a, us-east-2b, us-east-2c\)/);
    });

    it("a zone of another region fails at once", async () => {
        const cfg = stackConfig("prod", (raw) => patchPool(raw, "l40s", { zones: ["us-west-2a"] }));
        await assert.rejects(evaluate(cfg, createPlatform), /modelplane:gpuPools\[1\]\.zones: us-west-2a is not in region us-east-2/);
    });
});

describe("cluster: AwsCluster.bindServiceAccount", () => {
    it("creates a Pod Identity association for the model-reader role (or a team's own) and needs no annotation", async () => {
        let cluster: AwsCluster | undefined;
        const { resources, outputs } = await evaluate(stackConfig("prod"), (cfg) => {
            cluster = new AwsCluster("c", { config: cfg });
            return {
                annotations: cluster.bindServiceAccount("team-search-models", "search", "model-server", cluster),
                teamOwn: cluster.bindServiceAccount("team-research-models", "research", "model-server", cluster, "arn:aws:iam::123456789012:role/research"),
            };
        });
        assert.deepEqual(outputs.annotations, {});
        const a = byName(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "team-search-models");
        assert.deepEqual(a.props, { clusterName: "llm-prod", namespace: "search", serviceAccount: "model-server", roleArn: "arn:aws:mock:::iam/role/c-model-reader" });
        assert.ok(a.dependencies.includes(byName(resources, "aws:eks/addon:Addon", "c-eks-pod-identity-agent").urn), "after the agent add-on");
        assert.equal(byName(resources, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "team-research-models").props.roleArn, "arn:aws:iam::123456789012:role/research");
        assert.equal(await pulumi.isSecret(cluster!.kubeconfig), true, "kubeconfig output is a secret");
    });
});

describe("cluster: dev (GCP GKE)", () => {
    let res: RegisteredResource[];
    before(async () => { res = await shippedResources("dev"); });

    it("registers one node pool per GPU pool plus the system pool", () => {
        assert.deepEqual(ofType(res, TYPES.gkeNodePool).map((r) => r.name).sort(), ["llm-dev-gpu-l4", "llm-dev-gpu-l4x4", "llm-dev-system"]);
    });

    it("GPU node pools: guestAccelerators from the catalog with GKE driver install, spot, gvnic, image streaming, labels, taints", () => {
        const cfg = stackConfig("dev");
        for (const pool of cfg.gpuPools) {
            const np = byName(res, TYPES.gkeNodePool, `llm-dev-gpu-${pool.name}`).props as Raw;
            const inst = findInstanceType(pool.instanceType!, "gcp")!;
            assert.equal(np.nodeConfig.machineType, inst.name);
            assert.deepEqual(np.nodeConfig.guestAccelerators, [{ type: "nvidia-l4", count: inst.gpus, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }]);
            assert.equal(np.nodeConfig.spot, true);
            assert.deepEqual(np.nodeConfig.gvnic, { enabled: true });
            assert.deepEqual(np.nodeConfig.gcfsConfig, { enabled: true });
            assert.deepEqual(np.nodeConfig.labels, { [POOL_LABEL]: pool.name, [ACCELERATOR_LABEL]: "L4", "nvidia.com/gpu.present": "true" });
            assert.deepEqual(np.nodeConfig.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
            assert.equal(np.nodeConfig.workloadMetadataConfig.mode, "GKE_METADATA");
            assert.deepEqual(np.autoscaling, { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "ANY" });
            assert.deepEqual(np.nodeLocations, pool.zones);
            // g2 machines have no local SSD in the catalog: no local SSD config.
            assert.equal(np.nodeConfig.ephemeralStorageLocalSsdConfig, undefined);
            assert.equal(np.nodeConfig.localNvmeSsdBlockConfig, undefined);
        }
    });

    it("node pools ignore nodeCount/initialNodeCount; dev is not protected", () => {
        for (const np of ofType(res, TYPES.gkeNodePool)) {
            assert.deepEqual(np.opts.ignoreChanges, ["nodeCount", "initialNodeCount"], np.name);
            assert.equal(np.opts.protect, false, np.name);
        }
        const c = byName(res, TYPES.gkeCluster, "llm-dev-gke");
        assert.equal(c.opts.protect, false);
        assert.equal(c.props.deletionProtection, false);
    });

    it("cluster: VPC-native on the subnetwork's ranges, Workload Identity, Gateway API standard, shielded nodes, channel, authorized networks", () => {
        const c = byName(res, TYPES.gkeCluster, "llm-dev-gke").props as Raw;
        assert.equal(c.name, "llm-dev");
        assert.equal(c.location, "us-central1");
        assert.equal(c.removeDefaultNodePool, true);
        assert.deepEqual(c.workloadIdentityConfig, { workloadPool: "modelplane-dev.svc.id.goog" });
        // One owner of the Gateway API CRDs: modelplane's routing layer, not GKE's managed channel.
        assert.deepEqual(c.gatewayApiConfig, { channel: "CHANNEL_DISABLED" });
        assert.equal(c.enableShieldedNodes, true);
        assert.deepEqual(c.releaseChannel, { channel: "REGULAR" });
        assert.deepEqual(c.masterAuthorizedNetworksConfig.cidrBlocks, [{ cidrBlock: "203.0.113.0/24", displayName: "203.0.113.0/24" }]);
        assert.deepEqual(c.ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
        const subnet = byName(res, "gcp:compute/subnetwork:Subnetwork", "llm-dev-subnet").props as Raw;
        assert.equal(subnet.ipCidrRange, "10.70.0.0/20");
        assert.deepEqual(subnet.secondaryIpRanges, [{ rangeName: "pods", ipCidrRange: "10.72.0.0/14" }, { rangeName: "services", ipCidrRange: "10.76.0.0/20" }]);
    });

    it("model reader: a service account with storage.objectViewer on the model buckets", () => {
        const sa = byName(res, "gcp:serviceaccount/account:Account", "llm-dev-model-reader").props as Raw;
        assert.equal(sa.accountId, "llm-dev-models");
        const m = byName(res, "gcp:projects/iAMMember:IAMMember", "llm-dev-model-reader-storage").props as Raw;
        assert.equal(m.role, "roles/storage.objectViewer");
        assert.equal(m.member, "serviceAccount:llm-dev-models@mock-project.iam.gserviceaccount.com");
        assert.match(m.condition.expression, /buckets\/modelplane-dev-models/);
    });

    it("the k8s provider has clusterIdentifier and a secret kubeconfig", () => {
        const provider = byName(res, PROVIDER, "llm-dev-k8s");
        assert.equal(provider.props.clusterIdentifier, "llm-dev");
        assert.deepEqual(provider.secretProps, ["kubeconfig"]);
    });

    it("changing one pool's maxNodes changes only that pool's node pool (and its dashboard's max-nodes line)", async () => {
        const changed = await registered(stackConfig("dev", (raw) => patchPool(raw, "l4", { maxNodes: 6 })));
        const d = diffResources(res, changed);
        assert.deepEqual([d.added, d.removed], [[], []]);
        assert.deepEqual(d.changed.sort(), [
            byName(res, TYPES.gkeNodePool, "llm-dev-gpu-l4").urn,
            byName(res, "kubernetes:core/v1:ConfigMap", "observability-dashboard-modelplane-pool-l4").urn,
        ].sort());
    });
});

describe("cluster: GCP variants (local SSD, reservation, protect)", () => {
    let res: RegisteredResource[];
    before(async () => {
        res = await registered(stackConfig("dev", (raw) => {
            raw["modelplane:protect"] = true;
            (raw["modelplane:gpuPools"] as Raw[]).push(
                { name: "h100", instanceType: "a3-highgpu-8g", maxNodes: 2, capacity: "reservation", reservation: "h100-res", localNvme: "raid0", zones: ["us-central1-c"] },
                { name: "h100-pv", instanceType: "a3-highgpu-8g", maxNodes: 1, localNvme: "localVolumes" },
            );
        }));
    });

    it("raid0 → ephemeralStorageLocalSsdConfig, localVolumes → localNvmeSsdBlockConfig, counts from the catalog", () => {
        const disks = findInstanceType("a3-highgpu-8g", "gcp")!.localNvme!.disks;
        const raid = byName(res, TYPES.gkeNodePool, "llm-dev-gpu-h100").props.nodeConfig as Raw;
        assert.deepEqual(raid.ephemeralStorageLocalSsdConfig, { localSsdCount: disks });
        assert.equal(raid.localNvmeSsdBlockConfig, undefined);
        const pv = byName(res, TYPES.gkeNodePool, "llm-dev-gpu-h100-pv").props.nodeConfig as Raw;
        assert.deepEqual(pv.localNvmeSsdBlockConfig, { localSsdCount: disks });
        assert.deepEqual(raid.guestAccelerators, [{ type: "nvidia-h100-80gb", count: 8, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }]);
    });

    it("reservation → SPECIFIC_RESERVATION by name; on-demand leaves the default; no spot", () => {
        const raid = byName(res, TYPES.gkeNodePool, "llm-dev-gpu-h100").props.nodeConfig as Raw;
        assert.deepEqual(raid.reservationAffinity, { consumeReservationType: "SPECIFIC_RESERVATION", key: "compute.googleapis.com/reservation-name", values: ["h100-res"] });
        assert.equal(raid.spot, undefined);
        assert.equal((byName(res, TYPES.gkeNodePool, "llm-dev-gpu-h100-pv").props.nodeConfig as Raw).reservationAffinity, undefined);
    });

    it("protect: true protects the cluster and every node pool, and turns on GKE deletion protection", () => {
        const c = byName(res, TYPES.gkeCluster, "llm-dev-gke");
        assert.equal(c.opts.protect, true);
        assert.equal(c.props.deletionProtection, true);
        for (const np of ofType(res, TYPES.gkeNodePool)) assert.equal(np.opts.protect, true, np.name);
    });
});

describe("cluster: GcpCluster.bindServiceAccount", () => {
    it("grants workloadIdentityUser to the KSA and returns the iam.gke.io/gcp-service-account annotation", async () => {
        const { resources, outputs } = await evaluate(stackConfig("dev"), (cfg) => {
            const cluster = new GcpCluster("c", { config: cfg });
            return {
                annotations: cluster.bindServiceAccount("team-search-models", "search", "model-server", cluster),
                teamOwn: cluster.bindServiceAccount("team-x-models", "x", "model-server", cluster, "x@p.iam.gserviceaccount.com"),
            };
        });
        const email = "llm-dev-models@mock-project.iam.gserviceaccount.com";
        assert.deepEqual(outputs.annotations, { "iam.gke.io/gcp-service-account": email });
        assert.deepEqual(outputs.teamOwn, { "iam.gke.io/gcp-service-account": "x@p.iam.gserviceaccount.com" });
        const m = byName(resources, "gcp:serviceaccount/iAMMember:IAMMember", "team-search-models").props as Raw;
        assert.deepEqual(m, {
            serviceAccountId: `projects/mock-project/serviceAccounts/${email}`,
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:modelplane-dev.svc.id.goog[search/model-server]",
        });
        assert.equal(byName(resources, "gcp:serviceaccount/iAMMember:IAMMember", "team-x-models").props.serviceAccountId,
            "projects/modelplane-dev/serviceAccounts/x@p.iam.gserviceaccount.com");
    });
});

describe("cluster: local (existing cluster)", () => {
    let res: RegisteredResource[];
    before(async () => { res = await shippedResources("local"); });

    it("registers no aws: or gcp: resource", () => {
        assert.deepEqual(cloudResources(res).map((r) => r.type), []);
    });

    it("provider: context, clusterIdentifier, no kubeconfig when none is configured", () => {
        const p = byName(res, PROVIDER, "kind-modelplane-k8s").props;
        assert.equal(p.context, "kind-modelplane");
        assert.equal(p.clusterIdentifier, "kind-modelplane");
        assert.equal(p.kubeconfig, undefined);
    });

    it("one gpu-pool-<name> ConfigMap per pool in the platform namespace, annotated with the pool facts", () => {
        const ns = byName(res, TYPES.namespace, "kind-modelplane-namespace");
        assert.equal((ns.props.metadata as Raw).name, PLATFORM_NAMESPACE);
        const cm = byName(res, TYPES.configMap, "kind-modelplane-pool-cpu").props as Raw;
        assert.equal(cm.metadata.name, "gpu-pool-cpu");
        assert.equal(cm.metadata.namespace, PLATFORM_NAMESPACE);
        assert.deepEqual(cm.metadata.annotations, {
            [POOL_ANNOTATIONS.pool]: "cpu", [POOL_ANNOTATIONS.accelerator]: "cpu", [POOL_ANNOTATIONS.gpusPerNode]: "0", [POOL_ANNOTATIONS.maxNodes]: "1",
        });
        assert.deepEqual(JSON.parse(cm.data.nodeSelector), { "kubernetes.io/os": "linux" });
    });

    it("a configured kubeconfig (a secret) reaches the provider as a secret", async () => {
        const { values, secretKeys } = rawStack("local");
        values["modelplane:kubeconfig"] = "apiVersion: v1\nkind: Config\n";
        const cfg = parseStackConfig(values, { secretKeys: [...secretKeys, "modelplane:kubeconfig"], stack: "local" });
        const p = byName(await registered(cfg), PROVIDER, "kind-modelplane-k8s");
        assert.deepEqual(p.secretProps, ["kubeconfig"]);
        assert.equal(p.props.kubeconfig, SECRET_PLACEHOLDER);
    });

    it("changing one pool's maxNodes changes only that pool's ConfigMap", async () => {
        const changed = await registered(stackConfig("local", (raw) => patchPool(raw, "cpu", { maxNodes: 2 })));
        const d = diffResources(res, changed);
        assert.deepEqual([d.added, d.removed], [[], []]);
        assert.deepEqual(d.changed, [byName(res, TYPES.configMap, "kind-modelplane-pool-cpu").urn]);
    });
});
