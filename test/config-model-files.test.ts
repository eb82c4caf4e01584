// modelplane:modelFiles: models in YAML files beside the stack file, merged after the inline ones, with errors that
// name the file; and the check that keeps the stack config small enough for Pulumi to hand over
// (components/config.ts CONFIG_ENV_LIMIT_BYTES).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { CONFIG_ENV_LIMIT_BYTES, ConfigError, ConfigIssue, configEnvBytes, parseStackConfig } from "../components/config";
import { generateStack } from "../bench/generate";
import { rawStack } from "./harness";

type Raw = Record<string, unknown>;

const issuesOf = (values: Raw, baseDir: string, stack = "prod"): ConfigIssue[] => {
    try {
        parseStackConfig(values, { secretKeys: rawStack(stack).secretKeys, stack, baseDir });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.issues;
    }
    assert.fail("config was accepted");
};

describe("config: modelplane:modelFiles", () => {
    let dir: string;
    beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-model-files-")); });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** prod with its models split: the first inline, the rest in models/rest.yaml (relative to `dir`). */
    const split = (): { values: Raw; inline: unknown[]; rest: unknown[] } => {
        const { values } = rawStack("prod");
        const models = values["modelplane:models"] as unknown[];
        assert.ok(models.length >= 3, "prod has fewer than 3 models");
        const [first, ...rest] = models;
        fs.mkdirSync(path.join(dir, "models"));
        fs.writeFileSync(path.join(dir, "models", "rest.yaml"), YAML.stringify(rest));
        return { values: { ...values, "modelplane:models": [first], "modelplane:modelFiles": ["models/rest.yaml"] }, inline: [first], rest };
    };

    it("merges a file's models after the inline ones: the same config as all of them inline", () => {
        const { values } = split();
        const fromFiles = parseStackConfig(values, { secretKeys: rawStack("prod").secretKeys, stack: "prod", baseDir: dir });
        const all = parseStackConfig(rawStack("prod").values, { secretKeys: rawStack("prod").secretKeys, stack: "prod" });
        assert.deepEqual(fromFiles.models, all.models);
        assert.deepEqual(fromFiles.teams, all.teams);
        // Where each model is written (the plan's summary.json and PR comment say it).
        assert.deepEqual(fromFiles.modelPaths, ["modelplane:models[0]", ...all.models.slice(1).map((_, i) => `models/rest.yaml[${i}]`)]);
        assert.equal(all.modelPaths, undefined);
    });

    it("takes the models from files alone, and a file given as JSON text (as Pulumi hands list keys to the program)", () => {
        const { values, inline, rest } = split();
        fs.writeFileSync(path.join(dir, "first.yaml"), YAML.stringify(inline));
        const { "modelplane:models": _, ...noInline } = values;
        const cfg = parseStackConfig({ ...noInline, "modelplane:modelFiles": JSON.stringify(["first.yaml", "models/rest.yaml"]) },
            { secretKeys: rawStack("prod").secretKeys, stack: "prod", baseDir: dir });
        assert.equal(cfg.models.length, 1 + rest.length);
    });

    it("names the file and the entry in an error about a model from a file, and the inline path for an inline one", () => {
        const { values, rest } = split();
        (rest[1] as Raw).pool = "h200";
        fs.writeFileSync(path.join(dir, "models", "rest.yaml"), YAML.stringify(rest));
        ((values["modelplane:models"] as Raw[])[0]).pool = "h300";
        const issues = issuesOf(values, dir);
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:models[0].pool", "models/rest.yaml[1].pool"]);
        assert.match(issues[1].message, /unknown pool "h200"/);
    });

    it("rejects a missing file, one that is not YAML and one that is not a list, each at its modelFiles entry", () => {
        const { values } = split();
        fs.writeFileSync(path.join(dir, "broken.yaml"), "- name: [unclosed\n");
        fs.writeFileSync(path.join(dir, "map.yaml"), "name: one-model\n");
        const issues = issuesOf({ ...values, "modelplane:modelFiles": ["models/rest.yaml", "missing.yaml", "broken.yaml", "map.yaml"] }, dir);
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:modelFiles[1]", "modelplane:modelFiles[2]", "modelplane:modelFiles[3]"]);
        assert.match(issues[0].message, /cannot read "missing.yaml" \(ENOENT; paths are relative to the project directory/);
        assert.match(issues[1].message, /"broken.yaml" is not valid YAML/);
        assert.match(issues[2].message, /"map.yaml" must be a YAML list of models .* not a mapping/);
    });

    it("rejects a modelFiles value that is not a list of paths", () => {
        const { values } = split();
        const issues = issuesOf({ ...values, "modelplane:modelFiles": "models/rest.yaml" }, dir);
        assert.equal(issues[0].path, "modelplane:modelFiles");
    });
});

describe("config: the size Pulumi can hand to the program", () => {
    it("counts PULUMI_CONFIG=<JSON> as the language host sets it (every value a string, objects as JSON text)", () => {
        const raw = { "a:b": "x", "a:list": [1, { k: "v" }] };
        assert.equal(configEnvBytes(raw), `PULUMI_CONFIG=${JSON.stringify({ "a:b": "x", "a:list": '[1,{"k":"v"}]' })}`.length + 1);
        assert.equal(CONFIG_ENV_LIMIT_BYTES, 131072);
    });

    it("rejects 1,000 inline models (230 KiB of config) with the fix, and accepts the same fleet from a model file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-config-size-"));
        try {
            const config = (YAML.parse(generateStack(1000).stackYaml) as { config: Raw }).config;
            assert.ok(configEnvBytes(config) > CONFIG_ENV_LIMIT_BYTES);
            let issues: ConfigIssue[] = [];
            try { parseStackConfig(config, { stack: "bench", baseDir: dir }); } catch (e) { issues = (e as ConfigError).issues; }
            assert.deepEqual(issues.map((i) => i.path), ["modelplane:models"]);
            assert.match(issues[0].message, /^the stack config is \d+ KiB .* over Linux's 128 KiB cap .*argument list too long.* modelplane:models is \d+ KiB of it: move models to YAML files listed in modelplane:modelFiles$/);
            fs.writeFileSync(path.join(dir, "fleet.yaml"), YAML.stringify(config["modelplane:models"]));
            const { "modelplane:models": _, ...rest } = config;
            const small = { ...rest, "modelplane:modelFiles": ["fleet.yaml"] };
            assert.ok(configEnvBytes(small) < 8 * 1024);
            assert.equal(parseStackConfig(small, { stack: "bench", baseDir: dir }).models.length, 1000);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
