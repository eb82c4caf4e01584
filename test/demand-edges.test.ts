// Edge cases of lib/demand.ts that mutation testing (npm run test:mutation) showed no test pinned down:
// every branch of KServe's preset merge that changes a GPU count, replicas/scaling at their boundaries,
// the init-container peak, CronJob/LeaderWorkerSet arithmetic, undeterminable demand never counted as zero,
// and the pool error reasons.
import { strict as assert } from "node:assert";
import {
    acceleratorMemoryOf, baseRefNames, containerGpus, demandByNamespace, demandByPool, demandByTeam, describeConsumers, describeDemand, gpuQuantity,
    groupSize, indexPresets, indexStack, instanceTypesOf, isPoolResource, maxNodesOf, metadataName, namespaceOf, parseQuantity, podGpus,
    podRequestsGpus, podSpecsOf, poolCapacities, poolNameOf, resolveTeam, ResourceLike, selectedPool, serviceDemand, workloadGpuDemand,
    GpuDemand, KnownDemand, WorkloadDemand,
} from "../lib/demand";
import { ANNOTATIONS, POOL_ANNOTATIONS, POOL_LABEL, TEAM_LABEL } from "../lib/labels";
import { TYPES } from "../lib/resources";

const G = "nvidia.com/gpu";
/** A container with a GPU limit (and the same request). */
const c = (gpus: unknown, name = "main", extra: Record<string, unknown> = {}) => ({ name, resources: { limits: { [G]: gpus }, requests: { [G]: gpus } }, ...extra });
const limitOnly = (gpus: unknown, name = "main") => ({ name, resources: { limits: { [G]: gpus } } });
const requestOnly = (gpus: unknown, name = "main") => ({ name, resources: { requests: { [G]: gpus } } });
const pod = (...containers: unknown[]) => ({ containers });

function known(d: GpuDemand): KnownDemand {
    assert.ok(d.known, `expected a known demand, got: ${d.known ? "" : d.reason}`);
    return d as KnownDemand;
}
function reason(d: GpuDemand | ReturnType<typeof podGpus> | undefined): string {
    assert.ok(d && !d.known, `expected an undeterminable demand, got ${JSON.stringify(d)}`);
    return (d as { reason: string }).reason;
}
const gpusOf = (spec: unknown, presets: ResourceLike[] = [], namespace = "team") =>
    known(serviceDemand(spec, { namespace, presets: indexPresets(presets) })).gpus;

function preset(name: string, namespace: string, spec: Record<string, unknown>): ResourceLike {
    return { type: TYPES.llmInferenceServiceConfig, name: `p-${namespace}-${name}`, props: { metadata: { name, namespace }, spec } };
}
function svc(name: string, namespace: string, spec: unknown, annotations: Record<string, string> = {}, urn = `urn:${name}`): ResourceLike {
    return { type: TYPES.llmInferenceService, name: `model-${name}`, urn, props: { metadata: { name, namespace, annotations }, spec } };
}
function workload(type: string, name: string, namespace: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): ResourceLike {
    return { type, name, urn: `urn:${name}`, props: { metadata: { name, namespace, annotations }, spec } };
}
const DEP = "kubernetes:apps/v1:Deployment";

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: quantities", () => {
    it("parses every suffix and sign, and refuses what is not a quantity", () => {
        const cases: [unknown, number | undefined][] = [
            [" 4 ", 4], ["+2", 2], ["-2", -2], [".5", 0.5], ["3.", 3], ["500m", 0.5], ["1k", 1000], ["2M", 2e6], ["1G", 1e9], ["1T", 1e12],
            ["1P", 1e15], ["1E", 1e18], ["1n", 1e-9], ["1u", 1e-6], ["1Ki", 1024], ["1Mi", 2 ** 20], ["1Gi", 2 ** 30], ["1Ti", 2 ** 40],
            ["1Pi", 2 ** 50], ["1Ei", 2 ** 60], ["2e3", 2000], ["2E3", 2000], ["5e-1", 0.5], ["1e+2", 100],
            [Infinity, undefined], [NaN, undefined], [-3, -3], ["", undefined], ["1Xi", undefined], ["Gi", undefined], ["1 Gi", undefined],
            ["x1", undefined], ["1x", undefined], [null, undefined], [true, undefined], [{}, undefined],
        ];
        for (const [v, want] of cases) {
            const got = parseQuantity(v);
            if (want === undefined) assert.equal(got, undefined, String(v));
            else assert.ok(got !== undefined && Math.abs(got - want) <= Math.abs(want) * 1e-12, `${String(v)}: ${got} ≠ ${want}`);
        }
    });

    it("GPU counts: whole within 1e-9, zero allowed, negatives and fractions named with the field", () => {
        assert.deepEqual(gpuQuantity(0, "f"), { known: true, gpus: 0 });
        assert.deepEqual(gpuQuantity(2 + 1e-10, "f"), { known: true, gpus: 2 });
        assert.deepEqual(gpuQuantity(2 - 1e-10, "f"), { known: true, gpus: 2 });
        assert.equal(reason(gpuQuantity(2 + 1e-6, "f")), "f is 2.000001, not a whole number of GPUs");
        assert.equal(reason(gpuQuantity("-1", "the limit")), 'the limit is negative ("-1")');
        assert.equal(reason(gpuQuantity(-2, "f")), "f is negative (-2)");
        assert.equal(reason(gpuQuantity(undefined, "f")), "f is undefined, not a quantity");
        assert.equal(reason(gpuQuantity("two", "f")), 'f is "two", not a quantity');
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: pods", () => {
    it("finds the pod specs of every workload kind, with their paths and roles", () => {
        const p = pod(c(1));
        const paths = (type: string, spec: unknown) => podSpecsOf({ type, props: { spec } }).map((x) => [x.path, x.role, x.part]);
        assert.deepEqual(paths(TYPES.llmInferenceService, { template: p, worker: p, prefill: { template: p, worker: p } }), [
            ["spec.template", "main", "template"], ["spec.worker", "main", "worker"],
            ["spec.prefill.template", "prefill", "template"], ["spec.prefill.worker", "prefill", "worker"],
        ]);
        assert.deepEqual(paths(TYPES.llmInferenceServiceConfig, { worker: p, prefill: "x" }), [["spec.worker", "main", "worker"]]);
        assert.deepEqual(paths("kubernetes:serving.kserve.io/v1alpha1:LLMInferenceService", { template: p }), [["spec.template", "main", "template"]]);
        assert.deepEqual(paths(TYPES.llmInferenceService, undefined), []);
        assert.deepEqual(paths("kubernetes:core/v1:Pod", p), [["spec", undefined, undefined]]);
        for (const kind of ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:ReplicaSet", "apps/v1:DaemonSet", "batch/v1:Job"]) {
            assert.deepEqual(paths(`kubernetes:${kind}`, { template: { spec: p } }), [["spec.template.spec", undefined, undefined]], kind);
            assert.deepEqual(paths(`kubernetes:${kind}`, {}), [], kind);
        }
        assert.deepEqual(paths("kubernetes:batch/v1:CronJob", { jobTemplate: { spec: { template: { spec: p } } } }), [["spec.jobTemplate.spec.template.spec", undefined, undefined]]);
        assert.deepEqual(paths("kubernetes:batch/v1:CronJob", { jobTemplate: {} }), []);
        assert.deepEqual(paths(TYPES.llmInferenceService.replace("LLMInferenceService", "Other"), { template: p }), []);
        assert.deepEqual(paths("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", { leaderWorkerTemplate: { leaderTemplate: { spec: p }, workerTemplate: { spec: p } } }), [
            ["spec.leaderWorkerTemplate.leaderTemplate.spec", undefined, "template"], ["spec.leaderWorkerTemplate.workerTemplate.spec", undefined, "worker"],
        ]);
    });

    it("reads each container's GPU fields: names (or #index), init, sidecar, request and limit as written", () => {
        const got = containerGpus({
            initContainers: [{ name: "side", restartPolicy: "Always", resources: { limits: { [G]: 1 } } }, { restartPolicy: "OnFailure" }, "junk"],
            containers: [null, { name: "m", resources: { requests: { [G]: "2", cpu: "1" }, limits: { cpu: "2" } } }],
        });
        assert.deepEqual(got, [
            { name: "side", init: true, sidecar: true, request: undefined, limit: 1 },
            { name: "#1", init: true, sidecar: false, request: undefined, limit: undefined },
            { name: "m", init: false, sidecar: false, request: "2", limit: undefined },
        ]);
        assert.deepEqual(containerGpus({ containers: [{ name: "a", restartPolicy: "Always" }] })[0].sidecar, false, "only init containers are sidecars");
        assert.deepEqual(containerGpus({ containers: "x", initContainers: {} }), []);
    });

    it("asks for GPUs only with a non-zero value", () => {
        assert.equal(podRequestsGpus(pod(c(0))), false);
        assert.equal(podRequestsGpus(pod(c("0"))), false);
        assert.equal(podRequestsGpus(pod({ name: "m", resources: { limits: { cpu: 1 } } })), false);
        assert.equal(podRequestsGpus(pod(requestOnly(1))), true);
        assert.equal(podRequestsGpus(pod(limitOnly(1))), true);
        assert.equal(podRequestsGpus(pod({ name: "m", resources: { limits: { [G]: 0 }, requests: { [G]: 2 } } })), true);
        assert.equal(podRequestsGpus(pod(c("lots"))), true, "an unparseable value may be GPUs");
        assert.equal(podRequestsGpus({ initContainers: [c(1)] }), true);
    });

    it("takes the limit over the request, and the request when there is no limit", () => {
        assert.deepEqual(podGpus(pod({ name: "m", resources: { limits: { [G]: 2 }, requests: { [G]: 1 } } })), { known: true, gpus: 2 });
        assert.deepEqual(podGpus(pod({ name: "m", resources: { limits: { [G]: 0 }, requests: { [G]: 3 } } })), { known: true, gpus: 0 });
        assert.deepEqual(podGpus(pod(requestOnly(3))), { known: true, gpus: 3 });
        assert.deepEqual(podGpus(pod(c(1, "a"), c(2, "b"))), { known: true, gpus: 3 });
        assert.deepEqual(podGpus({}), { known: true, gpus: 0 });
    });

    it("sizes init containers like the scheduler: the largest plain init plus the sidecars started before it", () => {
        const side = (n: number, name = "side") => c(n, name, { restartPolicy: "Always" });
        // plain init 4 started before sidecar 2: peak 4; app 1 + sidecar 2 = 3 → 4.
        assert.deepEqual(podGpus({ initContainers: [c(4, "init"), side(2)], containers: [c(1)] }), { known: true, gpus: 4 });
        // sidecar 2 then plain init 4: peak 6.
        assert.deepEqual(podGpus({ initContainers: [side(2), c(4, "init")], containers: [c(1)] }), { known: true, gpus: 6 });
        // two plain inits: the larger, not the sum.
        assert.deepEqual(podGpus({ initContainers: [c(3, "a"), c(2, "b")], containers: [c(1)] }), { known: true, gpus: 3 });
        assert.deepEqual(podGpus({ initContainers: [c(2, "a"), c(3, "b")], containers: [c(1)] }), { known: true, gpus: 3 });
        // app containers plus sidecars beat a small init.
        assert.deepEqual(podGpus({ initContainers: [side(2), c(1, "init")], containers: [c(2)] }), { known: true, gpus: 4 });
        assert.deepEqual(podGpus({ initContainers: [side(1, "s1"), side(1, "s2")], containers: [] }), { known: true, gpus: 2 });
    });

    it("names the field and container kind of an undeterminable value", () => {
        assert.equal(reason(podGpus({ initContainers: [c("1.5", "warm")] }, "spec.x")), 'spec.x initContainer "warm" resources.limits["nvidia.com/gpu"] is "1.5", not a whole number of GPUs');
        assert.equal(reason(podGpus(pod(requestOnly("x", "m")))), 'pod container "m" resources.requests["nvidia.com/gpu"] is "x", not a quantity');
        assert.equal(reason(podGpus(pod(c(1, "ok"), c(-1, "bad")))), 'pod container "bad" resources.limits["nvidia.com/gpu"] is negative (-1)');
    });

    it("group size is 1 without a worker or parallelism", () => {
        assert.equal(groupSize({ pipeline: 4 }, false), 1);
        assert.equal(groupSize(undefined, true), 1);
        assert.equal(groupSize({ pipeline: 4 }, true), 4);
        assert.equal(groupSize({ dataLocal: 2 }, true), 1, "dataLocal alone: data parallel, data defaults to 1");
        assert.equal(groupSize({ data: 8, dataLocal: 2, pipeline: 3 }, true), 4, "data parallelism is checked first");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: replicas and scaling", () => {
    const one = (spec: Record<string, unknown>): WorkloadDemand => known(serviceDemand({ template: pod(c(2)), ...spec })).workloads[0];

    it("takes the larger of replicas and scaling.maxReplicas after a merge, whichever is larger", () => {
        assert.deepEqual([one({ replicas: 5, scaling: { maxReplicas: 3 } })].map((w) => [w.replicas, w.replicasFrom, w.gpus]), [[5, "replicas", 10]]);
        assert.deepEqual([one({ replicas: 2, scaling: { maxReplicas: 6 } })].map((w) => [w.replicas, w.replicasFrom, w.gpus]), [[6, "scaling.maxReplicas", 12]]);
        assert.deepEqual([one({ replicas: 3, scaling: { maxReplicas: 3 } })].map((w) => [w.replicas, w.replicasFrom]), [[3, "replicas"]]);
        assert.deepEqual([one({ replicas: 0, scaling: { maxReplicas: 0 } })].map((w) => [w.replicas, w.replicasFrom]), [[0, "replicas"]]);
        assert.deepEqual([one({ scaling: { minReplicas: 1, maxReplicas: 0 } })].map((w) => [w.replicas, w.replicasFrom, w.gpus]), [[0, "scaling.maxReplicas", 0]]);
        assert.deepEqual([one({})].map((w) => [w.replicas, w.replicasFrom]), [[1, "default"]]);
        assert.deepEqual([one({ replicas: null })].map((w) => [w.replicas, w.replicasFrom]), [[1, "default"]]);
        assert.deepEqual([one({ replicas: 0 })].map((w) => [w.replicas, w.gpus]), [[0, 0]]);
    });

    it("never lets negative or non-integer replica counts subtract or round: undeterminable", () => {
        assert.equal(reason(serviceDemand({ replicas: -1, template: pod(c(1)) })), "spec.replicas is -1, not an integer ≥ 0");
        assert.equal(reason(serviceDemand({ scaling: { maxReplicas: -2 }, template: pod(c(1)) })), "spec.scaling.maxReplicas is -2, not an integer ≥ 0");
        assert.equal(reason(serviceDemand({ replicas: 2, scaling: { maxReplicas: -2 }, template: pod(c(1)) })), "spec.scaling.maxReplicas is -2, not an integer ≥ 0");
        assert.equal(reason(serviceDemand({ replicas: "2", template: pod(c(1)) })), 'spec.replicas is "2", not an integer ≥ 0');
        assert.equal(reason(serviceDemand({ scaling: { maxReplicas: 1.5 }, template: pod(c(1)) })), "spec.scaling.maxReplicas is 1.5, not an integer ≥ 0");
        assert.equal(reason(serviceDemand({ scaling: { minReplicas: 1 }, template: pod(c(1)) })), "spec.scaling has no maxReplicas");
        assert.equal(reason(serviceDemand({ prefill: { scaling: {}, template: pod(c(1)) }, template: pod(c(1)) })), "spec.prefill.scaling has no maxReplicas");
        // team totals: a negative count cannot lower the team's sum.
        const t = demandByTeam(indexStack([svc("a", "t", { replicas: 2, template: pod(c(4)) }), svc("b", "t", { replicas: -1, template: pod(c(4)) })])).get("t")!;
        assert.equal(t.gpus, 8);
        assert.deepEqual(t.undeterminable.map((x) => x.name), ["b"]);
    });

    it("checks pipeline/data/dataLocal degrees (≥ 1) and ignores tensor/expert for the group", () => {
        assert.equal(reason(serviceDemand({ parallelism: { pipeline: 0 }, worker: pod(c(1)) })), "spec.parallelism.pipeline is 0, not an integer ≥ 1");
        assert.equal(reason(serviceDemand({ parallelism: { data: 2.5 }, worker: pod(c(1)) })), "spec.parallelism.data is 2.5, not an integer ≥ 1");
        assert.equal(reason(serviceDemand({ parallelism: { dataLocal: "2" }, worker: pod(c(1)) })), 'spec.parallelism.dataLocal is "2", not an integer ≥ 1');
        assert.equal(reason(serviceDemand({ prefill: { parallelism: { pipeline: -1 } }, template: pod(c(1)) })), "spec.prefill.parallelism.pipeline is -1, not an integer ≥ 1");
        assert.equal(known(serviceDemand({ parallelism: { pipeline: 1 }, worker: pod(c(1)) })).gpus, 1);
        assert.equal(known(serviceDemand({ parallelism: { pipeline: null, tensor: 8 }, template: pod(c(8)) })).gpus, 8, "null degrees are absent");
        assert.equal(known(serviceDemand({ parallelism: { tensor: "x", expert: "yes" }, template: pod(c(8)) })).gpus, 8);
    });

    it("a worker-only service: the leader uses the worker template, and errors say so", () => {
        const d = known(serviceDemand({ parallelism: { pipeline: 3 }, worker: pod(c(4)) }));
        assert.deepEqual(d.workloads.map((w) => [w.groupSize, w.leaderGpus, w.workerGpus, w.gpusPerReplica]), [[3, 4, 4, 12]]);
        assert.equal(reason(serviceDemand({ parallelism: { pipeline: 2 }, worker: pod(c("x")) })), 'spec.worker (as leader) container "main" resources.limits["nvidia.com/gpu"] is "x", not a quantity');
        assert.equal(reason(serviceDemand({ parallelism: { pipeline: 2 }, template: pod(c(1)), worker: pod(c("x")) })), 'spec.worker container "main" resources.limits["nvidia.com/gpu"] is "x", not a quantity');
        assert.equal(reason(serviceDemand({ template: pod(c("x")) })), 'spec.template container "main" resources.limits["nvidia.com/gpu"] is "x", not a quantity');
        assert.equal(reason(serviceDemand({ prefill: { template: pod(c(-1)) }, template: pod(c(1)) })), 'spec.prefill.template container "main" resources.limits["nvidia.com/gpu"] is negative (-1)');
        const noPods = known(serviceDemand({ replicas: 3 }));
        assert.deepEqual([noPods.gpus, noPods.workloads[0].leaderGpus, noPods.workloads[0].workerGpus], [0, 0, 0]);
        assert.equal(reason(serviceDemand("spec")), "the resource has no spec");
        assert.equal(reason(serviceDemand(null)), "the resource has no spec");
        assert.equal(reason(serviceDemand([{ template: pod(c(1)) }])), "the resource has no spec");
        assert.equal(reason(serviceDemand(undefined)), "the resource has no spec");
    });

    it("describes demands, with groups and prefill", () => {
        assert.equal(describeDemand(serviceDemand({ replicas: 2, template: pod(c(4)) })), "2 × (4) = 8");
        assert.equal(describeDemand(serviceDemand({ parallelism: { data: 4, dataLocal: 2 }, template: pod(c(8)), worker: pod(c(8)), prefill: { replicas: 3, template: pod(c(1)) } })),
            "1 × (8 + 1 × 8) = 16 + prefill 3 × (1) = 3");
        assert.equal(describeDemand(serviceDemand({ replicas: -1 })), "undeterminable: spec.replicas is -1, not an integer ≥ 0");
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: preset merge (every branch that changes a GPU count)", () => {
    const ref = (...names: string[]) => names.map((name) => ({ name }));

    it("a preset's container GPUs count; the service's own value for the same container wins; new names are added", () => {
        const p = preset("p", "team", { template: pod(c(4)) });
        assert.equal(gpusOf({ baseRefs: ref("p"), template: pod({ name: "main" }) }, [p]), 4);
        assert.equal(gpusOf({ baseRefs: ref("p"), template: pod(c(2)) }, [p]), 2);
        assert.equal(gpusOf({ baseRefs: ref("p"), template: pod(c(1, "sidecar")) }, [p]), 5);
        assert.equal(gpusOf({ baseRefs: ref("p") }, [p]), 4, "no template of its own: the preset's");
        assert.equal(gpusOf({ baseRefs: ref("p"), template: pod(limitOnly(8)) }, [p]), 8, "limits merge key by key");
        const reqOnly = preset("r", "team", { template: pod(requestOnly(3)) });
        assert.equal(gpusOf({ baseRefs: ref("r"), template: pod(limitOnly(1)) }, [reqOnly]), 1, "the service's limit beats the preset's request");
        assert.equal(gpusOf({ baseRefs: ref("r"), template: pod({ name: "main", resources: { requests: { [G]: 5 } } }) }, [reqOnly]), 5, "requests merge");
    });

    it("containers merge by name: a name the service repeats over a preset is one container, the later value winning", () => {
        const p = preset("p", "team", { template: pod(c(4)) });
        assert.equal(gpusOf({ baseRefs: [{ name: "p" }], template: pod(c(1, "x"), c(2, "x")) }, [p]), 4 + 2);
        assert.equal(gpusOf({ baseRefs: [{ name: "p" }], template: pod(c(1, "main"), c(2, "main")) }, [p]), 2);
    });

    it("restartPolicy merges: a service can turn a preset's init container into a sidecar (and back)", () => {
        const p = preset("p", "team", { template: { initContainers: [c(2, "helper")], containers: [c(1)] } });
        assert.equal(gpusOf({ baseRefs: ref("p") }, [p]), 2, "plain init: max(1, 2)");
        assert.equal(gpusOf({ baseRefs: ref("p"), template: { initContainers: [{ name: "helper", restartPolicy: "Always" }] } }, [p]), 3, "sidecar: 1 + 2");
        const s = preset("s", "team", { template: { initContainers: [c(2, "helper", { restartPolicy: "Always" })], containers: [c(1)] } });
        assert.equal(gpusOf({ baseRefs: ref("s"), template: { initContainers: [{ name: "helper", restartPolicy: "OnFailure" }] } }, [s]), 2);
        assert.equal(gpusOf({ baseRefs: ref("s"), template: { initContainers: [{ name: "helper" }] } }, [s]), 3, "no restartPolicy: the preset's stays");
    });

    it("later refs win over earlier ones; the service wins over all", () => {
        const a = preset("a", "team", { template: pod(c(2)) });
        const b = preset("b", "team", { template: pod(c(6)) });
        assert.equal(gpusOf({ baseRefs: ref("a", "b") }, [a, b]), 6);
        assert.equal(gpusOf({ baseRefs: ref("b", "a") }, [a, b]), 2);
        const d = known(serviceDemand({ baseRefs: ref("b", "a") }, { namespace: "team", presets: indexPresets([a, b]) }));
        assert.deepEqual(d.appliedPresets, ["team/b", "team/a"]);
    });

    it("replicas, scaling and parallelism merge key by key", () => {
        const rep = preset("rep", "team", { replicas: 4, template: pod(c(1)) });
        assert.equal(gpusOf({ baseRefs: ref("rep") }, [rep]), 4);
        assert.equal(gpusOf({ baseRefs: ref("rep"), replicas: 2 }, [rep]), 2);
        const sc = preset("sc", "team", { scaling: { minReplicas: 1, maxReplicas: 5 }, template: pod(c(1)) });
        assert.equal(gpusOf({ baseRefs: ref("sc"), scaling: { minReplicas: 2 } }, [sc]), 5, "the preset's maxReplicas survives a service that sets minReplicas");
        assert.equal(gpusOf({ baseRefs: ref("sc"), scaling: { maxReplicas: 7 } }, [sc]), 7);
        assert.equal(gpusOf({ baseRefs: ref("rep"), scaling: { maxReplicas: 7 } }, [rep]), 7, "replicas 4 from the preset, maxReplicas 7 from the service: the larger");
        assert.equal(gpusOf({ baseRefs: ref("sc"), replicas: 9 }, [sc]), 9);
        const par = preset("par", "team", { parallelism: { data: 4 }, worker: pod(c(1)), template: pod(c(1)) });
        assert.equal(gpusOf({ baseRefs: ref("par") }, [par]), 4, "group of data 4");
        assert.equal(gpusOf({ baseRefs: ref("par"), parallelism: { dataLocal: 2 } }, [par]), 2, "dataLocal from the service, data from the preset: 4 ÷ 2");
        assert.equal(gpusOf({ baseRefs: ref("par"), parallelism: { data: 8 } }, [par]), 8);
    });

    it("a worker from a preset turns the service into a group; the service's worker merges with it", () => {
        const w = preset("w", "team", { parallelism: { pipeline: 2 }, worker: pod(c(8)) });
        const d = known(serviceDemand({ baseRefs: ref("w"), template: pod(c(8)) }, { namespace: "team", presets: indexPresets([w]) }));
        assert.deepEqual(d.workloads.map((x) => [x.groupSize, x.leaderGpus, x.workerGpus]), [[2, 8, 8]]);
        assert.equal(gpusOf({ baseRefs: ref("w"), template: pod(c(8)), worker: pod(c(4)) }, [w]), 12);
        assert.equal(gpusOf({ baseRefs: ref("w"), worker: pod(c(4, "extra")) }, [w]), 24, "worker containers add up: (8 + 4) × 2");
    });

    it("prefill merges whether it comes from the preset, the service, or both", () => {
        const pf = preset("pf", "team", { prefill: { replicas: 2, template: pod(c(1)) } });
        assert.equal(gpusOf({ baseRefs: ref("pf"), template: pod(c(4)) }, [pf]), 4 + 2);
        assert.equal(gpusOf({ baseRefs: ref("pf"), template: pod(c(4)), prefill: { replicas: 3 } }, [pf]), 4 + 3);
        assert.equal(gpusOf({ baseRefs: ref("pf"), template: pod(c(4)), prefill: { template: pod(c(2)) } }, [pf]), 4 + 4);
        const main = preset("main", "team", { template: pod(c(4)) });
        assert.equal(gpusOf({ baseRefs: ref("main"), prefill: { template: pod(c(1)) } }, [main]), 4 + 1);
        assert.equal(gpusOf({ template: pod(c(4)) }, [pf]), 4, "a preset nobody refers to adds nothing");
    });

    it("looks up refs in the service's namespace first, then in kserve; unknown refs are undeterminable, well-known ones add nothing", () => {
        const local = preset("p", "team", { template: pod(c(2)) });
        const shared = preset("p", "kserve", { template: pod(c(8)) });
        assert.equal(gpusOf({ baseRefs: ref("p") }, [local, shared]), 2);
        assert.equal(gpusOf({ baseRefs: ref("p") }, [shared]), 8);
        assert.equal(gpusOf({ baseRefs: ref("p") }, [shared, local], "other"), 8);
        const other = preset("p", "elsewhere", { template: pod(c(8)) });
        assert.match(reason(serviceDemand({ baseRefs: ref("p") }, { namespace: "team", presets: indexPresets([other]) })),
            /^baseRef "p" names an LLMInferenceServiceConfig this stack does not register \(looked in namespaces "team" and "kserve"\) and it is not a KServe well-known preset \(kserve-config-llm-\*\), so its GPU resources are unknown$/);
        assert.match(reason(serviceDemand({ baseRefs: ref("p") }, { presets: indexPresets([]) })), /looked in namespaces "default" and "kserve"/);
        assert.equal(gpusOf({ baseRefs: ref("kserve-config-llm-anything"), template: pod(c(1)) }), 1);
        const lb = known(serviceDemand({ baseRefs: ref("mine", "kserve-config-llm-x", "theirs"), template: pod(c(1)) }));
        assert.deepEqual([lb.unresolvedPresets, lb.appliedPresets], [["mine", "theirs"], []]);
        assert.deepEqual(baseRefNames({ baseRefs: [{ name: "a" }, { name: "" }, {}, "b", { name: 3 }] }), ["a"]);
        assert.deepEqual(baseRefNames({ baseRefs: "a" }), []);
    });

    it("merges the well-known preset of the merged topology when the stack registers it, first and lowest", () => {
        const wk = (name: string, n: number) => preset(`kserve-config-llm-${name}`, "kserve", { template: pod(c(n, "wk")), worker: pod(c(n, "wk")) });
        const all = ["template", "worker-data-parallel", "worker-pipeline-parallel", "prefill-template", "decode-template", "prefill-worker-data-parallel", "decode-worker-pipeline-parallel"]
            .map((n, i) => wk(n, 10 ** i));
        const applied = (spec: Record<string, unknown>, refs: ResourceLike[] = []) =>
            known(serviceDemand(spec, { namespace: "team", presets: indexPresets([...all, ...refs]) })).appliedPresets;
        assert.deepEqual(applied({ template: pod(c(1)) }), ["kserve/kserve-config-llm-template"]);
        assert.deepEqual(applied({ parallelism: { data: 2 }, worker: pod(c(1)) }), ["kserve/kserve-config-llm-worker-data-parallel"]);
        assert.deepEqual(applied({ parallelism: { dataLocal: 1 }, worker: pod(c(1)) }), ["kserve/kserve-config-llm-worker-data-parallel"]);
        assert.deepEqual(applied({ parallelism: { pipeline: 2 }, worker: pod(c(1)) }), ["kserve/kserve-config-llm-worker-pipeline-parallel"]);
        assert.deepEqual(applied({ worker: pod(c(1)) }), ["kserve/kserve-config-llm-worker-pipeline-parallel"]);
        assert.deepEqual(applied({ template: pod(c(1)), prefill: { template: pod(c(1)) } }), ["kserve/kserve-config-llm-prefill-template", "kserve/kserve-config-llm-decode-template"]);
        assert.deepEqual(applied({ parallelism: { pipeline: 2 }, worker: pod(c(1)), prefill: { parallelism: { data: 2 }, worker: pod(c(1)) } }),
            ["kserve/kserve-config-llm-prefill-worker-data-parallel", "kserve/kserve-config-llm-decode-worker-pipeline-parallel"]);
        // The topology is decided after merging the user's refs: a ref that adds a worker selects the worker preset.
        const addsWorker = preset("adds-worker", "team", { parallelism: { pipeline: 2 }, worker: pod(c(1)) });
        assert.deepEqual(applied({ baseRefs: [{ name: "adds-worker" }], template: pod(c(1)) }, [addsWorker]),
            ["kserve/kserve-config-llm-worker-pipeline-parallel", "team/adds-worker"]);
        // The implicit preset is lowest: the service's own container of the same name wins, others add up.
        assert.equal(gpusOf({ template: pod(c(1)) }, [wk("template", 4)]), 5);
        assert.equal(gpusOf({ template: pod(c(1, "wk")) }, [wk("template", 4)]), 1);
        const user = preset("u", "team", { template: pod(c(2, "wk")) });
        assert.equal(gpusOf({ baseRefs: [{ name: "u" }] }, [wk("template", 4), user]), 2, "a user ref beats the well-known preset");
        assert.equal(gpusOf({ template: pod(c(1)) }, [preset("kserve-config-llm-template", "team", { template: pod(c(3, "wk")) })]), 4, "also found in the service's namespace");
    });

    it("indexes presets from LLMInferenceServiceConfig resources and yaml/v2 ConfigGroup objs only", () => {
        const group = (objs: unknown): ResourceLike => ({ type: "kubernetes:yaml/v2:ConfigGroup", name: "g", props: { objs } });
        const obj = (name: string, extra: Record<string, unknown> = {}) => ({
            apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceServiceConfig", metadata: { name, namespace: "kserve" }, spec: { replicas: 1 }, ...extra,
        });
        const idx = indexPresets([
            group([obj("a"), [obj("b")], obj("c", { kind: "ConfigMap" }), obj("d", { apiVersion: "other.io/v1" }), obj("e", { apiVersion: 1 }), null, obj("f", { spec: undefined })]),
            { type: TYPES.llmInferenceServiceConfig, name: "res-name", props: {} },
            { type: "kubernetes:yaml/v2:ConfigFile", name: "f", props: { objs: [obj("z")] } },
            group("not a list"),
        ]);
        assert.deepEqual(idx.get("kserve", "a"), { replicas: 1 });
        assert.deepEqual(idx.get("kserve", "b"), { replicas: 1 }, "nested lists are flattened");
        assert.equal(idx.get("kserve", "c"), undefined);
        assert.equal(idx.get("kserve", "d"), undefined);
        assert.equal(idx.get("kserve", "e"), undefined);
        assert.deepEqual(idx.get("kserve", "f"), {}, "no spec: an empty one");
        assert.deepEqual(idx.get("default", "res-name"), {}, "no metadata: the resource name in default");
        assert.equal(idx.get("kserve", "z"), undefined);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: core workloads", () => {
    const gpuPod = { containers: [c(2)] };

    it("counts replicas (Job: parallelism) with defaults and refuses bad counts", () => {
        for (const kind of ["apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:ReplicaSet"]) {
            const t = `kubernetes:${kind}`;
            assert.deepEqual(workloadGpuDemand({ type: t, props: { spec: { replicas: 3, template: { spec: gpuPod } } } }), { known: true, gpus: 6 }, kind);
            assert.deepEqual(workloadGpuDemand({ type: t, props: { spec: { template: { spec: gpuPod } } } }), { known: true, gpus: 2 }, kind);
            assert.deepEqual(workloadGpuDemand({ type: t, props: { spec: { replicas: null, template: { spec: gpuPod } } } }), { known: true, gpus: 2 }, kind);
            assert.deepEqual(workloadGpuDemand({ type: t, props: { spec: { replicas: 0, template: { spec: gpuPod } } } }), { known: true, gpus: 0 }, kind);
            assert.equal(reason(workloadGpuDemand({ type: t, props: { spec: { replicas: -1, template: { spec: gpuPod } } } })), "spec.replicas is -1, not an integer ≥ 0");
        }
        const job = (spec: Record<string, unknown>) => workloadGpuDemand({ type: "kubernetes:batch/v1:Job", props: { spec: { template: { spec: gpuPod }, ...spec } } });
        assert.deepEqual(job({ parallelism: 4, replicas: 9 }), { known: true, gpus: 8 });
        assert.deepEqual(job({}), { known: true, gpus: 2 });
        assert.equal(reason(job({ parallelism: 1.5 })), "spec.parallelism is 1.5, not an integer ≥ 0");
        assert.equal(reason(workloadGpuDemand({ type: DEP, props: { spec: { replicas: 2, template: { spec: { containers: [c("0.5")] } } } } })),
            'spec.template.spec container "main" resources.limits["nvidia.com/gpu"] is "0.5", not a whole number of GPUs');
        assert.deepEqual(workloadGpuDemand({ type: "kubernetes:core/v1:Pod", props: { spec: { containers: [c(3)] } } }), { known: true, gpus: 3 });
        assert.equal(reason(workloadGpuDemand({ type: "kubernetes:core/v1:Pod", props: { spec: { containers: [c("x")] } } })), 'spec container "main" resources.limits["nvidia.com/gpu"] is "x", not a quantity');
    });

    it("returns nothing for CPU-only workloads and for kinds it does not size", () => {
        assert.equal(workloadGpuDemand({ type: DEP, props: { spec: { replicas: 3, template: { spec: { containers: [c(0)] } } } } }), undefined);
        assert.equal(workloadGpuDemand({ type: TYPES.llmInferenceService, props: { spec: { template: gpuPod } } }), undefined);
        assert.equal(workloadGpuDemand({ type: TYPES.namespace, props: { spec: { template: { spec: gpuPod } } } }), undefined);
    });

    it("CronJobs: only Forbid or Replace bound the Jobs; parallelism of the job template", () => {
        const cron = (spec: Record<string, unknown>) => workloadGpuDemand({
            type: "kubernetes:batch/v1:CronJob", props: { spec: { jobTemplate: { spec: { template: { spec: gpuPod }, ...spec } }, concurrencyPolicy: "Forbid" } },
        });
        assert.deepEqual(cron({}), { known: true, gpus: 2 });
        assert.deepEqual(cron({ parallelism: 3 }), { known: true, gpus: 6 });
        assert.equal(reason(cron({ parallelism: -3 })), "spec.jobTemplate.spec.parallelism is -3, not an integer ≥ 0");
        const policy = (concurrencyPolicy?: string) => workloadGpuDemand({
            type: "kubernetes:batch/v1:CronJob", props: { spec: { concurrencyPolicy, jobTemplate: { spec: { parallelism: 2, template: { spec: gpuPod } } } } },
        });
        assert.deepEqual(policy("Replace"), { known: true, gpus: 4 });
        assert.equal(reason(policy("Allow")), 'a CronJob with concurrencyPolicy "Allow" can run any number of Jobs at once; set concurrencyPolicy: Forbid (or Replace)');
        assert.equal(reason(policy(undefined)), 'a CronJob with concurrencyPolicy "Allow" can run any number of Jobs at once; set concurrencyPolicy: Forbid (or Replace)');
        const badPod = workloadGpuDemand({ type: "kubernetes:batch/v1:CronJob", props: { spec: { concurrencyPolicy: "Forbid", jobTemplate: { spec: { template: { spec: { containers: [c("y")] } } } } } } });
        assert.match(reason(badPod), /^spec\.jobTemplate\.spec\.template\.spec container "main"/);
        assert.match(reason(workloadGpuDemand({ type: "kubernetes:apps/v1:DaemonSet", props: { spec: { template: { spec: gpuPod } } } })), /^a DaemonSet runs one pod per matching node/);
    });

    it("LeaderWorkerSets: replicas × (leader + (size − 1) × worker), the worker template leading when there is no leader", () => {
        const lws = (spec: Record<string, unknown>, lwt: Record<string, unknown>) => workloadGpuDemand({
            type: "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", props: { spec: { ...spec, leaderWorkerTemplate: lwt } },
        });
        const leader = { spec: { containers: [c(1)] } };
        const worker = { spec: { containers: [c(4)] } };
        assert.deepEqual(lws({ replicas: 2 }, { size: 3, leaderTemplate: leader, workerTemplate: worker }), { known: true, gpus: 2 * (1 + 2 * 4) });
        assert.deepEqual(lws({}, { workerTemplate: worker }), { known: true, gpus: 4 }, "size 1, replicas 1, leader = worker");
        assert.deepEqual(lws({}, { size: 2, workerTemplate: worker }), { known: true, gpus: 8 });
        assert.deepEqual(lws({}, { size: 0, leaderTemplate: leader, workerTemplate: worker }), { known: true, gpus: 1 }, "size 0 adds no workers");
        assert.deepEqual(lws({ replicas: 0 }, { size: 2, leaderTemplate: leader, workerTemplate: worker }), { known: true, gpus: 0 });
        assert.deepEqual(lws({}, { size: 3, leaderTemplate: worker }), { known: true, gpus: 4 }, "no worker template: no worker GPUs");
        assert.equal(reason(lws({ replicas: -1 }, { workerTemplate: worker })), "spec.replicas is -1, not an integer ≥ 0");
        assert.equal(reason(lws({}, { size: 1.5, workerTemplate: worker })), "spec.leaderWorkerTemplate.size is 1.5, not an integer ≥ 0");
        assert.match(reason(lws({}, { size: 2, leaderTemplate: { spec: { containers: [c("x")] } }, workerTemplate: worker })), /^spec\.leaderWorkerTemplate\.leaderTemplate\.spec container/);
        assert.match(reason(lws({}, { size: 2, leaderTemplate: leader, workerTemplate: { spec: { containers: [c("x")] } } })), /^spec\.leaderWorkerTemplate\.workerTemplate\.spec container/);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: pools", () => {
    const eks = (name: string, props: Record<string, unknown>, urn?: string): ResourceLike => ({ type: TYPES.eksNodeGroup, name, urn, props });
    const gke = (name: string, props: Record<string, unknown>): ResourceLike => ({ type: TYPES.gkeNodePool, name, props });
    const marker = (name: string, annotations: Record<string, unknown>, namespace = "modelplane-system"): ResourceLike =>
        ({ type: TYPES.configMap, name, props: { metadata: { name, namespace, annotations } } });

    it("pool names: EKS labels, GKE nodeConfig labels, markers in modelplane-system only", () => {
        assert.equal(poolNameOf(eks("a", { labels: { [POOL_LABEL]: "h100" } })), "h100");
        assert.equal(poolNameOf(eks("a", { labels: { other: "x" } })), undefined);
        assert.equal(poolNameOf(gke("a", { nodeConfig: { labels: { [POOL_LABEL]: "l4" } } })), "l4");
        assert.equal(poolNameOf(gke("a", { labels: { [POOL_LABEL]: "l4" } })), undefined, "GKE labels live in nodeConfig");
        assert.equal(poolNameOf(marker("m", { [POOL_ANNOTATIONS.pool]: "a100" })), "a100");
        assert.equal(poolNameOf(marker("m", { [POOL_ANNOTATIONS.pool]: "a100" }, "default")), undefined);
        assert.equal(poolNameOf({ type: TYPES.namespace, props: { labels: { [POOL_LABEL]: "x" } } }), undefined);
        assert.equal(isPoolResource(eks("a", { labels: { [POOL_LABEL]: "h100" } })), true);
        assert.equal(isPoolResource(eks("a", {})), false);
        assert.equal(isPoolResource({ type: TYPES.namespace, props: { metadata: { namespace: "modelplane-system", annotations: { [POOL_ANNOTATIONS.pool]: "x" } } } }), false);
    });

    it("instance types: listed (strings only), else the capacity-block tag; GKE machine type; none for others", () => {
        assert.deepEqual(instanceTypesOf(eks("a", { instanceTypes: ["p5.48xlarge", 3, "p5e.48xlarge"] })), ["p5.48xlarge", "p5e.48xlarge"]);
        assert.deepEqual(instanceTypesOf(eks("a", { instanceTypes: [], tags: { [POOL_ANNOTATIONS.instanceType]: "p5.48xlarge" } })), ["p5.48xlarge"]);
        assert.deepEqual(instanceTypesOf(eks("a", { instanceTypes: ["g6e.12xlarge"], tags: { [POOL_ANNOTATIONS.instanceType]: "p5.48xlarge" } })), ["g6e.12xlarge"]);
        assert.deepEqual(instanceTypesOf(eks("a", {})), []);
        assert.deepEqual(instanceTypesOf(gke("a", { nodeConfig: { machineType: "g2-standard-48" } })), ["g2-standard-48"]);
        assert.deepEqual(instanceTypesOf(gke("a", { nodeConfig: {} })), []);
        assert.deepEqual(instanceTypesOf({ type: TYPES.configMap, props: { instanceTypes: ["p5.48xlarge"] } }), []);
    });

    it("max nodes of each source kind, with the reason or note", () => {
        assert.deepEqual(maxNodesOf(eks("a", { scalingConfig: { maxSize: 0 } })), { maxNodes: 0 });
        assert.deepEqual(maxNodesOf(eks("a", { scalingConfig: { maxSize: "3" } })), { maxNodes: 3 });
        for (const bad of [undefined, -1, 1.5, " ", "x"]) assert.deepEqual(maxNodesOf(eks("a", { scalingConfig: { maxSize: bad } })), { reason: "scalingConfig.maxSize is not set" }, String(bad));
        assert.deepEqual(maxNodesOf(gke("a", { autoscaling: { totalMaxNodeCount: 6, maxNodeCount: 1 }, nodeLocations: ["a", "b"] })), { maxNodes: 6 });
        assert.deepEqual(maxNodesOf(gke("a", { autoscaling: { maxNodeCount: 2 }, nodeLocations: ["a", "b", "c"] })), { maxNodes: 6, note: "autoscaling.maxNodeCount 2 per zone × 3 zones" });
        assert.deepEqual(maxNodesOf(gke("a", { nodeCount: 2, nodeLocations: ["a"] })), { maxNodes: 2, note: "nodeCount 2 per zone × 1 zones" });
        assert.deepEqual(maxNodesOf(gke("a", { initialNodeCount: 3 })), { maxNodes: 3, note: "nodeCount 3 is per zone and nodeLocations is not set: counted as one zone" });
        assert.deepEqual(maxNodesOf(gke("a", { nodeCount: 1, initialNodeCount: 3 })), { maxNodes: 1, note: "nodeCount 1 is per zone and nodeLocations is not set: counted as one zone" });
        assert.deepEqual(maxNodesOf(gke("a", { autoscaling: {}, nodeCount: 5 })), { reason: "neither autoscaling.totalMaxNodeCount nor autoscaling.maxNodeCount (or nodeCount) is set" });
        assert.deepEqual(maxNodesOf(gke("a", {})), { reason: "neither autoscaling.totalMaxNodeCount nor autoscaling.maxNodeCount (or nodeCount) is set" });
        assert.deepEqual(maxNodesOf(marker("m", { [POOL_ANNOTATIONS.maxNodes]: "4" })), { maxNodes: 4 });
        assert.deepEqual(maxNodesOf(marker("m", { [POOL_ANNOTATIONS.maxNodes]: "many" })), { reason: 'annotation modelplane.io/max-nodes is "many"' });
        assert.deepEqual(maxNodesOf(marker("m", {})), { reason: "annotation modelplane.io/max-nodes is undefined" });
        assert.deepEqual(maxNodesOf({ type: TYPES.namespace, props: {} }), { reason: "kubernetes:core/v1:Namespace is not a node pool" });
    });

    it("capacity: smallest GPUs per node over types and sources, summed max nodes, the accelerator from labels, catalog or GKE accelerators", () => {
        const pools = poolCapacities([
            eks("mixed", { labels: { [POOL_LABEL]: "mixed" }, instanceTypes: ["p5.48xlarge", "p5.4xlarge"], scalingConfig: { maxSize: 3 } }, "urn:mixed"),
            eks("h100-a", { labels: { [POOL_LABEL]: "h100" }, instanceTypes: ["p5.48xlarge"], scalingConfig: { maxSize: 2 } }),
            eks("h100-b", { labels: { [POOL_LABEL]: "h100", [POOL_ANNOTATIONS.accelerator]: "labelled" }, instanceTypes: ["p5.4xlarge"], scalingConfig: { maxSize: 3 } }),
            gke("t4", { nodeConfig: { machineType: "n1-standard-8", labels: { [POOL_LABEL]: "t4" }, guestAccelerators: [{ type: "nvidia-l4", count: 2 }, { type: "x", count: "1" }, null] }, autoscaling: { totalMaxNodeCount: 2 } }),
            gke("l4", { nodeConfig: { machineType: "g2-standard-48", labels: { [POOL_LABEL]: "l4", [POOL_ANNOTATIONS.accelerator]: "mine" } }, autoscaling: { totalMaxNodeCount: 1 } }),
        ]);
        const get = (n: string) => pools.get(n)!;
        assert.deepEqual([get("mixed").gpusPerNode, get("mixed").maxNodes, get("mixed").capacity, get("mixed").accelerator, get("mixed").cloud], [1, 3, 3, "H100", "aws"]);
        assert.deepEqual(get("mixed").sources, [{ urn: "urn:mixed", type: TYPES.eksNodeGroup, name: "mixed", instanceType: "p5.48xlarge,p5.4xlarge", gpusPerNode: 1, maxNodes: 3 }]);
        assert.deepEqual([get("h100").gpusPerNode, get("h100").maxNodes, get("h100").capacity, get("h100").accelerator], [1, 5, 2 * 8 + 3 * 1, "H100"]);
        assert.deepEqual([get("t4").gpusPerNode, get("t4").capacity, get("t4").accelerator, get("t4").cloud], [3, 6, "L4", "gcp"]);
        assert.deepEqual([get("l4").gpusPerNode, get("l4").capacity, get("l4").accelerator], [4, 4, "mine"]);
        assert.equal(get("h100").reason, undefined);
    });

    it("capacity is undefined with the first bad source's reason; reasons of a source are joined", () => {
        const pools = poolCapacities([
            eks("ok", { labels: { [POOL_LABEL]: "p" }, instanceTypes: ["p5.48xlarge"], scalingConfig: { maxSize: 1 } }),
            eks("bad", { labels: { [POOL_LABEL]: "p" }, instanceTypes: ["p5.48xlarge", "p9.96xlarge"], scalingConfig: { maxSize: 1 } }),
            eks("empty", { labels: { [POOL_LABEL]: "e" }, instanceTypes: [] }),
            gke("g", { nodeConfig: { labels: { [POOL_LABEL]: "g" } }, autoscaling: { totalMaxNodeCount: 1 } }),
            gke("gu", { nodeConfig: { machineType: "n1-standard-8", labels: { [POOL_LABEL]: "gu" } }, autoscaling: { totalMaxNodeCount: 1 } }),
            marker("m1", { [POOL_ANNOTATIONS.pool]: "m", [POOL_ANNOTATIONS.gpusPerNode]: "x", [POOL_ANNOTATIONS.maxNodes]: "2", [POOL_ANNOTATIONS.accelerator]: "A100-80GB" }),
            marker("m2", { [POOL_ANNOTATIONS.pool]: "ok-marker", [POOL_ANNOTATIONS.gpusPerNode]: "0", [POOL_ANNOTATIONS.maxNodes]: 5, [POOL_ANNOTATIONS.instanceType]: "dgx" }),
        ]);
        const p = pools.get("p")!;
        assert.deepEqual([p.capacity, p.reason, p.gpusPerNode, p.maxNodes], [undefined, "NodeGroup bad: instance type p9.96xlarge is not in lib/catalog (GPUs per node unknown)", undefined, 2]);
        assert.equal(pools.get("e")!.reason, "NodeGroup empty: instanceTypes is empty; scalingConfig.maxSize is not set");
        assert.equal(pools.get("e")!.maxNodes, undefined);
        assert.equal(pools.get("g")!.reason, "NodePool g: nodeConfig.machineType is not set");
        assert.equal(pools.get("gu")!.reason, "NodePool gu: machine type n1-standard-8 is not in lib/catalog (GPUs per node unknown)");
        const m = pools.get("m")!;
        assert.deepEqual([m.cloud, m.accelerator, m.capacity, m.reason, m.maxNodes], ["existing", "A100-80GB", undefined, 'ConfigMap m1: annotation modelplane.io/gpus-per-node is "x"', 2]);
        const ok = pools.get("ok-marker")!;
        assert.deepEqual([ok.capacity, ok.gpusPerNode, ok.sources[0].instanceType, ok.reason], [0, 0, "dgx", undefined]);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: the stack index", () => {
    it("returns the same index for the same frozen list, and a fresh one otherwise", () => {
        const list = [svc("a", "t", { template: pod(c(1)) })];
        assert.notEqual(indexStack(list), indexStack(list));
        const frozen = Object.freeze([...list]);
        assert.equal(indexStack(frozen), indexStack(frozen));
        assert.notEqual(indexStack(frozen), indexStack(Object.freeze([...list])));
    });

    it("teams: the namespace label, else the team annotation, else the namespace", () => {
        const namespaces = new Map([["labelled", { team: "search" }], ["bare", {}]]);
        assert.deepEqual(resolveTeam("labelled", { [ANNOTATIONS.team]: "x" }, namespaces), { team: "search", from: "namespace-label" });
        assert.deepEqual(resolveTeam("bare", { [ANNOTATIONS.team]: "x" }, namespaces), { team: "x", from: "annotation" });
        assert.deepEqual(resolveTeam("bare", { [ANNOTATIONS.team]: "" }, namespaces), { team: "bare", from: "namespace" });
        assert.deepEqual(resolveTeam("unknown", {}, namespaces), { team: "unknown", from: "namespace" });
        assert.equal(namespaceOf({}), "default");
        assert.equal(namespaceOf({ metadata: { namespace: 3 } }), "default");
        assert.equal(metadataName({ name: "res", props: { metadata: { name: "k8s" } } }), "k8s");
        assert.equal(metadataName({ name: "res", props: {} }), "res");
    });

    it("indexes namespaces (by metadata name), quotas per namespace, services and GPU workloads with their pools", () => {
        const resources: ResourceLike[] = [
            { type: TYPES.namespace, name: "ns-res", urn: "urn:ns", props: { metadata: { name: "search", labels: { [TEAM_LABEL]: "search-team" } } } },
            { type: TYPES.namespace, name: "plain", props: {} },
            { type: TYPES.resourceQuota, name: "q1", props: { metadata: { namespace: "search" } } },
            { type: TYPES.resourceQuota, name: "q2", props: { metadata: { namespace: "search" } } },
            { type: TYPES.resourceQuota, name: "q3", props: {} },
            svc("annotated", "search", { template: { nodeSelector: { [POOL_LABEL]: "sel" }, containers: [c(1)] } }, { [ANNOTATIONS.pool]: "ann", other: 3 as unknown as string }),
            svc("selected", "search", { template: { nodeSelector: { [POOL_LABEL]: "sel" }, containers: [c(2)] } }),
            svc("worker", "lab", { worker: { nodeSelector: { [POOL_LABEL]: "wk" }, containers: [c(1)] } }),
            svc("nospec", "lab", undefined),
            workload(DEP, "dep", "lab", { template: { spec: { nodeSelector: { [POOL_LABEL]: "dp" }, containers: [c(3)] } } }),
            workload(DEP, "cpu", "lab", { template: { spec: { containers: [{ name: "c" }] } } }),
            workload("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "lws", "lab", {
                leaderWorkerTemplate: { leaderTemplate: { spec: { containers: [c(1)] } }, workerTemplate: { spec: { nodeSelector: { [POOL_LABEL]: "lw" }, containers: [c(1)] } } },
            }),
        ];
        const idx = indexStack(resources);
        assert.deepEqual([...idx.namespaces], [["search", { team: "search-team", urn: "urn:ns" }], ["plain", { team: undefined, urn: undefined }]]);
        assert.deepEqual([...idx.resourceQuotas].map(([k, v]) => [k, v.map((r) => r.name)]), [["search", ["q1", "q2"]], ["default", ["q3"]]]);
        assert.deepEqual(idx.consumers.map((x) => [x.name, x.kind, x.team, x.teamFrom, x.pool, x.demand.known ? x.demand.gpus : "?"]), [
            ["annotated", "service", "search-team", "namespace-label", "ann", 1],
            ["selected", "service", "search-team", "namespace-label", "sel", 2],
            ["worker", "service", "lab", "namespace", "wk", 1],
            ["nospec", "service", "lab", "namespace", undefined, "?"],
            ["dep", "workload", "lab", "namespace", "dp", 3],
            ["lws", "workload", "lab", "namespace", "lw", 1],
        ]);
        assert.deepEqual(idx.consumers[0].annotations, { [ANNOTATIONS.pool]: "ann" }, "string annotations only");
        assert.equal(idx.consumers[0].urn, "urn:annotated");
        assert.equal(idx.consumers[4].type, DEP);
        assert.equal(idx.consumers[4].resourceName, "dep");
        assert.ok(idx.consumers[0].detail?.known);
        assert.equal(idx.consumers[4].detail, undefined);
    });

    it("sums known demand per team, namespace and pool; undeterminable demand is listed, never added as zero", () => {
        const idx = indexStack([
            svc("a", "n1", { replicas: 2, template: pod(c(4)) }, { [ANNOTATIONS.team]: "t", [ANNOTATIONS.pool]: "p" }),
            svc("b", "n2", { template: pod(c("x")) }, { [ANNOTATIONS.team]: "t", [ANNOTATIONS.pool]: "p" }),
            svc("c", "n2", { template: pod(c(1)) }, { [ANNOTATIONS.team]: "u" }),
        ]);
        const team = demandByTeam(idx).get("t")!;
        assert.deepEqual([team.gpus, team.consumers.map((x) => x.name), team.undeterminable.map((x) => x.name), [...team.namespaces]], [8, ["a", "b"], ["b"], ["n1", "n2"]]);
        assert.deepEqual([...demandByNamespace(idx)].map(([k, v]) => [k, v.gpus, v.undeterminable.length]), [["n1", 8, 0], ["n2", 1, 1]]);
        assert.deepEqual([...demandByPool(idx)].map(([k, v]) => [k, v.gpus, v.consumers.length]), [["p", 8, 2]], "consumers without a pool are left out");
    });

    it("lists consumers largest first, undeterminable first of all, ties by name, workloads with their kind", () => {
        const idx = indexStack([
            svc("b", "n", { template: pod(c(2)) }), svc("a", "n", { template: pod(c(2)) }), svc("z", "n", { template: pod(c(9)) }),
            svc("u", "n", { template: pod(c("?")) }), workload(DEP, "d", "n", { template: { spec: pod(c(1)) } }),
        ]);
        assert.equal(describeConsumers(idx.consumers), "u: undeterminable, z: 9, a: 2, b: 2, d (Deployment): 1");
        assert.equal(describeConsumers([]), "");
    });

    it("accelerator memory: the annotation when numeric, else the catalog by accelerator", () => {
        assert.equal(acceleratorMemoryOf({ [ANNOTATIONS.acceleratorMemoryGiB]: "40", [ANNOTATIONS.accelerator]: "H100" }), 40);
        assert.equal(acceleratorMemoryOf({ [ANNOTATIONS.acceleratorMemoryGiB]: "0" }), 0);
        assert.equal(acceleratorMemoryOf({ [ANNOTATIONS.acceleratorMemoryGiB]: " ", [ANNOTATIONS.accelerator]: "H100" }), 80);
        assert.equal(acceleratorMemoryOf({ [ANNOTATIONS.acceleratorMemoryGiB]: "lots", [ANNOTATIONS.accelerator]: "H100" }), 80);
        assert.equal(acceleratorMemoryOf({ [ANNOTATIONS.accelerator]: "nope" }), undefined);
        assert.equal(acceleratorMemoryOf({}), undefined);
    });

    it("selected pool: nodeSelector first, else one value across the required terms' In expressions", () => {
        const aff = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
        const inExpr = (...values: unknown[]) => ({ key: POOL_LABEL, operator: "In", values });
        assert.equal(selectedPool({ nodeSelector: { [POOL_LABEL]: "a" }, ...aff({ matchExpressions: [inExpr("b")] }) }), "a");
        assert.equal(selectedPool({ nodeSelector: { [POOL_LABEL]: "" }, ...aff({ matchExpressions: [inExpr("b")] }) }), "b");
        assert.equal(selectedPool(aff({ matchExpressions: [inExpr("b")] }, { matchExpressions: [inExpr("b")] })), "b");
        assert.equal(selectedPool(aff({ matchExpressions: [inExpr("b")] }, { matchExpressions: [inExpr("c")] })), undefined);
        assert.equal(selectedPool(aff({ matchExpressions: [inExpr("b", "c")] })), undefined);
        assert.equal(selectedPool(aff({ matchExpressions: [inExpr("b", 3)] })), "b");
        assert.equal(selectedPool(aff({ matchExpressions: [{ key: POOL_LABEL, operator: "NotIn", values: ["b"] }] })), undefined);
        assert.equal(selectedPool(aff({ matchExpressions: [inExpr("b")] }, { matchExpressions: [{ key: "zone", operator: "In", values: ["z"] }] })), undefined);
        assert.equal(selectedPool(aff()), undefined);
        assert.equal(selectedPool({}), undefined);
    });
});

// ---------------------------------------------------------------------------------------------------------------
describe("lib/demand edges: what the first mutation run left alive", () => {
    it("a pod asks for GPUs when any one container does; a LeaderWorkerSet counts when only its workers do", () => {
        assert.equal(podRequestsGpus(pod({ name: "cpu" }, c(1, "gpu"))), true);
        const lws = workloadGpuDemand({
            type: "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
            props: { spec: { leaderWorkerTemplate: { size: 3, leaderTemplate: { spec: pod({ name: "l" }) }, workerTemplate: { spec: pod(c(2)) } } } },
        });
        assert.deepEqual(lws, { known: true, gpus: 4 });
        assert.deepEqual(workloadGpuDemand({ type: "kubernetes:core/v1:Pod", props: { spec: { replicas: 3, containers: [c(1)] } } }), { known: true, gpus: 1 }, "a Pod is one pod");
    });

    it("specs without the expected nesting have no pods (no crash)", () => {
        for (const type of [DEP, "kubernetes:batch/v1:CronJob", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"]) {
            assert.deepEqual(podSpecsOf({ type, props: {} }), [], type);
        }
        assert.deepEqual(podSpecsOf({ type: "kubernetes:batch/v1:CronJob", props: { spec: { jobTemplate: "x" } } }), []);
        assert.deepEqual(podSpecsOf({ type: "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", props: { spec: { leaderWorkerTemplate: "x" } } }), []);
        assert.equal(poolNameOf({ type: TYPES.configMap, props: {} }), undefined);
        assert.deepEqual(maxNodesOf({ type: TYPES.configMap, props: {} }), { reason: "annotation modelplane.io/max-nodes is undefined" });
        assert.deepEqual(instanceTypesOf({ type: TYPES.gkeNodePool, props: {} }), []);
        assert.deepEqual(instanceTypesOf({ type: TYPES.configMap, props: { nodeConfig: { machineType: "g2-standard-48" } } }), []);
        const idx = indexStack([{ type: TYPES.llmInferenceService, name: "bare", props: { spec: { template: pod(c(1)) } } }, { type: DEP, name: "d", props: { spec: { template: { spec: pod(c(1)) } } } }]);
        assert.deepEqual(idx.consumers.map((x) => [x.name, x.namespace, x.demand]), [["bare", "default", { known: true, gpus: 1 }], ["d", "default", { known: true, gpus: 1 }]]);
    });

    it("skips containers that are not objects, and names unnamed ones by index", () => {
        assert.equal(gpusOf({ template: { containers: [null, "x", c(2)] } }), 2);
        assert.equal(reason(serviceDemand({ template: { containers: [{ resources: { limits: { [G]: "x" } } }] } })), 'spec.template container "#0" resources.limits["nvidia.com/gpu"] is "x", not a quantity');
    });

    it("a preset's request-only or limit-only GPUs survive a service container that sets neither", () => {
        assert.equal(gpusOf({ baseRefs: [{ name: "r" }], template: pod({ name: "main", resources: { limits: { cpu: 1 } } }) }, [preset("r", "team", { template: pod(requestOnly(3)) })]), 3);
        assert.equal(gpusOf({ baseRefs: [{ name: "l" }], template: pod({ name: "main" }) }, [preset("l", "team", { template: pod(limitOnly(3)) })]), 3);
    });

    it("init containers with only a request or only a limit count", () => {
        assert.equal(gpusOf({ template: { initContainers: [requestOnly(4, "init")], containers: [c(1)] } }), 4);
        assert.equal(gpusOf({ template: { initContainers: [limitOnly(4, "init")], containers: [c(1)] } }), 4);
        assert.equal(gpusOf({ template: { initContainers: [{ ...requestOnly(2, "side"), restartPolicy: "Always" }], containers: [c(1)] } }), 3);
    });

    it("without a worker a service is one pod per replica, whatever its parallelism", () => {
        const d = known(serviceDemand({ parallelism: { pipeline: 2, data: 4 }, template: pod(c(4)) }));
        assert.deepEqual(d.workloads.map((w) => [w.groupSize, w.gpusPerReplica]), [[1, 4]]);
        assert.equal(describeDemand(d), "1 × (4) = 4");
    });

    it("pools: several types take the smallest wherever it is listed; GKE accelerators only for GKE types not in the catalog", () => {
        const eks = (props: Record<string, unknown>): ResourceLike => ({ type: TYPES.eksNodeGroup, name: "n", props: { labels: { [POOL_LABEL]: "p" }, scalingConfig: { maxSize: 1 }, ...props } });
        const gke = (nodeConfig: Record<string, unknown>): ResourceLike => ({ type: TYPES.gkeNodePool, name: "g", props: { nodeConfig: { labels: { [POOL_LABEL]: "p" }, ...nodeConfig }, autoscaling: { totalMaxNodeCount: 1 } } });
        const cap = (r: ResourceLike) => poolCapacities([r]).get("p")!;
        assert.equal(cap(eks({ instanceTypes: ["p5.4xlarge", "p5.48xlarge"] })).gpusPerNode, 1);
        assert.equal(cap(eks({ instanceTypes: ["p5.48xlarge", "p5.4xlarge"] })).gpusPerNode, 1);
        assert.equal(cap(eks({ labels: { [POOL_LABEL]: "p", [POOL_ANNOTATIONS.accelerator]: "custom" }, instanceTypes: ["p5.48xlarge"] })).accelerator, "custom");
        const eksAccel = cap(eks({ instanceTypes: ["x9.large"], nodeConfig: { guestAccelerators: [{ type: "nvidia-l4", count: 2 }] } }));
        assert.deepEqual([eksAccel.gpusPerNode, eksAccel.reason], [undefined, "NodeGroup n: instance type x9.large is not in lib/catalog (GPUs per node unknown)"]);
        assert.equal(cap(gke({ machineType: "g2-standard-48", guestAccelerators: [{ type: "nvidia-l4", count: 1 }] })).gpusPerNode, 4, "the catalog wins for known types");
        const labelled = cap(gke({ machineType: "n1-x", labels: { [POOL_LABEL]: "p", [POOL_ANNOTATIONS.accelerator]: "mine" }, guestAccelerators: [{ type: "nvidia-l4", count: 2 }] }));
        assert.deepEqual([labelled.gpusPerNode, labelled.accelerator], [2, "mine"]);
        const unknownType = cap(gke({ machineType: "n1-x", guestAccelerators: [{ type: "nvidia-new", count: 2 }] }));
        assert.deepEqual([unknownType.gpusPerNode, unknownType.accelerator], [2, undefined]);
    });

    it("a pool's max nodes are unknown when any source's are; a source without max nodes has no maxNodes key", () => {
        const pools = poolCapacities([
            { type: TYPES.eksNodeGroup, name: "a", props: { labels: { [POOL_LABEL]: "p" }, instanceTypes: ["p5.48xlarge"], scalingConfig: { maxSize: 2 } } },
            { type: TYPES.eksNodeGroup, name: "b", props: { labels: { [POOL_LABEL]: "p" }, instanceTypes: ["p5.48xlarge"] } },
        ]);
        const p = pools.get("p")!;
        assert.equal(p.maxNodes, undefined);
        assert.deepEqual(p.sources[1], { urn: undefined, type: TYPES.eksNodeGroup, name: "b", instanceType: "p5.48xlarge", gpusPerNode: 8, reason: "scalingConfig.maxSize is not set" });
    });

    it("a required term with In on another key does not select a pool; ConfigGroup presets without a name are indexed under \"\"", () => {
        const aff = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z"] }] }] } } } };
        assert.equal(selectedPool(aff), undefined);
        const idx = indexPresets([{ type: "kubernetes:yaml/v2:ConfigGroup", name: "g", props: { objs: [{ apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceServiceConfig", metadata: { namespace: "kserve" }, spec: { replicas: 2 } }] } }]);
        assert.deepEqual(idx.get("kserve", ""), { replicas: 2 });
    });
});
