import * as pulumi from "@pulumi/pulumi";
import { ModelConfig } from "../config";
import { LayerArgs } from "../types";

export interface ModelServiceArgs extends LayerArgs {
    model: ModelConfig;
    /** Namespace of the model's team. */
    namespace: string;
}

/** One model: a KServe LLMInferenceService (v1alpha2) and its InferenceObjective. */
export class ModelService extends pulumi.ComponentResource {
    readonly endpoint: pulumi.Output<string>;
    readonly gpuDemand: number;

    constructor(name: string, args: ModelServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:models:ModelService", name, {}, { ...opts, dependsOn: args.dependsOn });
        const m = args.model;
        this.gpuDemand = m.topology.gpusPerReplica * (m.scaling?.maxReplicas ?? m.replicas ?? 1);
        this.endpoint = pulumi.output(`/${args.namespace}/${m.name}/v1`);
        this.registerOutputs({ endpoint: this.endpoint, gpuDemand: this.gpuDemand });
    }
}
