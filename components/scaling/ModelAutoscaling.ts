import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { defined, helmRelease, InstallContext } from "../addons/install";
import { autoscalingStack } from "../config";
import { KEDA_NAMESPACE, KEDA_RELEASE, kedaValues, WVA_NAMESPACE, WVA_RELEASE, wvaControllerConfigPatch, wvaValues } from "./values";

export interface ModelAutoscalingArgs extends LayerArgs {
    /** Prometheus and the monitoring.coreos.com CRDs (WVA's chart creates a ServiceMonitor; WVA and KEDA query Prometheus). */
    monitoring: pulumi.Resource[];
    /** KServe's controller release, whose inferenceservice-config ConfigMap gets the autoscaling key. */
    kserveController?: pulumi.Resource;
}

/**
 * What `spec.scaling` needs on KServe v0.20.0 (components/scaling/values.ts): KEDA (ScaledObject CRD and operator),
 * the Workload Variant Autoscaler (VariantAutoscaling CRD and controller) and KServe's autoscaling config pointing at
 * modelplane's Prometheus. Installed only when config.ts's `autoscalingStack` says so; models that use `scaling`
 * depend on `ready`, so they are created after it and deleted before it.
 */
export class ModelAutoscaling extends pulumi.ComponentResource {
    /** Resources a model with `scaling` waits for (empty when the stack is not installed). */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ModelAutoscalingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:scaling:ModelAutoscaling", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        this.ready = [];
        if (!autoscalingStack(cfg.platform, cfg.models).installed) {
            this.registerOutputs({});
            return;
        }
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        const base = args.dependsOn ?? [];
        const after = (deps: (pulumi.Resource | undefined)[]): pulumi.CustomResourceOptions =>
            ({ parent: this, provider: args.provider, dependsOn: [...base, ...defined(deps)] });

        const keda = helmRelease(`${name}-keda`, v.keda, {
            releaseName: KEDA_RELEASE, namespace: KEDA_NAMESPACE, createNamespace: true, values: kedaValues(),
        }, ctx, after([]));
        const wva = helmRelease(`${name}-wva`, v.wva, {
            releaseName: WVA_RELEASE, namespace: WVA_NAMESPACE, createNamespace: true, values: wvaValues(v.wva.version),
        }, ctx, after(args.monitoring));
        const config = new k8s.core.v1.ConfigMapPatch(`${name}-kserve-config`, wvaControllerConfigPatch() as unknown as k8s.core.v1.ConfigMapPatchArgs,
            after([args.kserveController, ...args.monitoring]));
        this.ready.push(...defined([keda, wva, config]));
        this.registerOutputs({});
    }
}
