// Config-time checks of a model's PodSpec patches (`template`, `workerTemplate`, `prefill.template`,
// `prefill.workerTemplate`): the escape hatch that components/models/merge.ts `strategicMerge` folds over
// the pods modelplane builds (llmInferenceService.ts `workloadSpec`). Without these checks a typo or a
// wrong shape surfaces only at `pulumi up`, or worse, silently drops what modelplane built (a `containers:`
// map replaces the whole list, main container included).
//
// Two layers, both pure (no Pulumi, no builder):
// 1. Schema: the patch is validated against the Kubernetes PodSpec JSON schema shipped by the pinned
//    `kubernetes-models` package (its precompiled ajv validator, `_schemas/IoK8sApiCoreV1PodSpec`), plus
//    unknown top-level fields (the schema itself allows unknown properties) against the library's
//    `IPodSpec` field list.
// 2. Shape: what strategic merge would make of the patch over the built pod — container lists must be
//    lists of named containers, and the patch must not take away the main container, change its GPU
//    resources, empty its args or delete its env (HF_TOKEN). The built pod depends on the builder's context (image, HF token, …),
//    which config parsing does not have, so this layer checks the patch itself for those removals rather
//    than merging it over the real built pod.

import * as fs from "node:fs";
import * as path from "node:path";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import { HF_TOKEN_KEY } from "../names";
import { MERGE_KEYS } from "./merge";

/** A problem found in one patch; `path` is relative to the workload (e.g. ["template", "containers", 0]). */
export interface PatchIssue {
    path: PropertyKey[];
    message: string;
}

/** The name of the vLLM container modelplane builds (llmInferenceService.ts `podSpec`). */
export const MAIN_CONTAINER = "main";
const GPU = "nvidia.com/gpu";
const PATCH_FIELDS = ["template", "workerTemplate"] as const;

/**
 * Every PodSpec field, keyed by the library's own `IPodSpec` type: `satisfies` makes the compiler reject a
 * name that is not a PodSpec field and a PodSpec field missing here, so the list follows the pinned library.
 */
const POD_SPEC_FIELDS = {
    activeDeadlineSeconds: true, affinity: true, automountServiceAccountToken: true, containers: true,
    dnsConfig: true, dnsPolicy: true, enableServiceLinks: true, ephemeralContainers: true, hostAliases: true,
    hostIPC: true, hostNetwork: true, hostPID: true, hostUsers: true, hostname: true, hostnameOverride: true,
    imagePullSecrets: true, initContainers: true, nodeName: true, nodeSelector: true, os: true, overhead: true,
    preemptionPolicy: true, priority: true, priorityClassName: true, readinessGates: true, resourceClaims: true,
    resources: true, restartPolicy: true, runtimeClassName: true, schedulerName: true, schedulingGates: true,
    schedulingGroup: true, securityContext: true, serviceAccount: true, serviceAccountName: true,
    setHostnameAsFQDN: true, shareProcessNamespace: true, subdomain: true, terminationGracePeriodSeconds: true,
    tolerations: true, topologySpreadConstraints: true, volumes: true,
} satisfies Record<keyof IPodSpec, true>;

interface AjvError {
    instancePath: string;
    keyword: string;
    params: Record<string, unknown>;
    message?: string;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let validator: Validate | undefined;

/**
 * The library's compiled PodSpec validator. `kubernetes-models` is ESM-only and exports its files under the
 * `import` condition only, so a CommonJS `require("kubernetes-models/…")` is refused (ERR_PACKAGE_PATH_NOT_EXPORTED);
 * the file is loaded by path instead, which Node ≥ 20.19 / 22.12 allows synchronously (require of ESM).
 */
function podSpecValidator(): Validate {
    if (validator) return validator;
    const rel = path.join("kubernetes-models", "_schemas", "IoK8sApiCoreV1PodSpec.js");
    const dir = (require.resolve.paths("kubernetes-models") ?? []).find((d) => fs.existsSync(path.join(d, rel)));
    if (!dir) throw new Error("kubernetes-models is not installed (npm ci)");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validator = (require(path.join(dir, rel)) as { validate: Validate }).validate;
    return validator;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks a workload's (a model's or its prefill's) `template` and `workerTemplate`. */
export function podSpecPatchIssues(workload: object): PatchIssue[] {
    const out: PatchIssue[] = [];
    for (const field of PATCH_FIELDS) {
        const patch = (workload as Obj)[field];
        if (patch === undefined) continue;
        for (const i of checkPatch(patch)) out.push({ path: [field, ...i.path], message: i.message });
    }
    return out;
}

/** Checks one PodSpec patch; paths are relative to the patch. */
export function checkPatch(patch: unknown): PatchIssue[] {
    if (!isObj(patch)) return [{ path: [], message: "must be a map of PodSpec fields" }];
    return [...schemaIssues(patch), ...unknownFields(patch), ...shapeIssues(patch)];
}

// ---------------------------------------------------------------------------------------------------
// Schema

/**
 * Validates the patch itself against the PodSpec schema, ignoring `required` errors. A patch is partial by
 * design: an item of a merge-keyed list (containers, env, volumeMounts, …) may be a partial update of an item
 * modelplane builds, so fields the schema requires need not be repeated. Validating the patch merged over a
 * minimal base pod instead would still flag such partial items (the base has no env, volumeMounts, …) and
 * would shift list indexes, so the reported path would no longer match the config. The one `required` field
 * that matters for the merge — a container's name, its merge key — is checked in shapeIssues.
 */
function schemaIssues(patch: Obj): PatchIssue[] {
    const validate = podSpecValidator();
    if (validate(patch)) return [];
    const seen = new Set<string>();
    const out: PatchIssue[] = [];
    for (const e of validate.errors ?? []) {
        if (e.keyword === "required") continue;
        const p = pointerPath(e.instancePath);
        // `null` in a patch is strategic merge's "delete this key", not a value: what a deletion would take
        // away from the built pod is judged in shapeIssues, not by the schema's nullability.
        if (valueAt(patch, p) === null) continue;
        const message = describe(e, valueAt(patch, p), p);
        const key = `${e.instancePath}\0${message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ path: p, message });
    }
    return out;
}

function pointerPath(pointer: string): PropertyKey[] {
    if (!pointer) return [];
    return pointer.slice(1).split("/").map((s) => {
        const seg = s.replace(/~1/g, "/").replace(/~0/g, "~");
        return /^\d+$/.test(seg) ? Number(seg) : seg;
    });
}

function valueAt(root: unknown, p: PropertyKey[]): unknown {
    let v = root;
    for (const seg of p) v = (v as Record<PropertyKey, unknown> | undefined)?.[seg];
    return v;
}

const TYPE_WORDS: Record<string, string> = {
    array: "a list",
    object: "a map",
    integer: "a whole number",
    number: "a number",
    string: "a string",
    boolean: "true or false",
};

function quote(v: unknown): string {
    if (Array.isArray(v)) return "a list";
    if (isObj(v)) return "a map";
    return JSON.stringify(v);
}

function describe(e: AjvError, value: unknown, p: PropertyKey[]): string {
    const last = p[p.length - 1];
    switch (e.keyword) {
        case "type": {
            const want = String(e.params.type).split(",").map((t) => TYPE_WORDS[t] ?? t).join(" or ");
            const mergeKey = typeof last === "string" ? MERGE_KEYS[last] : undefined;
            if (e.params.type === "array" && isObj(value) && mergeKey) {
                return `must be a list (- ${mergeKey}: …), not a map: strategic merge merges list items by ${mergeKey}, ` +
                    `while a map would replace the whole ${String(last)} list, including what modelplane builds` +
                    (last === "containers" ? ` (the ${MAIN_CONTAINER} container's args, env and GPU resources)` : "");
            }
            return `must be ${want}, got ${quote(value)}`;
        }
        case "enum":
            return `${quote(value)} must be one of ${(e.params.allowedValues as unknown[]).map((v) => String(v)).join(", ")}`;
        case "format":
            return `${quote(value)} is not a valid ${String(e.params.format)}`;
        default:
            return `${quote(value)} does not match the Kubernetes PodSpec schema (${e.keyword}${e.message ? `: ${e.message}` : ""})`;
    }
}

function unknownFields(patch: Obj): PatchIssue[] {
    const known = Object.keys(POD_SPEC_FIELDS);
    return Object.keys(patch).filter((k) => k !== "$patch" && !(k in POD_SPEC_FIELDS)).map((k) => {
        const near = known.find((f) => f.toLowerCase() === k.toLowerCase()) ?? known.find((f) => closeEnough(f.toLowerCase(), k.toLowerCase()));
        return { path: [k], message: `is not a PodSpec field${near ? `; did you mean "${near}"?` : ""}` };
    });
}

/** Edit distance ≤ 2 (typos), without building the whole matrix when the lengths differ a lot. */
function closeEnough(a: string, b: string): boolean {
    if (Math.abs(a.length - b.length) > 2) return false;
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
    }
    return prev[b.length] <= 2;
}

// ---------------------------------------------------------------------------------------------------
// Shape: what the patch would take away from the built pod

function shapeIssues(patch: Obj): PatchIssue[] {
    const out: PatchIssue[] = [];
    const add = (p: PropertyKey[], message: string) => out.push({ path: p, message });
    if (patch.containers === null) add(["containers"], `null would delete every container, including modelplane's ${MAIN_CONTAINER} (vLLM) container`);
    for (const field of ["containers", "initContainers"] as const) {
        const list = patch[field];
        if (!Array.isArray(list)) continue; // a map is a schema error (schemaIssues)
        list.forEach((c, i) => {
            if (!isObj(c)) return; // a schema error
            if (typeof c.name !== "string" || c.name === "") {
                add([field, i, "name"], "is required: a container is merged by name (use " +
                    `"${MAIN_CONTAINER}" to change modelplane's vLLM container, a new name to add one)`);
                return;
            }
            if (field === "containers" && c.name === MAIN_CONTAINER) mainIssues(c, [field, i], add);
        });
    }
    return out;
}

function mainIssues(c: Obj, at: PropertyKey[], add: (p: PropertyKey[], m: string) => void): void {
    const main = `the ${MAIN_CONTAINER} (vLLM) container`;
    if (c.$patch === "delete") {
        add([...at, "$patch"], `would delete ${main} that modelplane builds`);
        return;
    }
    // Replacing main's args with a non-empty list stays allowed (the escape hatch's documented use, see
    // test/models.builder.test.ts); emptying them would start vLLM without what modelplane passes it.
    if (c.args === null || (Array.isArray(c.args) && c.args.length === 0)) {
        add([...at, "args"], `${c.args === null ? "null" : "[]"} would remove ${main}'s arguments that modelplane builds ` +
            "(parallelism, KV transfer, the model's vllm.args); add vLLM arguments with the model's vllm.args instead");
    }
    if (c.env === null) add([...at, "env"], `null would delete ${main}'s env, including ${HF_TOKEN_KEY}`);
    if (Array.isArray(c.env)) {
        c.env.forEach((e, j) => {
            if (isObj(e) && e.name === HF_TOKEN_KEY && e.$patch === "delete") {
                add([...at, "env", j], `would delete ${HF_TOKEN_KEY} from ${main} (the model download token modelplane sets)`);
            }
        });
    }
    const gpuHint = `the GPU count is set by modelplane from the model's parallelism and its pool; change those instead`;
    if (c.resources === null) {
        add([...at, "resources"], `null would delete ${main}'s resources, including its ${GPU}; ${gpuHint}`);
        return;
    }
    if (!isObj(c.resources)) return;
    for (const kind of ["limits", "requests"] as const) {
        const r = c.resources[kind];
        if (r === null) add([...at, "resources", kind], `null would delete ${main}'s resource ${kind}, including ${GPU}; ${gpuHint}`);
        else if (isObj(r) && GPU in r) {
            add([...at, "resources", kind, GPU], `${r[GPU] === null ? "null would remove" : `${quote(r[GPU])} would override`} ` +
                `${main}'s GPUs; ${gpuHint}`);
        }
    }
}
