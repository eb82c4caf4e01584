// `npm run plan -- <stack> [--config-file <Pulumi.x.yaml>] [--policy-config <file.json>] [--out <dir>]`
// Evaluates the real program offline (DESIGN.md §4). Exit 0: no mandatory violation; 1: mandatory
// violations; 2: invalid config or a crash.
import * as path from "node:path";
import { runPlan, PlanOptions } from "./plan";
import { ConfigError } from "../components/config";
import { PolicyConfigError } from "./policy-runner";

const USAGE = "usage: npm run plan -- <stack> [--config-file <Pulumi.<stack>.yaml>] [--policy-config <policies/config/<stack>.json>] [--out <dir>]";

export function parseArgs(argv: string[]): PlanOptions {
    const opts: Partial<PlanOptions> = {};
    const flags: Record<string, keyof PlanOptions> = { "--config-file": "configFile", "--policy-config": "policyConfig", "--out": "out" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
        if (flag in flags) {
            const v = inline ?? argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
            (opts as Record<string, string>)[flags[flag]] = v;
        } else if (flag === "--help" || flag === "-h") {
            throw new UsageError("");
        } else if (flag.startsWith("-")) {
            throw new UsageError(`unknown option ${flag}`);
        } else if (opts.stack === undefined) {
            opts.stack = a;
        } else {
            throw new UsageError(`unexpected argument ${a}`);
        }
    }
    if (!opts.stack) throw new UsageError("missing <stack> (e.g. dev, prod, local)");
    if (!/^[A-Za-z0-9_.-]+$/.test(opts.stack)) throw new UsageError(`invalid stack name "${opts.stack}"`);
    return opts as PlanOptions;
}

export class UsageError extends Error {}

async function main(): Promise<number> {
    let opts: PlanOptions;
    try {
        opts = parseArgs(process.argv.slice(2));
    } catch (e) {
        if (e instanceof UsageError) {
            if (e.message) console.error(`error: ${e.message}`);
            console.error(USAGE);
            return 2;
        }
        throw e;
    }
    try {
        const result = await runPlan({ ...opts, projectDir: opts.projectDir ?? path.resolve(__dirname, "..") });
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
