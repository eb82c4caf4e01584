// Every policy of modelplane-gpu-guard with compliant and violating resources: called directly with
// engine-shaped arguments (as the @pulumi/policy 1.21 analyzer server builds them), and through
// plan/policy-runner.ts with hand-built RegisteredResource fixtures.
import { strict as assert } from "node:assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RegisteredResource, RegisteredOptions, TYPES } from "../lib/resources";
import { ANNOTATIONS, GPU_TAINT, POOL_ANNOTATIONS, POOL_LABEL, TEAM_LABEL } from "../lib/labels";
import { gpuRequestsEqualLimits, gpuWorkloadsTargetGpuPools } from "../policies/workloads";
import { maxGpusPerModel, namespaceGpuResourceQuota, teamGpuQuota } from "../policies/quotas";
import { allowedGpuInstanceTypes, gpuPoolCapacity } from "../policies/pools";
import { modelFitsAccelerator } from "../policies/models";
import { protectStatefulPlatform } from "../policies/protection";
import { POLICIES } from "../policies/pack";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPolicyConfig, resolvePolicyConfig, runPolicies, PolicyRunResult } from "../plan/policy-runner";
import { loadStackConfig } from "../plan/plan";
import { generateStack } from "../bench/generate";
import { PROJECT_DIR, registered, SHIPPED_STACKS, shippedResources } from "./harness";
import { callResource as callResourceWith, callStack as callStackWith, Outcome, Res } from "./policy-harness";

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

const STACK = "urn:pulumi:test::modelplane";
const defaultOpts = (): RegisteredOptions => ({
    protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false, replaceOnChanges: [], additionalSecretOutputs: [],
});

function res(type: string, name: string, props: Record<string, unknown>, extra: Partial<RegisteredResource> = {}): RegisteredResource {
    return {
        urn: `${STACK}::${type}::${name}`, type, name, custom: true, remote: false, dependencies: [], props, secretProps: [],
        ...extra, opts: { ...defaultOpts(), ...(extra.opts ?? {}) },
    };
}

const gpuContainer = (gpus: unknown, name = "main") => ({
    name, image: "ghcr.io/llm-d/llm-d-cuda:v0.9.0",
    resources: { requests: { cpu: "8", memory: "64Gi", "nvidia.com/gpu": gpus }, limits: { cpu: "8", memory: "64Gi", "nvidia.com/gpu": gpus } },
});

/** A GPU pod as modelplane builds it: pool nodeSelector, GPU toleration, limits = requests. */
const gpuPod = (gpus: unknown, pool = "h100") => ({
    nodeSelector: { [POOL_LABEL]: pool },
    tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
    containers: [gpuContainer(gpus)],
});

interface SvcOptions {
    team?: string;
    namespace?: string;
    pool?: string;
    accelerator?: string;
    memoryGiB?: number;
    params?: number;
    dtype?: string;
    spec?: Record<string, unknown>;
    annotations?: Record<string, string>;
}

function llmisvc(name: string, o: SvcOptions = {}): RegisteredResource {
    const team = o.team ?? "search";
    const pool = o.pool ?? "h100";
    const annotations: Record<string, string> = {
        [ANNOTATIONS.team]: team,
        [ANNOTATIONS.pool]: pool,
        [ANNOTATIONS.accelerator]: o.accelerator ?? "H100",
        [ANNOTATIONS.acceleratorMemoryGiB]: String(o.memoryGiB ?? 80),
        [ANNOTATIONS.gpusPerNode]: "8",
        [ANNOTATIONS.paramsBillions]: String(o.params ?? 70),
        [ANNOTATIONS.dtype]: o.dtype ?? "bfloat16",
        ...(o.annotations ?? {}),
    };
    const spec = o.spec ?? { replicas: 2, parallelism: { tensor: 4 }, template: gpuPod(4, pool) };
    return res(TYPES.llmInferenceService, `model-${name}`, {
        apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService",
        metadata: { name, namespace: o.namespace ?? team, labels: { [TEAM_LABEL]: team }, annotations },
        spec: { model: { uri: `hf://org/${name}` }, ...spec },
    });
}

const namespace = (name: string, team = name) => res(TYPES.namespace, `ns-${name}`, { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [TEAM_LABEL]: team } } });

const resourceQuota = (ns: string, gpus: unknown, name = "gpu-quota", extra: Record<string, unknown> = {}) =>
    res(TYPES.resourceQuota, `rq-${ns}-${name}`, { apiVersion: "v1", kind: "ResourceQuota", metadata: { name, namespace: ns }, spec: { hard: { "requests.nvidia.com/gpu": gpus }, ...extra } });

const nodeGroup = (pool: string, instanceType: string, maxSize: number, opts: Partial<RegisteredOptions> = {}) =>
    res(TYPES.eksNodeGroup, `llm-prod-${pool}`, {
        clusterName: "llm-prod", instanceTypes: [instanceType], scalingConfig: { minSize: 0, maxSize, desiredSize: 0 },
        labels: { [POOL_LABEL]: pool }, taints: [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }],
    }, { opts: { ...defaultOpts(), ...opts } });

const gkeNodePool = (pool: string, machineType: string, totalMax: number) =>
    res(TYPES.gkeNodePool, `llm-dev-${pool}`, {
        cluster: "llm-dev", nodeConfig: { machineType, labels: { [POOL_LABEL]: pool }, guestAccelerators: [{ type: "nvidia-l4", count: 1 }] },
        autoscaling: { totalMinNodeCount: 0, totalMaxNodeCount: totalMax },
    });

const deployment = (name: string, ns: string, podSpec: Record<string, unknown>, replicas = 1) =>
    res("kubernetes:apps/v1:Deployment", name, { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns }, spec: { replicas, template: { spec: podSpec } } });

// ---------------------------------------------------------------------------------------------------------------
// Engine-shaped arguments, built by hand (independent of the runner): test/policy-harness.ts, on these resources.

const asRes = (r: RegisteredResource): Res => ({ type: r.type, name: r.name, urn: r.urn, props: r.props, protect: r.opts.protect });
const callResource = (p: ResourceValidationPolicy, r: RegisteredResource, config: Record<string, unknown> = {}): Promise<Outcome> =>
    callResourceWith(p, asRes(r), config);
const callStack = (p: StackValidationPolicy, resources: RegisteredResource[], config: Record<string, unknown> = {}): Promise<Outcome> =>
    callStackWith(p, resources.map(asRes), config);

async function run(resources: RegisteredResource[], policy: ResourceValidationPolicy | StackValidationPolicy, config: Record<string, unknown> = {}): Promise<PolicyRunResult> {
    return runPolicies(resources, { all: "mandatory", ...config }, { policies: [policy] });
}

const messages = (r: PolicyRunResult) => r.violations.map((v) => v.message);

const NOT_A_WORKLOAD = namespace("search");

// ---------------------------------------------------------------------------------------------------------------

describe("policies: the pack", () => {
    it("has the nine policies of DESIGN.md §3, with the kinds it names", () => {
        const kinds = POLICIES.map((p) => `${p.name}:${"validateStack" in p ? "stack" : "resource"}`);
        assert.deepEqual(kinds, [
            "gpu-requests-equal-limits:resource",
            "gpu-workloads-target-gpu-pools:resource",
            "team-gpu-quota:stack",
            "namespace-gpu-resourcequota:stack",
            "gpu-pool-capacity:stack",
            "allowed-gpu-instance-types:resource",
            "model-fits-accelerator:resource",
            "max-gpus-per-model:resource",
            "protect-stateful-platform:stack",
        ]);
    });

    it("schemas declare no enforcementLevel (the server exits on it) and configurable policies reject other keys", () => {
        for (const p of POLICIES) {
            assert.ok(!p.configSchema?.properties?.enforcementLevel, p.name);
            if (p.configSchema) assert.equal((p.configSchema as { additionalProperties?: unknown }).additionalProperties, false, p.name);
        }
    });
});

describe("policy gpu-requests-equal-limits", () => {
    const p = gpuRequestsEqualLimits;

    it("passes GPU requests equal to whole-number limits, and CPU-only pods", async () => {
        assert.deepEqual((await callResource(p, llmisvc("ok"))).violations, []);
        assert.deepEqual((await callResource(p, deployment("web", "search", { containers: [{ name: "web", resources: { requests: { cpu: "1" } } }] }))).violations, []);
        // A limit without a request is fine: Kubernetes defaults the request to the limit.
        const limitOnly = deployment("job", "search", { ...gpuPod(1), containers: [{ name: "main", resources: { limits: { "nvidia.com/gpu": 1 } } }] });
        assert.deepEqual((await callResource(p, limitOnly)).violations, []);
        assert.deepEqual(messages(await run([llmisvc("ok")], p)), []);
    });

    it("flags requests that differ from limits, requests without limits and fractional GPUs", async () => {
        const mismatch = llmisvc("llama", { spec: { replicas: 1, template: { ...gpuPod(4), containers: [{ name: "main", resources: { requests: { "nvidia.com/gpu": "2" }, limits: { "nvidia.com/gpu": "4" } } }] } } });
        const [m] = (await callResource(p, mismatch)).violations;
        assert.match(m.message, /^LLMInferenceService search\/llama: container "main" in spec\.template requests 2 nvidia\.com\/gpu but its limit is 4 \(GPUs cannot be overcommitted\)\. Fix: set resources\.limits\["nvidia\.com\/gpu"\]/);

        const requestOnly = deployment("trainer", "search", { ...gpuPod(1), containers: [{ name: "train", resources: { requests: { "nvidia.com/gpu": 2 } } }] });
        assert.match((await callResource(p, requestOnly)).violations[0].message, /Deployment search\/trainer: container "train" in spec\.template\.spec requests 2 nvidia\.com\/gpu without a limit/);

        const fraction = llmisvc("tiny", { spec: { replicas: 1, parallelism: { pipeline: 2 }, template: gpuPod(1), worker: { ...gpuPod(1), containers: [gpuContainer("0.5")] } } });
        const r = await run([fraction], p);
        assert.equal(r.violations.length, 1);
        assert.equal(r.violations[0].level, "mandatory");
        assert.equal(r.violations[0].resourceName, "model-tiny");
        assert.match(r.violations[0].message, /container "main" in spec\.worker requests and limits\["nvidia\.com\/gpu"\] are "0\.5", a fraction of a GPU \(GPUs are allocated whole\)\. Fix:/);
    });

    it("checks presets (LLMInferenceServiceConfig) and prefill pods too", async () => {
        const presetRes = res(TYPES.llmInferenceServiceConfig, "preset-bad", {
            metadata: { name: "bad", namespace: "kserve" },
            spec: { prefill: { template: { containers: [{ name: "main", resources: { requests: { "nvidia.com/gpu": 1 }, limits: { "nvidia.com/gpu": 2 } } }] } } },
        });
        assert.match((await callResource(p, presetRes)).violations[0].message, /LLMInferenceServiceConfig kserve\/bad: container "main" in spec\.prefill\.template requests 1/);
    });

    it("is not applicable to other types (notApplicable throws, as in @pulumi/policy 1.21)", async () => {
        const o = await callResource(p, NOT_A_WORKLOAD);
        assert.deepEqual(o.violations, []);
        assert.match(o.notApplicable!, /applies to LLMInferenceService, LLMInferenceServiceConfig and Pod, Deployment/);
        // The runner treats the throw the same way: no violation, no error.
        assert.deepEqual(messages(await run([NOT_A_WORKLOAD], p)), []);
    });
});

describe("policy gpu-workloads-target-gpu-pools", () => {
    const p = gpuWorkloadsTargetGpuPools;

    it("passes GPU pods that select a pool and tolerate the GPU taint (nodeSelector or required affinity)", async () => {
        assert.deepEqual((await callResource(p, llmisvc("ok"))).violations, []);
        const affinityPod = {
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: "In", values: ["h100"] }] }] } } },
            tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }],
            containers: [gpuContainer(1)],
        };
        assert.deepEqual((await callResource(p, deployment("d", "search", affinityPod))).violations, []);
        // CPU-only pods need neither.
        assert.deepEqual((await callResource(p, deployment("web", "search", { containers: [{ name: "web" }] }))).violations, []);
    });

    it("flags a GPU pod without a pool selector or without the toleration, naming the pod and the fix", async () => {
        const svc = llmisvc("ds", {
            spec: { replicas: 1, parallelism: { tensor: 8, pipeline: 2 }, template: gpuPod(8), worker: { containers: [gpuContainer(8)] } },
        });
        const [v, ...rest] = (await callResource(p, svc)).violations;
        assert.equal(rest.length, 0);
        assert.match(v.message, /^LLMInferenceService search\/ds: the pod in spec\.worker requests GPUs but does not select a GPU pool: add nodeSelector \{"modelplane\.io\/pool": "<pool>"\}.*, and does not tolerate the GPU taint nvidia\.com\/gpu=present:NoSchedule/);

        const wrongValue = deployment("d", "search", { nodeSelector: { [POOL_LABEL]: "h100" }, tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true" }], containers: [gpuContainer(1)] });
        assert.match((await callResource(p, wrongValue)).violations[0].message, /does not tolerate the GPU taint/);
        // A pool the config lists as untainted needs no toleration.
        const onPrem = deployment("d", "search", { nodeSelector: { [POOL_LABEL]: "onprem-a100" }, containers: [gpuContainer(1)] });
        assert.equal((await callResource(p, onPrem)).violations.length, 1);
        assert.deepEqual((await callResource(p, onPrem, { untaintedPools: ["onprem-a100"] })).violations, []);

        // Required affinity terms are ORed: one term without the pool lets the pod land anywhere.
        const openTerm = {
            ...gpuPod(1), nodeSelector: {},
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
                { matchExpressions: [{ key: POOL_LABEL, operator: "In", values: ["h100"] }] },
                { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] },
            ] } } },
        };
        assert.match((await callResource(p, deployment("d", "search", openTerm))).violations[0].message, /does not select a GPU pool/);

        const prefill = llmisvc("pd", { spec: { replicas: 1, template: gpuPod(1), prefill: { replicas: 1, template: { nodeSelector: { [POOL_LABEL]: "h100" }, containers: [gpuContainer(1)] } } } });
        const r = await run([prefill], p);
        assert.deepEqual(r.violations.map((x) => x.message.split(":")[0]), ["LLMInferenceService search/pd"]);
        assert.match(r.violations[0].message, /spec\.prefill\.template/);
    });

    it("covers core workload kinds (Job, LeaderWorkerSet) and is not applicable to others", async () => {
        const job = res("kubernetes:batch/v1:Job", "bench", { metadata: { name: "bench", namespace: "search" }, spec: { template: { spec: { containers: [gpuContainer(1)] } } } });
        assert.equal((await callResource(p, job)).violations.length, 1);
        const lws = res("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "lws", {
            metadata: { name: "lws", namespace: "search" },
            spec: { leaderWorkerTemplate: { size: 2, leaderTemplate: { spec: gpuPod(8) }, workerTemplate: { spec: { containers: [gpuContainer(8)] } } } },
        });
        assert.match((await callResource(p, lws)).violations[0].message, /spec\.leaderWorkerTemplate\.workerTemplate\.spec/);
        assert.match((await callResource(p, nodeGroup("h100", "p5.48xlarge", 4))).notApplicable!, /not aws:eks\/nodeGroup:NodeGroup/);
    });
});

describe("policy team-gpu-quota", () => {
    const p = teamGpuQuota;
    const cfg = { quotas: { search: 32, assistant: 20 }, defaultQuota: 0 };

    it("passes teams within their quota", async () => {
        const stack = [namespace("search"), llmisvc("a"), llmisvc("b")]; // 8 + 8
        assert.deepEqual((await callStack(p, stack, cfg)).violations, []);
        assert.deepEqual(messages(await run(stack, p, { "team-gpu-quota": cfg })), []);
    });

    it("flags a team over quota with its models, the numbers and the fix", async () => {
        const big = llmisvc("llama-3-3-70b", { spec: { replicas: 2, parallelism: { tensor: 8 }, template: gpuPod(8) } }); // 16
        const dp = llmisvc("mixtral", { spec: { replicas: 1, parallelism: { tensor: 4, data: 4, dataLocal: 2 }, template: gpuPod(4), worker: gpuPod(4) } }); // 8
        const pd = llmisvc("qwen", { spec: { scaling: { minReplicas: 1, maxReplicas: 2 }, template: gpuPod(4), prefill: { replicas: 4, template: gpuPod(2) } } }); // 8 + 8
        const stack = [namespace("search"), big, dp, pd];
        const [v, ...rest] = (await callStack(p, stack, cfg)).violations;
        assert.equal(rest.length, 0);
        assert.equal(
            v.message,
            'team "search" requests 40 GPUs (llama-3-3-70b: 16, qwen: 16, mixtral: 8) but its quota is 32; lower replicas/scaling.maxReplicas ' +
                "(or parallelism) of its models, or raise modelplane:teams[].gpuQuota and policies/config/test.json team-gpu-quota.quotas.search " +
                "(and namespace-gpu-resourcequota.quotas.search).",
        );
        assert.equal(v.urn, namespace("search").urn);
        const r = await run(stack, p, { "team-gpu-quota": cfg });
        assert.equal(r.violations[0].resourceName, "ns-search");
        assert.deepEqual(r.policies, [{ name: "team-gpu-quota", level: "mandatory", violations: 1 }]);
    });

    it("gives a team without a quota the defaultQuota (0 unless configured, applied even when the engine does not)", async () => {
        const stack = [namespace("research"), llmisvc("r1", { team: "research" })];
        const [v] = (await callStack(p, stack, { quotas: { search: 32 } })).violations;
        assert.match(v.message, /^team "research" requests 8 GPUs \(r1: 8\) but it has no entry in team-gpu-quota\.quotas, so defaultQuota 0 applies; ask the platform team to add "research": <GPUs>/);
        assert.deepEqual((await callStack(p, stack, { quotas: {}, defaultQuota: 8 })).violations, []);
    });

    it("charges by the namespace's team label and counts presets, plain GPU Deployments and undeterminable demand", async () => {
        const presetRes = res(TYPES.llmInferenceServiceConfig, "preset-big", { metadata: { name: "big-gpu", namespace: "kserve" }, spec: { template: { containers: [gpuContainer(8)] } } });
        const viaPreset = llmisvc("preset-user", { spec: { replicas: 2, baseRefs: [{ name: "big-gpu" }], template: { ...gpuPod(0), containers: [{ name: "main" }] } } });
        const sneaky = deployment("debug-vllm", "search", gpuPod(8), 2);
        const stack = [namespace("search"), presetRes, viaPreset, sneaky];
        const [v] = (await callStack(p, stack, { quotas: { search: 24 } })).violations;
        assert.match(v.message, /^team "search" requests 32 GPUs \(debug-vllm \(Deployment\): 16, preset-user: 16\) but its quota is 24/);

        const unknownPreset = llmisvc("mystery", { spec: { replicas: 1, baseRefs: [{ name: "not-registered" }], template: gpuPod(1) } });
        const [u] = (await callStack(p, [namespace("search"), unknownPreset], cfg)).violations;
        assert.match(u.message, /^team "search": the GPU demand of model "mystery" \(search\/mystery\) cannot be determined \(baseRef "not-registered"/);
        assert.equal(u.urn, unknownPreset.urn);
    });

    it("rejects a config key the schema does not declare, even though the engine would not", async () => {
        await assert.rejects(callStack(p, [], { quota: { search: 1 } }), /policy "team-gpu-quota": unknown config key "quota" \(allowed: quotas, defaultQuota\)/);
    });
});

describe("policy namespace-gpu-resourcequota", () => {
    const p = namespaceGpuResourceQuota;
    const cfg = { quotas: { search: 32 }, defaultQuota: 0 };

    it("passes a GPU namespace whose ResourceQuota is at most the team quota; ignores namespaces without GPU workloads", async () => {
        const stack = [namespace("search"), resourceQuota("search", "32"), llmisvc("a"), namespace("web"), deployment("site", "web", { containers: [{ name: "nginx" }] })];
        assert.deepEqual((await callStack(p, stack, cfg)).violations, []);
        assert.deepEqual(messages(await run(stack, p, { "namespace-gpu-resourcequota": cfg })), []);
    });

    it("flags a GPU namespace without a ResourceQuota on requests.nvidia.com/gpu (scoped quotas do not count)", async () => {
        const scoped = resourceQuota("search", 8, "scoped", { scopes: ["BestEffort"] });
        const stack = [namespace("search"), scoped, llmisvc("a")];
        const [v] = (await callStack(p, stack, cfg)).violations;
        assert.match(v.message, /^namespace "search" runs GPU workloads \(a: 8\) but has no ResourceQuota with spec\.hard\["requests\.nvidia\.com\/gpu"\].*add one with at most 32 GPUs \(team "search"'s quota is 32\)/);
        assert.equal(v.urn, namespace("search").urn);
    });

    it("flags a ResourceQuota above the team quota (the smallest quota of the namespace counts)", async () => {
        const stack = [namespace("search"), resourceQuota("search", "40"), llmisvc("a")];
        const r = await run(stack, p, { "namespace-gpu-resourcequota": cfg });
        assert.equal(r.violations.length, 1);
        assert.equal(r.violations[0].resourceName, "rq-search-gpu-quota");
        assert.match(r.violations[0].message, /^ResourceQuota search\/gpu-quota allows 40 GPUs \(requests\.nvidia\.com\/gpu\) in namespace "search" but team "search"'s quota is 32; set modelplane:teams\[\]\.gpuQuota for "search" to at most 32/);
        const both = [...stack, resourceQuota("search", 16, "tighter")];
        assert.deepEqual((await callStack(p, both, cfg)).violations, []);
        const bad = [namespace("search"), resourceQuota("search", "1.5"), llmisvc("a")];
        assert.match((await callStack(p, bad, cfg)).violations[0].message, /"1\.5", not a whole number of GPUs/);
    });
});

describe("policy namespace-gpu-resourcequota: the ResourceQuota covers the namespace's worst-case demand", () => {
    const p = namespaceGpuResourceQuota;

    // llmisvc("a") holds 2 replicas × 4 GPUs = 8 at its worst case.
    for (const [rq, policyQuota, fix] of [
        ["4", 32, /raise modelplane:teams\[\]\.gpuQuota for "search" in Pulumi\.test\.yaml to at least 8 \(at most 32, team "search"'s quota is 32\)\.$/],
        ["0", 32, /to at least 8 \(at most 32/],
        // A quota raised only in the policy file: the policy allows 8 but the namespace's ResourceQuota still says 4.
        ["4", 8, /to at least 8 \(at most 8, team "search"'s quota is 8\)\.$/],
        // Demand above both: lowering the models or raising both numbers are the fixes.
        ["4", 6, /lower replicas\/scaling\.maxReplicas \(or parallelism\) of its models, or raise both modelplane:teams\[\]\.gpuQuota for "search" in Pulumi\.test\.yaml and team-gpu-quota\.quotas\.search \/ namespace-gpu-resourcequota\.quotas\.search in policies\/config\/test\.json to at least 8\.$/],
    ] as const) {
        it(`flags a ResourceQuota of ${rq} for a demand of 8 (policy quota ${policyQuota})`, async () => {
            const stack = [namespace("search"), resourceQuota("search", rq), llmisvc("a")];
            const vs = (await callStack(p, stack, { quotas: { search: policyQuota }, defaultQuota: 0 })).violations;
            const v = vs.find((x) => /admission would reject/.test(x.message));
            assert.ok(v, vs.map((x) => x.message).join("\n"));
            assert.match(v.message, new RegExp(`^ResourceQuota search/gpu-quota allows ${rq} GPUs? \\(requests\\.nvidia\\.com/gpu\\) in namespace "search" but its workloads need 8 GPUs at their worst case \\(a: 8\\): admission would reject the pods above ${rq}; `));
            assert.match(v.message, fix);
            assert.equal(v.urn, resourceQuota("search", rq).urn);
        });
    }

    it("passes a ResourceQuota equal to the demand, and counts every GPU workload of the namespace", async () => {
        const cfg = { quotas: { search: 32 }, defaultQuota: 0 };
        assert.deepEqual((await callStack(p, [namespace("search"), resourceQuota("search", "8"), llmisvc("a")], cfg)).violations, []);
        const two = [namespace("search"), resourceQuota("search", "12"), llmisvc("a"), llmisvc("b")]; // 8 + 8 > 12
        const [v] = (await callStack(p, two, cfg)).violations;
        assert.match(v.message, /allows 12 GPUs .* need 16 GPUs at their worst case \(a: 8, b: 8\)/);
    });
});

describe("policy gpu-pool-capacity", () => {
    const p = gpuPoolCapacity;

    it("passes pools whose capacity covers the demand", async () => {
        const stack = [nodeGroup("h100", "p5.48xlarge", 4), llmisvc("a"), llmisvc("b")]; // 16 ≤ 32
        assert.deepEqual((await callStack(p, stack)).violations, []);
        assert.deepEqual(messages(await run(stack, p)), []);
    });

    it("flags a pool over capacity with the numbers and the fix", async () => {
        const stack = [nodeGroup("h100", "p5.48xlarge", 2), llmisvc("a"), llmisvc("b", { spec: { replicas: 1, parallelism: { tensor: 8, pipeline: 2 }, template: gpuPod(8), worker: gpuPod(8) } })];
        const [v] = (await callStack(p, stack)).violations;
        assert.equal(
            v.message,
            'pool "h100" must hold 24 GPUs at the worst case (b: 16, a: 8) but can offer at most 16 (2 nodes × 8 GPUs of p5.48xlarge); ' +
                'raise modelplane:gpuPools[].maxNodes for "h100" (within allowed-gpu-instance-types.maxNodes), move models to another pool, or lower replicas/scaling.maxReplicas.',
        );
        assert.equal(v.urn, stack[0].urn);
    });

    // Issue 16 item 4: eight 1-GPU pods that each ask for two thirds of a p5.48xlarge's memory hold 8 GPUs, one node's
    // worth, but need eight nodes.
    const memPod = (gib: number, cpu = "8") => ({
        ...gpuPod(1),
        containers: [{ name: "main", resources: { requests: { cpu, memory: `${gib}Gi`, "nvidia.com/gpu": 1 }, limits: { cpu, memory: `${gib}Gi`, "nvidia.com/gpu": 1 } } }],
    });
    it("flags a pool whose GPUs fit in sum but whose pods, placed whole with their memory, do not; the packing is in the message", async () => {
        const stack = [nodeGroup("h100", "p5.48xlarge", 1), llmisvc("big", { spec: { replicas: 8, parallelism: { tensor: 1 }, template: memPod(1229) } })];
        const [v, more] = (await callStack(p, stack)).violations;
        assert.equal(more, undefined);
        assert.equal(
            v.message,
            'pool "h100" holds the 8 GPUs of its models in sum (1 node × 8 GPUs of p5.48xlarge) but not their pods, which the scheduler places whole on ' +
                "nodes with their CPU and memory (p5.48xlarge: 8 GPUs, 172 vCPU, 1843 GiB allocatable each): packed largest first they need 8 nodes, " +
                "maxNodes is 1; 7 pods left over (7 × big; e.g. 1 GPUs, 8 vCPU, 1229 GiB). Packing: node 1: big. " +
                'Raise modelplane:gpuPools[].maxNodes for "h100" to 8 (within allowed-gpu-instance-types.maxNodes), lower the models\' resources or replicas, ' +
                "or move models to another pool.",
        );
        assert.equal(v.urn, stack[0].urn);
        // With 8 nodes they fit; with memory for two per node, 4 nodes do.
        assert.deepEqual((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 8), stack[1]])).violations, []);
        assert.deepEqual((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 4), llmisvc("big", { spec: { replicas: 8, parallelism: { tensor: 1 }, template: memPod(900) } })])).violations, []);
        assert.equal((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 3), llmisvc("big", { spec: { replicas: 8, parallelism: { tensor: 1 }, template: memPod(900) } })])).violations.length, 1);
    });

    it("packs prefill pods, every pod of a multi-node group, and plain workloads; GPUs of a group's pods never share a node's leftover", async () => {
        // A TP8×PP2 group is two whole-node pods: it fits two nodes.
        const group = llmisvc("ds", { spec: { replicas: 1, parallelism: { tensor: 8, pipeline: 2 }, template: gpuPod(8), worker: gpuPod(8) } });
        assert.equal((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 2), group])).violations.length, 0);
        // Two 4-GPU pods that each want 100 vCPU: 8 GPUs (one node's worth) but two nodes, as a group's leader and worker,
        // as a decode and a prefill pod, or as two replicas of a Deployment.
        const cpuPod = { ...gpuPod(4), containers: [{ name: "main", resources: { requests: { cpu: "100", "nvidia.com/gpu": 4 }, limits: { cpu: "100", "nvidia.com/gpu": 4 } } }] };
        const pp = llmisvc("pp", { spec: { replicas: 1, parallelism: { tensor: 4, pipeline: 2 }, template: cpuPod, worker: cpuPod } });
        const [g] = (await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), pp])).violations;
        assert.match(g.message, /need 2 nodes, maxNodes is 1; 1 pod left over \(1 × pp (leader|worker); .*Packing: node 1: pp (leader|worker)\./);
        const pd = llmisvc("pd", { spec: { replicas: 1, parallelism: { tensor: 4 }, template: cpuPod, prefill: { replicas: 1, parallelism: { tensor: 4 }, template: cpuPod } } });
        const [v] = (await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), pd])).violations;
        assert.match(v.message, /need 2 nodes, maxNodes is 1; 1 pod left over \(1 × pd( prefill)?; e\.g\. 4 GPUs, 100 vCPU, 0 GiB\)/);
        const dep = deployment("trainer", "search", { ...cpuPod }, 2);
        const [w] = (await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), dep])).violations;
        assert.match(w.message, /pool "h100" holds the 8 GPUs .* 1 pod left over \(1 × trainer \(Deployment\)/);
    });

    it("takes the requests of DaemonSets declared on the pool's nodes off every node", async () => {
        const cpuPod = { ...gpuPod(4), containers: [{ name: "main", resources: { requests: { cpu: "80", "nvidia.com/gpu": 4 }, limits: { cpu: "80", "nvidia.com/gpu": 4 } } }] };
        const svc = llmisvc("a", { spec: { replicas: 2, parallelism: { tensor: 4 }, template: cpuPod } }); // 160 vCPU of 172.8
        const daemon = (name: string, pod: Record<string, unknown>) => res("kubernetes:apps/v1:DaemonSet", name, {
            apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "kube-system" }, spec: { template: { spec: pod } },
        });
        const exporter = { nodeSelector: { [POOL_LABEL]: "h100" }, tolerations: [{ operator: "Exists" }], containers: [{ name: "x", resources: { requests: { cpu: "20", memory: "1Gi" } } }] };
        const [v] = (await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), svc, daemon("dcgm", exporter)])).violations;
        assert.match(v.message, /\(p5\.48xlarge: 8 GPUs, 152 vCPU, 1842 GiB allocatable each after 1 DaemonSet\): packed largest first they need 2 nodes/);
        // A DaemonSet that does not tolerate the pool's taint, or selects another pool, does not run there.
        const untolerating = { ...exporter, tolerations: [] };
        assert.deepEqual((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), svc, daemon("dcgm", untolerating)])).violations, []);
        assert.deepEqual((await callStack(p, [nodeGroup("h100", "p5.48xlarge", 1), svc, daemon("dcgm", { ...exporter, nodeSelector: { [POOL_LABEL]: "l40s" } })])).violations, []);
    });

    it("flags models on an undeclared pool and pools of unknown capacity; GKE and existing-cluster pools count", async () => {
        const [undeclared] = (await callStack(p, [nodeGroup("h100", "p5.48xlarge", 4), llmisvc("a", { pool: "a100" })])).violations;
        assert.match(undeclared.message, /^pool "a100" is targeted by a: 8 but the stack declares no node pool named "a100" \(declared: h100\)/);
        const [unknown] = (await callStack(p, [nodeGroup("h100", "p9.mystery", 4), llmisvc("a")])).violations;
        assert.match(unknown.message, /^pool "h100": its capacity cannot be determined \(NodeGroup llm-prod-h100: instance type p9\.mystery is not in lib\/catalog/);
        const gke = [gkeNodePool("l4", "g2-standard-4", 4), llmisvc("q", { pool: "l4", spec: { scaling: { minReplicas: 0, maxReplicas: 5 }, template: gpuPod(1, "l4") } })];
        assert.match((await callStack(p, gke)).violations[0].message, /must hold 5 GPUs .* at most 4 \(4 nodes × 1 GPUs of g2-standard-4\)/);
        const marker = res(TYPES.configMap, "pool-cpu", { metadata: { name: "pool-cpu", namespace: "modelplane-system", annotations: { [POOL_ANNOTATIONS.pool]: "cpu", [POOL_ANNOTATIONS.gpusPerNode]: "0", [POOL_ANNOTATIONS.maxNodes]: "1" } } });
        const cpuModel = llmisvc("opt", { pool: "cpu", accelerator: "cpu", memoryGiB: 0, spec: { replicas: 1, template: { containers: [{ name: "main", resources: { limits: { cpu: "2" } } }] } } });
        assert.deepEqual((await callStack(p, [marker, cpuModel])).violations, []);
    });
});

describe("policy allowed-gpu-instance-types", () => {
    const p = allowedGpuInstanceTypes;
    const cfg = { allowed: ["p5.48xlarge", "g6e.12xlarge"], maxNodes: 6 };

    it("passes allowed types within the node limit, and any catalogued type when `allowed` is not configured", async () => {
        assert.deepEqual((await callResource(p, nodeGroup("h100", "p5.48xlarge", 4), cfg)).violations, []);
        assert.deepEqual((await callResource(p, nodeGroup("a100", "p4d.24xlarge", 100), {})).violations, []);
        assert.deepEqual((await callResource(p, gkeNodePool("l4", "g2-standard-4", 4), { allowed: ["g2-standard-4"], maxNodes: 4 })).violations, []);
        assert.deepEqual(messages(await run([nodeGroup("h100", "p5.48xlarge", 4)], p, { "allowed-gpu-instance-types": cfg })), []);
    });

    it("flags a type that is not allowed and a pool that may grow past maxNodes", async () => {
        const [v] = (await callResource(p, nodeGroup("a100", "p4d.24xlarge", 2), cfg)).violations;
        assert.equal(
            v.message,
            'GPU node pool "a100" (NodeGroup llm-prod-a100) uses p4d.24xlarge, which is not allowed (allowed: p5.48xlarge, g6e.12xlarge); use an allowed type in ' +
                "modelplane:gpuPools[].instanceType, or have the platform team add it to policies/config/test.json allowed-gpu-instance-types.allowed.",
        );
        const r = await run([nodeGroup("h100", "p5.48xlarge", 10)], p, { "allowed-gpu-instance-types": cfg });
        assert.match(r.violations[0].message, /^GPU node pool "h100" \(NodeGroup llm-prod-h100\) may scale to 10 nodes but GPU pools may have at most 6; lower modelplane:gpuPools\[\]\.maxNodes for "h100"/);
        assert.match((await callResource(p, nodeGroup("odd", "p9.mystery", 1), {})).violations[0].message, /p9\.mystery, which is not in lib\/catalog/);
    });

    it("is not applicable to system pools and to other types", async () => {
        const system = res(TYPES.eksNodeGroup, "llm-prod-system", { instanceTypes: ["m7i.2xlarge"], scalingConfig: { minSize: 2, maxSize: 6 }, labels: {} });
        assert.match((await callResource(p, system, cfg)).notApplicable!, /not a GPU node pool/);
        assert.match((await callResource(p, llmisvc("a"), cfg)).notApplicable!, /applies to aws:eks\/nodeGroup:NodeGroup and gcp:container\/nodePool:NodePool/);
    });
});

describe("policy model-fits-accelerator", () => {
    const p = modelFitsAccelerator;

    it("passes a model whose shard fits the accelerator with headroom", async () => {
        assert.deepEqual((await callResource(p, llmisvc("llama-70b"))).violations, []); // 70B bf16 / TP4 = 32.6 GiB ≤ 72
        assert.deepEqual(messages(await run([llmisvc("llama-70b")], p)), []);
    });

    it("flags a model too large for one shard with the numbers and the needed parallelism", async () => {
        const one = llmisvc("llama-70b", { spec: { replicas: 1, parallelism: { tensor: 1 }, template: gpuPod(1) } });
        const [v] = (await callResource(p, one)).violations;
        assert.equal(
            v.message,
            'model "llama-70b" (LLMInferenceService search/llama-70b): 70B parameters in bfloat16 are 130.4 GiB; split over tensor 1 × pipeline 1 = 1 GPU ' +
                "that is 130.4 GiB per GPU, more than the 72.0 GiB usable on H100 (80.0 GiB × headroom 0.9); raise parallelism to at least 2 (tensor × pipeline) " +
                "in modelplane:models[], use a smaller dtype, or move the model to a pool with larger GPUs (headroom: model-fits-accelerator.headroom in policies/config/test.json).",
        );
        // The headroom is configurable: 70B / TP2 = 65.2 GiB fits at 0.9 (72 GiB) but not at 0.8 (64 GiB).
        const tp2 = llmisvc("llama-70b", { spec: { replicas: 1, parallelism: { tensor: 2 }, template: gpuPod(2) } });
        assert.deepEqual((await callResource(p, tp2, { headroom: 0.9 })).violations, []);
        assert.equal((await run([tp2], p, { "model-fits-accelerator": { headroom: 0.8 } })).violations.length, 1);
    });

    it("checks prefill pods with their own parallelism, and reports an unknown dtype", async () => {
        const pd = llmisvc("pd", { params: 32, accelerator: "L40S", memoryGiB: 44.7, spec: { replicas: 1, parallelism: { tensor: 4 }, template: gpuPod(4), prefill: { replicas: 1, parallelism: { tensor: 1 }, template: gpuPod(1) } } });
        const [v] = (await callResource(p, pd)).violations;
        assert.match(v.message, /split over prefill tensor 1 × pipeline 1 = 1 GPU .* raise prefill\.parallelism to at least 2/);
        assert.match((await callResource(p, llmisvc("x", { dtype: "fp6" }))).violations[0].message, /annotation modelplane\.io\/dtype is "fp6"/);
    });

    it("is not applicable to CPU-only pools, models without a declared size, and other types", async () => {
        assert.match((await callResource(p, llmisvc("opt", { accelerator: "cpu", memoryGiB: 0, params: 0.125 }))).notApplicable!, /CPU-only pool/);
        const noSize = llmisvc("nosize");
        delete (noSize.props.metadata as { annotations: Record<string, string> }).annotations[ANNOTATIONS.paramsBillions];
        assert.match((await callResource(p, noSize)).notApplicable!, /no modelplane\.io\/params-billions annotation/);
        assert.match((await callResource(p, NOT_A_WORKLOAD)).notApplicable!, /applies to LLMInferenceService, not kubernetes:core\/v1:Namespace/);
    });
});

describe("policy max-gpus-per-model", () => {
    const p = maxGpusPerModel;

    it("passes models within the limit (default 64)", async () => {
        assert.deepEqual((await callResource(p, llmisvc("a"))).violations, []);
        assert.deepEqual(messages(await run([llmisvc("a")], p, { "max-gpus-per-model": { max: 8 } })), []);
    });

    it("flags a model over the limit with its demand formula", async () => {
        const big = llmisvc("deepseek", { spec: { replicas: 3, parallelism: { tensor: 8, pipeline: 2 }, template: gpuPod(8), worker: gpuPod(8) } });
        const [v] = (await callResource(p, big, { max: 32 })).violations;
        assert.equal(
            v.message,
            'model "deepseek" (LLMInferenceService search/deepseek) can hold 48 GPUs at its worst case (3 × (8 + 1 × 8) = 48) but one model may use at most 32; ' +
                "lower replicas/scaling.maxReplicas or parallelism in modelplane:models[], or raise max-gpus-per-model.max in policies/config/test.json.",
        );
        const viaDefault = llmisvc("huge", { spec: { scaling: { maxReplicas: 9 }, template: gpuPod(8) } });
        assert.equal((await run([viaDefault], p)).violations.length, 1);
    });

    it("says 'at least' when presets it cannot see may add GPUs, and flags undeterminable demand", async () => {
        const v = (await callResource(p, llmisvc("p", { spec: { replicas: 5, baseRefs: [{ name: "team-preset" }], template: gpuPod(8) } }), { max: 32 })).violations[0];
        assert.match(v.message, /can hold at least \(presets team-preset not counted\) 40 GPUs/);
        assert.match((await callResource(p, llmisvc("f", { spec: { template: gpuPod("half") } }))).violations[0].message, /cannot be determined .*"half", not a quantity/);
        assert.match((await callResource(p, NOT_A_WORKLOAD)).notApplicable!, /applies to LLMInferenceService/);
    });
});

describe("policy protect-stateful-platform", () => {
    const p = protectStatefulPlatform;
    const crd = (protect: boolean) => res(TYPES.crd, "llminferenceservices.serving.kserve.io", { metadata: { name: "llminferenceservices.serving.kserve.io" } }, { opts: { ...defaultOpts(), protect } });
    const bundle = (name: string, protect: boolean) => res("kubernetes:helm.sh/v4:Chart", name, { chart: "oci://ghcr.io/kserve/charts/kserve-llmisvc-crd" }, { custom: false, remote: true, opts: { ...defaultOpts(), protect } });

    it("is not applicable unless requireProtect is set (default false)", async () => {
        const o = await callStack(p, [crd(false)]);
        assert.match(o.notApplicable!, /requireProtect is false/);
        assert.deepEqual(messages(await run([crd(false)], p)), []);
    });

    it("passes protected clusters, node pools, CRDs and CRD bundles", async () => {
        const stack = [
            res(TYPES.eksCluster, "llm-prod", {}, { opts: { ...defaultOpts(), protect: true } }),
            nodeGroup("h100", "p5.48xlarge", 4, { protect: true }),
            crd(true), bundle("kserve-crds", true), bundle("envoy-gateway", false), namespace("search"),
        ];
        assert.deepEqual((await callStack(p, stack, { requireProtect: true })).violations, []);
    });

    it("flags each unprotected one, naming it and the fix", async () => {
        const stack = [res(TYPES.gkeCluster, "llm-dev", {}), nodeGroup("h100", "p5.48xlarge", 4), crd(false), bundle("kserve-crds", false),
            res("kubernetes:yaml/v2:ConfigFile", "gateway-api-crds", { file: "https://example/standard-install.yaml" }, { custom: false, remote: true })];
        const r = await run(stack, p, { "protect-stateful-platform": { requireProtect: true } });
        assert.deepEqual(r.violations.map((v) => v.message.split(" is not protected")[0]), [
            "cluster Cluster llm-dev",
            "node pool NodeGroup llm-prod-h100",
            "CRD CustomResourceDefinition llminferenceservices.serving.kserve.io",
            "CRD bundle Chart kserve-crds",
            "CRD bundle ConfigFile gateway-api-crds",
        ]);
        assert.match(r.violations[2].message, /deleting a CRD deletes every object of its kind\); set modelplane:protect: true in Pulumi\.test\.yaml/);
        assert.deepEqual(r.violations.map((v) => v.resourceName), stack.map((s) => s.name));
    });
});

// ---------------------------------------------------------------------------------------------------------------
// plan/policy-runner.ts clones each resource's props once and shares that copy between the policies of a
// run (the engine deserialises a fresh copy per call). That is only sound while no policy writes to its props.

describe("the pack never modifies the resources it is given", () => {
    function deepFreeze<T>(v: T): T {
        if (v && typeof v === "object" && !Object.isFrozen(v)) {
            Object.freeze(v);
            for (const e of Object.values(v)) deepFreeze(e);
        }
        return v;
    }

    /** Every policy called directly on deep-frozen props: a write throws (strict mode) and fails the test. */
    async function runFrozen(resources: RegisteredResource[], config: Record<string, unknown>): Promise<number> {
        const frozen = resources.map((r) => ({ ...r, props: deepFreeze(structuredClone(r.props)) }));
        const resolved = resolvePolicyConfig(config);
        let violations = 0;
        for (const p of POLICIES) {
            const properties = resolved.get(p.name)!.properties;
            if ("validateStack" in p) {
                violations += (await callStack(p, frozen, properties)).violations.length;
            } else {
                for (const r of frozen) violations += (await callResource(p as ResourceValidationPolicy, r, properties)).violations.length;
            }
        }
        for (let i = 0; i < resources.length; i++) assert.deepEqual(frozen[i].props, resources[i].props);
        return violations;
    }

    for (const stack of SHIPPED_STACKS) {
        it(`reads the shipped ${stack} stack without writing to it`, async () => {
            await runFrozen(await shippedResources(stack), loadPolicyConfig(path.join(PROJECT_DIR, "policies", "config", `${stack}.json`)));
        });
    }

    it("reads a stack with violations (every team over quota, unprotected) without writing to it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-frozen-"));
        const file = path.join(dir, "Pulumi.frozen.yaml");
        fs.writeFileSync(file, generateStack(8).stackYaml);
        const resources = await registered(loadStackConfig("frozen", PROJECT_DIR, file));
        const violations = await runFrozen(resources, { "protect-stateful-platform": { requireProtect: true }, "max-gpus-per-model": { max: 1 } });
        assert.ok(violations > 5, `the stack violates the pack (${violations} violations)`);
    });
});
