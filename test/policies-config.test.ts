// Policy config files (loadPolicyConfig), the shipped configs against the shipped stacks, and the pack
// as the Pulumi CLI loads it.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { loadPolicyConfig, PolicyConfigError, resolvePolicyConfig } from "../plan/policy-runner";
import { PACK_NAME, POLICIES } from "../policies/pack";

const ROOT = path.resolve(__dirname, "..");
const POLICY_DIR = path.join(ROOT, "policies");
const STACKS = ["dev", "prod", "local"] as const;

let tmp: string;

function write(name: string, content: unknown): string {
    const f = path.join(tmp, name);
    fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
    return f;
}

function configError(file: string): string {
    try {
        loadPolicyConfig(file);
    } catch (e) {
        assert.ok(e instanceof PolicyConfigError, `expected PolicyConfigError, got ${e}`);
        return e.message;
    }
    assert.fail(`${file} was accepted`);
}

describe("loadPolicyConfig", () => {
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("accepts the DESIGN.md example and returns it unchanged", () => {
        const example = { all: "mandatory", "team-gpu-quota": { quotas: { search: 32 }, defaultQuota: 0 }, "namespace-gpu-resourcequota": { quotas: { search: 32 } }, "max-gpus-per-model": { max: 64 } };
        assert.deepEqual(loadPolicyConfig(write("example.json", example)), example);
    });

    it("rejects an unknown policy name, naming the file and the JSON path", () => {
        const f = write("unknown.json", { all: "mandatory", "gpu-quota": { quotas: { search: 1 } } });
        const msg = configError(f);
        assert.match(msg, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: \\$\\["gpu-quota"\\]: unknown policy "gpu-quota" \\(policies of the pack: gpu-requests-equal-limits,`));
    });

    it("rejects a schema-invalid value with its path", () => {
        const f = write("invalid.json", {
            "team-gpu-quota": { quotas: { search: "lots", assistant: -1 } },
            "namespace-gpu-resourcequota": { quotas: { search: "lots", assistant: -1 } },
            "model-fits-accelerator": { headroom: 1.5 },
            "allowed-gpu-instance-types": { allowed: "p5.48xlarge" },
        });
        const lines = configError(f).split("\n");
        assert.ok(lines.includes(`${f}: $["team-gpu-quota"].quotas.search: must be integer`), lines.join("\n"));
        assert.ok(lines.includes(`${f}: $["team-gpu-quota"].quotas.assistant: must be >= 0`), lines.join("\n"));
        assert.ok(lines.includes(`${f}: $["model-fits-accelerator"].headroom: must be <= 1`), lines.join("\n"));
        assert.ok(lines.includes(`${f}: $["allowed-gpu-instance-types"].allowed: must be array`), lines.join("\n"));
    });

    // Issue 17 item 6: a line and column, not V8's character offset, and the usual cause named.
    for (const [name, text, where, message] of [
        ["a trailing comma", '{\n  "all": "mandatory",\n  "max-gpus-per-model": { "max": 8 },\n}\n', "4:1", /Expected double-quoted property name; JSON allows no comma before a closing \} or \] — remove it — the line is `\}`$/],
        ["a comment", '{\n  "all": "mandatory", // the default\n  "max-gpus-per-model": { "max": 8 }\n}\n', "2:23", /JSON has no comments — remove them — the line is ` {2}"all": "mandatory", \/\/ the default`$/],
        ["a missing closing brace", '{\n  "all": "mandatory",\n  "max-gpus-per-model": { "max": 8 }\n', "3:37", /the file ends before the JSON is complete; a closing \} or \] is missing — the line is ` {2}"max-gpus-per-model": \{ "max": 8 \}`$/],
        ["a missing comma", '{\n  "all": "mandatory"\n  "max-gpus-per-model": { "max": 8 }\n}\n', "3:3", /Expected ',' or '\}' after property value — the line is ` {2}"max-gpus-per-model": \{ "max": 8 \}`$/],
    ] as const) {
        it(`names the line and column of invalid JSON: ${name}`, () => {
            const f = write(`json-${name.replace(/ /g, "-")}.json`, text);
            const msg = configError(f);
            assert.ok(msg.startsWith(`${f}:${where}: not valid JSON at line ${where.split(":")[0]}, column ${where.split(":")[1]}: `), msg);
            assert.doesNotMatch(msg, /position \d+/);
            assert.match(msg, message);
        });
    }

    it("rejects keys a policy does not declare, bad enforcement levels, config for policies without config, and bad JSON", () => {
        assert.match(configError(write("key.json", { "max-gpus-per-model": { maximum: 8 } })), /: \$\["max-gpus-per-model"\]\.maximum: unknown key "maximum"$/);
        assert.match(configError(write("level.json", { all: "strict" })), /: \$\.all: "strict" is not an enforcement level \(advisory, mandatory, remediate, disabled\)$/);
        assert.match(configError(write("level2.json", { "gpu-pool-capacity": { enforcementLevel: "warn" } })), /: \$\["gpu-pool-capacity"\]\.enforcementLevel: "warn" is not an enforcement level/);
        assert.match(configError(write("noconfig.json", { "gpu-pool-capacity": { slack: 2 } })), /: \$\["gpu-pool-capacity"\]\.slack: unknown key "slack"$/);
        assert.match(configError(write("allkeys.json", { all: { enforcementLevel: "mandatory", quotas: {} } })), /: \$\.all\.quotas: "all" takes only enforcementLevel$/);
        assert.match(configError(write("bad.json", "{ all: mandatory }")), /bad\.json:1:3: not valid JSON at line 1, column 3: Expected property name or '}'; keys must be in double quotes/);
        assert.match(configError(write("array.json", "[]")), /array\.json: \$: must be an object/);
        assert.match(configError(path.join(tmp, "missing.json")), /missing\.json: cannot read the policy config file/);
    });

    it("rejects team quotas that differ between team-gpu-quota and namespace-gpu-resourcequota", () => {
        const f = write("drift.json", { "team-gpu-quota": { quotas: { search: 32 } }, "namespace-gpu-resourcequota": { quotas: { search: 40 } } });
        assert.match(configError(f), /: \$\["namespace-gpu-resourcequota"\]\.quotas\.search: 40 differs from \$\["team-gpu-quota"\]\.quotas\.search \(32\); keep the two copies of the team quotas equal$/);
        const missing = write("missing-copy.json", { "team-gpu-quota": { quotas: { search: 32 } } });
        assert.match(configError(missing), /quotas\.search: undefined differs from .*\(32\)/);
    });
});

describe("shipped policy configs", () => {
    for (const stack of STACKS) {
        describe(`policies/config/${stack}.json`, () => {
            const file = path.join(POLICY_DIR, "config", `${stack}.json`);
            const stackYaml = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, any>;
            const teams = (stackYaml["modelplane:teams"] ?? []) as { name: string; gpuQuota: number }[];
            const pools = (stackYaml["modelplane:gpuPools"] ?? []) as { name: string; instanceType?: string; maxNodes: number }[];

            it("loads, with every policy mandatory", () => {
                const cfg = loadPolicyConfig(file);
                assert.equal(cfg.all, "mandatory");
                for (const [name, c] of resolvePolicyConfig(cfg)) assert.equal(c.level, "mandatory", name);
            });

            it("has the stack's team quotas (modelplane:teams[].gpuQuota) in both quota policies, and no others", () => {
                const resolved = resolvePolicyConfig(loadPolicyConfig(file));
                const expected = Object.fromEntries(teams.map((t) => [t.name, t.gpuQuota]));
                assert.deepEqual(resolved.get("team-gpu-quota")!.properties.quotas, expected);
                assert.deepEqual(resolved.get("namespace-gpu-resourcequota")!.properties.quotas, expected);
                assert.equal(resolved.get("team-gpu-quota")!.properties.defaultQuota, 0);
            });

            it("allows exactly the stack's GPU instance types, and its pools' sizes", () => {
                const props = resolvePolicyConfig(loadPolicyConfig(file)).get("allowed-gpu-instance-types")!.properties as { allowed: string[]; maxNodes: number };
                const types = [...new Set(pools.map((p) => p.instanceType).filter((t): t is string => !!t))].sort();
                assert.deepEqual([...props.allowed].sort(), types);
                for (const p of pools) assert.ok(p.maxNodes <= props.maxNodes, `pool ${p.name}: maxNodes ${p.maxNodes} > ${props.maxNodes}`);
            });

            it(`requires protect ${stack === "prod" ? "(prod)" : "only in prod"}`, () => {
                const props = resolvePolicyConfig(loadPolicyConfig(file)).get("protect-stateful-platform")!.properties;
                assert.equal(props.requireProtect, stack === "prod");
                assert.equal(props.requireProtect, stackYaml["modelplane:protect"] === true);
            });
        });
    }
});

describe("the policy pack as the Pulumi CLI loads it", () => {
    it("PulumiPolicy.yaml names the pack and the runtime; package.json has a version", () => {
        const manifest = YAML.parse(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8"));
        assert.equal(manifest.name, PACK_NAME);
        assert.equal(manifest.runtime.name, "nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+/);
        assert.equal(pkg.main, "index.ts");
    });

    it("imports only lib/ and @pulumi/policy (never components/), so it can be published on its own", () => {
        for (const f of fs.readdirSync(POLICY_DIR).filter((n) => n.endsWith(".ts"))) {
            const src = fs.readFileSync(path.join(POLICY_DIR, f), "utf8");
            for (const m of src.matchAll(/from "([^"]+)"/g)) {
                const spec = m[1];
                assert.ok(spec.startsWith("./") || spec.startsWith("../lib/") || spec.startsWith("@pulumi/policy"), `${f} imports ${spec}`);
            }
        }
    });

    it("describes every policy to the engine (GetAnalyzerInfo serializes names, levels and config schemas)", () => {
        // Internal API of @pulumi/policy 1.21, used here the way its own server tests use it.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { makeAnalyzerInfo } = require("@pulumi/policy/protoutil");
        const info = makeAnalyzerInfo(PACK_NAME, "0.1.0", "mandatory", { policies: [...POLICIES] }, undefined);
        const policies = info.getPoliciesList();
        assert.deepEqual(policies.map((p: any) => p.getName()), POLICIES.map((p) => p.name));
        const team = policies.find((p: any) => p.getName() === "team-gpu-quota");
        assert.deepEqual(team.getConfigschema().getProperties().toJavaScript().defaultQuota, { type: "integer", minimum: 0, default: 0, description: POLICIES.find((p) => p.name === "team-gpu-quota")!.configSchema!.properties.defaultQuota.description });
    });

    it("starts: `new PolicyPack` in policies/index.ts serves and prints its port", async function () {
        this.timeout(90_000);
        const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), "index.ts"], {
            cwd: POLICY_DIR,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, TS_NODE_PROJECT: path.join(POLICY_DIR, "tsconfig.json") },
        });
        let out = "";
        let err = "";
        try {
            const port = await new Promise<string>((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no port within 60s; stdout: ${out}; stderr: ${err}`)), 60_000);
                child.stdout.on("data", (d) => {
                    out += String(d);
                    const m = /^(\d+)\s*$/m.exec(out);
                    if (m) {
                        clearTimeout(timer);
                        resolve(m[1]);
                    }
                });
                child.stderr.on("data", (d) => (err += String(d)));
                child.on("exit", (code) => {
                    clearTimeout(timer);
                    reject(new Error(`pack exited with ${code}; stdout: ${out}; stderr: ${err}`));
                });
            });
            assert.ok(Number(port) > 0);
        } finally {
            child.kill();
        }
    });
});
