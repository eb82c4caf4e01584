// Every metric series the dashboards query, with where it comes from. A test parses every PromQL expression
// of every dashboard and fails on a series name that is not listed here, so a dashboard cannot quietly
// depend on a metric nobody checked.
//
// vLLM: KServe v0.20.0's presets run ghcr.io/llm-d/llm-d-cuda:v0.8.0 (config/llmisvcconfig/
// config-llm-template.yaml and the decode, prefill and data-parallel presets), which is built on vLLM 0.23.0
// (llm-d/llm-d issue #1819, the v0.8.0 component table: "llm-d-cuda v0.8.0 … vLLM v0.23.0"); the local stack
// pins docker.io/vllm/vllm-openai-cpu:v0.23.0. The names are vLLM's V1 metrics (vllm/v1/metrics/loggers.py
// PrometheusStatLogger; docs/usage/metrics.md), labelled `model_name` and `engine`. Counters are exposed with
// the `_total` suffix, histograms as `_bucket`/`_sum`/`_count` (prometheus_client). Names checked against
// vLLM's metrics documentation for the V1 engine rather than the v0.23.0 source itself (the vLLM repository
// was too large to mirror here): vllm:inter_token_latency_seconds replaced vllm:time_per_output_token_seconds
// before 0.23, and vllm:kv_cache_usage_perc replaced vllm:gpu_cache_usage_perc.
//
// DCGM: dcgm-exporter 4.5.3-4.8.2's default counters (deployment/templates/metrics-configmap.yaml), with the
// `pod`, `namespace`, `container` labels of the pod holding the GPU (internal/pkg/transformation/const.go,
// kubernetes mode is the chart's default) and the `Hostname` of the node (NODE_NAME from spec.nodeName:
// internal/pkg/hostname/hostname.go, templates/daemonset.yaml; internal/pkg/rendermetrics/render_metrics.go).
//
// kube-state-metrics (chart 7.2.2, a kube-prometheus-stack 83.4.0 dependency; the resourcequotas collector is
// on by default): kube_resourcequota{namespace, resourcequota, resource, type="hard"|"used"}.

export type MetricSource = "vllm" | "dcgm" | "kube-state-metrics";

export interface MetricDoc {
    source: MetricSource;
    type: "gauge" | "counter" | "histogram";
    help: string;
}

const vllm = (type: MetricDoc["type"], help: string): MetricDoc => ({ source: "vllm", type, help });
const dcgm = (help: string): MetricDoc => ({ source: "dcgm", type: "gauge", help });

/** Metric families by the name their instrumentation gives them (before `_total` / `_bucket` suffixes). */
export const METRICS: Readonly<Record<string, MetricDoc>> = {
    "vllm:num_requests_running": vllm("gauge", "Requests in model execution batches."),
    "vllm:num_requests_waiting": vllm("gauge", "Requests waiting to be scheduled: the queue depth."),
    "vllm:kv_cache_usage_perc": vllm("gauge", "KV-cache usage, 1 = 100 %."),
    "vllm:prefix_cache_queries": vllm("counter", "Prefix-cache queries, in queried tokens."),
    "vllm:prefix_cache_hits": vllm("counter", "Prefix-cache hits, in cached tokens."),
    "vllm:request_success": vllm("counter", "Finished requests, by finished_reason."),
    "vllm:prompt_tokens": vllm("counter", "Prefill tokens processed."),
    "vllm:generation_tokens": vllm("counter", "Generated tokens."),
    "vllm:time_to_first_token_seconds": vllm("histogram", "Time to first token."),
    "vllm:inter_token_latency_seconds": vllm("histogram", "Time between consecutive output tokens."),
    "vllm:e2e_request_latency_seconds": vllm("histogram", "End-to-end request latency."),
    DCGM_FI_DEV_GPU_UTIL: dcgm("GPU utilisation, %."),
    DCGM_FI_DEV_FB_USED: dcgm("Framebuffer (GPU) memory used, MiB."),
    DCGM_FI_DEV_FB_FREE: dcgm("Framebuffer (GPU) memory free, MiB."),
    kube_resourcequota: { source: "kube-state-metrics", type: "gauge", help: "ResourceQuota hard limits and usage." },
};

/** The series names Prometheus stores for a family (what a PromQL selector names). */
export function seriesNames(family: string, doc: MetricDoc): string[] {
    switch (doc.type) {
        case "counter": return [`${family}_total`];
        case "histogram": return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
        default: return [family];
    }
}

/** Every series name a dashboard may select. */
export function documentedSeries(): Set<string> {
    return new Set(Object.entries(METRICS).flatMap(([name, doc]) => seriesNames(name, doc)));
}

/**
 * Target labels the monitors add (relabelings in monitors.ts): the LLMInferenceService a vLLM pod belongs to
 * and its llm-d role, and the modelplane pool of a GPU node.
 */
export const TARGET_LABELS = { llmisvc: "llmisvc", role: "role", pool: "pool" } as const;
