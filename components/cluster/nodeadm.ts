// Pure builders for the user data of EKS AL2023 nodes (nodeadm). No Pulumi resources here.
//
// With an EKS AMI type (AL2023_x86_64_NVIDIA, no custom imageId), EKS managed node groups append their own
// bootstrap NodeConfig (cluster name, endpoint, CA) to the launch template's user data and nodeadm merges
// the parts, so we only send the fields we change (research/gpu-nodes.md §1.3: eksctl node-bootstrapping
// doc; amazon-eks-ami nodeadm/internal/api/merge.go). The user data must be MIME multipart with the part's
// Content-Type `application/node.eks.aws`.
import { stringify } from "yaml";
import { LocalNvmeMode } from "../config";

/** nodeadm's default mount directory for instance-store disks (amazon-eks-ami nodeadm/doc/api.md, LocalStorageOptions.mountPath). */
export const NODEADM_DISKS_DIR = "/mnt/k8s-disks";

/**
 * Where a pool with `localNvme: localVolumes` exposes its disks on AWS: nodeadm's `Mount` strategy formats
 * each instance-store disk as xfs and mounts it at `/mnt/k8s-disks/1`, `/2`, … without bind-mounting
 * kubelet/containerd onto them (amazon-eks-ami templates/al2023/runtime/bin/setup-local-disks `maybe_mount`).
 * The local-static-provisioner discovers every mount point under this directory as one filesystem PV.
 */
export const AWS_LOCAL_VOLUMES_DIR = NODEADM_DISKS_DIR;

/**
 * Where a `raid0` pool's array is mounted: `setup-local-disks raid0` builds /dev/md/kubernetes, mounts it at
 * `/mnt/k8s-disks/0` and bind-mounts /var/lib/kubelet, /var/lib/containerd, /var/lib/soci-snapshotter-grpc
 * and /var/log/pods onto it, so emptyDir, image layers and node ephemeral-storage live on NVMe.
 */
export const AWS_RAID0_MOUNT = `${NODEADM_DISKS_DIR}/0`;

export const NODECONFIG_API_VERSION = "node.eks.aws/v1alpha1";
export const NODECONFIG_CONTENT_TYPE = "application/node.eks.aws";
/** Fixed boundary: the user data must be byte-identical between runs, or every run would roll the node group. */
export const MIME_BOUNDARY = "MODELPLANE";

/** nodeadm's LocalStorageStrategy enum (nodeadm/doc/api.md): RAID0 | RAID10 | Mount. */
export type LocalStorageStrategy = "RAID0" | "RAID10" | "Mount";

export interface NodeConfig {
    apiVersion: typeof NODECONFIG_API_VERSION;
    kind: "NodeConfig";
    spec: { instance: { localStorage: { strategy: LocalStorageStrategy } } };
}

/**
 * nodeadm's local-storage strategy for a pool's `localNvme` mode:
 * - raid0 → `RAID0`: one array for kubelet, containerd and pod logs (the node's ephemeral storage is NVMe).
 * - localVolumes → `Mount`: one xfs filesystem per disk under /mnt/k8s-disks/N, left for the
 *   local-static-provisioner (no RAID, no bind mounts; kubelet/containerd stay on the EBS root volume).
 * - none → no strategy: nodeadm leaves instance-store disks alone ("Not configuring local disks").
 */
export function localStorageStrategy(mode: LocalNvmeMode): LocalStorageStrategy | undefined {
    switch (mode) {
        case "raid0": return "RAID0";
        case "localVolumes": return "Mount";
        case "none": return undefined;
    }
}

/** The partial NodeConfig for a pool, or undefined when the pool needs nothing beyond EKS's own bootstrap. */
export function nodeConfigFor(mode: LocalNvmeMode): NodeConfig | undefined {
    const strategy = localStorageStrategy(mode);
    if (!strategy) return undefined;
    return { apiVersion: NODECONFIG_API_VERSION, kind: "NodeConfig", spec: { instance: { localStorage: { strategy } } } };
}

/** MIME multipart/mixed user data with one NodeConfig part (research §1.3). CRLF line endings per RFC 2046. */
export function nodeadmUserData(config: NodeConfig): string {
    const lines = [
        "MIME-Version: 1.0",
        `Content-Type: multipart/mixed; boundary="${MIME_BOUNDARY}"`,
        "",
        `--${MIME_BOUNDARY}`,
        `Content-Type: ${NODECONFIG_CONTENT_TYPE}`,
        "",
        ...stringify(config).trimEnd().split("\n"),
        "",
        `--${MIME_BOUNDARY}--`,
        "",
    ];
    return lines.join("\r\n");
}

/** Launch template `userData` (base64, as EC2 requires) for a pool, or undefined when none is needed. */
export function launchTemplateUserData(mode: LocalNvmeMode): string | undefined {
    const config = nodeConfigFor(mode);
    return config ? Buffer.from(nodeadmUserData(config), "utf8").toString("base64") : undefined;
}

/** One part of a MIME multipart message: its headers (lower-cased names) and body. */
export interface MimePart { headers: Record<string, string>; body: string }

/**
 * Splits MIME multipart user data into parts. Used by tests and the plan to read back what a launch
 * template carries; it handles what `nodeadmUserData` writes (and LF-only input), not all of RFC 2046.
 */
export function parseMimeMultipart(text: string): MimePart[] {
    const normalized = text.replace(/\r\n/g, "\n");
    const boundary = /boundary="?([^";\n]+)"?/i.exec(normalized)?.[1];
    if (!boundary) throw new Error("not a MIME multipart message (no boundary)");
    const sections = normalized.split(`--${boundary}`);
    // sections[0] is the preamble (top-level headers); the last section starts with "--" (the close delimiter).
    return sections.slice(1).filter((s) => !s.startsWith("--")).map((s) => {
        const [head, ...rest] = s.replace(/^\n/, "").split("\n\n");
        const headers: Record<string, string> = {};
        for (const line of head.split("\n").filter(Boolean)) {
            const i = line.indexOf(":");
            headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        return { headers, body: rest.join("\n\n").replace(/\n$/, "") };
    });
}
