// Hardhat config: compiles offline with the pinned `solc` npm package instead of downloading a compiler.
import fs from "node:fs";
import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, TASK_TEST_GET_TEST_FILES } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-chai-matchers";
import "@nomicfoundation/hardhat-ethers";

const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }) => {
  // Hardhat loads this file as CommonJS; the package's own version file says which soljson.js is installed.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solcPackage = require("solc/package.json") as { version: string };
  if (args.solcVersion !== solcPackage.version) {
    throw new Error(`solidity.version ${args.solcVersion} differs from the installed solc package ${solcPackage.version}`);
  }
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: args.solcVersion,
    longVersion: `${args.solcVersion}`,
  };
});

// `hardhat test` would load every file under test/ (helpers, type declarations); run only *.test.ts.
subtask(TASK_TEST_GET_TEST_FILES, async (args: { testFiles: string[] }, hre) => {
  if (args.testFiles.length > 0) return args.testFiles.map((f) => path.resolve(f));
  const files = fs.readdirSync(hre.config.paths.tests, { recursive: true, encoding: "utf8" });
  return files.filter((f) => f.endsWith(".test.ts")).sort().map((f) => path.join(hre.config.paths.tests, f));
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 10_000 }, evmVersion: "cancun" },
  },
  paths: { sources: "contracts", tests: "test", cache: "cache", artifacts: "artifacts" },
  mocha: { timeout: 120_000 },
};

export default config;
