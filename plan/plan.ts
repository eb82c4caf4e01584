// The offline plan (DESIGN.md §4): stack file → validated config → the real program under mocks →
// resources.json, manifests/, report.md.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseStackConfig, PlatformConfig } from "../components/config";
import { createPlatform } from "../components/platform";
import { RegisteredResource } from "../lib/resources";
import { evaluate } from "./evaluate";
import { writeManifests } from "./manifests";
import { renderReport } from "./report";
import { readStackFile } from "./stack-file";
import { loadPolicyConfig, mandatoryViolations, PolicyConfigError, PolicyRunResult, runPolicies } from "./policy-runner";
import { renderGpuReport } from "./gpu-report";

export interface PlanOptions {
    stack: string;
    configFile?: string;
    policyConfig?: string;
    out?: string;
    projectDir?: string;
}

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
    return parseStackConfig(stackFile.values, { secretKeys: stackFile.secretKeys, stack });
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const projectDir = opts.projectDir ?? process.cwd();
    let mark = now();
    const lap = (): number => { const t = now(); const d = t - mark; mark = t; return d; };
    const config = loadStackConfig(opts.stack, projectDir, opts.configFile);
    // The pack's config is read before anything runs: a bad file changes nothing and writes nothing.
    const policyFile = opts.policyConfig ?? path.join(projectDir, "policies", "config", `${opts.stack}.json`);
    if (!opts.policyConfig && !fs.existsSync(policyFile)) {
        throw new PolicyConfigError(`no policy config for stack "${opts.stack}": ${path.relative(process.cwd(), policyFile)} does not exist; pass --policy-config <file.json>`);
    }
    const policyConfig = loadPolicyConfig(policyFile);
    const outDir = path.resolve(opts.out ?? path.join(projectDir, ".plan", opts.stack));
    const configSeconds = lap();

    const { resources, outputs } = await evaluate(config, createPlatform);
    const evaluateSeconds = lap();
    const policies = await runPolicies(resources, policyConfig);
    const policiesSeconds = lap();
    const mandatory = mandatoryViolations(policies);

    fs.mkdirSync(outDir, { recursive: true });
    const forDisk = resources.map(({ rawProps: _raw, ...r }) => r);
    fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(forDisk, null, 2) + "\n");
    const manifests = writeManifests(resources, path.join(outDir, "manifests"));
    const report = renderReport({ config, resources, outputs, policySection: renderGpuReport(resources, policyConfig, policies) });
    fs.writeFileSync(path.join(outDir, "report.md"), report);
    const timings: PlanTimings = { config: configSeconds, evaluate: evaluateSeconds, policies: policiesSeconds, outputs: lap() };

    const advisory = policies.violations.filter((v) => v.level === "advisory");
    const summary = [
        `plan ${opts.stack}: ${resources.length} resources, ${manifests.length} manifests → ${path.relative(process.cwd(), outDir) || "."}`,
        `policies (${path.relative(process.cwd(), policyFile)}): ${mandatory.length} mandatory, ${advisory.length} advisory violation(s)`,
        ...policies.violations.map((v) => `  [${v.level}] ${v.policy}${v.resourceName ? ` (${v.resourceName})` : ""}: ${v.message}`),
    ].join("\n");
    return { exitCode: mandatory.length > 0 ? 1 : 0, summary, config, resources, outDir, policies, timings };
}
