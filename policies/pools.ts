// GPU pools: demand per pool within its capacity (stack), and node pools of allowed instance types and
// size (resource).
//
// Pools as the program registers them (lib/demand.ts `poolCapacities`):
// - AWS `aws:eks/nodeGroup:NodeGroup` labelled `modelplane.io/pool`: GPUs per node from lib/catalog by
//   `instanceTypes` (the smallest when several), max nodes `scalingConfig.maxSize`;
// - GCP `gcp:container/nodePool:NodePool` with `nodeConfig.labels["modelplane.io/pool"]`: GPUs per node from
//   lib/catalog by `nodeConfig.machineType` (else the sum of `guestAccelerators[].count`), max nodes
//   `autoscaling.totalMaxNodeCount`, or `autoscaling.maxNodeCount` per zone × `nodeLocations`;
// - existing clusters: a ConfigMap in `modelplane-system` whose annotations carry the pool, GPUs per node
//   and max nodes (lib/labels.ts POOL_ANNOTATIONS).
// Several resources with the same pool name add up. A node group without the pool label is a system pool
// unless its instance type carries GPUs.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { CatalogCloud, findInstanceType } from "../lib/catalog";
import {
    demandByPool, describeConsumers, indexStack, instanceTypesOf, isObject, maxNodesOf, poolNameOf, PoolCapacity,
} from "../lib/demand";
import { describeNodeShape, describePacking, describeUnplaced, nodesNeeded, packPools } from "../lib/pool-packing";
import { TYPES } from "../lib/resources";
import { CONFIG_FILE, configFileFor, describeResource, gpus, policyConfig, strictSchema } from "./common";

function capacityText(p: PoolCapacity): string {
    if (p.sources.length === 1) {
        const s = p.sources[0];
        return `${s.maxNodes} node${s.maxNodes === 1 ? "" : "s"} × ${s.gpusPerNode} GPUs${s.instanceType ? ` of ${s.instanceType}` : ""}${s.note ? `; ${s.note}` : ""}`;
    }
    return p.sources.map((s) => `${s.name}: ${s.maxNodes} × ${s.gpusPerNode}`).join(" + ");
}

export const gpuPoolCapacity: StackValidationPolicy = {
    name: "gpu-pool-capacity",
    description: "The worst-case GPU demand on each pool fits the pool's maxNodes × GPUs per node, and its pods, placed whole with their GPUs, CPU and memory, fit maxNodes nodes.",
    remediationSteps:
        "Raise the pool's maxNodes (modelplane:gpuPools[].maxNodes, within allowed-gpu-instance-types.maxNodes), move models to another pool, " +
        "or lower replicas / scaling.maxReplicas.",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const index = indexStack(args.resources);
        let packs: ReturnType<typeof packPools> | undefined;
        for (const [pool, total] of [...demandByPool(index)].sort((a, b) => a[0].localeCompare(b[0]))) {
            const needsGpus = total.gpus > 0 || total.undeterminable.length > 0;
            if (!needsGpus) continue;
            const cap = index.pools.get(pool);
            const firstUrn = total.consumers[0]?.urn;
            if (!cap) {
                const declared = [...index.pools.keys()].sort();
                report(
                    `pool "${pool}" is targeted by ${describeConsumers(total.consumers)} but the stack declares no node pool named "${pool}" ` +
                        `(declared: ${declared.length ? declared.join(", ") : "none"}); add it to modelplane:gpuPools or point the models at a declared pool.`,
                    firstUrn,
                );
                continue;
            }
            const poolUrn = cap.sources[0]?.urn ?? firstUrn;
            if (cap.capacity === undefined) {
                report(`pool "${pool}": its capacity cannot be determined (${cap.reason}), so a demand of ${gpus(total.gpus)} cannot be checked against it.`, poolUrn);
                continue;
            }
            for (const c of total.undeterminable) {
                report(
                    `pool "${pool}": the GPU demand of "${c.name}" (${c.namespace}) cannot be determined (${c.demand.known ? "" : c.demand.reason}), ` +
                        `so the pool's capacity of ${gpus(cap.capacity)} cannot be checked.`,
                    c.urn,
                );
            }
            if (total.gpus > cap.capacity) {
                report(
                    `pool "${pool}" must hold ${gpus(total.gpus)} at the worst case (${describeConsumers(total.consumers.filter((c) => c.demand.known))}) ` +
                        `but can offer at most ${cap.capacity} (${capacityText(cap)}); raise modelplane:gpuPools[].maxNodes for "${pool}" ` +
                        `(within allowed-gpu-instance-types.maxNodes), move models to another pool, or lower replicas/scaling.maxReplicas.`,
                    poolUrn,
                );
                continue;
            }
            // The GPUs add up; the pods must also fit, whole, on the nodes (lib/pool-packing.ts).
            packs ??= packPools(args.resources);
            const packed = packs.get(pool);
            if (packed && packed.packing.unplaced.length > 0) {
                const need = nodesNeeded(packed);
                const p0 = packed.packing.unplaced[0];
                report(
                    `pool "${pool}" holds the ${gpus(total.gpus)} of its models in sum (${capacityText(cap)}) but not their pods, which the scheduler places ` +
                        `whole on nodes with their CPU and memory (${describeNodeShape(packed)}): packed largest first they need ` +
                        `${need.atLeast ? "more than " : ""}${need.nodes} node${need.nodes === 1 ? "" : "s"}, maxNodes is ${packed.maxNodes}; ` +
                        `${packed.packing.unplaced.length} pod${packed.packing.unplaced.length === 1 ? "" : "s"} left over (${describeUnplaced(packed.packing)}; e.g. ` +
                        `${p0.gpus} GPUs, ${Math.ceil(p0.cpu)} vCPU, ${Math.ceil(p0.memoryGiB)} GiB). Packing: ${describePacking(packed.packing)}. ` +
                        `Raise modelplane:gpuPools[].maxNodes for "${pool}" to ${need.atLeast ? "more than " : ""}${need.nodes} (within allowed-gpu-instance-types.maxNodes), ` +
                        `lower the models' resources or replicas, or move models to another pool.`,
                    poolUrn,
                );
            }
        }
    },
};

export interface AllowedTypesConfig {
    /** Allowed instance/machine types; when absent, any type in lib/catalog. */
    allowed?: string[];
    /** Most nodes one pool may scale to; when absent, no limit. */
    maxNodes?: number;
}

/** Whether a cloud node pool is a GPU pool: it has the pool label, a GPU instance type, or guest accelerators. */
function isGpuNodePool(args: ResourceValidationArgs, cloud: CatalogCloud): boolean {
    if (poolNameOf(args) !== undefined) return true;
    if (instanceTypesOf(args).some((t) => (findInstanceType(t, cloud)?.gpus ?? 0) > 0)) return true;
    const nc = args.props.nodeConfig;
    return cloud === "gcp" && isObject(nc) && Array.isArray(nc.guestAccelerators) && nc.guestAccelerators.length > 0;
}

export const allowedGpuInstanceTypes: ResourceValidationPolicy = {
    name: "allowed-gpu-instance-types",
    description: "GPU node pools use only allowed instance/machine types and stay within a node limit.",
    configSchema: strictSchema({
        allowed: {
            type: "array",
            items: { type: "string", minLength: 1 },
            uniqueItems: true,
            description: "Instance/machine types GPU node pools may use (e.g. p5.48xlarge, g2-standard-48). When absent, any type in lib/catalog.",
        },
        maxNodes: {
            type: "integer",
            minimum: 0,
            description: "Most nodes one GPU node pool may scale to. When absent, no limit.",
        },
    }),
    remediationSteps: `Use an allowed type in modelplane:gpuPools[].instanceType and keep maxNodes within the limit, or change ${CONFIG_FILE} allowed-gpu-instance-types.`,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const cloud: CatalogCloud | undefined = args.type === TYPES.eksNodeGroup ? "aws" : args.type === TYPES.gkeNodePool ? "gcp" : undefined;
        if (!cloud) args.notApplicable(`applies to ${TYPES.eksNodeGroup} and ${TYPES.gkeNodePool}, not ${args.type}`);
        if (!isGpuNodePool(args, cloud)) args.notApplicable("not a GPU node pool (no modelplane.io/pool label and no GPU instance type)");
        const cfg = policyConfig<AllowedTypesConfig>(args, allowedGpuInstanceTypes);
        const pool = poolNameOf(args);
        const what = `GPU node pool${pool ? ` "${pool}"` : ""} (${describeResource(args)})`;
        const types = instanceTypesOf(args);
        if (types.length === 0) report(`${what} names no ${cloud === "aws" ? "instance type (instanceTypes)" : "machine type (nodeConfig.machineType)"}; set modelplane:gpuPools[].instanceType.`);
        for (const t of types) {
            if (cfg.allowed !== undefined) {
                if (!cfg.allowed.includes(t)) {
                    report(
                        `${what} uses ${t}, which is not allowed (allowed: ${cfg.allowed.length ? cfg.allowed.join(", ") : "none"}); use an allowed type in ` +
                            `modelplane:gpuPools[].instanceType, or have the platform team add it to ${configFileFor(args.urn)} allowed-gpu-instance-types.allowed.`,
                    );
                }
            } else if (!findInstanceType(t, cloud)) {
                report(`${what} uses ${t}, which is not in lib/catalog, so its GPUs cannot be counted; use a catalogued type or add the type to lib/catalog.ts.`);
            }
        }
        if (cfg.maxNodes !== undefined) {
            const m = maxNodesOf(args);
            if (m.maxNodes === undefined) {
                report(`${what}: its maximum node count cannot be determined (${m.reason}), so the limit of ${cfg.maxNodes} nodes cannot be checked.`);
            } else if (m.maxNodes > cfg.maxNodes) {
                report(
                    `${what} may scale to ${m.maxNodes} nodes${m.note ? ` (${m.note})` : ""} but GPU pools may have at most ${cfg.maxNodes}; lower ` +
                        `modelplane:gpuPools[].maxNodes${pool ? ` for "${pool}"` : ""}, or have the platform team raise allowed-gpu-instance-types.maxNodes in ${configFileFor(args.urn)}.`,
                );
            }
        }
    },
};

export const poolPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [gpuPoolCapacity, allowedGpuInstanceTypes];
