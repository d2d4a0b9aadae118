// Deploys SealAnchor (admin and anchorer given), and keeps the embedded dev chain's deployment in a file.
import fs from "node:fs";
import path from "node:path";
import { ContractFactory, type Provider, type Signer } from "ethers";
import { loadSealAnchorArtifact } from "./artifact";

export async function deploySealAnchor(deployer: Signer, admin: string, anchorer: string): Promise<{ address: string; txHash: string }> {
  const { abi, bytecode } = loadSealAnchorArtifact();
  const contract = await new ContractFactory(abi, bytecode, deployer).deploy(admin, anchorer);
  await contract.waitForDeployment();
  return { address: await contract.getAddress(), txHash: contract.deploymentTransaction()?.hash ?? "" };
}

/**
 * The dev chain's contract: the address stored under `dir` while code is there, else a fresh deployment
 * (first start, or a wiped chain; the deployer's first transaction lands at the same address again).
 */
export async function ensureDevDeployment(provider: Provider, deployer: Signer, dir: string): Promise<{ address: string; deployed: boolean }> {
  const file = path.join(dir, "deployment.json");
  if (fs.existsSync(file)) {
    const { address } = JSON.parse(fs.readFileSync(file, "utf8")) as { address: string };
    if ((await provider.getCode(address)) !== "0x") return { address, deployed: false };
  }
  const me = await deployer.getAddress();
  const { address } = await deploySealAnchor(deployer, me, me);
  fs.writeFileSync(file, `${JSON.stringify({ address, deployedAt: new Date().toISOString() }, null, 2)}\n`);
  return { address, deployed: true };
}
