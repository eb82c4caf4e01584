// The kube-prometheus-stack 83.4.0 values observability needs (deep-merged by the Monitoring component over its
// own). Pure.
import { PlatformConfig } from "../config";
import { FOLDER_ANNOTATION } from "./dashboards";
import { monitoringInstalled, PROMETHEUS_URL } from "../monitoring/values";

/**
 * Whether the monitors and dashboards are registered: they are custom resources of the chart's CRDs (and
 * ConfigMaps for its Grafana), so only with the monitoring stack, and only where charts are installed
 * (`platform.charts: false` installs no kube-prometheus-stack, so nothing would serve PodMonitor objects).
 */
export function observabilityEnabled(cfg: PlatformConfig): boolean {
    return monitoringInstalled(cfg);
}

/**
 * - Prometheus selects every PodMonitor and ServiceMonitor in every namespace: with the chart's default
 *   (`*SelectorNilUsesHelmValues: true`) an empty selector becomes `release: prometheus`, and each team's
 *   monitors live in the team's namespace (values.yaml prometheus.prometheusSpec at 83.4.0).
 * - Grafana (the grafana subchart) only when `platform.monitoring.grafana`: its dashboard sidecar watches every
 *   namespace for ConfigMaps labelled grafana_dashboard=1 (the chart's default) and files them by the folder
 *   annotation; the chart's own dashboards stay (Kubernetes views are useful next to modelplane's).
 *   Requests sized for a small node; no persistence (dashboards are code, the datasource is provisioned).
 */
export function observabilityValues(cfg: PlatformConfig): Record<string, unknown> {
    const grafana = cfg.platform.monitoring.grafana;
    return {
        prometheus: {
            prometheusSpec: {
                podMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelector: {},
                podMonitorNamespaceSelector: {},
                serviceMonitorSelectorNilUsesHelmValues: false,
                serviceMonitorSelector: {},
                serviceMonitorNamespaceSelector: {},
            },
        },
        grafana: grafana
            ? {
                enabled: true,
                sidecar: {
                    dashboards: {
                        enabled: true,
                        label: "grafana_dashboard",
                        labelValue: "1",
                        searchNamespace: "ALL",
                        folderAnnotation: FOLDER_ANNOTATION,
                        provider: { foldersFromFilesStructure: true },
                    },
                    // Prometheus serves HTTPS only (components/monitoring/values.ts: WVA requires it), while the chart's
                    // provisioned datasource defaults to http://<release>-prometheus:9090 (kube-prometheus-stack 83.4.0
                    // templates/grafana/configmaps-datasources.yaml: `url` unless sidecar.datasources.url is set). The
                    // certificate is cert-manager's self-signed one, so the datasource skips verification, as WVA does.
                    datasources: { url: PROMETHEUS_URL, extraJsonData: { tlsSkipVerify: true } },
                },
                persistence: { enabled: false },
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
            }
            : { enabled: false },
    };
}
