import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import YAML from "yaml";
import { parseArgs } from "../plan/cli";
import { DuplicateUrnError, evaluate, withoutStackCapture } from "../plan/evaluate";
import { runPlan } from "../plan/plan";
import { placeholderFor } from "../plan/stack-file";
import { kubernetesObjects, writeManifests } from "../plan/manifests";
import { manifestYaml, MANIFEST_YAML_OPTIONS } from "../plan/yaml";
import { RegisteredResource } from "../lib/resources";
import { PROJECT_DIR, SHIPPED_STACKS, shippedResources, stackConfig } from "./harness";

function tmpDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-plan-"));
}

/** Runs the plan CLI the way `npm run plan --` does (a child process, so exit codes are real). */
function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin-transpile"), "plan/cli.ts", ...args], {
        cwd: PROJECT_DIR, encoding: "utf8", timeout: 120_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("offline plan", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`plans the shipped ${stack} stack and writes resources.json, manifests/ and report.md`, async () => {
            const out = tmpDir();
            const result = await runPlan({ stack, out, projectDir: PROJECT_DIR });
            assert.equal(result.exitCode, 0, result.summary);
            const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as RegisteredResource[];
            assert.equal(resources.length, result.resources.length);
            for (const r of resources) {
                assert.ok(r.urn.startsWith(`urn:pulumi:${stack}::modelplane::`), r.urn);
                assert.equal("rawProps" in r, false, "raw (secret-bearing) inputs never reach disk");
                for (const k of ["type", "name", "custom", "dependencies", "props"]) assert.ok(k in r, `${r.urn} lacks ${k}`);
            }
            const manifests = fs.readdirSync(path.join(out, "manifests"));
            const objects = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.props.kind === "string");
            assert.equal(manifests.length, objects.length, "one manifest per Kubernetes object");
            for (const f of manifests) {
                const doc = YAML.parse(fs.readFileSync(path.join(out, "manifests", f), "utf8"));
                assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${f} is a complete object`);
            }
            const report = fs.readFileSync(path.join(out, "report.md"), "utf8");
            assert.match(report, new RegExp(`# modelplane plan: \`${stack}\``));
            assert.match(report, /## Resources by type/);
            // The secure placeholder may flow into inputs, but only ever as a secret: it never reaches a file.
            const everything = [fs.readFileSync(path.join(out, "resources.json"), "utf8"), report,
                ...manifests.map((f) => fs.readFileSync(path.join(out, "manifests", f), "utf8"))].join("\n");
            assert.equal(everything.includes(placeholderFor("modelplane:huggingFaceToken")), false, "secret value written to disk");
        });
    }

    it("exits 2 on a broken config, listing every error with its path and no stack trace", () => {
        const dir = tmpDir();
        const broken = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")
            .replace("pool: l4x4", "pool: h200")
            .replace("instanceType: g2-standard-4", "instanceType: p5.48xlarge")
            .replace("{ name: assistant, gpuQuota: 8 }", "{ name: assistant, gpuQuota: -3 }");
        const file = path.join(dir, "Pulumi.broken.yaml");
        fs.writeFileSync(file, broken);
        // A previous good plan in the same place: after the failed run nothing of it may look current.
        assert.equal(cli(["dev", "--out", path.join(dir, "out")]).status, 0);
        assert.ok(fs.existsSync(path.join(dir, "out", "resources.json")));
        const r = cli(["dev", "--config-file", file, "--out", path.join(dir, "out")]);
        assert.equal(r.status, 2, r.stderr);
        assert.match(r.stderr, /modelplane:teams\[1\]\.gpuQuota: -3 must be ≥ 0/, "the error quotes the value");
        assert.doesNotMatch(r.stderr, /^\s+at /m, "a config error prints no stack trace");
        assert.deepEqual(fs.readdirSync(path.join(dir, "out")).sort(), ["report.md", "summary.json"], "the previous resources.json and manifests/ are gone");
        const summary = JSON.parse(fs.readFileSync(path.join(dir, "out", "summary.json"), "utf8"));
        assert.equal(summary.status, "invalid", "summary.json is this run's, not the earlier good one");
        assert.ok(summary.errors.some((e: { path: string }) => e.path === "modelplane:teams[1].gpuQuota"));
        const failed = fs.readFileSync(path.join(dir, "out", "report.md"), "utf8");
        assert.match(failed, /^# modelplane plan: dev — FAILED/);
        assert.match(failed, /- `modelplane:teams\[1\]\.gpuQuota`: -3 must be ≥ 0/, "the report lists the errors path by path (the PR comment shows them)");

        fs.writeFileSync(file, broken.replace("gpuQuota: -3", "gpuQuota: 3"));
        const r2 = cli(["dev", "--config-file", file, "--out", path.join(dir, "out")]);
        assert.equal(r2.status, 2, r2.stderr);
        assert.match(r2.stderr, /modelplane:gpuPools\[0\]\.instanceType: "p5\.48xlarge" is a aws instance type/);
        assert.match(r2.stderr, /modelplane:models\[2\]\.pool: unknown pool "h200"; pools are: l4, l4x4/);
        assert.doesNotMatch(r2.stderr, /^\s+at /m);
    });

    it("exits 2 on unreadable or non-stack YAML, naming the file", () => {
        const dir = tmpDir();
        const file = path.join(dir, "Pulumi.x.yaml");
        fs.writeFileSync(file, "config: [unclosed\n");
        const r = cli(["x", "--config-file", file]);
        assert.equal(r.status, 2);
        assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}:2:1: invalid YAML at the end of the file \\(line 2, column 1\\): a \`\\[\` opened above is not closed with \`\\]\` before the end of the file — the last line is \`config: \\[unclosed\`\n`));
        const missing = cli(["nosuchstack"]);
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /no stack "nosuchstack": Pulumi\.nosuchstack\.yaml does not exist; stacks: dev, local, prod/);
    });

    it("parses its arguments strictly", () => {
        assert.deepEqual(parseArgs(["prod", "--out", "x", "--policy-config=p.json"]), { stack: "prod", out: "x", policyConfig: "p.json" });
        assert.deepEqual(parseArgs(["prod", "--base", ".plan-base/prod"]), { stack: "prod", base: ".plan-base/prod" });
        assert.throws(() => parseArgs(["prod", "--base"]), /--base needs a value/);
        assert.throws(() => parseArgs([]), /missing <stack>/);
        assert.throws(() => parseArgs(["prod", "--frobnicate"]), /unknown option --frobnicate/);
        assert.throws(() => parseArgs(["prod", "--out"]), /--out needs a value/);
        assert.throws(() => parseArgs(["prod", "dev"]), /unexpected argument dev/);
        const usage = cli(["prod", "--bogus"]);
        assert.equal(usage.status, 2);
        assert.match(usage.stderr, /usage: npm run plan --/);
        // --help answers on stdout with exit 0: options, outputs, exit codes and the project's stacks.
        const help = cli(["--help"]);
        assert.equal(help.status, 0);
        for (const re of [/usage: npm run plan --/, /resources\.json/, /manifests\//, /report\.md/, /^ {2}0 {2}no mandatory/m, /^ {2}1 {2}mandatory/m, /^ {2}2 {2}invalid/m, /^stacks: dev, local, prod$/m]) {
            assert.match(help.stdout, re);
        }
    });

    it("detects duplicate URNs, which the mocks accept but the engine rejects", async () => {
        const cfg = stackConfig("local");
        await assert.rejects(evaluate(cfg, () => {
            new k8s.core.v1.Namespace("dup", { metadata: { name: "a" } });
            new k8s.core.v1.Namespace("dup", { metadata: { name: "b" } });
            return {};
        }), (e: unknown) => e instanceof DuplicateUrnError && /Namespace::dup/.test(e.message));
    });

    it("records parents, dependencies, options and secrets as the engine would see them", async () => {
        const cfg = stackConfig("local");
        const { resources } = await evaluate(cfg, () => {
            const parent = new pulumi.ComponentResource("test:index:Parent", "p");
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "n" } }, { parent, protect: true, retainOnDelete: true });
            new k8s.core.v1.Secret("s", { metadata: { name: "s", namespace: "n" }, stringData: { token: pulumi.secret("hunter2") } },
                { parent, dependsOn: [ns], ignoreChanges: ["data"] });
            return {};
        });
        const ns = resources.find((r) => r.name === "ns")!;
        const secret = resources.find((r) => r.name === "s")!;
        assert.equal(ns.parent, "urn:pulumi:local::modelplane::test:index:Parent::p");
        assert.equal(ns.urn, "urn:pulumi:local::modelplane::test:index:Parent$kubernetes:core/v1:Namespace::ns");
        assert.equal(ns.opts.protect, true);
        assert.equal(ns.opts.retainOnDelete, true);
        assert.deepEqual(secret.dependencies, [ns.urn]);
        assert.deepEqual(secret.opts.ignoreChanges, ["data"]);
        assert.deepEqual(secret.secretProps, ["stringData"]);
        assert.equal(JSON.stringify(secret.props).includes("hunter2"), false);
        assert.deepEqual(secret.rawProps?.stringData, { token: "hunter2" });
    });

    it("registers without capturing stacks and puts the stack settings back afterwards, even on a throw", async () => {
        // Private in the SDK's typings; it is what every resource constructor calls.
        const callsites = (): unknown[] => (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites();
        const limit = Error.stackTraceLimit;
        const prepare = Error.prepareStackTrace;
        let inside: { stack?: string; callsites: number } | undefined;
        await assert.rejects(withoutStackCapture(async () => {
            inside = { stack: new TypeError("bad pool").stack, callsites: callsites().length };
            throw new Error("program failed");
        }), /program failed/);
        // The SDK's call-site capture (which raises the limit itself) finds no frame to source-map.
        assert.deepEqual(inside, { stack: "TypeError: bad pool", callsites: 0 });
        assert.equal(Error.stackTraceLimit, limit);
        assert.equal(Error.prepareStackTrace, prepare);
        assert.ok(callsites().length > 0, "call sites are back outside");
    });
});

    it("refuses two objects with one manifest file name before it touches the manifests directory", async () => {
        const cfg = stackConfig("local");
        const { resources } = await evaluate(cfg, () => {
            // Different resource names, same namespace/kind/name: one file would overwrite the other.
            new k8s.core.v1.ConfigMap("a", { metadata: { name: "same", namespace: "n" } });
            new k8s.core.v1.ConfigMap("b", { metadata: { name: "same", namespace: "n" } });
            return {};
        });
        const dir = tmpDir();
        fs.writeFileSync(path.join(dir, "n.configmap.earlier.yaml"), "# from the previous plan\n");
        assert.throws(() => writeManifests(resources, dir), /two objects map to manifest n\.configmap\.same\.yaml .*ConfigMap::b/);
        assert.deepEqual(fs.readdirSync(dir), ["n.configmap.earlier.yaml"]);
        fs.rmSync(dir, { recursive: true, force: true });
    });

describe("manifest YAML (plan/yaml.ts)", () => {
    const yaml = (o: Record<string, unknown>) => YAML.stringify(o, MANIFEST_YAML_OPTIONS);

    for (const stack of SHIPPED_STACKS) {
        it(`writes every object of the shipped ${stack} stack byte for byte as yaml does`, async () => {
            const objects = kubernetesObjects(await shippedResources(stack));
            assert.ok(objects.length > 10);
            for (const { resource, object } of objects) assert.equal(manifestYaml(object), yaml(object), resource.urn);
        });
    }

    it("matches yaml on quoting, empty collections, numbers and the shapes it leaves to yaml", () => {
        const strings = [
            "plain", "", " lead", "trail ", "a: b", "a:b", "a #b", "a#b", "#x", "-", "- x", "-x", "?", "? x", ":x", "x:", "@x", "`x", "%x",
            "*x", "&x", "!x", "|x", ">x", "'x'", "\"x\"", "say \"hi\"", "it's", "both ' and \"", "back\\slash", "[x]", "{x}", "x,y", ",x",
            "true", "True", "TRUE", "false", "yes", "no", "on", "null", "Null", "~", "1", "-1", "+1", "01", "0o17", "0x1F", "1.5", ".5", "1e3", "1.5e-3",
            ".inf", "-.Inf", ".nan", "1_000", "1:30", "---", "--- x", "...", "x---", "multi\nline", "trailing\n", "tab\there", "café", "\u0007",
            "x".repeat(1100), "${VAR:-} $@",
        ];
        const cases: Record<string, unknown>[] = [
            ...strings.map((s) => ({ v: s })),
            ...strings.map((s) => ({ [s || "k"]: 1 })),
            { list: strings },
            { n: 0, neg: -3, f: 0.25, big: 1e21, small: 1e-7, z: -0, inf: Infinity, nan: NaN },
            { t: true, f: false, nil: null },
            { allNull: { a: null, b: null } },
            { empty: {}, none: [], nested: [{}, [], { a: [] }] },
            { seqOfSeq: [[1, 2], ["a"]] },
            { deep: { a: [{ b: { c: [{ d: 1, e: [1, "2"] }] }, f: "g" }] } },
        ];
        for (const c of cases) assert.equal(manifestYaml(c), yaml(c), JSON.stringify(c));
    });
});

