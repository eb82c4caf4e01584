// Conformance: every Kubernetes object the shipped stacks declare, as the offline plan writes it to
// manifests/, validates against the upstream CRD schema of its kind when ../shared/crds has one
// (Gateway, GatewayClass, ClientTrafficPolicy, LLMInferenceServiceConfig, LocalModelNodeGroup, and the
// per-model LLMInferenceService, InferenceObjective, LocalModelCache).
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { kubernetesObjects, writeManifests } from "../plan/manifests";
import { SHIPPED_STACKS, shippedResources } from "./harness";
import { crdsDir, findCrd, validateAgainstCrd } from "./crds";

/** Kinds the platform layers create that must be checked in every stack that has them. */
const PLATFORM_KINDS = ["GatewayClass", "Gateway", "ClientTrafficPolicy", "LLMInferenceServiceConfig", "LocalModelNodeGroup"];

describe("conformance: the CRD schema folder", () => {
    it("fails loudly when ../shared/crds is missing", () => {
        const saved = process.env.MODELPLANE_CRDS_DIR;
        process.env.MODELPLANE_CRDS_DIR = path.join(os.tmpdir(), "modelplane-no-such-crds-dir");
        try {
            assert.throws(() => crdsDir(), /upstream CRD schemas not found at .*modelplane-no-such-crds-dir/);
            assert.throws(() => validateAgainstCrd("kserve/serving.kserve.io_localmodelnodegroups.yaml", "v1alpha1", {}), /upstream CRD schemas not found/);
            assert.throws(() => findCrd("gateway.networking.k8s.io/v1", "Gateway"), /upstream CRD schemas not found/);
        } finally {
            if (saved === undefined) delete process.env.MODELPLANE_CRDS_DIR;
            else process.env.MODELPLANE_CRDS_DIR = saved;
        }
        assert.ok(fs.existsSync(crdsDir()));
    });

    it("knows the schemas of the platform kinds", () => {
        for (const [apiVersion, kind] of [
            ["gateway.networking.k8s.io/v1", "GatewayClass"], ["gateway.networking.k8s.io/v1", "Gateway"],
            ["gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy"], ["serving.kserve.io/v1alpha2", "LLMInferenceServiceConfig"],
            ["serving.kserve.io/v1alpha1", "LocalModelNodeGroup"],
        ]) assert.ok(findCrd(apiVersion, kind), `${apiVersion} ${kind}`);
    });
});

for (const stack of SHIPPED_STACKS) {
    describe(`conformance: ${stack} manifests`, () => {
        const checked = new Map<string, number>();
        const failures: string[] = [];

        before(async function () {
            this.timeout(300_000);
            const resources = await shippedResources(stack);
            // Validate exactly what the plan writes (YAML round trip included).
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `modelplane-conformance-${stack}-`));
            try {
                writeManifests(resources, dir);
                for (const file of fs.readdirSync(dir).sort()) {
                    const obj = YAML.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { apiVersion: string; kind: string };
                    const ref = findCrd(obj.apiVersion, obj.kind);
                    if (!ref) continue;
                    checked.set(obj.kind, (checked.get(obj.kind) ?? 0) + 1);
                    for (const e of validateAgainstCrd(ref.file, ref.version, obj)) failures.push(`${file}: ${e}`);
                }
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
            assert.ok(kubernetesObjects(resources).length > 0);
        });

        it("every manifest whose kind has an upstream schema validates against it", () => {
            assert.deepEqual(failures, []);
        });

        it("the platform kinds were among them", () => {
            const expected = PLATFORM_KINDS.filter((k) => k !== "LocalModelNodeGroup" || stack === "prod");
            for (const k of expected) assert.ok((checked.get(k) ?? 0) > 0, `no ${k} checked in ${stack}; checked: ${[...checked.keys()].join(", ")}`);
        });
    });
}
