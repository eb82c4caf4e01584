import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { HF_TOKEN_KEY, HF_TOKEN_SECRET, KSERVE_NAMESPACE, LOCALMODEL_DOWNLOADER_SERVICE_ACCOUNT } from "../names";
import { crdBundle, defined, helmRelease, InstallContext } from "../addons/install";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { localModelNodeGroupSpec, nvmePools } from "../storage/layout";
import { presets } from "./presets";
import {
    kserveValues, localModelAgentPatch, localModelEnabled, localModelValues, LOCALMODEL_JOBS_NAMESPACE, runtimeConfigsValues,
} from "./values";

export interface KServeArgs extends LayerArgs {
    /** The local-nvme StorageClass the node groups' volumes name (storage layer). */
    storageClass?: pulumi.Resource;
    /**
     * What the llmisvc controller release waits for besides the CRDs: cert-manager (its webhook certificate), the
     * routing CRDs and the gateway. Only the controller and what follows it wait for them; `dependsOn` (the cluster)
     * is all the CRDs, namespaces and identities need, so they are created alongside the routing layers.
     */
    controllerDependsOn?: pulumi.Resource[];
}

/**
 * KServe's LLMInferenceService operator (research/kserve.md §5.1, the llmisvc Helm flow):
 * kserve-llmisvc-crd → kserve-runtime-configs (the shipped kserve-config-llm-* presets) → kserve-llmisvc-resources
 * (controller, webhooks; last, so destroy removes it first), plus modelplane's presets (and the pipeline-parallel preset KServe looks up but
 * does not ship, components/kserve/presets.ts); with local NVMe pools also the LocalModel charts,
 * one LocalModelNodeGroup per pool (built in components/storage/layout.ts) and the node agent's cache path.
 */
export class KServe extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[];
    /** KServe's LLM CRDs (LLMInferenceService, LLMInferenceServiceConfig); undefined when charts are off and the bundle is
     *  neither files nor a local chart (addons/install.ts crdBundle). */
    readonly crds?: pulumi.Resource;
    /** LocalModel CRDs (LocalModelCache, LocalModelNodeGroup), when a pool has local NVMe. */
    readonly localModelCrds?: pulumi.Resource;
    /** The llmisvc controller release (it owns the inferenceservice-config ConfigMap); undefined when charts are off. */
    readonly controller?: pulumi.Resource;

    constructor(name: string, args: KServeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:kserve:KServe", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        // The component itself waits only for the cluster: the SDK registers a child after its parent, and the parent
        // after every resource in its own `dependsOn`, so a gateway dependency here would hold back KServe's CRDs
        // (two 2.2 MB CRDs at v0.20.0, the slowest objects of a preview) until the gateway is done.
        const base = args.dependsOn ?? [];
        const child = (deps: (pulumi.Resource | undefined)[]): pulumi.CustomResourceOptions =>
            ({ parent: this, provider: args.provider, dependsOn: [...base, ...defined(deps)] });
        const afterPlatform = (deps: (pulumi.Resource | undefined)[]): pulumi.CustomResourceOptions =>
            child([...(args.controllerDependsOn ?? []), ...deps]);
        const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

        // Our presets live in `kserve` even without charts, so the namespace is a plain object of ours
        // (unless the gateway already owns a namespace of that name).
        const ns = cfg.platform.gateway.namespace === KSERVE_NAMESPACE ? undefined
            : new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: KSERVE_NAMESPACE, labels } }, child([]));
        const inKserve = { namespace: KSERVE_NAMESPACE, createNamespace: false };
        // What puts the namespace there: ours, or (when the gateway owns it) the gateway layer.
        const nsReady: (pulumi.Resource | undefined)[] = ns ? [ns] : args.controllerDependsOn ?? [];

        this.crds = crdBundle(`${name}-llmisvc-crds`, v.kserveCrds, { ...inKserve, releaseName: "kserve-llmisvc-crd" }, ctx, child(nsReady));
        // KServe's well-known presets (kserve-config-llm-*) before the controller, so that `pulumi destroy` (reverse
        // order) removes the controller and its webhooks first: while it runs, its LLMInferenceServiceConfig webhook
        // refuses to delete well-known presets (PREVENT_WELL_KNOWN_CONFIG_DELETION defaults to true, cmd/llmisvc/main.go
        // and llm_inference_service_config_validation.go `ValidateDelete` at v0.20.0), which left the uninstall (and the
        // kserve namespace) stuck; found by the controllers e2e. Created before the webhook exists, the presets are
        // not validated at install; KServe ships them, and every later upgrade is validated.
        const runtimeConfigs = helmRelease(`${name}-runtime-configs`, v.kserveRuntimeConfigs,
            { ...inKserve, releaseName: "kserve-runtime-configs", values: runtimeConfigsValues() }, ctx, child([...nsReady, this.crds]));
        const controller = this.controller = helmRelease(`${name}-llmisvc`, v.kserve, { ...inKserve, releaseName: "kserve-llmisvc", values: kserveValues(cfg) },
            ctx, afterPlatform([...nsReady, this.crds, runtimeConfigs]));

        const local: pulumi.Resource[] = [];
        if (localModelEnabled(cfg)) {
            this.localModelCrds = crdBundle(`${name}-localmodel-crds`, v.kserveLocalModelCrds,
                { ...inKserve, releaseName: "kserve-localmodel-crd" }, ctx, child(nsReady));
            // The local-model controller needs the InferenceService CRD too (components/versions.ts kserveServingCrds);
            // after kserve-llmisvc-crd, so that release keeps owning the CRD both charts carry.
            const servingCrds = crdBundle(`${name}-serving-crds`, v.kserveServingCrds,
                { ...inKserve, releaseName: "kserve-crd" }, ctx, child([...nsReady, this.crds]));
            const jobs = new k8s.core.v1.Namespace(`${name}-localmodel-jobs`, { metadata: { name: LOCALMODEL_JOBS_NAMESPACE, labels } }, child([]));
            // The identity of LocalModelCache download Jobs (components/models/llmInferenceService.ts buildLocalModelCache):
            // KServe's credential builder reads the Secrets listed on it in the jobs namespace, as KServe's
            // docs/samples/localmodelcache/README.md (v0.20.0) does with its hf-downloader ServiceAccount.
            const token = cfg.secrets.huggingFaceToken;
            const tokenSecret = token === undefined ? undefined : new k8s.core.v1.Secret(`${name}-localmodel-hf-token`, {
                metadata: { name: HF_TOKEN_SECRET, namespace: LOCALMODEL_JOBS_NAMESPACE, labels },
                type: "Opaque",
                stringData: { [HF_TOKEN_KEY]: pulumi.secret(token) },
            }, child([jobs]));
            const downloader = new k8s.core.v1.ServiceAccount(`${name}-localmodel-downloader`, {
                metadata: { name: LOCALMODEL_DOWNLOADER_SERVICE_ACCOUNT, namespace: LOCALMODEL_JOBS_NAMESPACE, labels },
                secrets: tokenSecret ? [{ name: HF_TOKEN_SECRET }] : undefined,
            }, child([jobs]));
            local.push(...defined([tokenSecret, downloader]));
            // After the llmisvc release: its webhook certificate uses that release's cert-manager Issuer.
            const localModel = helmRelease(`${name}-localmodel`, v.kserveLocalModel,
                { ...inKserve, releaseName: "kserve-localmodel", values: localModelValues(cfg) }, ctx, child([this.localModelCrds, servingCrds, controller, jobs]));
            local.push(...defined([this.localModelCrds, servingCrds, jobs, localModel]));
            const patch = localModel ? localModelAgentPatch(cfg, v.kserveLocalModel.version) : undefined;
            if (patch) {
                local.push(new k8s.apps.v1.DaemonSetPatch(`${name}-localmodel-agent-path`, patch as unknown as k8s.apps.v1.DaemonSetPatchArgs, child([localModel])));
            }
            for (const pool of nvmePools(cfg)) {
                local.push(new k8s.apiextensions.CustomResource(`${name}-nodegroup-${pool.name}`, localModelNodeGroupSpec(cfg, pool),
                    child([this.localModelCrds, args.storageClass])));
            }
        }

        // Ours (modelplane-*) and the well-known KServe names KServe looks up but does not ship (kserve-config-llm-*).
        // They are in `ready`, so services are created after them. That matters for the pipeline-parallel preset:
        // KServe v0.20.0 re-queues a service whose preset was missing only for names in WellKnownDefaultConfigs
        // (controller.go, the LLMInferenceServiceConfig watch), and the pipeline-parallel names are not in that set.
        const presetResources = presets().map((p) => {
            const role = p.metadata.name.replace(/^(modelplane-|kserve-config-llm-)/, "");
            return new k8s.apiextensions.CustomResource(`${name}-preset-${role}`, p, child([...nsReady, this.crds, controller]));
        });

        this.ready = defined([this.crds, controller, runtimeConfigs, ...local, ...presetResources]);
        this.registerOutputs({});
    }
}
