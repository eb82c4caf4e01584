// The parts of @pulumi/kubernetes the program uses, each from its own module, never from the package root.
//
// Why: the root (`@pulumi/kubernetes/index.js`, 4.34.2) loads every API group, and `apiextensions/v1/index.js`
// registers the resource module of CustomResourceDefinition. With it registered, the SDK turns each CRD reference in
// a yaml/v2 ConfigGroup's `resources` output into a live resource and reads that CRD's whole state back from the
// engine (`pulumi:pulumi:getResource`; @pulumi/pulumi 3.248 runtime/rpc.js deserializeProperty →
// resourceModule.construct → resource.js getResource). KServe v0.20.0's two CRDs are 2.2 MB of YAML each: reading
// them back took 3–6 s of every `pulumi preview`/`up`, after the program's last registration, for an output the
// program never reads (bench/engine.md "The program's tail"). Without the module the references stay URNs.
// `dependsOn` a ConfigGroup is unaffected: the SDK sends a remote component's own URN (runtime/dependsOn.js).
// test/kube-modules.test.ts holds the program to this: it loads neither the root nor apiextensions/v1.
import * as appsV1 from "@pulumi/kubernetes/apps/v1";
import * as coreV1 from "@pulumi/kubernetes/core/v1";
import * as networkingV1 from "@pulumi/kubernetes/networking/v1";
import * as rbacV1 from "@pulumi/kubernetes/rbac/v1";
import * as storageV1 from "@pulumi/kubernetes/storage/v1";
import * as yamlV2 from "@pulumi/kubernetes/yaml/v2";
// helm/v3's index loads the v3 Chart, which loads every API group (the yaml v1 engine): the Release alone.
import * as helmV3Release from "@pulumi/kubernetes/helm/v3/release";
import * as customResource from "@pulumi/kubernetes/apiextensions/customResource";

export { Provider } from "@pulumi/kubernetes/provider";
/* eslint-disable @typescript-eslint/no-namespace */
export namespace apps { export import v1 = appsV1; }
export namespace core { export import v1 = coreV1; }
export namespace networking { export import v1 = networkingV1; }
export namespace rbac { export import v1 = rbacV1; }
export namespace storage { export import v1 = storageV1; }
export namespace yaml { export import v2 = yamlV2; }
export namespace helm {
    export namespace v3 {
        export import Release = helmV3Release.Release;
        export type ReleaseArgs = helmV3Release.ReleaseArgs;
    }
}
export namespace apiextensions {
    export import CustomResource = customResource.CustomResource;
    export type CustomResourceArgs = customResource.CustomResourceArgs;
}
/* eslint-enable @typescript-eslint/no-namespace */
