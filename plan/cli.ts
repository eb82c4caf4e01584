// `npm run plan -- <stack> [--config-file <Pulumi.x.yaml>] [--policy-config <file.json>] [--out <dir>]`
// Evaluates the real program offline (DESIGN.md §4). Exit 0: no mandatory violation; 1: mandatory
// violations; 2: invalid config or a crash.
import * as path from "node:path";
// Only the argument parser is loaded up front: the program (Pulumi SDK, providers, components) is required once
// the arguments are known to be valid, so `--help` and usage errors answer at once.
import { helpText, parseArgs, PlanArgs, unknownStackMessage, USAGE, UsageError } from "./args";

export { parseArgs, UsageError } from "./args";

async function main(): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    let opts: PlanArgs;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        if (e instanceof UsageError) {
            if (!e.message) {
                console.log(helpText(projectDir));
                return 0;
            }
            console.error(`error: ${e.message}`);
            console.error(USAGE);
            return 2;
        }
        throw e;
    }
    if (!opts.configFile) {
        const missing = unknownStackMessage(opts.stack, projectDir);
        if (missing) {
            console.error(`error: ${missing}`);
            return 2;
        }
    }
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { runPlan } = require("./plan") as typeof import("./plan");
    const { ConfigError } = require("../components/config") as typeof import("../components/config");
    const { PolicyConfigError } = require("./policy-runner") as typeof import("./policy-runner");
    /* eslint-enable @typescript-eslint/no-require-imports */
    try {
        const result = await runPlan({ ...opts, projectDir: opts.projectDir ?? projectDir });
        console.log(result.summary);
        return result.exitCode;
    } catch (e) {
        if (e instanceof ConfigError || e instanceof PolicyConfigError) {
            console.error(`error: ${e.message}`);
            return 2;
        }
        console.error("error: the plan crashed (this is a bug in modelplane, not in your config):");
        console.error(e instanceof Error ? e.stack ?? e.message : String(e));
        if (!process.env.MODELPLANE_PLAN_STACKS) console.error("(run again with MODELPLANE_PLAN_STACKS=1 for stack traces from inside the program)");
        return 2;
    }
}

if (require.main === module) {
    // Errors thrown inside Output callbacks surface as unhandled rejections: they are crashes too.
    process.on("unhandledRejection", (e) => {
        console.error("error: the plan crashed (unhandled rejection):", e instanceof Error ? e.stack : e);
        process.exit(2);
    });
    main().then((code) => process.exit(code), (e) => {
        console.error(e);
        process.exit(2);
    });
}
