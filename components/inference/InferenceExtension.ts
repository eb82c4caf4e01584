import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { crdBundle, defined, InstallContext } from "../addons/install";

/**
 * The CRDs of the routing APIs everything else builds on: Gateway API v1.5.1 (standard channel),
 * Gateway API Inference Extension v1.5.0 (`v1-manifests.yaml`: InferencePool inference.networking.k8s.io/v1),
 * the experimental InferencePool inference.networking.x-k8s.io/v1alpha2 (GIE v1.3.1) that the routing sidecar of
 * KServe's P/D decode pods waits for, and llm-d-router v0.9.0 (`llm-d.ai`: InferenceObjective v1alpha2,
 * InferenceModelRewrite): the same four routing CRDs KServe v0.20.0's chart would create (components/versions.ts
 * ROUTING_CRDS).
 *
 * They form the lowest in-cluster layer because two controllers watch them from start-up and crash-loop
 * without them: cert-manager with `enableGatewayAPI` (the ACME http01 solver answers through our Gateway;
 * cert-manager pkg/controller/context.go refuses to start without gateway.networking.k8s.io/v1, issue #6649)
 * and Envoy Gateway with `extensionManager.backendResources: InferencePool` (EG v1.8.1
 * internal/provider/kubernetes/controller.go watches those kinds without the CRD-exists check it uses
 * for its own optional kinds).
 *
 * This layer is the only owner of these CRDs (research/routing.md §4: "pick one owner"): Envoy Gateway is
 * installed with `skipCrds` (its chart bundles the experimental channel), KServe with `createGIECRDs=false`.
 */
export class InferenceExtension extends pulumi.ComponentResource {
    readonly gatewayApiCrds: pulumi.Resource;
    readonly inferencePoolCrds: pulumi.Resource;
    readonly inferencePoolAlphaCrds: pulumi.Resource;
    readonly llmdRouterCrds: pulumi.Resource;
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:inference:InferenceExtension", name, {}, { ...opts, dependsOn: args.dependsOn });
        const v = resolveVersions(args.config.platform.versions);
        const ctx: InstallContext = { config: args.config, provider: args.provider, parent: this };
        const after = { dependsOn: args.dependsOn ?? [] };
        // All four default to plain manifests; an override may name local files (air-gapped, offline e2e).
        // If one is switched to a registry chart and charts are off, the CRDs are expected to be installed already
        // (a local chart is installed: addons/install.ts crdBundle).
        const none = { namespace: "default" };
        const gatewayApi = crdBundle(`${name}-gateway-api-crds`, v.gatewayApiCrds, { ...none, releaseName: "gateway-api-crds" }, ctx, after);
        const pool = crdBundle(`${name}-inferencepool-crds`, v.inferencePoolCrds, { ...none, releaseName: "gie-crds" }, ctx, after);
        const poolAlpha = crdBundle(`${name}-inferencepool-alpha-crds`, v.inferencePoolAlphaCrds, { ...none, releaseName: "gie-alpha-crds" }, ctx, after);
        const llmd = crdBundle(`${name}-llmd-router-crds`, v.llmdRouterCrds, { ...none, releaseName: "llmd-router-crds" }, ctx, after);
        this.gatewayApiCrds = gatewayApi ?? this;
        this.inferencePoolCrds = pool ?? this;
        this.inferencePoolAlphaCrds = poolAlpha ?? this;
        this.llmdRouterCrds = llmd ?? this;
        this.ready = defined([gatewayApi, pool, poolAlpha, llmd]);
        this.registerOutputs({});
    }
}
