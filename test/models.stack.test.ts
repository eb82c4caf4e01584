// The models layer inside the real program, under Pulumi mocks: what the shipped stacks register, conformance
// with the upstream CRD schemas (../shared/crds), blast radius and stack outputs.
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { createPlatform } from "../components/platform";
import { gatewayUrl } from "../components/models/ModelService";
import { LOADERS, PlatformConfig } from "../components/config";
import { RegisteredResource, SECRET_PLACEHOLDER } from "../lib/resources";
import { evaluate } from "../plan/evaluate";
import { diffResources, ofType, registered, shippedResources, stackConfig, SHIPPED_STACKS } from "./harness";
import { validateAgainstCrd } from "./crds";

type Obj = Record<string, any>;

const LLMISVC = "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService";
const CACHE = "kubernetes:serving.kserve.io/v1alpha1:LocalModelCache";
const OBJECTIVE = "kubernetes:llm-d.ai/v1alpha2:InferenceObjective";

const CRDS: Record<string, { file: string; version: string }> = {
    [LLMISVC]: { file: "kserve/serving.kserve.io_llminferenceservices.yaml", version: "v1alpha2" },
    [CACHE]: { file: "kserve/serving.kserve.io_localmodelcaches.yaml", version: "v1alpha1" },
    [OBJECTIVE]: { file: "inference-extension/llm-d-router/llm-d.ai_inferenceobjectives.yaml", version: "v1alpha2" },
};

const spec = (r: RegisteredResource): Obj => r.props.spec as Obj;
const meta = (r: RegisteredResource): Obj => r.props.metadata as Obj;

describe("models: the shipped stacks", function () {
    this.timeout(300_000);

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: one LLMInferenceService per configured model, in its team namespace`, async () => {
            const cfg = stackConfig(stack);
            const svcs = ofType(await shippedResources(stack), LLMISVC);
            assert.deepEqual(svcs.map((r) => meta(r).name).sort(), cfg.models.map((m) => m.name).sort());
            for (const m of cfg.models) {
                const r = svcs.find((x) => meta(x).name === m.name)!;
                assert.equal(meta(r).namespace, m.team);
                assert.equal(r.props.apiVersion, "serving.kserve.io/v1alpha2");
                assert.ok(r.provider, "registered on the cluster's provider");
            }
        });

        it(`${stack}: every LLMInferenceService, LocalModelCache and InferenceObjective conforms to the upstream CRD schema`, async () => {
            const resources = await shippedResources(stack);
            let checked = 0;
            for (const [type, crd] of Object.entries(CRDS)) {
                for (const r of ofType(resources, type)) {
                    const errors = validateAgainstCrd(crd.file, crd.version, r.props);
                    assert.deepEqual(errors, [], `${r.urn}:\n${errors.join("\n")}`);
                    checked++;
                }
            }
            assert.ok(checked >= stackConfig(stack).models.length);
        });

        it(`${stack}: CEL rules the schema check cannot see (replicas XOR scaling; scaling names wva or keda)`, async () => {
            for (const r of ofType(await shippedResources(stack), LLMISVC)) {
                for (const w of [spec(r), spec(r).prefill].filter(Boolean)) {
                    assert.ok(!(w.replicas !== undefined && w.scaling !== undefined), r.urn);
                    if (w.scaling) {
                        const sc = w.scaling;
                        assert.ok((sc.wva !== undefined) !== (sc.keda !== undefined), `${r.urn}: wva or keda`);
                        if (sc.wva) assert.ok((sc.wva.hpa !== undefined) !== (sc.wva.keda !== undefined), `${r.urn}: hpa or keda`);
                        assert.ok(sc.minReplicas === undefined || sc.minReplicas <= sc.maxReplicas, r.urn);
                        const idle = sc.wva?.keda?.idleReplicaCount ?? sc.keda?.idleReplicaCount;
                        if (idle !== undefined) assert.ok(sc.minReplicas !== undefined && idle < sc.minReplicas, `${r.urn}: idleReplicaCount < minReplicas`);
                    }
                    if (w.worker) assert.ok(w.parallelism.data || w.parallelism.pipeline, `${r.urn}: worker needs DP or PP`);
                    if (w.parallelism.data !== undefined) assert.ok(w.parallelism.dataLocal !== undefined, `${r.urn}: dataLocal with data`);
                }
            }
        });
    }

    it("together they exercise every loader, a P/D model with LoRA, multi-node DP and PP, and a CPU-only model", async () => {
        const all = (await Promise.all(SHIPPED_STACKS.map((s) => shippedResources(s)))).flat();
        const svcs = ofType(all, LLMISVC).map(spec);
        const loaders = new Set(SHIPPED_STACKS.flatMap((s) => stackConfig(s).models.map((m) => m.loader)));
        assert.deepEqual([...loaders].sort(), [...LOADERS].sort());
        assert.ok(svcs.some((s) => s.prefill && s.model.lora), "P/D with LoRA");
        assert.ok(svcs.some((s) => s.worker && s.parallelism.pipeline), "multi-node pipeline parallel");
        assert.ok(svcs.some((s) => s.worker && s.parallelism.data), "multi-node data parallel");
        assert.ok(svcs.some((s) => s.template.containers[0].resources.limits["nvidia.com/gpu"] === undefined), "CPU-only");
        assert.ok(ofType(all, CACHE).length > 0);
        // routing.priority is rejected by config validation (no flow control in the pinned EPP): no InferenceObjective.
        assert.equal(ofType(all, OBJECTIVE).length, 0);
    });

    it("model objects depend on their team's namespace and only on their own model's objects", async () => {
        const resources = await shippedResources("prod");
        const cfg = stackConfig("prod");
        for (const m of cfg.models) {
            const r = ofType(resources, LLMISVC).find((x) => meta(x).name === m.name)!;
            const nsUrn = resources.find((x) => x.type === "kubernetes:core/v1:Namespace" && x.name === m.team)!.urn;
            assert.ok(r.dependencies.includes(nsUrn), `${m.name} waits for namespace ${m.team}`);
            const others = cfg.models.filter((o) => o.name !== m.name).map((o) => o.name);
            for (const dep of r.dependencies) {
                const name = dep.split("::").pop()!;
                assert.ok(!others.includes(name) && !others.some((o) => name === `${o}-cache` || name === `model-${o}`), `${m.name} depends on ${dep}`);
            }
        }
        // The localCache model's service waits for its cache (the webhook matches caches at admission).
        const pd = ofType(resources, LLMISVC).find((x) => meta(x).name === "llama-3-1-8b-pd")!;
        assert.ok(pd.dependencies.some((d) => d.endsWith("::llama-3-1-8b-pd-cache")));
    });

    it("the custom resources wait for the CRDs of the KServe and Inference Extension layers, and for their presets", async () => {
        const resources = await shippedResources("prod");
        const byUrn = new Map(resources.map((r) => [r.urn, r]));
        const layerOf = (r: RegisteredResource | undefined): string | undefined => {
            for (let cur = r; cur; cur = cur.parent ? byUrn.get(cur.parent) : undefined) {
                if (cur.type.startsWith("modelplane:") && !cur.parent) return cur.type;
                if (cur.type === "modelplane:kserve:KServe" || cur.type === "modelplane:inference:InferenceExtension") return cur.type;
            }
            return undefined;
        };
        // The CRD bundles each layer registers (CRD objects, or the chart/ConfigGroup that carries them).
        const crdBundles = (layer: string) => resources.filter((r) => !r.type.startsWith("modelplane:") && layerOf(r) === layer && /crd/i.test(r.name)).map((r) => r.urn);
        const kserveCrds = crdBundles("modelplane:kserve:KServe");
        const inferenceCrds = crdBundles("modelplane:inference:InferenceExtension");
        assert.ok(kserveCrds.length > 0 && inferenceCrds.length > 0, "the layers register their CRDs");
        for (const type of [LLMISVC, CACHE, OBJECTIVE]) {
            for (const r of ofType(resources, type)) {
                for (const d of [...kserveCrds, ...inferenceCrds]) assert.ok(r.dependencies.includes(d), `${r.urn} does not wait for ${d}`);
            }
        }
        // baseRefs name presets the KServe layer registers: the service waits for them.
        for (const r of ofType(resources, LLMISVC)) {
            for (const ref of (spec(r).baseRefs ?? []) as { name: string }[]) {
                const preset = resources.find((x) => x.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig" && meta(x).name === ref.name);
                assert.ok(preset, `${r.urn}: baseRef ${ref.name} is not registered by the stack`);
                assert.ok(r.dependencies.includes(preset.urn), `${r.urn} does not wait for preset ${ref.name}`);
            }
        }
    });
});

describe("models: blast radius", function () {
    this.timeout(300_000);

    async function changedBy(mutate: (raw: Record<string, any>) => void): Promise<ReturnType<typeof diffResources>> {
        const before = await shippedResources("prod");
        const after = await registered(stackConfig("prod", mutate));
        return diffResources(before, after);
    }
    const model = (raw: Record<string, any>, name: string) => (raw["modelplane:models"] as Obj[]).find((m) => m.name === name)!;
    const ownedBy = (urn: string, name: string) => {
        const last = urn.split("::").pop()!;
        // The model's own objects: service, cache, component, and its monitors (components/observability/monitors.ts).
        return [name, `${name}-cache`, `model-${name}`, `${name}-vllm`, `${name}-vllm-decode`, `${name}-epp`].includes(last);
    };

    it("changing one model's replicas changes that model's LLMInferenceService only", async () => {
        const d = await changedBy((raw) => { model(raw, "llama-3-3-70b").replicas = 3; });
        assert.deepEqual(d.added, []);
        assert.deepEqual(d.removed, []);
        assert.ok(d.changed.length > 0);
        for (const urn of d.changed) assert.ok(ownedBy(urn, "llama-3-3-70b"), urn);
    });

    it("changing one model's vLLM args changes that model's resources only", async () => {
        const d = await changedBy((raw) => { model(raw, "deepseek-r1").vllm = { args: ["--max-model-len=32768"] }; });
        assert.deepEqual([d.added, d.removed], [[], []]);
        assert.ok(d.changed.length > 0);
        for (const urn of d.changed) assert.ok(ownedBy(urn, "deepseek-r1"), urn);
    });

    it("adding a model adds that model's resources and changes nothing else", async () => {
        const d = await changedBy((raw) => {
            (raw["modelplane:models"] as Obj[]).push({
                name: "phi-4", team: "research", uri: "hf://microsoft/phi-4", pool: "l40s", replicas: 1,
                size: { paramsBillions: 14, dtype: "bfloat16" },
            });
        });
        assert.deepEqual(d.changed, []);
        assert.deepEqual(d.removed, []);
        assert.ok(d.added.length > 0);
        for (const urn of d.added) assert.ok(ownedBy(urn, "phi-4"), urn);
    });
});

describe("models: stack outputs", function () {
    this.timeout(300_000);

    async function outputs(cfg: PlatformConfig): Promise<Obj> {
        return (await evaluate(cfg, createPlatform)).outputs as Obj;
    }

    it("prod: endpoint https://<tls host>/<namespace>/<name>/v1 and worst-case GPU demand per model", async () => {
        const out = await outputs(stackConfig("prod"));
        assert.deepEqual(out.models, {
            "llama-3-3-70b": { team: "search", endpoint: "https://llm.prod.example.com/search/llama-3-3-70b/v1", gpuDemand: 8 },
            "qwen3-32b": { team: "assistant", endpoint: "https://llm.prod.example.com/assistant/qwen3-32b/v1", gpuDemand: 12 },
            "llama-3-1-8b-pd": { team: "assistant", endpoint: "https://llm.prod.example.com/assistant/llama-3-1-8b-pd/v1", gpuDemand: 4 },
            "deepseek-r1": { team: "research", endpoint: "https://llm.prod.example.com/research/deepseek-r1/v1", gpuDemand: 16 },
        });
        assert.equal(out.kubeconfig, SECRET_PLACEHOLDER);
    });

    it("without TLS the endpoint is plain http on the gateway's address", async () => {
        const out = await outputs(stackConfig("local"));
        assert.match(out.models["opt-125m"].endpoint, /^http:\/\/[^/]+\/demo\/opt-125m\/v1$/);
        assert.equal(out.models["opt-125m"].gpuDemand, 0);
        const dev = await outputs(stackConfig("dev"));
        assert.equal(dev.models["qwen2-5-7b"].gpuDemand, 2);
        assert.equal(dev.models["llama-3-1-8b-dp"].gpuDemand, 2);
        assert.equal(dev.models["mistral-small-24b"].gpuDemand, 4);
    });

    it("the gateway URL is a plain string when the program knows it, an Output only for a deployed address", async () => {
        const prod = stackConfig("prod");
        assert.equal(gatewayUrl(prod), "https://llm.prod.example.com");
        assert.equal(gatewayUrl(prod, pulumi.output("203.0.113.7")), "https://llm.prod.example.com");
        const local = stackConfig("local");
        assert.match(gatewayUrl(local) as string, /^http:\/\/[a-z0-9-]+\.[a-z0-9-]+\.invalid$/);
        assert.equal(gatewayUrl(local, "203.0.113.7"), "http://203.0.113.7");
        const deployed = gatewayUrl(local, pulumi.output("203.0.113.7"));
        assert.ok(pulumi.Output.isInstance(deployed));
        // Every shipped stack knows its URL, so no model pays for an Output of its own.
        const { resources } = await evaluate(prod, (cfg) => {
            const platform = createPlatform(cfg);
            for (const [name, m] of Object.entries(platform.models)) assert.equal(typeof m.endpoint, "string", name);
            return {};
        });
        assert.ok(resources.length > 0);
        const out = await evaluate(local, () => ({ endpoint: (deployed as pulumi.Output<string>).apply((u) => `${u}/demo/opt-125m/v1`) }));
        assert.equal(out.outputs.endpoint, "http://203.0.113.7/demo/opt-125m/v1");
    });
});
