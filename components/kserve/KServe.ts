import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

/** KServe LLMInferenceService CRDs, controller and presets (LLMInferenceServiceConfig). */
export class KServe extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[] = [this];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:kserve:KServe", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
