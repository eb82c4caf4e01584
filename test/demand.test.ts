import { strict as assert } from "node:assert";
import {
    demandByPool, demandByTeam, describeDemand, gpuQuantity, groupSize, indexPresets, indexStack, parseQuantity, podGpus,
    poolCapacities, ResourceLike, selectedPool, serviceDemand, workloadGpuDemand, GpuDemand, KnownDemand,
} from "../lib/demand";
import { ANNOTATIONS, POOL_ANNOTATIONS, POOL_LABEL, TEAM_LABEL } from "../lib/labels";
import { TYPES } from "../lib/resources";

const gpuContainer = (gpus: unknown, name = "main", field: "limits" | "requests" | "both" = "both") => ({
    name,
    image: "vllm",
    resources: {
        ...(field !== "requests" ? { limits: { "nvidia.com/gpu": gpus, cpu: "4" } } : {}),
        ...(field !== "limits" ? { requests: { "nvidia.com/gpu": gpus, cpu: "2" } } : {}),
    },
});
const pod = (...containers: unknown[]) => ({ containers });

function svc(name: string, namespace: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): ResourceLike {
    return {
        type: TYPES.llmInferenceService,
        name: `model-${name}`,
        urn: `urn:pulumi:prod::modelplane::${TYPES.llmInferenceService}::model-${name}`,
        props: { apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", metadata: { name, namespace, annotations }, spec },
    };
}

function preset(name: string, namespace: string, spec: Record<string, unknown>): ResourceLike {
    return {
        type: TYPES.llmInferenceServiceConfig,
        name: `preset-${namespace}-${name}`,
        props: { apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceServiceConfig", metadata: { name, namespace }, spec },
    };
}

function known(d: GpuDemand): KnownDemand {
    assert.ok(d.known, `expected a known demand, got: ${d.known ? "" : d.reason}`);
    return d as KnownDemand;
}

describe("lib/demand: quantities", () => {
    it("parses Kubernetes quantities", () => {
        assert.equal(parseQuantity(2), 2);
        assert.equal(parseQuantity("8"), 8);
        assert.equal(parseQuantity("1000m"), 1);
        assert.equal(parseQuantity("1e1"), 10);
        assert.equal(parseQuantity("2Ki"), 2048);
        assert.equal(parseQuantity("0.5"), 0.5);
        assert.equal(parseQuantity("eight"), undefined);
        assert.equal(parseQuantity(undefined), undefined);
        assert.equal(parseQuantity("1 GPU"), undefined);
    });

    it("accepts only whole, non-negative GPU counts", () => {
        assert.deepEqual(gpuQuantity("4", "x"), { known: true, gpus: 4 });
        assert.deepEqual(gpuQuantity("2000m", "x"), { known: true, gpus: 2 });
        const frac = gpuQuantity("1.5", "limit");
        assert.ok(!frac.known && /limit is "1.5", not a whole number/.test(frac.reason));
        const nan = gpuQuantity("lots", "limit");
        assert.ok(!nan.known && /not a quantity/.test(nan.reason));
        assert.ok(!gpuQuantity(-1, "x").known);
    });
});

describe("lib/demand: pods", () => {
    it("sums the GPU limits of a pod's containers, falling back to requests", () => {
        assert.deepEqual(podGpus(pod(gpuContainer(2, "a", "limits"), gpuContainer(1, "b", "requests"))), { known: true, gpus: 3 });
        assert.deepEqual(podGpus(pod({ name: "cpu-only", resources: { limits: { cpu: "2" } } })), { known: true, gpus: 0 });
    });

    it("sizes init containers and sidecars like the scheduler", () => {
        // A plain init container runs alone: the pod needs max(init, app containers).
        assert.deepEqual(podGpus({ initContainers: [gpuContainer(4, "warmup")], containers: [gpuContainer(2)] }), { known: true, gpus: 4 });
        // A sidecar (restartPolicy: Always) runs next to the app containers: it adds.
        assert.deepEqual(podGpus({ initContainers: [{ ...gpuContainer(1, "side"), restartPolicy: "Always" }], containers: [gpuContainer(2)] }), { known: true, gpus: 3 });
    });

    it("reports a fractional GPU as undeterminable with the container named", () => {
        const g = podGpus(pod(gpuContainer("0.5")), "spec.template");
        assert.ok(!g.known);
        assert.match(g.reason, /spec\.template container "main" resources\.limits\["nvidia\.com\/gpu"\] is "0\.5"/);
    });
});

describe("lib/demand: group size (KServe ParallelismSpec.GetSize)", () => {
    it("is 1 without a worker, whatever the parallelism", () => {
        assert.equal(groupSize({ tensor: 8, pipeline: 2 }, false), 1);
        assert.equal(groupSize({ data: 4, dataLocal: 1 }, false), 1);
    });
    it("is data / dataLocal for data parallelism (dataLocal defaults to 1, integer division, at least 1)", () => {
        assert.equal(groupSize({ data: 4, dataLocal: 2 }, true), 2);
        assert.equal(groupSize({ data: 4 }, true), 4);
        assert.equal(groupSize({ data: 3, dataLocal: 2 }, true), 1);
        assert.equal(groupSize({ dataLocal: 8 }, true), 1);
        // Data parallelism is checked before pipeline parallelism.
        assert.equal(groupSize({ data: 2, dataLocal: 1, pipeline: 4 }, true), 2);
    });
    it("is the pipeline degree for pipeline parallelism", () => {
        assert.equal(groupSize({ tensor: 8, pipeline: 2 }, true), 2);
    });
    it("is 1 with a worker but neither data nor pipeline parallelism (LWS default size)", () => {
        assert.equal(groupSize({ tensor: 4 }, true), 1);
        assert.equal(groupSize(undefined, true), 1);
    });
});

describe("lib/demand: one LLMInferenceService", () => {
    it("single node: replicas × GPUs of the pod", () => {
        const d = known(serviceDemand({ replicas: 2, parallelism: { tensor: 4 }, template: pod(gpuContainer(4)) }));
        assert.equal(d.gpus, 8);
        assert.deepEqual(d.workloads.map((w) => [w.role, w.replicas, w.replicasFrom, w.groupSize, w.gpusPerReplica]), [["main", 2, "replicas", 1, 4]]);
        assert.equal(describeDemand(d), "2 × (4) = 8");
    });

    it("defaults to one replica and counts scaling.maxReplicas as the worst case", () => {
        assert.equal(known(serviceDemand({ template: pod(gpuContainer(1)) })).gpus, 1);
        const d = known(serviceDemand({ scaling: { minReplicas: 1, maxReplicas: 3 }, template: pod(gpuContainer(4)) }));
        assert.equal(d.gpus, 12);
        assert.equal(d.workloads[0].replicasFrom, "scaling.maxReplicas");
        assert.equal(known(serviceDemand({ replicas: 0, template: pod(gpuContainer(4)) })).gpus, 0);
    });

    it("multi-node data parallel: replicas × (leader + (data/dataLocal − 1) × worker)", () => {
        const d = known(serviceDemand({
            replicas: 2,
            parallelism: { tensor: 1, data: 8, dataLocal: 4 },
            template: pod(gpuContainer(4)),
            worker: pod(gpuContainer(4)),
        }));
        assert.equal(d.workloads[0].groupSize, 2);
        assert.equal(d.gpus, 2 * (4 + 1 * 4));
    });

    it("multi-node pipeline parallel: the group is `pipeline` pods", () => {
        const d = known(serviceDemand({ replicas: 1, parallelism: { tensor: 8, pipeline: 2 }, template: pod(gpuContainer(8)), worker: pod(gpuContainer(8)) }));
        assert.equal(d.gpus, 16);
        assert.equal(describeDemand(d), "1 × (8 + 1 × 8) = 16");
    });

    it("uses the worker template for the leader when there is no template (LeaderWorkerSet default)", () => {
        const d = known(serviceDemand({ parallelism: { pipeline: 4 }, worker: pod(gpuContainer(2)) }));
        assert.equal(d.gpus, 8);
    });

    it("adds the prefill workload (P/D disaggregation), with its own replicas, scaling and group", () => {
        const d = known(serviceDemand({
            replicas: 2,
            template: pod(gpuContainer(1)),
            prefill: { replicas: 3, template: pod(gpuContainer(2)) },
        }));
        assert.equal(d.gpus, 2 * 1 + 3 * 2);
        const mn = known(serviceDemand({
            template: pod(gpuContainer(1)),
            prefill: { scaling: { maxReplicas: 2 }, parallelism: { data: 4, dataLocal: 2 }, template: pod(gpuContainer(2)), worker: pod(gpuContainer(2)) },
        }));
        assert.equal(mn.gpus, 1 + 2 * (2 + 1 * 2));
        assert.deepEqual(mn.workloads.map((w) => w.role), ["main", "prefill"]);
    });

    it("merges presets named by baseRefs: containers by name, later refs win, the service's own spec wins", () => {
        const presets = indexPresets([
            preset("gpu-4", "kserve", { template: { containers: [gpuContainer(4)] } }),
            preset("gpu-2", "search", { template: { containers: [gpuContainer(2)] }, replicas: 3 }),
            preset("sidecar-gpu", "search", { template: { containers: [gpuContainer(1, "embedder")] } }),
        ]);
        // Preset only: the preset's GPUs and replicas.
        const a = known(serviceDemand({ baseRefs: [{ name: "gpu-2" }], template: { containers: [{ name: "main", image: "x" }] } }, { namespace: "search", presets }));
        assert.equal(a.gpus, 3 * 2);
        assert.deepEqual(a.appliedPresets, ["search/gpu-2"]);
        // Later baseRef wins over earlier (gpu-2 after gpu-4 → 2 GPUs), found in the service namespace then in kserve.
        const b = known(serviceDemand({ replicas: 1, baseRefs: [{ name: "gpu-4" }, { name: "gpu-2" }] }, { namespace: "search", presets }));
        assert.equal(b.gpus, 2);
        assert.deepEqual(b.appliedPresets, ["kserve/gpu-4", "search/gpu-2"]);
        // The service's own limit wins; a preset container with another name adds its GPUs.
        const c = known(serviceDemand({ replicas: 1, baseRefs: [{ name: "gpu-4" }, { name: "sidecar-gpu" }], template: pod(gpuContainer(8)) }, { namespace: "search", presets }));
        assert.equal(c.gpus, 8 + 1);
    });

    it("merges resources key by key: a service that sets only cpu keeps the preset's GPU limit", () => {
        const presets = indexPresets([preset("gpu", "kserve", { template: { containers: [gpuContainer(4)] } })]);
        const d = known(serviceDemand({ baseRefs: [{ name: "gpu" }], template: { containers: [{ name: "main", resources: { limits: { cpu: "8" } } }] } }, { presets }));
        assert.equal(d.gpus, 4);
    });

    it("treats KServe's well-known presets as adding no GPUs, and merges a well-known preset the stack registers itself", () => {
        const none = indexPresets([]);
        assert.equal(known(serviceDemand({ baseRefs: [{ name: "kserve-config-llm-template" }], template: pod(gpuContainer(1)) }, { presets: none })).gpus, 1);
        // The controller picks kserve-config-llm-template for a single-node service without being asked.
        const own = indexPresets([preset("kserve-config-llm-template", "kserve", { template: { containers: [gpuContainer(2)] } })]);
        const d = known(serviceDemand({ replicas: 2, template: { containers: [{ name: "main" }] } }, { presets: own }));
        assert.equal(d.gpus, 4);
        assert.deepEqual(d.appliedPresets, ["kserve/kserve-config-llm-template"]);
        // …but not for a multi-node service, which gets kserve-config-llm-worker-data-parallel instead.
        const mn = known(serviceDemand({ parallelism: { data: 2 }, template: { containers: [{ name: "main" }] }, worker: { containers: [{ name: "main" }] } }, { presets: own }));
        assert.equal(mn.gpus, 0);
    });

    it("is undeterminable (never zero) for an unknown preset, a fractional or non-numeric quantity, or a bad replica count", () => {
        const presets = indexPresets([preset("elsewhere", "other-team", { template: pod(gpuContainer(4)) })]);
        const unknownRef = serviceDemand({ baseRefs: [{ name: "elsewhere" }], template: pod(gpuContainer(1)) }, { namespace: "search", presets });
        assert.ok(!unknownRef.known);
        assert.match(unknownRef.reason, /baseRef "elsewhere".*does not register.*"search" and "kserve"/);

        const frac = serviceDemand({ template: pod(gpuContainer("1.5")) });
        assert.ok(!frac.known && /not a whole number/.test(frac.reason));
        const word = serviceDemand({ worker: pod(gpuContainer("all")), parallelism: { pipeline: 2 }, template: pod(gpuContainer(1)) });
        assert.ok(!word.known && /spec\.worker container "main".*"all", not a quantity/.test(word.reason));
        const replicas = serviceDemand({ replicas: "2", template: pod(gpuContainer(1)) });
        assert.ok(!replicas.known && /spec\.replicas is "2"/.test(replicas.reason));
        const noMax = serviceDemand({ scaling: { minReplicas: 1 }, template: pod(gpuContainer(1)) });
        assert.ok(!noMax.known && /no maxReplicas/.test(noMax.reason));
        const prefill = serviceDemand({ template: pod(gpuContainer(1)), prefill: { template: pod(gpuContainer("2.5")) } });
        assert.ok(!prefill.known && /spec\.prefill\.template/.test(prefill.reason));
        assert.ok(!serviceDemand(undefined).known);
    });

    it("without a preset index (a resource policy), unknown refs are listed and the demand is a lower bound", () => {
        const d = known(serviceDemand({ replicas: 2, baseRefs: [{ name: "team-preset" }, { name: "kserve-config-llm-template" }], template: pod(gpuContainer(4)) }));
        assert.equal(d.gpus, 8);
        assert.deepEqual(d.unresolvedPresets, ["team-preset"]);
    });
});

describe("lib/demand: core workloads", () => {
    const wl = (type: string, spec: Record<string, unknown>) => ({ type, props: { metadata: { name: "w", namespace: "search" }, spec } });
    it("counts replicas × pod GPUs for Deployments and parallelism for Jobs; none for CPU-only workloads", () => {
        assert.deepEqual(workloadGpuDemand(wl("kubernetes:apps/v1:Deployment", { replicas: 3, template: { spec: pod(gpuContainer(2)) } })), { known: true, gpus: 6 });
        assert.deepEqual(workloadGpuDemand(wl("kubernetes:apps/v1:StatefulSet", { template: { spec: pod(gpuContainer(1)) } })), { known: true, gpus: 1 });
        assert.deepEqual(workloadGpuDemand(wl("kubernetes:batch/v1:Job", { parallelism: 4, template: { spec: pod(gpuContainer(1)) } })), { known: true, gpus: 4 });
        assert.deepEqual(workloadGpuDemand(wl("kubernetes:core/v1:Pod", pod(gpuContainer(2)))), { known: true, gpus: 2 });
        assert.equal(workloadGpuDemand(wl("kubernetes:apps/v1:Deployment", { template: { spec: pod({ name: "web" }) } })), undefined);
    });
    it("counts LeaderWorkerSet groups and calls DaemonSets and overlapping CronJobs undeterminable", () => {
        const lws = wl("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", {
            replicas: 2,
            leaderWorkerTemplate: { size: 4, leaderTemplate: { spec: pod(gpuContainer(8)) }, workerTemplate: { spec: pod(gpuContainer(8)) } },
        });
        assert.deepEqual(workloadGpuDemand(lws), { known: true, gpus: 2 * 4 * 8 });
        assert.equal(workloadGpuDemand(wl("kubernetes:apps/v1:DaemonSet", { template: { spec: pod(gpuContainer(1)) } }))?.known, false);
        assert.equal(workloadGpuDemand(wl("kubernetes:batch/v1:CronJob", { jobTemplate: { spec: { template: { spec: pod(gpuContainer(1)) } } } }))?.known, false);
        assert.deepEqual(
            workloadGpuDemand(wl("kubernetes:batch/v1:CronJob", { concurrencyPolicy: "Forbid", jobTemplate: { spec: { template: { spec: pod(gpuContainer(1)) } } } })),
            { known: true, gpus: 1 },
        );
    });
});

describe("lib/demand: pools", () => {
    const nodeGroup = (name: string, labels: Record<string, string>, instanceTypes: string[], maxSize?: number): ResourceLike => ({
        type: TYPES.eksNodeGroup, name, urn: `urn:pulumi:prod::modelplane::${TYPES.eksNodeGroup}::${name}`,
        props: { instanceTypes, labels, scalingConfig: maxSize === undefined ? {} : { minSize: 0, maxSize, desiredSize: 0 } },
    });

    it("EKS node groups: catalog GPUs per node × scalingConfig.maxSize; system pools are not GPU pools", () => {
        const pools = poolCapacities([
            nodeGroup("llm-prod-h100", { [POOL_LABEL]: "h100" }, ["p5.48xlarge"], 4),
            nodeGroup("llm-prod-system", {}, ["m7i.2xlarge"], 6),
        ]);
        assert.deepEqual([...pools.keys()], ["h100"]);
        const h100 = pools.get("h100")!;
        assert.equal(h100.cloud, "aws");
        assert.equal(h100.accelerator, "H100");
        assert.equal(h100.gpusPerNode, 8);
        assert.equal(h100.maxNodes, 4);
        assert.equal(h100.capacity, 32);
    });

    it("GKE node pools: totalMaxNodeCount, or maxNodeCount per zone × nodeLocations (a note when zones are unknown)", () => {
        const np = (name: string, autoscaling: Record<string, unknown>, nodeLocations?: string[]): ResourceLike => ({
            type: TYPES.gkeNodePool, name,
            props: { nodeConfig: { machineType: "g2-standard-48", labels: { [POOL_LABEL]: name }, guestAccelerators: [{ type: "nvidia-l4", count: 4 }] }, autoscaling, ...(nodeLocations ? { nodeLocations } : {}) },
        });
        const pools = poolCapacities([
            np("total", { totalMinNodeCount: 0, totalMaxNodeCount: 2 }),
            np("zonal", { minNodeCount: 0, maxNodeCount: 2 }, ["us-central1-a", "us-central1-b"]),
            np("nozones", { minNodeCount: 0, maxNodeCount: 3 }),
        ]);
        assert.equal(pools.get("total")!.capacity, 8);
        assert.equal(pools.get("zonal")!.capacity, 16);
        assert.equal(pools.get("nozones")!.capacity, 12);
        assert.match(pools.get("nozones")!.sources[0].note!, /per zone and nodeLocations is not set/);
        assert.equal(pools.get("total")!.accelerator, "L4");
    });

    it("existing clusters: the pool marker ConfigMap's annotations; unknown types give a reason, not a capacity", () => {
        const cm: ResourceLike = {
            type: TYPES.configMap, name: "pool-cpu",
            props: { metadata: { name: "pool-cpu", namespace: "modelplane-system", annotations: { [POOL_ANNOTATIONS.pool]: "cpu", [POOL_ANNOTATIONS.accelerator]: "cpu", [POOL_ANNOTATIONS.gpusPerNode]: "0", [POOL_ANNOTATIONS.maxNodes]: "1" } } },
        };
        const elsewhere: ResourceLike = { ...cm, name: "not-a-marker", props: { metadata: { ...(cm.props.metadata as object), namespace: "default" } } };
        const pools = poolCapacities([cm, elsewhere, nodeGroup("odd", { [POOL_LABEL]: "odd" }, ["x9.huge"], 2)]);
        assert.deepEqual(pools.get("cpu")!.capacity, 0);
        assert.equal(pools.get("cpu")!.cloud, "existing");
        assert.equal(pools.size, 2);
        assert.equal(pools.get("odd")!.capacity, undefined);
        assert.match(pools.get("odd")!.reason!, /x9\.huge is not in lib\/catalog/);
    });

    it("selects the pool from nodeSelector or a single-valued required affinity", () => {
        assert.equal(selectedPool({ nodeSelector: { [POOL_LABEL]: "h100" } }), "h100");
        const aff = (values: string[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: "In", values }] }] } } } });
        assert.equal(selectedPool(aff(["l40s"])), "l40s");
        assert.equal(selectedPool(aff(["l40s", "h100"])), undefined);
    });
});

describe("lib/demand: per team and per pool", () => {
    const ns = (name: string, team?: string): ResourceLike => ({
        type: TYPES.namespace, name: `ns-${name}`, urn: `urn:ns:${name}`, props: { metadata: { name, labels: team ? { [TEAM_LABEL]: team } : {} } },
    });
    const ann = (team: string, pool: string) => ({ [ANNOTATIONS.team]: team, [ANNOTATIONS.pool]: pool });

    it("charges a service to its namespace's team label, else its team annotation, else its namespace", () => {
        const index = indexStack([
            ns("search", "search"),
            ns("shared"),
            svc("a", "search", { replicas: 2, template: pod(gpuContainer(4)) }, ann("mislabelled", "h100")),
            svc("b", "shared", { template: pod(gpuContainer(2)) }, ann("assistant", "l40s")),
            svc("c", "adhoc", { template: pod(gpuContainer(1)) }),
            svc("d", "search", { template: pod(gpuContainer("x")) }, ann("search", "h100")),
        ]);
        const teams = demandByTeam(index);
        assert.deepEqual([...teams.keys()].sort(), ["adhoc", "assistant", "search"]);
        assert.equal(teams.get("search")!.gpus, 8);
        assert.deepEqual(teams.get("search")!.undeterminable.map((c) => c.name), ["d"]);
        assert.equal(teams.get("assistant")!.gpus, 2);
        assert.equal(teams.get("adhoc")!.consumers[0].teamFrom, "namespace");
        const pools = demandByPool(index);
        assert.equal(pools.get("h100")!.gpus, 8);
        assert.equal(pools.get("l40s")!.gpus, 2);
    });

    it("finds presets passed as objects of a yaml/v2 ConfigGroup", () => {
        const group: ResourceLike = {
            type: "kubernetes:yaml/v2:ConfigGroup", name: "kserve-presets",
            props: { objs: [{ apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceServiceConfig", metadata: { name: "streamer", namespace: "kserve" }, spec: { template: { containers: [gpuContainer(2)] } } }, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }] },
        };
        const d = known(serviceDemand({ baseRefs: [{ name: "streamer" }], template: { containers: [{ name: "main" }] } }, { namespace: "search", presets: indexPresets([group]) }));
        assert.equal(d.gpus, 2);
    });

    it("merges presets registered anywhere in the stack when indexing (one pass)", () => {
        const index = indexStack([
            preset("big", "kserve", { template: { containers: [gpuContainer(8)] } }),
            svc("a", "search", { replicas: 2, baseRefs: [{ name: "big" }], template: { containers: [{ name: "main" }] } }),
        ]);
        assert.equal(demandByTeam(index).get("search")!.gpus, 16);
    });
});
