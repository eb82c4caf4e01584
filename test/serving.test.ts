// "Would it serve": the rules a reading of the pinned releases' source found our objects breaking (KServe
// v0.20.0, llm-d-router v0.9.0, GIE v1.5.0, Envoy Gateway v1.8.1, AI Gateway v1.0.0, LWS v0.8.0). Each rule is
// checked over the whole registered output of every shipped stack (every LLMInferenceService, preset,
// DaemonSet, ...), not over one object, so the class of defect cannot come back in another model.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ROUTING_CRDS, resolveVersions, VersionKey } from "../components/versions";
import { kserveValues, localModelEnabled, localModelValues } from "../components/kserve/values";
import { PlatformConfig } from "../components/config";
import { LOCALMODEL_NODE_LABEL } from "../lib/labels";
import { LOCALMODEL_JOBS_NAMESPACE } from "../components/kserve/values";
import { nvmeCachePreset, runaiStreamerPreset } from "../components/kserve/presets";
import { provisionerValues } from "../components/storage/layout";
import { weightsGiB } from "../components/models/sizing";
import { SECRET_PLACEHOLDER } from "../lib/resources";
import { MAX_API_SERVERS, runsAsRoot } from "../components/models/llmInferenceService";
import { parseQuantity } from "../lib/demand";
import { RegisteredResource } from "../lib/resources";
import { crdsDir } from "./crds";
import { ofType, shippedResources, stackConfig, SHIPPED_STACKS } from "./harness";

type Obj = Record<string, any>;

const LLMISVC = "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService";
const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";
const CACHE = "kubernetes:serving.kserve.io/v1alpha1:LocalModelCache";
const NODE_GROUP = "kubernetes:serving.kserve.io/v1alpha1:LocalModelNodeGroup";
const meta = (r: RegisteredResource): Obj => r.props.metadata as Obj;

const spec = (r: RegisteredResource): Obj => r.props.spec as Obj;

/** The workloads of a service: the main one and, for P/D, prefill (each with its template and worker). */
function workloads(s: Obj): { role: string; w: Obj }[] {
    return [{ role: "decode-or-single", w: s }, ...(s.prefill ? [{ role: "prefill", w: s.prefill }] : [])];
}

/** Every pod template of a service: [where, pod spec, leader?]. */
function pods(s: Obj): { where: string; pod: Obj; leader: boolean; w: Obj }[] {
    const out: { where: string; pod: Obj; leader: boolean; w: Obj }[] = [];
    for (const [prefix, w] of [["spec", s], ["spec.prefill", s.prefill]] as const) {
        if (!w) continue;
        if (w.template) out.push({ where: `${prefix}.template`, pod: w.template, leader: true, w });
        if (w.worker) out.push({ where: `${prefix}.worker`, pod: w.worker, leader: false, w });
    }
    return out;
}
const mainOf = (pod: Obj): Obj => (pod.containers as Obj[]).find((c) => c.name === "main")!;

interface Taint { key: string; value?: string; effect: string }
interface PoolNodes { labels: Record<string, string>; taints: Taint[] }

/**
 * What the nodes of each pool will carry, read from the resources the program registered (the EKS node group's
 * labels and taints, the GKE node pool's nodeConfig), or for an existing cluster the labels the config says the
 * nodes already have (and the GPU taint when `taint` is true).
 */
function poolNodes(cfg: PlatformConfig, resources: RegisteredResource[]): Map<string, PoolNodes> {
    const out = new Map<string, PoolNodes>();
    const effect: Record<string, string> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };
    for (const pool of cfg.gpuPools) {
        if (cfg.cloud === "existing") {
            out.set(pool.name, { labels: pool.nodeSelector, taints: pool.taint ? [{ key: "nvidia.com/gpu", effect: "NoSchedule" }] : [] });
            continue;
        }
        const r = cfg.cloud === "aws"
            ? resources.find((x) => x.type === "aws:eks/nodeGroup:NodeGroup" && x.name.endsWith(`-gpu-${pool.name}`))
            : resources.find((x) => x.type === "gcp:container/nodePool:NodePool" && x.name.endsWith(`-gpu-${pool.name}`));
        assert.ok(r, `no node group/pool registered for pool ${pool.name}`);
        const src = (cfg.cloud === "aws" ? r.props : (r.props.nodeConfig as Obj)) as Obj;
        const taints = ((src.taints ?? []) as Obj[]).map((t) => ({ key: t.key, value: t.value, effect: effect[t.effect] ?? t.effect }));
        out.set(pool.name, { labels: (src.labels ?? {}) as Record<string, string>, taints });
    }
    return out;
}

/** Whether a node with `labels` satisfies a pod's nodeSelector and required node affinity. */
function selects(pod: Obj, labels: Record<string, string>): boolean {
    if (!Object.entries((pod.nodeSelector ?? {}) as Record<string, string>).every(([k, v]) => labels[k] === v)) return false;
    const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Obj[] | undefined;
    if (!terms) return true;
    return terms.some((t) => ((t.matchExpressions ?? []) as Obj[]).every((e) => {
        switch (e.operator) {
            case "In": return labels[e.key] !== undefined && e.values.includes(labels[e.key]);
            case "NotIn": return labels[e.key] === undefined || !e.values.includes(labels[e.key]);
            case "Exists": return labels[e.key] !== undefined;
            case "DoesNotExist": return labels[e.key] === undefined;
            default: return false;
        }
    }));
}

/** Whether a pod's tolerations admit every NoSchedule/NoExecute taint of a node. */
function tolerates(pod: Obj, taints: Taint[]): boolean {
    const tols = (pod.tolerations ?? []) as Obj[];
    return taints.filter((t) => t.effect !== "PreferNoSchedule").every((t) => tols.some((tol) =>
        (tol.key === undefined && tol.operator === "Exists") ||
        (tol.key === t.key && (tol.effect === undefined || tol.effect === t.effect) &&
            (tol.operator === "Exists" || tol.value === t.value))));
}

interface CrdManifest { metadata: { name: string; annotations?: Record<string, string> }; spec: Obj }

/** KServe v0.20.0's own routing CRDs: what its chart creates with `createGIECRDs` at the default `true`. */
function kserveGieBundle(): CrdManifest[] {
    const file = path.join(crdsDir(), "kserve", "v0.20.0-gie", "gateway-inference-extension.yaml");
    return YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as CrdManifest).filter((d) => d?.metadata);
}

describe("serving: what the pinned upstream releases need from every shipped stack", function () {
    this.timeout(300_000);

    // Finding 1: dev's qwen2-5-7b asked for scale-to-zero (KEDA idleReplicaCount 0), which the v0.20.0 CRD rejects
    // (minimum 1). The config check itself is in config.test.ts; here: no shipped service asks for it.
    it("1. no service asks for a replica floor of 0 (KServe v0.20.0: minReplicas and idleReplicaCount ≥ 1)", async () => {
        for (const stack of SHIPPED_STACKS) {
            for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                for (const { w } of workloads(spec(r))) {
                    if (!w.scaling) continue;
                    assert.ok(w.scaling.minReplicas >= 1, `${stack} ${r.name}: minReplicas ${w.scaling.minReplicas}`);
                    for (const idle of [w.scaling.wva?.keda?.idleReplicaCount, w.scaling.keda?.idleReplicaCount]) {
                        assert.ok(idle === undefined || idle >= 1, `${stack} ${r.name}: idleReplicaCount ${idle}`);
                    }
                }
            }
        }
    });

    // Finding 2: P/D decode pods run the routing sidecar with --pool-group=inference.networking.x-k8s.io, which
    // waits for the x-k8s InferencePool CRD; with createGIECRDs false nobody installed it.
    describe("2. the routing CRDs: every one KServe's chart would create is installed by the routing layer", () => {
        const bundle = kserveGieBundle();
        const versions = resolveVersions({});
        const keyOf = (crd: string) => (Object.keys(ROUTING_CRDS) as VersionKey[]).find((k) => ROUTING_CRDS[k]!.includes(crd));

        it("KServe v0.20.0's bundle has the four CRDs of its chart's gieCRDNames", () => {
            assert.deepEqual(bundle.map((d) => d.metadata.name).sort(), [
                "inferencemodelrewrites.llm-d.ai", "inferenceobjectives.llm-d.ai",
                "inferencepools.inference.networking.k8s.io", "inferencepools.inference.networking.x-k8s.io",
            ]);
        });

        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: KServe's chart leaves the routing CRDs to us, and we register a bundle for each of them`, async () => {
                const cfg = stackConfig(stack);
                assert.equal((kserveValues(cfg).kserve as Obj).llmisvc.createGIECRDs, false);
                const files = new Set(ofType(await shippedResources(stack), CONFIG_GROUP).flatMap((r) => (r.props.files as string[]) ?? []));
                for (const crd of bundle.map((d) => d.metadata.name)) {
                    const key = keyOf(crd);
                    assert.ok(key, `no routing bundle brings ${crd} (KServe's decode sidecar or EPP needs it)`);
                    const src = versions[key];
                    assert.ok(src.type === "manifest" && src.files.every((f) => files.has(f)), `${stack}: ${key} (${crd}) is not registered`);
                }
            });
        }

        it("each routing bundle's pin is the one KServe's bundle was built from, or its CRD is identical", () => {
            const pinnedFile: Partial<Record<VersionKey, string>> = {
                inferencePoolCrds: "inference-extension/v1.5.0/inference.networking.k8s.io_inferencepools.yaml",
            };
            for (const doc of bundle) {
                const key = keyOf(doc.metadata.name)!;
                const annotated = Object.entries(doc.metadata.annotations ?? {}).find(([k]) => k.endsWith("/bundle-version"))?.[1];
                if (annotated === versions[key].version) continue;
                const file = pinnedFile[key];
                assert.ok(file, `${doc.metadata.name}: KServe's copy is ${annotated}, we pin ${key} ${versions[key].version} and have no copy to compare`);
                const ours = YAML.parse(fs.readFileSync(path.join(crdsDir(), file), "utf8")) as CrdManifest;
                assert.deepEqual(ours.spec, doc.spec, `${doc.metadata.name}: ${key} ${versions[key].version} differs from KServe's ${annotated}`);
            }
        });
    });

    // Finding 10: the pins follow kserve-deps.env at v0.20.0, each with its source next to it.
    it("10. the routing pins are KServe v0.20.0's tested set (kserve-deps.env), each citing its source", () => {
        const v = resolveVersions({});
        assert.equal(v.llmdRouterCrds.version, "v0.9.0"); // LLMD_ROUTER_VERSION=v0.9.0
        assert.equal(v.inferencePoolCrds.version, "v1.5.0"); // GIE_VERSION=v1.5.0
        assert.equal(v.gatewayApiCrds.version, "v1.5.1"); // GATEWAY_API_VERSION=v1.5.1
        assert.equal(v.lws.version, "v0.8.0"); // LWS_VERSION=v0.8.0
        const src = fs.readFileSync(path.join(__dirname, "..", "components", "versions.ts"), "utf8");
        const catalog = src.slice(src.indexOf("const CATALOG = {"), src.indexOf("} as const;"));
        for (const [variable, key] of [["LLMD_ROUTER_VERSION", "llmdRouterCrds"], ["GIE_VERSION", "inferencePoolCrds"],
            ["GATEWAY_API_VERSION", "gatewayApiCrds"], ["LWS_VERSION", "lws"], ["CERT_MANAGER_VERSION", "certManager"],
            ["ENVOY_GATEWAY_VERSION", "envoyGatewayCrds"], ["ENVOY_AI_GATEWAY_VERSION", "aiGatewayCrds"], ["KSERVE_VERSION", "kserveCrds"],
            ["PROMETHEUS_VERSION", "prometheusStack"], ["KEDA_VERSION", "keda"], ["WVA_VERSION", "wva"]] as const) {
            const at = catalog.indexOf(`    ${key}: {`);
            assert.ok(at > 0, key);
            // WVA's chart is semver without the tag's "v" (kserve manage.wva-helm.sh: "${WVA_VERSION#v}").
            const version = key === "wva" ? `v${v[key].version}` : v[key].version;
            const cite = new RegExp(`kserve-deps\\.env@v0\\.20\\.0 ${variable}=${version}`);
            assert.match(catalog.slice(Math.max(0, at - 600), at), cite, `${key}: cite kserve-deps.env ${variable} next to the pin`);
        }
    });

    // Finding 6: local's opt-125m runs vllm/vllm-openai-cpu, which runs as root, under the preset's runAsNonRoot.
    describe("6. images that run as root are not started under the presets' runAsNonRoot: true", () => {
        it("the vLLM project's own images are recognised however they are written", () => {
            for (const img of ["vllm/vllm-openai:v0.11.0", "docker.io/vllm/vllm-openai-cpu:v0.23.0", "vllm/vllm-openai-cpu@sha256:0123",
                "public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.19.0"]) assert.ok(runsAsRoot(img), img);
            for (const img of [undefined, "ghcr.io/llm-d/llm-d-cuda:v0.8.0", "registry.example.com/vllm/vllm-openai:v1", "vllm-openai:latest"]) {
                assert.ok(!runsAsRoot(img), String(img));
            }
        });
        it("every pod of every shipped service whose image runs as root says runAsNonRoot: false", async () => {
            let rootPods = 0;
            for (const stack of SHIPPED_STACKS) {
                for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                    for (const { where, pod } of pods(spec(r))) {
                        const main = mainOf(pod);
                        if (!runsAsRoot(main.image)) continue;
                        rootPods++;
                        assert.equal(main.securityContext?.runAsNonRoot, false, `${stack} ${r.name} ${where}: ${main.image} runs as root`);
                    }
                }
            }
            assert.ok(rootPods >= 1, "local's CPU model runs a root image");
        });
    });

    // Finding 8: the data-parallel leader ran 8 API server processes (preset default) in a 3-CPU pod.
    it("8. data-parallel leaders run no more API servers than their CPUs leave after the engine cores", async () => {
        let leaders = 0;
        for (const stack of SHIPPED_STACKS) {
            for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                for (const { where, pod, leader, w } of pods(spec(r))) {
                    if (!leader || !w.worker || !w.parallelism?.data) continue;
                    leaders++;
                    const main = mainOf(pod);
                    const count = Number((main.env as Obj[]).find((e) => e.name === "VLLM_API_SERVER_COUNT")?.value ?? MAX_API_SERVERS);
                    const cpus = parseQuantity(main.resources.limits.cpu)!;
                    const engines = w.parallelism.dataLocal ?? 1;
                    assert.ok(count === 1 || count + engines <= cpus,
                        `${stack} ${r.name} ${where}: ${count} API servers + ${engines} engine core(s) in ${cpus} CPUs`);
                }
            }
        }
        assert.ok(leaders >= 1, "dev ships a multi-node data-parallel model");
    });

    // Finding 3: the agent DaemonSet keeps its chart's hard-coded nodeSelector kserve/localmodel: worker, which no
    // node carried: no agent, no download jobs, and the webhook still sends the model to the cache PVC.
    describe("3. KServe's local-model agent has a node to run on in every NVMe pool", () => {
        for (const stack of SHIPPED_STACKS) {
            it(`${stack}: every node of every NVMe pool matches the agent's selector (the chart's base selector included) and taints`, async () => {
                const cfg = stackConfig(stack);
                if (!localModelEnabled(cfg)) return assert.equal(cfg.gpuPools.filter((p) => p.localNvme !== "none").length, 0);
                const c = (localModelValues(cfg).kserve as Obj).localmodelnode.controller as Obj;
                // The DaemonSet the chart renders: files/resources.yaml's nodeSelector with the values' map merged in.
                const agent = {
                    nodeSelector: { [LOCALMODEL_NODE_LABEL.key]: LOCALMODEL_NODE_LABEL.value, ...(c.nodeSelector ?? {}) },
                    affinity: c.affinity, tolerations: c.tolerations,
                };
                const nodes = poolNodes(cfg, await shippedResources(stack));
                for (const pool of cfg.gpuPools.filter((p) => p.localNvme !== "none")) {
                    const n = nodes.get(pool.name)!;
                    assert.ok(selects(agent, n.labels), `${stack}: pool ${pool.name}'s nodes (${JSON.stringify(n.labels)}) do not match the agent's ${JSON.stringify(agent.nodeSelector)}`);
                    assert.ok(tolerates(agent, n.taints), `${stack}: the agent does not tolerate pool ${pool.name}'s taints`);
                }
            });
        }
        it("an existing cluster's NVMe pool must say its nodes carry the label (config error with the path)", () => {
            assert.throws(() => stackConfig("local", (raw) => {
                raw["modelplane:gpuPools"][0] = { name: "h100", accelerator: "H100", gpusPerNode: 8, maxNodes: 1, localNvme: "raid0", nodeSelector: { "modelplane.io/pool": "h100" } };
                raw["modelplane:models"] = [];
            }), /modelplane:gpuPools\[0\]\.nodeSelector: must include kserve\/localmodel: worker/);
        });
    });

    // Finding 4: the download Job of a LocalModelCache ran as `default` in kserve-localmodel-jobs with no token.
    it("4. every LocalModelCache downloads as a ServiceAccount of the jobs namespace that lists the HF token Secret", async () => {
        let caches = 0;
        for (const stack of SHIPPED_STACKS) {
            const cfg = stackConfig(stack);
            const rs = await shippedResources(stack);
            for (const c of ofType(rs, CACHE)) {
                caches++;
                const saName = spec(c).serviceAccountName;
                assert.ok(saName, `${stack} ${c.name}: no serviceAccountName (the Job would run as default, without HF_TOKEN)`);
                const sa = ofType(rs, "kubernetes:core/v1:ServiceAccount").find((r) => meta(r).name === saName && meta(r).namespace === LOCALMODEL_JOBS_NAMESPACE);
                assert.ok(sa, `${stack} ${c.name}: ServiceAccount ${saName} is not registered in ${LOCALMODEL_JOBS_NAMESPACE}`);
                if (cfg.secrets.huggingFaceToken === undefined) continue;
                const listed = ((sa.props.secrets ?? []) as Obj[]).map((x) => x.name);
                const secret = ofType(rs, "kubernetes:core/v1:Secret").find((r) => meta(r).namespace === LOCALMODEL_JOBS_NAMESPACE && listed.includes(meta(r).name));
                assert.ok(secret, `${stack} ${c.name}: ${saName} lists no Secret registered in ${LOCALMODEL_JOBS_NAMESPACE}`);
                // The token is a Pulumi secret, under the key KServe's credential builder reads (HF_TOKEN).
                assert.ok(secret.secretProps.includes("stringData") && JSON.stringify(secret.props.stringData).includes(SECRET_PLACEHOLDER));
                assert.deepEqual(Object.keys((secret.rawProps?.stringData ?? {}) as Obj), ["HF_TOKEN"]);
            }
        }
        assert.ok(caches >= 1, "prod ships a localCache model");
    });

    // Finding 5: the EPP of a localCache model mounts the cache PVC, whose PV lives on the tainted GPU pool.
    it("5. the endpoint picker of a localCache model can run where the cache PV is (PV node affinity, GPU taint)", async () => {
        let checked = 0;
        for (const stack of SHIPPED_STACKS) {
            const cfg = stackConfig(stack);
            const rs = await shippedResources(stack);
            const nodes = poolNodes(cfg, rs);
            for (const r of ofType(rs, LLMISVC).filter((x) => cfg.models.find((m) => m.name === meta(x).name)?.loader === "localCache")) {
                checked++;
                const group = meta(r).annotations["serving.kserve.io/nodegroup"];
                const ng = ofType(rs, NODE_GROUP).find((x) => meta(x).name === group);
                assert.ok(ng, `${stack} ${r.name}: node group ${group} is not registered`);
                const pvAffinity = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: spec(ng).persistentVolumeSpec.nodeAffinity.required } } };
                const epp = (spec(r).router?.scheduler?.template ?? {}) as Obj;
                const candidates = [...nodes.entries()].filter(([, n]) => selects(pvAffinity, n.labels) && selects(epp, n.labels));
                assert.ok(candidates.length > 0, `${stack} ${r.name}: no pool's nodes match the cache PV's node affinity`);
                assert.ok(candidates.some(([, n]) => tolerates(epp, n.taints)),
                    `${stack} ${r.name}: the EPP pod tolerates none of ${candidates.map(([p, n]) => `${p} (${JSON.stringify(n.taints)})`).join(", ")}: it would stay Pending`);
            }
        }
        assert.ok(checked >= 1, "prod ships a localCache model");
    });

    describe("9. smaller findings", () => {
        it("every pod of a localCache model runs with HF_HUB_OFFLINE=1 (decode, prefill, leaders and workers)", async () => {
            let checked = 0;
            for (const stack of SHIPPED_STACKS) {
                const cfg = stackConfig(stack);
                for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                    if (cfg.models.find((m) => m.name === meta(r).name)?.loader !== "localCache") continue;
                    for (const { where, pod } of pods(spec(r))) {
                        checked++;
                        const env = (mainOf(pod).env ?? []) as Obj[];
                        assert.equal(env.find((e) => e.name === "HF_HUB_OFFLINE")?.value, "1", `${stack} ${r.name} ${where}`);
                    }
                }
            }
            assert.ok(checked >= 2, "prod's P/D localCache model has a decode and a prefill pod");
        });

        it("the endpoint picker's grace period is at least every pod's of its model (KServe: \"must be >= workload\")", async () => {
            for (const stack of SHIPPED_STACKS) {
                for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                    const epp = spec(r).router?.scheduler?.template?.terminationGracePeriodSeconds ?? 60;
                    for (const { where, pod } of pods(spec(r))) {
                        const grace = pod.terminationGracePeriodSeconds ?? 60;
                        assert.ok(epp >= grace, `${stack} ${r.name}: EPP ${epp} s < ${where} ${grace} s`);
                    }
                }
            }
        });

        it("a LocalModelCache of an hf:// model has room for the whole repository (two copies of the weights)", async () => {
            for (const stack of SHIPPED_STACKS) {
                const cfg = stackConfig(stack);
                for (const c of ofType(await shippedResources(stack), CACHE)) {
                    const m = cfg.models.find((x) => x.name === meta(c).name)!;
                    const gib = parseQuantity(spec(c).modelSize)! / 2 ** 30;
                    const copies = m.uri.startsWith("hf://") ? 2 : 1;
                    assert.ok(gib >= weightsGiB(m.size) * copies, `${stack} ${c.name}: modelSize ${spec(c).modelSize} < ${copies} × ${weightsGiB(m.size).toFixed(1)} GiB`);
                }
            }
        });

        it("no blockCleanerCommand on Filesystem classes (the provisioner runs it for Block volumes only)", () => {
            for (const stack of SHIPPED_STACKS) {
                for (const c of (provisionerValues(stackConfig(stack)).classes as Obj[])) {
                    if (c.volumeMode === "Filesystem") assert.equal(c.blockCleanerCommand, undefined, stack);
                }
            }
        });

        it("no preset field is overridden by every service that uses the preset (a preset never used as written)", async () => {
            const presets = [runaiStreamerPreset(), nvmeCachePreset()];
            for (const p of presets) {
                const ps = p.spec as Obj;
                for (const stack of SHIPPED_STACKS) {
                    for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                        if (!((spec(r).baseRefs ?? []) as Obj[]).some((b) => b.name === p.metadata.name)) continue;
                        for (const c of (ps.template?.containers ?? []) as Obj[]) {
                            const own = ((spec(r).template?.containers ?? []) as Obj[]).find((x) => x.name === c.name) ?? {};
                            // command and args replace whole in KServe's merge: the preset's would never run.
                            for (const f of ["command", "args"]) assert.ok(!(c[f] && own[f]), `${p.metadata.name}.${c.name}.${f} is replaced by ${stack} ${r.name}`);
                        }
                    }
                }
            }
        });
    });

    // The rule behind several findings: every pod of every model can be placed on a node of its own pool.
    it("every model pod selects its own pool's nodes, tolerates their taints and fits one node (GPUs, CPU, memory)", async () => {
        let checked = 0;
        for (const stack of SHIPPED_STACKS) {
            const cfg = stackConfig(stack);
            const rs = await shippedResources(stack);
            const nodes = poolNodes(cfg, rs);
            for (const r of ofType(rs, LLMISVC)) {
                const pool = cfg.gpuPools.find((p) => p.name === meta(r).annotations["modelplane.io/pool"])!;
                const n = nodes.get(pool.name)!;
                for (const { where, pod } of pods(spec(r))) {
                    checked++;
                    const at = `${stack} ${r.name} ${where}`;
                    assert.ok(selects(pod, n.labels), `${at}: selects ${JSON.stringify(pod.nodeSelector)}, pool ${pool.name}'s nodes carry ${JSON.stringify(n.labels)}`);
                    assert.ok(tolerates(pod, n.taints), `${at}: does not tolerate ${JSON.stringify(n.taints)}`);
                    for (const other of cfg.gpuPools.filter((p) => p.name !== pool.name)) {
                        assert.ok(!selects(pod, nodes.get(other.name)!.labels), `${at}: also selects pool ${other.name}`);
                    }
                    const limits = mainOf(pod).resources.limits as Obj;
                    assert.ok(Number(limits["nvidia.com/gpu"] ?? 0) <= pool.gpusPerNode, `${at}: ${limits["nvidia.com/gpu"]} GPUs on ${pool.gpusPerNode}-GPU nodes`);
                    if (pool.instance) {
                        assert.ok(parseQuantity(limits.cpu)! <= pool.instance.vcpu, `${at}: cpu ${limits.cpu} > ${pool.instance.vcpu}`);
                        assert.ok(parseQuantity(limits.memory)! <= pool.instance.memoryGiB * 2 ** 30, `${at}: memory ${limits.memory} > ${pool.instance.memoryGiB}Gi`);
                    }
                }
            }
        }
        assert.ok(checked >= 10);
    });

    // Found by the controllers e2e (npm run test:e2e:controllers): KServe v0.20.0's local-model controller indexes
    // InferenceService (serving.kserve.io/v1beta1) at start-up and exits when that CRD is missing; no cache is then
    // ever downloaded. kserve-llmisvc-crd and kserve-localmodel-crd do not carry it; KServe's kserve-crd chart does.
    it("the local-model controller's CRDs are installed with it: its release waits for a bundle with the InferenceService CRD", async () => {
        let checked = 0;
        for (const stack of SHIPPED_STACKS) {
            const rs = await shippedResources(stack);
            const release = rs.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.name === "kserve-localmodel");
            if (!localModelEnabled(stackConfig(stack))) { assert.equal(release, undefined); continue; }
            checked++;
            assert.ok(release, `${stack}: no kserve-localmodel release`);
            const serving = rs.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.props.chart === "oci://ghcr.io/kserve/charts/kserve-crd");
            assert.ok(serving, `${stack}: KServe's kserve-crd chart (InferenceService CRD) is not installed`);
            assert.ok(release.dependencies.includes(serving.urn), `${stack}: the local-model release does not wait for the InferenceService CRD`);
            assert.equal(serving.opts.retainOnDelete, true, "a CRD bundle is never deleted by Pulumi");
        }
        assert.ok(checked >= 1, "prod installs the local model cache");
    });
});
