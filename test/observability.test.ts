// Observability: every model pod, endpoint picker, gateway proxy and GPU node of the shipped stacks is scraped
// by some monitor; the monitors' and DCGM's builders; the NetworkPolicies admit Prometheus on the metrics ports
// and nothing else new.
import { strict as assert } from "node:assert";
import { ConfigError, PlatformConfig } from "../components/config";
import { dcgmPools, dcgmValues } from "../components/observability/dcgm";
import { buildDcgmNetworkPolicy } from "../components/observability/networkPolicies";
import {
    buildEppServiceMonitor, buildModelMonitors, buildModelPodMonitors, poolRelabelings,
} from "../components/observability/monitors";
import { DCGM_NAMESPACE, DCGM_SERVICE_LABELS, KSERVE_CONTROLLER_SERVICE, PROMETHEUS_POD_LABELS } from "../components/observability/targets";
import { observabilityEnabled, observabilityValues } from "../components/observability/values";
import { PROMETHEUS_URL } from "../components/monitoring/values";
import { kserveValues } from "../components/kserve/values";
import { buildNetworkPolicies, PORTS } from "../components/tenancy/objects";
import { RegisteredResource } from "../lib/resources";
import { SHIPPED_STACKS, ofType, registered, shippedResources, stackConfig } from "./harness";
import {
    PodTarget, ServiceTarget, Source, admits, affinityAdmits, eppServices, gatewayPods, gpuNodes, modelPods, podMonitorsOf, podMonitorsSelecting,
    selects, serviceMonitorsOf, tolerates,
} from "./observability.targets";

type Obj = Record<string, any>;

const monitorsOf = (rs: RegisteredResource[]): Obj[] => [
    ...ofType(rs, "kubernetes:monitoring.coreos.com/v1:PodMonitor"),
    ...ofType(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"),
].map((r) => ({ kind: r.type.endsWith("PodMonitor") ? "PodMonitor" : "ServiceMonitor", ...r.props }) as Obj);

const dcgmRelease = (rs: RegisteredResource[]) =>
    ofType(rs, "kubernetes:helm.sh/v3:Release").find((r) => r.props.name === "dcgm-exporter");

interface Coverage { uncovered: string[]; covered: number }

/**
 * Every scrape target of a plan and whether a monitor picks it: model pods that serve metrics (a PodMonitor on
 * their metrics port), headless workers (no PodMonitor would make a dead target of them; their node is a GPU
 * node, below), endpoint pickers (a ServiceMonitor on their Service's metrics port), gateway proxies, KServe's
 * controller, and each GPU pool's nodes (the DCGM DaemonSet schedules there and its Service is monitored).
 */
function coverage(cfg: PlatformConfig, rs: RegisteredResource[], monitors: Obj[]): Coverage {
    const uncovered: string[] = [];
    let covered = 0;
    const check = (ok: boolean, what: string) => { if (ok) covered++; else uncovered.push(what); };
    const pods: PodTarget[] = [...modelPods(rs), ...gatewayPods(rs)];
    for (const p of pods) {
        if (p.metricsPort === null) check(podMonitorsSelecting(monitors, p).length === 0, `${p.what}: headless, yet a PodMonitor targets it`);
        else check(podMonitorsOf(monitors, p).length > 0, `${p.what}: no PodMonitor scrapes port ${p.metricsPort}`);
    }
    const services: ServiceTarget[] = [...eppServices(rs)];
    if (observabilityEnabled(cfg)) {
        services.push({ kind: "kserve-controller", what: "KServe controller", namespace: KSERVE_CONTROLLER_SERVICE.namespace,
            labels: { ...KSERVE_CONTROLLER_SERVICE.labels, "app.kubernetes.io/component": "controller" }, portNames: ["https"], metricsPortName: "https" });
    }
    for (const s of services) check(serviceMonitorsOf(monitors, s).length > 0, `${s.what}: no ServiceMonitor scrapes its metrics port`);
    const release = dcgmRelease(rs);
    const dcgmService: ServiceTarget = { kind: "dcgm", what: "DCGM exporter", namespace: DCGM_NAMESPACE, labels: { ...DCGM_SERVICE_LABELS }, portNames: ["metrics"], metricsPortName: "metrics" };
    for (const n of gpuNodes(cfg)) {
        const values = release?.props.values as Obj | undefined;
        const lands = values !== undefined && affinityAdmits(values.affinity, n.labels) && selects({ matchLabels: values.nodeSelector ?? {} }, n.labels)
            && n.taints.every((t) => tolerates(values.tolerations ?? [], t));
        check(lands && release!.props.namespace === DCGM_NAMESPACE && serviceMonitorsOf(monitors, dcgmService).length > 0,
            `GPU node of pool ${n.pool.name}: no DCGM exporter scheduled there and scraped`);
    }
    return { uncovered, covered };
}

describe("observability: every target of the shipped stacks is scraped", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: model pods (main, decode, prefill, worker), endpoint pickers, gateways, KServe, GPU nodes`, async () => {
            const cfg = stackConfig(stack);
            const rs = await shippedResources(stack);
            const monitors = monitorsOf(rs);
            const { uncovered, covered } = coverage(cfg, rs, monitors);
            assert.deepEqual(uncovered, []);
            // Non-vacuous: as many targets as the plan has pods, Services and GPU pools.
            const expected = modelPods(rs).length + gatewayPods(rs).length + eppServices(rs).length + 1 + gpuNodes(cfg).length;
            assert.equal(covered, expected);
            assert.ok(modelPods(rs).length >= cfg.models.length && gatewayPods(rs).length === 1);
            // Prometheus picks every monitor: the values select all of them in all namespaces.
            const spec = (observabilityValues(cfg).prometheus as Obj).prometheusSpec;
            for (const m of monitors) {
                const sel = m.kind === "PodMonitor" ? spec.podMonitorSelector : spec.serviceMonitorSelector;
                assert.ok(selects(sel, m.metadata.labels), `${m.kind} ${m.metadata.name} not selected by Prometheus`);
                assert.deepEqual(m.kind === "PodMonitor" ? spec.podMonitorNamespaceSelector : spec.serviceMonitorNamespaceSelector, {});
            }
            assert.equal(nilUsesHelmValues(spec), false);
        });
    }

    it("the shipped plans have P/D, multi-node and GPU pools to cover (the check is not vacuous)", async () => {
        const prod = await shippedResources("prod");
        const whats = modelPods(prod).map((p) => p.what);
        assert.ok(whats.some((w) => w.endsWith("decode")) && whats.some((w) => w.endsWith("prefill")) && whats.some((w) => w.endsWith("worker")));
        assert.ok(gpuNodes(stackConfig("prod")).length >= 2 && gpuNodes(stackConfig("dev")).length >= 2);
        assert.equal(gpuNodes(stackConfig("local")).length, 0, "local has a CPU pool only: no DCGM there");
        assert.equal(dcgmRelease(await shippedResources("local")), undefined);
    });

    it("removing any one monitor leaves a target unscraped", async () => {
        for (const stack of ["prod", "dev"] as const) {
            const cfg = stackConfig(stack);
            const rs = await shippedResources(stack);
            const monitors = monitorsOf(rs);
            for (let i = 0; i < monitors.length; i++) {
                const without = monitors.filter((_, j) => j !== i);
                assert.notDeepEqual(coverage(cfg, rs, without).uncovered, [], `${stack}: ${monitors[i].kind} ${monitors[i].metadata.name} is not needed`);
            }
        }
    });

    it("the DCGM exporter kept off a pool (affinity without it) leaves that pool's nodes unscraped", async () => {
        const cfg = stackConfig("prod");
        const rs = (await shippedResources("prod")).map((r) => {
            if (r.type !== "kubernetes:helm.sh/v3:Release" || r.props.name !== "dcgm-exporter") return r;
            const values = structuredClone(r.props.values) as Obj;
            values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.splice(0, 1);
            return { ...r, props: { ...r.props, values } };
        });
        assert.deepEqual(coverage(cfg, rs, monitorsOf(rs)).uncovered, [`GPU node of pool ${cfg.gpuPools[0].name}: no DCGM exporter scheduled there and scraped`]);
    });

    it("monitoring off, or no charts: no monitor, no DCGM, no dashboard, KServe's metrics stay on localhost", async () => {
        // Without Prometheus (or charts) the autoscaling stack cannot be installed, so prod's autoscaled models
        // get fixed replicas first (config rejects `scaling` there).
        const fixedReplicas = (raw: Obj) => {
            for (const m of raw["modelplane:models"]) {
                for (const w of [m, m.prefill].filter(Boolean)) if (w.scaling) { delete w.scaling; w.replicas = 1; }
            }
        };
        for (const mutate of [(raw: Obj) => { raw["modelplane:platform"] = { ...raw["modelplane:platform"], monitoring: { enabled: false } }; },
            (raw: Obj) => { raw["modelplane:platform"] = { ...raw["modelplane:platform"], charts: false }; }]) {
            const cfg = stackConfig("prod", (raw) => { fixedReplicas(raw); mutate(raw); });
            const rs = await registered(cfg);
            assert.deepEqual(monitorsOf(rs), []);
            assert.equal(dcgmRelease(rs), undefined);
            assert.equal(ofType(rs, "kubernetes:core/v1:ConfigMap").filter((r) => (r.props.metadata as Obj).labels?.grafana_dashboard).length, 0);
            assert.equal(((kserveValues(cfg).kserve as Obj).llmisvc).controller, undefined);
        }
        assert.equal(((kserveValues(stackConfig("prod")).kserve as Obj).llmisvc).controller.metricsBindAddress, "0.0.0.0");
    });
});

/** Whether the chart would turn an empty selector into `release: prometheus` (it must not: the values say so). */
function nilUsesHelmValues(spec: Obj): boolean {
    return spec.podMonitorSelectorNilUsesHelmValues !== false || spec.serviceMonitorSelectorNilUsesHelmValues !== false;
}

describe("observability: monitor builders", () => {
    const prod = stackConfig("prod");
    const pd = prod.models.find((m) => m.prefill)!;
    const single = prod.models.find((m) => !m.prefill && !m.parallelism.pipeline)!;

    it("a model's vLLM pods on 8000 at /metrics, with its name and role copied onto the series", () => {
        const [mon, ...rest] = buildModelPodMonitors(single, "search");
        assert.equal(rest.length, 0);
        assert.equal(mon.metadata.namespace, "search");
        assert.deepEqual(mon.spec.namespaceSelector, { matchNames: ["search"] });
        assert.deepEqual(mon.spec.selector.matchLabels, {
            "app.kubernetes.io/name": single.name, "app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload",
        });
        const [ep] = mon.spec.podMetricsEndpoints;
        assert.deepEqual([ep.portNumber, ep.path, ep.scheme], [8000, "/metrics", "http"]);
        assert.deepEqual(ep.relabelings!.map((r) => [r.sourceLabels, r.targetLabel]), [
            [["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "llmisvc"],
            [["__meta_kubernetes_pod_label_llm_d_ai_role"], "role"],
        ]);
    });

    it("P/D: prefill pods on 8000, decode pods on vLLM's 8001 (not the routing sidecar's 8000)", () => {
        const [main, decode] = buildModelPodMonitors(pd, "assistant");
        const decodePod = { "app.kubernetes.io/name": pd.name, "app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload", "llm-d.ai/role": "decode" };
        const prefillPod = { ...decodePod, "llm-d.ai/role": "prefill" };
        assert.ok(selects(main.spec.selector, prefillPod) && !selects(main.spec.selector, decodePod));
        assert.ok(selects(decode.spec.selector, decodePod) && !selects(decode.spec.selector, prefillPod));
        assert.equal(main.spec.podMetricsEndpoints[0].portNumber, 8000);
        assert.equal(decode.spec.podMetricsEndpoints[0].portNumber, 8001);
    });

    it("the endpoint picker through its Service's metrics port, with Prometheus's token (EPP metrics auth is on)", () => {
        const mon = buildEppServiceMonitor(single, "search");
        assert.deepEqual(mon.spec.selector.matchLabels, {
            "app.kubernetes.io/component": "llminferenceservice-router-scheduler", "app.kubernetes.io/name": single.name, "app.kubernetes.io/part-of": "llminferenceservice",
        });
        assert.deepEqual(mon.spec.endpoints, [{ port: "metrics", path: "/metrics", scheme: "http", bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" }]);
        assert.deepEqual(buildModelMonitors(pd, "x").map((m) => m.metadata.name), [`${pd.name}-vllm`, `${pd.name}-vllm-decode`, `${pd.name}-epp`]);
    });

    it("DCGM: on every GPU pool (one affinity term each), tolerating the GPU taint, the chart's ServiceMonitor off", () => {
        for (const stack of ["prod", "dev"] as const) {
            const cfg = stackConfig(stack);
            const v = dcgmValues(cfg) as Obj;
            const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
            assert.equal(terms.length, cfg.gpuPools.filter((p) => p.gpusPerNode > 0).length);
            assert.deepEqual(v.tolerations, [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
            assert.deepEqual(v.serviceMonitor, { enabled: false });
        }
        assert.equal((dcgmValues(stackConfig("prod")) as Obj).securityContext, undefined);
        const gke = dcgmValues(stackConfig("dev")) as Obj;
        assert.deepEqual(gke.extraHostVolumes, [{ name: "nvidia-install-dir-host", hostPath: "/home/kubernetes/bin/nvidia" }]);
        // The chart's own counters mount survives the list being replaced.
        assert.ok(gke.extraVolumeMounts.some((m: Obj) => m.name === "exporter-metrics-volume"));
        const none = stackConfig("prod", (raw) => { raw["modelplane:platform"] = { ...raw["modelplane:platform"], monitoring: { dcgmExporter: false } }; });
        assert.deepEqual(dcgmPools(none), []);
    });

    it("DCGM series get the pool of their node: one relabeling per pool over its nodeSelector, values matched literally", () => {
        const [r] = poolRelabelings([{ ...stackConfig("prod").gpuPools[0], name: "big", nodeSelector: { "b.io/x": "a.b", "a.io/y": "1" } }]);
        assert.deepEqual(r, {
            sourceLabels: ["__meta_kubernetes_node_label_a_io_y", "__meta_kubernetes_node_label_b_io_x"], separator: ";",
            regex: "1;a\\.b", targetLabel: "pool", replacement: "big", action: "replace",
        });
    });

    it("a wrong monitoring setting is a config error at its path", () => {
        const issues = (mutate: (raw: Obj) => void) => {
            try { stackConfig("prod", mutate); } catch (e) { if (e instanceof ConfigError) return e.issues.map((i) => i.path); throw e; }
            return [];
        };
        const set = (monitoring: Obj) => (raw: Obj) => { raw["modelplane:platform"] = { ...raw["modelplane:platform"], monitoring }; };
        assert.deepEqual(issues(set({ grafana: "yes" })), ["modelplane:platform.monitoring.grafana"]);
        assert.deepEqual(issues(set({ dcgm: true })), ["modelplane:platform.monitoring.dcgm"]);
        assert.deepEqual(issues((raw) => { raw["modelplane:teams"].push({ name: DCGM_NAMESPACE, gpuQuota: 1 }); }), ["modelplane:teams[3].name"]);
    });

    it("Grafana on by default, off on the local stack; Prometheus selects monitors of every namespace", () => {
        assert.equal(((observabilityValues(stackConfig("prod")).grafana) as Obj).enabled, true);
        assert.equal(((observabilityValues(stackConfig("prod")).grafana) as Obj).sidecar.dashboards.label, "grafana_dashboard");
        assert.deepEqual(observabilityValues(stackConfig("local")).grafana, { enabled: false });
    });

    it("the Prometheus release carries these values, and Grafana's datasource speaks HTTPS to it (Prometheus serves nothing else)", async () => {
        const release = (await shippedResources("prod")).find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "monitoring-prometheus");
        assert.ok(release, "prod registers the kube-prometheus-stack release");
        const values = release.props.values as Obj;
        assert.equal(values.grafana.enabled, true);
        assert.equal(values.grafana.sidecar.datasources.url, PROMETHEUS_URL);
        assert.match(values.grafana.sidecar.datasources.url, /^https:\/\//);
        assert.equal(values.grafana.sidecar.datasources.extraJsonData.tlsSkipVerify, true);
        assert.deepEqual(values.prometheus.prometheusSpec.podMonitorSelector, {}, "the observability values are merged into the release");
        assert.ok(values.prometheus.prometheusSpec.web.tlsConfig, "and the monitoring layer's own HTTPS settings stay");
    });
});

// ---------------------------------------------------------------------------------------------------
// NetworkPolicies: what they admit (test/observability.targets.ts `admits`).

describe("observability: NetworkPolicies let Prometheus scrape and nothing else", () => {
    const prod = stackConfig("prod");
    const team = prod.teams[0];
    const policies = buildNetworkPolicies(team, prod.platform) as unknown as Obj[];
    const monitoringNs = { "kubernetes.io/metadata.name": "monitoring" };
    const prometheus: Source = { namespaceLabels: monitoringNs, podLabels: { ...PROMETHEUS_POD_LABELS, "app.kubernetes.io/managed-by": "prometheus-operator" }, sameNamespace: false };
    const grafana: Source = { namespaceLabels: monitoringNs, podLabels: { "app.kubernetes.io/name": "grafana" }, sameNamespace: false };
    const stranger: Source = { namespaceLabels: { "kubernetes.io/metadata.name": "elsewhere" }, podLabels: { ...PROMETHEUS_POD_LABELS }, sameNamespace: false };
    const server = { "app.kubernetes.io/part-of": "llminferenceservice", "kserve.io/component": "workload", "app.kubernetes.io/name": "m" };
    const picker = { "app.kubernetes.io/part-of": "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-router-scheduler", "app.kubernetes.io/name": "m" };
    const probePorts = [PORTS.vllm, PORTS.decodeVllm, PORTS.eppGrpc, 9003, PORTS.eppMetrics, 5557, 5555, 5600, 22];

    it("Prometheus reaches the model servers' metrics (8000, 8001) and the endpoint pickers' (9090) only", () => {
        assert.deepEqual(probePorts.filter((p) => admits(policies, server, prometheus, p)), [8000, 8001]);
        assert.deepEqual(probePorts.filter((p) => admits(policies, picker, prometheus, p)), [9090]);
    });

    it("other pods of the monitoring namespace and Prometheus-labelled pods elsewhere reach nothing", () => {
        for (const src of [grafana, stranger]) {
            assert.deepEqual(probePorts.filter((p) => admits(policies, server, src, p)), []);
            assert.deepEqual(probePorts.filter((p) => admits(policies, picker, src, p)), []);
        }
    });

    it("DCGM exporter: only Prometheus, only on 9400", () => {
        const dcgm = [buildDcgmNetworkPolicy(prod.platform)] as unknown as Obj[];
        const pod = { ...DCGM_SERVICE_LABELS };
        assert.deepEqual([9400, 9401, 22, 8080].filter((p) => admits(dcgm, pod, prometheus, p)), [9400]);
        for (const src of [grafana, stranger, { ...prometheus, namespaceLabels: { "kubernetes.io/metadata.name": DCGM_NAMESPACE }, sameNamespace: true }]) {
            assert.equal(admits(dcgm, pod, src, 9400), false);
        }
    });

    it("the shipped plans register the DCGM policy next to the exporter", async () => {
        const rs = await shippedResources("prod");
        const p = ofType(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy").find((r) => (r.props.metadata as Obj).namespace === DCGM_NAMESPACE);
        assert.ok(p);
        assert.deepEqual((p!.props.spec as Obj).ingress[0].ports, [{ protocol: "TCP", port: 9400 }]);
    });
});
