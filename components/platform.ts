// The composition root's logic-free wiring: one function of the validated config, so index.ts, the
// offline plan and the tests evaluate the same program (DESIGN.md §1).
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config";
import { ClusterOutputs } from "./cluster/types";
import { ExistingCluster } from "./cluster/ExistingCluster";
import { Addons } from "./addons/Addons";
import { NvmeStorage } from "./storage/NvmeStorage";
import { InferenceGateway } from "./gateway/InferenceGateway";
import { InferenceExtension } from "./inference/InferenceExtension";
import { KServe } from "./kserve/KServe";
import { Team } from "./tenancy/Team";
import { ModelService, gatewayUrl } from "./models/ModelService";
import { Monitoring } from "./monitoring/Monitoring";
import { ModelAutoscaling } from "./scaling/ModelAutoscaling";
import { usesScaling } from "./config";
import { Observability } from "./observability/Observability";
import { observabilityValues } from "./observability/values";

export interface PlatformOutputs {
    cloud: string;
    clusterName: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    /** Per model: its OpenAI-compatible endpoint through the gateway and its worst-case GPU demand. */
    models: Record<string, { team: string; endpoint: pulumi.Input<string>; gpuDemand: number }>;
}

/**
 * The cluster layer of the stack's cloud. The AWS and GCP clusters are required only for their cloud, so a stack
 * loads one cloud SDK at most (an existing cluster loads neither): `pulumi preview` starts faster.
 */
function createCluster(cfg: PlatformConfig): ClusterOutputs {
    const name = cfg.cluster.name;
    /* eslint-disable @typescript-eslint/no-require-imports */
    switch (cfg.cloud) {
        case "aws": {
            const { AwsCluster } = require("./cluster/AwsCluster") as typeof import("./cluster/AwsCluster");
            return new AwsCluster(name, { config: cfg });
        }
        case "gcp": {
            const { GcpCluster } = require("./cluster/GcpCluster") as typeof import("./cluster/GcpCluster");
            return new GcpCluster(name, { config: cfg });
        }
        case "existing":
            return new ExistingCluster(name, { config: cfg });
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The platform's layers and teams (everything but the models), and a function that adds one model to them. */
function createLayers(cfg: PlatformConfig): { outputs: PlatformOutputs; addModel: (m: PlatformConfig["models"][number]) => void } {
    const cluster = createCluster(cfg);
    const base = { config: cfg, provider: cluster.provider };

    // Platform layers. The routing CRDs come first: cert-manager (ACME through the Gateway) and Envoy Gateway
    // (InferencePool backends) crash-loop when they start without them (components/inference/InferenceExtension.ts).
    const inference = new InferenceExtension("inference", { ...base, dependsOn: cluster.readyResources });
    const addons = new Addons("addons", { ...base, dependsOn: cluster.readyResources, gatewayApiCrds: inference.gatewayApiCrds });
    const storage = new NvmeStorage("storage", { ...base, dependsOn: cluster.readyResources });
    const gateway = new InferenceGateway("gateway", {
        ...base, dependsOn: cluster.readyResources, certManager: addons.certManager,
        gatewayApiCrds: inference.gatewayApiCrds, inferencePoolCrds: inference.inferencePoolCrds,
    });
    const kserve = new KServe("kserve", {
        ...base, dependsOn: cluster.readyResources, controllerDependsOn: [...addons.ready, ...inference.ready, ...gateway.ready],
        storageClass: storage.storageClass,
    });

    // Prometheus (when platform.monitoring.enabled), then the model-autoscaling stack (when some model uses scaling):
    // KServe v0.20.0 fails a service with `scaling` before routing it while the KEDA / WVA CRDs are missing
    // (components/scaling/values.ts), so models that use it wait for the stack, and destroy removes them first.
    const monitoring = new Monitoring("monitoring", {
        ...base, dependsOn: cluster.readyResources, certManager: addons.certManager, values: observabilityValues(cfg),
    });
    const autoscaling = new ModelAutoscaling("autoscaling", {
        ...base, dependsOn: [...cluster.readyResources, ...inference.ready], monitoring: monitoring.ready, kserveController: kserve.controller,
    });
    // Observability: monitors, DCGM and dashboards. They instantiate the monitoring CRDs (brought by the Prometheus
    // release), so they wait for it and for the namespaces they go into (gateway, KServe).
    const monitoringReady = monitoring.ready;
    new Observability("observability", { ...base, dependsOn: [...cluster.readyResources, ...monitoringReady, ...gateway.ready, ...kserve.ready] });

    // Teams and models: each model depends on its team and the CRD layers only, never on another model.
    const teams = new Map(cfg.teams.map((t) => [t.name, new Team(`team-${t.name}`, { ...base, team: t, cluster, dependsOn: cluster.readyResources })]));
    const url = gatewayUrl(cfg, (gateway as { address?: pulumi.Output<string> }).address);
    const models: PlatformOutputs["models"] = {};
    const addModel = (m: PlatformConfig["models"][number]): void => {
        const team = teams.get(m.team)!;
        const svc = new ModelService(`model-${m.name}`, {
            ...base, model: m, namespace: team.namespace, gatewayUrl: url,
            dependsOn: [team, ...inference.ready, ...kserve.ready, ...(usesScaling(m) ? autoscaling.ready : [])], monitoringReady,
        });
        models[m.name] = { team: m.team, endpoint: svc.endpoint, gpuDemand: svc.gpuDemand };
    };
    return { outputs: { cloud: cfg.cloud, clusterName: cluster.clusterName, kubeconfig: cluster.kubeconfig, models }, addModel };
}

/** The whole platform, built in one synchronous pass (the offline plan and the tests). */
export function createPlatform(cfg: PlatformConfig): PlatformOutputs {
    const { outputs, addModel } = createLayers(cfg);
    for (const m of cfg.models) addModel(m);
    return outputs;
}

/**
 * The same resources as createPlatform, for `pulumi preview`/`up` (index.ts): the models are built `batch` at a
 * time with a turn of the event loop between batches. The SDK sends a registration only once the synchronous code
 * that declared it has returned, so one pass held every registration back until the last model was built: at 1,000
 * models the program's first registration came 13 s after its start (bench/engine.md). Now the platform's layers
 * go to the engine first, and their CRDs (the longest chain of a preview) are dry-run while the models are built.
 */
export async function createPlatformInBatches(cfg: PlatformConfig, batch = 50): Promise<PlatformOutputs> {
    const { outputs, addModel } = createLayers(cfg);
    for (let i = 0; i < cfg.models.length; i += batch) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        for (const m of cfg.models.slice(i, i + batch)) addModel(m);
    }
    return outputs;
}
