// `npm run plan -- <stack> [--config-file <Pulumi.x.yaml>] [--policy-config <file.json>] [--out <dir>]`
// Evaluates the real program offline (DESIGN.md §4). Exit 0: no mandatory violation; 1: mandatory
// violations; 2: invalid config or a crash.
import * as path from "node:path";
// Only the argument parser is loaded up front: the program (Pulumi SDK, providers, components) is required once
// the arguments are known to be valid, so `--help` and usage errors answer at once. `npm run plan` starts at
// plan/main.js, which answers them before TypeScript is loaded at all.
import { preflight } from "./args";

export { parseArgs, UsageError } from "./args";

/** The CLI on `argv`: its exit status. */
export async function main(argv: string[]): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    const pre = preflight(argv, projectDir);
    if (pre.exit !== undefined) return pre.exit;
    const opts = pre.opts;
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

/** Runs the CLI as this process (plan/main.js, or `ts-node plan/cli.ts`): exits with its status. */
export function runAsProcess(argv: string[]): void {
    // Errors thrown inside Output callbacks surface as unhandled rejections: they are crashes too.
    process.on("unhandledRejection", (e) => {
        console.error("error: the plan crashed (unhandled rejection):", e instanceof Error ? e.stack : e);
        process.exit(2);
    });
    main(argv).then((code) => process.exit(code), (e) => {
        console.error(e);
        process.exit(2);
    });
}

if (require.main === module) runAsProcess(process.argv.slice(2));
