// Does a model's weights fit the GPU memory of the accelerator it is scheduled on? A first-order check:
// the weights are sharded over tensor × pipeline ranks, and one shard must leave room on the GPU for the
// KV cache, activations and CUDA graphs. Pure, no Pulumi imports (DESIGN.md §1).
//
// weights per GPU (GiB) = paramsBillions × 10⁹ × bytes per parameter ÷ (tensor × pipeline) ÷ 2³⁰
// usable per GPU (GiB)  = accelerator memory (GiB) × headroom
//
// Headroom defaults to 0.9 because that is the share of GPU memory vLLM itself claims by default
// (`--gpu-memory-utilization`, default 0.9): vLLM never plans to use more than 90% of a GPU, and the KV
// cache, activations and CUDA graphs must come out of that same share. Weights that do not fit in 90%
// leave vLLM no KV cache at all and it refuses to start. Passing the check is necessary, not sufficient:
// a long max-model-len still needs KV cache on top.
//
// Not credited: data parallelism (each DP rank holds a full copy) and expert parallelism (it re-shards MoE
// experts over TP × DP ranks; ignoring it over-estimates MoE weights per GPU, the safe direction).

/** Bytes per parameter by dtype (the names of components/config.ts DTYPES, plus common aliases). */
export const BYTES_PER_PARAM: Readonly<Record<string, number>> = Object.freeze({
    float32: 4,
    fp32: 4,
    bfloat16: 2,
    bf16: 2,
    float16: 2,
    fp16: 2,
    half: 2,
    fp8: 1,
    int8: 1,
    int4: 0.5,
});

/** Share of GPU memory the weights may use; vLLM's default gpu-memory-utilization (see the header). */
export const DEFAULT_HEADROOM = 0.9;

const GIB = 1024 ** 3;

export function bytesPerParam(dtype: string): number | undefined {
    const k = dtype.trim().toLowerCase();
    return Object.hasOwn(BYTES_PER_PARAM, k) ? BYTES_PER_PARAM[k] : undefined;
}

export interface FitInput {
    paramsBillions: number;
    dtype: string;
    tensor?: number;
    pipeline?: number;
    /** GPU memory of one accelerator, GiB. */
    acceleratorMemoryGiB: number;
    /** Share of accelerator memory the weights may take (0 < headroom ≤ 1); default DEFAULT_HEADROOM. */
    headroom?: number;
}

export interface FitResult {
    fits: boolean;
    /** tensor × pipeline. */
    shards: number;
    bytesPerParam: number;
    /** Total weights, GiB. */
    weightsGiB: number;
    weightsPerGpuGiB: number;
    acceleratorMemoryGiB: number;
    headroom: number;
    /** acceleratorMemoryGiB × headroom. */
    usableGiB: number;
    /** The smallest tensor × pipeline product that would fit (undefined if the accelerator has no memory). */
    minShards?: number;
}

/** Weights of one GPU's shard in GiB. Throws on an unknown dtype or a non-positive degree. */
export function weightsPerGpuGiB(paramsBillions: number, dtype: string, tensor = 1, pipeline = 1): number {
    const b = bytesPerParam(dtype);
    if (b === undefined) throw new Error(`unknown dtype "${dtype}" (known: ${Object.keys(BYTES_PER_PARAM).join(", ")})`);
    if (!(tensor >= 1) || !(pipeline >= 1)) throw new Error(`tensor and pipeline must be ≥ 1 (got ${tensor}, ${pipeline})`);
    return (paramsBillions * 1e9 * b) / (tensor * pipeline) / GIB;
}

export function checkFit(input: FitInput): FitResult {
    const headroom = input.headroom ?? DEFAULT_HEADROOM;
    if (!(headroom > 0 && headroom <= 1)) throw new Error(`headroom must be in (0, 1], got ${headroom}`);
    const tensor = input.tensor ?? 1;
    const pipeline = input.pipeline ?? 1;
    const perGpu = weightsPerGpuGiB(input.paramsBillions, input.dtype, tensor, pipeline);
    const b = bytesPerParam(input.dtype)!;
    const usable = input.acceleratorMemoryGiB * headroom;
    const weightsGiB = (input.paramsBillions * 1e9 * b) / GIB;
    return {
        fits: perGpu <= usable,
        shards: tensor * pipeline,
        bytesPerParam: b,
        weightsGiB,
        weightsPerGpuGiB: perGpu,
        acceleratorMemoryGiB: input.acceleratorMemoryGiB,
        headroom,
        usableGiB: usable,
        minShards: usable > 0 ? Math.max(1, Math.ceil(weightsGiB / usable - 1e-9)) : undefined,
    };
}

/** `65.2` — GiB with one decimal, for messages. */
export function gib(n: number): string {
    return (Math.round(n * 10) / 10).toFixed(1);
}
