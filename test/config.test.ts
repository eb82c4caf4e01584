import assert from "node:assert/strict";
import { ConfigError, ConfigIssue, parseStackConfig } from "../components/config";
import { rawStack, stackConfig, SHIPPED_STACKS } from "./harness";

type Raw = Record<string, any>;

/** Parses a shipped stack after `mutate`, expecting a ConfigError; returns its issues. */
function issuesOf(stack: string, mutate: (raw: Raw) => void, secretKeys?: string[]): ConfigIssue[] {
    const { values, secretKeys: shippedSecrets } = rawStack(stack);
    mutate(values);
    try {
        parseStackConfig(values, { secretKeys: secretKeys ?? shippedSecrets, stack });
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
        return e.issues;
    }
    assert.fail("config was accepted");
}

const model = (raw: Raw, name: string): Raw => {
    const m = (raw["modelplane:models"] as Raw[]).find((x) => x.name === name);
    assert.ok(m, `no model ${name}`);
    return m;
};
const pool = (raw: Raw, name: string): Raw => (raw["modelplane:gpuPools"] as Raw[]).find((x) => x.name === name)!;

/**
 * One invalid input: the error expected at `path` (its message must match), and `also` the paths of the other errors
 * the same input really has; any error beyond those is follow-on noise and fails the case.
 */
interface Case { name: string; stack: string; mutate: (raw: Raw) => void; path: string; message: RegExp; secretKeys?: string[]; also?: string[] }

const cases: Case[] = [
    { name: "misspelt top-level key", stack: "prod", mutate: (r) => { r["modelplane:gpuPool"] = []; },
        path: "modelplane:gpuPool", message: /unknown key; did you mean "gpuPools"/ },
    { name: "unknown cloud", stack: "prod", mutate: (r) => { r["modelplane:cloud"] = "azure"; },
        path: "modelplane:cloud", message: /^"azure" must be one of aws, gcp, existing$/ },
    { name: "missing cloud", stack: "prod", mutate: (r) => { delete r["modelplane:cloud"]; },
        path: "modelplane:cloud", message: /is required/ },
    { name: "model on an unknown pool", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").pool = "h200"; },
        path: "modelplane:models[1].pool", message: /unknown pool "h200"; pools are: h100, l40s/ },
    { name: "model of an unknown team", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").team = "ads"; },
        path: "modelplane:models[0].team", message: /unknown team "ads"; teams are: search, assistant, research/ },
    { name: "duplicate model names", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").name = "llama-3-3-70b"; },
        path: "modelplane:models[1].name", message: /duplicate model name "llama-3-3-70b" \(also models\[0\]\)/ },
    { name: "duplicate pool names", stack: "prod", mutate: (r) => { pool(r, "l40s").name = "h100"; },
        path: "modelplane:gpuPools[1].name", message: /duplicate pool name "h100"/, also: ["modelplane:models[1].pool"] }, // no pool l40s any more
    { name: "duplicate team names", stack: "prod", mutate: (r) => { r["modelplane:teams"][2].name = "search"; },
        path: "modelplane:teams[2].name", message: /duplicate team name "search"/, also: ["modelplane:models[3].team"] }, // no team research any more
    { name: "model name not a DNS label", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").name = "DeepSeek_R1"; },
        path: "modelplane:models[3].name", message: /RFC 1035/ },
    { name: "model name too long for KServe's child Service names", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").name = "m".repeat(43); },
        path: "modelplane:models[3].name", message: /at most 42 characters/ },
    { name: "team named like a system namespace", stack: "prod", mutate: (r) => { r["modelplane:teams"][0].name = "kube-system"; },
        path: "modelplane:teams[0].name", message: /reserved namespace/ },
    { name: "instance type not in the catalog", stack: "prod", mutate: (r) => { pool(r, "h100").instanceType = "p9.96xlarge"; },
        path: "modelplane:gpuPools[0].instanceType", message: /unknown instance type "p9.96xlarge" for aws; known: .*p5\.48xlarge/ },
    { name: "instance type of the other cloud", stack: "dev", mutate: (r) => { pool(r, "l4").instanceType = "p5.48xlarge"; },
        path: "modelplane:gpuPools[0].instanceType", message: /is a aws instance type but modelplane:cloud is gcp/ },
    { name: "tensor parallelism larger than a node", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").parallelism = { tensor: 8 }; },
        path: "modelplane:models[1].parallelism", message: /8 GPUs but pool "l40s" nodes \(g6e\.12xlarge\) have 4/ },
    { name: "pipeline combined with data parallelism", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").parallelism = { tensor: 8, pipeline: 2, data: 2 }; },
        path: "modelplane:models[3].parallelism", message: /pipeline cannot be combined with data/ },
    { name: "dataLocal without data", stack: "dev", mutate: (r) => { model(r, "llama-3-1-8b-dp").parallelism = { tensor: 1, dataLocal: 1 }; },
        path: "modelplane:models[1].parallelism.dataLocal", message: /requires data/ },
    { name: "dataLocal that does not divide data", stack: "dev", mutate: (r) => { model(r, "llama-3-1-8b-dp").parallelism = { tensor: 1, data: 3, dataLocal: 2 }; },
        path: "modelplane:models[1].parallelism.dataLocal", message: /must divide data \(3\)/ },
    { name: "replicas and scaling together", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").replicas = 2; },
        path: "modelplane:models[1].scaling", message: /cannot be combined with replicas/ },
    { name: "minReplicas above maxReplicas", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").scaling = { minReplicas: 4, maxReplicas: 3 }; },
        path: "modelplane:models[1].scaling.minReplicas", message: /\(4\) must not exceed maxReplicas \(3\)/ },
    // Accepted but wrong before: flags modelplane derives, stranded GPUs, pods larger than their node.
    { name: "--tensor-parallel-size in vllm.args", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").vllm.args.push("--tensor-parallel-size=8"); },
        path: "modelplane:models[0].vllm.args[2]", message: /"--tensor-parallel-size=8": --tensor-parallel-size is set by modelplane from parallelism\.tensor/ },
    { name: "-pp in vllm.args", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").vllm.args = ["-pp", "2"]; },
        path: "modelplane:models[3].vllm.args[0]", message: /-pp is set by modelplane from parallelism\.pipeline/ },
    { name: "--data-parallel-size in vllm.args", stack: "dev", mutate: (r) => { model(r, "llama-3-1-8b-dp").vllm = { args: ["--data_parallel_size=4"] }; },
        path: "modelplane:models[1].vllm.args[0]", message: /from parallelism\.data/ },
    { name: "tensor 3 on 8-GPU nodes", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").parallelism = { tensor: 3 }; },
        path: "modelplane:models[0].parallelism.tensor", message: /\(3\) gives pods of 3 GPUs, which do not divide pool "h100"'s 8-GPU nodes: 2 GPUs per node would be stranded/ },
    { name: "cpu above the node", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").resources = { cpu: "64" }; },
        path: "modelplane:models[1].resources.cpu", message: /\(64\) is more than a g6e\.12xlarge node has 43\.2 vCPU allocatable of 48/ },
    { name: "memory above the node", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").resources = { memory: "2Ti" }; },
        path: "modelplane:models[1].resources.memory", message: /\(2Ti\) is more than a g6e\.12xlarge node has/ },
    // A `secure:` value on a key that is not a secret says so (not a schema error about the ciphertext).
    { name: "secure: on a plain key", stack: "dev", mutate: () => undefined, secretKeys: ["modelplane:huggingFaceToken", "modelplane:cloud"],
        path: "modelplane:cloud", message: /^is set as a secret \(secure:\), but it is not a secret key \(only modelplane:huggingFaceToken, modelplane:kubeconfig are\)/ },
    { name: "secure: on a structured key", stack: "dev", mutate: (r) => { r["modelplane:teams"] = "plan-placeholder"; }, secretKeys: ["modelplane:huggingFaceToken", "modelplane:teams"],
        path: "modelplane:teams", message: /^is set as a secret \(secure:\)/ },
    // Serving finding 9: an InferenceObjective priority nothing in the pinned set acts on.
    { name: "routing.priority without flow control", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").routing.priority = 10; },
        path: "modelplane:models[0].routing.priority", message: /\(10\) has no effect on KServe v0\.20\.0 .*flow control is off.*x-llm-d-inference-objective/ },
    // Serving finding 1: KServe v0.20.0's CRD has minimum 1 for minReplicas and KEDA idleReplicaCount.
    { name: "scale-to-zero on the pinned KServe", stack: "dev", mutate: (r) => { model(r, "qwen2-5-7b").scaling = { minReplicas: 0, maxReplicas: 2 }; },
        path: "modelplane:models[0].scaling.minReplicas", message: /scale-to-zero is not available in the pinned KServe v0\.20\.0/ },
    { name: "scale-to-zero of prefill pods", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").prefill = { scaling: { minReplicas: 0, maxReplicas: 2 }, parallelism: { tensor: 1 } }; },
        path: "modelplane:models[2].prefill.scaling.minReplicas", message: /scale-to-zero is not available/ },
    { name: "fractional replicas", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").replicas = 1.5; },
        path: "modelplane:models[0].replicas", message: /whole number/ },
    { name: "pool minNodes above maxNodes", stack: "prod", mutate: (r) => { pool(r, "l40s").minNodes = 9; },
        path: "modelplane:gpuPools[1].minNodes", message: /\(9\) must not exceed maxNodes \(6\)/ },
    { name: "reservation capacity without a reservation", stack: "prod", mutate: (r) => { delete pool(r, "h100").reservation; },
        path: "modelplane:gpuPools[0].reservation", message: /is required with capacity reservation/ },
    { name: "capacityBlock on gcp", stack: "dev", mutate: (r) => { Object.assign(pool(r, "l4x4"), { capacity: "capacityBlock", reservation: "r1" }); },
        path: "modelplane:gpuPools[1].capacity", message: /AWS .* capacity type/ },
    { name: "capacityBlock across zones", stack: "prod", mutate: (r) => { Object.assign(pool(r, "h100"), { capacity: "capacityBlock", zones: ["us-east-2a", "us-east-2b"] }); },
        path: "modelplane:gpuPools[0].zones", message: /exactly one zone/ },
    { name: "aws without a region", stack: "prod", mutate: (r) => { delete r["aws:region"]; },
        path: "aws:region", message: /is required when modelplane:cloud is aws/ },
    { name: "gcp without a location", stack: "dev", mutate: (r) => { delete r["modelplane:cluster"].location; },
        path: "modelplane:cluster.location", message: /is required for cloud gcp/ },
    { name: "gcp-only field on aws", stack: "prod", mutate: (r) => { r["modelplane:cluster"].releaseChannel = "STABLE"; },
        path: "modelplane:cluster.releaseChannel", message: /applies to cloud gcp only/ },
    { name: "aws-only field on gcp", stack: "dev", mutate: (r) => { r["modelplane:cluster"].network.vpcCidr = "10.0.0.0/16"; },
        path: "modelplane:cluster.network.vpcCidr", message: /applies to cloud aws only/ },
    { name: "systemPool on an existing cluster", stack: "local", mutate: (r) => { r["modelplane:cluster"].systemPool = { instanceType: "m7i.large" }; },
        path: "modelplane:cluster.systemPool", message: /modelplane:cloud is existing/ },
    { name: "token given in plain text", stack: "prod", secretKeys: [], mutate: () => undefined,
        path: "modelplane:huggingFaceToken", message: /must be a secret: set it with `pulumi config set --secret/ },
    { name: "malformed CIDR", stack: "prod", mutate: (r) => { r["modelplane:cluster"].endpointPublicAccessCidrs = ["203.0.113.0/33"]; },
        path: "modelplane:cluster.endpointPublicAccessCidrs[0]", message: /IPv4 CIDR/ },
    { name: "RAID0 on an instance without NVMe", stack: "dev", mutate: (r) => { pool(r, "l4").localNvme = "raid0"; },
        path: "modelplane:gpuPools[0].localNvme", message: /g2-standard-4 has no local NVMe/ },
    { name: "streamer from a Hugging Face URI", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").uri = "hf://Qwen/Qwen3-32B"; },
        path: "modelplane:models[1].uri", message: /runaiStreamer streams from object storage/ },
    { name: "gs:// through the storage initializer", stack: "dev", mutate: (r) => { model(r, "qwen2-5-7b").loader = "storageInitializer"; },
        path: "modelplane:models[0].uri", message: /gs:\/\/ is not supported by KServe's storage initializer/ },
    { name: "local cache on a pool without a RAID0 array", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").pool = "l40s"; },
        path: "modelplane:models[2].loader", message: /pool "l40s" has localNvme localVolumes; use a raid0 pool/,
        also: ["modelplane:models[2].loader"] }, // l40s is also tainted: a second, independent reason
    { name: "local cache on a tainted pool (KServe's download Job has no tolerations)", stack: "prod", mutate: (r) => { delete pool(r, "h100").taint; },
        path: "modelplane:models[2].loader", message: /needs an untainted pool: .*kserve\/kserve#5348.*pool "h100" \(taint: true\).*set taint: false/ },
    { name: "local cache on GKE, which taints GPU nodes itself", stack: "dev", mutate: (r) => { model(r, "qwen2-5-7b").loader = "localCache"; },
        path: "modelplane:models[0].loader", message: /cannot fill on GKE GPU pools: GKE taints GPU nodes/,
        also: ["modelplane:models[0].loader", "modelplane:models[0].uri"] }, // l4 has no NVMe; its gs:// URI is not downloadable either
    { name: "GPUs that add up but pods that do not pack (memory)", stack: "prod",
        mutate: (r) => { Object.assign(model(r, "qwen3-32b"), { parallelism: { tensor: 2 }, scaling: { minReplicas: 1, maxReplicas: 8 }, resources: { memory: "200Gi" } }); },
        // g6e.12xlarge: 4 GPUs, 384 GiB (345 allocatable): one 200Gi pod per node, so 8 pods need 8 nodes; 16 GPUs fit 6 × 4.
        path: "modelplane:gpuPools[1].maxNodes", message: /^\(6\) holds the 16 GPUs of pool "l40s" in sum, but not its pods.*: 2 pods left over \(2 × qwen3-32b; e\.g\. 2 GPUs, \d+ vCPU, 200 GiB\).*node 1: qwen3-32b;/ },
    { name: "negative quota", stack: "prod", mutate: (r) => { r["modelplane:teams"][0].gpuQuota = -1; },
        path: "modelplane:teams[0].gpuQuota", message: /≥ 0/ },
    { name: "misspelt nested key", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").parallelism = { tensr: 4 }; },
        path: "modelplane:models[0].parallelism.tensr", message: /did you mean "tensor"/ },
    { name: "unknown dtype", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").size.dtype = "bf16"; },
        path: "modelplane:models[0].size.dtype", message: /^"bf16" must be one of float32, bfloat16/ },
    { name: "missing model size", stack: "prod", mutate: (r) => { delete model(r, "llama-3-3-70b").size; },
        path: "modelplane:models[0].size", message: /is required/ },
    { name: "existing pool without an accelerator", stack: "local", mutate: (r) => { delete pool(r, "cpu").accelerator; },
        path: "modelplane:gpuPools[0].accelerator", message: /is required for cloud existing/ },
    { name: "object key given as a non-JSON string", stack: "prod", mutate: (r) => { r["modelplane:models"] = "llama"; },
        path: "modelplane:models", message: /^"llama" must be a YAML object or list, not a plain string$/ },
    { name: "letsencrypt without a contact email", stack: "prod", mutate: (r) => { delete r["modelplane:platform"].gateway.tls.email; },
        path: "modelplane:platform.gateway.tls.email", message: /is required with issuer letsencrypt/ },
    { name: "model URI with an unsupported scheme", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").uri = "https://example.com/model"; },
        path: "modelplane:models[0].uri", message: /scheme hf:\/\/, s3:\/\// },
    { name: "un-namespaced key", stack: "prod", mutate: (r) => { r.region = "us-east-2"; },
        path: "region", message: /must be namespaced/ },
    { name: "CPU pool asked for tensor parallelism", stack: "local", mutate: (r) => { model(r, "opt-125m").parallelism = { tensor: 2 }; },
        path: "modelplane:models[0].parallelism", message: /has no GPUs/ },

    // Issue 17: more mistakes a new user makes, each with its exact path and the value quoted, and nothing else.
    // Cluster.
    { name: "cluster name with capitals and an underscore", stack: "prod", mutate: (r) => { r["modelplane:cluster"].name = "LLM_Prod"; },
        path: "modelplane:cluster.name", message: /^"LLM_Prod" must be a lowercase RFC 1123 label/ },
    { name: "cluster name too long", stack: "prod", mutate: (r) => { r["modelplane:cluster"].name = "a".repeat(41); },
        path: "modelplane:cluster.name", message: /^"a{41}" must be at most 40 characters$/ },
    { name: "Kubernetes version written as a number", stack: "prod", mutate: (r) => { r["modelplane:cluster"].kubernetesVersion = 1.33; },
        path: "modelplane:cluster.kubernetesVersion", message: /^1\.33 must be a string$/ },
    { name: "Kubernetes version with a v", stack: "prod", mutate: (r) => { r["modelplane:cluster"].kubernetesVersion = "v1.33"; },
        path: "modelplane:cluster.kubernetesVersion", message: /^"v1\.33" must be a minor version such as "1\.33"$/ },
    { name: "one availability zone", stack: "prod", mutate: (r) => { r["modelplane:cluster"].network.availabilityZones = 1; },
        path: "modelplane:cluster.network.availabilityZones", message: /^1 EKS needs subnets in at least 2 AZs$/ },
    { name: "malformed VPC id", stack: "prod", mutate: (r) => { r["modelplane:cluster"].network = { vpcId: "vpc_123", privateSubnetIds: ["subnet-0a"] }; },
        path: "modelplane:cluster.network.vpcId", message: /^"vpc_123" must be a VPC id/ },
    { name: "existing VPC without subnets", stack: "prod", mutate: (r) => { r["modelplane:cluster"].network = { vpcId: "vpc-0a1b" }; },
        path: "modelplane:cluster.network.privateSubnetIds", message: /^is required with network\.vpcId$/ },
    { name: "subnets without their VPC", stack: "prod", mutate: (r) => { r["modelplane:cluster"].network = { privateSubnetIds: ["subnet-0a"] }; },
        path: "modelplane:cluster.network.vpcId", message: /^is required with network\.privateSubnetIds$/ },
    { name: "existing VPC with a CIDR", stack: "prod", mutate: (r) => { r["modelplane:cluster"].network = { vpcId: "vpc-0a1b", privateSubnetIds: ["subnet-0a"], vpcCidr: "10.0.0.0/16" }; },
        path: "modelplane:cluster.network.vpcCidr", message: /^cannot be combined with network\.vpcId/ },
    { name: "admin principal that is not an IAM ARN", stack: "prod", mutate: (r) => { r["modelplane:cluster"].adminPrincipalArns = ["arn:aws:iam::123:role/admin"]; },
        path: "modelplane:cluster.adminPrincipalArns[0]", message: /^"arn:aws:iam::123:role\/admin" must be an IAM role or user ARN$/ },
    { name: "GKE location that is not a region", stack: "dev", mutate: (r) => { r["modelplane:cluster"].location = "us-central"; },
        path: "modelplane:cluster.location", message: /^"us-central" must be a GCP region or zone/ },
    { name: "unknown GKE release channel", stack: "dev", mutate: (r) => { r["modelplane:cluster"].releaseChannel = "FAST"; },
        path: "modelplane:cluster.releaseChannel", message: /^"FAST" must be one of RAPID, REGULAR, STABLE$/ },
    { name: "gcp without a project", stack: "dev", mutate: (r) => { delete r["gcp:project"]; },
        path: "gcp:project", message: /^is required when modelplane:cloud is gcp$/ },
    { name: "kubeconfig on aws", stack: "prod", secretKeys: ["modelplane:huggingFaceToken", "modelplane:kubeconfig"], mutate: (r) => { r["modelplane:kubeconfig"] = "apiVersion: v1"; },
        path: "modelplane:kubeconfig", message: /^applies to cloud existing only \(EKS kubeconfigs are generated\)$/ },
    { name: "kubeconfig context on aws", stack: "prod", mutate: (r) => { r["modelplane:cluster"].context = "prod"; },
        path: "modelplane:cluster.context", message: /^applies to cloud existing only$/ },
    { name: "aws without a system pool", stack: "prod", mutate: (r) => { delete r["modelplane:cluster"].systemPool; },
        path: "modelplane:cluster.systemPool", message: /^is required for cloud aws/ },
    { name: "gcp without a system pool", stack: "dev", mutate: (r) => { delete r["modelplane:cluster"].systemPool; },
        path: "modelplane:cluster.systemPool", message: /^is required for cloud gcp/ },
    { name: "system pool of zero nodes", stack: "prod", mutate: (r) => { r["modelplane:cluster"].systemPool.maxNodes = 0; },
        path: "modelplane:cluster.systemPool.maxNodes", message: /^0 must be ≥ 1$/ },
    { name: "misspelt system pool key", stack: "prod", mutate: (r) => { r["modelplane:cluster"].systemPool.instancetype = "m7i.large"; },
        path: "modelplane:cluster.systemPool.instancetype", message: /^unknown key; did you mean "instanceType"\?$/ },
    { name: "IAM admins on gcp", stack: "dev", mutate: (r) => { r["modelplane:cluster"].adminPrincipalArns = ["arn:aws:iam::123456789012:role/admin"]; },
        path: "modelplane:cluster.adminPrincipalArns", message: /^applies to cloud aws only; modelplane:cloud is gcp$/ },
    { name: "a network on an existing cluster (reported once, not per field)", stack: "local", mutate: (r) => { r["modelplane:cluster"].network = { vpcCidr: "10.0.0.0/16", subnetCidr: "10.1.0.0/20" }; },
        path: "modelplane:cluster.network", message: /^applies to cloud aws or gcp only; modelplane:cloud is existing/ },
    { name: "public endpoint CIDRs on an existing cluster", stack: "local", mutate: (r) => { r["modelplane:cluster"].endpointPublicAccessCidrs = ["203.0.113.0/24"]; },
        path: "modelplane:cluster.endpointPublicAccessCidrs", message: /^applies to cloud aws or gcp only/ },
    { name: "CIDR that is not one at all (one error, not two)", stack: "prod", mutate: (r) => { r["modelplane:cluster"].endpointPublicAccessCidrs = ["office"]; },
        path: "modelplane:cluster.endpointPublicAccessCidrs[0]", message: /^"office" must be an IPv4 CIDR such as 10\.60\.0\.0\/16$/ },
    { name: "CIDR octet above 255", stack: "prod", mutate: (r) => { r["modelplane:cluster"].endpointPublicAccessCidrs = ["203.0.313.0/24"]; },
        path: "modelplane:cluster.endpointPublicAccessCidrs[0]", message: /^"203\.0\.313\.0\/24" octets must be 0-255$/ },
    // GPU pools.
    { name: "pool name with capitals", stack: "prod", mutate: (r) => { pool(r, "h100").name = "H100"; },
        path: "modelplane:gpuPools[0].name", message: /^"H100" must be a lowercase RFC 1123 label/ },
    { name: "capacity in the wrong case", stack: "prod", mutate: (r) => { pool(r, "l40s").capacity = "ondemand"; },
        path: "modelplane:gpuPools[1].capacity", message: /^"ondemand" must be one of onDemand, spot, reservation, capacityBlock$/ },
    { name: "unknown NVMe mode", stack: "prod", mutate: (r) => { pool(r, "h100").localNvme = "raid1"; },
        path: "modelplane:gpuPools[0].localNvme", message: /^"raid1" must be one of raid0, localVolumes, none$/ },
    { name: "reservation on an on-demand pool", stack: "prod", mutate: (r) => { pool(r, "l40s").reservation = "cr-0123"; },
        path: "modelplane:gpuPools[1].reservation", message: /^applies to capacity reservation or capacityBlock only \(capacity is onDemand\)$/ },
    { name: "accelerator on a cloud pool", stack: "prod", mutate: (r) => { pool(r, "h100").accelerator = "H100"; },
        path: "modelplane:gpuPools[0].accelerator", message: /^is derived from instanceType on cloud aws\/gcp; remove it$/ },
    { name: "gpusPerNode on a cloud pool", stack: "prod", mutate: (r) => { pool(r, "h100").gpusPerNode = 8; },
        path: "modelplane:gpuPools[0].gpusPerNode", message: /^is derived from instanceType on cloud aws\/gcp; remove it$/ },
    { name: "nodeSelector on a cloud pool", stack: "prod", mutate: (r) => { pool(r, "l40s").nodeSelector = { gpu: "l40s" }; },
        path: "modelplane:gpuPools[1].nodeSelector", message: /^applies to cloud existing only/ },
    { name: "cloud pool without an instance type", stack: "prod", mutate: (r) => { delete pool(r, "l40s").instanceType; },
        path: "modelplane:gpuPools[1].instanceType", message: /^is required for cloud aws$/ },
    { name: "instance type on an existing cluster", stack: "local", mutate: (r) => { pool(r, "cpu").instanceType = "m7i.large"; },
        path: "modelplane:gpuPools[0].instanceType", message: /^applies to cloud aws or gcp only; for an existing cluster give accelerator and gpusPerNode$/ },
    { name: "spot capacity on an existing cluster", stack: "local", mutate: (r) => { pool(r, "cpu").capacity = "spot"; },
        path: "modelplane:gpuPools[0].capacity", message: /^applies to cloud aws or gcp only/ },
    { name: "unknown accelerator on an existing cluster", stack: "local", mutate: (r) => { pool(r, "cpu").accelerator = "B300X"; },
        path: "modelplane:gpuPools[0].accelerator", message: /^unknown accelerator "B300X"; known: .*H100/ },
    { name: "GPU pool on an existing cluster without gpusPerNode", stack: "local", mutate: (r) => { pool(r, "cpu").accelerator = "L4"; },
        path: "modelplane:gpuPools[0].gpusPerNode", message: /^is required \(≥ 1\) for a GPU pool on an existing cluster$/ },
    { name: "GPUs on a CPU pool", stack: "local", mutate: (r) => { pool(r, "cpu").gpusPerNode = 2; },
        path: "modelplane:gpuPools[0].gpusPerNode", message: /^must be 0 \(or absent\) for a CPU-only pool$/ },
    { name: "NVMe on an existing cluster without the local-model label", stack: "local", mutate: (r) => { pool(r, "cpu").localNvme = "raid0"; },
        path: "modelplane:gpuPools[0].nodeSelector", message: /^must include kserve\/localmodel: worker with localNvme raid0/ },
    { name: "pool disk of 0 GiB", stack: "prod", mutate: (r) => { pool(r, "h100").diskSizeGiB = 0; },
        path: "modelplane:gpuPools[0].diskSizeGiB", message: /^0 must be ≥ 1$/ },
    { name: "taint written as yes", stack: "prod", mutate: (r) => { pool(r, "h100").taint = "yes"; },
        path: "modelplane:gpuPools[0].taint", message: /^"yes" must be true or false$/ },
    { name: "pools given as a map", stack: "prod", mutate: (r) => { r["modelplane:gpuPools"] = { h100: { instanceType: "p5.48xlarge" } }; },
        path: "modelplane:gpuPools", message: /^\{"h100":\{"instanceType":"p5\.48xlarge"\}\} must be a list$/ },
    // Teams.
    { name: "fractional GPU quota", stack: "prod", mutate: (r) => { r["modelplane:teams"][0].gpuQuota = 2.5; },
        path: "modelplane:teams[0].gpuQuota", message: /^2\.5 must be a whole number$/ },
    { name: "team name with capitals (its models are not also called unknown)", stack: "prod", mutate: (r) => { r["modelplane:teams"][0].name = "Search"; },
        path: "modelplane:teams[0].name", message: /^"Search" must be a lowercase RFC 1123 label/ },
    { name: "team without a quota", stack: "prod", mutate: (r) => { delete r["modelplane:teams"][1].gpuQuota; },
        path: "modelplane:teams[1].gpuQuota", message: /^is required$/ },
    { name: "misspelt team key", stack: "prod", mutate: (r) => { r["modelplane:teams"][1].quota = 4; },
        path: "modelplane:teams[1].quota", message: /^unknown key; known keys: name, gpuQuota, cloudIdentity$/ },
    { name: "empty team cloud identity", stack: "prod", mutate: (r) => { r["modelplane:teams"][1].cloudIdentity = ""; },
        path: "modelplane:teams[1].cloudIdentity", message: /^"" must not be empty$/ },
    { name: "team written as a string", stack: "prod", mutate: (r) => { r["modelplane:teams"].push("ranking"); },
        path: "modelplane:teams[3]", message: /^"ranking" must be a map \(key: value\)$/ },
    // Models.
    { name: "empty served name", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").servedName = ""; },
        path: "modelplane:models[1].servedName", message: /^"" must not be empty$/ },
    { name: "empty pool name", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").pool = ""; },
        path: "modelplane:models[1].pool", message: /^"" must not be empty$/ },
    { name: "URI with one slash", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").uri = "hf:/meta-llama/Llama-3.3-70B-Instruct"; },
        path: "modelplane:models[0].uri", message: /^"hf:\/meta-llama\/Llama-3\.3-70B-Instruct" must be a model URI with scheme hf:\/\//},
    { name: "negative replicas", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").replicas = -1; },
        path: "modelplane:models[0].replicas", message: /^-1 must be ≥ 0$/ },
    { name: "scaling without maxReplicas", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").scaling = { minReplicas: 1 }; },
        path: "modelplane:models[1].scaling.maxReplicas", message: /^is required$/ },
    { name: "scaling.maxReplicas 0", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").scaling = { minReplicas: 1, maxReplicas: 0 }; },
        path: "modelplane:models[1].scaling.maxReplicas", message: /^0 must be ≥ 1$/ },
    { name: "tensor 0", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").parallelism = { tensor: 0 }; },
        path: "modelplane:models[0].parallelism.tensor", message: /^0 must be ≥ 1$/ },
    { name: "data-parallel RPC port below 1024", stack: "dev", mutate: (r) => { model(r, "llama-3-1-8b-dp").parallelism.dataRPCPort = 80; },
        path: "modelplane:models[1].parallelism.dataRPCPort", message: /^80 must be ≥ 1024$/ },
    { name: "loader named after the URI scheme", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").loader = "hf"; },
        path: "modelplane:models[0].loader", message: /^"hf" must be one of storageInitializer, runaiStreamer, localCache$/ },
    { name: "model size of 0", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").size.paramsBillions = 0; },
        path: "modelplane:models[0].size.paramsBillions", message: /^0 must be > 0$/ },
    { name: "model size as text", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").size.paramsBillions = "70B"; },
        path: "modelplane:models[0].size.paramsBillions", message: /^"70B" must be a number$/ },
    { name: "negative scorer weight", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").routing.scorers.prefixCache = -1; },
        path: "modelplane:models[0].routing.scorers.prefixCache", message: /^-1 must be ≥ 0$/ },
    { name: "priority out of range", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").routing.priority = 5000; },
        path: "modelplane:models[0].routing.priority", message: /^5000 must be ≤ 1000$/ },
    { name: "vLLM args as one string", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").vllm.args = "--max-model-len=32768"; },
        path: "modelplane:models[0].vllm.args", message: /^"--max-model-len=32768" must be a list$/ },
    { name: "vLLM env value as a number", stack: "local", mutate: (r) => { model(r, "opt-125m").vllm.env.VLLM_CPU_KVCACHE_SPACE = 1; },
        path: "modelplane:models[0].vllm.env.VLLM_CPU_KVCACHE_SPACE", message: /^1 must be a string$/ },
    { name: "empty vLLM image", stack: "local", mutate: (r) => { model(r, "opt-125m").vllm.image = ""; },
        path: "modelplane:models[0].vllm.image", message: /^"" must not be empty$/ },
    { name: "CPU request that is not a quantity", stack: "local", mutate: (r) => { model(r, "opt-125m").resources.cpu = "two"; },
        path: "modelplane:models[0].resources.cpu", message: /^"two" must be a Kubernetes quantity such as 8, 500m or 64Gi$/ },
    { name: "LoRA with no adapters", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").lora.adapters = []; },
        path: "modelplane:models[2].lora.adapters", message: /^\[\] needs at least one adapter$/ },
    { name: "LoRA adapter name with capitals", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").lora.adapters[0].name = "Support"; },
        path: "modelplane:models[2].lora.adapters[0].name", message: /^"Support" must be a lowercase RFC 1123 label$/ },
    { name: "duplicate LoRA adapter names", stack: "prod", mutate: (r) => { const a = model(r, "llama-3-1-8b-pd").lora.adapters; a.push({ ...a[0] }); },
        path: "modelplane:models[2].lora.adapters[1].name", message: /^duplicate adapter name "support-tone" \(also models\[2\]\.lora\.adapters\[0\]\)$/ },
    { name: "LoRA on an oci:// modelcar", stack: "prod", mutate: (r) => { Object.assign(model(r, "llama-3-1-8b-pd"), { uri: "oci://registry.example.com/llama:8b", loader: "storageInitializer" }); },
        path: "modelplane:models[2].lora", message: /^LoRA adapters need a served base model directory; oci:\/\/ modelcars are read-only images/ },
    { name: "gs:// streamed on aws", stack: "prod", mutate: (r) => { model(r, "qwen3-32b").uri = "gs://bucket/Qwen3-32B"; },
        path: "modelplane:models[1].uri", message: /^gs:\/\/ on cloud aws: the pod identity is an AWS role; use s3:\/\/$/ },
    { name: "s3:// streamed on gcp", stack: "dev", mutate: (r) => { model(r, "qwen2-5-7b").uri = "s3://bucket/Qwen2.5-7B"; },
        path: "modelplane:models[0].uri", message: /^s3:\/\/ on cloud gcp: the pod identity is a GCP service account; use gs:\/\/$/ },
    { name: "local cache from a PVC", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").uri = "pvc://weights/llama"; },
        path: "modelplane:models[2].uri", message: /^loader localCache downloads with the storage initializer, which does not take pvc:\/\/$/ },
    { name: "P/D on a multi-node pipeline model", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").prefill = { replicas: 1 }; },
        path: "modelplane:models[3].parallelism.pipeline", message: /^multi-node pipeline parallelism cannot be combined with prefill \(P\/D\).*kserve#5047.*drop prefill/,
        also: ["modelplane:models[3].prefill"] }, // prefill inherits the pipeline: its own error
    { name: "a multi-node replica that does not fill its nodes", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").parallelism = { tensor: 4, pipeline: 2 }; },
        path: "modelplane:models[3].parallelism", message: /^a multi-node replica should fill each node: 4 GPUs per pod on 8-GPU nodes of pool "h100" strands 4$/ },
    { name: "prefill pods larger than a node", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").prefill.parallelism = { tensor: 16 }; },
        path: "modelplane:models[2].prefill.parallelism", message: /^a pod needs tensor \(16\) × ranks per pod \(1\) = 16 GPUs but pool "h100" nodes \(p5\.48xlarge\) have 8/ },
    { name: "prefill minReplicas above maxReplicas", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").prefill = { scaling: { minReplicas: 3, maxReplicas: 2 } }; },
        path: "modelplane:models[2].prefill.scaling.minReplicas", message: /^\(3\) must not exceed maxReplicas \(2\)$/ },
    { name: "misspelt prefill key", stack: "prod", mutate: (r) => { model(r, "llama-3-1-8b-pd").prefill.replica = 2; },
        path: "modelplane:models[2].prefill.replica", message: /^unknown key; did you mean "replicas"\?$/ },
    { name: "misspelt model key", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").replica = 2; },
        path: "modelplane:models[0].replica", message: /^unknown key; did you mean "replicas"\?$/ },
    { name: "tensor 3 on 4-GPU nodes", stack: "dev", mutate: (r) => { model(r, "mistral-small-24b").parallelism = { tensor: 3 }; },
        path: "modelplane:models[2].parallelism.tensor", message: /^\(3\) gives pods of 3 GPUs, which do not divide pool "l4x4"'s 4-GPU nodes: 1 GPU per node would be stranded/ },
    { name: "--port in vllm.args", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").vllm.args = ["--port=9000"]; },
        path: "modelplane:models[0].vllm.args[0]", message: /^"--port=9000": --port is set by modelplane from \(the preset's port\)/ },
    { name: "--served-model-name in vllm.args", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").vllm.args = ["--max-model-len=32768", "--served-model-name", "llama"]; },
        path: "modelplane:models[0].vllm.args[1]", message: /^"--served-model-name": --served-model-name is set by modelplane from servedName/ },
    { name: "-ep in vllm.args", stack: "prod", mutate: (r) => { model(r, "deepseek-r1").vllm.args = ["-ep"]; },
        path: "modelplane:models[3].vllm.args[0]", message: /^"-ep": -ep is set by modelplane from parallelism\.expert/ },
    { name: "model written as a string", stack: "prod", mutate: (r) => { r["modelplane:models"].push("llama"); },
        path: "modelplane:models[4]", message: /^"llama" must be a map \(key: value\)$/ },
    // Platform and top level.
    { name: "TLS hostname that is not a DNS name", stack: "prod", mutate: (r) => { r["modelplane:platform"].gateway.tls.hostname = "llm prod"; },
        path: "modelplane:platform.gateway.tls.hostname", message: /^"llm prod" must be a DNS name$/ },
    { name: "unknown certificate issuer", stack: "prod", mutate: (r) => { r["modelplane:platform"].gateway.tls.issuer = "acme"; },
        path: "modelplane:platform.gateway.tls.issuer", message: /^"acme" must be one of selfSigned, letsencrypt$/ },
    { name: "ACME contact that is not an email", stack: "prod", mutate: (r) => { r["modelplane:platform"].gateway.tls.email = "platform team"; },
        path: "modelplane:platform.gateway.tls.email", message: /^"platform team" must be an email address$/ },
    { name: "monitoring namespace with capitals", stack: "prod", mutate: (r) => { r["modelplane:platform"].monitoringNamespace = "Monitoring"; },
        path: "modelplane:platform.monitoringNamespace", message: /^"Monitoring" must be a lowercase RFC 1123 label/ },
    { name: "monitoring namespace other than the installed Prometheus's", stack: "prod", mutate: (r) => { r["modelplane:platform"].monitoringNamespace = "observability"; },
        path: "modelplane:platform.monitoringNamespace", message: /^"observability" is not where this stack's Prometheus runs \("monitoring", platform\.monitoring\.enabled\).*set modelplane:platform\.monitoring\.enabled to false/ },
    { name: "charts written as no", stack: "prod", mutate: (r) => { r["modelplane:platform"].charts = "no"; },
        path: "modelplane:platform.charts", message: /^"no" must be true or false$/ },
    { name: "misspelt gateway key", stack: "prod", mutate: (r) => { r["modelplane:platform"].gateway.tlss = {}; },
        path: "modelplane:platform.gateway.tlss", message: /^unknown key; did you mean "tls"\?$/ },
    { name: "buffer limit that is not a quantity", stack: "prod", mutate: (r) => { r["modelplane:platform"].gateway.bufferLimit = "50 MB"; },
        path: "modelplane:platform.gateway.bufferLimit", message: /^"50 MB" must be a Kubernetes quantity/ },
    { name: "protect written as yes", stack: "prod", mutate: (r) => { r["modelplane:protect"] = "yes"; },
        path: "modelplane:protect", message: /^"yes" must be true or false$/ },
    { name: "misspelt models key", stack: "prod", mutate: (r) => { r["modelplane:model"] = []; },
        path: "modelplane:model", message: /^unknown key; did you mean "models"\?$/ },
    { name: "un-namespaced cloud key", stack: "prod", mutate: (r) => { r.cloud = "aws"; },
        path: "cloud", message: /^config keys must be namespaced \(e\.g\. modelplane:cloud\)$/ },
];

describe("stack config validation", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`accepts the shipped ${stack} stack`, () => {
            const cfg = stackConfig(stack);
            assert.equal(cfg.stack, stack);
            assert.ok(cfg.models.length > 0);
        });
    }

    it(`has at least 100 distinct invalid cases (${cases.length})`, () => {
        assert.ok(new Set(cases.map((c) => c.path + c.message.source)).size >= 100);
    });

    for (const c of cases) {
        it(`rejects: ${c.name} → ${c.path}`, () => {
            const issues = issuesOf(c.stack, c.mutate, c.secretKeys);
            const at = issues.filter((i) => i.path === c.path);
            assert.ok(at.length > 0, `no issue at ${c.path}; got:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
            // A path may carry more than one issue (e.g. a localCache model on a GKE pool without NVMe): one must match.
            const hit = at.find((i) => c.message.test(i.message)) ?? at[0];
            assert.match(hit.message, c.message);
            assert.deepEqual(issues.map((i) => i.path).sort(), [c.path, ...(c.also ?? [])].sort(), `errors beyond the expected ones:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
        });
    }

    it("a pool with a wrong instance type gives that one error, not follow-on errors on its models", () => {
        for (const [stack, name, type] of [["prod", "h100", "a3-highgpu-8g"], ["prod", "h100", "p9.96xlarge"], ["dev", "l4x4", "g6e.12xlarge"]] as const) {
            const issues = issuesOf(stack, (r) => { pool(r, name).instanceType = type; });
            assert.deepEqual(issues.map((i) => i.path), [`modelplane:gpuPools[${stack === "prod" ? 0 : 1}].instanceType`], issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
        }
    });

    it("a secure: value on a plain key gives that one error, not schema noise about the ciphertext", () => {
        for (const [key, value] of [["modelplane:cloud", "plan-placeholder"], ["modelplane:teams", "plan-placeholder"]] as const) {
            const issues = issuesOf("dev", (r) => { r[key] = value; }, ["modelplane:huggingFaceToken", key]);
            assert.deepEqual(issues.map((i) => i.path), [key], issues.map((i) => i.message).join("\n"));
        }
    });

    it("reports every error at once, each with its path: schema errors do not hide cross-field checks", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, "qwen3-32b").pool = "h200";
            r["modelplane:teams"][0].gpuQuota = -1;
            delete r["aws:region"];
        });
        // Sorted in file order; aws:region is missing from the file, so it comes last.
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:teams[0].gpuQuota", "modelplane:models[1].pool", "aws:region"]);
    });

    it("a model, pool or team with a schema error still has its references and name checked, without follow-on errors", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, "qwen3-32b").replicas = "two";          // schema error in the model…
            model(r, "qwen3-32b").team = "ads";               // …whose team is still checked
            pool(r, "h100").maxNodes = 0;                     // schema error in a pool: its models get no "unknown pool"
            r["modelplane:teams"][1].gpuQuota = "many";       // schema error in a team: its models get no "unknown team"
            r["modelplane:teams"].push({ name: "search", gpuQuota: "x" }); // a duplicate name is reported whatever else is wrong
        });
        assert.deepEqual(issues.map((i) => `${i.path}: ${i.message}`), [
            "modelplane:gpuPools[0].maxNodes: 0 must be ≥ 1",
            "modelplane:teams[1].gpuQuota: \"many\" must be a number",
            "modelplane:teams[3].name: duplicate team name \"search\" (also teams[0])",
            "modelplane:teams[3].gpuQuota: \"x\" must be a number",
            "modelplane:models[1].team: unknown team \"ads\"; teams are: search, assistant, research",
            "modelplane:models[1].replicas: \"two\" must be a number",
        ]);
    });

    it("a model or cluster with a schema error still has its other fields checked, and the broken field adds nothing", () => {
        const paths = (mutate: (r: Raw) => void, stack = "prod") => issuesOf(stack, mutate).map((i) => `${i.path}: ${i.message}`);
        // Two mistakes in one model: a type error and a flag modelplane derives.
        assert.deepEqual(paths((r) => { model(r, "llama-3-3-70b").replicas = "two"; model(r, "llama-3-3-70b").vllm.args = ["-tp", "8"]; }), [
            "modelplane:models[0].replicas: \"two\" must be a number",
            "modelplane:models[0].vllm.args[0]: \"-tp\": -tp is set by modelplane from parallelism.tensor; set that instead of the flag",
        ]);
        // A wrong dtype does not hide a priority nothing acts on, nor stranded GPUs on the model's pool.
        assert.deepEqual(paths((r) => { Object.assign(model(r, "llama-3-3-70b"), { size: { paramsBillions: 70, dtype: "bf16" }, parallelism: { tensor: 3 } }); model(r, "llama-3-3-70b").routing.priority = 10; }).map((p) => p.split(": ")[0]), [
            "modelplane:models[0].parallelism.tensor", "modelplane:models[0].size.dtype", "modelplane:models[0].routing.priority",
        ]);
        // A URI that is not one gets its own error, and no loader error about its scheme; its unknown pool is still reported.
        assert.deepEqual(paths((r) => { Object.assign(model(r, "qwen3-32b"), { uri: "Qwen/Qwen3-32B", pool: "a100" }); }).map((p) => p.split(": ")[0]), [
            "modelplane:models[1].uri", "modelplane:models[1].pool",
        ]);
        // A cluster with a bad name still has its cloud fields checked; a bad systemPool is not also "required".
        assert.deepEqual(paths((r) => { r["modelplane:cluster"].name = "LLM_Prod"; r["modelplane:cluster"].releaseChannel = "STABLE"; r["modelplane:cluster"].systemPool.maxNodes = 0; }).map((p) => p.split(": ")[0]), [
            "modelplane:cluster.name", "modelplane:cluster.systemPool.maxNodes", "modelplane:cluster.releaseChannel",
        ]);
        assert.deepEqual(paths((r) => { r["modelplane:cluster"].location = "Central"; r["modelplane:cluster"].network.vpcCidr = "10.0.0.0/16"; }, "dev").map((p) => p.split(": ")[0]), [
            "modelplane:cluster.location", "modelplane:cluster.network.vpcCidr",
        ]);
    });

    it("a wrong cloud or cluster skips only the checks that need it", () => {
        const cloud = issuesOf("prod", (r) => { r["modelplane:cloud"] = "azure"; model(r, "llama-3-3-70b").team = "ads"; });
        assert.deepEqual(cloud.map((i) => i.path), ["modelplane:cloud", "modelplane:models[0].team"], cloud.map((i) => i.message).join("\n"));
        const cluster = issuesOf("prod", (r) => { r["modelplane:cluster"].name = "LLM_Prod"; delete r["aws:region"]; pool(r, "l40s").minNodes = 9; });
        assert.deepEqual(cluster.map((i) => i.path), ["modelplane:cluster.name", "modelplane:gpuPools[1].minNodes", "aws:region"], cluster.map((i) => i.message).join("\n"));
    });

    it("sorts errors in file order, not in the order the checks run", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, "deepseek-r1").vllm.args = ["-tp", "8"];          // cross-field, last model
            r["modelplane:platform"].gateway.bufferLimit = "lots";      // schema, after the models in the file
            r["modelplane:cluster"].endpointPublicAccessCidrs = ["x"];  // schema, before the pools
            pool(r, "l40s").minNodes = 9;                               // cross-field
            model(r, "llama-3-3-70b").team = "ads";                     // cross-field, first model
        });
        assert.deepEqual(issues.map((i) => i.path), [
            "modelplane:cluster.endpointPublicAccessCidrs[0]", "modelplane:gpuPools[1].minNodes", "modelplane:models[0].team",
            "modelplane:models[3].vllm.args[0]", "modelplane:platform.gateway.bufferLimit",
        ]);
    });

    it("applies defaults and derives pool facts from the catalog", () => {
        const cfg = stackConfig("prod");
        const h100 = cfg.gpuPools.find((p) => p.name === "h100")!;
        assert.equal(h100.gpusPerNode, 8);
        assert.equal(h100.accelerator, "H100");
        assert.deepEqual(h100.nodeSelector, { "modelplane.io/pool": "h100" });
        const llama = cfg.models.find((m) => m.name === "llama-3-3-70b")!;
        assert.deepEqual(llama.routing.scorers, { prefixCache: 3, queue: 2, kvCacheUtilization: 2 });
        assert.deepEqual(llama.topology, { multiNode: false, podsPerReplica: 1, gpusPerPod: 4, gpusPerReplica: 4 });
        const deepseek = cfg.models.find((m) => m.name === "deepseek-r1")!;
        assert.deepEqual(deepseek.topology, { multiNode: true, podsPerReplica: 2, gpusPerPod: 8, gpusPerReplica: 16 });
        assert.equal(cfg.platform.gateway.bufferLimit, "50Mi");
        assert.equal(cfg.protect, true);
        assert.equal(stackConfig("dev").protect, false, "protect defaults to false (Pulumi.yaml default)");
    });

    it("accepts the JSON strings the Pulumi runtime hands the program", () => {
        const { values, secretKeys } = rawStack("prod");
        const asStrings = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        const cfg = parseStackConfig(asStrings, { secretKeys, stack: "prod" });
        assert.equal(cfg.models.length, 4);
        assert.equal(cfg.protect, true);
    });
});
