import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { gatewayNamespaces, ENVOY_GATEWAY_NAMESPACE } from "../tenancy/objects";
import { resolveVersions } from "../versions";
import { helmRelease } from "../addons/install";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { dashboardConfigMap, dashboards } from "./dashboards";
import { dcgmPools, dcgmValues } from "./dcgm";
import {
    MonitorObject, buildDcgmServiceMonitor, buildEnvoyPodMonitor, buildKServeControllerServiceMonitor,
} from "./monitors";
import { buildDcgmNetworkPolicy } from "./networkPolicies";
import { DCGM_NAMESPACE, DCGM_RELEASE } from "./targets";
import { observabilityEnabled } from "./values";

/**
 * The platform's side of observability (each model registers its own monitors, components/models/ModelService.ts):
 * monitors of the gateway's Envoy proxies and of KServe's controller, NVIDIA's DCGM exporter on the GPU pools with
 * its monitor and a NetworkPolicy that admits only Prometheus, and the Grafana dashboards as ConfigMaps. Nothing
 * when observability is off (values.ts observabilityEnabled). `dependsOn` must hold the monitoring CRDs (the
 * kube-prometheus-stack release) and the namespaces the monitors go into (gateway, KServe).
 */
export class Observability extends pulumi.ComponentResource {
    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:observability:Observability", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        if (!observabilityEnabled(cfg)) {
            this.registerOutputs({});
            return;
        }
        const dependsOn = args.dependsOn ?? [];
        const childOpts: pulumi.CustomResourceOptions = { parent: this, provider: args.provider, dependsOn };
        const monitor = (resourceName: string, o: MonitorObject, extra: pulumi.CustomResourceOptions = {}) =>
            new k8s.apiextensions.CustomResource(resourceName, { apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata, spec: o.spec },
                { ...childOpts, ...extra });

        monitor(`${name}-envoy`, buildEnvoyPodMonitor(gatewayNamespaces(cfg.platform), ENVOY_GATEWAY_NAMESPACE));
        monitor(`${name}-kserve-controller`, buildKServeControllerServiceMonitor());

        const pools = dcgmPools(cfg);
        if (pools.length > 0) {
            const ns = new k8s.core.v1.Namespace(`${name}-dcgm`, {
                metadata: { name: DCGM_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
            }, childOpts);
            const inNs = { ...childOpts, dependsOn: [...dependsOn, ns] };
            new k8s.networking.v1.NetworkPolicy(`${name}-dcgm`, buildDcgmNetworkPolicy(cfg.platform), inNs);
            helmRelease(`${name}-dcgm-exporter`, resolveVersions(cfg.platform.versions).dcgmExporter,
                { releaseName: DCGM_RELEASE, namespace: DCGM_NAMESPACE, values: dcgmValues(cfg) },
                { config: cfg, provider: args.provider, parent: this }, inNs);
            monitor(`${name}-dcgm`, buildDcgmServiceMonitor(pools), inNs);
        }

        if (cfg.platform.monitoring.grafana) {
            for (const d of dashboards(cfg)) {
                const cm = dashboardConfigMap(d, cfg.platform.monitoringNamespace);
                new k8s.core.v1.ConfigMap(`${name}-${cm.metadata.name}`, cm, childOpts);
            }
        }
        this.registerOutputs({});
    }
}
