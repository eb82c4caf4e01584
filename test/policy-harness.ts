// Engine-shaped arguments for calling a policy directly (as @pulumi/policy 1.21's analyzer server builds
// them, research/pulumi.md §2.5), and small resource builders. Shared by the edge-case policy tests.
import { strict as assert } from "node:assert";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { TYPES } from "../lib/resources";
import { ANNOTATIONS, GPU_TAINT, POOL_LABEL, TEAM_LABEL } from "../lib/labels";

export interface Res {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    protect?: boolean;
}

export function res(type: string, name: string, props: Record<string, unknown>, protect = false): Res {
    return { type, name, urn: `urn:pulumi:test::modelplane::${type}::${name}`, props, protect };
}

/** Thrown by args.notApplicable, as @pulumi/policy 1.21 does. */
export class NotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason);
    }
}

const OPTS = { ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

export function resourceArgs(r: Res, config?: Record<string, unknown>): ResourceValidationArgs {
    return {
        type: r.type, props: r.props, urn: r.urn, name: r.name,
        opts: { protect: !!r.protect, ...OPTS },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export function stackArgs(resources: Res[], config?: Record<string, unknown>): StackValidationArgs {
    const list: PolicyResource[] = resources.map((r) => ({
        type: r.type, props: r.props, urn: r.urn, name: r.name,
        opts: { protect: !!r.protect, ...OPTS },
        dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined,
    }));
    return {
        resources: list, stackTags: new Map(), getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

export interface Outcome {
    violations: { message: string; urn?: string }[];
    notApplicable?: string;
}

export async function callResource(p: ResourceValidationPolicy, r: Res, config?: Record<string, unknown>): Promise<Outcome> {
    const out: Outcome = { violations: [] };
    const fn = p.validateResource;
    assert.ok(fn && !Array.isArray(fn));
    try {
        await fn(resourceArgs(r, config), (message, urn) => out.violations.push({ message, urn }));
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
        out.notApplicable = e.reason ?? "";
    }
    return out;
}

export async function callStack(p: StackValidationPolicy, resources: Res[], config?: Record<string, unknown>): Promise<Outcome> {
    const out: Outcome = { violations: [] };
    try {
        await p.validateStack(stackArgs(resources, config), (message, urn) => out.violations.push({ message, urn }));
    } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
        out.notApplicable = e.reason ?? "";
    }
    return out;
}

export const messages = (o: Outcome) => o.violations.map((v) => v.message);

// ---------------------------------------------------------------------------------------------------------------
// Builders

export const container = (gpus: unknown, name = "main", extra: Record<string, unknown> = {}) => ({
    name, image: "vllm", resources: { requests: { "nvidia.com/gpu": gpus }, limits: { "nvidia.com/gpu": gpus } }, ...extra,
});

export const GPU_TOLERATION = { key: GPU_TAINT.key, operator: "Exists", effect: GPU_TAINT.effect };

/** A GPU pod that selects `pool` and tolerates the GPU taint. */
export const placedPod = (gpus: unknown, pool = "h100", extra: Record<string, unknown> = {}) => ({
    nodeSelector: { [POOL_LABEL]: pool }, tolerations: [GPU_TOLERATION], containers: [container(gpus)], ...extra,
});

export function service(name: string, namespace: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): Res {
    return res(TYPES.llmInferenceService, `model-${name}`, {
        apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceService", metadata: { name, namespace, annotations }, spec,
    });
}

export function preset(name: string, namespace: string, spec: Record<string, unknown>): Res {
    return res(TYPES.llmInferenceServiceConfig, `preset-${namespace}-${name}`, {
        apiVersion: "serving.kserve.io/v1alpha2", kind: "LLMInferenceServiceConfig", metadata: { name, namespace }, spec,
    });
}

export const ns = (name: string, team?: string) =>
    res(TYPES.namespace, `ns-${name}`, { metadata: { name, ...(team ? { labels: { [TEAM_LABEL]: team } } : {}) } });

export const quota = (namespace: string, gpus: unknown, name = "gpu", spec: Record<string, unknown> = {}) =>
    res(TYPES.resourceQuota, `rq-${namespace}-${name}`, { metadata: { name, namespace }, spec: { hard: { "requests.nvidia.com/gpu": gpus }, ...spec } });

export const deployment = (name: string, namespace: string, pod: Record<string, unknown>, replicas: unknown = 1) =>
    res("kubernetes:apps/v1:Deployment", name, { metadata: { name, namespace }, spec: { replicas, template: { spec: pod } } });

export const eksGroup = (name: string, props: Record<string, unknown>, protect = false) => res(TYPES.eksNodeGroup, name, props, protect);

export const eksPool = (pool: string | undefined, instanceType: string, maxSize: number, name = `ng-${pool}`) =>
    eksGroup(name, { instanceTypes: [instanceType], scalingConfig: { maxSize }, ...(pool ? { labels: { [POOL_LABEL]: pool } } : {}) });

export const gkePool = (pool: string | undefined, machineType: string | undefined, extra: Record<string, unknown> = {}, name = `np-${pool}`) =>
    res(TYPES.gkeNodePool, name, {
        nodeConfig: { ...(machineType ? { machineType } : {}), ...(pool ? { labels: { [POOL_LABEL]: pool } } : {}), ...((extra.nodeConfig as object) ?? {}) },
        ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== "nodeConfig")),
    });

/** A model service with the annotations the program writes. */
export function model(name: string, o: { team?: string; pool?: string; replicas?: number; gpus?: unknown; annotations?: Record<string, string>; spec?: Record<string, unknown> } = {}): Res {
    const team = o.team ?? "search";
    const pool = o.pool ?? "h100";
    return service(name, team, o.spec ?? { replicas: o.replicas ?? 1, template: placedPod(o.gpus ?? 1, pool) }, {
        [ANNOTATIONS.team]: team, [ANNOTATIONS.pool]: pool, ...(o.annotations ?? {}),
    });
}
