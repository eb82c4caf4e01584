// Names that several layers must agree on (objects one layer creates and another refers to).
import { PlatformConfig } from "./config";

/** Namespace for modelplane's own cluster-wide objects (pool markers, shared config). */
export const PLATFORM_NAMESPACE = "modelplane-system";
/** KServe's namespace: controller, shipped presets, and our presets (found by baseRefs from any namespace). */
export const KSERVE_NAMESPACE = "kserve";

/** modelplane's own LLMInferenceServiceConfig presets, in the kserve namespace. */
export const PRESETS = {
    /** Storage initializer off; vLLM streams weights from s3:// or gs:// with the RunAI Model Streamer. */
    runaiStreamer: "modelplane-runai-streamer",
    /** Defaults for models whose weights live on node NVMe (LocalModelCache). */
    nvmeCache: "modelplane-nvme-cache",
} as const;

/**
 * Names of the LLMInferenceServiceConfig presets KServe v0.20.0 merges by itself for the multi-node
 * pipeline-parallel topologies (pkg/controller/v1alpha2/llmisvc/config_merge.go: prefix
 * `LLM_INFERENCE_SERVICE_CONFIG_PREFIX`, default "kserve-", + `config-llm-*worker-pipeline-parallel`),
 * chosen in `combineBaseRefsConfig` when the merged spec has `worker` and `parallelism.pipeline`. They
 * are looked up in the service's namespace, then in `kserve` (`getConfig`). KServe references them but
 * does not ship them (no such file in config/llmisvcconfig/ or the kserve-runtime-configs chart; kserve
 * issue #5047), so a service falls into `PresetsCombined=False, ConfigNotFound` unless someone registers
 * them: modelplane registers `workerPipelineParallel` (components/kserve/presets.ts) and rejects the P/D
 * variants in config validation.
 */
export const KSERVE_PIPELINE_PRESETS = {
    /** No prefill: the main workload, leader (`template`) + workers (`worker`). */
    workerPipelineParallel: "kserve-config-llm-worker-pipeline-parallel",
    /** P/D: the prefill workload with a worker. Not registered by modelplane (P/D + pipeline is rejected). */
    prefillWorkerPipelineParallel: "kserve-config-llm-prefill-worker-pipeline-parallel",
    /** P/D: the decode workload with a worker. Not registered by modelplane (P/D + pipeline is rejected). */
    decodeWorkerPipelineParallel: "kserve-config-llm-decode-worker-pipeline-parallel",
} as const;

/** Per team namespace: the ServiceAccount model pods run as (bound to the cloud identity). */
export const MODEL_SERVICE_ACCOUNT = "model-server";
/** Per team namespace: the Secret holding the Hugging Face token, and its key. */
export const HF_TOKEN_SECRET = "hf-token";
export const HF_TOKEN_KEY = "HF_TOKEN";

/**
 * In KServe's local-model job namespace: the ServiceAccount LocalModelCache download Jobs run as
 * (`spec.serviceAccountName`), with the Hugging Face token Secret (HF_TOKEN_SECRET) listed under `secrets`.
 */
export const LOCALMODEL_DOWNLOADER_SERVICE_ACCOUNT = "modelplane-model-downloader";

/** KServe LocalModelNodeGroup for a pool with local NVMe. */
export function localModelNodeGroup(pool: string): string {
    return `${pool}-nvme`;
}

/** StorageClass for node-local NVMe volumes of a pool with localNvme: localVolumes. */
export const LOCAL_NVME_STORAGE_CLASS = "local-nvme";

export function gatewayRef(cfg: PlatformConfig): { name: string; namespace: string } {
    return { name: cfg.platform.gateway.name, namespace: cfg.platform.gateway.namespace };
}
