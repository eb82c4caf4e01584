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

/**
 * Pods per replica for a service that has `worker`, exactly as KServe's `ParallelismSpec.GetSize`
 * (pkg/apis/serving/v1alpha2/llm_inference_service_types_func.go): data parallel when data or dataLocal
 * is set, size = data ÷ dataLocal (integer division, each defaulting to 1); else pipeline; else 1.
 */
export function groupSize(p: Parallelism): number {
    if ((p.data ?? 0) > 0 || (p.dataLocal ?? 0) > 0) {
        return Math.max(Math.trunc(Math.max(p.data ?? 1, 1) / Math.max(p.dataLocal ?? 1, 1)), 1);
    }
    if ((p.pipeline ?? 0) > 0) return p.pipeline!;
    return 1;
}

/**
 * Topology of a replica on nodes with GPUs (`gpuNode` false for CPU-only pools: then no GPUs are requested).
 * The `dataLocal` data ranks of a pod share it, each taking `tensor` GPUs, which is how the KServe
 * data-parallel preset starts vLLM. Callers that mean single-node data parallelism set dataLocal = data.
 */
export function topology(p: Parallelism, gpuNode = true): Topology {
    const tensor = p.tensor ?? 1;
    const pods = groupSize(p);
    const ranksPerPod = (p.data ?? 0) > 0 || (p.dataLocal ?? 0) > 0 ? (p.dataLocal ?? 1) : 1;
    const gpusPerPod = gpuNode ? tensor * ranksPerPod : 0;
    return { multiNode: pods > 1, podsPerReplica: pods, gpusPerPod, gpusPerReplica: gpusPerPod * pods };
}
