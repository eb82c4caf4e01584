// Helpers for test/e2e/routing.sh (plain Node, no build step; `yaml` from the project's dependencies).
//
//   node tool.cjs yaml2json <file.yaml>                      → the YAML document as JSON on stdout
//   node tool.cjs control-stack <Pulumi.x.yaml> <out> <model> → a copy of the stack file whose <model> has
//                                                              routing.scorers.prefixCache = 0 (nothing else changed)
//   node tool.cjs traffic <dir> <servedName> <K> <P>         → <dir>/same.jsonl, spread.jsonl, load.jsonl (ext_proc client input)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const YAML = require("yaml");

const [cmd, ...args] = process.argv.slice(2);

function die(msg) {
    console.error(`routing tool: ${msg}`);
    process.exit(2);
}

// Deterministic filler text (a system prompt of a few thousand characters), different for every seed.
const WORDS = ("policy customer account invoice region latency quota tenant escalate refund shipment warranty " +
    "contract renewal priority severity incident summary handover compliance retention archive language " +
    "schedule capacity forecast budget approval vendor catalogue release rollback audit").split(" ");
function lcg(seed) {
    let s = seed >>> 0;
    return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}
function systemPrompt(tag, seed, chars) {
    const next = lcg(seed);
    const head = `[${tag}] You are the support assistant of tenant ${tag}. Follow these rules exactly.`;
    const parts = [head];
    let n = head.length;
    let rule = 1;
    while (n < chars) {
        const words = [];
        for (let i = 0; i < 12; i++) words.push(WORDS[next() % WORDS.length]);
        const sentence = ` Rule ${rule++}: ${words.join(" ")}.`;
        parts.push(sentence);
        n += sentence.length;
    }
    return parts.join("");
}
function request(id, model, system, user) {
    return JSON.stringify({
        id,
        path: "/v1/chat/completions",
        body: {
            model,
            messages: [
                { role: "system", content: system },
                { role: "user", content: user },
            ],
            max_tokens: 16,
        },
    });
}

switch (cmd) {
    case "yaml2json": {
        const [file] = args;
        const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).filter((d) => d.contents !== null);
        if (docs.length !== 1) die(`${file}: expected one YAML document, found ${docs.length}`);
        process.stdout.write(JSON.stringify(docs[0].toJS()));
        break;
    }
    case "control-stack": {
        const [input, output, model] = args;
        const doc = YAML.parseDocument(fs.readFileSync(input, "utf8"));
        const models = doc.getIn(["config", "modelplane:models"]);
        if (!models || !YAML.isSeq(models)) die(`${input}: no config."modelplane:models" list`);
        const entry = models.items.find((m) => YAML.isMap(m) && m.get("name") === model);
        if (!entry) die(`${input}: no model named ${model}`);
        entry.setIn(["routing", "scorers", "prefixCache"], 0);
        const text = doc.toString();
        // Only that value may differ (the YAML layout may be reflowed): compare the parsed documents.
        const before = YAML.parse(fs.readFileSync(input, "utf8"));
        const after = YAML.parse(text);
        const m = before.config["modelplane:models"].find((x) => x.name === model);
        m.routing = { ...(m.routing ?? {}), scorers: { ...(m.routing?.scorers ?? {}), prefixCache: 0 } };
        if (JSON.stringify(before) !== JSON.stringify(after)) die("control stack: more than prefixCache changed");
        fs.writeFileSync(output, text);
        break;
    }
    case "traffic": {
        const [dir, model, kArg, pArg] = args;
        const K = Number(kArg);
        const P = Number(pArg);
        if (!(K >= 2 && P >= 2)) die("K and P must be >= 2");
        const CHARS = 4000;
        // K requests sharing one long system prompt, each with its own short question.
        const shared = systemPrompt("same-prefix", 7, CHARS);
        const same = [];
        for (let k = 1; k <= K; k++) {
            same.push(request(`same-${k}`, model, shared, `Question ${k}: what is the status of order ${1000 + k * 37}?`));
        }
        fs.writeFileSync(path.join(dir, "same.jsonl"), same.join("\n") + "\n");
        // P different long system prompts (they differ from their first characters on), each sent twice:
        // round 1 all P, then round 2 all P again with another question.
        const spread = [];
        for (const round of [1, 2]) {
            for (let p = 1; p <= P; p++) {
                const system = systemPrompt(`spread-${p}`, 1000 + p, CHARS);
                spread.push(request(`spread-${p}-r${round}`, model, system, `Round ${round}: summarise rule ${p + round}.`));
            }
        }
        fs.writeFileSync(path.join(dir, "spread.jsonl"), spread.join("\n") + "\n");
        // P more prefixes, new to every picker: for the load-aware phase.
        const load = [];
        for (let p = 1; p <= P; p++) {
            load.push(request(`load-${p}`, model, systemPrompt(`load-${p}`, 2000 + p, CHARS), `Summarise rule ${p}.`));
        }
        fs.writeFileSync(path.join(dir, "load.jsonl"), load.join("\n") + "\n");
        console.log(`traffic: ${K} same-prefix requests (${shared.length}-char system prompt), ${P} prefixes × 2 rounds`);
        break;
    }
    default:
        die(`unknown command ${cmd}`);
}
