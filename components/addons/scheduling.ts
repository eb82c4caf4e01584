// Where platform DaemonSets run: on the nodes of given GPU pools, tolerating the GPU taint. Pure.
import { GpuPoolConfig } from "../config";
import { GPU_RESOURCE } from "../../lib/labels";

export interface NodeSelectorTerm {
    matchExpressions: { key: string; operator: "In"; values: string[] }[];
}

/** One nodeSelectorTerm per pool (terms are ORed; the pool's labels inside a term are ANDed). */
export function poolSelectorTerms(pools: GpuPoolConfig[]): NodeSelectorTerm[] {
    return pools.map((p) => ({
        matchExpressions: Object.entries(p.nodeSelector).sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
    }));
}

/** Required node affinity for `terms` (a pod spec's `affinity`). */
export function requiredNodeAffinity(terms: NodeSelectorTerm[]): { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: NodeSelectorTerm[] } } } {
    return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

/**
 * Tolerates the GPU taint whatever its value: modelplane's pools carry `nvidia.com/gpu=present:NoSchedule`
 * (lib/labels GPU_TAINT), GKE adds `nvidia.com/gpu=present` itself and EKS examples use `=true`.
 */
export const GPU_TOLERATION = { key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" } as const;

/** Pools that have GPUs (CPU-only pools of existing clusters excluded). */
export function gpuPools(pools: GpuPoolConfig[]): GpuPoolConfig[] {
    return pools.filter((p) => p.gpusPerNode > 0);
}
