// The plan CLI's arguments, usage text and stack listing. Deliberately free of the program's imports (Pulumi
// SDK, cloud providers, components): `--help` and a usage error answer without loading them (plan/cli.ts loads
// the program only once the arguments are valid).
import * as fs from "node:fs";
import * as path from "node:path";

/** What `npm run plan --` was asked to do; plan/plan.ts's PlanOptions is this type. */
export interface PlanArgs {
    stack: string;
    configFile?: string;
    policyConfig?: string;
    out?: string;
    projectDir?: string;
    /** A base plan's output directory: write comment.md, this plan against that one (plan/comment.ts). */
    base?: string;
}

export const USAGE = "usage: npm run plan -- <stack> [--config-file <Pulumi.<stack>.yaml>] [--policy-config <policies/config/<stack>.json>] [--out <dir>] [--base <dir-of-base-plan>]";

/** Raised for arguments the CLI cannot use; an empty message means `--help`. */
export class UsageError extends Error {}

export function parseArgs(argv: string[]): PlanArgs {
    const opts: Partial<PlanArgs> = {};
    const flags: Record<string, keyof PlanArgs> = { "--config-file": "configFile", "--policy-config": "policyConfig", "--out": "out", "--base": "base" };
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
    return opts as PlanArgs;
}

/** The stacks of a project directory: its `Pulumi.<stack>.yaml` files. */
export function stacksIn(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** `--help`: what the command does, its options, exit codes, outputs and the stacks it can plan. */
export function helpText(projectDir: string): string {
    const stacks = stacksIn(projectDir);
    return [
        USAGE,
        "",
        "Evaluates the real program for one stack offline (no Pulumi CLI, no credentials, no cluster), runs the",
        "policy pack on what it registers and writes the result.",
        "",
        "options:",
        "  --config-file <file>    the stack file (default: Pulumi.<stack>.yaml in the project)",
        "  --policy-config <file>  the policy pack config (default: policies/config/<stack>.json)",
        "  --out <dir>             where to write (default: .plan/<stack>/)",
        "  --base <dir>            a base plan's --out directory (e.g. of the target branch): also write comment.md,",
        "                          the pull-request comment that leads with what changed against it",
        "  -h, --help              this text",
        "",
        "writes:",
        "  resources.json  every registered resource (type, name, parent, provider, dependencies, inputs; secrets as \"[secret]\")",
        "  manifests/      one YAML file per Kubernetes object",
        "  report.md       resource counts, GPU demand per team and pool, policy results",
        "  summary.json    models, GPU tables, violations or config errors as data (what --base compares)",
        "  comment.md      with --base: the PR comment (changes first, full report collapsed, within GitHub's limit)",
        "",
        "exit status:",
        "  0  no mandatory policy violation",
        "  1  mandatory policy violations (listed)",
        "  2  invalid arguments or config (every error with its config path), or a crash",
        "",
        `stacks: ${stacks.length > 0 ? stacks.join(", ") : "(no Pulumi.<stack>.yaml in " + projectDir + ")"}`,
    ].join("\n");
}

/** The message for a stack with no stack file, naming the stacks there are. */
export function unknownStackMessage(stack: string, projectDir: string): string | undefined {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(file)) return undefined;
    const stacks = stacksIn(projectDir);
    return `no stack "${stack}": ${path.relative(process.cwd(), file) || file} does not exist; stacks: ${stacks.join(", ") || "(none)"} (or pass --config-file <file>)`;
}
