// Edge cases of lib/topology.ts, lib/fit.ts and lib/catalog.ts lookups that mutation testing
// (npm run test:mutation) showed no test pinned down, and policies/index.ts, which no test loaded: it must
// construct exactly one PolicyPack, the pack.ts one (constructing it starts the analyzer server, so the
// test loads it with @pulumi/policy's PolicyPack replaced by a recorder).
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { groupSize, topology } from "../lib/topology";
import { checkFit, gib, weightsPerGpuGiB } from "../lib/fit";
import { acceleratorKeys, acceleratorOf, findAccelerator, findAcceleratorByGkeType, findInstanceType, instanceTypeNames, isSourced, INSTANCE_TYPES } from "../lib/catalog";
import { k8sType } from "../lib/resources";
import { PACK_DESCRIPTION, PACK_ENFORCEMENT_LEVEL, PACK_NAME, POLICIES, POLICY_NAMES } from "../policies/pack";

describe("lib/topology edges", () => {
    it("group size: data ÷ dataLocal when either is set, else pipeline, else 1", () => {
        assert.equal(groupSize({ dataLocal: 2, pipeline: 4 }), 1, "dataLocal alone is data parallel: max(1/2, 1)");
        assert.equal(groupSize({ data: 0, dataLocal: 0, pipeline: 3 }), 3);
        assert.equal(groupSize({ data: 6, dataLocal: 4 }), 1, "integer division");
        assert.equal(groupSize({ data: 8, dataLocal: 2 }), 4);
        assert.equal(groupSize({ data: 8 }), 8);
        assert.equal(groupSize({ pipeline: 0 }), 1);
        assert.equal(groupSize({}), 1);
        assert.equal(groupSize({ tensor: 8 }), 1);
    });

    it("topology: ranks per pod are dataLocal for data parallelism, GPUs only on GPU nodes", () => {
        assert.deepEqual(topology({}), { multiNode: false, podsPerReplica: 1, gpusPerPod: 1, gpusPerReplica: 1 });
        assert.deepEqual(topology({ tensor: 4 }), { multiNode: false, podsPerReplica: 1, gpusPerPod: 4, gpusPerReplica: 4 });
        assert.deepEqual(topology({ tensor: 2, data: 8, dataLocal: 2 }), { multiNode: true, podsPerReplica: 4, gpusPerPod: 4, gpusPerReplica: 16 });
        assert.deepEqual(topology({ tensor: 2, dataLocal: 4 }), { multiNode: false, podsPerReplica: 1, gpusPerPod: 8, gpusPerReplica: 8 });
        assert.deepEqual(topology({ tensor: 2, data: 4 }), { multiNode: true, podsPerReplica: 4, gpusPerPod: 2, gpusPerReplica: 8 }, "dataLocal defaults to 1 rank per pod");
        assert.deepEqual(topology({ tensor: 8, pipeline: 2 }), { multiNode: true, podsPerReplica: 2, gpusPerPod: 8, gpusPerReplica: 16 });
        assert.deepEqual(topology({ tensor: 8, pipeline: 2 }, false), { multiNode: true, podsPerReplica: 2, gpusPerPod: 0, gpusPerReplica: 0 });
        assert.deepEqual(topology({ tensor: 1 }, true), { multiNode: false, podsPerReplica: 1, gpusPerPod: 1, gpusPerReplica: 1 });
    });
});

describe("lib/fit edges", () => {
    it("fits exactly at the usable memory, and the smallest shard count is a ceiling", () => {
        // 36 GiB of weights: 18e9 params × 2 bytes = 36e9 bytes; use GiB-exact numbers instead.
        const params = (72 * 2 ** 30) / 2 / 1e9; // 72 GiB of bfloat16 weights
        const exact = checkFit({ paramsBillions: params, dtype: "bfloat16", acceleratorMemoryGiB: 80, headroom: 0.9 });
        assert.equal(exact.weightsPerGpuGiB, 72);
        assert.equal(exact.usableGiB, 72);
        assert.equal(exact.fits, true, "equal to the usable memory fits");
        assert.equal(exact.minShards, 1);
        const over = checkFit({ paramsBillions: params * 1.01, dtype: "bfloat16", acceleratorMemoryGiB: 80, headroom: 0.9 });
        assert.deepEqual([over.fits, over.minShards], [false, 2]);
        const three = checkFit({ paramsBillions: params * 2.5, dtype: "bfloat16", acceleratorMemoryGiB: 80, tensor: 2, pipeline: 1 });
        assert.deepEqual([three.fits, three.shards, three.minShards, three.bytesPerParam, three.acceleratorMemoryGiB], [false, 2, 3, 2, 80]);
        assert.equal(three.weightsGiB, 180);
        assert.equal(three.weightsPerGpuGiB, 90);
        const none = checkFit({ paramsBillions: 1, dtype: "int4", acceleratorMemoryGiB: 0 });
        assert.deepEqual([none.fits, none.minShards], [false, undefined]);
        assert.equal(checkFit({ paramsBillions: 1, dtype: "fp8", acceleratorMemoryGiB: 80, headroom: 1 }).usableGiB, 80, "headroom 1 is allowed");
        assert.throws(() => checkFit({ paramsBillions: 1, dtype: "fp8", acceleratorMemoryGiB: 80, headroom: -0.1 }), /^Error: headroom must be in \(0, 1\], got -0\.1$/);
        assert.throws(() => checkFit({ paramsBillions: 1, dtype: "fp8", acceleratorMemoryGiB: 80, headroom: NaN }), /headroom must be in/);
    });

    it("rejects degrees below 1 (and NaN), names the dtypes it knows", () => {
        assert.throws(() => weightsPerGpuGiB(1, "fp8", 1, 0), /^Error: tensor and pipeline must be ≥ 1 \(got 1, 0\)$/);
        assert.throws(() => weightsPerGpuGiB(1, "fp8", NaN), /must be ≥ 1/);
        assert.throws(() => weightsPerGpuGiB(1, "fp3"), /^Error: unknown dtype "fp3" \(known: float32, fp32, bfloat16, bf16, float16, fp16, half, fp8, int8, int4\)$/);
        assert.equal(weightsPerGpuGiB(2 ** 30 / 1e9, "float32", 2, 2), 1);
        assert.equal(weightsPerGpuGiB(2 ** 30 / 1e9, " Float32 "), 4, "dtype is trimmed and case-insensitive");
        assert.equal(gib(0.05), "0.1");
        assert.equal(gib(0.04), "0.0");
        assert.equal(gib(12), "12.0");
    });
});

describe("lib/catalog lookups", () => {
    it("finds instance types by exact name, optionally per cloud", () => {
        assert.equal(findInstanceType("p5.48xlarge")?.cloud, "aws");
        assert.equal(findInstanceType("p5.48xlarge", "aws")?.gpus, 8);
        assert.equal(findInstanceType("p5.48xlarge", "gcp"), undefined);
        assert.equal(findInstanceType("g2-standard-48", "gcp")?.gpus, 4);
        assert.equal(findInstanceType("P5.48xlarge"), undefined);
        const aws = instanceTypeNames("aws");
        assert.deepEqual(aws, [...aws].sort());
        assert.ok(aws.includes("p5.48xlarge") && !aws.includes("g2-standard-48"));
        assert.equal(aws.length + instanceTypeNames("gcp").length, INSTANCE_TYPES.length);
    });

    it("finds accelerators by key (own keys only) and by GKE type", () => {
        assert.equal(findAccelerator("H100")?.memoryGiB, 80);
        assert.equal(findAccelerator("toString"), undefined);
        assert.equal(findAccelerator("h100"), undefined);
        const keys = acceleratorKeys();
        assert.deepEqual(keys, [...keys].sort());
        assert.ok(keys.includes("cpu") && keys.includes("L4"));
        assert.equal(findAcceleratorByGkeType("nvidia-l4")?.key, "L4");
        assert.equal(findAcceleratorByGkeType("nvidia-h100-80gb")?.key, "H100");
        assert.equal(findAcceleratorByGkeType(""), undefined, "accelerators without a GKE type do not match an empty one");
        assert.equal(acceleratorOf(findInstanceType("g6e.12xlarge")!).key, "L40S");
        assert.throws(() => acceleratorOf({ ...findInstanceType("g6e.12xlarge")!, accelerator: "nope" }), /^Error: catalog: g6e\.12xlarge names unknown accelerator "nope"$/);
        const row = findInstanceType("g6e.12xlarge")!;
        assert.equal(isSourced({ ...row, unsourced: ["vcpu"] }, "vcpu"), false);
        assert.equal(isSourced({ ...row, unsourced: ["vcpu"] }, "memoryGiB"), true);
        assert.equal(isSourced({ ...row, unsourced: undefined }, "vcpu"), true);
        assert.equal(k8sType("v1", "Pod"), "kubernetes:v1:Pod");
    });
});

describe("policies/index.ts", () => {
    it("constructs exactly one PolicyPack: the pack's name, description, level and policies", () => {
        const policyPath = require.resolve("@pulumi/policy");
        const indexPath = path.resolve(__dirname, "..", "policies", "index.ts");
        const saved = require.cache[policyPath];
        const calls: { name: string; args: { description?: string; enforcementLevel?: string; policies: unknown[] } }[] = [];
        class Recorder {
            constructor(name: string, args: { description?: string; enforcementLevel?: string; policies: unknown[] }) {
                calls.push({ name, args });
            }
        }
        const fake = { ...(saved?.exports ?? {}), PolicyPack: Recorder };
        require.cache[policyPath] = { id: policyPath, filename: policyPath, loaded: true, exports: fake } as NodeJS.Module;
        delete require.cache[indexPath];
        try {
            require(indexPath);
        } finally {
            delete require.cache[indexPath];
            if (saved) require.cache[policyPath] = saved;
            else delete require.cache[policyPath];
        }
        assert.equal(calls.length, 1);
        assert.equal(calls[0].name, PACK_NAME);
        assert.equal(calls[0].name, "modelplane-gpu-guard");
        assert.equal(calls[0].args.description, PACK_DESCRIPTION);
        assert.equal(calls[0].args.enforcementLevel, "mandatory");
        assert.equal(PACK_ENFORCEMENT_LEVEL, "mandatory");
        assert.deepEqual(calls[0].args.policies, [...POLICIES]);
        assert.notEqual(calls[0].args.policies, POLICIES, "a copy: the pack may not hold the frozen list");
        assert.deepEqual(POLICY_NAMES, POLICIES.map((p) => p.name));
    });
});

describe("lib/topology edges: dataLocal 0", () => {
    it("dataLocal 0 is not data parallelism (one rank per pod)", () => {
        assert.deepEqual(topology({ tensor: 2, dataLocal: 0 }), { multiNode: false, podsPerReplica: 1, gpusPerPod: 2, gpusPerReplica: 2 });
        assert.deepEqual(topology({ tensor: 2, data: 0, dataLocal: 0 }), { multiNode: false, podsPerReplica: 1, gpusPerPod: 2, gpusPerReplica: 2 });
    });
});
