// Issue 17, config item 1: a stack with ten independent mistakes reports all ten in one run of `npm run plan`,
// each with its path and value, in file order, exit 2 — and report.md says the same.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, ConfigIssue } from "../components/config";
import { readStackFile } from "../plan/stack-file";
import { PROJECT_DIR } from "./harness";

type Raw = Record<string, any>;

/** The ten mistakes: five schema (type/format) errors and five cross-field ones, each in a different part. */
const MISTAKES: { path: string; value: string; mutate: (c: Raw) => void }[] = [
    { path: "modelplane:cluster.endpointPublicAccessCidrs[0]", value: '"203.0.113.0/33"', mutate: (c) => { c["modelplane:cluster"].endpointPublicAccessCidrs = ["203.0.113.0/33"]; } },
    { path: "modelplane:gpuPools[0].maxNodes", value: '"4"', mutate: (c) => { c["modelplane:gpuPools"][0].maxNodes = "4"; } },
    { path: "modelplane:gpuPools[1].minNodes", value: "(9)", mutate: (c) => { c["modelplane:gpuPools"][1].minNodes = 9; } },
    { path: "modelplane:teams[0].gpuQuota", value: '"lots"', mutate: (c) => { c["modelplane:teams"][0].gpuQuota = "lots"; } },
    { path: "modelplane:teams[3].name", value: '"search"', mutate: (c) => { c["modelplane:teams"].push({ name: "search", gpuQuota: 2 }); } },
    { path: "modelplane:models[0].team", value: '"ads"', mutate: (c) => { c["modelplane:models"][0].team = "ads"; } },
    { path: "modelplane:models[1].replicas", value: "1.5", mutate: (c) => { c["modelplane:models"][1].replicas = 1.5; delete c["modelplane:models"][1].scaling; } },
    { path: "modelplane:models[2].pool", value: '"h200"', mutate: (c) => { c["modelplane:models"][2].pool = "h200"; } },
    { path: "modelplane:models[3].vllm.args[0]", value: '"--tensor-parallel-size=8"', mutate: (c) => { c["modelplane:models"][3].vllm = { args: ["--tensor-parallel-size=8"] }; } },
    { path: "modelplane:platform.gateway.bufferLimit", value: '"lots"', mutate: (c) => { c["modelplane:platform"].gateway.bufferLimit = "lots"; } },
];

describe("a stack with ten independent mistakes (npm run plan)", function () {
    this.timeout(120_000);

    it("reports all ten in one run, each with its path and value, in file order, exit 2; report.md lists them", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-ten-"));
        const file = path.join(dir, "Pulumi.prod.yaml");
        const doc = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8"));
        for (const m of MISTAKES) m.mutate(doc.config);
        fs.writeFileSync(file, YAML.stringify(doc));
        const out = path.join(dir, "out");
        const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin-transpile"), "plan/cli.ts", "prod", "--config-file", file, "--out", out], {
            cwd: PROJECT_DIR, encoding: "utf8", timeout: 120_000,
        });
        assert.equal(r.status, 2, r.stdout + r.stderr);
        const lines = r.stderr.split("\n").filter((l) => l.startsWith("  modelplane:") || l.startsWith("  aws:"));
        assert.match(r.stderr, /^error: invalid stack config \(10 errors\):/);
        assert.deepEqual(lines.map((l) => l.trim().split(": ")[0]), MISTAKES.map((m) => m.path), r.stderr);
        lines.forEach((l, i) => assert.ok(l.includes(MISTAKES[i].value), `${MISTAKES[i].path} does not quote ${MISTAKES[i].value}: ${l}`));
        const report = fs.readFileSync(path.join(out, "report.md"), "utf8");
        assert.match(report, /## Invalid stack config \(10 errors\)/);
        for (const m of MISTAKES) assert.ok(report.includes(`- \`${m.path}\`: `), `report.md lacks ${m.path}`);
    });
});

// Issue 17 item 6: YAML errors in plain words with line and column, no dangling ":", and one error for one mistake
// (a single tab gave 17).
describe("YAML errors in the stack file", () => {
    const prod = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8");
    const lineOf = (text: string, needle: string): number => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
    const cases: { name: string; edit: (t: string) => string; at: (t: string) => [number, number]; message: RegExp }[] = [
        {
            name: "a tab as indentation", edit: (t) => t.replace("      team: search", "\tteam: search"),
            at: (t) => [lineOf(t, "\tteam: search"), 1],
            message: /^invalid YAML at line \d+, column 1: a tab is used for indentation; YAML indents with spaces only — replace the tab with spaces — the line is `→team: search` \(\d+ more YAML errors after it, usually caused by this one: fix it and plan again\)$/,
        },
        {
            name: "a value with an unquoted ': '", edit: (t) => t.replace("modelplane:cloud: aws", "modelplane:cloud: aws: x"),
            at: (t) => [lineOf(t, "modelplane:cloud: aws: x"), 21],
            message: /^invalid YAML at line \d+, column 21: a key is followed by another `key: value` on the same line; .*quote it if the `:` belongs to the value — the line is ` {2}modelplane:cloud: aws: x`$/,
        },
        {
            name: "an unclosed flow map", edit: (t) => t.replace("    - { name: search, gpuQuota: 12 }", "    - { name: search, gpuQuota: 12"),
            at: (t) => [lineOf(t, "name: assistant, gpuQuota"), 5],
            message: /^invalid YAML at line \d+, column 5: a `\{` opened above is not closed with `\}` before this line/,
        },
        {
            name: "a key set twice", edit: (t) => t.replace("  modelplane:protect: true", "  modelplane:protect: true\n  modelplane:protect: false"),
            at: (t) => [lineOf(t, "modelplane:protect: false"), 3],
            message: /^invalid YAML at line \d+, column 3: this key is already set in the same map; keep one of the two — the line is ` {2}modelplane:protect: false`$/,
        },
    ];
    for (const c of cases) {
        it(`${c.name}: one error, at its line and column, in plain words`, () => {
            const text = c.edit(prod);
            assert.notEqual(text, prod, "the edit applies to Pulumi.prod.yaml");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-yaml-"));
            const file = path.join(dir, "Pulumi.prod.yaml");
            fs.writeFileSync(file, text);
            let issues: ConfigIssue[] = [];
            try {
                readStackFile(file, PROJECT_DIR);
                assert.fail("accepted");
            } catch (e) {
                assert.ok(e instanceof ConfigError, String(e));
                issues = e.issues;
            }
            assert.equal(issues.length, 1, issues.map((i) => i.message).join("\n"));
            const [line, col] = c.at(text);
            assert.equal(issues[0].path, `${file}:${line}:${col}`);
            assert.match(issues[0].message, c.message);
            assert.doesNotMatch(issues[0].message, /:$/);
        });
    }
});
