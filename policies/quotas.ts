// GPU quotas: per team (stack), per namespace ResourceQuota (stack), and per model (resource).
//
// Demand is lib/demand.ts: worst case `replicas (or scaling.maxReplicas) × (leader + (groupSize − 1) ×
// worker GPUs)`, plus prefill, after merging the presets the stack registers (DESIGN.md §3). Core
// workloads that request GPUs (Deployment, Job, …) count towards their team too, so a plain Deployment
// cannot bypass the quota. Teams: the `modelplane.io/team` label of the namespace, else the object's
// `modelplane.io/team` annotation, else the namespace name.
//
// Quotas come from this pack's config file (policies/config/<stack>.json), which the platform team owns,
// never from the program's config: a model team cannot raise its own quota in Pulumi.<stack>.yaml.
// namespace-gpu-resourcequota has its own copy of the quotas (a policy only sees its own config);
// loadPolicyConfig (plan/policy-runner.ts) rejects a file where the two copies disagree. It also checks the
// namespace's ResourceQuota (modelplane:teams[].gpuQuota) from both sides: at most the team's quota, and at least
// the namespace's worst-case demand, so demand ≤ ResourceQuota ≤ quota holds and a quota raised in one file only
// is caught (issue 17).
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
    demandByNamespace, demandByTeam, describeConsumers, describeDemand, indexStack, isLlmService, metadataName, namespaceOf,
    parseQuantity, serviceDemand, resolveTeam, Consumer, DemandTotal, StackIndex,
} from "../lib/demand";
import { GPU_RESOURCE } from "../lib/labels";
import { CONFIG_FILE, configFileFor, describeResource, gpus, policyConfig, stackFileFor, strictSchema } from "./common";

/** The ResourceQuota key that caps GPU requests in a namespace. */
export const GPU_QUOTA_KEY = `requests.${GPU_RESOURCE}`;

const quotaProperties = {
    quotas: {
        type: "object" as const,
        description: "GPU quota per team (the modelplane.io/team label of the team's namespace): worst-case GPUs its models may hold.",
        additionalProperties: { type: "integer" as const, minimum: 0 },
    },
    defaultQuota: {
        type: "integer" as const,
        minimum: 0,
        default: 0,
        description: "Quota of a team that has no entry in `quotas` (0: unknown teams get no GPUs).",
    },
};

export interface QuotaConfig {
    quotas: Record<string, number>;
    defaultQuota: number;
}

function quotaOf(cfg: QuotaConfig, team: string): { quota: number; configured: boolean } {
    const q = cfg.quotas ?? {};
    return Object.hasOwn(q, team) ? { quota: q[team], configured: true } : { quota: cfg.defaultQuota ?? 0, configured: false };
}

/** The URN a team/namespace violation is attached to: the namespace when registered, else the largest consumer. */
function anchorUrn(index: StackIndex, total: DemandTotal): string | undefined {
    for (const ns of total.namespaces) {
        const urn = index.namespaces.get(ns)?.urn;
        if (urn) return urn;
    }
    const largest = [...total.consumers].sort((a, b) => (b.demand.known ? b.demand.gpus : 0) - (a.demand.known ? a.demand.gpus : 0))[0];
    return largest?.urn;
}

function consumerLabel(c: Consumer): string {
    return c.kind === "service" ? `model "${c.name}" (${c.namespace}/${c.name})` : `${c.type.split(":").pop()} ${c.namespace}/${c.name}`;
}

export const teamGpuQuota: StackValidationPolicy = {
    name: "team-gpu-quota",
    description: "Each team's summed worst-case GPU demand stays within its quota.",
    configSchema: strictSchema(quotaProperties),
    remediationSteps:
        `Lower replicas / scaling.maxReplicas (or parallelism) of the team's models, or have the platform team raise the team's quota in ` +
        `modelplane:teams[].gpuQuota and in ${CONFIG_FILE} (team-gpu-quota.quotas and namespace-gpu-resourcequota.quotas).`,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const cfg = policyConfig<QuotaConfig>(args, teamGpuQuota);
        const index = indexStack(args.resources);
        const configFile = configFileFor(args.resources[0]?.urn);
        for (const [team, total] of [...demandByTeam(index)].sort((a, b) => a[0].localeCompare(b[0]))) {
            const { quota, configured } = quotaOf(cfg, team);
            for (const c of total.undeterminable) {
                report(
                    `team "${team}": the GPU demand of ${consumerLabel(c)} cannot be determined (${c.demand.known ? "" : c.demand.reason}), ` +
                        `so its quota of ${gpus(quota)} cannot be checked; give every container a whole-number ${GPU_RESOURCE} limit ` +
                        `and a replica count (replicas or scaling.maxReplicas), and register every preset its baseRefs name.`,
                    c.urn,
                );
            }
            if (total.gpus <= quota) continue;
            const quotaText = configured
                ? `its quota is ${quota}`
                : `it has no entry in team-gpu-quota.quotas, so defaultQuota ${quota} applies`;
            const fix = configured
                ? `lower replicas/scaling.maxReplicas (or parallelism) of its models, or raise modelplane:teams[].gpuQuota and ` +
                  `${configFile} team-gpu-quota.quotas.${team} (and namespace-gpu-resourcequota.quotas.${team})`
                : `ask the platform team to add "${team}": <GPUs> to ${configFile} team-gpu-quota.quotas (and namespace-gpu-resourcequota.quotas), ` +
                  `or move the models to a team that has a quota`;
            report(
                `team "${team}" requests ${gpus(total.gpus)} (${describeConsumers(total.consumers.filter((c) => c.demand.known))}) but ${quotaText}; ${fix}.`,
                anchorUrn(index, total),
            );
        }
    },
};

function hardGpuQuota(rq: { props: Record<string, unknown> }): { scoped: boolean; value?: unknown } {
    const spec = rq.props.spec as Record<string, unknown> | undefined;
    const scoped = !!spec && ((Array.isArray(spec.scopes) && spec.scopes.length > 0) || spec.scopeSelector !== undefined);
    const hard = spec && typeof spec.hard === "object" && spec.hard !== null ? (spec.hard as Record<string, unknown>) : undefined;
    return { scoped, value: hard && Object.hasOwn(hard, GPU_QUOTA_KEY) ? hard[GPU_QUOTA_KEY] : undefined };
}

/** The GPU cap Kubernetes enforces in a namespace: the smallest unscoped whole-number `requests.nvidia.com/gpu` (undefined: none). */
export function namespaceGpuCap(index: StackIndex, ns: string): number | undefined {
    let cap: number | undefined;
    for (const rq of index.resourceQuotas.get(ns) ?? []) {
        const h = hardGpuQuota(rq);
        if (h.scoped || h.value === undefined) continue;
        const n = parseQuantity(h.value);
        if (n !== undefined && Number.isInteger(n) && n >= 0 && (cap === undefined || n < cap)) cap = n;
    }
    return cap;
}

export const namespaceGpuResourceQuota: StackValidationPolicy = {
    name: "namespace-gpu-resourcequota",
    description:
        `Every namespace with GPU workloads has a ResourceQuota on ${GPU_QUOTA_KEY} that covers the namespace's worst-case GPU demand ` +
        `and is no larger than its team's quota.`,
    configSchema: strictSchema(quotaProperties),
    remediationSteps:
        `Declare the team in modelplane:teams with gpuQuota (modelplane then creates the namespace's ResourceQuota on ${GPU_QUOTA_KEY}); ` +
        `keep gpuQuota at least the team's worst-case demand and at most the team's quota in ${CONFIG_FILE}.`,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const cfg = policyConfig<QuotaConfig>(args, namespaceGpuResourceQuota);
        const index = indexStack(args.resources);
        const configFile = configFileFor(args.resources[0]?.urn);
        for (const [ns, total] of [...demandByNamespace(index)].sort((a, b) => a[0].localeCompare(b[0]))) {
            const gpuConsumers = total.consumers.filter((c) => !c.demand.known || c.demand.gpus > 0);
            if (gpuConsumers.length === 0) continue;
            const { team } = resolveTeam(ns, gpuConsumers[0].annotations, index.namespaces);
            const { quota, configured } = quotaOf(cfg, team);
            const quotaText = configured ? `team "${team}"'s quota is ${quota}` : `team "${team}" has no quota in namespace-gpu-resourcequota.quotas (defaultQuota ${quota})`;
            const nsUrn = index.namespaces.get(ns)?.urn ?? gpuConsumers[0].urn;
            const rqs = index.resourceQuotas.get(ns) ?? [];
            const caps: { name: string; urn?: string; n?: number; raw: unknown }[] = [];
            for (const rq of rqs) {
                const h = hardGpuQuota(rq);
                if (h.scoped || h.value === undefined) continue;
                const q = parseQuantity(h.value);
                caps.push({ name: metadataName(rq), urn: rq.urn, n: q, raw: h.value });
            }
            if (caps.length === 0) {
                report(
                    `namespace "${ns}" runs GPU workloads (${describeConsumers(gpuConsumers)}) but has no ResourceQuota with ` +
                        `spec.hard["${GPU_QUOTA_KEY}"] (scoped quotas do not count), so GPU pods applied by hand are not capped at admission; ` +
                        `add one with at most ${gpus(quota)} (${quotaText}) — modelplane's team namespaces get it from modelplane:teams[].gpuQuota.`,
                    nsUrn,
                );
                continue;
            }
            for (const c of caps.filter((c) => c.n === undefined || !Number.isInteger(c.n) || c.n < 0)) {
                report(`ResourceQuota ${ns}/${c.name}: spec.hard["${GPU_QUOTA_KEY}"] is ${JSON.stringify(c.raw)}, not a whole number of GPUs; set it to at most ${quota}.`, c.urn);
            }
            const valid = caps.filter((c) => c.n !== undefined && Number.isInteger(c.n) && c.n >= 0);
            if (valid.length === 0) continue;
            // Kubernetes enforces every quota in the namespace: the smallest one is the cap.
            const cap = valid.reduce((a, c) => (c.n! < a.n! ? c : a));
            if (cap.n! > quota) {
                report(
                    `ResourceQuota ${ns}/${cap.name} allows ${gpus(cap.n!)} (${GPU_QUOTA_KEY}) in namespace "${ns}" but ${quotaText}; ` +
                        `set modelplane:teams[].gpuQuota for "${team}" to at most ${quota}, or have the platform team raise ` +
                        `team-gpu-quota.quotas.${team} and namespace-gpu-resourcequota.quotas.${team} in ${configFile}.`,
                    cap.urn,
                );
            }
            // The admission-time half of the quota: Kubernetes' quota admission rejects a pod whose GPU requests would
            // take the namespace's usage over spec.hard (https://kubernetes.io/docs/concepts/policy/resource-quotas/),
            // so a ResourceQuota below the worst-case demand stops pods of models that team-gpu-quota accepted (a quota
            // raised only in the policy file, or a gpuQuota of 0). Undeterminable demand is reported by team-gpu-quota.
            if (total.undeterminable.length === 0 && total.gpus > cap.n!) {
                // The pack sees no config: the plan turns `teams[]… for "<team>"` into the entry's index (plan/pinpoint.ts).
                const key = `modelplane:teams[].gpuQuota for "${team}" in ${stackFileFor(cap.urn)}`;
                const fix = total.gpus <= quota
                    ? `raise ${key} to at least ${total.gpus} (at most ${quota}, ${quotaText})`
                    : `lower replicas/scaling.maxReplicas (or parallelism) of its models, or raise both ${key} ` +
                      `and team-gpu-quota.quotas.${team} / namespace-gpu-resourcequota.quotas.${team} in ${configFile} to at least ${total.gpus}`;
                report(
                    `ResourceQuota ${ns}/${cap.name} allows ${gpus(cap.n!)} (${GPU_QUOTA_KEY}) in namespace "${ns}" but its workloads need ` +
                        `${gpus(total.gpus)} at their worst case (${describeConsumers(gpuConsumers)}): admission would reject the pods above ` +
                        `${cap.n}; ${fix}.`,
                    cap.urn,
                );
            }
        }
    },
};

export interface MaxGpusConfig {
    max: number;
}

export const maxGpusPerModel: ResourceValidationPolicy = {
    name: "max-gpus-per-model",
    description: "One model's worst-case GPU demand stays within a limit.",
    configSchema: strictSchema({
        max: {
            type: "integer",
            minimum: 0,
            default: 64,
            description: "Most GPUs one LLMInferenceService may hold at its worst case (replicas or scaling.maxReplicas, all pods, prefill included).",
        },
    }),
    remediationSteps: `Lower replicas / scaling.maxReplicas or parallelism, or raise max-gpus-per-model.max in ${CONFIG_FILE}.`,
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!isLlmService(args)) args.notApplicable(`applies to LLMInferenceService, not ${args.type}`);
        const { max } = policyConfig<MaxGpusConfig>(args, maxGpusPerModel);
        const namespace = namespaceOf(args.props);
        const model = metadataName(args);
        // A resource policy sees only this resource: presets named by baseRefs are not visible, so the demand
        // counts the service's own pods (a lower bound when it names presets); team-gpu-quota counts them.
        const d = serviceDemand(args.props.spec, { namespace });
        const what = `model "${model}" (${describeResource(args)})`;
        if (!d.known) {
            report(`${what}: its GPU demand cannot be determined (${d.reason}), so the limit of ${gpus(max)} per model cannot be checked.`);
            return;
        }
        if (d.gpus <= max) return;
        const lower = d.unresolvedPresets.length > 0 ? ` at least (presets ${d.unresolvedPresets.join(", ")} not counted)` : "";
        report(
            `${what} can hold${lower} ${gpus(d.gpus)} at its worst case (${describeDemand(d)}) but one model may use at most ${max}; ` +
                `lower replicas/scaling.maxReplicas or parallelism in modelplane:models[], or raise max-gpus-per-model.max in ${configFileFor(args.urn)}.`,
        );
    },
};

export const quotaPolicies: (ResourceValidationPolicy | StackValidationPolicy)[] = [teamGpuQuota, namespaceGpuResourceQuota, maxGpusPerModel];
