#!/usr/bin/env bash
# npm run test:mutation [-- <stryker options>]: StrykerJS over lib/, policies/ and components/config.ts
# (mutation/stryker.config.mjs), then the score per scope (mutation/scores.cjs). Reports go to .mutation/
# (git-ignored). Not part of CI: tens of minutes on 2 cores. Examples:
#   npm run test:mutation                                  # everything
#   npm run test:mutation -- --mutate 'policies/**/*.ts'   # one scope
#   npm run test:mutation -- --incremental                 # reuse .mutation/incremental.json
#   MUTATION_TESTS=all npm run test:mutation               # the whole suite, not only the unit tests
set -euo pipefail
cd "$(dirname "$0")/.."

# Stryker lives in its own package (mutation/package-lock.json): its mocha runner needs mocha < 12.
if [ ! -x mutation/node_modules/.bin/stryker ] || [ mutation/package-lock.json -nt mutation/node_modules/.package-lock.json ]; then
  echo "== npm ci --prefix mutation"
  npm ci --prefix mutation
fi

# Stryker runs the tests in a sandbox (.stryker-tmp/sandbox-*), where ../shared/crds is not beside the repo.
export MODELPLANE_CRDS_DIR="${MODELPLANE_CRDS_DIR:-$(cd .. && pwd)/shared/crds}"

mkdir -p .mutation
status=0
mutation/node_modules/.bin/stryker run mutation/stryker.config.mjs "$@" || status=$?
if [ -f .mutation/report.json ]; then
  node mutation/scores.cjs .mutation/report.json
fi
exit "$status"
