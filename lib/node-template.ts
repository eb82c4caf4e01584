// What a node of a pool looks like to the scheduler and to the cluster autoscaler, read from the resources the program
// registers, and whether a pod fits it. Pure (no Pulumi imports): the policy pack, the plan and the tests use it.
//
// A pool that is at zero nodes has no Node object to schedule onto. Cluster Autoscaler then builds a "template node"
// for each node group and runs the scheduler's predicates against it: only a group whose template a pending pod fits is
// scaled up. Its template, per cloud:
// - EKS managed node groups (kubernetes/autoscaler@cluster-autoscaler-1.33.6 cluster-autoscaler/cloudprovider/aws/
//   aws_manager.go buildNodeFromTemplate): capacity from the instance type (vCPU, memory, GPUs; its static or
//   DescribeInstanceTypes list), overridden by ASG tags `k8s.io/cluster-autoscaler/node-template/resources/<r>`; labels
//   from ASG tags `.../node-template/label/<k>` plus instance type, arch, OS, region and zone; taints from ASG tags
//   `.../node-template/taint/<k>` = `<value>:<effect>`. Labels and taints of EKS's DescribeNodegroup are added only
//   while the group has never had a node (cloudprovider/aws/README.md "IAM Policy": once nodes were added, even after
//   a scale-down to 0, the API is not called again until CA restarts), so the ASG tags are what a group scaled back to
//   zero is judged by: modelplane writes them (components/cluster/AwsCluster.ts) and this file reads them back.
//   Allocatable = capacity there ("TODO: use proper allocatable"); here it is the catalog node minus the reserve
//   (lib/allocatable.ts), which is stricter: a pod that fits it fits CA's template and the node that then joins.
// - GKE node pools: GKE's autoscaler knows its own pools' config (labels, taints, machine type, accelerators); GKE
//   adds `cloud.google.com/gke-nodepool`, `cloud.google.com/gke-accelerator`, `cloud.google.com/gke-spot` on spot
//   pools, and taints GPU nodes `nvidia.com/gpu=present:NoSchedule` when the cluster has non-GPU pools (it always does:
//   the system pool).
import { allocatable } from "./allocatable";
import { CatalogCloud, findAccelerator, findInstanceType } from "./catalog";
import { isObject, parseQuantity, podRequestsOf, PodRequests } from "./demand";
import { GPU_RESOURCE, GPU_TAINT } from "./labels";
import { PackNode } from "./packing";
import { TYPES } from "./resources";

type Obj = Record<string, unknown>;

export type TaintEffect = "NoSchedule" | "NoExecute" | "PreferNoSchedule";
export interface Taint {
    key: string;
    value?: string;
    effect: TaintEffect;
}

/** A node as the scheduler (or the autoscaler's simulation) sees it. */
export interface NodeTemplate {
    labels: Record<string, string>;
    taints: Taint[];
    /** GPUs, vCPU and GiB pods may request (Infinity when unknown). */
    allocatable: PackNode;
}

/** Prefix of the ASG tags Cluster Autoscaler builds a template node from (aws cloudprovider README). */
export const CA_TEMPLATE_PREFIX = "k8s.io/cluster-autoscaler/node-template/";
/** Type token of the ASG tag resource modelplane registers for each template tag. */
export const ASG_TAG_TYPE = "aws:autoscaling/tag:Tag";

const CLOUD_EFFECT: Record<string, TaintEffect> = { NO_SCHEDULE: "NoSchedule", NO_EXECUTE: "NoExecute", PREFER_NO_SCHEDULE: "PreferNoSchedule" };

/**
 * The ASG tags that tell Cluster Autoscaler what a node of the group will carry: one per label
 * (`label/<key>` = value), per taint (`taint/<key>` = `value:Effect`) and per extended resource (`resources/<name>`).
 */
export function caTemplateTags(labels: Record<string, string>, taints: readonly Taint[], resources: Record<string, string> = {}): Record<string, string> {
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) tags[`${CA_TEMPLATE_PREFIX}label/${k}`] = v;
    for (const t of taints) tags[`${CA_TEMPLATE_PREFIX}taint/${t.key}`] = `${t.value ?? ""}:${t.effect}`;
    for (const [r, q] of Object.entries(resources)) tags[`${CA_TEMPLATE_PREFIX}resources/${r}`] = q;
    return tags;
}

/** Labels, taints and resources from CA template tags, parsed the way CA does (extractLabelsFromAsg, extractTaintsFromAsg). */
export function parseCaTemplateTags(tags: Record<string, string>): { labels: Record<string, string>; taints: Taint[]; resources: Record<string, string> } {
    const labels: Record<string, string> = {};
    const taints: Taint[] = [];
    const resources: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) {
        if (!k.startsWith(CA_TEMPLATE_PREFIX)) continue;
        const rest = k.slice(CA_TEMPLATE_PREFIX.length);
        if (rest.startsWith("label/")) labels[rest.slice("label/".length)] = v;
        else if (rest.startsWith("resources/")) resources[rest.slice("resources/".length)] = v;
        else if (rest.startsWith("taint/")) {
            // CA keeps a taint only when the value ends in a known effect.
            const m = /^(.*):(NoSchedule|NoExecute|PreferNoSchedule)$/.exec(v);
            if (m) taints.push({ key: rest.slice("taint/".length), value: m[1], effect: m[2] as TaintEffect });
        }
    }
    return { labels, taints, resources };
}

function strMap(v: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (isObject(v)) for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
    return out;
}

function cloudTaints(v: unknown): Taint[] {
    if (!Array.isArray(v)) return [];
    return v.filter(isObject).map((t) => ({
        key: String(t.key), value: t.value === undefined ? undefined : String(t.value),
        effect: CLOUD_EFFECT[String(t.effect)] ?? (String(t.effect) as TaintEffect),
    }));
}

/** Allocatable of one node of a catalog type (the smallest of several), GPUs from the catalog; undefined if not catalogued. */
function catalogAllocatable(types: string[], cloud: CatalogCloud): PackNode | undefined {
    const rows = types.map((t) => findInstanceType(t, cloud));
    if (rows.length === 0 || rows.some((r) => !r)) return undefined;
    const nodes = rows.map((r) => ({ gpus: r!.gpus, ...allocatable(r!) }));
    return { gpus: Math.min(...nodes.map((n) => n.gpus)), cpu: Math.min(...nodes.map((n) => n.cpu)), memoryGiB: Math.min(...nodes.map((n) => n.memoryGiB)) };
}

function ekTypes(r: { props: Obj }): string[] {
    const listed = Array.isArray(r.props.instanceTypes) ? r.props.instanceTypes.filter((t): t is string => typeof t === "string") : [];
    if (listed.length) return listed;
    const tagged = strMap(r.props.tags)["modelplane.io/instance-type"];
    return tagged ? [tagged] : [];
}

export interface PoolResourceLike {
    type: string;
    name: string;
    urn?: string;
    /** URN of the parent resource (lib/resources.ts RegisteredResource). */
    parent?: string;
    props: Obj;
}

/**
 * What a node of a cloud node pool will carry once it has joined (the node group's or node pool's own labels and
 * taints, plus what GKE adds), or undefined for other resource types.
 */
export function joinedNode(r: PoolResourceLike): NodeTemplate | undefined {
    if (r.type === TYPES.eksNodeGroup) {
        const types = ekTypes(r);
        return {
            labels: { ...genericAwsLabels(types[0]), ...strMap(r.props.labels) },
            taints: cloudTaints(r.props.taints),
            allocatable: catalogAllocatable(types, "aws") ?? unknownNode(),
        };
    }
    if (r.type === TYPES.gkeNodePool) return gkeTemplate(r);
    return undefined;
}

/**
 * The template node Cluster Autoscaler builds for an EKS node group at zero nodes, from the ASG tags registered for it
 * (`aws:autoscaling/tag:Tag` resources whose parent is the node group), the instance type and the resource tags; for a
 * GKE node pool, the pool's own config (GKE's autoscaler reads it directly).
 */
export function autoscalerTemplate(r: PoolResourceLike, resources: readonly PoolResourceLike[]): NodeTemplate | undefined {
    if (r.type === TYPES.gkeNodePool) return gkeTemplate(r);
    if (r.type !== TYPES.eksNodeGroup) return undefined;
    const tags: Record<string, string> = {};
    for (const t of resources) {
        if (t.type !== ASG_TAG_TYPE || r.urn === undefined || t.parent !== r.urn) continue;
        const tag = t.props.tag;
        if (isObject(tag) && typeof tag.key === "string" && typeof tag.value === "string") tags[tag.key] = tag.value;
    }
    const parsed = parseCaTemplateTags(tags);
    const types = ekTypes(r);
    const node = catalogAllocatable(types, "aws") ?? unknownNode();
    const gpuTag = parsed.resources[GPU_RESOURCE];
    if (gpuTag !== undefined) node.gpus = parseQuantity(gpuTag) ?? node.gpus;
    return { labels: { ...genericAwsLabels(types[0]), ...parsed.labels }, taints: parsed.taints, allocatable: node };
}

function unknownNode(): PackNode {
    return { gpus: 0, cpu: Infinity, memoryGiB: Infinity };
}

/** The labels CA puts on every AWS template node (buildGenericLabels) that a pod might select. */
function genericAwsLabels(instanceType: string | undefined): Record<string, string> {
    const row = instanceType ? findInstanceType(instanceType, "aws") : undefined;
    return {
        "kubernetes.io/os": "linux",
        ...(row ? { "kubernetes.io/arch": "amd64", "node.kubernetes.io/instance-type": row.name } : {}),
    };
}

function gkeTemplate(r: PoolResourceLike): NodeTemplate {
    const nc = isObject(r.props.nodeConfig) ? r.props.nodeConfig : {};
    const mt = typeof nc.machineType === "string" ? nc.machineType : undefined;
    const labels: Record<string, string> = {
        "kubernetes.io/os": "linux",
        "cloud.google.com/gke-nodepool": typeof r.props.name === "string" ? r.props.name : r.name,
        ...(mt ? { "node.kubernetes.io/instance-type": mt } : {}),
        ...strMap(nc.labels),
    };
    const taints = cloudTaints(nc.taints);
    const gas = Array.isArray(nc.guestAccelerators) ? nc.guestAccelerators.filter(isObject) : [];
    if (gas.length > 0) {
        labels["cloud.google.com/gke-accelerator"] = String(gas[0].type);
        if (!taints.some((t) => t.key === GPU_TAINT.key && t.effect === GPU_TAINT.effect)) {
            taints.push({ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: GPU_TAINT.effect });
        }
    }
    if (nc.spot === true) labels["cloud.google.com/gke-spot"] = "true";
    const node = (mt ? catalogAllocatable([mt], "gcp") : undefined) ?? unknownNode();
    return { labels, taints, allocatable: node };
}

// ---------------------------------------------------------------------------------------------------------------
// Does a pod fit a node?

function matchExpression(e: Obj, labels: Record<string, string>): boolean {
    const key = String(e.key);
    const has = Object.hasOwn(labels, key);
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    switch (e.operator) {
        case "In": return has && values.includes(labels[key]);
        case "NotIn": return !has || !values.includes(labels[key]);
        case "Exists": return has;
        case "DoesNotExist": return !has;
        case "Gt": return has && Number(labels[key]) > Number(values[0]);
        case "Lt": return has && Number(labels[key]) < Number(values[0]);
        default: return false;
    }
}

/** Whether a toleration admits a taint (core/v1 Toleration.ToleratesTaint). */
export function tolerates(tol: Obj, t: Taint): boolean {
    if (tol.effect !== undefined && tol.effect !== "" && tol.effect !== t.effect) return false;
    if (tol.key === undefined || tol.key === "") return tol.operator === "Exists";
    if (tol.key !== t.key) return false;
    if (tol.operator === "Exists") return true;
    return (tol.value ?? "") === (t.value ?? "");
}

/** Why a pod spec does not fit a node (its labels, taints, allocatable); empty when it fits. `requests` default to the pod's own. */
export function whyNotFits(pod: Obj, node: NodeTemplate, requests?: PodRequests): string[] {
    const why: string[] = [];
    for (const [k, v] of Object.entries(strMap(pod.nodeSelector))) {
        if (node.labels[k] !== v) why.push(`nodeSelector ${k}=${v} (node has ${node.labels[k] === undefined ? "no such label" : `${k}=${node.labels[k]}`})`);
    }
    const na = isObject(pod.affinity) && isObject(pod.affinity.nodeAffinity) ? pod.affinity.nodeAffinity : undefined;
    const req = na && isObject(na.requiredDuringSchedulingIgnoredDuringExecution) ? na.requiredDuringSchedulingIgnoredDuringExecution : undefined;
    const terms = req && Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms.filter(isObject) : undefined;
    if (terms && !terms.some((t) => (Array.isArray(t.matchExpressions) ? t.matchExpressions.filter(isObject) : []).every((e) => matchExpression(e, node.labels)))) {
        why.push("no term of its required node affinity matches the node's labels");
    }
    const tols = Array.isArray(pod.tolerations) ? pod.tolerations.filter(isObject) : [];
    for (const t of node.taints) {
        if (t.effect === "PreferNoSchedule") continue;
        if (!tols.some((tol) => tolerates(tol, t))) why.push(`untolerated taint ${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
    }
    let r = requests;
    if (!r) {
        const got = podRequestsOf(pod);
        if (!got.ok) {
            why.push(got.reason);
            return why;
        }
        r = got.pod;
    }
    const a = node.allocatable;
    if (r.gpus > a.gpus) why.push(`${r.gpus} GPUs requested, ${a.gpus} allocatable`);
    if (r.cpu > a.cpu + 1e-9) why.push(`${r.cpu} vCPU requested, ${a.cpu.toFixed(1)} allocatable`);
    if (r.memoryGiB > a.memoryGiB + 1e-9) why.push(`${r.memoryGiB.toFixed(1)} GiB requested, ${a.memoryGiB.toFixed(1)} allocatable`);
    return why;
}

/** The accelerator's name in CA's AWS GPU label (any value marks the node as a GPU node). */
export function awsAcceleratorLabelValue(accelerator: string): string {
    const a = findAccelerator(accelerator);
    return `nvidia-${(a?.key ?? accelerator).toLowerCase()}`;
}

/**
 * Where an autoscaler's template differs from the node that then joins: labels the node carries that the template
 * lacks or has with another value, and taints on one side only. CA's AWS README: a node that joins with taints CA was
 * not told about causes "significant confusion and misbehaviour" (it scaled up for pods that cannot run there); a
 * label missing from the template keeps CA from ever scaling the group for pods that select it.
 */
export function templateDrift(template: NodeTemplate, joined: NodeTemplate): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(joined.labels)) {
        if (template.labels[k] !== v) out.push(`label ${k}=${v} is ${template.labels[k] === undefined ? "missing from" : `${k}=${template.labels[k]} in`} the template`);
    }
    const key = (t: Taint) => `${t.key}=${t.value ?? ""}:${t.effect}`;
    const tk = new Set(template.taints.map(key));
    const jk = new Set(joined.taints.map(key));
    for (const k of jk) if (!tk.has(k)) out.push(`taint ${k} is missing from the template`);
    for (const k of tk) if (!jk.has(k)) out.push(`taint ${k} is in the template but not on the nodes`);
    return out;
}
