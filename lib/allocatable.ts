// What a node of a catalog instance type offers to pods: its capacity minus the reserve for the kubelet, the
// system and the DaemonSets every GPU node runs. Shared by pod sizing (components/models/sizing.ts), the
// packing check of the config, the policy pack and the scale-up simulation, so all of them agree on one number.
import { InstanceType } from "./catalog";

/**
 * reserve = max(minCpu, 10% of vCPU), max(minMemoryGiB, 10% of memory). Deliberately generous (see
 * components/models/sizing.ts): a pod whose requests exceed the real allocatable never schedules, while a little
 * unused CPU costs nothing. The DaemonSets modelplane installs on GPU nodes come from Helm charts (the NVIDIA device
 * plugin, the local-static provisioner, KServe's local-model agent): their requests are not in the program's
 * resources, so this reserve is what covers them.
 */
export const RESERVE = { fraction: 0.1, minCpu: 1, minMemoryGiB: 4 } as const;

/** A node's allocatable vCPU and GiB: its capacity minus the reserve. */
export function allocatable(it: Pick<InstanceType, "vcpu" | "memoryGiB">): { cpu: number; memoryGiB: number } {
    return {
        cpu: it.vcpu - Math.max(RESERVE.minCpu, it.vcpu * RESERVE.fraction),
        memoryGiB: it.memoryGiB - Math.max(RESERVE.minMemoryGiB, it.memoryGiB * RESERVE.fraction),
    };
}
