// Pure builders of the cluster layer (components/cluster/*): no mocks, no Pulumi runtime.
import assert from "node:assert/strict";
import { parse } from "yaml";
import { findInstanceType } from "../lib/catalog";
import { ACCELERATOR_LABEL, GPU_TAINT, POOL_ANNOTATIONS, POOL_LABEL } from "../lib/labels";
import { GpuPoolConfig } from "../components/config";
import {
    gcsModelReaderCondition, modelBucketPrefixes, podIdentityTrustPolicy, s3ModelReaderPolicy, workloadIdentityMember,
} from "../components/cluster/identity";
import { eksKubeconfig, gkeKubeconfig } from "../components/cluster/kubeconfig";
import { awsSubnetLayout, cidrSubnet, gcpAccountId, gcpRegion, principalKey, subnetsInZones } from "../components/cluster/network";
import {
    launchTemplateUserData, localStorageStrategy, MIME_BOUNDARY, nodeadmUserData, nodeConfigFor, parseMimeMultipart,
} from "../components/cluster/nodeadm";
import {
    awsCapacity, awsPoolZones, awsSystemAmiType, cloudTaintEffect, GPU_PRESENT_LABEL, gkeCapacity, gkeGuestAccelerators,
    gkeLocalSsd, poolAnnotations, poolLabels, poolMarker, poolTaints,
} from "../components/cluster/nodePools";
import { stackConfig } from "./harness";

/** A pool of a shipped stack, optionally with some fields of its raw config replaced first. */
function pool(stack: string, name: string, patch: Record<string, unknown> = {}): GpuPoolConfig {
    const cfg = stackConfig(stack, (raw) => {
        const pools = raw["modelplane:gpuPools"] as Record<string, unknown>[];
        const i = pools.findIndex((p) => p.name === name);
        pools[i] = { ...pools[i], ...patch };
        for (const [k, v] of Object.entries(patch)) if (v === undefined) delete pools[i][k];
    });
    return cfg.gpuPools.find((p) => p.name === name)!;
}

/** Decodes launch template user data the way EC2 → cloud-init → nodeadm sees it and returns the NodeConfig parts. */
function decodeNodeConfigs(userDataBase64: string): Record<string, any>[] {
    const text = Buffer.from(userDataBase64, "base64").toString("utf8");
    return parseMimeMultipart(text).filter((p) => p.headers["content-type"] === "application/node.eks.aws").map((p) => parse(p.body));
}

describe("cluster builders: nodeadm user data", () => {
    it("maps localNvme to nodeadm's localStorage strategy (raid0 → RAID0, localVolumes → Mount, none → nothing)", () => {
        assert.equal(localStorageStrategy("raid0"), "RAID0");
        assert.equal(localStorageStrategy("localVolumes"), "Mount");
        assert.equal(localStorageStrategy("none"), undefined);
        assert.equal(nodeConfigFor("none"), undefined);
        assert.equal(launchTemplateUserData("none"), undefined);
    });

    it("writes a MIME multipart NodeConfig that decodes back to spec.instance.localStorage.strategy RAID0", () => {
        const b64 = launchTemplateUserData("raid0")!;
        const text = Buffer.from(b64, "base64").toString("utf8");
        assert.match(text, /^MIME-Version: 1\.0\r\nContent-Type: multipart\/mixed; boundary="MODELPLANE"\r\n/);
        assert.ok(text.trimEnd().endsWith(`--${MIME_BOUNDARY}--`), "closing delimiter");
        const configs = decodeNodeConfigs(b64);
        assert.equal(configs.length, 1);
        assert.deepEqual(configs[0], {
            apiVersion: "node.eks.aws/v1alpha1", kind: "NodeConfig", spec: { instance: { localStorage: { strategy: "RAID0" } } },
        });
    });

    it("is byte-for-byte stable (a changing boundary would roll every GPU node on each run)", () => {
        assert.equal(launchTemplateUserData("raid0"), launchTemplateUserData("raid0"));
        assert.equal(nodeadmUserData(nodeConfigFor("localVolumes")!), nodeadmUserData(nodeConfigFor("localVolumes")!));
    });

    it("parses LF-only multipart too", () => {
        const parts = parseMimeMultipart('Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/x-shellscript\n\necho hi\n--B--\n');
        assert.deepEqual(parts, [{ headers: { "content-type": "text/x-shellscript" }, body: "echo hi" }]);
    });
});

describe("cluster builders: pool labels, taints and annotations", () => {
    it("labels GPU nodes with the pool, the accelerator and nvidia.com/gpu.present (device plugin affinity)", () => {
        const h100 = pool("prod", "h100");
        // h100 has local NVMe: its nodes also carry the label KServe's local-model agent selects.
        assert.deepEqual(poolLabels(h100), { [POOL_LABEL]: "h100", [ACCELERATOR_LABEL]: "H100", [GPU_PRESENT_LABEL]: "true", "kserve/localmodel": "worker" });
        assert.equal(poolLabels(pool("dev", "l4"))["kserve/localmodel"], undefined, "no NVMe, no cache agent");
        // The models' nodeSelector (config.ts default) is a subset of the node labels.
        for (const [k, v] of Object.entries(h100.nodeSelector)) assert.equal(poolLabels(h100)[k], v);
    });

    it("taints with nvidia.com/gpu=present:NO_SCHEDULE only when the pool asks for it", () => {
        assert.deepEqual(poolTaints(pool("prod", "l40s")), [{ key: GPU_TAINT.key, value: "present", effect: "NO_SCHEDULE" }]);
        assert.deepEqual(poolTaints(pool("prod", "l40s", { taint: false })), []);
        assert.deepEqual(poolTaints(pool("prod", "h100")), [], "prod's h100 pool is untainted (its localCache model)");
        assert.equal(cloudTaintEffect("NoExecute"), "NO_EXECUTE");
        assert.equal(cloudTaintEffect("PreferNoSchedule"), "PREFER_NO_SCHEDULE");
    });

    it("carries the pool facts as POOL_ANNOTATIONS (GPU count from the catalog)", () => {
        assert.deepEqual(poolAnnotations(pool("prod", "l40s")), {
            [POOL_ANNOTATIONS.pool]: "l40s", [POOL_ANNOTATIONS.accelerator]: "L40S",
            [POOL_ANNOTATIONS.gpusPerNode]: String(findInstanceType("g6e.12xlarge")!.gpus),
            [POOL_ANNOTATIONS.maxNodes]: "6", [POOL_ANNOTATIONS.instanceType]: "g6e.12xlarge",
        });
    });

    it("describes an existing cluster's pool in a gpu-pool-<name> marker ConfigMap", () => {
        const cpu = pool("local", "cpu");
        const m = poolMarker(cpu);
        assert.equal(m.metadata.name, "gpu-pool-cpu");
        assert.deepEqual(m.metadata.annotations, {
            [POOL_ANNOTATIONS.pool]: "cpu", [POOL_ANNOTATIONS.accelerator]: "cpu", [POOL_ANNOTATIONS.gpusPerNode]: "0", [POOL_ANNOTATIONS.maxNodes]: "1",
        });
        assert.deepEqual(JSON.parse(m.data.nodeSelector), { "kubernetes.io/os": "linux" });
        assert.equal(m.data.taint, "");
        const gpu = stackConfig("local", (raw) => {
            raw["modelplane:gpuPools"] = [{ name: "a100", accelerator: "A100-80GB", gpusPerNode: 8, maxNodes: 3, nodeSelector: { gpu: "a100" } }];
            raw["modelplane:models"] = [];
        }).gpuPools[0];
        const g = poolMarker(gpu);
        assert.equal(g.data.taint, "nvidia.com/gpu=present:NoSchedule");
        assert.equal(g.metadata.annotations[POOL_ANNOTATIONS.gpusPerNode], "8");
        assert.equal(g.metadata.annotations[POOL_ANNOTATIONS.maxNodes], "3");
    });
});

describe("cluster builders: AWS capacity mapping", () => {
    it("onDemand → ON_DEMAND and spot → SPOT with the instance type on the node group", () => {
        assert.deepEqual(awsCapacity(pool("prod", "l40s")), {
            capacityType: "ON_DEMAND", instanceTypes: ["g6e.12xlarge"], launchTemplate: {}, singleZone: false,
        });
        assert.equal(awsCapacity(pool("prod", "l40s", { capacity: "spot" })).capacityType, "SPOT");
    });

    it("reservation → ON_DEMAND with the launch template targeting the reservation", () => {
        const c = awsCapacity(pool("prod", "h100"));
        assert.equal(c.capacityType, "ON_DEMAND");
        assert.deepEqual(c.launchTemplate, { capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: "cr-0a1b2c3d4e5f60718" } } });
        assert.deepEqual(c.instanceTypes, ["p5.48xlarge"]);
        assert.equal(awsPoolZones(pool("prod", "h100")), undefined, "no zones given: all private subnets");
        assert.deepEqual(awsPoolZones(pool("prod", "h100", { zones: ["us-east-2b", "us-east-2c"] })), ["us-east-2b"], "the reservation's AZ");
    });

    it("capacityBlock → CAPACITY_BLOCK, capacity-block market, the block id and the instance type in the launch template, one AZ", () => {
        const p = pool("prod", "h100", { capacity: "capacityBlock", reservation: "cr-0123456789abcdef0", zones: ["us-east-2a"] });
        const c = awsCapacity(p);
        assert.equal(c.capacityType, "CAPACITY_BLOCK");
        assert.equal(c.instanceTypes, undefined, "EKS rejects an instance type in both the node group and the template");
        assert.deepEqual(c.launchTemplate, {
            instanceType: "p5.48xlarge",
            instanceMarketOptions: { marketType: "capacity-block" },
            capacityReservationSpecification: { capacityReservationTarget: { capacityReservationId: "cr-0123456789abcdef0" } },
        });
        assert.deepEqual(awsPoolZones(p), ["us-east-2a"]);
    });

    it("uses the ARM AMI for Graviton system pools", () => {
        assert.equal(awsSystemAmiType("m7i.2xlarge"), "AL2023_x86_64_STANDARD");
        assert.equal(awsSystemAmiType("m7g.2xlarge"), "AL2023_ARM_64_STANDARD");
        assert.equal(awsSystemAmiType("c7gn.xlarge"), "AL2023_ARM_64_STANDARD");
    });
});

describe("cluster builders: GKE pool shapes from the catalog", () => {
    const a3 = (patch: Record<string, unknown>) => stackConfig("dev", (raw) => {
        (raw["modelplane:gpuPools"] as unknown[]).push({ name: "h100", instanceType: "a3-highgpu-8g", maxNodes: 2, ...patch });
    }).gpuPools.find((p) => p.name === "h100")!;

    it("guestAccelerators: catalog GKE type and GPU count, GKE-installed driver", () => {
        assert.deepEqual(gkeGuestAccelerators(pool("dev", "l4x4")), [{ type: "nvidia-l4", count: 4, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }]);
        assert.deepEqual(gkeGuestAccelerators(a3({}))[0].type, "nvidia-h100-80gb");
        assert.equal(gkeGuestAccelerators(a3({}))[0].count, findInstanceType("a3-highgpu-8g")!.gpus);
    });

    it("local SSD: raid0 → ephemeral storage, localVolumes → raw NVMe block, count from the catalog; none without disks", () => {
        const disks = findInstanceType("a3-highgpu-8g")!.localNvme!.disks;
        assert.deepEqual(gkeLocalSsd(a3({ localNvme: "raid0" })), { ephemeralStorageLocalSsdConfig: { localSsdCount: disks } });
        assert.deepEqual(gkeLocalSsd(a3({})), { ephemeralStorageLocalSsdConfig: { localSsdCount: disks } }, "raid0 is the default with NVMe");
        assert.deepEqual(gkeLocalSsd(a3({ localNvme: "localVolumes" })), { localNvmeSsdBlockConfig: { localSsdCount: disks } });
        assert.deepEqual(gkeLocalSsd(a3({ localNvme: "none" })), {});
        assert.deepEqual(gkeLocalSsd(pool("dev", "l4")), {}, "g2-standard-4 has no local SSD in the catalog");
    });

    it("capacity: spot → spot VMs, reservation → SPECIFIC_RESERVATION by name, onDemand → GKE default", () => {
        assert.deepEqual(gkeCapacity(pool("dev", "l4")), { spot: true });
        assert.deepEqual(gkeCapacity(a3({ capacity: "reservation", reservation: "h100-res" })), {
            reservationAffinity: { consumeReservationType: "SPECIFIC_RESERVATION", key: "compute.googleapis.com/reservation-name", values: ["h100-res"] },
        });
        assert.deepEqual(gkeCapacity(a3({})), {});
    });
});

describe("cluster builders: kubeconfig", () => {
    it("EKS: exec `aws eks get-token` for the cluster and region, CA and endpoint from the cluster", () => {
        const k = parse(eksKubeconfig({ clusterName: "llm-prod", endpoint: "https://x.eks.amazonaws.com", caData: "Q0E=", region: "us-east-2" }));
        assert.equal(k["current-context"], "llm-prod");
        assert.equal(k.clusters[0].cluster.server, "https://x.eks.amazonaws.com");
        assert.equal(k.clusters[0].cluster["certificate-authority-data"], "Q0E=");
        const exec = k.users[0].user.exec;
        assert.equal(exec.apiVersion, "client.authentication.k8s.io/v1beta1");
        assert.equal(exec.command, "aws");
        assert.deepEqual(exec.args, ["eks", "get-token", "--cluster-name", "llm-prod", "--region", "us-east-2", "--output", "json"]);
        assert.equal(k.users[0].user.token, undefined, "no static credentials");
    });

    it("GKE: exec gke-gcloud-auth-plugin, https:// added to the endpoint IP", () => {
        const k = parse(gkeKubeconfig({ clusterName: "llm-dev", endpoint: "203.0.113.10", caData: "Q0E=" }));
        assert.equal(k.clusters[0].cluster.server, "https://203.0.113.10");
        assert.equal(k.users[0].user.exec.command, "gke-gcloud-auth-plugin");
        assert.equal(k.users[0].user.exec.provideClusterInfo, true);
        assert.equal(k.contexts[0].context.user, "llm-dev");
    });
});

describe("cluster builders: network and names", () => {
    it("cidrSubnet matches Terraform's cidrsubnet", () => {
        assert.equal(cidrSubnet("10.60.0.0/16", 3, 0), "10.60.0.0/19");
        assert.equal(cidrSubnet("10.60.0.0/16", 3, 2), "10.60.64.0/19");
        assert.equal(cidrSubnet("10.60.0.0/16", 6, 56), "10.60.224.0/22");
        assert.throws(() => cidrSubnet("10.60.0.0/16", 3, 8), /no subnet #8/);
    });

    it("lays private /19s and public /22s out of a /16 without overlap", () => {
        const l = awsSubnetLayout("10.60.0.0/16", 3);
        assert.deepEqual(l.private, ["10.60.0.0/19", "10.60.32.0/19", "10.60.64.0/19"]);
        assert.deepEqual(l.public, ["10.60.224.0/22", "10.60.228.0/22", "10.60.232.0/22"]);
        const six = awsSubnetLayout("10.0.0.0/16", 6);
        assert.equal(new Set([...six.private, ...six.public]).size, 12);
        assert.equal(six.private[5], "10.0.160.0/19", "the sixth private subnet ends before the public eighth (10.0.224.0/19)");
        assert.throws(() => awsSubnetLayout("10.0.0.0/8", 3), /vpcCidr 10\.0\.0\.0\/8: must be \/16 to \/22/);
        assert.throws(() => awsSubnetLayout("10.0.0.0/24", 3), /must be \/16 to \/22/);
    });

    it("picks the subnets of the requested zones and names a zone the VPC lacks", () => {
        const subnets = [{ id: "s-a", zone: "z-a" }, { id: "s-b", zone: "z-b" }];
        assert.deepEqual(subnetsInZones(subnets, ["z-b"], "pool"), ["s-b"]);
        assert.throws(() => subnetsInZones(subnets, ["z-c"], "pool h100"), /pool h100: zone z-c is not one of the cluster subnets' zones \(z-a, z-b\)/);
    });

    it("derives GCP regions and service account ids within GCP's limits", () => {
        assert.equal(gcpRegion("us-central1"), "us-central1");
        assert.equal(gcpRegion("us-central1-a"), "us-central1");
        assert.equal(gcpRegion("europe-west4-b"), "europe-west4");
        assert.equal(gcpAccountId("llm-dev", "models"), "llm-dev-models");
        const long = "a-very-long-cluster-name-that-is-forty-c";
        const id = gcpAccountId(long, "models");
        assert.ok(id.length <= 30 && /^[a-z]([-a-z0-9]*[a-z0-9])$/.test(id), id);
        assert.notEqual(id, gcpAccountId(long.replace(/c$/, "d"), "models"), "long names stay distinct");
    });

    it("names access entries by the principal (stable when the list is reordered)", () => {
        const arn = "arn:aws:iam::123456789012:role/platform-admin";
        assert.match(principalKey(arn), /^platform-admin-[0-9a-f]{6}$/);
        assert.notEqual(principalKey(arn), principalKey("arn:aws:iam::210987654321:role/platform-admin"));
    });
});

describe("cluster builders: identities", () => {
    it("Pod Identity trust: pods.eks.amazonaws.com with AssumeRole and TagSession", () => {
        const doc = JSON.parse(podIdentityTrustPolicy());
        assert.deepEqual(doc.Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
        assert.deepEqual(doc.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
    });

    it("model buckets by convention: <cluster>-models* and <project>-<stack>-models* (read-only)", () => {
        const cfg = stackConfig("prod");
        const prefixes = modelBucketPrefixes(cfg);
        assert.deepEqual(prefixes, ["llm-prod-models", "modelplane-prod-models"]);
        // The shipped prod model s3://modelplane-prod-models/... is covered.
        assert.ok(cfg.models.some((m) => m.uri.startsWith("s3://modelplane-prod-models/")));
        const doc = JSON.parse(s3ModelReaderPolicy(prefixes));
        assert.deepEqual(doc.Statement[1].Resource, ["arn:aws:s3:::llm-prod-models*/*", "arn:aws:s3:::modelplane-prod-models*/*"]);
        const actions = doc.Statement.flatMap((s: { Action: string[] }) => s.Action);
        assert.ok(actions.every((a: string) => /^s3:(Get|List)/.test(a)), `read-only: ${actions}`);
        assert.match(gcsModelReaderCondition(["llm-dev-models"]).expression, /^resource\.name\.startsWith\("projects\/_\/buckets\/llm-dev-models"\)$/);
        assert.equal(workloadIdentityMember("p", "search", "model-server"), "serviceAccount:p.svc.id.goog[search/model-server]");
    });
});
