// `npm run bench [-- 100 500 1000 2000]`: the offline plan vs the SDK floor at several fleet sizes.
// Writes bench/results.md with the machine it ran on.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RegisteredResource } from "../lib/resources";
import type { ChildMode } from "./child";
import type { PlanTimings } from "../plan/plan";
import { generateStack } from "./generate";
import { dependencyDepth, modelStructure } from "./graph";

interface Measure { mode: string; resources: number; seconds: number; maxRssMiB: number; exitCode: number; phases?: PlanTimings }

function child(mode: ChildMode, stack: string, dir: string, out: string): Measure {
    const r = spawnSync(process.execPath, ["--max-old-space-size=4096", require.resolve("ts-node/dist/bin-transpile"), path.join(__dirname, "child.ts"), mode, stack, dir, out],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${mode} ${stack} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    return JSON.parse(line) as Measure;
}

const load1 = (): string => os.loadavg()[0].toFixed(2);

const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const range = (xs: number[]): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

/** A generated stack of N models (bench/generate.ts) and its policy config, written to a fresh temp dir. */
function writeBenchStack(n: number): { stack: string; dir: string; teams: number } {
    const stack = `bench${n}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `modelplane-${stack}-`));
    // The models in a model file: beyond about 500 inline models the stack config is too large for Pulumi to hand over.
    const g = generateStack(n, undefined, { modelFile: path.join(dir, "models.yaml") });
    fs.writeFileSync(path.join(dir, "models.yaml"), g.modelsYaml!);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), g.stackYaml);
    fs.writeFileSync(path.join(dir, `${stack}.policy.json`), JSON.stringify(g.policyConfig));
    return { stack, dir, teams: g.teams };
}

/**
 * `--yaml-ab`: the plan with plan/yaml.ts (the hand-written manifest emitter and stack-file reader) against the
 * same plan with the `yaml` library alone (bench/child.ts plan-yaml-lib), alternating within each round; prints
 * the medians per size and what the hand-written code saves, as a share of the plan. Writes no file.
 */
function yamlAb(ns: number[], rounds: number): void {
    for (const n of ns) {
        const { stack, dir } = writeBenchStack(n);
        const hand: Measure[] = [];
        const lib: Measure[] = [];
        for (let i = 0; i < rounds; i++) {
            const order: ChildMode[] = i % 2 === 0 ? ["plan", "plan-yaml-lib"] : ["plan-yaml-lib", "plan"];
            for (const mode of order) (mode === "plan" ? hand : lib).push(child(mode, stack, dir, path.join(dir, `out-${i}-${mode}`)));
        }
        const diffs = ["manifests", "resources.json"].map((f) => {
            const a = path.join(dir, "out-0-plan", f === "manifests" ? "manifests" : f);
            const b = path.join(dir, "out-0-plan-yaml-lib", f === "manifests" ? "manifests" : f);
            if (f !== "manifests") return fs.readFileSync(a, "utf8") === fs.readFileSync(b, "utf8") ? 0 : 1;
            return fs.readdirSync(a).filter((m) => fs.readFileSync(path.join(a, m), "utf8") !== fs.readFileSync(path.join(b, m), "utf8")).length;
        });
        const phase = (ms: Measure[], k: keyof PlanTimings): number => median(ms.map((m) => m.phases?.[k] ?? NaN));
        const [h, l] = [median(hand.map((m) => m.seconds)), median(lib.map((m) => m.seconds))];
        const saved = (l - h) / l;
        console.log(JSON.stringify({
            n, rounds, handS: +h.toFixed(3), libS: +l.toFixed(3), savedShareOfLibPlan: +saved.toFixed(3),
            config: { hand: +phase(hand, "config").toFixed(3), lib: +phase(lib, "config").toFixed(3) },
            outputs: { hand: +phase(hand, "outputs").toFixed(3), lib: +phase(lib, "outputs").toFixed(3) },
            differingManifests: diffs[0], resourcesJsonDiffers: diffs[1] === 1,
            all: { hand: hand.map((m) => +m.seconds.toFixed(2)), lib: lib.map((m) => +m.seconds.toFixed(2)) },
            load: load1(),
        }));
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function main(): void {
    const args = process.argv.slice(2);
    const repeatArg = args.find((a) => a.startsWith("--repeat="));
    // Rounds per size: each round runs plan, floor and constant-input floor back to back, so a ratio is
    // taken between runs under the same load; the table shows medians (and the spread of the ratios).
    const rounds = Math.max(1, Number(repeatArg?.slice("--repeat=".length) ?? process.env.BENCH_REPEAT ?? 3) || 3);
    const sizes = args.filter((a) => !a.startsWith("--")).map(Number).filter((n) => n > 0);
    const ns = sizes.length ? sizes : [100, 500, 1000, 2000];
    if (args.includes("--yaml-ab")) return yamlAb(ns, rounds);
    const rows: string[] = [];
    const roundLines: string[] = [];
    const dirs: string[] = [];
    const startLoad = load1();
    for (const n of ns) {
        const bench = writeBenchStack(n);
        const { stack, dir } = bench;
        const loadBefore = load1();
        const plans: Measure[] = [];
        const floors: Measure[] = [];
        const empties: Measure[] = [];
        for (let i = 0; i < rounds; i++) {
            // Every plan writes into a new output directory, as a first plan does. The previous rounds'
            // directories are only deleted after the last round: on this VM's ext4 (mounted with
            // `discard`) creating files right after deleting thousands of others stalls for the journal
            // commit, 0.3-0.7 ms per file instead of 0.04 ms, which would charge the harness's own
            // clean-up to the plan (measured: bench/results.md, "Reading").
            const out = path.join(dir, `out-${i}`);
            // Odd rounds run the floors first (on the previous round's resources.json: the plan is
            // deterministic), so neither side always runs right after the other's memory was freed.
            const floorsFirst = i % 2 === 1;
            const recorded = floorsFirst ? path.join(dir, `out-${i - 1}`) : out;
            if (!floorsFirst) plans.push(child("plan", stack, dir, out));
            floors.push(child("floor", stack, dir, recorded));
            empties.push(child("floor-empty", stack, dir, recorded));
            if (floorsFirst) plans.push(child("plan", stack, dir, out));
        }
        const resources = JSON.parse(fs.readFileSync(path.join(dir, "out-0", "resources.json"), "utf8")) as RegisteredResource[];
        const { perModel, crossModelEdges } = modelStructure(resources);
        const perModelCounts = [...perModel.values()];
        const avgPerModel = perModelCounts.reduce((a, b) => a + b, 0) / Math.max(1, perModelCounts.length);
        const ratios = plans.map((p, i) => p.seconds / floors[i].seconds);
        const emptyRatios = plans.map((p, i) => p.seconds / empties[i].seconds);
        const row = {
            n, teams: bench.teams, resources: plans[0].resources, rounds,
            planS: median(plans.map((m) => m.seconds)),
            split: (["config", "evaluate", "policies", "outputs"] as const).map((k) => median(plans.map((m) => m.phases?.[k] ?? NaN)).toFixed(2)).join(" / "), floorS: median(floors.map((m) => m.seconds)), ratio: median(ratios), ratios: range(ratios),
            emptyFloorS: median(empties.map((m) => m.seconds)), emptyRatio: median(emptyRatios), emptyRatios: range(emptyRatios),
            planRss: Math.max(...plans.map((m) => m.maxRssMiB)), floorRss: Math.max(...floors.map((m) => m.maxRssMiB)), emptyFloorRss: Math.max(...empties.map((m) => m.maxRssMiB)),
            perModel: avgPerModel, depth: dependencyDepth(resources), cross: crossModelEdges.length, exit: Math.max(...plans.map((m) => m.exitCode)),
            load: `${loadBefore} → ${load1()}`,
            all: { plan: plans.map((m) => +m.seconds.toFixed(3)), floor: floors.map((m) => +m.seconds.toFixed(3)), floorEmpty: empties.map((m) => +m.seconds.toFixed(3)) },
        };
        console.log(JSON.stringify(row));
        const secs = (ms: Measure[]): string => ms.map((m) => m.seconds.toFixed(2)).join(", ");
        roundLines.push(`- N = ${n}: plan ${secs(plans)}; floor ${secs(floors)}; constant-input floor ${secs(empties)}; plan/floor ${ratios.map((r) => r.toFixed(2)).join(", ")}`);
        rows.push(`| ${n} | ${row.teams} | ${row.resources} | ${row.planS.toFixed(2)} | ${row.split} | ${row.floorS.toFixed(2)} | **${row.ratio.toFixed(2)}** (${row.ratios}) | ` +
            `${row.emptyFloorS.toFixed(2)} | ${row.emptyRatio.toFixed(2)} (${row.emptyRatios}) | ${row.planRss.toFixed(0)} | ${row.floorRss.toFixed(0)} | ${row.emptyFloorRss.toFixed(0)} | ` +
            `${row.perModel.toFixed(2)} | ${row.depth} | ${row.cross} | ${row.exit} | ${row.load} |`);
        dirs.push(dir);
    }
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const md = [
        "# Scale benchmark",
        "",
        `Command: \`npm run bench -- ${args.join(" ")}\` — ${new Date().toISOString().slice(0, 10)}, on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}; ` +
            `1-minute load average ${startLoad} when the run started, ${load1()} when it ended.`,
        "",
        "Each N is a generated AWS stack (bench/generate.ts): N models across N/20 teams on four GPU pools, cycling single-GPU, TP4 + streamer + autoscaling, TP4 with its own routing weights, and prefill/decode on the NVMe cache.",
        "Each column is its own fresh process, run one after the other (bench/child.ts):",
        "",
        "- `plan`: the full offline plan (config validation, program evaluation under mocks, all policies, resources.json + manifests + report.md); " +
            "its split is the median of each phase as runPlan times it (`timings`): config (stack file, validation, policy config), evaluate (the program under mocks), policies, outputs (files).",
        "- `floor` (the floor the ratio uses): a program with no logic (bench/floor.ts) that registers exactly the resources the plan registered — same types, names, parents, " +
            "remote flag, count and order, taken from the plan's resources.json — each with the inputs and options the plan recorded for it (dependencies, provider, " +
            "protect and the other resource options: the same registration requests, checked by test/scale.test.ts), under the same SDK, the same mocks " +
            "(plan/mocks.ts `mockNewResource`) and the same SDK settings (no stack capture) as the plan. The inputs are constant data read before the clock starts. " +
            "Any program that declares these objects pays this: the SDK serialises every input to protobuf, the mock monitor converts it back, builds the state and " +
            "serialises that, and the SDK resolves one Output per property. plan ÷ floor is therefore the cost of our own work (config, program logic, policies, outputs).",
        "- `constant-input floor`: the same resources and parents with the constant input `{value: 1}` (components `{}`) and no other options: the SDK's per-resource cost without the cost " +
            "of the inputs and the dependency graph. It is shown so nothing is hidden; plan ÷ this floor also charges us for the size of the objects we declare, which no program can avoid.",
        "",
        `Each N runs ${rounds} round(s) of plan, floor and constant-input floor back to back (odd rounds run the floors first, on the previous round's resources.json, so the order does not favour either side). Seconds are the median wall-clock seconds over the rounds, measured inside each ` +
            "process (module loading excluded); a ratio is the median of the per-round ratios (each plan against the floors of its round), with their range in brackets; " +
            "RSS is the largest peak of the rounds. The load column is the machine's 1-minute load average before the first and after the last round of that N " +
            "(another agent shares this 2-core machine).",
        "",
        "| N models | teams | resources | plan s | plan s: config / evaluate / policies / outputs | floor s | plan/floor (range) | constant-input floor s | plan/constant-input floor (range) | plan peak RSS MiB | floor peak RSS MiB | constant-input floor peak RSS MiB | resources per model | dependency depth | cross-model edges | plan exit | load (1 min) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        "Every round's seconds, in round order:",
        "",
        ...roundLines,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(__dirname, "results.md"), md);
    console.log(md);
}

main();
