// StrykerJS config for `npm run test:mutation` (mutation/run.sh, run from the repository root); see
// mutation/results.md for the toolchain and the scores.
//
// Tests: by default the unit tests of the three scopes (the policies, lib/ and config tests, which call the
// code directly), fast tests first because a mutant stops at its first failing test. Tests that evaluate the
// whole program under mocks cover nearly every line of lib/demand.ts and policies/, so with them each surviving
// mutant reruns dozens of program evaluations (hours on 2 cores). They can only kill more mutants, so the
// default score is a lower bound; MUTATION_TESTS=all runs the whole suite (`npm test`'s test/*.test.ts).
const UNIT_TESTS = [
    "test/*-edges.test.ts",
    "test/demand.test.ts",
    "test/policies.test.ts",
    "test/config.test.ts",
    "test/fit.test.ts",
    "test/packing.test.ts",
    "test/config-all-errors.test.ts",
    "test/scaling.test.ts",
    "test/scale-up.test.ts",
    "test/catalog.test.ts",
    "test/policies-config.test.ts",
    "test/policies-runner.test.ts",
    "test/plan-policies.test.ts",
    "test/podspec-patch.test.ts",
    "test/config-reference.test.ts",
];
const ALL_TESTS = [...UNIT_TESTS, "test/*.test.ts"];

export default {
    testRunner: "mocha",
    coverageAnalysis: "perTest",
    ignoreStatic: true,
    concurrency: 2,
    mutate: ["lib/**/*.ts", "policies/**/*.ts", "components/config.ts"],
    mochaOptions: {
        spec: process.env.MUTATION_TESTS === "all" ? ALL_TESTS : UNIT_TESTS,
        config: ".mocharc.json",
    },
    ignorePatterns: [".plan", ".mutation", "bin", "mutation/node_modules", "test/e2e"],
    tempDirName: ".stryker-tmp",
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: ".mutation/report.html" },
    jsonReporter: { fileName: ".mutation/report.json" },
    incrementalFile: ".mutation/incremental.json",
    timeoutMS: 20000,
    dryRunTimeoutMinutes: 30,
};
