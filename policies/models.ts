// Model placement: the weights of each model shard fit the GPU memory of the pool's accelerator.
//
// Reads what the program writes on each LLMInferenceService (lib/labels.ts ANNOTATIONS):
// `modelplane.io/params-billions`, `modelplane.io/dtype`, `modelplane.io/accelerator-memory-gib` (else the
// catalog memory of `modelplane.io/accelerator`), and `spec.parallelism.tensor/pipeline` (and
// `spec.prefill.parallelism` for the prefill pods). The arithmetic and the 0.9 headroom are lib/fit.ts.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { acceleratorMemoryOf, isLlmService, isObject, metadataName } from "../lib/demand";
import { BYTES_PER_PARAM, bytesPerParam, checkFit, DEFAULT_HEADROOM, gib } from "../lib/fit";
import { ANNOTATIONS } from "../lib/labels";
import { configFileFor, describeResource, policyConfig, strictSchema } from "./common";

export interface FitConfig {
    headroom: number;
}

function degree(v: unknown): number | undefined {
    if (v === undefined || v === null) return 1;
    return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : undefined;
}

export const modelFitsAccelerator: ResourceValidationPolicy = {
    name: "model-fits-accelerator",
    description: "Each model's weights per GPU (params × bytes per param ÷ (tensor × pipeline)) fit the accelerator memory with headroom.",
    configSchema: strictSchema({
        headroom: {
            type: "number",
            minimum: 0.05,
            maximum: 1,
            default: DEFAULT_HEADROOM,
            description:
                "Share of one GPU's memory the weights may take; the rest is for KV cache and activations. 0.9 is vLLM's default --gpu-memory-utilization.",
        },
    }),
    remediationSteps: "Raise parallelism.tensor (or pipeline), use a smaller dtype (quantized weights), or move the model to a pool with larger GPUs.",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if (!isLlmService(args)) args.notApplicable(`applies to LLMInferenceService, not ${args.type}`);
        const md = isObject(args.props.metadata) ? args.props.metadata : {};
        const annotations: Record<string, string> = {};
        if (isObject(md.annotations)) for (const [k, v] of Object.entries(md.annotations)) if (typeof v === "string") annotations[k] = v;
        const paramsRaw = annotations[ANNOTATIONS.paramsBillions];
        if (paramsRaw === undefined) args.notApplicable(`no ${ANNOTATIONS.paramsBillions} annotation: the model's size is not declared (modelplane:models[].size)`);
        const { headroom } = policyConfig<FitConfig>(args, modelFitsAccelerator);
        const model = metadataName(args);
        const what = `model "${model}" (${describeResource(args)})`;
        const params = Number(paramsRaw);
        if (!Number.isFinite(params) || params <= 0) {
            report(`${what}: annotation ${ANNOTATIONS.paramsBillions} is "${paramsRaw}", not a positive number of billions of parameters; fix modelplane:models[].size.paramsBillions.`);
            return;
        }
        const dtype = annotations[ANNOTATIONS.dtype];
        if (dtype === undefined || bytesPerParam(dtype) === undefined) {
            report(
                `${what}: annotation ${ANNOTATIONS.dtype} is ${dtype === undefined ? "missing" : `"${dtype}"`}, so the weights' size is unknown ` +
                    `(known: ${Object.keys(BYTES_PER_PARAM).join(", ")}); set modelplane:models[].size.dtype.`,
            );
            return;
        }
        const memory = acceleratorMemoryOf(annotations);
        const accelerator = annotations[ANNOTATIONS.accelerator] ?? "the pool's accelerator";
        if (memory === undefined) {
            report(
                `${what}: the GPU memory of ${accelerator} is unknown (no ${ANNOTATIONS.acceleratorMemoryGiB} annotation and not in lib/catalog), ` +
                    `so the fit of ${params}B ${dtype} parameters cannot be checked.`,
            );
            return;
        }
        if (memory <= 0) args.notApplicable(`${accelerator} has no GPU memory (CPU-only pool)`);
        const spec = isObject(args.props.spec) ? args.props.spec : {};
        const workloads: { label: string; par: unknown; path: string }[] = [{ label: "", par: spec.parallelism, path: "spec.parallelism" }];
        if (isObject(spec.prefill)) workloads.push({ label: "prefill ", par: spec.prefill.parallelism, path: "spec.prefill.parallelism" });
        for (const w of workloads) {
            const par = isObject(w.par) ? w.par : {};
            const tensor = degree(par.tensor);
            const pipeline = degree(par.pipeline);
            if (tensor === undefined || pipeline === undefined) {
                report(`${what}: ${w.path}.tensor/pipeline are ${JSON.stringify({ tensor: par.tensor, pipeline: par.pipeline })}, not integers ≥ 1.`);
                continue;
            }
            const fit = checkFit({ paramsBillions: params, dtype, tensor, pipeline, acceleratorMemoryGiB: memory, headroom });
            if (fit.fits) continue;
            const need = fit.minShards !== undefined ? ` to at least ${fit.minShards} (tensor × pipeline)` : "";
            report(
                `${what}: ${params}B parameters in ${dtype} are ${gib(fit.weightsGiB)} GiB; split over ${w.label}tensor ${tensor} × pipeline ${pipeline} = ` +
                    `${fit.shards} GPU${fit.shards === 1 ? "" : "s"} that is ${gib(fit.weightsPerGpuGiB)} GiB per GPU, more than the ${gib(fit.usableGiB)} GiB ` +
                    `usable on ${accelerator} (${gib(memory)} GiB × headroom ${headroom}); raise ${w.label ? "prefill." : ""}parallelism${need} in ` +
                    `modelplane:models[], use a smaller dtype, or move the model to a pool with larger GPUs (headroom: model-fits-accelerator.headroom in ${configFileFor(args.urn)}).`,
            );
        }
    },
};

export const modelPolicies: ResourceValidationPolicy[] = [modelFitsAccelerator];
