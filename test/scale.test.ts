import assert from "node:assert/strict";
import * as path from "node:path";
import * as fs from "node:fs";
import * as os from "node:os";
import { generateStack } from "../bench/generate";
import { dependencyDepth, modelStructure } from "../bench/graph";
import { RegisteredResource } from "../lib/resources";
import { loadStackConfig } from "../plan/plan";
import { registered, PROJECT_DIR } from "./harness";

/** Evaluates a generated stack of n models under mocks. */
async function generated(n: number): Promise<RegisteredResource[]> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-scale-"));
    const file = path.join(dir, `Pulumi.scale${n}.yaml`);
    fs.writeFileSync(file, generateStack(n).stackYaml);
    return registered(loadStackConfig(`scale${n}`, PROJECT_DIR, file));
}

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
});
