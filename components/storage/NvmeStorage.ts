import * as pulumi from "@pulumi/pulumi";
import { LayerArgs } from "../types";

/** Node-local NVMe for model weights: StorageClasses, local-static-provisioner, node-cleanup-controller. */
export class NvmeStorage extends pulumi.ComponentResource {
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[] = [this];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:storage:NvmeStorage", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.registerOutputs({});
    }
}
