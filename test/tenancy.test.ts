// Tenancy: one namespace per team with its GPU ResourceQuota, NetworkPolicies, Hugging Face token Secret and the
// model ServiceAccount — pure builders first, then what the shipped stacks register under mocks.
import { strict as assert } from "node:assert";
import {
    ENVOY_GATEWAY_NAMESPACE, KSERVE_LABELS, MODEL_WORKERS_POLICY, PORTS, buildNamespace, buildNetworkPolicies, buildResourceQuota,
    gatewayNamespaces,
} from "../components/tenancy/objects";
import { HF_TOKEN_KEY, HF_TOKEN_SECRET, MODEL_SERVICE_ACCOUNT } from "../components/names";
import { GPU_RESOURCE, MANAGED_BY_LABEL, TEAM_LABEL } from "../lib/labels";
import { RegisteredResource, SECRET_PLACEHOLDER } from "../lib/resources";
import { SHIPPED_STACKS, ofType, registered, shippedResources, stackConfig } from "./harness";
import { PROMETHEUS_POD_LABELS } from "../components/observability/targets";
import { Source, admits, gatewayPods, modelPods, selects } from "./observability.targets";

type Obj = Record<string, any>;

const T = {
    namespace: "kubernetes:core/v1:Namespace",
    quota: "kubernetes:core/v1:ResourceQuota",
    netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    secret: "kubernetes:core/v1:Secret",
    sa: "kubernetes:core/v1:ServiceAccount",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    gcpIamMember: "gcp:serviceaccount/iAMMember:IAMMember",
};
const meta = (r: RegisteredResource): Obj => r.props.metadata as Obj;
const inNs = (rs: RegisteredResource[], type: string, ns: string) => ofType(rs, type).filter((r) => meta(r).namespace === ns);
/** Other layers register ServiceAccounts and Secrets too: only the team ones (by name and team label). */
const teamOwned = (rs: RegisteredResource[], type: string, name: string) =>
    ofType(rs, type).filter((r) => meta(r).name === name && meta(r).labels?.[TEAM_LABEL] !== undefined);

describe("tenancy: builders", () => {
    const prod = stackConfig("prod");
    const team = prod.teams[0];

    it("Namespace named after the team, with the team and managed-by labels", () => {
        const ns = buildNamespace(team);
        assert.equal(ns.metadata.name, team.name);
        assert.equal(ns.metadata.labels[TEAM_LABEL], team.name);
        assert.equal(ns.metadata.labels[MANAGED_BY_LABEL], "modelplane");
    });

    it("ResourceQuota caps requests.nvidia.com/gpu at the team's gpuQuota (extended resources take requests. only)", () => {
        const q = buildResourceQuota({ name: "x", gpuQuota: 24 }) as Obj;
        assert.equal(q.metadata.namespace, "x");
        assert.deepEqual(q.spec.hard, { [`requests.${GPU_RESOURCE}`]: "24" });
        assert.deepEqual(buildResourceQuota({ name: "y", gpuQuota: 0 }).spec, { hard: { [`requests.${GPU_RESOURCE}`]: "0" } });
    });

    it("NetworkPolicies: model servers reachable only from the gateway, monitoring and the namespace's KServe pods", () => {
        const [servers, pickers] = buildNetworkPolicies(team, prod.platform) as Obj[];
        assert.deepEqual(servers.spec.podSelector.matchLabels, {
            [KSERVE_LABELS.partOf.key]: "llminferenceservice", [KSERVE_LABELS.workload.key]: "workload",
        });
        assert.deepEqual(servers.spec.policyTypes, ["Ingress"]);
        const nsOf = (rule: Obj) => rule.from.map((f: Obj) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]);
        const ports = (rule: Obj) => rule.ports?.map((p: Obj) => p.port);
        const [gw, mon, peers] = servers.spec.ingress;
        assert.deepEqual(nsOf(gw), ["modelplane-gateway", ENVOY_GATEWAY_NAMESPACE]);
        assert.deepEqual(ports(gw), [8000, 8001]);
        assert.deepEqual(nsOf(mon), ["monitoring"]);
        assert.deepEqual(ports(mon), [8000, 8001]);
        // EPP, LWS leader/worker and prefill/decode peers: same namespace (no namespaceSelector), any port.
        assert.deepEqual(peers, { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": "llminferenceservice" } } }] });

        assert.deepEqual(pickers.spec.podSelector.matchLabels, {
            [KSERVE_LABELS.partOf.key]: "llminferenceservice", "app.kubernetes.io/component": "llminferenceservice-router-scheduler",
        });
        assert.deepEqual(ports(pickers.spec.ingress[0]), [9002]);
        assert.deepEqual(ports(pickers.spec.ingress[1]), [9090]);
    });

    it("NetworkPolicies: LWS workers (no kserve.io/component) reachable only from the namespace's KServe pods", () => {
        const workers = buildNetworkPolicies(team, prod.platform).find((p) => p.metadata.name === MODEL_WORKERS_POLICY) as Obj;
        assert.deepEqual(workers.spec.podSelector, {
            matchLabels: { "app.kubernetes.io/part-of": "llminferenceservice" },
            matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In",
                values: ["llminferenceservice-workload-worker", "llminferenceservice-workload-worker-prefill"] }],
        });
        assert.deepEqual(workers.spec.policyTypes, ["Ingress"]);
        assert.deepEqual(workers.spec.ingress, [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/part-of": "llminferenceservice" } } }] }]);
    });

    it("NetworkPolicies follow platform.gateway.namespace and platform.monitoringNamespace", () => {
        const cfg = stackConfig("local", (raw) => {
            // The cluster's own Prometheus in "observability" (this stack installs none: with its own, the key must name "monitoring").
            raw["modelplane:platform"] = { gateway: { namespace: "edge" }, monitoringNamespace: "observability", monitoring: { enabled: false } };
        });
        assert.deepEqual(gatewayNamespaces(cfg.platform), ["edge", ENVOY_GATEWAY_NAMESPACE]);
        const [servers] = buildNetworkPolicies(cfg.teams[0], cfg.platform) as Obj[];
        const names = servers.spec.ingress.flatMap((r: Obj) => r.from.map((f: Obj) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]));
        assert.deepEqual(names.filter(Boolean), ["edge", ENVOY_GATEWAY_NAMESPACE, "observability"]);
    });
});

describe("tenancy: registered objects", function () {
    this.timeout(300_000);

    it("prod: per team a Namespace, a ResourceQuota equal to gpuQuota, three NetworkPolicies, the token Secret and ServiceAccount", async () => {
        const rs = await shippedResources("prod");
        const cfg = stackConfig("prod");
        const teamNamespaces = ofType(rs, T.namespace).filter((r) => meta(r).labels?.[TEAM_LABEL] !== undefined);
        assert.deepEqual(teamNamespaces.map((r) => meta(r).name).sort(), cfg.teams.map((t) => t.name).sort());
        for (const team of cfg.teams) {
            const ns = ofType(rs, T.namespace).find((r) => meta(r).name === team.name)!;
            assert.equal(meta(ns).labels[TEAM_LABEL], team.name);
            const quotas = inNs(rs, T.quota, team.name);
            assert.equal(quotas.length, 1);
            assert.equal((quotas[0].props.spec as Obj).hard[`requests.${GPU_RESOURCE}`], String(team.gpuQuota));
            assert.equal(inNs(rs, T.netpol, team.name).length, 3);
            assert.equal(inNs(rs, T.secret, team.name).length, 1);
            assert.equal(inNs(rs, T.sa, team.name).length, 1, "nothing else registers ServiceAccounts in team namespaces");
            for (const r of [...quotas, ...inNs(rs, T.netpol, team.name), ...inNs(rs, T.secret, team.name), ...inNs(rs, T.sa, team.name)]) {
                assert.ok(r.dependencies.includes(ns.urn), `${r.urn} waits for its namespace`);
                assert.ok(r.provider, `${r.urn} uses the cluster provider`);
            }
        }
    });

    it("the Hugging Face token Secret is registered as a secret (stringData), never in plain text", async () => {
        const rs = await shippedResources("prod");
        const secrets = teamOwned(rs, T.secret, HF_TOKEN_SECRET);
        assert.equal(secrets.length, stackConfig("prod").teams.length);
        for (const s of secrets) {
            assert.ok(s.secretProps.includes("stringData"), `${s.urn}: secretProps ${JSON.stringify(s.secretProps)}`);
            assert.equal(s.props.stringData, SECRET_PLACEHOLDER);
            assert.ok(!JSON.stringify(s.props).includes("placeholder-for-prod"), "plan output must not contain the token");
            assert.equal(typeof (s.rawProps?.stringData as Obj)[HF_TOKEN_KEY], "string");
        }
    });

    it("the model ServiceAccount lists the token Secret (KServe's storage initializer reads HF_TOKEN from it)", async () => {
        const rs = await shippedResources("prod");
        const sas = teamOwned(rs, T.sa, MODEL_SERVICE_ACCOUNT);
        assert.equal(sas.length, stackConfig("prod").teams.length);
        for (const sa of sas) {
            assert.deepEqual(sa.props.secrets, [{ name: HF_TOKEN_SECRET }]);
        }
    });

    it("aws: each team's ServiceAccount is bound to the model-reader role through EKS Pod Identity", async () => {
        const rs = await shippedResources("prod");
        const assoc = ofType(rs, T.podIdentity);
        for (const team of stackConfig("prod").teams) {
            const a = assoc.find((r) => r.props.namespace === team.name);
            assert.ok(a, `no Pod Identity association for ${team.name}`);
            assert.equal(a.props.serviceAccount, MODEL_SERVICE_ACCOUNT);
            assert.ok(a.parent?.endsWith(`::team-${team.name}`), "registered under the team");
        }
    });

    it("a team's cloudIdentity is bound instead of the platform's model reader", async () => {
        const arn = "arn:aws:iam::123456789012:role/research-models";
        const rs = await registered(stackConfig("prod", (raw) => {
            (raw["modelplane:teams"] as Obj[]).find((t) => t.name === "research")!.cloudIdentity = arn;
        }));
        const a = ofType(rs, T.podIdentity).find((r) => r.props.namespace === "research")!;
        assert.equal(a.props.roleArn, arn);
    });

    it("gcp: the ServiceAccount carries the Workload Identity annotation from the cluster binding", async () => {
        const rs = await shippedResources("dev");
        const sas = teamOwned(rs, T.sa, MODEL_SERVICE_ACCOUNT);
        assert.equal(sas.length, stackConfig("dev").teams.length);
        for (const sa of sas) {
            const ann = meta(sa).annotations as Obj;
            assert.match(String(ann["iam.gke.io/gcp-service-account"]), /@/, JSON.stringify(ann));
        }
        assert.ok(ofType(rs, T.gcpIamMember).some((r) => String(r.props.member).includes(`[search/${MODEL_SERVICE_ACCOUNT}]`)));
    });

    it("existing cluster without a token: no Secret, no binding, the token env stays optional", async () => {
        const rs = await shippedResources("local");
        assert.equal(teamOwned(rs, T.secret, HF_TOKEN_SECRET).length, 0);
        const [sa] = teamOwned(rs, T.sa, MODEL_SERVICE_ACCOUNT);
        assert.equal(sa.props.secrets, undefined);
        assert.deepEqual(meta(sa).annotations ?? {}, {});
        assert.equal(inNs(rs, T.quota, "demo").length, 1);
        assert.equal((inNs(rs, T.quota, "demo")[0].props.spec as Obj).hard[`requests.${GPU_RESOURCE}`], "0");
    });
});

// Every pod KServe v0.20.0 makes for the shipped models (test/observability.targets.ts modelPods: labels from its
// code, not from our selectors), against the NetworkPolicies the program registers in its namespace.
describe("tenancy: NetworkPolicies over the pods KServe creates", function () {
    this.timeout(300_000);
    // Ports the pods of one service use among themselves, chosen at run time (torch.distributed 29500, Ray 6379,
    // data-parallel RPC 5555, NIXL 5600) and the served ones.
    const peerPorts = [PORTS.vllm, PORTS.decodeVllm, 5555, 5600, 6379, 29500];
    const nsLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });

    for (const stack of SHIPPED_STACKS) {
        it(`${stack}: every model pod is selected by a policy; a service's pods reach each other on any port; workers admit no one else`, async () => {
            const rs = await shippedResources(stack);
            const pods = modelPods(rs);
            const policiesIn = (ns: string) => inNs(rs, T.netpol, ns).map((r) => r.props as Obj);
            for (const pod of pods) {
                const policies = policiesIn(pod.namespace);
                assert.ok(policies.some((p) => selects(p.spec.podSelector, pod.labels)), `${pod.what}: no NetworkPolicy selects it (open to every pod of the cluster)`);
                const service = pod.labels["app.kubernetes.io/name"];
                for (const peer of pods.filter((q) => q !== pod && q.namespace === pod.namespace && q.labels["app.kubernetes.io/name"] === service)) {
                    const src: Source = { namespaceLabels: nsLabels(pod.namespace), podLabels: peer.labels, sameNamespace: true };
                    for (const port of peerPorts) assert.ok(admits(policies, pod.labels, src, port), `${pod.what} refuses ${peer.what} on ${port}`);
                }
            }
            const workers = pods.filter((p) => p.what.endsWith("worker"));
            if (stack === "prod") assert.ok(workers.length > 0, "prod ships a multi-node model (LWS workers)");
            const prometheus: Source = { namespaceLabels: nsLabels("monitoring"), podLabels: { ...PROMETHEUS_POD_LABELS }, sameNamespace: false };
            const gateways: Source[] = gatewayPods(rs).map((g) => ({ namespaceLabels: nsLabels(g.namespace), podLabels: g.labels, sameNamespace: false }));
            const neighbour: Source = { namespaceLabels: {}, podLabels: { app: "notebook" }, sameNamespace: true };
            for (const w of workers) {
                const policies = policiesIn(w.namespace);
                for (const src of [prometheus, neighbour, ...gateways]) {
                    assert.deepEqual(peerPorts.filter((port) => admits(policies, w.labels, src, port)), [], `${w.what} admits ${JSON.stringify(src.podLabels)}`);
                }
            }
        });
    }
});
