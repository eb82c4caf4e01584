// @ts-check
// The plan CLI's arguments, usage text and stack listing. Deliberately free of the program's imports (Pulumi
// SDK, cloud providers, components): `--help` and a usage error answer without loading them (plan/cli.ts loads
// the program only once the arguments are valid).
//
// Plain JavaScript (type-checked by tsc through `@ts-check` and the JSDoc types): `npm run plan` starts at
// plan/main.js, which answers `--help` and usage errors from this file before it loads ts-node and TypeScript's
// compiler (~0.4 s of the ~0.5 s `--help` took) and then the program.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/**
 * What `npm run plan --` was asked to do; plan/plan.ts's PlanOptions is this type.
 * @typedef {object} PlanArgs
 * @property {string} stack
 * @property {string} [configFile]
 * @property {string} [policyConfig]
 * @property {string} [out]
 * @property {string} [projectDir]
 * @property {string} [base] A base plan's output directory: write comment.md, this plan against that one (plan/comment.ts).
 */

const USAGE = "usage: npm run plan -- <stack> [--config-file <Pulumi.<stack>.yaml>] [--policy-config <policies/config/<stack>.json>] [--out <dir>] [--base <dir-of-base-plan>]";

/** Raised for arguments the CLI cannot use; an empty message means `--help`. */
class UsageError extends Error {}

/**
 * @param {string[]} argv
 * @returns {PlanArgs}
 */
function parseArgs(argv) {
    /** @type {Partial<PlanArgs>} */
    const opts = {};
    /** @type {Record<string, keyof PlanArgs>} */
    const flags = { "--config-file": "configFile", "--policy-config": "policyConfig", "--out": "out", "--base": "base" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
        if (flag in flags) {
            const v = inline ?? argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
            /** @type {Record<string, string>} */ (opts)[flags[flag]] = v;
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
    return /** @type {PlanArgs} */ (opts);
}

/**
 * The stacks of a project directory: its `Pulumi.<stack>.yaml` files.
 * @param {string} projectDir
 * @returns {string[]}
 */
function stacksIn(projectDir) {
    /** @type {string[]} */
    const stacks = [];
    for (const f of fs.readdirSync(projectDir)) {
        const m = /^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$/.exec(f);
        if (m) stacks.push(m[1]);
    }
    return stacks.sort();
}

/**
 * `--help`: what the command does, its options, exit codes, outputs and the stacks it can plan.
 * @param {string} projectDir
 * @returns {string}
 */
function helpText(projectDir) {
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

/**
 * The message for a stack with no stack file, naming the stacks there are.
 * @param {string} stack
 * @param {string} projectDir
 * @returns {string | undefined}
 */
function unknownStackMessage(stack, projectDir) {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (fs.existsSync(file)) return undefined;
    const stacks = stacksIn(projectDir);
    return `no stack "${stack}": ${path.relative(process.cwd(), file) || file} does not exist; stacks: ${stacks.join(", ") || "(none)"} (or pass --config-file <file>)`;
}

/**
 * What the CLI does before it loads anything else: parse `argv` and answer `--help` (stdout, exit 0), a usage error
 * or an unknown stack (stderr, exit 2). `exit` is set when it answered; otherwise `opts` are valid.
 * @param {string[]} argv
 * @param {string} projectDir
 * @returns {{ exit: number } | { exit?: undefined, opts: PlanArgs }}
 */
function preflight(argv, projectDir) {
    /** @type {PlanArgs} */
    let opts;
    try {
        opts = parseArgs(argv);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (!e.message) {
            console.log(helpText(projectDir));
            return { exit: 0 };
        }
        console.error(`error: ${e.message}`);
        console.error(USAGE);
        return { exit: 2 };
    }
    if (!opts.configFile) {
        const missing = unknownStackMessage(opts.stack, projectDir);
        if (missing) {
            console.error(`error: ${missing}`);
            return { exit: 2 };
        }
    }
    return { opts };
}

module.exports = { preflight, USAGE, UsageError, parseArgs, stacksIn, helpText, unknownStackMessage };
