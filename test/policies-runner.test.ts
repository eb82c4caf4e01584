// plan/policy-runner.ts: engine-shaped arguments, enforcement resolution, not-applicable and unknown
// handling, linear stack policies; plan/gpu-report.ts.
import { strict as assert } from "node:assert";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { RegisteredResource, RegisteredOptions, TYPES } from "../lib/resources";
import { ANNOTATIONS, GPU_TAINT, POOL_LABEL, TEAM_LABEL } from "../lib/labels";
import * as path from "node:path";
import { mandatoryViolations, resolvePolicyConfig, runPolicies, runPolicyFile, toPolicyResources } from "../plan/policy-runner";
import { renderGpuReport } from "../plan/gpu-report";
import { teamGpuQuota } from "../policies/quotas";
import { POLICIES } from "../policies/pack";

const STACK = "urn:pulumi:test::modelplane";
const opts = (o: Partial<RegisteredOptions> = {}): RegisteredOptions => ({
    protect: false, ignoreChanges: [], retainOnDelete: false, deleteBeforeReplace: false, replaceOnChanges: [], additionalSecretOutputs: [], ...o,
});
function res(type: string, name: string, props: Record<string, unknown>, extra: Partial<RegisteredResource> = {}): RegisteredResource {
    return { urn: `${STACK}::${type}::${name}`, type, name, custom: true, remote: false, dependencies: [], props, secretProps: [], opts: opts(), ...extra };
}
const gpuPod = (gpus: number, pool = "h100") => ({
    nodeSelector: { [POOL_LABEL]: pool },
    tolerations: [{ key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect }],
    containers: [{ name: "main", resources: { requests: { "nvidia.com/gpu": gpus }, limits: { "nvidia.com/gpu": gpus } } }],
});
const model = (name: string, team: string, gpus: number, replicas = 1, pool = "h100") =>
    res(TYPES.llmInferenceService, `model-${name}`, {
        apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService",
        metadata: {
            name, namespace: team,
            annotations: { [ANNOTATIONS.team]: team, [ANNOTATIONS.pool]: pool, [ANNOTATIONS.accelerator]: "H100", [ANNOTATIONS.acceleratorMemoryGiB]: "80", [ANNOTATIONS.paramsBillions]: "8", [ANNOTATIONS.dtype]: "bfloat16" },
        },
        spec: { replicas, parallelism: { tensor: gpus }, template: gpuPod(gpus, pool) },
    });
const ns = (name: string) => res(TYPES.namespace, `ns-${name}`, { metadata: { name, labels: { [TEAM_LABEL]: name } } });

/** A policy that reports every resource of one type (for enforcement tests). */
function reporter(name: string, enforcementLevel?: "advisory" | "mandatory"): ResourceValidationPolicy {
    return {
        name, description: "test", enforcementLevel,
        validateResource: (args, report) => {
            if (args.type !== TYPES.namespace) args.notApplicable("namespaces only");
            report(`saw ${args.name}`);
        },
    };
}

describe("plan/policy-runner: engine-shaped arguments", () => {
    it("passes resource policies the 1.21 ResourceValidationArgs (provider, opts, stackTags, getConfig, notApplicable)", async () => {
        const provider = res("pulumi:providers:kubernetes", "k8s", { enableServerSideApply: "true" });
        const r = res(TYPES.namespace, "ns-search", { metadata: { name: "search" } }, {
            provider: `${provider.urn}::k8s_id`, parent: `${STACK}::modelplane:tenancy:Team::team-search`,
            opts: opts({ protect: true, ignoreChanges: ["metadata.labels"], customTimeouts: { create: "30m", delete: "1h30m" } }),
        });
        let seen: ResourceValidationArgs | undefined;
        const capture: ResourceValidationPolicy = {
            name: "capture", description: "test",
            configSchema: { properties: { limit: { type: "integer", default: 7 } } },
            validateResource: (args) => {
                if (args.type === TYPES.namespace) seen = args;
            },
        };
        await runPolicies([provider, r], {}, { policies: [capture] });
        assert.ok(seen);
        assert.equal(seen.urn, r.urn);
        assert.equal(seen.name, "ns-search");
        assert.deepEqual(seen.props, r.props);
        assert.equal(seen.opts.protect, true);
        assert.deepEqual(seen.opts.ignoreChanges, ["metadata.labels"]);
        assert.deepEqual(seen.opts.customTimeouts, { createSeconds: 1800, updateSeconds: 0, deleteSeconds: 5400 });
        assert.equal(seen.opts.parent, `${STACK}::modelplane:tenancy:Team::team-search`);
        assert.deepEqual(seen.provider, { type: "pulumi:providers:kubernetes", props: { enableServerSideApply: "true" }, urn: provider.urn, name: "k8s" });
        assert.ok(seen.stackTags instanceof Map);
        assert.deepEqual(seen.getConfig(), { limit: 7 }, "top-level schema defaults are applied, as the engine does");
        assert.throws(() => seen!.notApplicable("nope"), /nope/);
        // The Namespace class has __pulumiType, so isType works against it.
        const { Namespace } = await import("@pulumi/kubernetes/core/v1");
        assert.equal(seen.isType(Namespace), true);
    });

    it("passes stack policies every resource with parent and dependencies resolved to the objects", async () => {
        const parent = res("modelplane:tenancy:Team", "team-search", {}, { custom: false });
        const child = res(TYPES.namespace, "ns-search", { metadata: { name: "search" } }, { parent: parent.urn });
        const quota = res(TYPES.resourceQuota, "rq", { metadata: { namespace: "search" } }, { parent: parent.urn, dependencies: [child.urn, `${STACK}::gone::x`] });
        let seen: PolicyResource[] = [];
        const capture: StackValidationPolicy = { name: "capture", description: "test", validateStack: (args) => void (seen = args.resources) };
        await runPolicies([parent, child, quota], {}, { policies: [capture] });
        assert.equal(seen.length, 3);
        const [p, c, q] = seen;
        assert.equal(c.parent, p);
        assert.equal(q.parent, p);
        assert.deepEqual(q.dependencies, [c]);
        assert.deepEqual(q.propertyDependencies, {});
        assert.equal(toPolicyResources([parent, child, quota])[1].parent?.urn, parent.urn);
    });

    it("treats notApplicable() as not applicable, reads of unknown values as advisory, and other errors as failures", async () => {
        const r = await runPolicies([model("a", "search", 1)], { all: "mandatory" }, { policies: [reporter("only-namespaces")] });
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.policies, [{ name: "only-namespaces", level: "mandatory", violations: 0 }]);

        const unknownReplicas = model("b", "search", 1);
        (unknownReplicas.props.spec as Record<string, unknown>).replicas = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // the engine's unknown-string sentinel
        const u = await runPolicies([ns("search"), unknownReplicas], { all: "mandatory" }, { policies: [teamGpuQuota] });
        assert.equal(u.violations.length, 1);
        assert.equal(u.violations[0].level, "advisory");
        assert.match(u.violations[0].message, /^can't run policy 'team-gpu-quota' during preview: string value at \.spec\.replicas can't be known during preview/);

        const broken: ResourceValidationPolicy = { name: "broken", description: "test", validateResource: () => { throw new Error("boom"); } };
        await assert.rejects(runPolicies([ns("x")], {}, { policies: [broken] }), /Error validating resource urn:pulumi:test::modelplane::kubernetes:core\/v1:Namespace::ns-x with policy 'broken': boom/);
    });
});

describe("plan/policy-runner: enforcement levels", () => {
    const stack = [ns("search")];

    it("resolves per-policy config > all > the policy's own level > the pack default (mandatory)", async () => {
        const own = reporter("own-advisory", "advisory");
        const none = reporter("no-level");
        const a = await runPolicies(stack, {}, { policies: [own, none] });
        assert.deepEqual(a.policies.map((p) => [p.name, p.level]), [["own-advisory", "advisory"], ["no-level", "mandatory"]]);
        const b = await runPolicies(stack, { all: "advisory" }, { policies: [own, none] });
        assert.deepEqual(b.policies.map((p) => p.level), ["advisory", "advisory"]);
        const c = await runPolicies(stack, { all: { enforcementLevel: "mandatory" }, "no-level": "advisory" }, { policies: [own, none] });
        assert.deepEqual(c.policies.map((p) => p.level), ["mandatory", "advisory"]);
        assert.deepEqual(c.violations.map((v) => [v.policy, v.level, v.resourceName, v.message]), [
            ["own-advisory", "mandatory", "ns-search", "saw ns-search"],
            ["no-level", "advisory", "ns-search", "saw ns-search"],
        ]);
        assert.equal(mandatoryViolations(c).length, 1);
    });

    it("skips disabled policies and reports remediate violations as mandatory", async () => {
        const r = await runPolicies(stack, { all: "disabled", "x-remediate": { enforcementLevel: "remediate" } }, { policies: [reporter("x-disabled"), reporter("x-remediate")] });
        assert.deepEqual(r.policies, [{ name: "x-disabled", level: "disabled", violations: 0 }, { name: "x-remediate", level: "remediate", violations: 1 }]);
        assert.equal(r.violations[0].level, "mandatory");
    });

    it("reconciles config like the engine: defaults, then all, then the policy's keys", () => {
        const resolved = resolvePolicyConfig({ all: "advisory", "team-gpu-quota": { quotas: { search: 3 } }, "max-gpus-per-model": "disabled" });
        assert.deepEqual(resolved.get("team-gpu-quota"), { level: "advisory", properties: { defaultQuota: 0, quotas: { search: 3 } } });
        assert.deepEqual(resolved.get("max-gpus-per-model"), { level: "disabled", properties: { max: 64 } });
        assert.deepEqual(resolved.get("model-fits-accelerator")!.properties, { headroom: 0.9 });
        assert.deepEqual(resolved.get("protect-stateful-platform")!.properties, { requireProtect: false });
        assert.deepEqual(resolvePolicyConfig({}).get("gpu-pool-capacity"), { level: "mandatory", properties: {} });
    });
});

describe("plan/policy-runner: the whole pack", () => {
    it("runs all nine policies on a compliant stack without violations", async () => {
        const stack = [
            ns("search"), res(TYPES.resourceQuota, "rq-search", { metadata: { name: "gpu", namespace: "search" }, spec: { hard: { "requests.nvidia.com/gpu": "16" } } }),
            res(TYPES.eksNodeGroup, "h100", { instanceTypes: ["p5.48xlarge"], scalingConfig: { minSize: 0, maxSize: 4, desiredSize: 0 }, labels: { [POOL_LABEL]: "h100" } }, { opts: opts({ protect: true }) }),
            model("a", "search", 4, 2), model("b", "search", 8, 1),
        ];
        const cfg = {
            all: "mandatory",
            "team-gpu-quota": { quotas: { search: 16 } }, "namespace-gpu-resourcequota": { quotas: { search: 16 } },
            "allowed-gpu-instance-types": { allowed: ["p5.48xlarge"], maxNodes: 4 }, "protect-stateful-platform": { requireProtect: true },
        };
        const r = await runPolicies(stack, cfg);
        assert.deepEqual(r.violations, []);
        assert.deepEqual(r.policies.map((p) => p.name), POLICIES.map((p) => p.name));
    });

    it("runs a config file (runPolicyFile): the shipped prod config flags what prod does not allow", async () => {
        const stack = [ns("search"), model("too-big", "search", 8, 2)]; // 16 > search's 12 in prod.json
        const { config, result } = await runPolicyFile(stack, path.join(__dirname, "..", "policies", "config", "prod.json"));
        assert.equal(config.all, "mandatory");
        assert.deepEqual(mandatoryViolations(result).map((v) => v.policy).sort(), ["gpu-pool-capacity", "namespace-gpu-resourcequota", "team-gpu-quota"]);
    });

    it("keeps stack policies linear: 3000 models in 150 namespaces are checked quickly", async function () {
        this.timeout(60_000);
        const stack: RegisteredResource[] = [];
        for (let t = 0; t < 150; t++) stack.push(ns(`team-${t}`));
        for (let i = 0; i < 3000; i++) stack.push(model(`m-${i}`, `team-${i % 150}`, 1, 1));
        const quotas = Object.fromEntries(Array.from({ length: 150 }, (_, t) => [`team-${t}`, 20]));
        const start = Date.now();
        const r = await runPolicies(stack, { all: "mandatory", "team-gpu-quota": { quotas } }, { policies: [teamGpuQuota] });
        const ms = Date.now() - start;
        assert.deepEqual(r.violations, []);
        // A pairwise scan (9·10⁶ pairs of resources, each merging presets) would take far longer than this.
        assert.ok(ms < 10_000, `team-gpu-quota took ${ms} ms for ${stack.length} resources`);
    });
});

describe("plan/gpu-report", () => {
    it("renders demand per team vs quota, per pool vs capacity, and the policy results", async () => {
        const stack = [
            ns("search"), ns("assistant"),
            res(TYPES.eksNodeGroup, "h100", { instanceTypes: ["p5.48xlarge"], scalingConfig: { minSize: 0, maxSize: 2 }, labels: { [POOL_LABEL]: "h100" } }),
            model("llama", "search", 8, 2), model("qwen", "assistant", 4, 1), model("phi", "assistant", 1, 1, "a100"),
        ];
        const cfg = { all: "mandatory", "team-gpu-quota": { quotas: { search: 12, assistant: 10, idle: 4 } }, "namespace-gpu-resourcequota": { quotas: { search: 12, assistant: 10, idle: 4 } } };
        const result = await runPolicies(stack, cfg);
        const md = renderGpuReport(stack, cfg, result);
        assert.match(md, /## GPU demand per team/);
        // No ResourceQuota in these namespaces ("none"); namespace-gpu-resourcequota reports that.
        assert.match(md, /\| assistant \| phi \(1\), qwen \(4\) \| 5 \| none \| 10 \| 5 \| ok \|/);
        assert.match(md, /\| search \| llama \(16\) \| 16 \| none \| 12 \| -4 \| \*\*over quota\*\* \|/);
        assert.match(md, /\| idle \| — \| 0 \| none \| 4 \| 4 \| ok \|/);
        assert.match(md, /## GPU demand per pool/);
        assert.match(md, /\| h100 \| H100 \| 8 \| 2 \| 16 \| 20 \| \*\*over capacity\*\* \|/);
        assert.match(md, /\| a100 \| \? \| \? \| \? \| \? \| 1 \| \*\*not declared\*\* \|/);
        assert.match(md, /## Policy results \(modelplane-gpu-guard\)/);
        assert.match(md, /\| `team-gpu-quota` \| mandatory \| 1 \|/);
        assert.match(md, /- \*\*mandatory\*\* `team-gpu-quota` on `ns-search`: team "search" requests 16 GPUs \(llama: 16\) but its quota is 12/);
        assert.match(md, /- \*\*mandatory\*\* `namespace-gpu-resourcequota` on `ns-search`: namespace "search" runs GPU workloads/);
    });
});
