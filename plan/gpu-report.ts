// The GPU section of report.md: demand per team vs quota, per pool vs capacity, and the policy results —
// the part of a pull-request comment that says whether the change fits.
import { RegisteredResource } from "../lib/resources";
import { demandByPool, demandByTeam, DemandTotal, indexStack } from "../lib/demand";
import { namespaceGpuCap } from "../policies/quotas";
import { PolicyRunResult, resolvePolicyConfig } from "./policy-runner";

function cell(v: string | number): string {
    return String(v).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(head: string[], rows: (string | number)[][]): string {
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

function consumersCell(t: DemandTotal | undefined): string {
    if (!t || t.consumers.length === 0) return "—";
    return [...t.consumers]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => `${c.name}${c.kind === "workload" ? ` (${c.type.split(":").pop()})` : ""} (${c.demand.known ? c.demand.gpus : "?"})`)
        .join(", ");
}

function demandCell(t: DemandTotal | undefined): string {
    if (!t) return "0";
    return t.undeterminable.length > 0 ? `${t.gpus} + ${t.undeterminable.length} undeterminable` : String(t.gpus);
}

/**
 * Markdown with three parts: GPU demand per team vs quota (quotas from the team-gpu-quota config),
 * per pool vs capacity, and the policy results (each policy with its level and violation count, then
 * every violation with its resource and message).
 */
export function renderGpuReport(resources: RegisteredResource[], config: Record<string, unknown>, result: PolicyRunResult, stack = "<stack>"): string {
    const index = indexStack(resources);
    const resolved = resolvePolicyConfig(config);
    const quotaCfg = (resolved.get("team-gpu-quota")?.properties ?? {}) as { quotas?: Record<string, number>; defaultQuota?: number };
    const quotas = quotaCfg.quotas ?? {};
    const defaultQuota = quotaCfg.defaultQuota ?? 0;
    const parts: string[] = [];

    // Teams: every team with demand, every team with a quota, every team namespace.
    const byTeam = demandByTeam(index);
    const teams = new Set<string>([...byTeam.keys(), ...Object.keys(quotas)]);
    for (const ns of index.namespaces.values()) if (ns.team) teams.add(ns.team);
    // The team's namespaces: labelled with the team, or where its consumers run.
    const namespacesOf = (team: string): string[] => {
        const out = new Set<string>(byTeam.get(team)?.namespaces ?? []);
        for (const [name, ns] of index.namespaces) if (ns.team === team) out.add(name);
        return [...out].sort();
    };
    const teamRows = [...teams].sort().map((team) => {
        const t = byTeam.get(team);
        const has = Object.hasOwn(quotas, team);
        const quota = has ? quotas[team] : defaultQuota;
        const demand = t?.gpus ?? 0;
        const caps = namespacesOf(team).map((ns) => namespaceGpuCap(index, ns));
        const rq = caps.length > 0 && caps.every((c) => c !== undefined) ? caps.reduce((a, c) => a! + c!, 0)! : undefined;
        const status = t && t.undeterminable.length > 0 ? "undeterminable"
            : demand > quota ? "**over quota**"
            : rq !== undefined && demand > rq ? "**ResourceQuota below demand**"
            : rq !== undefined && rq > quota ? "**ResourceQuota above quota**"
            : "ok";
        return [team, consumersCell(t), demandCell(t), rq ?? "none", has ? quota : `${quota} (default)`, Math.min(quota, rq ?? quota) - demand, status];
    });
    parts.push(
        "## GPU demand per team\n\nWorst case: replicas (or scaling.maxReplicas) × GPUs per replica (all pods of a multi-node group), prefill included.\n\n" +
            `A team's GPU quota is written in two places, and the plan fails unless demand ≤ ResourceQuota ≤ quota: ` +
            `**ResourceQuota** is the team namespace's \`requests.nvidia.com/gpu\` (admission time), from \`modelplane:teams[i].gpuQuota\` in ` +
            `\`Pulumi.${stack}.yaml\` (\`namespace-gpu-resourcequota\`); **quota** is \`team-gpu-quota.quotas.<team>\` in ` +
            `\`policies/config/${stack}.json\` (preview time, \`team-gpu-quota\`; its copy in \`namespace-gpu-resourcequota.quotas\` must be equal). ` +
            "Raise or lower both in the same change.\n\n" +
            (teamRows.length ? table(["team", "models", "demand", "ResourceQuota", "quota", "headroom", "status"], teamRows) : "_no teams_"),
    );

    // Pools: every declared pool, plus pools models name that are not declared.
    const byPool = demandByPool(index);
    const pools = new Set<string>([...index.pools.keys(), ...byPool.keys()]);
    const poolRows = [...pools].sort().map((pool) => {
        const cap = index.pools.get(pool);
        const t = byPool.get(pool);
        const demand = t?.gpus ?? 0;
        let status: string;
        if (!cap) status = demand > 0 || (t?.undeterminable.length ?? 0) > 0 ? "**not declared**" : "not declared";
        else if (cap.capacity === undefined) status = `unknown capacity: ${cap.reason}`;
        else if (t && t.undeterminable.length > 0) status = "undeterminable";
        else status = demand > cap.capacity ? "**over capacity**" : "ok";
        return [
            pool,
            cap?.accelerator ?? "?",
            cap?.gpusPerNode ?? "?",
            cap?.maxNodes ?? "?",
            cap?.capacity ?? "?",
            demandCell(t),
            status,
        ];
    });
    parts.push(
        "## GPU demand per pool\n\n" +
            (poolRows.length ? table(["pool", "accelerator", "GPUs/node", "maxNodes", "capacity", "demand", "status"], poolRows) : "_no GPU pools_"),
    );

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
