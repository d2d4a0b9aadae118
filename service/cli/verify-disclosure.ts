// `sealproof verify --disclosure FILE`: a stamp's disclosed location (sealproof-location-disclosure/1) checked against
// the anchored locationCommitment of the stamp's record, whose receipt is verified against the chain and the device's
// signature as any receipt is. Whether the stamp was authorized is its receipt's own question, not the location's.
import fs from "node:fs";
import { JsonRpcProvider } from "ethers";
import { checkLocationDisclosure, disclosureShapeProblem, formatDeployment, verdictOf, verifyReceipt, type Deployment, type DisclosureCheck, type VerifyReport } from "../evidence";
import { createChainReader } from "../chain/reader";
import { CliUsageError } from "./command";

export const DISCLOSURE_HELP = `With --disclosure FILE (and no other argument), FILE is a stamp's disclosed location, as
GET /api/v1/devices/<device>/stamps/<n>/location gives it to an auditor or the legal representative: the
location, its salt, and the stamp's receipt with its device's and company's. The stamp's record is verified
against the chain and its device's signature, and then SM3(salt ‖ location) must be that very stamp's
anchored locationCommitment. Whether the stamp was authorized is checked by verifying its receipt itself.`;

export interface Disclosed {
  disclosure: unknown;
  receipt: unknown;
  deviceReceipt?: unknown;
  companyReceipt?: unknown;
}

/** The disclosure file and the receipts it carries, or a usage error saying what is wrong with it. */
export function readDisclosure(file: string): Disclosed {
  if (!fs.existsSync(file)) throw new CliUsageError(`${file}: no such file`);
  let disclosure: unknown;
  try {
    disclosure = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    throw new CliUsageError(`${file}: not JSON`);
  }
  const problem = disclosureShapeProblem(disclosure);
  if (problem !== null) throw new CliUsageError(`${file}: not a location disclosure (${problem})`);
  const { receipt, deviceReceipt, companyReceipt } = disclosure as { receipt: unknown; deviceReceipt: unknown; companyReceipt: unknown };
  return { disclosure, receipt, deviceReceipt: deviceReceipt ?? undefined, companyReceipt: companyReceipt ?? undefined };
}

/**
 * Verifies the stamp's receipt, then (only if it verified: a record that does not verify proves nothing) the location
 * against it; prints both, or one JSON object, and gives the exit status: 0 both hold, 1 either fails, 3 the chain
 * could not be read.
 */
export async function verifyDisclosure(disclosed: Disclosed, deployment: Deployment, rpc: string, json: boolean): Promise<number> {
  const provider = new JsonRpcProvider(rpc, undefined, { cacheTimeout: -1, staticNetwork: true, batchMaxCount: 1 });
  let report: VerifyReport;
  try {
    report = await verifyReceipt(disclosed.receipt, createChainReader(provider, deployment.contract), { deployment, deviceReceipt: disclosed.deviceReceipt, companyReceipt: disclosed.companyReceipt });
  } finally {
    provider.destroy();
  }
  const verdict = verdictOf(report);
  const location: DisclosureCheck | null = verdict === "verified" ? checkLocationDisclosure(disclosed.disclosure, report.record) : null;
  if (json) console.log(JSON.stringify({ receipt: report, location }, null, 2));
  else print(report, location, rpc, deployment);
  if (verdict !== "verified") return verdict === "inconclusive" ? 3 : 1;
  return location?.ok ? 0 : 1;
}

function print(report: VerifyReport, location: DisclosureCheck | null, rpc: string, deployment: Deployment): void {
  console.log(`trusted deployment: ${formatDeployment(deployment)}`);
  console.log(`chain: ${rpc}`);
  for (const step of report.steps) console.log(`${step.ok ? "✔" : "✘"} ${step.step.padEnd(10)} ${step.ok ? "" : `${step.code}: `}${step.message}`);
  if (location === null) console.log("✘ location   not judged: the stamp's receipt does not verify, so it proves no location.");
  else if (location.ok) console.log(`✔ location   ${location.message}`);
  else console.log(`✘ location   ${location.code}: ${location.message}`);
  if (location?.ok) console.log("VERIFIED: the stamp's record is anchored and signed by its device, and the disclosed location is where it was made.");
  else console.log(`FAILED: ${location === null ? report.code : location.code}`);
}
