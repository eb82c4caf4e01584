// Assertions of test/e2e/controllers.sh, against the live cluster, for every LLMInferenceService the program
// declares (the plan's resources.json) and the KWOK nodes made from its pools (nodes.json):
//   node assert.cjs <kubeconfig> <resources.json> <nodes.json> <timeout seconds> [<local-model agent's node>]
// Polls until every check passes or the timeout, then prints each check (PASS/FAIL with what was seen) and,
// for every service, its status conditions. Exit 0: all passed; 1: some failed.
"use strict";
const fs = require("node:fs");
const { fromKubeconfig } = require("./kube.cjs");

const [kubeconfig, resourcesFile, nodesFile, timeoutArg, agentNode] = process.argv.slice(2);
const kube = fromKubeconfig(kubeconfig);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const props = JSON.parse(fs.readFileSync(resourcesFile, "utf8")).map((r) => r.props).filter((p) => p && p.kind);
const nodes = JSON.parse(fs.readFileSync(nodesFile, "utf8"));
const poolNodes = new Map(nodes.pools.map((p) => [p.pool, p.nodes]));

const GPU = "nvidia.com/gpu";
const ISVC = "serving.kserve.io/v1alpha2";
const gpusOf = (podSpec) => (podSpec?.containers ?? []).reduce((n, c) => n + Number(c.resources?.requests?.[GPU] ?? c.resources?.limits?.[GPU] ?? 0), 0);
function groupSize(p) {
    if (!p) return 1;
    if ((p.data ?? 0) > 0 || (p.dataLocal ?? 0) > 0) return Math.max(Math.trunc(Math.max(p.data ?? 1, 1) / Math.max(p.dataLocal ?? 1, 1)), 1);
    return p.pipeline ?? 1;
}
/** The pods a workload (main or prefill) must have: [{role, count, gpus}] */
function expectedPods(w, parallelism) {
    if (!w) return [];
    const replicas = w.replicas ?? 1;
    const size = w.worker ? groupSize(parallelism) : 1;
    const out = [{ role: w.worker ? "leader" : "pod", count: replicas, gpus: gpusOf(w.template) }];
    if (w.worker && size > 1) out.push({ role: "worker", count: replicas * (size - 1), gpus: gpusOf(w.worker) });
    return out;
}

// ---- the models and the teams' quotas, as declared -------------------------------------------------------
const models = props.filter((p) => p.apiVersion === ISVC && p.kind === "LLMInferenceService").map((s) => {
    const main = expectedPods(s.spec, s.spec.parallelism);
    const prefill = s.spec.prefill ? expectedPods(s.spec.prefill, s.spec.prefill.parallelism ?? s.spec.parallelism) : [];
    const gpus = [...main, ...prefill].reduce((n, e) => n + e.count * e.gpus, 0);
    return { ns: s.metadata.namespace, name: s.metadata.name, pool: s.metadata.annotations?.["modelplane.io/pool"], spec: s.spec, main, prefill, gpus };
});
const quotas = new Map(props.filter((p) => p.kind === "ResourceQuota" && p.spec?.hard?.[`requests.${GPU}`] !== undefined)
    .map((q) => [q.metadata.namespace, { name: q.metadata.name, gpus: Number(q.spec.hard[`requests.${GPU}`]) }]));
const demand = new Map();
for (const m of models) demand.set(m.ns, (demand.get(m.ns) ?? 0) + m.gpus);
const overQuota = (ns) => quotas.has(ns) && demand.get(ns) > quotas.get(ns).gpus;

// ---- live state ------------------------------------------------------------------------------------------
async function snapshot() {
    const s = {};
    const lists = {
        isvc: [ISVC, "LLMInferenceService"], deploy: ["apps/v1", "Deployment"], rs: ["apps/v1", "ReplicaSet"],
        sts: ["apps/v1", "StatefulSet"], lws: ["leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet"], pod: ["v1", "Pod"],
        svc: ["v1", "Service"], route: ["gateway.networking.k8s.io/v1", "HTTPRoute"],
        pool: ["inference.networking.k8s.io/v1", "InferencePool"], poolAlpha: ["inference.networking.x-k8s.io/v1alpha2", "InferencePool"],
        event: ["v1", "Event"], node: ["v1", "Node"], pvc: ["v1", "PersistentVolumeClaim"],
        job: ["batch/v1", "Job"], secret: ["v1", "Secret"],
    };
    for (const [k, [av, kind]] of Object.entries(lists)) s[k] = await kube.list(av, kind);
    s.byUid = new Map();
    for (const k of ["isvc", "deploy", "rs", "sts", "lws", "pod", "job"]) for (const o of s[k]) s.byUid.set(o.metadata.uid, o);
    return s;
}
/** Whether `o` is (transitively, through ownerReferences) owned by the object with uid `root`. */
function ownedBy(s, o, root, depth = 0) {
    if (depth > 6) return false;
    return (o.metadata.ownerReferences ?? []).some((r) => r.uid === root || (s.byUid.has(r.uid) && ownedBy(s, s.byUid.get(r.uid), root, depth + 1)));
}
const condStr = (c) => `${c.type}=${c.status}${c.reason ? " " + c.reason : ""}${c.status !== "True" && c.message ? ` (${c.message.slice(0, 160)})` : ""}`;
const find = (list, ns, name) => list.find((o) => o.metadata.namespace === ns && o.metadata.name === name);
const where = (p) => `${p.metadata.name}@${p.spec.nodeName || "unscheduled"}/${p.status?.phase}`;
function podProblem(p) {
    const sched = (p.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
    return sched && sched.status !== "True" ? `${sched.reason}: ${sched.message}` : "";
}

function checkModel(s, m) {
    const checks = [];
    const check = (name, ok, detail) => checks.push({ name: `${m.ns}/${m.name}: ${name}`, ok: !!ok, detail });
    const isvc = find(s.isvc, m.ns, m.name);
    const conds = isvc?.status?.conditions ?? [];
    if (!isvc) { check("LLMInferenceService exists", false, "not on the API server"); return { checks, conds }; }
    const uid = isvc.metadata.uid;
    const ownPods = s.pod.filter((p) => p.metadata.namespace === m.ns && ownedBy(s, p, uid));

    if (overQuota(m.ns)) {
        // Refused by the team's ResourceQuota: no GPU pod beyond the quota, and the refusal names the quota.
        const q = quotas.get(m.ns);
        const refusals = s.event.filter((e) => e.metadata.namespace === m.ns && /exceeded quota/.test(e.message ?? ""));
        const named = refusals.filter((e) => e.message.includes(`exceeded quota: ${q.name}`));
        check(`refused by ResourceQuota ${q.name} (team demand ${demand.get(m.ns)} GPUs > quota ${q.gpus})`, named.length > 0,
            named[0] ? `${named[0].reason}: ${named[0].message.slice(0, 220)}` : `no "exceeded quota: ${q.name}" event (events: ${refusals.map((e) => e.message).join("; ") || "none"})`);
        const used = ownPods.reduce((n, p) => n + gpusOf(p.spec), 0);
        check(`admitted GPU pods within quota`, used <= q.gpus, `${ownPods.length} pods, ${used} GPUs admitted, quota ${q.gpus}`);
        return { checks, conds };
    }

    const bad = conds.filter((c) => c.status === "False");
    const ready = conds.find((c) => c.type === "Ready");
    check("reconciled by KServe, no error condition, Ready", conds.length > 0 && bad.length === 0 && ready?.status === "True",
        conds.length ? conds.filter((c) => c.status !== "True").map(condStr).join("; ") || "all True" : "no status conditions (not reconciled)");

    // Workloads: Deployment, or LeaderWorkerSet when a replica spans pods; prefill likewise.
    const wl = [[m.spec, m.main, ""], [m.spec.prefill, m.prefill, "-prefill"]].filter(([w]) => w);
    for (const [w, , suffix] of wl) {
        const kind = w.worker ? "LeaderWorkerSet" : "Deployment";
        const name = w.worker ? `${m.name}-kserve-mn${suffix}` : `${m.name}-kserve${suffix}`;
        const o = find(w.worker ? s.lws : s.deploy, m.ns, name);
        check(`${kind} ${name}`, o && ownedBy(s, o, uid), o ? (w.worker ? `size ${o.spec.leaderWorkerTemplate?.size}, replicas ${o.spec.replicas}` : `replicas ${o.spec.replicas}`) : "missing");
    }
    const svcs = s.svc.filter((x) => x.metadata.namespace === m.ns && ownedBy(s, x, uid));
    check("Service(s)", svcs.length > 0, svcs.map((x) => x.metadata.name).join(", ") || "none");
    const route = find(s.route, m.ns, `${m.name}-kserve-route`);
    const groups = route ? [...new Set((route.spec.rules ?? []).flatMap((r) => r.backendRefs ?? []).map((b) => `${b.group ?? ""}/${b.kind ?? "Service"}`))] : [];
    check("HTTPRoute", route, route ? `backendRefs ${groups.join(", ")}; ${(route.status?.parents ?? []).flatMap((p) => p.conditions).map(condStr).join(", ")}` : "missing");
    const pool = find(s.pool, m.ns, `${m.name}-inference-pool`);
    check("InferencePool (inference.networking.k8s.io/v1)", pool, pool ? `parents: ${(pool.status?.parents ?? []).map((p) => p.parentRef.name).join(", ") || "none"}` : "missing");
    const epp = find(s.deploy, m.ns, `${m.name}-kserve-router-scheduler`);
    check("endpoint-picker Deployment", epp, epp ? epp.metadata.name : "missing");
    // KServe v0.20.0's router preset (config/llmisvcconfig/config-llm-scheduler.yaml) says the scheduler's
    // terminationGracePeriodSeconds "must be >= workload": the picker has to outlive the pods it routes to while
    // they drain. Compared on what KServe actually rendered (workload templates merged with presets and spec).
    if (epp) {
        const grace = (spec) => spec?.terminationGracePeriodSeconds ?? 30; // the API server's default
        const workloadGraces = [];
        for (const [w, , suffix] of wl) {
            if (w.worker) {
                const o = find(s.lws, m.ns, `${m.name}-kserve-mn${suffix}`);
                const t = o?.spec.leaderWorkerTemplate;
                if (t) workloadGraces.push([`${o.metadata.name} leader`, grace((t.leaderTemplate ?? t.workerTemplate)?.spec)], [`${o.metadata.name} worker`, grace(t.workerTemplate?.spec)]);
            } else {
                const o = find(s.deploy, m.ns, `${m.name}-kserve${suffix}`);
                if (o) workloadGraces.push([o.metadata.name, grace(o.spec.template.spec)]);
            }
        }
        const eppGrace = grace(epp.spec.template.spec);
        const longer = workloadGraces.filter(([, g]) => g > eppGrace);
        check("endpoint picker's termination grace ≥ its workloads' (KServe's router preset: \"must be >= workload\")",
            workloadGraces.length > 0 && longer.length === 0,
            `picker ${eppGrace}s; ${workloadGraces.map(([n, g]) => `${n} ${g}s`).join(", ") || "no workload"}`);
    }

    // P/D: the decode pods' routing sidecar names an InferencePool group and pool; it waits for that pool.
    for (const p of ownPods) {
        for (const c of [...(p.spec.initContainers ?? []), ...p.spec.containers]) {
            const args = [...(c.command ?? []), ...(c.args ?? [])].join(" ");
            const g = /--pool-group=(\S+)/.exec(args);
            const n = /--inference-pool=(\S+)/.exec(args);
            if (!g || !n) continue;
            const [pns, pname] = n[1].includes("/") ? n[1].split("/") : [m.ns, n[1]];
            const list = g[1] === "inference.networking.k8s.io" ? s.pool : g[1] === "inference.networking.x-k8s.io" ? s.poolAlpha : [];
            const target = find(list, pns, pname);
            check(`routing sidecar's InferencePool ${g[1]} ${pns}/${pname} exists`, target, target ? "found" : `missing (the ${c.name} container waits for it)`);
            break;
        }
    }

    // Every pod: on a node of its own pool, Running, with the GPUs it asked for; the expected count.
    const pool_ = poolNodes.get(m.pool) ?? [];
    const eppPods = ownPods.filter((p) => epp && ownedBy(s, p, epp.metadata.uid));
    const modelPods = ownPods.filter((p) => !eppPods.includes(p) && gpusOf(p.spec) > 0);
    const want = [...m.main, ...m.prefill];
    const wantCount = want.reduce((n, e) => n + e.count, 0);
    check(`${wantCount} model pods (${want.map((e) => `${e.count} ${e.role} × ${e.gpus} GPU`).join(", ")})`, modelPods.length === wantCount,
        `${modelPods.length}: ${modelPods.map(where).join(", ") || "none"}`);
    for (const p of modelPods) {
        const problem = podProblem(p);
        check(`pod ${p.metadata.name} on pool ${m.pool} (${pool_.join(", ")}), Running`,
            pool_.includes(p.spec.nodeName) && p.status?.phase === "Running",
            `${where(p)}${problem ? " — " + problem : ""}`);
    }
    const wantGpus = new Set(want.map((e) => e.gpus));
    const badGpu = modelPods.filter((p) => !wantGpus.has(gpusOf(p.spec)));
    check(`pods request the declared GPUs (${[...wantGpus].join("/")})`, modelPods.length > 0 && badGpu.length === 0,
        modelPods.length === 0 ? "no model pod" : badGpu.map((p) => `${p.metadata.name}: ${gpusOf(p.spec)}`).join(", ") || "ok");
    check("endpoint-picker pod scheduled, Running", eppPods.length > 0 && eppPods.every((p) => p.spec.nodeName && p.status?.phase === "Running"),
        eppPods.map((p) => where(p) + (podProblem(p) ? " — " + podProblem(p) : "")).join(", ") || "no pod");
    return { checks, conds };
}

// ---- the local model cache: KServe's node agent downloads each LocalModelCache with the Hugging Face token ----
const caches = props.filter((p) => p.apiVersion === "serving.kserve.io/v1alpha1" && p.kind === "LocalModelCache");
function checkCaches(s) {
    if (caches.length === 0) return [];
    if (!agentNode) return [{ name: "KServe's local-model node agent ran", ok: false, detail: "no node for it (see the driver's log)" }];
    const out = [];
    for (const c of caches) {
        const name = c.metadata.name;
        const sa = c.spec.serviceAccountName ?? "default";
        // pkg/controller/v1alpha1/localmodelnode/controller.go (v0.20.0): a Job per model and node, labelled
        // model=<cache>, node=<node>, in localModel.jobNamespace; credentials from the cache's ServiceAccount
        // ("default" when none) through the credential builder, which turns an HF_TOKEN Secret into env.
        const jobs = s.job.filter((j) => j.metadata.labels?.node === agentNode && j.metadata.labels?.model === name);
        out.push({ name: `LocalModelCache ${name}: KServe's node agent on ${agentNode} created its download Job`, ok: jobs.length > 0,
            detail: jobs.map((j) => `${j.metadata.namespace}/${j.metadata.name}`).join(", ") || "none" });
        const j = jobs[0];
        if (!j) continue;
        const ct = j.spec.template.spec.containers.find((x) => x.name === "kserve-localmodel-download") ?? j.spec.template.spec.containers[0];
        const env = (ct?.env ?? []).find((e) => e.name === "HF_TOKEN");
        const ref = env?.valueFrom?.secretKeyRef;
        const secret = ref && find(s.secret, j.metadata.namespace, ref.name);
        out.push({ name: `LocalModelCache ${name}: the download Job gets the Hugging Face token (ServiceAccount ${j.metadata.namespace}/${sa} → HF_TOKEN Secret)`,
            ok: !!(secret && secret.data?.[ref.key]),
            detail: ref ? `HF_TOKEN from Secret ${ref.name}/${ref.key}: ${secret ? (secret.data?.[ref.key] ? "present" : "key missing") : "no such Secret"}`
                : `no HF_TOKEN in the download container (env: ${(ct?.env ?? []).map((e) => e.name).join(", ") || "none"}): a gated hf:// download fails` });
        const pods = s.pod.filter((p) => ownedBy(s, p, j.metadata.uid));
        out.push({ name: `LocalModelCache ${name}: the download pod runs on ${agentNode}`, ok: pods.some((p) => p.spec.nodeName === agentNode),
            detail: pods.map((p) => where(p) + (podProblem(p) ? " — " + podProblem(p) : "")).join(", ") || "no pod" });
    }
    return out;
}

function checkNodes(s) {
    // No node holds more GPUs than it has (what the scheduler guarantees; a KWOK/node mistake would show here).
    const used = new Map();
    for (const p of s.pod) if (p.spec.nodeName && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed") used.set(p.spec.nodeName, (used.get(p.spec.nodeName) ?? 0) + gpusOf(p.spec));
    const over = s.node.filter((n) => (used.get(n.metadata.name) ?? 0) > Number(n.status?.allocatable?.[GPU] ?? 0));
    return [{ name: "no node holds more GPUs than its capacity", ok: over.length === 0, detail: s.node.filter((n) => used.get(n.metadata.name)).map((n) => `${n.metadata.name} ${used.get(n.metadata.name)}/${n.status.allocatable[GPU] ?? 0}`).join(", ") }];
}

async function main() {
    const deadline = Date.now() + Number(timeoutArg ?? 180) * 1000;
    let result;
    for (;;) {
        const s = await snapshot();
        result = models.map((m) => ({ m, ...checkModel(s, m) }));
        result.push({ m: { ns: "", name: "(nodes)" }, checks: [...checkCaches(s), ...checkNodes(s)], conds: [] });
        if (result.every((r) => r.checks.every((c) => c.ok)) || Date.now() > deadline) break;
        await sleep(3000);
    }
    let failed = 0;
    for (const r of result) {
        if (r.m.name !== "(nodes)") console.log(`${r.m.ns}/${r.m.name} (pool ${r.m.pool}, ${r.m.gpus} GPUs${overQuota(r.m.ns) ? ", team over quota" : ""}) conditions: ${r.conds.map(condStr).join("; ") || "none"}`);
        for (const c of r.checks) {
            if (!c.ok) failed++;
            console.log(`  ${c.ok ? "PASS" : "FAIL"}  ${c.name}${c.detail ? ` — ${c.detail}` : ""}`);
        }
    }
    const total = result.reduce((n, r) => n + r.checks.length, 0);
    console.log(`assertions: ${total - failed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error(`assert.cjs: ${e.stack}`); process.exit(2); });
