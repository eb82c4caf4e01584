// The llm-d router (EPP) configuration of one model: an `EndpointPickerConfig` that KServe passes to the
// scheduler as `--config-text` when it is given inline in `spec.router.scheduler.config.inline`.
//
// Upstream facts (kserve/kserve @aaac4e29, pkg/controller/v1alpha2/llmisvc/scheduler.go):
// - `config.inline` is a RawExtension: an object, not a string. KServe serialises it (JSON, which is YAML)
//   into `--config-text`; it replaces KServe's default config entirely (`schedulerConfigText`).
// - KServe's defaults, which this module reproduces with the model's weights:
//   * single workload: `single-profile-handler`, queue-scorer 2, kv-cache-utilization-scorer 2,
//     prefix-cache-scorer 3 (+ no-hit-lru-scorer 2), `max-score-picker`;
//   * P/D (spec.prefill set): `disagg-headers-handler`, `prefill-filter`, `decode-filter`,
//     `always-disagg-pd-decider`, `disagg-profile-handler` with `deciders: {prefill: always-disagg-pd-decider}`;
//     profile `prefill` = prefill-filter + prefix 3 + queue 2 + kv-util 2 + picker; profile `decode` =
//     decode-filter + active-request-scorer 2 + prefix 3 + picker;
//   * `lora-affinity-scorer` (weight 4) in every profile when LoRA adapters exist.
// - apiVersion `llm-d.ai/v1alpha1`, kind `EndpointPickerConfig` (research/routing.md §2.2).
// Differences, by design: no-hit-lru-scorer only when `routing.scorers.noHitLru` is set (DESIGN.md §2 names
// prefix 3 / queue 2 / kv-util 2 as the default set); a scorer with weight 0 is left out.
import { ModelConfig } from "../config";

export const EPP_API_VERSION = "llm-d.ai/v1alpha1";
/** Weight KServe gives lora-affinity-scorer when LoRA adapters exist (scheduler.go). */
export const DEFAULT_LORA_AFFINITY_WEIGHT = 4;
/** Weight of active-request-scorer in KServe's default decode profile (scheduler.go). */
export const DECODE_ACTIVE_REQUEST_WEIGHT = 2;

export interface EppPlugin {
    type: string;
    name?: string;
    parameters?: Record<string, unknown>;
}
export interface EppProfileEntry {
    pluginRef: string;
    weight?: number;
}
export interface EndpointPickerConfig {
    apiVersion: string;
    kind: "EndpointPickerConfig";
    plugins: EppPlugin[];
    schedulingProfiles: { name: string; plugins: EppProfileEntry[] }[];
}

type Scorer = { type: string; weight: number };

/** The scorers a model's routing config asks for, in a stable order, weight-0 ones left out. */
function scorers(m: Pick<ModelConfig, "routing" | "lora">): { shared: Scorer[]; lora?: Scorer; noHitLru?: Scorer } {
    const s = m.routing.scorers;
    const shared: Scorer[] = [
        { type: "prefix-cache-scorer", weight: s.prefixCache },
        { type: "queue-scorer", weight: s.queue },
        { type: "kv-cache-utilization-scorer", weight: s.kvCacheUtilization },
    ].filter((x) => x.weight > 0);
    const hasAdapters = (m.lora?.adapters.length ?? 0) > 0;
    const loraWeight = s.loraAffinity ?? (hasAdapters ? DEFAULT_LORA_AFFINITY_WEIGHT : undefined);
    return {
        shared,
        lora: loraWeight !== undefined && loraWeight > 0 ? { type: "lora-affinity-scorer", weight: loraWeight } : undefined,
        noHitLru: s.noHitLru !== undefined && s.noHitLru > 0 ? { type: "no-hit-lru-scorer", weight: s.noHitLru } : undefined,
    };
}

/** Builds the EndpointPickerConfig for a model (P/D models get the disaggregation profiles). */
export function buildEndpointPickerConfig(m: Pick<ModelConfig, "routing" | "lora" | "prefill">): EndpointPickerConfig {
    const { shared, lora, noHitLru } = scorers(m);
    const extra = [lora, noHitLru].filter((x): x is Scorer => x !== undefined);
    const entry = (x: Scorer): EppProfileEntry => ({ pluginRef: x.type, weight: x.weight });

    if (!m.prefill) {
        const used = [...extra, ...shared];
        return {
            apiVersion: EPP_API_VERSION,
            kind: "EndpointPickerConfig",
            plugins: [
                { type: "single-profile-handler" },
                ...used.map((x) => ({ type: x.type })),
                { type: "max-score-picker" },
            ],
            schedulingProfiles: [{ name: "default", plugins: [...used.map(entry), { pluginRef: "max-score-picker" }] }],
        };
    }

    const prefix = shared.find((x) => x.type === "prefix-cache-scorer");
    const decode: Scorer[] = [
        ...extra,
        { type: "active-request-scorer", weight: DECODE_ACTIVE_REQUEST_WEIGHT },
        ...(prefix ? [prefix] : []),
    ];
    const prefillScorers: Scorer[] = [...extra, ...shared];
    const declared = new Map<string, EppPlugin>();
    for (const x of [...prefillScorers, ...decode]) declared.set(x.type, { type: x.type });
    return {
        apiVersion: EPP_API_VERSION,
        kind: "EndpointPickerConfig",
        plugins: [
            { type: "disagg-headers-handler" },
            { type: "prefill-filter" },
            { type: "decode-filter" },
            ...declared.values(),
            { type: "max-score-picker" },
            { type: "always-disagg-pd-decider" },
            { type: "disagg-profile-handler", parameters: { deciders: { prefill: "always-disagg-pd-decider" } } },
        ],
        schedulingProfiles: [
            { name: "prefill", plugins: [{ pluginRef: "prefill-filter" }, ...prefillScorers.map(entry), { pluginRef: "max-score-picker" }] },
            { name: "decode", plugins: [{ pluginRef: "decode-filter" }, ...decode.map(entry), { pluginRef: "max-score-picker" }] },
        ],
    };
}
