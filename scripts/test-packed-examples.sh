#!/usr/bin/env bash
# Runs the host examples (express, fastify, embed) against the packed tarballs of
# the packages, installed into a fresh app outside the workspace: what a user
# gets from npm, not workspace links. Run after `npm run build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/preloop-packed-XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tarballs" "$work/app"

echo "packing the packages into $work/tarballs"
for pkg in core mcp; do
  (cd "$root/packages/$pkg" && npm pack --silent --pack-destination "$work/tarballs" >/dev/null)
done
tarball() { ls "$work/tarballs"/preloop-"$1"-*.tgz; }

version() { node -p "require('$root/node_modules/$1/package.json').version"; }
cat > "$work/app/package.json" <<JSON
{
  "name": "packed-examples",
  "private": true,
  "type": "module",
  "dependencies": {
    "@preloop/core": "file:$(tarball core)",
    "@preloop/mcp": "file:$(tarball mcp)",
    "@modelcontextprotocol/sdk": "$(version @modelcontextprotocol/sdk)",
    "better-sqlite3": "$(version better-sqlite3)",
    "express": "$(version express)",
    "fastify": "$(version fastify)",
    "hono": "$(version hono)"
  }
}
JSON
for example in embed express fastify; do
  mkdir -p "$work/app/$example"
  cp "$root/examples/$example/src/"*.ts "$work/app/$example/"
done
cat > "$work/app/vitest.config.mjs" <<'JS'
export default { test: { include: ['*/*.test.ts'], environment: 'node', testTimeout: 30000 } };
JS

echo "installing the tarballs into a fresh app"
# Install scripts off: the only one that matters, better-sqlite3's native build, is the same
# version as the repository's, so its compiled binary is copied instead of compiled again (~1 min).
(cd "$work/app" && npm install --no-audit --no-fund --loglevel=error --ignore-scripts >/dev/null)
mkdir -p "$work/app/node_modules/better-sqlite3/build/Release"
cp "$root/node_modules/better-sqlite3/build/Release/better_sqlite3.node" "$work/app/node_modules/better-sqlite3/build/Release/"
# The test runner is the repository's own (the examples' tests import it); everything else comes from the tarballs.
ln -s "$root/node_modules/vitest" "$work/app/node_modules/vitest"

echo "running the examples' tests against the tarballs"
cd "$work/app"
node "$root/node_modules/vitest/vitest.mjs" run --config vitest.config.mjs
