import assert from "node:assert/strict";
import {
    ACCELERATORS,
    CPU_ACCELERATOR_KEY,
    GCP_LOCAL_SSD_GIB,
    INSTANCE_TYPES,
    InstanceType,
    UNSOURCED_FIELDS,
    acceleratorKeys,
    acceleratorOf,
    findAccelerator,
    findAcceleratorByGkeType,
    findInstanceType,
    instanceTypeNames,
    isSourced,
} from "../lib/catalog";

/** Looks a row up and fails the test (rather than returning undefined) if it is missing. */
function mustFind(name: string): InstanceType {
    const t = findInstanceType(name);
    assert.ok(t, `${name} is in the catalog`);
    return t;
}

describe("catalog: accelerators", () => {
    it("keys of ACCELERATORS match each record's key", () => {
        for (const [key, a] of Object.entries(ACCELERATORS)) assert.equal(a.key, key);
    });

    it("has the expected parts, each with a name and positive memory (cpu: 0)", () => {
        assert.deepEqual(acceleratorKeys(), [
            "A100-40GB", "A100-80GB", "A10G", "B200", "B300", "H100", "H100-MEGA", "H200", "L4", "L40S", "cpu",
        ]);
        for (const key of acceleratorKeys()) {
            const a = findAccelerator(key)!;
            assert.ok(a.displayName.length > 0, key);
            if (key === CPU_ACCELERATOR_KEY) assert.equal(a.memoryGiB, 0);
            else assert.ok(a.memoryGiB > 0, `${key} memory`);
        }
    });

    it("acceleratorKeys() is sorted", () => {
        const keys = acceleratorKeys();
        assert.deepEqual(keys, [...keys].sort());
    });

    it("uses EC2-reported MiB/1024 where AWS reports the part (research §4.1)", () => {
        assert.equal(findAccelerator("H100")!.memoryGiB, 80);
        assert.equal(findAccelerator("H200")!.memoryGiB, 141);
        assert.equal(findAccelerator("L40S")!.memoryGiB, 45776 / 1024);
        assert.equal(findAccelerator("A10G")!.memoryGiB, 22888 / 1024);
        assert.equal(findAccelerator("L4")!.memoryGiB, 22888 / 1024, "usable AWS figure, not GCP's 24 GB");
        assert.equal(Math.floor(findAccelerator("B200")!.memoryGiB), 179);
    });

    it("findAccelerator: unknown keys and Object.prototype names are undefined", () => {
        assert.equal(findAccelerator("h100"), undefined, "keys are exact");
        assert.equal(findAccelerator("T4"), undefined);
        assert.equal(findAccelerator("toString"), undefined);
        assert.equal(findAccelerator("__proto__"), undefined);
    });

    it("findAcceleratorByGkeType maps GKE type strings back (research §2.2)", () => {
        assert.equal(findAcceleratorByGkeType("nvidia-tesla-a100")!.key, "A100-40GB");
        assert.equal(findAcceleratorByGkeType("nvidia-a100-80gb")!.key, "A100-80GB");
        assert.equal(findAcceleratorByGkeType("nvidia-h100-80gb")!.key, "H100");
        assert.equal(findAcceleratorByGkeType("nvidia-h100-mega-80gb")!.key, "H100-MEGA");
        assert.equal(findAcceleratorByGkeType("nvidia-h200-141gb")!.key, "H200");
        assert.equal(findAcceleratorByGkeType("nvidia-b200")!.key, "B200");
        assert.equal(findAcceleratorByGkeType("nvidia-l4")!.key, "L4");
        assert.equal(findAcceleratorByGkeType("nvidia-tesla-t4"), undefined);
    });

    it("is frozen", () => {
        assert.ok(Object.isFrozen(ACCELERATORS));
        assert.ok(Object.isFrozen(ACCELERATORS.H100));
    });
});

describe("catalog: instance types (invariants)", () => {
    it("every row has GPUs, a known GPU accelerator, positive vCPU and memory, and a source", () => {
        assert.ok(INSTANCE_TYPES.length > 0);
        for (const t of INSTANCE_TYPES) {
            assert.ok(Number.isInteger(t.gpus) && t.gpus > 0, `${t.name} gpus`);
            const a = findAccelerator(t.accelerator);
            assert.ok(a, `${t.name}: accelerator ${t.accelerator} is known`);
            assert.notEqual(t.accelerator, CPU_ACCELERATOR_KEY, `${t.name} is a GPU type`);
            assert.equal(acceleratorOf(t), a);
            assert.ok(Number.isInteger(t.vcpu) && t.vcpu > 0, `${t.name} vcpu`);
            assert.ok(t.memoryGiB > 0, `${t.name} memory`);
            assert.ok(t.source.length > 0, `${t.name} source`);
            assert.ok(t.cloud === "aws" || t.cloud === "gcp", `${t.name} cloud`);
            if (t.efa !== undefined) assert.ok(Number.isInteger(t.efa) && t.efa > 0, `${t.name} efa`);
        }
    });

    it("names are unique across clouds", () => {
        const names = INSTANCE_TYPES.map((t) => t.name);
        assert.equal(new Set(names).size, names.length);
    });

    it("localNvme totalGiB = disks × diskGiB", () => {
        for (const t of INSTANCE_TYPES) {
            if (!t.localNvme) continue;
            const { disks, diskGiB, totalGiB } = t.localNvme;
            assert.ok(Number.isInteger(disks) && disks > 0, `${t.name} disks`);
            assert.ok(diskGiB > 0, `${t.name} diskGiB`);
            assert.equal(totalGiB, disks * diskGiB, t.name);
        }
    });

    it("unsourced lists only known field names, without duplicates", () => {
        const known: readonly string[] = UNSOURCED_FIELDS;
        for (const t of INSTANCE_TYPES) {
            if (t.unsourced === undefined) continue;
            assert.ok(t.unsourced.length > 0, `${t.name}: empty unsourced should be omitted`);
            assert.equal(new Set(t.unsourced).size, t.unsourced.length, t.name);
            for (const f of t.unsourced) assert.ok(known.includes(f), `${t.name}: unknown unsourced field ${f}`);
        }
    });

    it("every AWS row marks its derived NVMe disk split unsourced (research §4.1)", () => {
        for (const t of INSTANCE_TYPES.filter((r) => r.cloud === "aws")) {
            assert.ok(t.localNvme, `${t.name} has instance-store NVMe`);
            assert.deepEqual(t.unsourced, ["localNvme"], t.name);
            assert.equal(isSourced(t, "localNvme"), false);
            assert.equal(isSourced(t, "vcpu"), true);
        }
    });

    it("every GCP row's accelerator has a GKE accelerator type; local SSDs are 375 GiB", () => {
        for (const t of INSTANCE_TYPES.filter((r) => r.cloud === "gcp")) {
            const a = acceleratorOf(t);
            assert.ok(a.gkeAcceleratorType, `${t.name}: ${a.key} has gkeAcceleratorType`);
            if (t.localNvme) assert.equal(t.localNvme.diskGiB, GCP_LOCAL_SSD_GIB, t.name);
        }
    });

    it("rows and the list are frozen", () => {
        assert.ok(Object.isFrozen(INSTANCE_TYPES));
        for (const t of INSTANCE_TYPES) {
            assert.ok(Object.isFrozen(t), t.name);
            if (t.localNvme) assert.ok(Object.isFrozen(t.localNvme), t.name);
            if (t.unsourced) assert.ok(Object.isFrozen(t.unsourced), t.name);
        }
    });

    it("has the rows the brief lists (and leaves out unsourced sizes)", () => {
        for (const name of [
            "p4d.24xlarge", "p4de.24xlarge", "p5.4xlarge", "p5.48xlarge", "p5e.48xlarge", "p5en.48xlarge",
            "p6-b200.48xlarge", "p6-b300.48xlarge",
            ...["g5", "g6", "g6e"].flatMap((f) => ["xlarge", "2xlarge", "12xlarge", "24xlarge", "48xlarge"].map((s) => `${f}.${s}`)),
        ]) assert.equal(mustFind(name).cloud, "aws", name);
        for (const name of [
            "a2-highgpu-1g", "a2-highgpu-8g", "a2-ultragpu-1g", "a2-ultragpu-8g", "a3-highgpu-8g", "a3-megagpu-8g",
            "a3-ultragpu-8g", "a4-highgpu-8g", "g2-standard-4", "g2-standard-48",
        ]) assert.equal(mustFind(name).cloud, "gcp", name);
    });
});

describe("catalog: facts from research §4", () => {
    it("p5.48xlarge = 8×H100 80 GiB, 192 vCPU, 2048 GiB, 8×3800 NVMe, 32 EFA", () => {
        const t = findInstanceType("p5.48xlarge", "aws")!;
        assert.equal(t.accelerator, "H100");
        assert.equal(t.gpus, 8);
        assert.equal(acceleratorOf(t).memoryGiB, 80);
        assert.equal(t.vcpu, 192);
        assert.equal(t.memoryGiB, 2048);
        assert.deepEqual(t.localNvme, { disks: 8, diskGiB: 3800, totalGiB: 30400 });
        assert.equal(t.efa, 32);
    });

    it("a3-highgpu-8g = 8× nvidia-h100-80gb with 16×375 local SSD, all sourced", () => {
        const t = findInstanceType("a3-highgpu-8g", "gcp")!;
        assert.equal(t.gpus, 8);
        assert.equal(acceleratorOf(t).gkeAcceleratorType, "nvidia-h100-80gb");
        assert.equal(t.vcpu, 208);
        assert.equal(t.memoryGiB, 1872);
        assert.deepEqual(t.localNvme, { disks: 16, diskGiB: 375, totalGiB: 6000 });
        assert.equal(t.unsourced, undefined);
        assert.equal(t.efa, undefined);
    });

    it("g6e.12xlarge = 4×L40S 44.7 GiB, 48 vCPU, 384 GiB, 3800 NVMe", () => {
        const t = findInstanceType("g6e.12xlarge")!;
        assert.equal(t.accelerator, "L40S");
        assert.equal(t.gpus, 4);
        assert.equal(acceleratorOf(t).memoryGiB.toFixed(1), "44.7");
        assert.equal(t.vcpu, 48);
        assert.equal(t.memoryGiB, 384);
        assert.equal(t.localNvme!.totalGiB, 3800);
    });

    it("more spot checks from the §4.1 table", () => {
        assert.equal(mustFind("p4de.24xlarge").accelerator, "A100-80GB");
        assert.equal(mustFind("p5en.48xlarge").efa, 16);
        assert.equal(mustFind("p6-b300.48xlarge").memoryGiB, 4096);
        assert.equal(acceleratorOf(mustFind("p6-b300.48xlarge")).memoryGiB, 268.6);
        assert.deepEqual(mustFind("g6.48xlarge").localNvme, { disks: 8, diskGiB: 940, totalGiB: 7520 });
        assert.deepEqual(mustFind("g5.48xlarge").localNvme, { disks: 2, diskGiB: 3800, totalGiB: 7600 });
        assert.equal(mustFind("g5.xlarge").efa, undefined);
        assert.equal(mustFind("g6e.24xlarge").efa, 2);
    });

    it("GCP rows mark exactly what the research marks UNSOURCED (§4.2)", () => {
        assert.equal(mustFind("a2-highgpu-8g").localNvme, undefined, "none bundled");
        assert.equal(mustFind("a2-highgpu-8g").unsourced, undefined);
        assert.deepEqual(mustFind("a2-ultragpu-8g").unsourced, ["localNvme"]);
        assert.deepEqual(mustFind("a2-ultragpu-8g").localNvme, { disks: 8, diskGiB: 375, totalGiB: 3000 });
        assert.deepEqual(mustFind("a3-ultragpu-8g").localNvme, { disks: 32, diskGiB: 375, totalGiB: 12000 });
        assert.equal(mustFind("a3-ultragpu-8g").unsourced, undefined);
        const a4 = mustFind("a4-highgpu-8g");
        assert.equal(a4.accelerator, "B200");
        for (const f of ["acceleratorMemoryGiB", "vcpu", "memoryGiB", "localNvme"] as const) {
            assert.equal(isSourced(a4, f), false, `a4 ${f}`);
        }
        for (const name of ["g2-standard-4", "g2-standard-48"]) {
            const g2 = mustFind(name);
            assert.deepEqual(g2.unsourced, ["vcpu", "memoryGiB", "localNvme"], name);
            assert.equal(g2.localNvme, undefined, `${name}: no local SSD value is invented`);
        }
        assert.equal(mustFind("g2-standard-48").gpus, 4);
    });
});

describe("catalog: lookups", () => {
    it("findInstanceType respects the cloud filter", () => {
        assert.equal(findInstanceType("p5.48xlarge", "aws")!.name, "p5.48xlarge");
        assert.equal(findInstanceType("p5.48xlarge", "gcp"), undefined);
        assert.equal(findInstanceType("a3-highgpu-8g", "gcp")!.cloud, "gcp");
        assert.equal(findInstanceType("a3-highgpu-8g", "aws"), undefined);
        assert.equal(findInstanceType("a3-highgpu-8g")!.cloud, "gcp", "no filter: any cloud");
        assert.equal(findInstanceType("m7i.2xlarge"), undefined);
        assert.equal(findInstanceType("P5.48XLARGE"), undefined, "names are exact");
    });

    it("instanceTypeNames is sorted and lists exactly that cloud's rows", () => {
        for (const cloud of ["aws", "gcp"] as const) {
            const names = instanceTypeNames(cloud);
            assert.deepEqual(names, [...names].sort(), cloud);
            assert.deepEqual(
                [...names].sort(),
                INSTANCE_TYPES.filter((t) => t.cloud === cloud).map((t) => t.name).sort(),
            );
        }
        assert.ok(instanceTypeNames("aws").includes("g6e.12xlarge"));
        assert.ok(!instanceTypeNames("aws").includes("a3-highgpu-8g"));
    });

    it("returned name lists are copies", () => {
        instanceTypeNames("aws").push("x");
        acceleratorKeys().push("x");
        assert.ok(!instanceTypeNames("aws").includes("x"));
        assert.ok(!acceleratorKeys().includes("x"));
    });
});
