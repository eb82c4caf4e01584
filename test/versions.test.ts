// components/versions.ts: the pinned upstream set, overrides (mirrors, local files, upgrades) and the
// compatibility rules, checked through config validation with their config paths.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { crdsDir } from "./crds";
import { ConfigError } from "../components/config";
import { CRD_BUNDLE_KEYS, resolveVersions, validateVersionOverrides, VERSION_KEYS } from "../components/versions";
import { byName, ofType, registered, shippedResources, stackConfig } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const GROUP = "kubernetes:yaml/v2:ConfigGroup";

describe("versions: the pinned set", () => {
    const v = resolveVersions({});

    it("is KServe v0.20.0's tested-together set (DESIGN.md §5)", () => {
        const versions = Object.fromEntries(VERSION_KEYS.map((k) => [k, v[k].version]));
        assert.deepEqual(versions, {
            certManager: "v1.17.0", lws: "v0.8.0", nvidiaDevicePlugin: "0.19.3", clusterAutoscaler: "9.51.0", localStaticProvisioner: "2.9.0",
            nodeCleanupController: "v2.9.0", dcgmExporter: "4.8.2", gatewayApiCrds: "v1.5.1", envoyGatewayCrds: "v1.8.1", envoyGateway: "v1.8.1",
            aiGatewayCrds: "v1.0.0", aiGateway: "v1.0.0", inferencePoolCrds: "v1.5.0", inferencePoolAlphaCrds: "v1.3.1", llmdRouterCrds: "v0.9.0",
            kserveCrds: "v0.20.0", kserve: "v0.20.0", kserveRuntimeConfigs: "v0.20.0", kserveLocalModelCrds: "v0.20.0", kserveLocalModel: "v0.20.0", kserveServingCrds: "v0.20.0",
            prometheusStack: "83.4.0", keda: "2.18.0", wva: "0.7.0",
        });
    });

    it("names the upstream artifacts: release manifests, OCI and https chart repositories", () => {
        assert.deepEqual(v.gatewayApiCrds, { type: "manifest", version: "v1.5.1", files: ["https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml"] });
        assert.deepEqual(v.inferencePoolCrds.type === "manifest" && v.inferencePoolCrds.files,
            ["https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/v1.5.0/v1-manifests.yaml"]);
        assert.deepEqual(v.llmdRouterCrds.type === "manifest" && v.llmdRouterCrds.files, ["https://github.com/llm-d/llm-d-router/releases/download/v0.9.0/manifests.yaml"]);
        assert.deepEqual(v.inferencePoolAlphaCrds.type === "manifest" && v.inferencePoolAlphaCrds.files,
            ["https://raw.githubusercontent.com/kubernetes-sigs/gateway-api-inference-extension/v1.3.1/config/crd/bases/inference.networking.x-k8s.io_inferencepools.yaml"]);
        assert.deepEqual(v.envoyGatewayCrds.type === "manifest" && v.envoyGatewayCrds.files, ["https://github.com/envoyproxy/gateway/releases/download/v1.8.1/envoy-gateway-crds.yaml"]);
        assert.deepEqual(v.lws.files, ["https://github.com/kubernetes-sigs/lws/releases/download/v0.8.0/manifests.yaml"]);
        assert.deepEqual([v.envoyGateway.repo, v.envoyGateway.chart], ["oci://docker.io/envoyproxy", "gateway-helm"]);
        assert.deepEqual([v.aiGateway.chart, v.aiGatewayCrds.type === "chart" && v.aiGatewayCrds.chart], ["ai-gateway-helm", "ai-gateway-crds-helm"]);
        for (const k of ["kserveCrds", "kserve", "kserveRuntimeConfigs"] as const) assert.equal((v[k] as { repo: string }).repo, "oci://ghcr.io/kserve/charts");
        assert.deepEqual([v.kserveCrds.type === "chart" && v.kserveCrds.chart, v.kserve.chart, v.kserveRuntimeConfigs.chart],
            ["kserve-llmisvc-crd", "kserve-llmisvc-resources", "kserve-runtime-configs"]);
        assert.deepEqual([v.certManager.repo, v.certManager.chart], ["https://charts.jetstack.io", "cert-manager"]);
        assert.deepEqual([v.nvidiaDevicePlugin.repo, v.nvidiaDevicePlugin.chart], ["https://nvidia.github.io/k8s-device-plugin", "nvidia-device-plugin"]);
        assert.deepEqual([v.localStaticProvisioner.repo, v.localStaticProvisioner.chart],
            ["https://kubernetes-sigs.github.io/sig-storage-local-static-provisioner", "local-static-provisioner"]);
        assert.equal(v.nodeCleanupController.image, "registry.k8s.io/sig-storage/local-volume-node-cleanup");
        // The autoscaling stack as kserve@v0.20.0 hack/setup/infra/manage.{prometheus,keda,wva}-helm.sh install it.
        assert.deepEqual([v.prometheusStack.repo, v.prometheusStack.chart], ["https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack"]);
        assert.deepEqual([v.keda.repo, v.keda.chart], ["https://kedacore.github.io/charts", "keda"]);
        assert.deepEqual([v.wva.repo, v.wva.chart], ["oci://ghcr.io/llm-d", "workload-variant-autoscaler"]);
    });
});

describe("versions: overrides", () => {
    it("a version string moves a chart, and manifest URLs follow their version", () => {
        const v = resolveVersions({ envoyGateway: "v1.8.3", gatewayApiCrds: "v1.5.0" });
        assert.equal(v.envoyGateway.version, "v1.8.3");
        assert.deepEqual(v.gatewayApiCrds.type === "manifest" && v.gatewayApiCrds.files,
            ["https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.0/standard-install.yaml"]);
    });

    it("released-together components follow their leader unless pinned themselves", () => {
        const v = resolveVersions({ kserve: "v0.21.0", envoyGateway: "v1.8.3", localStaticProvisioner: "2.10.0", aiGateway: "v1.0.1", aiGatewayCrds: "v1.0.0" });
        for (const k of ["kserveCrds", "kserveRuntimeConfigs", "kserveLocalModelCrds", "kserveLocalModel"] as const) assert.equal(v[k].version, "v0.21.0", k);
        assert.equal(v.envoyGatewayCrds.type === "manifest" && v.envoyGatewayCrds.files[0], "https://github.com/envoyproxy/gateway/releases/download/v1.8.3/envoy-gateway-crds.yaml");
        assert.equal(v.nodeCleanupController.version, "v2.10.0");
        assert.equal(v.aiGatewayCrds.version, "v1.0.0", "an explicit pin wins over the leader");
    });

    it("mirrors: another repository or registry, a renamed chart, a local chart, a mirrored image", () => {
        const v = resolveVersions({
            certManager: { repo: "https://charts.mirror.example.com/jetstack" },
            kserve: { repo: "oci://registry.example.com/kserve" },
            envoyGateway: { path: "./vendor/gateway-helm-v1.8.1.tgz" },
            nodeCleanupController: { image: "registry.example.com/sig-storage/local-volume-node-cleanup" },
        });
        assert.equal(v.certManager.repo, "https://charts.mirror.example.com/jetstack");
        assert.equal(v.kserve.repo, "oci://registry.example.com/kserve");
        assert.equal(v.envoyGateway.path, "./vendor/gateway-helm-v1.8.1.tgz");
        assert.equal(v.nodeCleanupController.image, "registry.example.com/sig-storage/local-volume-node-cleanup");
    });

    it("CRD bundles can be local files or directories (air-gapped, offline e2e), even when the default is a chart", () => {
        const crds = path.relative(process.cwd(), crdsDir());
        const v = resolveVersions({
            gatewayApiCrds: { files: path.join(crds, "gateway-api") },
            kserveCrds: { files: [path.join(crds, "kserve", "serving.kserve.io_llminferenceserviceconfigs.yaml")] },
        });
        assert.equal(v.gatewayApiCrds.type, "manifest");
        const files = (v.gatewayApiCrds as { files: string[] }).files;
        // A directory becomes its top-level YAML files (the v1.6.1/ subfolder is not included).
        assert.deepEqual(files.map((f) => path.basename(f)), [
            "gateway.networking.k8s.io_gatewayclasses.yaml", "gateway.networking.k8s.io_gateways.yaml", "gateway.networking.k8s.io_grpcroutes.yaml",
            "gateway.networking.k8s.io_httproutes.yaml", "gateway.networking.k8s.io_referencegrants.yaml",
        ]);
        assert.equal(v.kserveCrds.type, "manifest");
        assert.equal(v.kserveCrds.version, undefined, "files without a version: no version is claimed");
        assert.ok(CRD_BUNDLE_KEYS.includes("kserveCrds"));
    });

    it("CRD bundles can be a local chart even when the default is manifests (one Helm release); other manifests cannot", () => {
        const chart = path.relative(process.cwd(), crdsDir());
        const v = resolveVersions({ gatewayApiCrds: { path: chart } });
        assert.deepEqual(v.gatewayApiCrds, { type: "chart", chart: path.basename(crdsDir()), version: "v1.5.1", path: chart });
        assert.deepEqual(validateVersionOverrides({ gatewayApiCrds: { path: chart, version: "v1.5.1" } }), []);
        const issues = validateVersionOverrides({ lws: { path: chart }, envoyGatewayCrds: { path: chart, files: [chart] } });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.versions.lws.path", "modelplane:platform.versions.envoyGatewayCrds.files"]);
        assert.match(issues[0].message, /lws takes version, files/);
        assert.match(issues[1].message, /cannot be combined with repo, chart or path/);
    });

    it("a local chart's version is its Chart.yaml's, and the compatibility rules check that one", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-versions-"));
        try {
            const chart = (name: string, version?: string) => {
                fs.mkdirSync(path.join(dir, name));
                if (version) fs.writeFileSync(path.join(dir, name, "Chart.yaml"), `apiVersion: v2\nname: ${name}\nversion: ${version}\n`);
                return path.join(dir, name);
            };
            const old = chart("kserve-llmisvc-crd", "v0.19.0");
            const gw = chart("gateway-api-crds", "1.4.0");
            const bare = chart("no-chart-yaml");
            const v = resolveVersions({ kserveCrds: { path: old }, gatewayApiCrds: { path: gw }, kserveLocalModelCrds: { path: bare } });
            assert.equal(v.kserveCrds.version, "v0.19.0");
            assert.equal(v.gatewayApiCrds.version, "1.4.0");
            assert.equal(v.kserveLocalModelCrds.version, "v0.20.0", "no Chart.yaml: the default");
            const issues = validateVersionOverrides({ kserveCrds: { path: old }, gatewayApiCrds: { path: gw } });
            assert.deepEqual(issues.map((i) => i.path).sort(), ["modelplane:platform.versions.gatewayApiCrds", "modelplane:platform.versions.kserveCrds"]);
            assert.match(issues.find((i) => i.path.endsWith("kserveCrds"))!.message, /kserveCrds \(v0\.19\.0\) and kserve \(v0\.20\.0\) must be the same version/);
            assert.match(issues.find((i) => i.path.endsWith("gatewayApiCrds"))!.message, /gatewayApiCrds is v1\.4\.0/);
            // A stated version that contradicts the chart is an error at that key; the matching one is accepted.
            assert.deepEqual(validateVersionOverrides({ kserveCrds: { path: old, version: "v0.20.0" } }).map((i) => i.path),
                ["modelplane:platform.versions.kserveCrds.version"]);
            assert.deepEqual(validateVersionOverrides({ kserveLocalModelCrds: { path: chart("ok", "v0.20.0"), version: "v0.20.0" } }), []);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("versions: validation", () => {
    const paths = (o: Record<string, unknown>, ctx?: { aiGateway?: boolean }) => validateVersionOverrides(o, ctx).map((i) => i.path);

    it("accepts the defaults and well-formed overrides", () => {
        assert.deepEqual(validateVersionOverrides({}), []);
        assert.deepEqual(validateVersionOverrides({ envoyGateway: "v1.8.3", kserve: { version: "v0.20.0", repo: "oci://mirror.example.com/kserve" } }), []);
    });

    it("unknown keys are errors, with their path and the known keys", () => {
        const issues = validateVersionOverrides({ envoyGatway: "v1.8.1" });
        assert.equal(issues.length, 1);
        assert.equal(issues[0].path, "modelplane:platform.versions.envoyGatway");
        assert.match(issues[0].message, /unknown key; known: .*envoyGateway/);
        assert.deepEqual(paths({ certManager: { version: "v1.17.0", registry: "x" } }), ["modelplane:platform.versions.certManager.registry"]);
    });

    it("malformed values: versions, repositories, files on a non-CRD chart, missing local files", () => {
        assert.deepEqual(paths({ certManager: "latest" }), ["modelplane:platform.versions.certManager"]);
        assert.deepEqual(paths({ kserve: { version: "0.20" } }), ["modelplane:platform.versions.kserve.version"]);
        assert.deepEqual(paths({ kserve: { repo: "ghcr.io/kserve/charts" } }), ["modelplane:platform.versions.kserve.repo"]);
        assert.deepEqual(paths({ kserve: { files: ["a.yaml"] } }), ["modelplane:platform.versions.kserve.files"]);
        assert.deepEqual(paths({ gatewayApiCrds: { files: ["./does-not-exist.yaml"] } }), ["modelplane:platform.versions.gatewayApiCrds.files[0]"]);
        assert.deepEqual(paths({ lws: 42 }), ["modelplane:platform.versions.lws"]);
    });

    it("Envoy AI Gateway v1.0.x needs Envoy Gateway ≥ v1.8.1 (ai-gateway compatibility matrix)", () => {
        const issues = validateVersionOverrides({ envoyGateway: "v1.7.2" });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.versions.envoyGateway"]);
        assert.match(issues[0].message, /Envoy AI Gateway v1\.0\.0 needs Envoy Gateway ≥ v1\.8\.1.*v1\.7\.2/);
        // The user moved AI Gateway: the error names the key they changed.
        assert.deepEqual(paths({ aiGateway: "v1.0.1", envoyGateway: "v1.8.0" }), ["modelplane:platform.versions.envoyGateway"]);
        assert.deepEqual(paths({ envoyGateway: "v1.8.1" }), []);
        // Without AI Gateway the rule does not apply.
        assert.deepEqual(paths({ envoyGateway: "v1.7.2" }, { aiGateway: false }), []);
    });

    it("Envoy AI Gateway v1.0.x is tested with Gateway API v1.5.x only", () => {
        const issues = validateVersionOverrides({ gatewayApiCrds: "v1.6.1" });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.versions.gatewayApiCrds"]);
        assert.match(issues[0].message, /Gateway API v1\.5\.x/);
    });

    it("KServe's llmisvc controller needs GIE's InferencePool v1 (GIE ≥ v1.0.0)", () => {
        const issues = validateVersionOverrides({ inferencePoolCrds: "v0.5.1" });
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:platform.versions.inferencePoolCrds"]);
        assert.match(issues[0].message, /InferencePool v1 API/);
    });

    it("CRD bundles and their controllers stay on one version", () => {
        assert.deepEqual(paths({ kserveCrds: "v0.19.0" }), ["modelplane:platform.versions.kserveCrds"]);
        assert.deepEqual(paths({ envoyGateway: "v1.8.3", envoyGatewayCrds: "v1.8.1" }), ["modelplane:platform.versions.envoyGatewayCrds"]);
    });

    it("config validation reports version issues with every other error, before anything is registered", () => {
        assert.throws(() => stackConfig("prod", (raw) => {
            raw["modelplane:platform"].versions = { envoyGateway: "v1.7.2", bogus: "v1.0.0" };
            raw["modelplane:platform"].gateway.tls.email = undefined;
        }), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            const got = e.issues.map((i) => i.path);
            assert.ok(got.includes("modelplane:platform.versions.bogus"), got.join(", "));
            assert.ok(got.includes("modelplane:platform.gateway.tls.email"), got.join(", "));
            return true;
        });
        assert.throws(() => stackConfig("local", (raw) => {
            raw["modelplane:platform"] = { versions: { inferencePoolCrds: "v0.5.1" } };
        }), /modelplane:platform\.versions\.inferencePoolCrds: KServe v0\.20\.0 needs the InferencePool v1 API/);
    });
});

describe("versions: what the program installs", () => {
    it("releases and manifest bundles take their charts, versions and files from versions.ts", async () => {
        const rs = await shippedResources("prod");
        const v = resolveVersions({});
        const rel = (name: string) => byName(rs, RELEASE, name).props;
        assert.deepEqual([rel("addons-cert-manager").chart, rel("addons-cert-manager").version], ["cert-manager", "v1.17.0"]);
        assert.deepEqual((rel("addons-cert-manager").repositoryOpts as { repo: string }).repo, "https://charts.jetstack.io");
        assert.deepEqual([rel("gateway-envoy-gateway").chart, rel("gateway-envoy-gateway").version], ["oci://docker.io/envoyproxy/gateway-helm", "v1.8.1"]);
        assert.deepEqual([rel("gateway-ai-gateway").chart, rel("gateway-ai-gateway-crds").chart],
            ["oci://docker.io/envoyproxy/ai-gateway-helm", "oci://docker.io/envoyproxy/ai-gateway-crds-helm"]);
        for (const [name, chart] of [["kserve-llmisvc-crds", "kserve-llmisvc-crd"], ["kserve-llmisvc", "kserve-llmisvc-resources"], ["kserve-runtime-configs", "kserve-runtime-configs"]]) {
            assert.deepEqual([rel(name).chart, rel(name).version], [`oci://ghcr.io/kserve/charts/${chart}`, "v0.20.0"], name);
        }
        assert.deepEqual([rel("addons-nvidia-device-plugin").chart, rel("addons-nvidia-device-plugin").version], ["nvidia-device-plugin", "0.19.3"]);
        assert.deepEqual([rel("storage-local-static-provisioner").chart, rel("storage-local-static-provisioner").version], ["local-static-provisioner", "2.9.0"]);
        assert.deepEqual(byName(rs, GROUP, "inference-gateway-api-crds").props.files, (v.gatewayApiCrds as { files: string[] }).files);
        assert.deepEqual(byName(rs, GROUP, "addons-lws-crds").props.files, v.lws.files);
        const cleanup = byName(rs, "kubernetes:apps/v1:Deployment", "storage-node-cleanup").props as { spec: { template: { spec: { containers: { image: string }[] } } } };
        assert.equal(cleanup.spec.template.spec.containers[0].image, "registry.k8s.io/sig-storage/local-volume-node-cleanup:v2.9.0");
    });

    it("overrides change what is installed", async () => {
        const crds = path.relative(process.cwd(), crdsDir());
        const rs = await registered(stackConfig("prod", (raw) => {
            raw["modelplane:platform"].versions = {
                kserve: "v0.20.1",
                envoyGateway: { version: "v1.8.3", repo: "oci://registry.example.com/envoyproxy" },
                gatewayApiCrds: { files: path.join(crds, "gateway-api") },
                kserveCrds: { files: path.join(crds, "kserve") },
            };
        }));
        const rel = (name: string) => byName(rs, RELEASE, name).props;
        assert.deepEqual([rel("gateway-envoy-gateway").chart, rel("gateway-envoy-gateway").version], ["oci://registry.example.com/envoyproxy/gateway-helm", "v1.8.3"]);
        assert.equal(rel("kserve-llmisvc").version, "v0.20.1");
        assert.equal(rel("kserve-runtime-configs").version, "v0.20.1");
        const gwapi = byName(rs, GROUP, "inference-gateway-api-crds").props.files as string[];
        assert.equal(gwapi.length, 5);
        assert.ok(gwapi.every((f) => f.includes("gateway-api") && !f.includes("v1.6.1")));
        // The KServe CRDs are now a manifest bundle (ConfigGroup), not a chart.
        assert.equal(ofType(rs, RELEASE).filter((r) => r.name === "kserve-llmisvc-crds").length, 0);
        assert.ok((byName(rs, GROUP, "kserve-llmisvc-crds").props.files as string[]).some((f) => f.endsWith("serving.kserve.io_llminferenceserviceconfigs.yaml")));
    });
});
