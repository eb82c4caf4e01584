// Shared test helpers: evaluate a shipped (or mutated) stack under mocks and find what it registered.
import * as path from "node:path";
import { strict as assert } from "node:assert";
import { ConfigError, ConfigIssue, parseStackConfig, PlatformConfig } from "../components/config";
import { createPlatform } from "../components/platform";
import { RegisteredResource } from "../lib/resources";
import { evaluate } from "../plan/evaluate";
import { readStackFile } from "../plan/stack-file";

export const PROJECT_DIR = path.resolve(__dirname, "..");
export const SHIPPED_STACKS = ["dev", "prod", "local"] as const;

/** The raw flat config map of a shipped stack, as the plan reads it. */
export function rawStack(stack: string): { values: Record<string, unknown>; secretKeys: string[] } {
    const f = readStackFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), PROJECT_DIR);
    return { values: structuredClone(f.values), secretKeys: f.secretKeys };
}

/** Validated config of a shipped stack, optionally mutated (on the raw map) first. */
export function stackConfig(stack: string, mutate?: (raw: Record<string, any>) => void): PlatformConfig {
    const { values, secretKeys } = rawStack(stack);
    mutate?.(values);
    return parseStackConfig(values, { secretKeys, stack });
}

/** Parses a shipped stack after `mutate`; returns its config issues (none if it was accepted). */
export function issuesOf(stack: string, mutate: (raw: Record<string, any>) => void): ConfigIssue[] {
    const { values, secretKeys } = rawStack(stack);
    mutate(values);
    try {
        parseStackConfig(values, { secretKeys, stack });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.issues;
    }
    return [];
}

export async function registered(cfg: PlatformConfig): Promise<RegisteredResource[]> {
    return (await evaluate(cfg, createPlatform)).resources;
}

const cache = new Map<string, RegisteredResource[]>();
/** Resources of an unmodified shipped stack (evaluated once per test run). */
export async function shippedResources(stack: string): Promise<RegisteredResource[]> {
    if (!cache.has(stack)) cache.set(stack, await registered(stackConfig(stack)));
    return cache.get(stack)!;
}

export function ofType(resources: RegisteredResource[], type: string): RegisteredResource[] {
    return resources.filter((r) => r.type === type);
}

export function byName(resources: RegisteredResource[], type: string, name: string): RegisteredResource {
    const r = resources.find((x) => x.type === type && x.name === name);
    if (!r) throw new Error(`no ${type} named ${name}; have: ${ofType(resources, type).map((x) => x.name).join(", ") || "(none of that type)"}`);
    return r;
}

/** Resources whose inputs differ between two evaluations (matched by URN), plus added/removed URNs. */
export function diffResources(a: RegisteredResource[], b: RegisteredResource[]): { changed: string[]; added: string[]; removed: string[] } {
    const am = new Map(a.map((r) => [r.urn, r]));
    const bm = new Map(b.map((r) => [r.urn, r]));
    const changed = [...am.keys()].filter((u) => bm.has(u) && JSON.stringify(am.get(u)!.props) !== JSON.stringify(bm.get(u)!.props));
    return { changed, added: [...bm.keys()].filter((u) => !am.has(u)), removed: [...am.keys()].filter((u) => !bm.has(u)) };
}
