#!/usr/bin/env node
// Runs the CLI bundle when it was built from the sources as they are (npm run build:service, which prestart and
// pretest run); otherwise, as after a fresh `npm ci` or once a source has changed, the TypeScript sources through ts-node.
const path = require("node:path");
const { compiledCli } = require("./compiled-cli");

const root = path.join(__dirname, "..");
const bundle = compiledCli(root);
if (bundle) {
  process.setSourceMapsEnabled(true);
  require(bundle);
} else {
  require("ts-node").register({ transpileOnly: true, project: path.join(root, "tsconfig.json") });
  require("../service/cli/main.ts");
}
