// Issue 16 item 2: model autoscaling that KServe v0.20.0 accepts. Every shipped model with `scaling` plans with the
// scaling stack (Prometheus, KEDA, WVA, KServe's autoscaling config) installed and waits for it; a stack that would
// not install it is rejected at the first model that uses `scaling`. The values modelplane gives the three charts are
// checked against the key lists of the pinned chart versions (test/fixtures/chart-values, made by
// scripts/chart-value-keys.ts from each chart's values.yaml at its tag).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { autoscalingStack, ConfigError, ConfigIssue, RESERVED_NAMESPACES } from "../components/config";
import {
    mergeValues, monitoringFootprint, PROMETHEUS_NAMESPACE, PROMETHEUS_SERVICE, PROMETHEUS_TLS_SECRET, PROMETHEUS_URL, prometheusTlsObjects, prometheusValues,
} from "../components/monitoring/values";
import {
    INFERENCESERVICE_CONFIG, KEDA_NAMESPACE, kedaValues, WVA_CONTROLLER_CONFIG_KEY, WVA_NAMESPACE, wvaControllerConfig, wvaControllerConfigPatch, wvaValues,
} from "../components/scaling/values";
import { KSERVE_NAMESPACE } from "../components/names";
import { resolveVersions } from "../components/versions";
import { ValueKind } from "../scripts/chart-value-keys";
import { RegisteredResource } from "../lib/resources";
import { byName, issuesOf as configIssues, ofType, registered, shippedResources, stackConfig } from "./harness";

type Raw = Record<string, any>;
type Obj = Record<string, any>;

const RELEASE = "kubernetes:helm.sh/v3:Release";
const LLMISVC = "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService";
const PATCH = "kubernetes:core/v1:ConfigMapPatch";
const FIXTURES = path.join(__dirname, "fixtures", "chart-values");

function chartKeys(file: string): { source: string; keys: Record<string, ValueKind> } {
    return JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));
}

/**
 * Paths of `values` the chart does not have: a key absent from its values.yaml, or a map given where the chart has
 * a scalar or list. Below an `open` key (`resources: {}`, `additionalScrapeConfigs: []`) anything goes.
 */
function unknownValuePaths(values: Obj, keys: Record<string, ValueKind>, at = ""): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(values)) {
        const p = at ? `${at}.${k}` : k;
        const kind = keys[p];
        const isMap = typeof v === "object" && v !== null && !Array.isArray(v);
        if (kind === undefined) out.push(p);
        else if (kind === "map") {
            if (isMap) out.push(...unknownValuePaths(v, keys, p));
            else out.push(`${p} (a map in the chart)`);
        } else if (kind === "scalar" && (isMap || Array.isArray(v))) out.push(`${p} (a scalar in the chart)`);
    }
    return out;
}

/** Parses a shipped stack after `mutate`, expecting a ConfigError; returns its issues. */
function issuesOf(stack: string, mutate: (raw: Raw) => void): ConfigIssue[] {
    const issues = configIssues(stack, mutate);
    if (issues.length === 0) assert.fail("config was accepted");
    return issues;
}

const model = (raw: Raw, name: string): Raw => (raw["modelplane:models"] as Raw[]).find((m) => m.name === name)!;
const platform = (raw: Raw): Raw => (raw["modelplane:platform"] ??= {});
const named = (rs: RegisteredResource[], type: string, name: string) => byName(rs, type, name);

describe("model autoscaling: chart values exist in the pinned charts", () => {
    const v = resolveVersions({});

    it("the key lists are of the pinned chart versions", () => {
        assert.match(chartKeys("kube-prometheus-stack-83.4.0.json").source, new RegExp(`kube-prometheus-stack-${v.prometheusStack.version}:`));
        assert.match(chartKeys("keda-2.18.0.json").source, new RegExp(`kedacore/charts@v${v.keda.version}:keda/values.yaml`));
        assert.match(chartKeys("workload-variant-autoscaler-0.7.0.json").source, new RegExp(`@v${v.wva.version}:charts/workload-variant-autoscaler/`));
    });

    it("the check finds a misspelt key and a map where the chart has a scalar", () => {
        const { keys } = chartKeys("keda-2.18.0.json");
        assert.deepEqual(unknownValuePaths({ crds: { instal: true }, clusterName: { a: 1 }, resources: { operator: { limits: { cpu: 1 } } } }, keys),
            ["crds.instal", "clusterName (a scalar in the chart)"]);
    });

    it("kube-prometheus-stack 83.4.0: every key modelplane sets, in both footprints", () => {
        const { keys } = chartKeys("kube-prometheus-stack-83.4.0.json");
        for (const stack of ["prod", "local"]) {
            assert.deepEqual(unknownValuePaths(prometheusValues(stackConfig(stack)), keys), [], stack);
        }
    });

    it("keda 2.18.0 and workload-variant-autoscaler 0.7.0: every key modelplane sets", () => {
        assert.deepEqual(unknownValuePaths(kedaValues(), chartKeys("keda-2.18.0.json").keys), []);
        assert.deepEqual(unknownValuePaths(wvaValues(v.wva.version), chartKeys("workload-variant-autoscaler-0.7.0.json").keys), []);
    });
});

describe("model autoscaling: builders", () => {
    it("Prometheus serves HTTPS (WVA v0.7.0 takes https:// only) on the chart's Service, with a certificate for that name", () => {
        const url = new URL(PROMETHEUS_URL);
        assert.equal(url.protocol, "https:");
        assert.equal(url.hostname, `${PROMETHEUS_SERVICE}.${PROMETHEUS_NAMESPACE}.svc`);
        // kube-prometheus-stack names the Service <release>-kube-prometheus-prometheus; KServe's installer uses release `prometheus`.
        assert.equal(PROMETHEUS_SERVICE, "prometheus-kube-prometheus-prometheus");
        const { issuer, certificate } = prometheusTlsObjects();
        assert.ok((certificate.spec as Obj).dnsNames.includes(url.hostname));
        assert.equal((certificate.spec as Obj).secretName, PROMETHEUS_TLS_SECRET);
        assert.equal((certificate.spec as Obj).issuerRef.name, issuer.metadata.name);
        const web = (prometheusValues(stackConfig("prod")).prometheus as Obj).prometheusSpec.web.tlsConfig;
        assert.deepEqual([web.cert.secret.name, web.keySecret.name], [PROMETHEUS_TLS_SECRET, PROMETHEUS_TLS_SECRET]);
    });

    it("every ServiceMonitor and PodMonitor is selected (WVA's chart and the models' monitors are not this release's)", () => {
        const spec = (prometheusValues(stackConfig("prod")).prometheus as Obj).prometheusSpec;
        assert.equal(spec.serviceMonitorSelectorNilUsesHelmValues, false);
        assert.equal(spec.podMonitorSelectorNilUsesHelmValues, false);
    });

    it("footprint: small on an existing cluster (KServe's test sizing), standard on EKS/GKE, the stack's choice first", () => {
        assert.equal(monitoringFootprint(stackConfig("local")), "small");
        assert.equal(monitoringFootprint(stackConfig("prod")), "standard");
        assert.equal(monitoringFootprint(stackConfig("local", (r) => { platform(r).monitoring = { footprint: "standard" }; })), "standard");
        const limit = (stack: string) => (prometheusValues(stackConfig(stack)).prometheus as Obj).prometheusSpec.resources.limits.memory;
        assert.deepEqual([limit("local"), limit("dev")], ["512Mi", "8Gi"]);
    });

    it("the observability layer's values merge over modelplane's: maps key by key, lists replaced", () => {
        const merged = mergeValues(prometheusValues(stackConfig("prod")), { grafana: { enabled: true }, prometheus: { prometheusSpec: { retention: "30d" } } });
        assert.equal((merged.grafana as Obj).enabled, true);
        const spec = (merged.prometheus as Obj).prometheusSpec;
        assert.equal(spec.retention, "30d");
        assert.equal(spec.serviceMonitorSelectorNilUsesHelmValues, false);
        assert.deepEqual(mergeValues({ a: [1, 2] }, { a: [3] }), { a: [3] });
    });

    it("KServe's autoscaling config: the key and fields its controller reads, pointing at modelplane's Prometheus", () => {
        // kserve@v0.20.0 config_loader.go: key `autoscaling-wva-controller-config` of ConfigMap `inferenceservice-config`
        // in `kserve`; WVAAutoscalingConfig{Prometheus{URL `json:"url"`, TLSInsecureSkipVerify `json:"tlsInsecureSkipVerify"`}}.
        const patch = wvaControllerConfigPatch();
        assert.deepEqual([patch.kind, patch.metadata.name, patch.metadata.namespace], ["ConfigMap", INFERENCESERVICE_CONFIG, KSERVE_NAMESPACE]);
        assert.equal(WVA_CONTROLLER_CONFIG_KEY, "autoscaling-wva-controller-config");
        assert.deepEqual(Object.keys(patch.data as Obj), [WVA_CONTROLLER_CONFIG_KEY]);
        assert.equal(patch.metadata.labels, undefined, "the ConfigMap's labels stay its Helm release's");
        assert.deepEqual(JSON.parse(wvaControllerConfig()), { prometheus: { url: PROMETHEUS_URL, tlsInsecureSkipVerify: true } });
    });

    it("WVA: one cluster-wide controller of the pinned version, reading modelplane's Prometheus, KServe's InferencePool group", () => {
        const w = wvaValues("0.7.0") as Obj;
        assert.equal(w.wva.image.tag, "v0.7.0");
        assert.equal(w.wva.namespaceScoped, false);
        assert.equal(w.wva.prometheus.baseURL, PROMETHEUS_URL);
        assert.equal(w.wva.prometheus.serviceAccountName, PROMETHEUS_SERVICE);
        assert.equal(w.wva.poolGroup, "inference.networking.k8s.io");
        assert.deepEqual([w.va.enabled, w.hpa.enabled, w.vllmService.enabled], [false, false, false]);
    });

    it("the decision: on when a model or its prefill uses scaling, unless turned off; needs charts and Prometheus", () => {
        const p = (o: { charts?: boolean; monitoring?: boolean; enabled?: boolean }) =>
            ({ charts: o.charts ?? true, monitoring: { enabled: o.monitoring ?? true }, autoscaling: { enabled: o.enabled } });
        const scaled = [{}, { scaling: {} }];
        assert.deepEqual(autoscalingStack(p({}), scaled), { installed: true });
        assert.deepEqual(autoscalingStack(p({}), [{}, { prefill: { scaling: {} } }]), { installed: true });
        assert.equal(autoscalingStack(p({}), [{}]).installed, false);
        assert.equal(autoscalingStack(p({ enabled: true }), [{}]).installed, true);
        assert.match(autoscalingStack(p({ enabled: false }), scaled).why!, /platform\.autoscaling\.enabled is false/);
        assert.match(autoscalingStack(p({ charts: false }), scaled).why!, /platform\.charts is false/);
        assert.match(autoscalingStack(p({ monitoring: false }), scaled).why!, /platform\.monitoring\.enabled is false/);
    });
});

describe("model autoscaling: the shipped stacks plan it", function () {
    this.timeout(300_000);

    for (const [stack, scaled] of [["prod", "qwen3-32b"], ["dev", "qwen2-5-7b"]] as const) {
        it(`${stack}: KEDA, WVA and Prometheus at the pinned versions, as KServe's installer names them`, async () => {
            const rs = await shippedResources(stack);
            const release = (name: string) => named(rs, RELEASE, name).props as Obj;
            const prom = release("monitoring-prometheus");
            assert.deepEqual([prom.chart, prom.version, prom.repositoryOpts.repo, prom.name, prom.namespace],
                ["kube-prometheus-stack", "83.4.0", "https://prometheus-community.github.io/helm-charts", "prometheus", "monitoring"]);
            const keda = release("autoscaling-keda");
            assert.deepEqual([keda.chart, keda.version, keda.repositoryOpts.repo, keda.name, keda.namespace],
                ["keda", "2.18.0", "https://kedacore.github.io/charts", "keda", "keda"]);
            const wva = release("autoscaling-wva");
            assert.deepEqual([wva.chart, wva.version, wva.name, wva.namespace],
                ["oci://ghcr.io/llm-d/workload-variant-autoscaler", "0.7.0", "llm-d-wva", "wva-system"]);
            const patch = named(rs, PATCH, "autoscaling-kserve-config").props as Obj;
            assert.equal(JSON.parse(patch.data[WVA_CONTROLLER_CONFIG_KEY]).prometheus.url, PROMETHEUS_URL);
            assert.ok(stackConfig(stack).models.some((m) => m.name === scaled && m.scaling));
        });

        it(`${stack}: ${scaled} (scaling) waits for the stack; models without scaling do not`, async () => {
            const rs = await shippedResources(stack);
            const stackUrns = [named(rs, RELEASE, "autoscaling-keda"), named(rs, RELEASE, "autoscaling-wva"), named(rs, PATCH, "autoscaling-kserve-config")]
                .map((r) => r.urn);
            const cfg = stackConfig(stack);
            for (const svc of ofType(rs, LLMISVC)) {
                const m = cfg.models.find((x) => x.name === (svc.props.metadata as Obj).name)!;
                const waits = stackUrns.filter((u) => svc.dependencies.includes(u));
                if (m.scaling || m.prefill?.scaling) assert.deepEqual(waits, stackUrns, `${m.name} must wait for the autoscaling stack`);
                else assert.deepEqual(waits, [], `${m.name} has no scaling`);
            }
            const svc = ofType(rs, LLMISVC).find((r) => (r.props.metadata as Obj).name === scaled)!;
            assert.ok((svc.props.spec as Obj).scaling.wva.keda, "the KEDA actuator, whose dependencies are installed");
        });

        it(`${stack}: the stack's own order: Prometheus before WVA (its ServiceMonitor, its queries), KServe before its config key`, async () => {
            const rs = await shippedResources(stack);
            assert.ok(named(rs, RELEASE, "autoscaling-wva").dependencies.includes(named(rs, RELEASE, "monitoring-prometheus").urn));
            const patch = named(rs, PATCH, "autoscaling-kserve-config");
            assert.ok(patch.dependencies.includes(named(rs, RELEASE, "kserve-llmisvc").urn));
            const prom = named(rs, RELEASE, "monitoring-prometheus");
            assert.ok(prom.dependencies.includes(named(rs, "kubernetes:cert-manager.io/v1:Certificate", "monitoring-prometheus-certificate").urn));
        });
    }

    it("local: Prometheus with the small footprint, no autoscaling stack (no model uses scaling)", async () => {
        const rs = await shippedResources("local");
        const prom = named(rs, RELEASE, "monitoring-prometheus").props as Obj;
        assert.equal(prom.values.prometheus.prometheusSpec.resources.limits.memory, "512Mi");
        assert.equal(ofType(rs, RELEASE).filter((r) => r.name.startsWith("autoscaling-")).length, 0);
        assert.equal(ofType(rs, PATCH).length, 0);
    });

    it("autoscaling.enabled: true installs the stack on a stack without autoscaled models", async () => {
        const rs = await registered(stackConfig("local", (r) => { platform(r).autoscaling = { enabled: true }; }));
        assert.ok(named(rs, RELEASE, "autoscaling-keda"));
        assert.ok(named(rs, RELEASE, "autoscaling-wva"));
    });

    it("monitoring.enabled: false installs no Prometheus and no cert-manager objects for it", async () => {
        const rs = await registered(stackConfig("local", (r) => { platform(r).monitoring = { enabled: false }; }));
        assert.equal(rs.filter((r) => r.name.startsWith("monitoring-")).length, 0);
    });
});

describe("model autoscaling: a stack that does not install it rejects scaling", () => {
    const SCALING_STACK = /needs the model-autoscaling stack \(Prometheus, KEDA, WVA\), which this stack does not install/;

    it("autoscaling turned off: one error, at the first model that uses scaling, naming the setting", () => {
        const issues = issuesOf("prod", (r) => {
            platform(r).autoscaling = { enabled: false };
            // A second autoscaled model after the first: still one error, at the first.
            const deepseek = model(r, "deepseek-r1");
            delete deepseek.replicas;
            deepseek.scaling = { minReplicas: 1, maxReplicas: 1 };
        });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:models[1].scaling"]);
        assert.match(issues[0].message, SCALING_STACK);
        assert.match(issues[0].message, /modelplane:platform\.autoscaling\.enabled is false/);
        assert.match(issues[0].message, /ScalingCRDNotFound/);
    });

    it("the first user may be a prefill workload: the path is its prefill.scaling", () => {
        const issues = issuesOf("prod", (r) => {
            platform(r).autoscaling = { enabled: false };
            const pd = model(r, "llama-3-1-8b-pd");
            delete pd.prefill.replicas;
            pd.prefill.scaling = { minReplicas: 1, maxReplicas: 2 };
            const q = model(r, "qwen3-32b");
            delete q.scaling;
            q.replicas = 1;
        });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:models[2].prefill.scaling"]);
    });

    it("without charts or without Prometheus the stack cannot come: the model's error names why", () => {
        const charts = issuesOf("dev", (r) => { platform(r).charts = false; });
        assert.deepEqual(charts.map((i) => i.path), ["modelplane:models[0].scaling"]);
        assert.match(charts[0].message, /modelplane:platform\.charts is false/);
        const prom = issuesOf("dev", (r) => { platform(r).monitoring = { enabled: false }; });
        assert.deepEqual(prom.map((i) => i.path), ["modelplane:models[0].scaling"]);
        assert.match(prom[0].message, /modelplane:platform\.monitoring\.enabled is false/);
    });

    it("asked for explicitly while Prometheus is off: the setting is the error, not every model", () => {
        const issues = issuesOf("prod", (r) => { platform(r).autoscaling = { enabled: true }; platform(r).monitoring = { enabled: false }; });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.autoscaling.enabled"]);
        assert.match(issues[0].message, /monitoring\.enabled is false/);
    });

    it("reported with the other errors, in file order", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, "llama-3-3-70b").team = "ads";
            platform(r).autoscaling = { enabled: false };
            platform(r).versions = { kserve: "latest" };
        });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:models[0].team", "modelplane:models[1].scaling", "modelplane:platform.versions.kserve"]);
    });

    it("the stack's namespaces cannot be team names", () => {
        for (const ns of [PROMETHEUS_NAMESPACE, KEDA_NAMESPACE, WVA_NAMESPACE]) assert.ok(RESERVED_NAMESPACES.includes(ns), ns);
        const issues = issuesOf("local", (r) => { r["modelplane:teams"].push({ name: "keda", gpuQuota: 0 }); });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:teams[1].name"]);
    });

    it("unknown keys under platform.monitoring and platform.autoscaling are errors", () => {
        const issues = issuesOf("local", (r) => { platform(r).autoscaling = { enable: true }; });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.autoscaling.enable"]);
        assert.match(issues[0].message, /did you mean "enabled"/);
    });
});
