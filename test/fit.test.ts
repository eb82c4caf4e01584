import { strict as assert } from "node:assert";
import { bytesPerParam, checkFit, DEFAULT_HEADROOM, gib, weightsPerGpuGiB } from "../lib/fit";
import { findAccelerator } from "../lib/catalog";

const H100 = findAccelerator("H100")!.memoryGiB; // 80 GiB
const L4 = findAccelerator("L4")!.memoryGiB; // 22888 MiB

describe("lib/fit", () => {
    it("knows the bytes per parameter of each dtype", () => {
        assert.equal(bytesPerParam("float32"), 4);
        assert.equal(bytesPerParam("bfloat16"), 2);
        assert.equal(bytesPerParam("float16"), 2);
        assert.equal(bytesPerParam("fp8"), 1);
        assert.equal(bytesPerParam("int8"), 1);
        assert.equal(bytesPerParam("int4"), 0.5);
        assert.equal(bytesPerParam("BF16"), 2);
        assert.equal(bytesPerParam("fp6"), undefined);
    });

    it("computes weights per GPU in GiB: params × bytes ÷ (tensor × pipeline)", () => {
        assert.equal(gib(weightsPerGpuGiB(70, "bfloat16")), "130.4");
        assert.equal(gib(weightsPerGpuGiB(70, "bfloat16", 4)), "32.6");
        assert.equal(gib(weightsPerGpuGiB(671, "fp8", 8, 2)), "39.1");
        assert.throws(() => weightsPerGpuGiB(7, "fp6"), /unknown dtype "fp6"/);
        assert.throws(() => weightsPerGpuGiB(7, "bfloat16", 0), /must be ≥ 1/);
    });

    it("defaults the headroom to vLLM's gpu-memory-utilization 0.9", () => {
        assert.equal(DEFAULT_HEADROOM, 0.9);
        const r = checkFit({ paramsBillions: 70, dtype: "bfloat16", tensor: 2, acceleratorMemoryGiB: H100 });
        assert.equal(r.headroom, 0.9);
        assert.equal(r.usableGiB, 72);
    });

    it("fits 70B bf16 on H100 with TP 2 or more, not on one GPU, and says how many shards are needed", () => {
        assert.equal(checkFit({ paramsBillions: 70, dtype: "bfloat16", tensor: 4, acceleratorMemoryGiB: H100 }).fits, true);
        const one = checkFit({ paramsBillions: 70, dtype: "bfloat16", tensor: 1, acceleratorMemoryGiB: H100 });
        assert.equal(one.fits, false);
        assert.equal(one.minShards, 2);
        // Pipeline parallelism shards the weights as well.
        assert.equal(checkFit({ paramsBillions: 70, dtype: "bfloat16", tensor: 1, pipeline: 2, acceleratorMemoryGiB: H100 }).fits, true);
    });

    it("fits 8B bf16 on an L4 at 0.9 but not at a 0.6 headroom; int4 shrinks the weights four-fold vs bf16", () => {
        assert.equal(checkFit({ paramsBillions: 8, dtype: "bfloat16", acceleratorMemoryGiB: L4 }).fits, true);
        assert.equal(checkFit({ paramsBillions: 8, dtype: "bfloat16", acceleratorMemoryGiB: L4, headroom: 0.6 }).fits, false);
        assert.equal(checkFit({ paramsBillions: 32, dtype: "int4", acceleratorMemoryGiB: L4 }).fits, true);
        assert.equal(checkFit({ paramsBillions: 32, dtype: "bfloat16", acceleratorMemoryGiB: L4 }).fits, false);
    });

    it("rejects a headroom outside (0, 1]", () => {
        assert.throws(() => checkFit({ paramsBillions: 1, dtype: "bfloat16", acceleratorMemoryGiB: 80, headroom: 1.5 }), /headroom/);
        assert.throws(() => checkFit({ paramsBillions: 1, dtype: "bfloat16", acceleratorMemoryGiB: 80, headroom: 0 }), /headroom/);
    });
});
