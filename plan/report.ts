// report.md: the text a pull-request comment shows for one stack.
import { PlatformConfig } from "../components/config";
import { RegisteredResource } from "../lib/resources";
import { isUnexpandedBundle, kubernetesObjects } from "./manifests";
import type { ModelSummary } from "./summary";

export interface ReportInput {
    config: PlatformConfig;
    resources: RegisteredResource[];
    outputs: Record<string, unknown>;
    /** Markdown of the GPU tables and policy results, when policies ran. */
    policySection?: string;
    /** Per model what a reviewer checks (plan/summary.ts): the Models table shows it. */
    models?: ModelSummary[];
}

function table(head: string[], rows: (string | number)[][]): string {
    const esc = (c: string | number) => String(c).replace(/\|/g, "\\|");
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n");
}

export function renderReport(input: ReportInput): string {
    const { config: cfg, resources } = input;
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    const byType = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const objects = kubernetesObjects(resources).length;
    const bundles = resources.filter(isUnexpandedBundle);

    const parts: string[] = [];
    parts.push(`# modelplane plan: \`${cfg.stack}\``);
    parts.push([
        `- cloud: **${cfg.cloud}**, cluster **${cfg.cluster.name}**`,
        `- ${resources.length} resources registered (${resources.filter((r) => r.custom).length} custom, ${resources.filter((r) => !r.custom).length} components), ${objects} Kubernetes objects written to \`manifests/\``,
        `- ${cfg.teams.length} teams, ${cfg.gpuPools.length} GPU pools, ${cfg.models.length} models`,
    ].join("\n"));

    if (input.models) {
        parts.push("## Models\n\nPer model: where it is in the stack file, its worst-case GPUs, its weights per GPU against the usable memory of " +
            "the pool's accelerator (model-fits-accelerator's headroom), its team namespace's GPU ResourceQuota and its endpoint.\n\n" +
            (input.models.length === 0 ? "_none_" : table(
                ["model", "team", "pool", "parallelism", "pods × GPUs per replica", "replicas", "worst-case GPUs", "loader", "weights per GPU", "ResourceQuota", "endpoint"],
                input.models.map((m) => [`${m.name}${m.prefill !== "—" ? " (P/D)" : ""} (\`${m.key}\`)`, m.team, m.pool, m.parallelism, m.shape, m.replicas, m.gpus, m.loader, m.weights, m.namespaceQuota, m.endpoint]),
            )));
    } else parts.push("## Models\n\n" + (cfg.models.length === 0 ? "_none_" : table(
        ["model", "team", "pool", "parallelism", "pods × GPUs per replica", "replicas", "worst-case GPUs", "loader"],
        cfg.models.map((m) => {
            const replicas = m.scaling ? `${m.scaling.minReplicas}–${m.scaling.maxReplicas}` : String(m.replicas ?? 1);
            const max = m.scaling?.maxReplicas ?? m.replicas ?? 1;
            let gpus = m.topology.gpusPerReplica * max;
            if (m.prefill && m.prefillTopology) gpus += m.prefillTopology.gpusPerReplica * (m.prefill.scaling?.maxReplicas ?? m.prefill.replicas ?? 1);
            const p = m.parallelism;
            const par = [`tp${p.tensor}`, p.pipeline ? `pp${p.pipeline}` : "", p.data ? `dp${p.data}/${p.dataLocal ?? p.data}` : "", p.expert ? "ep" : ""].filter(Boolean).join(" ");
            return [m.name + (m.prefill ? " (P/D)" : ""), m.team, m.pool, par, `${m.topology.podsPerReplica} × ${m.topology.gpusPerPod}`, replicas, gpus, m.loader];
        }),
    )));

    if (input.policySection) parts.push(input.policySection);

    parts.push("## Resources by type\n\n" + table(["type", "count"], byType.map(([t, n]) => [`\`${t}\``, n])));

    if (bundles.length > 0) {
        parts.push("## Not expanded offline\n\nCharts and remote manifests are rendered by the Pulumi engine at `preview`/`up`; the plan lists them with their pinned source.\n\n" +
            table(["resource", "type", "source", "version"], bundles.map((b) => {
                const p = b.props as Record<string, unknown>;
                const repo = (p.repositoryOpts as { repo?: string } | undefined)?.repo;
                const source = String(p.chart ?? p.file ?? (Array.isArray(p.files) ? p.files.join(", ") : "") ?? "");
                return [b.name, `\`${b.type}\``, repo ? `${repo} ${source}` : source, String(p.version ?? "")];
            })));
    }
    return parts.join("\n\n") + "\n";
}
