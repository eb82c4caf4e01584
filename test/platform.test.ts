// The platform layers (addons, storage, gateway, routing CRDs, KServe): pure builders first, then what the
// shipped stacks register under mocks — ordering, safety options and the `platform.charts: false` path.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { strict as assert } from "node:assert";
import { PlatformConfig } from "../components/config";
import { LOCAL_NVME_STORAGE_CLASS, PRESETS, KSERVE_NAMESPACE } from "../components/names";
import { releaseArgs, CRD_BUNDLE_SUFFIX } from "../components/addons/install";
import { certManagerValues, devicePluginValues, GPU_PRESENT_LABEL, needsDevicePlugin } from "../components/addons/values";
import {
    AI_GATEWAY_EXTENSION_HOST, certificateSpec, clientTrafficPolicySpec, ENVOY_CONTROLLER_NAME, envoyGatewayValues,
    gatewayClassSpec, gatewaySpec, issuerSpec,
} from "../components/gateway/specs";
import {
    localModelNodeGroupSpec, localVolumeDiscovery, modelCacheGiB, modelCacheHostPath, nodeCleanupObjects, nvmePools,
    provisionerValues, storageClassSpec,
} from "../components/storage/layout";
import { kserveValues, localModelAgentPatch, localModelValues, runtimeConfigsValues } from "../components/kserve/values";
import { nvmeCachePreset, runaiStreamerPreset } from "../components/kserve/presets";
import { resolveVersions } from "../components/versions";
import { RegisteredResource } from "../lib/resources";
import { byName, ofType, registered, shippedResources, stackConfig } from "./harness";
import { crdsDir, validateAgainstCrd } from "./crds";

type Obj = Record<string, any>;
const RELEASE = "kubernetes:helm.sh/v3:Release";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";
const LLMISVC_CONFIG_CRD = "kserve/serving.kserve.io_llminferenceserviceconfigs.yaml";

describe("platform builders: add-ons", () => {
    it("Helm release arguments: https repository, OCI registry, local chart", () => {
        const v = resolveVersions({});
        const https = releaseArgs(v.certManager, { releaseName: "cert-manager", namespace: "cert-manager" }) as Obj;
        assert.deepEqual([https.chart, https.version, https.repositoryOpts], ["cert-manager", "v1.17.0", { repo: "https://charts.jetstack.io" }]);
        const oci = releaseArgs(v.envoyGateway, { releaseName: "eg", namespace: "envoy-gateway-system", skipCrds: true }) as Obj;
        assert.deepEqual([oci.chart, oci.version, oci.repositoryOpts, oci.skipCrds, oci.name], ["oci://docker.io/envoyproxy/gateway-helm", "v1.8.1", undefined, true, "eg"]);
        const local = releaseArgs({ ...v.envoyGateway, path: "./charts/gateway-helm" }, { releaseName: "eg", namespace: "x" }) as Obj;
        assert.deepEqual([local.chart, local.version, local.repositoryOpts], ["./charts/gateway-helm", undefined, undefined]);
    });

    it("cert-manager installs its CRDs and keeps them; Gateway API support only for ACME through the Gateway", () => {
        const prod = stackConfig("prod");
        assert.deepEqual(certManagerValues(prod).crds, { enabled: true, keep: true });
        assert.equal((certManagerValues(prod).config as Obj).enableGatewayAPI, true);
        assert.equal(certManagerValues(stackConfig("local")).config, undefined);
    });

    it("NVIDIA device plugin: EKS only, on GPU nodes only (gpu.present label or a GPU pool), tolerating the GPU taint", () => {
        assert.equal(needsDevicePlugin(stackConfig("prod")), true);
        assert.equal(needsDevicePlugin(stackConfig("dev")), false, "GKE installs its own");
        assert.equal(needsDevicePlugin(stackConfig("local")), false);
        const values = devicePluginValues(stackConfig("prod")) as Obj;
        const terms = values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        assert.deepEqual(terms[0], { matchExpressions: [{ key: GPU_PRESENT_LABEL, operator: "In", values: ["true"] }] });
        assert.deepEqual(terms.slice(1).map((t: Obj) => t.matchExpressions[0].values[0]), ["h100", "l40s"]);
        assert.ok(values.tolerations.some((t: Obj) => t.key === "nvidia.com/gpu" && t.operator === "Exists" && t.effect === "NoSchedule"));
    });
});

describe("platform builders: storage", () => {
    const prod = stackConfig("prod");

    it("the local NVMe StorageClass: no-provisioner, WaitForFirstConsumer, Delete", () => {
        const sc = storageClassSpec() as Obj;
        assert.equal(sc.metadata.name, LOCAL_NVME_STORAGE_CLASS);
        assert.equal(sc.provisioner, "kubernetes.io/no-provisioner");
        assert.equal(sc.volumeBindingMode, "WaitForFirstConsumer");
        assert.equal(sc.reclaimPolicy, "Delete");
    });

    it("local-static-provisioner: our class (the chart creates no second StorageClass), discovery per cloud, on localVolumes pools", () => {
        const v = provisionerValues(prod) as Obj;
        assert.equal(v.classes.length, 1);
        const c = v.classes[0];
        assert.equal(c.name, LOCAL_NVME_STORAGE_CLASS);
        assert.equal(c.storageClass, undefined);
        assert.deepEqual([c.hostDir, c.namePattern], ["/mnt/k8s-disks", "[1-9]*"]);
        const terms = v.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
        assert.deepEqual(terms, [{ matchExpressions: [{ key: "modelplane.io/pool", operator: "In", values: ["l40s"] }] }]);
        assert.ok(v.tolerations.some((t: Obj) => t.key === "nvidia.com/gpu"));
        assert.equal(localVolumeDiscovery("gcp").hostDir, "/dev/disk/by-id");
        assert.equal(localVolumeDiscovery("gcp").fsType, "ext4");
    });

    it("node-cleanup-controller watches our class and has only the RBAC it needs", () => {
        const [sa, role, binding, deployment] = nodeCleanupObjects("img:v1") as Obj[];
        assert.equal(sa.kind, "ServiceAccount");
        assert.deepEqual(role.rules.map((r: Obj) => r.resources[0]), ["persistentvolumes", "persistentvolumeclaims", "nodes", "events"]);
        assert.equal(binding.subjects[0].name, sa.metadata.name);
        const c = deployment.spec.template.spec.containers[0];
        assert.equal(c.image, "img:v1");
        assert.ok(c.args.includes(`--storageclass-names=${LOCAL_NVME_STORAGE_CLASS}`));
        assert.ok(c.args.some((a: string) => a.startsWith("--pvc-deletion-delay=")));
    });

    it("LocalModelNodeGroup per NVMe pool: the cache path on the RAID0 array, pinned to the pool's nodes", () => {
        const pools = nvmePools(prod);
        assert.deepEqual(pools.map((p) => p.name), ["h100", "l40s"]);
        const h100 = localModelNodeGroupSpec(prod, pools[0]) as Obj;
        assert.equal(h100.metadata.name, "h100-nvme");
        assert.equal(h100.metadata.namespace, undefined, "cluster-scoped");
        const pv = h100.spec.persistentVolumeSpec;
        assert.equal(pv.local.path, "/mnt/k8s-disks/0/kserve-models");
        assert.deepEqual(pv.nodeAffinity.required.nodeSelectorTerms, [{ matchExpressions: [{ key: "modelplane.io/pool", operator: "In", values: ["h100"] }] }]);
        assert.equal(pv.capacity.storage, h100.spec.storageLimit);
        assert.equal(modelCacheHostPath("gcp"), "/mnt/stateful_partition/kube-ephemeral-ssd/kserve-models");
        assert.equal(modelCacheHostPath("existing"), undefined);
        // localVolumes: every disk belongs to the provisioner, the cache is sized from the root disk.
        assert.equal(modelCacheGiB("aws", pools[1]), Math.floor(pools[1].diskSizeGiB / 2));
        assert.ok(modelCacheGiB("aws", pools[0]) > 1000);
        assert.deepEqual(validateAgainstCrd("kserve/serving.kserve.io_localmodelnodegroups.yaml", "v1alpha1", h100), []);
    });
});

describe("platform builders: gateway", () => {
    const prod = stackConfig("prod");

    it("Envoy Gateway values carry the three InferencePool requirements (AI Gateway as extension server)", () => {
        const eg = (envoyGatewayValues(prod) as Obj).config.envoyGateway;
        assert.equal(eg.gateway.controllerName, ENVOY_CONTROLLER_NAME);
        // 1. Backend API on.
        assert.equal(eg.extensionApis.enableBackend, true);
        // 2. Extension manager hooks and the AI Gateway controller as extension service.
        assert.deepEqual(eg.extensionManager.hooks.xdsTranslator.post, ["Translation", "Cluster", "Route"]);
        for (const k of ["listener", "route", "cluster", "secret"]) assert.deepEqual(eg.extensionManager.hooks.xdsTranslator.translation[k], { includeAll: true });
        assert.deepEqual(eg.extensionManager.service.fqdn, { hostname: AI_GATEWAY_EXTENSION_HOST, port: 1063 });
        // 3. InferencePool v1 as a backend resource.
        assert.deepEqual(eg.extensionManager.backendResources, [{ group: "inference.networking.k8s.io", kind: "InferencePool", version: "v1" }]);
        // One owner for Gateway API: the chart's copy of the safe-upgrade policy is off.
        assert.equal((envoyGatewayValues(prod) as Obj).crds.gatewayAPI.safeUpgradePolicy.enabled, false);
    });

    it("without AI Gateway, Envoy Gateway gets no extension manager", () => {
        const cfg = stackConfig("local", (raw) => { raw["modelplane:platform"] = { gateway: { aiGateway: false } }; });
        const eg = (envoyGatewayValues(cfg) as Obj).config.envoyGateway;
        assert.equal(eg.extensionManager, undefined);
        assert.equal(eg.extensionApis, undefined);
    });

    it("GatewayClass and Gateway: HTTP for routes from all namespaces, HTTPS with the cert-manager secret when TLS is set", () => {
        assert.equal((gatewayClassSpec() as Obj).spec.controllerName, ENVOY_CONTROLLER_NAME);
        const gw = gatewaySpec(prod) as Obj;
        assert.deepEqual([gw.metadata.name, gw.metadata.namespace], [prod.platform.gateway.name, prod.platform.gateway.namespace]);
        assert.equal(gw.spec.gatewayClassName, (gatewayClassSpec() as Obj).metadata.name);
        const [http, https] = gw.spec.listeners;
        assert.deepEqual([http.protocol, http.port, http.allowedRoutes.namespaces.from], ["HTTP", 80, "All"]);
        assert.deepEqual([https.protocol, https.port, https.hostname], ["HTTPS", 443, "llm.prod.example.com"]);
        assert.equal(https.tls.certificateRefs[0].name, (certificateSpec(prod) as Obj).spec.secretName);
        assert.equal((gatewaySpec(stackConfig("local")) as Obj).spec.listeners.length, 1);
    });

    it("Issuer: Let's Encrypt answers http01 through our Gateway; self-signed otherwise", () => {
        const acme = (issuerSpec(prod) as Obj).spec.acme;
        assert.equal(acme.email, "platform@example.com");
        assert.deepEqual(acme.solvers[0].http01.gatewayHTTPRoute.parentRefs[0], { name: "modelplane-gateway", namespace: "modelplane-gateway", kind: "Gateway", sectionName: "http" });
        const selfSigned = stackConfig("local", (raw) => { raw["modelplane:platform"] = { gateway: { tls: { hostname: "llm.local.test" } } }; });
        assert.deepEqual((issuerSpec(selfSigned) as Obj).spec, { selfSigned: {} });
        assert.equal(issuerSpec(stackConfig("local")), undefined);
        const cert = certificateSpec(prod) as Obj;
        assert.deepEqual(cert.spec.dnsNames, ["llm.prod.example.com"]);
        assert.equal(cert.spec.issuerRef.name, (issuerSpec(prod) as Obj).metadata.name);
    });

    it("ClientTrafficPolicy raises the connection buffer limit on our Gateway to platform.gateway.bufferLimit", () => {
        const ctp = clientTrafficPolicySpec(prod) as Obj;
        assert.deepEqual(ctp.spec.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "modelplane-gateway" }]);
        assert.equal(ctp.spec.connection.bufferLimit, "50Mi");
        const cfg = stackConfig("local", (raw) => { raw["modelplane:platform"] = { gateway: { bufferLimit: "128Mi" } }; });
        assert.equal((clientTrafficPolicySpec(cfg) as Obj).spec.connection.bufferLimit, "128Mi");
    });
});

describe("platform builders: KServe", () => {
    const prod = stackConfig("prod");

    it("llmisvc resources: GIE CRDs not created by KServe, our Gateway as default, local models on with NVMe pools", () => {
        const k = (kserveValues(prod) as Obj).kserve;
        assert.equal(k.llmisvc.createGIECRDs, false);
        assert.equal(k.controller.gateway.ingressGateway.kserveGateway, "modelplane-gateway/modelplane-gateway");
        assert.equal(k.localmodel.enabled, true);
        assert.equal((kserveValues(stackConfig("local")) as Obj).kserve.localmodel.enabled, false);
        assert.deepEqual((runtimeConfigsValues() as Obj).kserve.llmisvcConfigs, { enabled: true });
    });

    it("the local-model agent runs on NVMe pools and its hostPath is moved to the NVMe cache directory", () => {
        const c = (localModelValues(prod) as Obj).kserve.localmodelnode.controller;
        assert.deepEqual(c.nodeSelector, { "kserve/localmodel": "worker" });
        assert.equal(c.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.length, 2);
        const patch = localModelAgentPatch(prod, "v0.20.0") as Obj;
        assert.equal(patch.kind, "DaemonSet");
        assert.deepEqual(patch.spec.template.spec.volumes[0], { name: "models", hostPath: { path: "/mnt/k8s-disks/0/kserve-models", type: "DirectoryOrCreate" } });
        assert.equal(patch.metadata.annotations["pulumi.com/patchForce"], "true");
        assert.notEqual(patch.metadata.annotations["modelplane.io/localmodel-chart-revision"],
            (localModelAgentPatch(prod, "v0.20.1") as Obj).metadata.annotations["modelplane.io/localmodel-chart-revision"], "a chart upgrade re-applies the patch");
        // The PV path of every node group is the directory the agent sees.
        for (const pool of nvmePools(prod)) assert.equal((localModelNodeGroupSpec(prod, pool) as Obj).spec.persistentVolumeSpec.local.path, patch.spec.template.spec.volumes[0].hostPath.path);
    });

    it("presets validate against the upstream LLMInferenceServiceConfig schema (v1alpha2)", () => {
        for (const p of [runaiStreamerPreset(), nvmeCachePreset()]) {
            assert.deepEqual(validateAgainstCrd(LLMISVC_CONFIG_CRD, "v1alpha2", p), [], p.metadata.name);
            assert.equal(p.metadata.namespace, KSERVE_NAMESPACE);
        }
        assert.deepEqual([runaiStreamerPreset().metadata.name, nvmeCachePreset().metadata.name], [PRESETS.runaiStreamer, PRESETS.nvmeCache]);
        // The schema check is real: a misspelt field fails.
        const bad = runaiStreamerPreset() as Obj;
        bad.spec.storageInitialiser = { enabled: false };
        assert.match(validateAgainstCrd(LLMISVC_CONFIG_CRD, "v1alpha2", bad).join("\n"), /storageInitialiser/);
    });

    it("runaiStreamer: no storage initializer; no command (every streamer service carries its own, which would win)", () => {
        assert.deepEqual((runaiStreamerPreset() as Obj).spec, { storageInitializer: { enabled: false } });
    });

    it("nvmeCache keeps the storage initializer on (LocalModelCache works only through it)", () => {
        assert.deepEqual((nvmeCachePreset() as Obj).spec, { storageInitializer: { enabled: true } });
    });
});

// ---------------------------------------------------------------------------------------------------
// Under mocks

/** Which bundle brings the CRD of each custom-resource kind the platform layers create. */
const CRD_OWNER: Record<string, string> = {
    "gateway.networking.k8s.io/v1:GatewayClass": "inference-gateway-api-crds",
    "gateway.networking.k8s.io/v1:Gateway": "inference-gateway-api-crds",
    "gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy": "gateway-envoy-gateway-crds",
    "cert-manager.io/v1:Issuer": "addons-cert-manager",
    "cert-manager.io/v1:Certificate": "addons-cert-manager",
    "serving.kserve.io/v1alpha2:LLMInferenceServiceConfig": "kserve-llmisvc-crds",
    "serving.kserve.io/v1alpha1:LocalModelNodeGroup": "kserve-localmodel-crds",
};

const PLATFORM_PARENTS = /modelplane:(addons|storage|gateway|inference|kserve|monitoring|scaling):/;
const platformOnly = (rs: RegisteredResource[]) => rs.filter((r) => r.parent && PLATFORM_PARENTS.test(r.parent));
const kindOf = (r: RegisteredResource) => r.type.replace(/^kubernetes:/, "");

/** All resources `r` waits for, transitively (dependencies are URNs). */
function ancestors(rs: RegisteredResource[], r: RegisteredResource): Set<string> {
    const byUrn = new Map(rs.map((x) => [x.urn, x]));
    const seen = new Set<string>();
    const stack = [...r.dependencies];
    while (stack.length) {
        const u = stack.pop()!;
        if (seen.has(u)) continue;
        seen.add(u);
        stack.push(...(byUrn.get(u)?.dependencies ?? []));
    }
    return seen;
}

function urnOf(rs: RegisteredResource[], name: string): string {
    const r = rs.find((x) => x.name === name && (x.type === RELEASE || x.type === GROUP));
    if (!r) throw new Error(`no release or bundle ${name}`);
    return r.urn;
}

describe("platform under mocks: prod", () => {
    let rs: RegisteredResource[];
    let cfg: PlatformConfig;
    before(async () => {
        cfg = stackConfig("prod");
        rs = await shippedResources("prod");
    });

    it("registers every piece: add-ons, routing CRDs, gateway, KServe releases, storage, presets", () => {
        const names = (type: string) => platformOnly(ofType(rs, type)).map((r) => r.name).sort();
        assert.deepEqual(names(RELEASE), [
            "addons-cert-manager", "addons-cluster-autoscaler", "addons-nvidia-device-plugin", "autoscaling-keda", "autoscaling-wva", "gateway-ai-gateway",
            "gateway-ai-gateway-crds", "gateway-envoy-gateway", "kserve-llmisvc", "kserve-llmisvc-crds", "kserve-localmodel", "kserve-localmodel-crds",
            "kserve-runtime-configs", "kserve-serving-crds", "monitoring-prometheus", "storage-local-static-provisioner",
        ]);
        assert.deepEqual(names(GROUP), ["addons-lws-crds", "gateway-envoy-gateway-crds", "inference-gateway-api-crds", "inference-inferencepool-alpha-crds", "inference-inferencepool-crds", "inference-llmd-router-crds"]);
        assert.ok(byName(rs, "kubernetes:storage.k8s.io/v1:StorageClass", "storage-local-nvme"));
        assert.ok(byName(rs, "kubernetes:apps/v1:Deployment", "storage-node-cleanup"));
        for (const [type, name] of [
            ["kubernetes:gateway.networking.k8s.io/v1:GatewayClass", "gateway-class"], ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway"],
            ["kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy", "gateway-buffer-limit"], ["kubernetes:cert-manager.io/v1:Issuer", "gateway-issuer"],
            ["kubernetes:cert-manager.io/v1:Certificate", "gateway-certificate"],
            ["kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig", "kserve-preset-runai-streamer"],
            ["kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig", "kserve-preset-nvme-cache"],
            ["kubernetes:serving.kserve.io/v1alpha1:LocalModelNodeGroup", "kserve-nodegroup-h100"],
            ["kubernetes:serving.kserve.io/v1alpha1:LocalModelNodeGroup", "kserve-nodegroup-l40s"],
            ["kubernetes:apps/v1:DaemonSetPatch", "kserve-localmodel-agent-path"],
        ]) assert.ok(byName(rs, type, name));
    });

    it("every custom resource depends directly on the release or bundle that brings its CRD", () => {
        const crs = platformOnly(rs).filter((r) => r.custom && CRD_OWNER[kindOf(r)] !== undefined);
        assert.ok(crs.length >= 9, `found ${crs.length}`);
        for (const r of crs) {
            const owner = urnOf(rs, CRD_OWNER[kindOf(r)]);
            assert.ok(r.dependencies.includes(owner), `${r.name} (${kindOf(r)}) does not depend on ${CRD_OWNER[kindOf(r)]}`);
        }
    });

    it("the graph orders the install: routing CRDs → cert-manager / Envoy Gateway → AI Gateway → KServe → presets", () => {
        const before = (a: string, b: string) => {
            const rb = rs.find((x) => x.name === b && platformOnly([x]).length > 0)!;
            assert.ok(rb, `no ${b}`);
            assert.ok(ancestors(rs, rb).has(urnOf(rs, a)), `${b} does not wait for ${a}`);
        };
        before("inference-gateway-api-crds", "addons-cert-manager");
        before("inference-gateway-api-crds", "gateway-envoy-gateway");
        before("inference-inferencepool-crds", "gateway-envoy-gateway");
        before("gateway-envoy-gateway-crds", "gateway-envoy-gateway");
        before("gateway-envoy-gateway", "gateway-ai-gateway");
        before("gateway-ai-gateway-crds", "gateway-ai-gateway");
        before("addons-cert-manager", "kserve-llmisvc");
        before("addons-lws-crds", "kserve-llmisvc");
        before("inference-inferencepool-crds", "kserve-llmisvc");
        before("inference-llmd-router-crds", "kserve-llmisvc");
        before("inference-inferencepool-alpha-crds", "kserve-llmisvc");
        before("gateway-envoy-gateway", "kserve-llmisvc");
        before("kserve-llmisvc-crds", "kserve-llmisvc");
        // Destroy runs in reverse: the controller (whose webhook refuses to delete well-known presets) goes first.
        before("kserve-runtime-configs", "kserve-llmisvc");
        before("kserve-llmisvc", "kserve-localmodel");
        before("kserve-localmodel-crds", "kserve-localmodel");
        before("kserve-llmisvc", "kserve-preset-runai-streamer");
        before("kserve-localmodel", "kserve-localmodel-agent-path");
        for (const gw of ["gateway-class", "gateway-gateway"]) {
            const kserve = byName(rs, RELEASE, "kserve-llmisvc");
            assert.ok(ancestors(rs, kserve).has(byName(rs, `kubernetes:gateway.networking.k8s.io/v1:${gw === "gateway-class" ? "GatewayClass" : "Gateway"}`, gw).urn));
        }
    });

    it("KServe's CRDs, namespaces and presets' inputs wait for the cluster only, not the gateway or cert-manager (a preview/up runs them alongside)", () => {
        // What a resource waits for: its dependencies and its parent, whose registration waits for the parent's own
        // (the SDK registers a child after its parent): transitively.
        const waitsFor = (r: RegisteredResource): Set<string> => {
            const byUrn = new Map(rs.map((x) => [x.urn, x]));
            const seen = new Set<string>();
            const stack = [...r.dependencies, ...(r.parent ? [r.parent] : [])];
            while (stack.length) {
                const u = stack.pop()!;
                if (seen.has(u)) continue;
                seen.add(u);
                const x = byUrn.get(u);
                if (x) stack.push(...x.dependencies, ...(x.parent ? [x.parent] : []));
            }
            return seen;
        };
        const platform = (name: string) => rs.find((x) => x.name === name && platformOnly([x]).length > 0)!;
        for (const early of ["kserve-llmisvc-crds", "kserve-localmodel-crds", "kserve-namespace", "kserve-runtime-configs"]) {
            const w = waitsFor(platform(early));
            for (const late of ["gateway-envoy-gateway", "gateway-ai-gateway", "addons-cert-manager", "gateway-gateway", "gateway-envoy-gateway-crds"]) {
                assert.ok(!w.has(platform(late).urn), `${early} waits for ${late}`);
            }
        }
        // The controller still waits for all of them (the test above), and so does every model.
        const model = rs.find((x) => x.type === "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceService")!;
        assert.ok(waitsFor(model).has(platform("gateway-envoy-gateway").urn));
    });

    it("CRD bundles are named …-crds, never deleted by Pulumi and protected where the stack says so", () => {
        const bundles = platformOnly(rs).filter((r) => r.name.endsWith(CRD_BUNDLE_SUFFIX));
        assert.equal(bundles.length, 10);
        assert.equal(cfg.protect, true);
        for (const b of bundles) {
            assert.equal(b.opts.retainOnDelete, true, b.name);
            assert.equal(b.opts.protect, true, b.name);
        }
    });

    it("one owner for Gateway API and GIE CRDs: Envoy Gateway skips its chart CRDs, KServe does not create GIE CRDs", () => {
        const eg = byName(rs, RELEASE, "gateway-envoy-gateway").props as Obj;
        assert.equal(eg.skipCrds, true);
        assert.equal(eg.values.config.envoyGateway.extensionApis.enableBackend, true);
        const ks = byName(rs, RELEASE, "kserve-llmisvc").props as Obj;
        assert.equal(ks.values.kserve.llmisvc.createGIECRDs, false);
        assert.equal((byName(rs, RELEASE, "kserve-runtime-configs").props as Obj).values.kserve.llmisvcConfigs.enabled, true);
        const gwapiBundles = platformOnly(rs).filter((r) => JSON.stringify(r.props.files ?? "").includes("gateway-api/releases"));
        assert.deepEqual(gwapiBundles.map((r) => r.name), ["inference-gateway-api-crds"]);
    });

    it("every platform object uses the cluster's provider", () => {
        for (const r of platformOnly(rs).filter((x) => x.custom || x.remote)) assert.match(r.provider ?? "", /pulumi:providers:kubernetes/, r.name);
    });
});

describe("platform under mocks: dev, local and platform.charts false", () => {
    it("dev (GKE, no NVMe pools): no device plugin, no local storage or local-model charts; protect off", async () => {
        const rs = await shippedResources("dev");
        const names = platformOnly(ofType(rs, RELEASE)).map((r) => r.name);
        assert.ok(!names.includes("addons-nvidia-device-plugin"));
        assert.ok(!names.some((n) => n.includes("localmodel") || n.includes("provisioner")));
        assert.equal(ofType(rs, "kubernetes:storage.k8s.io/v1:StorageClass").length, 0);
        for (const b of platformOnly(rs).filter((r) => r.name.endsWith("-crds"))) {
            assert.equal(b.opts.protect, false);
            assert.equal(b.opts.retainOnDelete, true);
        }
    });

    it("GKE NVMe pools: the cache lives on the ephemeral local SSD array, the agent is moved there", async () => {
        const cfg = stackConfig("dev", (raw) => { raw["modelplane:gpuPools"][1].instanceType = "a3-highgpu-8g"; raw["modelplane:gpuPools"][1].localNvme = "raid0"; });
        const pools = nvmePools(cfg);
        assert.deepEqual(pools.map((p) => p.name), ["l4x4"]);
        assert.equal((localModelNodeGroupSpec(cfg, pools[0]) as Obj).spec.persistentVolumeSpec.local.path, "/mnt/stateful_partition/kube-ephemeral-ssd/kserve-models");
        const rs = await registered(cfg);
        const patch = byName(rs, "kubernetes:apps/v1:DaemonSetPatch", "kserve-localmodel-agent-path").props as Obj;
        assert.equal(patch.spec.template.spec.volumes[0].hostPath.path, "/mnt/stateful_partition/kube-ephemeral-ssd/kserve-models");
        assert.ok(byName(rs, "kubernetes:serving.kserve.io/v1alpha1:LocalModelNodeGroup", "kserve-nodegroup-l4x4"));
    });

    it("charts: false registers no Helm release at all, but CRD bundles and plain objects", async () => {
        // Without charts there is no autoscaling stack, so the autoscaled model gets fixed replicas (config.ts rejects scaling).
        const cfg = stackConfig("prod", (raw) => {
            raw["modelplane:platform"].charts = false;
            delete raw["modelplane:models"][1].scaling;
            raw["modelplane:models"][1].replicas = 1;
        });
        const rs = await registered(cfg);
        assert.deepEqual(ofType(rs, RELEASE).map((r) => r.name), []);
        assert.deepEqual(platformOnly(ofType(rs, GROUP)).map((r) => r.name).sort(),
            ["addons-lws-crds", "gateway-envoy-gateway-crds", "inference-gateway-api-crds", "inference-inferencepool-alpha-crds", "inference-inferencepool-crds", "inference-llmd-router-crds"]);
        for (const name of ["gateway-class", "gateway-gateway", "gateway-buffer-limit", "kserve-preset-runai-streamer", "kserve-preset-nvme-cache", "kserve-nodegroup-h100", "storage-local-nvme", "storage-node-cleanup"]) {
            assert.ok(rs.some((r) => r.name === name), name);
        }
        // No chart, no agent to patch.
        assert.equal(ofType(rs, "kubernetes:apps/v1:DaemonSetPatch").length, 0);
    });

    it("the offline e2e path: charts off, every CRD bundle from local files", async () => {
        const crds = path.relative(process.cwd(), crdsDir());
        const cfg = stackConfig("local", (raw) => {
            raw["modelplane:platform"] = {
                charts: false,
                versions: {
                    gatewayApiCrds: { files: `${crds}/gateway-api` },
                    inferencePoolCrds: { files: `${crds}/inference-extension/v1.5.0/inference.networking.k8s.io_inferencepools.yaml` },
                    llmdRouterCrds: { files: `${crds}/inference-extension/llm-d-router` },
                    envoyGatewayCrds: { files: `${crds}/envoy-gateway` },
                    kserveCrds: { files: [`${crds}/kserve/serving.kserve.io_llminferenceservices.yaml`, `${crds}/kserve/serving.kserve.io_llminferenceserviceconfigs.yaml`] },
                },
            };
        });
        const rs = await registered(cfg);
        const bundle = byName(rs, GROUP, "kserve-llmisvc-crds");
        assert.equal(bundle.opts.retainOnDelete, true);
        const preset = byName(rs, "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig", "kserve-preset-runai-streamer");
        assert.ok(preset.dependencies.includes(bundle.urn));
        assert.ok(byName(rs, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway").dependencies.includes(byName(rs, GROUP, "inference-gateway-api-crds").urn));
    });

    it("charts off, CRD bundles from local charts: those become Helm releases of the chart path (retained, protected), no other release", async () => {
        // The e2e stack's way (test/e2e/lib/stack.sh e2e_chart): a local CRD-only chart needs no registry and runs no
        // workload, so `charts: false` does not skip it; a registry chart (kserveServingCrds here) stays off.
        const charts = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-charts-"));
        const chart = (name: string) => { fs.mkdirSync(path.join(charts, name)); return path.join(charts, name); };
        const [llmisvc, localModel, ai, gwApi] = ["kserve-llmisvc-crd", "kserve-localmodel-crd", "ai-gateway-crds-helm", "gateway-api-crds"].map(chart);
        // Config validation checks that each path exists; nothing reads the charts after it (the provider would, at `up`).
        let cfg: PlatformConfig;
        try {
            cfg = stackConfig("prod", (raw) => {
                raw["modelplane:platform"].charts = false;
                // gatewayApiCrds is plain manifests by default: a local chart makes it a release too.
                raw["modelplane:platform"].versions = {
                    kserveCrds: { path: llmisvc }, kserveLocalModelCrds: { path: localModel }, aiGatewayCrds: { path: ai }, gatewayApiCrds: { path: gwApi },
                };
                delete raw["modelplane:models"][1].scaling;
                raw["modelplane:models"][1].replicas = 1;
            });
        } finally {
            fs.rmSync(charts, { recursive: true, force: true });
        }
        assert.equal(cfg.protect, true);
        const rs = await registered(cfg);
        const releases = ofType(rs, RELEASE);
        const props = (r: RegisteredResource) => r.props as Obj;
        assert.deepEqual(releases.map((r) => [r.name, props(r).chart, props(r).name, props(r).namespace]).sort(), [
            ["gateway-ai-gateway-crds", ai, "aieg-crd", "envoy-ai-gateway-system"],
            ["inference-gateway-api-crds", gwApi, "gateway-api-crds", "default"],
            ["kserve-llmisvc-crds", llmisvc, "kserve-llmisvc-crd", KSERVE_NAMESPACE],
            ["kserve-localmodel-crds", localModel, "kserve-localmodel-crd", KSERVE_NAMESPACE],
        ]);
        for (const r of releases) {
            assert.equal(r.opts.retainOnDelete, true, r.name);
            assert.equal(r.opts.protect, true, r.name);
            assert.equal((r.props as Obj).version, undefined, `${r.name}: a local chart is not pinned by version`);
        }
        assert.ok(!platformOnly(ofType(rs, GROUP)).some((r) => ["kserve-llmisvc-crds", "inference-gateway-api-crds"].includes(r.name)));
        assert.ok(byName(rs, "kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway").dependencies.includes(byName(rs, RELEASE, "inference-gateway-api-crds").urn));
        const preset = byName(rs, "kubernetes:serving.kserve.io/v1alpha2:LLMInferenceServiceConfig", "kserve-preset-runai-streamer");
        assert.ok(preset.dependencies.includes(byName(rs, RELEASE, "kserve-llmisvc-crds").urn));
    });
});
