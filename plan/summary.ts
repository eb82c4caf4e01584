// summary.json: what a plan found, as data, so a later plan can say what changed (plan/comment.ts diffs the base
// branch's summary against the pull request's). Written next to report.md, also when the plan fails.
import { ConfigError, ConfigIssue, formatPath, PlatformConfig } from "../components/config";
import { checkFit, gib } from "../lib/fit";
import { RegisteredResource } from "../lib/resources";
import { gpuTables, PoolRow, TeamRow } from "./gpu-report";
import { PolicyConfigError, PolicyRunResult, PolicyViolation, resolvePolicyConfig } from "./policy-runner";

export const SUMMARY_FILE = "summary.json";

/** What a reviewer checks per model; every field is compared between the base plan and this one. */
export interface ModelSummary {
    name: string;
    /** `modelplane:models[3]`: where the model is in the stack file (`models/a.yaml[3]` for one from modelplane:modelFiles). */
    key: string;
    team: string;
    pool: string;
    uri: string;
    servedName: string;
    loader: string;
    parallelism: string;
    /** Pods × GPUs per pod of one replica. */
    shape: string;
    replicas: string;
    /** Worst-case GPUs (replicas or scaling.maxReplicas × GPUs per replica, prefill included). */
    gpus: number;
    prefill: string;
    /** Weights per GPU vs the usable memory of the pool's accelerator (model-fits-accelerator's numbers). */
    weights: string;
    /** The team namespace's GPU ResourceQuota (modelplane:teams[i].gpuQuota). */
    namespaceQuota: string;
    endpoint: string;
    vllmArgs: string;
    image: string;
    resources: string;
    template: string;
}

export interface PlanSummary {
    version: 1;
    stack: string;
    /** ok: no mandatory violation; violations: mandatory violations; invalid: config errors; failed: policy config or crash. */
    status: "ok" | "violations" | "invalid" | "failed";
    stackFile: string;
    models: ModelSummary[];
    teams: TeamRow[];
    pools: PoolRow[];
    violations: PolicyViolation[];
    /** Config errors, path by path (status invalid). */
    errors: ConfigIssue[];
    /** Why the plan stopped (status failed). */
    failure?: string;
    resources: number;
}

const worst = (w: { replicas?: number; scaling?: { maxReplicas: number } }): number => w.scaling?.maxReplicas ?? w.replicas ?? 1;
const replicasText = (w: { replicas?: number; scaling?: { minReplicas: number; maxReplicas: number } }): string =>
    w.scaling ? `${w.scaling.minReplicas}–${w.scaling.maxReplicas}` : String(w.replicas ?? 1);
const parallelismText = (p: PlatformConfig["models"][number]["parallelism"]): string =>
    [`tp${p.tensor}`, p.pipeline ? `pp${p.pipeline}` : "", p.data ? `dp${p.data}/${p.dataLocal ?? p.data}` : "", p.expert ? "ep" : ""].filter(Boolean).join(" ");

export function buildSummary(input: {
    config: PlatformConfig; resources: RegisteredResource[]; outputs: Record<string, unknown>; policies: PolicyRunResult;
    policyConfig: Record<string, unknown>; stackFile: string;
}): PlanSummary {
    const { config: cfg, resources, outputs, policies, policyConfig } = input;
    const { teams, pools } = gpuTables(resources, policyConfig);
    const headroom = Number((resolvePolicyConfig(policyConfig).get("model-fits-accelerator")?.properties as { headroom?: number } | undefined)?.headroom ?? 0.9);
    const poolByName = new Map(cfg.gpuPools.map((p) => [p.name, p]));
    const teamQuota = new Map(cfg.teams.map((t, i) => [t.name, `${t.gpuQuota} (${formatPath(["teams", i, "gpuQuota"])})`]));
    const modelOutputs = (outputs.models ?? {}) as Record<string, { endpoint?: unknown }>;
    const models = cfg.models.map((m, i): ModelSummary => {
        const pool = poolByName.get(m.pool);
        let gpus = m.topology.gpusPerReplica * worst(m);
        if (m.prefill && m.prefillTopology) gpus += m.prefillTopology.gpusPerReplica * worst(m.prefill);
        let weights = "—";
        if (pool && pool.acceleratorMemoryGiB > 0) {
            const fit = checkFit({ paramsBillions: m.size.paramsBillions, dtype: m.size.dtype, tensor: m.parallelism.tensor, pipeline: m.parallelism.pipeline, acceleratorMemoryGiB: pool.acceleratorMemoryGiB, headroom });
            weights = `${gib(fit.weightsPerGpuGiB)} of ${gib(fit.usableGiB)} GiB usable per ${pool.accelerator}${fit.fits ? "" : " (does not fit)"}`;
        } else if (pool) weights = "CPU pool";
        const endpoint = modelOutputs[m.name]?.endpoint;
        return {
            name: m.name, key: cfg.modelPaths?.[i] ?? formatPath(["models", i]), team: m.team, pool: m.pool, uri: m.uri, servedName: m.servedName ?? m.name, loader: m.loader,
            parallelism: parallelismText(m.parallelism), shape: `${m.topology.podsPerReplica} × ${m.topology.gpusPerPod}`, replicas: replicasText(m), gpus,
            prefill: m.prefill && m.prefillTopology ? `${replicasText(m.prefill)} × ${m.prefillTopology.podsPerReplica} × ${m.prefillTopology.gpusPerPod} (${parallelismText(m.prefill.parallelism)})` : "—",
            weights, namespaceQuota: teamQuota.get(m.team) ?? "—",
            endpoint: typeof endpoint === "string" ? endpoint : "—",
            vllmArgs: m.vllm.args.join(" ") || "—", image: m.vllm.image ?? "(preset)",
            resources: m.resources ? JSON.stringify(m.resources) : "(sized from the pool)",
            template: m.template ? JSON.stringify(m.template) : "—",
        };
    });
    const mandatory = policies.violations.some((v) => v.level === "mandatory");
    return {
        version: 1, stack: cfg.stack, status: mandatory ? "violations" : "ok", stackFile: input.stackFile,
        models, teams, pools, violations: policies.violations, errors: [], resources: resources.length,
    };
}

/** The summary of a plan that stopped: its config errors path by path, or why it stopped. */
export function failedSummary(stack: string, stackFile: string, error: unknown): PlanSummary {
    const base = { version: 1 as const, stack, stackFile, models: [], teams: [], pools: [], violations: [], resources: 0 };
    if (error instanceof ConfigError) return { ...base, status: "invalid", errors: error.issues };
    const failure = error instanceof PolicyConfigError ? `invalid policy config: ${error.message}` : `the plan crashed: ${error instanceof Error ? error.message : String(error)}`;
    return { ...base, status: "failed", errors: [], failure };
}
