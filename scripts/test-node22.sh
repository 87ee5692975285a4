#!/usr/bin/env bash
# The SQLite store's tests on Node 22 with its own node:sqlite, as an install
# without a compiler runs them (the better-sqlite3 built here is for the Node
# that built it, so Node 22 cannot load it and the store falls back).
# Node 22 comes from the npm registry (the node@22 package), kept in a cache.
# test/node22 adds what only Node 22 shows: the packed package installed with
# --ignore-scripts into a fresh user directory, sending and surviving kill -9.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${SMSFLOW_NODE22_PREFIX:-$HOME/.cache/smsflow/node22}"
if [ ! -x "$prefix/node_modules/.bin/node" ]; then
  mkdir -p "$prefix"
  npm install --no-save --no-audit --no-fund --prefix "$prefix" node@22 >/dev/null
fi
node22="$prefix/node_modules/.bin/node"
echo "Node $("$node22" --version) with node:sqlite"
SMSFLOW_EXPECT_SQLITE_DRIVER=node:sqlite "$node22" node_modules/.bin/mocha --no-config --timeout 60000 --exit \
  test/e2e/sqlite-driver.test.js test/unit/checkpointer.test.js test/e2e/store-sqlite.test.js test/e2e/parking.test.js test/e2e/store-edges.test.js test/e2e/policy.test.js test/e2e/policy-status.test.js \
  test/node22/*.test.js
