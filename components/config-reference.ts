// The stack config reference (README "Configuration reference"), generated from the zod schema so the
// documentation cannot drift from what the program accepts: every schema path must have a description
// here, and the README table is this module's output (checked by test/config-reference.test.ts;
// regenerate with `npm run docs:config`).
import * as fs from "node:fs";
import { z } from "zod";
import { PROJECT, stackSchema } from "./config";

export interface ConfigKeyDoc {
    path: string;
    type: string;
    required: boolean;
    default?: string;
    description: string;
}

/** What each key does. Keys are schema paths; list elements are written `[]`. */
export const DESCRIPTIONS: Record<string, string> = {
    "modelplane:cloud": "Where the cluster comes from: `aws` (EKS, created), `gcp` (GKE, created) or `existing` (a kubeconfig or context).",
    "modelplane:protect": "Protect clusters, GPU node pools and CRDs against deletion (`pulumi destroy` and replacements stop at them). Prod sets `true`.",
    "modelplane:cluster": "The Kubernetes cluster.",
    "modelplane:cluster.name": "Cluster name; also the provider's `clusterIdentifier`, so rotating credentials never replaces in-cluster objects.",
    "modelplane:cluster.kubernetesVersion": "Kubernetes minor version of EKS/GKE (on aws also picks the Cluster Autoscaler image of the same minor: 1.32–1.35).",
    "modelplane:cluster.network": "Network of a created cluster (aws or gcp fields only).",
    "modelplane:cluster.network.vpcCidr": "aws: CIDR of the VPC modelplane creates.",
    "modelplane:cluster.network.availabilityZones": "aws: how many AZs get private subnets (default 3).",
    "modelplane:cluster.network.vpcId": "aws: use this existing VPC instead of creating one (with `privateSubnetIds`).",
    "modelplane:cluster.network.privateSubnetIds": "aws: existing private subnets for the cluster and node groups.",
    "modelplane:cluster.network.subnetCidr": "gcp: primary range of the subnetwork modelplane creates.",
    "modelplane:cluster.network.podsCidr": "gcp: secondary range for pods (VPC-native).",
    "modelplane:cluster.network.servicesCidr": "gcp: secondary range for services.",
    "modelplane:cluster.endpointPublicAccessCidrs": "CIDRs allowed to reach the public API endpoint; empty keeps the endpoint private.",
    "modelplane:cluster.systemPool": "aws/gcp: the CPU node pool that runs the platform controllers.",
    "modelplane:cluster.systemPool.instanceType": "Instance or machine type of system nodes.",
    "modelplane:cluster.systemPool.minNodes": "Minimum system nodes.",
    "modelplane:cluster.systemPool.maxNodes": "Maximum system nodes.",
    "modelplane:cluster.systemPool.diskSizeGiB": "Root disk of system nodes.",
    "modelplane:cluster.location": "gcp: region (regional cluster) or zone.",
    "modelplane:cluster.releaseChannel": "gcp: GKE release channel.",
    "modelplane:cluster.adminPrincipalArns": "aws: IAM roles/users granted cluster admin through EKS access entries.",
    "modelplane:cluster.context": "existing: kubeconfig context to use (the kubeconfig itself is `modelplane:kubeconfig` or the ambient one).",
    "modelplane:gpuPools": "GPU node pools; models name one with `pool`.",
    "modelplane:gpuPools[].name": "Pool name: node label `modelplane.io/pool`, and what models select.",
    "modelplane:gpuPools[].instanceType": "aws/gcp: instance or machine type; must be in `lib/catalog.ts`, which gives GPUs, GPU memory and NVMe.",
    "modelplane:gpuPools[].accelerator": "existing: accelerator key from the catalog (`H100`, `L4`, ...) or `cpu` for a CPU-only pool.",
    "modelplane:gpuPools[].gpusPerNode": "existing: GPUs per node.",
    "modelplane:gpuPools[].minNodes": "Minimum nodes (0 lets the pool scale to zero: Cluster Autoscaler on aws, GKE's autoscaler on gcp add nodes for pending pods).",
    "modelplane:gpuPools[].maxNodes": "Maximum nodes the autoscaler may add; the `gpu-pool-capacity` policy checks the pool's pods, packed whole onto this many nodes, fit.",
    "modelplane:gpuPools[].capacity": "`onDemand`, `spot`, `reservation` (AWS capacity reservation / GCP reservation) or `capacityBlock` (AWS Capacity Blocks for ML).",
    "modelplane:gpuPools[].reservation": "The reservation (AWS `cr-…` id or GCP reservation name) for `reservation`/`capacityBlock`.",
    "modelplane:gpuPools[].zones": "Zones to place the pool in (a capacity block needs exactly one).",
    "modelplane:gpuPools[].localNvme": "`raid0` (instance NVMe as node ephemeral storage), `localVolumes` (one local PV per disk) or `none`; default `raid0` when the instance has NVMe.",
    "modelplane:gpuPools[].diskSizeGiB": "Root disk size of GPU nodes.",
    "modelplane:gpuPools[].nodeSelector": "existing: labels the pool's nodes already carry (model pods select them). With `localNvme` it must include `kserve/localmodel: worker`, the label KServe's local-model agent selects (aws/gcp pools get it automatically).",
    "modelplane:gpuPools[].taint": "Nodes carry the `nvidia.com/gpu=present:NoSchedule` taint (models tolerate it). `false` is required for `localCache` models (KServe v0.20.0's download Job has no tolerations).",
    "modelplane:teams": "Teams: one namespace each, with a GPU ResourceQuota.",
    "modelplane:teams[].name": "Team name and namespace name.",
    "modelplane:teams[].gpuQuota": "GPUs the team may request (ResourceQuota `requests.nvidia.com/gpu`); the policy pack's own config holds the preview-time quota.",
    "modelplane:teams[].cloudIdentity": "Object-store identity for the team's models (IAM role ARN or GCP service account); default: the platform's model-reader identity.",
    "modelplane:models": "Models: one KServe LLMInferenceService each.",
    "modelplane:modelFiles": "YAML files of more models, each a list of `modelplane:models` entries (paths relative to the project directory; errors name the file and entry). A fleet needs them: Pulumi hands the whole stack config to the program in one environment variable, which Linux caps at 128 KiB (about 500 inline models); config validation rejects a larger stack config.",
    "modelplane:models[].name": "Model name: the LLMInferenceService name and the path of its endpoint (`/<team>/<name>/v1`).",
    "modelplane:models[].team": "Owning team (namespace).",
    "modelplane:models[].uri": "Weights: `hf://`, `s3://`, `gs://` (streamer only), `pvc://` or `oci://`.",
    "modelplane:models[].servedName": "Name clients send as the OpenAI `model` field (default: the model name).",
    "modelplane:models[].pool": "GPU pool the model runs on.",
    "modelplane:models[].replicas": "Fixed replica count (or use `scaling`).",
    "modelplane:models[].scaling": "Autoscaling bounds; quotas are charged at `maxReplicas`. KServe's Workload Variant Autoscaler sets the replicas through KEDA, so a stack with a model that uses `scaling` installs the autoscaling stack (`platform.autoscaling`; rejected with this path when that is off). No scale-to-zero: KServe v0.20.0's LLMInferenceService CRD has `minimum: 1` on `scaling.minReplicas` and on KEDA's `idleReplicaCount`.",
    "modelplane:models[].scaling.minReplicas": "Minimum replicas, at least 1: the pinned KServe v0.20.0 has no scale-to-zero (its CRD requires `minReplicas` ≥ 1).",
    "modelplane:models[].scaling.maxReplicas": "Maximum replicas.",
    "modelplane:models[].parallelism": "How one replica spreads over GPUs and nodes.",
    "modelplane:models[].parallelism.tensor": "Tensor-parallel degree (GPUs per vLLM rank).",
    "modelplane:models[].parallelism.pipeline": "Pipeline-parallel degree: pods per replica (multi-node via LeaderWorkerSet, one stage per pod); not with `prefill`.",
    "modelplane:models[].parallelism.data": "Data-parallel ranks per replica.",
    "modelplane:models[].parallelism.dataLocal": "Data-parallel ranks per pod; `data / dataLocal` pods per replica.",
    "modelplane:models[].parallelism.dataRPCPort": "Port of the data-parallel RPC between pods.",
    "modelplane:models[].parallelism.expert": "Enable expert parallelism (MoE models).",
    "modelplane:models[].template": "Raw PodSpec patch for the main/leader pod, applied last and merged by container name: the escape hatch for anything not modelled. Checked at config time (as are workerTemplate and prefill.*): against the Kubernetes PodSpec schema (kubernetes-models), for unknown PodSpec fields, containers given as a list of named containers, and not deleting container main, changing its nvidia.com/gpu, emptying its args or deleting its env (HF_TOKEN).",
    "modelplane:models[].workerTemplate": "Raw PodSpec patch for worker pods of a multi-node model.",
    "modelplane:models[].loader": "`storageInitializer` (KServe downloads to the pod), `runaiStreamer` (stream from s3:// or gs://) or `localCache` (KServe LocalModelCache on the pool's NVMe).",
    "modelplane:models[].size": "Model size, for the `model-fits-accelerator` policy and the cache size.",
    "modelplane:models[].size.paramsBillions": "Parameters, in billions.",
    "modelplane:models[].size.dtype": "Weight dtype.",
    "modelplane:models[].routing": "llm-d scheduling.",
    "modelplane:models[].routing.scorers": "Scorer weights of the endpoint picker.",
    "modelplane:models[].routing.scorers.prefixCache": "Weight of prefix-cache affinity (KV-cache reuse).",
    "modelplane:models[].routing.scorers.queue": "Weight of queue length.",
    "modelplane:models[].routing.scorers.kvCacheUtilization": "Weight of free KV-cache.",
    "modelplane:models[].routing.scorers.noHitLru": "Weight of spreading cold prompts to least-recently-used pods.",
    "modelplane:models[].routing.scorers.loraAffinity": "Weight of LoRA adapter affinity.",
    "modelplane:models[].routing.priority": "Not supported with the pinned KServe v0.20.0 / llm-d-router v0.9.0 (the endpoint picker's flow control is off and no request names an objective): rejected with that reason.",
    "modelplane:models[].vllm": "vLLM engine settings.",
    "modelplane:models[].vllm.args": "Extra `vllm serve` arguments.",
    "modelplane:models[].vllm.image": "vLLM image (default: the KServe preset's).",
    "modelplane:models[].vllm.env": "Extra environment variables of the vLLM container.",
    "modelplane:models[].resources": "CPU/memory per pod (default: the pod's GPU share of the pool's instance type; on an existing pool 8 vCPU and 2 × GPU memory per GPU, capped to fit the smallest catalog node of the pool's accelerator × GPUs per node: set this to size for your nodes).",
    "modelplane:models[].resources.cpu": "CPU per pod.",
    "modelplane:models[].resources.memory": "Memory per pod.",
    "modelplane:models[].prefill": "Prefill workload of a prefill/decode disaggregated model (same fields as the model's workload).",
    "modelplane:models[].prefill.replicas": "Prefill replicas.",
    "modelplane:models[].prefill.scaling": "Prefill autoscaling bounds (needs the autoscaling stack, like `scaling`; no scale-to-zero).",
    "modelplane:models[].prefill.scaling.minReplicas": "Minimum prefill replicas, at least 1 (no scale-to-zero in KServe v0.20.0).",
    "modelplane:models[].prefill.scaling.maxReplicas": "Maximum prefill replicas.",
    "modelplane:models[].prefill.parallelism": "Prefill parallelism (default: the model's).",
    "modelplane:models[].prefill.parallelism.tensor": "Prefill tensor-parallel degree.",
    "modelplane:models[].prefill.parallelism.pipeline": "Prefill pipeline-parallel degree; only 1 (KServe has no P/D pipeline-parallel preset).",
    "modelplane:models[].prefill.parallelism.data": "Prefill data-parallel ranks.",
    "modelplane:models[].prefill.parallelism.dataLocal": "Prefill data-parallel ranks per pod.",
    "modelplane:models[].prefill.parallelism.dataRPCPort": "Prefill data-parallel RPC port.",
    "modelplane:models[].prefill.parallelism.expert": "Prefill expert parallelism.",
    "modelplane:models[].prefill.template": "PodSpec patch for prefill pods.",
    "modelplane:models[].prefill.workerTemplate": "PodSpec patch for prefill worker pods.",
    "modelplane:models[].lora": "LoRA adapters served on top of the base model.",
    "modelplane:models[].lora.adapters": "Adapters (served as separate model names).",
    "modelplane:models[].lora.adapters[].name": "Adapter name clients request.",
    "modelplane:models[].lora.adapters[].uri": "Adapter weights.",
    "modelplane:models[].lora.maxRank": "vLLM `--max-lora-rank`.",
    "modelplane:models[].lora.maxAdapters": "vLLM `--max-loras`.",
    "modelplane:platform": "In-cluster platform settings.",
    "modelplane:platform.versions": "Overrides of `components/versions.ts` (mirrors, local files, pinned upgrades); validated against known compatibility rules.",
    "modelplane:platform.charts": "Install Helm releases (`false` where charts cannot be fetched, e.g. the offline e2e cluster). A CRD bundle from a local chart (`versions.<key>.path`) is installed either way: nothing to fetch, no workload to schedule.",
    "modelplane:platform.gateway": "The inference Gateway.",
    "modelplane:platform.gateway.name": "Gateway name.",
    "modelplane:platform.gateway.namespace": "Gateway namespace.",
    "modelplane:platform.gateway.tls": "Serve HTTPS with a cert-manager certificate.",
    "modelplane:platform.gateway.tls.hostname": "DNS name of the gateway.",
    "modelplane:platform.gateway.tls.issuer": "`selfSigned` or `letsencrypt` (ACME HTTP-01).",
    "modelplane:platform.gateway.tls.email": "ACME account contact (letsencrypt).",
    "modelplane:platform.gateway.aiGateway": "Install Envoy AI Gateway (needed to route to InferencePools).",
    "modelplane:platform.gateway.bufferLimit": "Request buffer limit for LLM bodies (Envoy's default is too small for long prompts).",
    "modelplane:platform.monitoringNamespace": "Namespace whose pods may scrape model pods (NetworkPolicy). Must stay `monitoring` while this stack installs Prometheus (`platform.monitoring.enabled` with charts on); another namespace names the cluster's own Prometheus.",
    "modelplane:platform.monitoring": "Prometheus: kube-prometheus-stack 83.4.0, release `prometheus` in namespace `monitoring`, serving HTTPS (cert-manager self-signed) at `https://prometheus-kube-prometheus-prometheus.monitoring.svc:9090`, and what it scrapes: every model's vLLM pods and endpoint picker, the gateway's Envoy proxies, KServe's controller, DCGM on the GPU nodes.",
    "modelplane:platform.monitoring.enabled": "Install Prometheus and register the monitors (with charts on; the monitors need its CRDs, so nothing is registered with `platform.charts: false`). On by default: the models' and GPUs' metrics and the autoscaler all read it; `false` where the cluster has its own (autoscaling then cannot be installed).",
    "modelplane:platform.monitoring.footprint": "`small` (KServe's test sizing: 512 MiB, 1 day of data) or `standard` (2–8 GiB, 7 days / 20 GB); default `small` on cloud `existing`, `standard` on aws/gcp.",
    "modelplane:platform.monitoring.grafana": "Grafana with modelplane's dashboards (per model, per team, per pool) as ConfigMaps for its sidecar.",
    "modelplane:platform.monitoring.dcgmExporter": "NVIDIA dcgm-exporter on the GPU pools' nodes (`false` when the cluster already runs one, e.g. the GPU Operator's).",
    "modelplane:platform.autoscaling": "The model-autoscaling stack `scaling` needs on KServe v0.20.0: KEDA 2.18.0, the Workload Variant Autoscaler v0.7.0 and KServe's `autoscaling-wva-controller-config` pointing at Prometheus (KServe's tested set).",
    "modelplane:platform.autoscaling.enabled": "Install the autoscaling stack. Default: when some model (or prefill) uses `scaling`. Needs `platform.monitoring.enabled` and `platform.charts`; with `false`, a model that uses `scaling` is an error.",
    "modelplane:huggingFaceToken": "Hugging Face token for gated models — a secret (`pulumi config set --secret`). Copied to each team namespace (model pods) and to `kserve-localmodel-jobs` (LocalModelCache downloads).",
    "modelplane:kubeconfig": "existing: kubeconfig of the cluster — a secret.",
};

type AnyZod = z.ZodType;

function peel(s: AnyZod): { inner: AnyZod; optional: boolean; def?: unknown; hasDefault: boolean } {
    let cur = s;
    let optional = false;
    let hasDefault = false;
    let def: unknown;
    for (;;) {
        if (cur instanceof z.ZodOptional) { optional = true; cur = cur.unwrap() as AnyZod; }
        else if (cur instanceof z.ZodDefault) { hasDefault = true; def = cur.def.defaultValue; cur = cur.unwrap() as AnyZod; }
        else if (cur instanceof z.ZodPrefault) { hasDefault = true; cur = cur.unwrap() as AnyZod; }
        else break;
    }
    return { inner: cur, optional, def, hasDefault };
}

function typeName(s: AnyZod): string {
    if (s instanceof z.ZodPipe) return "quantity";
    if (s instanceof z.ZodUnion) return "quantity";
    if (s instanceof z.ZodString) return "string";
    if (s instanceof z.ZodBoolean) return "boolean";
    if (s instanceof z.ZodNumber) {
        const int = (s.def.checks ?? []).some((c) => (c._zod.def as { format?: string }).format === "safeint");
        return int ? "integer" : "number";
    }
    if (s instanceof z.ZodEnum) return (s.options as string[]).map((o) => `\`${o}\``).join(" \\| ");
    if (s instanceof z.ZodRecord) return s.def.valueType instanceof z.ZodUnknown ? "object" : `map of string → ${typeName(peel(s.def.valueType as AnyZod).inner)}`;
    if (s instanceof z.ZodArray) {
        const el = peel(s.element as AnyZod).inner;
        return el instanceof z.ZodObject ? "list of objects" : `list of ${typeName(el)}`;
    }
    if (s instanceof z.ZodObject) return "object";
    return "value";
}

/** Every key path of the `modelplane:` namespace, in schema order. */
export function configReference(): ConfigKeyDoc[] {
    const out: ConfigKeyDoc[] = [];
    const walk = (schema: AnyZod, path: string, parentOptional: boolean) => {
        const { inner, optional, def, hasDefault } = peel(schema);
        if (path) {
            const isPrimitiveDefault = hasDefault && def !== undefined && (typeof def !== "object" || (Array.isArray(def) && def.length === 0));
            out.push({
                path, type: typeName(inner),
                required: !optional && !hasDefault && !parentOptional,
                default: isPrimitiveDefault ? JSON.stringify(def) : undefined,
                description: DESCRIPTIONS[path] ?? "",
            });
        }
        const childOptional = path !== "" && (optional || hasDefault);
        if (inner instanceof z.ZodObject) {
            for (const [k, v] of Object.entries(inner.shape)) walk(v as AnyZod, path ? `${path}.${k}` : `${PROJECT}:${k}`, childOptional || parentOptional);
        } else if (inner instanceof z.ZodArray) {
            const el = peel(inner.element as AnyZod).inner;
            if (el instanceof z.ZodObject) {
                for (const [k, v] of Object.entries(el.shape)) walk(v as AnyZod, `${path}[].${k}`, false);
            }
        }
    };
    walk(stackSchema, "", false);
    return out;
}

export function renderConfigTable(): string {
    const rows = configReference().map((k) =>
        `| \`${k.path}\` | ${k.type} | ${k.required ? "yes" : ""} | ${k.default !== undefined ? `\`${k.default}\`` : ""} | ${k.description} |`);
    return ["| key | type | required | default | what it does |", "| --- | --- | --- | --- | --- |", ...rows].join("\n");
}

export const TABLE_BEGIN = "<!-- config-reference:begin (generated by `npm run docs:config` from components/config.ts) -->";
export const TABLE_END = "<!-- config-reference:end -->";

/** The README with its config reference section replaced by the generated table. */
export function withGeneratedTable(readme: string): string {
    const start = readme.indexOf(TABLE_BEGIN);
    const end = readme.indexOf(TABLE_END);
    if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_BEGIN} … ${TABLE_END}`);
    return readme.slice(0, start + TABLE_BEGIN.length) + "\n" + renderConfigTable() + "\n" + readme.slice(end);
}

if (require.main === module) {
    const file = process.argv[2] ?? "README.md";
    fs.writeFileSync(file, withGeneratedTable(fs.readFileSync(file, "utf8")));
    console.log(`config reference regenerated in ${file}`);
}
