// The multi-node pipeline-parallel preset (components/kserve/presets.ts): KServe v0.20.0 looks it up by name
// for a service with `worker` + `parallelism.pipeline` but does not ship it (kserve issue #5047), so modelplane
// registers its own. These tests check the name against what KServe looks up, the object against the upstream
// CRD schema, and the launch commands after KServe's merge + template rendering, by running them with fake
// `vllm` and `getent` binaries.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../components/config";
import {
    pipelineParallelScript, PIPELINE_MASTER_PORT, PIPELINE_PARALLEL_IMAGE, presets, workerPipelineParallelPreset,
} from "../components/kserve/presets";
import { buildLlmInferenceService, K8sObject } from "../components/models/llmInferenceService";
import { strategicMerge } from "../components/models/merge";
import { KubeObject } from "../components/addons/kube";
import { modelContext } from "../components/models/ModelService";
import { KSERVE_NAMESPACE, KSERVE_PIPELINE_PRESETS } from "../components/names";
import { serviceDemand } from "../lib/demand";
import { validateAgainstCrd } from "./crds";
import { shippedResources, stackConfig } from "./harness";

type Obj = Record<string, any>;

// The names, read in kserve/kserve v0.20.0 pkg/controller/v1alpha2/llmisvc/config_merge.go: configPrefix
// (LLM_INFERENCE_SERVICE_CONFIG_PREFIX, default "kserve-") + configWorkerPipelineParallelNameSuffix etc.
const UPSTREAM = {
    worker: "kserve-config-llm-worker-pipeline-parallel",
    prefill: "kserve-config-llm-prefill-worker-pipeline-parallel",
    decode: "kserve-config-llm-decode-worker-pipeline-parallel",
};

/**
 * The topology preset names KServe v0.20.0 adds for a (baseRef-merged) spec: the switch in
 * combineBaseRefsConfig (config_merge.go), written out for the test.
 */
function kserveTopologyPresets(spec: Obj): string[] {
    const isDP = (p: Obj | undefined) => (p?.data ?? 0) > 0 || (p?.dataLocal ?? 0) > 0;
    const isPP = (p: Obj | undefined) => (p?.pipeline ?? 0) > 0;
    const pick = (w: Obj, prefix: string): string[] => {
        if (!w.worker) return [`kserve-config-llm-${prefix}template`];
        if (isDP(w.parallelism)) return [`kserve-config-llm-${prefix}worker-data-parallel`];
        if (isPP(w.parallelism)) return [`kserve-config-llm-${prefix}worker-pipeline-parallel`];
        return [];
    };
    return spec.prefill ? [...pick(spec.prefill, "prefill-"), ...pick(spec, "decode-")] : pick(spec, "");
}

// ---------------------------------------------------------------------------------------------------
// A Go text/template subset, enough for the preset: field chains (`.Spec.Parallelism.Tensor`), `if`/`else`/
// `end`, and `ChildName <field> <raw string>`. Anything else throws, so the preset cannot drift into syntax
// this test does not understand. Like KServe's ReplaceVariables it renders the JSON text of the merged config
// with the LLMInferenceService (Go field names) plus `.GlobalConfig` as data, then parses the JSON back.

type Data = Record<string, unknown>;

function field(data: Data, chain: string): unknown {
    if (!chain.startsWith(".")) throw new Error(`unsupported template operand ${chain}`);
    let v: unknown = data;
    for (const k of chain.slice(1).split(".")) {
        if (v === undefined || v === null) throw new Error(`nil pointer evaluating ${chain}`);
        v = (v as Data)[k];
    }
    return v;
}

function evalPipeline(data: Data, expr: string): unknown {
    const words = expr.trim().match(/`[^`]*`|\S+/g) ?? [];
    if (words[0] === "ChildName") {
        assert.equal(words.length, 3, expr);
        const base = String(field(data, words[1]));
        const suffix = words[2].slice(1, -1);
        assert.ok((base + suffix).length <= 63, "ChildName hashes long names; not modelled here");
        return base + suffix;
    }
    assert.equal(words.length, 1, `unsupported template pipeline: ${expr}`);
    return field(data, words[0]);
}

function truthy(v: unknown): boolean {
    return !(v === undefined || v === null || v === false || v === 0 || v === "");
}

export function renderGoTemplate(text: string, data: Data): string {
    const parts = text.split(/(\{\{.*?\}\})/s);
    const out: string[] = [];
    // Stack of [emitting, branchTaken].
    const stack: [boolean, boolean][] = [];
    const emitting = () => stack.every(([e]) => e);
    for (const part of parts) {
        const m = /^\{\{(.*)\}\}$/s.exec(part);
        if (!m) {
            if (emitting()) out.push(part);
            continue;
        }
        const action = m[1];
        if (action.startsWith("-") || action.endsWith("-")) throw new Error(`trim markers not supported: ${part}`);
        const a = action.trim();
        if (a.startsWith("if ")) {
            const cond = emitting() ? truthy(evalPipeline(data, a.slice(3))) : false;
            stack.push([cond, cond]);
        } else if (a === "else") {
            const top = stack[stack.length - 1];
            assert.ok(top, "else without if");
            stack[stack.length - 1] = [!top[1], true];
        } else if (a === "end") {
            assert.ok(stack.pop(), "end without if");
        } else if (emitting()) {
            const v = evalPipeline(data, a);
            if (v === undefined || v === null || typeof v === "object") throw new Error(`cannot print ${a}: ${JSON.stringify(v)}`);
            out.push(String(v));
        }
    }
    assert.equal(stack.length, 0, "unterminated if");
    return out.join("");
}

/** The data KServe renders presets with: the LLMInferenceService (Go field names) plus GlobalConfig. */
function templateData(svc: K8sObject, enableTLS: boolean): Data {
    const spec = svc.spec as Obj;
    const par = spec.parallelism ?? {};
    return {
        ObjectMeta: { Name: svc.metadata.name, Namespace: svc.metadata.namespace },
        Spec: {
            Model: { Name: spec.model.name, URI: spec.model.uri },
            Parallelism: { Tensor: par.tensor, Pipeline: par.pipeline, Data: par.data, DataLocal: par.dataLocal },
        },
        GlobalConfig: { EnableTLS: enableTLS },
    };
}

/** What KServe does with a preset and a service: strategic merge (preset, then the service), then render. */
function mergedAndRendered(preset: KubeObject, svc: K8sObject, enableTLS = false): Obj {
    const ps = preset.spec as Obj;
    const ss = svc.spec as Obj;
    const merged = {
        ...ps, ...ss,
        template: strategicMerge(ps.template, ss.template ?? {}),
        worker: strategicMerge(ps.worker, ss.worker ?? {}),
    };
    return JSON.parse(renderGoTemplate(JSON.stringify(merged), templateData(svc, enableTLS))) as Obj;
}

const main = (pod: Obj): Obj => pod.containers.find((c: Obj) => c.name === "main");

/** Runs a container (command + args) with fake `vllm` (prints its argv) and `getent` (resolves the leader). */
function launch(container: Obj, env: Record<string, string>): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pp-"));
    try {
        fs.writeFileSync(path.join(dir, "vllm"), '#!/bin/sh\nfor a in "$@"; do printf "%s\\0" "$a"; done\n', { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "getent"),
            '#!/bin/sh\n[ "$1" = hosts ] && [ "$2" = "deepseek-r1-kserve-mn-0.deepseek-r1-kserve-mn" ] && echo "10.1.2.3      $2" && exit 0\nexit 2\n',
            { mode: 0o755 });
        const argv = [...container.command, ...(container.args ?? [])];
        const r = spawnSync(argv[0], argv.slice(1), {
            env: { PATH: `${dir}:${process.env.PATH}`, HOME: "/home/nobody", LWS_LEADER_RESOLVE_ATTEMPTS: "1", ...env },
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout.split("\0").slice(0, -1);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function flag(argv: string[], f: string): string | undefined {
    const i = argv.indexOf(f);
    return i < 0 ? undefined : argv[i + 1];
}

const LEADER_ENV = { LWS_LEADER_ADDRESS: "deepseek-r1-kserve-mn-0.deepseek-r1-kserve-mn", LWS_WORKER_INDEX: "0", LWS_GROUP_SIZE: "2" };
const WORKER_ENV = { ...LEADER_ENV, LWS_WORKER_INDEX: "1" };

function deepseek(mutate?: (raw: Record<string, any>) => void): K8sObject {
    const cfg = stackConfig("prod", mutate);
    const m = cfg.models.find((x) => x.name === "deepseek-r1");
    assert.ok(m);
    return buildLlmInferenceService(m, modelContext({ config: cfg, model: m, namespace: m.team }));
}

// ---------------------------------------------------------------------------------------------------

describe("kserve preset: worker pipeline parallel (kserve#5047)", () => {
    it("has the name KServe v0.20.0 looks up for worker + pipeline without prefill, in the kserve namespace", () => {
        const p = workerPipelineParallelPreset();
        assert.equal(p.metadata.name, UPSTREAM.worker);
        assert.equal(KSERVE_PIPELINE_PRESETS.workerPipelineParallel, UPSTREAM.worker);
        assert.equal(KSERVE_PIPELINE_PRESETS.prefillWorkerPipelineParallel, UPSTREAM.prefill);
        assert.equal(KSERVE_PIPELINE_PRESETS.decodeWorkerPipelineParallel, UPSTREAM.decode);
        // getConfig: the service's namespace first, then `kserve` (constants.KServeNamespace).
        assert.equal(p.metadata.namespace, "kserve");
        assert.equal(KSERVE_NAMESPACE, "kserve");
        assert.ok(presets().some((x) => x.metadata.name === UPSTREAM.worker), "registered with the other presets");
        assert.ok(!presets().some((x) => x.metadata.name === UPSTREAM.prefill || x.metadata.name === UPSTREAM.decode),
            "the P/D variants are not shipped (config validation rejects P/D + pipeline instead)");
    });

    it("every preset validates against the upstream LLMInferenceServiceConfig CRD schema", () => {
        for (const p of presets()) {
            assert.deepEqual(validateAgainstCrd("kserve/serving.kserve.io_llminferenceserviceconfigs.yaml", "v1alpha2", p), [], p.metadata.name);
        }
    });

    it("prod: deepseek-r1 (tensor 8 × pipeline 2) resolves to a preset the platform registers", async () => {
        const resources = await shippedResources("prod");
        const svc = resources.find((r) => r.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService"
            && (r.props.metadata as Obj).name === "deepseek-r1");
        assert.ok(svc, "deepseek-r1 is registered");
        const spec = svc.props.spec as Obj;
        assert.ok(spec.worker, "multi-node: worker is set");
        assert.equal(spec.parallelism.pipeline, 2);
        assert.equal(spec.prefill, undefined);
        const wanted = kserveTopologyPresets(spec);
        assert.deepEqual(wanted, [UPSTREAM.worker]);
        const registeredPresets = resources
            .filter((r) => r.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig")
            .map((r) => r.props.metadata as Obj);
        for (const name of wanted) {
            // Found where getConfig looks: the service's namespace, then kserve.
            assert.ok(registeredPresets.some((md) => md.name === name && [(svc.props.metadata as Obj).namespace, "kserve"].includes(md.namespace)),
                `${name} is registered by the stack (found: ${registeredPresets.map((md) => `${md.namespace}/${md.name}`).join(", ")})`);
        }
    });

    it("every shipped multi-node service resolves only to presets that exist (registered here or shipped by KServe)", async () => {
        // Shipped by kserve-runtime-configs v0.20.0 (files/llmisvcconfigs/resources.yaml).
        const shippedByKServe = new Set([
            "kserve-config-llm-template", "kserve-config-llm-decode-template", "kserve-config-llm-prefill-template",
            "kserve-config-llm-worker-data-parallel", "kserve-config-llm-decode-worker-data-parallel", "kserve-config-llm-prefill-worker-data-parallel",
        ]);
        for (const stack of ["dev", "prod", "local"]) {
            const resources = await shippedResources(stack);
            const ours = new Set(resources.filter((r) => r.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig")
                .map((r) => (r.props.metadata as Obj).name as string));
            for (const r of resources.filter((x) => x.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService")) {
                for (const name of kserveTopologyPresets(r.props.spec as Obj)) {
                    assert.ok(shippedByKServe.has(name) || ours.has(name), `${stack} ${(r.props.metadata as Obj).name}: ${name} exists nowhere`);
                }
            }
        }
    });

    it("leader: vLLM node rank 0 serving the API, sizes from the service's parallelism, user args last", () => {
        const svc = deepseek();
        const spec = mergedAndRendered(workerPipelineParallelPreset(), svc);
        const c = main(spec.template);
        assert.equal(c.image, PIPELINE_PARALLEL_IMAGE);
        const argv = launch(c, LEADER_ENV);
        assert.equal(argv[0], "serve");
        assert.equal(argv[1], "/mnt/models");
        assert.deepEqual(argv.slice(argv.indexOf("--served-model-name") + 1, argv.indexOf("--served-model-name") + 3),
            ["deepseek-ai/DeepSeek-R1", "publishers/research/models/deepseek-ai/DeepSeek-R1"]);
        assert.equal(flag(argv, "--port"), "8000");
        assert.equal(flag(argv, "--tensor-parallel-size"), "8");
        assert.equal(flag(argv, "--pipeline-parallel-size"), "2");
        assert.equal(flag(argv, "--distributed-executor-backend"), "mp");
        assert.equal(flag(argv, "--nnodes"), "2");
        assert.equal(flag(argv, "--node-rank"), "0");
        assert.equal(flag(argv, "--master-addr"), "10.1.2.3", "the leader's DNS name resolved to its IP");
        assert.equal(flag(argv, "--master-port"), String(PIPELINE_MASTER_PORT));
        assert.ok(!argv.includes("--headless"));
        assert.ok(!argv.includes("--ssl-certfile"), "TLS off");
        assert.deepEqual(argv.slice(-2), ["--max-model-len=65536", "--trust-remote-code"], "the model's vllm.args arrive as $@");
        assert.equal(c.readinessProbe.httpGet.scheme, "HTTP");
        assert.equal(c.readinessProbe.httpGet.port, 8000);
        // The service's own settings win over the preset.
        assert.equal(spec.template.terminationGracePeriodSeconds, 300);
        assert.equal(c.resources.limits["nvidia.com/gpu"], "8");
        const tls = spec.template.volumes.find((v: Obj) => v.name === "tls-certs");
        assert.equal(tls.secret.secretName, "deepseek-r1-kserve-self-signed-certs");
    });

    it("worker: node rank LWS_WORKER_INDEX, headless, same sizes and model args", () => {
        const spec = mergedAndRendered(workerPipelineParallelPreset(), deepseek());
        const c = main(spec.worker);
        const argv = launch(c, WORKER_ENV);
        assert.equal(flag(argv, "--tensor-parallel-size"), "8");
        assert.equal(flag(argv, "--pipeline-parallel-size"), "2");
        assert.equal(flag(argv, "--nnodes"), "2");
        assert.equal(flag(argv, "--node-rank"), "1");
        assert.equal(flag(argv, "--master-addr"), "10.1.2.3");
        assert.ok(argv.includes("--headless"));
        assert.deepEqual(argv.slice(-2), ["--max-model-len=65536", "--trust-remote-code"]);
        assert.equal(c.readinessProbe, undefined, "a headless rank serves nothing");
        assert.equal(c.resources.limits["nvidia.com/gpu"], "8");
    });

    it("falls back to the leader's DNS name when it does not resolve, and honours VLLM_MASTER_PORT", () => {
        const c = main(mergedAndRendered(workerPipelineParallelPreset(), deepseek()).worker);
        const argv = launch(c, { ...WORKER_ENV, LWS_LEADER_ADDRESS: "leader.invalid", VLLM_MASTER_PORT: "30000" });
        assert.equal(flag(argv, "--master-addr"), "leader.invalid");
        assert.equal(flag(argv, "--master-port"), "30000");
    });

    it("the sizes follow the service, not the preset (tensor 4 × pipeline 3)", () => {
        const svc = deepseek();
        svc.spec.parallelism = { tensor: 4, pipeline: 3 };
        const spec = mergedAndRendered(workerPipelineParallelPreset(), svc);
        for (const [pod, env, rank] of [[spec.template, LEADER_ENV, "0"], [spec.worker, { ...WORKER_ENV, LWS_WORKER_INDEX: "2" }, "2"]] as const) {
            const argv = launch(main(pod), env);
            assert.equal(flag(argv, "--tensor-parallel-size"), "4");
            assert.equal(flag(argv, "--pipeline-parallel-size"), "3");
            assert.equal(flag(argv, "--nnodes"), "3");
            assert.equal(flag(argv, "--node-rank"), rank);
        }
    });

    it("with TLS (GlobalConfig.EnableTLS) the leader serves HTTPS with KServe's certificate and probes over HTTPS", () => {
        const spec = mergedAndRendered(workerPipelineParallelPreset(), deepseek(), true);
        const c = main(spec.template);
        const argv = launch(c, LEADER_ENV);
        assert.equal(flag(argv, "--ssl-certfile"), "/var/run/kserve/tls/tls.crt");
        assert.equal(flag(argv, "--ssl-keyfile"), "/var/run/kserve/tls/tls.key");
        assert.equal(c.startupProbe.httpGet.scheme, "HTTPS");
        assert.ok(!launch(main(spec.worker), WORKER_ENV).includes("--ssl-certfile"), "workers serve no API");
    });

    it("template actions carry no double quotes (KServe renders the config's JSON text)", () => {
        const text = JSON.stringify(workerPipelineParallelPreset().spec);
        for (const m of text.matchAll(/\{\{(.*?)\}\}/g)) assert.ok(!m[1].includes('\\"'), m[0]);
        assert.ok(pipelineParallelScript("worker").includes("--headless"));
        assert.ok(!pipelineParallelScript("leader").includes("--headless"));
    });

    it("adds no GPUs to the demand the policies compute (the service's own resources decide)", async () => {
        const resources = await shippedResources("prod");
        const svc = resources.find((r) => r.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService" && (r.props.metadata as Obj).name === "deepseek-r1");
        assert.ok(svc);
        const d = serviceDemand(svc.props.spec);
        assert.ok(d.known);
        assert.equal(d.gpus, 16);
    });
});

describe("runaiStreamer + multi-node pipeline parallelism", () => {
    it("the service's own commands mirror the preset's launch (stream from s3, rank per LWS index)", () => {
        const svc = deepseek((raw) => {
            const m = (raw["modelplane:models"] as Obj[]).find((x) => x.name === "deepseek-r1")!;
            m.loader = "runaiStreamer";
            m.uri = "s3://models/deepseek-r1";
        });
        const spec = svc.spec as Obj;
        const leader = launch(main(spec.template), LEADER_ENV);
        const worker = launch(main(spec.worker), WORKER_ENV);
        for (const [argv, rank] of [[leader, "0"], [worker, "1"]] as const) {
            assert.equal(argv[1], "s3://models/deepseek-r1");
            assert.equal(flag(argv, "--load-format"), "runai_streamer");
            assert.equal(flag(argv, "--tensor-parallel-size"), "8");
            assert.equal(flag(argv, "--pipeline-parallel-size"), "2");
            assert.equal(flag(argv, "--nnodes"), "2");
            assert.equal(flag(argv, "--node-rank"), rank);
            assert.equal(flag(argv, "--master-addr"), "10.1.2.3");
        }
        assert.ok(worker.includes("--headless") && !leader.includes("--headless"));
    });
});

describe("config: P/D with multi-node pipeline parallelism is rejected (no preset exists for it)", () => {
    const pd = (change: (m: Obj) => void) => () => stackConfig("prod", (raw) => {
        const m = (raw["modelplane:models"] as Obj[]).find((x) => x.name === "deepseek-r1")!;
        change(m);
    });
    function issues(fn: () => unknown): { path: string; message: string }[] {
        try {
            fn();
        } catch (e) {
            if (e instanceof ConfigError) return e.issues;
            throw e;
        }
        assert.fail("expected a ConfigError");
    }

    it("decode (main) workload with pipeline 2 and a prefill: names parallelism.pipeline and both presets", () => {
        const found = issues(pd((m) => { m.prefill = { replicas: 1, parallelism: { tensor: 8 } }; }));
        const i = found.find((x) => x.path === "modelplane:models[3].parallelism.pipeline");
        assert.ok(i, JSON.stringify(found));
        assert.match(i.message, /kserve-config-llm-decode-worker-pipeline-parallel/);
        assert.match(i.message, /kserve#5047/);
        assert.ok(!found.some((x) => x.path.includes("prefill")), "the prefill has tensor parallelism only");
    });

    it("prefill with its own pipeline 2: names prefill.parallelism.pipeline", () => {
        const found = issues(pd((m) => { m.parallelism = { tensor: 8 }; m.prefill = { replicas: 1, parallelism: { tensor: 8, pipeline: 2 } }; }));
        assert.deepEqual(found.filter((x) => /pipeline parallelism cannot be combined with prefill/.test(x.message)).map((x) => x.path),
            ["modelplane:models[3].prefill.parallelism.pipeline"]);
    });

    it("a prefill inheriting the model's pipeline parallelism is reported on prefill, saying so", () => {
        const found = issues(pd((m) => { m.prefill = { replicas: 1 }; }));
        const i = found.find((x) => x.path === "modelplane:models[3].prefill");
        assert.ok(i, JSON.stringify(found));
        assert.match(i.message, /inherits parallelism/);
    });
});
