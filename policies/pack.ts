// The pack's policies, in one list, and its identity. policies/index.ts constructs the PolicyPack from
// this (constructing one starts the analyzer server, so nothing else may: research/pulumi.md §2.5);
// plan/policy-runner.ts runs the same objects in-process.
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { workloadPolicies } from "./workloads";
import { quotaPolicies } from "./quotas";
import { poolPolicies } from "./pools";
import { modelPolicies } from "./models";
import { protectionPolicies } from "./protection";

export const PACK_NAME = "modelplane-gpu-guard";
export const PACK_DESCRIPTION =
    "GPU guardrails for modelplane: quotas per team and namespace, pool capacity, allowed GPU instance types, model fit, " +
    "GPU pod placement, and protection of stateful platform resources.";
/**
 * Level of every policy the config file does not set. Mandatory: a preview run without a config file
 * fails closed (unknown teams have quota 0) instead of letting everything through.
 */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

export type GuardPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Every policy of the pack, in the order DESIGN.md §3 lists them. */
export const POLICIES: readonly GuardPolicy[] = (() => {
    const all: GuardPolicy[] = [...workloadPolicies, ...quotaPolicies, ...poolPolicies, ...modelPolicies, ...protectionPolicies];
    const order = [
        "gpu-requests-equal-limits",
        "gpu-workloads-target-gpu-pools",
        "team-gpu-quota",
        "namespace-gpu-resourcequota",
        "gpu-pool-capacity",
        "allowed-gpu-instance-types",
        "model-fits-accelerator",
        "max-gpus-per-model",
        "protect-stateful-platform",
    ];
    const byName = new Map(all.map((p) => [p.name, p]));
    if (byName.size !== all.length || all.length !== order.length || !order.every((n) => byName.has(n))) {
        throw new Error(`policies/pack.ts: the modules export ${all.map((p) => p.name).join(", ")}; expected exactly ${order.join(", ")}`);
    }
    return Object.freeze(order.map((n) => byName.get(n)!));
})();

export const POLICY_NAMES: readonly string[] = POLICIES.map((p) => p.name);
