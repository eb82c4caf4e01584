// Structural measures of a registered program, shared by the benchmark and the structural tests.
import { RegisteredResource } from "../lib/resources";

const MODEL_COMPONENT = "modelplane:models:ModelService";

/** The model a resource belongs to: the name of its ModelService ancestor (from the URN's type chain), if any. */
export function modelOf(r: RegisteredResource, byUrn: Map<string, RegisteredResource>): string | undefined {
    for (let cur: RegisteredResource | undefined = r; cur; cur = cur.parent ? byUrn.get(cur.parent) : undefined) {
        if (cur.type === MODEL_COMPONENT) return cur.name;
    }
    return undefined;
}

/** Longest chain of `dependencies` edges (a resource with no dependencies has depth 1). */
export function dependencyDepth(resources: RegisteredResource[]): number {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const depth = new Map<string, number>();
    const visit = (urn: string, stack: Set<string>): number => {
        const known = depth.get(urn);
        if (known !== undefined) return known;
        if (stack.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        stack.add(urn);
        const r = byUrn.get(urn);
        let d = 1;
        for (const dep of r?.dependencies ?? []) if (byUrn.has(dep)) d = Math.max(d, 1 + visit(dep, stack));
        stack.delete(urn);
        depth.set(urn, d);
        return d;
    };
    let max = 0;
    for (const r of resources) max = Math.max(max, visit(r.urn, new Set()));
    return max;
}

export interface ModelStructure {
    /** Resources per model (ModelService components and everything under them), by model. */
    perModel: Map<string, number>;
    /** Edges from one model's resource to another model's resource (must be empty). */
    crossModelEdges: { from: string; to: string }[];
}

export function modelStructure(resources: RegisteredResource[]): ModelStructure {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const perModel = new Map<string, number>();
    const owner = new Map<string, string | undefined>();
    for (const r of resources) {
        const m = modelOf(r, byUrn);
        owner.set(r.urn, m);
        if (m) perModel.set(m, (perModel.get(m) ?? 0) + 1);
    }
    const crossModelEdges: { from: string; to: string }[] = [];
    for (const r of resources) {
        const m = owner.get(r.urn);
        if (!m) continue;
        for (const dep of r.dependencies) {
            const other = owner.get(dep);
            if (other && other !== m) crossModelEdges.push({ from: r.urn, to: dep });
        }
    }
    return { perModel, crossModelEdges };
}
