import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { configReference, DESCRIPTIONS, withGeneratedTable } from "../components/config-reference";
import { PROJECT_DIR } from "./harness";

describe("config reference (README)", () => {
    const keys = configReference();

    it("covers the schema: every key has a description, and no description names a key the schema lacks", () => {
        const paths = keys.map((k) => k.path);
        assert.deepEqual(paths.filter((p) => !DESCRIPTIONS[p]), [], "schema keys without a description");
        assert.deepEqual(Object.keys(DESCRIPTIONS).filter((p) => !paths.includes(p)), [], "descriptions of keys the schema does not have");
        assert.ok(paths.includes("modelplane:models[].parallelism.tensor"));
        assert.ok(paths.includes("modelplane:models[].lora.adapters[].uri"));
    });

    it("reads types, requiredness and defaults from the schema", () => {
        const get = (p: string) => keys.find((k) => k.path === p)!;
        assert.equal(get("modelplane:cloud").required, true);
        assert.match(get("modelplane:cloud").type, /`aws` \\\| `gcp` \\\| `existing`/);
        assert.equal(get("modelplane:gpuPools[].maxNodes").type, "integer");
        assert.equal(get("modelplane:gpuPools[].maxNodes").required, true);
        assert.equal(get("modelplane:gpuPools[].minNodes").default, "0");
        assert.equal(get("modelplane:models[].routing.scorers.prefixCache").default, "3");
        assert.equal(get("modelplane:models[].prefill.replicas").required, false);
    });

    it("README.md holds exactly the generated table (run `npm run docs:config` after changing the schema)", () => {
        const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
        assert.equal(readme, withGeneratedTable(readme));
    });
});
