// The stack config of modelplane (DESIGN.md §2): one zod schema, cross-field checks, and every error
// reported at once with its config path, before any resource is registered.
//
// `parseStackConfig` is pure: it takes the flat `<namespace>:<key>` map that Pulumi keeps (values as
// strings, objects JSON-encoded) or that the offline plan reads from Pulumi.<stack>.yaml (values already
// parsed), so the program, the plan and the tests validate the same way.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { findInstanceType, instanceTypeNames, findAccelerator, acceleratorKeys, InstanceType } from "../lib/catalog";
import { topology, Topology } from "../lib/topology";
import { LOCALMODEL_NODE_LABEL } from "../lib/labels";
import { parseQuantity } from "../lib/demand";
import { validateVersionOverrides } from "./versions";
import { monitoringInstalled, PROMETHEUS_NAMESPACE } from "./monitoring/values";
import { podSpecPatchIssues } from "./models/podSpecPatch";
import { allocatable, podSize, worstCaseReplicas } from "./models/sizing";
import { CLUSTER_AUTOSCALER_IMAGES, clusterAutoscalerImageTag } from "./cluster/autoscaler";
import { describeNode, PackNode, PackPod, packPods } from "../lib/packing";

export const PROJECT = "modelplane";

// ---------------------------------------------------------------------------------------------------
// Primitives

/** RFC 1123 label: namespaces, pools and most object names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1035 label: names that become Service names (they must start with a letter). */
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;

const dnsLabel = (max: number) =>
    z.string().max(max, `must be at most ${max} characters`).regex(DNS_LABEL, "must be a lowercase RFC 1123 label (a-z, 0-9, '-'; start and end alphanumeric)");

// abort: a value that is not a CIDR at all gets that one error, not a second one about its octets.
const cidr = z.string().regex(CIDR, { message: "must be an IPv4 CIDR such as 10.60.0.0/16", abort: true }).refine(
    (s) => s.split("/")[0].split(".").every((o) => Number(o) <= 255), "octets must be 0-255");

const count = z.number().int("must be a whole number").min(0, "must be ≥ 0");
const positive = z.number().int("must be a whole number").min(1, "must be ≥ 1");

/** Kubernetes quantities as strings ("8", "500m", "64Gi"). */
const quantity = z.union([z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, "must be a Kubernetes quantity such as 8, 500m or 64Gi"), z.number()]).transform(String);

/** Namespaces modelplane or Kubernetes own: a team called like this would take over a system namespace. */
export const RESERVED_NAMESPACES = [
    "default", "kube-system", "kube-public", "kube-node-lease", "kserve", "kserve-localmodel-jobs", "cert-manager",
    "envoy-gateway-system", "envoy-ai-gateway-system", "lws-system", "modelplane-system", "nvidia-device-plugin",
    "local-storage", "monitoring", "keda", "wva-system", "dcgm-exporter",
];

// ---------------------------------------------------------------------------------------------------
// Cluster

const systemPool = z.strictObject({
    instanceType: z.string().min(1),
    minNodes: count.default(2),
    maxNodes: positive.default(4),
    diskSizeGiB: positive.default(100),
});

const network = z.strictObject({
    /** AWS: CIDR of the VPC modelplane creates. */
    vpcCidr: cidr.optional(),
    /** AWS: number of availability zones for private subnets. */
    availabilityZones: z.number().int().min(2, "EKS needs subnets in at least 2 AZs").max(6).optional(),
    /** AWS: use an existing VPC instead of creating one. */
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "must be a VPC id (vpc-…)").optional(),
    /** AWS: existing private subnet ids (with vpcId). */
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "must be a subnet id (subnet-…)")).optional(),
    /** GCP: primary range of the subnetwork modelplane creates. */
    subnetCidr: cidr.optional(),
    /** GCP: secondary range for pods (VPC-native). */
    podsCidr: cidr.optional(),
    /** GCP: secondary range for services. */
    servicesCidr: cidr.optional(),
});

const cluster = z.strictObject({
    name: dnsLabel(40),
    kubernetesVersion: z.string().regex(/^1\.\d{2}$/, "must be a minor version such as \"1.33\"").default("1.33"),
    network: network.optional(),
    /** CIDRs allowed to reach the public API endpoint; empty means the endpoint is private only. */
    endpointPublicAccessCidrs: z.array(cidr).default([]),
    systemPool: systemPool.optional(),
    /** GCP: region (regional cluster) or zone. */
    location: z.string().regex(/^[a-z]+-[a-z]+\d+(-[a-z])?$/, "must be a GCP region or zone such as us-central1 or us-central1-a").optional(),
    /** GCP: release channel. */
    releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).optional(),
    /** AWS: IAM principals granted cluster admin through EKS access entries. */
    adminPrincipalArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, "must be an IAM role or user ARN")).default([]),
    /** existing: kubeconfig context to use (the kubeconfig itself is the secret modelplane:kubeconfig, or the ambient one). */
    context: z.string().min(1).optional(),
});

// ---------------------------------------------------------------------------------------------------
// GPU pools

export const CAPACITY_TYPES = ["onDemand", "spot", "reservation", "capacityBlock"] as const;
export const LOCAL_NVME_MODES = ["raid0", "localVolumes", "none"] as const;

const gpuPool = z.strictObject({
    name: dnsLabel(32),
    /** aws/gcp: instance or machine type, from lib/catalog. */
    instanceType: z.string().min(1).optional(),
    /** existing: accelerator key from lib/catalog (or "cpu" for CPU-only pools). */
    accelerator: z.string().min(1).optional(),
    /** existing: GPUs per node. */
    gpusPerNode: count.optional(),
    minNodes: count.default(0),
    maxNodes: positive,
    capacity: z.enum(CAPACITY_TYPES).default("onDemand"),
    /** reservation / capacityBlock: the reservation (AWS capacity reservation id, GCP reservation name). */
    reservation: z.string().min(1).optional(),
    /** Zones (AWS AZ names or GCP zones) the pool is placed in; capacity blocks need exactly one. */
    zones: z.array(z.string().min(1)).optional(),
    /** Default: raid0 when the instance type has local NVMe, otherwise none. */
    localNvme: z.enum(LOCAL_NVME_MODES).optional(),
    diskSizeGiB: positive.default(200),
    /** existing: labels the nodes already carry (used as the model pods' nodeSelector). */
    nodeSelector: z.record(z.string(), z.string()).optional(),
    /** Whether nodes carry (or, for existing clusters, already carry) the nvidia.com/gpu NoSchedule taint. */
    taint: z.boolean().default(true),
});

// ---------------------------------------------------------------------------------------------------
// Teams

const team = z.strictObject({
    name: dnsLabel(40).refine((n) => !RESERVED_NAMESPACES.includes(n) && !n.startsWith("kube-"), "is a reserved namespace name"),
    gpuQuota: count,
    /** Object-store identity for the team's models: an IAM role ARN (aws) or a GCP service account email (gcp). Defaults to the platform's model-reader identity. */
    cloudIdentity: z.string().min(1).optional(),
});

// ---------------------------------------------------------------------------------------------------
// Models

export const LOADERS = ["storageInitializer", "runaiStreamer", "localCache"] as const;
export const DTYPES = ["float32", "bfloat16", "float16", "fp8", "int8", "int4"] as const;
const URI = /^(hf|s3|gs|pvc|oci):\/\/[^\s]+$/;

const parallelism = z.strictObject({
    tensor: positive.default(1),
    pipeline: positive.optional(),
    data: positive.optional(),
    dataLocal: positive.optional(),
    dataRPCPort: z.number().int().min(1024).max(65535).optional(),
    expert: z.boolean().default(false),
});

const scaling = z.strictObject({
    minReplicas: count.default(1),
    maxReplicas: positive,
});

/** A raw PodSpec patch: the escape hatch (DESIGN.md §0). Checked against the PodSpec schema in checkWorkload (components/models/podSpecPatch.ts). */
const podSpecPatch = z.record(z.string(), z.unknown());

const workload = {
    replicas: count.optional(),
    scaling: scaling.optional(),
    parallelism: parallelism.optional(),
    template: podSpecPatch.optional(),
    workerTemplate: podSpecPatch.optional(),
};

const prefill = z.strictObject({ ...workload });

const model = z.strictObject({
    name: z.string().max(42, "must be at most 42 characters (KServe derives Service names such as <name>-kserve-workload-svc, limited to 63)")
        .regex(DNS_1035, "must be a lowercase RFC 1035 label (start with a letter; a-z, 0-9, '-')"),
    team: z.string().min(1),
    uri: z.string().regex(URI, "must be a model URI with scheme hf://, s3://, gs://, pvc:// or oci://"),
    /** Name clients send in the OpenAI `model` field; defaults to the model's name. */
    servedName: z.string().min(1).optional(),
    pool: z.string().min(1),
    ...workload,
    parallelism: parallelism.prefault({}),
    loader: z.enum(LOADERS).default("storageInitializer"),
    size: z.strictObject({
        paramsBillions: z.number().positive("must be > 0"),
        dtype: z.enum(DTYPES).default("bfloat16"),
    }),
    routing: z.strictObject({
        scorers: z.strictObject({
            prefixCache: z.number().min(0).default(3),
            queue: z.number().min(0).default(2),
            kvCacheUtilization: z.number().min(0).default(2),
            noHitLru: z.number().min(0).optional(),
            loraAffinity: z.number().min(0).optional(),
        }).prefault({}),
        /**
         * InferenceObjective priority. Rejected for now: nothing in the pinned set acts on it (flow control off,
         * no objective header); kept in the schema so the error says why instead of "unknown key".
         */
        priority: z.number().int().min(-1000).max(1000).optional(),
    }).prefault({}),
    vllm: z.strictObject({
        args: z.array(z.string()).default([]),
        image: z.string().min(1).optional(),
        env: z.record(z.string(), z.string()).default({}),
    }).prefault({}),
    /** Override CPU/memory per pod (default: sized from the pool's instance type). */
    resources: z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() }).optional(),
    prefill: prefill.optional(),
    lora: z.strictObject({
        adapters: z.array(z.strictObject({
            name: z.string().regex(DNS_LABEL, "must be a lowercase RFC 1123 label"),
            uri: z.string().regex(URI, "must be a model URI with scheme hf://, s3://, gs://, pvc:// or oci://"),
        })).min(1, "needs at least one adapter"),
        maxRank: positive.optional(),
        maxAdapters: positive.optional(),
    }).optional(),
});

// ---------------------------------------------------------------------------------------------------
// Platform

const platform = z.strictObject({
    /** Overrides of components/versions.ts (air-gapped mirrors, pinned upgrades); validated there. */
    versions: z.record(z.string(), z.unknown()).default({}),
    /** Install Helm releases (false where charts cannot be fetched, e.g. the offline e2e cluster). A CRD bundle from a
     * local chart (`versions.<key>.path`) is installed either way (components/addons/install.ts crdBundle). */
    charts: z.boolean().default(true),
    gateway: z.strictObject({
        name: dnsLabel(63).default("modelplane-gateway"),
        namespace: dnsLabel(63).default("modelplane-gateway"),
        /** Serve HTTPS on this hostname with a certificate from cert-manager. */
        tls: z.strictObject({
            hostname: z.string().regex(/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/, "must be a DNS name"),
            issuer: z.enum(["selfSigned", "letsencrypt"]).default("selfSigned"),
            email: z.email().optional(),
        }).optional(),
        aiGateway: z.boolean().default(true),
        /** Request buffer limit for LLM bodies (Envoy's default 32Ki is too small for long prompts). */
        bufferLimit: quantity.default("50Mi"),
    }).prefault({}),
    /** Namespace whose pods (Prometheus) may scrape model pods. */
    monitoringNamespace: dnsLabel(63).default("monitoring"),
    /** Prometheus (kube-prometheus-stack in `monitoring`, components/monitoring) and what it scrapes (components/observability). */
    monitoring: z.strictObject({
        enabled: z.boolean().default(true),
        /** Default: small on an existing cluster, standard on aws/gcp (components/monitoring/values.ts). */
        footprint: z.enum(["small", "standard"]).optional(),
        /** Grafana with modelplane's dashboards (the kube-prometheus-stack grafana subchart). */
        grafana: z.boolean().default(true),
        /** NVIDIA dcgm-exporter on the GPU pools (false when the cluster already runs one, e.g. the GPU Operator's). */
        dcgmExporter: z.boolean().default(true),
    }).prefault({}),
    /** The model-autoscaling stack (KEDA, WVA, KServe's autoscaling config): components/scaling. */
    autoscaling: z.strictObject({
        /** Default: installed when some model (or its prefill) sets `scaling`. */
        enabled: z.boolean().optional(),
    }).prefault({}),
});

// ---------------------------------------------------------------------------------------------------
// The whole stack

const stack = z.strictObject({
    cloud: z.enum(["aws", "gcp", "existing"]),
    /** Protect clusters, GPU pools and CRDs from deletion (prod). */
    protect: z.boolean().default(false),
    cluster: cluster,
    gpuPools: z.array(gpuPool).default([]),
    teams: z.array(team).default([]),
    models: z.array(model).default([]),
    /** YAML files of more models (each a list of `models` entries), paths relative to the project directory. */
    modelFiles: z.array(z.string().min(1)).optional(),
    platform: platform.prefault({}),
    /** Hugging Face token for gated models: must be a secret. */
    huggingFaceToken: z.string().min(1).optional(),
    /** existing: kubeconfig of the cluster: must be a secret. */
    kubeconfig: z.string().min(1).optional(),
});

/** The schema of the whole `modelplane:` namespace (the config reference in the README is generated from it). */
export const stackSchema = stack;

/** Stack keys whose values must be set with `pulumi config set --secret`. */
export const SECRET_KEYS = ["huggingFaceToken", "kubeconfig"] as const;
/** Keys that are objects or lists in YAML (Pulumi hands them to the program as JSON strings). */
const STRUCTURED_KEYS = ["cluster", "gpuPools", "teams", "models", "modelFiles", "platform", "protect"];

type StackInput = z.infer<typeof stack>;
export type ClusterConfig = StackInput["cluster"];
export type TeamConfig = StackInput["teams"][number];
export type ParallelismConfig = z.infer<typeof parallelism>;
export type PlatformSettings = StackInput["platform"];
export type Cloud = StackInput["cloud"];
export type CapacityType = (typeof CAPACITY_TYPES)[number];
export type LocalNvmeMode = (typeof LOCAL_NVME_MODES)[number];
export type Loader = (typeof LOADERS)[number];
export type Dtype = (typeof DTYPES)[number];

/** A GPU pool after defaults that depend on the catalog are applied. */
export type GpuPoolConfig = Omit<z.infer<typeof gpuPool>, "localNvme"> & {
    localNvme: LocalNvmeMode;
    /** Catalog accelerator key ("cpu" for CPU-only pools). */
    accelerator: string;
    acceleratorMemoryGiB: number;
    gpusPerNode: number;
    /** Catalog entry for aws/gcp pools. */
    instance?: InstanceType;
    /** Labels model pods select to land on this pool. */
    nodeSelector: Record<string, string>;
};

export type PrefillConfig = z.infer<typeof prefill> & { parallelism: ParallelismConfig };

/** A model after validation, with its derived topology. */
export type ModelConfig = Omit<z.infer<typeof model>, "prefill"> & {
    prefill?: PrefillConfig;
    /** Topology of one decode (or only) replica on its pool. */
    topology: Topology;
    prefillTopology?: Topology;
};

export interface PlatformConfig extends Omit<StackInput, "gpuPools" | "models" | "huggingFaceToken" | "kubeconfig"> {
    project: string;
    stack: string;
    gpuPools: GpuPoolConfig[];
    models: ModelConfig[];
    secrets: { huggingFaceToken?: string; kubeconfig?: string };
    /** Provider config the program needs (aws:region, gcp:project, gcp:region, ...). */
    providers: Record<string, string>;
    /** Where each model is written, by index: `modelplane:models[i]`, or `<file>[i]` for one from modelplane:modelFiles (set only then). */
    modelPaths?: string[];
}

export interface ConfigIssue {
    /** Full config path, e.g. `modelplane:models[2].pool`. */
    path: string;
    message: string;
}

export class ConfigError extends Error {
    constructor(readonly issues: ConfigIssue[]) {
        super(`invalid stack config (${issues.length} error${issues.length === 1 ? "" : "s"}):\n` +
            issues.map((i) => `  ${i.path}: ${i.message}`).join("\n"));
        this.name = "ConfigError";
    }
}

export function formatPath(path: readonly PropertyKey[], namespace = PROJECT): string {
    let out = "";
    for (const [i, seg] of path.entries()) {
        if (typeof seg === "number") out += `[${seg}]`;
        else out += i === 0 ? `${namespace}:${String(seg)}` : `.${String(seg)}`;
    }
    return out || namespace;
}

/** Models as far as the autoscaling decision needs them. */
interface ScalingUser { scaling?: unknown; prefill?: { scaling?: unknown } }

/** Whether a model asks for autoscaling (its own workload or its prefill workload). */
export function usesScaling(m: ScalingUser): boolean {
    return m.scaling !== undefined || m.prefill?.scaling !== undefined;
}

/**
 * Whether the model-autoscaling stack (KEDA, WVA, KServe's autoscaling config; components/scaling) is installed, and
 * why not when it is not. `platform.autoscaling.enabled` decides; unset, the stack is installed exactly when some model
 * uses `scaling`, so a stack without autoscaled models carries none of it. It is Helm charts that read Prometheus, so it
 * also needs `platform.charts` and `platform.monitoring.enabled`.
 */
export function autoscalingStack(platform: Pick<PlatformSettings, "charts" | "autoscaling"> & { monitoring: Pick<PlatformSettings["monitoring"], "enabled"> }, models: readonly ScalingUser[]): { installed: boolean; why?: string } {
    const wanted = platform.autoscaling.enabled ?? models.some(usesScaling);
    if (!wanted) {
        return { installed: false, why: platform.autoscaling.enabled === false ? `${PROJECT}:platform.autoscaling.enabled is false` : "no model uses scaling" };
    }
    if (!platform.charts) return { installed: false, why: `${PROJECT}:platform.charts is false (KEDA and WVA are Helm charts)` };
    if (!platform.monitoring.enabled) return { installed: false, why: `${PROJECT}:platform.monitoring.enabled is false (WVA and KEDA read Prometheus)` };
    return { installed: true };
}

export interface ParseOptions {
    /** Full keys (`modelplane:huggingFaceToken`) that are secret. */
    secretKeys?: Iterable<string>;
    stack?: string;
    /** Where `modelplane:modelFiles` paths start: the project directory (default: the working directory, as Pulumi runs the program). */
    baseDir?: string;
}

/**
 * Linux's cap on one environment string (MAX_ARG_STRLEN: 32 pages of 4 KiB). Pulumi hands the whole stack config to
 * the program, and to each policy pack, as one: `PULUMI_CONFIG=<JSON>` (@pulumi/pulumi 3.248 runtime/config.js reads
 * it; the Node.js language host and the analyzer set it). A larger config fails `pulumi preview` before the program
 * starts, with "fork/exec …/node: argument list too long" (pulumi/pulumi#8680, #20402). The engine bench hit it at
 * 1,000 inline models (bench/engine.md).
 */
export const CONFIG_ENV_LIMIT_BYTES = 128 * 1024;

/** The bytes of `PULUMI_CONFIG=<JSON>` as the language host sets it: every value a string (objects as JSON), plus the NUL. */
export function configEnvBytes(raw: Record<string, unknown>): number {
    const values = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    return Buffer.byteLength(`PULUMI_CONFIG=${JSON.stringify(values)}`) + 1;
}

/**
 * Appends the models of `modelplane:modelFiles` to `own.models`. Returns, by merged index, where each model from a
 * file is written (`<file>[i]`; undefined for the inline ones), which error paths name instead of the merged list.
 */
function mergeModelFiles(own: Record<string, unknown>, failed: Set<string>, baseDir: string, issues: ConfigIssue[]): (string | undefined)[] {
    const files = own.modelFiles;
    if (files === undefined || failed.has("modelFiles")) return [];
    const key = `${PROJECT}:modelFiles`;
    if (!Array.isArray(files)) return []; // the schema reports it
    const inline = Array.isArray(own.models) ? own.models : own.models === undefined ? [] : undefined;
    if (!inline) return []; // modelplane:models itself is wrong: reported by the schema
    const merged: unknown[] = [...inline];
    const origins: string[] = [];
    files.forEach((file, f) => {
        if (typeof file !== "string" || file === "") return; // the schema reports it
        const at = `${key}[${f}]`;
        const full = path.resolve(baseDir, file);
        let text: string;
        try {
            text = fs.readFileSync(full, "utf8");
        } catch (e) {
            issues.push({ path: at, message: `cannot read ${quoteValue(file)} (${(e as NodeJS.ErrnoException).code ?? String(e)}; paths are relative to the project directory, ${baseDir})` });
            return;
        }
        let doc: unknown;
        try {
            doc = YAML.parse(text);
        } catch (e) {
            issues.push({ path: at, message: `${quoteValue(file)} is not valid YAML: ${(e as Error).message.split("\n")[0]}` });
            return;
        }
        if (doc === null || doc === undefined) return; // an empty file: no models
        if (!Array.isArray(doc)) {
            issues.push({ path: at, message: `${quoteValue(file)} must be a YAML list of models (the entries of modelplane:models), not ${typeof doc === "object" ? "a mapping" : `a ${typeof doc}`}` });
            return;
        }
        doc.forEach((m, i) => { merged.push(m); origins.push(`${file}[${i}]`); });
    });
    own.models = merged;
    return origins.length > 0 ? [...Array<undefined>(inline.length).fill(undefined), ...origins] : [];
}

/** Rewrites `modelplane:models[k]` (a merged index) to `<file>[i]` for models that came from a model file. */
function originPaths(issues: ConfigIssue[], origins: (string | undefined)[]): ConfigIssue[] {
    if (origins.length === 0) return issues;
    const re = new RegExp(`${PROJECT}:models\\[(\\d+)\\]`, "g");
    const swap = (text: string) => text.replace(re, (whole, k: string) => origins[Number(k)] ?? whole);
    return issues.map((i) => ({ ...i, path: swap(i.path), message: swap(i.message) }));
}

/**
 * Validates a flat Pulumi config map. Returns the typed config, or throws ConfigError listing every problem.
 */
export function parseStackConfig(raw: Record<string, unknown>, options: ParseOptions = {}): PlatformConfig {
    const issues: ConfigIssue[] = [];
    const secretKeys = new Set(options.secretKeys ?? []);
    const own: Record<string, unknown> = {};
    const providers: Record<string, string> = {};
    const prefix = `${PROJECT}:`;

    // Keys whose value is known to be wrong already (not JSON, or a `secure:` value on a plain key): they are left out
    // of the schema (no second error about the same value) and of the checks that depend on them.
    const failed = new Set<string>();
    for (const [key, value] of Object.entries(raw)) {
        if (key.startsWith(prefix)) {
            const k = key.slice(prefix.length);
            const ciphertext = secretKeys.has(key) && !(SECRET_KEYS as readonly string[]).includes(k);
            own[k] = STRUCTURED_KEYS.includes(k) && typeof value === "string" && !ciphertext ? decodeJson(key, value, issues) : value;
            if (own[k] === undefined && value !== undefined) failed.add(k);
        } else if (key.includes(":")) {
            providers[key] = typeof value === "string" ? value : JSON.stringify(value);
        } else {
            issues.push({ path: key, message: `config keys must be namespaced (e.g. ${prefix}${key})` });
        }
    }
    for (const k of SECRET_KEYS) {
        if (own[k] !== undefined && !secretKeys.has(prefix + k)) {
            issues.push({ path: prefix + k, message: `must be a secret: set it with \`pulumi config set --secret ${prefix}${k} …\`` });
        }
    }

    // A `secure:` value on a key that is not a secret: the value is an opaque ciphertext here (a placeholder in the
    // offline plan), so any schema error about it would be noise; say what is wrong instead.
    const wronglySecret = new Set(Object.keys(own).filter((k) => secretKeys.has(prefix + k) && !(SECRET_KEYS as readonly string[]).includes(k)));
    for (const k of wronglySecret) {
        issues.push({ path: prefix + k, message: `is set as a secret (secure:), but it is not a secret key (only ${SECRET_KEYS.map((s) => prefix + s).join(", ")} are): set it as plain config` });
        failed.add(k);
    }

    const envBytes = configEnvBytes(raw);
    if (envBytes > CONFIG_ENV_LIMIT_BYTES) {
        const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
        const models = raw[`${prefix}models`];
        issues.push({
            path: `${prefix}models`,
            message: `the stack config is ${kib(envBytes)} as Pulumi hands it to the program and the policy pack (one environment variable, ` +
                `PULUMI_CONFIG), over Linux's ${kib(CONFIG_ENV_LIMIT_BYTES)} cap on one: \`pulumi preview\` would stop with "argument list too long" ` +
                `before the program starts (pulumi/pulumi#8680, #20402)` +
                (models === undefined ? "" : `; modelplane:models is ${kib(configEnvBytes({ [`${prefix}models`]: models }))} of it`) +
                `: move models to YAML files listed in ${prefix}modelFiles`,
        });
    }
    const origins = mergeModelFiles(own, failed, options.baseDir ?? process.cwd(), issues);

    // Every part is parsed on its own (each top-level key, each pool, team and model), so a type error in one part
    // leaves the others parsed and the cross-field checks run on them: one run reports every mistake (issue 17).
    const parts = parseParts(own, failed, issues);
    const cfg = resolve(parts, providers, options.stack ?? "stack", issues);
    if (issues.length > 0 || !cfg) throw new ConfigError(originPaths(sortInFileOrder(issues, raw, own), origins));
    if (origins.length > 0) cfg.modelPaths = cfg.models.map((_, i) => origins[i] ?? formatPath(["models", i]));
    return cfg;
}

type PoolInput = z.infer<typeof gpuPool>;
type TeamInput = z.infer<typeof team>;
type ModelInput = z.infer<typeof model>;
const LIST_KEYS = ["gpuPools", "teams", "models"] as const;
type ListKey = (typeof LIST_KEYS)[number];

/**
 * The stack as far as it parsed: a part whose schema failed is undefined (its errors are reported), list elements
 * keep their index (undefined where the element failed), and `raw` keeps every element as written, so references
 * to a pool or team whose own definition failed are not reported again as unknown.
 */
interface StackParts extends Partial<Omit<StackInput, ListKey>> {
    gpuPools: (PoolInput | undefined)[];
    teams: (TeamInput | undefined)[];
    models: (ModelInput | undefined)[];
    /**
     * Lists that are missing as a whole (not a list, not JSON, secure:), or that hold an element whose name is wrong:
     * references to unknown names in them are not reported (the wrong name may be the one meant).
     */
    unknownLists: Set<ListKey>;
    raw: Record<ListKey, unknown[]>;
    /** Models whose schema failed, salvaged so their other fields are still checked (salvage()). */
    partialModels: (Salvaged<ModelInput> | undefined)[];
    /** Fields of `cluster` its schema rejected, when the cluster was salvaged (else empty). */
    clusterBroken: Set<string>;
}

/** A part whose own schema failed, re-parsed without the fields it rejected; `broken` names those fields. */
interface Salvaged<T> { value: T; broken: Set<string> }

/**
 * Stand-ins for required fields whose value is wrong, so the rest of a part can still be checked. They never reach a
 * PlatformConfig (a salvaged part always comes with its error) and the checks that read a broken field are skipped.
 */
const PLACEHOLDERS: Readonly<Record<string, unknown>> = { name: "x", team: "x", uri: "hf://x", pool: "x", size: { paramsBillions: 1 }, maxNodes: 1, gpuQuota: 0 };

function salvage<T>(schema: z.ZodType, raw: unknown, error: z.ZodError): Salvaged<T> | undefined {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
    const broken = new Set<string>();
    for (const issue of error.issues) {
        if (issue.path.length > 0) broken.add(String(issue.path[0]));
        else if (issue.code === "unrecognized_keys") for (const k of issue.keys) broken.add(k);
        else return undefined;
    }
    const copy: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
    for (const f of broken) {
        if (Object.hasOwn(PLACEHOLDERS, f)) copy[f] = PLACEHOLDERS[f];
        else delete copy[f];
    }
    const r = schema.safeParse(copy);
    return r.success ? { value: r.data as T, broken } : undefined;
}

function parseParts(own: Record<string, unknown>, failed: Set<string>, issues: ConfigIssue[]): StackParts {
    const shape = stack.shape as Record<string, z.ZodType>;
    const report = (error: z.ZodError, base: PropertyKey[]) => {
        for (const issue of error.issues) {
            const path = [...base, ...issue.path];
            if (issue.code === "unrecognized_keys") {
                for (const k of issue.keys) issues.push({ path: formatPath([...path, k]), message: `unknown key${suggest(k, path, own)}` });
            } else {
                const value = valueAt(own, path);
                issues.push({ path: formatPath(path), message: value === undefined ? "is required" : `${quoteValue(value)} ${describeIssue(issue)}` });
            }
        }
    };
    for (const k of Object.keys(own)) {
        if (!Object.hasOwn(shape, k)) issues.push({ path: formatPath([k]), message: `unknown key${suggest(k, [], own)}` });
    }
    const out: StackParts = {
        gpuPools: [], teams: [], models: [], unknownLists: new Set(), raw: { gpuPools: [], teams: [], models: [] }, partialModels: [], clusterBroken: new Set(),
    };
    const parsed = out as unknown as Record<string, unknown>;
    for (const [k, schema] of Object.entries(shape)) {
        if (failed.has(k)) {
            if ((LIST_KEYS as readonly string[]).includes(k)) out.unknownLists.add(k as ListKey);
            continue;
        }
        const value = own[k];
        if ((LIST_KEYS as readonly string[]).includes(k) && Array.isArray(value)) {
            const key = k as ListKey;
            const element = (unwrap(schema) as z.ZodArray<z.ZodType>).element;
            out.raw[key] = value;
            parsed[k] = value.map((v, i) => {
                const r = element.safeParse(v);
                if (r.success) return r.data;
                report(r.error, [k, i]);
                if (r.error.issues.some((x) => x.path[0] === "name" || x.path.length === 0)) out.unknownLists.add(key);
                if (key === "models") out.partialModels[i] = salvage<ModelInput>(element, v, r.error);
                return undefined;
            });
            continue;
        }
        const r = schema.safeParse(value);
        if (r.success) parsed[k] = r.data;
        else {
            report(r.error, [k]);
            if (k === "cluster") {
                const partial = salvage<ClusterConfig>(unwrap(schema), value, r.error);
                if (partial) {
                    out.cluster = partial.value;
                    out.clusterBroken = partial.broken;
                }
            }
            if ((LIST_KEYS as readonly string[]).includes(k)) {
                out.unknownLists.add(k as ListKey);
                parsed[k] = [];
            }
        }
    }
    return out;
}

/**
 * Errors in the order their values appear in the stack file (the order of `raw`'s keys, which is the file's, and of
 * the values under them); an error about a missing key sorts with its parent, errors outside the file last.
 */
function sortInFileOrder(issues: ConfigIssue[], raw: Record<string, unknown>, own: Record<string, unknown>): ConfigIssue[] {
    const order = new Map<string, number>();
    const walk = (path: string, v: unknown) => {
        if (!order.has(path)) order.set(path, order.size);
        if (Array.isArray(v)) v.forEach((e, i) => walk(`${path}[${i}]`, e));
        else if (v && typeof v === "object") for (const [k, e] of Object.entries(v)) walk(`${path}.${k}`, e);
    };
    const prefix = `${PROJECT}:`;
    for (const key of Object.keys(raw)) walk(key, key.startsWith(prefix) ? own[key.slice(prefix.length)] : raw[key]);
    const rank = (path: string): number => {
        for (let p = path; p; p = p.replace(/(\.[^.[\]]*|\[\d+\])$/, "")) {
            const r = order.get(p);
            if (r !== undefined) return r;
            if (!/(\.[^.[\]]*|\[\d+\])$/.test(p)) break;
        }
        return Number.MAX_SAFE_INTEGER;
    };
    return issues.map((issue, i) => ({ issue, i, r: rank(issue.path) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.issue);
}

function decodeJson(key: string, value: string, issues: ConfigIssue[]): unknown {
    try {
        return JSON.parse(value);
    } catch {
        // Pulumi hands booleans to the program as strings too ("true"); anything else there was written wrong.
        issues.push({ path: key, message: key === `${PROJECT}:protect` ? `${quoteValue(value)} must be true or false` : `${quoteValue(value)} must be a YAML object or list, not a plain string` });
        return undefined;
    }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = root;
    for (const seg of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[seg];
    }
    return cur;
}

/** zod's default messages in the words the rest of the config errors use; messages the schema sets are kept. */
function describeIssue(issue: z.core.$ZodIssue): string {
    if (issue.code === "invalid_value" && "values" in issue) {
        return `must be one of ${issue.values.map((v) => String(v)).join(", ")}`;
    }
    if (issue.code === "invalid_type" && /^Invalid input: expected /.test(issue.message)) {
        const what: Record<string, string> = { object: "a map (key: value)", array: "a list", string: "a string", number: "a number", boolean: "true or false" };
        return `must be ${what[issue.expected] ?? issue.expected}`;
    }
    if ((issue.code === "too_small" || issue.code === "too_big") && /^Too (small|big): /.test(issue.message)) {
        const small = issue.code === "too_small";
        const n = Number(small ? issue.minimum : issue.maximum);
        const op = small ? (issue.inclusive ? "≥" : ">") : (issue.inclusive ? "≤" : "<");
        if (issue.origin === "string") return small && n === 1 ? "must not be empty" : `must be ${small ? "at least" : "at most"} ${n} characters`;
        if (issue.origin === "array") return small && n === 1 ? "must not be empty" : `must have ${small ? "at least" : "at most"} ${n} items`;
        return `must be ${op} ${n}`;
    }
    if (issue.code === "invalid_format" && issue.message === "Invalid email address") return "must be an email address";
    return issue.message.replace(/^Invalid input: /, "");
}

/** The offending value as the error quotes it: JSON, cut short (a whole model object is not repeated). */
export function quoteValue(v: unknown): string {
    const json = JSON.stringify(v) ?? String(v);
    return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** "did you mean" for a misspelt key, from the keys the schema knows at that path. */
function suggest(key: string, path: readonly PropertyKey[], _own: Record<string, unknown>): string {
    const known = knownKeys(path);
    const near = known.filter((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
    return near.length ? `; did you mean "${near[0]}"?` : known.length ? `; known keys: ${known.join(", ")}` : "";
}

function knownKeys(path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = stack;
    for (const seg of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
        else if (schema instanceof z.ZodObject && typeof seg === "string") schema = schema.shape[seg] as z.ZodType;
        else return [];
        if (!schema) return [];
    }
    schema = unwrap(schema);
    if (schema instanceof z.ZodArray) schema = unwrap(schema.element as z.ZodType);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
    let cur: z.ZodType = s;
    for (let i = 0; i < 5; i++) {
        if (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType;
        else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
        else break;
    }
    return cur;
}

function editDistance(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return d[a.length][b.length];
}

// ---------------------------------------------------------------------------------------------------
// Cross-field checks and derived values

function resolve(s: StackParts, providers: Record<string, string>, stackName: string, issues: ConfigIssue[]): PlatformConfig | undefined {
    const at = (...path: PropertyKey[]) => formatPath(path);
    const add = (path: string, message: string) => issues.push({ path, message });
    const nameOf = (v: unknown): string | undefined => {
        const n = v && typeof v === "object" ? (v as { name?: unknown }).name : undefined;
        return typeof n === "string" ? n : undefined;
    };
    const rawNames = (k: ListKey) => s.raw[k].map(nameOf);

    if (s.cloud) checkCloud(s.cloud, s.cluster, s.kubeconfig, providers, add, s.clusterBroken);
    // Names as written, of parsed and unparsed elements alike: a duplicate is a duplicate whatever else is wrong.
    checkUnique(rawNames("gpuPools"), "gpuPools", "pool", add);
    checkUnique(rawNames("teams"), "teams", "team", add);
    checkUnique(rawNames("models"), "models", "model", add);

    // A pool whose own definition is wrong (a schema error, an unknown or other-cloud instance type, an unknown
    // accelerator, or any pool while modelplane:cloud is wrong) resolves to no GPUs; checking its models against that
    // would only add follow-on errors ("pool has no GPUs"), so its models skip the pool-dependent checks: the pool's
    // own error is the one to fix.
    const broken = new Set<string>();
    const pools: GpuPoolConfig[] = [];
    /** Each resolved pool's index in modelplane:gpuPools (pools whose schema failed are not resolved). */
    const poolIndex: number[] = [];
    s.gpuPools.forEach((p, i) => {
        const name = rawNames("gpuPools")[i];
        if (!p) {
            if (name !== undefined) broken.add(name);
            return;
        }
        if (!s.cloud) {
            if (p.minNodes > p.maxNodes) add(at("gpuPools", i, "minNodes"), `(${p.minNodes}) must not exceed maxNodes (${p.maxNodes})`);
            broken.add(p.name);
            return;
        }
        const before = issues.length;
        const resolved = resolvePool(s.cloud, p, i, add);
        if (issues.slice(before).some((x) => /\.(instanceType|accelerator|gpusPerNode)$/.test(x.path))) broken.add(p.name);
        pools.push(resolved);
        poolIndex.push(i);
    });
    // A name two pools share is ambiguous: its models skip the pool checks (the duplicate is reported).
    const poolNameCounts = new Map<string, number>();
    for (const n of rawNames("gpuPools")) if (n !== undefined) poolNameCounts.set(n, (poolNameCounts.get(n) ?? 0) + 1);
    for (const [n, c] of poolNameCounts) if (c > 1) broken.add(n);
    const poolByName = new Map(pools.filter((p) => !broken.has(p.name)).map((p) => [p.name, p]));
    const teamNames = [...new Set(rawNames("teams").filter((n): n is string => n !== undefined))];
    const poolNames = [...new Set(rawNames("gpuPools").filter((n): n is string => n !== undefined))];
    const checkRefs = (team: unknown, poolName: unknown, i: number) => {
        if (typeof team === "string" && team !== "" && !s.unknownLists.has("teams") && !teamNames.includes(team)) {
            add(at("models", i, "team"), `unknown team "${team}"; teams are: ${teamNames.join(", ") || "(none)"}`);
        }
        if (typeof poolName === "string" && poolName !== "" && !s.unknownLists.has("gpuPools") && !poolNames.includes(poolName)) {
            add(at("models", i, "pool"), `unknown pool "${poolName}"; pools are: ${poolNames.join(", ") || "(none)"}`);
        }
    };

    const models: ModelConfig[] = [];
    const unpackable = new Set<string>();
    s.models.forEach((parsed, i) => {
        // A model whose schema failed is checked as far as its other fields allow (salvage()): a check that reads a
        // field its schema rejected is skipped, since that field's error is already reported.
        const partial = parsed ? { value: parsed, broken: new Set<string>() } : s.partialModels[i];
        if (!partial) {
            const r = s.raw.models[i] as { team?: unknown; pool?: unknown } | null;
            if (r && typeof r === "object") checkRefs(r.team, r.pool, i);
            return;
        }
        const m = partial.value;
        const ok = (...fields: string[]) => fields.every((f) => !partial.broken.has(f));
        const before = issues.length;
        checkRefs(ok("team") ? m.team : undefined, ok("pool") ? m.pool : undefined, i);
        const pool = ok("pool") ? poolByName.get(m.pool) : undefined;
        const workloadOk = ok("replicas", "scaling", "parallelism", "template", "workerTemplate");
        if (!workloadOk) {
            if (ok("loader", "uri", "lora")) checkLoader(s.cloud, m, pool, i, add);
            if (ok("vllm")) checkDerivedArgs(m.vllm.args, i, add);
            return;
        }
        const topo = checkWorkload(m, pool, ["models", i], add, () => issues.length);
        let prefillCfg: PrefillConfig | undefined;
        let prefillTopo: Topology | undefined;
        if (m.prefill && ok("prefill", "name")) {
            prefillCfg = { ...m.prefill, parallelism: m.prefill.parallelism ?? m.parallelism };
            prefillTopo = checkWorkload(prefillCfg, pool, ["models", i, "prefill"], add, () => issues.length);
            if (topo.multiNode || prefillTopo.multiNode) {
                // LWS names its StatefulSets <name>-kserve-mn-prefill; StatefulSet names over 52 characters
                // break the controller-revision-hash label (kubernetes/kubernetes#64023).
                if (m.name.length > 31) add(at("models", i, "name"), "must be at most 31 characters for a multi-node P/D model (<name>-kserve-mn-prefill must stay within 52)");
            }
            // KServe v0.20.0 resolves P/D + worker + pipeline to kserve-config-llm-{decode,prefill}-worker-pipeline-parallel
            // (config_merge.go), which neither KServe (issue #5047) nor modelplane ships: the service would stop
            // at ConfigNotFound. Only the main (non-P/D) pipeline-parallel preset exists (components/kserve/presets.ts).
            const pdPipeline = "multi-node pipeline parallelism cannot be combined with prefill (P/D): KServe looks up the " +
                "presets kserve-config-llm-prefill-worker-pipeline-parallel / kserve-config-llm-decode-worker-pipeline-parallel, " +
                "which KServe does not ship (kserve#5047) and modelplane does not provide";
            if (topo.multiNode && (m.parallelism.pipeline ?? 0) > 1) {
                add(at("models", i, "parallelism", "pipeline"), `${pdPipeline}; drop prefill, or use tensor or data parallelism for the decode workload`);
            }
            if (prefillTopo.multiNode && (prefillCfg.parallelism.pipeline ?? 0) > 1) {
                const where = m.prefill.parallelism ? at("models", i, "prefill", "parallelism", "pipeline") : at("models", i, "prefill");
                const inherited = m.prefill.parallelism ? "" : " (prefill inherits parallelism from the model when prefill.parallelism is not set)";
                add(where, `${pdPipeline}${inherited}; give prefill tensor or data parallelism`);
            }
        }
        if (ok("loader", "uri", "lora")) checkLoader(s.cloud, m, pool, i, add);
        if (ok("vllm")) checkDerivedArgs(m.vllm.args, i, add);
        if (pool && ok("resources")) checkPodFitsNode(m, topo, pool, i, add);
        if (ok("routing") && m.routing.priority !== undefined) {
            // An InferenceObjective's priority is read only by the endpoint picker's flow control, which is off
            // unless its config lists the `flowControl` feature gate, and only for requests that name the objective
            // in the `x-llm-d-inference-objective` header (llm-d-router v0.9.0, the EPP KServe v0.20.0 deploys;
            // KServe's scheduler preset and router-route preset set neither). Declared, it would do nothing.
            add(at("models", i, "routing", "priority"),
                `(${m.routing.priority}) has no effect on KServe v0.20.0 with llm-d-router v0.9.0: the endpoint picker's flow control ` +
                "is off and no request carries the x-llm-d-inference-objective header; remove it");
        }
        if (ok("lora") && m.lora) checkUnique(m.lora.adapters.map((a) => a.name), `models[${i}].lora.adapters`, "adapter", add);
        // A model whose pods are wrong in themselves (larger than a node, an inconsistent parallelism) would only make its
        // pool's packing fail too: that pool is not packed until the model's own error is fixed.
        const shape = new RegExp(`^${PROJECT}:models\\[${i}\\]\\.(parallelism|resources|prefill|replicas|scaling|template|workerTemplate)`);
        if (issues.slice(before).some((x) => shape.test(x.path))) unpackable.add(m.pool);
        if (parsed) models.push({ ...m, prefill: prefillCfg, topology: topo, prefillTopology: prefillTopo });
    });

    // Pods packed whole onto each pool's nodes (a pool whose definition is wrong has no node shape to pack onto).
    pools.forEach((p, k) => {
        if (poolByName.has(p.name) && !unpackable.has(p.name)) checkPoolPacking(p, poolIndex[k], models.filter((m) => m.pool === p.name), add);
    });

    if (s.platform) {
        checkAutoscaling(s, add);
        checkMonitoringNamespace(s.platform, add);
        issues.push(...validateVersionOverrides(s.platform.versions, { aiGateway: s.platform.gateway.aiGateway }));
        if (s.platform.gateway.tls?.issuer === "letsencrypt" && !s.platform.gateway.tls.email) {
            add(at("platform", "gateway", "tls", "email"), "is required with issuer letsencrypt (ACME account contact)");
        }
    }

    // Only a config without a single error becomes a PlatformConfig: then every part parsed.
    if (issues.length > 0 || !s.cloud || !s.cluster || !s.platform || s.protect === undefined) return undefined;
    const teams = s.teams.filter((t): t is TeamInput => t !== undefined);
    return {
        cloud: s.cloud,
        protect: s.protect,
        cluster: s.cluster,
        teams,
        platform: s.platform,
        project: PROJECT,
        stack: stackName,
        gpuPools: pools,
        models,
        secrets: { huggingFaceToken: s.huggingFaceToken, kubeconfig: s.kubeconfig },
        providers,
    };
}

type Add = (path: string, message: string) => void;

/**
 * `scaling` needs the model-autoscaling stack: KServe v0.20.0 creates a VariantAutoscaling (WVA's CRD) and a KEDA
 * ScaledObject for it and, when either CRD is missing, fails with ScalingCRDNotFound before it reconciles the router
 * (pkg/controller/v1alpha2/llmisvc/workload.go `reconcileScaling`), so the model would get no route at all. Reported
 * once, at the first model that uses scaling (its other users fail for the same reason, fixed in the same place).
 */
function checkAutoscaling(s: StackParts, add: Add): void {
    const platform = s.platform!;
    const models = s.models.map((m, i) => m ?? s.partialModels[i]?.value);
    const stack = autoscalingStack(platform, models.filter((m): m is ModelInput => m !== undefined));
    if (platform.autoscaling.enabled === true && !stack.installed) {
        // Asked for explicitly, the stack cannot come: the missing piece is the error, not each model.
        add(`${PROJECT}:platform.autoscaling.enabled`, `(true) cannot be met: ${stack.why}`);
        return;
    }
    if (stack.installed) return;
    const i = models.findIndex((m) => m !== undefined && usesScaling(m));
    if (i < 0) return;
    const m = models[i]!;
    const where = m.scaling !== undefined ? formatPath(["models", i, "scaling"]) : formatPath(["models", i, "prefill", "scaling"]);
    add(where, `needs the model-autoscaling stack (Prometheus, KEDA, WVA), which this stack does not install (${stack.why}): ` +
        "KServe v0.20.0 would stop at ScalingCRDNotFound before it creates the model's route; use replicas instead of scaling, or set that key to true");
}

/**
 * The model pods' NetworkPolicies admit scrapes from `monitoringNamespace` only (components/observability/
 * networkPolicies.ts). When this stack installs Prometheus it runs in PROMETHEUS_NAMESPACE, a fixed name (KServe's
 * and WVA's settings point there), so any other value would block every scrape, and with it the dashboards and the
 * autoscaler's metrics. Another namespace is for a cluster's own Prometheus (monitoring.enabled false or charts off).
 */
function checkMonitoringNamespace(platform: PlatformSettings, add: Add): void {
    if (!monitoringInstalled({ platform }) || platform.monitoringNamespace === PROMETHEUS_NAMESPACE) return;
    add(`${PROJECT}:platform.monitoringNamespace`, `${quoteValue(platform.monitoringNamespace)} is not where this stack's Prometheus runs ` +
        `("${PROMETHEUS_NAMESPACE}", platform.monitoring.enabled): the model pods' NetworkPolicies would admit scrapes from ` +
        `${quoteValue(platform.monitoringNamespace)} only, so nothing would be scraped; remove the key, or set ` +
        `${PROJECT}:platform.monitoring.enabled to false to use your cluster's own Prometheus in that namespace`);
}

function checkUnique(names: (string | undefined)[], key: string, what: string, add: Add): void {
    const seen = new Map<string, number>();
    names.forEach((n, i) => {
        if (n === undefined) return;
        const first = seen.get(n);
        if (first !== undefined) add(`${PROJECT}:${key}[${i}].name`, `duplicate ${what} name "${n}" (also ${key}[${first}])`);
        else seen.set(n, i);
    });
}

function checkCloud(cloud: Cloud, c: ClusterConfig | undefined, kubeconfig: string | undefined, providers: Record<string, string>, add: Add, broken: ReadonlySet<string> = new Set()): void {
    if (cloud === "aws" && !providers["aws:region"]) add("aws:region", "is required when modelplane:cloud is aws");
    if (cloud === "gcp" && !providers["gcp:project"]) add("gcp:project", "is required when modelplane:cloud is gcp");
    if (cloud !== "existing" && kubeconfig !== undefined) add(`${PROJECT}:kubeconfig`, `applies to cloud existing only (${cloud === "aws" ? "EKS" : "GKE"} kubeconfigs are generated)`);
    // Without a parsed cluster only the keys above are checked: the cluster's own errors are reported.
    if (!c) return;
    const n = c.network ?? {};
    const awsOnly = { "network.vpcCidr": n.vpcCidr, "network.availabilityZones": n.availabilityZones, "network.vpcId": n.vpcId, "network.privateSubnetIds": n.privateSubnetIds, adminPrincipalArns: c.adminPrincipalArns.length ? c.adminPrincipalArns : undefined };
    const gcpOnly = { location: c.location, releaseChannel: c.releaseChannel, "network.subnetCidr": n.subnetCidr, "network.podsCidr": n.podsCidr, "network.servicesCidr": n.servicesCidr };
    const cloudOnly = { systemPool: c.systemPool, network: c.network, endpointPublicAccessCidrs: c.endpointPublicAccessCidrs.length ? c.endpointPublicAccessCidrs : undefined };
    const forbid = (fields: Record<string, unknown>, why: string) => {
        for (const [f, v] of Object.entries(fields)) if (v !== undefined) add(`${PROJECT}:cluster.${f}`, why);
    };
    switch (cloud) {
        case "aws":
            forbid(gcpOnly, "applies to cloud gcp only; modelplane:cloud is aws");
            if (!c.systemPool && !broken.has("systemPool")) add(`${PROJECT}:cluster.systemPool`, "is required for cloud aws (the nodes that run the platform controllers)");
            if (n.vpcId && !n.privateSubnetIds?.length) add(`${PROJECT}:cluster.network.privateSubnetIds`, "is required with network.vpcId");
            if (n.privateSubnetIds && !n.vpcId) add(`${PROJECT}:cluster.network.vpcId`, "is required with network.privateSubnetIds");
            if (n.vpcId && n.vpcCidr) add(`${PROJECT}:cluster.network.vpcCidr`, "cannot be combined with network.vpcId (an existing VPC keeps its CIDR)");
            if (c.context !== undefined) add(`${PROJECT}:cluster.context`, "applies to cloud existing only");
            // Cluster Autoscaler's minor must be the cluster's (components/cluster/autoscaler.ts).
            if (!clusterAutoscalerImageTag(c.kubernetesVersion)) {
                add(`${PROJECT}:cluster.kubernetesVersion`, `(${c.kubernetesVersion}) has no pinned Cluster Autoscaler release (pinned for ${Object.keys(CLUSTER_AUTOSCALER_IMAGES).join(", ")}); ` +
                    "use one of those or add its image to CLUSTER_AUTOSCALER_IMAGES");
            }
            break;
        case "gcp":
            if (!c.location && !broken.has("location")) add(`${PROJECT}:cluster.location`, "is required for cloud gcp (a region such as us-central1, or a zone)");
            forbid(awsOnly, "applies to cloud aws only; modelplane:cloud is gcp");
            if (!c.systemPool && !broken.has("systemPool")) add(`${PROJECT}:cluster.systemPool`, "is required for cloud gcp (the nodes that run the platform controllers)");
            if (c.context !== undefined) add(`${PROJECT}:cluster.context`, "applies to cloud existing only");
            break;
        case "existing": {
            // network is reported once as a whole, not again for each of its fields.
            const nested = Object.fromEntries(Object.entries({ ...awsOnly, ...gcpOnly }).filter(([f]) => !f.startsWith("network.")));
            forbid({ ...nested, ...cloudOnly }, "applies to cloud aws or gcp only; modelplane:cloud is existing (the cluster is not managed here)");
            break;
        }
    }
}

function resolvePool(cloud: Cloud, p: z.infer<typeof gpuPool>, i: number, add: Add): GpuPoolConfig {
    const at = (f: string) => `${PROJECT}:gpuPools[${i}].${f}`;
    let instance: InstanceType | undefined;
    let accelerator = "cpu";
    let gpusPerNode = 0;
    let acceleratorMemoryGiB = 0;
    if (p.minNodes > p.maxNodes) add(at("minNodes"), `(${p.minNodes}) must not exceed maxNodes (${p.maxNodes})`);

    if (cloud === "existing") {
        if (p.instanceType) add(at("instanceType"), "applies to cloud aws or gcp only; for an existing cluster give accelerator and gpusPerNode");
        if (p.capacity !== "onDemand") add(at("capacity"), "applies to cloud aws or gcp only (an existing cluster's capacity is not managed here)");
        if (p.reservation) add(at("reservation"), "applies to cloud aws or gcp only");
        const acc = p.accelerator ? findAccelerator(p.accelerator) : undefined;
        if (!p.accelerator) add(at("accelerator"), `is required for cloud existing; one of: ${acceleratorKeys().join(", ")}`);
        else if (!acc) add(at("accelerator"), `unknown accelerator "${p.accelerator}"; known: ${acceleratorKeys().join(", ")}`);
        else {
            accelerator = acc.key;
            acceleratorMemoryGiB = acc.memoryGiB;
        }
        if (accelerator === "cpu") {
            if (p.gpusPerNode) add(at("gpusPerNode"), "must be 0 (or absent) for a CPU-only pool");
        } else if (p.gpusPerNode === undefined || p.gpusPerNode < 1) {
            add(at("gpusPerNode"), "is required (≥ 1) for a GPU pool on an existing cluster");
        } else gpusPerNode = p.gpusPerNode;
        if (p.localNvme && p.localNvme !== "none" && !p.nodeSelector) {
            // Nothing can be provisioned on nodes we do not create; the operator must say which nodes have the disks.
            add(at("nodeSelector"), `is required with localNvme ${p.localNvme} on an existing cluster (the labels of the nodes that have the NVMe disks)`);
        } else if (p.localNvme && p.localNvme !== "none" && p.nodeSelector?.[LOCALMODEL_NODE_LABEL.key] !== LOCALMODEL_NODE_LABEL.value) {
            // KServe's local-model agent selects this label in its chart's base manifest (lib/labels.ts); on nodes we
            // do not create, the operator labels them (`kubectl label node <n> kserve/localmodel=worker`).
            add(at("nodeSelector"), `must include ${LOCALMODEL_NODE_LABEL.key}: ${LOCALMODEL_NODE_LABEL.value} with localNvme ${p.localNvme}: ` +
                "KServe's local-model agent only runs on nodes with that label; label the NVMe nodes and add it here");
        }
    } else {
        if (p.accelerator) add(at("accelerator"), "is derived from instanceType on cloud aws/gcp; remove it");
        if (p.gpusPerNode !== undefined) add(at("gpusPerNode"), "is derived from instanceType on cloud aws/gcp; remove it");
        if (p.nodeSelector) add(at("nodeSelector"), "applies to cloud existing only (modelplane labels the nodes it creates)");
        if (!p.instanceType) add(at("instanceType"), `is required for cloud ${cloud}`);
        else {
            instance = findInstanceType(p.instanceType, cloud);
            if (!instance) {
                const other = findInstanceType(p.instanceType);
                add(at("instanceType"), other
                    ? `"${p.instanceType}" is a ${other.cloud} instance type but modelplane:cloud is ${cloud}`
                    : `unknown instance type "${p.instanceType}" for ${cloud}; known: ${instanceTypeNames(cloud).join(", ")}`);
            } else {
                accelerator = instance.accelerator;
                gpusPerNode = instance.gpus;
                acceleratorMemoryGiB = findAccelerator(instance.accelerator)?.memoryGiB ?? 0;
                if (p.localNvme && p.localNvme !== "none" && !instance.localNvme) {
                    add(at("localNvme"), `${p.instanceType} has no local NVMe; use none (or an instance type with instance storage)`);
                }
            }
        }
        if ((p.capacity === "reservation" || p.capacity === "capacityBlock") && !p.reservation) {
            add(at("reservation"), `is required with capacity ${p.capacity}`);
        }
        if (p.capacity !== "reservation" && p.capacity !== "capacityBlock" && p.reservation) {
            add(at("reservation"), `applies to capacity reservation or capacityBlock only (capacity is ${p.capacity})`);
        }
        if (p.capacity === "capacityBlock") {
            if (cloud !== "aws") add(at("capacity"), "capacityBlock is an AWS (EC2 Capacity Blocks for ML) capacity type; on gcp use reservation");
            // A capacity block lives in one AZ; a node group spanning others would never launch there.
            if (p.zones?.length !== 1) add(at("zones"), "capacityBlock needs exactly one zone (the block's availability zone)");
        }
    }
    const localNvme: LocalNvmeMode = p.localNvme ?? (instance?.localNvme ? "raid0" : "none");
    const nodeSelector = p.nodeSelector ?? { "modelplane.io/pool": p.name };
    return { ...p, instance, accelerator, acceleratorMemoryGiB, gpusPerNode, localNvme, nodeSelector };
}

interface WorkloadLike {
    replicas?: number;
    scaling?: { minReplicas: number; maxReplicas: number };
    parallelism: ParallelismConfig;
}

function checkWorkload(w: WorkloadLike, pool: GpuPoolConfig | undefined, path: PropertyKey[], add: Add, countIssues: () => number): Topology {
    const at = (...p: PropertyKey[]) => formatPath([...path, ...p]);
    for (const i of podSpecPatchIssues(w)) add(at(...i.path), i.message); // template/workerTemplate: schema + what they would remove
    if (w.replicas !== undefined && w.scaling) add(at("scaling"), "cannot be combined with replicas (KServe rejects both); use one");
    if (w.scaling && w.scaling.minReplicas > w.scaling.maxReplicas) {
        add(at("scaling", "minReplicas"), `(${w.scaling.minReplicas}) must not exceed maxReplicas (${w.scaling.maxReplicas})`);
    }
    if (w.scaling && w.scaling.minReplicas === 0) {
        // KServe v0.20.0 admits scaling.minReplicas ≥ 1 and KEDA idleReplicaCount ≥ 1 only
        // (pkg/apis/serving/v1alpha2/llm_inference_service_types.go `+kubebuilder:validation:Minimum=1`;
        // 0 is allowed only after v0.20.0, kserve#5996): the API server would reject the service.
        add(at("scaling", "minReplicas"), "(0) scale-to-zero is not available in the pinned KServe v0.20.0 (minReplicas and KEDA idleReplicaCount have minimum 1); use minReplicas: 1 or more");
    }
    const p = w.parallelism;
    const before = countIssues();
    if (p.pipeline && (p.data || p.dataLocal)) add(at("parallelism"), "pipeline cannot be combined with data/dataLocal (KServe supports one multi-node strategy per workload)");
    if (p.dataLocal && !p.data) add(at("parallelism", "dataLocal"), "requires data");
    if (p.data && p.dataLocal && p.data % p.dataLocal !== 0) {
        add(at("parallelism", "dataLocal"), `must divide data (${p.data}); data ÷ dataLocal is the number of pods per replica`);
    }
    // A parallelism that is wrong in itself has no meaningful pod size: checking it against the pool would only add
    // follow-on errors about a shape the fix will change.
    const consistent = countIssues() === before;
    const gpuNode = pool ? pool.gpusPerNode > 0 : true;
    // Single-node data parallelism keeps all ranks in one pod: KServe needs dataLocal alongside data.
    const normalised = p.data && !p.dataLocal ? { ...p, dataLocal: p.data } : p;
    const topo = topology(normalised, gpuNode);
    if (pool && consistent) {
        if (pool.gpusPerNode === 0) {
            if (p.tensor > 1 || (p.pipeline ?? 1) > 1 || (p.data ?? 1) > 1) {
                add(at("parallelism"), `pool "${pool.name}" has no GPUs; CPU serving runs one rank per pod (tensor 1, no pipeline/data)`);
            }
        } else if (topo.gpusPerPod > pool.gpusPerNode) {
            const ranks = normalised.pipeline && normalised.pipeline > 1 ? 1 : (normalised.dataLocal ?? 1);
            add(at("parallelism"),
                `a pod needs tensor (${p.tensor}) × ranks per pod (${ranks}) = ${topo.gpusPerPod} GPUs but pool "${pool.name}" ` +
                `nodes${pool.instance ? ` (${pool.instance.name})` : ""} have ${pool.gpusPerNode}; lower tensor or use pipeline/data parallelism across nodes`);
        } else if (topo.multiNode && topo.gpusPerPod !== pool.gpusPerNode) {
            add(at("parallelism"),
                `a multi-node replica should fill each node: ${topo.gpusPerPod} GPUs per pod on ${pool.gpusPerNode}-GPU nodes of pool "${pool.name}" strands ${pool.gpusPerNode - topo.gpusPerPod}`);
        }
    }
    return topo;
}

/**
 * vLLM flags modelplane derives from `parallelism` (the presets pass --tensor-parallel-size, the multi-node launch
 * scripts the pipeline and data-parallel sizes, ranks and addresses): set twice they contradict each other, and
 * which one vLLM takes depends on the order the preset happens to use.
 */
export const DERIVED_VLLM_FLAGS: Readonly<Record<string, string>> = {
    "--tensor-parallel-size": "parallelism.tensor", "-tp": "parallelism.tensor",
    "--pipeline-parallel-size": "parallelism.pipeline", "-pp": "parallelism.pipeline",
    "--data-parallel-size": "parallelism.data", "-dp": "parallelism.data",
    "--data-parallel-size-local": "parallelism.dataLocal", "-dpl": "parallelism.dataLocal",
    "--data-parallel-rpc-port": "parallelism.dataRPCPort",
    "--enable-expert-parallel": "parallelism.expert", "-ep": "parallelism.expert",
    "--nnodes": "parallelism.pipeline", "--node-rank": "parallelism.pipeline",
    "--served-model-name": "servedName", "--port": "(the preset's port)",
};

function checkDerivedArgs(args: readonly string[], i: number, add: Add): void {
    args.forEach((a, j) => {
        const flag = a.split("=")[0];
        const from = DERIVED_VLLM_FLAGS[flag] ?? DERIVED_VLLM_FLAGS[flag.replace(/_/g, "-")];
        if (from) add(formatPath(["models", i, "vllm", "args", j]), `${JSON.stringify(a)}: ${flag} is set by modelplane from ${from}; set that instead of the flag`);
    });
}

/**
 * Pods are placed whole on one node: a pod whose GPUs do not divide the node's leaves GPUs no pod of that model can
 * use (tensor 3 on 8-GPU nodes: two pods, two GPUs stranded per node; vLLM also needs the attention heads divisible
 * by tensor, which 3 rarely divides), and CPU or memory overrides above the node's size never schedule.
 */
function checkPodFitsNode(m: z.infer<typeof model>, topo: Topology, pool: GpuPoolConfig, i: number, add: Add): void {
    const at = (...p: PropertyKey[]) => formatPath(["models", i, ...p]);
    if (pool.gpusPerNode > 0 && topo.gpusPerPod > 0 && topo.gpusPerPod <= pool.gpusPerNode && pool.gpusPerNode % topo.gpusPerPod !== 0) {
        const left = pool.gpusPerNode % topo.gpusPerPod;
        add(at("parallelism", "tensor"),
            `(${m.parallelism.tensor}) gives pods of ${topo.gpusPerPod} GPUs, which do not divide pool "${pool.name}"'s ${pool.gpusPerNode}-GPU nodes: ` +
            `${left} GPU${left === 1 ? "" : "s"} per node would be stranded; use a divisor of ${pool.gpusPerNode} (1, 2, 4, 8…)`);
    }
    if (!pool.instance || !m.resources) return;
    // Compared with the node's allocatable, not its size: the scheduler places a pod by allocatable, which the kubelet
    // reserve and the GPU node daemons have already taken from (components/models/sizing.ts), so a pod asking for
    // all of a node's vCPU or memory never schedules on it.
    const alloc = allocatable(pool.instance);
    const reserved = `${pool.instance.name} node has ${fmtAmount(alloc.cpu)} vCPU allocatable of ${pool.instance.vcpu}`;
    const cpu = m.resources.cpu === undefined ? undefined : parseQuantity(m.resources.cpu);
    const memGiB = m.resources.memory === undefined ? undefined : (parseQuantity(m.resources.memory) ?? 0) / 2 ** 30;
    if (cpu !== undefined && cpu > alloc.cpu) {
        add(at("resources", "cpu"), `(${m.resources.cpu}) is more than a ${reserved} (the rest is reserved for the kubelet and node daemons): the pod would never schedule`);
    }
    if (memGiB !== undefined && memGiB > alloc.memoryGiB) {
        add(at("resources", "memory"), `(${m.resources.memory}) is more than a ${pool.instance.name} node has allocatable (${fmtAmount(alloc.memoryGiB)} GiB of ${pool.instance.memoryGiB}; the rest is reserved for the kubelet and node daemons): the pod would never schedule`);
    }
}

/** 172.8 → "172.8", 172 → "172": allocatable amounts as a user would write them. */
function fmtAmount(n: number): string {
    return String(Math.round(n * 10) / 10);
}

/**
 * The pool's pods, at their worst-case replica counts, packed whole onto `maxNodes` nodes (lib/packing.ts): reported
 * when the GPUs add up (the gpu-pool-capacity policy reports a sum that does not) but the pods do not fit, with the
 * packing. A node offers its allocatable (components/models/sizing.ts: the reserve covers the kubelet and the
 * daemons every GPU node runs); an existing pool has no known instance type, so only its GPUs are packed.
 */
function checkPoolPacking(pool: GpuPoolConfig, i: number, models: readonly ModelConfig[], add: Add): void {
    const node: PackNode = pool.instance
        ? { gpus: pool.gpusPerNode, ...allocatable(pool.instance) }
        : { gpus: pool.gpusPerNode, cpu: Infinity, memoryGiB: Infinity };
    const pods: PackPod[] = [];
    for (const m of models) {
        const workloads = [{ what: m.name, w: m, topo: m.topology },
            ...(m.prefill && m.prefillTopology ? [{ what: `${m.name} prefill`, w: m.prefill, topo: m.prefillTopology }] : [])];
        for (const { what, w, topo } of workloads) {
            // The pod's real requests; on an existing pool the node's Infinity makes only the GPUs count.
            const size = podSize(pool, topo.gpusPerPod, m);
            const cpu = parseQuantity(size.cpu) ?? 0;
            const memoryGiB = (parseQuantity(size.memory) ?? 0) / 2 ** 30;
            for (let r = 0; r < worstCaseReplicas(w); r++) {
                for (let k = 0; k < topo.podsPerReplica; k++) {
                    pods.push({ owner: topo.podsPerReplica > 1 ? `${what} ${k === 0 ? "leader" : "worker"}` : what, gpus: topo.gpusPerPod, cpu, memoryGiB });
                }
            }
        }
    }
    const gpus = pods.reduce((n, p) => n + p.gpus, 0);
    if (pods.length === 0 || gpus > pool.maxNodes * pool.gpusPerNode) return;
    const packed = packPods(pods, node, pool.maxNodes);
    if (packed.unplaced.length === 0) return;
    const left = new Map<string, number>();
    for (const p of packed.unplaced) left.set(p.owner, (left.get(p.owner) ?? 0) + 1);
    const nodeText = pool.instance
        ? `${pool.instance.name}: ${node.gpus} GPUs, ${Math.floor(node.cpu)} vCPU, ${Math.floor(node.memoryGiB)} GiB allocatable each`
        : `${node.gpus} GPUs each`;
    const p0 = packed.unplaced[0];
    add(`${PROJECT}:gpuPools[${i}].maxNodes`,
        `(${pool.maxNodes}) holds the ${gpus} GPUs of pool "${pool.name}" in sum, but not its pods, which are placed whole on nodes ` +
        `(${nodeText}): ${packed.unplaced.length} pod${packed.unplaced.length === 1 ? "" : "s"} left over ` +
        `(${[...left].map(([o, c]) => `${c} × ${o}`).join(", ")}; e.g. ${p0.gpus} GPUs, ${Math.ceil(p0.cpu)} vCPU, ${Math.ceil(p0.memoryGiB)} GiB). ` +
        `Packing, largest pods first: ${packed.nodes.map((n, k) => `node ${k + 1}: ${describeNode(n)}`).join("; ")}. ` +
        "Raise maxNodes, lower the models' resources or replicas, or move models to another pool");
}

function checkLoader(cloud: Cloud | undefined, m: z.infer<typeof model>, pool: GpuPoolConfig | undefined, i: number, add: Add): void {
    const at = (f: string) => `${PROJECT}:models[${i}].${f}`;
    const scheme = m.uri.split("://")[0];
    switch (m.loader) {
        case "runaiStreamer":
            if (scheme !== "s3" && scheme !== "gs") add(at("uri"), `loader runaiStreamer streams from object storage: the URI must be s3:// or gs:// (got ${scheme}://)`);
            if (cloud === "aws" && scheme === "gs") add(at("uri"), "gs:// on cloud aws: the pod identity is an AWS role; use s3://");
            if (cloud === "gcp" && scheme === "s3") add(at("uri"), "s3:// on cloud gcp: the pod identity is a GCP service account; use gs://");
            break;
        case "localCache":
            // KServe's node agent keeps the cache under one host path per cluster, which modelplane puts on the
            // RAID0 array; on localVolumes pools every disk belongs to the static provisioner.
            if (pool && pool.localNvme !== "raid0") {
                add(at("loader"), `localCache keeps weights on the node's RAID0 NVMe array but pool "${pool.name}" has localNvme ${pool.localNvme}; use a raid0 pool`);
            }
            if (scheme === "pvc" || scheme === "gs") add(at("uri"), `loader localCache downloads with the storage initializer, which does not take ${scheme}://`);
            // KServe v0.20.0's node agent builds the download Job's pod with a node selector and no tolerations
            // (pkg/controller/v1alpha1/localmodelnode/controller.go launchJob; kserve/kserve#5348, fix not released),
            // so on a tainted GPU node it stays Pending, the cache never fills, and the model (rewritten by KServe's
            // webhook to read the cache PVC) finds no weights. Found by the controllers e2e (test/e2e/README.md).
            if (pool && cloud === "gcp" && pool.gpusPerNode > 0) {
                add(at("loader"), `localCache cannot fill on GKE GPU pools: GKE taints GPU nodes nvidia.com/gpu:NoSchedule itself, and KServe v0.20.0's ` +
                    `download Job has no tolerations (kserve/kserve#5348), so it never schedules on pool "${pool.name}"; use loader storageInitializer or runaiStreamer`);
            } else if (pool && pool.taint && pool.gpusPerNode > 0) {
                add(at("loader"), `localCache needs an untainted pool: KServe v0.20.0's download Job has no tolerations (kserve/kserve#5348), so on pool ` +
                    `"${pool.name}" (taint: true) it never schedules and the cache never fills; set taint: false on that pool (CPU pods may then run on ` +
                    `its nodes) or use loader storageInitializer or runaiStreamer`);
            }
            break;
        case "storageInitializer":
            // KServe's storage initializer handles hf, s3, pvc and oci only (research/kserve.md §1.2).
            if (scheme === "gs") add(at("uri"), "gs:// is not supported by KServe's storage initializer for LLMInferenceService; use loader runaiStreamer");
            break;
    }
    if (m.lora && scheme === "oci") add(at("lora"), "LoRA adapters need a served base model directory; oci:// modelcars are read-only images — use hf:// or s3://");
}

/** Reads stack config from the Pulumi runtime (the program path), validating it like the plan does. */
export function loadFromPulumi(): PlatformConfig {
    // Lazy require: keeps this module importable (tests, plan) without a Pulumi engine.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
    // isConfigSecret is exported at runtime but marked @internal in the typings.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };
    const all = pulumi.runtime.allConfig();
    const secret = Object.keys(all).filter((k) => isConfigSecret(k));
    try {
        return parseStackConfig(all, { secretKeys: secret, stack: pulumi.getStack() });
    } catch (e) {
        // RunError: the CLI prints the message (every error with its path) without a stack trace.
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
