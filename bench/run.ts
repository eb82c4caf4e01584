// `npm run bench [-- 100 500 1000 2000]`: the offline plan vs the SDK floor at several fleet sizes.
// Writes bench/results.md with the machine it ran on.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RegisteredResource } from "../lib/resources";
import { generateStack } from "./generate";
import { dependencyDepth, modelStructure } from "./graph";

interface Measure { mode: string; resources: number; seconds: number; maxRssMiB: number; exitCode: number }

function child(mode: "plan" | "floor", stack: string, dir: string): Measure {
    const r = spawnSync(process.execPath, ["--max-old-space-size=4096", require.resolve("ts-node/dist/bin-transpile"), path.join(__dirname, "child.ts"), mode, stack, dir],
        { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const line = r.stdout.trim().split("\n").pop() ?? "";
    if (r.status !== 0 || !line.startsWith("{")) throw new Error(`${mode} ${stack} failed (exit ${r.status}):\n${r.stderr.slice(-4000)}`);
    return JSON.parse(line) as Measure;
}

function main(): void {
    const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
    const ns = sizes.length ? sizes : [100, 500, 1000, 2000];
    const rows: string[] = [];
    for (const n of ns) {
        const stack = `bench${n}`;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), `modelplane-${stack}-`));
        const g = generateStack(n);
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), g.stackYaml);
        fs.writeFileSync(path.join(dir, `${stack}.policy.json`), JSON.stringify(g.policyConfig));
        const plan = child("plan", stack, dir);
        const floor = child("floor", stack, dir);
        const resources = JSON.parse(fs.readFileSync(path.join(dir, "out", "resources.json"), "utf8")) as RegisteredResource[];
        const { perModel, crossModelEdges } = modelStructure(resources);
        const perModelCounts = [...perModel.values()];
        const avgPerModel = perModelCounts.reduce((a, b) => a + b, 0) / Math.max(1, perModelCounts.length);
        const row = {
            n, teams: g.teams, resources: plan.resources, planS: plan.seconds, floorS: floor.seconds, ratio: plan.seconds / floor.seconds,
            planRss: plan.maxRssMiB, floorRss: floor.maxRssMiB, perModel: avgPerModel, depth: dependencyDepth(resources),
            cross: crossModelEdges.length, exit: plan.exitCode,
        };
        console.log(JSON.stringify(row));
        rows.push(`| ${n} | ${row.teams} | ${row.resources} | ${row.planS.toFixed(2)} | ${row.floorS.toFixed(2)} | **${row.ratio.toFixed(2)}** | ${row.planRss.toFixed(0)} | ${row.floorRss.toFixed(0)} | ${row.perModel.toFixed(2)} | ${row.depth} | ${row.cross} | ${row.exit} |`);
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const md = [
        "# Scale benchmark",
        "",
        `Command: \`npm run bench -- ${ns.join(" ")}\` — ${new Date().toISOString().slice(0, 10)}, on ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}.`,
        "",
        "Each N is a generated AWS stack (bench/generate.ts): N models across N/20 teams on four GPU pools, cycling single-GPU, TP4 + streamer + autoscaling, TP4 + priority, and prefill/decode on the NVMe cache.",
        "`plan` is the full offline plan in a fresh process (config validation, program evaluation under mocks, all policies, resources.json + manifests + report.md);",
        "`floor` registers the same resources (types, names, parents, count, from the plan's resources.json) with constant inputs and no logic under the same SDK and mocks.",
        "Seconds are measured inside each process (module loading excluded); RSS is the process's peak.",
        "",
        "| N models | teams | resources | plan s | floor s | plan/floor | plan peak RSS MiB | floor peak RSS MiB | resources per model | dependency depth | cross-model edges | plan exit |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
    ].join("\n");
    fs.writeFileSync(path.join(__dirname, "results.md"), md);
    console.log(md);
}

main();
