// How modelplane installs upstream software, shared by the platform layers (addons, storage, gateway,
// inference, kserve): Helm charts and CRD bundles built from the sources in components/versions.ts.
//
// Why `helm.v3.Release` and not the helm v4 `Chart` component:
// - Pulumi's v4 Chart skips Helm hooks (pulumi-kubernetes#3284, closed PR #3285: "worse to implement hooks
//   wrongly than to not support them"). Envoy Gateway creates its TLS material in a pre-install hook Job
//   (gateway-helm templates/certgen.yaml, `helm.sh/hook: pre-install, pre-upgrade`) and cert-manager checks its
//   webhook in a post-install hook (startupapicheck); without the hooks those installs never become ready.
// - A Release is one resource that waits (`helm --wait`) until the chart's Deployments and webhooks are up, so
//   a `dependsOn` on it is a real readiness barrier for the custom resources created after it.
// One way for every chart keeps the plan and the policies uniform (DESIGN.md §5, research/pulumi.md §6).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "../kube";
import { PlatformConfig } from "../config";
import { ChartSource, ManifestSource } from "../versions";

/** Settings of one Helm release (what `helm upgrade --install` would be given). */
export interface ReleaseSettings {
    /** Helm release name (fixed, so it matches upstream docs and survives a Pulumi rename). */
    releaseName: string;
    namespace: string;
    /** Let Helm create the namespace (when no plain Namespace object of ours owns it). */
    createNamespace?: boolean;
    values?: Record<string, unknown>;
    /** Do not install the chart's crds/ directory (its CRDs have another owner). */
    skipCrds?: boolean;
    /** Seconds Helm waits for the release's resources (large images, webhooks): default 600. */
    timeout?: number;
}

/** Pure: the `helm.v3.Release` arguments for a chart source (https repo, OCI registry or local path). */
export function releaseArgs(src: ChartSource, s: ReleaseSettings): k8s.helm.v3.ReleaseArgs {
    const oci = src.repo?.startsWith("oci://") ?? false;
    const chart = src.path ?? (oci ? `${src.repo!.replace(/\/+$/, "")}/${src.chart}` : src.chart);
    return {
        name: s.releaseName,
        chart,
        ...(src.path ? {} : { version: src.version }),
        ...(src.path || oci || !src.repo ? {} : { repositoryOpts: { repo: src.repo } }),
        namespace: s.namespace,
        createNamespace: s.createNamespace ?? false,
        values: s.values ?? {},
        skipCrds: s.skipCrds ?? false,
        timeout: s.timeout ?? 600,
        // Roll back a failed upgrade instead of leaving the release half-applied.
        atomic: true,
    };
}

export interface InstallContext {
    config: PlatformConfig;
    provider: k8s.Provider;
    parent: pulumi.Resource;
}

/**
 * A Helm release, or undefined when the stack says `platform.charts: false` (the offline e2e cluster
 * cannot pull charts; plain objects and CRD manifests are still registered).
 */
export function helmRelease(name: string, src: ChartSource, s: ReleaseSettings, ctx: InstallContext,
    opts: pulumi.CustomResourceOptions = {}): k8s.helm.v3.Release | undefined {
    if (!ctx.config.platform.charts) return undefined;
    return release(name, src, s, ctx, opts);
}

function release(name: string, src: ChartSource, s: ReleaseSettings, ctx: InstallContext,
    opts: pulumi.CustomResourceOptions): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(name, releaseArgs(src, s), {
        ...opts,
        parent: ctx.parent,
        provider: ctx.provider,
        // The Release's computed checksum changes on every preview otherwise (pulumi-kubernetes#2649).
        ignoreChanges: [...(opts.ignoreChanges ?? []), "checksum"],
    });
}

/** Suffix the policy pack uses to recognise a resource that brings CRDs (it must be protected in prod). */
export const CRD_BUNDLE_SUFFIX = "-crds";

/**
 * A bundle that brings CRDs: plain manifests (URLs, local files) as a yaml/v2 ConfigGroup, or a chart as a
 * Helm release. Deleting a CRD deletes every object of its kind, so the bundle is never deleted by Pulumi
 * (`retainOnDelete`) and, where the stack says so (prod), is `protect`ed (DESIGN.md §5).
 *
 * A chart from a local directory (`versions.<key>.path`) is installed even with `platform.charts: false`: it
 * needs no registry, and a CRD-only chart runs no workload, which is what `charts: false` is for (an offline
 * cluster without nodes). The release carries the chart's path, not its CRDs: a ConfigGroup hands every CRD body
 * through the engine and the provider as resource properties (the e2e preview spent 16–20 s on them,
 * bench/engine.md), a release only reads the chart from disk until `up` installs it, as prod installs these
 * charts from their registries. Returns undefined for a registry chart when charts are disabled.
 */
export function crdBundle(name: string, src: ChartSource | ManifestSource, s: ReleaseSettings, ctx: InstallContext,
    opts: pulumi.CustomResourceOptions = {}): pulumi.Resource | undefined {
    if (!name.endsWith(CRD_BUNDLE_SUFFIX)) throw new Error(`CRD bundle ${name} must be named …${CRD_BUNDLE_SUFFIX}`);
    const safety = { retainOnDelete: true, protect: ctx.config.protect };
    if (src.type === "manifest") {
        return new k8s.yaml.v2.ConfigGroup(name, { files: src.files }, {
            ...opts, ...safety, parent: ctx.parent, provider: ctx.provider,
        });
    }
    if (src.path) return release(name, src, s, ctx, { ...opts, ...safety });
    return helmRelease(name, src, s, ctx, { ...opts, ...safety });
}

/** Resources that are defined (drops the ones a disabled feature did not create). */
export function defined<T>(xs: (T | undefined)[]): T[] {
    return xs.filter((x): x is T => x !== undefined);
}
