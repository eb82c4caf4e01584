// The names modelplane writes on nodes, namespaces and inference services, and that the policy pack
// reads back. They live in lib/ because both the program (components/) and the pack (policies/) need
// them, and the pack must not import components/ (DESIGN.md §1).

/** Prefix of every label and annotation modelplane owns. */
export const DOMAIN = "modelplane.io";

/** Node label naming the modelplane GPU pool a node belongs to (set by the node pool, selected by models). */
export const POOL_LABEL = `${DOMAIN}/pool`;
/** Node label naming the accelerator model of a pool (catalog key, e.g. `H100`). */
export const ACCELERATOR_LABEL = `${DOMAIN}/accelerator`;
/** Label on team namespaces and every per-team object: the team that owns it. */
export const TEAM_LABEL = `${DOMAIN}/team`;
/** Label on model objects: the model's config name. */
export const MODEL_LABEL = `${DOMAIN}/model`;
/** Standard label so everything modelplane declares can be found with one selector. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "modelplane";

/**
 * The node label KServe's local-model node agent DaemonSet selects, hard-coded in its chart's base manifest
 * (charts/kserve-localmodel-resources/files/resources.yaml at v0.20.0: `nodeSelector: kserve/localmodel: worker`;
 * the chart value `localmodelnode.controller.nodeSelector` is merged into that map and cannot remove it). KServe's
 * docs have operators label the cache nodes with it; modelplane puts it on every node of a pool with local NVMe.
 */
export const LOCALMODEL_NODE_LABEL = { key: "kserve/localmodel", value: "worker" } as const;

/** Annotations on an LLMInferenceService that the policies read (DESIGN.md §3). */
export const ANNOTATIONS = {
    team: `${DOMAIN}/team`,
    pool: `${DOMAIN}/pool`,
    accelerator: `${DOMAIN}/accelerator`,
    /** GPU memory of one accelerator of the pool, GiB (so the fit policy needs no catalog lookup by cloud). */
    acceleratorMemoryGiB: `${DOMAIN}/accelerator-memory-gib`,
    /** GPUs per node of the pool. */
    gpusPerNode: `${DOMAIN}/gpus-per-node`,
    paramsBillions: `${DOMAIN}/params-billions`,
    dtype: `${DOMAIN}/dtype`,
} as const;

/** Annotations on node pool resources (cloud node groups and, for `existing` clusters, a marker ConfigMap). */
export const POOL_ANNOTATIONS = {
    pool: `${DOMAIN}/pool`,
    accelerator: `${DOMAIN}/accelerator`,
    gpusPerNode: `${DOMAIN}/gpus-per-node`,
    maxNodes: `${DOMAIN}/max-nodes`,
    instanceType: `${DOMAIN}/instance-type`,
} as const;

/** The extended resource name of NVIDIA GPUs (device plugin / GKE driver installer). */
export const GPU_RESOURCE = "nvidia.com/gpu";
/** Taint every GPU pool carries so only pods that ask for GPUs land there. */
export const GPU_TAINT = { key: GPU_RESOURCE, value: "present", effect: "NoSchedule" } as const;
