import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

/** cert-manager and LeaderWorkerSet (and the NVIDIA device plugin on EKS). */
export class Addons extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[] = [this];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:addons:Addons", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
