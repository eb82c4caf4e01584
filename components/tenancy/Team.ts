import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { TeamConfig } from "../config";
import { ClusterOutputs } from "../cluster/types";
import { HF_TOKEN_KEY, HF_TOKEN_SECRET, MODEL_SERVICE_ACCOUNT } from "../names";
import { LayerArgs } from "../types";
import { buildNamespace, buildNetworkPolicies, buildResourceQuota, teamLabels } from "./objects";

export interface TeamArgs extends LayerArgs {
    team: TeamConfig;
    /** The cluster, for binding the model ServiceAccount to the cloud identity that reads object-store weights. */
    cluster?: Pick<ClusterOutputs, "bindServiceAccount">;
}

/**
 * One team: its namespace, GPU ResourceQuota, NetworkPolicies, Hugging Face token Secret and the ServiceAccount
 * its model pods run as. Nothing here depends on the team's models, so adding or changing a model never
 * touches the team's objects.
 */
export class Team extends pulumi.ComponentResource {
    readonly namespace: string;
    readonly namespaceResource: k8s.core.v1.Namespace;
    readonly serviceAccount: k8s.core.v1.ServiceAccount;

    constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:tenancy:Team", name, {}, { ...opts, dependsOn: args.dependsOn });
        const team = args.team;
        const cfg = args.config;
        const base: pulumi.CustomResourceOptions = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
        const labels = teamLabels(team);

        const ns = new k8s.core.v1.Namespace(team.name, buildNamespace(team), base);
        this.namespaceResource = ns;
        this.namespace = team.name;
        // Namespaced objects wait for the namespace (its name is a plain string, so say so explicitly).
        const inNs: pulumi.CustomResourceOptions = { ...base, dependsOn: [...(args.dependsOn ?? []), ns] };

        new k8s.core.v1.ResourceQuota(`${team.name}-gpu`, buildResourceQuota(team), inNs);
        for (const policy of buildNetworkPolicies(team, cfg.platform)) {
            new k8s.networking.v1.NetworkPolicy(`${team.name}-${policy.metadata.name}`, policy, inNs);
        }

        const token = cfg.secrets.huggingFaceToken;
        if (token !== undefined) {
            new k8s.core.v1.Secret(`${team.name}-hf-token`, {
                metadata: { name: HF_TOKEN_SECRET, namespace: team.name, labels },
                type: "Opaque",
                stringData: { [HF_TOKEN_KEY]: pulumi.secret(token) },
            }, inNs);
        }

        // The cloud binding (EKS Pod Identity association / GKE Workload Identity member) lets the model pods read
        // s3:// or gs:// weights (storage initializer, RunAI streamer). The team's cloudIdentity, when set, is bound
        // instead of the platform's model-reader identity.
        const annotations = args.cluster?.bindServiceAccount?.(
            `${team.name}-model-reader`, team.name, MODEL_SERVICE_ACCOUNT, this, team.cloudIdentity);
        this.serviceAccount = new k8s.core.v1.ServiceAccount(`${team.name}-model-server`, {
            metadata: { name: MODEL_SERVICE_ACCOUNT, namespace: team.name, labels, annotations },
            // KServe's storage initializer takes HF_TOKEN from Secrets listed on the pod's ServiceAccount
            // (kserve pkg/credentials/service_account_credentials.go, hf/hf_secret.go): gated hf:// models need it.
            secrets: token !== undefined ? [{ name: HF_TOKEN_SECRET }] : undefined,
        }, inNs);

        this.registerOutputs({ namespace: this.namespace });
    }
}
