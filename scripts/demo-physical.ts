// `npm run demo:physical`: walks a running service (`npm start`, embedded broker and dev chain) through a physical seal in
// a smart-seal device: enrolment, a seal with a geofence, request, approval, custody confirmed by the custodian and the
// reviewer, the device unlocked over MQTT and stamping with a location commitment (the simulator, `sealproof device
// simulate`), a stamp outside the geofence that locks the device and raises an alert, dual-control unlock, remote lock,
// the paper copies printed with their QR codes (`sealproof seal-pdf --physical`), a scan of a stamped copy linked to its
// stamp, one stamp's receipt checked with `sealproof verify` against the chain, and the verify pages of an authorized
// and an unauthorized stamp.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile, spawnSync } from "node:child_process";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { sm3, toHex, utf8 } from "../service/evidence";
import { callApi } from "../service/cli/http-client";
import { operatorToken } from "../service/cli/company";
import { randomCreditCode } from "../service/domain/registry-check";

const BASE = process.env.SEALPROOF_URL ?? "http://127.0.0.1:8080";
const PUBLIC_BASE = process.env.PUBLIC_BASE_URL ?? BASE;
const RPC = process.env.SEALPROOF_RPC_URL ?? `${BASE}/rpc`;
const CLI = path.join(__dirname, "..", "bin", "sealproof.js");
const WAIT_MS = 120_000;
/** The demo pins the service in a trust file of its own, leaving the user's untouched. */
const TRUST_FILE = path.join(os.tmpdir(), `sealproof-demo-physical-trust-${process.pid}.json`);
/** Where the seal may be stamped: 300 m around the company's office. */
const OFFICE = { lat: 31.2304, lng: 121.4737, radiusM: 300 };

type Json = Record<string, any>;

async function main(): Promise<void> {
  const operator = operatorToken();
  if (!operator) throw new Error("no operator token: set OPERATOR_TOKEN, or run the demo with the DATA_DIR of the service (it writes the token there on first start)");
  const published = await callApi<Json>(BASE, undefined, "GET", "/.well-known/sealproof.json");
  if (!published.mqttUrl) throw new Error(`${BASE} runs no MQTT broker for devices (MQTT_PORT=off?)`);
  const deployment = `${published.chainId}:${published.contract}`;
  step(`service at ${BASE}: chain ${published.chainId}, SealAnchor ${published.contract}; devices connect to ${published.mqttUrl}`);

  const company = await callApi<Json>(BASE, operator, "POST", "/api/v1/companies", { name: "示例贸易有限公司 (physical demo)", creditCode: randomCreditCode(), legalRep: { name: "张三", idNumber: "11010519491231002X" } });
  const rep = company.apiKey.secret as string;
  const member = async (name: string, role: string) => {
    const added = await callApi<Json>(BASE, rep, "POST", "/api/v1/members", { name, roles: [role], department: role === "employee" ? "sales" : null });
    return { id: added.member.id as string, token: added.apiKey.secret as string };
  };
  const admin = await member("王五", "seal_admin");
  const custodian = await member("赵六", "custodian");
  const reviewer = await member("钱七", "reviewer");
  const clerk = await member("李四", "employee");
  step(`company ${company.company.id}: legal representative, seal administrator ${admin.id}, custodian ${custodian.id}, reviewer ${reviewer.id}, clerk ${clerk.id}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-demo-physical-"));
  const keyFile = path.join(dir, "device-key.json");
  await cli(["device", "keygen", "--out", keyFile]);
  const { publicKey } = JSON.parse(fs.readFileSync(keyFile, "utf8")) as { publicKey: string };
  const enrolled = await callApi<Json>(BASE, admin.token, "POST", "/api/v1/devices", { serial: `SP-${Date.now()}`, model: "SP-100 (simulated)", publicKey });
  const device = enrolled.device.id as string;
  const credentialFile = path.join(dir, "device.credential");
  fs.writeFileSync(credentialFile, `${enrolled.credential.secret}\n`, { mode: 0o600 });
  step(`device ${device} enrolled with the key made by 'sealproof device keygen' (${keyFile}); its credential, shown once, is in ${credentialFile}`);

  const seal = await callApi<Json>(BASE, admin.token, "POST", "/api/v1/seals", { kind: "physical", type: "official", name: "公章", device, custodian: custodian.id, reviewer: reviewer.id, geofence: OFFICE });
  step(`physical seal ${seal.id} (公章) registered in device ${device}, to be stamped within ${OFFICE.radiusM} m of ${OFFICE.lat}, ${OFFICE.lng}`);

  const scenario = await callApi<Json>(BASE, rep, "POST", "/api/v1/scenarios", { code: `official-letter-${Date.now()}`, name: "对外公函", sealKinds: ["physical"], sealTypes: ["official"], approval: "legal_rep" });
  const now = Date.now();
  await callApi<Json>(BASE, rep, "POST", "/api/v1/grants", { member: clerk.id, seal: seal.id, scenarios: [scenario.id], validFrom: new Date(now - 60_000).toISOString(), validTo: new Date(now + 30 * 86_400_000).toISOString() });
  const letterFile = path.join(dir, "letter.pdf");
  fs.writeFileSync(letterFile, await letterPdf(`Letter to the tax bureau no. ${now}`));
  const documentHash = toHex(sm3(fs.readFileSync(letterFile)));
  const request = await callApi<Json>(BASE, clerk.token, "POST", "/api/v1/requests", { seal: seal.id, scenario: scenario.id, documentHash, title: "Letter to the tax bureau", reason: "annual filing", copies: 3 });
  await callApi<Json>(BASE, rep, "POST", `/api/v1/requests/${request.id}/approve`);
  step(`clerk asked for 3 copies (request ${request.id}); the legal representative approved`);

  await callApi<Json>(BASE, custodian.token, "POST", `/api/v1/requests/${request.id}/confirm-custody`);
  const confirmed = await callApi<Json>(BASE, reviewer.token, "POST", `/api/v1/requests/${request.id}/confirm-custody`);
  const authorization = await callApi<Json>(BASE, clerk.token, "GET", `/api/v1/authorizations/${confirmed.authorization}`);
  step(`custodian and reviewer confirmed custody: authorization ${authorization.id}, ${authorization.copies} stamps until ${authorization.validUntil}, receipt ids ${authorization.receipts.join(", ")} reserved for the copies' QR codes; a signed unlock waits for the device`);

  const clerkKeyFile = path.join(dir, "clerk.api-key");
  fs.writeFileSync(clerkKeyFile, `${clerk.token}\n`, { mode: 0o600 });
  const copiesFile = path.join(dir, "letter-copies.pdf");
  step(`sealproof trust add ${BASE} (into the demo's own trust file), then sealproof seal-pdf --physical --authorization ${authorization.id} ${letterFile} --out ${copiesFile}`);
  await cli(["trust", "add", BASE, "--yes"], "    ");
  await cli(["seal-pdf", "--physical", "--authorization", authorization.id, letterFile, "--out", copiesFile, "--api-key-file", clerkKeyFile], "    ");

  const simulate = async (label: string, extra: string[]) => {
    step(`sealproof device simulate ${extra.join(" ")}  (${label})`);
    await cli(["device", "simulate", "--device", device, "--credential-file", credentialFile, "--key", keyFile, "--url", BASE, ...extra], "    ");
  };
  await simulate("the device connects over MQTT, obeys the unlock, stamps two copies at the office", ["--stamps", "2"]);
  const inside = await stampRecords(rep, device, 2);
  for (const r of inside) step(`seal.stamped n=${r.data.n}: authorized ${r.data.authorized}, receipt ${r.data.receipt}, inGeofence ${r.data.inGeofence}, locationCommitment ${String(r.data.locationCommitment).slice(0, 16)}… (the location itself is kept apart, erasable)`);

  await simulate("the third copy, stamped 1 km away from the office", ["--stamps", "1", "--outside-geofence"]);
  const [outside] = (await stampRecords(rep, device, 3)).slice(2);
  step(`seal.stamped n=${outside.data.n}: authorized ${outside.data.authorized}, reasons ${JSON.stringify(outside.data.reasons)}`);
  const alerts = (await callApi<Json>(BASE, rep, "GET", `/api/v1/alerts?device=${device}&severity=critical`)).alerts as Json[];
  for (const alert of alerts) step(`alert ${alert.id}: ${alert.severity} ${alert.code} (${alert.state})`);
  step(`device is ${(await callApi<Json>(BASE, admin.token, "GET", `/api/v1/devices/${device}`)).status}`);

  const half = await callApi<Json>(BASE, admin.token, "POST", `/api/v1/devices/${device}/unlock`);
  const whole = await callApi<Json>(BASE, reviewer.token, "POST", `/api/v1/devices/${device}/unlock`);
  step(`dual-control unlock: the seal administrator's half (complete: ${half.complete}), then the reviewer's (complete: ${whole.complete}); device ${whole.device.status}`);
  await simulate("the device obeys the signed unlock", []);
  const locked = await callApi<Json>(BASE, custodian.token, "POST", `/api/v1/devices/${device}/lock`);
  step(`remote lock by the custodian: device ${locked.status}`);
  await simulate("the device obeys the signed lock", []);

  const receiptId = inside[0].data.receipt as string;
  const scanHash = toHex(sm3(utf8(`scan of the first stamped copy, ${receiptId}`)));
  const linked = await callApi<Json>(BASE, clerk.token, "POST", `/api/v1/usages/${receiptId}/documents`, { role: "scan", hash: scanHash });
  step(`the clerk linked the scan of the first stamped copy (SM3 ${scanHash.slice(0, 16)}…) to its stamp: document.linked, record ${linked.id}`);
  const apiUrl = `${BASE}/api/v1/receipts/${receiptId}`;
  const view = await anchored(apiUrl, (v) => Array.isArray(v.documents) && v.documents.length > 0);
  const deviceReceipt = await registrationReceipt(rep, device);
  const bundleFile = path.join(dir, `stamp-${receiptId}.json`);
  fs.writeFileSync(bundleFile, JSON.stringify({ ...view, deviceReceipt }, null, 2));
  console.log(`\nreceipt with the device's registration receipt beside it: ${bundleFile}`);
  step(`sealproof verify ${bundleFile} --rpc ${RPC} --deployment ${deployment}`);
  const verified = spawnSync(process.execPath, [CLI, "verify", bundleFile, "--rpc", RPC, "--deployment", deployment], { stdio: "inherit" });
  process.exitCode = verified.status ?? 1;

  // The third copy's QR names the receipt the device claimed for its stamp outside the geofence: that page shows the warning.
  const claimed = outside.data.claimedReceipt as string;
  await anchored(`${BASE}/api/v1/receipts/${claimed}`);
  console.log(`\nthe paper copies, each with its QR code: ${copiesFile}`);
  console.log(`verify page of copy 1, an authorized stamp with its linked scan: ${PUBLIC_BASE}/v/${receiptId}`);
  console.log(`verify page of copy 3, the stamp outside the geofence (not authorized): ${PUBLIC_BASE}/v/${claimed}`);
}

/** A one-page letter, as the clerk would bring it to be stamped: what the request is approved for and the copies print. */
async function letterPdf(title: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([595, 842]).drawText(title, { x: 72, y: 760, size: 14, font });
  return pdf.save();
}

/**
 * Runs the CLI, printing what it says (indented by `indent`); a failure ends the demo. Not spawnSync: a blocked event
 * loop misses the service closing an idle keep-alive connection, and the next call would be sent on it.
 */
function cli(args: string[], indent = "  "): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, SEALPROOF_URL: BASE, SEALPROOF_TRUST_FILE: TRUST_FILE } }, (err, stdout, stderr) => {
      process.stdout.write(stdout.replace(/^(?=.)/gm, indent));
      if (err) reject(new Error(`sealproof ${args[0]} ${args[1]} failed: ${stderr || err.message}`));
      else resolve();
    });
  });
}

/** The device's seal.stamped records, oldest first, once the sequencer has numbered at least `count` of them. */
async function stampRecords(token: string, device: string, count: number): Promise<Json[]> {
  return waitFor(`${count} seal.stamped records`, async () => {
    const found = (await companyRecords(token)).filter((r) => r.type === "seal.stamped" && r.data.device === device);
    return found.length >= count ? found : null;
  });
}

async function companyRecords(token: string): Promise<Json[]> {
  const records: Json[] = [];
  for (let from: number | null = 0; from !== null; ) {
    const page: Json = await callApi<Json>(BASE, token, "GET", `/api/v1/records?fromSeq=${from}&limit=1000`);
    records.push(...(page.records as Json[]));
    from = page.nextFromSeq as number | null;
  }
  return records;
}

/** The anchored receipt of the device's device.registered record: it carries the key the stamps are checked with. */
async function registrationReceipt(token: string, device: string): Promise<unknown> {
  const registered = (await companyRecords(token)).find((r) => r.type === "device.registered" && r.subject === device);
  if (registered === undefined) throw new Error(`no device.registered record for ${device}`);
  return (await callApi<Json>(BASE, token, "GET", `/api/v1/records/${registered.seq}/receipt`)).receipt;
}

/** The public receipt view at `url` once anchored (and `ready` says it holds what the caller waits for). */
async function anchored(url: string, ready: (view: Json) => boolean = () => true): Promise<Json> {
  return waitFor("the batch to be anchored", async () => {
    const view = await callApi<Json>(url, undefined, "GET", url);
    return view.status === "anchored" && ready(view) ? view : null;
  });
}

async function waitFor<T>(what: string, attempt: () => Promise<T | null>): Promise<T> {
  for (const start = Date.now(); ; await new Promise((r) => setTimeout(r, 250))) {
    const found = await attempt();
    if (found !== null) return found;
    if (Date.now() - start > WAIT_MS) throw new Error(`waited ${WAIT_MS / 1000} s for ${what}: is the batcher running? see GET /healthz`);
  }
}

const step = (line: string) => console.log(`• ${line}`);

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
