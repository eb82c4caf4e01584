// Edge cases of the policy pack that mutation testing (npm run test:mutation) showed no test pinned down:
// the boundaries at exactly the quota/capacity/limit, each policy's notApplicable and error paths, and the
// rules that decide what counts (which toleration, which affinity, which ResourceQuota, which node pool).
// Policies are called directly with engine-shaped arguments (test/policy-harness.ts).
import { strict as assert } from "node:assert";
import { ANNOTATIONS, GPU_TAINT, POOL_ANNOTATIONS, POOL_LABEL } from "../lib/labels";
import { TYPES } from "../lib/resources";
import { gpuRequestsEqualLimits, gpuWorkloadsTargetGpuPools, selectsPool, toleratesGpuTaint } from "../policies/workloads";
import { maxGpusPerModel, namespaceGpuResourceQuota, teamGpuQuota } from "../policies/quotas";
import { allowedGpuInstanceTypes, gpuPoolCapacity } from "../policies/pools";
import { modelFitsAccelerator } from "../policies/models";
import { CRD_BUNDLE_SUFFIX, protectStatefulPlatform, statefulKind } from "../policies/protection";
import { describeResource, gpus, kindOf, policyConfig, strictSchema } from "../policies/common";
import {
    callResource, callStack, container, deployment, eksGroup, eksPool, gkePool, GPU_TOLERATION, messages, model, ns, placedPod, preset, quota, res,
    service,
} from "./policy-harness";

const affinity = (...terms: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const expr = (operator: string, values: unknown, key = POOL_LABEL) => ({ key, operator, values });

// ---------------------------------------------------------------------------------------------------------------
describe("policies/common", () => {
    const schema = { name: "p", configSchema: strictSchema({ list: { type: "array", default: ["a"] }, n: { type: "integer" } }) };

    it("applies top-level defaults, lets config override them, and ignores enforcementLevel", () => {
        assert.deepEqual(policyConfig({ getConfig: <T>() => ({}) as T }, schema), { list: ["a"] });
        assert.deepEqual(policyConfig({ getConfig: <T>() => undefined as T }, schema), { list: ["a"] });
        assert.deepEqual(policyConfig({ getConfig: <T>() => ({ n: 3, enforcementLevel: "advisory" }) as T }, schema), { list: ["a"], n: 3 });
        assert.deepEqual(policyConfig({ getConfig: <T>() => ({ list: [] }) as T }, schema), { list: [] });
    });

    it("hands out a copy of a default, so a caller cannot change the schema's default", () => {
        const a = policyConfig<{ list: string[] }>({ getConfig: <T>() => ({}) as T }, schema);
        a.list.push("b");
        assert.deepEqual(policyConfig<{ list: string[] }>({ getConfig: <T>() => ({}) as T }, schema).list, ["a"]);
    });

    it("names every unknown key, with the allowed ones (or none when the policy takes no config)", () => {
        assert.throws(() => policyConfig({ getConfig: <T>() => ({ x: 1 }) as T }, schema), /^Error: policy "p": unknown config key "x" \(allowed: list, n\); fix policies\/config\/<stack>\.json$/);
        assert.throws(() => policyConfig({ getConfig: <T>() => ({ x: 1, y: 2 }) as T }, schema), /unknown config keys "x", "y" \(allowed/);
        assert.throws(() => policyConfig({ getConfig: <T>() => ({ x: 1 }) as T }, { name: "q" }), /\(allowed: none, only enforcementLevel\)/);
        assert.deepEqual(policyConfig({ getConfig: <T>() => ({ enforcementLevel: "mandatory" }) as T }, { name: "q" }), {});
    });

    it("strictSchema adds `required` only when there is something required", () => {
        assert.deepEqual(strictSchema({}), { properties: {}, additionalProperties: false });
        assert.deepEqual(strictSchema({}, []), { properties: {}, additionalProperties: false });
        assert.deepEqual(strictSchema({}, ["a"]), { properties: {}, additionalProperties: false, required: ["a"] });
    });

    it("names resources by kind and namespace/name", () => {
        assert.equal(kindOf("aws:eks/nodeGroup:NodeGroup"), "NodeGroup");
        assert.equal(kindOf("plain"), "plain");
        assert.equal(describeResource({ type: TYPES.llmInferenceService, name: "r", props: { metadata: { name: "m", namespace: "ns" } } }), "LLMInferenceService ns/m");
        assert.equal(describeResource({ type: TYPES.namespace, name: "r", props: { metadata: { name: "m" } } }), "Namespace m");
        assert.equal(describeResource({ type: TYPES.namespace, name: "r", props: { metadata: { namespace: "ns" } } }), "Namespace ns/r");
        assert.equal(describeResource({ type: TYPES.namespace, name: "r", props: {} }), "Namespace r");
        assert.equal(describeResource({ type: TYPES.namespace, name: "r", props: { metadata: null } }), "Namespace r");
        assert.equal(describeResource({ type: TYPES.eksNodeGroup, name: "ng", props: { metadata: { name: "m" } } }), "NodeGroup ng");
        assert.equal(gpus(0), "0 GPUs");
        assert.equal(gpus(1), "1 GPU");
        assert.equal(gpus(2), "2 GPUs");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy gpu-requests-equal-limits: edges", () => {
    const dep = (...containers: unknown[]) => deployment("d", "ns", { containers });

    it("flags negative GPU requests and limits", async () => {
        const both = await callResource(gpuRequestsEqualLimits, dep(container("-1")));
        assert.equal(both.violations.length, 1);
        assert.match(both.violations[0].message, /^Deployment ns\/d: container "main" in spec\.template\.spec requests and limits\["nvidia\.com\/gpu"\] are negative \("-1"\)\. Fix: /);
        const limit = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { limits: { "nvidia.com/gpu": -2 } } }));
        assert.match(messages(limit)[0], /container "c" in spec\.template\.spec limits\["nvidia\.com\/gpu"\] is negative \(-2\)\./);
    });

    it("reports identical fractional values once, and different ones per field", async () => {
        const same = await callResource(gpuRequestsEqualLimits, dep(container("0.5")));
        assert.deepEqual(messages(same).map((m) => m.split(": ")[1].split(". Fix")[0]), [
            `container "main" in spec.template.spec requests and limits["nvidia.com/gpu"] are "0.5", a fraction of a GPU (GPUs are allocated whole)`,
        ]);
        const diff = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { requests: { "nvidia.com/gpu": "0.5" }, limits: { "nvidia.com/gpu": "lots" } } }));
        assert.match(messages(diff)[0], /requests\["nvidia\.com\/gpu"\] is "0\.5", a fraction of a GPU \(GPUs are allocated whole\); limits\["nvidia\.com\/gpu"\] is "lots", not a quantity\. Fix/);
    });

    it("compares parsed values: \"2000m\" requests equal a limit of 2; a request without a limit is flagged", async () => {
        const eq = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { requests: { "nvidia.com/gpu": "2000m" }, limits: { "nvidia.com/gpu": 2 } } }));
        assert.deepEqual(eq.violations, []);
        const near = await callResource(gpuRequestsEqualLimits, dep(container(1 + 1e-12)));
        assert.deepEqual(near.violations, [], "within 1e-9 of a whole number counts as whole");
        const off = await callResource(gpuRequestsEqualLimits, dep(container(1 + 1e-6)));
        assert.match(messages(off)[0], /a fraction of a GPU/);
        const noLimit = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { requests: { "nvidia.com/gpu": 2 } } }));
        assert.match(messages(noLimit)[0], /container "c" in spec\.template\.spec requests 2 nvidia\.com\/gpu without a limit \(Kubernetes rejects/);
        const lower = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { requests: { "nvidia.com/gpu": 1 }, limits: { "nvidia.com/gpu": 4 } } }));
        assert.match(messages(lower)[0], /requests 1 nvidia\.com\/gpu but its limit is 4 \(GPUs cannot be overcommitted\)/);
        const limitOnly = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { limits: { "nvidia.com/gpu": 4 } } }));
        assert.deepEqual(limitOnly.violations, []);
        assert.deepEqual((await callResource(gpuRequestsEqualLimits, dep(container(0)))).violations, [], "zero GPUs is whole and not negative");
        const badRequest = await callResource(gpuRequestsEqualLimits, dep({ name: "c", resources: { requests: { "nvidia.com/gpu": "x" }, limits: { "nvidia.com/gpu": 2 } } }));
        assert.deepEqual(messages(badRequest).map((m) => m.split(". Fix")[0]), ['Deployment ns/d: container "c" in spec.template.spec requests["nvidia.com/gpu"] is "x", not a quantity'],
            "no request/limit comparison when one of them is not a number");
    });

    it("names init containers and checks each pod of a preset, a LeaderWorkerSet and a CronJob", async () => {
        const init = await callResource(gpuRequestsEqualLimits, deployment("d", "ns", { initContainers: [container("0.5", "warm")], containers: [container(1)] }));
        assert.match(messages(init)[0], /initContainer "warm" in spec\.template\.spec/);
        const p = await callResource(gpuRequestsEqualLimits, preset("p", "kserve", { prefill: { worker: { containers: [container("1.5")] } } }));
        assert.match(messages(p)[0], /^LLMInferenceServiceConfig kserve\/p: container "main" in spec\.prefill\.worker /);
        const lws = await callResource(gpuRequestsEqualLimits, res("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "l", {
            metadata: { name: "l", namespace: "ns" }, spec: { leaderWorkerTemplate: { workerTemplate: { spec: { containers: [container("x")] } } } },
        }));
        assert.match(messages(lws)[0], /in spec\.leaderWorkerTemplate\.workerTemplate\.spec requests and limits\["nvidia\.com\/gpu"\] are "x", not a quantity/);
        const cron = await callResource(gpuRequestsEqualLimits, res("kubernetes:batch/v1:CronJob", "c", {
            metadata: { name: "c", namespace: "ns" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [container(-1)] } } } } },
        }));
        assert.match(messages(cron)[0], /in spec\.jobTemplate\.spec\.template\.spec .* negative \(-1\)/);
    });

    it("is not applicable to other types, naming the kinds it covers", async () => {
        const o = await callResource(gpuRequestsEqualLimits, ns("x"));
        assert.equal(o.notApplicable,
            "applies to LLMInferenceService, LLMInferenceServiceConfig and Pod, Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, CronJob, LeaderWorkerSet, not kubernetes:core/v1:Namespace");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy gpu-workloads-target-gpu-pools: edges", () => {
    it("tolerates the GPU taint only by its key (or an empty key with Exists) and only with effect NoSchedule (or any)", () => {
        const t = (...tolerations: unknown[]) => toleratesGpuTaint({ tolerations });
        assert.equal(t(GPU_TOLERATION), true);
        assert.equal(t({ key: GPU_TAINT.key, operator: "Exists" }), true, "no effect tolerates every effect");
        assert.equal(t({ key: GPU_TAINT.key, operator: "Exists", effect: "" }), true);
        assert.equal(t({ key: GPU_TAINT.key, operator: "Equal", value: "present", effect: "NoSchedule" }), true);
        assert.equal(t({ key: GPU_TAINT.key, value: "present" }), true, "operator defaults to Equal");
        assert.equal(t({ key: GPU_TAINT.key }), false, "Equal with no value does not match value present");
        assert.equal(t({ key: GPU_TAINT.key, operator: "Equal", value: "other" }), false);
        assert.equal(t({ key: GPU_TAINT.key, operator: "In", value: "present" }), false);
        assert.equal(t({ key: "example.com/other", operator: "Exists", effect: "NoSchedule" }), false, "another key");
        assert.equal(t({ key: GPU_TAINT.key, operator: "Exists", effect: "NoExecute" }), false);
        assert.equal(t({ key: GPU_TAINT.key, operator: "Exists", effect: "PreferNoSchedule" }), false);
        assert.equal(t({ operator: "Exists" }), true, "an empty key with Exists tolerates every taint");
        assert.equal(t({ key: "", operator: "Exists" }), true);
        assert.equal(t({ operator: "Equal", value: "present" }), false);
        assert.equal(t({ key: "" }), false);
        assert.equal(t("nvidia.com/gpu", null), false);
        assert.equal(toleratesGpuTaint({ tolerations: GPU_TOLERATION }), false, "tolerations must be a list");
        assert.equal(toleratesGpuTaint({}), false);
        assert.equal(t({ key: "other", operator: "Exists", effect: "NoExecute" }, GPU_TOLERATION), true, "any one toleration suffices");
    });

    it("selects a pool by a non-empty nodeSelector or an `In` affinity with values in every term", () => {
        assert.equal(selectsPool({ nodeSelector: { [POOL_LABEL]: "h100" } }), true);
        assert.equal(selectsPool({ nodeSelector: { [POOL_LABEL]: "" } }), false);
        assert.equal(selectsPool({ nodeSelector: { [POOL_LABEL]: 1 } }), false);
        assert.equal(selectsPool({ nodeSelector: { other: "h100" } }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", ["h100"])] }) }), true);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("NotIn", ["h100"])] }) }), false, "NotIn does not pin a pool");
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", [])] }) }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", "h100")] }) }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", ["h100"], "other")] }) }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [{ key: "other", operator: "Exists" }, expr("In", ["h100"])] }) }), true);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", ["h100"])] }, { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }) }), false,
            "terms are ORed: one term without the pool lets the pod land anywhere");
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [expr("In", ["h100"])] }, { matchExpressions: [expr("In", ["l40s"])] }) }), true);
        assert.equal(selectsPool({ affinity: affinity() }), false);
        assert.equal(selectsPool({ affinity: affinity("term") }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: "x" }) }), false);
        assert.equal(selectsPool({ affinity: affinity({ matchExpressions: [null] }) }), false);
        assert.equal(selectsPool({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: "x" } } } }), false);
        assert.equal(selectsPool({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } }), false);
        assert.equal(selectsPool({ affinity: { nodeAffinity: "x" } }), false);
        assert.equal(selectsPool({ affinity: "x" }), false);
        assert.equal(selectsPool({}), false);
    });

    it("flags each missing piece, joined, with the hint for services only", async () => {
        const bare = { containers: [container(1)] };
        const svc = await callResource(gpuWorkloadsTargetGpuPools, service("m", "search", { template: bare }));
        assert.equal(svc.violations.length, 1);
        assert.match(messages(svc)[0], /^LLMInferenceService search\/m: the pod in spec\.template requests GPUs but does not select a GPU pool: .*, and does not tolerate the GPU taint nvidia\.com\/gpu=present:NoSchedule: .* \(modelplane sets both from modelplane:models\[\]\.pool; a raw template patch must not remove them\)\.$/);
        const dep = await callResource(gpuWorkloadsTargetGpuPools, deployment("d", "ns", { ...bare, tolerations: [GPU_TOLERATION] }));
        assert.match(messages(dep)[0], /^Deployment ns\/d: the pod in spec\.template\.spec requests GPUs but does not select a GPU pool: add nodeSelector .*\)\.$/);
        assert.doesNotMatch(messages(dep)[0], /taint|raw template patch/);
        const noTol = await callResource(gpuWorkloadsTargetGpuPools, deployment("d", "ns", { ...bare, nodeSelector: { [POOL_LABEL]: "h100" } }));
        assert.match(messages(noTol)[0], /requests GPUs but does not tolerate the GPU taint/);
        assert.doesNotMatch(messages(noTol)[0], /select/);
    });

    it("skips pods that request no GPUs and lets untaintedPools pods go without the toleration", async () => {
        const cpu = await callResource(gpuWorkloadsTargetGpuPools, deployment("d", "ns", { containers: [container(0)] }));
        assert.deepEqual(cpu.violations, []);
        const pinned = deployment("d", "ns", { nodeSelector: { [POOL_LABEL]: "a100" }, containers: [container(1)] });
        assert.deepEqual((await callResource(gpuWorkloadsTargetGpuPools, pinned, { untaintedPools: ["a100"] })).violations, []);
        assert.equal((await callResource(gpuWorkloadsTargetGpuPools, pinned, { untaintedPools: ["h100"] })).violations.length, 1);
        assert.equal((await callResource(gpuWorkloadsTargetGpuPools, pinned)).violations.length, 1, "default: no untainted pools");
        const unpinned = deployment("d", "ns", { containers: [container(1)] });
        assert.match(messages(await callResource(gpuWorkloadsTargetGpuPools, unpinned, { untaintedPools: ["a100"] }))[0], /tolerate/);
        await assert.rejects(callResource(gpuWorkloadsTargetGpuPools, pinned, { untainted: [] }), /unknown config key "untainted"/);
    });

    it("is not applicable to presets or other types (it covers what schedules pods)", async () => {
        const p = await callResource(gpuWorkloadsTargetGpuPools, preset("p", "kserve", { template: { containers: [container(1)] } }));
        assert.equal(p.notApplicable, "applies to LLMInferenceService and Pod, Deployment, StatefulSet, ReplicaSet, DaemonSet, Job, CronJob, LeaderWorkerSet, not kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig");
        const pod = await callResource(gpuWorkloadsTargetGpuPools, res("kubernetes:core/v1:Pod", "p", { metadata: { name: "p" }, spec: placedPod(1) }));
        assert.deepEqual(pod, { violations: [] });
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy team-gpu-quota: edges", () => {
    it("passes a team at exactly its quota and flags one GPU more", async () => {
        const at = await callStack(teamGpuQuota, [ns("search", "search"), model("a", { gpus: 4, replicas: 2 })], { quotas: { search: 8 } });
        assert.deepEqual(at.violations, []);
        const over = await callStack(teamGpuQuota, [ns("search", "search"), model("a", { gpus: 3, replicas: 3 })], { quotas: { search: 8 } });
        assert.equal(over.violations.length, 1);
        assert.match(over.violations[0].message, /^team "search" requests 9 GPUs \(a: 9\) but its quota is 8; lower replicas/);
        assert.equal(over.violations[0].urn, ns("search").urn, "attached to the team's namespace");
    });

    it("uses defaultQuota (0 unless set) for teams without an entry, and says so", async () => {
        const m = [model("a", { team: "ads", gpus: 2 })];
        assert.deepEqual((await callStack(teamGpuQuota, m, { quotas: {}, defaultQuota: 2 })).violations, []);
        const none = await callStack(teamGpuQuota, m, { defaultQuota: 1 });
        assert.match(messages(none)[0], /^team "ads" requests 2 GPUs \(a: 2\) but it has no entry in team-gpu-quota\.quotas, so defaultQuota 1 applies; ask the platform team to add "ads": <GPUs>/);
        assert.match(messages(await callStack(teamGpuQuota, m))[0], /so defaultQuota 0 applies/);
        assert.deepEqual((await callStack(teamGpuQuota, m, { quotas: { ads: 2 }, defaultQuota: 0 })).violations, []);
        const zero = await callStack(teamGpuQuota, m, { quotas: { ads: 0 }, defaultQuota: 100 });
        assert.match(messages(zero)[0], /but its quota is 0;/, "an explicit 0 is a quota, not a missing entry");
    });

    it("reports undeterminable demand even when the known demand is within the quota (never counted as zero)", async () => {
        const bad = model("bad", { gpus: "0.5" });
        const o = await callStack(teamGpuQuota, [ns("search", "search"), bad, model("ok", { gpus: 1 })], { quotas: { search: 100 } });
        assert.equal(o.violations.length, 1);
        assert.match(o.violations[0].message, /^team "search": the GPU demand of model "bad" \(search\/bad\) cannot be determined \(spec\.template container "main" resources\.limits\["nvidia\.com\/gpu"\] is "0\.5", not a whole number of GPUs\), so its quota of 100 GPUs cannot be checked;/);
        assert.equal(o.violations[0].urn, bad.urn);
        const dep = deployment("gpu-job", "search", { containers: [container(1)] }, -1);
        const d = await callStack(teamGpuQuota, [dep], { quotas: { search: 100 } });
        assert.match(messages(d)[0], /the GPU demand of Deployment search\/gpu-job cannot be determined \(spec\.replicas is -1, not an integer ≥ 0\)/);
    });

    it("checks teams in name order", async () => {
        const o = await callStack(teamGpuQuota, [model("z", { team: "beta", gpus: 2 }), model("y", { team: "alpha", gpus: 2 })], { quotas: { alpha: 1, beta: 1 } });
        assert.deepEqual(messages(o).map((m) => m.split(" requests")[0]), ['team "alpha"', 'team "beta"']);
    });

    it("attaches an over-quota violation to the largest consumer when the namespace is not registered", async () => {
        const small = model("small", { gpus: 2 });
        const large = model("large", { gpus: 8 });
        const bad = model("bad", { gpus: "x" });
        for (const order of [[small, large, bad], [bad, large, small]]) {
            const o = await callStack(teamGpuQuota, order, { quotas: { search: 1 } });
            const over = o.violations.find((v) => v.message.includes("requests 10 GPUs"));
            assert.ok(over, messages(o).join("\n"));
            assert.equal(over.urn, large.urn);
            assert.match(over.message, /\(large: 8, small: 2\)/, "only known demands are listed");
        }
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy namespace-gpu-resourcequota: edges", () => {
    const cfg = { quotas: { search: 8 } };
    const stack = (...rest: ReturnType<typeof res>[]) => [ns("search", "search"), model("a", { gpus: 1 }), ...rest];

    it("passes a quota at exactly the team quota and flags one more", async () => {
        assert.deepEqual((await callStack(namespaceGpuResourceQuota, stack(quota("search", 8)), cfg)).violations, []);
        assert.deepEqual((await callStack(namespaceGpuResourceQuota, stack(quota("search", "8")), cfg)).violations, []);
        const over = await callStack(namespaceGpuResourceQuota, stack(quota("search", 9)), cfg);
        assert.equal(over.violations.length, 1);
        assert.match(over.violations[0].message, /^ResourceQuota search\/gpu allows 9 GPUs \(requests\.nvidia\.com\/gpu\) in namespace "search" but team "search"'s quota is 8; /);
        assert.equal(over.violations[0].urn, quota("search", 9).urn);
    });

    it("takes the smallest ResourceQuota wherever it is listed", async () => {
        for (const rqs of [[quota("search", 4, "tight"), quota("search", 20, "loose")], [quota("search", 20, "loose"), quota("search", 4, "tight")]]) {
            assert.deepEqual((await callStack(namespaceGpuResourceQuota, stack(...rqs), cfg)).violations, [], "the smallest (4) is within 8");
        }
        for (const rqs of [[quota("search", 9, "a"), quota("search", 12, "b")], [quota("search", 12, "b"), quota("search", 9, "a")]]) {
            const o = await callStack(namespaceGpuResourceQuota, stack(...rqs), cfg);
            assert.deepEqual(messages(o).map((m) => m.split(" allows")[0]), ["ResourceQuota search/a"]);
        }
    });

    it("does not count scoped quotas (scopes or scopeSelector), quotas without the GPU key, or other namespaces' quotas", async () => {
        const missing = /^namespace "search" runs GPU workloads \(a: 1\) but has no ResourceQuota with spec\.hard\["requests\.nvidia\.com\/gpu"\]/;
        for (const rq of [
            quota("search", 4, "gpu", { scopes: ["BestEffort"] }),
            quota("search", 4, "gpu", { scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }] } }),
            res(TYPES.resourceQuota, "rq-cpu", { metadata: { name: "cpu", namespace: "search" }, spec: { hard: { "requests.cpu": "10" } } }),
            res(TYPES.resourceQuota, "rq-none", { metadata: { name: "none", namespace: "search" } }),
            res(TYPES.resourceQuota, "rq-hard", { metadata: { name: "hard", namespace: "search" }, spec: { hard: null } }),
            quota("other", 4),
        ]) {
            const o = await callStack(namespaceGpuResourceQuota, stack(rq), cfg);
            assert.equal(o.violations.length, 1, rq.name);
            assert.match(o.violations[0].message, missing);
            assert.equal(o.violations[0].urn, ns("search").urn);
        }
        assert.deepEqual((await callStack(namespaceGpuResourceQuota, stack(quota("search", 4, "gpu", { scopes: [] })), cfg)).violations, [], "an empty scopes list is unscoped");
        const scoped = quota("search", 100, "scoped", { scopeSelector: {} });
        assert.deepEqual((await callStack(namespaceGpuResourceQuota, stack(quota("search", 4), scoped), cfg)).violations, [], "a scoped quota is not the cap");
    });

    it("names the first listed of equally small quotas, and checks namespaces in name order", async () => {
        const o = await callStack(namespaceGpuResourceQuota, stack(quota("search", 9, "first"), quota("search", 9, "second")), cfg);
        assert.deepEqual(messages(o).map((m) => m.split(" allows")[0]), ["ResourceQuota search/first"]);
        const two = await callStack(namespaceGpuResourceQuota, [model("b", { team: "zeta" }), model("a", { team: "alpha" })], { quotas: { alpha: 1, zeta: 1 } });
        assert.deepEqual(messages(two).map((m) => m.split(" runs")[0]), ['namespace "alpha"', 'namespace "zeta"']);
    });

    it("reports quota values that are not whole GPU counts, and stops there when none is valid", async () => {
        for (const v of ["x", "1.5", -1]) {
            const o = await callStack(namespaceGpuResourceQuota, stack(quota("search", v)), cfg);
            assert.deepEqual(messages(o), [`ResourceQuota search/gpu: spec.hard["requests.nvidia.com/gpu"] is ${JSON.stringify(v)}, not a whole number of GPUs; set it to at most 8.`]);
        }
        const mixed = await callStack(namespaceGpuResourceQuota, stack(quota("search", "x", "bad"), quota("search", 9, "good")), cfg);
        assert.equal(mixed.violations.length, 2);
        assert.match(messages(mixed)[1], /^ResourceQuota search\/good allows 9 GPUs/);
        // 0 is a valid cap (not "not a whole number"): it is compared with the namespace's demand like any other.
        const zero = messages(await callStack(namespaceGpuResourceQuota, stack(quota("search", 0)), cfg));
        assert.equal(zero.length, 1);
        assert.match(zero[0], /^ResourceQuota search\/gpu allows 0 GPUs .* need 1 GPU at their worst case/, "0 is a valid cap");
    });

    it("needs a quota for undeterminable demand but not for services that hold no GPUs", async () => {
        const cpuOnly = [ns("cpu", "cpu"), service("m", "cpu", { template: { containers: [{ name: "main" }] } })];
        assert.deepEqual((await callStack(namespaceGpuResourceQuota, cpuOnly, cfg)).violations, []);
        const unknown = [service("m", "lab", { template: { containers: [container("?")] } }, { [ANNOTATIONS.team]: "research" })];
        const o = await callStack(namespaceGpuResourceQuota, unknown, { quotas: { research: 3 } });
        assert.equal(o.violations.length, 1);
        assert.match(o.violations[0].message, /^namespace "lab" runs GPU workloads \(m: undeterminable\) .* add one with at most 3 GPUs \(team "research"'s quota is 3\)/);
        assert.equal(o.violations[0].urn, unknown[0].urn, "no Namespace registered: attached to the consumer");
        const noEntry = await callStack(namespaceGpuResourceQuota, unknown, { defaultQuota: 2 });
        assert.match(messages(noEntry)[0], /team "research" has no quota in namespace-gpu-resourcequota\.quotas \(defaultQuota 2\)/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy max-gpus-per-model: edges", () => {
    it("passes exactly the limit and flags one more (default 64)", async () => {
        assert.deepEqual((await callResource(maxGpusPerModel, model("m", { gpus: 8, replicas: 8 }))).violations, []);
        const over = await callResource(maxGpusPerModel, model("m", { gpus: 5, replicas: 13 }));
        assert.match(messages(over)[0], /^model "m" \(LLMInferenceService search\/m\) can hold 65 GPUs at its worst case \(13 × \(5\) = 65\) but one model may use at most 64;/);
        assert.deepEqual((await callResource(maxGpusPerModel, model("m", { gpus: 2, replicas: 2 }), { max: 4 })).violations, []);
        assert.equal((await callResource(maxGpusPerModel, model("m", { gpus: 5 }), { max: 4 })).violations.length, 1);
    });

    it("says 'at least' only when refs it cannot see may add GPUs; reports undeterminable demand", async () => {
        const refs = model("m", { spec: { replicas: 5, baseRefs: [{ name: "team-preset" }, { name: "kserve-config-llm-template" }], template: placedPod(1) } });
        assert.match(messages(await callResource(maxGpusPerModel, refs, { max: 4 }))[0], /can hold at least \(presets team-preset not counted\) 5 GPUs/);
        const plain = await callResource(maxGpusPerModel, model("m", { spec: { replicas: 5, baseRefs: [{ name: "kserve-config-llm-template" }], template: placedPod(1) } }), { max: 4 });
        assert.match(messages(plain)[0], /can hold 5 GPUs/);
        const bad = await callResource(maxGpusPerModel, model("m", { spec: { replicas: 1.5, template: placedPod(1) } }), { max: 4 });
        assert.deepEqual(messages(bad), ['model "m" (LLMInferenceService search/m): its GPU demand cannot be determined (spec.replicas is 1.5, not an integer ≥ 0), so the limit of 4 GPUs per model cannot be checked.']);
    });

    it("is not applicable to anything but LLMInferenceService", async () => {
        assert.equal((await callResource(maxGpusPerModel, deployment("d", "ns", placedPod(100)))).notApplicable, "applies to LLMInferenceService, not kubernetes:apps/v1:Deployment");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy gpu-pool-capacity: edges", () => {
    it("passes demand equal to capacity and flags one GPU more, with the capacity spelled out", async () => {
        const pool = eksPool("h100", "p5.48xlarge", 2);
        assert.deepEqual((await callStack(gpuPoolCapacity, [pool, model("a", { gpus: 8, replicas: 2 })])).violations, []);
        const o = await callStack(gpuPoolCapacity, [pool, model("a", { gpus: 8, replicas: 2 }), model("b", { gpus: 1 })]);
        assert.equal(o.violations.length, 1);
        assert.match(o.violations[0].message, /^pool "h100" must hold 17 GPUs at the worst case \(a: 16, b: 1\) but can offer at most 16 \(2 nodes × 8 GPUs of p5\.48xlarge\); raise/);
        assert.equal(o.violations[0].urn, pool.urn);
        const one = await callStack(gpuPoolCapacity, [eksPool("h100", "p5.48xlarge", 1), model("a", { gpus: 8, replicas: 2 })]);
        assert.match(messages(one)[0], /\(1 node × 8 GPUs of p5\.48xlarge\)/);
    });

    it("spells out pools of several node groups and GKE per-zone notes", async () => {
        const o = await callStack(gpuPoolCapacity, [eksPool("h100", "p5.48xlarge", 1, "ng-a"), eksPool("h100", "p5.4xlarge", 2, "ng-b"), model("a", { gpus: 20 })]);
        assert.match(messages(o)[0], /can offer at most 10 \(ng-a: 1 × 8 \+ ng-b: 2 × 1\)/);
        const gke = gkePool("l4", "g2-standard-48", { autoscaling: { maxNodeCount: 1 } });
        const g = await callStack(gpuPoolCapacity, [gke, model("a", { pool: "l4", gpus: 5 })]);
        assert.match(messages(g)[0], /can offer at most 4 \(1 node × 4 GPUs of g2-standard-48; autoscaling\.maxNodeCount 1 is per zone and nodeLocations is not set: counted as one zone\)/);
    });

    it("skips pools with no GPU demand, and checks pools in name order", async () => {
        const cpu = service("c", "search", { template: { nodeSelector: { [POOL_LABEL]: "nowhere" }, containers: [{ name: "main" }] } }, { [ANNOTATIONS.pool]: "nowhere" });
        assert.deepEqual((await callStack(gpuPoolCapacity, [cpu])).violations, []);
        const o = await callStack(gpuPoolCapacity, [model("b", { pool: "zeta" }), model("a", { pool: "alpha" })]);
        assert.deepEqual(messages(o).map((m) => m.split(" is targeted")[0]), ['pool "alpha"', 'pool "zeta"']);
        assert.match(messages(o)[0], /the stack declares no node pool named "alpha" \(declared: none\)/);
        assert.deepEqual(o.violations.map((v) => v.urn), [model("a").urn, model("b").urn], "attached to the first consumer of the pool");
        const declared = await callStack(gpuPoolCapacity, [eksPool("l40s", "g6e.12xlarge", 1), eksPool("a10", "g5.12xlarge", 1), model("a", { pool: "h100" })]);
        assert.match(messages(declared)[0], /\(declared: a10, l40s\)/);
    });

    it("reports a pool of unknown capacity and undeterminable demand on a pool, never as zero", async () => {
        const unknownType = eksPool("h100", "p9.96xlarge", 2);
        const o = await callStack(gpuPoolCapacity, [unknownType, model("a", { gpus: 1 })]);
        assert.deepEqual(messages(o), ['pool "h100": its capacity cannot be determined (NodeGroup ng-h100: instance type p9.96xlarge is not in lib/catalog (GPUs per node unknown)), so a demand of 1 GPU cannot be checked against it.']);
        assert.equal(o.violations[0].urn, unknownType.urn);
        const bad = model("bad", { gpus: "1.5" });
        const u = await callStack(gpuPoolCapacity, [eksPool("h100", "p5.48xlarge", 1), bad]);
        assert.equal(u.violations.length, 1);
        assert.match(u.violations[0].message, /^pool "h100": the GPU demand of "bad" \(search\) cannot be determined \(.*not a whole number of GPUs\), so the pool's capacity of 8 GPUs cannot be checked\.$/);
        assert.equal(u.violations[0].urn, bad.urn);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy allowed-gpu-instance-types: edges", () => {
    it("applies to GKE GPU pools: flags a machine type that is not allowed", async () => {
        const o = await callResource(allowedGpuInstanceTypes, gkePool("l4", "g2-standard-48"), { allowed: ["a3-highgpu-8g"] });
        assert.equal(o.notApplicable, undefined);
        assert.deepEqual(messages(o), ['GPU node pool "l4" (NodePool np-l4) uses g2-standard-48, which is not allowed (allowed: a3-highgpu-8g); use an allowed type in modelplane:gpuPools[].instanceType, or have the platform team add it to policies/config/test.json allowed-gpu-instance-types.allowed.']);
        const noType = await callResource(allowedGpuInstanceTypes, gkePool("l4", undefined));
        assert.deepEqual(messages(noType), ['GPU node pool "l4" (NodePool np-l4) names no machine type (nodeConfig.machineType); set modelplane:gpuPools[].instanceType.']);
        const accel = await callResource(allowedGpuInstanceTypes, gkePool(undefined, "n1-standard-8", { nodeConfig: { guestAccelerators: [{ type: "nvidia-l4", count: 1 }] } }, "np-t4"));
        assert.match(messages(accel)[0], /^GPU node pool \(NodePool np-t4\) uses n1-standard-8, which is not in lib\/catalog/);
    });

    it("applies to an EKS group with a GPU instance type even without the pool label; not to CPU system groups", async () => {
        const unlabelled = await callResource(allowedGpuInstanceTypes, eksPool(undefined, "p5.48xlarge", 3, "sneaky"), { allowed: ["g6e.12xlarge"], maxNodes: 2 });
        assert.equal(unlabelled.notApplicable, undefined);
        assert.deepEqual(messages(unlabelled).map((m) => m.split(" uses")[0].split(" may")[0]), ["GPU node pool (NodeGroup sneaky)", "GPU node pool (NodeGroup sneaky)"]);
        assert.match(messages(unlabelled)[1], /may scale to 3 nodes but GPU pools may have at most 2; lower modelplane:gpuPools\[\]\.maxNodes, or/);
        const system = await callResource(allowedGpuInstanceTypes, eksPool(undefined, "m7i.2xlarge", 3, "system"));
        assert.equal(system.notApplicable, "not a GPU node pool (no modelplane.io/pool label and no GPU instance type)");
        const systemGke = await callResource(allowedGpuInstanceTypes, gkePool(undefined, "e2-standard-8", { nodeConfig: { guestAccelerators: [] } }, "sys"));
        assert.match(systemGke.notApplicable ?? "", /^not a GPU node pool/);
        const eksAccel = await callResource(allowedGpuInstanceTypes, eksGroup("odd", { instanceTypes: ["m7i.2xlarge"], nodeConfig: { guestAccelerators: [{ count: 1 }] } }));
        assert.match(eksAccel.notApplicable ?? "", /^not a GPU node pool/, "guestAccelerators are a GKE field");
    });

    it("checks maxNodes at its boundary, and says when the node count is unknown", async () => {
        assert.deepEqual((await callResource(allowedGpuInstanceTypes, eksPool("h100", "p5.48xlarge", 4), { maxNodes: 4 })).violations, []);
        const over = await callResource(allowedGpuInstanceTypes, eksPool("h100", "p5.48xlarge", 5), { maxNodes: 4 });
        assert.deepEqual(messages(over), ['GPU node pool "h100" (NodeGroup ng-h100) may scale to 5 nodes but GPU pools may have at most 4; lower modelplane:gpuPools[].maxNodes for "h100", or have the platform team raise allowed-gpu-instance-types.maxNodes in policies/config/test.json.']);
        const unknown = await callResource(allowedGpuInstanceTypes, eksGroup("ng", { instanceTypes: ["p5.48xlarge"], labels: { [POOL_LABEL]: "h100" } }), { maxNodes: 4 });
        assert.deepEqual(messages(unknown), ['GPU node pool "h100" (NodeGroup ng): its maximum node count cannot be determined (scalingConfig.maxSize is not set), so the limit of 4 nodes cannot be checked.']);
        assert.deepEqual((await callResource(allowedGpuInstanceTypes, eksGroup("ng", { instanceTypes: ["p5.48xlarge"], labels: { [POOL_LABEL]: "h100" } }))).violations, [], "no limit configured");
        const zones = await callResource(allowedGpuInstanceTypes, gkePool("l4", "g2-standard-48", { nodeLocations: ["a", "b"], autoscaling: { maxNodeCount: 3 } }), { maxNodes: 4 });
        assert.match(messages(zones)[0], /may scale to 6 nodes \(autoscaling\.maxNodeCount 3 per zone × 2 zones\) but GPU pools may have at most 4/);
    });

    it("with an empty allow-list nothing is allowed; without one any catalogued type is", async () => {
        const none = await callResource(allowedGpuInstanceTypes, eksPool("h100", "p5.48xlarge", 1), { allowed: [] });
        assert.match(messages(none)[0], /which is not allowed \(allowed: none\)/);
        assert.deepEqual((await callResource(allowedGpuInstanceTypes, eksPool("h100", "p5.48xlarge", 1))).violations, []);
        const uncatalogued = await callResource(allowedGpuInstanceTypes, eksPool("h100", "p9.96xlarge", 1));
        assert.deepEqual(messages(uncatalogued), ['GPU node pool "h100" (NodeGroup ng-h100) uses p9.96xlarge, which is not in lib/catalog, so its GPUs cannot be counted; use a catalogued type or add the type to lib/catalog.ts.']);
        assert.deepEqual((await callResource(allowedGpuInstanceTypes, eksPool("h100", "p9.96xlarge", 1), { allowed: ["p9.96xlarge"] })).violations, [], "an allowed type need not be catalogued");
        const empty = await callResource(allowedGpuInstanceTypes, eksGroup("ng", { instanceTypes: [], labels: { [POOL_LABEL]: "h100" }, scalingConfig: { maxSize: 1 } }));
        assert.deepEqual(messages(empty), ['GPU node pool "h100" (NodeGroup ng) names no instance type (instanceTypes); set modelplane:gpuPools[].instanceType.']);
    });

    it("is not applicable to other types", async () => {
        assert.equal((await callResource(allowedGpuInstanceTypes, ns("x"))).notApplicable,
            "applies to aws:eks/nodeGroup:NodeGroup and gcp:container/nodePool:NodePool, not kubernetes:core/v1:Namespace");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy model-fits-accelerator: edges", () => {
    const sized = (a: Record<string, string>, spec?: Record<string, unknown>) =>
        model("m", { annotations: { [ANNOTATIONS.paramsBillions]: "8", [ANNOTATIONS.dtype]: "bfloat16", [ANNOTATIONS.accelerator]: "L4", ...a }, spec });

    it("reports a size that is not a positive number, and a missing or unknown dtype", async () => {
        for (const p of ["0", "-1", "x", ""]) {
            const o = await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.paramsBillions]: p }));
            assert.deepEqual(messages(o), [`model "m" (LLMInferenceService search/m): annotation modelplane.io/params-billions is "${p}", not a positive number of billions of parameters; fix modelplane:models[].size.paramsBillions.`], p);
        }
        const unknownDtype = await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.dtype]: "fp3" }));
        assert.match(messages(unknownDtype)[0], /annotation modelplane\.io\/dtype is "fp3", so the weights' size is unknown \(known: float32, .*\); set modelplane:models\[\]\.size\.dtype\.$/);
        const m = sized({});
        delete (m.props.metadata as { annotations: Record<string, string> }).annotations[ANNOTATIONS.dtype];
        assert.match(messages(await callResource(modelFitsAccelerator, m))[0], /annotation modelplane\.io\/dtype is missing,/);
    });

    it("reports unknown GPU memory, is not applicable to CPU-only pools or undeclared sizes", async () => {
        const unknown = await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.accelerator]: "TPU9" }));
        assert.deepEqual(messages(unknown), ['model "m" (LLMInferenceService search/m): the GPU memory of TPU9 is unknown (no modelplane.io/accelerator-memory-gib annotation and not in lib/catalog), so the fit of 8B bfloat16 parameters cannot be checked.']);
        const m = sized({});
        delete (m.props.metadata as { annotations: Record<string, string> }).annotations[ANNOTATIONS.accelerator];
        assert.match(messages(await callResource(modelFitsAccelerator, m))[0], /the GPU memory of the pool's accelerator is unknown/);
        assert.equal((await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.accelerator]: "cpu" }))).notApplicable, "cpu has no GPU memory (CPU-only pool)");
        assert.equal((await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.acceleratorMemoryGiB]: "0" }))).notApplicable, "L4 has no GPU memory (CPU-only pool)");
        const undeclared = model("m");
        assert.equal((await callResource(modelFitsAccelerator, undeclared)).notApplicable, "no modelplane.io/params-billions annotation: the model's size is not declared (modelplane:models[].size)");
        const nonString = model("m", { annotations: { [ANNOTATIONS.paramsBillions]: 8 as unknown as string } });
        assert.match((await callResource(modelFitsAccelerator, nonString)).notApplicable ?? "", /no modelplane\.io\/params-billions annotation/, "annotations must be strings");
        assert.equal((await callResource(modelFitsAccelerator, deployment("d", "ns", placedPod(1)))).notApplicable, "applies to LLMInferenceService, not kubernetes:apps/v1:Deployment");
    });

    it("reports degrees that are not integers ≥ 1, per workload", async () => {
        const o = await callResource(modelFitsAccelerator, sized({}, { parallelism: { tensor: 0 }, prefill: { parallelism: { tensor: 1, pipeline: "2" } }, template: placedPod(1) }));
        assert.deepEqual(messages(o), [
            'model "m" (LLMInferenceService search/m): spec.parallelism.tensor/pipeline are {"tensor":0}, not integers ≥ 1.',
            'model "m" (LLMInferenceService search/m): spec.prefill.parallelism.tensor/pipeline are {"tensor":1,"pipeline":"2"}, not integers ≥ 1.',
        ]);
        assert.match(messages(await callResource(modelFitsAccelerator, sized({}, { parallelism: { tensor: 1.5 } })))[0], /not integers ≥ 1/);
        assert.deepEqual((await callResource(modelFitsAccelerator, sized({}, { parallelism: { tensor: null, pipeline: null } }))).violations, [], "null means the default 1");
    });

    it("checks the prefill workload with its own parallelism and names it", async () => {
        // 70B bfloat16 = 130.4 GiB; on 80 GiB × 0.9 = 72 GiB: tensor 2 fits, tensor 1 does not.
        const big = { [ANNOTATIONS.paramsBillions]: "70", [ANNOTATIONS.accelerator]: "H100" };
        const o = await callResource(modelFitsAccelerator, sized(big, { parallelism: { tensor: 2 }, prefill: { parallelism: { tensor: 1 } } }));
        assert.deepEqual(messages(o), ['model "m" (LLMInferenceService search/m): 70B parameters in bfloat16 are 130.4 GiB; split over prefill tensor 1 × pipeline 1 = 1 GPU that is 130.4 GiB per GPU, more than the 72.0 GiB usable on H100 (80.0 GiB × headroom 0.9); raise prefill.parallelism to at least 2 (tensor × pipeline) in modelplane:models[], use a smaller dtype, or move the model to a pool with larger GPUs (headroom: model-fits-accelerator.headroom in policies/config/test.json).']);
        const main = await callResource(modelFitsAccelerator, sized(big, { parallelism: { tensor: 1, pipeline: 1 } }), { headroom: 0.5 });
        assert.match(messages(main)[0], /split over tensor 1 × pipeline 1 = 1 GPU that is .* usable on H100 \(80\.0 GiB × headroom 0\.5\); raise parallelism to at least 4 \(tensor × pipeline\)/);
        const shards = await callResource(modelFitsAccelerator, sized({ [ANNOTATIONS.paramsBillions]: "400", [ANNOTATIONS.accelerator]: "H100" }, { parallelism: { tensor: 2, pipeline: 2 } }));
        assert.match(messages(shards)[0], /= 4 GPUs that is/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policy protect-stateful-platform: edges", () => {
    it("knows what is stateful: clusters, node pools, CRDs, and -crds bundles of the bundle types only", () => {
        assert.equal(statefulKind({ type: TYPES.eksCluster, name: "c" }), "cluster");
        assert.equal(statefulKind({ type: TYPES.gkeCluster, name: "c" }), "cluster");
        assert.equal(statefulKind({ type: TYPES.eksNodeGroup, name: "n" }), "node pool");
        assert.equal(statefulKind({ type: TYPES.gkeNodePool, name: "n" }), "node pool");
        assert.equal(statefulKind({ type: TYPES.crd, name: "x" }), "CRD");
        for (const t of ["kubernetes:yaml/v2:ConfigFile", "kubernetes:yaml/v2:ConfigGroup", "kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]) {
            assert.equal(statefulKind({ type: t, name: `kserve${CRD_BUNDLE_SUFFIX}` }), "CRD bundle", t);
            assert.equal(statefulKind({ type: t, name: "kserve" }), undefined, t);
        }
        assert.equal(statefulKind({ type: TYPES.namespace, name: `x${CRD_BUNDLE_SUFFIX}` }), undefined);
        assert.equal(statefulKind({ type: "toString", name: "x" }), undefined, "own keys only");
    });

    it("names each unprotected resource with the consequence for its kind, attached to it", async () => {
        const items = [
            res(TYPES.eksCluster, "c", {}), res(TYPES.gkeNodePool, "np", {}), res(TYPES.crd, "crd", { metadata: { name: "x.example.com" } }),
            res("kubernetes:helm.sh/v4:Chart", "lws-crds", {}), res(TYPES.eksNodeGroup, "safe", {}, true), res(TYPES.namespace, "ns", {}),
        ];
        const o = await callStack(protectStatefulPlatform, items, { requireProtect: true });
        assert.deepEqual(o.violations.map((v) => [v.urn, v.message.split("; set")[0]]), [
            [items[0].urn, "cluster Cluster c is not protected (deleting it takes down every model)"],
            [items[1].urn, "node pool NodePool np is not protected (deleting it evicts every pod on it)"],
            [items[2].urn, "CRD CustomResourceDefinition x.example.com is not protected (deleting a CRD deletes every object of its kind)"],
            [items[3].urn, "CRD bundle Chart lws-crds is not protected (deleting a CRD deletes every object of its kind)"],
        ]);
        assert.match(o.violations[0].message, /`pulumi state protect 'urn:pulumi:test::modelplane::aws:eks\/cluster:Cluster::c'`\.$/);
        assert.equal((await callStack(protectStatefulPlatform, items, { requireProtect: false })).notApplicable, "requireProtect is false in policies/config/<stack>.json");
        assert.equal((await callStack(protectStatefulPlatform, items)).notApplicable, "requireProtect is false in policies/config/<stack>.json");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("pools and presets as the policies see them", () => {
    it("an existing-cluster pool without an instance type is spelled out without one", async () => {
        const m = res(TYPES.configMap, "pool-a100", {
            metadata: { name: "pool-a100", namespace: "modelplane-system", annotations: { [POOL_ANNOTATIONS.pool]: "a100", [POOL_ANNOTATIONS.gpusPerNode]: "4", [POOL_ANNOTATIONS.maxNodes]: "2" } },
        });
        const o = await callStack(gpuPoolCapacity, [m, model("a", { pool: "a100", gpus: 9 })]);
        assert.match(messages(o)[0], /can offer at most 8 \(2 nodes × 4 GPUs\); raise/);
    });

    it("an existing-cluster pool marker counts; one outside modelplane-system does not", async () => {
        const marker = (namespace: string) => res(TYPES.configMap, `pool-${namespace}`, {
            metadata: { name: "pool-a100", namespace, annotations: { [POOL_ANNOTATIONS.pool]: "a100", [POOL_ANNOTATIONS.gpusPerNode]: "4", [POOL_ANNOTATIONS.maxNodes]: "1" } },
        });
        const m = model("a", { pool: "a100", gpus: 4 });
        assert.deepEqual((await callStack(gpuPoolCapacity, [marker("modelplane-system"), m])).violations, []);
        assert.match(messages(await callStack(gpuPoolCapacity, [marker("default"), m]))[0], /declares no node pool named "a100"/);
    });

    it("team-gpu-quota merges a registered preset that sets the GPUs", async () => {
        const p = preset("big", "search", { template: { containers: [container(8)] } });
        const m = model("a", { spec: { replicas: 2, baseRefs: [{ name: "big" }], template: { containers: [{ name: "main" }] } } });
        const o = await callStack(teamGpuQuota, [p, m], { quotas: { search: 15 } });
        assert.match(messages(o)[0], /requests 16 GPUs \(a: 16\)/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("policies: what the first mutation run left alive", () => {
    const FIX = 'Fix: set resources.limits["nvidia.com/gpu"] to a whole number of GPUs and resources.requests["nvidia.com/gpu"] to the same number (or omit the request).';

    it("gpu-requests-equal-limits: a valid request and an unparseable limit give the limit's problem only, with the whole fix", async () => {
        const o = await callResource(gpuRequestsEqualLimits, deployment("d", "ns", { containers: [{ name: "c", resources: { requests: { "nvidia.com/gpu": 2 }, limits: { "nvidia.com/gpu": "x" } } }] }));
        assert.deepEqual(messages(o), [`Deployment ns/d: container "c" in spec.template.spec limits["nvidia.com/gpu"] is "x", not a quantity. ${FIX}`]);
    });

    it("gpu-workloads-target-gpu-pools: the toleration fix is spelled out", async () => {
        const o = await callResource(gpuWorkloadsTargetGpuPools, deployment("d", "ns", { nodeSelector: { [POOL_LABEL]: "h100" }, containers: [container(1)] }));
        assert.deepEqual(messages(o), ['Deployment ns/d: the pod in spec.template.spec requests GPUs but does not tolerate the GPU taint nvidia.com/gpu=present:NoSchedule: add the toleration {key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule"} (or, for a pool without the taint, list it in policies/config/test.json gpu-workloads-target-gpu-pools.untaintedPools).']);
    });

    it("team-gpu-quota: the whole messages (undeterminable, over quota without an entry)", async () => {
        const o = await callStack(teamGpuQuota, [model("bad", { team: "ads", gpus: "x" }), model("ok", { team: "ads", gpus: 2 })], { defaultQuota: 1 });
        assert.deepEqual(messages(o), [
            'team "ads": the GPU demand of model "bad" (ads/bad) cannot be determined (spec.template container "main" resources.limits["nvidia.com/gpu"] is "x", not a quantity), so its quota of 1 GPU cannot be checked; give every container a whole-number nvidia.com/gpu limit and a replica count (replicas or scaling.maxReplicas), and register every preset its baseRefs name.',
            'team "ads" requests 2 GPUs (ok: 2) but it has no entry in team-gpu-quota.quotas, so defaultQuota 1 applies; ask the platform team to add "ads": <GPUs> to policies/config/test.json team-gpu-quota.quotas (and namespace-gpu-resourcequota.quotas), or move the models to a team that has a quota.',
        ]);
    });

    it("namespace-gpu-resourcequota: invalid quota values are not caps; a 0 cap counts; the whole message", async () => {
        const cfg = { quotas: { search: 8 } };
        const base = [ns("search", "search"), model("a", { gpus: 1 })];
        for (const bad of ["x", "1.5", -1]) {
            const o = await callStack(namespaceGpuResourceQuota, [...base, quota("search", bad, "bad"), quota("search", 9, "nine")], cfg);
            assert.deepEqual(messages(o).map((m) => m.split(":")[0].split(" allows")[0]), ["ResourceQuota search/bad", "ResourceQuota search/nine"], String(bad));
        }
        // The 0 cap counts: it is the smallest, so it is the one held against the demand (1 GPU), not the 9.
        const zero = messages(await callStack(namespaceGpuResourceQuota, [...base, quota("search", 0, "zero"), quota("search", 9, "nine")], cfg));
        assert.deepEqual(zero.map((m) => m.split(" allows")[0]), ["ResourceQuota search/zero"]);
        assert.match(zero[0], /allows 0 GPUs .* need 1 GPU at their worst case \(a: 1\)/);
        const o = await callStack(namespaceGpuResourceQuota, [...base, quota("search", 9)], cfg);
        assert.deepEqual(messages(o), ['ResourceQuota search/gpu allows 9 GPUs (requests.nvidia.com/gpu) in namespace "search" but team "search"\'s quota is 8; set modelplane:teams[].gpuQuota for "search" to at most 8, or have the platform team raise team-gpu-quota.quotas.search and namespace-gpu-resourcequota.quotas.search in policies/config/test.json.']);
    });

    it("max-gpus-per-model lists every preset it cannot see", async () => {
        const refs = model("m", { spec: { replicas: 5, baseRefs: [{ name: "a" }, { name: "b" }], template: placedPod(1) } });
        assert.match(messages(await callResource(maxGpusPerModel, refs, { max: 4 }))[0], /at least \(presets a, b not counted\) 5 GPUs/);
    });

    it("gpu-pool-capacity lists only known demands when a pool is over capacity", async () => {
        const o = await callStack(gpuPoolCapacity, [eksPool("h100", "p5.48xlarge", 1), model("a", { gpus: 8 }), model("b", { gpus: 1 }), model("u", { gpus: "x" })]);
        assert.match(messages(o).find((m) => m.includes("must hold"))!, /must hold 9 GPUs at the worst case \(a: 8, b: 1\) but/);
    });

    it("allowed-gpu-instance-types applies to an unlabelled group with any GPU type among its types", async () => {
        const mixed = await callResource(allowedGpuInstanceTypes, eksGroup("mixed", { instanceTypes: ["m7i.2xlarge", "p5.48xlarge"], scalingConfig: { maxSize: 1 } }));
        assert.equal(mixed.notApplicable, undefined);
        assert.deepEqual(messages(mixed), ["GPU node pool (NodeGroup mixed) uses m7i.2xlarge, which is not in lib/catalog, so its GPUs cannot be counted; use a catalogued type or add the type to lib/catalog.ts."]);
    });

    it("model-fits-accelerator: a service without annotations has no declared size", async () => {
        const bare = service("m", "search", { template: placedPod(1) });
        delete (bare.props.metadata as Record<string, unknown>).annotations;
        assert.match((await callResource(modelFitsAccelerator, bare)).notApplicable ?? "", /^no modelplane\.io\/params-billions annotation/);
    });

    it("protect-stateful-platform: the whole message", async () => {
        const o = await callStack(protectStatefulPlatform, [res(TYPES.eksNodeGroup, "ng", {})], { requireProtect: true });
        assert.deepEqual(messages(o), ["node pool NodeGroup ng is not protected (deleting it evicts every pod on it); set modelplane:protect: true in Pulumi.test.yaml (modelplane then registers it with protect); an already deployed resource can also be protected with `pulumi state protect 'urn:pulumi:test::modelplane::aws:eks/nodeGroup:NodeGroup::ng'`."]);
    });
});
