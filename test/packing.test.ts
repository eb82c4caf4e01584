import { strict as assert } from "node:assert";
import { describeNode, PackPod, packPods } from "../lib/packing";

const pod = (owner: string, gpus: number, cpu: number, memoryGiB: number): PackPod => ({ owner, gpus, cpu, memoryGiB });
const times = (n: number, p: PackPod) => Array.from({ length: n }, () => ({ ...p }));
const node = { gpus: 8, cpu: 172, memoryGiB: 1843 };

describe("packing pods onto nodes (first-fit decreasing)", () => {
    it("eight 1-GPU pods that each take two thirds of a node's memory need eight nodes, not one", () => {
        const pods = times(8, pod("m", 1, 10, 1229));
        assert.equal(packPods(pods, node, 8).unplaced.length, 0);
        const seven = packPods(pods, node, 7);
        assert.equal(seven.nodes.length, 7);
        assert.equal(seven.unplaced.length, 1);
        // The GPUs alone would fit on one node.
        assert.ok(pods.reduce((n, p) => n + p.gpus, 0) <= node.gpus);
    });

    it("the same pods pack eight to a node when only their GPUs are large", () => {
        const r = packPods(times(8, pod("m", 1, 10, 100)), node, 1);
        assert.equal(r.nodes.length, 1);
        assert.equal(r.unplaced.length, 0);
        assert.deepEqual(r.nodes[0].free, { gpus: 0, cpu: 92, memoryGiB: 1043 });
    });

    it("a pod larger than a node is never placed, even with nodes to spare", () => {
        const r = packPods([pod("big", 16, 1, 1), pod("cpu-hungry", 1, 200, 1), pod("mem-hungry", 1, 1, 2000)], node, 10);
        assert.deepEqual(r.unplaced.map((p) => p.owner).sort(), ["big", "cpu-hungry", "mem-hungry"]);
        assert.equal(r.nodes.length, 0);
    });

    it("places the largest pods first, so small ones fill the gaps instead of blocking a whole-node pod", () => {
        // Given small pods first, a naive first fit would put 1-GPU pods on both nodes and strand the 8-GPU pod.
        const pods = [pod("small", 1, 1, 1), pod("small", 1, 1, 1), pod("whole", 8, 1, 1), pod("half", 4, 1, 1)];
        const r = packPods(pods, node, 2);
        assert.equal(r.unplaced.length, 0);
        assert.deepEqual(r.nodes.map((n) => n.pods.map((p) => p.owner)), [["whole"], ["half", "small", "small"]]);
    });

    it("a node fits a pod exactly at its limits (≤, not <), in every dimension", () => {
        const r = packPods([pod("exact", 8, 172, 1843)], node, 1);
        assert.equal(r.unplaced.length, 0);
        assert.deepEqual(r.nodes[0].free, { gpus: 0, cpu: 0, memoryGiB: 0 });
        assert.equal(packPods([pod("over", 8, 172, 1843.5)], node, 1).unplaced.length, 1);
    });

    it("unknown CPU and memory (existing pools) pack by GPUs only", () => {
        const r = packPods(times(4, pod("m", 2, 0, 0)), { gpus: 8, cpu: Infinity, memoryGiB: Infinity }, 1);
        assert.equal(r.unplaced.length, 0);
        assert.equal(packPods(times(5, pod("m", 2, 0, 0)), { gpus: 8, cpu: Infinity, memoryGiB: Infinity }, 1).unplaced.length, 1);
    });

    it("describes a node's pods by owner with counts", () => {
        const r = packPods([pod("a", 2, 1, 1), pod("a", 2, 1, 1), pod("b worker", 4, 1, 1)], node, 1);
        assert.equal(describeNode(r.nodes[0]), "b worker, 2 × a");
    });
});
