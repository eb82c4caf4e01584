// Whether a pool's pods fit its nodes as the scheduler must place them: whole, each on one node, with their CPU and
// memory as well as their GPUs. A sum of GPUs cannot see that eight 1-GPU pods which each ask for two thirds of a
// node's memory need eight nodes, not one.
//
// First-fit decreasing (largest pods first, each onto the first node with room, a new node only when none has):
// these are few item sizes in three dimensions, and FFD never uses more than 11/9 of the optimal node count + 1 in
// one dimension, so when it fails the pool is full or close to it. It is not what kube-scheduler does (that places
// pods one at a time, in arrival order, and its default scoring spreads them), so passing here means "the pods can
// fit", not "they will": a spread of small pods can still leave no whole node for a large one (test/e2e/README.md,
// GPU fragmentation). Multi-node groups count as their pods (each needs a node of its own size).

export interface PackPod {
    /** What the pod belongs to, e.g. "llama-3-3-70b" or "deepseek-r1 worker". */
    owner: string;
    gpus: number;
    cpu: number;
    memoryGiB: number;
}

/** What one node offers to pods: allocatable GPUs, vCPU and GiB (Infinity when not known). */
export interface PackNode {
    gpus: number;
    cpu: number;
    memoryGiB: number;
}

export interface PackedNode {
    pods: PackPod[];
    free: PackNode;
}

export interface Packing {
    nodes: PackedNode[];
    /** Pods that found no room on `maxNodes` nodes (largest first). */
    unplaced: PackPod[];
}

const fits = (p: PackPod, free: PackNode) => p.gpus <= free.gpus && p.cpu <= free.cpu && p.memoryGiB <= free.memoryGiB;

/** Packs `pods` onto at most `maxNodes` nodes of size `node`, first-fit decreasing (by GPUs, then memory, then CPU). */
export function packPods(pods: readonly PackPod[], node: PackNode, maxNodes: number): Packing {
    const order = [...pods].sort((a, b) => b.gpus - a.gpus || b.memoryGiB - a.memoryGiB || b.cpu - a.cpu || a.owner.localeCompare(b.owner));
    const nodes: PackedNode[] = [];
    const unplaced: PackPod[] = [];
    for (const p of order) {
        let target = nodes.find((n) => fits(p, n.free));
        if (!target && nodes.length < maxNodes && fits(p, node)) {
            target = { pods: [], free: { ...node } };
            nodes.push(target);
        }
        if (!target) {
            unplaced.push(p);
            continue;
        }
        target.pods.push(p);
        target.free = { gpus: target.free.gpus - p.gpus, cpu: target.free.cpu - p.cpu, memoryGiB: target.free.memoryGiB - p.memoryGiB };
    }
    return { nodes, unplaced };
}

/** "2 × llama-3-3-70b, deepseek-r1 worker" for the pods of one node, in placement order. */
export function describeNode(n: PackedNode): string {
    const counts = new Map<string, number>();
    for (const p of n.pods) counts.set(p.owner, (counts.get(p.owner) ?? 0) + 1);
    return [...counts].map(([o, c]) => (c > 1 ? `${c} × ${o}` : o)).join(", ");
}
