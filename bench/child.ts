// One measurement in a fresh process (so peak RSS is this measurement's alone): `plan` runs the full
// offline plan; `floor` registers the plan's resources with no logic. Prints one JSON line.
import * as fs from "node:fs";
import * as path from "node:path";
import { runPlan } from "../plan/plan";
import { RegisteredResource } from "../lib/resources";
import { registerFloor } from "./floor";

async function main(): Promise<void> {
    const [mode, stack, dir] = process.argv.slice(2);
    const started = process.hrtime.bigint();
    let count: number;
    let exitCode = 0;
    if (mode === "plan") {
        const r = await runPlan({
            stack, projectDir: path.resolve(__dirname, ".."),
            configFile: path.join(dir, `Pulumi.${stack}.yaml`), policyConfig: path.join(dir, `${stack}.policy.json`), out: path.join(dir, "out"),
        });
        count = r.resources.length;
        exitCode = r.exitCode;
    } else {
        const resources = JSON.parse(fs.readFileSync(path.join(dir, "out", "resources.json"), "utf8")) as RegisteredResource[];
        count = await registerFloor(resources, stack);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ mode, resources: count, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024, exitCode }));
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(2); });
