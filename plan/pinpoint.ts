// The policy pack reads only what the program registered (DESIGN.md §1), so its fix-it text names config keys
// without an index: `modelplane:teams[].gpuQuota for "search"`, `modelplane:models[]` in a message about model
// "qwen3-32b". The plan has the config: it turns those into the entry to edit, `modelplane:teams[0].gpuQuota`.
// (Writing the index into the registered objects instead would change every later model's or team's objects
// whenever one entry is removed or reordered.)
import { PlatformConfig } from "../components/config";
import { PolicyViolation } from "./policy-runner";

export function pinpoint(message: string, cfg: Pick<PlatformConfig, "teams" | "gpuPools" | "models">): string {
    const index = {
        teams: new Map(cfg.teams.map((t, i) => [t.name, i])),
        gpuPools: new Map(cfg.gpuPools.map((p, i) => [p.name, i])),
        models: new Map(cfg.models.map((m, i) => [m.name, i])),
    };
    type List = keyof typeof index;
    // `modelplane:teams[].gpuQuota for "search"` → `modelplane:teams[0].gpuQuota ("search")`
    let out = message.replace(/modelplane:(teams|gpuPools|models)\[\]((?:\.[A-Za-z]+)*) for "([^"]+)"/g, (whole, list: List, field: string, name: string) => {
        const i = index[list].get(name);
        return i === undefined ? whole : `modelplane:${list}[${i}]${field} ("${name}")`;
    });
    // The message's subject (`model "x"`, `team "x"`, `pool "x"`) names the entry of the remaining `[]` keys.
    const subjects: [List, RegExp][] = [["models", /\bmodel "([^"]+)"/], ["teams", /\bteam "([^"]+)"/], ["gpuPools", /\bpool "([^"]+)"/]];
    for (const [list, re] of subjects) {
        const name = re.exec(out)?.[1];
        const i = name === undefined ? undefined : index[list].get(name);
        if (i !== undefined) out = out.split(`modelplane:${list}[]`).join(`modelplane:${list}[${i}]`);
    }
    return out;
}

export function pinpointViolations(violations: PolicyViolation[], cfg: Pick<PlatformConfig, "teams" | "gpuPools" | "models">): PolicyViolation[] {
    return violations.map((v) => ({ ...v, message: pinpoint(v.message, cfg) }));
}
