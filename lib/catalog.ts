// The accelerator and GPU instance catalog: which GPU a node pool's instance/machine type carries, how many,
// how much memory each GPU has, and what local NVMe comes bundled. Components use it to build node pools,
// the policy pack and the plan use it for pool capacity and model fit (DESIGN.md §1: lib/ is pure, no Pulumi).
//
// Every number comes from /work/shared/research/gpu-nodes.md §4 (tables 4.1 AWS, 4.2 GCP; GKE accelerator
// type strings from §2.2). Where the research marks a value UNSOURCED, derived, or only gives an expectation,
// the row lists that field in `unsourced` — the catalog never pretends to know more than the research does.

export type CatalogCloud = "aws" | "gcp";

export interface Accelerator {
    /** Catalog key, e.g. "A100-40GB", "H100", "L40S" (also the value of the node label `modelplane.io/accelerator`). */
    key: string;
    /** Human name, e.g. "NVIDIA H100 80GB". */
    displayName: string;
    /** Usable GPU memory per GPU in GiB (AWS: EC2-reported MiB/1024; GCP-only parts: marketing size). */
    memoryGiB: number;
    /** GKE `guestAccelerators[].type`, e.g. "nvidia-h100-80gb"; undefined for parts GKE does not offer. */
    gkeAcceleratorType?: string;
}

export interface LocalNvme {
    disks: number;
    diskGiB: number;
    totalGiB: number;
}

export interface InstanceType {
    cloud: CatalogCloud;
    /** "p5.48xlarge", "a3-highgpu-8g". */
    name: string;
    /** Key into ACCELERATORS. */
    accelerator: string;
    /** GPUs per node. */
    gpus: number;
    vcpu: number;
    memoryGiB: number;
    /** Undefined = no bundled local NVMe/SSD (or, if "localNvme" is in `unsourced`, not known). */
    localNvme?: LocalNvme;
    /** AWS EFA interfaces, if any. */
    efa?: number;
    /** Field names whose value is NOT from a cited source (research §4); see UNSOURCED_FIELDS. */
    unsourced?: string[];
    /** Short citation of the upstream file the row comes from. */
    source: string;
}

/**
 * The names that may appear in `InstanceType.unsourced`. All but one are InstanceType fields;
 * "acceleratorMemoryGiB" says the per-GPU memory of this row's accelerator was not sourced for this cloud
 * (it comes from the same part on the other cloud) — the name matches the `accelerator-memory-gib`
 * annotation in lib/labels.ts that carries the value to the policies.
 */
export const UNSOURCED_FIELDS = ["vcpu", "memoryGiB", "localNvme", "efa", "acceleratorMemoryGiB"] as const;
export type UnsourcedField = (typeof UNSOURCED_FIELDS)[number];

/** Key of the CPU-only pseudo accelerator used by on-prem/kind pools (no GPU, memoryGiB 0). */
export const CPU_ACCELERATOR_KEY = "cpu";

/** Size of one GCP local SSD: "Each local SSD is 375 GB" (EphemeralStorageLocalSsdConfig API doc, research §4.2). */
export const GCP_LOCAL_SSD_GIB = 375;

// ---------------------------------------------------------------------------------------------------------------
// Accelerators

/** EC2 reports GPU memory in MiB (Karpenter label `instance-gpu-memory`); the catalog stores MiB/1024 unrounded. */
const mib = (m: number): number => m / 1024;

function accelerator(key: string, displayName: string, memoryGiB: number, gkeAcceleratorType?: string): Accelerator {
    const a: Accelerator = { key, displayName, memoryGiB };
    if (gkeAcceleratorType !== undefined) a.gkeAcceleratorType = gkeAcceleratorType;
    return Object.freeze(a);
}

// One record per GPU part, shared by both clouds. Where a part exists on AWS, its memory is the EC2-reported
// usable figure (research §4.1: A10G/L4 22888 MiB, L40S 45776, H100 81920 (§4.1 cross-checks), H200 144384,
// B200 183359); that is what a model must fit into, so it wins over GCP's marketing size (L4: GCP says 24 GB,
// EC2 reports 22888 MiB — we keep the smaller, usable number). GKE type strings: research §2.2
// (cluster-toolkit gpu_definition.tf). A100 40/80 GB and B300 are given in GiB by the §4.1 table (no MiB quoted).
const ACCELERATOR_LIST: readonly Accelerator[] = [
    accelerator("A100-40GB", "NVIDIA A100 40GB", 40, "nvidia-tesla-a100"),
    accelerator("A100-80GB", "NVIDIA A100 80GB", 80, "nvidia-a100-80gb"),
    accelerator("H100", "NVIDIA H100 80GB", mib(81920), "nvidia-h100-80gb"),
    // A3 Mega only exists on GCP: marketing size from the accelerator name (research §4.2 footnote).
    accelerator("H100-MEGA", "NVIDIA H100 Mega 80GB", 80, "nvidia-h100-mega-80gb"),
    accelerator("H200", "NVIDIA H200 141GB", mib(144384), "nvidia-h200-141gb"),
    // GCP's B200 GB/GPU is UNSOURCED (research §4.2); the AWS-reported figure is used for both clouds and the
    // a4 row says so with "acceleratorMemoryGiB" in its `unsourced`.
    accelerator("B200", "NVIDIA B200", mib(183359), "nvidia-b200"),
    accelerator("B300", "NVIDIA B300", 268.6),
    accelerator("A10G", "NVIDIA A10G", mib(22888)),
    accelerator("L4", "NVIDIA L4", mib(22888), "nvidia-l4"),
    accelerator("L40S", "NVIDIA L40S", mib(45776)),
    // Not a GPU: lets on-prem/kind pools (the `local` stack) name an accelerator without special cases.
    accelerator(CPU_ACCELERATOR_KEY, "CPU only (no GPU)", 0),
];

export const ACCELERATORS: Readonly<Record<string, Accelerator>> = Object.freeze(
    Object.fromEntries(ACCELERATOR_LIST.map((a) => [a.key, a])),
);

// ---------------------------------------------------------------------------------------------------------------
// Instance types

const AWS_SOURCE = "aws/karpenter-provider-aws:website/content/en/docs/reference/instance-types.md (research §4.1)";
const GCP_SOURCE =
    "skypilot-org/skypilot-catalog:catalogs/v7/gcp/vms.csv; GoogleCloudPlatform/cluster-toolkit:modules/compute/" +
    "gke-node-pool/{gpu_definition,disk_definitions}.tf (research §4.2)";

interface RowSpec {
    cloud: CatalogCloud;
    name: string;
    accelerator: string;
    gpus: number;
    vcpu: number;
    memoryGiB: number;
    localNvme?: LocalNvme;
    efa?: number;
    unsourced: readonly UnsourcedField[];
    source: string;
}

/** Builds one frozen row; optional fields are omitted (not set to undefined) when absent. */
function row(spec: RowSpec): InstanceType {
    const r: InstanceType = {
        cloud: spec.cloud,
        name: spec.name,
        accelerator: spec.accelerator,
        gpus: spec.gpus,
        vcpu: spec.vcpu,
        memoryGiB: spec.memoryGiB,
        source: spec.source,
    };
    if (spec.localNvme) r.localNvme = Object.freeze({ ...spec.localNvme });
    if (spec.efa !== undefined) r.efa = spec.efa;
    if (spec.unsourced.length > 0) r.unsourced = Object.freeze([...spec.unsourced]) as string[];
    return Object.freeze(r);
}

function nvme(disks: number, diskGiB: number): LocalNvme {
    return { disks, diskGiB, totalGiB: disks * diskGiB };
}

/**
 * One AWS row from research §4.1. `nvmeTotal` is Karpenter's sourced `instance-local-nvme` total; `nvmeDisks`
 * is the research's derived split ("count×size (derived) … UNSOURCED unless noted" — none is noted), so every
 * AWS row with NVMe lists "localNvme" as unsourced even though its totalGiB is sourced. Units: the upstream
 * total is labelled GB; like the research table, the catalog carries the number unconverted.
 */
function aws(
    name: string,
    acc: string,
    gpus: number,
    vcpu: number,
    memoryGiB: number,
    nvmeTotal: number,
    nvmeDisks: number,
    efa?: number,
): InstanceType {
    const diskGiB = nvmeTotal / nvmeDisks;
    if (!Number.isInteger(diskGiB)) throw new Error(`catalog: ${name}: ${nvmeTotal} does not split into ${nvmeDisks} disks`);
    return row({
        cloud: "aws", name, accelerator: acc, gpus, vcpu, memoryGiB,
        localNvme: nvme(nvmeDisks, diskGiB), efa, unsourced: ["localNvme"], source: AWS_SOURCE,
    });
}

/** The g5/g6/g6e families share sizes; `awsFamily("g5", "A10G")("12xlarge", …)` builds "g5.12xlarge". */
function awsFamily(family: string, acc: string) {
    return (size: string, gpus: number, vcpu: number, memoryGiB: number, nvmeTotal: number, nvmeDisks: number, efa?: number) =>
        aws(`${family}.${size}`, acc, gpus, vcpu, memoryGiB, nvmeTotal, nvmeDisks, efa);
}

/** One GCP row from research §4.2; `localSsds` counts 375 GiB local SSDs, undefined = none bundled / unknown. */
function gcp(
    name: string,
    acc: string,
    gpus: number,
    vcpu: number,
    memoryGiB: number,
    localSsds: number | undefined,
    unsourced: readonly UnsourcedField[] = [],
    source: string = GCP_SOURCE,
): InstanceType {
    return row({
        cloud: "gcp", name, accelerator: acc, gpus, vcpu, memoryGiB,
        localNvme: localSsds === undefined ? undefined : nvme(localSsds, GCP_LOCAL_SSD_GIB),
        unsourced, source,
    });
}

const g5 = awsFamily("g5", "A10G");
const g6 = awsFamily("g6", "L4");
const g6e = awsFamily("g6e", "L40S");

// Research §4.2 gives vCPU/RAM for g2-standard-4/-48 only as its expectation "(4)/(16)", "(48)/(192)" and
// their local SSD as UNSOURCED, so those fields are listed; no local SSD value is filled in.
const G2_UNSOURCED: readonly UnsourcedField[] = ["vcpu", "memoryGiB", "localNvme"];

const INSTANCE_TYPE_LIST: readonly InstanceType[] = [
    // --- AWS (research §4.1): name, accelerator, GPUs, vCPU, RAM GiB, NVMe total, derived disk count, EFA
    aws("p4d.24xlarge", "A100-40GB", 8, 96, 1152, 8000, 8, 4),
    aws("p4de.24xlarge", "A100-80GB", 8, 96, 1152, 8000, 8, 4),
    aws("p5.4xlarge", "H100", 1, 16, 256, 3800, 1, 1),
    aws("p5.48xlarge", "H100", 8, 192, 2048, 30400, 8, 32),
    aws("p5e.48xlarge", "H200", 8, 192, 2048, 30400, 8, 32),
    aws("p5en.48xlarge", "H200", 8, 192, 2048, 30400, 8, 16),
    aws("p6-b200.48xlarge", "B200", 8, 192, 2048, 30400, 8, 8),
    aws("p6-b300.48xlarge", "B300", 8, 192, 4096, 30400, 8, 16),
    // size, GPUs, vCPU, RAM GiB, NVMe total, derived disk count, EFA (none on the 1-GPU sizes)
    g5("xlarge", 1, 4, 16, 250, 1),
    g5("2xlarge", 1, 8, 32, 450, 1),
    g5("12xlarge", 4, 48, 192, 3800, 1, 1),
    g5("24xlarge", 4, 96, 384, 3800, 1, 1),
    g5("48xlarge", 8, 192, 768, 7600, 2, 1),
    g6("xlarge", 1, 4, 16, 250, 1),
    g6("2xlarge", 1, 8, 32, 450, 1),
    g6("12xlarge", 4, 48, 192, 3760, 4, 1),
    g6("24xlarge", 4, 96, 384, 3760, 4, 1),
    g6("48xlarge", 8, 192, 768, 7520, 8, 1),
    g6e("xlarge", 1, 4, 32, 250, 1),
    g6e("2xlarge", 1, 8, 64, 450, 1),
    g6e("12xlarge", 4, 48, 384, 3800, 2, 1),
    g6e("24xlarge", 4, 96, 768, 3800, 2, 2),
    g6e("48xlarge", 8, 192, 1536, 7600, 4, 4),

    // --- GCP (research §4.2): name, accelerator, GPUs, vCPU, RAM GB, local SSDs (375 GiB each)
    // a2-highgpu: "none bundled (manual attach)" per the research's footnote 1. a2-highgpu-2g/-4g are left out:
    // the research gives no vCPU/RAM for them and does not say the 1g→8g scaling is linear, so we do not derive it.
    gcp("a2-highgpu-1g", "A100-40GB", 1, 12, 85, undefined),
    gcp("a2-highgpu-8g", "A100-40GB", 8, 96, 680, undefined),
    // a2-ultragpu: local SSD is bundled but the count is UNSOURCED; the research's expectation (1×375, 8×375) is used.
    gcp("a2-ultragpu-1g", "A100-80GB", 1, 12, 170, 1, ["localNvme"]),
    gcp("a2-ultragpu-8g", "A100-80GB", 8, 96, 1360, 8, ["localNvme"]),
    // Local-SSD counts from cluster-toolkit disk_definitions.tf (research §2.2), also in accelerated-platforms' H100 pool.
    gcp("a3-highgpu-8g", "H100", 8, 208, 1872, 16),
    gcp("a3-megagpu-8g", "H100-MEGA", 8, 208, 1872, 16),
    gcp("a3-ultragpu-8g", "H200", 8, 224, 2952, 32),
    // a4: only the accelerator type and count are sourced. vCPU 224 is a third-party test's figure (research
    // §4.2); RAM 3968 is NOT in the research at all (Google's published a4-highgpu-8g size as recalled when
    // writing this — verify); 32×375 GiB matches the sourced "~12 TB" total but the count is UNSOURCED.
    gcp("a4-highgpu-8g", "B200", 8, 224, 3968, 32, ["acceleratorMemoryGiB", "vcpu", "memoryGiB", "localNvme"],
        "GoogleCloudPlatform/cluster-toolkit:examples/gke-a4/gke-a4.yaml, gpu_definition.tf (research §4.2)"),
    // g2: only -4 and -48 are in the research; -8/-12/-16/-24/-32/-96 are left out (no facts given).
    gcp("g2-standard-4", "L4", 1, 4, 16, undefined, G2_UNSOURCED),
    gcp("g2-standard-48", "L4", 4, 48, 192, undefined, G2_UNSOURCED),
];

export const INSTANCE_TYPES: readonly InstanceType[] = Object.freeze(INSTANCE_TYPE_LIST);

// ---------------------------------------------------------------------------------------------------------------
// Lookups

/** The instance/machine type with this exact name, optionally only on one cloud. */
export function findInstanceType(name: string, cloud?: CatalogCloud): InstanceType | undefined {
    return INSTANCE_TYPES.find((t) => t.name === name && (cloud === undefined || t.cloud === cloud));
}

/** Names of one cloud's instance/machine types, sorted (plain string order), e.g. for "allowed values" messages. */
export function instanceTypeNames(cloud: CatalogCloud): string[] {
    return INSTANCE_TYPES.filter((t) => t.cloud === cloud).map((t) => t.name).sort();
}

/** The accelerator with this exact key (including the CPU pseudo accelerator "cpu"). */
export function findAccelerator(key: string): Accelerator | undefined {
    return Object.hasOwn(ACCELERATORS, key) ? ACCELERATORS[key] : undefined;
}

/** All accelerator keys, sorted (plain string order), including "cpu". */
export function acceleratorKeys(): string[] {
    return Object.keys(ACCELERATORS).sort();
}

/** The accelerator whose GKE `guestAccelerators[].type` is `gkeType`, e.g. "nvidia-l4" → L4. */
export function findAcceleratorByGkeType(gkeType: string): Accelerator | undefined {
    return ACCELERATOR_LIST.find((a) => a.gkeAcceleratorType === gkeType);
}

/** The accelerator of an instance type; throws if the row names an unknown key (a catalog bug). */
export function acceleratorOf(instanceType: InstanceType): Accelerator {
    const a = findAccelerator(instanceType.accelerator);
    if (!a) throw new Error(`catalog: ${instanceType.name} names unknown accelerator "${instanceType.accelerator}"`);
    return a;
}

/** Whether a field of a row is backed by a cited source (false when listed in `unsourced`). */
export function isSourced(instanceType: InstanceType, field: UnsourcedField): boolean {
    return !(instanceType.unsourced ?? []).includes(field);
}
