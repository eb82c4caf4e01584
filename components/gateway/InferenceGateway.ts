import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { crdBundle, defined, helmRelease, InstallContext } from "../addons/install";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import {
    AI_GATEWAY_NAMESPACE, aiGatewayValues, certificateSpec, clientTrafficPolicySpec, ENVOY_GATEWAY_NAMESPACE,
    envoyGatewayValues, gatewayClassSpec, gatewaySpec, issuerSpec,
} from "./specs";

export interface InferenceGatewayArgs extends LayerArgs {
    /** Gateway API CRDs (GatewayClass, Gateway): from the routing-CRD layer. */
    gatewayApiCrds: pulumi.Resource;
    /** InferencePool CRD: Envoy Gateway watches it from start-up once it is a backend resource. */
    inferencePoolCrds: pulumi.Resource;
    /** cert-manager (Issuer, Certificate CRDs and webhook), needed when the gateway serves TLS. */
    certManager?: pulumi.Resource;
}

/**
 * Envoy Gateway (+ Envoy AI Gateway, its extension server for InferencePool backends), the GatewayClass and
 * the inference Gateway every model route attaches to, with TLS from cert-manager and a buffer limit fit for
 * LLM request bodies. Gateway API CRDs come from the routing-CRD layer (components/inference).
 */
export class InferenceGateway extends pulumi.ComponentResource {
    readonly gateway: k8s.apiextensions.CustomResource;
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: InferenceGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:gateway:InferenceGateway", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        const g = cfg.platform.gateway;
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        const base = args.dependsOn ?? [];
        const child = (deps: (pulumi.Resource | undefined)[]): pulumi.CustomResourceOptions =>
            ({ parent: this, provider: args.provider, dependsOn: [...base, ...defined(deps)] });

        // Envoy Gateway's own CRDs as the CRD-only release asset; the chart then skips its crds/ directory,
        // which also holds the experimental Gateway API channel we do not want a second owner for.
        const egCrds = crdBundle(`${name}-envoy-gateway-crds`, v.envoyGatewayCrds,
            { releaseName: "eg-crds", namespace: ENVOY_GATEWAY_NAMESPACE, createNamespace: true }, ctx, { dependsOn: base });
        const envoyGateway = helmRelease(`${name}-envoy-gateway`, v.envoyGateway, {
            releaseName: "eg", namespace: ENVOY_GATEWAY_NAMESPACE, createNamespace: true, skipCrds: true, values: envoyGatewayValues(cfg),
        }, ctx, { dependsOn: [...base, ...defined([egCrds, args.gatewayApiCrds, args.inferencePoolCrds])] });

        let aiGateway: pulumi.Resource | undefined;
        let aiCrds: pulumi.Resource | undefined;
        if (g.aiGateway) {
            // CRD chart first, then the controller (ai-gateway site/docs/getting-started/installation.md).
            aiCrds = crdBundle(`${name}-ai-gateway-crds`, v.aiGatewayCrds,
                { releaseName: "aieg-crd", namespace: AI_GATEWAY_NAMESPACE, createNamespace: true }, ctx, { dependsOn: base });
            aiGateway = helmRelease(`${name}-ai-gateway`, v.aiGateway, {
                releaseName: "aieg", namespace: AI_GATEWAY_NAMESPACE, createNamespace: true, values: aiGatewayValues(),
            }, ctx, { dependsOn: [...base, ...defined([aiCrds, envoyGateway, args.inferencePoolCrds])] });
        }

        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: g.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
        }, child([]));

        const gatewayClass = new k8s.apiextensions.CustomResource(`${name}-class`, gatewayClassSpec(),
            child([args.gatewayApiCrds, envoyGateway]));

        let issuer: pulumi.Resource | undefined;
        const issuerBody = issuerSpec(cfg);
        if (issuerBody) issuer = new k8s.apiextensions.CustomResource(`${name}-issuer`, issuerBody, child([args.certManager, ns]));

        this.gateway = new k8s.apiextensions.CustomResource(`${name}-gateway`, gatewaySpec(cfg),
            child([args.gatewayApiCrds, envoyGateway, gatewayClass, ns]));

        let certificate: pulumi.Resource | undefined;
        const certBody = certificateSpec(cfg);
        // After the Gateway: an ACME http01 challenge is answered through its HTTP listener.
        if (certBody) certificate = new k8s.apiextensions.CustomResource(`${name}-certificate`, certBody, child([args.certManager, issuer, this.gateway]));

        const bufferLimit = new k8s.apiextensions.CustomResource(`${name}-buffer-limit`, clientTrafficPolicySpec(cfg),
            child([egCrds, envoyGateway, this.gateway]));

        this.ready = defined([envoyGateway, aiGateway, gatewayClass, this.gateway, certificate, bufferLimit]);
        this.registerOutputs({});
    }
}
