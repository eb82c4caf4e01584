// What the offline plan pretends the cloud answers. Only deterministic, obviously fake values: the plan
// shows what the program declares, never what a cloud would return.
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../components/config";

type State = Record<string, unknown>;

/** Outputs a few resource types must have for the program to continue (ids, ARNs, endpoints). */
const STATE: Record<string, (args: pulumi.runtime.MockResourceArgs) => State> = {
    "aws:eks/cluster:Cluster": (a) => ({
        name: a.inputs.name ?? a.name,
        arn: `arn:aws:eks:mock-region:000000000000:cluster/${a.inputs.name ?? a.name}`,
        endpoint: `https://${a.name}.eks.mock.invalid`,
        certificateAuthority: { data: "bW9jay1jYQ==" },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.mock.invalid/id/${a.name}` }] }],
        vpcConfig: { ...(a.inputs.vpcConfig ?? {}), clusterSecurityGroupId: `sg-${a.name}` },
    }),
    // Auto-named roles get their physical name from the engine; mocks have none, so use the logical name.
    "aws:iam/role:Role": (a) => ({ name: a.inputs.name ?? a.name }),
    // Node groups pin the launch template version they run.
    "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
    "gcp:serviceaccount/account:Account": (a) => {
        const email = `${a.inputs.accountId ?? a.name}@mock-project.iam.gserviceaccount.com`;
        return { email, name: `projects/mock-project/serviceAccounts/${email}` };
    },
    "gcp:container/cluster:Cluster": (a) => ({
        name: a.inputs.name ?? a.name,
        endpoint: "203.0.113.10",
        masterAuth: { clusterCaCertificate: "bW9jay1jYQ==" },
    }),
};

export function mockState(args: pulumi.runtime.MockResourceArgs): State {
    const base: State = { ...args.inputs };
    const special = STATE[args.type];
    if (special) Object.assign(base, special(args));
    if (args.type.startsWith("aws:") && base.arn === undefined) {
        base.arn = `arn:aws:mock:::${args.type.split(":")[1]}/${args.name}`;
    }
    if (args.type.startsWith("gcp:") && base.email === undefined && args.type.includes("serviceaccount/account")) {
        base.email = `${args.inputs.accountId ?? args.name}@mock-project.iam.gserviceaccount.com`;
    }
    return base;
}

/**
 * The mock monitor's newResource for the plan (and the benchmark's floor, so both pay the same mock):
 * custom resources get `<name>-id`, state is the inputs plus the few outputs in STATE.
 */
export function mockNewResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    return { id: args.custom ? `${args.name}-id` : undefined, state: mockState(args) };
}

/** Invokes (data sources) the program may call. Unknown ones fail loudly, naming the token. */
export function mockCall(args: pulumi.runtime.MockCallArgs, cfg: PlatformConfig): Record<string, unknown> {
    switch (args.token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const region = cfg.providers["aws:region"] ?? "us-east-2";
            const names = ["a", "b", "c", "d", "e", "f"].map((s) => `${region}${s}`);
            return { names, zoneIds: names.map((_, i) => `use2-az${i + 1}`), id: region };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: "000000000000", arn: "arn:aws:iam::000000000000:user/plan", userId: "plan", id: "000000000000" };
        case "aws:index/getRegion:getRegion":
        case "aws:index/region:Region":
            return { name: cfg.providers["aws:region"] ?? "us-east-2", region: cfg.providers["aws:region"] ?? "us-east-2", id: "region" };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:ec2/getSubnet:getSubnet": {
            // Existing subnets (cluster.network.privateSubnetIds): AZ a, b, c… in the order the config lists them.
            const region = cfg.providers["aws:region"] ?? "us-east-2";
            const ids = cfg.cluster.network?.privateSubnetIds ?? [];
            const i = Math.max(0, ids.indexOf(String(args.inputs.id)));
            return { id: args.inputs.id, availabilityZone: `${region}${"abcdef"[i % 6]}`, vpcId: cfg.cluster.network?.vpcId ?? "vpc-mock" };
        }
        case "gcp:organizations/getProject:getProject":
            return { projectId: cfg.providers["gcp:project"] ?? "mock-project", number: "000000000000", id: "project" };
        default:
            throw new Error(`the offline plan has no mock for invoke ${args.token}; add one to plan/mocks.ts`);
    }
}
