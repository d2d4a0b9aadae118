// The verify page for smart-seal stamps in real Chromium against a real chain node (the embedded dev chain, through
// the service's /rpc proxy): an authorized stamp with its published photo, an unauthorized stamp, a photo swapped on the
// server or erased, a story whose custody confirmation belongs to another request, a linked scan dropped on the page,
// and a final PDF linked to an electronic usage.
// Photos go up through the device's photo route, the scan is linked through the usage's documents route, as in use.
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { PNG } from "pngjs";
import type { RequestHandler } from "express";
import type { BrowserContext } from "playwright-core";
import type { AnchorClient } from "../../service/chain/anchor-client";
import { sm3, toHex } from "../../service/evidence";
import { locationCommitment } from "../../service/evidence/stamp";
import type { TestService } from "../helpers/service";
import { documentHash, enrolDevice, grantBody, ok, physicalSeal, useSeal, type TestCompany, type TestDevice } from "../helpers/company";
import { deviceMessage } from "../devices/helpers";
import { screenshot } from "../helpers/browser";
import { anchorPending, openVerdict, rewriteJsonAnswer, startVerifyPageStack, verifySteps, type VerifyPageStack } from "../helpers/verify-page";

const SHOTS = "verify-page-stamps";
const DEVICE_MESSAGES = "/api/v1/device-messages";
const APPROVED_DOCUMENT = "%PDF-1.7\n采购合同 第 2026-207 号\n%%EOF\n";
const SCAN = Buffer.from("%PDF-1.7\nscan of the stamped page, 300 dpi\n%%EOF\n");
const FINAL_PDF = Buffer.from("%PDF-1.7\nthe signed contract as archived\n%%EOF\n");

/** A small PNG of one colour: what the smart seal photographed. */
function photo(rgb: [number, number, number]): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]] = [...rgb, 255];
  return PNG.sync.write(png);
}

/** What a server gone bad sends instead of the truth: a changed JSON view, or other photo bytes, by receipt id. */
const viewChanges = new Map<string, (view: { story?: { custody?: unknown[] } }) => void>();
const photoSwaps = new Map<string, Buffer>();

const tamperingServer: RequestHandler = (req, res, next) => {
  const photoOf = /^\/api\/v1\/receipts\/([^/]+)\/photo$/.exec(req.path)?.[1];
  const swapped = photoOf === undefined ? undefined : photoSwaps.get(photoOf);
  if (swapped) {
    res.writeHead(200, { "Content-Type": "image/png", "Content-Length": swapped.length }).end(swapped);
    return;
  }
  const change = viewChanges.get(/^\/api\/v1\/receipts\/([^/]+)$/.exec(req.path)?.[1] ?? "");
  if (change) rewriteJsonAnswer(res, change);
  next();
};

describe("e2e: the verify page for smart-seal stamps in Chromium", function () {
  this.timeout(180_000);
  let stack: VerifyPageStack;
  let tmp: string;
  let client: AnchorClient;
  let svc: TestService;
  let co: TestCompany;
  let desktop: BrowserContext;
  let phone: BrowserContext;
  let published: string;
  const stamps = { withPhoto: "", swapped: "", otherCustody: "", unauthorized: "", scanned: "", erased: "" };
  let electronic = "";
  const photos = { taken: photo([200, 30, 40]), swapped: photo([20, 160, 60]) };

  /** A device in a seal, unlocked for `copies` copies under the photo-publishing scenario; its n and stampNo run on. */
  async function unlocked(copies: number): Promise<{ device: TestDevice; receipts: string[]; authorization: string; next: () => number }> {
    const device = await enrolDevice(svc, co.admin);
    const seal = await physicalSeal(svc, co, device.id);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, seal, [published]) }));
    const body = { seal, scenario: published, documentHash: documentHash(APPROVED_DOCUMENT), title: "采购合同", reason: "签约", copies };
    const request = await ok(svc.call("POST", "/api/v1/requests", { token: co.employee.token, body }));
    await ok(svc.call("POST", `/api/v1/requests/${request.id}/approve`, { token: co.legalRep.token }));
    await ok(svc.call("POST", `/api/v1/requests/${request.id}/confirm-custody`, { token: co.reviewer.token }));
    const confirmed = await ok(svc.call("POST", `/api/v1/requests/${request.id}/confirm-custody`, { token: co.custodian.token }));
    const authorization = await ok(svc.call("GET", `/api/v1/authorizations/${confirmed.authorization}`, { token: co.employee.token }));
    let n = 0;
    return { device, receipts: authorization.receipts, authorization: authorization.id, next: () => n++ };
  }

  /** The device stamps the copy `receipt` with a photo, at `at` by its clock; the photo goes up over HTTPS with its credential. */
  async function stamp(unit: Awaited<ReturnType<typeof unlocked>>, receipt: string, image: Buffer, at = new Date()): Promise<void> {
    const n = unit.next();
    const salt = Buffer.from("5a".repeat(16), "hex");
    const body = {
      stampNo: n + 1, authorization: unit.authorization, receipt, operator: { method: "fingerprint", ref: "op-1" },
      locationCommitment: locationCommitment(salt, { lat: 31.2304, lng: 121.4737, accuracyM: 10 }), photoHash: toHex(sm3(image)),
    };
    const message = deviceMessage(unit.device, n, "stamp", body, { at, location: { lat: 31.2304, lng: 121.4737, accuracyM: 10, salt: salt.toString("hex") } });
    await ok(svc.call("POST", DEVICE_MESSAGES, { token: unit.device.credential, body: { messages: [message] } }));
    const put = await svc.call("PUT", `/api/v1/devices/${unit.device.id}/photos/${toHex(sm3(image))}`, { token: unit.device.credential, raw: image, headers: { "content-type": "image/png" } });
    if (at.getTime() <= Date.now() + 60_000) expect(put.status, JSON.stringify(put.body)).to.equal(200);
  }

  before(async function () {
    stack = await startVerifyPageStack(this, "sealproof-e2e-stamps-", tamperingServer);
    ({ tmp, client, svc, co, desktop, phone } = stack);
    const scenario = { code: "purchase-published", name: "采购合同（公开照片）", sealKinds: ["physical"], sealTypes: ["official"], approval: "legal_rep", publicPhotos: true };
    published = (await ok(svc.call("POST", "/api/v1/scenarios", { token: co.admin.token, body: scenario }))).id;

    const first = await unlocked(4);
    [stamps.withPhoto, stamps.swapped, stamps.scanned, stamps.erased] = first.receipts;
    await stamp(first, stamps.withPhoto, photos.taken);
    await stamp(first, stamps.swapped, photos.taken);
    await stamp(first, stamps.scanned, photos.taken);
    const erasable = photo([90, 90, 200]);
    await stamp(first, stamps.erased, erasable);
    await ok(svc.call("POST", `/api/v1/devices/${first.device.id}/photos/${toHex(sm3(erasable))}/erasure`, { token: co.legalRep.token }));
    const second = await unlocked(1);
    [stamps.otherCustody] = second.receipts;
    await stamp(second, stamps.otherCustody, photos.taken);
    const third = await unlocked(2);
    stamps.unauthorized = third.receipts[0];
    await stamp(third, stamps.unauthorized, photos.taken, new Date(Date.now() + 3 * 3_600_000));

    await ok(svc.call("POST", `/api/v1/usages/${stamps.scanned}/documents`, { token: co.employee.token, body: { role: "scan", hash: toHex(sm3(SCAN)) } }));
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    electronic = (await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none))).receipt as string;
    await ok(svc.call("POST", `/api/v1/usages/${electronic}/documents`, { token: co.employee.token, body: { role: "final", hash: toHex(sm3(FINAL_PDF)) } }));
    await anchorPending(svc, client);

    photoSwaps.set(stamps.swapped, photos.swapped);
    const foreign = (await ok(svc.call("GET", `/api/v1/receipts/${stamps.withPhoto}`))).story.custody as unknown[];
    viewChanges.set(stamps.otherCustody, (view) => {
      if (view.story?.custody) view.story.custody[1] = foreign.find((c) => (c as { record: { data: { role: string } } }).record.data.role === "custodian") ?? foreign[1];
    });
  });

  after(() => stack?.stop());

  const open = (context: BrowserContext, receiptId: string) => openVerdict(context, svc.url, receiptId);

  it("shows an authorized stamp with its whole story verified and its published photo matching the anchored hash", async () => {
    for (const [context, name] of [[phone, "phone"], [desktop, "desktop"]] as const) {
      const page = await open(context, stamps.withPhoto);
      expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("genuine");
      expect(await page.innerText("[data-verdict]")).to.include("已授权盖章");
      expect(await verifySteps(page)).to.include.members(["signature:true", "approval:true", "custody:true", "authorization:true", "company:true"]);
      const story = await page.innerText("[data-section=stamp]");
      expect(story).to.include("第 1 份，共 4 份").and.include("法定代表人审批").and.include("保管人、复核人").and.include("SP-100");
      expect(await page.getAttribute("[data-testid=authorized]", "data-authorized")).to.equal("true");
      await page.waitForSelector("[data-photo=match]");
      expect(await page.innerText("[data-section=photo]")).to.include("照片与上链记录中的指纹一致");
      await page.waitForFunction(() => document.querySelector<HTMLImageElement>("img.stamp-photo")?.complete === true);
      expect(await page.$eval("img.stamp-photo", (img) => (img as HTMLImageElement).naturalWidth)).to.equal(64);
      await screenshot(page, SHOTS, `authorized-with-photo-${name}`);
    }
    const page = await open(desktop, stamps.withPhoto);
    await page.click("[data-testid=lang-switch]");
    await page.waitForSelector("[data-photo=match]");
    expect(await page.innerText("[data-verdict]")).to.include("Genuine, authorized stamp");
    expect(await page.innerText("[data-section=photo]")).to.include("matches the anchored hash");
    await screenshot(page, SHOTS, "authorized-with-photo-english");
    await page.click("[data-testid=lang-switch]");
  });

  it("shows an unauthorized stamp as a red warning saying what was wrong, never as authorized", async () => {
    for (const [context, name] of [[phone, "phone"], [desktop, "desktop"]] as const) {
      const page = await open(context, stamps.unauthorized);
      expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed unauthorized");
      expect(await page.innerText("[data-verdict]")).to.include("这次盖章未经授权").and.include("不在授权时段内");
      expect(await page.getAttribute("[data-reason]", "data-reason")).to.equal("OUTSIDE_WINDOW");
      expect(await page.getAttribute("[data-step=authorization]", "data-code")).to.equal("STAMP_UNAUTHORIZED");
      expect(await page.getAttribute("[data-step=signature]", "data-ok")).to.equal("true");
      expect(await page.getAttribute("[data-testid=authorized]", "data-authorized")).to.equal("false");
      expect(await page.$("[data-section=photo]")).to.equal(null);
      expect(await page.innerText("[data-section=stamp]")).to.include("否：设备记录为未经授权");
      expect(await page.innerText("[data-section=seal]")).to.not.include("用印时状态");
      await screenshot(page, SHOTS, `unauthorized-${name}`);
    }
  });

  it("says the photo does not match when the server swapped it", async () => {
    const page = await open(phone, stamps.swapped);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("genuine");
    await page.waitForSelector("[data-photo=mismatch]");
    expect(await page.innerText("[data-section=photo]")).to.include("照片与上链记录中的指纹不一致").and.include(toHex(sm3(photos.swapped)));
    await screenshot(page, SHOTS, "photo-swapped-phone");
  });

  it("says the photo is not available once erased, and the stamp still verifies as authorized", async () => {
    const page = await open(phone, stamps.erased);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("genuine");
    await page.waitForSelector("[data-photo=unavailable]");
    expect(await page.innerText("[data-section=photo]")).to.include("照片不可用");
    expect(await page.$("img.stamp-photo")).to.equal(null);
    await screenshot(page, SHOTS, "photo-erased-phone");
  });

  it("fails a stamp whose bundled custody confirmation belongs to another request", async () => {
    const page = await open(phone, stamps.otherCustody);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await page.getAttribute("[data-step=custody]", "data-code")).to.equal("CUSTODY_INVALID");
    expect(await page.innerText("[data-verdict]")).to.include("双人保管确认");
    expect(await page.getAttribute("[data-testid=authorized]", "data-authorized")).to.equal("false");
    expect(await page.innerText("[data-section=stamp]")).to.not.include("已授权（已核验）");
    await screenshot(page, SHOTS, "custody-of-another-request-phone");
  });

  it("accepts a linked scan dropped on the page and says it is the scan, the approved document as such, and a changed file as no match", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "files-"));
    const file = (name: string, bytes: Buffer | string) => (fs.writeFileSync(path.join(dir, name), bytes), path.join(dir, name));
    const page = await open(phone, stamps.scanned);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("genuine");
    await page.setInputFiles("[data-testid=document-input]", file("scan.pdf", SCAN));
    await page.waitForSelector("[data-doc=match-linked]");
    expect(await page.getAttribute("[data-doc]", "data-linked-role")).to.equal("scan");
    expect(await page.innerText("[data-section=document]")).to.include("盖章页扫描件");
    await screenshot(page, SHOTS, "linked-scan-phone");
    await page.setInputFiles("[data-testid=document-input]", file("approved.pdf", APPROVED_DOCUMENT));
    await page.waitForSelector("[data-doc=match-approved]");
    const changed = Buffer.from(SCAN);
    changed[10] ^= 1;
    await page.setInputFiles("[data-testid=document-input]", file("changed.pdf", changed));
    await page.waitForSelector("[data-doc=mismatch]");
    // The scan is linked to this stamp only: on another stamp's page it is no match.
    const other = await open(desktop, stamps.withPhoto);
    await other.setInputFiles("[data-testid=document-input]", file("scan-elsewhere.pdf", SCAN));
    await other.waitForSelector("[data-doc=mismatch]");
  });

  it("accepts a final PDF linked to an electronic usage, listed with the usage and named when dropped", async () => {
    const page = await open(desktop, electronic);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("genuine");
    expect(await page.innerText("[data-section=usage]")).to.include("最终归档 PDF").and.include(toHex(sm3(FINAL_PDF)));
    const file = path.join(tmp, "final.pdf");
    fs.writeFileSync(file, FINAL_PDF);
    await page.setInputFiles("[data-testid=document-input]", file);
    await page.waitForSelector("[data-doc=match-linked]");
    expect(await page.getAttribute("[data-doc]", "data-linked-role")).to.equal("final");
    await screenshot(page, SHOTS, "electronic-linked-final-desktop");
  });
});
