// The engine bench's floor program (bench/engine.sh): a Pulumi program with no logic that registers, through the
// real CLI, engine and provider, exactly the resources an offline plan of the measured stack recorded — same types,
// names, parents, inputs and options (bench/floor.ts registerRecorded) — read from the resources.json that the
// stack config `modelplane-floor:resources` names. Stack capture stays on, as in the real program: on the engine
// path the SDK records every resource's source position.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource, SECRET_PLACEHOLDER } from "../lib/resources";
import { registerRecorded } from "./replay";

const file = new pulumi.Config().require("resources");
// The inputs are read before the first registration: they stand for constants a minimal program compiles in.
const text = fs.readFileSync(file, "utf8");
if (text.includes(JSON.stringify(SECRET_PLACEHOLDER))) {
    throw new Error(`${file} has secret inputs ("${SECRET_PLACEHOLDER}"): the floor cannot replay them; bench stacks must have none`);
}
registerRecorded(JSON.parse(text) as RegisteredResource[], "recorded");
