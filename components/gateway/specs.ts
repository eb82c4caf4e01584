// Pure builders of the gateway layer: Envoy Gateway / AI Gateway Helm values and the bodies of the
// GatewayClass, Gateway, ClientTrafficPolicy, Issuer and Certificate. Tested without mocks.
import { PlatformConfig } from "../config";
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../../lib/labels";
import { KubeObject } from "../addons/kube";

export const ENVOY_GATEWAY_NAMESPACE = "envoy-gateway-system";
export const AI_GATEWAY_NAMESPACE = "envoy-ai-gateway-system";
/** Envoy Gateway's default controller name (gateway-helm values `config.envoyGateway.gateway.controllerName`). */
export const ENVOY_CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller";
/**
 * GatewayClass name: KServe's default class for its Envoy install (kserve hack/setup/infra/gateway-api/
 * manage.gateway-api-gwclass.sh), so KServe's docs and samples apply unchanged.
 */
export const GATEWAY_CLASS_NAME = "envoy";
/** AI Gateway controller Service (ai-gateway-helm `controller.fullnameOverride`) and its extension-server port. */
export const AI_GATEWAY_EXTENSION_HOST = `ai-gateway-controller.${AI_GATEWAY_NAMESPACE}.svc.cluster.local`;
export const AI_GATEWAY_EXTENSION_PORT = 1063;

/** The InferencePool kind Envoy Gateway must accept as an HTTPRoute backend (GIE v1, GA). */
export const INFERENCE_POOL_BACKEND = { group: "inference.networking.k8s.io", kind: "InferencePool", version: "v1" } as const;

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

/**
 * Envoy Gateway values. Envoy Gateway has no InferencePool translation of its own (research/routing.md §3.1):
 * it routes to InferencePools only through the AI Gateway controller as extension server, which needs the
 * three settings of ai-gateway v1.0.0 manifests/envoy-gateway-values.yaml + examples/inference-pool/
 * envoy-gateway-values-addon.yaml:
 * 1. `extensionApis.enableBackend` (AI Gateway's backends are EG `Backend` objects);
 * 2. `extensionManager.hooks` (xDS translation hooks) and `service` (where the AI Gateway controller listens);
 * 3. `extensionManager.backendResources: [InferencePool v1]` (lets an HTTPRoute point at an InferencePool).
 * Without AI Gateway none of this can work, so plain Envoy Gateway gets the base config only.
 */
export function envoyGatewayValues(cfg: PlatformConfig): Record<string, unknown> {
    const envoyGateway: Record<string, unknown> = {
        gateway: { controllerName: ENVOY_CONTROLLER_NAME },
        provider: { type: "Kubernetes" },
        logging: { level: { default: "info" } },
    };
    if (cfg.platform.gateway.aiGateway) {
        envoyGateway.extensionApis = {
            // Recommended by AI Gateway "for backward/future compatibility".
            enableEnvoyPatchPolicy: true,
            enableBackend: true,
        };
        envoyGateway.extensionManager = {
            hooks: {
                xdsTranslator: {
                    translation: {
                        listener: { includeAll: true },
                        route: { includeAll: true },
                        cluster: { includeAll: true },
                        secret: { includeAll: true },
                    },
                    post: ["Translation", "Cluster", "Route"],
                },
            },
            service: { fqdn: { hostname: AI_GATEWAY_EXTENSION_HOST, port: AI_GATEWAY_EXTENSION_PORT } },
            backendResources: [INFERENCE_POOL_BACKEND],
        };
    }
    return {
        config: { envoyGateway },
        // Gateway API has one owner, the routing-CRD layer (standard channel, with its safe-upgrades
        // ValidatingAdmissionPolicy): the chart's crds/ directory is skipped (skipCrds) and its copy of that
        // policy is turned off (gateway-helm v1.8.1 charts/crds/templates/gatewayapi-safe-upgrade-policy.yaml).
        crds: { gatewayAPI: { safeUpgradePolicy: { enabled: false } } },
    };
}

/** AI Gateway controller values: the RBAC it grants Envoy Gateway on InferencePools names EG's namespace. */
export function aiGatewayValues(): Record<string, unknown> {
    return { envoyGateway: { namespace: ENVOY_GATEWAY_NAMESPACE } };
}

export function gatewayClassSpec(): KubeObject {
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "GatewayClass",
        metadata: { name: GATEWAY_CLASS_NAME, labels },
        spec: { controllerName: ENVOY_CONTROLLER_NAME },
    };
}

/** Secret the HTTPS listener serves, written by cert-manager. */
export function tlsSecretName(cfg: PlatformConfig): string {
    return `${cfg.platform.gateway.name}-tls`;
}

export function issuerName(cfg: PlatformConfig): string {
    return `${cfg.platform.gateway.name}-${cfg.platform.gateway.tls?.issuer === "letsencrypt" ? "letsencrypt" : "selfsigned"}`;
}

/**
 * The inference Gateway: HTTP :80 and, with TLS, HTTPS :443 for the configured hostname. Routes attach from
 * every namespace because each team's models live in the team's own namespace (KServe's
 * kserve-ingress-gateway does the same, manage.gateway-api-gw.sh).
 */
export function gatewaySpec(cfg: PlatformConfig): KubeObject {
    const g = cfg.platform.gateway;
    const allowedRoutes = { namespaces: { from: "All" } };
    const listeners: Record<string, unknown>[] = [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes }];
    if (g.tls) {
        listeners.push({
            name: "https",
            protocol: "HTTPS",
            port: 443,
            hostname: g.tls.hostname,
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: tlsSecretName(cfg) }] },
            allowedRoutes,
        });
    }
    return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        metadata: { name: g.name, namespace: g.namespace, labels },
        spec: { gatewayClassName: GATEWAY_CLASS_NAME, listeners },
    };
}

/**
 * Raises Envoy's per-connection buffer (default 32KiB) so long prompts are not rejected: llm-d's Envoy AI
 * Gateway recipe ships the same policy ("client-buffer-limit", 50Mi; research/routing.md §3.2).
 */
export function clientTrafficPolicySpec(cfg: PlatformConfig): KubeObject {
    const g = cfg.platform.gateway;
    return {
        apiVersion: "gateway.envoyproxy.io/v1alpha1",
        kind: "ClientTrafficPolicy",
        metadata: { name: `${g.name}-buffer-limit`, namespace: g.namespace, labels },
        spec: {
            targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: g.name }],
            connection: { bufferLimit: g.bufferLimit },
        },
    };
}

/** Let's Encrypt production ACME directory. */
export const LETSENCRYPT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";

/**
 * The Issuer of the gateway certificate: self-signed, or Let's Encrypt answering http01 challenges through
 * our own Gateway's HTTP listener (cert-manager creates a temporary HTTPRoute on it; needs cert-manager's
 * `enableGatewayAPI`, set in components/addons/values.ts).
 */
export function issuerSpec(cfg: PlatformConfig): KubeObject | undefined {
    const g = cfg.platform.gateway;
    if (!g.tls) return undefined;
    const spec = g.tls.issuer === "letsencrypt"
        ? {
            acme: {
                server: LETSENCRYPT_SERVER,
                ...(g.tls.email ? { email: g.tls.email } : {}),
                privateKeySecretRef: { name: `${issuerName(cfg)}-account` },
                solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: g.name, namespace: g.namespace, kind: "Gateway", sectionName: "http" }] } } }],
            },
        }
        : { selfSigned: {} };
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Issuer",
        metadata: { name: issuerName(cfg), namespace: g.namespace, labels },
        spec,
    };
}

export function certificateSpec(cfg: PlatformConfig): KubeObject | undefined {
    const g = cfg.platform.gateway;
    if (!g.tls) return undefined;
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: `${g.name}-tls`, namespace: g.namespace, labels },
        spec: {
            secretName: tlsSecretName(cfg),
            dnsNames: [g.tls.hostname],
            issuerRef: { group: "cert-manager.io", kind: "Issuer", name: issuerName(cfg) },
        },
    };
}
