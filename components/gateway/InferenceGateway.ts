import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

/** Gateway API CRDs, Envoy Gateway (+ Envoy AI Gateway), GatewayClass and Gateway. */
export class InferenceGateway extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[] = [this];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:gateway:InferenceGateway", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
