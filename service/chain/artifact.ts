// The compiled SealAnchor (ABI and bytecode) from Hardhat's artifacts; `npm start` compiles first.
import fs from "node:fs";
import path from "node:path";
import type { InterfaceAbi } from "ethers";

export interface SealAnchorArtifact {
  abi: InterfaceAbi;
  bytecode: string;
}

export function loadSealAnchorArtifact(): SealAnchorArtifact {
  const file = path.resolve(__dirname, "..", "..", "artifacts", "contracts", "SealAnchor.sol", "SealAnchor.json");
  if (!fs.existsSync(file)) throw new Error(`SealAnchor is not compiled (${path.relative(process.cwd(), file)} missing); run: npx hardhat compile`);
  const { abi, bytecode } = JSON.parse(fs.readFileSync(file, "utf8")) as SealAnchorArtifact;
  return { abi, bytecode };
}
