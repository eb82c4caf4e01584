import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

/** Gateway API Inference Extension CRDs (InferencePool v1) and the llm-d-router CRDs. */
export class InferenceExtension extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[] = [this];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:inference:InferenceExtension", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
