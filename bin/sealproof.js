#!/usr/bin/env node
// Runs the TypeScript CLI without a build step.
require("ts-node").register({ transpileOnly: true, project: require("node:path").join(__dirname, "..", "tsconfig.json") });
require("../service/cli/main.ts");
