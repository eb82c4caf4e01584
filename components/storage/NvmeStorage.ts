import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { LayerArgs } from "../types";
import { resolveVersions } from "../versions";
import { defined, helmRelease, InstallContext } from "../addons/install";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { localVolumePools, LOCAL_STORAGE_NAMESPACE, nodeCleanupObjects, nvmePools, provisionerValues, storageClassSpec } from "./layout";

/**
 * Node-local NVMe for model weights (DESIGN.md §0 "storage drag", "infrastructure lock-in"):
 * - the `local-nvme` StorageClass, whenever a pool has local NVMe;
 * - for `localVolumes` pools, the local-static-provisioner (one PV per disk) and the node-cleanup
 *   controller, which releases the claims of a deleted node so its pods reschedule without a human.
 * KServe's LocalModelNodeGroups are built here too (`localModelNodeGroupSpec` in ./layout) but registered by
 * the KServe layer: their CRD and controller come from KServe's localmodel charts, and models wait on KServe.
 */
export class NvmeStorage extends pulumi.ComponentResource {
    readonly storageClass?: k8s.storage.v1.StorageClass;
    /** Resources that the layers above must wait for. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: LayerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("modelplane:storage:NvmeStorage", name, {}, { ...opts, dependsOn: args.dependsOn });
        const cfg = args.config;
        const v = resolveVersions(cfg.platform.versions);
        const ctx: InstallContext = { config: cfg, provider: args.provider, parent: this };
        const base = args.dependsOn ?? [];
        const child = (deps: pulumi.Resource[] = []): pulumi.CustomResourceOptions =>
            ({ parent: this, provider: args.provider, dependsOn: [...base, ...deps] });

        if (nvmePools(cfg).length > 0) {
            this.storageClass = new k8s.storage.v1.StorageClass(`${name}-local-nvme`,
                storageClassSpec() as unknown as k8s.storage.v1.StorageClassArgs, child());
        }

        const provisioned: pulumi.Resource[] = [];
        if (localVolumePools(cfg).length > 0) {
            const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
                metadata: { name: LOCAL_STORAGE_NAMESPACE, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
            }, child());
            const provisioner = helmRelease(`${name}-local-static-provisioner`, v.localStaticProvisioner, {
                releaseName: "local-static-provisioner", namespace: LOCAL_STORAGE_NAMESPACE, values: provisionerValues(cfg),
            }, ctx, { dependsOn: [...base, ns, this.storageClass!] });
            provisioned.push(...defined([provisioner]));

            // Plain objects (not a chart upstream): registered even with `platform.charts: false`.
            const image = `${v.nodeCleanupController.image}:${v.nodeCleanupController.version}`;
            const [sa, role, binding, deployment] = nodeCleanupObjects(image);
            const saRes = new k8s.core.v1.ServiceAccount(`${name}-node-cleanup`, sa as unknown as k8s.core.v1.ServiceAccountArgs, child([ns]));
            const roleRes = new k8s.rbac.v1.ClusterRole(`${name}-node-cleanup`, role as unknown as k8s.rbac.v1.ClusterRoleArgs, child());
            const bindingRes = new k8s.rbac.v1.ClusterRoleBinding(`${name}-node-cleanup`, binding as unknown as k8s.rbac.v1.ClusterRoleBindingArgs, child([roleRes, saRes]));
            const controller = new k8s.apps.v1.Deployment(`${name}-node-cleanup`, deployment as unknown as k8s.apps.v1.DeploymentArgs, child([bindingRes, ns]));
            provisioned.push(controller);
        }

        this.ready = defined([this.storageClass, ...provisioned]);
        this.registerOutputs({});
    }
}
