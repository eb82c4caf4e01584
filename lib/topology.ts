// How a model's parallelism maps onto pods, shared by config validation (components/), the builder of
// LLMInferenceService specs and GPU demand (policies). The rules are KServe's (research/kserve.md §1.2):
// a `worker` turns a replica into a LeaderWorkerSet group; its size is the pipeline degree for pipeline
// parallelism, or data ÷ dataLocal for data parallelism (`ParallelismSpec.GetSize`); pipeline and
// data parallelism cannot be combined, and dataLocal requires data.

/** The parallelism block, in the shape of both stack config and `spec.parallelism` of v1alpha2. */
export interface Parallelism {
    tensor?: number;
    pipeline?: number;
    data?: number;
    dataLocal?: number;
    expert?: boolean;
}

export interface Topology {
    /** true when one replica spans several pods (a LeaderWorkerSet): KServe needs `spec.worker`. */
    multiNode: boolean;
    /** Pods per replica (LeaderWorkerSet size), 1 for single-node. */
    podsPerReplica: number;
    /** GPUs one pod of the replica uses (leader and workers alike). */
    gpusPerPod: number;
    /** GPUs one replica uses in total. */
    gpusPerReplica: number;
}

/** Pods per replica for a service that has (or would have) `worker`. */
export function groupSize(p: Parallelism): number {
    if (p.pipeline && p.pipeline > 1) return p.pipeline;
    if (p.data && p.data > 1) return Math.max(1, Math.floor(p.data / (p.dataLocal ?? p.data)));
    return 1;
}

/**
 * Topology of a replica on nodes with GPUs (`gpuNode` false for CPU-only pools: then no GPUs are requested).
 * Data ranks that fit on one node (`dataLocal`, or all of `data` when dataLocal is absent) share the pod,
 * each rank taking `tensor` GPUs, which is how the KServe data-parallel preset starts vLLM.
 */
export function topology(p: Parallelism, gpuNode = true): Topology {
    const tensor = p.tensor ?? 1;
    const pods = groupSize(p);
    const ranksPerPod = p.pipeline && p.pipeline > 1 ? 1 : (p.dataLocal ?? p.data ?? 1);
    const gpusPerPod = gpuNode ? tensor * ranksPerPod : 0;
    return { multiNode: pods > 1, podsPerReplica: pods, gpusPerPod, gpusPerReplica: gpusPerPod * pods };
}
