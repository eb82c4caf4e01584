// Synthetic stacks for the scale benchmark and the structural tests: N models across N/20 teams on four
// GPU pools, cycling through the shapes real fleets have (single-GPU, TP4 with autoscaling and the
// streamer, TP4 with its own routing weights, prefill/decode on the NVMe cache). Pools and quotas are sized so the
// stack is compliant: the benchmark measures the work, not a failure path. The cache pool is untainted, as config
// validation requires of localCache (KServe v0.20.0's download Job has no tolerations).
import YAML from "yaml";
import { findInstanceType } from "../lib/catalog";

interface PoolSpec { name: string; instanceType: string; localNvme?: string; taint?: false }
const POOLS: PoolSpec[] = [
    { name: "h100", instanceType: "p5.48xlarge" },
    { name: "l40s", instanceType: "g6e.12xlarge", localNvme: "localVolumes" },
    { name: "a10g", instanceType: "g5.12xlarge", taint: false },
    { name: "l4", instanceType: "g6.xlarge" },
];

export interface GeneratedStack {
    /** Pulumi.<stack>.yaml text. */
    stackYaml: string;
    /** With `modelFile`: that file's text (the models), which the stack lists in modelplane:modelFiles. */
    modelsYaml?: string;
    /** policies/config/<stack>.json object. */
    policyConfig: Record<string, unknown>;
    teams: number;
    models: number;
}

function gpusOf(pool: string): number {
    return findInstanceType(POOLS.find((p) => p.name === pool)!.instanceType)!.gpus;
}

/**
 * `existing`: the same fleet on a cluster modelplane does not manage (the engine bench, bench/engine.sh, runs it
 * against a local API server): the pools become existing pools with the catalog type's accelerator and GPUs, and
 * the node labels config validation asks of NVMe pools; `platform` and `cluster` are the stack's own (e.g.
 * `charts: false` and CRD files, as the e2e stacks are offline).
 */
export interface ExistingTarget {
    cloud: "existing"; cluster: Record<string, unknown>; platform?: Record<string, unknown>;
    /** false: the autoscaled shape gets `replicas: 2` (the same GPU demand) instead of `scaling`, which config
     * validation rejects on a stack without the model-autoscaling stack (e.g. `platform.charts: false`). */
    scaling?: false;
}

/**
 * `modelFile`: the models go to that file (modelplane:modelFiles; the caller writes `modelsYaml` there) instead of
 * the stack config, which Pulumi cannot hand to the program beyond about 500 inline models (components/config.ts
 * CONFIG_ENV_LIMIT_BYTES).
 */
export function generateStack(n: number, target?: ExistingTarget, opts: { modelFile?: string } = {}): GeneratedStack {
    const teamCount = Math.max(1, Math.round(n / 20));
    const teams = Array.from({ length: teamCount }, (_, i) => `team-${String(i).padStart(3, "0")}`);
    const demandByTeam = new Map<string, number>(teams.map((t) => [t, 0]));
    const demandByPool = new Map<string, number>(POOLS.map((p) => [p.name, 0]));
    const models: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
        const team = teams[i % teamCount];
        const name = `m${String(i).padStart(5, "0")}-${["chat", "code", "reason", "pd"][i % 4]}`;
        let model: Record<string, unknown>;
        let demand: number;
        let pool: string;
        switch (i % 4) {
            case 0:
                pool = "l4"; demand = 1;
                model = { name, team, pool, uri: `hf://org/model-${i}`, replicas: 1, parallelism: { tensor: 1 }, size: { paramsBillions: 8 } };
                break;
            case 1:
                pool = "l40s"; demand = 8;
                model = { name, team, pool, uri: `s3://bench-models/model-${i}`, loader: "runaiStreamer",
                    ...(target?.scaling === false ? { replicas: 2 } : { scaling: { minReplicas: 1, maxReplicas: 2 } }),
                    parallelism: { tensor: 4 }, size: { paramsBillions: 32 }, vllm: { args: ["--max-model-len=16384"] } };
                break;
            case 2:
                pool = "h100"; demand = 4;
                model = { name, team, pool, uri: `hf://org/model-${i}`, replicas: 1, parallelism: { tensor: 4 }, size: { paramsBillions: 70 },
                    routing: { scorers: { prefixCache: 4, queue: 2, kvCacheUtilization: 1 } } };
                break;
            default:
                pool = "a10g"; demand = 2;
                model = { name, team, pool, uri: `hf://org/model-${i}`, loader: "localCache", replicas: 1, parallelism: { tensor: 1 },
                    size: { paramsBillions: 8 }, prefill: { replicas: 1 } };
        }
        models.push(model);
        demandByTeam.set(team, demandByTeam.get(team)! + demand);
        demandByPool.set(pool, demandByPool.get(pool)! + demand);
    }
    const gpuPools = POOLS.map((p) => ({
        name: p.name,
        ...(target ? {
            accelerator: findInstanceType(p.instanceType)!.accelerator, gpusPerNode: gpusOf(p.name),
            nodeSelector: { "modelplane.io/pool": p.name, "kserve/localmodel": "worker" },
        } : { instanceType: p.instanceType, minNodes: 0 }),
        // An existing pool gets one node of headroom: the engine bench's one-model change adds a replica.
        maxNodes: Math.max(1, Math.ceil(demandByPool.get(p.name)! / gpusOf(p.name))) + (target ? 1 : 0),
        // On AWS a pool's NVMe defaults to RAID0 from its instance type. An existing pool says raid0 for every pool:
        // localVolumes adds the local-volume cleanup Deployment, which the engine bench's API servers (no
        // scheduler, no kubelet) can never make Ready.
        ...(target ? { localNvme: "raid0" } : p.localNvme ? { localNvme: p.localNvme } : {}),
        ...(p.taint === false ? { taint: false } : {}),
    }));
    const quotas = Object.fromEntries(teams.map((t) => [t, demandByTeam.get(t)! + 8]));
    const config = {
        ...(target ? {
            "modelplane:cloud": "existing",
            "modelplane:cluster": target.cluster,
        } : {
            "aws:region": "us-east-2",
            "modelplane:cloud": "aws",
            "modelplane:cluster": {
                name: "bench", network: { vpcCidr: "10.90.0.0/16", availabilityZones: 3 },
                systemPool: { instanceType: "m7i.2xlarge", minNodes: 2, maxNodes: 6 },
            },
        }),
        "modelplane:gpuPools": gpuPools,
        "modelplane:teams": teams.map((t) => ({ name: t, gpuQuota: quotas[t] })),
        ...(opts.modelFile ? { "modelplane:modelFiles": [opts.modelFile] } : { "modelplane:models": models }),
        ...(target?.platform ? { "modelplane:platform": target.platform } : {}),
    };
    const policyConfig = {
        all: "mandatory",
        "team-gpu-quota": { quotas, defaultQuota: 0 },
        "namespace-gpu-resourcequota": { quotas, defaultQuota: 0 },
        "allowed-gpu-instance-types": { allowed: target ? [] : POOLS.map((p) => p.instanceType), maxNodes: Math.max(...gpuPools.map((p) => p.maxNodes)) },
        "max-gpus-per-model": { max: 16 },
        "gpu-workloads-target-gpu-pools": { untaintedPools: POOLS.filter((p) => p.taint === false).map((p) => p.name) },
    };
    return { stackYaml: YAML.stringify({ config }), ...(opts.modelFile ? { modelsYaml: YAML.stringify(models) } : {}), policyConfig, teams: teamCount, models: n };
}
