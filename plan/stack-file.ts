// Reads stack config the way the Pulumi CLI would hand it to the program, without the CLI: project
// defaults from Pulumi.yaml, then Pulumi.<stack>.yaml. `secure:` values cannot be decrypted offline, so
// they become placeholders that are still marked secret.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, ConfigIssue, PROJECT } from "../components/config";

export interface StackFile {
    /** Flat `<namespace>:<key>` map, values as YAML gave them. */
    values: Record<string, unknown>;
    /** Keys whose values were `secure:` (or declared secret). */
    secretKeys: string[];
    file: string;
}

export function placeholderFor(key: string): string {
    return `plan-placeholder-for-${key.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new ConfigError([{ path: file, message: `cannot read: ${(e as Error).message}` }]);
    }
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) throw new ConfigError([yamlIssue(file, text, doc.errors)]);
    return doc.toJS();
}

/**
 * yaml's error codes in plain words. yaml's own messages name parser internals ("Nested mappings are not allowed in
 * compact mappings", "Implicit keys need to be on a single line") and end with a dangling ":" before the excerpt
 * prettyErrors would print.
 */
const YAML_ERRORS: Partial<Record<YAML.ErrorCode, string>> = {
    TAB_AS_INDENT: "a tab is used for indentation; YAML indents with spaces only — replace the tab with spaces",
    BAD_INDENT: "the indentation does not match the lines around it; keys of one map, and the items of one list, must start in the same column",
    DUPLICATE_KEY: "this key is already set in the same map; keep one of the two",
    MISSING_CHAR: "a closing character is missing here (a quote, `]` or `}`), or a `:` after a key",
    BLOCK_AS_IMPLICIT_KEY: "a key is followed by another `key: value` on the same line; put the value on its own indented line, or quote it if the `:` belongs to the value",
    MULTILINE_IMPLICIT_KEY: "a key runs over more than one line (often a missing `:` or a wrong indentation on the line before)",
    BLOCK_IN_FLOW: "a `key: value` or `- item` line inside `{ }` or `[ ]`; use one style for the whole collection",
    BAD_SCALAR_START: "a plain value cannot start with this character; quote the value",
    BAD_DQ_ESCAPE: "an invalid escape in a double-quoted string; use single quotes, or escape the backslash as \\\\",
    UNEXPECTED_TOKEN: "unexpected text here (often a missing `:` after a key, or a value where a list item or key was expected)",
    MULTIPLE_DOCS: "the file holds more than one YAML document (`---`); a stack file is one document",
    BAD_ALIAS: "an alias (`*name`) refers to no anchor (`&name`) defined before it",
};

/**
 * The first YAML error, in plain words with its line and column (and the line itself). Later errors are almost always
 * caused by the first (one tab gave 17): fixing it and planning again shows any that remain.
 */
export function yamlIssue(file: string, text: string, errors: readonly YAML.YAMLError[]): ConfigIssue {
    const e = errors[0];
    const pos = e.linePos?.[0];
    const lines = text.split("\n");
    // At the end of the file yaml points past the last line: name the last line that has text instead.
    const atEnd = pos !== undefined && lines.slice(pos.line - 1).every((l) => l.trim() === "");
    const unclosed = /^Flow (map|sequence) in block collection must be sufficiently indented and end with a ([}\]])/.exec(e.message);
    const plain = unclosed
        ? `a \`${unclosed[2] === "}" ? "{" : "["}\` opened above is not closed with \`${unclosed[2]}\` ${atEnd ? "before the end of the file" : "before this line (or this line is not indented enough)"}`
        : YAML_ERRORS[e.code] ?? e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/:\s*$/, "");
    const lineNo = pos ? (atEnd ? lines.slice(0, pos.line - 1).map((l) => l.trim() !== "").lastIndexOf(true) + 1 : pos.line) : 0;
    const lineText = lineNo > 0 ? lines[lineNo - 1].replace(/\t/g, "→").trimEnd() : undefined;
    const where = !pos ? "somewhere in the file" : atEnd ? `the end of the file (line ${pos.line}, column ${pos.col})` : `line ${pos.line}, column ${pos.col}`;
    const shown = lineText === undefined ? "" : atEnd ? ` — the last line is \`${lineText}\`` : ` — the line is \`${lineText}\``;
    const rest = errors.length > 1 ? ` (${errors.length - 1} more YAML error${errors.length === 2 ? "" : "s"} after it, usually caused by this one: fix it and plan again)` : "";
    return { path: pos ? `${file}:${pos.line}:${pos.col}` : file, message: `invalid YAML at ${where}: ${plain}${shown}${rest}` };
}

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Project-level config defaults (Pulumi.yaml `config:` declarations with `default`). */
export function readProjectDefaults(projectDir: string): Record<string, unknown> {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml")) as { config?: Record<string, unknown> } | null;
    const out: Record<string, unknown> = {};
    for (const [k, decl] of Object.entries(project?.config ?? {})) {
        if (decl && typeof decl === "object" && "default" in decl) out[qualify(k)] = (decl as { default: unknown }).default;
        else if (decl === null || typeof decl !== "object") out[qualify(k)] = decl;
    }
    return out;
}

export function readStackFile(file: string, projectDir: string): StackFile {
    const doc = readYaml(file) as { config?: unknown } | null;
    if (!doc || typeof doc !== "object" || !("config" in doc) || typeof doc.config !== "object" || doc.config === null) {
        throw new ConfigError([{ path: file, message: "expected a top-level `config:` map (a Pulumi stack settings file)" }]);
    }
    const values: Record<string, unknown> = { ...readProjectDefaults(projectDir) };
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(doc.config as Record<string, unknown>)) {
        const key = qualify(k);
        // A key the stack file sets takes its place in the file's order (errors are sorted in file order), not the
        // place of the project default it overrides.
        delete values[key];
        if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) {
            values[key] = placeholderFor(key);
            secretKeys.push(key);
        } else {
            values[key] = v;
        }
    }
    return { values, secretKeys, file };
}
