// Reads stack config the way the Pulumi CLI would hand it to the program, without the CLI: project
// defaults from Pulumi.yaml, then Pulumi.<stack>.yaml. `secure:` values cannot be decrypted offline, so
// they become placeholders that are still marked secret.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ConfigError, PROJECT } from "../components/config";
import { readPlainYaml } from "./yaml";

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
    // Large stack files are plain block YAML: read those without building yaml's document (same value,
    // see plan/yaml.ts); anything else, and every invalid file, goes through yaml.
    const plain = readPlainYaml(text);
    if (plain !== undefined) return plain;
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
        throw new ConfigError(doc.errors.map((e) => ({ path: file, message: `YAML: ${e.message.split("\n")[0]}` })));
    }
    return doc.toJS();
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
        if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) {
            values[key] = placeholderFor(key);
            secretKeys.push(key);
        } else {
            values[key] = v;
        }
    }
    return { values, secretKeys, file };
}
