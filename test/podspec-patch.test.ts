// A model's PodSpec patches (template, workerTemplate, prefill.template, prefill.workerTemplate) are checked
// at config time: against the Kubernetes PodSpec schema of the pinned kubernetes-models library, and for
// what strategic merge would take away from the pod modelplane builds (components/models/podSpecPatch.ts).
import assert from "node:assert/strict";
import { checkPatch } from "../components/models/podSpecPatch";
import { issuesOf, stackConfig, SHIPPED_STACKS } from "./harness";

type Raw = Record<string, any>;


const model = (raw: Raw, name: string): Raw => {
    const m = (raw["modelplane:models"] as Raw[]).find((x) => x.name === name);
    assert.ok(m, `no model ${name}`);
    return m;
};

// prod: models[0] llama-3-3-70b, [2] llama-3-1-8b-pd (with prefill), [3] deepseek-r1 (multi-node, has a template)
const LLAMA = "llama-3-3-70b";
const PD = "llama-3-1-8b-pd";
const DEEPSEEK = "deepseek-r1";

interface Case { name: string; mutate: (raw: Raw) => void; path: string; message: RegExp }

const cases: Case[] = [
    { name: "containers as a map", mutate: (r) => { model(r, LLAMA).template = { containers: { main: { image: "vllm:x" } } }; },
        path: "modelplane:models[0].template.containers", message: /must be a list \(- name: …\), not a map.*main container's args, env and GPU resources/ },
    { name: "an unnamed container", mutate: (r) => { model(r, LLAMA).template = { containers: [{ image: "busybox" }] }; },
        path: "modelplane:models[0].template.containers[0].name", message: /is required: a container is merged by name/ },
    { name: "an unnamed init container", mutate: (r) => { model(r, LLAMA).template = { initContainers: [{ name: "warm", image: "busybox" }, { image: "x" }] }; },
        path: "modelplane:models[0].template.initContainers[1].name", message: /is required/ },
    { name: "a duration string for terminationGracePeriodSeconds", mutate: (r) => { model(r, DEEPSEEK).template = { terminationGracePeriodSeconds: "5m" }; },
        path: "modelplane:models[3].template.terminationGracePeriodSeconds", message: /^must be a whole number, got "5m"$/ },
    { name: "tolerations as a map", mutate: (r) => { model(r, LLAMA).template = { tolerations: {} }; },
        path: "modelplane:models[0].template.tolerations", message: /^must be a list, got a map$/ },
    { name: "a wrong enum value", mutate: (r) => { model(r, LLAMA).template = { dnsPolicy: "Cluster" }; },
        path: "modelplane:models[0].template.dnsPolicy", message: /"Cluster" must be one of ClusterFirst, ClusterFirstWithHostNet, Default, None/ },
    { name: "a wrong type deep in a container", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", env: [{ name: "X", value: 3 }] }] }; },
        path: "modelplane:models[0].template.containers[0].env[0].value", message: /^must be a string, got 3$/ },
    { name: "an unknown PodSpec field", mutate: (r) => { model(r, LLAMA).template = { nodeSelecter: { a: "b" } }; },
        path: "modelplane:models[0].template.nodeSelecter", message: /is not a PodSpec field; did you mean "nodeSelector"\?/ },
    { name: "main's GPU limit set to 0", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", resources: { limits: { "nvidia.com/gpu": 0 } } }] }; },
        path: "modelplane:models[0].template.containers[0].resources.limits.nvidia.com/gpu", message: /0 would override the main \(vLLM\) container's GPUs; .*parallelism/ },
    { name: "main's GPU limit removed", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", resources: { limits: { "nvidia.com/gpu": null } } }] }; },
        path: "modelplane:models[0].template.containers[0].resources.limits.nvidia.com/gpu", message: /null would remove the main \(vLLM\) container's GPUs/ },
    { name: "main's GPU request changed", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", resources: { requests: { "nvidia.com/gpu": "2" } } }] }; },
        path: "modelplane:models[0].template.containers[0].resources.requests.nvidia.com/gpu", message: /"2" would override/ },
    { name: "main's resources deleted", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", resources: null }] }; },
        path: "modelplane:models[0].template.containers[0].resources", message: /null would delete the main \(vLLM\) container's resources, including its nvidia.com\/gpu/ },
    { name: "main's args set to []", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", args: [] }] }; },
        path: "modelplane:models[0].template.containers[0].args", message: /^\[\] would remove the main \(vLLM\) container's arguments.*vllm\.args/ },
    { name: "main's env deleted", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", env: null }] }; },
        path: "modelplane:models[0].template.containers[0].env", message: /null would delete the main \(vLLM\) container's env, including HF_TOKEN/ },
    { name: "HF_TOKEN deleted from main", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", env: [{ name: "HF_TOKEN", $patch: "delete" }] }] }; },
        path: "modelplane:models[0].template.containers[0].env[0]", message: /would delete HF_TOKEN from the main \(vLLM\) container/ },
    { name: "main deleted", mutate: (r) => { model(r, LLAMA).template = { containers: [{ name: "main", $patch: "delete" }] }; },
        path: "modelplane:models[0].template.containers[0].$patch", message: /would delete the main \(vLLM\) container/ },
    { name: "every container deleted", mutate: (r) => { model(r, LLAMA).template = { containers: null }; },
        path: "modelplane:models[0].template.containers", message: /null would delete every container/ },
    { name: "workerTemplate: containers as a map", mutate: (r) => { model(r, DEEPSEEK).workerTemplate = { containers: { main: {} } }; },
        path: "modelplane:models[3].workerTemplate.containers", message: /must be a list \(- name: …\), not a map/ },
    { name: "workerTemplate: main's args deleted", mutate: (r) => { model(r, DEEPSEEK).workerTemplate = { containers: [{ name: "main", args: null }] }; },
        path: "modelplane:models[3].workerTemplate.containers[0].args", message: /^null would remove the main \(vLLM\) container's arguments/ },
    { name: "prefill.template: GPU limit set to 0", mutate: (r) => { model(r, PD).prefill.template = { containers: [{ name: "main", resources: { limits: { "nvidia.com/gpu": 0 } } }] }; },
        path: "modelplane:models[2].prefill.template.containers[0].resources.limits.nvidia.com/gpu", message: /would override the main \(vLLM\) container's GPUs/ },
    { name: "prefill.template: unnamed container", mutate: (r) => { model(r, PD).prefill.template = { containers: [{ image: "x" }] }; },
        path: "modelplane:models[2].prefill.template.containers[0].name", message: /is required/ },
    { name: "prefill.workerTemplate: wrong type", mutate: (r) => { model(r, PD).prefill.workerTemplate = { hostIPC: "yes" }; },
        path: "modelplane:models[2].prefill.workerTemplate.hostIPC", message: /^must be true or false, got "yes"$/ },
];

describe("model PodSpec patches (template / workerTemplate)", () => {
    for (const stack of SHIPPED_STACKS) {
        it(`the shipped ${stack} stack's patches pass`, () => {
            assert.deepEqual(issuesOf(stack, () => {}), []);
        });
    }

    it("prod's deepseek-r1 keeps its template (terminationGracePeriodSeconds: 300)", () => {
        const m = stackConfig("prod").models.find((x) => x.name === DEEPSEEK)!;
        assert.deepEqual(m.template, { terminationGracePeriodSeconds: 300 });
    });

    it("accepts partial patches: a partial main, a sidecar, merge-keyed items without their required fields, null deletes", () => {
        const issues = issuesOf("prod", (r) => {
            model(r, LLAMA).template = {
                nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" },
                tolerations: [{ key: "dedicated", operator: "Equal", value: "llm", effect: "NoSchedule" }],
                priorityClassName: null,
                containers: [
                    { name: "main", env: [{ name: "VLLM_LOGGING_LEVEL", value: "DEBUG" }], volumeMounts: [{ mountPath: "/dev/shm", readOnly: false }],
                        resources: { limits: { memory: "200Gi" } } },
                    { name: "log-shipper", image: "fluent/fluent-bit:3.2", args: ["-c", "/etc/fb.conf"] },
                ],
                volumes: [{ name: "fb", configMap: { name: "fb" } }],
            };
            // replacing (not emptying) main's args stays allowed: the escape hatch's use in models.builder.test.ts
            model(r, DEEPSEEK).workerTemplate = { terminationGracePeriodSeconds: 300, containers: [{ name: "main", args: ["--only-this"], env: [{ name: "NCCL_DEBUG", value: "INFO" }] }] };
            model(r, PD).prefill.template = { containers: [{ name: "main", resources: { requests: { cpu: "8" } } }] };
        });
        assert.deepEqual(issues, []);
    });

    it(`has at least 12 invalid cases (${cases.length})`, () => assert.ok(cases.length >= 12));

    for (const c of cases) {
        it(`rejects: ${c.name} → ${c.path}`, () => {
            const issues = issuesOf("prod", c.mutate);
            const hit = issues.find((i) => i.path === c.path);
            assert.ok(hit, `no issue at ${c.path}; got ${JSON.stringify(issues, null, 1)}`);
            assert.match(hit.message, c.message);
        });
    }

    it("reports every problem of a patch at once", () => {
        const issues = checkPatch({ terminationGracePeriodSeconds: "5m", tolerations: {}, nodeSelecter: {}, containers: [{ image: "x" }] });
        assert.deepEqual(issues.map((i) => i.path.join(".")).sort(),
            ["containers.0.name", "nodeSelecter", "terminationGracePeriodSeconds", "tolerations"]);
    });
});
