// The floors of the benchmark: programs with no logic that register exactly the resources a plan
// registered (same types, names, parents, remote flag and count, in the same order) under the same SDK,
// mocks and SDK settings as plan/evaluate.ts. Their cost is what the Pulumi SDK itself needs for that
// many resources; plan ÷ floor measures ours.
//
// Two input modes:
// - "recorded" (the primary floor): each resource gets the inputs the plan recorded for it in
//   resources.json, as constant data. The SDK has to serialise every input to protobuf, the mock monitor
//   deserialises it, builds the state and serialises it back, and the SDK resolves one Output per state
//   key; a program that declares these objects cannot avoid that, whatever its logic.
//   It also gets the options the plan recorded: its dependencies (dependsOn: the same resource objects, so the
//   SDK sends the same URN lists — ~20 per resource at scale; the SDK already expanded the plan's component
//   dependencies into their custom children, so these lists name no component), its provider, protect,
//   ignoreChanges, retainOnDelete, deleteBeforeReplace, replaceOnChanges and additionalSecretOutputs. The
//   dependency graph and the providers are part of what a deployment registers; gathering and sending them
//   is SDK work that any program declaring this graph pays.
// - "empty": each resource gets the constant `{value: 1}` (components `{}`): the SDK's per-resource cost
//   alone, without the cost of the inputs. Kept as a second column so the difference is visible.
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource } from "../lib/resources";
import { withoutStackCapture } from "../plan/evaluate";
import { mockNewResource } from "../plan/mocks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
    waitForRPCs(): Promise<void>;
    getMonitor(): { registerResource(req: FloorRequest, cb: unknown): unknown };
};

/** The parts of a RegisterResourceRequest the bench's tests compare with the plan's. */
export interface FloorRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getProvider(): string;
    getDependenciesList(): string[];
}

export type FloorInputs = "recorded" | "empty";

// The SDK's resource classes are abstract; these add nothing.
class FloorCustomResource extends pulumi.CustomResource {}
class FloorProviderResource extends pulumi.ProviderResource {}

/** `observe` (tests only) sees every registration request the floor sends. */
export async function registerFloor(
    resources: readonly RegisteredResource[], stack: string, inputs: FloorInputs, observe?: (req: FloorRequest) => void,
): Promise<number> {
    // Same mock as the plan (plan/evaluate.ts): ids for custom resources, state = inputs + a few outputs.
    // The floor invokes nothing, so its call mock is never used.
    await pulumi.runtime.setMocks({ newResource: mockNewResource, call: () => ({}) }, "modelplane", stack, false);
    if (observe) {
        const monitor = settings.getMonitor();
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, cb) => {
            observe(req);
            return register(req, cb);
        };
    }
    // Same SDK settings as the plan's evaluation: no stack capture while registering.
    return withoutStackCapture(async () => {
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
        await settings.waitForRPCs();
        return byUrn.size;
    });
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
    if (r.custom && r.provider) {
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
