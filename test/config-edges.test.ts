// Edge cases of components/config.ts that mutation testing (npm run test:mutation) showed no test pinned
// down: values exactly at a bound are accepted (min == max for pools and replicas, CPU/memory equal to the
// node), one past it is rejected; each cross-field check reports exactly its own error (no more), and the
// error texts (paths, suggestions, quoted values) are what a user reads.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigIssue, formatPath, loadFromPulumi, parseStackConfig, PlatformConfig, quoteValue } from "../components/config";

type Raw = Record<string, any>;

const awsModel = (o: Raw = {}): Raw => ({ name: "m", team: "search", uri: "hf://org/m", pool: "h100", size: { paramsBillions: 8 }, ...o });

/** A small valid AWS stack; `o` replaces top-level keys. */
function aws(o: Raw = {}): Raw {
    return {
        "aws:region": "us-east-2",
        "modelplane:cloud": "aws",
        "modelplane:cluster": { name: "c", systemPool: { instanceType: "m7i.2xlarge" } },
        "modelplane:gpuPools": [{ name: "h100", instanceType: "p5.48xlarge", maxNodes: 2 }],
        "modelplane:teams": [{ name: "search", gpuQuota: 8 }],
        "modelplane:models": [awsModel()],
        ...o,
    };
}
function gcp(o: Raw = {}): Raw {
    return {
        "gcp:project": "p",
        "modelplane:cloud": "gcp",
        "modelplane:cluster": { name: "c", location: "us-central1", systemPool: { instanceType: "e2-standard-8" } },
        "modelplane:gpuPools": [{ name: "l4", instanceType: "g2-standard-48", maxNodes: 2 }],
        "modelplane:teams": [{ name: "search", gpuQuota: 8 }],
        "modelplane:models": [awsModel({ pool: "l4" })],
        ...o,
    };
}
function existing(o: Raw = {}): Raw {
    return {
        "modelplane:cloud": "existing",
        "modelplane:cluster": { name: "c" },
        "modelplane:gpuPools": [{ name: "a100", accelerator: "A100-80GB", gpusPerNode: 8, maxNodes: 2 }],
        "modelplane:teams": [{ name: "search", gpuQuota: 8 }],
        "modelplane:models": [awsModel({ pool: "a100" })],
        ...o,
    };
}
const withPool = (base: (o?: Raw) => Raw, pool: Raw, models?: Raw[]) => {
    const b = base();
    return base({ "modelplane:gpuPools": [{ ...b["modelplane:gpuPools"][0], ...pool }], ...(models ? { "modelplane:models": models } : {}) });
};

function parse(raw: Raw, secretKeys: string[] = []): PlatformConfig {
    return parseStackConfig(raw, { secretKeys, stack: "t" });
}
function issues(raw: Raw, secretKeys: string[] = []): ConfigIssue[] {
    try {
        parse(raw, secretKeys);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return e.issues;
    }
    return [];
}
const list = (is: ConfigIssue[]) => is.map((i) => `${i.path}: ${i.message}`);
/** Exactly these issues (path → message pattern), nothing else. */
function expectOnly(raw: Raw, want: [string, RegExp | string][], secretKeys: string[] = []) {
    const got = issues(raw, secretKeys);
    assert.equal(got.length, want.length, list(got).join("\n"));
    want.forEach(([path, msg], i) => {
        assert.equal(got[i].path, path, list(got).join("\n"));
        if (typeof msg === "string") assert.equal(got[i].message, msg);
        else assert.match(got[i].message, msg);
    });
}
const accepted = (raw: Raw, secretKeys: string[] = []) => assert.deepEqual(list(issues(raw, secretKeys)), []);

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: bounds are inclusive", () => {
    it("the base stacks are valid", () => {
        accepted(aws());
        accepted(gcp());
        accepted(existing());
    });

    it("pools: minNodes equal to maxNodes is accepted, one more is not", () => {
        accepted(withPool(aws, { minNodes: 2, maxNodes: 2 }));
        expectOnly(withPool(aws, { minNodes: 3, maxNodes: 2 }), [["modelplane:gpuPools[0].minNodes", "(3) must not exceed maxNodes (2)"]]);
        expectOnly(withPool(existing, { minNodes: 3, maxNodes: 2 }), [["modelplane:gpuPools[0].minNodes", "(3) must not exceed maxNodes (2)"]]);
    });

    it("scaling: minReplicas equal to maxReplicas is accepted, one more is not; 0 is scale-to-zero", () => {
        accepted(aws({ "modelplane:models": [awsModel({ scaling: { minReplicas: 2, maxReplicas: 2 } })] }));
        accepted(aws({ "modelplane:models": [awsModel({ scaling: { maxReplicas: 2 } })] }));
        expectOnly(aws({ "modelplane:models": [awsModel({ scaling: { minReplicas: 3, maxReplicas: 2 } })] }), [["modelplane:models[0].scaling.minReplicas", "(3) must not exceed maxReplicas (2)"]]);
        expectOnly(aws({ "modelplane:models": [awsModel({ scaling: { minReplicas: 0, maxReplicas: 2 } })] }), [["modelplane:models[0].scaling.minReplicas", /^\(0\) scale-to-zero is not available/]]);
        expectOnly(aws({ "modelplane:models": [awsModel({ replicas: 0, scaling: { maxReplicas: 2 } })] }), [["modelplane:models[0].scaling", "cannot be combined with replicas (KServe rejects both); use one"]]);
        accepted(aws({ "modelplane:models": [awsModel({ replicas: 0 })] }));
    });

    it("CIDRs: octets 0-255 and prefixes 0-32", () => {
        const cidr = (c: string) => aws({ "modelplane:cluster": { name: "c", systemPool: { instanceType: "m7i.2xlarge" }, endpointPublicAccessCidrs: [c] } });
        accepted(cidr("255.255.255.255/32"));
        accepted(cidr("0.0.0.0/0"));
        for (const bad of ["10.0.0.999/8", "256.0.0.0/8"]) {
            expectOnly(cidr(bad), [["modelplane:cluster.endpointPublicAccessCidrs[0]", `"${bad}" octets must be 0-255`]]);
        }
        expectOnly(cidr("10.0.0.0/33"), [["modelplane:cluster.endpointPublicAccessCidrs[0]", '"10.0.0.0/33" must be an IPv4 CIDR such as 10.60.0.0/16']]);
    });

    it("monitoringNamespace: only \"monitoring\" while this stack installs Prometheus; any namespace for the cluster's own", () => {
        const ns = (platform: Raw) => aws({ "modelplane:platform": { monitoringNamespace: "observability", ...platform } });
        expectOnly(ns({}), [["modelplane:platform.monitoringNamespace", /^"observability" is not where this stack's Prometheus runs/]]);
        accepted(ns({ monitoring: { enabled: false } }));
        accepted(ns({ charts: false }));
        accepted(aws({ "modelplane:platform": { monitoringNamespace: "monitoring" } }));
    });

    it("team names: not a system namespace, nothing starting with kube-", () => {
        const team = (name: string) => aws({ "modelplane:teams": [{ name, gpuQuota: 1 }], "modelplane:models": [] });
        for (const name of ["kube-foo", "kube-system", "default", "kserve", "monitoring"]) {
            expectOnly(team(name), [["modelplane:teams[0].name", `"${name}" is a reserved namespace name`]]);
        }
        accepted(team("kube"));
        accepted(team("kubeflow"));
        accepted(team("my-kube-team"));
    });

    it("model resources equal to the node's allocatable vCPU and memory fit; above them they do not", () => {
        // p5.48xlarge: 192 vCPU, 2048 GiB; the reserve (10%) leaves 172.8 vCPU and 1843.2 GiB allocatable.
        const res = (r: Raw) => aws({ "modelplane:models": [awsModel({ resources: r })] });
        accepted(res({ cpu: "172800m", memory: "1843.2Gi" }));
        accepted(res({ cpu: 172, memory: "1.5Ti" }));
        expectOnly(res({ cpu: "172801m" }), [["modelplane:models[0].resources.cpu", "(172801m) is more than a p5.48xlarge node has 172.8 vCPU allocatable of 192 (the rest is reserved for the kubelet and node daemons): the pod would never schedule"]]);
        expectOnly(res({ cpu: "192" }), [["modelplane:models[0].resources.cpu", /^\(192\) is more than a p5\.48xlarge node has 172\.8 vCPU allocatable/]]);
        expectOnly(res({ memory: "1844Gi" }), [["modelplane:models[0].resources.memory", "(1844Gi) is more than a p5.48xlarge node has allocatable (1843.2 GiB of 2048; the rest is reserved for the kubelet and node daemons): the pod would never schedule"]]);
        expectOnly(res({ memory: "1E" }), [["modelplane:models[0].resources.memory", /^\(1E\) is more than/]]);
        // Existing clusters: the node size is unknown, so overrides are not checked.
        accepted(existing({ "modelplane:models": [awsModel({ pool: "a100", resources: { cpu: "9999", memory: "1Pi" } })] }));
    });

    it("tensor: divisors of the node's GPUs pass; others strand GPUs (singular and plural)", () => {
        const tp = (tensor: number, pool: Raw = {}) => withPool(aws, pool, [awsModel({ parallelism: { tensor } })]);
        for (const t of [1, 2, 4, 8]) accepted(tp(t));
        expectOnly(tp(3), [["modelplane:models[0].parallelism.tensor", `(3) gives pods of 3 GPUs, which do not divide pool "h100"'s 8-GPU nodes: 2 GPUs per node would be stranded; use a divisor of 8 (1, 2, 4, 8…)`]]);
        expectOnly(tp(7), [["modelplane:models[0].parallelism.tensor", /: 1 GPU per node would be stranded;/]]);
        expectOnly(tp(16), [["modelplane:models[0].parallelism", 'a pod needs tensor (16) × ranks per pod (1) = 16 GPUs but pool "h100" nodes (p5.48xlarge) have 8; lower tensor or use pipeline/data parallelism across nodes']]);
        const ex = existing({ "modelplane:models": [awsModel({ pool: "a100", parallelism: { tensor: 16 } })] });
        expectOnly(ex, [["modelplane:models[0].parallelism", /^a pod needs tensor \(16\) × ranks per pod \(1\) = 16 GPUs but pool "a100" nodes have 8;/]]);
        expectOnly(tp(2, { instanceType: "p5.4xlarge" }), [["modelplane:models[0].parallelism", /= 2 GPUs but pool "h100" nodes \(p5\.4xlarge\) have 1/]]);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: parallelism", () => {
    const par = (p: Raw, extra: Raw = {}) => aws({ "modelplane:models": [awsModel({ parallelism: p, ...extra })] });

    it("data parallelism: ranks per pod, dataLocal dividing data, combinations", () => {
        accepted(par({ tensor: 2, data: 4 }), );
        expectOnly(par({ tensor: 4, data: 4 }), [["modelplane:models[0].parallelism", /a pod needs tensor \(4\) × ranks per pod \(4\) = 16 GPUs/]]);
        accepted(par({ tensor: 8, data: 4, dataLocal: 1 }));
        // The pod size follows from dataLocal, so a dataLocal that does not divide data reports only itself.
        expectOnly(par({ tensor: 8, data: 4, dataLocal: 3 }), [["modelplane:models[0].parallelism.dataLocal", "must divide data (4); data ÷ dataLocal is the number of pods per replica"]]);
        expectOnly(par({ tensor: 1, dataLocal: 2 }), [["modelplane:models[0].parallelism.dataLocal", "requires data"]]);
        expectOnly(par({ tensor: 8, pipeline: 2, dataLocal: 1 }), [["modelplane:models[0].parallelism", /^pipeline cannot be combined with data\/dataLocal/], ["modelplane:models[0].parallelism.dataLocal", "requires data"]]);
        // Its shape is undefined, so no follow-on pod-size error.
        expectOnly(par({ tensor: 8, pipeline: 2, data: 2 }), [["modelplane:models[0].parallelism", /^pipeline cannot be combined/]]);
        accepted(par({ tensor: 8, pipeline: 2 }));
    });

    it("multi-node replicas must fill their nodes", () => {
        expectOnly(par({ tensor: 4, pipeline: 2 }), [["modelplane:models[0].parallelism", 'a multi-node replica should fill each node: 4 GPUs per pod on 8-GPU nodes of pool "h100" strands 4']]);
        expectOnly(par({ tensor: 2, data: 8, dataLocal: 2 }), [["modelplane:models[0].parallelism", /strands 4$/]]);
        accepted(par({ tensor: 4, data: 4, dataLocal: 2 }));
    });

    it("CPU-only pools take tensor 1 without pipeline or data", () => {
        const cpu = (p: Raw) => existing({
            "modelplane:gpuPools": [{ name: "cpu", accelerator: "cpu", maxNodes: 1 }],
            "modelplane:models": [awsModel({ pool: "cpu", parallelism: p })],
        });
        accepted(cpu({ tensor: 1 }));
        accepted(cpu({ tensor: 1, pipeline: 1 }));
        accepted(cpu({ tensor: 1, data: 1 }));
        for (const p of [{ tensor: 2 }, { tensor: 1, pipeline: 2 }, { tensor: 1, data: 2 }]) {
            expectOnly(cpu(p), [["modelplane:models[0].parallelism", 'pool "cpu" has no GPUs; CPU serving runs one rank per pod (tensor 1, no pipeline/data)']]);
        }
    });

    it("prefill (P/D): its own checks, the 31-character limit for multi-node, no pipeline parallelism", () => {
        const pd = (m: Raw) => aws({ "modelplane:models": [awsModel({ replicas: 1, ...m })] });
        accepted(pd({ prefill: { replicas: 2 } }));
        accepted(pd({ name: "m".repeat(40), prefill: { replicas: 1 } }));
        const long = "m".repeat(32);
        expectOnly(pd({ name: long, parallelism: { tensor: 8, data: 2, dataLocal: 1 }, prefill: { replicas: 1, parallelism: { tensor: 1 } } }),
            [["modelplane:models[0].name", "must be at most 31 characters for a multi-node P/D model (<name>-kserve-mn-prefill must stay within 52)"]]);
        expectOnly(pd({ name: long, prefill: { replicas: 1, parallelism: { tensor: 8, data: 2, dataLocal: 1 } } }), [["modelplane:models[0].name", /^must be at most 31 characters/]]);
        accepted(pd({ name: "m".repeat(31), parallelism: { tensor: 8, data: 2, dataLocal: 1 }, prefill: { replicas: 1, parallelism: { tensor: 1 } } }));
        expectOnly(pd({ parallelism: { tensor: 8, pipeline: 2 }, prefill: { replicas: 1, parallelism: { tensor: 1 } } }),
            [["modelplane:models[0].parallelism.pipeline", /^multi-node pipeline parallelism cannot be combined with prefill \(P\/D\): .*; drop prefill, or use tensor or data parallelism for the decode workload$/]]);
        expectOnly(pd({ parallelism: { tensor: 1 }, prefill: { replicas: 1, parallelism: { tensor: 8, pipeline: 2 } } }),
            [["modelplane:models[0].prefill.parallelism.pipeline", /kserve#5047\) and modelplane does not provide; give prefill tensor or data parallelism$/]]);
        expectOnly(pd({ parallelism: { tensor: 8, pipeline: 2 }, prefill: { replicas: 1 } }), [
            ["modelplane:models[0].parallelism.pipeline", /^multi-node pipeline parallelism/],
            ["modelplane:models[0].prefill", /\(prefill inherits parallelism from the model when prefill\.parallelism is not set\); give prefill tensor or data parallelism$/],
        ]);
        accepted(pd({ parallelism: { tensor: 8, pipeline: 1 }, prefill: { replicas: 1 } }));
        expectOnly(pd({ prefill: { replicas: 1, scaling: { maxReplicas: 1 } } }), [["modelplane:models[0].prefill.scaling", /^cannot be combined with replicas/]]);
        const cfg = parse(pd({ parallelism: { tensor: 2 }, prefill: { replicas: 1 } }));
        assert.deepEqual(cfg.models[0].prefill?.parallelism, { tensor: 2, expert: false });
        assert.deepEqual(cfg.models[0].prefillTopology, { multiNode: false, podsPerReplica: 1, gpusPerPod: 2, gpusPerReplica: 2 });
        assert.equal(parse(pd({})).models[0].prefill, undefined);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: pools per cloud", () => {
    it("aws/gcp pools: derived fields may not be given; the type must be of this cloud", () => {
        expectOnly(withPool(aws, { accelerator: "H100", gpusPerNode: 8, nodeSelector: { a: "b" } }), [
            ["modelplane:gpuPools[0].accelerator", "is derived from instanceType on cloud aws/gcp; remove it"],
            ["modelplane:gpuPools[0].gpusPerNode", "is derived from instanceType on cloud aws/gcp; remove it"],
            ["modelplane:gpuPools[0].nodeSelector", "applies to cloud existing only (modelplane labels the nodes it creates)"],
        ]);
        expectOnly(withPool(aws, { gpusPerNode: 0 }), [["modelplane:gpuPools[0].gpusPerNode", /^is derived/]]);
        expectOnly(withPool(aws, { instanceType: undefined }), [["modelplane:gpuPools[0].instanceType", "is required for cloud aws"]]);
        expectOnly(withPool(gcp, { instanceType: "p5.48xlarge" }), [["modelplane:gpuPools[0].instanceType", '"p5.48xlarge" is a aws instance type but modelplane:cloud is gcp']]);
        expectOnly(withPool(gcp, { instanceType: "n9-gpu" }), [["modelplane:gpuPools[0].instanceType", /^unknown instance type "n9-gpu" for gcp; known: a2-highgpu-1g, /]]);
    });

    it("aws/gcp pools: reservations, capacity blocks and local NVMe", () => {
        accepted(withPool(aws, { capacity: "reservation", reservation: "cr-1" }));
        accepted(withPool(aws, { capacity: "capacityBlock", reservation: "cr-1", zones: ["us-east-2a"] }));
        expectOnly(withPool(aws, { capacity: "capacityBlock" }), [
            ["modelplane:gpuPools[0].reservation", "is required with capacity capacityBlock"],
            ["modelplane:gpuPools[0].zones", "capacityBlock needs exactly one zone (the block's availability zone)"],
        ]);
        expectOnly(withPool(aws, { capacity: "spot", reservation: "cr-1" }), [["modelplane:gpuPools[0].reservation", "applies to capacity reservation or capacityBlock only (capacity is spot)"]]);
        expectOnly(withPool(aws, { reservation: "cr-1" }), [["modelplane:gpuPools[0].reservation", "applies to capacity reservation or capacityBlock only (capacity is onDemand)"]]);
        expectOnly(withPool(gcp, { capacity: "capacityBlock", reservation: "r", zones: ["a"] }), [["modelplane:gpuPools[0].capacity", /^capacityBlock is an AWS/]]);
        accepted(withPool(gcp, { capacity: "reservation", reservation: "r" }));
        const nvme = parse(aws());
        assert.equal(nvme.gpuPools[0].localNvme, "raid0", "default raid0 where the type has NVMe");
        assert.equal(parse(gcp()).gpuPools[0].localNvme, "none", "default none where it has not");
        assert.equal(parse(withPool(aws, { localNvme: "none" })).gpuPools[0].localNvme, "none");
        expectOnly(withPool(gcp, { localNvme: "localVolumes" }), [["modelplane:gpuPools[0].localNvme", "g2-standard-48 has no local NVMe; use none (or an instance type with instance storage)"]]);
        accepted(withPool(gcp, { localNvme: "none" }));
        const p = parse(aws()).gpuPools[0];
        assert.deepEqual([p.accelerator, p.gpusPerNode, p.acceleratorMemoryGiB, p.instance?.name, p.nodeSelector], ["H100", 8, 80, "p5.48xlarge", { "modelplane.io/pool": "h100" }]);
    });

    it("existing pools: accelerator and gpusPerNode from the config, cloud-only fields refused", () => {
        expectOnly(withPool(existing, { instanceType: "p5.48xlarge", capacity: "spot", reservation: "r" }), [
            ["modelplane:gpuPools[0].instanceType", "applies to cloud aws or gcp only; for an existing cluster give accelerator and gpusPerNode"],
            ["modelplane:gpuPools[0].capacity", "applies to cloud aws or gcp only (an existing cluster's capacity is not managed here)"],
            ["modelplane:gpuPools[0].reservation", "applies to cloud aws or gcp only"],
        ]);
        // An unknown accelerator leaves the pool CPU-only, so its gpusPerNode is reported too.
        expectOnly(withPool(existing, { accelerator: "TPU" }), [
            ["modelplane:gpuPools[0].accelerator", /^unknown accelerator "TPU"; known: A100-40GB, A100-80GB, A10G, /],
            ["modelplane:gpuPools[0].gpusPerNode", "must be 0 (or absent) for a CPU-only pool"],
        ]);
        expectOnly(withPool(existing, { accelerator: undefined, gpusPerNode: undefined }), [["modelplane:gpuPools[0].accelerator", /^is required for cloud existing; one of: A100-40GB, /]]);
        for (const g of [undefined, 0]) expectOnly(withPool(existing, { gpusPerNode: g }), [["modelplane:gpuPools[0].gpusPerNode", "is required (≥ 1) for a GPU pool on an existing cluster"]]);
        accepted(withPool(existing, { gpusPerNode: 1 }, [awsModel({ pool: "a100" })]));
        const cpu = (p: Raw) => existing({ "modelplane:gpuPools": [{ name: "cpu", accelerator: "cpu", maxNodes: 1, ...p }], "modelplane:models": [] });
        accepted(cpu({}));
        accepted(cpu({ gpusPerNode: 0 }));
        expectOnly(cpu({ gpusPerNode: 2 }), [["modelplane:gpuPools[0].gpusPerNode", "must be 0 (or absent) for a CPU-only pool"]]);
        const p = parse(withPool(existing, { nodeSelector: { gpu: "yes" } })).gpuPools[0];
        assert.deepEqual([p.accelerator, p.gpusPerNode, p.acceleratorMemoryGiB, p.nodeSelector, p.localNvme, p.instance], ["A100-80GB", 8, 80, { gpu: "yes" }, "none", undefined]);
    });

    it("existing pools with local NVMe need the nodes' selector, with KServe's local-model label", () => {
        expectOnly(withPool(existing, { localNvme: "raid0" }), [["modelplane:gpuPools[0].nodeSelector", "is required with localNvme raid0 on an existing cluster (the labels of the nodes that have the NVMe disks)"]]);
        expectOnly(withPool(existing, { localNvme: "localVolumes", nodeSelector: { a: "b" } }), [["modelplane:gpuPools[0].nodeSelector", /^must include kserve\/localmodel: worker with localNvme localVolumes: /]]);
        expectOnly(withPool(existing, { localNvme: "raid0", nodeSelector: { "kserve/localmodel": "other" } }), [["modelplane:gpuPools[0].nodeSelector", /^must include kserve\/localmodel: worker/]]);
        accepted(withPool(existing, { localNvme: "raid0", nodeSelector: { "kserve/localmodel": "worker" } }));
        accepted(withPool(existing, { localNvme: "none" }));
    });

    it("a broken pool gives its own error only; its models skip the pool checks", () => {
        expectOnly(existing({ "modelplane:gpuPools": [{ name: "a100", accelerator: "nope", gpusPerNode: 8, maxNodes: 1 }], "modelplane:models": [awsModel({ pool: "a100", parallelism: { tensor: 3 } })] }),
            [["modelplane:gpuPools[0].accelerator", /^unknown accelerator/], ["modelplane:gpuPools[0].gpusPerNode", /^must be 0/]]);
        expectOnly(existing({ "modelplane:gpuPools": [{ name: "a100", accelerator: "A100-80GB", maxNodes: 1 }], "modelplane:models": [awsModel({ pool: "a100" })] }),
            [["modelplane:gpuPools[0].gpusPerNode", /^is required/]]);
        expectOnly(withPool(aws, { minNodes: 5 }, [awsModel({ parallelism: { tensor: 3 } })]), [
            ["modelplane:gpuPools[0].minNodes", "(5) must not exceed maxNodes (2)"],
            ["modelplane:models[0].parallelism.tensor", /^\(3\) gives pods of 3 GPUs/],
        ]);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: cluster per cloud", () => {
    const cluster = (base: (o?: Raw) => Raw, c: Raw, extra: Raw = {}) => base({ "modelplane:cluster": { ...base()["modelplane:cluster"], ...c }, ...extra });

    it("aws: VPC fields together, systemPool required, existing-only fields refused", () => {
        accepted(cluster(aws, { network: { vpcId: "vpc-0a", privateSubnetIds: ["subnet-1", "subnet-2"] } }));
        accepted(cluster(aws, { network: { vpcCidr: "10.0.0.0/16", availabilityZones: 2 } }));
        expectOnly(cluster(aws, { network: { vpcId: "vpc-0a" } }), [["modelplane:cluster.network.privateSubnetIds", "is required with network.vpcId"]]);
        expectOnly(cluster(aws, { network: { vpcId: "vpc-0a", privateSubnetIds: [] } }), [["modelplane:cluster.network.privateSubnetIds", "is required with network.vpcId"]]);
        expectOnly(cluster(aws, { network: { privateSubnetIds: ["subnet-1"] } }), [["modelplane:cluster.network.vpcId", "is required with network.privateSubnetIds"]]);
        expectOnly(cluster(aws, { network: { vpcId: "vpc-0a", privateSubnetIds: ["subnet-1"], vpcCidr: "10.0.0.0/16" } }),
            [["modelplane:cluster.network.vpcCidr", "cannot be combined with network.vpcId (an existing VPC keeps its CIDR)"]]);
        expectOnly(cluster(aws, { systemPool: undefined }), [["modelplane:cluster.systemPool", "is required for cloud aws (the nodes that run the platform controllers)"]]);
        expectOnly(cluster(aws, { context: "ctx" }, { "modelplane:kubeconfig": "k" }), [
            ["modelplane:cluster.context", "applies to cloud existing only"],
            ["modelplane:kubeconfig", "applies to cloud existing only (EKS kubeconfigs are generated)"],
        ], ["modelplane:kubeconfig"]);
        expectOnly(cluster(aws, { location: "us-central1", network: { podsCidr: "10.1.0.0/16" } }), [
            ["modelplane:cluster.location", "applies to cloud gcp only; modelplane:cloud is aws"],
            ["modelplane:cluster.network.podsCidr", "applies to cloud gcp only; modelplane:cloud is aws"],
        ]);
        expectOnly(aws({ "aws:region": "" }), [["aws:region", "is required when modelplane:cloud is aws"]]);
    });

    it("gcp: project and location required, aws-only fields refused (an empty admin list is fine)", () => {
        accepted(cluster(gcp, { adminPrincipalArns: [] }));
        expectOnly(cluster(gcp, { adminPrincipalArns: ["arn:aws:iam::123456789012:role/x"], network: { vpcId: "vpc-1" } }), [
            ["modelplane:cluster.adminPrincipalArns", "applies to cloud aws only; modelplane:cloud is gcp"],
            ["modelplane:cluster.network.vpcId", "applies to cloud aws only; modelplane:cloud is gcp"],
        ]);
        const noProject = gcp();
        delete noProject["gcp:project"];
        expectOnly(noProject, [["gcp:project", "is required when modelplane:cloud is gcp"]]);
        expectOnly(cluster(gcp, { systemPool: undefined, context: "x" }, { "modelplane:kubeconfig": "k" }), [
            ["modelplane:cluster.systemPool", "is required for cloud gcp (the nodes that run the platform controllers)"],
            ["modelplane:cluster.context", "applies to cloud existing only"],
            ["modelplane:kubeconfig", "applies to cloud existing only (GKE kubeconfigs are generated)"],
        ], ["modelplane:kubeconfig"]);
    });

    it("existing: no cloud fields at all (an empty CIDR list is fine)", () => {
        accepted(cluster(existing, { endpointPublicAccessCidrs: [], adminPrincipalArns: [], context: "kind" }, { "modelplane:kubeconfig": "k" }), ["modelplane:kubeconfig"]);
        expectOnly(cluster(existing, { endpointPublicAccessCidrs: ["1.2.3.0/24"], releaseChannel: "STABLE", network: {} }), [
            ["modelplane:cluster.endpointPublicAccessCidrs", /^applies to cloud aws or gcp only; modelplane:cloud is existing/],
            ["modelplane:cluster.releaseChannel", /^applies to cloud aws or gcp only/],
            ["modelplane:cluster.network", /^applies to cloud aws or gcp only/],
        ]);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: models", () => {
    const m = (o: Raw, base = aws) => base({ "modelplane:models": [awsModel(o)] });

    it("unknown team and pool name what exists, or (none)", () => {
        expectOnly(aws({ "modelplane:teams": [], "modelplane:models": [awsModel()] }), [["modelplane:models[0].team", 'unknown team "search"; teams are: (none)']]);
        expectOnly(aws({ "modelplane:gpuPools": [], "modelplane:models": [awsModel()] }), [["modelplane:models[0].pool", 'unknown pool "h100"; pools are: (none)']]);
        expectOnly(m({ pool: "x" }), [["modelplane:models[0].pool", 'unknown pool "x"; pools are: h100']]);
    });

    it("loaders and URI schemes", () => {
        accepted(m({ loader: "runaiStreamer", uri: "s3://b/m" }));
        expectOnly(m({ loader: "runaiStreamer", uri: "gs://b/m" }), [["modelplane:models[0].uri", "gs:// on cloud aws: the pod identity is an AWS role; use s3://"]]);
        accepted(m({ loader: "runaiStreamer", uri: "gs://b/m", pool: "l4" }, gcp));
        expectOnly(gcp({ "modelplane:models": [awsModel({ pool: "l4", loader: "runaiStreamer", uri: "s3://b/m" })] }), [["modelplane:models[0].uri", "s3:// on cloud gcp: the pod identity is a GCP service account; use gs://"]]);
        expectOnly(m({ loader: "runaiStreamer", uri: "pvc://v/m" }), [["modelplane:models[0].uri", "loader runaiStreamer streams from object storage: the URI must be s3:// or gs:// (got pvc://)"]]);
        // localCache needs an untainted pool (KServe v0.20.0's download Job has no tolerations, kserve/kserve#5348).
        const lc = (o: Raw) => withPool(aws, { taint: false }, [awsModel({ loader: "localCache", ...o })]);
        accepted(lc({}));
        expectOnly(m({ loader: "localCache" }), [["modelplane:models[0].loader", /^localCache needs an untainted pool: .* on pool "h100" \(taint: true\)/]]);
        for (const scheme of ["pvc", "gs"]) {
            expectOnly(lc({ uri: `${scheme}://x/m` }), [["modelplane:models[0].uri", `loader localCache downloads with the storage initializer, which does not take ${scheme}://`]]);
        }
        expectOnly(withPool(aws, { localNvme: "none", taint: false }, [awsModel({ loader: "localCache" })]),
            [["modelplane:models[0].loader", 'localCache keeps weights on the node\'s RAID0 NVMe array but pool "h100" has localNvme none; use a raid0 pool']]);
        for (const scheme of ["hf", "s3", "pvc", "oci"]) accepted(m({ uri: `${scheme}://x/m` }));
        expectOnly(m({ loader: "localCache", pool: "x" }), [["modelplane:models[0].pool", /^unknown pool "x"/]], );
        expectOnly(m({ uri: "oci://r/m", lora: { adapters: [{ name: "a", uri: "hf://a" }] } }), [["modelplane:models[0].lora", /^LoRA adapters need a served base model directory/]]);
        accepted(m({ lora: { adapters: [{ name: "a", uri: "hf://a" }, { name: "b", uri: "hf://b" }] } }));
        expectOnly(m({ lora: { adapters: [{ name: "a", uri: "hf://a" }, { name: "a", uri: "hf://b" }] } }), [["modelplane:models[0].lora.adapters[1].name", 'duplicate adapter name "a" (also models[0].lora.adapters[0])']]);
    });

    it("vllm.args may not set what modelplane derives, in any spelling", () => {
        accepted(m({ vllm: { args: ["--max-model-len=4096", "--enable-prefix-caching", "--port-range=1"] } }));
        expectOnly(m({ vllm: { args: ["--nnodes=2", "-tp", "--served_model_name", "--port"] } }), [
            ["modelplane:models[0].vllm.args[0]", '"--nnodes=2": --nnodes is set by modelplane from parallelism.pipeline; set that instead of the flag'],
            ["modelplane:models[0].vllm.args[1]", '"-tp": -tp is set by modelplane from parallelism.tensor; set that instead of the flag'],
            ["modelplane:models[0].vllm.args[2]", '"--served_model_name": --served_model_name is set by modelplane from servedName; set that instead of the flag'],
            ["modelplane:models[0].vllm.args[3]", '"--port": --port is set by modelplane from (the preset\'s port); set that instead of the flag'],
        ]);
    });

    it("duplicates name the first occurrence; derived topology and defaults", () => {
        const dup = aws({ "modelplane:models": [awsModel(), awsModel({ pool: "h100" }), awsModel()] });
        expectOnly(dup, [
            ["modelplane:models[1].name", 'duplicate model name "m" (also models[0])'],
            ["modelplane:models[2].name", 'duplicate model name "m" (also models[0])'],
        ]);
        const cfg = parse(m({ parallelism: { tensor: 2, data: 2 } }));
        assert.deepEqual(cfg.models[0].topology, { multiNode: false, podsPerReplica: 1, gpusPerPod: 4, gpusPerReplica: 4 }, "single-node data parallelism keeps its ranks in one pod");
        assert.deepEqual([cfg.project, cfg.stack, cfg.providers, cfg.secrets], ["modelplane", "t", { "aws:region": "us-east-2" }, { huggingFaceToken: undefined, kubeconfig: undefined }]);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: reading the flat config map", () => {
    it("without options: no secret keys, stack \"stack\"", () => {
        assert.equal(parseStackConfig(aws()).stack, "stack");
        assert.throws(() => parseStackConfig(aws({ "modelplane:huggingFaceToken": "t" })), /must be a secret/);
    });

    it("every unknown key of one object is reported", () => {
        expectOnly(withPool(aws, { foo: 1, bar: 2 }), [["modelplane:gpuPools[0].foo", /^unknown key/], ["modelplane:gpuPools[0].bar", /^unknown key/]]);
    });

    it("provider keys are kept as strings; keys without a namespace are refused", () => {
        const cfg = parse(aws({ "aws:region": "us-east-2", "aws:defaultTags": { tags: { a: "b" } }, "gcp:x": 3 }));
        assert.deepEqual(cfg.providers, { "aws:region": "us-east-2", "aws:defaultTags": '{"tags":{"a":"b"}}', "gcp:x": "3" });
        expectOnly(aws({ region: "x" }), [["region", "config keys must be namespaced (e.g. modelplane:region)"]]);
    });

    it("structured keys are decoded from JSON strings; plain strings elsewhere stay strings", () => {
        const raw = aws();
        for (const k of ["modelplane:cluster", "modelplane:gpuPools", "modelplane:teams", "modelplane:models"]) raw[k] = JSON.stringify(raw[k]);
        raw["modelplane:protect"] = "true";
        const cfg = parse(raw);
        assert.equal(cfg.protect, true);
        assert.equal(cfg.gpuPools[0].name, "h100");
        expectOnly(aws({ "modelplane:cloud": '"aws"' }), [["modelplane:cloud", /^"\\"aws\\"" must be one of aws, gcp, existing$/]]);
        // No follow-on error for the models' teams: the teams could not be read at all.
        expectOnly(aws({ "modelplane:teams": "[oops" }), [["modelplane:teams", '"[oops" must be a YAML object or list, not a plain string']]);
    });

    it("secrets: the secret keys must be secret, other keys must not", () => {
        const cfg = parse(aws({ "modelplane:huggingFaceToken": "hf_x" }), ["modelplane:huggingFaceToken"]);
        assert.deepEqual(cfg.secrets, { huggingFaceToken: "hf_x", kubeconfig: undefined });
        assert.equal((cfg as unknown as Raw).huggingFaceToken, undefined, "secrets are not left on the config");
        expectOnly(aws({ "modelplane:huggingFaceToken": "hf_x" }), [["modelplane:huggingFaceToken", "must be a secret: set it with `pulumi config set --secret modelplane:huggingFaceToken …`"]]);
        expectOnly(aws(), [["modelplane:cloud", /^is set as a secret \(secure:\), but it is not a secret key/]], ["modelplane:cloud"]);
        expectOnly(aws({ "modelplane:teams": "ciphertext" }), [["modelplane:teams", /^is set as a secret/]], ["modelplane:teams"]);
        expectOnly(aws({ "modelplane:teams": "ciphertext", "modelplane:huggingFaceToken": "t" }), [
            ["modelplane:teams", /^is set as a secret/], ["modelplane:huggingFaceToken", /^must be a secret/],
        ], ["modelplane:teams"]);
        accepted(aws(), ["other:key"]);
        // A wrongly secret key does not hide the other errors (issue 17: every error in one run, in file order).
        expectOnly(aws({ "modelplane:models": [awsModel({ pool: "x" })] }), [["modelplane:cloud", /^is set as a secret/], ["modelplane:models[0].pool", 'unknown pool "x"; pools are: h100']], ["modelplane:cloud"]);
        // Nor do other early errors: the cross-field errors come with them.
        expectOnly(aws({ region: "x", "modelplane:models": [awsModel({ pool: "x" })] }), [
            ["modelplane:models[0].pool", 'unknown pool "x"; pools are: h100'], ["region", "config keys must be namespaced (e.g. modelplane:region)"],
        ]);
    });

    it("schema errors: every unknown key with a suggestion or the known keys, values quoted", () => {
        const far = aws({ "modelplane:zzzzzz": 1 });
        expectOnly(far, [["modelplane:zzzzzz", /^unknown key; known keys: cloud, protect, cluster, gpuPools, teams, models, modelFiles, platform, huggingFaceToken, kubeconfig$/]]);
        expectOnly(withPool(aws, { maxNode: 2 }), [["modelplane:gpuPools[0].maxNode", 'unknown key; did you mean "maxNodes"?']]);
        expectOnly(withPool(aws, { maxNodess: 2 }), [["modelplane:gpuPools[0].maxNodess", 'unknown key; did you mean "maxNodes"?']]);
        expectOnly(withPool(aws, { DISKSIZEGIB: 2 }), [["modelplane:gpuPools[0].DISKSIZEGIB", 'unknown key; did you mean "diskSizeGiB"?']]);
        expectOnly(withPool(aws, { mxNds: 2 }), [["modelplane:gpuPools[0].mxNds", /^unknown key; known keys: name, instanceType, /]]);
        expectOnly(aws({ "modelplane:models": [awsModel({ routing: { scorers: { prefixCach: 1 } } })] }), [["modelplane:models[0].routing.scorers.prefixCach", 'unknown key; did you mean "prefixCache"?']]);
        expectOnly(aws({ "modelplane:platform": { gateway: { tls: { hostname: "a.example.com", isuer: "selfSigned" } } } }), [["modelplane:platform.gateway.tls.isuer", 'unknown key; did you mean "issuer"?']]);
        expectOnly(aws({ "modelplane:models": [awsModel({ prefill: { replica: 1 } })] }), [["modelplane:models[0].prefill.replica", 'unknown key; did you mean "replicas"?']]);
        expectOnly(aws({ "modelplane:cluster": { name: "c", systemPool: { instanceType: "m7i.2xlarge", diskSize: 1 } } }), [["modelplane:cluster.systemPool.diskSize", /^unknown key; known keys: instanceType, minNodes, maxNodes, diskSizeGiB$/]]);
        expectOnly(withPool(aws, { capacity: "cheap" }), [["modelplane:gpuPools[0].capacity", '"cheap" must be one of onDemand, spot, reservation, capacityBlock']]);
        expectOnly(withPool(aws, { maxNodes: 0 }), [["modelplane:gpuPools[0].maxNodes", "0 must be ≥ 1"]]);
        expectOnly(withPool(aws, { maxNodes: undefined }), [["modelplane:gpuPools[0].maxNodes", "is required"]]);
        expectOnly(withPool(aws, { maxNodes: "2" }), [["modelplane:gpuPools[0].maxNodes", '"2" must be a number']]);
        expectOnly(aws({ "modelplane:models": [awsModel({ name: "m".repeat(43) })] }), [["modelplane:models[0].name", /^"m{43}" must be at most 42 characters/]]);
        expectOnly(aws({ "modelplane:models": [awsModel({ name: "m".repeat(70) })] }), [["modelplane:models[0].name", /^"m{56}\.\.\. must be at most 42 characters/]]);
    });

    it("error texts: paths, quoted values, counts", () => {
        assert.equal(formatPath([]), "modelplane");
        assert.equal(formatPath(["models", 2, "pool"]), "modelplane:models[2].pool");
        assert.equal(formatPath([0, "a"], "ns"), "[0].a");
        assert.equal(formatPath(["a", "b"], "ns"), "ns:a.b");
        assert.equal(quoteValue("x".repeat(58)), JSON.stringify("x".repeat(58)), "60 characters are not cut");
        assert.equal(quoteValue("x".repeat(59)), `"${"x".repeat(56)}...`);
        assert.equal(quoteValue(undefined), "undefined");
        assert.equal(new ConfigError([{ path: "a", message: "b" }]).message, "invalid stack config (1 error):\n  a: b");
        assert.equal(new ConfigError([{ path: "a", message: "b" }, { path: "c", message: "d" }]).message, "invalid stack config (2 errors):\n  a: b\n  c: d");
        assert.equal(new ConfigError([]).name, "ConfigError");
        expectOnly(aws({ "modelplane:models": [awsModel({ routing: { priority: 5 } })] }), [["modelplane:models[0].routing.priority", /^\(5\) has no effect on KServe v0\.20\.0/]]);
        expectOnly(aws({ "modelplane:platform": { gateway: { tls: { hostname: "a.example.com", issuer: "letsencrypt" } } } }),
            [["modelplane:platform.gateway.tls.email", "is required with issuer letsencrypt (ACME account contact)"]]);
        accepted(aws({ "modelplane:platform": { gateway: { tls: { hostname: "a.example.com", issuer: "letsencrypt", email: "a@example.com" } } } }));
        accepted(aws({ "modelplane:platform": { gateway: { tls: { hostname: "a.example.com" } } } }));
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: the program path (loadFromPulumi)", () => {
    const flat = (raw: Raw) => Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    let saved: Record<string, string>;
    before(async () => {
        saved = pulumi.runtime.allConfig();
        // The runtime is process-global: every evaluation (plan/evaluate.ts) sets its own mocks again.
        await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "modelplane", "from-runtime", false);
    });
    after(() => pulumi.runtime.setAllConfig(saved, []));

    it("reads the runtime's config with its secret keys and the stack name", () => {
        pulumi.runtime.setAllConfig(flat(existing({ "modelplane:kubeconfig": "apiVersion: v1" })), ["modelplane:kubeconfig"]);
        const cfg = loadFromPulumi();
        assert.equal(cfg.stack, "from-runtime");
        assert.equal(cfg.secrets.kubeconfig, "apiVersion: v1");
        assert.equal(cfg.gpuPools[0].name, "a100");
    });

    it("turns a ConfigError into a RunError with every issue (the CLI prints it without a stack trace)", () => {
        pulumi.runtime.setAllConfig(flat(existing({ "modelplane:kubeconfig": "apiVersion: v1" })), []);
        assert.throws(() => loadFromPulumi(), (e: unknown) => {
            assert.ok(pulumi.RunError.isInstance(e), String(e));
            assert.equal((e as Error).message, "invalid stack config (1 error):\n  modelplane:kubeconfig: must be a secret: set it with `pulumi config set --secret modelplane:kubeconfig …`");
            return true;
        });
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("config edges: what the first mutation run left alive", () => {
    it("suggests a key exactly two edits away", () => {
        expectOnly(withPool(aws, { maxNod: 2 }), [["modelplane:gpuPools[0].maxNod", 'unknown key; did you mean "maxNodes"?']]);
    });

    it("one broken pool does not make the next pool's models skip their checks", () => {
        const raw = aws({
            "modelplane:gpuPools": [{ name: "bad", instanceType: "p9.96xlarge", maxNodes: 1 }, { name: "h100", instanceType: "p5.48xlarge", maxNodes: 1 }],
            "modelplane:models": [awsModel({ parallelism: { tensor: 3 } })],
        });
        expectOnly(raw, [["modelplane:gpuPools[0].instanceType", /^unknown instance type "p9\.96xlarge"/], ["modelplane:models[0].parallelism.tensor", /^\(3\) gives pods of 3 GPUs/]]);
    });

    it("P/D with pipeline 1 is not pipeline parallelism; the P/D pipeline message in full", () => {
        const pd = (m: Raw) => aws({ "modelplane:models": [awsModel({ replicas: 1, ...m })] });
        expectOnly(pd({ parallelism: { tensor: 8, pipeline: 1, data: 2, dataLocal: 1 }, prefill: { replicas: 1, parallelism: { tensor: 1 } } }), [["modelplane:models[0].parallelism", /^pipeline cannot be combined/]]);
        expectOnly(pd({ parallelism: { tensor: 1 }, prefill: { replicas: 1, parallelism: { tensor: 8, pipeline: 1, data: 2, dataLocal: 1 } } }), [["modelplane:models[0].prefill.parallelism", /^pipeline cannot be combined/]]);
        expectOnly(pd({ parallelism: { tensor: 8, pipeline: 2 }, prefill: { replicas: 1, parallelism: { tensor: 1 } } }), [["modelplane:models[0].parallelism.pipeline",
            "multi-node pipeline parallelism cannot be combined with prefill (P/D): KServe looks up the presets kserve-config-llm-prefill-worker-pipeline-parallel / kserve-config-llm-decode-worker-pipeline-parallel, which KServe does not ship (kserve#5047) and modelplane does not provide; drop prefill, or use tensor or data parallelism for the decode workload"]]);
    });

    it("the local-model label message in full", () => {
        expectOnly(withPool(existing, { localNvme: "raid0", nodeSelector: { a: "b" } }), [["modelplane:gpuPools[0].nodeSelector",
            "must include kserve/localmodel: worker with localNvme raid0: KServe's local-model agent only runs on nodes with that label; label the NVMe nodes and add it here"]]);
    });
});
