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
import { KSERVE_NAMESPACE, KSERVE_PIPELINE_PRESETS, PRESETS } from "../names";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { KubeObject } from "../addons/kube";

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

/** A modelplane LLMInferenceServiceConfig in the kserve namespace, where `baseRefs` and KServe's lookup find it. */
function preset(name: string, spec: Record<string, unknown>): KubeObject {
    return {
        apiVersion: "serving.kserve.io/v1alpha2",
        kind: "LLMInferenceServiceConfig",
        metadata: { name, namespace: KSERVE_NAMESPACE, labels },
        spec,
    };
}

/**
 * PRESETS.runaiStreamer: no storage initializer (no init-container download into an emptyDir, which is what made
 * KServe add `storageInitializer.enabled`, kserve#4899 / PR #4970); vLLM streams the weights from object storage
 * with the RunAI Model Streamer. The stock presets would still run `vllm serve /mnt/models`, which does not exist
 * without the initializer (DESIGN.md §5 trap), and the right command differs per topology (single node, P/D decode
 * on :8001 behind the sidecar, data- or pipeline-parallel groups), so every streamer service carries its own full
 * command (components/models/llmInferenceService.ts streamerCommand), which the service spec, merged last, makes
 * win. The preset therefore holds only what is the same for every streamer model: no command that every user of
 * it would override. Credentials come from the pod's cloud identity (the model's ServiceAccount).
 */
export function runaiStreamerPreset(): KubeObject {
    return preset(PRESETS.runaiStreamer, { storageInitializer: { enabled: false } });
}

/**
 * PRESETS.nvmeCache: models served from KServe's LocalModelCache on node NVMe. The cache only works through the
 * storage-initializer path (the webhook's pvc:// rewrite happens in attachModelArtifacts, which returns early
 * when the initializer is disabled: research/kserve.md §3, §7), so the preset pins it on. HF_HUB_OFFLINE is set
 * by the service on every pod (decode, prefill, workers), which a preset's `template` cannot reach.
 * The node group a model uses is chosen per model (annotation serving.kserve.io/nodegroup) by the models layer.
 */
export function nvmeCachePreset(): KubeObject {
    return preset(PRESETS.nvmeCache, { storageInitializer: { enabled: true } });
}

// ---------------------------------------------------------------------------------------------------
// Multi-node pipeline parallelism: kserve-config-llm-worker-pipeline-parallel

/**
 * The vLLM image of the pipeline-parallel preset: the one every vLLM preset of KServe v0.20.0 runs
 * (config/llmisvcconfig/config-llm-template.yaml and config-llm-worker-data-parallel.yaml at v0.20.0, and the
 * kserve-runtime-configs chart's files/llmisvcconfigs/resources.yaml). A model's `vllm.image` still wins
 * (the service's own spec is merged last).
 */
export const PIPELINE_PARALLEL_IMAGE = "ghcr.io/llm-d/llm-d-cuda:v0.8.0";
/** vLLM's default `--master-port` for multi-node mp (vllm/config/parallel.py `master_port: int = 29501`). */
export const PIPELINE_MASTER_PORT = 29501;

/**
 * The launch script of one pod of a pipeline-parallel LeaderWorkerSet group, for `bash -c <script> --`.
 *
 * How the group is wired (facts, with sources):
 * - KServe sizes the group to `parallelism.pipeline` pods (`ParallelismSpec.GetSize`) and starts it with
 *   `StartupPolicy: LeaderCreated`, `RestartPolicy: RecreateGroupOnPodRestart` (workload_multi_node.go); the
 *   leader pod is `template`, the others `worker`; both get the model under /mnt/models (attachModelArtifacts
 *   runs for the leader and the worker template), and only the leader carries the InferencePool selector
 *   label `kserve.io/component=workload`, so only it serves HTTP.
 * - LeaderWorkerSet puts `LWS_LEADER_ADDRESS` (the leader's DNS name), `LWS_GROUP_SIZE` and `LWS_WORKER_INDEX`
 *   (leader 0, workers 1…size−1) into every container (LWS api constants LwsLeaderAddress/LwsGroupSize/
 *   LwsWorkerIndex). KServe's data-parallel presets resolve the leader's name to an IP before handing it to
 *   vLLM ("In some versions, ZMQ bind doesn't resolve the address through DNS", with up to
 *   DP_ADDRESS_RESOLVE_ATTEMPTS tries and a fallback to the name: config-llm-worker-data-parallel.yaml); the
 *   same is done here.
 * - vLLM runs one model over several nodes without Ray: every node runs `vllm serve` with the same
 *   `--tensor-parallel-size T --pipeline-parallel-size P`, plus `--nnodes N --node-rank R --master-addr <head>`;
 *   the head (rank 0) serves the API, the others add `--headless` (vLLM docs/serving/parallelism_scaling.md,
 *   "Running vLLM with MultiProcessing", whose example is exactly tp 8 × pp 2 on two 8-GPU nodes; vLLM PR
 *   #23691 "Support MP Executor for multi node distributed inference"; vllm/config/parallel.py: "To use mp you
 *   must also set nnodes", master_port default 29501). Ray is not used: its `ray start --head` / `ray start
 *   --address=… --block` launch would need Ray in the image, which vLLM's CUDA requirements no longer pull in
 *   (requirements/cuda.txt), and KServe's own multi-node presets already use vLLM's mp launcher
 *   (`--headless` workers in config-llm-worker-data-parallel.yaml).
 * - One pod is one node of the group: T = `parallelism.tensor` GPUs per pod, N = P = `parallelism.pipeline`
 *   pods, so each node holds one pipeline stage (vLLM's recommendation: tensor = GPUs per node, pipeline =
 *   number of nodes). Both sizes come from the service through KServe's template variables
 *   (`{{ .Spec.Parallelism.Tensor }}`, `{{ .Spec.Parallelism.Pipeline }}`; config_merge.go ReplaceVariables
 *   renders the merged config with the LLMInferenceService as data).
 * - Calling convention of every KServe vLLM preset: `bash -c <script> --`, the service's container `args`
 *   arrive as `$@` and are re-parsed by `eval` (modelplane shell-quotes them for that: components/models/
 *   llmInferenceService.ts), `${VLLM_ADDITIONAL_ARGS}` likewise; served names and TLS flags as in
 *   config-llm-template.yaml, so model-name routing and `.GlobalConfig.EnableTLS` behave the same.
 * Template actions contain no double quotes: KServe renders the template over the config's JSON text.
 */
export function pipelineParallelScript(part: "leader" | "worker"): string {
    const leader = part === "leader";
    return [
        'LEADER_IP=""',
        'for i in $(seq 1 "${LWS_LEADER_RESOLVE_ATTEMPTS:-30}"); do',
        '  LEADER_IP=$(getent hosts "${LWS_LEADER_ADDRESS}" | cut -d" " -f1)',
        '  [ -n "$LEADER_IP" ] && break',
        "  sleep 1",
        "done",
        'LEADER_IP=${LEADER_IP:-${LWS_LEADER_ADDRESS}}',
        'echo "pipeline-parallel node ${LWS_WORKER_INDEX:-0}/{{ .Spec.Parallelism.Pipeline }}, head ${LEADER_IP}" >&2',
        [
            'eval "exec vllm serve /mnt/models',
            '--served-model-name \\"{{ .Spec.Model.Name }}\\" \\"publishers/{{ .ObjectMeta.Namespace }}/models/{{ .Spec.Model.Name }}\\"',
            "--port 8000",
            "{{ if .Spec.Parallelism.Tensor }}--tensor-parallel-size {{ .Spec.Parallelism.Tensor }}{{ end }}",
            "--pipeline-parallel-size {{ .Spec.Parallelism.Pipeline }}",
            "--distributed-executor-backend mp",
            "--nnodes {{ .Spec.Parallelism.Pipeline }}",
            leader ? "--node-rank 0" : "--node-rank ${LWS_WORKER_INDEX}",
            "--master-addr ${LEADER_IP}",
            `--master-port \${VLLM_MASTER_PORT:-${PIPELINE_MASTER_PORT}}`,
            ...(leader
                ? ["{{ if .GlobalConfig.EnableTLS }}--enable-ssl-refresh --ssl-certfile /var/run/kserve/tls/tls.crt --ssl-keyfile /var/run/kserve/tls/tls.key{{ end }}"]
                : ["--headless"]),
            '${VLLM_ADDITIONAL_ARGS:-} $@"',
        ].join(" "),
    ].join("\n");
}

/** What KServe's presets give every vLLM container (config-llm-worker-data-parallel.yaml at v0.20.0). */
function vllmContainerBase(part: "leader" | "worker"): Record<string, unknown> {
    return {
        name: "main",
        image: PIPELINE_PARALLEL_IMAGE,
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/bash", "-c", pipelineParallelScript(part), "--"],
        env: [
            { name: "HOME", value: "/home" },
            { name: "VLLM_LOGGING_LEVEL", value: "INFO" },
            { name: "HF_HUB_CACHE", value: "/models" },
        ],
        securityContext: {
            allowPrivilegeEscalation: false,
            // KServe: "nvidia-cdi-hook requires a writable root filesystem" (kserve PR #5711).
            readOnlyRootFilesystem: false,
            runAsNonRoot: true,
            // IPC_LOCK: pinned memory for NCCL / GPUDirect RDMA between the nodes (vLLM parallelism_scaling.md,
            // "Enabling GPUDirect RDMA"); the same set as KServe's multi-node presets.
            capabilities: { add: ["IPC_LOCK", "SYS_RAWIO", "NET_RAW"], drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        },
        terminationMessagePolicy: "FallbackToLogsOnError",
    };
}

const MOUNTS = [
    { mountPath: "/home", name: "home" },
    { mountPath: "/tmp", name: "tmp-dir" },
    { mountPath: "/dev/shm", name: "dshm" },
    { mountPath: "/models", name: "model-cache" },
];
const VOLUMES = [
    { name: "home", emptyDir: {} },
    { name: "tmp-dir", emptyDir: {} },
    // NCCL's shared-memory transport between the GPU processes of a node; 8Gi like KServe's multi-node presets.
    { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "8Gi" } },
    { name: "model-cache", emptyDir: {} },
];

function healthProbe(extra: Record<string, number>): Record<string, unknown> {
    return {
        httpGet: { path: "/health", port: 8000, scheme: "{{ if .GlobalConfig.EnableTLS }}HTTPS{{ else }}HTTP{{ end }}" },
        ...extra,
    };
}

/**
 * `kserve-config-llm-worker-pipeline-parallel`, in `kserve`: the preset KServe v0.20.0 merges first for a
 * service with `worker` + `parallelism.pipeline` and no `prefill` (config_merge.go combineBaseRefsConfig), but
 * does not ship (kserve issue #5047). Without it such a service stops at `PresetsCombined=False,
 * ConfigNotFound`. It replaces kserve-config-llm-template for that topology, so it carries everything the
 * pods need (image, command, volumes, probes, security context), shaped like KServe's data-parallel preset:
 * - leader (`template`): vLLM node rank 0 with the OpenAI API on :8000 and KServe's /health probes; the TLS
 *   secret KServe creates per service is mounted as in the stock presets. Its startup probe is KServe's
 *   60 × 10 s, and that is only the floor: the API comes up only after every stage has downloaded and loaded,
 *   which for a large model takes far longer, so every service sets its own `periodSeconds`/`failureThreshold`
 *   sized from the model and its loader (components/models/probes.ts), which KServe's strategic merge lays over
 *   this probe field by field (the `httpGet` here stays);
 * - workers (`worker`): headless node ranks 1…P−1, no probes (they serve nothing; the group is recreated
 *   when any pod restarts, LWS RecreateGroupOnPodRestart).
 * GPU resources, placement and the service account come from the service (the models layer).
 * Not registered: the P/D variants (`…-prefill-…`, `…-decode-…`), because config validation rejects P/D with
 * multi-node pipeline parallelism (components/config.ts).
 */
export function workerPipelineParallelPreset(): KubeObject {
    const leader = {
        ...vllmContainerBase("leader"),
        ports: [{ containerPort: 8000, protocol: "TCP" }],
        livenessProbe: healthProbe({ periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 10 }),
        readinessProbe: healthProbe({ periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2 }),
        startupProbe: healthProbe({ periodSeconds: 10, failureThreshold: 60 }),
        lifecycle: { preStop: { exec: { command: ["/bin/sleep", "15"] } } },
        volumeMounts: [...MOUNTS, { mountPath: "/var/run/kserve/tls", name: "tls-certs", readOnly: true }],
    };
    const worker = { ...vllmContainerBase("worker"), volumeMounts: MOUNTS };
    return preset(KSERVE_PIPELINE_PRESETS.workerPipelineParallel, {
        // As in every stock vLLM preset: the pods serve the "publishers/<ns>/models/<name>" alias that the
        // router-route preset's model-name header rule needs (config_merge.go isModelBasedRoutingEnabled).
        annotations: { "serving.kserve.io/model-based-routing-enabled": "true" },
        template: {
            containers: [leader],
            terminationGracePeriodSeconds: 60,
            volumes: [...VOLUMES, { name: "tls-certs", secret: { secretName: "{{ ChildName .ObjectMeta.Name `-kserve-self-signed-certs` }}" } }],
        },
        worker: {
            containers: [worker],
            terminationGracePeriodSeconds: 60,
            volumes: VOLUMES,
        },
    });
}

export function presets(): KubeObject[] {
    return [runaiStreamerPreset(), nvmeCachePreset(), workerPipelineParallelPreset()];
}
