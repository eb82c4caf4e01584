#!/usr/bin/env node
// Mutation score per scope (lib/, policies/, components/config.ts) and per file from a Stryker JSON report
// (mutation-testing-report-schema), plus every surviving and uncovered mutant, so mutation/results.md can
// quote them. Score = (killed + timeout) / (killed + timeout + survived + no coverage), Stryker's own
// definition: static mutants skipped by `ignoreStatic` and mutants that do not compile or crash are left out.
// Usage: node mutation/scores.cjs [.mutation/report.json] [--survivors]
"use strict";
const fs = require("node:fs");

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--")) ?? ".mutation/report.json";
const showSurvivors = args.includes("--survivors");
const report = JSON.parse(fs.readFileSync(file, "utf8"));

const SCOPES = [
    ["lib/", (f) => f.startsWith("lib/")],
    ["policies/", (f) => f.startsWith("policies/")],
    ["components/config.ts", (f) => f === "components/config.ts"],
];

function tally(mutants) {
    const t = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 };
    for (const m of mutants) {
        if (m.status === "Killed") t.killed++;
        else if (m.status === "Timeout") t.timeout++;
        else if (m.status === "Survived") t.survived++;
        else if (m.status === "NoCoverage") t.noCoverage++;
        else if (m.status === "Ignored") t.ignored++;
        else t.errors++;
    }
    const valid = t.killed + t.timeout + t.survived + t.noCoverage;
    t.score = valid ? (100 * (t.killed + t.timeout)) / valid : NaN;
    return t;
}

const files = Object.entries(report.files).map(([name, f]) => [name.replace(/\\/g, "/"), f]);
const row = (name, t) =>
    `| ${name} | ${t.score.toFixed(1)}% | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.ignored} | ${t.errors} |`;
console.log("| scope | score | killed | timeout | survived | no coverage | ignored (static) | errors |");
console.log("|---|---|---|---|---|---|---|---|");
for (const [scope, match] of SCOPES) {
    const ms = files.filter(([n]) => match(n)).flatMap(([, f]) => f.mutants);
    if (ms.length) console.log(row(`**${scope}**`, tally(ms)));
    for (const [n, f] of files.filter(([n]) => match(n) && scope.endsWith("/"))) console.log(row(`&nbsp;&nbsp;${n}`, tally(f.mutants)));
}

if (showSurvivors) {
    for (const [n, f] of files) {
        const lines = f.source.split("\n");
        for (const m of f.mutants.filter((x) => x.status === "Survived" || x.status === "NoCoverage").sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column)) {
            const { start, end } = m.location;
            const orig = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : lines[start.line - 1].slice(start.column - 1) + " …";
            console.log(`${n}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(orig.trim().slice(0, 90))} -> ${JSON.stringify((m.replacement ?? "").slice(0, 90))}`);
        }
    }
}
