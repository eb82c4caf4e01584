// `npm run bundle` (in policies/): builds policies/.publish/, a self-contained copy of the pack for
// `pulumi policy publish`. The pack imports ../lib (shared with the program), and `pulumi policy publish`
// uploads what `npm pack` packs from the pack directory, which would leave ../lib out. So the pack and the
// lib/ files it imports are compiled together (tsc follows the imports) into .publish/{policies,lib}/*.js,
// next to a package.json whose main is policies/index.js.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const here = __dirname;
const out = path.join(here, ".publish");
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });

const tsconfig = {
    compilerOptions: {
        strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", lib: ["ES2022"], types: ["node"],
        esModuleInterop: true, skipLibCheck: true, rootDir: "..", outDir: ".publish", sourceMap: false, declaration: false,
    },
    files: ["index.ts"],
};
const tmp = path.join(here, "tsconfig.publish.json");
fs.writeFileSync(tmp, JSON.stringify(tsconfig, null, 2));
try {
    const tsc = require.resolve("typescript/bin/tsc", { paths: [here] });
    execFileSync(process.execPath, [tsc, "-p", tmp], { stdio: "inherit", cwd: here });
} finally {
    fs.rmSync(tmp, { force: true });
}

const pkg = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));
const publishPkg = {
    name: pkg.name, version: pkg.version, description: pkg.description, license: pkg.license,
    main: "policies/index.js", dependencies: pkg.dependencies,
};
fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(publishPkg, null, 2) + "\n");
const yaml = fs.readFileSync(path.join(here, "PulumiPolicy.yaml"), "utf8").replace("typescript: true", "typescript: false");
fs.writeFileSync(path.join(out, "PulumiPolicy.yaml"), yaml);
fs.copyFileSync(path.join(here, "README.md"), path.join(out, "README.md"));
console.log(`bundled ${pkg.name}@${pkg.version} into ${path.relative(process.cwd(), out) || "."}: cd ${path.relative(process.cwd(), out)} && npm install && pulumi policy publish [org]`);
