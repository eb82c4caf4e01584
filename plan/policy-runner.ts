// Runs the modelplane-gpu-guard policies in-process against what the program registered (the offline
// plan, tests), with the arguments the CrossGuard engine would pass, so `npm run plan` and
// `pulumi preview --policy-pack policies` agree.
//
// What is mirrored from the engine (pulumi/pulumi pkg/resource/analyzer/config.go, pkg/engine/update.go)
// and from the @pulumi/policy 1.21 analyzer server (server.js):
// - config: top-level `default`s of each configSchema, then "all", then the per-policy entries (key by key);
// - enforcement: per-policy config level > "all" > the policy's own level > the pack's level; `disabled`
//   skips the policy; a violation at `remediate` is reported as `mandatory`;
// - resource policies run once per resource with ResourceValidationArgs; `notApplicable()` throws and the
//   policy counts as not applicable for that resource; props that hold an unknown value are wrapped in the
//   unknown-checking proxy (the only props it acts on), and reading an unknown value gives an advisory
//   "can't run policy … during preview" violation;
// - stack policies get every resource as a PolicyResource with `parent` and `dependencies` resolved to
//   objects (propertyDependencies are not recorded by the plan, so they are empty).
// Differences on purpose: props are the inputs the program gave (the engine gives stack policies the
// outputs; for these policies they are the same fields), and loadPolicyConfig is stricter than the engine
// (unknown policy names and unknown keys are errors, see policies/common.ts).
// Difference for speed: the engine deserialises a fresh copy of a resource's props for every policy
// call; here each resource's props (and each provider's) are cloned once, on first read, and that copy
// is shared by every policy of the run. Only a policy that mutated its props could tell, and none does
// (test/policies.test.ts runs the pack on deep-frozen props). Cloning per resource per policy was the
// largest cost of the policies at 1000 models; most calls never read props (notApplicable by type).
import * as fs from "node:fs";
import Ajv, { ErrorObject } from "ajv";
import type {
    PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { RegisteredResource } from "../lib/resources";
import { GuardPolicy, PACK_ENFORCEMENT_LEVEL, POLICIES } from "../policies/pack";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface PolicyViolation {
    policy: string;
    level: EnforcementLevel;
    urn?: string;
    resourceName?: string;
    message: string;
}

export interface PolicyRunResult {
    violations: PolicyViolation[];
    policies: { name: string; level: EnforcementLevel; violations: number }[];
}

/** A policy config file that cannot be used; the message names the file and the JSON path. */
export class PolicyConfigError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyConfigError";
    }
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const isLevel = (v: unknown): v is EnforcementLevel => typeof v === "string" && (LEVELS as readonly string[]).includes(v);

// The 1.21 runtime exports the proxy, but its typings strip it (research/pulumi.md §2.5, TS2305).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxyModule = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T extends object>(o: T): T;
    UnknownValueError: new (...args: unknown[]) => Error;
} & Record<"unknownBooleanValue" | "unknownNumberValue" | "unknownStringValue" | "unknownArrayValue" | "unknownAssetValue" | "unknownArchiveValue" | "unknownObjectValue", string>;

// The sentinels the proxy throws on: it changes nothing else, so props without any skip it (the plan's
// never hold one: plan/evaluate.ts writes unknowns as "[unknown]"), saving a Proxy per property read.
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
    proxyModule.unknownBooleanValue, proxyModule.unknownNumberValue, proxyModule.unknownStringValue, proxyModule.unknownArrayValue,
    proxyModule.unknownAssetValue, proxyModule.unknownArchiveValue, proxyModule.unknownObjectValue,
]);

/**
 * structuredClone for the JSON-shaped data props are (plain objects, arrays, primitives), about five
 * times faster on the large LLMInferenceService specs; anything else in them still goes through
 * structuredClone.
 */
function cloneProps<T>(v: T): T {
    if (typeof v !== "object" || v === null) return typeof v === "function" || typeof v === "symbol" ? structuredClone(v) : v;
    if (Array.isArray(v)) return v.map(cloneProps) as T;
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return structuredClone(v);
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    for (const k of Object.keys(v)) out[k] = cloneProps((v as Record<string, unknown>)[k]);
    return out as T;
}

function holdsUnknown(v: unknown): boolean {
    if (UNKNOWN_SENTINELS.has(v)) return true;
    if (typeof v !== "object" || v === null) return false;
    for (const e of Array.isArray(v) ? v : Object.values(v)) if (holdsUnknown(e)) return true;
    return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Config

/** `$["team-gpu-quota"].quotas.search` */
function jsonPath(segments: (string | number)[]): string {
    return "$" + segments.map((s) => (typeof s === "number" ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join("");
}

function isResourcePolicy(p: GuardPolicy): p is ResourceValidationPolicy {
    return (p as ResourceValidationPolicy).validateResource !== undefined;
}
function isStackPolicy(p: GuardPolicy): p is StackValidationPolicy {
    return (p as StackValidationPolicy).validateStack !== undefined;
}

/** The JSON schema ajv validates one policy's properties with (the configSchema plus "no other keys"). */
export function ajvSchemaOf(p: GuardPolicy): Record<string, unknown> {
    const cs = p.configSchema;
    const s: Record<string, unknown> = { type: "object", properties: cs?.properties ?? {}, additionalProperties: false };
    if (cs?.required && cs.required.length > 0) s.required = cs.required;
    return s;
}

function topLevelDefaults(p: GuardPolicy): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) if (s.default !== undefined) out[k] = structuredClone(s.default);
    return out;
}

export interface ResolvedPolicyConfig {
    level: EnforcementLevel;
    /** Properties as getConfig() returns them (defaults applied, enforcementLevel removed). */
    properties: Record<string, unknown>;
}

/** Reconciles a config object the way the engine does (see the header). Assumes it passed loadPolicyConfig. */
export function resolvePolicyConfig(config: Record<string, unknown>, policies: readonly GuardPolicy[] = POLICIES): Map<string, ResolvedPolicyConfig> {
    const out = new Map<string, ResolvedPolicyConfig>();
    for (const p of policies) out.set(p.name, { level: (p.enforcementLevel as EnforcementLevel | undefined) ?? PACK_ENFORCEMENT_LEVEL, properties: topLevelDefaults(p) });
    const levelOf = (v: unknown): EnforcementLevel | undefined =>
        isLevel(v) ? v : typeof v === "object" && v !== null && isLevel((v as Record<string, unknown>).enforcementLevel) ? ((v as Record<string, unknown>).enforcementLevel as EnforcementLevel) : undefined;
    const all = levelOf(config.all);
    if (all) for (const c of out.values()) c.level = all;
    for (const [name, v] of Object.entries(config)) {
        const c = out.get(name);
        if (name === "all" || !c) continue;
        const level = levelOf(v);
        if (level) c.level = level;
        if (typeof v === "object" && v !== null) {
            for (const [k, pv] of Object.entries(v as Record<string, unknown>)) if (k !== "enforcementLevel") c.properties[k] = structuredClone(pv);
        }
    }
    return out;
}

function ajvMessage(file: string, policy: string, e: ErrorObject): string {
    const segs: (string | number)[] = [policy, ...e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))];
    if (e.keyword === "additionalProperties") {
        const extra = String((e.params as { additionalProperty: string }).additionalProperty);
        return `${file}: ${jsonPath([...segs, extra])}: unknown key "${extra}"`;
    }
    if (e.keyword === "required") {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        return `${file}: ${jsonPath([...segs, missing])}: is required`;
    }
    return `${file}: ${jsonPath(segs)}: ${e.message ?? e.keyword}${e.keyword === "enum" ? ` (${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)})` : ""}`;
}

/**
 * A JSON syntax error with its line and column (V8's messages give a character offset, "at position 214"), the line
 * itself, and the usual cause named: JSON has no comments, no trailing commas and needs double-quoted keys.
 */
export function jsonErrorMessage(file: string, text: string, v8Message: string): string {
    const m = / in JSON at position (\d+)/.exec(v8Message);
    const atEnd = m === null || Number(m[1]) >= text.trimEnd().length;
    // At the end of the input, point at the last line that has text (the one after which something is missing).
    const offset = atEnd ? text.trimEnd().length : Number(m[1]);
    const before = text.slice(0, offset).split("\n");
    const line = before.length;
    const col = before[before.length - 1].length + 1;
    const lineText = text.split("\n")[line - 1] ?? "";
    const what = atEnd ? "the file ends before the JSON is complete" : v8Message.replace(/ in JSON at position \d+.*$/, "");
    const prev = text.slice(0, offset).trimEnd();
    const hint = /\/\/|\/\*/.test(lineText) ? "; JSON has no comments — remove them"
        : prev.endsWith(",") && /^\s*[}\]]/.test(text.slice(offset)) ? "; JSON allows no comma before a closing } or ] — remove it"
        : /^Expected (double-quoted )?property name/.test(v8Message) ? "; keys must be in double quotes (\"team-gpu-quota\")"
        : atEnd ? "; a closing } or ] is missing" : "";
    return `${file}:${line}:${col}: not valid JSON at line ${line}, column ${col}: ${what}${hint} — the line is \`${lineText.trimEnd()}\``;
}

/**
 * Reads and validates a policy config file (`policies/config/<stack>.json`): JSON, known policy names
 * (or "all"), valid enforcement levels, each policy's properties against its configSchema (ajv, with
 * "no other keys"), and the two copies of the team quotas being equal. Throws PolicyConfigError listing
 * every problem as `<file>: <JSON path>: <what>`.
 */
export function loadPolicyConfig(file: string, policies: readonly GuardPolicy[] = POLICIES): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new PolicyConfigError(`${file}: cannot read the policy config file (${(e as Error).message})`);
    }
    let parsed: unknown;
    try {
        parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch (e) {
        throw new PolicyConfigError(jsonErrorMessage(file, text, (e as Error).message));
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new PolicyConfigError(`${file}: $: must be an object of policy names to an enforcement level or a config object`);
    }
    const config = parsed as Record<string, unknown>;
    const byName = new Map(policies.map((p) => [p.name, p]));
    const errors: string[] = [];
    const ajv = new Ajv({ allErrors: true, strict: true, useDefaults: false });
    const levelError = (path: (string | number)[], v: unknown) =>
        `${file}: ${jsonPath(path)}: ${JSON.stringify(v)} is not an enforcement level (${LEVELS.join(", ")})`;

    for (const [name, v] of Object.entries(config)) {
        if (name === "all") {
            if (typeof v === "string") {
                if (!isLevel(v)) errors.push(levelError([name], v));
            } else if (typeof v === "object" && v !== null && !Array.isArray(v)) {
                for (const [k, kv] of Object.entries(v)) {
                    if (k !== "enforcementLevel") errors.push(`${file}: ${jsonPath([name, k])}: "all" takes only enforcementLevel`);
                    else if (!isLevel(kv)) errors.push(levelError([name, k], kv));
                }
            } else {
                errors.push(`${file}: ${jsonPath([name])}: must be an enforcement level or {"enforcementLevel": …}`);
            }
            continue;
        }
        const p = byName.get(name);
        if (!p) {
            errors.push(`${file}: ${jsonPath([name])}: unknown policy "${name}" (policies of the pack: ${[...byName.keys()].join(", ")})`);
            continue;
        }
        if (typeof v === "string") {
            if (!isLevel(v)) errors.push(levelError([name], v));
            continue;
        }
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
            errors.push(`${file}: ${jsonPath([name])}: must be an enforcement level or a config object`);
            continue;
        }
        const { enforcementLevel, ...props } = v as Record<string, unknown>;
        if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) errors.push(levelError([name, "enforcementLevel"], enforcementLevel));
        const validate = ajv.compile(ajvSchemaOf(p));
        if (!validate(props)) for (const e of validate.errors ?? []) errors.push(ajvMessage(file, name, e));
    }
    // Policies the file does not mention still have to satisfy `required` with their defaults (the engine checks this too).
    for (const p of policies) {
        if (Object.hasOwn(config, p.name) || !p.configSchema?.required?.length) continue;
        const validate = ajv.compile(ajvSchemaOf(p));
        if (!validate(topLevelDefaults(p))) for (const e of validate.errors ?? []) errors.push(ajvMessage(file, p.name, e));
    }
    if (errors.length === 0) errors.push(...quotaCopiesDiffer(file, config, policies));
    if (errors.length > 0) throw new PolicyConfigError(errors.join("\n"));
    return config;
}

/** team-gpu-quota and namespace-gpu-resourcequota each carry the quotas (a policy sees only its own config): they must agree. */
function quotaCopiesDiffer(file: string, config: Record<string, unknown>, policies: readonly GuardPolicy[]): string[] {
    const names = ["team-gpu-quota", "namespace-gpu-resourcequota"];
    if (!names.every((n) => policies.some((p) => p.name === n))) return [];
    const resolved = resolvePolicyConfig(config, policies);
    const [team, ns] = names.map((n) => resolved.get(n)!);
    if (team.level === "disabled" || ns.level === "disabled") return [];
    const out: string[] = [];
    const tq = (team.properties.quotas ?? {}) as Record<string, unknown>;
    const nq = (ns.properties.quotas ?? {}) as Record<string, unknown>;
    for (const t of [...new Set([...Object.keys(tq), ...Object.keys(nq)])].sort()) {
        if (tq[t] !== nq[t]) {
            out.push(
                `${file}: ${jsonPath([names[1], "quotas", t])}: ${JSON.stringify(nq[t])} differs from ${jsonPath([names[0], "quotas", t])} ` +
                    `(${JSON.stringify(tq[t])}); keep the two copies of the team quotas equal`,
            );
        }
    }
    if (team.properties.defaultQuota !== ns.properties.defaultQuota) {
        out.push(`${file}: ${jsonPath([names[1], "defaultQuota"])}: ${JSON.stringify(ns.properties.defaultQuota)} differs from ${jsonPath([names[0], "defaultQuota"])} (${JSON.stringify(team.properties.defaultQuota)})`);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Engine-shaped arguments

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "not applicable");
    }
}

function throwNotApplicable(reason?: string): never {
    // Thrown for nearly every resource a resource policy sees and never shown: capturing its stack (source-
    // mapped under ts-node) cost more than the policies' checks.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const e = new NotApplicableError(reason);
    Error.stackTraceLimit = limit;
    throw e;
}

/** Type check as the server does it: the class's `__pulumiType`, else its `isInstance({__pulumiType})`. */
function isTypeOf(type: string, cls: unknown): boolean {
    const c = cls as { __pulumiType?: string; isInstance?: (o: unknown) => boolean } | undefined;
    if (c?.__pulumiType) return c.__pulumiType === type;
    return typeof c?.isInstance === "function" && c.isInstance({ __pulumiType: type }) === true;
}

/** Go duration (`30m`, `1h30m`, `90s`) to seconds, 0 when absent or unparsable. */
function durationSeconds(d?: string): number {
    if (!d) return 0;
    const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
    let total = 0;
    let matched = "";
    for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
        total += Number(m[1]) * units[m[2]];
        matched += m[0];
    }
    return matched === d ? total : 0;
}

function policyOptions(r: RegisteredResource): PolicyResourceOptions {
    const o = r.opts;
    const opts: PolicyResourceOptions = {
        protect: !!o?.protect,
        ignoreChanges: [...(o?.ignoreChanges ?? [])],
        deleteBeforeReplace: !!o?.deleteBeforeReplace,
        aliases: [],
        customTimeouts: {
            createSeconds: durationSeconds(o?.customTimeouts?.create),
            updateSeconds: durationSeconds(o?.customTimeouts?.update),
            deleteSeconds: durationSeconds(o?.customTimeouts?.delete),
        },
        additionalSecretOutputs: [...(o?.additionalSecretOutputs ?? [])],
    };
    if (r.parent) opts.parent = r.parent;
    return opts;
}

/** `urn:pulumi:stack::project::parent$type::name` → type and name. */
function parseUrn(urn: string): { type: string; name: string } {
    const parts = urn.split("::");
    const qualified = parts[2] ?? "";
    return { type: qualified.split("$").pop() ?? qualified, name: parts.slice(3).join("::") };
}

/**
 * The policy-side views of the registered resources for one run: each resource's props cloned (so no
 * policy can touch what the plan writes) on first read, behind the unknown-checking proxy when they hold
 * an unknown, then shared by every policy (see the header); provider views built once per provider.
 */
class PolicyViews {
    private readonly props = new Map<RegisteredResource, Record<string, any>>();
    private readonly providers = new Map<string, PolicyProviderResource>();
    constructor(readonly byUrn: ReadonlyMap<string, RegisteredResource>) {}

    propsOf(r: RegisteredResource): Record<string, any> {
        let p = this.props.get(r);
        if (p === undefined) {
            const clone = cloneProps(r.props) as Record<string, any>;
            p = holdsUnknown(clone) ? proxyModule.unknownCheckingProxy(clone) : clone;
            this.props.set(r, p);
        }
        return p;
    }

    providerOf(r: RegisteredResource): PolicyProviderResource | undefined {
        if (!r.provider) return undefined;
        let p = this.providers.get(r.provider);
        if (p === undefined) {
            const i = r.provider.lastIndexOf("::");
            const urn = i > 0 ? r.provider.slice(0, i) : r.provider;
            const registered = this.byUrn.get(urn);
            if (registered) {
                p = { type: registered.type, props: cloneProps(registered.props), urn, name: registered.name };
            } else {
                const { type, name } = parseUrn(urn);
                p = { type, props: {}, urn, name };
            }
            this.providers.set(r.provider, p);
        }
        return p;
    }
}

/**
 * What resource and stack policies both see of a resource. `props` is a getter: most policies decide from the
 * type alone that a resource is not theirs, and stack policies read the props of the few types they index.
 * Callers add their own fields with Object.assign, which keeps the getter (it copies only the source's).
 */
function resourceView(r: RegisteredResource, views: PolicyViews) {
    return {
        type: r.type,
        get props() {
            return views.propsOf(r);
        },
        urn: r.urn,
        name: r.name,
        opts: policyOptions(r),
        isType: (cls: unknown) => isTypeOf(r.type, cls),
        // One function serves both interfaces, whose asType signatures differ only in their generics.
        asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? views.propsOf(r) : undefined)) as PolicyResource["asType"] & ResourceValidationArgs["asType"],
    };
}

function makeResourceArgs(r: RegisteredResource, views: PolicyViews, properties: Record<string, unknown>): ResourceValidationArgs {
    const args: ResourceValidationArgs = Object.assign(resourceView(r, views), {
        stackTags: new Map<string, string>(),
        getConfig: <T extends object>() => structuredClone(properties) as T,
        notApplicable: throwNotApplicable,
    });
    const provider = views.providerOf(r);
    if (provider) args.provider = provider;
    return args;
}

/** Every registered resource as a PolicyResource, parents and dependencies resolved to the objects (linear). */
export function toPolicyResources(resources: readonly RegisteredResource[], views = new PolicyViews(new Map(resources.map((r) => [r.urn, r])))): PolicyResource[] {
    const out = new Map<string, PolicyResource>();
    for (const r of resources) {
        const pr: PolicyResource = Object.assign(resourceView(r, views), {
            dependencies: [] as PolicyResource[],
            propertyDependencies: {},
        });
        const provider = views.providerOf(r);
        if (provider) pr.provider = provider;
        out.set(r.urn, pr);
    }
    for (const r of resources) {
        const pr = out.get(r.urn)!;
        if (r.parent && out.has(r.parent)) pr.parent = out.get(r.parent);
        pr.dependencies = r.dependencies.map((d) => out.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
    // Frozen: every stack policy of a run gets this same list, and lib/demand indexes a frozen list once.
    return Object.freeze([...out.values()]) as PolicyResource[];
}

// ---------------------------------------------------------------------------------------------------------------
// Running

export interface RunOptions {
    /** Policies to run (default: the whole pack). */
    policies?: readonly GuardPolicy[];
}

/** Runs the pack's policies against the registered resources with the given (loadPolicyConfig-validated) config. */
export async function runPolicies(resources: RegisteredResource[], config: Record<string, unknown>, options: RunOptions = {}): Promise<PolicyRunResult> {
    const policies = options.policies ?? POLICIES;
    const resolved = resolvePolicyConfig(config, policies);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const views = new PolicyViews(byUrn);
    const violations: PolicyViolation[] = [];
    const summary: PolicyRunResult["policies"] = [];
    let stackResources: PolicyResource[] | undefined;

    for (const p of policies) {
        const { level, properties } = resolved.get(p.name)!;
        const before = violations.length;
        if (level !== "disabled") {
            const reportLevel: EnforcementLevel = level === "remediate" ? "mandatory" : level;
            const push = (message: string, urn?: string) => {
                violations.push({ policy: p.name, level: reportLevel, urn, resourceName: urn ? byUrn.get(urn)?.name : undefined, message });
            };
            const fail = (e: unknown, subject: string): void => {
                if (e instanceof NotApplicableError) return;
                if (e instanceof proxyModule.UnknownValueError) {
                    violations.push({ policy: p.name, level: "advisory", urn: subject || undefined, resourceName: subject ? byUrn.get(subject)?.name : undefined, message: `can't run policy '${p.name}' during preview: ${(e as Error).message}` });
                    return;
                }
                const err = new Error(`Error validating ${subject ? `resource ${subject}` : "stack"} with policy '${p.name}': ${(e as Error).message}`);
                (err as Error & { cause?: unknown }).cause = e;
                throw err;
            };
            // Runs one validation; awaits only when it returned a promise (the pack's policies are
            // synchronous, and an await per resource and policy adds up at thousands of resources).
            const guard = (fn: () => unknown, subject: string): Promise<void> | undefined => {
                let out: unknown;
                try {
                    out = fn();
                } catch (e) {
                    fail(e, subject);
                    return undefined;
                }
                if (out !== null && typeof out === "object" && typeof (out as PromiseLike<unknown>).then === "function") {
                    return Promise.resolve(out as PromiseLike<unknown>).then(() => undefined, (e: unknown) => fail(e, subject));
                }
                return undefined;
            };
            if (isResourcePolicy(p) && p.validateResource) {
                const fns = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
                for (const r of resources) {
                    for (const fn of fns) {
                        const args = makeResourceArgs(r, views, properties);
                        const pending = guard(() => fn(args, (message, urn) => push(message, urn ?? r.urn)), r.urn);
                        if (pending) await pending;
                    }
                }
            } else if (isStackPolicy(p)) {
                stackResources ??= toPolicyResources(resources, views);
                const args: StackValidationArgs = {
                    resources: stackResources,
                    getConfig: <T extends object>() => structuredClone(properties) as T,
                    stackTags: new Map(),
                    notApplicable: throwNotApplicable,
                };
                const pending = guard(() => p.validateStack(args, (message, urn) => push(message, urn)), "");
                if (pending) await pending;
            }
        }
        summary.push({ name: p.name, level, violations: violations.length - before });
    }
    return { violations, policies: summary };
}

/** Mandatory violations (what makes the plan exit 1 and `pulumi preview` fail). */
export function mandatoryViolations(result: PolicyRunResult): PolicyViolation[] {
    return result.violations.filter((v) => v.level === "mandatory");
}

/**
 * loadPolicyConfig + runPolicies, for the plan (`--policy-config`) and tests of the shipped stacks:
 * throws PolicyConfigError for a bad file (plan exit 2); `mandatoryViolations(result)` decides exit 1.
 */
export async function runPolicyFile(resources: RegisteredResource[], file: string): Promise<{ config: Record<string, unknown>; result: PolicyRunResult }> {
    const config = loadPolicyConfig(file);
    return { config, result: await runPolicies(resources, config) };
}
