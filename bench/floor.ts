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
// - "empty": each resource gets the constant `{value: 1}` (components `{}`): the SDK's per-resource cost
//   alone, without the cost of the inputs. Kept as a second column so the difference is visible.
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource } from "../lib/resources";
import { mockNewResource } from "../plan/mocks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

export type FloorInputs = "recorded" | "empty";

// The SDK's resource classes are abstract; these add nothing.
class FloorCustomResource extends pulumi.CustomResource {}
class FloorProviderResource extends pulumi.ProviderResource {}

export async function registerFloor(resources: readonly RegisteredResource[], stack: string, inputs: FloorInputs): Promise<number> {
    // Same mock as the plan (plan/evaluate.ts): ids for custom resources, state = inputs + a few outputs.
    // The floor invokes nothing, so its call mock is never used.
    await pulumi.runtime.setMocks({ newResource: mockNewResource, call: () => ({}) }, "modelplane", stack, false);
    // Same SDK settings as the plan's evaluation (plan/evaluate.ts): no stack capture while registering.
    const stackLimit = Error.stackTraceLimit;
    if (!process.env.MODELPLANE_PLAN_STACKS) Error.stackTraceLimit = 0;
    try {
        const byUrn = new Map<string, pulumi.Resource>();
        const constant = { value: 1 };
        for (const r of resources) {
            const parent = r.parent ? byUrn.get(r.parent) : undefined;
            const opts = { parent };
            const props: Record<string, unknown> = inputs === "recorded" ? r.props : r.custom ? constant : {};
            let res: pulumi.Resource;
            if (r.type.startsWith("pulumi:providers:")) res = new FloorProviderResource(r.type.slice("pulumi:providers:".length), r.name, props, opts);
            else if (r.custom) res = new FloorCustomResource(r.type, r.name, props, opts);
            else res = new pulumi.ComponentResource(r.type, r.name, props, opts, r.remote);
            byUrn.set(r.urn, res);
        }
        await settings.waitForRPCs();
        return byUrn.size;
    } finally {
        Error.stackTraceLimit = stackLimit;
    }
}
