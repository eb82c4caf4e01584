// The strict values check of the charts e2e step (test/e2e/controllers/charts.cjs): Helm ignores a values key a
// chart does not read, so that step must name every key path the program sets that the chart does not know.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

type Values = Record<string, unknown>;
interface ChartsModule {
    unknownKeys(values: Values, defaults: Values, schema: unknown, templateText: string, known?: string[]): [string[], string[]];
    coalescedDefaults(dir: string): Values;
    dependencyKeys(dir: string): string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const charts = require("./e2e/controllers/charts.cjs") as ChartsModule;

describe("charts e2e: strict values keys", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-values-"));
        fs.mkdirSync(path.join(dir, "templates"));
        fs.mkdirSync(path.join(dir, "charts/sub"), { recursive: true });
        fs.writeFileSync(path.join(dir, "Chart.yaml"), [
            "apiVersion: v2", "name: fixture", "version: 1.0.0",
            "dependencies:", "  - name: sub", "    alias: helper", "    version: 1.0.0", "    condition: helper.enabled",
        ].join("\n"));
        fs.writeFileSync(path.join(dir, "values.yaml"), [
            "controller:", "  replicas: 1", "  image: { repository: x, tag: \"\" }", "  nodeSelector: {}", "  tolerations: []",
            "config:", "  passthrough:", "    level: info",
        ].join("\n"));
        fs.writeFileSync(path.join(dir, "charts/sub/Chart.yaml"), "apiVersion: v2\nname: sub\nversion: 1.0.0\n");
        fs.writeFileSync(path.join(dir, "charts/sub/values.yaml"), "port: 80\n");
        fs.writeFileSync(path.join(dir, "templates/deploy.yaml"), [
            "replicas: {{ .Values.controller.replicas }}",
            "{{- if .Values.controller.extraArgs }}args: {{ .Values.controller.extraArgs }}{{ end }}",
            "data: {{- toYaml .Values.config.passthrough | nindent 2 }}",
        ].join("\n"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const check = (values: Values, schema?: unknown): [string[], string[]] => {
        const text = fs.readFileSync(path.join(dir, "templates/deploy.yaml"), "utf8");
        return charts.unknownKeys(values, charts.coalescedDefaults(dir), schema, text, charts.dependencyKeys(dir));
    };

    it("accepts keys of values.yaml, free-form maps and lists, subchart keys and dependency conditions", () => {
        const [unknown] = check({
            controller: { replicas: 2, image: { tag: "v1" }, nodeSelector: { pool: "a" }, tolerations: [{ key: "k" }] },
            helper: { enabled: true, port: 81 },
            global: { anything: 1 },
        });
        assert.deepEqual(unknown, []);
    });

    it("names every key the chart does not know, at any depth", () => {
        const [unknown] = check({ bogus: 1, controller: { replica: 2, image: { tags: "v1" } }, helper: { prot: 81 } });
        assert.deepEqual(unknown.sort(), ["bogus", "controller.image.tags", "controller.replica", "helper.prot"]);
    });

    it("accepts a key a template reads without a default, or one the schema declares", () => {
        assert.deepEqual(check({ controller: { extraArgs: ["-v"] } })[0], []);
        const schema = { properties: { controller: { properties: { debug: { type: "boolean" } } } } };
        assert.deepEqual(check({ controller: { debug: true } }, schema)[0], []);
        assert.deepEqual(check({ controller: { debug: true } })[0], ["controller.debug"]);
    });

    it("reports, apart, a map the chart hands on whole (toYaml): its keys are the consumer's", () => {
        const [unknown, whole] = check({ config: { passthrough: { level: "debug", newField: true } } });
        assert.deepEqual(unknown, []);
        assert.deepEqual(whole, ["config.passthrough"]);
    });
});
