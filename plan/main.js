// @ts-check
// `npm run plan -- …`: the plan CLI's entry point. Plain JavaScript, so `--help`, a usage error or an unknown stack
// are answered (plan/args.js) before ts-node and TypeScript's compiler are loaded — loading them is most of what
// `--help` cost — and the program only after that (plan/cli.ts).
"use strict";
const path = require("node:path");
const { preflight } = require("./args");

const argv = process.argv.slice(2);
const projectDir = path.resolve(__dirname, "..");
const pre = preflight(argv, projectDir);
if (pre.exit !== undefined) {
    process.exitCode = pre.exit;
} else {
    // What `ts-node --transpile-only` does: type errors are tsc's job (`npm run build`, CI).
    require("ts-node").register({ transpileOnly: true, project: path.join(projectDir, "tsconfig.json") });
    /** @type {typeof import("./cli")} */
    const cli = require("./cli");
    cli.runAsProcess(argv);
}
