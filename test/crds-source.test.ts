// Where the conformance tests' CRD schemas come from outside the modelplane workspace (scripts/crds.ts):
// the manifest covers every file the tests read, with ../shared/crds' hashes and the pinned tags, and the
// download path (against a local HTTP server on 127.0.0.1, never the network) writes the ../shared/crds
// layout and rejects a file whose bytes do not match.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { resolveVersions } from "../components/versions";
import { crdManifest, crdUrl, CrdEntry, DEFAULT_BASE_URL, main, sha256, yamlFilesUnder } from "../scripts/crds";
import { crdsDir } from "./crds";

const TEST_DIR = __dirname;
const PROJECT_DIR = path.resolve(__dirname, "..");
/** The folder the tests read: ../shared/crds in the workspace, MODELPLANE_CRDS_DIR (what `npm run crds` wrote) in a user's CI. */
const SHARED = crdsDir();

const yamlFiles = yamlFilesUnder;

/**
 * CRD files the tests name: `"<folder>/….yaml"`, `${crds}/<folder>/….yaml`, `…/crds/<folder>/….yaml` and
 * `path.join(crdsDir(), "a", "b.yaml")` (not URLs such as `kubernetes-sigs/gateway-api/releases/…`).
 */
function filesNamedByTests(folders: string[]): string[] {
    const named = new Set<string>();
    const literal = new RegExp(`(?:^|["'\`\\s]|\\}/|crds/)((?:${folders.map((f) => f.replace(/[.-]/g, "\\$&")).join("|")})/[A-Za-z0-9._/-]+\\.ya?ml)`, "g");
    for (const f of fs.readdirSync(TEST_DIR).filter((n) => n.endsWith(".ts") && n !== path.basename(__filename))) {
        const text = fs.readFileSync(path.join(TEST_DIR, f), "utf8");
        for (const m of text.matchAll(literal)) named.add(m[1]);
        for (const m of text.matchAll(/path\.join\(crdsDir\(\),((?:\s*"[^"]+",?)+)\)/g)) {
            named.add([...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]).join("/"));
        }
    }
    return [...named].sort();
}

describe("CRD source for CI without ../shared/crds (scripts/crds.ts)", () => {
    const manifest = crdManifest();
    const byFile = new Map(manifest.map((e) => [e.file, e]));

    it("(a) lists every CRD file the tests read, each with the sha256 of the ../shared/crds copy", () => {
        assert.equal(byFile.size, manifest.length, "a file is listed twice");
        // crdIndex() (conformance) reads every YAML file of the folder, so the manifest is exactly the folder.
        assert.deepEqual(manifest.map((e) => e.file).sort(), yamlFiles(SHARED));
        const folders = [...new Set(manifest.map((e) => e.file.split("/")[0]))];
        const named = filesNamedByTests(folders);
        assert.ok(named.includes("kserve/v0.20.0-gie/gateway-inference-extension.yaml") && named.includes("kserve/serving.kserve.io_llminferenceservices.yaml"),
            `the scan of test/ found too little: ${named.join(", ")}`);
        for (const f of named) assert.ok(byFile.has(f), `test/ reads ${f}, which scripts/crds.ts does not list`);
        for (const e of manifest) {
            assert.match(e.sha256, /^[0-9a-f]{64}$/, e.file);
            assert.equal(sha256(fs.readFileSync(path.join(SHARED, e.file))), e.sha256, `${e.file}: the manifest's sha256 is not the ../shared/crds file's`);
        }
    });

    it("(b) downloads each file from its upstream repository at the tag modelplane pins", () => {
        const v = resolveVersions({});
        const pinned = manifest.filter((e) => e.pin);
        // Everything at the top level of a folder is one of modelplane's pins; versioned subfolders keep their own tag.
        for (const e of manifest) {
            const url = crdUrl(e);
            assert.ok(url.startsWith(`${DEFAULT_BASE_URL}/${e.repo}/${e.tag}/`), url);
            assert.ok(url.endsWith(`/${e.file.split("/").pop()}`), `${url} is not ${e.file}`);
            const folderVersion = /\/(v\d+\.\d+\.\d+)\//.exec(`/${e.file}`)?.[1];
            if (e.pin) {
                assert.equal(e.tag, v[e.pin].version, `${e.file}: tag ${e.tag}, components/versions.ts pins ${e.pin} ${v[e.pin].version}`);
            } else {
                assert.ok(folderVersion, `${e.file} is at the top level of its folder but follows no pin`);
                assert.equal(e.tag, folderVersion, `${e.file} lives in a ${folderVersion} folder, its tag is ${e.tag}`);
            }
        }
        const pinOf = (file: string) => byFile.get(file)?.pin;
        assert.equal(pinOf("kserve/serving.kserve.io_llminferenceservices.yaml"), "kserveCrds");
        assert.equal(pinOf("kserve/serving.kserve.io_localmodelnodegroups.yaml"), "kserveLocalModelCrds");
        assert.equal(pinOf("kserve/v0.20.0-gie/gateway-inference-extension.yaml"), "kserve");
        assert.equal(pinOf("inference-extension/inference.networking.k8s.io_inferencepools.yaml"), "inferencePoolCrds");
        assert.equal(pinOf("inference-extension/llm-d-router/llm-d.ai_inferenceobjectives.yaml"), "llmdRouterCrds");
        assert.equal(pinOf("gateway-api/gateway.networking.k8s.io_gateways.yaml"), "gatewayApiCrds");
        assert.equal(pinOf("envoy-gateway/gateway.envoyproxy.io_envoyproxies.yaml"), "envoyGatewayCrds");
        assert.equal(pinOf("ai-gateway/aigateway.envoyproxy.io_aigatewayroutes.yaml"), "aiGatewayCrds");
        assert.ok(pinned.length >= 30);
        assert.equal(crdUrl(byFile.get("inference-extension/llm-d-router/llm-d.ai_inferenceobjectives.yaml")!),
            `https://raw.githubusercontent.com/llm-d/llm-d-router/${v.llmdRouterCrds.version}/config/crd/bases/llm-d.ai_inferenceobjectives.yaml`);
        assert.equal(crdUrl(byFile.get("kserve/serving.kserve.io_llminferenceserviceconfigs.yaml")!),
            `https://raw.githubusercontent.com/kserve/kserve/${v.kserveCrds.version}/config/crd/full/llmisvc/serving.kserve.io_llminferenceserviceconfigs.yaml`);
        assert.equal(crdUrl(byFile.get("gateway-api/v1.6.1/gateway.networking.k8s.io_httproutes.yaml")!),
            "https://raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.6.1/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml");
    });

    describe("(c) the download path, against a local server laid out like raw.githubusercontent.com", function () {
        this.timeout(60_000);
        let server: http.Server;
        let base = "";
        const tampered = new Set<string>();
        const requests: string[] = [];
        const tmp: string[] = [];
        const tmpDir = () => {
            const d = fs.mkdtempSync(path.join(os.tmpdir(), "modelplane-crds-"));
            tmp.push(d);
            return d;
        };
        const byPath = new Map<string, CrdEntry>(manifest.map((e) => [`/${e.repo}/${e.tag}/${e.source}`, e]));

        before(async () => {
            server = http.createServer((req, res) => {
                requests.push(req.url ?? "");
                const e = byPath.get(req.url ?? "");
                if (!e) {
                    res.writeHead(404).end("404: Not Found");
                    return;
                }
                let body = fs.readFileSync(path.join(SHARED, e.file));
                if (tampered.has(e.file)) body = Buffer.concat([body, Buffer.from("# tampered\n")]);
                res.writeHead(200, { "content-type": "text/plain" }).end(body);
            });
            server.keepAliveTimeout = 100;
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });

        after(async () => {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
            for (const d of tmp) fs.rmSync(d, { recursive: true, force: true });
        });

        const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
            const stdout: string[] = [];
            const stderr: string[] = [];
            const code = await main(argv, {
                env: { MODELPLANE_CRDS_BASE_URL: base, ...env },
                sharedDir: path.join(os.tmpdir(), "modelplane-no-shared-crds-here"), // as in a user's repository
                stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l),
            });
            return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
        };

        it("writes every file into --out in the ../shared/crds layout, verified, and prints the export line", async () => {
            tampered.clear();
            const out = path.join(tmpDir(), "ci", ".crds");
            requests.length = 0;
            const r = await run(["--out", out]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout, `export MODELPLANE_CRDS_DIR=${out}`);
            assert.equal(requests.length, manifest.length, "one GET per file");
            assert.deepEqual(yamlFiles(out), yamlFiles(SHARED));
            for (const e of manifest) assert.ok(fs.readFileSync(path.join(out, e.file)).equals(fs.readFileSync(path.join(SHARED, e.file))), e.file);
            assert.deepEqual(fs.readdirSync(out).filter((n) => n.endsWith(".tmp")), []);

            // A second run finds the files verified and downloads nothing; --check never touches the network.
            requests.length = 0;
            assert.equal((await run(["--out", out])).code, 0);
            assert.equal((await run(["--out", out, "--check"])).code, 0);
            assert.equal(requests.length, 0);
            // The folder it wrote is one the tests can use.
            assert.equal((await run(["--check"], { MODELPLANE_CRDS_DIR: out })).stdout, `export MODELPLANE_CRDS_DIR=${out}`);
        });

        it("rejects a tampered file with the expected and actual hash, and writes nothing for it", async () => {
            const bad = "kserve/serving.kserve.io_localmodelnodegroups.yaml";
            const e = byFile.get(bad)!;
            tampered.clear();
            tampered.add(bad);
            const out = tmpDir();
            const r = await run([`--out=${out}`]);
            tampered.clear();
            assert.equal(r.code, 1);
            assert.equal(r.stdout, "", "no export line on failure");
            const actual = sha256(Buffer.concat([fs.readFileSync(path.join(SHARED, bad)), Buffer.from("# tampered\n")]));
            assert.match(r.stderr, new RegExp(`${bad.replace(/[.]/g, "\\.")}: sha256 mismatch .*expected ${e.sha256}, actual ${actual}`));
            assert.ok(!fs.existsSync(path.join(out, bad)), "the tampered file was written");
            assert.ok(fs.existsSync(path.join(out, "kserve", "serving.kserve.io_localmodelnodes.yaml")), "the good files are there");
            // --check on that folder names the missing file.
            const c = await run(["--out", out, "--check"]);
            assert.equal(c.code, 1);
            assert.match(c.stderr, new RegExp(`${bad.replace(/[.]/g, "\\.")}: missing`));
        });

        it("an unreachable file (404) fails with its URL", async () => {
            const r = await run(["--out", tmpDir()], { MODELPLANE_CRDS_BASE_URL: `${base}/no-such-mirror` });
            assert.equal(r.code, 1);
            assert.match(r.stderr, /gateway-api\/gateway\.networking\.k8s\.io_gateways\.yaml: GET http:\/\/127\.0\.0\.1:\d+\/no-such-mirror\/kubernetes-sigs\/gateway-api\/v1\.5\.1\/config\/crd\/standard\/gateway\.networking\.k8s\.io_gateways\.yaml failed: HTTP 404/);
        });
    });

    it("the npm script verifies the folder the tests read (../shared/crds, or MODELPLANE_CRDS_DIR) with no network and exits 0 (bad arguments: 2)", function () {
        this.timeout(60_000);
        const ts = path.join(PROJECT_DIR, "node_modules", ".bin", "ts-node");
        const env = { ...process.env, MODELPLANE_CRDS_BASE_URL: "http://127.0.0.1:9/unused" };
        const ok = spawnSync(ts, ["--transpile-only", "scripts/crds.ts", "--check"], { cwd: PROJECT_DIR, env, encoding: "utf8", timeout: 50_000 });
        assert.equal(ok.status, 0, ok.stderr);
        assert.equal(ok.stdout.trim(), `export MODELPLANE_CRDS_DIR=${SHARED}`);
        assert.match(ok.stderr, /no network used/);
        const bad = spawnSync(ts, ["--transpile-only", "scripts/crds.ts", "--outt", "x"], { cwd: PROJECT_DIR, env, encoding: "utf8", timeout: 50_000 });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /unexpected argument --outt/);
    });
});
