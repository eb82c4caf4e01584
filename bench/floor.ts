// The floor of the benchmark: a program with no logic that registers exactly the resources a plan
// registered (same types, names, parents and count) with constant inputs, under the same SDK and mocks.
// Its cost is what the Pulumi SDK itself needs for that many resources; plan ÷ floor measures ours.
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource } from "../lib/resources";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };

// The SDK's resource classes are abstract; these add nothing.
class FloorCustomResource extends pulumi.CustomResource {}
class FloorProviderResource extends pulumi.ProviderResource {}

export async function registerFloor(resources: RegisteredResource[], stack: string): Promise<number> {
    await pulumi.runtime.setMocks({
        newResource: (a) => ({ id: a.custom ? `${a.name}-id` : undefined, state: a.inputs }),
        call: () => ({}),
    }, "modelplane", stack, false);
    // Same SDK settings as the plan's evaluation (plan/evaluate.ts): no stack capture while registering.
    const stackLimit = Error.stackTraceLimit;
    if (!process.env.MODELPLANE_PLAN_STACKS) Error.stackTraceLimit = 0;
    const byUrn = new Map<string, pulumi.Resource>();
    const constant = { value: 1 };
    for (const r of resources) {
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        const opts = { parent };
        let res: pulumi.Resource;
        if (r.type.startsWith("pulumi:providers:")) res = new FloorProviderResource(r.type.slice("pulumi:providers:".length), r.name, constant, opts);
        else if (r.custom) res = new FloorCustomResource(r.type, r.name, constant, opts);
        else res = new pulumi.ComponentResource(r.type, r.name, {}, opts);
        byUrn.set(r.urn, res);
    }
    await settings.waitForRPCs();
    Error.stackTraceLimit = stackLimit;
    return byUrn.size;
}
