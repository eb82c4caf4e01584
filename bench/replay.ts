// Replays an offline plan's registrations (resources.json) with no logic: the floors' shared core. It imports only
// the SDK, so the engine floor program (bench/engine-floor.ts) loads nothing the program it stands beside would not.
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource } from "../lib/resources";

/** "recorded": each resource's recorded inputs and options; "empty": the constant `{value: 1}` and its parent only. */
export type FloorInputs = "recorded" | "empty";

// The SDK's resource classes are abstract; these add nothing.
class FloorCustomResource extends pulumi.CustomResource {}
class FloorProviderResource extends pulumi.ProviderResource {}

/**
 * Registers `resources` as they were recorded, with whatever monitor the SDK has: the mocks' (registerFloor) or
 * the engine's (bench/engine-floor.ts, the floor program `pulumi preview`/`up` run). Returns them by plan URN.
 */
export function registerRecorded(resources: readonly RegisteredResource[], inputs: FloorInputs): Map<string, pulumi.Resource> {
    const byUrn = new Map<string, pulumi.Resource>();
    const constant = { value: 1 };
    for (const r of resources) {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const opts = inputs === "recorded" ? recordedOptions(r, parent, byUrn) : { parent };
        const props: Record<string, unknown> = inputs === "recorded" ? r.props : r.custom ? constant : {};
        let res: pulumi.Resource;
        if (r.type.startsWith("pulumi:providers:")) res = new FloorProviderResource(r.type.slice("pulumi:providers:".length), r.name, props, opts);
        else if (r.custom) res = new FloorCustomResource(r.type, r.name, props, opts);
        else res = new pulumi.ComponentResource(r.type, r.name, props, opts, r.remote);
        byUrn.set(r.urn, res);
    }
    return byUrn;
}

/** The recorded options of `r` (see "recorded" above), with dependencies and provider as the floor's own objects. */
function recordedOptions(r: RegisteredResource, parent: pulumi.Resource | undefined, byUrn: ReadonlyMap<string, pulumi.Resource>): pulumi.CustomResourceOptions {
    const dependsOn: pulumi.Resource[] = [];
    for (const urn of r.dependencies) {
        const dep = byUrn.get(urn);
        if (!dep) throw new Error(`floor: ${r.urn} depends on ${urn}, which was not registered before it`);
        dependsOn.push(dep);
    }
    const opts: pulumi.CustomResourceOptions = { parent, dependsOn };
    // A remote component (yaml v2 ConfigGroup, helm v4 Chart) is constructed by its provider: the engine needs it too.
    if ((r.custom || r.remote) && r.provider) {
        // A provider reference is "<urn>::<id>".
        const provider = byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
        if (!(provider instanceof pulumi.ProviderResource)) throw new Error(`floor: ${r.urn} uses provider ${r.provider}, which is not a registered provider`);
        opts.provider = provider;
    }
    const o = r.opts;
    if (o.protect) opts.protect = true;
    if (o.ignoreChanges.length > 0) opts.ignoreChanges = o.ignoreChanges;
    if (o.retainOnDelete) opts.retainOnDelete = true;
    if (o.deleteBeforeReplace) opts.deleteBeforeReplace = true;
    if (o.replaceOnChanges.length > 0) opts.replaceOnChanges = o.replaceOnChanges;
    if (o.additionalSecretOutputs.length > 0) opts.additionalSecretOutputs = o.additionalSecretOutputs;
    return opts;
}
