// The plan CLI answers --help and usage errors without loading the program: plan/args.js must not import the
// Pulumi SDK, the providers or the components, and `npm run plan`'s entry point (plan/main.js) answers them
// before ts-node and TypeScript load (checked on the module graph, not on timing).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

describe("plan CLI: arguments before the program", () => {
    it("plan/args.js loads no Pulumi SDK, provider or component module", () => {
        const probe = `
            require("ts-node/register/transpile-only");
            require(${JSON.stringify(path.resolve(__dirname, "..", "plan", "args.js"))});
            const root = ${JSON.stringify(path.resolve(__dirname, "..") + path.sep)};
            const loaded = Object.keys(require.cache).filter((f) => f.includes("@pulumi") ||
                ["components", "lib", "policies"].some((d) => f.startsWith(root + d + ${JSON.stringify(path.sep)})));
            process.stdout.write(JSON.stringify(loaded));`;
        const r = spawnSync(process.execPath, ["-e", probe], { cwd: path.resolve(__dirname, ".."), encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(JSON.parse(r.stdout), []);
    });

    for (const [args, status] of [[["--help"], 0], [["--no-such-option"], 2], [["no-such-stack"], 2]] as const) {
        it(`plan/main.js answers ${args.join(" ")} (exit ${status}) without loading TypeScript, ts-node or the program`, () => {
            const main = path.resolve(__dirname, "..", "plan", "main.js");
            const probe = `
                process.argv = [process.argv[0], ${JSON.stringify(main)}, ...${JSON.stringify(args)}];
                process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify(Object.keys(require.cache)
                    .filter((f) => /node_modules[\\\\/](typescript|ts-node|@pulumi)[\\\\/]/.test(f) || f.endsWith(".ts")))));
                require(${JSON.stringify(main)});`;
            const r = spawnSync(process.execPath, ["-e", probe], { cwd: path.resolve(__dirname, ".."), encoding: "utf8" });
            assert.equal(r.status, status, r.stderr);
            assert.deepEqual(JSON.parse(/LOADED (.*)$/.exec(r.stderr)?.[1] ?? "null"), []);
            if (status === 0) assert.match(r.stdout, /^usage: npm run plan -- <stack>/);
            else assert.match(r.stderr, /^error: /);
        });
    }

    it("plan/cli.ts imports only node builtins and ./args at the top (the program is required lazily)", () => {
        const src = require("node:fs").readFileSync(path.resolve(__dirname, "..", "plan", "cli.ts"), "utf8") as string;
        const imports = [...src.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
        assert.deepEqual(imports, ["node:path", "./args"]);
    });
});

describe("the program loads only its cloud's SDK", function () {
    this.timeout(120_000);
    const loadedBy = (stack: string): string[] => {
        const root = path.resolve(__dirname, "..");
        const probe = `
            require("ts-node/register/transpile-only");
            const { stackConfig } = require(${JSON.stringify(path.join(root, "test", "harness.ts"))});
            const { registered } = require(${JSON.stringify(path.join(root, "test", "harness.ts"))});
            registered(stackConfig(${JSON.stringify(stack)})).then(() => {
                const sdks = new Set(Object.keys(require.cache).map((f) => /node_modules[\\\\/]@pulumi[\\\\/](aws|gcp)[\\\\/]/.exec(f)?.[1]).filter(Boolean));
                process.stdout.write(JSON.stringify([...sdks].sort()));
            });`;
        const r = spawnSync(process.execPath, ["-e", probe], { cwd: root, encoding: "utf8" });
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(r.stdout.trim().split("\n").pop()!);
    };
    it("existing cluster (local): neither @pulumi/aws nor @pulumi/gcp", () => assert.deepEqual(loadedBy("local"), []));
    it("gcp (dev): @pulumi/gcp only", () => assert.deepEqual(loadedBy("dev"), ["gcp"]));
});
