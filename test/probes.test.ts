// Startup-probe budgets of vLLM leader pods (components/models/probes.ts): KServe v0.20.0's presets allow 600 s
// (failureThreshold 60 × periodSeconds 10), which kills large models during startup and, for a multi-node
// LeaderWorkerSet group, recreates the whole group and downloads everything again, forever.
import { strict as assert } from "node:assert";
import { GpuPoolConfig, ModelConfig, PlatformConfig } from "../components/config";
import { workerPipelineParallelPreset } from "../components/kserve/presets";
import { strategicMerge } from "../components/models/merge";
import {
    KSERVE_STARTUP_BUDGET_SECONDS, startupBudget, startupBudgetSeconds, startupProbe,
} from "../components/models/probes";
import { weightsGiB } from "../components/models/sizing";
import { topology } from "../lib/topology";
import { ofType, shippedResources, SHIPPED_STACKS, stackConfig } from "./harness";

type Obj = Record<string, any>;

const LLMISVC = "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService";

// The test's own lower bound, independent of probes.ts: a leader must be allowed at least
// - TEST_START_SECONDS to start vLLM without its weights, and
// - the time to read its whole checkpoint at TEST_RATE_MIB_S, and
// - for a multi-node group that downloads with the storage initializer (init containers), the time the other
//   pods take to download the checkpoint, also at TEST_RATE_MIB_S.
// 400 MiB/s (≈ 3.4 Gbit/s) is a rate a pod cannot count on for any of these (an EBS gp3 root disk gives
// 125 MiB/s, the Hub a few hundred MB/s at best), so a budget below this bound is certainly too short.
const TEST_START_SECONDS = 300;
const TEST_RATE_MIB_S = 400;

function lowerBound(m: ModelConfig, multiNode: boolean): number {
    const seconds = (gib: number) => (gib * 1024) / TEST_RATE_MIB_S;
    const w = weightsGiB(m.size);
    const downloadsInPods = m.loader === "storageInitializer" && !m.uri.startsWith("pvc://");
    return TEST_START_SECONDS + seconds(w) + (multiNode && downloadsInPods ? seconds(w) : 0);
}

const prod = stackConfig("prod");
const dev = stackConfig("dev");
const pool = (cfg: PlatformConfig, name: string): GpuPoolConfig => cfg.gpuPools.find((p) => p.name === name)!;
const h100 = pool(prod, "h100"); // p5.48xlarge, raid0
const l40s = pool(prod, "l40s"); // g6e.12xlarge, localVolumes
const l4 = pool(dev, "l4"); // g2-standard-4, no NVMe

const single8 = topology({ tensor: 8 });
const pp2 = topology({ tensor: 8, pipeline: 2 });

function model(paramsBillions: number, over: Partial<ModelConfig> = {}): Pick<ModelConfig, "size" | "loader" | "uri"> {
    return { size: { paramsBillions, dtype: "bfloat16" }, loader: "storageInitializer", uri: "hf://org/model", ...over };
}

describe("startup probe budget (pure)", () => {
    it("is monotone in the model's size, for every loader, pool and topology", () => {
        const loaders: Pick<ModelConfig, "loader" | "uri">[] = [
            { loader: "storageInitializer", uri: "hf://org/m" },
            { loader: "storageInitializer", uri: "s3://b/m" },
            { loader: "runaiStreamer", uri: "s3://b/m" },
            { loader: "localCache", uri: "hf://org/m" },
        ];
        for (const l of loaders) for (const p of [h100, l40s, l4]) for (const t of [single8, pp2]) {
            let last = 0;
            for (const b of [0.1, 1, 7, 8, 70, 200, 405, 671, 1000]) {
                const s = startupBudgetSeconds(model(b, l), t, p);
                assert.ok(s >= last, `${l.loader} ${l.uri} on ${p.name}: ${b}B → ${s} s < ${last} s`);
                assert.ok(Number.isInteger(s), `${s} is whole seconds`);
                last = s;
            }
            assert.ok(last > startupBudgetSeconds(model(8, l), t, p), "a 1000B model gets more time than an 8B one");
        }
    });

    it("never goes below KServe's 600 s (failureThreshold 60 × 10 s)", () => {
        assert.equal(KSERVE_STARTUP_BUDGET_SECONDS, 600);
        for (const p of [h100, l40s, l4]) {
            assert.equal(startupBudgetSeconds(model(0.125), topology({}), p), 600);
            assert.deepEqual(startupProbe(model(0.125), topology({}), p), { periodSeconds: 10, failureThreshold: 60 });
        }
    });

    it("a multi-node storageInitializer group includes the other pods' download; a streamer group does not", () => {
        const m = model(671, { size: { paramsBillions: 671, dtype: "fp8" } });
        const multi = startupBudget(m, pp2, h100);
        const one = startupBudget(m, single8, h100);
        assert.ok(multi.downloadSeconds > 0);
        assert.equal(one.downloadSeconds, 0, "a single pod's own download is over before its main container starts");
        assert.ok(multi.totalSeconds - one.totalSeconds >= (weightsGiB(m.size) * 1024) / TEST_RATE_MIB_S,
            `download of ${weightsGiB(m.size).toFixed(0)} GiB must be in the budget: ${multi.totalSeconds} vs ${one.totalSeconds}`);
        const s3 = startupBudget({ ...m, uri: "s3://b/m" }, pp2, h100);
        assert.ok(multi.downloadSeconds > s3.downloadSeconds, "hf:// is assumed slower than s3://");
        assert.equal(startupBudget({ ...m, loader: "runaiStreamer", uri: "s3://b/m" }, pp2, h100).downloadSeconds, 0);
        assert.equal(startupBudget({ ...m, loader: "localCache" }, pp2, h100).downloadSeconds, 0);
    });

    it("reads from a network block disk more slowly than from the RAID0 NVMe array", () => {
        assert.ok(startupBudgetSeconds(model(70), topology({ tensor: 4 }), l40s) > startupBudgetSeconds(model(70), topology({ tensor: 4 }), h100));
    });

    it("the probe covers the budget in whole periods of 10 s", () => {
        for (const b of [1, 33, 70, 671]) for (const t of [single8, pp2]) {
            const budget = startupBudgetSeconds(model(b), t, h100);
            const p = startupProbe(model(b), t, h100);
            assert.equal(p.periodSeconds, 10);
            assert.ok(Number.isInteger(p.failureThreshold) && p.failureThreshold >= 60);
            assert.ok(p.periodSeconds * p.failureThreshold >= budget);
            assert.ok(p.periodSeconds * (p.failureThreshold - 1) < budget || p.failureThreshold === 60);
        }
    });
});

/** Leader pod specs of a service: the decode/only workload's and the prefill workload's, with whether each is multi-node. */
function leaders(spec: Obj): { at: string; pod: Obj; multiNode: boolean }[] {
    const out = [{ at: "spec.template", pod: spec.template, multiNode: spec.worker !== undefined }];
    if (spec.prefill) out.push({ at: "spec.prefill.template", pod: spec.prefill.template, multiNode: spec.prefill.worker !== undefined });
    return out;
}

const main = (pod: Obj): Obj | undefined => pod?.containers?.find((c: Obj) => c.name === "main");

describe("startup probes of every shipped LLMInferenceService", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: every leader's startup probe allows at least start + read (+ the group's download) at ${TEST_RATE_MIB_S} MiB/s`, async () => {
            const cfg = stackConfig(stack);
            const services = ofType(await shippedResources(stack), LLMISVC);
            assert.ok(services.length > 0, `${stack} ships LLMInferenceServices`);
            for (const svc of services) {
                const name = (svc.props.metadata as Obj).name as string;
                const m = cfg.models.find((x) => x.name === name);
                assert.ok(m, `model ${name} in ${stack}'s config`);
                const spec = svc.props.spec as Obj;
                for (const { at, pod, multiNode } of leaders(spec)) {
                    // Without a startupProbe of its own, the leader keeps the preset's 10 s × 60.
                    const probe = main(pod)?.startupProbe ?? { periodSeconds: 10, failureThreshold: 60, fromPreset: true };
                    const bound = Math.ceil(lowerBound(m, multiNode));
                    const budget = probe.periodSeconds * probe.failureThreshold;
                    assert.ok(budget >= bound,
                        `${stack}/${name} ${at}: startup budget ${probe.periodSeconds} s × ${probe.failureThreshold} = ${budget} s` +
                        `${probe.fromPreset ? " (KServe's preset)" : ""} < ${bound} s ` +
                        `(${weightsGiB(m.size).toFixed(1)} GiB, loader ${m.loader}${multiNode ? ", multi-node" : ""})`);
                    assert.ok(!probe.fromPreset, `${stack}/${name} ${at}: main sets no startupProbe (the budget is not sized from the model)`);
                    // Only the period and the threshold: KServe's preset keeps httpGet (path, port 8000 / decode 8001, scheme).
                    assert.deepEqual(Object.keys(probe).sort(), ["failureThreshold", "periodSeconds"], `${stack}/${name} ${at}`);
                }
                for (const worker of [spec.worker, spec.prefill?.worker]) {
                    if (worker) assert.equal(main(worker)?.startupProbe, undefined, `${stack}/${name}: workers serve nothing and have no probes`);
                }
            }
        });
    }

    it("prod deepseek-r1 (671B fp8, hf://, tensor 8 × pipeline 2) gets far more than 600 s, and the merged leader keeps the preset's httpGet", async () => {
        const svc = ofType(await shippedResources("prod"), LLMISVC).find((r) => (r.props.metadata as Obj).name === "deepseek-r1");
        assert.ok(svc);
        const spec = svc.props.spec as Obj;
        const probe = main(spec.template)!.startupProbe ?? { periodSeconds: 10, failureThreshold: 60 }; // else the preset's
        const budget = probe.periodSeconds * probe.failureThreshold;
        assert.ok(budget >= 3600, `an hour at least (625 GiB downloaded by the other stage, then read): got ${budget} s`);
        // What KServe does: the pipeline-parallel preset, then the service, strategically merged.
        const preset = workerPipelineParallelPreset().spec as Obj;
        const merged = main(strategicMerge(preset.template, spec.template))!.startupProbe;
        assert.equal(merged.httpGet.path, "/health");
        assert.equal(merged.httpGet.port, 8000);
        assert.equal(merged.periodSeconds, 10);
        assert.equal(merged.failureThreshold, probe.failureThreshold);
    });
});
