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

interface Case { name: string; stack: string; mutate: (raw: Raw) => void; path: string; message: RegExp; secretKeys?: string[] }

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
        path: "modelplane:gpuPools[1].name", message: /duplicate pool name "h100"/ },
    { name: "duplicate team names", stack: "prod", mutate: (r) => { r["modelplane:teams"][2].name = "search"; },
        path: "modelplane:teams[2].name", message: /duplicate team name "search"/ },
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
        path: "modelplane:models[1].resources.cpu", message: /\(64\) is more than a g6e\.12xlarge node has \(48 vCPU\)/ },
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
        path: "modelplane:models[2].loader", message: /pool "l40s" has localNvme localVolumes; use a raid0 pool/ },
    { name: "local cache on a tainted pool (KServe's download Job has no tolerations)", stack: "prod", mutate: (r) => { delete pool(r, "h100").taint; },
        path: "modelplane:models[2].loader", message: /needs an untainted pool: .*kserve\/kserve#5348.*pool "h100" \(taint: true\).*set taint: false/ },
    { name: "local cache on GKE, which taints GPU nodes itself", stack: "dev", mutate: (r) => { model(r, "qwen2-5-7b").loader = "localCache"; },
        path: "modelplane:models[0].loader", message: /cannot fill on GKE GPU pools: GKE taints GPU nodes/ },
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
        path: "modelplane:models", message: /expected a YAML object or list/ },
    { name: "letsencrypt without a contact email", stack: "prod", mutate: (r) => { delete r["modelplane:platform"].gateway.tls.email; },
        path: "modelplane:platform.gateway.tls.email", message: /is required with issuer letsencrypt/ },
    { name: "model URI with an unsupported scheme", stack: "prod", mutate: (r) => { model(r, "llama-3-3-70b").uri = "https://example.com/model"; },
        path: "modelplane:models[0].uri", message: /scheme hf:\/\/, s3:\/\// },
    { name: "un-namespaced key", stack: "prod", mutate: (r) => { r.region = "us-east-2"; },
        path: "region", message: /must be namespaced/ },
    { name: "CPU pool asked for tensor parallelism", stack: "local", mutate: (r) => { model(r, "opt-125m").parallelism = { tensor: 2 }; },
        path: "modelplane:models[0].parallelism", message: /has no GPUs/ },
];

describe("stack config validation", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`accepts the shipped ${stack} stack`, () => {
            const cfg = stackConfig(stack);
            assert.equal(cfg.stack, stack);
            assert.ok(cfg.models.length > 0);
        });
    }

    it(`has at least 25 distinct invalid cases (${cases.length})`, () => {
        assert.ok(new Set(cases.map((c) => c.path + c.message.source)).size >= 25);
    });

    for (const c of cases) {
        it(`rejects: ${c.name} → ${c.path}`, () => {
            const issues = issuesOf(c.stack, c.mutate, c.secretKeys);
            const at = issues.filter((i) => i.path === c.path);
            assert.ok(at.length > 0, `no issue at ${c.path}; got:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join("\n")}`);
            // A path may carry more than one issue (e.g. a localCache model on a GKE pool without NVMe): one must match.
            const hit = at.find((i) => c.message.test(i.message)) ?? at[0];
            assert.match(hit.message, c.message);
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

    it("reports every error at once, each with its path", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, "qwen3-32b").pool = "h200";
            r["modelplane:teams"][0].gpuQuota = -1;
            delete r["aws:region"];
        });
        // zod reports the schema error first and stops before cross-field checks; fix it and the rest appear together.
        assert.deepEqual(issues.map((i) => i.path), ["modelplane:teams[0].gpuQuota"]);
        const crossField = issuesOf("prod", (r) => {
            model(r, "qwen3-32b").pool = "h200";
            model(r, "llama-3-3-70b").team = "ads";
            delete r["aws:region"];
            pool(r, "l40s").minNodes = 9;
        });
        assert.deepEqual(crossField.map((i) => i.path).sort(), [
            "aws:region", "modelplane:gpuPools[1].minNodes", "modelplane:models[0].team", "modelplane:models[1].pool",
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
