// Pods packed whole onto each pool's nodes, from the resources the program registers: what `gpu-pool-capacity` checks
// and report.md shows. The config check (components/config.ts checkPoolPacking) packs the same pods from the stack
// config before anything is registered; this one sees what the engine sees (after the presets a model names are
// merged, with any `template` override), so a plan that passes config validation but whose registered pods do not
// fit still fails.
//
// First-fit decreasing (lib/packing.ts says why it is enough): the pods of a pool are few sizes in three dimensions.
// Each LeaderWorkerSet group counts as its pods (each needs a node of its own), prefill pods count like decode pods,
// and the requests of DaemonSets the program declares on the pool's nodes come off every node first.
import { allocatable } from "./allocatable";
import { CatalogCloud, findInstanceType } from "./catalog";
import {
    Consumer, demandByPool, indexStack, isObject, podRequestsOf, PodRequests, podSpecsOf, PoolCapacity, ResourceLike, WORKLOAD_TYPES,
} from "./demand";
import { POOL_LABEL } from "./labels";
import { joinedNode, whyNotFits } from "./node-template";
import { describeNode, PackNode, PackPod, packPods, Packing } from "./packing";
import { TYPES } from "./resources";

export interface Daemon {
    name: string;
    cpu: number;
    memoryGiB: number;
    gpus: number;
}

export interface PoolPacking {
    pool: string;
    /** The instance type the node shape comes from (the smallest of several), when known. */
    instanceType?: string;
    /** What one node offers to model pods: allocatable minus the daemons. */
    node: PackNode;
    daemons: Daemon[];
    pods: PackPod[];
    maxNodes: number;
    packing: Packing;
    /** Consumers whose pods could not be sized (their GPU demand is undeterminable: gpu-pool-capacity reports them). */
    unsized: string[];
}

/** A node of the pool: the smallest allocatable over its node groups' catalog types; an existing pool only has GPUs. */
function nodeShape(cap: PoolCapacity): { node: PackNode; instanceType?: string } | undefined {
    if (cap.gpusPerNode === undefined) return undefined;
    if (cap.cloud === "existing") return { node: { gpus: cap.gpusPerNode, cpu: Infinity, memoryGiB: Infinity } };
    const cloud: CatalogCloud = cap.cloud;
    let best: { node: PackNode; instanceType?: string } | undefined;
    for (const s of cap.sources) {
        for (const t of (s.instanceType ?? "").split(",").filter(Boolean)) {
            const row = findInstanceType(t, cloud);
            if (!row) return undefined;
            const a = allocatable(row);
            if (!best) best = { node: { gpus: cap.gpusPerNode, ...a }, instanceType: row.name };
            else best.node = { gpus: cap.gpusPerNode, cpu: Math.min(best.node.cpu, a.cpu), memoryGiB: Math.min(best.node.memoryGiB, a.memoryGiB) };
        }
    }
    return best;
}

function podsOfService(c: Consumer): PackPod[] | undefined {
    if (!c.detail?.known) return undefined;
    const out: PackPod[] = [];
    for (const w of c.detail.workloads) {
        const what = w.role === "prefill" ? `${c.name} prefill` : c.name;
        const one = (owner: string, p: PodRequests) => out.push({ owner, gpus: p.gpus, cpu: p.cpu, memoryGiB: p.memoryGiB });
        for (let r = 0; r < w.replicas; r++) {
            if (w.groupSize > 1 && w.workerPod) {
                one(`${what} leader`, w.leaderPod);
                for (let k = 1; k < w.groupSize; k++) one(`${what} worker`, w.workerPod);
            } else one(what, w.leaderPod);
        }
    }
    return out;
}

/** Pods of a core workload at its worst case (the counts lib/demand.ts workloadGpuDemand uses). */
function podsOfWorkload(r: ResourceLike, name: string): PackPod[] | undefined {
    const spec = isObject(r.props.spec) ? r.props.spec : {};
    const pods = podSpecsOf(r);
    const count = (v: unknown, def: number) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : v === undefined || v === null ? def : undefined);
    const sized = (p: { pod: Record<string, unknown> } | undefined) => {
        if (!p) return undefined;
        const got = podRequestsOf(p.pod);
        return got.ok ? got.pod : undefined;
    };
    const repeat = (n: number | undefined, p: PodRequests | undefined, owner: string): PackPod[] | undefined =>
        n === undefined || !p ? undefined : Array.from({ length: n }, () => ({ owner, ...p }));
    const kind = r.type.split(":").pop();
    switch (r.type) {
        case WORKLOAD_TYPES.pod:
            return repeat(1, sized(pods[0]), `${name} (${kind})`);
        case WORKLOAD_TYPES.deployment:
        case WORKLOAD_TYPES.statefulSet:
        case WORKLOAD_TYPES.replicaSet:
            return repeat(count(spec.replicas, 1), sized(pods[0]), `${name} (${kind})`);
        case WORKLOAD_TYPES.job:
            return repeat(count(spec.parallelism, 1), sized(pods[0]), `${name} (${kind})`);
        case WORKLOAD_TYPES.cronJob: {
            const js = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
            return repeat(count(js.parallelism, 1), sized(pods[0]), `${name} (${kind})`);
        }
        case WORKLOAD_TYPES.leaderWorkerSet: {
            const n = count(spec.replicas, 1);
            const lwt = isObject(spec.leaderWorkerTemplate) ? spec.leaderWorkerTemplate : {};
            const size = count(lwt.size, 1);
            const worker = sized(pods.find((p) => p.part === "worker"));
            const leader = sized(pods.find((p) => p.part === "template")) ?? worker;
            if (n === undefined || size === undefined || !leader || (size > 1 && !worker)) return undefined;
            const out: PackPod[] = [];
            for (let i = 0; i < n; i++) {
                out.push({ owner: `${name} leader`, ...leader });
                for (let k = 1; k < size; k++) out.push({ owner: `${name} worker`, ...worker! });
            }
            return out;
        }
    }
    return undefined;
}

/**
 * DaemonSets the program declares whose pods land on the pool's nodes (they match the nodes' labels and tolerate their
 * taints): every node runs one, so their requests come off each node before model pods are packed.
 */
function daemonsOn(pool: string, resources: readonly ResourceLike[]): Daemon[] {
    const nodes = resources.filter((r) => (r.type === TYPES.eksNodeGroup || r.type === TYPES.gkeNodePool))
        .map((r) => ({ r, n: joinedNode(r) })).filter((x) => x.n && x.n.labels[POOL_LABEL] === pool);
    const out: Daemon[] = [];
    for (const r of resources) {
        if (r.type !== WORKLOAD_TYPES.daemonSet) continue;
        const p = podSpecsOf(r)[0];
        if (!p) continue;
        const req = podRequestsOf(p.pod);
        if (!req.ok) continue;
        const lands = nodes.length > 0
            ? nodes.some(({ n }) => whyNotFits(p.pod, { ...n!, allocatable: { gpus: Infinity, cpu: Infinity, memoryGiB: Infinity } }).length === 0)
            : false;
        if (lands) out.push({ name: typeof (r.props.metadata as { name?: unknown } | undefined)?.name === "string" ? String((r.props.metadata as { name: string }).name) : r.name, ...req.pod });
    }
    return out;
}

/** Every pool with GPU consumers and a known node shape, packed. Frozen lists are indexed once (lib/demand indexStack). */
export function packPools(resources: readonly ResourceLike[]): Map<string, PoolPacking> {
    const index = indexStack(resources);
    const out = new Map<string, PoolPacking>();
    for (const [pool, total] of demandByPool(index)) {
        const cap = index.pools.get(pool);
        if (!cap || cap.maxNodes === undefined) continue;
        const shape = nodeShape(cap);
        if (!shape) continue;
        const daemons = daemonsOn(pool, resources);
        const node: PackNode = {
            gpus: shape.node.gpus - daemons.reduce((a, d) => a + d.gpus, 0),
            cpu: shape.node.cpu - daemons.reduce((a, d) => a + d.cpu, 0),
            memoryGiB: shape.node.memoryGiB - daemons.reduce((a, d) => a + d.memoryGiB, 0),
        };
        const pods: PackPod[] = [];
        const unsized: string[] = [];
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        for (const c of total.consumers) {
            let got: PackPod[] | undefined;
            if (c.kind === "service") got = podsOfService(c);
            else {
                const r = c.urn !== undefined ? byUrn.get(c.urn) : resources.find((x) => x.type === c.type && x.name === c.resourceName);
                got = r ? podsOfWorkload(r, c.name) : undefined;
            }
            if (got) pods.push(...got.filter((p) => p.gpus > 0 || p.cpu > 0 || p.memoryGiB > 0));
            else unsized.push(c.name);
        }
        out.set(pool, { pool, instanceType: shape.instanceType, node, daemons, pods, maxNodes: cap.maxNodes, packing: packPods(pods, node, cap.maxNodes), unsized });
    }
    return out;
}

/** "p5.48xlarge: 8 GPUs, 172 vCPU, 1843 GiB allocatable each" (or "8 GPUs each" when CPU and memory are unknown). */
export function describeNodeShape(p: Pick<PoolPacking, "instanceType" | "node" | "daemons">): string {
    const n = p.node;
    const daemons = p.daemons.length ? ` after ${p.daemons.length} DaemonSet${p.daemons.length === 1 ? "" : "s"}` : "";
    if (!Number.isFinite(n.cpu)) return `${n.gpus} GPUs each`;
    return `${p.instanceType ? `${p.instanceType}: ` : ""}${n.gpus} GPUs, ${Math.floor(n.cpu)} vCPU, ${Math.floor(n.memoryGiB)} GiB allocatable each${daemons}`;
}

/** "node 1: 2 × llama-3-3-70b; node 2: deepseek-r1 leader" */
export function describePacking(p: Packing): string {
    return p.nodes.map((n, k) => `node ${k + 1}: ${describeNode(n)}`).join("; ");
}

/** "3 × llama-3-1-8b-pd, 1 × qwen3-32b" for pods that found no node. */
export function describeUnplaced(p: Packing): string {
    const left = new Map<string, number>();
    for (const x of p.unplaced) left.set(x.owner, (left.get(x.owner) ?? 0) + 1);
    return [...left].map(([o, c]) => `${c} × ${o}`).join(", ");
}

/** Nodes the pods need: the packing's nodes when all fit; otherwise at least maxNodes + 1 (unknown how many more). */
export function nodesNeeded(p: PoolPacking): { nodes: number; atLeast: boolean } {
    if (p.packing.unplaced.length === 0) return { nodes: p.packing.nodes.length, atLeast: false };
    // Pack without the node limit to say how many nodes it would take.
    const unbounded = packPods(p.pods, p.node, Number.MAX_SAFE_INTEGER);
    return unbounded.unplaced.length === 0 ? { nodes: unbounded.nodes.length, atLeast: false } : { nodes: unbounded.nodes.length, atLeast: true };
}
