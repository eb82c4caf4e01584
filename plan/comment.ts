// The pull-request comment: for each stack, what changed against the base branch's plan first (models added,
// removed and changed with their fields, GPU demand per team and pool before → after, every violation), then the
// full report.md in a collapsed section — all within GitHub's comment limit.
//
// GitHub rejects an issue comment body over 65,536 characters (the REST API answers 422 "body is too long (maximum
// is 65536 characters)"). The comment is built in priority order so that what decides the review always fits:
//   1. per stack: status, config errors path by path, every violation (each message cut at VIOLATION_CHARS), the
//      per-team and per-pool tables (rows, not the list of models behind each number);
//   2. model changes (rows until the room runs out, then a count);
//   3. the full report.md of each stack, collapsed, cut at a line boundary when it does not fit.
// Whatever is cut names the artifact that has it in full.
import * as fs from "node:fs";
import * as path from "node:path";
import { ModelSummary, PlanSummary, SUMMARY_FILE } from "./summary";
import { statusCell } from "./gpu-report";
import { PoolRow, TeamRow } from "./gpu-report";
import { PolicyViolation } from "./policy-runner";

/** GitHub's limit for an issue/PR comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** The comment stays this far below the limit (the marker, the workflow's footer). */
const MARGIN = 1_000;
/** Longest violation message shown in the comment (team and pool messages list every model; report.md has them all). */
export const VIOLATION_CHARS = 700;
export const COMMENT_MARKER = "<!-- modelplane-plan -->";

export interface StackPlans {
    stack: string;
    head: PlanSummary | undefined;
    base: PlanSummary | undefined;
    /** report.md of the head plan. */
    report: string | undefined;
}

export interface CommentOptions {
    /** Link to the full plan artifacts (the workflow run). */
    artifactUrl?: string;
    limit?: number;
}

const MODEL_FIELDS: (keyof ModelSummary)[] = [
    "team", "pool", "uri", "servedName", "loader", "parallelism", "shape", "replicas", "gpus", "prefill", "weights", "namespaceQuota",
    "endpoint", "vllmArgs", "image", "resources", "template",
];

export interface ModelChange {
    kind: "added" | "removed" | "changed";
    model: ModelSummary;
    fields: { field: string; before: string; after: string }[];
}

export interface PlanDiff {
    /** Whether there was a base plan to compare against (else every value is this branch's alone). */
    hasBase: boolean;
    models: ModelChange[];
    teams: { row: TeamRow | undefined; before: TeamRow | undefined }[];
    pools: { row: PoolRow | undefined; before: PoolRow | undefined }[];
    /** Head violations, each marked new when the base plan did not have it. */
    violations: { v: PolicyViolation; isNew: boolean }[];
    /** Base violations this change resolves. */
    resolved: PolicyViolation[];
}

const violationKey = (v: PolicyViolation): string => `${v.policy}|${v.resourceName ?? v.urn ?? ""}|${v.message}`;

/** What changed from `base` (undefined: no base plan) to `head`. */
export function diffPlans(base: PlanSummary | undefined, head: PlanSummary): PlanDiff {
    const baseModels = new Map((base?.models ?? []).map((m) => [m.name, m]));
    const headModels = new Map(head.models.map((m) => [m.name, m]));
    const models: ModelChange[] = [];
    for (const m of head.models) {
        const b = baseModels.get(m.name);
        if (!b) {
            models.push({ kind: "added", model: m, fields: [] });
            continue;
        }
        const fields = MODEL_FIELDS.filter((f) => String(b[f]) !== String(m[f])).map((f) => ({ field: f, before: String(b[f]), after: String(m[f]) }));
        if (fields.length > 0) models.push({ kind: "changed", model: m, fields });
    }
    for (const b of base?.models ?? []) if (!headModels.has(b.name)) models.push({ kind: "removed", model: b, fields: [] });

    const pair = <T extends { [k: string]: unknown }>(heads: T[], bases: T[], key: keyof T) => {
        const bm = new Map(bases.map((r) => [r[key], r]));
        const names = new Set([...heads.map((r) => r[key]), ...bases.map((r) => r[key])]);
        const hm = new Map(heads.map((r) => [r[key], r]));
        return [...names].sort().map((n) => ({ row: hm.get(n), before: bm.get(n) }));
    };
    const baseViolations = new Set((base?.violations ?? []).map(violationKey));
    const headViolations = new Set(head.violations.map(violationKey));
    return {
        hasBase: base !== undefined,
        models,
        teams: pair(head.teams as unknown as { [k: string]: unknown }[], (base?.teams ?? []) as unknown as { [k: string]: unknown }[], "team") as PlanDiff["teams"],
        pools: pair(head.pools as unknown as { [k: string]: unknown }[], (base?.pools ?? []) as unknown as { [k: string]: unknown }[], "pool") as PlanDiff["pools"],
        violations: head.violations.map((v) => ({ v, isNew: base !== undefined && !baseViolations.has(violationKey(v)) })),
        resolved: (base?.violations ?? []).filter((v) => !headViolations.has(violationKey(v))),
    };
}

function cell(v: unknown): string {
    return String(v).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function table(head: string[], rows: unknown[][]): string {
    return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
/** `8 → 16`, or `8` when unchanged, `— → 8` for new rows. */
const changeText = (before: unknown, after: unknown): string =>
    before === undefined ? `— → ${after ?? "—"}` : after === undefined ? `${before} → —` : String(before) === String(after) ? String(after) : `${before} → **${after}**`;

function statusLine(head: PlanSummary | undefined): string {
    if (!head) return "⛔ no plan (the job failed before writing one; see the job log)";
    switch (head.status) {
        case "ok": return `✅ no mandatory violation${head.violations.length ? ` (${head.violations.length} advisory)` : ""}`;
        case "violations": return `❌ ${head.violations.filter((v) => v.level === "mandatory").length} mandatory violation(s): the plan fails`;
        case "invalid": return `⛔ invalid config: ${head.errors.length} error(s) in \`${head.stackFile}\``;
        default: return `⛔ ${head.failure ?? "the plan failed"}`;
    }
}

/** Part 1 of a stack: what decides the review. Always shown in full (violation messages cut at VIOLATION_CHARS). */
function essentials(s: StackPlans, diff: PlanDiff | undefined): string {
    const head = s.head;
    const out: string[] = [`## \`${s.stack}\` — ${statusLine(head)}`];
    if (!head) return out.join("\n\n");
    if (head.status === "invalid") {
        out.push(`Fix these in \`${head.stackFile}\` (every error at once, in file order):\n\n` + head.errors.map((e) => `- \`${e.path}\`: ${cut(e.message, VIOLATION_CHARS)}`).join("\n"));
        return out.join("\n\n");
    }
    if (head.status === "failed") return out.join("\n\n");
    if (!diff) return out.join("\n\n");

    const added = diff.models.filter((m) => m.kind === "added").length;
    const removed = diff.models.filter((m) => m.kind === "removed").length;
    const changed = diff.models.filter((m) => m.kind === "changed").length;
    out.push(s.base
        ? s.base.status === "invalid" || s.base.status === "failed"
            ? `Base plan: ${statusLine(s.base)} — nothing to compare against; below is this branch's plan.`
            : `**Changes against the base branch:** ${added} model(s) added, ${removed} removed, ${changed} changed; ` +
              `${diff.violations.filter((v) => v.isNew).length} new violation(s), ${diff.resolved.length} resolved.`
        : "No base plan to compare against (a new stack, or a base branch without `summary.json`): below is this branch's plan.");

    if (diff.violations.length > 0) {
        out.push(`### Violations (${diff.violations.length}, every one)\n\n` + diff.violations.map(({ v, isNew }) =>
            `- **${v.level}**${isNew ? " 🆕" : ""} \`${v.policy}\`${v.resourceName ? ` on \`${v.resourceName}\`` : ""}: ${cut(v.message.replace(/\r?\n/g, " "), VIOLATION_CHARS)}`).join("\n"));
    }
    if (diff.resolved.length > 0) {
        out.push(`Resolved by this change: ${diff.resolved.map((v) => `\`${v.policy}\`${v.resourceName ? ` on \`${v.resourceName}\`` : ""}`).join(", ")}`);
    }
    const change = diff.hasBase ? changeText : (_: unknown, after: unknown) => String(after ?? "—");
    const teamRows = diff.teams.map(({ row, before }) => [
        row?.team ?? before?.team, change(before?.consumers.length, row?.consumers.length), change(before?.demand, row?.demand),
        change(before?.resourceQuota ?? (before ? "none" : undefined), row ? row.resourceQuota ?? "none" : undefined), change(before?.quota, row?.quota), row ? statusCell(row.status) : "removed",
    ]);
    if (teamRows.length > 0) {
        out.push(`### GPU demand per team${diff.hasBase ? " (base → this branch)" : ""}\n\n` + table(["team", "models", "demand", "ResourceQuota", "quota", "status"], teamRows));
    }
    const poolRows = diff.pools.map(({ row, before }) => [
        row?.pool ?? before?.pool, row?.accelerator ?? before?.accelerator ?? "?", change(before?.capacity, row?.capacity), change(before?.demand, row?.demand), row ? statusCell(row.status) : "removed",
    ]);
    if (poolRows.length > 0) {
        out.push(`### GPU demand per pool${diff.hasBase ? " (base → this branch)" : ""}\n\n` + table(["pool", "accelerator", "capacity", "demand", "status"], poolRows));
    }
    return out.join("\n\n");
}

/** Part 2: model changes, as many rows as `room` allows. */
function modelChanges(diff: PlanDiff | undefined, room: number): string {
    // Without a base every model would be "added": the snapshot's Models table lists them instead.
    if (!diff || !diff.hasBase || diff.models.length === 0) return "";
    const head = `### Models changed (${diff.models.length})\n\n| change | model | fields |\n| --- | --- | --- |`;
    const rows: string[] = [];
    let used = head.length;
    for (const c of diff.models) {
        const what = c.kind === "changed"
            ? c.fields.map((f) => `${f.field}: ${cut(f.before, 120)} → **${cut(f.after, 120)}**`).join("; ")
            : c.kind === "added"
                ? `team ${c.model.team}, pool ${c.model.pool}, ${c.model.parallelism}, ${c.model.shape} GPUs × ${c.model.replicas} replicas = ${c.model.gpus} GPUs; weights ${c.model.weights}; ResourceQuota ${c.model.namespaceQuota}; endpoint ${c.model.endpoint}`
                : `was team ${c.model.team}, pool ${c.model.pool}, ${c.model.gpus} GPUs`;
        const row = `| ${c.kind} | \`${c.model.name}\` (\`${c.model.key}\`) | ${cell(what)} |`;
        if (used + row.length + 200 > room) {
            rows.push(`\n_… and ${diff.models.length - rows.length} more model change(s): see \`summary.json\` in the plan artifact._`);
            break;
        }
        rows.push(row);
        used += row.length + 1;
    }
    return [head, ...rows].join("\n");
}

/** Part 3: the full report, collapsed; cut at a line boundary to `room` characters. */
function snapshot(s: StackPlans, room: number, artifactUrl: string | undefined): string {
    if (!s.report) return "";
    const open = `<details><summary>Full plan of <b>${s.stack}</b> (report.md)</summary>\n\n`;
    const close = "\n</details>";
    const where = artifactUrl ? `[the plan artifact](${artifactUrl})` : "the plan artifact";
    if (open.length + s.report.length + close.length <= room) return open + s.report + close;
    const note = `\n\n_… cut here to stay within GitHub's comment limit: the whole report.md is in ${where} (\`plan-${s.stack}\`)._`;
    const budget = room - open.length - close.length - note.length;
    if (budget < 200) return `_The full plan of \`${s.stack}\` does not fit in this comment: see ${where} (\`plan-${s.stack}\`)._`;
    const text = s.report.slice(0, budget);
    return open + text.slice(0, Math.max(0, text.lastIndexOf("\n"))) + note + close;
}

/** The whole comment for every stack, at most `limit` characters (GitHub's limit by default). */
export function renderComment(stacks: StackPlans[], options: CommentOptions = {}): string {
    const limit = (options.limit ?? GITHUB_COMMENT_LIMIT) - MARGIN;
    const diffs = stacks.map((s) => (s.head && s.head.status !== "invalid" && s.head.status !== "failed" ? diffPlans(s.base?.status === "ok" || s.base?.status === "violations" ? s.base : undefined, s.head) : undefined));
    const header = `${COMMENT_MARKER}\n# modelplane offline plan\n\n` +
        (options.artifactUrl ? `Full plans (resources.json, manifests/, report.md, summary.json): [artifacts of this run](${options.artifactUrl}).\n` : "");
    const parts1 = stacks.map((s, i) => essentials(s, diffs[i]));
    let used = header.length + parts1.reduce((a, p) => a + p.length + 2, 0);
    if (used > limit) {
        // Only when thousands of violations or config errors: keep the order, cut at a line boundary.
        const all = header + parts1.join("\n\n");
        const note = "\n\n_… cut to stay within GitHub's comment limit; the full list is in report.md of the plan artifact._";
        const text = all.slice(0, limit - note.length);
        return text.slice(0, text.lastIndexOf("\n")) + note + "\n";
    }
    // Model changes share the room left equally; then the snapshots share what is left after that.
    const share = (left: number) => Math.floor(left / Math.max(1, stacks.length));
    const parts2 = stacks.map((_, i) => modelChanges(diffs[i], share(limit - used)));
    used += parts2.reduce((a, p) => a + p.length + 2, 0);
    const parts3 = stacks.map((s) => snapshot(s, share(limit - used) - 4, options.artifactUrl));
    const body = stacks.map((_, i) => [parts1[i], parts2[i], parts3[i]].filter((p) => p !== "").join("\n\n")).join("\n\n---\n\n");
    return `${header}\n${body}\n`;
}

/** Reads `<dir>/summary.json` (undefined when the plan there wrote none). */
export function readSummary(dir: string): PlanSummary | undefined {
    const file = path.join(dir, SUMMARY_FILE);
    if (!fs.existsSync(file)) return undefined;
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as PlanSummary;
    return s.version === 1 ? s : undefined;
}

/** The stacks planned under `headDir` (one directory per stack, as the plan writes them), with their base plans. */
export function loadStackPlans(headDir: string, baseDir: string | undefined): StackPlans[] {
    const stacks = fs.readdirSync(headDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    return stacks.map((dir) => {
        const head = readSummary(path.join(headDir, dir));
        const reportFile = path.join(headDir, dir, "report.md");
        const stack = head?.stack ?? dir.replace(/^plan-/, "");
        // The workflow's artifacts: plans/plan-<stack> and base-plans/base-plan-<stack>; locally <dir>/<stack> in both.
        const baseOf = (d: string) => [dir, `base-${dir}`, `base-plan-${stack}`, stack].map((c) => readSummary(path.join(d, c))).find((s) => s !== undefined);
        return {
            stack,
            head,
            base: baseDir ? baseOf(baseDir) : undefined,
            report: fs.existsSync(reportFile) ? fs.readFileSync(reportFile, "utf8") : undefined,
        };
    });
}
