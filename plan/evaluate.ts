// Evaluates the real program in-process under Pulumi's mocks and collects every registered resource
// with the options the engine would see. Used by the offline plan, the tests and the benchmark.
//
// The mock monitor only hands `newResource` the type, name, inputs and provider (research/pulumi.md §1.2),
// but policies need parents, dependencies and options (protect, ignoreChanges, ...). We therefore wrap the
// monitor's registerResource after setMocks and read them from the RegisterResourceRequest itself.
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../components/config";
import { RegisteredResource, SECRET_PLACEHOLDER } from "../lib/resources";
import { mockCall, mockNewResource } from "./mocks";

// Internal SDK modules: stable across 3.x and the only way to observe what the engine would receive.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): MonitorLike;
    waitForRPCs(): Promise<void>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    specialSigKey: string;
    specialSecretSig: string;
    specialResourceSig: string;
    unknownValue: string;
};

interface StructLike { toJavaScript(): Record<string, unknown> }
interface RegisterRequest {
    getType(): string; getName(): string; getParent(): string; getCustom(): boolean; getRemote(): boolean;
    getObject(): StructLike | undefined; getProvider(): string; getDependenciesList(): string[];
    getProtect(): boolean; getIgnorechangesList(): string[]; getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean; getDeletedwith(): string; getReplaceonchangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}
interface MonitorLike {
    registerResource(req: RegisterRequest, cb: (err: Error | null, resp?: unknown) => void): Promise<void>;
}

export class DuplicateUrnError extends Error {
    constructor(readonly urns: string[]) {
        super(`duplicate resource URNs (the real engine rejects these):\n${urns.map((u) => `  ${u}`).join("\n")}`);
        this.name = "DuplicateUrnError";
    }
}

export interface Evaluation {
    resources: RegisteredResource[];
    /** Stack outputs the program returned, resolved. */
    outputs: Record<string, unknown>;
}

/** Builds the URN the way the mock monitor (and the engine) does: parent type chain + type + name. */
function urnOf(stack: string, project: string, parentUrn: string, type: string, name: string): string {
    let qualified = type;
    if (parentUrn) {
        const parentQualified = parentUrn.split("::")[2];
        qualified = `${parentQualified}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

interface Scrubbed { value: unknown; secret: boolean }

/** Whether a value holds anything scrub replaces (a secret, a resource reference, an unknown). */
function needsScrub(v: unknown): boolean {
    if (v === rpc.unknownValue) return true;
    if (typeof v !== "object" || v === null) return false;
    if (Array.isArray(v)) {
        for (const e of v) if (needsScrub(e)) return true;
        return false;
    }
    const o = v as Record<string, unknown>;
    const sig = o[rpc.specialSigKey];
    if (sig === rpc.specialSecretSig || sig === rpc.specialResourceSig) return true;
    for (const k in o) if (needsScrub(o[k])) return true;
    return false;
}

/** Replaces secrets by the placeholder (or unwraps them, for raw props) and resource refs by their URN. */
function scrub(v: unknown, keepSecrets: boolean): Scrubbed {
    if (Array.isArray(v)) {
        let secret = false;
        const value = v.map((e) => { const s = scrub(e, keepSecrets); secret ||= s.secret; return s.value; });
        return { value, secret };
    }
    if (v && typeof v === "object") {
        const o = v as Record<string, unknown>;
        const sig = o[rpc.specialSigKey];
        if (sig === rpc.specialSecretSig) {
            return keepSecrets ? { value: scrub(o.value, true).value, secret: true } : { value: SECRET_PLACEHOLDER, secret: true };
        }
        if (sig === rpc.specialResourceSig) return { value: o.urn, secret: false };
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, e] of Object.entries(o)) {
            const s = scrub(e, keepSecrets);
            secret ||= s.secret;
            out[k] = s.value;
        }
        return { value: out, secret };
    }
    if (v === rpc.unknownValue) return { value: "[unknown]", secret: false };
    return { value: v, secret: false };
}

/**
 * Runs `program(cfg)` under mocks for `cfg.stack` and returns every registered resource.
 * The Pulumi runtime is process-global: calls must not overlap (each call resets the mocks).
 */
export async function evaluate<T extends object>(
    cfg: PlatformConfig,
    program: (cfg: PlatformConfig) => T | Promise<T>,
): Promise<Evaluation> {
    const resources: RegisteredResource[] = [];
    const byUrn = new Map<string, number>();
    const duplicates: string[] = [];

    await pulumi.runtime.setMocks({
        newResource: mockNewResource,
        call: (args) => mockCall(args, cfg),
    }, cfg.project, cfg.stack, false);

    const monitor = settings.getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        const type = req.getType();
        const name = req.getName();
        const parent = req.getParent() || undefined;
        const urn = urnOf(cfg.stack, cfg.project, req.getParent(), type, name);
        const struct = req.getObject();
        const raw = struct?.toJavaScript() ?? {};
        // The mock monitor converts the same request to JS again right after us (deserializeProperties),
        // which reads and never changes the result: hand it the conversion already made.
        if (struct) struct.toJavaScript = () => raw;
        // One pass per top-level input in the common case: a value with no secret, resource reference or
        // unknown in it is kept as it is (props and rawProps then share it; nothing changes either).
        const props: Record<string, unknown> = {};
        const rawProps: Record<string, unknown> = {};
        const secretProps: string[] = [];
        for (const k of Object.keys(raw)) {
            const v = raw[k];
            if (!needsScrub(v)) {
                props[k] = rawProps[k] = v;
                continue;
            }
            const scrubbed = scrub(v, false);
            props[k] = scrubbed.value;
            rawProps[k] = scrub(v, true).value;
            if (scrubbed.secret) secretProps.push(k);
        }
        const timeouts = req.getCustomtimeouts();
        const entry: RegisteredResource = {
            urn, type, name,
            custom: req.getCustom(),
            remote: req.getRemote(),
            parent,
            provider: req.getProvider() || undefined,
            dependencies: req.getDependenciesList(),
            props, rawProps, secretProps,
            opts: {
                protect: req.getProtect(),
                ignoreChanges: req.getIgnorechangesList(),
                retainOnDelete: req.getRetainondelete(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
                deletedWith: req.getDeletedwith() || undefined,
                replaceOnChanges: req.getReplaceonchangesList(),
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                customTimeouts: timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())
                    ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
                    : undefined,
            },
        };
        if (byUrn.has(urn)) duplicates.push(urn);
        else byUrn.set(urn, resources.length);
        resources.push(entry);
        return register(req, cb);
    };

    const outputs = await withoutStackCapture(async () => {
        const returned = await program(cfg);
        const resolved = await resolveOutputs(returned);
        await settings.waitForRPCs();
        return resolved;
    });
    if (duplicates.length > 0) throw new DuplicateUrnError([...new Set(duplicates)]);
    return { resources, outputs };
}

/**
 * Runs `fn` with stack capture off (unless MODELPLANE_PLAN_STACKS=1); the plan and the bench's floor
 * (bench/floor.ts) both register through it, so they run the SDK under the same settings.
 *
 * The SDK stamps every internal promise with `new Error().stack` (runtime/debuggable.js) and every resource
 * with its call sites (`Resource.callsites`, which sets `Error.stackTraceLimit` to Infinity itself); under
 * ts-node each of those stacks goes through source-map-support's `Error.prepareStackTrace`, which maps
 * every frame. Profiled at 1000 models: stack capture was ~45% of evaluation with the default limit, and
 * the call sites alone still took 0.7 s of a 6.5 s plan with the limit at 0. The mocks ignore source
 * positions (the engine uses them only to point at the line that declared a resource), so while the
 * program registers, stacks are empty and errors keep only their "Name: message" line.
 */
export async function withoutStackCapture<T>(fn: () => Promise<T>): Promise<T> {
    if (process.env.MODELPLANE_PLAN_STACKS) return fn();
    const stackLimit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    Error.stackTraceLimit = 0;
    Error.prepareStackTrace = (error: Error) => Error.prototype.toString.call(error);
    try {
        return await fn();
    } finally {
        Error.stackTraceLimit = stackLimit;
        Error.prepareStackTrace = prepare;
    }
}

/** Resolves Outputs nested in plain objects (secrets become the placeholder). */
async function resolveOutputs(v: unknown): Promise<Record<string, unknown>> {
    const out = await resolve(v);
    return (out && typeof out === "object" ? out : { value: out }) as Record<string, unknown>;
}

interface OutputInternals { promise(withUnknowns?: boolean): Promise<unknown>; isSecret: Promise<boolean> }

async function resolve(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        // The Output's own promises (internal, stable across 3.x): `apply` would build a new Output per
        // stack output, thousands at 1000 models, only to read the value.
        const o = v as unknown as OutputInternals;
        const [value, secret] = await Promise.all([o.promise(), o.isSecret]);
        return secret ? SECRET_PLACEHOLDER : resolve(value);
    }
    if (pulumi.Resource.isInstance(v)) return undefined;
    if (Array.isArray(v)) return Promise.all(v.map(resolve));
    if (v && typeof v === "object") {
        const entries = await Promise.all(Object.entries(v).map(async ([k, e]) => [k, await resolve(e)] as const));
        return Object.fromEntries(entries);
    }
    return v;
}
