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
    config: PlatformConfig;
    resources: RegisteredResource[];
    outDir: string;
}

/** Loads and validates a stack's config the way the plan does (throws ConfigError). */
export function loadStackConfig(stack: string, projectDir: string, configFile?: string): PlatformConfig {
    const file = configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    const stackFile = readStackFile(file, projectDir);
    return parseStackConfig(stackFile.values, { secretKeys: stackFile.secretKeys, stack });
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult> {
    const projectDir = opts.projectDir ?? process.cwd();
    const config = loadStackConfig(opts.stack, projectDir, opts.configFile);
    const outDir = path.resolve(opts.out ?? path.join(projectDir, ".plan", opts.stack));

    const { resources, outputs } = await evaluate(config, createPlatform);

    fs.mkdirSync(outDir, { recursive: true });
    const forDisk = resources.map(({ rawProps: _raw, ...r }) => r);
    fs.writeFileSync(path.join(outDir, "resources.json"), JSON.stringify(forDisk, null, 2) + "\n");
    const manifests = writeManifests(resources, path.join(outDir, "manifests"));
    const report = renderReport({ config, resources, outputs });
    fs.writeFileSync(path.join(outDir, "report.md"), report);

    const summary = [
        `plan ${opts.stack}: ${resources.length} resources, ${manifests.length} manifests → ${path.relative(process.cwd(), outDir) || "."}`,
    ].join("\n");
    return { exitCode: 0, summary, config, resources, outDir };
}
