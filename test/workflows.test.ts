import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { validateWorkflow } from "@action-validator/core";
import { COMMENT_MARKER } from "../plan/comment";
import { PROJECT_DIR } from "./harness";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; id?: string }
interface Job {
    env?: Record<string, string>;
    needs?: string | string[]; environment?: string; permissions?: Record<string, string>; if?: string;
    strategy?: { matrix?: { stack?: string[] } }; steps: Step[];
}
interface Workflow { on: Record<string, unknown>; permissions?: Record<string, string>; env?: Record<string, string>; jobs: Record<string, Job> }

function load(file: string): { text: string; wf: Workflow } {
    const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
    return { text, wf: YAML.parse(text) as Workflow };
}

/** Stacks shipped in the repo: every committed Pulumi.<stack>.yaml (the e2e test writes a transient `e2e` one). */
function shippedStacks(): string[] {
    return fs.readdirSync(PROJECT_DIR).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s && s !== "e2e").sort();
}

const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);

describe("GitHub workflows", () => {
    const files = fs.readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

    it("exist for pull requests and deploys", () => {
        assert.deepEqual(files.sort(), ["deploy.yml", "pull-request.yml"]);
    });

    for (const file of files) {
        it(`${file} validates against the GitHub Actions workflow schema`, () => {
            const result = validateWorkflow(load(file).text);
            assert.deepEqual(result.errors, [], JSON.stringify(result.errors, null, 2));
        });
    }

    it("every job that runs pulumi gives the engine and the provider the Go GC settings bench/engine.md measured", () => {
        let jobs = 0;
        for (const file of files) {
            const { wf } = load(file);
            for (const [name, job] of Object.entries(wf.jobs)) {
                if (pulumiSteps(job).length === 0) continue;
                jobs++;
                const env = { ...(wf.env ?? {}), ...(job.env ?? {}) };
                assert.ok(Number(env.GOGC) > 100, `${file} ${name}: GOGC ${env.GOGC}`);
                assert.match(String(env.GOMEMLIMIT), /^[0-9]+GiB$/, `${file} ${name}: a GOMEMLIMIT bounds what GOGC trades`);
            }
        }
        assert.equal(jobs, 3, "preview, up-dev and up-prod");
    });

    it("the schema check really rejects a broken workflow", () => {
        const broken = load("deploy.yml").text.replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest");
        assert.ok(validateWorkflow(broken).errors.length > 0);
    });

    describe("pull-request.yml", () => {
        const { wf } = load("pull-request.yml");

        it("plans every shipped stack offline, with no secret and no cloud identity", () => {
            const plan = wf.jobs.plan;
            assert.deepEqual([...(plan.strategy?.matrix?.stack ?? [])].sort(), shippedStacks());
            const text = YAML.stringify(plan);
            assert.doesNotMatch(text, /secrets\./, "the offline plan must work for forks: no secrets");
            assert.equal(plan.permissions?.["id-token"], undefined);
            assert.equal(wf.permissions?.["id-token"], undefined, "no workflow-wide OIDC permission");
            const run = plan.steps.map((s) => s.run ?? "").join("\n");
            assert.match(run, /npm run --silent plan -- "\$\{\{ matrix\.stack \}\}" --policy-config "policies\/config\/\$\{\{ matrix\.stack \}\}\.json" --base "\.plan-base\/\$\{\{ matrix\.stack \}\}"/);
            assert.ok(plan.steps.some((s) => s.run === "npm ci"));
        });

        it("the test job fetches the upstream CRD schemas (sha256-verified) and hands them to npm test", () => {
            const steps = wf.jobs.test.steps;
            const fetchAt = steps.findIndex((s) => /npm run (--silent )?crds -- --out \.crds/.test(s.run ?? ""));
            const testAt = steps.findIndex((s) => s.run === "npm test");
            assert.ok(fetchAt >= 0, "no `npm run crds -- --out .crds` step: the conformance tests have no ../shared/crds in a user's repository");
            assert.ok(testAt > fetchAt, "the CRDs must be fetched before `npm test`");
            assert.ok(steps.findIndex((s) => s.run === "npm ci") < fetchAt, "dependencies installed before the CRD script");
            assert.match(steps[fetchAt].run ?? "", /MODELPLANE_CRDS_DIR|\$\{line#export \}/);
            assert.match(steps[fetchAt].run ?? "", />> "\$GITHUB_ENV"/, "MODELPLANE_CRDS_DIR reaches the test step through GITHUB_ENV");
        });

        it("plans the base branch of the PR with its own code, before the PR's plan compares against it", () => {
            const plan = wf.jobs.plan;
            const baseCheckout = plan.steps.findIndex((s) => s.uses?.startsWith("actions/checkout@") && s.with?.ref === "${{ github.event.pull_request.base.sha }}");
            assert.ok(baseCheckout >= 0, "no checkout of the base sha");
            assert.equal(plan.steps[baseCheckout].with?.path, "base");
            const basePlan = plan.steps.findIndex((s) => /cd base && npm ci .*\n?.*npm run --silent plan -- "\$\{\{ matrix\.stack \}\}" --out "\$GITHUB_WORKSPACE\/\.plan-base\/\$\{\{ matrix\.stack \}\}"/s.test(s.run ?? ""));
            const headPlan = plan.steps.findIndex((s) => s.id === "plan");
            assert.ok(baseCheckout < basePlan && basePlan < headPlan, "base checked out, then planned, then the PR planned with --base");
            assert.match(plan.steps[basePlan].run ?? "", /\|\| echo/, "a base without the stack (or that fails) must not fail the job");
            const uploads = plan.steps.filter((s) => s.uses?.startsWith("actions/upload-artifact@")).map((s) => [s.with?.name, s.with?.path]);
            assert.deepEqual(uploads, [["plan-${{ matrix.stack }}", ".plan/${{ matrix.stack }}"], ["base-plan-${{ matrix.stack }}", ".plan-base/${{ matrix.stack }}"]]);
        });

        it("posts one PR comment built by npm run plan:comment (changes first, within GitHub's limit), updated in place", () => {
            const c = wf.jobs.comment;
            assert.deepEqual(needs(c), ["plan"]);
            assert.equal(c.permissions?.["pull-requests"], "write");
            const downloads = c.steps.filter((s) => s.uses?.startsWith("actions/download-artifact@")).map((s) => [s.with?.pattern, s.with?.path]);
            assert.deepEqual(downloads, [["plan-*", "plans"], ["base-plan-*", "base-plans"]]);
            const build = c.steps.findIndex((s) => /npm run --silent plan:comment -- plans --base base-plans\s*\\?\s*--artifact-url "\$\{\{ github\.server_url \}\}\/\$\{\{ github\.repository \}\}\/actions\/runs\/\$\{\{ github\.run_id \}\}" --out comment\.md/.test(s.run ?? ""));
            assert.ok(build >= 0, "no plan:comment step");
            assert.ok(c.steps.findIndex((s) => s.run === "npm ci") < build, "dependencies installed before plan:comment");
            const scriptAt = c.steps.findIndex((s) => s.uses?.startsWith("actions/github-script"));
            assert.ok(scriptAt > build);
            const script = String(c.steps[scriptAt].with?.script);
            assert.match(script, /readFileSync\("comment\.md", "utf8"\)/);
            assert.doesNotMatch(script, /slice\(0, 65000\)/, "the comment is fitted by plan:comment, not cut blindly");
            assert.match(script, /updateComment/);
            // The script's marker is the one plan:comment writes, so the comment is found and updated in place.
            assert.match(script, new RegExp(COMMENT_MARKER));
        });

        it("previews each cloud stack with the policy pack and that stack's policy config", () => {
            const p = wf.jobs.preview;
            assert.equal(p.permissions?.["id-token"], "write");
            const stacks = p.strategy?.matrix?.stack ?? [];
            assert.ok(stacks.length > 0);
            for (const stack of stacks) {
                assert.ok(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)), `no stack ${stack}`);
            }
            const [step] = pulumiSteps(p);
            assert.equal(step.with?.command, "preview");
            assert.equal(step.with?.policyPacks, "policies");
            assert.equal(step.with?.policyPackConfigs, "policies/config/${{ matrix.stack }}.json");
            assert.ok(p.steps.some((s) => s.uses?.startsWith("pulumi/esc-action@")), "cloud credentials come from ESC");
            assert.ok(p.steps.findIndex((s) => s.run === "npm ci") < p.steps.indexOf(step), "dependencies installed before preview");
        });
    });

    describe("deploy.yml", () => {
        const { wf } = load("deploy.yml");

        it("runs on main only", () => {
            assert.deepEqual((wf.on.push as { branches: string[] }).branches, ["main"]);
        });

        it("ups dev, then prod behind its environment, each with the policy pack and its own config", () => {
            const dev = wf.jobs["up-dev"];
            const prod = wf.jobs["up-prod"];
            assert.deepEqual(needs(prod), ["up-dev"]);
            assert.equal(prod.environment, "prod");
            assert.equal(dev.environment, "dev");
            for (const [stack, job] of [["dev", dev], ["prod", prod]] as const) {
                const steps = pulumiSteps(job);
                assert.equal(steps.length, 1);
                assert.equal(steps[0].with?.command, "up");
                assert.match(String(steps[0].with?.["stack-name"]), new RegExp(`/modelplane/${stack}$`));
                assert.equal(steps[0].with?.policyPacks, "policies");
                assert.equal(steps[0].with?.policyPackConfigs, `policies/config/${stack}.json`);
            }
        });

        it("every policy config the workflows name exists", () => {
            for (const stack of ["dev", "prod", "local"]) {
                assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policies", "config", `${stack}.json`)), `policies/config/${stack}.json`);
            }
        });
    });

    describe("sample ESC environments", () => {
        it("use OIDC logins and export credentials as environment variables", () => {
            const aws = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "deploy", "esc", "prod-aws.yaml"), "utf8"));
            assert.ok(aws.values.aws.login["fn::open::aws-login"].oidc.roleArn);
            assert.equal(aws.values.environmentVariables.AWS_SESSION_TOKEN, "${aws.login.sessionToken}");
            const gcp = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "deploy", "esc", "dev-gcp.yaml"), "utf8"));
            assert.ok(gcp.values.gcp.login["fn::open::gcp-login"].oidc.workloadPoolId);
            assert.equal(gcp.values.environmentVariables.GOOGLE_OAUTH_ACCESS_TOKEN, "${gcp.login.accessToken}");
        });
    });
});
