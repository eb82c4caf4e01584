// The key list of a Helm chart's values.yaml, for test/chart-values.test.ts: which value paths a chart has, so the
// values modelplane sets can be checked offline against the chart version it pins.
//
//   npx ts-node --transpile-only scripts/chart-value-keys.ts <values.yaml> <source> > test/fixtures/chart-values/<chart>-<version>.json
//
// `source` says where the file was read (repo@tag:path). Each path (dotted, from the root) is one of:
//   map    a non-empty map: modelplane may set its known keys only;
//   open   an empty map, an empty list or null: free-form below (the chart passes it through, e.g. `resources: {}`);
//   list   a non-empty list: replaced as a whole;
//   scalar a string, number or boolean.
// Only the key list is kept, not the chart's file.
import * as fs from "node:fs";
import { parse } from "yaml";

export type ValueKind = "map" | "open" | "list" | "scalar";

export function valueKeys(values: unknown): Record<string, ValueKind> {
    const out: Record<string, ValueKind> = {};
    const walk = (v: unknown, at: string) => {
        for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
            const p = at ? `${at}.${k}` : k;
            if (child === null || child === undefined) out[p] = "open";
            else if (Array.isArray(child)) out[p] = child.length === 0 ? "open" : "list";
            else if (typeof child === "object") {
                if (Object.keys(child).length === 0) out[p] = "open";
                else {
                    out[p] = "map";
                    walk(child, p);
                }
            } else out[p] = "scalar";
        }
    };
    walk(values ?? {}, "");
    return out;
}

if (require.main === module) {
    const [file, source] = process.argv.slice(2);
    if (!file || !source) {
        process.stderr.write("usage: chart-value-keys.ts <values.yaml> <source>\n");
        process.exit(2);
    }
    const keys = valueKeys(parse(fs.readFileSync(file, "utf8")));
    process.stdout.write(`${JSON.stringify({ source, keys }, null, 1)}\n`);
}
