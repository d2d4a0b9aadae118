// `npm run demo`: walks a running service through one electronic seal usage end to end: company, member,
// seal with a fresh SM2 key, scenario, grant, approved request, signed usage, anchoring, and verification
// with the CLI against the chain.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { generateSm2KeyPair, sm3, toHex, utf8 } from "../service/evidence";
import { signUsage } from "../service/cli/sign";
import { callApi } from "../service/cli/http-client";
import { operatorToken } from "../service/cli/company";
import { randomCreditCode } from "../service/domain/registry-check";

const BASE = process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
const PUBLIC_BASE = process.env.PUBLIC_BASE_URL ?? BASE;
// The service's read-only /rpc proxy to its chain works with nothing else set up.
const RPC = process.env.SEALPROOF_RPC_URL ?? `${BASE}/rpc`;
const ANCHOR_TIMEOUT_MS = 120_000;

type Json = Record<string, any>;

async function main(): Promise<void> {
  const operator = operatorToken();
  if (!operator) throw new Error("no operator token: set OPERATOR_TOKEN, or run the demo with the DATA_DIR of the service (it writes the token there on first start)");
  step(`service at ${BASE}`);
  const health = await callApi<Json>(BASE, undefined, "GET", "/healthz");
  // A verifier pins this once (sealproof trust add) after checking it with the operator; the demo is the operator.
  const published = await callApi<Json>(BASE, undefined, "GET", "/.well-known/sealproof.json");
  const deployment = `${published.chainId}:${published.contract}`;
  step(`service ${health.status}; it anchors on chain ${published.chainId} in SealAnchor ${published.contract}`);

  const company = await callApi<Json>(BASE, operator, "POST", "/api/v1/companies", {
    name: "示例贸易有限公司 (demo)",
    creditCode: randomCreditCode(),
    legalRep: { name: "张三", idNumber: "11010519491231002X" },
  });
  const rep = company.apiKey.secret as string;
  step(`company ${company.company.id} registered; legal representative ${company.legalRep.id}`);

  const clerk = await callApi<Json>(BASE, rep, "POST", "/api/v1/members", { name: "李四", roles: ["employee"], department: "sales" });
  const clerkKey = clerk.apiKey.secret as string;
  step(`member ${clerk.member.id} added (employee, sales)`);

  const keys = generateSm2KeyPair();
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-demo-")), "seal-key.json");
  fs.writeFileSync(keyFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  const seal = await callApi<Json>(BASE, rep, "POST", "/api/v1/seals", { kind: "electronic", type: "contract", name: "合同专用章", publicKey: keys.publicKey });
  step(`electronic seal ${seal.id} registered; its private key stays in ${keyFile}`);

  const scenario = await callApi<Json>(BASE, rep, "POST", "/api/v1/scenarios", {
    code: `sales-contract-${Date.now()}`, name: "销售合同", sealKinds: ["electronic"], sealTypes: ["contract"], approval: "legal_rep",
  });
  const now = Date.now();
  const grant = await callApi<Json>(BASE, rep, "POST", "/api/v1/grants", {
    member: clerk.member.id, seal: seal.id, scenarios: [scenario.id], validFrom: new Date(now - 60_000).toISOString(), validTo: new Date(now + 30 * 86_400_000).toISOString(), useLimit: 10,
  });
  step(`scenario ${scenario.id} (approval by the legal representative); grant ${grant.id}`);

  const document = utf8(`Sales contract no. ${now}: 100 units at 2,000 CNY.`);
  const documentHash = toHex(sm3(document));
  const request = await callApi<Json>(BASE, clerkKey, "POST", "/api/v1/requests", { seal: seal.id, scenario: scenario.id, documentHash, title: "Sales contract", reason: "customer order" });
  await callApi<Json>(BASE, rep, "POST", `/api/v1/requests/${request.id}/approve`);
  step(`request ${request.id} created and approved`);

  const reservation = await callApi<Json>(BASE, clerkKey, "POST", "/api/v1/usages/reservations", { seal: seal.id });
  const signed = signUsage({ v: 1, receipt: reservation.receipt, seal: seal.id, signer: clerk.member.id, signedAt: new Date().toISOString(), documentHash, scenario: scenario.id, request: request.id }, keys.privateKey);
  const usage = await callApi<Json>(BASE, clerkKey, "POST", "/api/v1/usages", signed);
  step(`usage recorded as record ${usage.id}, receipt ${usage.receipt}`);

  const apiUrl = `${BASE}/api/v1/receipts/${usage.receipt}`;
  await waitForAnchor(apiUrl);
  console.log(`\nverify page: ${PUBLIC_BASE}/v/${usage.receipt}`);
  console.log(`receipt API: ${apiUrl}\n`);

  step(`sealproof verify ${apiUrl} --rpc ${RPC} --deployment ${deployment}`);
  const cli = spawnSync(process.execPath, [path.join(__dirname, "..", "bin", "sealproof.js"), "verify", apiUrl, "--rpc", RPC, "--deployment", deployment], { stdio: "inherit" });
  process.exitCode = cli.status ?? 1;
}

async function waitForAnchor(url: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    const view = await callApi<Json>(url, undefined, "GET", url);
    const seconds = ((Date.now() - start) / 1000).toFixed(1);
    if (view.status === "anchored") {
      process.stdout.write(`\r  anchored in batch ${view.receipt.batch.id}, block ${view.receipt.anchor.blockNumber}, after ${seconds} s\n`);
      return;
    }
    if (Date.now() - start > ANCHOR_TIMEOUT_MS) throw new Error("not anchored within 2 minutes: is the batcher running? see GET /healthz");
    process.stdout.write(`\r  waiting for the batch to be anchored… ${seconds} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const step = (line: string) => console.log(`• ${line}`);

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
