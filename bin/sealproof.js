#!/usr/bin/env node
// Runs the CLI bundle when it was built from the sources as they are (npm run build:service, which prestart and
// pretest run); otherwise, as after a fresh `npm ci` or once a source has changed, the TypeScript sources through ts-node.
// SEALPROOF_CLI=bundle runs the bundle even if a source changed since, for a run that has just built it (bench:audit).
const path = require("node:path");
const { builtCli, compiledCli } = require("./compiled-cli");

const root = path.join(__dirname, "..");
const forced = process.env.SEALPROOF_CLI === "bundle";
const bundle = forced ? builtCli(root) : compiledCli(root);
if (forced && !bundle) {
  console.error("sealproof: SEALPROOF_CLI=bundle, but the CLI bundle is not built (npm run build:service)");
  process.exit(1);
}
if (bundle) {
  process.setSourceMapsEnabled(true);
  require(bundle);
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  require("../service/cli/main.ts");
}
