// A strategic-merge-like patch of Kubernetes PodSpecs: the escape hatch that lets a stack override any
// field of what modelplane builds (DESIGN.md §0 "deep customization") without forking a component.
//
// Rules (a subset of Kubernetes strategic merge patch, the same merge KServe applies when it folds
// presets and the service spec together — research/kserve.md §1.5):
// - maps merge key by key, recursively; a `null` value in the patch deletes the key;
// - lists of objects that Kubernetes merges by a key (containers, initContainers, ephemeralContainers,
//   volumes, env, volumeMounts, ports, imagePullSecrets, …: see MERGE_KEYS) merge item by item on that
//   key: a patch item whose key matches merges into the existing item, a new key is appended, and an
//   item with `$patch: delete` removes the existing one;
// - every other list (args, command, tolerations, lists of scalars) is replaced as a whole.
// Pure: never mutates its inputs.

type Obj = Record<string, unknown>;

/** List fields that Kubernetes merges by a key (patchMergeKey in k8s.io/api core/v1 types). */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
    containers: "name",
    initContainers: "name",
    ephemeralContainers: "name",
    volumes: "name",
    env: "name",
    volumeMounts: "mountPath",
    volumeDevices: "devicePath",
    ports: "containerPort",
    imagePullSecrets: "name",
    hostAliases: "ip",
    resourceClaims: "name",
    schedulingGates: "name",
    readinessGates: "conditionType",
    topologySpreadConstraints: "topologyKey",
};

function isObj(v: unknown): v is Obj {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
    return v === undefined ? v : structuredClone(v);
}

/** Merges `patch` into `base` (neither is modified) and returns the result. */
export function strategicMerge<T>(base: T, patch: unknown): T {
    return mergeValue(base, patch, undefined) as T;
}

function mergeValue(base: unknown, patch: unknown, field: string | undefined): unknown {
    if (patch === undefined) return clone(base);
    if (isObj(patch)) {
        if (!isObj(base)) return stripDirectives(patch);
        const out: Obj = clone(base);
        for (const [k, v] of Object.entries(patch)) {
            if (k === "$patch") continue;
            if (v === null) delete out[k];
            else out[k] = mergeValue(base[k], v, k);
        }
        return out;
    }
    if (Array.isArray(patch)) {
        const key = field !== undefined ? MERGE_KEYS[field] : undefined;
        if (key && Array.isArray(base)) return mergeList(base, patch, key);
        return patch.filter((e) => !(isObj(e) && e.$patch === "delete")).map(stripDirectives);
    }
    return patch;
}

function mergeList(base: unknown[], patch: unknown[], key: string): unknown[] {
    const out = base.map((e) => clone(e));
    for (const item of patch) {
        if (!isObj(item) || item[key] === undefined) {
            out.push(stripDirectives(item));
            continue;
        }
        const at = out.findIndex((e) => isObj(e) && e[key] === item[key]);
        if (item.$patch === "delete") {
            if (at >= 0) out.splice(at, 1);
        } else if (at >= 0) {
            out[at] = mergeValue(out[at], item, undefined);
        } else {
            out.push(stripDirectives(item));
        }
    }
    return out;
}

/** A patch value that lands where there is nothing to merge into: drop `$patch` markers and null keys. */
function stripDirectives(v: unknown): unknown {
    if (Array.isArray(v)) return v.filter((e) => !(isObj(e) && e.$patch === "delete")).map(stripDirectives);
    if (isObj(v)) {
        const out: Obj = {};
        for (const [k, e] of Object.entries(v)) {
            if (k === "$patch" || e === null) continue;
            out[k] = stripDirectives(e);
        }
        return out;
    }
    return v;
}
