// A small Kubernetes REST client for test/e2e/controllers.sh: client-certificate auth from a kubeconfig,
// discovery of plural names, server-side apply, get/list, status merge-patches. No dependency but `yaml`.
"use strict";
const fs = require("node:fs");
const https = require("node:https");
const path = require("node:path");
const yaml = require("yaml");

function fromKubeconfig(file) {
    const kc = yaml.parse(fs.readFileSync(file, "utf8"));
    const ctx = kc.contexts.find((c) => c.name === kc["current-context"]).context;
    const cluster = kc.clusters.find((c) => c.name === ctx.cluster).cluster;
    const user = kc.users.find((u) => u.name === ctx.user).user;
    const b64 = (s) => Buffer.from(s, "base64");
    const u = new URL(cluster.server);
    const agent = new https.Agent({
        ca: b64(cluster["certificate-authority-data"]), cert: b64(user["client-certificate-data"]),
        key: b64(user["client-key-data"]), keepAlive: true,
    });
    return new Kube(u, agent);
}

class Kube {
    constructor(url, agent) {
        this.url = url;
        this.agent = agent;
        this.plurals = new Map();
    }

    request(method, path, body, contentType = "application/json") {
        return new Promise((resolve, reject) => {
            const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
            const req = https.request({
                host: this.url.hostname, port: this.url.port, method, path, agent: this.agent,
                headers: { Accept: "application/json", ...(data ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) } : {}) },
            }, (res) => {
                const chunks = [];
                res.on("data", (c) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json;
                    try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
                    resolve({ status: res.statusCode, body: json, text });
                });
            });
            req.on("error", reject);
            if (data) req.write(data);
            req.end();
        });
    }

    /** REST path of a kind's collection (namespace "" = cluster scope or all namespaces); undefined if not served. */
    async collection(apiVersion, kind, namespace) {
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const k = `${apiVersion}/${kind}`;
        if (!this.plurals.has(k)) {
            const r = await this.request("GET", base);
            const res = r.status === 200 ? r.body.resources.find((x) => x.kind === kind && !x.name.includes("/")) : undefined;
            if (!res) return undefined; // not cached: a CRD may appear later
            this.plurals.set(k, { plural: res.name, namespaced: res.namespaced });
        }
        const { plural, namespaced } = this.plurals.get(k);
        return namespaced && namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
    }

    async namespaced(apiVersion, kind) {
        await this.collection(apiVersion, kind, "");
        return this.plurals.get(`${apiVersion}/${kind}`)?.namespaced;
    }

    /** Server-side apply of one object; throws with the server's message. */
    async apply(obj, fieldManager = "modelplane-e2e") {
        const ns = obj.metadata.namespace ?? "";
        const coll = await this.collection(obj.apiVersion, obj.kind, ns);
        if (!coll) throw new Error(`${obj.kind} ${obj.metadata.name}: the API server does not serve ${obj.apiVersion}`);
        const r = await this.request("PATCH", `${coll}/${obj.metadata.name}?fieldManager=${fieldManager}&force=true`, obj, "application/apply-patch+yaml");
        if (r.status >= 300) throw new Error(`apply ${obj.kind} ${ns ? ns + "/" : ""}${obj.metadata.name}: ${r.status} ${r.body?.message ?? r.text}`);
        return r.body;
    }

    async get(apiVersion, kind, namespace, name) {
        const coll = await this.collection(apiVersion, kind, namespace);
        if (!coll) return undefined;
        const r = await this.request("GET", `${coll}/${name}`);
        return r.status === 200 ? r.body : undefined;
    }

    /** Items of a kind (namespace "" = all); [] when the kind is not served. */
    async list(apiVersion, kind, namespace = "", query = "") {
        const coll = await this.collection(apiVersion, kind, namespace);
        if (!coll) return [];
        const r = await this.request("GET", `${coll}${query ? "?" + query : ""}`);
        if (r.status !== 200) throw new Error(`list ${kind}: ${r.status} ${r.body?.message ?? r.text}`);
        return r.body.items.map((i) => ({ apiVersion, kind, ...i }));
    }

    async patchStatus(obj, status) {
        const coll = await this.collection(obj.apiVersion, obj.kind, obj.metadata.namespace ?? "");
        const r = await this.request("PATCH", `${coll}/${obj.metadata.name}/status`, { status }, "application/merge-patch+json");
        if (r.status >= 300) throw new Error(`status ${obj.kind} ${obj.metadata.name}: ${r.status} ${r.body?.message ?? r.text}`);
        return r.body;
    }

    async create(obj) {
        const coll = await this.collection(obj.apiVersion, obj.kind, obj.metadata.namespace ?? "");
        const r = await this.request("POST", coll, obj);
        if (r.status >= 300) throw new Error(`create ${obj.kind} ${obj.metadata.name}: ${r.status} ${r.body?.message ?? r.text}`);
        return r.body;
    }
}

/** Every non-empty document of YAML files (a directory: its *.yaml / *.yml files, recursively, sorted). */
function readDocs(...files) {
    const expand = (f) => (fs.statSync(f).isDirectory()
        ? fs.readdirSync(f).sort().flatMap((e) => (fs.statSync(path.join(f, e)).isDirectory() || /\.ya?ml$/.test(e) ? expand(path.join(f, e)) : []))
        : [f]);
    return files.flatMap(expand).flatMap((f) => yaml.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => d.toJS()).filter((d) => d && d.kind));
}

module.exports = { fromKubeconfig, readDocs, Kube };
