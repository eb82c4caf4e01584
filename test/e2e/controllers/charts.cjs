// The charts modelplane installs, rendered with the values the program passes, for test/e2e/controllers.sh.
//
//   node charts.cjs render <out.json> <resources.json> [<resources.json>...]
//       Every helm.v3.Release of the plans (their `chart`, `version`, `values`, `namespace`, `skipCrds`, as the
//       program declares them), rendered by `chart-render` (Helm's own engine, the library the provider links) from
//       the chart sources the pinned Go modules ship (env: CHART_RENDER, KSERVE_DIR, EG_DIR, AIG_DIR, CM_DIR,
//       NVDP_DIR; optional API_VERSIONS, the cluster's group/versions for .Capabilities), after the packaging step
//       each project's release runs (below). Checks:
//       the module version is the chart version the program pins; the chart renders (Helm enforces a
//       values.schema.json); every values key the program sets is a key of the chart (strict values, below).
//       Writes the rendered objects of the first plan's releases to <out.json> (the others are render-only).
//   node charts.cjs apply <kubeconfig> <rendered.json> <nodes.json> <resources.json> <timeout s>
//       Applies the rendered objects to the controllers tier's API server (KWOK nodes mirroring the program's
//       pools, kube-scheduler, the daemonset/deployment/job controllers) and checks that every workload's pods are
//       scheduled and Running, and that the device plugin and KServe's local-model agent cover the nodes the
//       program needs them on.
// Each prints PASS/FAIL lines (UNCHECKED for a chart no module ships, counted neither way) and a last line `charts <render|apply>: N passed, M failed` (exit 1 on a failure).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const yaml = require("yaml");

const results = { passed: 0, failed: 0 };
const pass = (what) => { results.passed++; console.log(`PASS  ${what}`); };
const fail = (what, why) => { results.failed++; console.log(`FAIL  ${what} — ${why}`); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

// ---- chart sources ---------------------------------------------------------------------------------------
// chart name (last segment of the Release's `chart`) → module env prefix, directory in the module, packaging step.
// The packaging steps do what each project's release does before `helm package`; the module holds the sources:
//   Envoy Gateway (tools/make/helm.mk helm-generate, then `helm package --app-version ${TAG} --version ${TAG}`):
//     values.yaml = envsubst of values.tmpl.yaml with GatewayImage=${IMAGE}:${TAG}, GatewayImagePullPolicy=
//     ${IMAGE_PULL_POLICY} (IfNotPresent); the module's Chart.yaml says v0.0.0-latest.
//   Envoy AI Gateway (Makefile helm-package at v1.0.0: `helm package --app-version ${TAG} --version ${TAG}`).
//   cert-manager (make/manifests.mk at v1.17.0): Chart.yaml = Chart.template.yaml with version/appVersion set,
//     templates/crds.yaml = deploy/crds/*.yaml joined by `---` (hack/concat-yaml.sh); the CRD files carry their
//     own `{{- if or .Values.crds.enabled .Values.installCRDs }}` guards.
//   KServe and the NVIDIA device plugin: the module's chart as it is (Chart.yaml already at the version).
const SOURCES = {
    "kserve-crd": { env: "KSERVE", dir: "charts/kserve-crd" },
    "kserve-llmisvc-crd": { env: "KSERVE", dir: "charts/kserve-llmisvc-crd" },
    "kserve-localmodel-crd": { env: "KSERVE", dir: "charts/kserve-localmodel-crd" },
    "kserve-runtime-configs": { env: "KSERVE", dir: "charts/kserve-runtime-configs" },
    "kserve-llmisvc-resources": { env: "KSERVE", dir: "charts/kserve-llmisvc-resources" },
    "kserve-localmodel-resources": { env: "KSERVE", dir: "charts/kserve-localmodel-resources" },
    "gateway-helm": { env: "EG", dir: "charts/gateway-helm", prep: envoyGateway },
    "ai-gateway-helm": { env: "AIG", dir: "manifests/charts/ai-gateway-helm", prep: setVersion },
    "ai-gateway-crds-helm": { env: "AIG", dir: "manifests/charts/ai-gateway-crds-helm", prep: setVersion },
    "cert-manager": { env: "CM", dir: "deploy/charts/cert-manager", prep: certManager },
    "nvidia-device-plugin": { env: "NVDP", dir: "deployments/helm/nvidia-device-plugin" },
    // WVA's release packages charts/workload-variant-autoscaler with the tag's version without its `v` (KServe's
    // hack/setup/infra/manage.wva-helm.sh at v0.20.0 installs 0.7.0 from oci://ghcr.io/llm-d).
    "workload-variant-autoscaler": { env: "WVA", dir: "charts/workload-variant-autoscaler", prep: setVersion },
};
// Charts in no module the Go proxy serves: named in the report, not rendered.
const UNAVAILABLE = {
    "local-static-provisioner": "sigs.k8s.io/sig-storage-local-static-provisioner is not served by the Go module proxy "
        + "(403 for v2.9.0, v2.9.0+incompatible and the version list): its values (classes, affinity, tolerations) are unchecked",
    // The monitoring and autoscaling charts (issue 16) live in chart repositories, not in Go modules the toolchain
    // downloads, and kube-prometheus-stack's subcharts are fetched at packaging time from further repositories.
    "kube-prometheus-stack": "prometheus-community/helm-charts is not a Go module the toolchain downloads (and the chart's subcharts "
        + "come from other repositories at packaging time): not rendered here; its values keys are checked offline against the "
        + "83.4.0 values.yaml key list (test/scaling.test.ts)",
    keda: "kedacore/charts is not a Go module the toolchain downloads: not rendered here; its values keys are checked offline "
        + "against the 2.18.0 values.yaml key list (test/scaling.test.ts)",
    "dcgm-exporter": "the dcgm-exporter chart (NVIDIA/dcgm-exporter deployment/) is not downloaded by the toolchain: its values "
        + "(pool affinity, GPU toleration, ServiceMonitor) are unchecked here",
    "cluster-autoscaler": "the chart lives at the root of kubernetes/autoscaler, outside the k8s.io/autoscaler/cluster-autoscaler "
        + "module, which the proxy refuses anyway (403): its values (Pod Identity service account, flags, affinity) are unchecked here",
};

function setVersion(dir, version) {
    const f = path.join(dir, "Chart.yaml");
    const c = yaml.parse(fs.readFileSync(f, "utf8"));
    c.version = version;
    c.appVersion = version;
    fs.writeFileSync(f, yaml.stringify(c));
}
function envoyGateway(dir, version) {
    const tmpl = fs.readFileSync(path.join(dir, "values.tmpl.yaml"), "utf8");
    const vars = { GatewayImage: `docker.io/envoyproxy/gateway:${version}`, GatewayImagePullPolicy: "IfNotPresent" };
    const left = [...tmpl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).filter((v) => !(v in vars));
    if (left.length) throw new Error(`values.tmpl.yaml has variables the packaging step does not set: ${left.join(", ")}`);
    fs.writeFileSync(path.join(dir, "values.yaml"), tmpl.replace(/\$\{(\w+)\}/g, (_, v) => vars[v]));
    setVersion(dir, version);
}
function certManager(dir, version, moduleDir) {
    const c = yaml.parse(fs.readFileSync(path.join(dir, "Chart.template.yaml"), "utf8"));
    c.version = version;
    c.appVersion = version;
    fs.writeFileSync(path.join(dir, "Chart.yaml"), yaml.stringify(c));
    const crds = path.join(moduleDir, "deploy/crds");
    const files = fs.readdirSync(crds).filter((f) => f.endsWith(".yaml")).sort();
    fs.writeFileSync(path.join(dir, "templates/crds.yaml"), files.map((f) => fs.readFileSync(path.join(crds, f), "utf8")).join("\n---\n"));
}

/** A writable copy of the chart, packaged as its release would be. */
function prepareChart(name, version, work) {
    const src = SOURCES[name];
    const moduleDir = process.env[`${src.env}_DIR`];
    if (!moduleDir) throw new Error(`${src.env}_DIR is not set (toolchain.sh --print-module-dirs)`);
    // GOMODCACHE's directory names end in @<version>: the module must be the version the program pins.
    const at = path.basename(moduleDir).replace(/^.*@/, "");
    if (at !== version && at !== `v${version}`) throw new Error(`the chart source module is at ${at}, the program installs ${version}`);
    const dir = path.join(work, `${name}-${version}`);
    if (!fs.existsSync(dir)) {
        fs.cpSync(path.join(moduleDir, src.dir), dir, { recursive: true });
        execFileSync("chmod", ["-R", "u+w", dir]);
        src.prep?.(dir, version, moduleDir);
    }
    return { dir, from: `${path.basename(moduleDir)}/${src.dir}` };
}

// ---- strict values ---------------------------------------------------------------------------------------
// Helm ignores a values key the chart does not read unless the chart has a values.schema.json that forbids it.
// Every key path the program sets must be a key of the chart's defaults (values.yaml of the chart and its
// subcharts, as Helm coalesces them), be declared by its schema, or be read by a template (`.Values.a.b`: charts
// read some keys without defaulting them). Below a key whose default is an empty map or not a map (nodeSelector:
// {}, affinity: {}, tolerations: []), anything goes: that is the chart handing the value to Kubernetes.
function schemaAt(schema, keys) {
    let s = schema;
    for (const k of keys) {
        if (!isMap(s)) return undefined;
        s = s.properties?.[k] ?? (isMap(s.additionalProperties) ? s.additionalProperties : undefined);
    }
    return s;
}
const esc = (x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The chart hands the map at `path` on whole (toYaml / merge / a variable): the keys below are its consumer's. */
function passedWhole(p, templateText) {
    const v = `\\$?\\.Values\\.${p.map(esc).join("\\.")}(?![\\w.])`;
    return new RegExp(`(toYaml|toJson|toPrettyJson|toRawJson|merge\\w*|:=)\\s*\\(?\\s*${v}|${v}\\s*\\|\\s*(toYaml|toJson)`).test(templateText);
}
/**
 * Key paths of `values` the chart does not know. `known` are extra paths Helm itself reads (dependency conditions
 * and tags). Returns [unknown paths, paths accepted because the chart hands their map on whole].
 */
function unknownKeys(values, defaults, schema, templateText, known = [], prefix = []) {
    const out = [];
    const whole = [];
    for (const [k, v] of Object.entries(values)) {
        const p = [...prefix, k];
        if (p.length === 1 && k === "global") continue; // Helm's own shared map
        if (known.includes(p.join("."))) continue;
        if (isMap(defaults) && k in defaults) {
            const d = defaults[k];
            if (isMap(v) && isMap(d) && Object.keys(d).length > 0) {
                if (passedWhole(p, templateText)) { whole.push(p.join(".")); continue; }
                const [u, w] = unknownKeys(v, d, schema, templateText, known, p);
                out.push(...u); whole.push(...w);
            }
            continue;
        }
        const parentSchema = schemaAt(schema, prefix);
        if (parentSchema?.properties?.[k] !== undefined) continue;
        if (new RegExp(`\\.Values\\.${p.map(esc).join("\\.")}\\b`).test(templateText)) continue;
        out.push(p.join("."));
    }
    return [out, whole];
}
/** Paths Helm reads from the values for the chart's dependencies: `condition` (a.enabled, comma-separated), tags. */
function dependencyKeys(dir) {
    const chart = yaml.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
    return (chart.dependencies ?? []).flatMap((d) => [
        ...(d.condition ? d.condition.split(",").map((c) => c.trim()) : []),
        ...(d.tags ?? []).map((t) => `tags.${t}`),
    ]);
}
function templatesText(dir) {
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const f = path.join(d, e.name);
        return e.isDirectory() ? walk(f) : /\.(ya?ml|tpl|txt|json)$/.test(e.name) ? [fs.readFileSync(f, "utf8")] : [];
    });
    return walk(dir).join("\n");
}
function readSchema(dir) {
    const f = path.join(dir, "values.schema.json");
    return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, "utf8")) : undefined;
}

// ---- render ----------------------------------------------------------------------------------------------
function chartRender(dir, release, work, apiVersions) {
    const vf = path.join(work, `${release.name}-values.json`);
    fs.writeFileSync(vf, JSON.stringify(release.values));
    const args = ["-chart", dir, "-name", release.name, "-namespace", release.namespace, "-values", vf,
        "-kube-version", process.env.KUBE_VERSION || "v1.37.2", ...apiVersions.flatMap((a) => ["-api-version", a])];
    if (release.skipCrds) args.push("-skip-crds");
    try {
        return JSON.parse(execFileSync(process.env.CHART_RENDER, args, { encoding: "utf8", maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] }));
    } catch (e) {
        throw new Error((e.stderr || e.message).toString().trim().split("\n").slice(0, 6).join(" "));
    }
}
const docsOf = (text) => yaml.parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d && d.kind);

function releasesOf(resourcesFile) {
    const res = JSON.parse(fs.readFileSync(resourcesFile, "utf8"));
    return res.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => ({
        urn: r.urn, chart: r.props.chart.replace(/\/+$/, "").split("/").pop(), version: r.props.version, name: r.props.name,
        namespace: r.props.namespace, createNamespace: !!r.props.createNamespace, skipCrds: !!r.props.skipCrds, values: r.props.values ?? {},
    }));
}

function render(outFile, resourceFiles) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-charts-"));
    const apiVersions = (process.env.API_VERSIONS || "").split(/\s+/).filter(Boolean);
    const applied = [];
    const seen = new Set();
    const rendered = new Map();
    resourceFiles.forEach((file, i) => {
        const stack = path.basename(path.dirname(file));
        for (const rel of releasesOf(file)) {
            const what = `${stack}: ${rel.chart} ${rel.version} (release ${rel.name})`;
            // Reported on every run, counted neither way: nothing was checked.
            if (UNAVAILABLE[rel.chart]) { console.log(`UNCHECKED  ${what}: not rendered: ${UNAVAILABLE[rel.chart]}`); continue; }
            if (!SOURCES[rel.chart]) { fail(what, "no chart source known for this chart (add it to SOURCES in test/e2e/controllers/charts.cjs)"); continue; }
            const sig = JSON.stringify([rel.chart, rel.version, rel.name, rel.namespace, rel.skipCrds, rel.values]);
            if (i > 0 && rendered.has(sig)) { console.log(`same   ${what}: the same chart, version and values as ${rendered.get(sig)} (not rendered again)`); continue; }
            rendered.set(sig, stack);
            let chart;
            try { chart = prepareChart(rel.chart, rel.version, work); } catch (e) { fail(what, e.message); continue; }
            let out;
            try { out = chartRender(chart.dir, rel, work, apiVersions); } catch (e) { fail(`${what} renders`, e.message); continue; }
            const objects = [
                ...out.crds.flatMap((c) => docsOf(c.manifest).map((obj) => ({ obj, crd: true }))),
                ...docsOf(out.manifest).map((obj) => ({ obj })),
                ...out.hooks.flatMap((h) => docsOf(h.manifest).map((obj) => ({ obj, hook: h.events.join(",") }))),
            ];
            const kinds = {};
            for (const o of objects) kinds[o.obj.kind] = (kinds[o.obj.kind] ?? 0) + 1;
            pass(`${what} renders from ${chart.from} with the program's values: ${objects.length} objects (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(", ")})`);
            const key = `${rel.chart}@${rel.version}`;
            const defaults = chartDefaults(chart.dir, key);
            const schema = readSchema(chart.dir);
            const text = templatesText(chart.dir);
            const known = dependencyKeys(chart.dir);
            const [unknown, whole] = unknownKeys(rel.values, defaults, schema, text, known);
            const nKeys = countLeaves(rel.values);
            const notes = [schema ? "values.schema.json enforced by Helm" : "", whole.length ? `handed on whole by the chart, keys below unchecked: ${whole.join(", ")}` : ""].filter(Boolean);
            if (unknown.length) fail(`${what}: every values key is a key of the chart`, `unknown to ${rel.chart} ${rel.version}: ${unknown.join(", ")} (Helm ignores them)`);
            else pass(`${what}: every values key is a key of the chart (${nKeys} set${notes.length ? "; " + notes.join("; ") : ""})`);
            // The check can fail: a made-up key, at the top and under the first map the program sets.
            if (!seen.has(key)) {
                seen.add(key);
                const firstMap = Object.keys(rel.values).find((k) => isMap(rel.values[k]) && isMap(defaults[k]) && Object.keys(defaults[k]).length);
                const canary = { modelplaneUnknownKey: 1, ...(firstMap ? { [firstMap]: { ...rel.values[firstMap], modelplaneUnknownKey: 1 } } : {}) };
                const [caught] = unknownKeys({ ...rel.values, ...canary }, defaults, schema, text, known);
                const want = ["modelplaneUnknownKey", ...(firstMap ? [`${firstMap}.modelplaneUnknownKey`] : [])];
                if (want.every((w) => caught.includes(w))) pass(`${rel.chart} ${rel.version}: control — the key check flags made-up keys (${want.join(", ")})`);
                else fail(`${rel.chart} ${rel.version}: control — the key check flags made-up keys`, `flagged only ${caught.join(", ") || "nothing"}`);
            }
            if (i === 0) applied.push({ release: rel, objects });
        }
    });
    fs.writeFileSync(outFile, JSON.stringify(applied));
    fs.rmSync(work, { recursive: true, force: true });
}
// The chart's defaults as Helm coalesces them: its values.yaml, each subchart's under its name or alias.
const defaultsCache = new Map();
function chartDefaults(dir, key) {
    if (!defaultsCache.has(key)) defaultsCache.set(key, coalescedDefaults(dir));
    return defaultsCache.get(key);
}
function coalescedDefaults(dir) {
    const vf = path.join(dir, "values.yaml");
    const d = fs.existsSync(vf) ? yaml.parse(fs.readFileSync(vf, "utf8")) ?? {} : {};
    const chart = yaml.parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8"));
    for (const dep of chart.dependencies ?? []) {
        const as = dep.alias ?? dep.name;
        const sub = path.join(dir, "charts", dep.name);
        let subDefaults = {};
        if (fs.existsSync(path.join(sub, "values.yaml"))) subDefaults = coalescedDefaults(sub);
        else {
            const tgz = fs.readdirSync(path.join(dir, "charts")).find((f) => f.startsWith(`${dep.name}-`) && f.endsWith(".tgz"));
            if (tgz) subDefaults = yaml.parse(execFileSync("tar", ["-xzOf", path.join(dir, "charts", tgz), `${dep.name}/values.yaml`], { encoding: "utf8" })) ?? {};
        }
        d[as] = { ...subDefaults, ...(isMap(d[as]) ? d[as] : {}) };
    }
    return d;
}
const countLeaves = (v) => (isMap(v) ? Object.values(v).reduce((n, x) => n + countLeaves(x), 0) : 1);

// ---- apply -----------------------------------------------------------------------------------------------
const DRY_RUN_KINDS = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService"]);
async function apply(kubeconfig, renderedFile, nodesFile, resourcesFile, timeoutS) {
    const { fromKubeconfig } = require("./kube.cjs");
    const kube = fromKubeconfig(kubeconfig);
    const rendered = JSON.parse(fs.readFileSync(renderedFile, "utf8"));
    const nodes = JSON.parse(fs.readFileSync(nodesFile, "utf8"));
    const resources = JSON.parse(fs.readFileSync(resourcesFile, "utf8"));
    const order = (o) => (o.obj.kind === "Namespace" ? 0 : o.obj.kind === "CustomResourceDefinition" ? 1 : DRY_RUN_KINDS.has(o.obj.kind) ? 3 : 2);
    const workloads = [];
    for (const { release, objects } of rendered) {
        const what = `${release.chart} (release ${release.namespace}/${release.name})`;
        const counts = { created: 0, dryRun: 0, existing: 0, skipped: 0 };
        const errors = [];
        // The release namespace: Helm creates it with createNamespace; otherwise the program's Namespace does.
        if (!(await kube.get("v1", "Namespace", "", release.namespace))) await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: release.namespace } });
        for (const o of [...objects].sort((a, b) => order(a) - order(b))) {
            const obj = o.obj;
            if (/test/.test(o.hook ?? "")) { counts.skipped++; continue; } // helm test hooks: `helm test` only
            if (await kube.namespaced(obj.apiVersion, obj.kind) && !obj.metadata.namespace) obj.metadata.namespace = release.namespace;
            const id = `${obj.kind} ${obj.metadata.namespace ? obj.metadata.namespace + "/" : ""}${obj.metadata.name}`;
            const coll = await kube.collection(obj.apiVersion, obj.kind, obj.metadata.namespace ?? "");
            if (!coll) { errors.push(`${id}: the API server does not serve ${obj.apiVersion} ${obj.kind}`); continue; }
            const exists = (await kube.request("GET", `${coll}/${obj.metadata.name}`)).status === 200;
            // Webhook configurations and APIServices name a Service that has no backend here (no container runs):
            // persisted, they would make the API server call nothing for later requests. Objects that already exist
            // (the driver's stand-ins for KServe's config and presets, the program's own) are left as they are.
            // Both are sent as a dry run: validated, defaulted and admitted (webhooks called), not stored.
            const dry = DRY_RUN_KINDS.has(obj.kind) || exists;
            let r;
            if (DRY_RUN_KINDS.has(obj.kind) && exists) {
                // The driver registered KServe's webhooks under these names (by URL): a dry-run create under another
                // name checks the chart's own object rather than its merge with the driver's.
                const renamed = { ...obj, metadata: { ...obj.metadata, name: `${obj.metadata.name}-chart-dry-run` } };
                r = await kube.request("POST", `${coll}?dryRun=All&fieldValidation=Strict&fieldManager=helm`, renamed);
            } else {
                const q = `fieldManager=helm&force=true&fieldValidation=Strict${dry ? "&dryRun=All" : ""}`;
                r = await kube.request("PATCH", `${coll}/${obj.metadata.name}?${q}`, obj, "application/apply-patch+yaml");
            }
            if (r.status >= 300) { errors.push(`${id}: ${r.status} ${r.body?.message ?? r.text}`); continue; }
            if (dry) counts[DRY_RUN_KINDS.has(obj.kind) ? "dryRun" : "existing"]++; else counts.created++;
            if (!dry && obj.kind === "CustomResourceDefinition") await established(kube, obj.metadata.name);
            if (!dry && ["Deployment", "DaemonSet", "StatefulSet", "Job"].includes(obj.kind)) workloads.push({ release, obj, hook: o.hook });
        }
        if (errors.length) fail(`${what}: the API server accepts every rendered object (strict field validation)`, errors.slice(0, 5).join("; "));
        else pass(`${what}: the API server accepts every rendered object (strict field validation): ${counts.created} created, ${counts.existing} already there (the driver's stand-ins or the program's: dry run), ${counts.dryRun} webhook configurations (dry run)${counts.skipped ? `, ${counts.skipped} test hooks skipped` : ""}`);
        // The driver stands in for KServe's chart with inferenceservice-config from the module's base file plus
        // the values modelplane sets: the chart's rendering must agree on those values.
        const cm = objects.find((o) => o.obj.kind === "ConfigMap" && o.obj.metadata.name === "inferenceservice-config");
        if (cm) compareKserveConfig(await kube.get("v1", "ConfigMap", "kserve", "inferenceservice-config"), cm.obj, what);
    }
    await placement(kube, workloads, nodes, resources, timeoutS);
}

async function established(kube, name) {
    for (let i = 0; i < 100; i++) {
        const live = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", name);
        if (live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
        await sleep(100);
    }
}

function compareKserveConfig(live, chart, what) {
    if (!live) { fail(`${what}: inferenceservice-config`, "the driver's ConfigMap is missing"); return; }
    const pick = (cm) => {
        const ingress = JSON.parse(cm.data.ingress ?? "{}");
        const lm = JSON.parse(cm.data.localModel ?? "{}");
        return { kserveIngressGateway: ingress.kserveIngressGateway, localModelEnabled: lm.enabled, jobNamespace: lm.jobNamespace };
    };
    const a = pick(chart);
    const b = pick(live);
    if (JSON.stringify(a) === JSON.stringify(b)) pass(`${what}: the chart's inferenceservice-config has what the driver's stand-in has (${JSON.stringify(a)})`);
    else fail(`${what}: the chart's inferenceservice-config has what the driver's stand-in has`, `chart ${JSON.stringify(a)}, driver ${JSON.stringify(b)}`);
}

// Every pod of every workload the charts created scheduled and Running (KWOK runs a bound pod at once); the
// DaemonSets that must cover given nodes cover them.
async function placement(kube, workloads, nodes, resources, timeoutS) {
    const gpuNodes = nodes.pools.flatMap((p) => p.nodes);
    const cachePools = new Set(resources.map((r) => r.props).filter((p) => p?.kind === "LocalModelNodeGroup").map((p) => p.metadata.labels?.["modelplane.io/pool"]));
    const cacheNodes = nodes.pools.filter((p) => cachePools.has(p.pool)).flatMap((p) => p.nodes);
    const must = (ds) => (ds.metadata.name.includes("nvidia-device-plugin") ? { nodes: gpuNodes, why: "every GPU node (the device plugin advertises nvidia.com/gpu)" }
        : ds.metadata.name === "kserve-localmodelnode-agent" ? { nodes: cacheNodes, why: "every node of a pool with a LocalModelNodeGroup (the agent creates its download Jobs)" }
            : undefined);
    const deadline = Date.now() + timeoutS * 1000;
    for (const w of workloads) {
        const { obj } = w;
        const id = `${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}${w.hook ? ` (hook ${w.hook})` : ""}`;
        let last = "";
        for (;;) {
            const r = await check(kube, obj, must(obj));
            last = r.why;
            if (r.ok) { pass(`${id}: ${r.why}`); break; }
            if (Date.now() > deadline) { fail(`${id}: pods scheduled and ${obj.kind === "Job" ? "Running or Succeeded" : "Running"}`, last); break; }
            await sleep(1000);
        }
    }
}

async function check(kube, obj, must) {
    const ns = obj.metadata.namespace;
    const live = await kube.get(obj.apiVersion, obj.kind, ns, obj.metadata.name);
    if (!live) return { ok: false, why: "gone" };
    const sel = obj.kind === "Job" ? { "batch.kubernetes.io/job-name": obj.metadata.name } : live.spec.selector?.matchLabels ?? {};
    const q = `labelSelector=${encodeURIComponent(Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(","))}`;
    const pods = (await kube.list("v1", "Pod", ns, q)).filter((p) => !p.metadata.deletionTimestamp);
    // A Job's pod may already have completed (KWOK's pod stages complete Job pods): scheduled is what counts.
    const up = obj.kind === "Job" ? ["Running", "Succeeded"] : ["Running"];
    const pending = pods.filter((p) => !p.spec.nodeName || !up.includes(p.status?.phase));
    const why = (p) => {
        const c = (p.status?.conditions ?? []).find((x) => x.type === "PodScheduled" && x.status === "False");
        return `${p.metadata.name} ${p.status?.phase ?? "?"}${c ? ` — ${c.reason}: ${c.message}` : ""}`;
    };
    const on = [...new Set(pods.map((p) => p.spec.nodeName).filter(Boolean))].sort();
    if (obj.kind === "DaemonSet") {
        const desired = live.status?.desiredNumberScheduled ?? 0;
        if (must) {
            const missing = must.nodes.filter((n) => !on.includes(n) || pending.some((p) => p.spec.nodeName === n));
            if (missing.length) return { ok: false, why: `must run on ${must.why}; no Running pod on ${missing.join(", ")} (DaemonSet desires ${desired} pods${pending.length ? `; ${pending.map(why).join("; ")}` : ""})` };
        }
        if (desired === 0) return { ok: false, why: "its nodeSelector/affinity/tolerations select no node of the cluster (desiredNumberScheduled 0)" };
        if (pending.length || pods.length < desired) return { ok: false, why: `${pods.length - pending.length}/${desired} pods Running${pending.length ? `; ${pending.map(why).join("; ")}` : ""}` };
        return { ok: true, why: `${desired} pods Running on ${on.join(", ")}${must ? ` (${must.why})` : ""}` };
    }
    const want = obj.kind === "Job" ? 1 : live.spec.replicas ?? 1;
    if (want === 0) return { ok: true, why: "0 replicas" };
    if (pods.length < want || pending.length) return { ok: false, why: `${pods.length - pending.length}/${want} pods Running${pending.length ? `; ${pending.map(why).join("; ")}` : ""}` };
    return { ok: true, why: `${pods.length} pod(s) ${obj.kind === "Job" ? pods.map((p) => p.status.phase).join(", ") : "Running"} on ${on.join(", ")}` };
}

async function main() {
    const [cmd, ...args] = process.argv.slice(2);
    if (cmd === "render") render(args[0], args.slice(1));
    else if (cmd === "apply") await apply(args[0], args[1], args[2], args[3], Number(args[4] || 120));
    else throw new Error("usage: charts.cjs render <out.json> <resources.json>... | apply <kubeconfig> <rendered.json> <nodes.json> <resources.json> <timeout s>");
    console.log(`charts ${cmd}: ${results.passed} passed, ${results.failed} failed`);
    process.exitCode = results.failed ? 1 : 0;
}
if (require.main === module) main().catch((e) => { console.error(e); console.log(`charts: ${results.passed} passed, ${results.failed + 1} failed`); process.exit(1); });

module.exports = { unknownKeys, coalescedDefaults, dependencyKeys };
