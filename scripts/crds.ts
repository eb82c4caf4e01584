// The upstream CRD schemas the conformance tests read (test/crds.ts: `crdsDir()`, MODELPLANE_CRDS_DIR), for
// repositories that have no ../shared/crds beside them (a user's CI):
//
//   npm run crds -- [--out <dir>] [--check]
//
// - MODELPLANE_CRDS_DIR, else ../shared/crds, exists: every file of the manifest below is verified there
//   against its sha256 and that folder is used. No network.
// - otherwise: each file is downloaded from its upstream repository at the pinned release tag (raw
//   GitHub URL; `MODELPLANE_CRDS_BASE_URL` replaces https://raw.githubusercontent.com, for tests and
//   mirrors), verified against its sha256 and written to --out (default .crds/) in the layout of
//   ../shared/crds. A file already in --out with the right hash is not downloaded again. A file whose
//   bytes do not match is not written (and an unverified copy already there is removed).
// - --check: verify only, never download (the folder above, else --out).
//
// On success stdout holds one line, `export MODELPLANE_CRDS_DIR=<absolute path>` (progress goes to stderr),
// so CI can do `line=$(npm run --silent crds -- --out .crds)` and put `${line#export }` into $GITHUB_ENV.
// Exit codes: 0 ok, 1 a file is missing, unreachable or has the wrong hash, 2 bad arguments.
//
// The hashes (scripts/crds.sha256.json) were computed from ../shared/crds, whose files are byte-identical to
// upstream at the tags below. Moving a pin in components/versions.ts moves the URLs of the files that follow it
// (their tag is read from there, not repeated here); the download then fails with the new file's actual
// hash until the new bytes are checked and crds.sha256.json is updated.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { resolveVersions, VersionKey } from "../components/versions";
import HASHES from "./crds.sha256.json";

export const DEFAULT_BASE_URL = "https://raw.githubusercontent.com";
/** ../shared/crds relative to the repository root (the same folder test/crds.ts reads by default). */
export const SHARED_CRDS_DIR = path.resolve(__dirname, "..", "..", "shared", "crds");
export const DEFAULT_OUT = ".crds";

/** One folder of ../shared/crds and where its files come from. */
interface Group {
    /** Folder relative to the CRD root. */
    dir: string;
    /** GitHub owner/name. */
    repo: string;
    /** The files follow this pin of components/versions.ts (its default version is the tag)... */
    pin?: VersionKey;
    /** ...or keep their own tag (a folder for another release than the one modelplane pins). */
    tag?: string;
    /** Path in the upstream repository. */
    source: (file: string) => string;
    files: string[];
}

const GIE = "kubernetes-sigs/gateway-api-inference-extension";
const GATEWAY_API_FILES = ["gatewayclasses", "gateways", "grpcroutes", "httproutes", "referencegrants"].map((n) => `gateway.networking.k8s.io_${n}.yaml`);

const GROUPS: Group[] = [
    {
        dir: "kserve", repo: "kserve/kserve", pin: "kserveCrds", source: (f) => `config/crd/full/llmisvc/${f}`,
        files: ["serving.kserve.io_llminferenceserviceconfigs.yaml", "serving.kserve.io_llminferenceservices.yaml"],
    },
    {
        dir: "kserve", repo: "kserve/kserve", pin: "kserveLocalModelCrds", source: (f) => `config/crd/full/localmodel/${f}`,
        files: ["caches", "namespacecaches", "nodegroups", "nodes"].map((n) => `serving.kserve.io_localmodel${n}.yaml`),
    },
    {
        // KServe's own bundle of routing CRDs (what its chart creates with createGIECRDs).
        dir: "kserve/v0.20.0-gie", repo: "kserve/kserve", pin: "kserve", source: () => "config/llmisvc/gateway-inference-extension.yaml",
        files: ["gateway-inference-extension.yaml"],
    },
    {
        dir: "inference-extension", repo: GIE, pin: "inferencePoolCrds", source: (f) => `config/crd/bases/${f}`,
        files: ["inference.networking.k8s.io_inferencepools.yaml", "inference.networking.x-k8s.io_inferencepoolimports.yaml"],
    },
    {
        dir: "inference-extension/v1.5.0", repo: GIE, tag: "v1.5.0", source: (f) => `config/crd/bases/${f}`,
        files: ["inference.networking.k8s.io_inferencepools.yaml", "inference.networking.x-k8s.io_inferencemodelrewrites.yaml",
            "inference.networking.x-k8s.io_inferenceobjectives.yaml", "inference.networking.x-k8s.io_inferencepoolimports.yaml"],
    },
    {
        dir: "inference-extension/v1.6.0", repo: GIE, tag: "v1.6.0", source: (f) => `config/crd/bases/${f}`,
        files: ["inference.networking.k8s.io_inferencepools.yaml", "inference.networking.x-k8s.io_inferencepoolimports.yaml"],
    },
    {
        // ../shared/crds took these from llm-d-router v0.10.0 (its README); modelplane pins v0.9.0. Both files are
        // byte-identical at the two tags (`git show v0.9.0:config/crd/bases/<f> | sha256sum` = the v0.10.0 bytes =
        // the shared copy), so they are fetched at the pin, v0.9.0.
        dir: "inference-extension/llm-d-router", repo: "llm-d/llm-d-router", pin: "llmdRouterCrds", source: (f) => `config/crd/bases/${f}`,
        files: ["llm-d.ai_inferencemodelrewrites.yaml", "llm-d.ai_inferenceobjectives.yaml"],
    },
    {
        dir: "gateway-api", repo: "kubernetes-sigs/gateway-api", pin: "gatewayApiCrds", source: (f) => `config/crd/standard/${f}`,
        files: GATEWAY_API_FILES,
    },
    {
        dir: "gateway-api/v1.6.1", repo: "kubernetes-sigs/gateway-api", tag: "v1.6.1", source: (f) => `config/crd/standard/${f}`,
        files: GATEWAY_API_FILES,
    },
    {
        dir: "envoy-gateway", repo: "envoyproxy/gateway", pin: "envoyGatewayCrds",
        source: (f) => `charts/gateway-helm/charts/crds/crds/generated/${f}`,
        files: ["backends", "backendtrafficpolicies", "clienttrafficpolicies", "envoyextensionpolicies", "envoypatchpolicies",
            "envoyproxies", "httproutefilters", "securitypolicies"].map((n) => `gateway.envoyproxy.io_${n}.yaml`),
    },
    {
        dir: "ai-gateway", repo: "envoyproxy/ai-gateway", pin: "aiGatewayCrds",
        source: (f) => `manifests/charts/ai-gateway-crds-helm/templates/${f}`,
        files: ["aigatewayroutes", "aiservicebackends", "backendsecuritypolicies", "gatewayconfigs", "mcproutes", "quotapolicies"]
            .map((n) => `aigateway.envoyproxy.io_${n}.yaml`),
    },
];

export interface CrdEntry {
    /** Path relative to the CRD root (the layout of ../shared/crds), `/`-separated. */
    file: string;
    repo: string;
    tag: string;
    /** The components/versions.ts key the tag comes from, if it is one of modelplane's pins. */
    pin?: VersionKey;
    /** Path in the upstream repository at `tag`. */
    source: string;
    sha256: string;
}

/** Every CRD file the tests read, with its upstream source at the pinned tag and its sha256. */
export function crdManifest(): CrdEntry[] {
    const versions = resolveVersions({});
    const hashes = HASHES as Record<string, string>;
    const out: CrdEntry[] = [];
    for (const g of GROUPS) {
        const tag = g.pin ? versions[g.pin].version : g.tag;
        if (!tag) throw new Error(`crds manifest: ${g.dir} has no tag (pin ${g.pin ?? "-"})`);
        for (const f of g.files) {
            const file = `${g.dir}/${f}`;
            const sha256 = hashes[file];
            if (!sha256) throw new Error(`crds manifest: no sha256 for ${file} in scripts/crds.sha256.json`);
            out.push({ file, repo: g.repo, tag, ...(g.pin ? { pin: g.pin } : {}), source: g.source(f), sha256 });
        }
    }
    return out;
}

/** The download URL of an entry (`base` replaces https://raw.githubusercontent.com). */
export function crdUrl(e: CrdEntry, base = DEFAULT_BASE_URL): string {
    return `${base.replace(/\/+$/, "")}/${e.repo}/${e.tag}/${e.source}`;
}

export function sha256(bytes: Buffer): string {
    return crypto.createHash("sha256").update(bytes).digest("hex");
}

const mismatch = (file: string, expected: string, actual: string, where: string) =>
    `${file}: sha256 mismatch (${where}): expected ${expected}, actual ${actual}`;

/** Problems with the manifest's files in `dir` (missing, wrong hash); empty when all verify. */
export function verifyDir(dir: string, manifest = crdManifest()): string[] {
    const errors: string[] = [];
    for (const e of manifest) {
        const p = path.join(dir, ...e.file.split("/"));
        if (!fs.existsSync(p)) {
            errors.push(`${e.file}: missing in ${dir}`);
            continue;
        }
        const actual = sha256(fs.readFileSync(p));
        if (actual !== e.sha256) errors.push(mismatch(e.file, e.sha256, actual, p));
    }
    return errors;
}

/** Every YAML file under `dir`, `/`-separated, relative to it, sorted (the tests' CRD index reads them all). */
export function yamlFilesUnder(dir: string): string[] {
    const found: string[] = [];
    const walk = (d: string) => {
        for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, ent.name);
            if (ent.isDirectory()) walk(p);
            else if (/\.ya?ml$/.test(ent.name)) found.push(path.relative(dir, p).split(path.sep).join("/"));
        }
    };
    walk(dir);
    return found.sort();
}

/** YAML files in `dir` the manifest does not name (the tests would read them; users' CI would not have them). */
export function unlisted(dir: string, manifest = crdManifest()): string[] {
    const known = new Set(manifest.map((e) => e.file));
    return yamlFilesUnder(dir).filter((f) => !known.has(f));
}

const RETRIES = 3;
const TIMEOUT_MS = 60_000;

async function download(e: CrdEntry, base: string, outDir: string): Promise<"downloaded" | "present"> {
    const dest = path.join(outDir, ...e.file.split("/"));
    if (fs.existsSync(dest)) {
        if (sha256(fs.readFileSync(dest)) === e.sha256) return "present";
        fs.rmSync(dest); // an unverified copy is never left where the tests would read it
    }
    const url = crdUrl(e, base);
    let bytes: Buffer | undefined;
    let lastError = "";
    for (let attempt = 1; attempt <= RETRIES && !bytes; attempt++) {
        try {
            const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
            if (res.ok) {
                bytes = Buffer.from(await res.arrayBuffer());
            } else {
                lastError = `HTTP ${res.status} ${res.statusText}`.trim();
                await res.arrayBuffer().catch(() => undefined);
                if (res.status < 500 && res.status !== 429) break; // 404 & co.: retrying will not help
            }
        } catch (err) {
            lastError = (err as Error).cause ? `${(err as Error).message}: ${String(((err as Error).cause as Error).message ?? (err as Error).cause)}` : (err as Error).message;
        }
        if (!bytes && attempt < RETRIES) await new Promise((r) => setTimeout(r, 500 * attempt));
    }
    if (!bytes) throw new Error(`${e.file}: GET ${url} failed: ${lastError}`);
    const actual = sha256(bytes);
    if (actual !== e.sha256) throw new Error(mismatch(e.file, e.sha256, actual, url));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, dest);
    return "downloaded";
}

export interface RunOptions {
    env?: NodeJS.ProcessEnv;
    /** The workspace folder used when MODELPLANE_CRDS_DIR is unset (tests point it elsewhere). */
    sharedDir?: string;
    cwd?: string;
    stdout?: (line: string) => void;
    stderr?: (line: string) => void;
}

const USAGE = "usage: npm run crds -- [--out <dir>] [--check]";

/** The CLI; resolves to the exit code. */
export async function main(argv: string[], opts: RunOptions = {}): Promise<number> {
    const env = opts.env ?? process.env;
    const stdout = opts.stdout ?? ((l: string) => process.stdout.write(`${l}\n`));
    const stderr = opts.stderr ?? ((l: string) => process.stderr.write(`${l}\n`));
    const cwd = opts.cwd ?? process.cwd();

    let out = DEFAULT_OUT;
    let check = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--check") check = true;
        else if (a === "--out" && argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) out = argv[++i];
        else if (a.startsWith("--out=") && a.length > 6) out = a.slice(6);
        else if (a === "--help" || a === "-h") {
            stdout(USAGE);
            return 0;
        } else {
            stderr(`crds: unexpected argument ${a}\n${USAGE}`);
            return 2;
        }
    }
    const outDir = path.resolve(cwd, out);
    const emit = (dir: string) => {
        const quoted = /^[A-Za-z0-9_./:@%+=,-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, "'\\''")}'`;
        stdout(`export MODELPLANE_CRDS_DIR=${quoted}`);
    };
    const fail = (errors: string[], what: string) => {
        for (const e of errors) stderr(`crds: ${e}`);
        stderr(`crds: ${errors.length} of ${manifest.length} CRD files ${what}`);
        return 1;
    };

    let manifest: CrdEntry[];
    try {
        manifest = crdManifest();
    } catch (err) {
        stderr(`crds: ${(err as Error).message}`);
        return 1;
    }

    const isDir = (d: string) => fs.existsSync(d) && fs.statSync(d).isDirectory();
    const fromEnv = env.MODELPLANE_CRDS_DIR ? path.resolve(cwd, env.MODELPLANE_CRDS_DIR) : undefined;
    const shared = opts.sharedDir ?? SHARED_CRDS_DIR;
    if (fromEnv && !isDir(fromEnv)) stderr(`crds: MODELPLANE_CRDS_DIR=${env.MODELPLANE_CRDS_DIR} does not exist; ignoring it`);
    const local = fromEnv && isDir(fromEnv) ? fromEnv : isDir(shared) ? shared : undefined;

    if (local || check) {
        const dir = local ?? outDir;
        if (!isDir(dir)) return fail(manifest.map((e) => `${e.file}: missing (${dir} does not exist; run without --check to download)`), "missing");
        const errors = verifyDir(dir, manifest);
        if (errors.length) return fail(errors, `do not verify in ${dir}`);
        const extra = unlisted(dir, manifest);
        if (extra.length) stderr(`crds: warning: ${dir} has YAML files scripts/crds.ts does not list (CI without ${dir} will not have them): ${extra.join(", ")}`);
        stderr(`crds: ${manifest.length} CRD files verified (sha256) in ${dir}; no network used`);
        emit(dir);
        return 0;
    }

    const base = env.MODELPLANE_CRDS_BASE_URL || DEFAULT_BASE_URL;
    stderr(`crds: no ../shared/crds here; downloading ${manifest.length} CRD files from ${base} into ${outDir}`);
    fs.mkdirSync(outDir, { recursive: true });
    const errors: string[] = [];
    let downloaded = 0;
    let present = 0;
    const queue = [...manifest];
    const worker = async () => {
        for (let e = queue.shift(); e; e = queue.shift()) {
            try {
                if ((await download(e, base, outDir)) === "downloaded") downloaded++;
                else present++;
            } catch (err) {
                errors.push((err as Error).message);
            }
        }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    if (errors.length) return fail(errors.sort(), "failed (nothing written for them)");
    stderr(`crds: ${manifest.length} CRD files verified (sha256) in ${outDir} (${downloaded} downloaded, ${present} already there)`);
    emit(outDir);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => {
        process.exitCode = code;
    }, (err: unknown) => {
        process.stderr.write(`crds: ${(err as Error).stack ?? String(err)}\n`);
        process.exitCode = 1;
    });
}
