// Decides whether the CLI bundle (dist/service/cli.js, from `npm run build:service`) may run in place of the sources:
// only when every source file it was built from is unchanged since the build began. Plain JavaScript, no dependencies.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Written by scripts/build-service.ts after the bundles: `{ builtAt, sources }`, sources relative to the root. */
const MANIFEST = path.join("dist", "service", "cli.sources.json");
const BUNDLE = path.join("dist", "service", "cli.js");

function readManifest(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, MANIFEST), "utf8"));
  } catch {
    return null;
  }
}

/** The bundle's path when it is current for the sources under `root`, else null (nothing built, or a source changed or gone). */
function compiledCli(root) {
  const manifest = readManifest(root);
  if (!manifest || typeof manifest.builtAt !== "number" || !Array.isArray(manifest.sources) || manifest.sources.length === 0) return null;
  const bundle = path.join(root, BUNDLE);
  if (!fs.existsSync(bundle)) return null;
  const current = manifest.sources.every((file) => {
    const stat = fs.statSync(path.join(root, file), { throwIfNoEntry: false });
    return stat !== undefined && stat.mtimeMs < manifest.builtAt;
  });
  return current ? bundle : null;
}

/** The bundle's path when it exists, current or not: for a run that has just built it (SEALPROOF_CLI=bundle). */
function builtCli(root) {
  const bundle = path.join(root, BUNDLE);
  return fs.existsSync(bundle) ? bundle : null;
}

module.exports = { compiledCli, builtCli, MANIFEST, BUNDLE };
