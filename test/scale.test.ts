import assert from "node:assert/strict";
import * as path from "node:path";
import * as fs from "node:fs";
import * as os from "node:os";
import { generateStack } from "../bench/generate";
import { dependencyDepth, modelStructure } from "../bench/graph";
import { RegisteredResource } from "../lib/resources";
import { loadStackConfig } from "../plan/plan";
import { registered, PROJECT_DIR } from "./harness";
import { resolvePolicyConfig, toPolicyResources } from "../plan/policy-runner";
import { POLICIES } from "../policies/pack";
import { StackValidationPolicy } from "@pulumi/policy";
import { FloorRequest, registerFloor } from "../bench/floor";
import { evaluate } from "../plan/evaluate";
import { createPlatform, createPlatformInBatches } from "../components/platform";

/** Evaluates a generated stack of n models under mocks. */
async function generated(n: number): Promise<RegisteredResource[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-scale-"));
    const file = path.join(dir, `Pulumi.scale${n}.yaml`);
    fs.writeFileSync(file, generateStack(n).stackYaml);
    return registered(loadStackConfig(`scale${n}`, PROJECT_DIR, file));
}

describe("the engine bench's stack (bench/engine.ts gen)", () => {
    it("is a valid stack on an existing cluster with charts off (no `scaling`, which needs the autoscaling charts)", () => {
        const g = generateStack(8, { cloud: "existing", cluster: { name: "bench", context: "modelplane-e2e" }, scaling: false });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-engine-stack-"));
        const file = path.join(dir, "Pulumi.bench8.yaml");
        fs.writeFileSync(file, g.stackYaml.trimEnd() + "\n  modelplane:platform:\n    charts: false\n");
        const cfg = loadStackConfig("bench8", PROJECT_DIR, file);
        assert.equal(cfg.models.length, 8);
        assert.ok(cfg.models.every((m) => m.scaling === undefined), "a model uses scaling");
        // The same GPU demand as the autoscaled shape it replaces (maxReplicas 2).
        assert.equal(cfg.models[1].replicas, 2);
        // Without `scaling: false` the generator still produces the autoscaled shape, which that stack rejects.
        fs.writeFileSync(file, generateStack(8, { cloud: "existing", cluster: { name: "bench", context: "modelplane-e2e" } }).stackYaml.trimEnd() +
            "\n  modelplane:platform:\n    charts: false\n");
        assert.throws(() => loadStackConfig("bench8", PROJECT_DIR, file), /scaling/);
    });
});

describe("program entry: models built in batches (createPlatformInBatches, index.ts)", () => {
    it("registers exactly what the one-pass build does (same URNs, parents, inputs, options) and the same outputs, at 130 models", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-batches-"));
        const g = generateStack(130, undefined, { modelFile: path.join(dir, "models.yaml") });
        fs.writeFileSync(path.join(dir, "models.yaml"), g.modelsYaml!);
        fs.writeFileSync(path.join(dir, "Pulumi.b130.yaml"), g.stackYaml);
        const cfg = loadStackConfig("b130", PROJECT_DIR, path.join(dir, "Pulumi.b130.yaml"));
        const once = await evaluate(cfg, createPlatform);
        // Batches of 50: three turns of the event loop, the last one partial.
        const batched = await evaluate(cfg, (c) => createPlatformInBatches(c, 50));
        const byUrn = (rs: RegisteredResource[]) => new Map(rs.map((r) => [r.urn, r]));
        const a = byUrn(once.resources);
        const b = byUrn(batched.resources);
        assert.equal(b.size, a.size);
        assert.ok(a.size > 130 * 2, `only ${a.size} resources`);
        for (const [urn, r] of a) assert.deepEqual(b.get(urn), r, urn);
        assert.deepEqual(batched.outputs, once.outputs);
    });

    it("index.ts builds the platform in batches", () => {
        const src = fs.readFileSync(path.join(PROJECT_DIR, "index.ts"), "utf8");
        assert.match(src, /createPlatformInBatches\(loadFromPulumi\(\)\)/);
        assert.doesNotMatch(src, /createPlatform\(/);
    });
});

describe("structure at scale (not timing)", () => {
    let small: RegisteredResource[];
    let large: RegisteredResource[];
    before(async () => {
        small = await generated(8);
        large = await generated(40);
    });

    it("registers the same resources per model whatever the number of models", () => {
        const a = modelStructure(small).perModel;
        const b = modelStructure(large).perModel;
        assert.equal(a.size, 8);
        assert.equal(b.size, 40);
        // Models cycle through four shapes; model i of both stacks has the same shape.
        for (const [name, count] of a) assert.equal(b.get(name), count, `${name}: ${count} resources at N=8, ${b.get(name)} at N=40`);
        const platformA = small.length - [...a.values()].reduce((x, y) => x + y, 0);
        const platformB = large.length - [...b.values()].reduce((x, y) => x + y, 0);
        // Platform layers are built once; only per-team objects grow (teams = N/20, at least 1).
        const teamsA = 1;
        const teamsB = 2;
        assert.equal((platformB - platformA) % (teamsB - teamsA), 0);
        assert.ok(platformB - platformA <= 10 * (teamsB - teamsA), `platform grew by ${platformB - platformA} for one more team`);
    });

    it("keeps the dependency graph as deep at N=40 as at N=8", () => {
        assert.equal(dependencyDepth(large), dependencyDepth(small));
    });

    it("never makes one model's resources depend on another model's", () => {
        assert.deepEqual(modelStructure(large).crossModelEdges, []);
    });

    it("bench floor: registers what the plan registered (same resources, parents, dependencies, providers)", async () => {
        const key = (type: string, name: string, parent: string | undefined) => `${parent ?? ""}|${type}|${name}`;
        const sent = new Map<string, FloorRequest>();
        const count = await registerFloor(small, "scale8", "recorded", (req) => sent.set(key(req.getType(), req.getName(), req.getParent() || undefined), req));
        assert.equal(count, small.length);
        // The root stack is the SDK's own registration in both programs.
        const expected = small.filter((r) => r.type !== "pulumi:pulumi:Stack");
        assert.equal(expected.filter((r) => r.dependencies.length > 0).length > expected.length / 2, true, "the plan recorded dependencies");
        for (const r of expected) {
            const req = sent.get(key(r.type, r.name, r.parent));
            assert.ok(req, `the floor did not register ${r.urn}`);
            assert.deepEqual([...req.getDependenciesList()].sort(), [...r.dependencies].sort(), `${r.urn}: dependencies`);
            // Custom resources and remote components (constructed by their provider) name it; local components do not.
            assert.equal(req.getProvider() || undefined, r.custom || r.remote ? r.provider : undefined, `${r.urn}: provider`);
        }
    });
});

describe("stack policies are linear in the number of resources", () => {
    /** Wraps a value so every property read at any depth is counted. */
    function counting<T>(value: T, counter: { reads: number }): T {
        if (value === null || typeof value !== "object") return value;
        return new Proxy(value as object, {
            get(target, key, receiver) {
                counter.reads++;
                return counting(Reflect.get(target, key, receiver), counter);
            },
        }) as T;
    }

    async function readsFor(n: number): Promise<number> {
        const resources = await generated(n);
        const g = generateStack(n);
        const resolved = resolvePolicyConfig(g.policyConfig);
        const counter = { reads: 0 };
        const policyResources = toPolicyResources(resources).map((r) => ({ ...r, props: counting(r.props, counter) }));
        for (const p of POLICIES) {
            if (!("validateStack" in p) || !p.validateStack) continue;
            const properties = { ...(resolved.get(p.name)?.properties ?? {}), ...(p.name === "protect-stateful-platform" ? { requireProtect: true } : {}) };
            await p.validateStack({
                resources: policyResources, getConfig: <T extends object>() => structuredClone(properties) as T,
                stackTags: new Map(), notApplicable: (reason?: string) => { throw new Error(reason); },
            } as unknown as Parameters<NonNullable<StackValidationPolicy["validateStack"]>>[0], () => undefined);
        }
        return counter.reads;
    }

    it("reads resource properties O(resources) times: 4× the models costs ≤ 4.5× the reads, not 16×", async () => {
        const small = await readsFor(10);
        const large = await readsFor(40);
        assert.ok(small > 1000, `the stack policies read resource properties at all (${small})`);
        assert.ok(large / small <= 4.5, `reads grew ${(large / small).toFixed(2)}× for 4× the models (${small} → ${large})`);
    });
});
