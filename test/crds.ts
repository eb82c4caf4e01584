// Validates Kubernetes objects against the upstream CRD schemas kept in ../shared/crds (DESIGN.md §5:
// the schemas are data read from there, never copied into this repository).
//
//   validateAgainstCrd("kserve/serving.kserve.io_llminferenceserviceconfigs.yaml", "v1alpha2", obj) → string[]
//   findCrd("serving.kserve.io/v1alpha2", "LLMInferenceServiceConfig") → { file, version } | undefined
//
// The API server validates a structural OpenAPI v3 schema with Kubernetes extensions; ajv knows plain JSON
// Schema, so the schema is translated first:
// - `x-kubernetes-int-or-string: true` → anyOf integer | string (controller-gen usually adds the anyOf itself);
// - `x-kubernetes-preserve-unknown-fields: true` → any extra property is accepted;
// - objects with `properties` and no `additionalProperties` → unknown properties are errors. The API server
//   would prune them (or reject them with strict field validation); for our own manifests a field the schema
//   does not know is always a typo or a version skew, so it fails here;
// - `x-kubernetes-validations` (CEL), list-type/map-type markers and formats are not evaluated.
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import YAML from "yaml";

/** ../shared/crds relative to the repository root. */
export const DEFAULT_CRDS_DIR = path.resolve(__dirname, "..", "..", "shared", "crds");

/**
 * The CRD schema folder (MODELPLANE_CRDS_DIR overrides the default, read on every call); throws a clear
 * error when it is missing, so a test that needs the schemas fails instead of passing silently.
 */
export function crdsDir(): string {
    const dir = process.env.MODELPLANE_CRDS_DIR ?? DEFAULT_CRDS_DIR;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new Error(
            `upstream CRD schemas not found at ${dir}: the conformance tests read them from ../shared/crds ` +
            "relative to the repository root (or MODELPLANE_CRDS_DIR). They are never copied into the repo; " +
            "check out the shared folder next to the repository.");
    }
    return dir;
}

type Schema = Record<string, unknown>;

interface CrdDoc {
    kind: string;
    spec: {
        group: string;
        names: { kind: string };
        scope: "Namespaced" | "Cluster";
        versions: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
    };
}

const docs = new Map<string, CrdDoc>();
const validators = new Map<string, ValidateFunction>();
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** Reads one CRD file (path relative to the CRD folder, or absolute). */
export function loadCrd(crdFile: string): CrdDoc {
    const file = path.isAbsolute(crdFile) ? crdFile : path.join(crdsDir(), crdFile);
    let doc = docs.get(file);
    if (!doc) {
        if (!fs.existsSync(file)) throw new Error(`CRD file ${file} does not exist (CRD folder: ${crdsDir()})`);
        const all = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS() as CrdDoc | null);
        const crd = all.find((d) => d?.kind === "CustomResourceDefinition");
        if (!crd) throw new Error(`${file} holds no CustomResourceDefinition`);
        doc = crd;
        docs.set(file, doc);
    }
    return doc;
}

/** Translates Kubernetes' structural-schema extensions into plain JSON Schema (see the header). */
export function toJsonSchema(s: unknown): unknown {
    if (Array.isArray(s)) return s.map(toJsonSchema);
    if (!s || typeof s !== "object") return s;
    const src = s as Schema;
    const out: Schema = {};
    for (const [k, v] of Object.entries(src)) {
        if (k === "properties" || k === "patternProperties" || k === "definitions") {
            out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, ps]) => [p, toJsonSchema(ps)]));
        } else if (k.startsWith("x-kubernetes-")) {
            continue;
        } else {
            out[k] = toJsonSchema(v);
        }
    }
    if (src["x-kubernetes-int-or-string"] === true && !src.anyOf && !src.oneOf && !src.type) {
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    const preserve = src["x-kubernetes-preserve-unknown-fields"] === true;
    if (src.properties && !preserve && src.additionalProperties === undefined) out.additionalProperties = false;
    return out;
}

function validatorFor(crdFile: string, version: string): ValidateFunction {
    const key = `${path.isAbsolute(crdFile) ? crdFile : path.join(crdsDir(), crdFile)}@${version}`;
    let v = validators.get(key);
    if (!v) {
        const crd = loadCrd(crdFile);
        const ver = crd.spec.versions.find((x) => x.name === version);
        if (!ver) throw new Error(`${crdFile} has no version ${version}; it has ${crd.spec.versions.map((x) => x.name).join(", ")}`);
        const schema = ver.schema?.openAPIV3Schema;
        if (!schema) throw new Error(`${crdFile} version ${version} has no openAPIV3Schema`);
        v = ajv.compile(toJsonSchema(schema) as Schema);
        validators.set(key, v);
    }
    return v;
}

/**
 * Validates `obj` against the openAPIV3Schema of `version` in `crdFile` (relative to ../shared/crds).
 * Returns one string per problem (`<json pointer>: <message>`); empty when the object conforms.
 */
export function validateAgainstCrd(crdFile: string, version: string, obj: unknown): string[] {
    const validate = validatorFor(crdFile, version);
    const errors: string[] = [];
    const crd = loadCrd(crdFile);
    const o = obj as { apiVersion?: string; kind?: string } | undefined;
    const expected = `${crd.spec.group}/${version}`;
    if (o?.apiVersion !== undefined && o.apiVersion !== expected) errors.push(`/apiVersion: is ${o.apiVersion}, the schema is for ${expected}`);
    if (o?.kind !== undefined && o.kind !== crd.spec.names.kind) errors.push(`/kind: is ${o.kind}, the schema is for ${crd.spec.names.kind}`);
    if (!validate(obj)) {
        for (const e of validate.errors ?? []) {
            const extra = e.keyword === "additionalProperties" ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
                : e.keyword === "enum" ? ` (${JSON.stringify((e.params as { allowedValues?: unknown }).allowedValues)})` : "";
            errors.push(`${e.instancePath || "/"}: ${e.message ?? e.keyword}${extra}`);
        }
    }
    return errors;
}

export interface CrdRef {
    /** Path relative to the CRD folder. */
    file: string;
    version: string;
    scope: "Namespaced" | "Cluster";
}

const indexes = new Map<string, Map<string, CrdRef>>();

/** Every CRD in the folder, keyed `<group>/<version>/<Kind>`; top-level files win over versioned subfolders. */
export function crdIndex(): Map<string, CrdRef> {
    const root = crdsDir();
    const cached = indexes.get(root);
    if (cached) return cached;
    const files: string[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (/\.ya?ml$/.test(e.name)) files.push(path.relative(root, p));
        }
    };
    walk(root);
    // Shallow paths first: each folder's top level holds the version modelplane pins (see its README).
    files.sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
    const index = new Map<string, CrdRef>();
    indexes.set(root, index);
    for (const f of files) {
        let crd: CrdDoc;
        try {
            crd = loadCrd(f);
        } catch {
            continue;
        }
        for (const v of crd.spec.versions) {
            const key = `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`;
            if (!index.has(key) && v.schema?.openAPIV3Schema) index.set(key, { file: f, version: v.name, scope: crd.spec.scope });
        }
    }
    return index;
}

/** The CRD schema for an object's apiVersion and kind, if ../shared/crds has one. */
export function findCrd(apiVersion: string, kind: string): CrdRef | undefined {
    return crdIndex().get(`${apiVersion}/${kind}`);
}
