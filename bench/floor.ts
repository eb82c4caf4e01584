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
import { FloorInputs, registerRecorded } from "./replay";

export type { FloorInputs } from "./replay";

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
        const count = registerRecorded(resources, inputs).size;
        await settings.waitForRPCs();
        return count;
    });
}
