// Pure builders for GPU node pool shapes on EKS and GKE: labels, taints, capacity mapping, local NVMe.
// Every number comes from the pool's catalog row (lib/catalog via config.ts): GPU count, accelerator, disks.
// No Pulumi resources here; AwsCluster/GcpCluster only register what these functions return.
import { findAccelerator } from "../../lib/catalog";
import { ACCELERATOR_LABEL, GPU_TAINT, LOCALMODEL_NODE_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE, POOL_ANNOTATIONS, POOL_LABEL } from "../../lib/labels";
import { GpuPoolConfig } from "../config";

// ---------------------------------------------------------------------------------------------------------------
// Labels and taints (both clouds)

/**
 * The NVIDIA device plugin's default affinity only schedules on nodes labelled by NFD/GFD or with
 * `nvidia.com/gpu.present=true` (NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml,
 * research/gpu-nodes.md §1.4). Labelling the pool makes it land without NFD.
 */
export const GPU_PRESENT_LABEL = "nvidia.com/gpu.present";

/** Kubernetes labels of a pool's nodes: the pool's nodeSelector, the pool and accelerator, GPU presence, KServe's cache-node label. */
export function poolLabels(pool: GpuPoolConfig): Record<string, string> {
    const labels: Record<string, string> = {
        ...pool.nodeSelector,
        [POOL_LABEL]: pool.name,
        [ACCELERATOR_LABEL]: pool.accelerator,
    };
    if (pool.gpusPerNode > 0) labels[GPU_PRESENT_LABEL] = "true";
    // KServe's local-model agent runs only on nodes with this label (lib/labels.ts LOCALMODEL_NODE_LABEL).
    if (pool.localNvme !== "none") labels[LOCALMODEL_NODE_LABEL.key] = LOCALMODEL_NODE_LABEL.value;
    return labels;
}

/** Kubernetes taint effect → the enum both EKS (NodeGroup taints) and GKE (nodeConfig.taints) use. */
export function cloudTaintEffect(effect: "NoSchedule" | "NoExecute" | "PreferNoSchedule"): string {
    switch (effect) {
        case "NoSchedule": return "NO_SCHEDULE";
        case "NoExecute": return "NO_EXECUTE";
        case "PreferNoSchedule": return "PREFER_NO_SCHEDULE";
    }
}

export interface CloudTaint { key: string; value: string; effect: string }

/** The GPU taint (nvidia.com/gpu=present:NoSchedule) when the pool asks for it, in the cloud APIs' spelling. */
export function poolTaints(pool: GpuPoolConfig): CloudTaint[] {
    if (!pool.taint) return [];
    return [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: cloudTaintEffect(GPU_TAINT.effect) }];
}

/**
 * Pool facts as POOL_ANNOTATIONS keys. On AWS they become node group tags (tag keys allow `.` and `/`), so
 * the policy pack reads a pool's capacity from one place even when the instance type lives in the launch
 * template (capacity blocks); on existing clusters they annotate the pool's marker ConfigMap.
 */
export function poolAnnotations(pool: GpuPoolConfig): Record<string, string> {
    const a: Record<string, string> = {
        [POOL_ANNOTATIONS.pool]: pool.name,
        [POOL_ANNOTATIONS.accelerator]: pool.accelerator,
        [POOL_ANNOTATIONS.gpusPerNode]: String(pool.gpusPerNode),
        [POOL_ANNOTATIONS.maxNodes]: String(pool.maxNodes),
    };
    if (pool.instance) a[POOL_ANNOTATIONS.instanceType] = pool.instance.name;
    return a;
}

/** Name of the marker ConfigMap that describes a pool of an existing cluster. */
export function poolMarkerName(pool: string): string {
    return `gpu-pool-${pool}`;
}

export interface PoolMarker {
    metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
    data: Record<string, string>;
}

/**
 * The marker ConfigMap of a pool on an existing cluster (modelplane creates no nodes there): annotations with
 * the pool facts the policy pack reads (POOL_ANNOTATIONS), data describing how pods reach the pool — the
 * labels the nodes already carry and the taint they tolerate. `metadata.namespace` is added by the caller.
 */
export function poolMarker(pool: GpuPoolConfig): PoolMarker {
    const data: Record<string, string> = {
        nodeSelector: JSON.stringify(pool.nodeSelector),
        taint: pool.taint ? `${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect}` : "",
        accelerator: pool.accelerator,
        gpusPerNode: String(pool.gpusPerNode),
        minNodes: String(pool.minNodes),
        maxNodes: String(pool.maxNodes),
        localNvme: pool.localNvme,
    };
    return {
        metadata: {
            name: poolMarkerName(pool.name),
            labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, [POOL_LABEL]: pool.name },
            annotations: poolAnnotations(pool),
        },
        data,
    };
}

function requireInstance(pool: GpuPoolConfig): NonNullable<GpuPoolConfig["instance"]> {
    if (!pool.instance) throw new Error(`gpu pool ${pool.name}: no catalog instance type (config validation should have caught this)`);
    return pool.instance;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS

/** EKS AMI type for GPU pools: AL2023 with the NVIDIA driver, container toolkit and EFA (research §1.1). */
export const AWS_GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA";

/** AMI type for the system pool: Graviton families (m7g, c7gn, r8g, …) need the ARM image. */
export function awsSystemAmiType(instanceType: string): string {
    return /^[a-z]+\d+g[a-z]*\./.test(instanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

export interface AwsCapacity {
    /** NodeGroup.capacityType: ON_DEMAND | SPOT | CAPACITY_BLOCK (EKS API_Nodegroup). */
    capacityType: "ON_DEMAND" | "SPOT" | "CAPACITY_BLOCK";
    /** NodeGroup.instanceTypes, or undefined when the launch template carries the instance type. */
    instanceTypes?: string[];
    /** Launch template fields the capacity type needs. */
    launchTemplate: {
        instanceType?: string;
        instanceMarketOptions?: { marketType: string };
        capacityReservationSpecification?: { capacityReservationTarget: { capacityReservationId: string } };
    };
    /** Whether the node group must be confined to the pool's first zone (the reservation's AZ). */
    singleZone: boolean;
}

/**
 * Capacity mapping for a managed node group (EKS user guide ml-node-groups.adoc, capacity-blocks-mng.adoc):
 * - onDemand → ON_DEMAND; spot → SPOT;
 * - reservation (ODCR) → ON_DEMAND, with the launch template targeting the reservation id so nodes launch
 *   into it (and fail rather than silently running unreserved when it is full);
 * - capacityBlock → CAPACITY_BLOCK, launch template with `instanceMarketOptions.marketType: capacity-block`,
 *   the block's reservation id and the instance type (the block is for one type, so the type moves from the
 *   node group into the template: EKS rejects an instance type in both), in the block's single AZ.
 */
export function awsCapacity(pool: GpuPoolConfig): AwsCapacity {
    const instanceType = requireInstance(pool).name;
    const target = () => {
        if (!pool.reservation) throw new Error(`gpu pool ${pool.name}: capacity ${pool.capacity} needs a reservation id`);
        return { capacityReservationTarget: { capacityReservationId: pool.reservation } };
    };
    switch (pool.capacity) {
        case "onDemand":
            return { capacityType: "ON_DEMAND", instanceTypes: [instanceType], launchTemplate: {}, singleZone: false };
        case "spot":
            return { capacityType: "SPOT", instanceTypes: [instanceType], launchTemplate: {}, singleZone: false };
        case "reservation":
            return {
                capacityType: "ON_DEMAND", instanceTypes: [instanceType],
                launchTemplate: { capacityReservationSpecification: target() },
                // A capacity reservation lives in one AZ; with zones given we pin the group there.
                singleZone: (pool.zones?.length ?? 0) > 0,
            };
        case "capacityBlock":
            return {
                capacityType: "CAPACITY_BLOCK",
                launchTemplate: { instanceType, instanceMarketOptions: { marketType: "capacity-block" }, capacityReservationSpecification: target() },
                singleZone: true,
            };
    }
}

/** Zones a node group's subnets must be in: zones[0] for single-AZ capacity, all listed zones, or any (undefined). */
export function awsPoolZones(pool: GpuPoolConfig): string[] | undefined {
    if (!pool.zones?.length) return undefined;
    return awsCapacity(pool).singleZone ? [pool.zones[0]] : pool.zones;
}

// ---------------------------------------------------------------------------------------------------------------
// GCP

export interface GkeAccelerator {
    type: string;
    count: number;
    gpuDriverInstallationConfig: { gpuDriverVersion: string };
}

/**
 * guestAccelerators of a GKE GPU pool: the catalog's GKE type string and GPU count, with GKE installing the
 * driver (`LATEST`: GKE runs its own device plugin, no GPU Operator; research §2.2).
 */
export function gkeGuestAccelerators(pool: GpuPoolConfig): GkeAccelerator[] {
    const instance = requireInstance(pool);
    if (instance.gpus === 0) return [];
    const type = findAccelerator(instance.accelerator)?.gkeAcceleratorType;
    if (!type) throw new Error(`catalog: accelerator ${instance.accelerator} of ${instance.name} has no GKE accelerator type`);
    return [{ type, count: instance.gpus, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }];
}

export interface GkeLocalSsd {
    ephemeralStorageLocalSsdConfig?: { localSsdCount: number };
    localNvmeSsdBlockConfig?: { localSsdCount: number };
}

/**
 * Local SSD config from the catalog's disk count: raid0 → ephemeral storage on local SSD (GKE assembles the
 * array and puts emptyDir/images on it; node label cloud.google.com/gke-ephemeral-storage-local-ssd),
 * localVolumes → raw NVMe block devices for the local-static-provisioner
 * (/dev/disk/by-id/google-local-ssd-block*, label cloud.google.com/gke-local-nvme-ssd) — research §2.2-2.3.
 */
export function gkeLocalSsd(pool: GpuPoolConfig): GkeLocalSsd {
    const disks = pool.instance?.localNvme?.disks;
    if (pool.localNvme === "none" || !disks) return {};
    return pool.localNvme === "raid0"
        ? { ephemeralStorageLocalSsdConfig: { localSsdCount: disks } }
        : { localNvmeSsdBlockConfig: { localSsdCount: disks } };
}

export interface GkeCapacity {
    spot?: boolean;
    reservationAffinity?: { consumeReservationType: string; key: string; values: string[] };
}

/** Reservation key GKE matches a SPECIFIC_RESERVATION by (terraform-provider-google container_cluster docs). */
export const GKE_RESERVATION_KEY = "compute.googleapis.com/reservation-name";

/** Spot VMs or a specific reservation; on-demand leaves GKE's default affinity. */
export function gkeCapacity(pool: GpuPoolConfig): GkeCapacity {
    switch (pool.capacity) {
        case "spot":
            return { spot: true };
        case "reservation":
            if (!pool.reservation) throw new Error(`gpu pool ${pool.name}: capacity reservation needs a reservation name`);
            return { reservationAffinity: { consumeReservationType: "SPECIFIC_RESERVATION", key: GKE_RESERVATION_KEY, values: [pool.reservation] } };
        case "capacityBlock":
            // config.ts rejects this for gcp; fail loudly if that ever changes.
            throw new Error(`gpu pool ${pool.name}: capacityBlock is AWS-only`);
        default:
            return {};
    }
}
