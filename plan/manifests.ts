// Turns the registered Kubernetes objects into one YAML file each, as `kubectl apply` would take them.
import * as fs from "node:fs";
import * as path from "node:path";
import { RegisteredResource } from "../lib/resources";
import { manifestYaml } from "./yaml";

export interface K8sObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [key: string]: unknown;
}

/** True for a custom resource of the Kubernetes provider that stands for one object (typed or CustomResource). */
export function isKubernetesObject(r: RegisteredResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && typeof r.props.apiVersion === "string" && typeof r.props.kind === "string";
}

/** Charts, ConfigFiles and ConfigGroups: the engine expands these at `up`, the plan does not. */
export function isUnexpandedBundle(r: RegisteredResource): boolean {
    return r.type.startsWith("kubernetes:") && (r.remote || /:(helm\.sh\/v[34]:(Chart|Release)|yaml\/v2:(ConfigFile|ConfigGroup)|yaml:(ConfigFile|ConfigGroup))$/.test(r.type));
}

export function kubernetesObjects(resources: RegisteredResource[]): { resource: RegisteredResource; object: K8sObject }[] {
    return resources.filter(isKubernetesObject).map((r) => ({ resource: r, object: r.props as K8sObject }));
}

export function manifestFileName(o: K8sObject, fallbackName: string): string {
    const ns = o.metadata?.namespace ?? "_cluster";
    const name = o.metadata?.name ?? `${fallbackName}-autonamed`;
    return `${ns}.${o.kind.toLowerCase()}.${name}.yaml`.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Each object's file name and text, in registration order; throws on two objects with one file name. */
function renderManifests(resources: RegisteredResource[]): { file: string; text: string }[] {
    const names = new Set<string>();
    const out: { file: string; text: string }[] = [];
    for (const { resource, object } of kubernetesObjects(resources)) {
        const file = manifestFileName(object, resource.name);
        if (names.has(file)) throw new Error(`two objects map to manifest ${file} (${resource.urn})`);
        names.add(file);
        out.push({ file, text: `# ${resource.urn}\n${manifestYaml(object)}` });
    }
    return out;
}

/**
 * Writes every object to `dir` (emptied first, so removed objects do not linger). Returns the file names.
 * Everything is rendered, and a name clash found, before the directory is touched.
 */
export function writeManifests(resources: RegisteredResource[], dir: string): string[] {
    const files = renderManifests(resources);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    for (const { file, text } of files) fs.writeFileSync(path.join(dir, file), text);
    return files.map((f) => f.file).sort();
}
