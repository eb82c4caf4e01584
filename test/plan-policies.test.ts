// The policy pack against the resources the real program registers (not hand-made fixtures): shipped
// stacks pass their own configs, and each mandatory policy stops a mutated stack through the plan.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { runPlan } from "../plan/plan";
import { PolicyViolation } from "../plan/policy-runner";
import { PROJECT_DIR, SHIPPED_STACKS } from "./harness";

type Raw = Record<string, any>;

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-policies-"));
}

/** Plans a shipped stack after mutating its YAML config and/or its policy config. */
async function planMutated(stack: string, mutate: (cfg: Raw) => void, mutatePolicy?: (p: Raw) => void) {
    const dir = tmp();
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
    mutate(doc.config);
    const configFile = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(configFile, YAML.stringify(doc));
    const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "config", `${stack}.json`), "utf8"));
    mutatePolicy?.(policy);
    const policyConfig = path.join(dir, "policy.json");
    fs.writeFileSync(policyConfig, JSON.stringify(policy));
    return runPlan({ stack, configFile, policyConfig, out: path.join(dir, "out"), projectDir: PROJECT_DIR });
}

const model = (cfg: Raw, name: string): Raw => cfg["modelplane:models"].find((m: Raw) => m.name === name);
const pool = (cfg: Raw, name: string): Raw => cfg["modelplane:gpuPools"].find((p: Raw) => p.name === name);

function only(violations: PolicyViolation[], policy: string): PolicyViolation[] {
    return violations.filter((v) => v.policy === policy && v.level === "mandatory");
}

describe("policy pack on the registered program (offline plan)", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`the shipped ${stack} stack passes its own policy config`, async () => {
            const r = await runPlan({ stack, out: path.join(tmp(), "out"), projectDir: PROJECT_DIR });
            assert.equal(r.exitCode, 0, r.summary);
            assert.deepEqual(r.policies.violations, [], r.summary);
            const report = fs.readFileSync(path.join(r.outDir, "report.md"), "utf8");
            assert.match(report, /team/i);
            assert.match(report, /pool/i);
        });
    }

    it("halving prod's quotas exits 1 and names every team over quota with demand and quota", async () => {
        const r = await planMutated("prod", () => undefined, (p) => {
            for (const k of ["team-gpu-quota", "namespace-gpu-resourcequota"]) {
                p[k].quotas = Object.fromEntries(Object.entries(p[k].quotas as Record<string, number>).map(([t, q]) => [t, Math.floor(q / 2)]));
            }
        });
        assert.equal(r.exitCode, 1);
        const v = only(r.policies.violations, "team-gpu-quota");
        const expected: Record<string, [number, number]> = { search: [8, 6], assistant: [16, 10], research: [16, 10] };
        assert.equal(v.length, 3, r.summary);
        for (const [team, [demand, quota]] of Object.entries(expected)) {
            const hit = v.find((x) => x.message.includes(`team "${team}"`));
            assert.ok(hit, `no violation for ${team}:\n${r.summary}`);
            assert.match(hit.message, new RegExp(`requests ${demand} GPUs .* quota is ${quota}`));
        }
        assert.match(r.summary, /\[mandatory\] team-gpu-quota/);
    });

    const cases: { name: string; policy: string; mutate: (c: Raw) => void; mutatePolicy?: (p: Raw) => void; message: RegExp }[] = [
        {
            name: "a team over its quota", policy: "team-gpu-quota",
            mutate: (c) => { model(c, "llama-3-3-70b").replicas = 4; },
            message: /team "search" requests 16 GPUs .*quota is 12/,
        },
        {
            name: "a pool too small for its models", policy: "gpu-pool-capacity",
            mutate: (c) => { pool(c, "h100").maxNodes = 2; },
            message: /pool "h100" must hold 28 GPUs .* at most 16 \(2 nodes × 8 GPUs/,
        },
        {
            name: "a model that does not fit its GPU", policy: "model-fits-accelerator",
            mutate: (c) => { model(c, "llama-3-3-70b").parallelism = { tensor: 1 }; },
            message: /llama-3-3-70b/,
        },
        {
            // Config validation refuses a patch of main's GPUs; a sidecar with fractional GPU requests still reaches
            // the pack, which is the guard for anything applied outside modelplane's builders.
            name: "GPU requests ≠ limits through the template patch (a sidecar)", policy: "gpu-requests-equal-limits",
            mutate: (c) => {
                model(c, "llama-3-3-70b").template = {
                    containers: [{ name: "gpu-probe", image: "busybox", resources: { requests: { "nvidia.com/gpu": "1" }, limits: { "nvidia.com/gpu": "2" } } }],
                };
            },
            message: /llama-3-3-70b/,
        },
        {
            name: "a namespace whose ResourceQuota exceeds the team's quota", policy: "namespace-gpu-resourcequota",
            mutate: (c) => { c["modelplane:teams"].find((t: Raw) => t.name === "search").gpuQuota = 40; },
            message: /search.*40.*12/,
        },
        {
            name: "a disallowed instance type", policy: "allowed-gpu-instance-types",
            mutate: (c) => { pool(c, "h100").instanceType = "p5e.48xlarge"; },
            message: /p5e\.48xlarge/,
        },
        {
            name: "a model over the per-model GPU cap", policy: "max-gpus-per-model",
            mutate: (c) => { model(c, "deepseek-r1").replicas = 1; },
            mutatePolicy: (p) => { p["max-gpus-per-model"].max = 8; },
            message: /deepseek-r1.*16.*8/,
        },
        {
            name: "GPU pods that do not tolerate the pool taint", policy: "gpu-workloads-target-gpu-pools",
            // qwen3-32b is on l40s, a tainted pool (prod's h100 is untainted for its localCache model).
            mutate: (c) => { model(c, "qwen3-32b").template = { tolerations: [] }; },
            message: /qwen3-32b/,
        },
        {
            name: "prod without protection", policy: "protect-stateful-platform",
            mutate: (c) => { c["modelplane:protect"] = false; },
            message: /protect/,
        },
    ];

    // Issue 17, config item 3: the namespace ResourceQuota (modelplane:teams[].gpuQuota) below the team's worst-case
    // demand. prod's search team needs 8 GPUs (llama-3-3-70b: 2 × tensor 4); its policy quota is 12.
    const search = (c: Raw): Raw => c["modelplane:teams"].find((t: Raw) => t.name === "search");
    for (const gpuQuota of [0, 4]) {
        it(`exits 1 when the search team's gpuQuota is ${gpuQuota} for a demand of 8 (namespace-gpu-resourcequota), and the report says so`, async () => {
            const r = await planMutated("prod", (c) => { search(c).gpuQuota = gpuQuota; });
            assert.equal(r.exitCode, 1, r.summary);
            const v = only(r.policies.violations, "namespace-gpu-resourcequota");
            assert.equal(v.length, 1, r.summary);
            assert.match(v[0].message, new RegExp(`^ResourceQuota search/gpu-quota allows ${gpuQuota} GPUs \\(requests\\.nvidia\\.com/gpu\\) in namespace "search" but its workloads need 8 GPUs at their worst case \\(llama-3-3-70b: 8\\): admission would reject the pods above ${gpuQuota}; raise modelplane:teams\\[0\\]\\.gpuQuota \\("search"\\) in Pulumi\\.prod\\.yaml to at least 8 \\(at most 12`));
            assert.deepEqual(only(r.policies.violations, "team-gpu-quota"), []);
            const report = fs.readFileSync(path.join(r.outDir, "report.md"), "utf8");
            assert.match(report, new RegExp(`\\| search \\| llama-3-3-70b \\(8\\) \\| 8 \\| ${gpuQuota} \\| 12 \\| ${gpuQuota - 8} \\| \\*\\*ResourceQuota below demand\\*\\* \\|`));
        });
    }

    // Issue 16 item 4: the GPUs fit in sum, the pods do not. Config validation packs the pods it sizes itself; a
    // `template` patch that raises a pod's memory is seen only in the registered resources, which the pack packs.
    it("exits 1 when h100's 28 GPUs fit its 32 but its pods do not (a template raises the P/D decode pods' memory), with the packing", async () => {
        const r = await planMutated("prod", (c) => {
            model(c, "llama-3-1-8b-pd").template = { containers: [{ name: "main", resources: { requests: { memory: "1000Gi" }, limits: { memory: "1000Gi" } } }] };
        });
        assert.equal(r.exitCode, 1, r.summary);
        const v = only(r.policies.violations, "gpu-pool-capacity");
        assert.equal(v.length, 1, r.summary);
        assert.equal(v[0].resourceName, "llm-prod-gpu-h100");
        assert.match(v[0].message, /^pool "h100" holds the 28 GPUs of its models in sum \(4 nodes × 8 GPUs of p5\.48xlarge\) but not their pods, which the scheduler places whole on nodes with their CPU and memory \(p5\.48xlarge: 8 GPUs, 172 vCPU, 1843 GiB allocatable each\): packed largest first they need 5 nodes, maxNodes is 4; 1 pod left over \(1 × llama-3-1-8b-pd; e\.g\. 1 GPUs, 21 vCPU, 1000 GiB\)\. Packing: node 1: deepseek-r1 leader; node 2: deepseek-r1 worker; node 3: 2 × llama-3-3-70b; node 4: llama-3-1-8b-pd, 2 × llama-3-1-8b-pd prefill\. Raise modelplane:gpuPools\[0\]\.maxNodes \("h100"\) to 5 \(within allowed-gpu-instance-types\.maxNodes\), lower the models' resources or replicas, or move models to another pool\.$/);
        const report = fs.readFileSync(path.join(r.outDir, "report.md"), "utf8");
        assert.match(report, /\| h100 \| p5\.48xlarge: 8 GPUs, 172 vCPU, 1843 GiB allocatable each \| 8 \| 5 \| 4 \| \*\*does not fit\*\* \| 1: deepseek-r1 leader \(0 GPUs free\); .*\*\*left over: 1 × llama-3-1-8b-pd\*\* \|/);
        // The GPU table alone says the pool is fine: only the packing sees it.
        assert.match(report, /\| h100 \| H100 \| 8 \| 4 \| 32 \| 28 \| ok \|/);
    });

    it("the shipped stacks' report shows each pool's packing within maxNodes", async () => {
        const r = await runPlan({ stack: "prod", out: path.join(tmp(), "out"), projectDir: PROJECT_DIR });
        const report = fs.readFileSync(path.join(r.outDir, "report.md"), "utf8");
        assert.match(report, /## Pod packing per pool/);
        assert.match(report, /\| h100 \| p5\.48xlarge: 8 GPUs, 172 vCPU, 1843 GiB allocatable each \| 8 \| 4 \| 4 \| ok \| 1: deepseek-r1 leader \(0 GPUs free\); 2: deepseek-r1 worker \(0 GPUs free\); 3: 2 × llama-3-3-70b \(0 GPUs free\); 4: 2 × llama-3-1-8b-pd, 2 × llama-3-1-8b-pd prefill \(4 GPUs free\) \|/);
        assert.match(report, /\| l40s \| g6e\.12xlarge: 4 GPUs, 43 vCPU, 345 GiB allocatable each \| 3 \| 3 \| 6 \| ok \|/);
    });

    it("the README's adding-a-team snippet plans clean on prod: demand, ResourceQuota and quota all 8", async () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("### Adding a team and raising its quota"), readme.indexOf("### Changing a GPU pool"));
        const yamlBlock = /```yaml\n([\s\S]*?)```/.exec(section)![1];
        const snippet = YAML.parse(yamlBlock.replace(/^# .*$/m, "")) as Raw;
        const jsonLines = /```json\n([\s\S]*?)```/.exec(section)![1].split("\n").filter((l) => l.trim().startsWith("\""));
        const policy = JSON.parse(`{${jsonLines.join("\n").replace(/,\s*$/, "")}}`) as Raw;
        const r = await planMutated("prod", (c) => {
            c["modelplane:teams"].push(...snippet["modelplane:teams"]);
            c["modelplane:models"].push(...snippet["modelplane:models"]);
        }, (p) => {
            for (const k of ["team-gpu-quota", "namespace-gpu-resourcequota"]) p[k] = policy[k];
        });
        assert.equal(r.exitCode, 0, r.summary);
        const report = fs.readFileSync(path.join(r.outDir, "report.md"), "utf8");
        assert.match(report, /\| ranking \| ranker-8b \(8\) \| 8 \| 8 \| 8 \| 0 \| ok \|/);
    });

    it("exits 1 when a quota is raised in the policy file only (the ResourceQuota still stops the pods)", async () => {
        const r = await planMutated("prod", (c) => { model(c, "llama-3-3-70b").replicas = 4; }, (p) => {
            for (const k of ["team-gpu-quota", "namespace-gpu-resourcequota"]) p[k].quotas.search = 16;
        });
        assert.equal(r.exitCode, 1, r.summary);
        assert.deepEqual(only(r.policies.violations, "team-gpu-quota"), [], "the policy quota covers 16");
        const [v] = only(r.policies.violations, "namespace-gpu-resourcequota");
        assert.match(v.message, /allows 12 GPUs .* need 16 GPUs .*\(llama-3-3-70b: 16\).*raise modelplane:teams\[0\]\.gpuQuota \("search"\) in Pulumi\.prod\.yaml to at least 16 \(at most 16/);
    });

    for (const c of cases) {
        it(`exits 1 on ${c.name} (${c.policy})`, async () => {
            const r = await planMutated("prod", c.mutate, c.mutatePolicy);
            assert.equal(r.exitCode, 1, r.summary);
            const v = only(r.policies.violations, c.policy);
            assert.ok(v.length > 0, `no ${c.policy} violation:\n${r.summary}`);
            assert.ok(v.some((x) => c.message.test(x.message)), `no ${c.policy} message matching ${c.message}:\n${v.map((x) => x.message).join("\n")}`);
        });
    }

    it("a capacity-block pool (no instanceTypes on the node group) still passes the pool policies", async () => {
        const r = await planMutated("prod", (c) => {
            Object.assign(pool(c, "h100"), { capacity: "capacityBlock", reservation: "cr-0a1b2c3d4e5f60718", zones: ["us-east-2a"] });
        });
        assert.equal(r.exitCode, 0, r.summary);
    });

    it("exits 2 on a policy config that fails its schema; the report says the plan failed, and why", async () => {
        const dir = tmp();
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ all: "mandatory", "team-gpu-quota": { quotas: { search: "lots" } } }));
        await assert.rejects(runPlan({ stack: "prod", policyConfig: bad, out: path.join(dir, "out"), projectDir: PROJECT_DIR }), /quotas/);
        assert.deepEqual(fs.readdirSync(path.join(dir, "out")).sort(), ["report.md", "summary.json"]);
        const summary = JSON.parse(fs.readFileSync(path.join(dir, "out", "summary.json"), "utf8"));
        assert.equal(summary.status, "failed");
        assert.match(summary.failure, /^invalid policy config: .*quotas/);
        const report = fs.readFileSync(path.join(dir, "out", "report.md"), "utf8");
        assert.match(report, /^# modelplane plan: prod — FAILED/);
        assert.match(report, /## Invalid policy config[\s\S]*quotas/);
    });
});
