// Startup-probe budget of a model's vLLM leader pods, sized from the model and how it loads. Pure.
//
// Why: KServe v0.20.0's vLLM presets give `main` a startupProbe of `httpGet /health, periodSeconds: 10,
// failureThreshold: 60`, i.e. 600 s (config/llmisvcconfig/config-llm-template.yaml at v0.20.0; the same in the
// decode (port 8001), prefill and data-parallel presets; modelplane's kserve-config-llm-worker-pipeline-parallel
// copies it). A model that takes longer to come up is killed by the kubelet before it ever serves, and a
// multi-node replica (LeaderWorkerSet, RecreateGroupOnPodRestart) is then recreated as a whole group, downloading
// everything again: a restart loop that never converges (prod deepseek-r1: ≈ 625 GiB on two p5.48xlarge).
//
// The budget (whole seconds, at least KServe's own 600 s):
//
//     budget = ENGINE_START_SECONDS
//            + (multi-node ? MULTI_NODE_EXTRA_SECONDS : 0)
//            + read     = weights GiB × 1024 ÷ readRate(loader, pool)                       [MiB/s]
//            + download = multi-node and the loader downloads inside the pods (storageInitializer)
//                         ? weights GiB × DOWNLOAD_COPIES[scheme] × 1024 ÷ DOWNLOAD_MIB_S[scheme]
//                         : 0
//     probe  = { periodSeconds: 10, failureThreshold: max(60, ceil(budget ÷ 10)) }
//
// - read: the whole checkpoint, not the pod's share of it. vLLM's default loader iterates every tensor of
//   every safetensors file on every rank (vllm/model_executor/model_loader/weight_utils.py
//   `safetensors_weights_iterator`: `for name in f.keys(): f.get_tensor(name)`) and each model's `load_weights`
//   drops what belongs to other pipeline stages or tensor shards; the RunAI streamer likewise streams the
//   files whole. The ranks of one pod share the node's page cache, so the disk or the object store delivers
//   the checkpoint about once per pod — and a pipeline stage still reads all of it.
// - download: a storageInitializer pod downloads in an init container, so the leader's own download is over
//   before its `main` starts and its startup probe runs. The other pods of a multi-node group download at the
//   same time (LeaderWorkerSet StartupPolicy LeaderCreated, workload_multi_node.go), but the leader's API
//   comes up only when every stage (pipeline) or engine (data parallel) has loaded, so the leader's probe
//   also waits for the slowest of them: counted as one whole download (conservative: they started about
//   when the leader's own download did). localCache (the node agent downloads beforehand) and runaiStreamer
//   (no init container: every pod streams during its own startup, in parallel with the leader's) add nothing.
// Every constant below is chosen on the slow side, and why it is conservative is stated with it: a budget
// that is too long only delays the restart of a pod that hangs during startup, while one that is too short
// kills every healthy start of a large model, forever.
import { GpuPoolConfig, ModelConfig } from "../config";
import { Topology } from "../../lib/topology";
import { DOWNLOAD_COPIES, weightsGiB } from "./sizing";

/** The probe period of every KServe vLLM preset (periodSeconds: 10): kept, so only failureThreshold grows. */
export const PROBE_PERIOD_SECONDS = 10;
/** KServe v0.20.0's startup failureThreshold (60 × 10 s = 600 s): the floor, never lowered. */
export const KSERVE_STARTUP_FAILURE_THRESHOLD = 60;
export const KSERVE_STARTUP_BUDGET_SECONDS = PROBE_PERIOD_SECONDS * KSERVE_STARTUP_FAILURE_THRESHOLD;

/**
 * vLLM's start without the weights: Python/CUDA init, tokenizer and config, NCCL communicators of the pod's
 * ranks, the memory profiling run, torch.compile of the model (cold: the compile cache lives in the pod's
 * emptyDir and starts empty) and CUDA graph capture. Each is tens of seconds to about two minutes for large
 * models; 300 s (5 min) is their sum on the slow side.
 */
export const ENGINE_START_SECONDS = 300;

/**
 * Added once for a multi-node replica (LeaderWorkerSet group), whose leader waits for its slowest pod:
 * - a worker may wait for a node while the leader already runs (the GPU pools scale from 0; a new GPU
 *   node is Ready after about 5–10 min: boot, driver and device plugin);
 * - a storageInitializer worker pulls its `main` image (the vLLM CUDA image is ≈ 10–20 GiB) only after its
 *   init container, i.e. while the leader's probe already counts;
 * - the cross-node rendezvous (vLLM mp launcher / data-parallel handshake, NCCL over EFA or TCP).
 * 900 s (15 min) covers the three one after the other.
 */
export const MULTI_NODE_EXTRA_SECONDS = 900;

/**
 * Rates at which a pod reads its checkpoint, MiB/s (what vLLM's loader sustains end to end, not the
 * device's peak):
 * - nvme: the node's RAID0 instance-store array. One NVMe disk reads 2+ GiB/s and vLLM's default loader
 *   typically sustains 1–2 GiB/s from it; 300 MiB/s is several times below.
 * - blockDisk: a network block disk (the node's root volume: EBS gp3 at its 125 MiB/s baseline, which
 *   modelplane does not raise; GCE pd-balanced) or a pvc:// volume. 100 MiB/s is below both baselines.
 * - objectStore: the RunAI Model Streamer from s3:// or gs:// (16 concurrent reads by default) over a GPU
 *   node's 10–100+ Gbit/s NIC; 200 MiB/s (≈ 1.7 Gbit/s) is a fraction of the smallest (g2-standard-4, 10).
 */
export const READ_MIB_S = { nvme: 300, blockDisk: 100, objectStore: 200 } as const;

/**
 * Download rates of the storage initializer per URI scheme, MiB/s (KServe v0.20.0
 * python/storage/kserve_storage/kserve_storage.py):
 * - hf: `snapshot_download` (8 files at a time by default) from the Hub's CDN; 100 MiB/s is slower than s3.
 * - s3/gs: up to S3_MAX_FILE_CONCURRENCY = 4 objects at a time, each a multipart boto3 transfer; 200 MiB/s.
 * - oci: a modelcar image pulled by the kubelet, layers decompressed one by one; 100 MiB/s.
 * - pvc: mounted, nothing is downloaded.
 */
export const DOWNLOAD_MIB_S: Readonly<Record<string, number>> = { hf: 100, s3: 200, gs: 200, oci: 100 };

export type ProbeModel = Pick<ModelConfig, "size" | "loader" | "uri">;

export interface StartupBudget {
    engineSeconds: number;
    readSeconds: number;
    downloadSeconds: number;
    /** Whole seconds, at least KSERVE_STARTUP_BUDGET_SECONDS. */
    totalSeconds: number;
}

function scheme(uri: string): string {
    return uri.split("://")[0];
}

/** Where the pod's `main` reads the weights from, as a READ_MIB_S rate. */
export function readRate(model: ProbeModel, pool: GpuPoolConfig): number {
    const s = scheme(model.uri);
    if (model.loader === "runaiStreamer") return READ_MIB_S.objectStore;
    // The cache directory is on the RAID0 array (config validation requires raid0 for localCache).
    if (model.loader === "localCache") return pool.localNvme === "raid0" ? READ_MIB_S.nvme : READ_MIB_S.blockDisk;
    if (s === "pvc") return READ_MIB_S.blockDisk;
    // storageInitializer's emptyDir (and a modelcar's image layers) live in the kubelet's/containerd's directory,
    // which is on the array on raid0 nodes modelplane creates (nodeadm RAID0, GKE ephemeralStorageLocalSsdConfig);
    // on an existing cluster that is not known, so the root disk is assumed.
    return pool.localNvme === "raid0" && pool.instance !== undefined ? READ_MIB_S.nvme : READ_MIB_S.blockDisk;
}

/** Seconds the other pods of a group may still be downloading when the leader's `main` starts (see header). */
function groupDownloadSeconds(model: ProbeModel, topology: Topology): number {
    if (!topology.multiNode || model.loader !== "storageInitializer") return 0;
    const s = scheme(model.uri);
    const rate = DOWNLOAD_MIB_S[s];
    if (rate === undefined) return 0; // pvc://: nothing to download
    return (weightsGiB(model.size) * (DOWNLOAD_COPIES[s] ?? 1) * 1024) / rate;
}

/** The startup budget of a leader pod of `model` with `topology` on `pool`, with its parts (see header). */
export function startupBudget(model: ProbeModel, topology: Topology, pool: GpuPoolConfig): StartupBudget {
    const engineSeconds = ENGINE_START_SECONDS + (topology.multiNode ? MULTI_NODE_EXTRA_SECONDS : 0);
    const readSeconds = Math.ceil((weightsGiB(model.size) * 1024) / readRate(model, pool));
    const downloadSeconds = Math.ceil(groupDownloadSeconds(model, topology));
    return {
        engineSeconds,
        readSeconds,
        downloadSeconds,
        totalSeconds: Math.max(KSERVE_STARTUP_BUDGET_SECONDS, engineSeconds + readSeconds + downloadSeconds),
    };
}

/** Whole seconds a leader pod may take to start (at least KServe's 600 s). */
export function startupBudgetSeconds(model: ProbeModel, topology: Topology, pool: GpuPoolConfig): number {
    return startupBudget(model, topology, pool).totalSeconds;
}

/**
 * The startupProbe fields modelplane sets on a leader's `main`: only the period and the threshold. KServe
 * merges the service over its presets strategically (containers by name, a probe field by field), so the
 * preset's `httpGet` (path, port 8000 or the decode pod's 8001, TLS scheme) stays.
 */
export function startupProbe(model: ProbeModel, topology: Topology, pool: GpuPoolConfig): { periodSeconds: number; failureThreshold: number } {
    const budget = startupBudgetSeconds(model, topology, pool);
    return {
        periodSeconds: PROBE_PERIOD_SECONDS,
        failureThreshold: Math.max(KSERVE_STARTUP_FAILURE_THRESHOLD, Math.ceil(budget / PROBE_PERIOD_SECONDS)),
    };
}
