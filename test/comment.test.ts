// Issue 17, the pull-request comment: `npm run plan -- <stack> --base <dir>` and `npm run plan:comment` lead with
// what changed against the base plan, put config errors path by path in the comment, and fit GitHub's limit at
// 2,000 models with every violation and the per-team and per-pool tables.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { generateStack } from "../bench/generate";
import { COMMENT_MARKER, diffPlans, GITHUB_COMMENT_LIMIT, loadStackPlans, readSummary, renderComment, VIOLATION_CHARS } from "../plan/comment";
import { pinpoint } from "../plan/pinpoint";
import { PlanSummary } from "../plan/summary";
import { runPlan } from "../plan/plan";
import { PROJECT_DIR } from "./harness";

type Raw = Record<string, any>;

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-comment-"));

/** Plans prod as shipped into <dir>/base/prod, then mutated into <dir>/head/prod with --base. */
async function planPair(mutate: (c: Raw) => void, mutatePolicy?: (p: Raw) => void) {
    const dir = tmp();
    await runPlan({ stack: "prod", out: path.join(dir, "base", "prod"), projectDir: PROJECT_DIR });
    const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8"));
    mutate(doc.config);
    const configFile = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(configFile, YAML.stringify(doc));
    const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "config", "prod.json"), "utf8"));
    mutatePolicy?.(policy);
    const policyConfig = path.join(dir, "policy.json");
    fs.writeFileSync(policyConfig, JSON.stringify(policy));
    const out = path.join(dir, "head", "prod");
    const result = await runPlan({ stack: "prod", configFile, policyConfig, out, projectDir: PROJECT_DIR, base: path.join(dir, "base", "prod") }).catch((e: unknown) => e);
    return { dir, out, result, comment: fs.readFileSync(path.join(out, "comment.md"), "utf8") };
}

const model = (c: Raw, name: string): Raw => c["modelplane:models"].find((m: Raw) => m.name === name);

describe("PR comment: what changed against the base plan", function () {
    this.timeout(120_000);

    it("leads with models added, removed and changed (with fields), demand per team and pool before → after, and the violations", async () => {
        const { comment } = await planPair((c) => {
            model(c, "llama-3-3-70b").replicas = 4;                           // search 8 → 16 GPUs, h100 28 → 36
            const ms = c["modelplane:models"] as Raw[];
            ms.splice(ms.findIndex((m) => m.name === "qwen3-32b"), 1);          // assistant 16 → 4, l40s 12 → 0
            ms.push({ name: "ranker-8b", team: "research", uri: "hf://meta-llama/Llama-3.1-8B-Instruct", pool: "l40s", replicas: 2, parallelism: { tensor: 4 }, size: { paramsBillions: 8 } });
        });
        assert.ok(comment.startsWith(`${COMMENT_MARKER}\n# modelplane offline plan`));
        const lines = comment.split("\n");
        const at = (re: RegExp): number => lines.findIndex((l) => re.test(l));
        // Order: status, the summary of changes, violations, team and pool tables, model changes, then the snapshot.
        const order = [/^## `prod` — ❌ 5 mandatory violation/, /^\*\*Changes against the base branch:\*\* 1 model\(s\) added, 1 removed, 1 changed; 5 new violation\(s\), 0 resolved\.$/,
            /^### Violations \(5, every one\)$/, /^### GPU demand per team \(base → this branch\)$/, /^### GPU demand per pool/, /^### Models changed \(3\)$/, /^<details><summary>Full plan of <b>prod<\/b>/];
        const positions = order.map(at);
        assert.ok(positions.every((p) => p >= 0), `missing: ${order.filter((_, i) => positions[i] < 0).join(", ")}\n${comment}`);
        assert.deepEqual([...positions].sort((a, b) => a - b), positions, "sections out of order");
        assert.match(comment, /^\| changed \| `llama-3-3-70b` \(`modelplane:models\[0\]`\) \| replicas: 2 → \*\*4\*\*; gpus: 8 → \*\*16\*\* \|$/m);
        assert.match(comment, /^\| added \| `ranker-8b` \(`modelplane:models\[3\]`\) \| team research, pool l40s, tp4, 1 × 4 GPUs × 2 replicas = 8 GPUs; weights 3\.7 of 40\.2 GiB usable per L40S; ResourceQuota 20 \(modelplane:teams\[2\]\.gpuQuota\); endpoint https:\/\/llm\.prod\.example\.com\/research\/ranker-8b\/v1 \|$/m);
        assert.match(comment, /^\| removed \| `qwen3-32b` \(`modelplane:models\[1\]`\) \| was team assistant, pool l40s, 12 GPUs \|$/m);
        assert.match(comment, /^\| search \| 1 \| 8 → \*\*16\*\* \| 12 \| 12 \| \*\*over quota\*\* \|$/m);
        assert.match(comment, /^\| assistant \| 2 → \*\*1\*\* \| 16 → \*\*4\*\* \| 20 \| 20 \| ok \|$/m);
        assert.match(comment, /^\| h100 \| H100 \| 32 \| 28 → \*\*36\*\* \| \*\*over capacity\*\* \|$/m);
        assert.match(comment, /^- \*\*mandatory\*\* 🆕 `gpu-pool-capacity` on `llm-prod-gpu-h100`: pool "h100" must hold 36 GPUs/m);
        assert.match(comment, /^- \*\*mandatory\*\* 🆕 `namespace-gpu-resourcequota` on `search-gpu`: .*raise both modelplane:teams\[0\]\.gpuQuota \("search"\) in Pulumi\.prod\.yaml/m);
    });

    it("report.md's Models table has per model its stack-file key, weights per GPU vs usable memory, ResourceQuota and endpoint", async () => {
        const dir = tmp();
        await runPlan({ stack: "prod", out: dir, projectDir: PROJECT_DIR });
        const report = fs.readFileSync(path.join(dir, "report.md"), "utf8");
        // 70B bf16 over tensor 4: 70e9 × 2 / 4 / 2^30 = 32.6 GiB per GPU; H100 80 GiB × 0.9 headroom = 72.0 usable.
        assert.match(report, /^\| llama-3-3-70b \(`modelplane:models\[0\]`\) \| search \| h100 \| tp4 \| 1 × 4 \| 2 \| 8 \| storageInitializer \| 32\.6 of 72\.0 GiB usable per H100 \| 12 \(modelplane:teams\[0\]\.gpuQuota\) \| https:\/\/llm\.prod\.example\.com\/search\/llama-3-3-70b\/v1 \|$/m);
        // 671B fp8 over tensor 8 × pipeline 2: 671e9 / 16 / 2^30 = 39.1 GiB.
        assert.match(report, /^\| deepseek-r1 \(`modelplane:models\[3\]`\) .* \| 39\.1 of 72\.0 GiB usable per H100 \| 20 \(modelplane:teams\[2\]\.gpuQuota\) \|/m);
    });

    it("says which violations a change resolves, and shows no change for an unchanged stack", async () => {
        const dir = tmp();
        const overQuota = (p: Raw) => { for (const k of ["team-gpu-quota", "namespace-gpu-resourcequota"]) p[k].quotas.search = 4; };
        const policy = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "config", "prod.json"), "utf8"));
        overQuota(policy);
        fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(policy));
        await runPlan({ stack: "prod", policyConfig: path.join(dir, "policy.json"), out: path.join(dir, "base"), projectDir: PROJECT_DIR });
        await runPlan({ stack: "prod", out: path.join(dir, "head"), projectDir: PROJECT_DIR, base: path.join(dir, "base") });
        const comment = fs.readFileSync(path.join(dir, "head", "comment.md"), "utf8");
        assert.match(comment, /## `prod` — ✅ no mandatory violation/);
        assert.match(comment, /0 model\(s\) added, 0 removed, 0 changed; 0 new violation\(s\), 2 resolved\./);
        assert.match(comment, /Resolved by this change: `team-gpu-quota` on `search`, `namespace-gpu-resourcequota` on `search-gpu`/);
        assert.match(comment, /^\| search \| 1 \| 8 \| 12 \| 4 → \*\*12\*\* \| ok \|$/m);
        assert.doesNotMatch(comment, /### Models changed/);
    });

    it("puts an invalid config's errors in the comment path by path, not 'see the job log'", async () => {
        const { result, comment } = await planPair((c) => {
            c["modelplane:teams"][0].gpuQuota = "lots";
            model(c, "qwen3-32b").pool = "h200";
        });
        assert.ok(result instanceof Error, "the plan fails");
        assert.match(comment, /^## `prod` — ⛔ invalid config: 2 error\(s\) in `Pulumi\.prod\.yaml`$/m);
        assert.match(comment, /^- `modelplane:teams\[0\]\.gpuQuota`: "lots" must be a number$/m);
        assert.match(comment, /^- `modelplane:models\[1\]\.pool`: unknown pool "h200"; pools are: h100, l40s$/m);
        assert.doesNotMatch(comment, /job log/);
        // The FAILED report.md follows, collapsed.
        assert.match(comment, /<details><summary>Full plan of <b>prod<\/b> \(report\.md\)<\/summary>\n\n# modelplane plan: prod — FAILED/);
    });

    it("npm run plan:comment combines every stack under a directory with its base, and names the artifact", async () => {
        const { dir } = await planPair((c) => { model(c, "llama-3-3-70b").replicas = 3; });
        const out = path.join(dir, "comment.md");
        const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin-transpile"), "plan/comment-cli.ts", path.join(dir, "head"), "--base", path.join(dir, "base"),
            "--artifact-url", "https://github.com/o/r/actions/runs/1", "--out", out], { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60_000 });
        assert.equal(r.status, 0, r.stderr);
        const comment = fs.readFileSync(out, "utf8");
        assert.match(comment, /\[artifacts of this run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\)/);
        assert.match(comment, /^\| changed \| `llama-3-3-70b` \(`modelplane:models\[0\]`\) \| replicas: 2 → \*\*3\*\*; gpus: 8 → \*\*12\*\* \|$/m);
        const bad = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin-transpile"), "plan/comment-cli.ts"], { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60_000 });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /missing <plans-dir>/);
    });
});

describe("PR comment size with several stacks", () => {
    const summary = (stack: string, over: Partial<PlanSummary> = {}): PlanSummary => ({
        version: 1, stack, status: "ok", stackFile: `Pulumi.${stack}.yaml`, models: [], teams: [], pools: [], violations: [], errors: [], resources: 1, ...over,
    });
    const bigReport = (stack: string) => `# modelplane plan: \`${stack}\`\n\n` + Array.from({ length: 4000 }, (_, i) => `| m${i} | team | pool | tp1 | 1 × 1 | 1 | 1 |`).join("\n") + "\n";

    it("three stacks with 150k-character reports: every stack's status and a cut snapshot each, within the limit", () => {
        const stacks = ["dev", "prod", "local"].map((s) => ({ stack: s, head: summary(s), base: summary(s), report: bigReport(s) }));
        const comment = renderComment(stacks, { artifactUrl: "https://example.com/run" });
        assert.ok(comment.length <= GITHUB_COMMENT_LIMIT, `${comment.length}`);
        for (const s of ["dev", "prod", "local"]) {
            assert.match(comment, new RegExp(`^## \`${s}\` — ✅ no mandatory violation$`, "m"));
            assert.match(comment, new RegExp(`<details><summary>Full plan of <b>${s}</b> \\(report\\.md\\)</summary>\n\n# modelplane plan: \`${s}\``));
            assert.match(comment, new RegExp(`the whole report\\.md is in \\[the plan artifact\\]\\(https://example\\.com/run\\) \\(\`plan-${s}\`\\)`));
        }
        // Snapshots share the room: none takes it all.
        const sizes = ["dev", "prod", "local"].map((s) => comment.split(`Full plan of <b>${s}</b>`)[1].split("</details>")[0].length);
        assert.ok(Math.min(...sizes) > 15_000, sizes.join(", "));
    });

    it("without a base plan: says so, shows this branch's tables without arrows, and lists no model as added", () => {
        const head = summary("prod", {
            models: [{ name: "a", key: "modelplane:models[0]" } as PlanSummary["models"][number]],
            teams: [{ team: "search", consumers: [{ name: "a", gpus: 8 }], demand: 8, undeterminable: 0, resourceQuota: 12, quota: 12, quotaIsDefault: false, status: "ok" }],
        });
        const comment = renderComment([{ stack: "prod", head, base: undefined, report: "# r\n" }]);
        assert.match(comment, /No base plan to compare against/);
        assert.match(comment, /^\| search \| 1 \| 8 \| 12 \| 12 \| ok \|$/m);
        assert.doesNotMatch(comment, /→|### Models changed/);
    });

    it("a config with thousands of errors is cut at a line with a note, within the limit", () => {
        const errors = Array.from({ length: 5000 }, (_, i) => ({ path: `modelplane:models[${i}].pool`, message: `unknown pool "p${i}"; pools are: h100` }));
        const comment = renderComment([{ stack: "prod", head: summary("prod", { status: "invalid", errors }), base: undefined, report: undefined }]);
        assert.ok(comment.length <= GITHUB_COMMENT_LIMIT, `${comment.length}`);
        assert.match(comment, /^## `prod` — ⛔ invalid config: 5000 error\(s\) in `Pulumi\.prod\.yaml`$/m);
        assert.match(comment, /^- `modelplane:models\[0\]\.pool`: unknown pool "p0"; pools are: h100$/m);
        assert.match(comment, /_… cut to stay within GitHub's comment limit; the full list is in report\.md of the plan artifact\._\n$/);
    });
});

describe("fix-it text names the entry to edit (plan/pinpoint.ts)", () => {
    const cfg = {
        teams: [{ name: "search", gpuQuota: 12 }, { name: "assistant", gpuQuota: 20 }],
        gpuPools: [{ name: "h100" }, { name: "l40s" }],
        models: [{ name: "llama" }, { name: "qwen" }],
    } as unknown as Parameters<typeof pinpoint>[1];
    for (const [before, after] of [
        ['raise modelplane:teams[].gpuQuota for "assistant" in Pulumi.prod.yaml', 'raise modelplane:teams[1].gpuQuota ("assistant") in Pulumi.prod.yaml'],
        ['raise modelplane:gpuPools[].maxNodes for "l40s" (within …)', 'raise modelplane:gpuPools[1].maxNodes ("l40s") (within …)'],
        ['model "qwen" (ns/qwen) can hold 16 GPUs; lower replicas or parallelism in modelplane:models[], or raise …', 'model "qwen" (ns/qwen) can hold 16 GPUs; lower replicas or parallelism in modelplane:models[1], or raise …'],
        ['team "search" requests 16 GPUs; raise modelplane:teams[].gpuQuota and …', 'team "search" requests 16 GPUs; raise modelplane:teams[0].gpuQuota and …'],
        // Names the config does not have stay generic.
        ['raise modelplane:teams[].gpuQuota for "ads"', 'raise modelplane:teams[].gpuQuota for "ads"'],
        ['model "other": fix modelplane:models[].size', 'model "other": fix modelplane:models[].size'],
    ]) {
        it(`${before.slice(0, 50)}…`, () => assert.equal(pinpoint(before, cfg), after));
    }
});

describe("PR comment at 2,000 models", function () {
    this.timeout(300_000);

    it("shows every violation and the full per-team and per-pool tables within GitHub's 65,536 characters, and links the artifact", async () => {
        const dir = tmp();
        // 2,000 models inline would be too much stack config for Pulumi to hand over: a model file, as a fleet's.
        const g = generateStack(2000, undefined, { modelFile: path.join(dir, "models.yaml") });
        fs.writeFileSync(path.join(dir, "models.yaml"), g.modelsYaml!);
        fs.writeFileSync(path.join(dir, "Pulumi.scale.yaml"), g.stackYaml);
        // Violations: ten teams over quota in the policy file (each also has a ResourceQuota above its quota) and a
        // pool too small for its ~500 models (a message listing every one of them).
        const policy = structuredClone(g.policyConfig) as Raw;
        const overTeams = Object.keys(policy["team-gpu-quota"].quotas).slice(0, 10);
        for (const k of ["team-gpu-quota", "namespace-gpu-resourcequota"]) for (const t of overTeams) policy[k].quotas[t] = 1;
        fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(policy));
        const stack = YAML.parse(g.stackYaml);
        const h100 = stack.config["modelplane:gpuPools"].find((p: Raw) => p.name === "h100");
        h100.maxNodes = Math.floor(h100.maxNodes / 2);
        fs.writeFileSync(path.join(dir, "Pulumi.scale.yaml"), YAML.stringify(stack));
        const out = path.join(dir, "head", "scale");
        const r = await runPlan({ stack: "scale", configFile: path.join(dir, "Pulumi.scale.yaml"), policyConfig: path.join(dir, "policy.json"), out, projectDir: PROJECT_DIR });
        assert.equal(r.exitCode, 1);
        const head = readSummary(out)!;
        assert.equal(head.models.length, 2000);
        assert.equal(head.teams.length, 100);
        // The base: the same stack before 50 models were added and before the violations.
        const base = { ...structuredClone(head), violations: [], models: head.models.slice(0, 1950), status: "ok" as const };
        const longest = Math.max(...head.violations.map((v) => v.message.length));
        assert.ok(longest > 5_000, `a violation message lists hundreds of models (${longest} characters)`);

        const comment = renderComment([{ stack: "scale", head, base, report: fs.readFileSync(path.join(out, "report.md"), "utf8") }], { artifactUrl: "https://github.com/o/r/actions/runs/2" });
        assert.ok(comment.length <= GITHUB_COMMENT_LIMIT, `${comment.length} characters`);
        assert.ok(head.violations.length >= 21, `${head.violations.length} violations`);
        for (const v of head.violations) {
            const line = `- **${v.level}** 🆕 \`${v.policy}\`${v.resourceName ? ` on \`${v.resourceName}\`` : ""}: ${v.message.slice(0, VIOLATION_CHARS - 1)}`;
            assert.ok(comment.includes(line), `violation not shown: ${line.slice(0, 200)}`);
        }
        for (const t of head.teams) assert.match(comment, new RegExp(`^\\| ${t.team} \\| \\d+ \\| `, "m"), `team ${t.team} missing`);
        for (const p of head.pools) assert.match(comment, new RegExp(`^\\| ${p.pool} \\| `, "m"), `pool ${p.pool} missing`);
        assert.match(comment, /### Models changed \(50\)/);
        // The 198k-character report.md does not fit: it is cut, and the comment says where the whole one is.
        assert.match(comment, /_… cut here to stay within GitHub's comment limit: the whole report\.md is in \[the plan artifact\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/2\) \(`plan-scale`\)\._/);
        // Diff sanity: the 50 models the base lacks are the added ones.
        assert.equal(diffPlans(base, head).models.filter((m) => m.kind === "added").length, 50);
        assert.deepEqual(loadStackPlans(path.join(dir, "head"), undefined).map((s) => s.stack), ["scale"]);
    });
});
