// Pure network and naming helpers for the cloud clusters: subnet math, GCP regions and ranges, cloud
// resource names with length limits. No Pulumi resources here.
import { createHash } from "node:crypto";

// ---------------------------------------------------------------------------------------------------------------
// IPv4 CIDR math

function parseCidr(cidr: string): { base: number; prefix: number } {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) throw new Error(`not an IPv4 CIDR: ${cidr}`);
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    const ip = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return { base: ip - (ip % size), prefix };
}

function formatIp(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Like Terraform's cidrsubnet(): the `netnum`-th subnet of `cidr` with `newbits` more prefix bits. */
export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
    const { base, prefix } = parseCidr(cidr);
    const newPrefix = prefix + newbits;
    if (newPrefix > 32) throw new Error(`cannot add ${newbits} bits to ${cidr}`);
    if (netnum < 0 || netnum >= 2 ** newbits) throw new Error(`${cidr} has no subnet #${netnum} of /${newPrefix}`);
    return `${formatIp(base + netnum * 2 ** (32 - newPrefix))}/${newPrefix}`;
}

// ---------------------------------------------------------------------------------------------------------------
// AWS VPC layout

export const AWS_DEFAULT_VPC_CIDR = "10.60.0.0/16";
export const AWS_DEFAULT_AZ_COUNT = 3;

export interface AwsSubnetLayout {
    /** Private subnet per AZ (nodes and pods: the VPC CNI gives every pod a VPC IP, so these are large). */
    private: string[];
    /** Public subnet per AZ (NAT gateways and internet-facing load balancers only). */
    public: string[];
}

/**
 * Splits the VPC into eighths: AZ i gets private eighth i (a /19 of a /16: 8190 addresses for pods), and
 * the last eighth is cut into eighths again for the small public subnets (/22 of a /16). Up to 6 AZs fit,
 * the config's maximum. A VPC must be /16 to /28 and the public subnets at least /28, so /16 … /22.
 */
export function awsSubnetLayout(vpcCidr: string, azCount: number): AwsSubnetLayout {
    const { prefix } = parseCidr(vpcCidr);
    if (prefix < 16 || prefix > 22) {
        throw new Error(`modelplane:cluster.network.vpcCidr ${vpcCidr}: must be /16 to /22 (AWS VPCs are at most /16; the public subnets need /28)`);
    }
    if (azCount < 1 || azCount > 6) throw new Error(`availability zone count ${azCount}: must be 1-6`);
    const indexes = [...Array(azCount).keys()];
    return {
        private: indexes.map((i) => cidrSubnet(vpcCidr, 3, i)),
        public: indexes.map((i) => cidrSubnet(vpcCidr, 6, 56 + i)),
    };
}

/** Subnet ids in the given zones, in zone order; throws naming the zone the VPC does not span. */
export function subnetsInZones(subnets: { id: string; zone: string }[], zones: string[], what: string): string[] {
    return zones.map((z) => {
        const s = subnets.find((x) => x.zone === z);
        if (!s) throw new Error(`${what}: zone ${z} is not one of the cluster subnets' zones (${[...new Set(subnets.map((x) => x.zone))].join(", ")})`);
        return s.id;
    });
}

// ---------------------------------------------------------------------------------------------------------------
// GCP

export const GCP_DEFAULT_RANGES = { subnetCidr: "10.10.0.0/20", podsCidr: "10.12.0.0/14", servicesCidr: "10.16.0.0/20" } as const;
export const GKE_PODS_RANGE = "pods";
export const GKE_SERVICES_RANGE = "services";

/** The region of a GCP location: `us-central1` stays, `us-central1-a` (a zone) becomes `us-central1`. */
export function gcpRegion(location: string): string {
    return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(location) ? location.replace(/-[a-z]$/, "") : location;
}

/**
 * A GCP service account id (6-30 chars, `[a-z]([-a-z0-9]*[a-z0-9])`) made of a prefix and a suffix; a long
 * prefix is cut and given a short hash so two long cluster names stay distinct.
 */
export function gcpAccountId(prefix: string, suffix: string): string {
    const plain = `${prefix}-${suffix}`;
    if (plain.length <= 30) return plain.padEnd(6, "0");
    const hash = createHash("sha256").update(prefix).digest("hex").slice(0, 4);
    const room = 30 - suffix.length - hash.length - 2;
    return `${prefix.slice(0, room).replace(/-+$/, "")}-${hash}-${suffix}`;
}

/** A stable, readable Pulumi resource name part for an IAM principal ARN (its last path segment + hash). */
export function principalKey(arn: string): string {
    const last = arn.split("/").pop() ?? arn;
    const slug = last.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);
    return `${slug}-${createHash("sha256").update(arn).digest("hex").slice(0, 6)}`;
}
