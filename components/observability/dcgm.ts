// NVIDIA dcgm-exporter (chart 4.8.2, components/versions.ts) on the GPU pools: per-GPU utilisation and memory,
// each series carrying the pod that holds the GPU. Pure.
//
// One release covers every GPU pool, each pool one nodeSelectorTerm of the DaemonSet's required node affinity
// (terms are ORed): the chart names its metrics ConfigMap `exporter-metrics-config-map` whatever the release
// (templates/metrics-configmap.yaml at 4.5.3-4.8.2), so two releases in one namespace would fight over it, and a
// release per pool would need a namespace per pool for nothing. The per-pool view comes from the `pool` label the
// ServiceMonitor sets from each node's labels (monitors.ts poolRelabelings).
import { GpuPoolConfig, PlatformConfig } from "../config";
import { GPU_TOLERATION, gpuPools, poolSelectorTerms, requiredNodeAffinity } from "../addons/scheduling";

/** The pools that get the exporter: those with GPUs, unless the cluster brings its own exporter. */
export function dcgmPools(cfg: PlatformConfig): GpuPoolConfig[] {
    return cfg.platform.monitoring.dcgmExporter ? gpuPools(cfg.gpuPools) : [];
}

/**
 * GKE's driver installer puts the NVIDIA libraries under /home/kubernetes/bin/nvidia on the host and GKE's
 * device plugin mounts them only into pods that request GPUs; the exporter requests none, so it mounts them
 * itself and opens the GPU device nodes privileged (GKE documents the same for DCGM: "Collect and view DCGM
 * metrics", self-deployed exporter). Not exercised on GKE here.
 */
function gkeValues(): Record<string, unknown> {
    return {
        securityContext: { privileged: true, runAsNonRoot: false, runAsUser: 0 },
        extraHostVolumes: [{ name: "nvidia-install-dir-host", hostPath: "/home/kubernetes/bin/nvidia" }],
        // The chart's default mount of its counters ConfigMap is in this list too: a value replaces the list.
        extraVolumeMounts: [
            { name: "exporter-metrics-volume", mountPath: "/etc/dcgm-exporter/default-counters.csv", subPath: "default-counters.csv" },
            { name: "nvidia-install-dir-host", mountPath: "/usr/local/nvidia", readOnly: true },
        ],
        extraEnv: [{ name: "LD_LIBRARY_PATH", value: "/usr/local/nvidia/lib64" }],
    };
}

/**
 * Chart values: on the GPU pools' nodes only (their selectors, tolerating the GPU taint — the chart's default
 * toleration is for control-plane nodes, replaced here), the chart's own ServiceMonitor off (modelplane's adds the
 * pool label), and requests small enough for the node's allocatable (the chart's 100m / 128Mi).
 */
export function dcgmValues(cfg: PlatformConfig): Record<string, unknown> {
    const pools = dcgmPools(cfg);
    return {
        affinity: requiredNodeAffinity(poolSelectorTerms(pools)),
        tolerations: [GPU_TOLERATION],
        serviceMonitor: { enabled: false },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "512Mi" } },
        ...(cfg.cloud === "gcp" ? gkeValues() : {}),
    };
}
