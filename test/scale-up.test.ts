// GPU node autoscaling from zero: a pending pod of every shipped model must make the autoscaler scale up its own pool,
// and no other. The autoscaler decides that by simulating the scheduler against a template node per node group
// (lib/node-template.ts says what the template is on EKS and GKE); here the same predicates (nodeSelector, required
// node affinity, taints, requests) run against templates read back from the resources the real program registers.
import { strict as assert } from "node:assert";
import { clusterAutoscalerPolicy, clusterAutoscalerValues, CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerImageTag } from "../components/cluster/autoscaler";
import { ConfigError } from "../components/config";
import { indexPresets, isLlmService, metadataName, namespaceOf, PodRequests, podSpecsOf, serviceDemand } from "../lib/demand";
import { ASG_TAG_TYPE, autoscalerTemplate, joinedNode, NodeTemplate, templateDrift, whyNotFits } from "../lib/node-template";
import { POOL_LABEL } from "../lib/labels";
import { RegisteredResource, TYPES } from "../lib/resources";
import { byName, ofType, shippedResources, stackConfig } from "./harness";

type Obj = Record<string, unknown>;

interface Group { name: string; pool?: string; template: NodeTemplate; joined: NodeTemplate }

/** Every node group/pool of the stack (GPU pools and the system pool) with its autoscaler template and its joined node. */
function groups(rs: readonly RegisteredResource[]): Group[] {
    return rs.filter((r) => r.type === TYPES.eksNodeGroup || r.type === TYPES.gkeNodePool).map((r) => {
        const joined = joinedNode(r)!;
        return { name: r.name, pool: joined.labels[POOL_LABEL], template: autoscalerTemplate(r, rs)!, joined };
    });
}

interface PendingPod { what: string; pool: string; pod: Obj; requests: PodRequests }

/** The pods of every LLMInferenceService as they wait for a node: selectors and tolerations as written, requests after the preset merge. */
function pendingPods(rs: readonly RegisteredResource[]): PendingPod[] {
    const presets = indexPresets(rs);
    const out: PendingPod[] = [];
    for (const r of rs.filter(isLlmService)) {
        const d = serviceDemand(r.props.spec, { namespace: namespaceOf(r.props), presets });
        assert.ok(d.known, `${r.name}: ${d.known ? "" : d.reason}`);
        const pool = ((r.props.metadata as Obj).annotations as Record<string, string>)[POOL_LABEL];
        for (const p of podSpecsOf(r)) {
            const w = d.workloads.find((x) => x.role === p.role)!;
            const requests = p.part === "worker" ? w.workerPod! : w.leaderPod;
            out.push({ what: `${metadataName(r)} ${p.path}`, pool, pod: p.pod, requests });
        }
    }
    return out;
}

for (const [stack, cloud] of [["prod", "aws"], ["dev", "gcp"]] as const) {
    describe(`scale-up from zero: ${stack} (${cloud === "aws" ? "EKS + Cluster Autoscaler" : "GKE node pool autoscaling"})`, () => {
        let rs: RegisteredResource[];
        before(async () => { rs = await shippedResources(stack); });

        it("a pending pod of every shipped model fits its own pool's template node and no other group's", () => {
            const gs = groups(rs);
            const pods = pendingPods(rs);
            const cfg = stackConfig(stack);
            assert.deepEqual([...new Set(pods.map((p) => p.what.split(" ")[0]))].sort(), cfg.models.map((m) => m.name).sort(), "every model has pods");
            assert.ok(gs.filter((g) => g.pool).length === cfg.gpuPools.length && gs.some((g) => !g.pool), "every GPU pool and the system pool");
            for (const p of pods) {
                for (const g of gs) {
                    const why = whyNotFits(p.pod, g.template, p.requests);
                    if (g.pool === p.pool) assert.deepEqual(why, [], `${stack}: ${p.what} does not fit its pool ${p.pool}'s template (${g.name}): ${why.join("; ")}`);
                    else assert.notDeepEqual(why, [], `${stack}: ${p.what} (pool ${p.pool}) would also scale up ${g.name}`);
                }
                // A GPU pod that fits the template fits the node that joins (same labels, taints and allocatable).
                const own = gs.find((g) => g.pool === p.pool)!;
                assert.deepEqual(whyNotFits(p.pod, own.joined, p.requests), []);
            }
        });

        it("each GPU pool's template says what its nodes will carry (labels, taints), and its GPUs", () => {
            const cfg = stackConfig(stack);
            for (const pool of cfg.gpuPools) {
                const g = groups(rs).find((x) => x.pool === pool.name);
                assert.ok(g, `no node group for pool ${pool.name}`);
                assert.deepEqual(templateDrift(g.template, g.joined), [], `${stack}: pool ${pool.name}`);
                assert.equal(g.template.allocatable.gpus, pool.gpusPerNode);
                // GKE taints GPU nodes itself; on EKS the taint is the pool's own choice.
                const tainted = g.template.taints.some((t) => t.key === "nvidia.com/gpu" && t.effect === "NoSchedule");
                assert.equal(tainted, cloud === "gcp" || pool.taint, `${stack}: pool ${pool.name} GPU taint`);
            }
        });
    });
}

describe("scale-up from zero: the EKS template comes from ASG tags, so a tag missing is a pool never chosen", () => {
    let rs: RegisteredResource[];
    before(async () => { rs = await shippedResources("prod"); });
    const without = (pred: (r: RegisteredResource) => boolean) => rs.filter((r) => !pred(r));
    const tagKey = (r: RegisteredResource) => (r.props.tag as { key: string }).key;

    it("without the pool label tag, no h100 pod fits the h100 template (CA would leave them Pending)", () => {
        const ng = byName(rs, TYPES.eksNodeGroup, "llm-prod-gpu-h100");
        const cut = without((r) => r.type === ASG_TAG_TYPE && r.parent === ng.urn && tagKey(r).endsWith(`/label/${POOL_LABEL}`));
        assert.equal(cut.length, rs.length - 1);
        const t = autoscalerTemplate(ng, cut)!;
        const pods = pendingPods(rs).filter((p) => p.pool === "h100");
        assert.ok(pods.length >= 4);
        for (const p of pods) assert.match(whyNotFits(p.pod, t, p.requests).join("; "), /nodeSelector modelplane\.io\/pool=h100 \(node has no such label\)/);
        assert.match(templateDrift(t, joinedNode(ng)!).join("; "), /label modelplane\.io\/pool=h100 is missing from the template/);
    });

    it("without the taint tag, the l40s template admits a pod the joined node refuses (drift is reported)", () => {
        const ng = byName(rs, TYPES.eksNodeGroup, "llm-prod-gpu-l40s");
        const cut = without((r) => r.type === ASG_TAG_TYPE && r.parent === ng.urn && tagKey(r).includes("/taint/"));
        assert.equal(cut.length, rs.length - 1);
        const broken = autoscalerTemplate(ng, cut)!;
        const intact = autoscalerTemplate(ng, rs)!;
        // A pod that selects the pool but does not tolerate its taint (KServe's cache download Job is one).
        const pod = { nodeSelector: { [POOL_LABEL]: "l40s" }, containers: [{ name: "c", resources: { requests: { cpu: "1", memory: "1Gi" } } }] };
        assert.deepEqual(whyNotFits(pod, broken), [], "the broken template would scale up for it");
        assert.match(whyNotFits(pod, intact).join("; "), /untolerated taint nvidia\.com\/gpu=present:NoSchedule/);
        assert.match(whyNotFits(pod, joinedNode(ng)!).join("; "), /untolerated taint/);
        assert.deepEqual(templateDrift(broken, joinedNode(ng)!), ["taint nvidia.com/gpu=present:NoSchedule is missing from the template"]);
    });

    it("a pod larger than a node's allocatable fits no template (CA never scales up for it)", () => {
        const ng = byName(rs, TYPES.eksNodeGroup, "llm-prod-gpu-h100");
        const t = autoscalerTemplate(ng, rs)!;
        const pod = pendingPods(rs).find((p) => p.pool === "h100")!;
        assert.match(whyNotFits(pod.pod, t, { ...pod.requests, memoryGiB: 1900 }).join("; "), /1900\.0 GiB requested, 1843\.2 allocatable/);
        assert.match(whyNotFits(pod.pod, t, { ...pod.requests, gpus: 9 }).join("; "), /9 GPUs requested, 8 allocatable/);
    });
});

describe("Cluster Autoscaler on EKS: release, identity, pins", () => {
    let rs: RegisteredResource[];
    before(async () => { rs = await shippedResources("prod"); });

    it("is installed on aws only, in kube-system, image matching the cluster's minor, off GPU nodes", async () => {
        const rel = byName(rs, "kubernetes:helm.sh/v3:Release", "addons-cluster-autoscaler").props as Obj;
        assert.deepEqual([rel.chart, rel.version, (rel.repositoryOpts as Obj).repo, rel.namespace], ["cluster-autoscaler", "9.51.0", "https://kubernetes.github.io/autoscaler", "kube-system"]);
        const values = rel.values as Obj;
        assert.deepEqual((values.image as Obj).tag, "v1.33.6");
        assert.deepEqual(values.autoDiscovery, { clusterName: "llm-prod" });
        assert.equal(values.awsRegion, "us-east-2");
        assert.deepEqual(((values.rbac as Obj).serviceAccount as Obj).name, "cluster-autoscaler");
        assert.match(JSON.stringify(values.affinity), /"key":"modelplane.io\/pool","operator":"DoesNotExist"/);
        for (const stack of ["dev", "local"]) {
            const other = await shippedResources(stack);
            assert.ok(!other.some((r) => r.name.endsWith("cluster-autoscaler")), `${stack} has no Cluster Autoscaler`);
        }
    });

    it("image tag per Kubernetes minor; a minor without one is a config error at cluster.kubernetesVersion", () => {
        assert.equal(clusterAutoscalerImageTag("1.33"), "v1.33.6");
        assert.equal(clusterAutoscalerImageTag("1.34"), "v1.34.5");
        for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGES)) assert.ok(tag.startsWith(`v${minor}.`), `${minor} → ${tag}`);
        assert.throws(() => stackConfig("prod", (raw) => { raw["modelplane:cluster"].kubernetesVersion = "1.29"; }), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.match(e.message, /modelplane:cluster\.kubernetesVersion: \(1\.29\) has no pinned Cluster Autoscaler release/);
            return true;
        });
        assert.throws(() => clusterAutoscalerValues({ clusterName: "c", region: "r", kubernetesVersion: "1.29" }), /no Cluster Autoscaler image/);
    });

    it("Pod Identity role: describe on *, DescribeNodegroup on this cluster's groups, scaling only on ASGs tagged as this cluster's", () => {
        const assoc = byName(rs, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "llm-prod-cluster-autoscaler").props as Obj;
        assert.deepEqual([assoc.namespace, assoc.serviceAccount], ["kube-system", "cluster-autoscaler"]);
        const role = byName(rs, "aws:iam/role:Role", "llm-prod-cluster-autoscaler").props as Obj;
        assert.match(String(role.assumeRolePolicy), /pods\.eks\.amazonaws\.com/);
        const doc = JSON.parse(String(byName(rs, "aws:iam/rolePolicy:RolePolicy", "llm-prod-cluster-autoscaler").props.policy)) as { Statement: Obj[] };
        assert.equal(doc.Statement.length, 3);
        const [describe, ng, scale] = doc.Statement;
        assert.ok((describe.Action as string[]).every((a) => /^(autoscaling|ec2):(Describe|Get)/.test(a)), "only reads on *");
        assert.equal(ng.Resource, "arn:aws:eks:us-east-2:000000000000:nodegroup/llm-prod/*");
        assert.deepEqual(scale.Action, ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
        assert.deepEqual(scale.Condition, { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/llm-prod": "owned", "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true" } });
        // No write action anywhere else.
        const writes = doc.Statement.flatMap((s) => s.Action as string[]).filter((a) => !/:(Describe|Get)/.test(a));
        assert.deepEqual(writes, scale.Action);
        assert.equal(clusterAutoscalerPolicy({ clusterName: "x", partition: "aws-cn", region: "cn-north-1", accountId: "1" }).includes("arn:aws-cn:eks:cn-north-1:1:nodegroup/x/*"), true);
    });

    it("ASG tags are children of their node group and never propagate to instances", () => {
        const tags = ofType(rs, ASG_TAG_TYPE);
        assert.ok(tags.length >= 10);
        const groupsByUrn = new Map(ofType(rs, TYPES.eksNodeGroup).map((g) => [g.urn, g.name]));
        for (const t of tags) {
            assert.ok(groupsByUrn.has(t.parent!), `${t.name}'s parent is a node group`);
            assert.equal((t.props.tag as Obj).propagateAtLaunch, false);
        }
    });
});

describe("GKE node pool autoscaling (dev): min/max per pool, location policy, spot", () => {
    it("every GPU pool autoscales from minNodes to maxNodes in total across zones, ANY location, spot as configured", async () => {
        const rs = await shippedResources("dev");
        const cfg = stackConfig("dev");
        for (const pool of cfg.gpuPools) {
            const np = byName(rs, TYPES.gkeNodePool, `llm-dev-gpu-${pool.name}`).props as Obj;
            assert.deepEqual(np.autoscaling, { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "ANY" });
            assert.equal((np.nodeConfig as Obj).spot, pool.capacity === "spot" ? true : undefined);
            assert.equal(np.initialNodeCount, 0);
            assert.deepEqual(np.nodeLocations, pool.zones);
        }
    });
});

describe("lib/node-template: the scheduler predicates the simulation runs", () => {
    const node: NodeTemplate = {
        labels: { [POOL_LABEL]: "h100", zone: "a" },
        taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }, { key: "soft", value: "x", effect: "PreferNoSchedule" }],
        allocatable: { gpus: 8, cpu: 172.8, memoryGiB: 1843.2 },
    };
    const tol = [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }];
    const small = { gpus: 1, cpu: 1, memoryGiB: 1 };

    it("required node affinity: a term matches when all its expressions do; terms are ORed", () => {
        const aff = (...terms: Obj[][]) => ({ tolerations: tol, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })) } } } });
        assert.deepEqual(whyNotFits(aff([{ key: POOL_LABEL, operator: "In", values: ["h100", "a100"] }]), node, small), []);
        assert.deepEqual(whyNotFits(aff([{ key: POOL_LABEL, operator: "In", values: ["l40s"] }], [{ key: "zone", operator: "Exists" }]), node, small), []);
        assert.notDeepEqual(whyNotFits(aff([{ key: POOL_LABEL, operator: "In", values: ["h100"] }, { key: "zone", operator: "NotIn", values: ["a"] }]), node, small), []);
        assert.notDeepEqual(whyNotFits(aff([{ key: "spot", operator: "Exists" }]), node, small), []);
        assert.deepEqual(whyNotFits(aff([{ key: "spot", operator: "DoesNotExist" }]), node, small), []);
    });

    it("taints: NoSchedule needs a matching toleration (key, value or Exists, effect); PreferNoSchedule does not", () => {
        assert.deepEqual(whyNotFits({ tolerations: tol }, node, small), []);
        assert.deepEqual(whyNotFits({ tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present" }] }, node, small), []);
        assert.deepEqual(whyNotFits({ tolerations: [{ operator: "Exists" }] }, node, small), []);
        assert.deepEqual(whyNotFits({ tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }] }, node, small),
            ["untolerated taint nvidia.com/gpu=present:NoSchedule"]);
        assert.deepEqual(whyNotFits({ tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" }] }, node, small),
            ["untolerated taint nvidia.com/gpu=present:NoSchedule"]);
    });

    it("CA template tags round-trip as CA parses them; a taint value without an effect is dropped, as CA drops it", async () => {
        const { caTemplateTags, parseCaTemplateTags } = await import("../lib/node-template");
        const tags = caTemplateTags({ [POOL_LABEL]: "h100" }, [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }], { "nvidia.com/gpu": "8" });
        assert.deepEqual(tags, {
            "k8s.io/cluster-autoscaler/node-template/label/modelplane.io/pool": "h100",
            "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "present:NoSchedule",
            "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "8",
        });
        assert.deepEqual(parseCaTemplateTags(tags), { labels: { [POOL_LABEL]: "h100" }, taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" }], resources: { "nvidia.com/gpu": "8" } });
        assert.deepEqual(parseCaTemplateTags({ "k8s.io/cluster-autoscaler/node-template/taint/x": "present" }).taints, []);
    });
});
