// GPU demand: how many GPUs one LLMInferenceService (or a plain Kubernetes workload) can hold at its
// worst case, per team and per pool, and how many GPUs each pool can offer. Quotas are charged against
// these numbers at preview time by the policy pack (DESIGN.md §3); the offline plan prints them.
//
// Pure functions over plain data (no Pulumi imports): they take anything shaped like a registered
// resource `{type, name, urn?, props}` — lib/resources.ts RegisteredResource as well as CrossGuard's
// PolicyResource — and never mutate it.
//
// The rules, with the upstream facts they rest on (kserve/kserve, read at HEAD aaac4e29 and in v0.20.0):
// - Worst case per workload: `replicas` (or `scaling.maxReplicas`, when autoscaled; 1 when neither is set)
//   × GPUs of one replica. The main workload and `spec.prefill` (P/D disaggregation) are separate
//   workloads and add up.
// - One replica is one pod without `worker`; with `worker` it is a LeaderWorkerSet group of `groupSize`
//   pods: the leader (`template`) plus groupSize − 1 workers (`worker`). When `template` is absent the LWS
//   leader falls back to the worker template (workload_multi_node.go sets LeaderTemplate only
//   `if llmSvc.Spec.Template != nil`; LeaderWorkerSet then uses WorkerTemplate for the leader).
// - groupSize is `ParallelismSpec.GetSize()` (pkg/apis/serving/v1alpha2/llm_inference_service_types_func.go),
//   which the controller passes as `LeaderWorkerTemplate.Size`. Verified in the source:
//     IsDataParallel  = data > 0 || dataLocal > 0
//     IsPipelineParallel = pipeline > 0
//     GetSize: data parallel → max(max(data ?? 1, 1) / max(dataLocal ?? 1, 1), 1)   (Go int32: integer division)
//              else pipeline parallel → pipeline;  else nil (LWS default size 1).
//   Note: a missing dataLocal counts as 1 (so `data: 4` alone is a group of 4 pods), and data parallelism
//   is checked first. The webhook rejects `worker` without DP or PP, and PP together with DP.
// - GPUs of a pod are the `nvidia.com/gpu` limits of its containers (requests when a container has no
//   limit), combined the way the kubelet/scheduler size a pod: max(sum of app containers + sidecar init
//   containers, the largest plain init container plus the sidecars started before it).
// - Presets: the controller merges (config_merge.go `MergeSpecs`, a strategic merge folded left to right)
//   first its well-known presets, then `spec.baseRefs` in order (a later ref wins), then the service's own
//   spec (wins over all). Lists of containers merge by `name`; `resources.limits/requests` merge key by key.
//   A baseRef is looked up in the service's namespace first, then in `kserve` (`getConfig`).
//   KServe's shipped presets (`kserve-config-llm-*`) set no GPU resources, so an unregistered ref with that
//   prefix adds none; any other ref the stack does not register makes the demand undeterminable.
//   A well-known preset the stack itself registers (same name) is merged where the controller would
//   (template / worker-data-parallel / … chosen from the merged topology).
// - Undeterminable is never zero: a non-numeric or fractional GPU quantity, a replica count that is not
//   an integer, or an unknown preset yields `{known: false, reason}`.
import { ANNOTATIONS, GPU_RESOURCE, POOL_ANNOTATIONS, POOL_LABEL, TEAM_LABEL } from "./labels";
import { groupSize as topologyGroupSize, Parallelism } from "./topology";
import { TYPES } from "./resources";
import { CatalogCloud, findAccelerator, findAcceleratorByGkeType, findInstanceType } from "./catalog";

// ---------------------------------------------------------------------------------------------------------------
// Shapes

/** Anything shaped like a registered resource (RegisteredResource, CrossGuard PolicyResource). */
export interface ResourceLike {
    type: string;
    name: string;
    urn?: string;
    props: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown): Obj | undefined {
    return isObject(v) ? v : undefined;
}

function arr(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** Type tokens of the LLMInferenceService kinds (v1alpha2 is what modelplane writes; v1alpha1 is still served). */
export const LLM_SERVICE_TYPES: ReadonlySet<string> = new Set([
    TYPES.llmInferenceService,
    "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceService",
]);
export const LLM_PRESET_TYPES: ReadonlySet<string> = new Set([
    TYPES.llmInferenceServiceConfig,
    "kubernetes:serving.kserve.io/v1alpha1:LLMInferenceServiceConfig",
]);

/** Core workload kinds whose pods may request GPUs, with their Pulumi type tokens. */
export const WORKLOAD_TYPES = {
    pod: "kubernetes:core/v1:Pod",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    leaderWorkerSet: "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
} as const;
const WORKLOAD_TYPE_SET: ReadonlySet<string> = new Set(Object.values(WORKLOAD_TYPES));

/** KServe's shipped presets: `kserve-` prefix (LLM_INFERENCE_SERVICE_CONFIG_PREFIX default) + `config-llm-`. */
export const WELL_KNOWN_PRESET_PREFIX = "kserve-config-llm-";
/** Namespace KServe searches for a baseRef after the service's own (constants.KServeNamespace). */
export const KSERVE_PRESET_NAMESPACE = "kserve";
/** Namespace of the ConfigMaps that describe the pools of an existing cluster. */
export const POOL_MARKER_NAMESPACE = "modelplane-system";

export function isLlmService(r: { type: string }): boolean {
    return LLM_SERVICE_TYPES.has(r.type);
}
export function isLlmPreset(r: { type: string }): boolean {
    return LLM_PRESET_TYPES.has(r.type);
}
export function isWorkload(r: { type: string }): boolean {
    return WORKLOAD_TYPE_SET.has(r.type);
}

/** A GPU count that is either known or comes with the reason it is not. */
export type GpuCount = { known: true; gpus: number } | { known: false; reason: string };

const known = (gpus: number): GpuCount => ({ known: true, gpus });
const unknownCount = (reason: string): GpuCount => ({ known: false, reason });

// ---------------------------------------------------------------------------------------------------------------
// Quantities

const QUANTITY_RE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))?$/;
const SUFFIX: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes resource.Quantity (`"2"`, `2`, `"1000m"`, `"1e3"`, `"4Gi"`) as a number; undefined if not one. */
export function parseQuantity(v: unknown): number | undefined {
    if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
    if (typeof v !== "string") return undefined;
    const m = QUANTITY_RE.exec(v.trim());
    if (!m) return undefined;
    const base = Number(m[1]);
    const suffix = m[2];
    if (suffix === undefined) return base;
    // A binary or decimal SI suffix ("E" alone is exa, "Ei" exbi), else an exponent ("E3", "e-2").
    if (Object.hasOwn(SUFFIX, suffix)) return base * SUFFIX[suffix];
    return base * 10 ** Number(suffix.slice(1));
}

function wholeNumber(n: number): number | undefined {
    const r = Math.round(n);
    return Math.abs(n - r) < 1e-9 ? r : undefined;
}

/** A GPU quantity as a whole, non-negative count; the reason otherwise (`where` names the field). */
export function gpuQuantity(v: unknown, where: string): GpuCount {
    const q = parseQuantity(v);
    if (q === undefined) return unknownCount(`${where} is ${JSON.stringify(v)}, not a quantity`);
    const n = wholeNumber(q);
    if (n === undefined) return unknownCount(`${where} is ${JSON.stringify(v)}, not a whole number of GPUs`);
    if (n < 0) return unknownCount(`${where} is negative (${JSON.stringify(v)})`);
    return known(n);
}

// ---------------------------------------------------------------------------------------------------------------
// Pods

/** Where a pod spec sits inside a resource, e.g. `spec.template` or `spec.prefill.worker`. */
export interface PodAt {
    path: string;
    pod: Obj;
    /** For LLMInferenceService pods: the workload role. */
    role?: "main" | "prefill";
    /** For LLMInferenceService pods: leader (template) or worker. */
    part?: "template" | "worker";
}

/**
 * Every pod spec a resource declares, as written (no preset merge): LLMInferenceService(Config)
 * `template`, `worker`, `prefill.template`, `prefill.worker`; core workloads' pod templates;
 * LeaderWorkerSet leader and worker templates. Empty for other types.
 */
export function podSpecsOf(r: { type: string; props: Obj }): PodAt[] {
    const p = r.props;
    const spec = obj(p.spec);
    const out: PodAt[] = [];
    const push = (path: string, pod: unknown, extra: Partial<PodAt> = {}) => {
        const o = obj(pod);
        if (o) out.push({ path, pod: o, ...extra });
    };
    if (LLM_SERVICE_TYPES.has(r.type) || LLM_PRESET_TYPES.has(r.type)) {
        if (!spec) return out;
        push("spec.template", spec.template, { role: "main", part: "template" });
        push("spec.worker", spec.worker, { role: "main", part: "worker" });
        const prefill = obj(spec.prefill);
        if (prefill) {
            push("spec.prefill.template", prefill.template, { role: "prefill", part: "template" });
            push("spec.prefill.worker", prefill.worker, { role: "prefill", part: "worker" });
        }
        return out;
    }
    switch (r.type) {
        case WORKLOAD_TYPES.pod:
            push("spec", spec);
            break;
        case WORKLOAD_TYPES.deployment:
        case WORKLOAD_TYPES.statefulSet:
        case WORKLOAD_TYPES.replicaSet:
        case WORKLOAD_TYPES.daemonSet:
        case WORKLOAD_TYPES.job:
            push("spec.template.spec", obj(spec?.template)?.spec);
            break;
        case WORKLOAD_TYPES.cronJob:
            push("spec.jobTemplate.spec.template.spec", obj(obj(obj(spec?.jobTemplate)?.spec)?.template)?.spec);
            break;
        case WORKLOAD_TYPES.leaderWorkerSet: {
            const lwt = obj(spec?.leaderWorkerTemplate);
            push("spec.leaderWorkerTemplate.leaderTemplate.spec", obj(lwt?.leaderTemplate)?.spec, { part: "template" });
            push("spec.leaderWorkerTemplate.workerTemplate.spec", obj(lwt?.workerTemplate)?.spec, { part: "worker" });
            break;
        }
    }
    return out;
}

/** One container's GPU resources as written: the raw `nvidia.com/gpu` request and limit values. */
export interface ContainerGpu {
    name: string;
    init: boolean;
    /** Init container with `restartPolicy: Always` (a sidecar: runs for the pod's whole life). */
    sidecar: boolean;
    request?: unknown;
    limit?: unknown;
}

/** The GPU fields of every container and init container of a pod spec. */
export function containerGpus(pod: Obj): ContainerGpu[] {
    const out: ContainerGpu[] = [];
    const read = (c: unknown, i: number, init: boolean) => {
        const o = obj(c);
        if (!o) return;
        const res = obj(o.resources);
        const req = obj(res?.requests);
        const lim = obj(res?.limits);
        out.push({
            name: str(o.name) ?? `#${i}`,
            init,
            sidecar: init && o.restartPolicy === "Always",
            request: req && GPU_RESOURCE in req ? req[GPU_RESOURCE] : undefined,
            limit: lim && GPU_RESOURCE in lim ? lim[GPU_RESOURCE] : undefined,
        });
    };
    arr(pod.initContainers).forEach((c, i) => read(c, i, true));
    arr(pod.containers).forEach((c, i) => read(c, i, false));
    return out;
}

/** Whether any container of the pod mentions `nvidia.com/gpu` with something other than zero. */
export function podRequestsGpus(pod: Obj): boolean {
    return containerGpus(pod).some((c) => [c.limit, c.request].some((v) => v !== undefined && parseQuantity(v) !== 0));
}

/**
 * GPUs one pod holds: per container the limit (the request when there is no limit), combined like the
 * scheduler sizes a pod: max(app containers + sidecars, each plain init container + sidecars before it).
 */
export function podGpus(pod: Obj, where = "pod"): GpuCount {
    let regular = 0;
    let sidecars = 0;
    let initPeak = 0;
    for (const c of containerGpus(pod)) {
        const raw = c.limit !== undefined ? c.limit : c.request;
        let n = 0;
        if (raw !== undefined) {
            const field = c.limit !== undefined ? "limits" : "requests";
            const g = gpuQuantity(raw, `${where} ${c.init ? "initContainer" : "container"} "${c.name}" resources.${field}["${GPU_RESOURCE}"]`);
            if (!g.known) return g;
            n = g.gpus;
        }
        if (!c.init) regular += n;
        else if (c.sidecar) sidecars += n;
        else initPeak = Math.max(initPeak, n + sidecars);
    }
    return known(Math.max(regular + sidecars, initPeak));
}

// ---------------------------------------------------------------------------------------------------------------
// Parallelism and group size

export type ParallelismSpec = Parallelism;

/**
 * Pods per replica: KServe's `ParallelismSpec.GetSize()` when the workload has a `worker`
 * (LeaderWorkerSet size), 1 otherwise. See the header for the verified upstream rule.
 */
export function groupSize(p: ParallelismSpec | undefined, hasWorker: boolean): number {
    return hasWorker && p ? topologyGroupSize(p) : 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Specs: the GPU-relevant skeleton and its strategic merge

interface ContainerSkel {
    name: string;
    restartPolicy?: unknown;
    requests?: unknown;
    limits?: unknown;
    /** CPU and memory requests and limits as written (for packing pods onto nodes), merged key by key like GPUs. */
    cpuMem?: { requests: Obj; limits: Obj };
}

interface PodSkel {
    containers: ContainerSkel[];
    initContainers: ContainerSkel[];
}

interface WorkloadSkel {
    replicas?: unknown;
    scaling?: { minReplicas?: unknown; maxReplicas?: unknown };
    parallelism?: Record<string, unknown>;
    template?: PodSkel;
    worker?: PodSkel;
}

interface SpecSkel extends WorkloadSkel {
    prefill?: WorkloadSkel;
}

// Only the fields demand needs are read, so an unknown value elsewhere in a spec (during preview) does not
// stop the computation; an unknown in a field that matters still surfaces (CrossGuard's props proxy throws).
function containerSkel(c: unknown, i: number): ContainerSkel | undefined {
    const o = obj(c);
    if (!o) return undefined;
    const res = obj(o.resources);
    const pick = (m: unknown) => {
        const mo = obj(m);
        return mo && GPU_RESOURCE in mo ? mo[GPU_RESOURCE] : undefined;
    };
    const s: ContainerSkel = { name: str(o.name) ?? `#${i}` };
    if (o.restartPolicy !== undefined) s.restartPolicy = o.restartPolicy;
    const rq = pick(res?.requests);
    const lm = pick(res?.limits);
    if (rq !== undefined) s.requests = rq;
    if (lm !== undefined) s.limits = lm;
    const cm = (m: unknown): Obj => {
        const mo = obj(m);
        const out: Obj = {};
        for (const k of ["cpu", "memory"]) if (mo && mo[k] !== undefined && mo[k] !== null) out[k] = mo[k];
        return out;
    };
    const cpuMem = { requests: cm(res?.requests), limits: cm(res?.limits) };
    if (Object.keys(cpuMem.requests).length + Object.keys(cpuMem.limits).length > 0) s.cpuMem = cpuMem;
    return s;
}

function podSkel(v: unknown): PodSkel | undefined {
    const o = obj(v);
    if (!o) return undefined;
    const list = (l: unknown) => arr(l).map(containerSkel).filter((c): c is ContainerSkel => c !== undefined);
    return { containers: list(o.containers), initContainers: list(o.initContainers) };
}

function workloadSkel(v: Obj): WorkloadSkel {
    const w: WorkloadSkel = {};
    if (v.replicas !== undefined && v.replicas !== null) w.replicas = v.replicas;
    const sc = obj(v.scaling);
    if (sc) {
        w.scaling = {};
        if (sc.minReplicas !== undefined) w.scaling.minReplicas = sc.minReplicas;
        if (sc.maxReplicas !== undefined) w.scaling.maxReplicas = sc.maxReplicas;
    }
    const par = obj(v.parallelism);
    if (par) {
        w.parallelism = {};
        for (const k of ["tensor", "pipeline", "data", "dataLocal", "expert"]) if (par[k] !== undefined && par[k] !== null) w.parallelism[k] = par[k];
    }
    const t = podSkel(v.template);
    if (t) w.template = t;
    const wk = podSkel(v.worker);
    if (wk) w.worker = wk;
    return w;
}

function specSkel(spec: Obj): SpecSkel {
    const s: SpecSkel = workloadSkel(spec);
    const pf = obj(spec.prefill);
    if (pf) s.prefill = workloadSkel(pf);
    return s;
}

function mergeContainers(base: ContainerSkel[], over: ContainerSkel[]): ContainerSkel[] {
    const out = base.map((c) => ({ ...c }));
    const byName = new Map(out.map((c, i) => [c.name, i]));
    for (const c of over) {
        const i = byName.get(c.name);
        if (i === undefined) {
            byName.set(c.name, out.length);
            out.push({ ...c });
            continue;
        }
        const m = out[i];
        if (c.restartPolicy !== undefined) m.restartPolicy = c.restartPolicy;
        if (c.requests !== undefined) m.requests = c.requests;
        if (c.limits !== undefined) m.limits = c.limits;
        if (c.cpuMem) {
            m.cpuMem = {
                requests: { ...(m.cpuMem?.requests ?? {}), ...c.cpuMem.requests },
                limits: { ...(m.cpuMem?.limits ?? {}), ...c.cpuMem.limits },
            };
        }
    }
    return out;
}

function mergePod(base: PodSkel | undefined, over: PodSkel | undefined): PodSkel | undefined {
    if (!base) return over;
    if (!over) return base;
    return { containers: mergeContainers(base.containers, over.containers), initContainers: mergeContainers(base.initContainers, over.initContainers) };
}

function mergeWorkload(base: WorkloadSkel, over: WorkloadSkel): WorkloadSkel {
    const out: WorkloadSkel = { ...base };
    if (over.replicas !== undefined) out.replicas = over.replicas;
    if (over.scaling) out.scaling = { ...(base.scaling ?? {}), ...over.scaling };
    if (over.parallelism) out.parallelism = { ...(base.parallelism ?? {}), ...over.parallelism };
    const t = mergePod(base.template, over.template);
    if (t) out.template = t;
    const w = mergePod(base.worker, over.worker);
    if (w) out.worker = w;
    return out;
}

function mergeSpec(base: SpecSkel, over: SpecSkel): SpecSkel {
    const out: SpecSkel = mergeWorkload(base, over);
    if (base.prefill || over.prefill) out.prefill = mergeWorkload(base.prefill ?? {}, over.prefill ?? {});
    return out;
}

function parallelismOf(w: WorkloadSkel): ParallelismSpec {
    const p = w.parallelism ?? {};
    const num = (v: unknown) => (typeof v === "number" ? v : undefined);
    return { tensor: num(p.tensor), pipeline: num(p.pipeline), data: num(p.data), dataLocal: num(p.dataLocal), expert: p.expert === true };
}

function isDataParallel(p: ParallelismSpec): boolean {
    return (p.data ?? 0) > 0 || (p.dataLocal ?? 0) > 0;
}

/** The well-known presets the controller adds for this (merged) topology (config_merge.go order). */
function implicitPresetNames(s: SpecSkel): string[] {
    const topo = (w: WorkloadSkel, prefix: string) => {
        if (!w.worker) return `${WELL_KNOWN_PRESET_PREFIX}${prefix}template`;
        return isDataParallel(parallelismOf(w))
            ? `${WELL_KNOWN_PRESET_PREFIX}${prefix}worker-data-parallel`
            : `${WELL_KNOWN_PRESET_PREFIX}${prefix}worker-pipeline-parallel`;
    };
    if (!s.prefill) return [topo(s, "")];
    return [topo(s.prefill, "prefill-"), topo(s, "decode-")];
}

// ---------------------------------------------------------------------------------------------------------------
// Presets

/** The presets (LLMInferenceServiceConfig) a stack registers, by namespace and name. */
export interface PresetIndex {
    get(namespace: string, name: string): Obj | undefined;
}

export function namespaceOf(props: Obj): string {
    return str(obj(props.metadata)?.namespace) ?? "default";
}

export function metadataName(r: { name: string; props: Obj }): string {
    return str(obj(r.props.metadata)?.name) ?? r.name;
}

/** Type token of the yaml/v2 ConfigGroup, whose `objs` input may carry presets. */
export const CONFIG_GROUP_TYPE = "kubernetes:yaml/v2:ConfigGroup";

/**
 * Presets registered as LLMInferenceServiceConfig resources, or passed as objects in a yaml/v2
 * ConfigGroup's `objs` (offline the group is one resource; the engine also analyzes its children, which
 * are the same presets).
 */
export function indexPresets(resources: Iterable<ResourceLike>): PresetIndex {
    const m = new Map<string, Obj>();
    const add = (o: Obj, fallbackName: string) => m.set(`${namespaceOf(o)}/${str(obj(o.metadata)?.name) ?? fallbackName}`, obj(o.spec) ?? {});
    for (const r of resources) {
        if (LLM_PRESET_TYPES.has(r.type)) {
            add(r.props, r.name);
        } else if (r.type === CONFIG_GROUP_TYPE) {
            for (const o of arr(r.props.objs).flatMap((x) => (Array.isArray(x) ? x : [x]))) {
                const oo = obj(o);
                if (oo && oo.kind === "LLMInferenceServiceConfig" && typeof oo.apiVersion === "string" && oo.apiVersion.startsWith("serving.kserve.io/")) add(oo, "");
            }
        }
    }
    return { get: (ns, name) => m.get(`${ns}/${name}`) };
}

/** The names in `spec.baseRefs`. */
export function baseRefNames(spec: Obj): string[] {
    return arr(spec.baseRefs).map((r) => str(obj(r)?.name)).filter((n): n is string => !!n);
}

// ---------------------------------------------------------------------------------------------------------------
// Demand of one service

export interface WorkloadDemand {
    role: "main" | "prefill";
    replicas: number;
    /** Where the replica count came from. */
    replicasFrom: "replicas" | "scaling.maxReplicas" | "default";
    /** Pods per replica (LeaderWorkerSet size), 1 without `worker`. */
    groupSize: number;
    leaderGpus: number;
    /** GPUs of one worker pod (0 without `worker`). */
    workerGpus: number;
    /** GPUs of one replica: leader + (groupSize − 1) × worker. */
    gpusPerReplica: number;
    gpus: number;
    /** What the scheduler must find on one node for the leader pod (and for each worker pod, with `worker`). */
    leaderPod: PodRequests;
    workerPod?: PodRequests;
}

/** A pod's effective requests as the scheduler sizes it: GPUs, vCPU and GiB of memory. */
export interface PodRequests {
    gpus: number;
    cpu: number;
    memoryGiB: number;
}

/**
 * CPU and memory a pod asks the scheduler for: per container the request (the limit when no request is set, which
 * is what Kubernetes defaults the request to), combined like podGpus: max(app containers + sidecars, each plain
 * init container + the sidecars before it). A value that is not a quantity counts as 0 (the API server rejects it).
 */
export function podCpuMemory(containers: readonly { init: boolean; sidecar: boolean; requests: Obj; limits: Obj }[]): { cpu: number; memoryGiB: number } {
    const sum = { cpu: 0, mem: 0 };
    const side = { cpu: 0, mem: 0 };
    const peak = { cpu: 0, mem: 0 };
    for (const c of containers) {
        const v = (k: string) => parseQuantity(c.requests[k] ?? c.limits[k]) ?? 0;
        const cpu = v("cpu");
        const mem = v("memory");
        if (!c.init) {
            sum.cpu += cpu;
            sum.mem += mem;
        } else if (c.sidecar) {
            side.cpu += cpu;
            side.mem += mem;
        } else {
            peak.cpu = Math.max(peak.cpu, cpu + side.cpu);
            peak.mem = Math.max(peak.mem, mem + side.mem);
        }
    }
    return { cpu: Math.max(sum.cpu + side.cpu, peak.cpu), memoryGiB: Math.max(sum.mem + side.mem, peak.mem) / 2 ** 30 };
}

/** The effective requests of a pod spec as written (GPUs undeterminable → the reason). */
export function podRequestsOf(pod: Obj): { ok: true; pod: PodRequests } | { ok: false; reason: string } {
    const g = podGpus(pod);
    if (!g.known) return { ok: false, reason: g.reason };
    const containers: { init: boolean; sidecar: boolean; requests: Obj; limits: Obj }[] = [];
    const read = (c: unknown, init: boolean) => {
        const o = obj(c);
        if (!o) return;
        const res = obj(o.resources);
        containers.push({ init, sidecar: init && o.restartPolicy === "Always", requests: obj(res?.requests) ?? {}, limits: obj(res?.limits) ?? {} });
    };
    arr(pod.initContainers).forEach((c) => read(c, true));
    arr(pod.containers).forEach((c) => read(c, false));
    return { ok: true, pod: { gpus: g.gpus, ...podCpuMemory(containers) } };
}

interface DemandBase {
    /** Presets merged (in merge order), `namespace/name`. */
    appliedPresets: string[];
    /**
     * baseRefs that could not be looked at (only when no preset index was given, e.g. in a resource
     * policy that sees one resource): the demand is then a lower bound.
     */
    unresolvedPresets: string[];
}
export interface KnownDemand extends DemandBase {
    known: true;
    gpus: number;
    workloads: WorkloadDemand[];
}
export interface UndeterminableDemand extends DemandBase {
    known: false;
    reason: string;
}
export type GpuDemand = KnownDemand | UndeterminableDemand;

export interface DemandOptions {
    /** The service's namespace (for preset lookup); default "default". */
    namespace?: string;
    /**
     * Presets the stack registers. Omit when they cannot be seen (a resource policy): refs that are not
     * KServe well-known presets are then listed in `unresolvedPresets` and the demand is a lower bound.
     * When given, a ref to a preset that is neither registered nor well-known makes the demand undeterminable.
     */
    presets?: PresetIndex;
}

function count(v: unknown, where: string, min: number): { ok: true; n: number } | { ok: false; reason: string } {
    if (typeof v === "number" && Number.isInteger(v) && v >= min) return { ok: true, n: v };
    return { ok: false, reason: `${where} is ${JSON.stringify(v)}, not an integer ≥ ${min}` };
}

function workloadDemand(w: WorkloadSkel, role: "main" | "prefill", path: string): { ok: true; d: WorkloadDemand } | { ok: false; reason: string } {
    // Replicas: worst case. The CRD forbids replicas together with scaling; after a preset merge both may be
    // present, so take the larger.
    let replicas = 1;
    let replicasFrom: WorkloadDemand["replicasFrom"] = "default";
    if (w.replicas !== undefined) {
        const c = count(w.replicas, `${path}replicas`, 0);
        if (!c.ok) return c;
        replicas = c.n;
        replicasFrom = "replicas";
    }
    if (w.scaling) {
        if (w.scaling.maxReplicas === undefined) return { ok: false, reason: `${path}scaling has no maxReplicas` };
        const c = count(w.scaling.maxReplicas, `${path}scaling.maxReplicas`, 0);
        if (!c.ok) return c;
        if (replicasFrom === "default" || c.n > replicas) {
            replicas = c.n;
            replicasFrom = "scaling.maxReplicas";
        }
    }
    const par = w.parallelism ?? {};
    for (const k of ["pipeline", "data", "dataLocal"]) {
        if (par[k] !== undefined) {
            const c = count(par[k], `${path}parallelism.${k}`, 1);
            if (!c.ok) return c;
        }
    }
    const hasWorker = w.worker !== undefined;
    const size = groupSize(parallelismOf(w), hasWorker);
    const podOf = (p: PodSkel | undefined, where: string): GpuCount => {
        if (!p) return known(0);
        const pod: Obj = {
            containers: p.containers.map((c) => ({ name: c.name, resources: { requests: c.requests === undefined ? {} : { [GPU_RESOURCE]: c.requests }, limits: c.limits === undefined ? {} : { [GPU_RESOURCE]: c.limits } } })),
            initContainers: p.initContainers.map((c) => ({ name: c.name, restartPolicy: c.restartPolicy, resources: { requests: c.requests === undefined ? {} : { [GPU_RESOURCE]: c.requests }, limits: c.limits === undefined ? {} : { [GPU_RESOURCE]: c.limits } } })),
        };
        return podGpus(pod, where);
    };
    // Without `template` the LeaderWorkerSet leader uses the worker template.
    const leaderSkel = w.template ?? w.worker;
    const leader = podOf(leaderSkel, w.template ? `${path}template` : `${path}worker (as leader)`);
    if (!leader.known) return { ok: false, reason: leader.reason };
    const worker = hasWorker ? podOf(w.worker, `${path}worker`) : known(0);
    if (!worker.known) return { ok: false, reason: worker.reason };
    const gpusPerReplica = leader.gpus + (size - 1) * worker.gpus;
    const cpuMemOf = (p: PodSkel | undefined) => podCpuMemory([
        ...(p?.initContainers ?? []).map((c) => ({ init: true, sidecar: c.restartPolicy === "Always", requests: c.cpuMem?.requests ?? {}, limits: c.cpuMem?.limits ?? {} })),
        ...(p?.containers ?? []).map((c) => ({ init: false, sidecar: false, requests: c.cpuMem?.requests ?? {}, limits: c.cpuMem?.limits ?? {} })),
    ]);
    const d: WorkloadDemand = {
        role, replicas, replicasFrom, groupSize: size, leaderGpus: leader.gpus, workerGpus: worker.gpus, gpusPerReplica, gpus: replicas * gpusPerReplica,
        leaderPod: { gpus: leader.gpus, ...cpuMemOf(leaderSkel) },
    };
    if (hasWorker) d.workerPod = { gpus: worker.gpus, ...cpuMemOf(w.worker) };
    return { ok: true, d };
}

/**
 * Worst-case GPU demand of one LLMInferenceService spec (see the header for the rules), after merging
 * the presets its `baseRefs` name.
 */
export function serviceDemand(spec: unknown, options: DemandOptions = {}): GpuDemand {
    const appliedPresets: string[] = [];
    const unresolvedPresets: string[] = [];
    const fail = (reason: string): UndeterminableDemand => ({ known: false, reason, appliedPresets, unresolvedPresets });
    const s = obj(spec);
    if (!s) return fail("the resource has no spec");
    const ns = options.namespace ?? "default";
    const lookup = (name: string): { key: string; spec: Obj } | undefined => {
        if (!options.presets) return undefined;
        for (const where of [ns, KSERVE_PRESET_NAMESPACE]) {
            const found = options.presets.get(where, name);
            if (found) return { key: `${where}/${name}`, spec: found };
        }
        return undefined;
    };

    const own = specSkel(s);
    const userRefs: SpecSkel[] = [];
    for (const name of baseRefNames(s)) {
        const found = lookup(name);
        if (found) {
            userRefs.push(specSkel(found.spec));
            appliedPresets.push(found.key);
        } else if (name.startsWith(WELL_KNOWN_PRESET_PREFIX)) {
            // KServe's shipped presets set no GPU resources: nothing to add.
        } else if (options.presets) {
            return fail(`baseRef "${name}" names an LLMInferenceServiceConfig this stack does not register (looked in namespaces "${ns}" and "${KSERVE_PRESET_NAMESPACE}") and it is not a KServe well-known preset (${WELL_KNOWN_PRESET_PREFIX}*), so its GPU resources are unknown`);
        } else {
            unresolvedPresets.push(name);
        }
    }
    // The controller first merges the user's refs and the spec to see which topology is enabled, then puts its
    // own presets for that topology first (lowest precedence).
    const preview = [...userRefs, own].reduce(mergeSpec);
    const implicit: SpecSkel[] = [];
    const implicitKeys: string[] = [];
    for (const name of implicitPresetNames(preview)) {
        const found = lookup(name);
        if (found) {
            implicit.push(specSkel(found.spec));
            implicitKeys.push(found.key);
        }
    }
    appliedPresets.unshift(...implicitKeys);
    const merged = [...implicit, ...userRefs, own].reduce(mergeSpec);

    const main = workloadDemand(merged, "main", "spec.");
    if (!main.ok) return fail(main.reason);
    const workloads = [main.d];
    if (merged.prefill) {
        const pf = workloadDemand(merged.prefill, "prefill", "spec.prefill.");
        if (!pf.ok) return fail(pf.reason);
        workloads.push(pf.d);
    }
    return { known: true, gpus: workloads.reduce((a, w) => a + w.gpus, 0), workloads, appliedPresets, unresolvedPresets };
}

/** One-line description of a demand, e.g. `2 × (4) = 8` or `1 × (8 + 1 × 8) = 16 + prefill 2 × (1) = 2`. */
export function describeDemand(d: GpuDemand): string {
    if (!d.known) return `undeterminable: ${d.reason}`;
    const parts = d.workloads.map((w) => {
        const group = w.groupSize > 1 ? `${w.leaderGpus} + ${w.groupSize - 1} × ${w.workerGpus}` : `${w.leaderGpus}`;
        const label = w.role === "prefill" ? "prefill " : "";
        return `${label}${w.replicas} × (${group}) = ${w.gpus}`;
    });
    return parts.join(" + ");
}

// ---------------------------------------------------------------------------------------------------------------
// Core workloads

/** Worst-case GPU demand of a core workload (Pod, Deployment, …), or undefined if it declares no GPUs. */
export function workloadGpuDemand(r: { type: string; props: Obj }): GpuCount | undefined {
    const pods = podSpecsOf(r);
    if (!pods.some((p) => podRequestsGpus(p.pod))) return undefined;
    const spec = obj(r.props.spec) ?? {};
    const intField = (v: unknown, def: number, where: string): { ok: true; n: number } | { ok: false; reason: string } =>
        v === undefined || v === null ? { ok: true, n: def } : count(v, where, 0);
    const one = (pod: Obj, where: string) => podGpus(pod, where);
    switch (r.type) {
        case WORKLOAD_TYPES.pod:
            return one(pods[0].pod, "spec");
        case WORKLOAD_TYPES.deployment:
        case WORKLOAD_TYPES.statefulSet:
        case WORKLOAD_TYPES.replicaSet:
        case WORKLOAD_TYPES.job: {
            const field = r.type === WORKLOAD_TYPES.job ? "parallelism" : "replicas";
            const n = intField(spec[field], 1, `spec.${field}`);
            if (!n.ok) return unknownCount(n.reason);
            const g = one(pods[0].pod, pods[0].path);
            return g.known ? known(n.n * g.gpus) : g;
        }
        case WORKLOAD_TYPES.cronJob: {
            const policy = spec.concurrencyPolicy;
            if (policy !== "Forbid" && policy !== "Replace") {
                return unknownCount(`a CronJob with concurrencyPolicy ${JSON.stringify(policy ?? "Allow")} can run any number of Jobs at once; set concurrencyPolicy: Forbid (or Replace)`);
            }
            const jobSpec = obj(obj(spec.jobTemplate)?.spec) ?? {};
            const n = intField(jobSpec.parallelism, 1, "spec.jobTemplate.spec.parallelism");
            if (!n.ok) return unknownCount(n.reason);
            const g = one(pods[0].pod, pods[0].path);
            return g.known ? known(n.n * g.gpus) : g;
        }
        case WORKLOAD_TYPES.daemonSet:
            return unknownCount("a DaemonSet runs one pod per matching node, so its GPU demand depends on the node count");
        case WORKLOAD_TYPES.leaderWorkerSet: {
            const n = intField(spec.replicas, 1, "spec.replicas");
            if (!n.ok) return unknownCount(n.reason);
            const lwt = obj(spec.leaderWorkerTemplate) ?? {};
            const size = intField(lwt.size, 1, "spec.leaderWorkerTemplate.size");
            if (!size.ok) return unknownCount(size.reason);
            const worker = pods.find((p) => p.part === "worker");
            const leader = pods.find((p) => p.part === "template") ?? worker;
            const lg = leader ? one(leader.pod, leader.path) : known(0);
            if (!lg.known) return lg;
            const wg = worker ? one(worker.pod, worker.path) : known(0);
            if (!wg.known) return wg;
            return known(n.n * (lg.gpus + Math.max(size.n - 1, 0) * wg.gpus));
        }
    }
    return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Pools: which pool a pod targets, and what each pool can hold

/** The pool a pod spec selects: nodeSelector `modelplane.io/pool`, or a required affinity `In` one value. */
export function selectedPool(pod: Obj): string | undefined {
    const sel = str(obj(pod.nodeSelector)?.[POOL_LABEL]);
    if (sel) return sel;
    const terms = arr(obj(obj(obj(pod.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms);
    const values = new Set<string>();
    for (const t of terms) {
        const exprs = arr(obj(t)?.matchExpressions).map(obj).filter((e): e is Obj => !!e && e.key === POOL_LABEL && e.operator === "In");
        if (exprs.length === 0) return undefined;
        for (const e of exprs) for (const v of arr(e.values)) if (typeof v === "string") values.add(v);
    }
    return values.size === 1 ? [...values][0] : undefined;
}

/** One resource that contributes nodes to a pool. */
export interface PoolSource {
    urn?: string;
    type: string;
    name: string;
    instanceType?: string;
    gpusPerNode?: number;
    maxNodes?: number;
    /** Why gpusPerNode or maxNodes is unknown. */
    reason?: string;
    /** A caveat on how the numbers were derived (e.g. GKE per-zone counts). */
    note?: string;
}

export interface PoolCapacity {
    pool: string;
    cloud: CatalogCloud | "existing";
    accelerator?: string;
    /** GPUs per node (the smallest over the pool's sources). */
    gpusPerNode?: number;
    /** Sum of the sources' max nodes. */
    maxNodes?: number;
    /** Sum over sources of maxNodes × gpusPerNode; undefined when any source's numbers are unknown. */
    capacity?: number;
    reason?: string;
    sources: PoolSource[];
}

function nonNegInt(v: unknown): number | undefined {
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The modelplane pool name of a node-pool-like resource, or undefined when it is not one (e.g. a system pool). */
export function poolNameOf(r: { type: string; props: Obj }): string | undefined {
    const p = r.props;
    switch (r.type) {
        case TYPES.eksNodeGroup:
            return str(obj(p.labels)?.[POOL_LABEL]);
        case TYPES.gkeNodePool:
            return str(obj(obj(p.nodeConfig)?.labels)?.[POOL_LABEL]);
        case TYPES.configMap: {
            const md = obj(p.metadata);
            if (str(md?.namespace) !== POOL_MARKER_NAMESPACE) return undefined;
            return str(obj(md?.annotations)?.[POOL_ANNOTATIONS.pool]);
        }
    }
    return undefined;
}

/** The instance/machine types of a cloud node pool resource (empty for other types). */
export function instanceTypesOf(r: { type: string; props: Obj }): string[] {
    if (r.type === TYPES.eksNodeGroup) {
        const listed = arr(r.props.instanceTypes).filter((t): t is string => typeof t === "string");
        if (listed.length > 0) return listed;
        // Capacity-block node groups must leave instanceTypes empty (EC2 takes it from the launch
        // template), so the cloud layer records it in the pool tag.
        const tagged = str(obj(r.props.tags)?.[POOL_ANNOTATIONS.instanceType]);
        return tagged ? [tagged] : [];
    }
    if (r.type === TYPES.gkeNodePool) {
        const mt = str(obj(r.props.nodeConfig)?.machineType);
        return mt ? [mt] : [];
    }
    return [];
}

/**
 * Max nodes of a cloud node pool. EKS: scalingConfig.maxSize. GKE: autoscaling.totalMaxNodeCount, or
 * maxNodeCount per zone × zones (nodeLocations); without nodeLocations the zone count is unknown and
 * the per-zone count is used with a note (a lower bound for a regional pool). Without autoscaling:
 * nodeCount (per zone) the same way.
 */
export function maxNodesOf(r: { type: string; props: Obj }): { maxNodes?: number; reason?: string; note?: string } {
    const p = r.props;
    if (r.type === TYPES.eksNodeGroup) {
        const n = nonNegInt(obj(p.scalingConfig)?.maxSize);
        return n === undefined ? { reason: "scalingConfig.maxSize is not set" } : { maxNodes: n };
    }
    if (r.type === TYPES.gkeNodePool) {
        const as = obj(p.autoscaling);
        const total = nonNegInt(as?.totalMaxNodeCount);
        if (total !== undefined) return { maxNodes: total };
        const perZone = as ? nonNegInt(as.maxNodeCount) : nonNegInt(p.nodeCount ?? p.initialNodeCount);
        if (perZone === undefined) return { reason: "neither autoscaling.totalMaxNodeCount nor autoscaling.maxNodeCount (or nodeCount) is set" };
        const zones = arr(p.nodeLocations).length;
        const field = as ? "autoscaling.maxNodeCount" : "nodeCount";
        if (zones > 0) return { maxNodes: perZone * zones, note: `${field} ${perZone} per zone × ${zones} zones` };
        return { maxNodes: perZone, note: `${field} ${perZone} is per zone and nodeLocations is not set: counted as one zone` };
    }
    if (r.type === TYPES.configMap) {
        const raw = obj(obj(p.metadata)?.annotations)?.[POOL_ANNOTATIONS.maxNodes];
        const n = nonNegInt(raw);
        return n === undefined ? { reason: `annotation ${POOL_ANNOTATIONS.maxNodes} is ${JSON.stringify(raw)}` } : { maxNodes: n };
    }
    return { reason: `${r.type} is not a node pool` };
}

function poolSource(r: ResourceLike): { source: PoolSource; cloud: PoolCapacity["cloud"]; accelerator?: string } {
    const base: PoolSource = { urn: r.urn, type: r.type, name: r.name };
    const max = maxNodesOf(r);
    const withMax = (s: PoolSource): PoolSource => {
        const out = { ...s };
        if (max.maxNodes !== undefined) out.maxNodes = max.maxNodes;
        if (max.note) out.note = max.note;
        const reasons = [s.reason, max.reason].filter(Boolean);
        if (reasons.length) out.reason = reasons.join("; ");
        else delete out.reason;
        return out;
    };
    if (r.type === TYPES.configMap) {
        const ann = obj(obj(r.props.metadata)?.annotations) ?? {};
        const gpn = nonNegInt(ann[POOL_ANNOTATIONS.gpusPerNode]);
        const s: PoolSource = { ...base, instanceType: str(ann[POOL_ANNOTATIONS.instanceType]) };
        if (gpn === undefined) s.reason = `annotation ${POOL_ANNOTATIONS.gpusPerNode} is ${JSON.stringify(ann[POOL_ANNOTATIONS.gpusPerNode])}`;
        else s.gpusPerNode = gpn;
        return { source: withMax(s), cloud: "existing", accelerator: str(ann[POOL_ANNOTATIONS.accelerator]) };
    }
    const cloud: CatalogCloud = r.type === TYPES.eksNodeGroup ? "aws" : "gcp";
    const types = instanceTypesOf(r);
    const labels = r.type === TYPES.eksNodeGroup ? obj(r.props.labels) : obj(obj(r.props.nodeConfig)?.labels);
    let accelerator = str(labels?.[POOL_ANNOTATIONS.accelerator]);
    const s: PoolSource = { ...base, instanceType: types.join(",") || undefined };
    if (types.length === 0) {
        s.reason = cloud === "aws" ? "instanceTypes is empty" : "nodeConfig.machineType is not set";
        return { source: withMax(s), cloud, accelerator };
    }
    // Several instance types: capacity is counted with the smallest GPU count (the worst case).
    let gpn: number | undefined;
    for (const t of types) {
        const row = findInstanceType(t, cloud);
        let g = row?.gpus;
        if (row && !accelerator) accelerator = row.accelerator;
        if (g === undefined && cloud === "gcp") {
            const gas = arr(obj(r.props.nodeConfig)?.guestAccelerators).map(obj).filter((a): a is Obj => !!a);
            const sum = gas.reduce((a, ga) => a + (nonNegInt(ga.count) ?? 0), 0);
            if (sum > 0) {
                g = sum;
                if (!accelerator) accelerator = findAcceleratorByGkeType(str(gas[0].type) ?? "")?.key;
            }
        }
        if (g === undefined) {
            s.reason = `${cloud === "aws" ? "instance type" : "machine type"} ${t} is not in lib/catalog (GPUs per node unknown)`;
            return { source: withMax(s), cloud, accelerator };
        }
        gpn = gpn === undefined ? g : Math.min(gpn, g);
    }
    s.gpusPerNode = gpn;
    return { source: withMax(s), cloud, accelerator };
}

/** Whether a resource is a modelplane GPU pool (cloud node group/pool with the pool label, or an existing-cluster marker). */
export function isPoolResource(r: { type: string; props: Obj }): boolean {
    return (r.type === TYPES.eksNodeGroup || r.type === TYPES.gkeNodePool || r.type === TYPES.configMap) && poolNameOf(r) !== undefined;
}

/** Capacity of every pool the stack declares, merged by pool name (several node groups may form one pool). */
export function poolCapacities(resources: Iterable<ResourceLike>): Map<string, PoolCapacity> {
    const pools = new Map<string, PoolCapacity>();
    for (const r of resources) {
        if (!isPoolResource(r)) continue;
        const name = poolNameOf(r)!;
        const { source, cloud, accelerator } = poolSource(r);
        let p = pools.get(name);
        if (!p) {
            p = { pool: name, cloud, sources: [] };
            pools.set(name, p);
        }
        p.sources.push(source);
        if (!p.accelerator && accelerator) p.accelerator = accelerator;
    }
    for (const p of pools.values()) {
        const bad = p.sources.find((s) => s.reason);
        p.gpusPerNode = p.sources.every((s) => s.gpusPerNode !== undefined) ? Math.min(...p.sources.map((s) => s.gpusPerNode!)) : undefined;
        p.maxNodes = p.sources.every((s) => s.maxNodes !== undefined) ? p.sources.reduce((a, s) => a + s.maxNodes!, 0) : undefined;
        if (bad) p.reason = `${bad.type.split(":").pop()} ${bad.name}: ${bad.reason}`;
        else p.capacity = p.sources.reduce((a, s) => a + s.maxNodes! * s.gpusPerNode!, 0);
    }
    return pools;
}

// ---------------------------------------------------------------------------------------------------------------
// The whole stack, indexed once

/** One GPU consumer: an LLMInferenceService or a core workload that declares GPUs. */
export interface Consumer {
    urn?: string;
    type: string;
    /** Pulumi resource name. */
    resourceName: string;
    /** Kubernetes name (metadata.name): the model name for services. */
    name: string;
    namespace: string;
    team: string;
    /** Where the team came from. */
    teamFrom: "namespace-label" | "annotation" | "namespace";
    pool?: string;
    kind: "service" | "workload";
    demand: GpuCount;
    /** Full demand details (services only). */
    detail?: GpuDemand;
    annotations: Record<string, string>;
}

export interface StackIndex {
    consumers: Consumer[];
    /** Namespace name → team label (undefined when the Namespace is registered without the label). */
    namespaces: Map<string, { team?: string; urn?: string }>;
    /** Namespace → ResourceQuotas registered in it. */
    resourceQuotas: Map<string, ResourceLike[]>;
    pools: Map<string, PoolCapacity>;
    presets: PresetIndex;
}

function stringMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    const o = obj(v);
    if (o) for (const k of Object.keys(o)) if (typeof o[k] === "string") out[k] = o[k] as string;
    return out;
}

/** Team of a namespace/object: the Namespace's `modelplane.io/team` label, else the object's team annotation, else the namespace name. */
export function resolveTeam(
    namespace: string,
    annotations: Record<string, string>,
    namespaces: Map<string, { team?: string }>,
): { team: string; from: Consumer["teamFrom"] } {
    const label = namespaces.get(namespace)?.team;
    if (label) return { team: label, from: "namespace-label" };
    const ann = annotations[ANNOTATIONS.team];
    if (ann) return { team: ann, from: "annotation" };
    return { team: namespace, from: "namespace" };
}

// Indexes of frozen lists, so the stack policies of one run (plan/policy-runner.ts hands them all the same
// frozen list) compute the demand of the stack once instead of once per policy. A frozen list cannot
// change, so its index cannot go stale; callers share the index and only read it.
const frozenIndexes = new WeakMap<readonly ResourceLike[], StackIndex>();

/**
 * Builds the index in one pass over the resources (plus one over the GPU consumers): linear in their
 * number. For a frozen list the index is built once and the same object returned again: do not modify it.
 */
export function indexStack(resources: readonly ResourceLike[]): StackIndex {
    if (!Object.isFrozen(resources)) return buildIndex(resources);
    let index = frozenIndexes.get(resources);
    if (index === undefined) {
        index = buildIndex(resources);
        frozenIndexes.set(resources, index);
    }
    return index;
}

function buildIndex(resources: readonly ResourceLike[]): StackIndex {
    const namespaces = new Map<string, { team?: string; urn?: string }>();
    const resourceQuotas = new Map<string, ResourceLike[]>();
    const services: ResourceLike[] = [];
    const workloads: ResourceLike[] = [];
    for (const r of resources) {
        if (r.type === TYPES.namespace) {
            const md = obj(r.props.metadata);
            const name = str(md?.name) ?? r.name;
            namespaces.set(name, { team: str(obj(md?.labels)?.[TEAM_LABEL]), urn: r.urn });
        } else if (r.type === TYPES.resourceQuota) {
            const ns = namespaceOf(r.props);
            const list = resourceQuotas.get(ns) ?? [];
            list.push(r);
            resourceQuotas.set(ns, list);
        } else if (LLM_SERVICE_TYPES.has(r.type)) {
            services.push(r);
        } else if (WORKLOAD_TYPE_SET.has(r.type)) {
            workloads.push(r);
        }
    }
    const presets = indexPresets(resources);
    const consumers: Consumer[] = [];
    for (const r of services) {
        const namespace = namespaceOf(r.props);
        const annotations = stringMap(obj(r.props.metadata)?.annotations);
        const { team, from } = resolveTeam(namespace, annotations, namespaces);
        const spec = obj(r.props.spec);
        const detail = serviceDemand(spec, { namespace, presets });
        const templatePool = spec ? selectedPool(obj(spec.template) ?? obj(spec.worker) ?? {}) : undefined;
        consumers.push({
            urn: r.urn, type: r.type, resourceName: r.name, name: metadataName(r), namespace, team, teamFrom: from,
            pool: annotations[ANNOTATIONS.pool] ?? templatePool,
            kind: "service",
            demand: detail.known ? known(detail.gpus) : unknownCount(detail.reason),
            detail, annotations,
        });
    }
    for (const r of workloads) {
        const demand = workloadGpuDemand(r);
        if (!demand) continue;
        const namespace = namespaceOf(r.props);
        const annotations = stringMap(obj(r.props.metadata)?.annotations);
        const { team, from } = resolveTeam(namespace, annotations, namespaces);
        const pools = podSpecsOf(r).map((p) => selectedPool(p.pod)).filter((p): p is string => !!p);
        consumers.push({
            urn: r.urn, type: r.type, resourceName: r.name, name: metadataName(r), namespace, team, teamFrom: from,
            pool: pools[0], kind: "workload", demand, annotations,
        });
    }
    return { consumers, namespaces, resourceQuotas, pools: poolCapacities(resources), presets };
}

/** Summed demand of a group of consumers (a team, a pool, a namespace). */
export interface DemandTotal {
    key: string;
    /** Sum of the known demands. */
    gpus: number;
    consumers: Consumer[];
    /** Consumers whose demand is undeterminable. */
    undeterminable: Consumer[];
    namespaces: Set<string>;
}

function totals(consumers: Consumer[], key: (c: Consumer) => string | undefined): Map<string, DemandTotal> {
    const out = new Map<string, DemandTotal>();
    for (const c of consumers) {
        const k = key(c);
        if (k === undefined) continue;
        let t = out.get(k);
        if (!t) {
            t = { key: k, gpus: 0, consumers: [], undeterminable: [], namespaces: new Set() };
            out.set(k, t);
        }
        t.consumers.push(c);
        t.namespaces.add(c.namespace);
        if (c.demand.known) t.gpus += c.demand.gpus;
        else t.undeterminable.push(c);
    }
    return out;
}

/** Demand per team (team = namespace label, else team annotation, else namespace name). */
export function demandByTeam(index: StackIndex): Map<string, DemandTotal> {
    return totals(index.consumers, (c) => c.team);
}

/** Demand per namespace. */
export function demandByNamespace(index: StackIndex): Map<string, DemandTotal> {
    return totals(index.consumers, (c) => c.namespace);
}

/** Demand per pool (pool annotation, else the pool the pod template selects); consumers without a pool are left out. */
export function demandByPool(index: StackIndex): Map<string, DemandTotal> {
    return totals(index.consumers, (c) => c.pool);
}

/** `llama-3-3-70b: 16, qwen3-32b: 12, vllm-debug (Deployment): ?` — the items of a total, largest first. */
export function describeConsumers(consumers: Consumer[]): string {
    const sorted = [...consumers].sort((a, b) => (b.demand.known ? b.demand.gpus : Infinity) - (a.demand.known ? a.demand.gpus : Infinity) || a.name.localeCompare(b.name));
    return sorted
        .map((c) => `${c.name}${c.kind === "workload" ? ` (${c.type.split(":").pop()})` : ""}: ${c.demand.known ? c.demand.gpus : "undeterminable"}`)
        .join(", ");
}

/** The accelerator memory (GiB) a service's annotations declare, falling back to the catalog by accelerator key. */
export function acceleratorMemoryOf(annotations: Record<string, string>): number | undefined {
    const raw = annotations[ANNOTATIONS.acceleratorMemoryGiB];
    if (raw !== undefined && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
    const acc = annotations[ANNOTATIONS.accelerator];
    return acc ? findAccelerator(acc)?.memoryGiB : undefined;
}
