// `npm run plan:comment -- <plans-dir> [--base <base-plans-dir>] [--artifact-url <url>] [--out <file>]`
// One pull-request comment for every stack planned under <plans-dir> (one directory per stack, each the --out of
// `npm run plan`), each compared with the same directory under --base (plan/comment.ts). Writes the comment to
// --out (default: stdout). Exit 0, or 2 on a usage error.
import * as fs from "node:fs";
import { loadStackPlans, renderComment } from "./comment";

export const COMMENT_USAGE = "usage: npm run plan:comment -- <plans-dir> [--base <base-plans-dir>] [--artifact-url <url>] [--out <file>]";

export function parseCommentArgs(argv: string[]): { dir: string; base?: string; artifactUrl?: string; out?: string } {
    const opts: { dir?: string; base?: string; artifactUrl?: string; out?: string } = {};
    const flags: Record<string, "base" | "artifactUrl" | "out"> = { "--base": "base", "--artifact-url": "artifactUrl", "--out": "out" };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a in flags) {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            opts[flags[a]] = v;
        } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
        else if (opts.dir === undefined) opts.dir = a;
        else throw new Error(`unexpected argument ${a}`);
    }
    if (!opts.dir) throw new Error("missing <plans-dir>");
    return { ...opts, dir: opts.dir };
}

if (require.main === module) {
    try {
        const args = parseCommentArgs(process.argv.slice(2));
        if (!fs.existsSync(args.dir)) throw new Error(`${args.dir} does not exist`);
        const body = renderComment(loadStackPlans(args.dir, args.base && fs.existsSync(args.base) ? args.base : undefined), { artifactUrl: args.artifactUrl });
        if (args.out) fs.writeFileSync(args.out, body);
        else process.stdout.write(body);
    } catch (e) {
        console.error(`error: ${(e as Error).message}\n${COMMENT_USAGE}`);
        process.exit(2);
    }
}
