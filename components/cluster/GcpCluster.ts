import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp";
import * as k8s from "../kube";
import { GpuPoolConfig, PlatformConfig } from "../config";
import { gcsModelReaderCondition, GKE_SA_ANNOTATION, modelBucketPrefixes, workloadIdentityMember } from "./identity";
import { gkeKubeconfig } from "./kubeconfig";
import { GCP_DEFAULT_RANGES, gcpAccountId, gcpRegion, GKE_PODS_RANGE, GKE_SERVICES_RANGE } from "./network";
import { gkeCapacity, gkeGuestAccelerators, gkeLocalSsd, poolLabels, poolTaints } from "./nodePools";
import { ClusterArgs, ClusterOutputs } from "./types";

/** Node VMs get cloud-platform scope; what they may do is decided by the node service account's roles. */
const OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/**
 * Least-privilege roles of the node service account (GKE hardening guide: a dedicated node SA instead of the
 * Compute Engine default one): logs, metrics, metadata, and pulling images from Artifact Registry.
 */
export const NODE_SA_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
];

/**
 * A VPC-native GKE cluster with GPU node pools (issue 3): network and subnetwork with secondary ranges,
 * Workload Identity, the Gateway API (standard channel), shielded nodes, Dataplane V2, master authorized
 * networks, a system pool, one node pool per GPU pool, and the service account model pods use to read
 * weights from Cloud Storage.
 */
export class GcpCluster extends pulumi.ComponentResource implements ClusterOutputs {
    readonly provider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly readyResources: pulumi.Resource[];
    readonly modelReaderIdentity: pulumi.Output<string>;
    readonly cluster: gcp.container.Cluster;
    /** GPU node pools by pool name. */
    readonly nodePools: Record<string, gcp.container.NodePool> = {};
    private readonly project: string;
    private readonly readerAccount: gcp.serviceaccount.Account;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:cluster:GcpCluster", name, {}, opts);
        const cfg = args.config;
        const c = cfg.cluster;
        const child = { parent: this };
        this.project = cfg.providers["gcp:project"]; // config.ts requires it for gcp
        const location = c.location!; // config.ts requires it for gcp
        const region = gcpRegion(location);
        const ranges = { ...GCP_DEFAULT_RANGES, ...definedOnly(c.network ?? {}) };

        // --- Network: VPC-native (alias IPs), required by the Gateway API and Dataplane V2 ----------------
        const network = new gcp.compute.Network(`${name}-network`, {
            name: c.name,
            autoCreateSubnetworks: false,
        }, child);
        const subnet = new gcp.compute.Subnetwork(`${name}-subnet`, {
            name: c.name,
            network: network.id,
            region,
            ipCidrRange: ranges.subnetCidr,
            secondaryIpRanges: [
                { rangeName: GKE_PODS_RANGE, ipCidrRange: ranges.podsCidr },
                { rangeName: GKE_SERVICES_RANGE, ipCidrRange: ranges.servicesCidr },
            ],
            // Nodes reach Cloud Storage (model weights) and Artifact Registry over Google's network.
            privateIpGoogleAccess: true,
        }, child);

        const nodeSa = new gcp.serviceaccount.Account(`${name}-nodes`, {
            accountId: gcpAccountId(c.name, "nodes"),
            displayName: `modelplane ${c.name} GKE nodes`,
        }, child);
        const nodeRoles = NODE_SA_ROLES.map((role) => new gcp.projects.IAMMember(`${name}-nodes-${role.split("/")[1]}`, {
            project: this.project, role, member: pulumi.interpolate`serviceAccount:${nodeSa.email}`,
        }, child));

        const cidrs = c.endpointPublicAccessCidrs;
        this.cluster = new gcp.container.Cluster(`${name}-gke`, {
            name: c.name,
            location,
            network: network.id,
            subnetwork: subnet.id,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: GKE_PODS_RANGE, servicesSecondaryRangeName: GKE_SERVICES_RANGE },
            // Node pools are managed separately; GKE needs one initial pool to create the cluster, then drops it.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            minMasterVersion: c.kubernetesVersion,
            releaseChannel: c.releaseChannel ? { channel: c.releaseChannel } : undefined,
            workloadIdentityConfig: { workloadPool: `${this.project}.svc.id.goog` },
            // GKE's Gateway API channel is off on purpose: with CHANNEL_STANDARD GKE installs and manages the
            // Gateway API CRDs itself (and, from 1.34, the Inference Extension's), at versions tied to the GKE
            // release. modelplane's routing layer already owns those CRDs at the versions KServe v0.20.0 and
            // Envoy Gateway v1.8.1 were tested with (DESIGN.md §5); two owners would fight over them
            // (research/routing.md §4: pick one owner). Our Gateway is Envoy's, not GKE's gateway controller.
            gatewayApiConfig: { channel: "CHANNEL_DISABLED" },
            enableShieldedNodes: true,
            // Dataplane V2 enforces NetworkPolicy (the tenancy layer's isolation relies on it).
            datapathProvider: "ADVANCED_DATAPATH",
            // The API server is reachable only from the listed CIDRs (none listed → no external networks).
            masterAuthorizedNetworksConfig: {
                cidrBlocks: cidrs.map((cidrBlock) => ({ cidrBlock, displayName: cidrBlock })),
                gcpPublicCidrsAccessEnabled: false,
            },
            // GKE's own guard against `destroy`; on by default in the provider, so it follows cfg.protect.
            deletionProtection: cfg.protect,
            resourceLabels: { "modelplane-cluster": c.name },
        }, { ...child, protect: cfg.protect, ignoreChanges: ["initialNodeCount"] });
        this.clusterName = this.cluster.name;

        const common = {
            serviceAccount: nodeSa.email,
            oauthScopes: OAUTH_SCOPES,
            workloadMetadataConfig: { mode: "GKE_METADATA" }, // Workload Identity on every pool
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        };
        const sys = c.systemPool!; // config.ts requires it for gcp
        const systemPool = new gcp.container.NodePool(`${name}-system`, {
            cluster: this.cluster.id,
            location,
            initialNodeCount: sys.minNodes > 0 ? 1 : 0,
            autoscaling: { totalMinNodeCount: sys.minNodes, totalMaxNodeCount: sys.maxNodes, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: true },
            nodeConfig: { ...common, machineType: sys.instanceType, diskSizeGb: sys.diskSizeGiB },
        }, { ...child, protect: cfg.protect, dependsOn: nodeRoles, ignoreChanges: ["nodeCount", "initialNodeCount"] });

        for (const pool of cfg.gpuPools) {
            this.nodePools[pool.name] = this.gpuNodePool(name, cfg, pool, location, common, nodeRoles);
        }

        // --- Identity for model pods ---------------------------------------------------------------------
        const reader = new gcp.serviceaccount.Account(`${name}-model-reader`, {
            accountId: gcpAccountId(c.name, "models"),
            displayName: `modelplane ${c.name}: model pods read weights from Cloud Storage`,
        }, child);
        const prefixes = modelBucketPrefixes(cfg);
        new gcp.projects.IAMMember(`${name}-model-reader-storage`, {
            project: this.project,
            role: "roles/storage.objectViewer",
            member: pulumi.interpolate`serviceAccount:${reader.email}`,
            // Only the model buckets (naming convention in identity.ts), not every bucket of the project.
            condition: gcsModelReaderCondition(prefixes),
        }, child);
        this.readerAccount = reader;
        this.modelReaderIdentity = reader.email;

        // --- Kubernetes provider -------------------------------------------------------------------------
        this.kubeconfig = pulumi.secret(pulumi.all([this.cluster.endpoint, this.cluster.masterAuth]).apply(
            ([endpoint, auth]) => gkeKubeconfig({ clusterName: c.name, endpoint, caData: auth.clusterCaCertificate ?? "" })));
        this.provider = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: this.kubeconfig,
            // See AwsCluster: a computed kubeconfig must not replace every object (pulumi-kubernetes#3068).
            clusterIdentifier: c.name,
            enableServerSideApply: true,
        }, child);

        this.readyResources = [systemPool, ...Object.values(this.nodePools)];
        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            modelReaderIdentity: this.modelReaderIdentity,
        });
    }

    /**
     * Workload Identity: the Kubernetes ServiceAccount may impersonate the model-reader service account (or
     * `identity`, a service account email); the returned annotation tells GKE which one.
     */
    bindServiceAccount(name: string, namespace: string, serviceAccount: string, parent: pulumi.Resource, identity?: pulumi.Input<string>): pulumi.Output<Record<string, string>> {
        const email = pulumi.output(identity ?? this.modelReaderIdentity);
        new gcp.serviceaccount.IAMMember(name, {
            serviceAccountId: identity === undefined
                ? this.readerAccount.name
                : pulumi.interpolate`projects/${this.project}/serviceAccounts/${email}`,
            role: "roles/iam.workloadIdentityUser",
            member: workloadIdentityMember(this.project, namespace, serviceAccount),
        }, { parent, dependsOn: [this.cluster] }); // the workload pool exists once the cluster does
        return email.apply((e): Record<string, string> => ({ [GKE_SA_ANNOTATION]: e }));
    }

    private gpuNodePool(name: string, cfg: PlatformConfig, pool: GpuPoolConfig, location: string,
        common: Record<string, unknown>, dependsOn: pulumi.Resource[]): gcp.container.NodePool {
        const instance = pool.instance!; // config.ts resolves it for gcp pools
        return new gcp.container.NodePool(`${name}-gpu-${pool.name}`, {
            cluster: this.cluster.id,
            location,
            nodeLocations: pool.zones,
            initialNodeCount: 0,
            // Totals count nodes across all zones of the pool; ANY puts them where capacity is (GPUs are scarce).
            autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "ANY" },
            management: { autoRepair: true, autoUpgrade: true },
            // Surge upgrades need spare GPUs that spot and reservations rarely have: replace one node at a time.
            upgradeSettings: { maxSurge: 0, maxUnavailable: 1, strategy: "SURGE" },
            nodeConfig: {
                ...common,
                machineType: instance.name,
                diskSizeGb: pool.diskSizeGiB,
                guestAccelerators: gkeGuestAccelerators(pool),
                ...gkeLocalSsd(pool),
                ...gkeCapacity(pool),
                gvnic: { enabled: true },
                // Image streaming: multi-GB vLLM images start before they are fully pulled.
                gcfsConfig: { enabled: true },
                labels: poolLabels(pool),
                taints: poolTaints(pool),
            },
        }, {
            parent: this,
            protect: cfg.protect,
            dependsOn,
            // The autoscaler owns the node count; initialNodeCount is create-only (a diff would replace the pool).
            ignoreChanges: ["nodeCount", "initialNodeCount"],
        });
    }
}

/** The keys of an object whose value is defined (so `{...defaults, ...definedOnly(x)}` keeps defaults). */
function definedOnly<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
