// Resource policies on GPU pods: whole, non-overcommitted GPU requests, and GPU pods that land on a GPU
// pool. They look at each resource as declared (CrossGuard's resource policies see one resource at a
// time, so presets named by `baseRefs` are not visible here; the stack policies in quotas.ts merge them).
//
// Pods checked: LLMInferenceService `spec.template`, `spec.worker`, `spec.prefill.template`,
// `spec.prefill.worker`; core workloads Pod, Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, CronJob,
// and LeaderWorkerSet (leader and worker templates). gpu-requests-equal-limits also checks
// LLMInferenceServiceConfig presets. Custom resources are matched by `args.type` (validateResourceOfType
// cannot match them, research/pulumi.md §2.3); any other type calls `args.notApplicable()`, which throws
// in @pulumi/policy 1.21 and is reported as "not applicable".
import type { ResourceValidationArgs, ResourceValidationPolicy, ReportViolation } from "@pulumi/policy";
import {
    containerGpus, isLlmPreset, isLlmService, isObject, isWorkload, parseQuantity, podRequestsGpus, podSpecsOf, selectedPool, WORKLOAD_TYPES,
} from "../lib/demand";
import { GPU_RESOURCE, GPU_TAINT, POOL_LABEL } from "../lib/labels";
import { CONFIG_FILE, configFileFor, describeResource, policyConfig, strictSchema } from "./common";

const WORKLOAD_KINDS = Object.values(WORKLOAD_TYPES).map((t) => t.split(":").pop()).join(", ");

function requireGpuCapableType(args: ResourceValidationArgs, withPresets: boolean): void {
    if (isLlmService(args) || isWorkload(args) || (withPresets && isLlmPreset(args))) return;
    args.notApplicable(
        `applies to LLMInferenceService${withPresets ? ", LLMInferenceServiceConfig" : ""} and ${WORKLOAD_KINDS}, not ${args.type}`,
    );
}

function fmt(v: unknown): string {
    return typeof v === "string" ? `"${v}"` : JSON.stringify(v);
}

export const gpuRequestsEqualLimits: ResourceValidationPolicy = {
    name: "gpu-requests-equal-limits",
    description: "GPU requests equal GPU limits and are whole numbers.",
    remediationSteps:
        `Set resources.limits["${GPU_RESOURCE}"] to a whole number and resources.requests["${GPU_RESOURCE}"] to the same value ` +
        "(or leave the request out: Kubernetes defaults it to the limit).",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        requireGpuCapableType(args, true);
        const what = describeResource(args);
        for (const { path, pod } of podSpecsOf(args)) {
            for (const c of containerGpus(pod)) {
                if (c.request === undefined && c.limit === undefined) continue;
                const where = `${what}: ${c.init ? "initContainer" : "container"} "${c.name}" in ${path}`;
                const problems: string[] = [];
                const parsed: Record<"requests" | "limits", number | undefined> = { requests: undefined, limits: undefined };
                const fields: ("requests" | "limits")[] = [];
                if (c.request !== undefined) fields.push("requests");
                if (c.limit !== undefined) fields.push("limits");
                // Identical values get one message ("requests and limits[…] are "0.5"").
                const same = fields.length === 2 && JSON.stringify(c.request) === JSON.stringify(c.limit);
                for (const field of same ? (["limits"] as const) : fields) {
                    const v = field === "requests" ? c.request : c.limit;
                    const name = same ? `requests and limits["${GPU_RESOURCE}"] are` : `${field}["${GPU_RESOURCE}"] is`;
                    const q = parseQuantity(v);
                    if (q === undefined) problems.push(`${name} ${fmt(v)}, not a quantity`);
                    else if (Math.abs(q - Math.round(q)) > 1e-9) problems.push(`${name} ${fmt(v)}, a fraction of a GPU (GPUs are allocated whole)`);
                    else if (q < 0) problems.push(`${name} negative (${fmt(v)})`);
                    else if (same) parsed.requests = parsed.limits = Math.round(q);
                    else parsed[field] = Math.round(q);
                }
                if (c.request !== undefined && c.limit === undefined) {
                    problems.push(`requests ${fmt(c.request)} ${GPU_RESOURCE} without a limit (Kubernetes rejects extended-resource requests without an equal limit)`);
                } else if (parsed.requests !== undefined && parsed.limits !== undefined && parsed.requests !== parsed.limits) {
                    problems.push(`requests ${parsed.requests} ${GPU_RESOURCE} but its limit is ${parsed.limits} (GPUs cannot be overcommitted)`);
                }
                if (problems.length === 0) continue;
                report(
                    `${where} ${problems.join("; ")}. Fix: set resources.limits["${GPU_RESOURCE}"] to a whole number of GPUs and ` +
                        `resources.requests["${GPU_RESOURCE}"] to the same number (or omit the request).`,
                );
            }
        }
    },
};

/** Whether a pod selects a modelplane pool: nodeSelector, or a required node affinity in every term. */
export function selectsPool(pod: Record<string, unknown>): boolean {
    const sel = isObject(pod.nodeSelector) ? pod.nodeSelector[POOL_LABEL] : undefined;
    if (typeof sel === "string" && sel !== "") return true;
    const aff = isObject(pod.affinity) && isObject(pod.affinity.nodeAffinity) ? pod.affinity.nodeAffinity : undefined;
    const req = aff && isObject(aff.requiredDuringSchedulingIgnoredDuringExecution) ? aff.requiredDuringSchedulingIgnoredDuringExecution : undefined;
    const terms = req && Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
    // Terms are ORed: each one must pin the pool, or the pod could land anywhere through the others.
    return (
        terms.length > 0 &&
        terms.every(
            (t) =>
                isObject(t) &&
                Array.isArray(t.matchExpressions) &&
                t.matchExpressions.some(
                    (e) => isObject(e) && e.key === POOL_LABEL && e.operator === "In" && Array.isArray(e.values) && e.values.length > 0,
                ),
        )
    );
}

/** Whether a pod tolerates the GPU pools' taint `nvidia.com/gpu=present:NoSchedule`. */
export function toleratesGpuTaint(pod: Record<string, unknown>): boolean {
    const tolerations = Array.isArray(pod.tolerations) ? pod.tolerations : [];
    return tolerations.some((t) => {
        if (!isObject(t)) return false;
        const effectOk = t.effect === undefined || t.effect === "" || t.effect === GPU_TAINT.effect;
        if (!effectOk) return false;
        const op = t.operator ?? "Equal";
        if (t.key === undefined || t.key === "") return op === "Exists"; // tolerates every taint
        if (t.key !== GPU_TAINT.key) return false;
        return op === "Exists" || (op === "Equal" && t.value === GPU_TAINT.value);
    });
}

export const gpuWorkloadsTargetGpuPools: ResourceValidationPolicy = {
    name: "gpu-workloads-target-gpu-pools",
    description: "Pods that request GPUs select a modelplane GPU pool and tolerate its nvidia.com/gpu taint.",
    remediationSteps:
        `Add nodeSelector {"${POOL_LABEL}": "<pool>"} (or a required node affinity on ${POOL_LABEL}) and the toleration ` +
        `{key: "${GPU_TAINT.key}", operator: "Exists", effect: "${GPU_TAINT.effect}"} to every pod spec that requests GPUs.`,
    configSchema: strictSchema({
        untaintedPools: {
            type: "array",
            items: { type: "string", minLength: 1 },
            uniqueItems: true,
            default: [],
            description:
                "GPU pools whose nodes carry no nvidia.com/gpu taint (existing clusters with `taint: false`): pods that select them need no toleration.",
        },
    }),
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        requireGpuCapableType(args, false);
        const { untaintedPools } = policyConfig<{ untaintedPools: string[] }>(args, gpuWorkloadsTargetGpuPools);
        const what = describeResource(args);
        for (const { path, pod } of podSpecsOf(args)) {
            if (!podRequestsGpus(pod)) continue;
            const missing: string[] = [];
            const pool = selectedPool(pod);
            if (!selectsPool(pod)) {
                missing.push(
                    `does not select a GPU pool: add nodeSelector {"${POOL_LABEL}": "<pool>"} (or a required node affinity ` +
                        `"${POOL_LABEL} In [<pool>]" in every nodeSelectorTerm)`,
                );
            }
            if (!toleratesGpuTaint(pod) && !(pool !== undefined && untaintedPools.includes(pool))) {
                missing.push(
                    `does not tolerate the GPU taint ${GPU_TAINT.key}=${GPU_TAINT.value}:${GPU_TAINT.effect}: add the toleration ` +
                        `{key: "${GPU_TAINT.key}", operator: "Exists", effect: "${GPU_TAINT.effect}"}` +
                        ` (or, for a pool without the taint, list it in ${configFileFor(args.urn)} gpu-workloads-target-gpu-pools.untaintedPools)`,
                );
            }
            if (missing.length === 0) continue;
            const hint = isLlmService(args) ? " (modelplane sets both from modelplane:models[].pool; a raw template patch must not remove them)" : "";
            report(`${what}: the pod in ${path} requests GPUs but ${missing.join(", and ")}${hint}.`);
        }
    },
};

export const workloadPolicies: ResourceValidationPolicy[] = [gpuRequestsEqualLimits, gpuWorkloadsTargetGpuPools];
