// YAML text of one Kubernetes object, byte for byte what `YAML.stringify(o, MANIFEST_YAML_OPTIONS)` (yaml
// 2.x) writes, but without building yaml's document tree: at 1000 models that tree was most of the cost of
// writing manifests (about 0.4 ms per object, more under a large heap).
//
// Kept because it saves far more than 5% of the plan. Measured 2026-11-26 at N = 1,000 (2,696 resources, 1,521
// manifests) on the shared 2-core machine (load 14–18), `npm run bench -- 1000 --yaml-ab --repeat=4` (this emitter
// against `yaml` alone, alternating, one run): plan 39.9 s against 55.8 s (medians), the files phase 2.2 s against
// 10.7 s, i.e. the emitter saves ~8.5 s, 21% of the plan (15% of the yaml-only plan); writing the 1,521 objects
// alone: 0.34 s against 2.65 s. (A hand-written stack-file reader stood beside yaml's parser too; it saved 2.0 s
// of the config phase in the same run, 3.6% of the yaml-only plan, and 0.92 s reading the file alone: under 5%,
// so it was removed and plan/stack-file.ts reads with yaml.)
//
// The fast path covers the shapes the program's objects have: block maps and sequences, empty `{}`/`[]`,
// numbers, booleans, null, and single-line printable-ASCII strings, written plain or quoted by yaml's own
// tests (the regular expressions below are yaml 2.9's). Anything else in an object (a multi-line string,
// other characters, keys yaml would quote, a sequence directly inside a sequence, non-finite numbers, …)
// sends the whole object to YAML.stringify, so the output never depends on this file getting yaml's
// rarer rules right. test/plan.test.ts compares both on every shipped manifest
// and on edge cases.
import YAML from "yaml";

export const MANIFEST_YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Thrown (and caught below) when a value needs one of yaml's rules the fast path does not implement. */
class NeedsYaml extends Error {}
const NEEDS_YAML = new NeedsYaml();

// The scalar tags of yaml's default schema (YAML 1.2 core) other than str: a plain string one of them
// matches would read back as a number/bool/null, so yaml quotes it (stringifyString.js plainString).
const NON_STRING_TAGS: RegExp[] = new YAML.Document().schema.tags.flatMap((t) => {
    const tag = t as { default?: boolean | string; tag: string; test?: RegExp };
    return tag.default && tag.tag !== "tag:yaml.org,2002:str" && tag.test ? [tag.test] : [];
});
// yaml's test for strings that cannot be plain (stringifyString.js plainString: an indicator first
// character, ": ", " #", a trailing space or colon, …).
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/;
// Single-line printable ASCII: no escapes, no folding, no block scalars to decide.
const PRINTABLE = /^[\x20-\x7e]*$/;

/** yaml's quotedString for a single-line printable string: single quotes when it holds only `"`, else JSON. */
function quoted(s: string): string {
    return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

function scalarString(s: string, isKey: boolean): string {
    // Keys are kept to the plain case (yaml writes keys over 1024 characters as explicit `? ` keys).
    if (!PRINTABLE.test(s) || (isKey && s.length > 1000)) throw NEEDS_YAML;
    if (NOT_PLAIN.test(s)) {
        if (isKey) throw NEEDS_YAML;
        return quoted(s);
    }
    if (DOCUMENT_MARKER.test(s)) throw NEEDS_YAML;
    if (NON_STRING_TAGS.some((re) => re.test(s))) {
        if (isKey) throw NEEDS_YAML;
        return quoted(s);
    }
    return s;
}

/** A scalar as it follows `key: ` or `- `; undefined for a collection. */
function scalar(v: unknown): string | undefined {
    if (v === null) return "null";
    switch (typeof v) {
        case "string":
            return scalarString(v, false);
        case "boolean":
            return v ? "true" : "false";
        case "number":
            if (!Number.isFinite(v) || Object.is(v, -0)) throw NEEDS_YAML;
            return JSON.stringify(v);
        case "object":
            return undefined;
        default:
            throw NEEDS_YAML;
    }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    const proto = Object.getPrototypeOf(v) as unknown;
    return proto === Object.prototype || proto === null;
}

/** Lines of a non-empty block map whose keys start at `indent`; the first line carries no indent (`first`). */
function mapLines(o: Record<string, unknown>, indent: string, out: string[], firstInline: boolean): void {
    let first = firstInline;
    for (const k of Object.keys(o)) {
        const v = o[k];
        if (v === undefined) throw NEEDS_YAML;
        const key = (first ? "" : indent) + scalarString(k, true);
        first = false;
        const s = scalar(v);
        if (s !== undefined) {
            out.push(`${key}: ${s}`);
        } else if (Array.isArray(v)) {
            if (v.length === 0) out.push(`${key}: []`);
            else {
                out.push(`${key}:`);
                seqLines(v, indent + "  ", out);
            }
        } else if (isPlainObject(v)) {
            if (Object.keys(v).length === 0) out.push(`${key}: {}`);
            else {
                out.push(`${key}:`);
                mapLines(v, indent + "  ", out, false);
            }
        } else {
            throw NEEDS_YAML;
        }
    }
}

/** Lines of a non-empty block sequence whose dashes start at `indent`. */
function seqLines(a: unknown[], indent: string, out: string[]): void {
    for (const v of a) {
        const s = scalar(v);
        if (s !== undefined) {
            out.push(`${indent}- ${s}`);
        } else if (isPlainObject(v)) {
            if (Object.keys(v).length === 0) out.push(`${indent}- {}`);
            else {
                const at = out.length;
                mapLines(v, indent + "  ", out, true);
                out[at] = `${indent}- ${out[at]}`;
            }
        } else {
            // Sequences directly inside sequences, class instances: yaml's rules.
            throw NEEDS_YAML;
        }
    }
}

/** `YAML.stringify(object, MANIFEST_YAML_OPTIONS)` for a plain object (see the header). */
export function manifestYaml(object: Record<string, unknown>): string {
    if (isPlainObject(object) && Object.keys(object).length > 0) {
        const out: string[] = [];
        try {
            mapLines(object, "", out, false);
            return out.join("\n") + "\n";
        } catch (e) {
            if (e !== NEEDS_YAML) throw e;
        }
    }
    return YAML.stringify(object, MANIFEST_YAML_OPTIONS);
}
