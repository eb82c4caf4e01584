// One measurement in a fresh process (so peak RSS is this measurement's alone): `plan` runs the full
// offline plan; `floor` / `floor-empty` register the plan's resources with no logic (bench/floor.ts),
// with their recorded inputs / with a constant input. Prints one JSON line.
//
// The clock starts after module loading in every mode. The floors also read resources.json before the
// clock starts: that file stands for constants a minimal program would have compiled in, and loading a
// module is excluded for the plan too.
import * as fs from "node:fs";
import * as path from "node:path";
import { PlanTimings, runPlan } from "../plan/plan";
import { RegisteredResource } from "../lib/resources";
import { registerFloor } from "./floor";

export type ChildMode = "plan" | "plan-yaml-lib" | "floor" | "floor-empty";

async function main(): Promise<void> {
    const [mode, stack, dir, outArg] = process.argv.slice(2) as [ChildMode, string, string, string | undefined];
    const out = outArg ?? path.join(dir, "out");
    let count: number;
    let exitCode = 0;
    let started: bigint;
    let phases: PlanTimings | undefined;
    if (mode === "plan-yaml-lib") {
        // `npm run bench -- --yaml-ab`: the same plan with the `yaml` library alone (manifests written by
        // YAML.stringify) to measure what plan/yaml.ts saves. manifests.ts calls it through the module's exports,
        // so replacing it here is enough.
        /* eslint-disable @typescript-eslint/no-require-imports */
        const hand = require("../plan/yaml") as { -readonly [K in keyof typeof import("../plan/yaml")]: (typeof import("../plan/yaml"))[K] };
        const YAML = require("yaml") as typeof import("yaml");
        /* eslint-enable @typescript-eslint/no-require-imports */
        hand.manifestYaml = (o) => YAML.stringify(o, hand.MANIFEST_YAML_OPTIONS);
    }
    if (mode === "plan" || mode === "plan-yaml-lib") {
        started = process.hrtime.bigint();
        const r = await runPlan({
            stack, projectDir: path.resolve(__dirname, ".."),
            configFile: path.join(dir, `Pulumi.${stack}.yaml`), policyConfig: path.join(dir, `${stack}.policy.json`), out,
        });
        count = r.resources.length;
        exitCode = r.exitCode;
        phases = r.timings;
    } else if (mode === "floor" || mode === "floor-empty") {
        const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as RegisteredResource[];
        started = process.hrtime.bigint();
        count = await registerFloor(resources, stack, mode === "floor" ? "recorded" : "empty");
    } else {
        throw new Error(`unknown mode ${String(mode)}`);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ mode, resources: count, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, exitCode, phases }));
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(2); });
