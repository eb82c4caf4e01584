// YAML text of one Kubernetes object, byte for byte what `YAML.stringify(o, MANIFEST_YAML_OPTIONS)` (yaml
// 2.x) writes, but without building yaml's document tree: at 1000 models that tree was most of the cost of
// writing manifests (about 0.4 ms per object, more under a large heap).
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

// ---------------------------------------------------------------------------------------------------------------
// Reading stack files

/**
 * The value `YAML.parseDocument(text).toJS()` gives for the plain shape generated and hand-written stack
 * files have — block maps and sequences (also `- key: value` items and sequences at their key's
 * indentation), plain single-line scalars resolved by yaml's own core-schema tags, simple quoted
 * strings, `[]`/`{}`, full-line comments — or undefined for anything else (trailing comments, flow
 * collections, block scalars, anchors, tags, escapes, multi-line scalars, tabs, duplicate keys, odd
 * indentation, …), which the caller then parses with yaml. Errors are always yaml's: an invalid document
 * never takes this path. At 1000 models yaml's parser took about 0.35 s for the stack file.
 */
export function readPlainYaml(text: string): unknown {
    if (/[\t\r]/.test(text) || /^(%|---|\.\.\.)/m.test(text)) return undefined;
    const lines: PlainLine[] = [];
    for (const raw of text.split("\n")) {
        const t = raw.trimEnd();
        const body = t.trimStart();
        if (body === "" || body.startsWith("#")) continue;
        if (body.includes(" #")) return undefined;
        lines.push({ indent: t.length - body.length, text: body });
    }
    if (lines.length === 0 || lines[0].indent !== 0) return undefined;
    const reader = new PlainReader(lines);
    try {
        const value = reader.block(0);
        return reader.done() ? value : undefined;
    } catch (e) {
        if (e === NEEDS_YAML) return undefined;
        throw e;
    }
}

interface PlainLine { indent: number; text: string }

// yaml's scalar resolution (compose-scalar.js findScalarTagByTest): the first default tag whose test matches.
const DEFAULT_TAGS = new YAML.Document().schema.tags.filter((t) => t.default === true && (t as { test?: RegExp }).test) as
    { test: RegExp; resolve(value: string, onError: (message: string) => void, options: object): unknown }[];
const RESOLVE_OPTIONS = new YAML.Document().options;
const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_./:-]*$/;
const PLAIN_START = /^[A-Za-z0-9_./~(]|^[-+][A-Za-z0-9_.=-]/;

const isSeqLine = (text: string): boolean => text === "-" || text.startsWith("- ");

class PlainReader {
    private pos = 0;
    constructor(private readonly lines: PlainLine[]) {}

    done(): boolean {
        return this.pos === this.lines.length;
    }

    /** The block node whose lines start at `indent` (null when there is none). */
    block(indent: number): unknown {
        const line = this.lines[this.pos];
        if (!line || line.indent !== indent) return null;
        return isSeqLine(line.text) ? this.seq(indent) : this.map(indent);
    }

    private child(indent: number, allowSeqAtSameIndent: boolean): unknown {
        const next = this.lines[this.pos];
        if (next && next.indent > indent) return this.block(next.indent);
        if (next && allowSeqAtSameIndent && next.indent === indent && isSeqLine(next.text)) return this.seq(indent);
        return null;
    }

    private map(indent: number): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        while (this.pos < this.lines.length && this.lines[this.pos].indent === indent) {
            const text = this.lines[this.pos].text;
            const entry = splitKey(text);
            if (!entry || Object.hasOwn(out, entry.key)) throw NEEDS_YAML;
            this.pos++;
            out[entry.key] = entry.rest === "" ? this.child(indent, true) : plainValue(entry.rest);
        }
        const next = this.lines[this.pos];
        if (next && next.indent > indent) throw NEEDS_YAML;
        return out;
    }

    private seq(indent: number): unknown[] {
        const out: unknown[] = [];
        while (this.pos < this.lines.length && this.lines[this.pos].indent === indent && isSeqLine(this.lines[this.pos].text)) {
            const text = this.lines[this.pos].text;
            const rest = text.slice(1).trimStart();
            if (rest === "") {
                this.pos++;
                out.push(this.child(indent, false));
            } else if (isSeqLine(rest)) {
                throw NEEDS_YAML;
            } else if (splitKey(rest)) {
                // `- key: value`: a map whose keys sit where `key` does.
                const at = indent + text.length - rest.length;
                this.lines[this.pos] = { indent: at, text: rest };
                out.push(this.map(at));
            } else {
                this.pos++;
                out.push(plainValue(rest));
                const next = this.lines[this.pos];
                if (next && next.indent > indent) throw NEEDS_YAML;
            }
        }
        const next = this.lines[this.pos];
        if (next && next.indent > indent) throw NEEDS_YAML;
        return out;
    }
}

/** `key: rest` or `key:` with a plain key that reads back as a string; undefined when the line is not one. */
function splitKey(text: string): { key: string; rest: string } | undefined {
    const i = text.indexOf(": ");
    const end = i >= 0 ? i : text.endsWith(":") ? text.length - 1 : -1;
    if (end <= 0) return undefined;
    const key = text.slice(0, end);
    if (!PLAIN_KEY.test(key) || key.endsWith(":") || key === "__proto__" || DEFAULT_TAGS.some((t) => t.test.test(key))) return undefined;
    return { key, rest: i >= 0 ? text.slice(i + 2).trimStart() : "" };
}

function plainValue(rest: string): unknown {
    if (rest === "[]") return [];
    if (rest === "{}") return {};
    if (rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"')) {
        const inner = rest.slice(1, -1);
        if (/["\\]/.test(inner)) throw NEEDS_YAML;
        return inner;
    }
    if (rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'")) {
        const inner = rest.slice(1, -1);
        if (inner.includes("'")) throw NEEDS_YAML;
        return inner;
    }
    if (!PLAIN_START.test(rest) || rest.includes(": ") || rest.endsWith(":")) throw NEEDS_YAML;
    const tag = DEFAULT_TAGS.find((t) => t.test.test(rest));
    if (!tag) return rest;
    const resolved = tag.resolve(rest, () => {
        throw NEEDS_YAML;
    }, RESOLVE_OPTIONS);
    return YAML.isScalar(resolved) ? resolved.value : resolved;
}
