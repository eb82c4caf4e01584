// CPU and memory of one model pod, and the model's GPU demand.
//
// Sizing rule (requests = limits, so GPU pods get the Guaranteed QoS class and are the last to be evicted):
//   A GPU node is shared by the pods that use its GPUs, so a pod gets the node's share of CPU and memory
//   that matches its share of GPUs:
//       allocatable = node − reserve,   reserve = max(RESERVE.minCpu, 10% of vCPU), max(RESERVE.minMemoryGiB, 10% of memory)
//       cpu    = floor(allocatable vCPU  × gpusPerPod ÷ gpusPerNode)   (at least 1)
//       memory = floor(allocatable GiB   × gpusPerPod ÷ gpusPerNode)   (at least 1Gi)
//   The reserve covers the kubelet/system reservations and the DaemonSets every GPU node runs (device
//   plugin, CNI, CSI/local-storage provisioner, node exporter); 10% is deliberately generous, because a pod
//   whose requests exceed allocatable never schedules, while a little unused CPU costs nothing.
//   CPU-only pools (no GPUs) give a pod the whole node's allocatable.
// Pools without a catalog instance type (cloud `existing`) cannot be sized from the node, so:
//   GPU pools: EXISTING_PER_GPU.cpu vCPU and 2 × the accelerator's memory per GPU (vLLM stages weights and
//   the CUDA graphs' host buffers in RAM), each capped at the pod's share of the allocatable of the smallest
//   catalog node with the same accelerator and GPUs per node (when the catalog has one), so that the pod fits
//   any node of that shape the catalog knows: 2 × 141 GiB × 8 for an 8 × H200 pod is 2256Gi, more than an AWS
//   8 × H200 node has (p5e/p5en.48xlarge: 2048 GiB), so such a pod never scheduled there (found by the
//   controllers e2e). A pod that does not fit stays Pending for good; one that is too small shows OOMKilled and
//   is fixed with `resources`. CPU-only pools: 4 vCPU and twice the weights + 4 GiB.
//   `modelplane:models[].resources` overrides either value, and is the way to size pods on existing pools
//   exactly.
import { INSTANCE_TYPES } from "../../lib/catalog";
import { allocatable, RESERVE } from "../../lib/allocatable";

// The reserve and allocatable live in lib/ (the policy pack packs pods with them too).
export { allocatable, RESERVE };
import { GpuPoolConfig, ModelConfig } from "../config";

export const EXISTING_PER_GPU = { cpu: 8, memoryPerGpuMemory: 2 } as const;
export const EXISTING_CPU_POD = { cpu: 4, minMemoryGiB: 8 } as const;

/** Bytes per parameter of each weight dtype. */
export const BYTES_PER_PARAM: Readonly<Record<ModelConfig["size"]["dtype"], number>> = {
    float32: 4, bfloat16: 2, float16: 2, fp8: 1, int8: 1, int4: 0.5,
};

export function weightsGiB(size: ModelConfig["size"]): number {
    return (size.paramsBillions * 1e9 * BYTES_PER_PARAM[size.dtype]) / 2 ** 30;
}

/**
 * Copies of the weights a download writes, by URI scheme. KServe v0.20.0's storage initializer downloads an
 * hf:// model with `snapshot_download` and no file patterns unless STORAGE_ALLOW_PATTERNS / STORAGE_IGNORE_PATTERNS
 * are set (python/storage/kserve_storage/kserve_storage.py `_download_hf`), i.e. the whole repository, and the
 * LocalModelCache download Job has no field to set them. Hub repositories often hold the weights twice (meta-llama:
 * the safetensors plus `original/consolidated*.pth`), so caches and download times count two copies. s3:// and oci:// hold
 * what the operator put there.
 */
export const DOWNLOAD_COPIES: Readonly<Record<string, number>> = { hf: 2, s3: 1, oci: 1, pvc: 1, gs: 1 };

export interface PodSize {
    cpu: string;
    memory: string;
}

/**
 * The smallest allocatable vCPU and memory among the catalog nodes with `gpusPerNode` × `accelerator` (either
 * cloud), or undefined when the catalog has no such node: what a pod of an existing pool of that shape can be
 * given and still fit every such node.
 */
export function smallestCatalogNode(accelerator: string, gpusPerNode: number): { cpu: number; memoryGiB: number } | undefined {
    const nodes = INSTANCE_TYPES.filter((i) => i.accelerator === accelerator && i.gpus === gpusPerNode).map(allocatable);
    if (nodes.length === 0) return undefined;
    return { cpu: Math.min(...nodes.map((n) => n.cpu)), memoryGiB: Math.min(...nodes.map((n) => n.memoryGiB)) };
}

/** CPU and memory of one pod using `gpusPerPod` GPUs of `pool` (see the rule above). */
export function podSize(pool: GpuPoolConfig, gpusPerPod: number, model: Pick<ModelConfig, "size" | "resources">): PodSize {
    let cpu: number;
    let memoryGiB: number;
    if (pool.instance) {
        const share = pool.gpusPerNode > 0 && gpusPerPod > 0 ? gpusPerPod / pool.gpusPerNode : 1;
        const alloc = allocatable(pool.instance);
        cpu = Math.max(1, Math.floor(alloc.cpu * share));
        memoryGiB = Math.max(1, Math.floor(alloc.memoryGiB * share));
    } else if (pool.gpusPerNode > 0 && gpusPerPod > 0) {
        cpu = EXISTING_PER_GPU.cpu * gpusPerPod;
        memoryGiB = Math.ceil(EXISTING_PER_GPU.memoryPerGpuMemory * pool.acceleratorMemoryGiB * gpusPerPod);
        const smallest = smallestCatalogNode(pool.accelerator, pool.gpusPerNode);
        if (smallest) {
            const share = gpusPerPod / pool.gpusPerNode;
            cpu = Math.max(1, Math.min(cpu, Math.floor(smallest.cpu * share)));
            memoryGiB = Math.max(1, Math.min(memoryGiB, Math.floor(smallest.memoryGiB * share)));
        }
    } else {
        cpu = EXISTING_CPU_POD.cpu;
        memoryGiB = Math.max(EXISTING_CPU_POD.minMemoryGiB, Math.ceil(2 * weightsGiB(model.size) + 4));
    }
    return {
        cpu: model.resources?.cpu ?? String(cpu),
        memory: model.resources?.memory ?? `${memoryGiB}Gi`,
    };
}

/** Replicas a workload can reach at worst: replicas, or scaling.maxReplicas, or 1 (KServe's default). */
export function worstCaseReplicas(w: { replicas?: number; scaling?: { maxReplicas: number } }): number {
    return w.replicas ?? w.scaling?.maxReplicas ?? 1;
}

/**
 * Worst-case GPUs of a model (DESIGN.md §3): replicas (or maxReplicas) × GPUs per replica of the decode (or only)
 * workload, plus the same for the prefill workload.
 */
export function modelGpuDemand(m: Pick<ModelConfig, "replicas" | "scaling" | "topology" | "prefill" | "prefillTopology">): number {
    const main = worstCaseReplicas(m) * m.topology.gpusPerReplica;
    const prefill = m.prefill && m.prefillTopology ? worstCaseReplicas(m.prefill) * m.prefillTopology.gpusPerReplica : 0;
    return main + prefill;
}
