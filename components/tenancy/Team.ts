import * as pulumi from "@pulumi/pulumi";
import { TeamConfig } from "../config";
import { LayerArgs } from "../types";

export interface TeamArgs extends LayerArgs {
    team: TeamConfig;
}

/** One team: its namespace, GPU ResourceQuota, NetworkPolicy, Hugging Face token Secret and ServiceAccount. */
export class Team extends pulumi.ComponentResource {
    readonly namespace: string;

    constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:tenancy:Team", name, {}, { ...opts, dependsOn: args.dependsOn });
        this.namespace = args.team.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}
