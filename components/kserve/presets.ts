// modelplane's own LLMInferenceServiceConfig presets (serving.kserve.io/v1alpha2), in namespace kserve
// where `baseRefs` find them from any namespace (research/kserve.md §1.2). Pure; validated in the tests
// against the upstream CRD schema.
//
// How presets combine (kserve v0.20.0 pkg/controller/v1alpha2/llmisvc/config_merge.go): the controller's
// own presets (kserve-config-llm-template, …), then the service's `baseRefs` in order, then the service's
// spec are strategically merged (containers by name, env by name; `command`/`args` replace whole); the merged
// config is then rendered as a Go template whose data is the LLMInferenceService itself plus `.GlobalConfig`
// (`ReplaceVariables`). So a preset may use `{{ .Spec.Model.URI }}`, `{{ .Spec.Model.Name }}`,
// `{{ .ObjectMeta.Namespace }}`, `{{ .Spec.Parallelism.Tensor }}` and `{{ .GlobalConfig.EnableTLS }}`
// exactly like the shipped kserve-config-llm-template does.
import { KSERVE_NAMESPACE, PRESETS } from "../names";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { KubeObject } from "../addons/kube";

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

/**
 * The vLLM command of the RunAI streamer preset. Like KServe's presets it runs through `bash -c` and ends
 * with "--" so that the service's `args` (vllm.args) arrive as "$@" (container args are atomic in the
 * merge, hence KServe puts everything in `command`; kserve issues #5048 / PR #5049).
 * - the model is read from object storage by vLLM itself: `vllm serve <s3://… | gs://…> --load-format
 *   runai_streamer` (the URI is the service's own `spec.model.uri`, rendered per service);
 * - the served names match kserve-config-llm-template, so the router-route preset's model-name routing and
 *   the OpenAI `model` field keep working;
 * - TLS flags follow `.GlobalConfig.EnableTLS` like the stock template.
 * Scope: the single-node topology (kserve-config-llm-template, vLLM on :8000). P/D decode pods serve on
 * :8001 behind the routing sidecar and multi-node pods need the data-parallel launcher: those keep the stock
 * command and the storage initializer.
 */
export const RUNAI_STREAMER_SCRIPT = [
    "exec vllm serve \"{{ .Spec.Model.URI }}\"",
    "--load-format runai_streamer",
    "--served-model-name \"{{ .Spec.Model.Name }}\" \"publishers/{{ .ObjectMeta.Namespace }}/models/{{ .Spec.Model.Name }}\"",
    "--port 8000",
    "{{ if and .Spec.Parallelism .Spec.Parallelism.Tensor }}--tensor-parallel-size {{ .Spec.Parallelism.Tensor }}{{ end }}",
    "{{ if .GlobalConfig.EnableTLS }}--enable-ssl-refresh --ssl-certfile /var/run/kserve/tls/tls.crt --ssl-keyfile /var/run/kserve/tls/tls.key{{ end }}",
    "${VLLM_ADDITIONAL_ARGS}",
    "\"$@\"",
].join(" ");

/**
 * PRESETS.runaiStreamer: no storage initializer (no init-container download into an emptyDir, which is
 * what made KServe add `storageInitializer.enabled`, kserve#4899 / PR #4970), and vLLM streams the weights
 * from object storage with the RunAI Model Streamer. The stock presets would still run
 * `vllm serve /mnt/models`, which does not exist without the initializer (DESIGN.md §5 trap), so `main`'s
 * command is replaced. Credentials come from the pod's cloud identity (the model's ServiceAccount).
 */
export function runaiStreamerPreset(): KubeObject {
    return {
        apiVersion: "serving.kserve.io/v1alpha2",
        kind: "LLMInferenceServiceConfig",
        metadata: { name: PRESETS.runaiStreamer, namespace: KSERVE_NAMESPACE, labels },
        spec: {
            storageInitializer: { enabled: false },
            template: {
                containers: [{
                    name: "main",
                    command: ["/bin/bash", "-c", RUNAI_STREAMER_SCRIPT, "--"],
                }],
            },
        },
    };
}

/**
 * PRESETS.nvmeCache: defaults for models served from KServe's LocalModelCache on node NVMe. The cache only
 * works through the storage-initializer path (the webhook's pvc:// rewrite happens in attachModelArtifacts,
 * which returns early when the initializer is disabled: research/kserve.md §3, §7), so the preset pins it on;
 * the weights are local, so vLLM and the tokenizer never call the Hugging Face Hub (HF_HUB_OFFLINE).
 * The node group a model uses is chosen per model (annotation serving.kserve.io/nodegroup) by the models layer.
 */
export function nvmeCachePreset(): KubeObject {
    return {
        apiVersion: "serving.kserve.io/v1alpha2",
        kind: "LLMInferenceServiceConfig",
        metadata: { name: PRESETS.nvmeCache, namespace: KSERVE_NAMESPACE, labels },
        spec: {
            storageInitializer: { enabled: true },
            template: {
                containers: [{
                    name: "main",
                    env: [{ name: "HF_HUB_OFFLINE", value: "1" }],
                }],
            },
        },
    };
}

export function presets(): KubeObject[] {
    return [runaiStreamerPreset(), nvmeCachePreset()];
}
