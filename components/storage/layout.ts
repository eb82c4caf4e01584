// Where node-local NVMe lives on each kind of node, and the pure builders of the storage layer: the
// StorageClass, local-static-provisioner values, the node-cleanup-controller objects and KServe's
// LocalModelNodeGroup per pool. Tested without mocks.
//
// The contract with the cluster layer (which formats the disks):
// - localNvme raid0: every instance-store disk in one RAID0 array that also holds kubelet/containerd state.
//   EKS AL2023: nodeadm `localStorage.strategy: RAID0` mounts it at /mnt/k8s-disks/0 (amazon-eks-ami
//   templates/al2023/runtime/bin/setup-local-disks); GKE: `ephemeralStorageLocalSsdConfig` puts the RAID0
//   local SSDs at /mnt/stateful_partition/kube-ephemeral-ssd (the hostPath GKE model-cache recipes use).
// - localNvme localVolumes: each disk is its own filesystem, published as a local PersistentVolume by the
//   static provisioner. EKS: nodeadm `strategy: Mount` mounts disk i at /mnt/k8s-disks/<i>, i = 1..N
//   (setup-local-disks `maybe_mount`); GKE: `localNvmeSsdBlockConfig` exposes raw devices
//   /dev/disk/by-id/google-local-ssd-block<N> (research/gpu-nodes.md §2.3), formatted on first use.
import { Cloud, GpuPoolConfig, PlatformConfig } from "../config";
import { LOCAL_NVME_STORAGE_CLASS, localModelNodeGroup } from "../names";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { GPU_TOLERATION, poolSelectorTerms, requiredNodeAffinity } from "../addons/scheduling";
import { KubeObject } from "../addons/kube";

/** Namespace of the static provisioner and the node-cleanup controller. */
export const LOCAL_STORAGE_NAMESPACE = "local-storage";
export const NODE_CLEANUP_NAME = "local-volume-node-cleanup-controller";

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

/** Pools whose nodes have local NVMe that modelplane uses. */
export function nvmePools(cfg: PlatformConfig): GpuPoolConfig[] {
    return cfg.gpuPools.filter((p) => p.localNvme !== "none");
}

export function localVolumePools(cfg: PlatformConfig): GpuPoolConfig[] {
    return cfg.gpuPools.filter((p) => p.localNvme === "localVolumes");
}

/**
 * Host directory of KServe's local model cache on every cache node. KServe's node agent (one DaemonSet for
 * the cluster) mounts exactly one hostPath and checks `<it>/models/<key>`, while download Jobs write through
 * the LocalModelNodeGroup's local PV: both must be this same directory (kserve v0.20.0
 * pkg/controller/v1alpha1/localmodelnode/controller.go). It is therefore one path per cluster, on the RAID0
 * array where one exists. `undefined` keeps KServe's default (/models) — existing clusters, whose operator
 * mounts the NVMe there.
 */
export function modelCacheHostPath(cloud: Cloud): string | undefined {
    switch (cloud) {
        case "aws": return "/mnt/k8s-disks/0/kserve-models";
        case "gcp": return "/mnt/stateful_partition/kube-ephemeral-ssd/kserve-models";
        default: return undefined;
    }
}

/** The agent's default hostPath in kserve-localmodel-resources v0.20.0 (files/resources.yaml, not a chart value). */
export const KSERVE_DEFAULT_MODEL_HOST_PATH = "/models";

export interface DiscoverySettings {
    hostDir: string;
    namePattern: string;
    fsType?: string;
}

/** Where the static provisioner discovers the disks of localVolumes pools. */
export function localVolumeDiscovery(cloud: Cloud): DiscoverySettings {
    switch (cloud) {
        // Mount points 1..N; the pattern leaves out "0", the RAID0 array kubelet lives on if a node has one.
        case "aws": return { hostDir: "/mnt/k8s-disks", namePattern: "[1-9]*" };
        // Raw local SSDs, formatted ext4 by kubelet on first use of each PV.
        case "gcp": return { hostDir: "/dev/disk/by-id", namePattern: "google-local-ssd-block*", fsType: "ext4" };
        // The provisioner's own convention: mount each disk under /mnt/disks (sig-storage-local-static-provisioner docs).
        default: return { hostDir: "/mnt/disks", namePattern: "*" };
    }
}

/**
 * The one StorageClass for node-local NVMe volumes. `no-provisioner` + `WaitForFirstConsumer`: a local PV
 * exists only on its node, so binding must wait until the scheduler has picked the node (the provisioner's
 * own generated class is the same: helm/provisioner/templates/storageclass.yaml). `Delete`: a released PV is
 * wiped and re-published by the provisioner instead of being kept for a pod that is gone.
 */
export function storageClassSpec(): KubeObject {
    return {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name: LOCAL_NVME_STORAGE_CLASS, labels },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "WaitForFirstConsumer",
        reclaimPolicy: "Delete",
    };
}

/**
 * local-static-provisioner values: one class (ours; the chart does not create the StorageClass, so there
 * is one owner), placed on localVolumes pools only and tolerating the GPU taint.
 */
export function provisionerValues(cfg: PlatformConfig): Record<string, unknown> {
    const d = localVolumeDiscovery(cfg.cloud);
    return {
        classes: [{
            name: LOCAL_NVME_STORAGE_CLASS,
            hostDir: d.hostDir,
            volumeMode: "Filesystem",
            ...(d.fsType ? { fsType: d.fsType } : {}),
            namePattern: d.namePattern,
            // No blockCleanerCommand: the provisioner runs it for Block volumes only; a Filesystem volume is
            // cleaned by deleting its contents (sig-storage-local-static-provisioner v2.9.0 pkg/deleter/deleter.go).
        }],
        // A node recreated under the same name (new UID) must not block reclaiming its PVs (docs/faqs.md).
        useNodeNameOnly: true,
        affinity: requiredNodeAffinity(poolSelectorTerms(localVolumePools(cfg))),
        tolerations: [GPU_TOLERATION],
    };
}

/**
 * The node-cleanup controller (sig-storage-local-static-provisioner docs/node-cleanup-controller.md, PR #385):
 * when a node is deleted, it deletes the PVCs bound to local PVs of that node after `--pvc-deletion-delay`
 * and then the stale PVs, so pods reschedule on other nodes without a human (DESIGN.md §0). It is not part of
 * the Helm chart; these objects follow deployment/kubernetes/example/node-cleanup-controller/.
 * It matches PVs by their `kubernetes.io/hostname` affinity only, so KServe's model-cache PVs (pool-label
 * affinity) are never touched.
 */
export function nodeCleanupObjects(image: string): KubeObject[] {
    const ns = LOCAL_STORAGE_NAMESPACE;
    const name = NODE_CLEANUP_NAME;
    const selector = { app: "local-volume-node-cleanup" };
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: ns, labels } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: `${name}-runner`, labels },
            rules: [
                { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch", "delete"] },
                { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["get", "list", "watch", "delete"] },
                { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
                { apiGroups: [""], resources: ["events"], verbs: ["create"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: `${name}-role`, labels },
            subjects: [{ kind: "ServiceAccount", name, namespace: ns }],
            roleRef: { kind: "ClusterRole", name: `${name}-runner`, apiGroup: "rbac.authorization.k8s.io" },
        },
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name, namespace: ns, labels },
            spec: {
                replicas: 1,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels: { ...selector, ...labels } },
                    spec: {
                        serviceAccountName: name,
                        containers: [{
                            name,
                            image,
                            args: [
                                `--storageclass-names=${LOCAL_NVME_STORAGE_CLASS}`,
                                // Upstream defaults: wait a minute in case the node comes back, rescan every 10s.
                                "--pvc-deletion-delay=60s",
                                "--stale-pv-discovery-interval=10s",
                            ],
                            ports: [{ name: "metrics", containerPort: 8080 }],
                            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
                        }],
                    },
                },
            },
        },
    ];
}

/**
 * Whether a pool's model cache directory is on its NVMe. On raid0 pools it is the array itself. On
 * localVolumes pools every disk belongs to the static provisioner, and KServe's one agent hostPath per cluster
 * (`modelCacheHostPath`) is not a mount point there, so the cache falls on the node's root disk: prefer raid0
 * for pools that serve `loader: localCache` models. Existing clusters: the operator mounts the NVMe there.
 */
export function cacheOnNvme(cloud: Cloud, pool: GpuPoolConfig): boolean {
    return pool.localNvme === "raid0" || (cloud === "existing" && pool.localNvme !== "none");
}

/** Size of a pool's model cache: half of the NVMe it lives on (the rest: images, emptyDirs, KV offload), or of the root disk. */
export function modelCacheGiB(cloud: Cloud, pool: GpuPoolConfig): number {
    const nvme = pool.instance?.localNvme?.totalGiB;
    const onNvme = cacheOnNvme(cloud, pool) && nvme !== undefined;
    return Math.max(1, Math.floor((onNvme ? nvme : pool.diskSizeGiB) / 2));
}

/**
 * KServe LocalModelNodeGroup (serving.kserve.io/v1alpha1, cluster-scoped) for one NVMe pool: the local PV
 * KServe creates per cached model points at the cache directory and is pinned to the pool's nodes by
 * nodeAffinity (kserve docs/samples/localmodelcache/README.md; research/kserve.md §7).
 * Registered by the KServe layer, which installs its CRD.
 */
export function localModelNodeGroupSpec(cfg: PlatformConfig, pool: GpuPoolConfig): KubeObject {
    const size = `${modelCacheGiB(cfg.cloud, pool)}Gi`;
    return {
        apiVersion: "serving.kserve.io/v1alpha1",
        kind: "LocalModelNodeGroup",
        metadata: { name: localModelNodeGroup(pool.name), labels: { ...labels, "modelplane.io/pool": pool.name } },
        spec: {
            storageLimit: size,
            persistentVolumeSpec: {
                accessModes: ["ReadWriteOnce"],
                capacity: { storage: size },
                local: { path: modelCacheHostPath(cfg.cloud) ?? KSERVE_DEFAULT_MODEL_HOST_PATH },
                storageClassName: LOCAL_NVME_STORAGE_CLASS,
                volumeMode: "Filesystem",
                persistentVolumeReclaimPolicy: "Retain",
                nodeAffinity: { required: { nodeSelectorTerms: poolSelectorTerms([pool]) } },
            },
            persistentVolumeClaimSpec: {
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: size } },
                storageClassName: LOCAL_NVME_STORAGE_CLASS,
            },
        },
    };
}
