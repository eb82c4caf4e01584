// Helpers of test/e2e/controllers.sh (node test/e2e/controllers/tool.cjs <kubeconfig> <command> ...):
//   crds <files...>                     server-side apply the CRDs in the files, wait until Established
//   apply [--namespace ns] <files...>   server-side apply every document (namespace added where missing)
//   kustomization <dir>                 apply a kustomization's `resources` with its `namespace` (no patches:
//                                       fails if the kustomization has anything else)
//   kserve-config <file> <gw ns/name> <localModel: true|false> <jobNamespace>
//                                       KServe's inferenceservice-config as the kserve-llmisvc-resources chart
//                                       renders it with modelplane's values (components/kserve/values.ts)
//   webhooks <kustomization dir> <https://127.0.0.1:port> <ca.crt>
//                                       the webhook configurations with clientConfig.service → url + caBundle
//   nodes <plan resources.json> <out.json>
//                                       KWOK nodes mirroring each GPU pool the program declares (its pool marker
//                                       ConfigMaps) + one untainted CPU "system" node
//   agent-nodes <chart resources.yaml> <nodes.json>
//                                       the KWOK nodes the local-model agent DaemonSet's own nodeSelector (the
//                                       chart's base file) selects, one per line
//   gateway-status                      SIMULATED gateway controller status writer (runs until killed)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const yaml = require("yaml");
const { fromKubeconfig, readDocs } = require("./kube.cjs");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const [kubeconfig, cmd, ...args] = process.argv.slice(2);
const kube = fromKubeconfig(kubeconfig);
const REPO = path.resolve(__dirname, "../../..");

async function applyAll(docs, defaultNs) {
    for (const d of docs) {
        if (defaultNs && !d.metadata.namespace && (await kube.namespaced(d.apiVersion, d.kind))) d.metadata.namespace = defaultNs;
        await kube.apply(d);
    }
}

async function crds(files) {
    const docs = readDocs(...files).filter((d) => d.kind === "CustomResourceDefinition");
    await applyAll(docs);
    for (const d of docs) {
        for (let i = 0; ; i++) {
            const live = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", d.metadata.name);
            if (live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
            if (i > 100) throw new Error(`CRD ${d.metadata.name} not Established`);
            await sleep(100);
        }
    }
    console.log(`${docs.length} CRDs established`);
}

async function kustomization(dir) {
    const k = yaml.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
    const extra = Object.keys(k).filter((x) => !["apiVersion", "kind", "namespace", "resources"].includes(x));
    if (extra.length) throw new Error(`${dir}/kustomization.yaml has ${extra.join(", ")}: not supported here`);
    const docs = readDocs(...k.resources.map((r) => path.join(dir, r)));
    await applyAll(docs.map((d) => (k.namespace ? { ...d, metadata: { ...d.metadata, namespace: k.namespace } } : d)));
    console.log(`${docs.length} objects from ${dir}: ${docs.map((d) => d.metadata.name).join(", ")}`);
}

async function kserveConfig(file, gateway, localModel, jobNamespace) {
    const cm = readDocs(file).find((d) => d.kind === "ConfigMap" && d.metadata.name === "inferenceservice-config");
    if (!cm) throw new Error(`no inferenceservice-config in ${file}`);
    // The chart: kserve.controller.gateway.ingressGateway.kserveGateway → ingress.kserveIngressGateway;
    // kserve.localmodel.{enabled,jobNamespace} → localModel.
    const ingress = JSON.parse(cm.data.ingress);
    ingress.kserveIngressGateway = gateway;
    cm.data.ingress = JSON.stringify(ingress, null, 2);
    const lm = JSON.parse(cm.data.localModel);
    lm.enabled = localModel === "true";
    lm.jobNamespace = jobNamespace;
    cm.data.localModel = JSON.stringify(lm, null, 2);
    cm.metadata.namespace = "kserve";
    await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "kserve" } });
    await kube.apply(cm);
    console.log(`kserve/inferenceservice-config applied (ingress.kserveIngressGateway=${gateway}, localModel.enabled=${lm.enabled})`);
}

/**
 * The webhook configurations of a kustomization (its `resources`, with the JSON-patch `patches` it applies to
 * them: LWS narrows its pod webhooks with an objectSelector that way), clientConfig.service → url + caBundle.
 */
async function webhooks(dir, base, caFile) {
    const ca = fs.readFileSync(caFile).toString("base64");
    const k = yaml.parse(fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8"));
    const docs = readDocs(...k.resources.map((r) => path.join(dir, r))).filter((d) => /WebhookConfiguration$/.test(d.kind));
    for (const p of k.patches ?? []) {
        const d = docs.find((x) => x.kind === p.target.kind && x.metadata.name === p.target.name);
        if (!d) throw new Error(`${dir}: patch target ${p.target.kind} ${p.target.name} not found`);
        for (const op of yaml.parse(fs.readFileSync(path.join(dir, p.path), "utf8"))) {
            const m = /^\/webhooks\/(\d+)$/.exec(op.path);
            if (!m || op.op !== "replace") throw new Error(`${dir}/${p.path}: only "replace /webhooks/<i>" is supported, got ${op.op} ${op.path}`);
            d.webhooks[Number(m[1])] = op.value;
        }
    }
    for (const d of docs) {
        delete d.metadata.creationTimestamp;
        for (const w of d.webhooks) {
            const p = w.clientConfig.service?.path;
            if (!p) throw new Error(`${d.metadata.name}/${w.name}: no clientConfig.service.path`);
            w.clientConfig = { url: `${base}${p}`, caBundle: ca };
        }
        await kube.apply(d);
        console.log(`${d.kind} ${d.metadata.name} → ${base}: ${d.webhooks.map((w) => w.clientConfig.url.replace(base, "")).join(", ")}`);
    }
}

// ---- KWOK nodes from the program's pool markers --------------------------------------------------------
/** The node size of a pool of an existing cluster: the first catalog instance type with the pool's GPUs. */
function nodeSize(accelerator, gpus) {
    require("ts-node").register({ transpileOnly: true, project: path.join(REPO, "tsconfig.json") });
    const { INSTANCE_TYPES } = require(path.join(REPO, "lib/catalog"));
    const it = INSTANCE_TYPES.find((i) => i.accelerator === accelerator && i.gpus === gpus);
    if (!it) throw new Error(`no catalog instance type has ${gpus} × ${accelerator}: cannot size the KWOK nodes of that pool`);
    return { instance: it.name, cpu: String(it.vcpu), memory: `${it.memoryGiB}Gi` };
}

function kwokNode(name, labels, taints, capacity) {
    return {
        apiVersion: "v1", kind: "Node",
        metadata: {
            name,
            labels: { ...labels, "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
            annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
        },
        spec: { taints },
        status: { capacity, allocatable: capacity },
    };
}

async function nodes(resourcesFile, outFile) {
    const resources = JSON.parse(fs.readFileSync(resourcesFile, "utf8"));
    // components/cluster/nodePools.ts poolMarker: ConfigMap gpu-pool-<name> in modelplane-system.
    const markers = resources.map((r) => r.props).filter((p) => p?.kind === "ConfigMap" && p.metadata?.annotations?.["modelplane.io/pool"] && p.data?.nodeSelector);
    if (markers.length === 0) throw new Error(`no pool marker ConfigMap in ${resourcesFile}`);
    const pools = [];
    const made = [];
    for (const m of markers) {
        const pool = m.metadata.annotations["modelplane.io/pool"];
        const gpus = Number(m.data.gpusPerNode);
        const maxNodes = Number(m.data.maxNodes);
        const selector = JSON.parse(m.data.nodeSelector);
        const taints = m.data.taint ? [(([kv, effect]) => { const [key, value] = kv.split("="); return { key, value, effect }; })(m.data.taint.split(":"))] : [];
        const size = nodeSize(m.data.accelerator, gpus);
        const names = [];
        for (let i = 0; i < maxNodes; i++) {
            const n = kwokNode(`kwok-${pool}-${i}`, selector, taints, { cpu: size.cpu, memory: size.memory, pods: "110", "nvidia.com/gpu": String(gpus) });
            await kube.apply(n);
            await kube.patchStatus(n, n.status); // capacity even if create dropped the status
            names.push(n.metadata.name);
        }
        pools.push({ pool, nodeSelector: selector, taint: m.data.taint, gpusPerNode: gpus, maxNodes, size, nodes: names });
        console.log(`pool ${pool}: ${maxNodes} × ${gpus} ${m.data.accelerator} (sized as ${size.instance}: ${size.cpu} CPU, ${size.memory}), labels ${JSON.stringify(selector)}, taint ${m.data.taint || "none"}`);
        made.push(...names);
    }
    const sys = kwokNode("kwok-system-0", { "modelplane.io/e2e-role": "system" }, [], { cpu: "16", memory: "64Gi", pods: "110" });
    await kube.apply(sys);
    await kube.patchStatus(sys, sys.status);
    console.log(`system: 1 untainted CPU node (16 CPU, 64Gi) for the endpoint pickers`);
    made.push(sys.metadata.name);
    // Wait until KWOK has made them Ready (node-initialize stage).
    for (let i = 0; ; i++) {
        const live = await kube.list("v1", "Node");
        // Ready (KWOK's node stages) and untainted by the node-lifecycle controller (node.kubernetes.io/not-ready).
        const ready = live.filter((n) => made.includes(n.metadata.name) && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
            && !(n.spec.taints ?? []).some((t) => t.key.startsWith("node.kubernetes.io/")));
        if (ready.length === made.length) break;
        if (i > 900) throw new Error(`${ready.length}/${made.length} nodes Ready without node.kubernetes.io taints after 90s`);
        await sleep(100);
    }
    fs.writeFileSync(outFile, JSON.stringify({ pools, system: sys.metadata.name }, null, 2));
    console.log(`${made.length} KWOK nodes Ready`);
}

// ---- where KServe's local-model agent DaemonSet would run ------------------------------------------------
// kserve-localmodel-resources v0.20.0 files/resources.yaml hard-codes the DaemonSet's nodeSelector (chart values
// are merged into it, never replace it): a node needs those labels or it gets no agent, hence no download Jobs.
function agentNodes(chartFile, nodesFile) {
    const ds = readDocs(chartFile).find((d) => d.kind === "DaemonSet" && d.metadata.name === "kserve-localmodelnode-agent");
    if (!ds) throw new Error(`no kserve-localmodelnode-agent DaemonSet in ${chartFile}`);
    const sel = ds.spec.template.spec.nodeSelector ?? {};
    const { pools } = JSON.parse(fs.readFileSync(nodesFile, "utf8"));
    const matches = pools.flatMap((p) => p.nodes.filter((n) => Object.entries(sel).every(([k, v]) => (k === "kubernetes.io/hostname" ? n : p.nodeSelector[k]) === v)));
    console.error(`local-model agent DaemonSet nodeSelector ${JSON.stringify(sel)} (${path.basename(chartFile)}): ${matches.join(", ") || "no node"}`);
    for (const n of matches) console.log(n);
}

// ---- SIMULATED gateway controller status ---------------------------------------------------------------
// What the pinned Envoy Gateway v1.8.1 + Envoy AI Gateway v1.0.0 would write. The AI Gateway serves InferencePool
// backendRefs of group inference.networking.k8s.io only; any other InferencePool group is InvalidKind, which is
// what makes KServe v0.20.0 switch its HTTPRoutes from the x-k8s v1alpha2 group to v1.
const SERVED_POOL_GROUP = "inference.networking.k8s.io";
const GW = "gateway.networking.k8s.io/v1";
const log = (m) => console.log(`[gateway-status SIMULATED ${new Date().toISOString().slice(11, 19)}] ${m}`);
/** JSON with sorted keys (the API server returns fields in its own order). */
const canon = (x) => JSON.stringify(x, (k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
const strip = (conds) => canon((conds ?? []).map(({ lastTransitionTime, ...c }) => c));
function cond(type, status, reason, message, generation) {
    return { type, status, reason, message: `SIMULATED by test/e2e/controllers: ${message}`, observedGeneration: generation, lastTransitionTime: new Date().toISOString() };
}

async function gatewayStatusOnce(state) {
    const classes = await kube.list(GW, "GatewayClass");
    const controllerOf = new Map(classes.map((c) => [c.metadata.name, c.spec.controllerName]));
    for (const gc of classes) {
        const want = [cond("Accepted", "True", "Accepted", "GatewayClass accepted", gc.metadata.generation)];
        if (strip(gc.status?.conditions) !== strip(want)) { await kube.patchStatus(gc, { conditions: want }); log(`GatewayClass ${gc.metadata.name}: Accepted`); }
    }
    const gateways = await kube.list(GW, "Gateway");
    for (const g of gateways) {
        const gen = g.metadata.generation;
        const want = [cond("Accepted", "True", "Accepted", "Gateway accepted", gen), cond("Programmed", "True", "Programmed", "no Envoy runs; address is a placeholder", gen)];
        if (strip(g.status?.conditions) !== strip(want)) {
            await kube.patchStatus(g, { conditions: want, addresses: [{ type: "IPAddress", value: "127.0.0.1" }] });
            log(`Gateway ${g.metadata.namespace}/${g.metadata.name}: Accepted, Programmed`);
        }
    }
    const pools = await kube.list("inference.networking.k8s.io/v1", "InferencePool");
    const poolKeys = new Set(pools.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    const services = new Set((await kube.list("v1", "Service")).map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
    const routes = await kube.list(GW, "HTTPRoute");
    const poolParents = new Map();
    for (const r of routes) {
        const ns = r.metadata.namespace;
        const gen = r.metadata.generation;
        let resolved = cond("ResolvedRefs", "True", "ResolvedRefs", "all backendRefs resolved", gen);
        for (const b of (r.spec.rules ?? []).flatMap((x) => x.backendRefs ?? [])) {
            const kind = b.kind ?? "Service", group = b.group ?? "", key = `${b.namespace ?? ns}/${b.name}`;
            if (kind === "InferencePool" && group !== SERVED_POOL_GROUP) {
                resolved = cond("ResolvedRefs", "False", "InvalidKind", `InferencePool of group ${group} is not supported (only ${SERVED_POOL_GROUP})`, gen);
                break;
            }
            if (kind === "InferencePool") {
                if (!poolKeys.has(key)) { resolved = cond("ResolvedRefs", "False", "BackendNotFound", `InferencePool ${key} not found`, gen); break; }
                if (!poolParents.has(key)) poolParents.set(key, []);
                poolParents.get(key).push(...(r.spec.parentRefs ?? []).map((p) => ({ ...p, namespace: p.namespace ?? ns })));
            } else if (kind === "Service" && group === "") {
                if (!services.has(key)) { resolved = cond("ResolvedRefs", "False", "BackendNotFound", `Service ${key} not found`, gen); break; }
            } else {
                resolved = cond("ResolvedRefs", "False", "InvalidKind", `backendRef kind ${group}/${kind} is not supported`, gen);
                break;
            }
        }
        const parents = [];
        for (const p of r.spec.parentRefs ?? []) {
            const gw = gateways.find((g) => g.metadata.name === p.name && g.metadata.namespace === (p.namespace ?? ns));
            const accepted = gw ? cond("Accepted", "True", "Accepted", "route accepted", gen) : cond("Accepted", "False", "NoMatchingParent", `Gateway ${p.namespace ?? ns}/${p.name} not found`, gen);
            parents.push({ parentRef: p, controllerName: (gw && controllerOf.get(gw.spec.gatewayClassName)) || "modelplane.io/e2e-simulated", conditions: [accepted, resolved] });
        }
        const prev = canon((r.status?.parents ?? []).map((p) => ({ ...p, conditions: strip(p.conditions) })));
        const next = canon(parents.map((p) => ({ ...p, conditions: strip(p.conditions) })));
        if (prev !== next) {
            await kube.patchStatus(r, { parents });
            log(`HTTPRoute ${ns}/${r.metadata.name}: Accepted, ResolvedRefs=${resolved.status}${resolved.status === "False" ? " " + resolved.reason + " (" + resolved.message.replace(/^SIMULATED[^:]*: /, "") + ")" : ""}`);
        }
    }
    for (const p of pools) {
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        const seen = new Set();
        const parents = (poolParents.get(key) ?? []).filter((r) => !seen.has(`${r.namespace}/${r.name}`) && seen.add(`${r.namespace}/${r.name}`)).map((r) => ({
            parentRef: { group: "gateway.networking.k8s.io", kind: "Gateway", namespace: r.namespace, name: r.name },
            controllerName: "modelplane.io/e2e-simulated",
            conditions: [cond("Accepted", "True", "Accepted", "InferencePool accepted by the Gateway", p.metadata.generation), cond("ResolvedRefs", "True", "ResolvedRefs", "endpoint picker resolved", p.metadata.generation)],
        }));
        const prev = canon((p.status?.parents ?? []).map((x) => ({ ...x, conditions: strip(x.conditions) })));
        const next = canon(parents.map((x) => ({ ...x, conditions: strip(x.conditions) })));
        if (parents.length && prev !== next) {
            await kube.patchStatus(p, { parents });
            log(`InferencePool ${key}: parents ${parents.map((x) => x.parentRef.namespace + "/" + x.parentRef.name).join(", ")} Accepted`);
        }
    }
    state.rounds++;
}

async function gatewayStatus() {
    const state = { rounds: 0 };
    log(`started: writes Gateway/HTTPRoute/InferencePool status as a gateway controller would; InferencePool backendRefs other than ${SERVED_POOL_GROUP} are InvalidKind`);
    for (;;) {
        try { await gatewayStatusOnce(state); } catch (e) { log(`error: ${e.message}`); }
        await sleep(1000);
    }
}

const commands = {
    crds: () => crds(args),
    apply: async () => {
        let ns;
        if (args[0] === "--namespace") { ns = args[1]; args.splice(0, 2); }
        const docs = readDocs(...args);
        await applyAll(docs, ns);
        console.log(`${docs.length} objects applied`);
    },
    kustomization: () => kustomization(args[0]),
    "kserve-config": () => kserveConfig(...args),
    webhooks: () => webhooks(...args),
    nodes: () => nodes(...args),
    "agent-nodes": async () => agentNodes(...args),
    "gateway-status": () => gatewayStatus(),
};
if (!commands[cmd]) { console.error(`tool.cjs: unknown command ${cmd}`); process.exit(2); }
commands[cmd]().then(() => process.exit(0), (e) => { console.error(`tool.cjs ${cmd}: ${e.message}`); process.exit(1); });
