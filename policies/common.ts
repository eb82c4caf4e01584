// Helpers shared by the policy modules: config schemas and how config is read, and how resources are
// named in violation messages. Imports lib/ only (DESIGN.md §1), so the pack publishes on its own.
//
// How the engine treats policy config (pulumi/pulumi pkg/resource/analyzer/config.go, same in v3.248.0
// and at HEAD; called from pkg/engine/update.go for `--policy-pack-config`):
// - `createConfigWithDefaults` fills each policy's config with the `default` of each *top-level*
//   property of its configSchema; nested defaults are not applied. Then `applyConfig` lays "all" and the
//   file's per-policy objects over it, key by key (a shallow copy: the file's `quotas` replaces the
//   whole default `quotas`).
// - `validatePolicyPackConfig` validates against `convertSchema(schema)` = {type: object, properties,
//   required}: a top-level `additionalProperties: false` is dropped (the SDK only sends `properties` and
//   `required` in GetAnalyzerInfo, @pulumi/policy protoutil.js `makeAnalyzerInfo`). Nested schemas are kept.
// - Unknown policy names in the file are ignored by the engine.
// So the policies do not rely on the engine: `policyConfig()` applies the top-level defaults itself (the
// runner and unit tests call policies without the engine) and throws on a key the schema does not declare,
// which fails the preview loudly ("Error validating resource with policy …"). plan/policy-runner.ts
// `loadPolicyConfig` validates the whole file with ajv, including unknown policy names, before anything runs.
import type { PolicyConfigSchema } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** A configSchema that also says "no other keys" (kept for ajv in loadPolicyConfig; the engine drops it). */
export type StrictConfigSchema = PolicyConfigSchema & { additionalProperties: false };

export function strictSchema(properties: Record<string, PolicyConfigJSONSchema>, required?: string[]): StrictConfigSchema {
    const s: StrictConfigSchema = { properties, additionalProperties: false };
    if (required && required.length > 0) s.required = required;
    return s;
}

/** Where the platform team keeps the pack's config (DESIGN.md §3). */
export const CONFIG_FILE = "policies/config/<stack>.json";

/** The stack a URN belongs to (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string | undefined): string | undefined {
    return urn?.startsWith("urn:pulumi:") ? urn.slice("urn:pulumi:".length).split("::")[0] || undefined : undefined;
}

/** The pack config file of the stack a resource belongs to (`policies/config/prod.json`), so fix-it text names it. */
export function configFileFor(urn: string | undefined): string {
    const stack = stackOfUrn(urn);
    return stack ? `policies/config/${stack}.json` : CONFIG_FILE;
}

/** The stack settings file of the stack a resource belongs to (`Pulumi.prod.yaml`). */
export function stackFileFor(urn: string | undefined): string {
    const stack = stackOfUrn(urn);
    return stack ? `Pulumi.${stack}.yaml` : "Pulumi.<stack>.yaml";
}

/** Minimal view of a policy that has a config schema. */
export interface Configurable {
    name: string;
    configSchema?: PolicyConfigSchema;
}

/**
 * A policy's effective config: the schema's top-level defaults overlaid with what `getConfig()` returns.
 * Throws on keys the schema does not declare (see the header: the engine would not).
 */
export function policyConfig<T extends object>(args: { getConfig<U extends object>(): U }, policy: Configurable): T {
    const raw = (args.getConfig<Record<string, unknown>>() ?? {}) as Record<string, unknown>;
    const props = policy.configSchema?.properties ?? {};
    const unknownKeys = Object.keys(raw).filter((k) => k !== "enforcementLevel" && !Object.hasOwn(props, k));
    if (unknownKeys.length > 0) {
        const allowed = Object.keys(props);
        throw new Error(
            `policy "${policy.name}": unknown config key${unknownKeys.length > 1 ? "s" : ""} ${unknownKeys.map((k) => `"${k}"`).join(", ")} ` +
                `(allowed: ${allowed.length ? allowed.join(", ") : "none, only enforcementLevel"}); fix ${CONFIG_FILE}`,
        );
    }
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(props)) {
        if (s.default !== undefined) out[k] = structuredClone(s.default);
    }
    for (const [k, v] of Object.entries(raw)) if (k !== "enforcementLevel") out[k] = v;
    return out as T;
}

/** `LLMInferenceService` from `kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService`, `NodeGroup` from `aws:eks/nodeGroup:NodeGroup`. */
export function kindOf(type: string): string {
    return type.split(":").pop() ?? type;
}

/** How a resource is named in messages: `LLMInferenceService search/llama-3-3-70b`, `NodeGroup llm-prod-h100`. */
export function describeResource(r: { type: string; name: string; props: Record<string, unknown> }): string {
    const md = r.props.metadata;
    if (r.type.startsWith("kubernetes:") && typeof md === "object" && md !== null) {
        const m = md as Record<string, unknown>;
        const name = typeof m.name === "string" ? m.name : r.name;
        return typeof m.namespace === "string" ? `${kindOf(r.type)} ${m.namespace}/${name}` : `${kindOf(r.type)} ${name}`;
    }
    return `${kindOf(r.type)} ${r.name}`;
}

/** `1 GPU`, `3 GPUs`. */
export function gpus(n: number): string {
    return `${n} GPU${n === 1 ? "" : "s"}`;
}
