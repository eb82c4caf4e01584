// Helpers of `npm run bench:engine` (bench/engine.sh, which runs the real CLI, engine, provider and API server):
//   gen <n> <dir> <platform-block file>  the stack of n models on an existing cluster (bench/generate.ts) as
//       <dir>/base.yaml with its models in <dir>/models.yaml, the same with one model's replicas 1 → 2 as
//       <dir>/change.yaml (models-change.yaml) (a `config:` document each, with the e2e platform block: charts off,
//       CRDs from files and local charts), and <dir>/policy.json for the offline plan;
//   report <results.jsonl> <meta.json> <out.md>  the table of every measured operation.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { generateStack } from "./generate";

interface Probe { registrations: number; stackS?: number | null; firstS: number | null; lastS: number | null; exitS: number | null; maxRssMiB: number }
/** One operation of one side, as bench/engine.sh records it. */
export interface EngineResult {
    n: number; round: number; side: "program" | "floor"; op: string; exit: number; wallS: number;
    /** The machine's 1-minute load average when the command ended (the machine is shared). */
    load?: number;
    /** The program process (bench/engine-probe.js); absent when it did not run or wrote nothing. */
    probe?: Probe;
    requests: number; mutating: number; dryRun: number; byVerb: Record<string, number>;
    /** Resources in the stack's state after the first `up` (the same for every op of that side and round). */
    stateResources?: number;
    /** Bytes of that state as `pulumi stack export` prints it (indented JSON: about 5× the state file at N = 50). */
    stateBytes?: number;
    /** Peak RSS of the largest process of the command's tree (engine, provider, program), KiB (/usr/bin/time %M). */
    maxRssKiB?: number;
    /** "skipped": the command ran with PULUMI_SKIP_CHECKPOINTS=true (bench/engine.sh says why); absent or "written": the CLI's default. */
    checkpoints?: "written" | "skipped";
}

const OPS: [string, string][] = [
    ["preview-new", "`preview` (new stack)"],
    ["up", "`up --skip-preview`"],
    ["preview-nochange", "`preview --expect-no-changes`"],
    ["preview-change", "`preview` (one model changed)"],
    ["up-change", "`up --skip-preview` (that change)"],
];

function gen(n: number, dir: string, platformFile: string): void {
    // The models go to a model file (modelplane:modelFiles), as a fleet's must: inline, 1,000 models make the stack
    // config too large for the environment variable Pulumi hands it over in (components/config.ts CONFIG_ENV_LIMIT_BYTES).
    const baseModels = path.join(dir, "models.yaml");
    const changeModels = path.join(dir, "models-change.yaml");
    const g = generateStack(n, { cloud: "existing", cluster: { name: "bench", context: "modelplane-e2e" }, scaling: false }, { modelFile: baseModels });
    const platform = fs.readFileSync(platformFile, "utf8");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(baseModels, g.modelsYaml!);
    fs.writeFileSync(path.join(dir, "base.yaml"), g.stackYaml.trimEnd() + "\n" + platform);
    const changed = YAML.parse(g.modelsYaml!) as { replicas?: number }[];
    if (changed[0].replicas !== 1) throw new Error("bench: the first generated model no longer has replicas: 1");
    changed[0].replicas = 2;
    fs.writeFileSync(changeModels, YAML.stringify(changed));
    const stack = YAML.parse(g.stackYaml) as { config: Record<string, unknown> };
    stack.config["modelplane:modelFiles"] = [changeModels];
    fs.writeFileSync(path.join(dir, "change.yaml"), YAML.stringify(stack).trimEnd() + "\n" + platform);
    fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(g.policyConfig));
}

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x: number | undefined | null): string => (x === undefined || x === null || Number.isNaN(x) ? "–" : x.toFixed(1));
const f2 = (x: number | undefined | null): string => (x === undefined || x === null || Number.isNaN(x) ? "–" : x.toFixed(2));

function report(resultsFile: string, metaFile: string, out: string): void {
    const results = fs.readFileSync(resultsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as EngineResult);
    const meta = JSON.parse(fs.readFileSync(metaFile, "utf8")) as { command: string; machine: string; date: string; versions: string; beforeRev?: string; knob?: string };
    const e2e = e2eSection(results.filter((r) => r.op.startsWith("e2e-")), meta.beforeRev ?? "(unknown)", meta.knob ?? "");
    const sizes = [...new Set(results.filter((r) => !r.op.startsWith("e2e-")).map((r) => r.n))].sort((a, b) => a - b);
    const rows: string[] = [];
    const rounds: string[] = [];
    for (const n of sizes) {
        const ofN = results.filter((r) => r.n === n && !r.op.startsWith("e2e-"));
        const state = (side: string): number | undefined => ofN.find((r) => r.side === side && r.stateResources)?.stateResources;
        const stateMB = (side: string): string => {
            const b = ofN.find((r) => r.side === side && r.stateBytes)?.stateBytes;
            return b ? ` (${(b / 2 ** 20).toFixed(1)} MiB exported)` : "";
        };
        for (const [op, opLabel] of OPS) for (const ckpt of ["skipped", "written"] as const) {
            const withCkpt = (r: EngineResult) => r.op === op && (r.checkpoints ?? "written") === ckpt;
            const p = ofN.filter((r) => withCkpt(r) && r.side === "program");
            const fl = ofN.filter((r) => withCkpt(r) && r.side === "floor");
            if (p.length === 0 && fl.length === 0) continue;
            const label = op.startsWith("up") ? `${opLabel}, checkpoints ${ckpt}` : opLabel;
            const byRound = p.map((r) => [r, fl.find((x) => x.round === r.round)] as const).filter((x): x is readonly [EngineResult, EngineResult] => x[1] !== undefined);
            const ratios = byRound.map(([a, b]) => a.wallS / b.wallS);
            const med = (xs: EngineResult[], get: (r: EngineResult) => number | null | undefined): number => {
                const v = xs.map(get).filter((x): x is number => typeof x === "number");
                return v.length ? median(v) : NaN;
            };
            const stateP = state("program");
            const reqPer = (xs: EngineResult[], st: number | undefined): string => (st ? f2(med(xs, (r) => r.requests) / st) : "–");
            rows.push(`| ${n} | ${label} | ${p.length}/${fl.length} | ${f1(med(p, (r) => r.wallS))} | ${f1(med(fl, (r) => r.wallS))} | ` +
                `**${ratios.length ? f2(median(ratios)) : "–"}**${ratios.length > 1 ? ` (${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))})` : ""} | ` +
                `${f1(med(p, (r) => r.probe?.firstS))} / ${f1(med(fl, (r) => r.probe?.firstS))} | ${f1(med(p, (r) => r.probe?.lastS))} / ${f1(med(fl, (r) => r.probe?.lastS))} | ` +
                `${f1(med(p, (r) => r.probe?.maxRssMiB))} / ${f1(med(fl, (r) => r.probe?.maxRssMiB))} | ` +
                `${f1(med(p, (r) => r.requests))} / ${f1(med(fl, (r) => r.requests))} | ${reqPer(p, stateP)} / ${reqPer(fl, state("floor"))} | ` +
                `${f1(med(p, (r) => r.dryRun))} / ${f1(med(fl, (r) => r.dryRun))} | ${stateP ?? "–"}${stateMB("program")} / ${state("floor") ?? "–"}${stateMB("floor")} | ` +
                `${[...p, ...fl].filter((r) => r.exit !== 0).map((r) => `${r.side} r${r.round} exit ${r.exit}`).join(", ") || "0"} |`);
        }
        for (const r of ofN) {
            rounds.push(`- N = ${n}, round ${r.round}, ${r.side}, ${r.op}${r.op.startsWith("up") ? ` (checkpoints ${r.checkpoints ?? "written"})` : ""}: ` +
                `${r.wallS.toFixed(1)} s wall, exit ${r.exit}, load ${r.load ?? "?"}; program ` +
                (r.probe ? `first registration ${f2(r.probe.firstS)} s, last ${f2(r.probe.lastS)} s, exit ${f2(r.probe.exitS)} s, ${r.probe.registrations} registrations, peak RSS ${f1(r.probe.maxRssMiB)} MiB` : "not measured") +
                `; largest process ${r.maxRssKiB !== undefined ? `${f1(r.maxRssKiB / 1024)} MiB` : "not measured"}` +
                `; API server ${r.requests} requests (${r.mutating} mutating, ${r.dryRun} dry-run): ${Object.entries(r.byVerb).map(([k, v]) => `${k} ${v}`).join(", ")}`);
        }
    }
    const md = [
        "# Engine benchmark: `pulumi preview` / `up` through the real CLI, engine and provider",
        "",
        `Command: \`${meta.command}\` — ${meta.date}, on ${meta.machine}. ${meta.versions}`,
        "",
        "Each N is bench/generate.ts's fleet (N models across N/20 teams, four GPU pools, the same four model shapes as `npm run bench`) " +
            "on an **existing** cluster: a local etcd + kube-apiserver per side (bench/engine.sh), `platform.charts: false` and the CRDs from " +
            "../shared/crds as the e2e stack has them (test/e2e/lib/stack.sh: plain manifests from files, the bundles that are charts " +
            "by default from local charts; the machine is offline). Two programs run side by side, one operation of one after the same " +
            "operation of the other (even rounds start with the floor), each against its own fresh API server:",
        "",
        "- **program**: index.ts as `pulumi preview`/`up` run it (Pulumi.yaml runtime options: ts-node transpile-only with tsconfig.pulumi.json).",
        "- **floor**: bench/engine-floor.ts, a program with no logic that registers exactly the resources the offline plan of the same " +
            "stack recorded (`npm run plan`, resources.json): same types, names, parents, inputs and options (dependencies, provider, …), " +
            "through the same CLI, language host, runtime options and provider. Its one-model change replays the plan of the changed stack.",
        "",
        "**Checkpoints.** An `up` row says whether the engine wrote its state after every step (the CLI's default) or only at the end " +
            "(`PULUMI_SKIP_CHECKPOINTS=true`, the bench's default, BENCH_ENGINE_CHECKPOINTS=write turns it off). On this file backend every " +
            "checkpoint rewrites the whole state (and its .bak), whose size the \"resources in state\" column gives: that is the engine's and " +
            "the backend's cost, the same on both sides, and at N = 1,000 it would be hours per `up` (see Reading).",
        "",
        "Columns: wall seconds of the `pulumi` command (median over rounds; the ratio is the median of per-round program ÷ floor); " +
            "the program process's own seconds from its start to its first and to its last resource registration and its peak RSS " +
            "(bench/engine-probe.js, preloaded through the runtime's `nodeargs`); requests the API server counted during the command " +
            "(`apiserver_request_total` from its /metrics, before and after), per resource in the state after `up`, and how many were dry runs " +
            "(`dry_run` label). p / f = program / floor.",
        "",
        "| N models | operation | rounds (p/f) | program s | floor s | program ÷ floor | first registration s (p / f) | last registration s (p / f) | peak RSS MiB (p / f) | API requests (p / f) | per resource (p / f) | of them dry runs (p / f) | resources in state (p / f) | failures |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        ...e2e,
        "## Every round",
        "",
        ...rounds,
        "",
    ].join("\n");
    // A hand-written "## Reading" section (what the numbers mean) is kept from the file this run replaces.
    const previous = fs.existsSync(out) ? fs.readFileSync(out, "utf8") : "";
    const reading = previous.indexOf("\n## Reading");
    fs.writeFileSync(out, md + (reading >= 0 ? previous.slice(reading) : ""));
}

/**
 * The e2e stack's preview of a new stack, round by round: the program and the e2e stack as they were when issue 18
 * was filed, type-checked as the e2e ran it ("before"); this code type-checked and as shipped on the e2e stack now
 * (its chart CRD bundles from local charts); and two references: this code on the stack of then (every CRD bundle
 * from files), and that stack without CRD bodies.
 */
function e2eSection(rs: EngineResult[], beforeRev: string, knob: string): string[] {
    if (rs.length === 0) return [];
    const of = (op: string) => rs.filter((r) => r.op === op);
    const before = of("e2e-before");
    const checked = of("e2e-typechecked");
    const after = of("e2e-transpile-only");
    const knobbed = of("e2e-knob");
    const files = of("e2e-files");
    const bare = of("e2e-no-crd-bodies");
    const rounds = [...new Set(rs.map((r) => r.round))].sort((a, b) => a - b);
    const inRound = (xs: EngineResult[], round: number) => xs.find((r) => r.round === round);
    const cell = (r: EngineResult | undefined) => (r ? `${f1(r.wallS)} (${f1(r.probe?.firstS)} / ${f1(r.probe?.exitS)}` +
        `${r.maxRssKiB !== undefined ? `; ${Math.round(r.maxRssKiB / 1024)} MiB` : ""})${r.exit !== 0 ? ` exit ${r.exit}` : ""}` : "–");
    const med = (xs: EngineResult[]) => (xs.length ? f1(median(xs.map((r) => r.wallS))) : "–");
    const ratio = (a: EngineResult | undefined, b: EngineResult | undefined) => (a && b ? a.wallS / b.wallS : NaN);
    const diff = (a: EngineResult | undefined, b: EngineResult | undefined) => (a && b ? a.wallS - b.wallS : NaN);
    // Each derived column: per round, and the median of the per-round values.
    const derived: { head: string; of: (k: number) => number; fmt: (x: number) => string; bold?: boolean }[] = [
        { head: "before ÷ after", of: (k) => ratio(inRound(before, k), inRound(after, k)), fmt: f2, bold: true },
        ...(knobbed.length ? [{ head: `before ÷ (after, ${knob})`, of: (k: number) => ratio(inRound(before, k), inRound(knobbed, k)), fmt: f2, bold: true }] : []),
        { head: "before ÷ (stack of then, this code)", of: (k) => ratio(inRound(before, k), inRound(files, k)), fmt: f2 },
        { head: "type-checked ÷ after", of: (k) => ratio(inRound(checked, k), inRound(after, k)), fmt: f2 },
        { head: "CRD bodies as files: stack of then − no CRD bodies, s", of: (k) => diff(inRound(files, k), inRound(bare, k)), fmt: f1 },
    ];
    const modes: [string, EngineResult[]][] = [
        ["before", before], ["type-checked", checked], ["after", after],
        ...(knobbed.length ? [[`after, ${knob}`, knobbed] as [string, EngineResult[]]] : []),
        ["stack of then, this code", files], ["no CRD bodies", bare],
    ];
    const medOf = (d: (typeof derived)[number]) => {
        const xs = rounds.map(d.of).filter((x) => !Number.isNaN(x));
        const v = xs.length ? d.fmt(median(xs)) : "–";
        return d.bold ? `**${v}**` : v;
    };
    return [
        "## The e2e stack's `pulumi preview`: before and after, in one run",
        "",
        "The e2e stack (test/e2e/lib/stack.sh: two teams, two models, charts off, the CRDs from ../shared/crds), `pulumi preview` of a " +
            "new stack on the warm toolchain, the modes in turn (the order reversed every other round), one API server. **before** = the " +
            `program at ${beforeRev} (the last commit before issue 18's work) on the e2e stack of then (every CRD bundle from files, ` +
            "as a yaml/v2 ConfigGroup), type-checked as every e2e and user preview then ran it (@pulumi/pulumi 3.248 cmd/run/run.js " +
            "with ts-node and tsconfig.json); **type-checked** = this code run the same way on the e2e stack now; **after** = this code " +
            "as shipped (tsconfig.pulumi.json: transpile-only, swc) on the e2e stack now, whose CRD bundles that are charts by default " +
            "(KServe's two, Envoy AI Gateway's) come from local charts as Helm releases, as prod installs them from their registries." +
            (knobbed.length ? ` **after, ${knob}**: the same with \`${knob}\` in the environment of \`pulumi\` (the engine; the ` +
                "provider and the program inherit it), as the shipped workflows and the e2e tiers run it (.github/workflows, " +
                "test/e2e/lib/cluster.sh PULUMI_GO_ENV; README \"What a preview and an up cost\")." : "") +
            " References, not ways to run: **stack of then, this code** = this code as shipped on the stack of then (what the program " +
            "alone gained); **no CRD bodies** = the same with every files list one empty file (what the preview costs when no CRD body " +
            "goes through the engine and the provider). Cells: wall s (the program's first registration s / its exit s; peak RSS of " +
            "the largest process of the command: engine, provider or program).",
        "",
        `| round | ${modes.map(([h]) => h).join(" | ")} | ${derived.map((d) => d.head).join(" | ")} |`,
        `| --- | ${modes.map(() => "---").join(" | ")} | ${derived.map(() => "---").join(" | ")} |`,
        ...rounds.map((k) => `| ${k} | ${modes.map(([, xs]) => cell(inRound(xs, k))).join(" | ")} | ${derived.map((d) => d.fmt(d.of(k))).join(" | ")} |`),
        `| median | ${modes.map(([, xs]) => med(xs)).join(" | ")} | ${derived.map(medOf).join(" | ")} |`,
        "",
    ];
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "gen") gen(Number(args[0]), args[1], args[2]);
else if (cmd === "report") report(args[0], args[1], args[2]);
else {
    console.error("usage: engine.ts gen <n> <dir> <platform-block> | report <results.jsonl> <meta.json> <out.md>");
    process.exit(2);
}
