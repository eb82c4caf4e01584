// Pure builders of the Kubernetes objects one model declares (DESIGN.md §1 "functional core"):
// its KServe `LLMInferenceService` (serving.kserve.io/v1alpha2), the `LocalModelCache` of a localCache model
// (serving.kserve.io/v1alpha1, cluster-scoped) and the `InferenceObjective` of a prioritised model
// (llm-d.ai/v1alpha2). No Pulumi here: ModelService registers what these return.
//
// Upstream facts this rests on (kserve/kserve @aaac4e29 = v0.20.0 + 14 days; research/kserve.md):
// - The controller merges its own presets, then `baseRefs`, then this spec (strategic merge, containers by
//   `name`): we only state what differs. The shipped presets run `vllm serve /mnt/models` through
//   `/bin/bash -c '…eval "exec vllm serve … $@"' --` (config/llmisvcconfig/config-llm-template.yaml): container
//   `args` become `$@` and are re-parsed by `eval`, so every arg we emit is shell-quoted when it needs to be
//   (KServe quotes its own injected LoRA args the same way: workload_lora.go addLoRAVLLMArgs).
// - P/D: the decode pod runs vLLM on 8001 behind the `llm-d-routing-sidecar` on 8000; the prefill pod runs vLLM
//   on 8000 (config-llm-decode-template.yaml, config-llm-prefill-template.yaml). The KV-cache hand-off is a vLLM
//   flag the presets do not set: KServe's P/D sample sets NixlConnector kv_consumer (decode) / kv_producer
//   (prefill) and VLLM_NIXL_SIDE_CHANNEL_HOST = pod IP (docs/samples/llmisvc/single-node-gpu/…-pd-qwen2-7b-gpu.yaml).
// - `storageInitializer.enabled: false` returns from attachModelArtifacts before anything else (no download,
//   no /mnt/models, no LocalModelCache rewrite; workload_storage.go), so the RunAI streamer path must start
//   vLLM on the object-store URI itself: the spec below carries the whole command and does not rely on the
//   preset being able to template the URI.
// - LocalModelCache: the llmisvc webhook matches `spec.model.uri` against a cache's `sourceModelUri` and picks
//   the node group from the annotation `serving.kserve.io/nodegroup` (pkg/webhook/admission/llminferenceservice/
//   defaulter.go); the controller then mounts the cached PVC instead of downloading.
// - Validation (llm_inference_service_validation.go): `worker` needs data or pipeline parallelism; `dataLocal`
//   requires `data` and vice versa; pipeline excludes data. CRD CEL: replicas XOR scaling, and scaling needs
//   `wva` or `keda`.
// - A `worker` with `parallelism.pipeline` makes the controller merge the preset
//   kserve-config-llm-worker-pipeline-parallel (config_merge.go), which KServe references but does not ship
//   (issue #5047): modelplane registers its own (components/kserve/presets.ts) and config validation rejects
//   P/D with multi-node pipeline parallelism (their prefill/decode variants exist nowhere).
// - Child names: InferencePool `<name>-inference-pool`; HTTPRoute paths `/<namespace>/<name>/v1/...`
//   (config-llm-router-route.yaml).
import { Cloud, GpuPoolConfig, ModelConfig, ParallelismConfig } from "../config";
import { HF_TOKEN_KEY, HF_TOKEN_SECRET, LOCALMODEL_DOWNLOADER_SERVICE_ACCOUNT, MODEL_SERVICE_ACCOUNT, PRESETS, localModelNodeGroup } from "../names";
import { ANNOTATIONS, GPU_RESOURCE, GPU_TAINT, MANAGED_BY_LABEL, MANAGED_BY_VALUE, MODEL_LABEL, TEAM_LABEL } from "../../lib/labels";
import { Topology } from "../../lib/topology";
import { PIPELINE_MASTER_PORT } from "../kserve/presets";
import { buildEndpointPickerConfig } from "./eppConfig";
import { strategicMerge } from "./merge";
import { DOWNLOAD_COPIES, podSize, weightsGiB } from "./sizing";
import { startupProbe } from "./probes";
import { parseQuantity } from "../../lib/demand";

type Obj = Record<string, unknown>;

export const LLMISVC_API_VERSION = "serving.kserve.io/v1alpha2";
export const LOCAL_MODEL_CACHE_API_VERSION = "serving.kserve.io/v1alpha1";
export const INFERENCE_OBJECTIVE_API_VERSION = "llm-d.ai/v1alpha2";
export const INFERENCE_POOL_GROUP = "inference.networking.k8s.io";
/** Annotation the llmisvc webhook reads to choose a LocalModelCache node group. */
export const NODEGROUP_ANNOTATION = "serving.kserve.io/nodegroup";
/** vLLM's port in every pod but P/D decode pods, where the routing sidecar holds 8000 and vLLM listens on 8001. */
export const VLLM_PORT = 8000;
export const DECODE_VLLM_PORT = 8001;
/** Default data-parallel RPC port of KServe's data-parallel presets. */
export const DEFAULT_DP_RPC_PORT = 5555;
/** LocalModelCache size = weights × this (tokenizer, configs, safetensors index, a re-sharded file or two). */
export const CACHE_HEADROOM = 1.15;

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: Obj;
}

/** Everything about the platform a model's objects depend on (and nothing about other models). */
export interface ModelContext {
    /** The team namespace. */
    namespace: string;
    pool: GpuPoolConfig;
    /** The Gateway the managed HTTPRoute attaches to. */
    gateway: { name: string; namespace: string };
    /** Whether the team namespace has the Hugging Face token Secret (modelplane:huggingFaceToken is set). */
    hfToken: boolean;
    cloud: Cloud;
}

export function servedName(m: Pick<ModelConfig, "name" | "servedName">): string {
    return m.servedName ?? m.name;
}

export function inferencePoolName(model: string): string {
    return `${model}-inference-pool`;
}

/** Path of a model's OpenAI-compatible API behind the gateway (the router-route preset's PathPrefix). */
export function endpointPath(namespace: string, model: string): string {
    return `/${namespace}/${model}/v1`;
}

function modelLabels(m: ModelConfig): Record<string, string> {
    return { [TEAM_LABEL]: m.team, [MODEL_LABEL]: m.name, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
}

// ---------------------------------------------------------------------------------------------------
// Shell quoting for the presets' `eval "exec vllm serve … $@"`

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so that `eval` yields it unchanged (safe strings stay as they are). */
export function shellQuote(s: string): string {
    return SHELL_SAFE.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Escapes text for use inside a double-quoted bash string. */
function inDoubleQuotes(s: string): string {
    return s.replace(/[\\"$`]/g, (c) => `\\${c}`);
}

// ---------------------------------------------------------------------------------------------------
// Workloads

type Role = "single" | "decode" | "prefill";
type Part = "leader" | "worker";

interface Workload {
    role: Role;
    replicas?: number;
    scaling?: { minReplicas: number; maxReplicas: number };
    parallelism: ParallelismConfig;
    topology: Topology;
    template?: Obj;
    workerTemplate?: Obj;
}

/** `parallelism` as KServe expects it: dataLocal always accompanies data (the webhook requires both). */
export function parallelismSpec(p: ParallelismConfig): Obj {
    const out: Obj = { tensor: p.tensor };
    if (p.pipeline !== undefined) out.pipeline = p.pipeline;
    if (p.data !== undefined) {
        out.data = p.data;
        out.dataLocal = p.dataLocal ?? p.data;
    }
    if (p.dataRPCPort !== undefined) out.dataRPCPort = p.dataRPCPort;
    if (p.expert) out.expert = true;
    return out;
}

/**
 * `scaling` with the actuator the CRD requires (`wva.hpa` or `wva.keda`): the Workload Variant Autoscaler computes
 * the replicas and a KEDA ScaledObject applies them, the actuator whose dependencies modelplane installs
 * (components/scaling: KEDA, WVA, Prometheus and KServe's `autoscaling-wva-controller-config`; `wva.hpa` would need a
 * Prometheus Adapter instead). KServe v0.20.0 requires `minReplicas` ≥ 1 and KEDA's `idleReplicaCount` ≥ 1
 * (serving.kserve.io_llminferenceservices.yaml `minimum: 1`), so there is no scale-to-zero in the pinned release;
 * config validation rejects `minReplicas: 0` (components/config.ts).
 */
export function scalingSpec(s: { minReplicas: number; maxReplicas: number }): Obj {
    return { minReplicas: s.minReplicas, maxReplicas: s.maxReplicas, wva: { keda: {} } };
}

function vllmPort(w: Workload): number {
    return w.role === "decode" ? DECODE_VLLM_PORT : VLLM_PORT;
}

/** vLLM flags modelplane adds (before the user's, so a user flag given later wins). */
function ownArgs(m: ModelConfig, w: Workload): string[] {
    const args: string[] = [];
    const p = w.parallelism;
    if (!w.topology.multiNode) {
        // The single-node preset only passes --tensor-parallel-size; data ranks sharing the pod need the flag.
        if (p.data && p.data > 1) args.push(`--data-parallel-size=${p.data}`);
        if (p.expert) args.push("--enable-expert-parallel");
    }
    if (w.role !== "single" && !m.vllm.args.some((a) => /^--kv[-_]transfer[-_]config\b/.test(a))) {
        const kvRole = w.role === "decode" ? "kv_consumer" : "kv_producer";
        args.push(`--kv-transfer-config=${JSON.stringify({ kv_connector: "NixlConnector", kv_role: kvRole })}`);
    }
    return args;
}

/** Most API server processes a data-parallel leader runs (KServe's preset default). */
export const MAX_API_SERVERS = 8;

/**
 * API server processes for the leader of a multi-node data-parallel replica, from the pod's CPUs. KServe
 * v0.20.0's data-parallel presets start the leader with `--api-server-count ${VLLM_API_SERVER_COUNT:-8}`
 * (config/llmisvcconfig/config-llm-worker-data-parallel.yaml and its decode/prefill variants): eight
 * processes that each parse requests and tokenize, next to one busy-polling engine core per local data
 * rank (`dataLocal`). In a pod of a few CPUs that starves the engines, so the count is what is left after
 * one CPU per engine core, between 1 and 8.
 */
export function apiServerCount(podCpu: string, dataLocal: number): number {
    const cpus = Math.floor(parseQuantity(podCpu) ?? 1);
    return Math.max(1, Math.min(MAX_API_SERVERS, cpus - dataLocal));
}

function isDataParallelGroup(w: Workload): boolean {
    return w.topology.multiNode && !(w.parallelism.pipeline && w.parallelism.pipeline > 1);
}

function env(m: ModelConfig, ctx: ModelContext, w: Workload, part: Part, cpu: string): Obj[] {
    const out: Obj[] = [{
        name: HF_TOKEN_KEY,
        valueFrom: { secretKeyRef: { name: HF_TOKEN_SECRET, key: HF_TOKEN_KEY, optional: !ctx.hfToken } },
    }];
    if (w.role !== "single") out.push({ name: "VLLM_NIXL_SIDE_CHANNEL_HOST", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } });
    // The weights are on the node (LocalModelCache): no pod of the model (decode, prefill, leader or worker) may
    // reach for the Hub. Set per pod here, not in the preset, whose `template` reaches neither prefill nor worker.
    if (m.loader === "localCache") out.push({ name: "HF_HUB_OFFLINE", value: "1" });
    if (part === "leader" && isDataParallelGroup(w)) {
        const dataLocal = w.parallelism.dataLocal ?? w.parallelism.data ?? 1;
        out.push({ name: "VLLM_API_SERVER_COUNT", value: String(apiServerCount(cpu, dataLocal)) });
    }
    for (const [name, value] of Object.entries(m.vllm.env)) out.push({ name, value });
    return out;
}

/**
 * The command of the RunAI Model Streamer path: vLLM reads the safetensors straight from `s3://` or `gs://`
 * with the pod's cloud identity (vLLM docs, "Loading models with Run:ai Model Streamer":
 * `vllm serve s3://… --load-format runai_streamer`). It mirrors the preset it replaces (served names, port,
 * parallelism flags, the data-parallel rank wiring of config-llm-worker-data-parallel.yaml, the multi-node
 * pipeline launch of modelplane's kserve-config-llm-worker-pipeline-parallel) and keeps its
 * calling convention (`bash -c … --`, user args as `$@` through eval).
 */
export function streamerCommand(m: ModelConfig, ctx: ModelContext, w: Workload, part: Part): string[] {
    const q = (s: string) => inDoubleQuotes(shellQuote(s));
    const p = w.parallelism;
    const name = servedName(m);
    const flags = [
        "--load-format runai_streamer",
        `--served-model-name ${q(name)}${w.role === "prefill" ? "" : ` ${q(`publishers/${ctx.namespace}/models/${name}`)}`}`,
        `--port ${vllmPort(w)}`,
        `--tensor-parallel-size ${p.tensor}`,
    ];
    const prelude: string[] = [];
    if (w.topology.multiNode && p.pipeline && p.pipeline > 1) {
        // The launch of modelplane's kserve-config-llm-worker-pipeline-parallel preset (components/kserve/
        // presets.ts pipelineParallelScript, with its sources): vLLM's multi-node mp launcher, one pipeline stage
        // per pod, the head (node rank 0) serving the API and the other ranks headless.
        prelude.push(
            'LEADER_IP=""',
            'for i in $(seq 1 "${LWS_LEADER_RESOLVE_ATTEMPTS:-30}"); do LEADER_IP=$(getent hosts "${LWS_LEADER_ADDRESS}" | cut -d" " -f1); [ -n "$LEADER_IP" ] && break; sleep 1; done',
            'LEADER_IP=${LEADER_IP:-${LWS_LEADER_ADDRESS}}',
        );
        flags.push(
            `--pipeline-parallel-size ${p.pipeline}`,
            "--distributed-executor-backend mp",
            `--nnodes ${p.pipeline}`,
            part === "leader" ? "--node-rank 0" : "--node-rank ${LWS_WORKER_INDEX}",
            "--master-addr ${LEADER_IP}",
            `--master-port \${VLLM_MASTER_PORT:-${PIPELINE_MASTER_PORT}}`,
        );
        if (part === "worker") flags.push("--headless");
    } else if (w.topology.multiNode) {
        const dataLocal = p.dataLocal ?? p.data ?? 1;
        prelude.push(
            'DP_ADDRESS=""',
            'for i in $(seq 1 "${DP_ADDRESS_RESOLVE_ATTEMPTS:-30}"); do DP_ADDRESS=$(getent hosts "${LWS_LEADER_ADDRESS}" | cut -d" " -f1); [ -n "$DP_ADDRESS" ] && break; sleep 1; done',
            'DP_ADDRESS=${DP_ADDRESS:-${LWS_LEADER_ADDRESS}}',
            part === "leader" ? "START_RANK=0" : `START_RANK=$(( \${LWS_WORKER_INDEX:-0} * ${dataLocal} ))`,
        );
        if (p.expert) flags.push("--enable-expert-parallel");
        flags.push(
            `--data-parallel-size ${p.data ?? 1}`,
            `--data-parallel-size-local ${dataLocal}`,
            "--data-parallel-address ${DP_ADDRESS}",
            `--data-parallel-rpc-port ${p.dataRPCPort ?? DEFAULT_DP_RPC_PORT}`,
            "--data-parallel-start-rank ${START_RANK}",
            part === "leader" ? `--api-server-count \${VLLM_API_SERVER_COUNT:-${MAX_API_SERVERS}}` : "--headless",
        );
    }
    const exec = `eval "exec vllm serve ${q(m.uri)} ${flags.join(" ")} \${VLLM_ADDITIONAL_ARGS:-} $@"`;
    return ["/bin/bash", "-c", [...prelude, exec].join("\n"), "--"];
}

function mainContainer(m: ModelConfig, ctx: ModelContext, w: Workload, part: Part): Obj {
    const gpus = w.topology.gpusPerPod;
    const size = podSize(ctx.pool, gpus, m);
    const quantities: Record<string, string> = { cpu: size.cpu, memory: size.memory };
    if (gpus > 0) quantities[GPU_RESOURCE] = String(gpus);
    const c: Obj = { name: "main" };
    if (m.vllm.image) c.image = m.vllm.image;
    if (m.loader === "runaiStreamer") c.command = streamerCommand(m, ctx, w, part);
    const args = [...ownArgs(m, w), ...m.vllm.args].map(shellQuote);
    if (args.length > 0) c.args = args;
    c.env = env(m, ctx, w, part, size.cpu);
    c.resources = { requests: { ...quantities }, limits: { ...quantities } };
    // Leaders only (workers have no probes): the period and threshold, over the preset's httpGet (./probes.ts).
    if (part === "leader") c.startupProbe = startupProbe(m, w.topology, ctx.pool);
    if (runsAsRoot(m.vllm.image)) c.securityContext = { runAsNonRoot: false };
    return c;
}

/**
 * vLLM images published by the vLLM project that run as root (their Dockerfiles set no USER): the CUDA and
 * CPU images on Docker Hub and the CPU release repository KServe's own CPU sample uses.
 */
export const ROOT_IMAGE_REPOSITORIES = [
    "docker.io/vllm/vllm-openai",
    "docker.io/vllm/vllm-openai-cpu",
    "public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo",
] as const;

/**
 * Whether an image is one that runs as root. KServe's presets set `runAsNonRoot: true` on the main container
 * (config/llmisvcconfig/config-llm-template.yaml at v0.20.0), so the kubelet refuses to start a root image
 * ("container has runAsNonRoot and image will run as root"); KServe's own CPU sample overrides it with
 * `runAsNonRoot: false` (docs/samples/llmisvc/opt-125m-cpu/ at v0.20.0). The stock image
 * (ghcr.io/llm-d/llm-d-cuda) runs as a non-root user and keeps the preset's setting.
 */
export function runsAsRoot(image: string | undefined): boolean {
    if (!image) return false;
    const repo = image.replace(/@sha256:.*$/, "").replace(/:[^/:]+$/, "");
    const full = repo.includes("/") && /[.:]/.test(repo.split("/")[0]) ? repo : `docker.io/${repo.includes("/") ? repo : `library/${repo}`}`;
    return (ROOT_IMAGE_REPOSITORIES as readonly string[]).includes(full);
}

function podSpec(m: ModelConfig, ctx: ModelContext, w: Workload, part: Part): Obj {
    const pod: Obj = {
        serviceAccountName: MODEL_SERVICE_ACCOUNT,
        nodeSelector: { ...ctx.pool.nodeSelector },
        containers: [mainContainer(m, ctx, w, part)],
    };
    if (ctx.pool.taint) pod.tolerations = [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }];
    return pod;
}

function workloadSpec(m: ModelConfig, ctx: ModelContext, w: Workload): Obj {
    const out: Obj = {};
    if (w.replicas !== undefined) out.replicas = w.replicas;
    if (w.scaling) out.scaling = scalingSpec(w.scaling);
    out.parallelism = parallelismSpec(w.parallelism);
    // The config's raw PodSpec patches come last: anything modelplane sets can be overridden.
    out.template = strategicMerge(podSpec(m, ctx, w, "leader"), w.template ?? {});
    if (w.topology.multiNode) out.worker = strategicMerge(podSpec(m, ctx, w, "worker"), w.workerTemplate ?? {});
    return out;
}

// ---------------------------------------------------------------------------------------------------
// Objects

/** The model's LLMInferenceService (serving.kserve.io/v1alpha2) in its team namespace. */
export function buildLlmInferenceService(m: ModelConfig, ctx: ModelContext): K8sObject {
    const annotations: Record<string, string> = {
        [ANNOTATIONS.team]: m.team,
        [ANNOTATIONS.pool]: ctx.pool.name,
        [ANNOTATIONS.accelerator]: ctx.pool.accelerator,
        [ANNOTATIONS.acceleratorMemoryGiB]: String(ctx.pool.acceleratorMemoryGiB),
        [ANNOTATIONS.gpusPerNode]: String(ctx.pool.gpusPerNode),
        [ANNOTATIONS.paramsBillions]: String(m.size.paramsBillions),
        [ANNOTATIONS.dtype]: m.size.dtype,
    };
    if (m.loader === "localCache") annotations[NODEGROUP_ANNOTATION] = localModelNodeGroup(ctx.pool.name);

    const model: Obj = { uri: m.uri, name: servedName(m) };
    if (m.lora) {
        const lora: Obj = { adapters: m.lora.adapters.map((a) => ({ name: a.name, uri: a.uri })) };
        if (m.lora.maxRank !== undefined) lora.maxRank = m.lora.maxRank;
        if (m.lora.maxAdapters !== undefined) lora.maxAdapters = m.lora.maxAdapters;
        model.lora = lora;
    }

    const spec: Obj = { model };
    if (m.loader === "runaiStreamer") {
        spec.baseRefs = [{ name: PRESETS.runaiStreamer }];
        spec.storageInitializer = { enabled: false };
    } else if (m.loader === "localCache") {
        spec.baseRefs = [{ name: PRESETS.nvmeCache }];
    }
    Object.assign(spec, workloadSpec(m, ctx, {
        role: m.prefill ? "decode" : "single",
        replicas: m.replicas,
        scaling: m.scaling,
        parallelism: m.parallelism,
        topology: m.topology,
        template: m.template,
        workerTemplate: m.workerTemplate,
    }));
    if (m.prefill) {
        spec.prefill = workloadSpec(m, ctx, {
            role: "prefill",
            replicas: m.prefill.replicas,
            scaling: m.prefill.scaling,
            parallelism: m.prefill.parallelism,
            topology: m.prefillTopology ?? m.topology,
            template: m.prefill.template,
            workerTemplate: m.prefill.workerTemplate,
        });
    }
    const scheduler: Obj = { config: { inline: buildEndpointPickerConfig(m) } };
    const eppPod = endpointPickerPod(m, ctx, spec);
    if (eppPod) scheduler.template = eppPod;
    spec.router = {
        route: {},
        gateway: { refs: [{ name: ctx.gateway.name, namespace: ctx.gateway.namespace }] },
        scheduler,
    };
    spec.labels = { [TEAM_LABEL]: m.team, [MODEL_LABEL]: m.name };

    return {
        apiVersion: LLMISVC_API_VERSION,
        kind: "LLMInferenceService",
        metadata: { name: m.name, namespace: ctx.namespace, labels: modelLabels(m), annotations },
        spec,
    };
}

/** The pod grace period of KServe v0.20.0's presets, the endpoint picker's included (config/llmisvcconfig/). */
export const PRESET_GRACE_SECONDS = 60;

/**
 * What the endpoint picker's pod (`spec.router.scheduler.template`, merged over KServe's config-llm-scheduler
 * preset, which has no placement of its own) needs beyond the preset, or undefined:
 * - a localCache model's EPP pod gets the cache PVC too: KServe mounts it for the tokenizer container
 *   (scheduler.go `attachModelArtifacts` at v0.20.0) and `withRemoveUnnecessaryTokenizer` then removes the
 *   container but not the volume. The PVC's local PV has node affinity to the pool's nodes
 *   (components/storage/layout.ts localModelNodeGroupSpec), which carry the GPU taint, so without a toleration
 *   the EPP stays Pending and the model gets no route;
 * - the preset's grace period carries the note "must be >= workload terminationGracePeriodSeconds": the EPP
 *   must outlive the pods it routes to while they drain, so it takes the longest grace of the model's pods.
 */
function endpointPickerPod(m: ModelConfig, ctx: ModelContext, spec: Obj): Obj | undefined {
    const pod: Obj = {};
    // Unreachable while config validation refuses localCache on tainted pools (KServe v0.20.0's download Job has no
    // tolerations, kserve/kserve#5348); kept for when a KServe release lets the cache fill on tainted nodes.
    if (m.loader === "localCache" && ctx.pool.taint) pod.tolerations = [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }];
    const pods = [spec, spec.prefill as Obj | undefined].flatMap((w) => (w ? [w.template, w.worker] : [])) as (Obj | undefined)[];
    const grace = Math.max(...pods.map((p) => (typeof p?.terminationGracePeriodSeconds === "number" ? p.terminationGracePeriodSeconds : PRESET_GRACE_SECONDS)));
    if (grace > PRESET_GRACE_SECONDS) pod.terminationGracePeriodSeconds = grace;
    return Object.keys(pod).length > 0 ? pod : undefined;
}

/** Size of a model's cache entry: weights × copies the download writes × CACHE_HEADROOM, whole GiB. */
export function cacheSize(m: Pick<ModelConfig, "size" | "uri">): string {
    const copies = DOWNLOAD_COPIES[m.uri.split("://")[0]] ?? 1;
    return `${Math.ceil(weightsGiB(m.size) * copies * CACHE_HEADROOM)}Gi`;
}

/**
 * The cluster-scoped LocalModelCache of a localCache model. Its name is the model's (unique across the stack
 * and at most 42 characters: KServe puts it in a label value, max 63). Its download Job runs in
 * `kserve-localmodel-jobs` as `serviceAccountName`, whose listed Secrets KServe's credential builder turns into
 * HF_TOKEN (pkg/controller/v1alpha1/localmodelnode/controller.go `injectCredentials` at v0.20.0; without it the
 * Job runs as `default` with no token and a gated hf:// download fails): the KServe layer registers that
 * ServiceAccount and the token Secret there (components/kserve/KServe.ts).
 */
export function buildLocalModelCache(m: ModelConfig, ctx: ModelContext): K8sObject | undefined {
    if (m.loader !== "localCache") return undefined;
    return {
        apiVersion: LOCAL_MODEL_CACHE_API_VERSION,
        kind: "LocalModelCache",
        metadata: { name: m.name, labels: modelLabels(m) },
        spec: {
            sourceModelUri: m.uri, modelSize: cacheSize(m), nodeGroups: [localModelNodeGroup(ctx.pool.name)],
            serviceAccountName: LOCALMODEL_DOWNLOADER_SERVICE_ACCOUNT,
        },
    };
}

/** The InferenceObjective that gives a model's requests their priority (only when routing.priority is set). */
export function buildInferenceObjective(m: ModelConfig, ctx: ModelContext): K8sObject | undefined {
    if (m.routing.priority === undefined) return undefined;
    return {
        apiVersion: INFERENCE_OBJECTIVE_API_VERSION,
        kind: "InferenceObjective",
        metadata: { name: m.name, namespace: ctx.namespace, labels: modelLabels(m) },
        spec: {
            priority: m.routing.priority,
            poolRef: { group: INFERENCE_POOL_GROUP, kind: "InferencePool", name: inferencePoolName(m.name) },
        },
    };
}
