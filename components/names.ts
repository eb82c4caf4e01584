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

/** Per team namespace: the ServiceAccount model pods run as (bound to the cloud identity). */
export const MODEL_SERVICE_ACCOUNT = "model-server";
/** Per team namespace: the Secret holding the Hugging Face token, and its key. */
export const HF_TOKEN_SECRET = "hf-token";
export const HF_TOKEN_KEY = "HF_TOKEN";

/** KServe LocalModelNodeGroup for a pool with local NVMe. */
export function localModelNodeGroup(pool: string): string {
    return `${pool}-nvme`;
}

/** StorageClass for node-local NVMe volumes of a pool with localNvme: localVolumes. */
export const LOCAL_NVME_STORAGE_CLASS = "local-nvme";

export function gatewayRef(cfg: PlatformConfig): { name: string; namespace: string } {
    return { name: cfg.platform.gateway.name, namespace: cfg.platform.gateway.namespace };
}
