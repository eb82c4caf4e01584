import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { defined, helmRelease, InstallContext } from "../addons/install";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import {
    mergeValues, monitoringInstalled, PROMETHEUS_NAMESPACE, PROMETHEUS_RELEASE, PROMETHEUS_URL, prometheusTlsObjects, prometheusValues,
} from "./values";

export { PROMETHEUS_NAMESPACE, PROMETHEUS_URL } from "./values";

export interface MonitoringArgs extends LayerArgs {
    /** Values deep-merged over modelplane's own (Helm semantics: maps merge, lists are replaced): the observability layer's. */
    values?: Record<string, unknown>;
    /** cert-manager: the Issuer and Certificate Prometheus serves HTTPS with are created after it. */
    certManager?: pulumi.Resource;
}

/**
 * Prometheus, as kube-prometheus-stack 83.4.0 in `monitoring` (components/monitoring/values.ts). Installed when
 * `platform.monitoring.enabled` (default true) and charts are on; otherwise the component registers nothing, so a
 * `charts: false` cluster gets no cert-manager objects it could not serve.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The kube-prometheus-stack release (it also brings the monitoring.coreos.com CRDs); undefined when not installed. */
    readonly prometheus?: pulumi.Resource;
    /** Resources the layers that use Prometheus or its CRDs (ServiceMonitor, PodMonitor) wait for. */
    readonly ready: pulumi.Resource[];
    readonly url: string = PROMETHEUS_URL;
    readonly namespace: string = PROMETHEUS_NAMESPACE;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:monitoring:Monitoring", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        this.ready = [];
        if (!monitoringInstalled(cfg)) {
            this.registerOutputs({});
            return;
        }
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        const base = args.dependsOn ?? [];
        const child = (deps: (pulumi.Resource | undefined)[]): pulumi.CustomResourceOptions =>
            ({ parent: this, provider: args.provider, dependsOn: [...base, ...defined(deps)] });

        // The namespace is ours (not the chart's createNamespace): the certificate must exist before Prometheus starts.
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: PROMETHEUS_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
        }, child([]));
        const tls = prometheusTlsObjects();
        const issuer = new k8s.apiextensions.CustomResource(`${name}-prometheus-issuer`, tls.issuer, child([ns, args.certManager]));
        const certificate = new k8s.apiextensions.CustomResource(`${name}-prometheus-certificate`, tls.certificate,
            child([ns, args.certManager, issuer]));
        this.prometheus = helmRelease(`${name}-prometheus`, v.prometheusStack, {
            releaseName: PROMETHEUS_RELEASE, namespace: PROMETHEUS_NAMESPACE, createNamespace: false,
            values: mergeValues(prometheusValues(cfg), args.values ?? {}),
        }, ctx, child([ns, certificate]));
        this.ready.push(...defined([ns, certificate, this.prometheus]));
        this.registerOutputs({ url: this.url, namespace: this.namespace });
    }
}
