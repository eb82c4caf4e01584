import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { ModelConfig, PlatformConfig } from "../config";
import { gatewayRef } from "../names";
import { LayerArgs } from "../types";
import {
    K8sObject, ModelContext, buildInferenceObjective, buildLlmInferenceService, buildLocalModelCache, endpointPath,
} from "./llmInferenceService";
import { modelGpuDemand } from "./sizing";
import { buildModelMonitors } from "../observability/monitors";
import { observabilityEnabled } from "../observability/values";

export interface ModelServiceArgs extends LayerArgs {
    model: ModelConfig;
    /** Namespace of the model's team. */
    namespace: string;
    /**
     * Scheme and authority clients reach the gateway at (`https://llm.example.com`, `http://203.0.113.7`);
     * the endpoint output is `<gatewayUrl>/<namespace>/<name>/v1`.
     */
    gatewayUrl: pulumi.Input<string>;
    /**
     * What the model's monitors wait for besides `dependsOn`: the monitoring stack that brings the PodMonitor and
     * ServiceMonitor CRDs. Only the monitors wait for it, so a model never waits for Prometheus.
     */
    monitoringReady?: pulumi.Resource[];
}

/** The pure inputs of a model's objects, taken from the stack config (and nothing about other models). */
export function modelContext(args: Pick<ModelServiceArgs, "config" | "model" | "namespace">): ModelContext {
    const cfg = args.config;
    const pool = cfg.gpuPools.find((p) => p.name === args.model.pool);
    if (!pool) throw new Error(`model ${args.model.name}: unknown pool ${args.model.pool}`);
    return {
        namespace: args.namespace,
        pool,
        gateway: gatewayRef(cfg),
        hfToken: cfg.secrets.huggingFaceToken !== undefined,
        cloud: cfg.cloud,
    };
}

/**
 * One model: a KServe LLMInferenceService (v1alpha2), its LocalModelCache (loader localCache), its
 * InferenceObjective (routing.priority) and, with observability on, the monitors of its vLLM pods and endpoint
 * picker. Every object body comes from the pure builders in
 * llmInferenceService.ts; this component only registers them.
 */
export class ModelService extends pulumi.ComponentResource {
    /**
     * `<gatewayUrl>/<namespace>/<name>/v1`: a plain string when the gateway's URL is known when the program
     * runs (a TLS hostname, or the `.invalid` placeholder), an Output only when it waits on a deployed address.
     * An Output per model costs ~100 SDK promises (interpolate) against ~1.8 M for the whole 1000-model
     * plan; building one only when needed took 7% of the program's promises away (bench/results.md).
     */
    readonly endpoint: pulumi.Input<string>;
    /** Worst-case GPUs (DESIGN.md §3): replicas or maxReplicas × GPUs per replica, plus prefill. */
    readonly gpuDemand: number;
    readonly service: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:models:ModelService", name, {}, { ...opts, dependsOn: args.dependsOn });
        const m = args.model;
        const ctx = modelContext(args);
        // Children wait for the CRDs themselves (a component's dependsOn is not inherited by its children).
        const dependsOn = args.dependsOn ?? [];
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: args.provider, dependsOn };

        const register = (resourceName: string, o: K8sObject, extra: pulumi.CustomResourceOptions = {}) =>
            new k8s.apiextensions.CustomResource(resourceName, {
                apiVersion: o.apiVersion,
                kind: o.kind,
                metadata: o.metadata,
                spec: o.spec,
            }, { ...childOpts, ...extra });

        // The cache first: the llmisvc webhook rewrites the model URI only if a matching cache exists when
        // the service is admitted.
        const cacheObj = buildLocalModelCache(m, ctx);
        const cache = cacheObj ? register(`${m.name}-cache`, cacheObj) : undefined;
        this.service = register(m.name, buildLlmInferenceService(m, ctx), cache ? { dependsOn: [...dependsOn, cache] } : {});
        const objective = buildInferenceObjective(m, ctx);
        if (objective) register(m.name, objective);
        // Its scrape targets, alongside it: vLLM pods and endpoint picker (components/observability/monitors.ts).
        if (observabilityEnabled(args.config)) {
            const monitorDeps = { dependsOn: [...dependsOn, ...(args.monitoringReady ?? [])] };
            for (const mon of buildModelMonitors(m, args.namespace)) register(mon.metadata.name, mon, monitorDeps);
        }

        this.gpuDemand = modelGpuDemand(m);
        const route = endpointPath(args.namespace, m.name);
        const url = args.gatewayUrl;
        this.endpoint = typeof url === "string" ? `${url}${route}` : pulumi.output(url).apply((u) => `${u}${route}`);
        this.registerOutputs({ endpoint: this.endpoint, gpuDemand: this.gpuDemand });
    }
}

/**
 * Where clients reach the gateway: `https://<tls.hostname>` when the gateway serves TLS on one hostname, else
 * `http(s)://<address>` of the gateway's load balancer when the gateway layer exposes it (`address` output).
 * Without either, the host is the reserved `.invalid` name `<gateway>.<namespace>.invalid` (RFC 2606), which
 * says what to look up (`kubectl get gateway -n <namespace> <gateway>`) and can never resolve by accident.
 */
export function gatewayUrl(cfg: PlatformConfig, address?: pulumi.Input<string>): pulumi.Input<string> {
    const tls = cfg.platform.gateway.tls;
    const scheme = tls ? "https" : "http";
    if (tls && !tls.hostname.startsWith("*.")) return `${scheme}://${tls.hostname}`;
    if (typeof address === "string") return `${scheme}://${address}`;
    if (address !== undefined) return pulumi.output(address).apply((a) => `${scheme}://${a}`);
    const gw = gatewayRef(cfg);
    return `${scheme}://${gw.name}.${gw.namespace}.invalid`;
}
