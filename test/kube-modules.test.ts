// The program must not load @pulumi/kubernetes' root or its apiextensions/v1 module (components/kube.ts says why:
// with CustomResourceDefinition's resource module registered, the SDK reads every CRD of a ConfigGroup back from
// the engine, seconds per `pulumi preview` for KServe's CRDs). Checked on the module graph of the offline plan of
// every shipped stack (one per cloud), which runs the whole program.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..");
const stacks = fs.readdirSync(root).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s);

describe("program: @pulumi/kubernetes modules it loads", function () {
    this.timeout(120_000);
    it("ships a stack per cloud (so every cluster component is loaded below)", () => {
        const clouds = stacks.map((s) => /^\s*modelplane:cloud:\s*(\S+)/m.exec(fs.readFileSync(path.join(root, `Pulumi.${s}.yaml`), "utf8"))?.[1]).sort();
        assert.deepEqual(clouds, ["aws", "existing", "gcp"]);
    });
    for (const stack of stacks) {
        it(`plan ${stack}: neither @pulumi/kubernetes/index.js nor apiextensions/v1, and the program ran`, () => {
            const out = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-kube-modules-"));
            try {
                const probe = `
                    const path = require("node:path");
                    process.argv = [process.argv[0], ${JSON.stringify(path.join(root, "plan", "main.js"))}, ${JSON.stringify(stack)}, "--out", ${JSON.stringify(out)}];
                    process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache)
                        .filter((f) => /@pulumi[\\\\/]kubernetes[\\\\/]/.test(f)).map((f) => f.replace(/.*@pulumi[\\\\/]kubernetes[\\\\/]/, "").split(path.sep).join("/")))));
                    require(${JSON.stringify(path.join(root, "plan", "main.js"))});`;
                const r = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
                assert.equal(r.status, 0, r.stderr);
                const loaded = JSON.parse(/LOADED (.*)$/.exec(r.stderr)?.[1] ?? "null") as string[];
                // The program did register Kubernetes resources (the check below is not vacuous).
                for (const m of ["provider.js", "core/v1/namespace.js", "yaml/v2/configGroup.js", "apiextensions/customResource.js"]) assert.ok(loaded.includes(m), `${m} not loaded: ${loaded.join(" ")}`);
                assert.deepEqual(loaded.filter((m) => m === "index.js" || /^apiextensions\/(index|v1\/index)\.js$/.test(m)), []);
            } finally {
                fs.rmSync(out, { recursive: true, force: true });
            }
        });
    }
});
