// The offline plan (DESIGN.md §4): stack file → validated config → the real program under mocks →
// resources.json, manifests/, report.md.
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, parseStackConfig, PlatformConfig } from "../components/config";
import { createPlatform } from "../components/platform";
import { RegisteredResource } from "../lib/resources";
import { evaluate } from "./evaluate";
import { writeManifests } from "./manifests";
import { renderReport } from "./report";
import { readStackFile } from "./stack-file";
import { loadPolicyConfig, mandatoryViolations, PolicyConfigError, PolicyRunResult, runPolicies } from "./policy-runner";
import { renderGpuReport } from "./gpu-report";
import { pinpointViolations } from "./pinpoint";
import { buildSummary, failedSummary, PlanSummary, SUMMARY_FILE } from "./summary";
import { readSummary, renderComment } from "./comment";
import type { PlanArgs } from "./args";

/** What to plan: the CLI's parsed arguments (plan/args.js), or the same fields from tests and the benchmark. */
export type PlanOptions = PlanArgs;

export interface PlanResult {
    exitCode: 0 | 1;
    summary: string;
    policies: PolicyRunResult;
    config: PlatformConfig;
    resources: RegisteredResource[];
    outDir: string;
    /** Wall seconds per phase (the benchmark reports them). */
    timings: PlanTimings;
}

export interface PlanTimings { config: number; evaluate: number; policies: number; outputs: number }

const now = (): number => Number(process.hrtime.bigint()) / 1e9;

/** Loads and validates a stack's config the way the plan does (throws ConfigError). */
export function loadStackConfig(stack: string, projectDir: string, configFile?: string): PlatformConfig {
    const file = configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    const stackFile = readStackFile(file, projectDir);
    return parseStackConfig(stackFile.values, { secretKeys: stackFile.secretKeys, stack, baseDir: projectDir });
}

/**
 * What `report.md` says when the plan stops before its end (invalid config or policy config, a crash): the
 * errors, path by path, so the PR comment shows them, instead of the previous run's report looking current. The
 * previous resources.json and manifests/ are removed for the same reason.
 */
export function renderFailedReport(stack: string, error: unknown): string {
    const lines = [`# modelplane plan: ${stack} — FAILED`, "", "The plan stopped before it evaluated the program: nothing here describes the stack.", ""];
    if (error instanceof ConfigError) {
        lines.push(`## Invalid stack config (${error.issues.length} error${error.issues.length === 1 ? "" : "s"})`, "");
        for (const i of error.issues) lines.push(`- \`${i.path}\`: ${i.message}`);
    } else if (error instanceof PolicyConfigError) {
        lines.push("## Invalid policy config", "", "```", error.message, "```");
    } else {
        lines.push("## The plan crashed (a bug in modelplane, not in your config)", "", "```", error instanceof Error ? error.message : String(error), "```");
    }
    return lines.join("\n") + "\n";
}

function writeFailedPlan(outDir: string, opts: PlanOptions, projectDir: string, error: unknown): void {
    fs.mkdirSync(outDir, { recursive: true });
    fs.rmSync(path.join(outDir, "resources.json"), { force: true });
    fs.rmSync(path.join(outDir, "manifests"), { recursive: true, force: true });
    fs.writeFileSync(path.join(outDir, "report.md"), renderFailedReport(opts.stack, error));
    writeSummary(outDir, opts, failedSummary(opts.stack, stackFileName(opts, projectDir), error));
}

/** The stack file as the user knows it (`Pulumi.prod.yaml`), for fix-it text. */
function stackFileName(opts: PlanOptions, projectDir: string): string {
    const file = opts.configFile ?? path.join(projectDir, `Pulumi.${opts.stack}.yaml`);
    return path.basename(file);
}

/** summary.json, and with --base the PR comment section of this stack against the base plan. */
function writeSummary(outDir: string, opts: PlanOptions, summary: PlanSummary): void {
    fs.writeFileSync(path.join(outDir, SUMMARY_FILE), JSON.stringify(summary, null, 1) + "\n");
    // A comment.md of an earlier run with --base would look current: it goes.
    fs.rmSync(path.join(outDir, "comment.md"), { force: true });
    if (opts.base === undefined) return;
    const reportFile = path.join(outDir, "report.md");
    const comment = renderComment([{
        stack: opts.stack, head: summary, base: readSummary(path.resolve(opts.base)),
        report: fs.existsSync(reportFile) ? fs.readFileSync(reportFile, "utf8") : undefined,
    }]);
    fs.writeFileSync(path.join(outDir, "comment.md"), comment);
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const projectDir = opts.projectDir ?? process.cwd();
    const outDir = path.resolve(opts.out ?? path.join(projectDir, ".plan", opts.stack));
    try {
        return await planInto(opts, projectDir, outDir);
    } catch (e) {
        writeFailedPlan(outDir, opts, projectDir, e);
        throw e;
    }
}

async function planInto(opts: PlanOptions, projectDir: string, outDir: string): Promise<PlanResult> {
    let mark = now();
    const lap = (): number => { const t = now(); const d = t - mark; mark = t; return d; };
    const config = loadStackConfig(opts.stack, projectDir, opts.configFile);
    // The pack's config is read before anything runs: a bad file changes nothing and writes nothing.
    const policyFile = opts.policyConfig ?? path.join(projectDir, "policies", "config", `${opts.stack}.json`);
    if (!opts.policyConfig && !fs.existsSync(policyFile)) {
        throw new PolicyConfigError(`no policy config for stack "${opts.stack}": ${path.relative(process.cwd(), policyFile)} does not exist; pass --policy-config <file.json>`);
    }
    const policyConfig = loadPolicyConfig(policyFile);
    const configSeconds = lap();

    const { resources, outputs } = await evaluate(config, createPlatform);
    const evaluateSeconds = lap();
    const ran = await runPolicies(resources, policyConfig);
    const policies = { ...ran, violations: pinpointViolations(ran.violations, config) };
    const policiesSeconds = lap();
    const mandatory = mandatoryViolations(policies);

    fs.mkdirSync(outDir, { recursive: true });
    const forDisk = resources.map(({ rawProps: _raw, ...r }) => r);
    fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(forDisk, null, 2) + "\n");
    const manifests = writeManifests(resources, path.join(outDir, "manifests"));
    const planSummary = buildSummary({ config, resources, outputs, policies, policyConfig, stackFile: stackFileName(opts, projectDir) });
    const report = renderReport({ config, resources, outputs, policySection: renderGpuReport(resources, policyConfig, policies, opts.stack), models: planSummary.models });
    fs.writeFileSync(path.join(outDir, "report.md"), report);
    writeSummary(outDir, opts, planSummary);
    const timings: PlanTimings = { config: configSeconds, evaluate: evaluateSeconds, policies: policiesSeconds, outputs: lap() };

    const advisory = policies.violations.filter((v) => v.level === "advisory");
    const summary = [
        `plan ${opts.stack}: ${resources.length} resources, ${manifests.length} manifests → ${path.relative(process.cwd(), outDir) || "."}`,
        `policies (${path.relative(process.cwd(), policyFile)}): ${mandatory.length} mandatory, ${advisory.length} advisory violation(s)`,
        ...policies.violations.map((v) => `  [${v.level}] ${v.policy}${v.resourceName ? ` (${v.resourceName})` : ""}: ${v.message}`),
    ].join("\n");
    return { exitCode: mandatory.length > 0 ? 1 : 0, summary, config, resources, outDir, policies, timings };
}
