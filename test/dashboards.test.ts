// Grafana dashboards as code: the JSON each ConfigMap carries is checked against Grafana's own dashboard
// schema (the TypeScript model @grafana/schema generates from Grafana's dashboard kind, applied to the emitted
// JSON by the TypeScript compiler, so unknown keys and wrong types fail), every PromQL expression parses with
// Prometheus's own grammar (@prometheus-io/lezer-promql) and names only the series metrics.ts documents.
import { strict as assert } from "node:assert";
import * as path from "node:path";
import * as ts from "typescript";
import { parser } from "@prometheus-io/lezer-promql";
import type { Dashboard } from "@grafana/schema";
import { DASHBOARD_LABEL, dashboardConfigMap, dashboards, modelDashboard, poolDashboard, teamDashboard } from "../components/observability/dashboards";
import { METRICS, TARGET_LABELS, documentedSeries } from "../components/observability/metrics";
import { buildDcgmServiceMonitor, buildModelPodMonitors } from "../components/observability/monitors";
import { PROJECT_DIR, SHIPPED_STACKS, ofType, shippedResources, stackConfig } from "./harness";

type Obj = Record<string, any>;

/**
 * TypeScript diagnostics of `const d: Dashboard = <json>` for each JSON text, against @grafana/schema with the
 * project's compiler options. Object literals get excess-property checks, so a key Grafana's schema does not
 * have is an error, as is a value of the wrong type.
 */
function schemaErrors(jsonTexts: string[]): string[] {
    const file = path.join(PROJECT_DIR, "test", "__dashboard_schema_check__.ts");
    const src = `import type { Dashboard } from "@grafana/schema";\n` + jsonTexts.map((j, i) => `export const d${i}: Dashboard = ${j};\n`).join("");
    const cfg = ts.readConfigFile(path.join(PROJECT_DIR, "tsconfig.json"), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(cfg.config, ts.sys, PROJECT_DIR);
    const opts: ts.CompilerOptions = { ...options, noEmit: true, types: [] };
    const host = ts.createCompilerHost(opts);
    const getSourceFile = host.getSourceFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    const readFile = host.readFile.bind(host);
    host.getSourceFile = (f, lang, ...rest) => (path.resolve(f) === file ? ts.createSourceFile(f, src, lang) : getSourceFile(f, lang, ...rest));
    host.fileExists = (f) => path.resolve(f) === file || fileExists(f);
    host.readFile = (f) => (path.resolve(f) === file ? src : readFile(f));
    const program = ts.createProgram([file], opts, host);
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** Grafana-side variables replaced by values PromQL accepts (the label values in quotes need nothing). */
const grafanaToPromQL = (expr: string) => expr.replace(/\$__rate_interval|\$__interval/g, "5m");

/** Every PromQL expression of a dashboard: panel targets, and the selector of each label_values() variable. */
function expressions(d: Dashboard): { where: string; expr: string }[] {
    const out: { where: string; expr: string }[] = [];
    for (const p of (d.panels ?? []) as Obj[]) {
        for (const t of (p.targets ?? []) as Obj[]) out.push({ where: `${d.uid} "${p.title}" ${t.refId}`, expr: t.expr });
    }
    for (const v of d.templating?.list ?? []) {
        if (v.type !== "query") continue;
        const m = /^label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(String(v.query));
        assert.ok(m, `${d.uid} variable ${v.name}: not a label_values(selector, label) query: ${v.query}`);
        out.push({ where: `${d.uid} variable ${v.name}`, expr: m[1] });
    }
    return out;
}

/** Parse errors and the series names a PromQL expression selects. */
function parsePromQL(expr: string): { errors: number; series: string[]; labels: string[] } {
    const src = grafanaToPromQL(expr);
    const tree = parser.parse(src);
    let errors = 0;
    const series: string[] = [];
    const labels: string[] = [];
    tree.iterate({
        enter: (n) => {
            if (n.type.isError) errors++;
            if (n.name === "Identifier" && n.node.parent?.name === "VectorSelector") series.push(src.slice(n.from, n.to));
            if (n.name === "LabelName" && n.node.parent?.name === "UnquotedLabelMatcher") labels.push(src.slice(n.from, n.to));
        },
    });
    return { errors, series, labels };
}

const all = (): Dashboard[] => {
    const cfgs = SHIPPED_STACKS.map((s) => stackConfig(s));
    const byUid = new Map<string, Dashboard>();
    for (const cfg of cfgs) for (const d of dashboards(cfg)) byUid.set(d.uid!, d);
    return [...byUid.values()];
};

describe("dashboards: Grafana's schema", () => {
    it("every dashboard of every shipped stack type-checks as Grafana's Dashboard model", function () {
        this.timeout(60_000);
        const texts = all().map((d) => JSON.stringify(d));
        assert.ok(texts.length >= 5);
        assert.deepEqual(schemaErrors(texts), []);
    });

    it("the check fails on a key Grafana's schema lacks, a wrong type and a missing required field", function () {
        this.timeout(60_000);
        const d = modelDashboard() as Obj;
        const errs = schemaErrors([
            JSON.stringify({ ...d, bogus: 1 }),
            JSON.stringify({ ...d, schemaVersion: "39" }),
            JSON.stringify({ ...d, panels: [{ ...d.panels[0], type: undefined, gridPos: { x: 0, y: 0, w: 12 } }] }),
        ]);
        assert.equal(errs.length, 3, errs.join("\n"));
        assert.match(errs[0], /bogus/);
        assert.match(errs[1], /string.*number/);
        assert.match(errs[2], /'h'|type/);
    });

    it("uids are unique and within Grafana's 40 characters, panels have unique ids on a 24-column grid", () => {
        const ds = all();
        assert.equal(new Set(ds.map((d) => d.uid)).size, ds.length);
        for (const d of ds) {
            assert.ok(d.uid!.length <= 40, d.uid);
            const panels = (d.panels ?? []) as Obj[];
            assert.equal(new Set(panels.map((p) => p.id)).size, panels.length);
            for (const p of panels) assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${d.uid} ${p.title}`);
        }
    });
});

describe("dashboards: PromQL", () => {
    const documented = documentedSeries();

    it("every expression parses and selects only documented series", () => {
        const problems: string[] = [];
        let count = 0;
        for (const d of all()) {
            for (const { where, expr } of expressions(d)) {
                count++;
                const { errors, series } = parsePromQL(expr);
                if (errors > 0) problems.push(`${where}: does not parse: ${expr}`);
                for (const s of series) if (!documented.has(s)) problems.push(`${where}: ${s} is not in metrics.ts`);
            }
        }
        assert.deepEqual(problems, []);
        assert.ok(count > 30, `only ${count} expressions`);
    });

    it("the checks catch a typo'd metric and a broken expression", () => {
        assert.deepEqual(parsePromQL("rate(vllm:num_requests_runing[5m])").series, ["vllm:num_requests_runing"]);
        assert.ok(!documented.has("vllm:num_requests_runing"));
        assert.ok(parsePromQL("sum(rate(vllm:prompt_tokens_total[5m])").errors > 0);
        assert.ok(parsePromQL("sum by (le) (rate(x_bucket{a=\"$b\"}[$__rate_interval]))").errors === 0);
    });

    it("the model dashboard shows requests, TTFT, inter-token latency, KV-cache, queue depth and prefix-cache hit rate", () => {
        const used = new Set(expressions(modelDashboard()).flatMap(({ expr }) => parsePromQL(expr).series));
        for (const s of [
            "vllm:request_success_total", "vllm:time_to_first_token_seconds_bucket", "vllm:inter_token_latency_seconds_bucket",
            "vllm:kv_cache_usage_perc", "vllm:num_requests_waiting", "vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total",
        ]) assert.ok(used.has(s), s);
    });

    it("team: GPU requests vs the quota (kube-state-metrics) and DCGM use; pool: DCGM utilisation and nodes vs maxNodes", () => {
        const team = expressions(teamDashboard()).map((e) => e.expr).join("\n");
        assert.match(team, /kube_resourcequota\{[^}]*resource="requests\.nvidia\.com\/gpu", type="used"/);
        assert.match(team, /kube_resourcequota\{[^}]*type="hard"/);
        assert.match(team, /DCGM_FI_DEV_GPU_UTIL\{namespace="\$team"\}/);
        const pool = stackConfig("prod").gpuPools[0];
        const p = expressions(poolDashboard(pool)).map((e) => e.expr);
        assert.ok(p.includes(`vector(${pool.maxNodes})`));
        assert.ok(p.some((e) => e.includes(`DCGM_FI_DEV_GPU_UTIL{pool="${pool.name}"}`)));
    });

    it("the labels the dashboards select on are the ones the monitors put on the series", () => {
        const prod = stackConfig("prod");
        const vllmTargets = buildModelPodMonitors(prod.models[0], "x")[0].spec.podMetricsEndpoints[0].relabelings!.map((r) => r.targetLabel);
        const dcgmTargets = buildDcgmServiceMonitor(prod.gpuPools).spec.endpoints[0].relabelings!.map((r) => r.targetLabel);
        assert.ok(vllmTargets.includes(TARGET_LABELS.llmisvc) && dcgmTargets.includes(TARGET_LABELS.pool));
        const modelLabels = expressions(modelDashboard()).flatMap(({ expr }) => parsePromQL(expr).labels);
        assert.ok(modelLabels.includes(TARGET_LABELS.llmisvc));
        assert.ok(Object.values(METRICS).some((m) => m.source === "kube-state-metrics"));
    });
});

describe("dashboards: ConfigMaps for Grafana's sidecar", () => {
    it("each dashboard is a ConfigMap labelled for the sidecar whose JSON is the builder's dashboard", async () => {
        for (const stack of ["prod", "dev"] as const) {
            const cfg = stackConfig(stack);
            const cms = ofType(await shippedResources(stack), "kubernetes:core/v1:ConfigMap")
                .filter((r) => (r.props.metadata as Obj).labels?.[DASHBOARD_LABEL.key] === DASHBOARD_LABEL.value);
            const expected = dashboards(cfg);
            assert.equal(cms.length, expected.length);
            for (const d of expected) {
                const cm = cms.find((r) => (r.props.metadata as Obj).name === dashboardConfigMap(d, "monitoring").metadata.name);
                assert.ok(cm, d.uid);
                assert.equal((cm!.props.metadata as Obj).namespace, cfg.platform.monitoringNamespace);
                const data = cm!.props.data as Record<string, string>;
                assert.deepEqual(Object.keys(data), [`${d.uid}.json`]);
                assert.deepEqual(JSON.parse(data[`${d.uid}.json`]), JSON.parse(JSON.stringify(d)));
            }
            assert.equal(expected.length, 2 + cfg.gpuPools.filter((p) => p.gpusPerNode > 0).length);
        }
    });

    it("the local stack (Grafana off) registers no dashboard", async () => {
        const cms = ofType(await shippedResources("local"), "kubernetes:core/v1:ConfigMap")
            .filter((r) => (r.props.metadata as Obj).labels?.[DASHBOARD_LABEL.key] !== undefined);
        assert.deepEqual(cms, []);
    });
});
