// The GPU section of report.md: demand per team vs quota, per pool vs capacity, and the policy results —
// the part of a pull-request comment that says whether the change fits.
import { RegisteredResource } from "../lib/resources";
import { demandByPool, demandByTeam, indexStack } from "../lib/demand";
import { describeNodeShape, describeUnplaced, nodesNeeded, packPools } from "../lib/pool-packing";
import { describeNode } from "../lib/packing";
import { namespaceGpuCap } from "../policies/quotas";
import { PolicyRunResult, resolvePolicyConfig } from "./policy-runner";

/** Where a team's two quota numbers live and what the plan checks about them. */
export const QUOTA_EXPLAINER = (stack: string): string =>
    "A team's GPU quota is written in two places, and the plan fails unless demand ≤ ResourceQuota ≤ quota: " +
    "**ResourceQuota** is the team namespace's `requests.nvidia.com/gpu` (admission time), from `modelplane:teams[i].gpuQuota` in " +
    `\`Pulumi.${stack}.yaml\` (\`namespace-gpu-resourcequota\`); **quota** is \`team-gpu-quota.quotas.<team>\` in ` +
    `\`policies/config/${stack}.json\` (preview time, \`team-gpu-quota\`; its copy in \`namespace-gpu-resourcequota.quotas\` must be equal). ` +
    "Raise or lower both in the same change.";

function cell(v: string | number): string {
    return String(v).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(head: string[], rows: (string | number)[][]): string {
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** One team's row: demand (worst case), its namespaces' GPU ResourceQuota and its policy quota. */
export interface TeamRow {
    team: string;
    /** `name (gpus)` of each consumer, sorted by name. */
    consumers: { name: string; gpus: number | undefined }[];
    demand: number;
    undeterminable: number;
    /** Sum of the namespaces' GPU caps; undefined when a namespace has none. */
    resourceQuota?: number;
    quota: number;
    quotaIsDefault: boolean;
    status: "ok" | "undeterminable" | "over quota" | "ResourceQuota below demand" | "ResourceQuota above quota";
}

export interface PoolRow {
    pool: string;
    accelerator?: string;
    gpusPerNode?: number;
    maxNodes?: number;
    capacity?: number;
    demand: number;
    undeterminable: number;
    status: string;
}

/** The GPU tables as data (report.md renders them; the PR comment diffs them against the base plan). */
export function gpuTables(resources: RegisteredResource[], config: Record<string, unknown>): { teams: TeamRow[]; pools: PoolRow[] } {
    const index = indexStack(resources);
    const resolved = resolvePolicyConfig(config);
    const quotaCfg = (resolved.get("team-gpu-quota")?.properties ?? {}) as { quotas?: Record<string, number>; defaultQuota?: number };
    const quotas = quotaCfg.quotas ?? {};
    const defaultQuota = quotaCfg.defaultQuota ?? 0;

    // Teams: every team with demand, every team with a quota, every team namespace.
    const byTeam = demandByTeam(index);
    const teamNames = new Set<string>([...byTeam.keys(), ...Object.keys(quotas)]);
    for (const ns of index.namespaces.values()) if (ns.team) teamNames.add(ns.team);
    // The team's namespaces: labelled with the team, or where its consumers run.
    const namespacesOf = (team: string): string[] => {
        const out = new Set<string>(byTeam.get(team)?.namespaces ?? []);
        for (const [name, ns] of index.namespaces) if (ns.team === team) out.add(name);
        return [...out].sort();
    };
    const teams = [...teamNames].sort().map((team): TeamRow => {
        const t = byTeam.get(team);
        const has = Object.hasOwn(quotas, team);
        const quota = has ? quotas[team] : defaultQuota;
        const demand = t?.gpus ?? 0;
        const caps = namespacesOf(team).map((ns) => namespaceGpuCap(index, ns));
        const rq = caps.length > 0 && caps.every((c) => c !== undefined) ? caps.reduce((a, c) => a! + c!, 0)! : undefined;
        const status: TeamRow["status"] = t && t.undeterminable.length > 0 ? "undeterminable"
            : demand > quota ? "over quota"
            : rq !== undefined && demand > rq ? "ResourceQuota below demand"
            : rq !== undefined && rq > quota ? "ResourceQuota above quota"
            : "ok";
        const consumers = [...(t?.consumers ?? [])].sort((a, b) => a.name.localeCompare(b.name))
            .map((c) => ({ name: `${c.name}${c.kind === "workload" ? ` (${c.type.split(":").pop()})` : ""}`, gpus: c.demand.known ? c.demand.gpus : undefined }));
        return { team, consumers, demand, undeterminable: t?.undeterminable.length ?? 0, resourceQuota: rq, quota, quotaIsDefault: !has, status };
    });

    // Pools: every declared pool, plus pools models name that are not declared.
    const byPool = demandByPool(index);
    const poolNames = new Set<string>([...index.pools.keys(), ...byPool.keys()]);
    const pools = [...poolNames].sort().map((pool): PoolRow => {
        const cap = index.pools.get(pool);
        const t = byPool.get(pool);
        const demand = t?.gpus ?? 0;
        let status: string;
        if (!cap) status = demand > 0 || (t?.undeterminable.length ?? 0) > 0 ? "not declared!" : "not declared";
        else if (cap.capacity === undefined) status = `unknown capacity: ${cap.reason}`;
        else if (t && t.undeterminable.length > 0) status = "undeterminable";
        else status = demand > cap.capacity ? "over capacity" : "ok";
        return { pool, accelerator: cap?.accelerator, gpusPerNode: cap?.gpusPerNode, maxNodes: cap?.maxNodes, capacity: cap?.capacity, demand, undeterminable: t?.undeterminable.length ?? 0, status };
    });
    return { teams, pools };
}

const demandText = (demand: number, undeterminable: number): string => (undeterminable > 0 ? `${demand} + ${undeterminable} undeterminable` : String(demand));
/** Statuses that need action are bold. */
export const statusCell = (s: string): string => (s === "ok" || s === "not declared" || s === "undeterminable" || s.startsWith("unknown capacity") ? s : `**${s.replace(/!$/, "")}**`);

/**
 * Markdown with three parts: GPU demand per team vs quota (quotas from the team-gpu-quota config),
 * per pool vs capacity, and the policy results (each policy with its level and violation count, then
 * every violation with its resource and message).
 */
export function renderGpuReport(resources: RegisteredResource[], config: Record<string, unknown>, result: PolicyRunResult, stack = "<stack>"): string {
    const { teams, pools } = gpuTables(resources, config);
    const parts: string[] = [];
    const teamRows = teams.map((t) => [
        t.team,
        t.consumers.length === 0 ? "—" : t.consumers.map((c) => `${c.name} (${c.gpus ?? "?"})`).join(", "),
        demandText(t.demand, t.undeterminable), t.resourceQuota ?? "none", t.quotaIsDefault ? `${t.quota} (default)` : t.quota,
        Math.min(t.quota, t.resourceQuota ?? t.quota) - t.demand, statusCell(t.status),
    ]);
    parts.push(
        "## GPU demand per team\n\nWorst case: replicas (or scaling.maxReplicas) × GPUs per replica (all pods of a multi-node group), prefill included.\n\n" +
            QUOTA_EXPLAINER(stack) + "\n\n" +
            (teamRows.length ? table(["team", "models", "demand", "ResourceQuota", "quota", "headroom", "status"], teamRows) : "_no teams_"),
    );
    const poolRows = pools.map((p) => [p.pool, p.accelerator ?? "?", p.gpusPerNode ?? "?", p.maxNodes ?? "?", p.capacity ?? "?", demandText(p.demand, p.undeterminable), statusCell(p.status)]);
    parts.push(
        "## GPU demand per pool\n\n" +
            (poolRows.length ? table(["pool", "accelerator", "GPUs/node", "maxNodes", "capacity", "demand", "status"], poolRows) : "_no GPU pools_"),
    );

    parts.push(renderPackingSection(resources));

    // Policy results.
    const mandatory = result.violations.filter((v) => v.level === "mandatory").length;
    const advisory = result.violations.filter((v) => v.level === "advisory").length;
    const lines: string[] = [
        `## Policy results (modelplane-gpu-guard)\n\n${mandatory} mandatory, ${advisory} advisory violation${advisory === 1 ? "" : "s"}.`,
        table(["policy", "level", "violations"], result.policies.map((p) => [`\`${p.name}\``, p.level, p.violations])),
    ];
    if (result.violations.length > 0) {
        lines.push(
            result.violations
                .map((v) => `- **${v.level}** \`${v.policy}\`${v.resourceName ? ` on \`${v.resourceName}\`` : v.urn ? ` on \`${v.urn}\`` : ""}: ${v.message.replace(/\r?\n/g, " ")}`)
                .join("\n"),
        );
    }
    parts.push(lines.join("\n\n"));
    return parts.join("\n\n") + "\n";
}

/**
 * Pods packed whole onto each pool's nodes (what `gpu-pool-capacity` checks after the GPU sum): per pool the node's
 * allocatable, the nodes the pods need against maxNodes, and what each node holds.
 */
export function renderPackingSection(resources: RegisteredResource[]): string {
    const packs = [...packPools(resources).values()].sort((a, b) => a.pool.localeCompare(b.pool));
    const intro = "## Pod packing per pool\n\nThe scheduler places each pod whole on one node, with its CPU and memory as well as its GPUs, so a pool " +
        "can hold its GPUs in sum and still not its pods. Worst-case pods (prefill and every pod of a multi-node group included) packed " +
        "largest first onto nodes of the pool's allocatable (capacity minus the system reserve and the DaemonSets the stack declares on them).";
    if (packs.length === 0) return `${intro}\n\n_no pool with pods to pack_`;
    const rows = packs.map((p) => {
        const need = nodesNeeded(p);
        const nodes = p.packing.nodes.map((n, k) => `${k + 1}: ${describeNode(n)} (${n.free.gpus} GPUs free)`).join("; ");
        const left = p.packing.unplaced.length ? `; **left over: ${describeUnplaced(p.packing)}**` : "";
        return [
            p.pool, describeNodeShape(p), p.pods.length, `${need.atLeast ? "> " : ""}${need.nodes}`, p.maxNodes,
            statusCell(p.packing.unplaced.length ? "does not fit" : "ok"), (nodes || "—") + left,
        ];
    });
    return `${intro}\n\n${table(["pool", "node", "pods", "nodes needed", "maxNodes", "status", "nodes (first-fit decreasing)"], rows)}`;
}
