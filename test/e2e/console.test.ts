// The members' console in real Chromium against the real service and SQLite, each person in a browser context of their
// own with a virtual passkey authenticator: invitation → passkey → sign-in, an employee's request with a dropped file,
// a department head's approval on a phone with step-up, custody confirmed by custodian and reviewer, a device locked
// and unlocked by two people, an auditor's report download; and the refusals (another company, a cross-site post, a
// used invitation, a stale step-up). Every screen is screenshot in both languages under test-results/console/ and
// checked with axe-core.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { buildConsole } from "../../web-console/build";
import { generateSm2KeyPair } from "../../service/evidence";
import { startService, type TestService } from "../helpers/service";
import { createCompany, documentHash, enrolDevice, grantBody, ok, physicalSeal, requestUse, type TestCompany, type TestDevice } from "../helpers/company";
import { recordsOf, stampMessage } from "../devices/helpers";
import { DESKTOP, PHONE, launchChromium } from "../helpers/browser";
import { expectFlash, invite, openScreen, passkeyPage, redeem, shootBoth, signedIn, signedInScreen, type PasskeyPage } from "../helpers/console";

const CONTRACT = "%PDF-1.7\n采购合同 第 2026-207 号\n甲方：示例贸易有限公司\n金额：人民币 56,000.00 元\n%%EOF\n";

describe("e2e: the members' console in Chromium", function () {
  this.timeout(180_000);
  let browser: Browser;
  let svc: TestService;
  let base: string;
  let co: TestCompany;
  let other: TestCompany;
  let physical: { seal: string; device: TestDevice };
  /** Moves the service's clock (sessions, step-up) forward without waiting. */
  let skewMs = 0;
  const opened: PasskeyPage[] = [];
  let employee: PasskeyPage;
  let deptHead: PasskeyPage;
  let reviewer: PasskeyPage;
  let admin: PasskeyPage;
  let legalRep: PasskeyPage;

  before(async function () {
    browser = await launchChromium(this);
    await buildConsole();
    svc = await startService({ now: () => new Date(Date.now() + skewMs) });
    // Passkeys belong to a host name: the browser reaches the loopback service as localhost.
    base = svc.url.replace("127.0.0.1", "localhost");
    co = await createCompany(svc);
    other = await createCompany(svc);
    const give = (to: string, seal: string, scenarios: string[]) => ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(to, seal, scenarios) }));
    await give(co.employee.id, co.seal.id, [co.scenarios.deptHead, co.scenarios.none]);
    // A department head approves for the seals and scenarios they hold themselves.
    await give(co.deptHead.id, co.seal.id, [co.scenarios.deptHead]);
    const device = await enrolDevice(svc, co.admin);
    physical = { device, seal: await physicalSeal(svc, co, device.id) };
    await give(co.employee.id, physical.seal, [co.scenarios.deptHead]);
    // A member of another department, whose requests are not the sales department head's to decide.
    await give(co.outsider.id, co.seal.id, [co.scenarios.deptHead]);
  });

  after(async () => {
    for (const at of opened) await at.context.close().catch(() => undefined);
    await browser?.close();
    await svc?.stop();
  });

  async function person(who: keyof Pick<TestCompany, "legalRep" | "admin" | "deptHead" | "employee" | "auditor" | "custodian" | "reviewer">, viewport: object): Promise<PasskeyPage> {
    const at = await signedIn(browser, svc, base, co.legalRep, co[who], viewport);
    opened.push(at);
    return at;
  }

  /** Counts the page's step-up ceremonies as the service saw them asked for. */
  function countStepUps(page: Page): { count: number } {
    const seen = { count: 0 };
    page.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/auth/step-up") seen.count++;
    });
    return seen;
  }

  /** A call from inside the signed-in page, with the session cookie and, for state changes, the CSRF token unless left out. */
  async function fromPage(page: Page, method: string, path: string, options: { csrf?: boolean } = {}): Promise<{ status: number; code: string | null }> {
    return page.evaluate(
      async ({ method, path, csrf }) => {
        const session = (await (await fetch("/api/v1/auth/session")).json()) as { csrfToken: string };
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (csrf) headers["x-csrf-token"] = session.csrfToken;
        const res = await fetch(path, { method, headers, body: method === "GET" ? undefined : "{}" });
        const body = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: body.error?.code ?? null };
      },
      { method, path, csrf: options.csrf !== false },
    );
  }

  it("serves the console as a shell with a strict CSP: its own origin only, no inline script, no framing", async () => {
    const res = await fetch(`${svc.url}/console`);
    expect(res.status).to.equal(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp.split("; ")).to.include.members(["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "form-action 'none'", "base-uri 'none'"]);
    const html = await res.text();
    expect(html.match(/<script\b[^>]*>/g)).to.deep.equal(['<script defer src="/console/assets/console.js">']);
    expect(html).to.not.match(/https?:\/\//);
    expect((await fetch(`${svc.url}/console/assets/console.js`)).headers.get("content-type")).to.match(/javascript/);
  });

  it("opens an invitation link, registers a passkey, signs out and signs in with it; the link works once", async () => {
    employee = await passkeyPage(browser, PHONE);
    opened.push(employee);
    const token = await invite(svc, co.legalRep, co.employee);
    await employee.page.goto(`${base}/console/#/invite/${token}`);
    await employee.page.waitForSelector("[data-testid=register-passkey]");
    await shootBoth(employee.page, "invite-phone");
    await redeem(employee, base, token);
    expect(await employee.page.innerText("main")).to.include("member employee，您好");
    const { credentials } = await employee.cdp.send("WebAuthn.getCredentials", { authenticatorId: employee.authenticatorId });
    expect(credentials).to.have.length(1);
    expect(credentials[0].isResidentCredential).to.equal(true);

    await employee.page.click("[data-testid=sign-out]");
    await employee.page.waitForSelector("[data-testid=sign-in]");
    expect((await fromPage(employee.page, "GET", "/api/v1/auth/session")).status).to.equal(401);
    await shootBoth(employee.page, "sign-in-phone");
    await employee.page.click("[data-testid=sign-in]");
    await signedInScreen(employee.page);
    expect(await employee.page.innerText("main")).to.include("member employee，您好");
    await shootBoth(employee.page, "inbox-employee-phone");

    // The same link again, in another browser with its own authenticator: refused, and no session.
    const thief = await passkeyPage(browser, DESKTOP);
    opened.push(thief);
    await thief.page.goto(`${base}/console/#/invite/${token}`);
    const answer = thief.page.waitForResponse((r) => r.url().endsWith("/api/v1/auth/invitations/options"));
    await thief.page.click("[data-testid=register-passkey]");
    expect((await answer).status()).to.equal(410);
    await thief.page.waitForSelector(".status-line:has-text('已被使用')");
    expect(await thief.page.isDisabled("[data-testid=register-passkey]")).to.equal(true);
    expect((await fromPage(thief.page, "GET", "/api/v1/auth/session")).status).to.equal(401);
    const { credentials: thiefs } = await thief.cdp.send("WebAuthn.getCredentials", { authenticatorId: thief.authenticatorId });
    expect(thiefs).to.have.length(0);
  });

  it("lets an employee request with a dropped file whose SM3 is computed in the browser; the file never leaves it", async () => {
    const page = employee.page;
    const sent: string[] = [];
    page.on("request", (r) => sent.push(r.postData() ?? ""));
    await openScreen(page, "#/new");
    const drop = async () => {
      await page.selectOption("select[name=seal]", co.seal.id);
      await page.selectOption("select[name=scenario]", co.scenarios.deptHead);
      const dataTransfer = await page.evaluateHandle((text) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], "采购合同.pdf", { type: "application/pdf" }));
        return dt;
      }, CONTRACT);
      await page.dispatchEvent("[data-testid=drop-zone]", "drop", { dataTransfer });
      await page.waitForSelector(`.doc-result:has-text('${documentHash(CONTRACT)}')`);
    };
    await shootBoth(page, "new-request-phone", drop);
    await drop();
    expect(await page.inputValue("input[name=title]")).to.equal("采购合同");
    await page.fill("textarea[name=reason]", "与供应商签订年度采购合同");
    await page.fill("input[name=copies]", "2");
    await page.click("button[type=submit]");
    await page.waitForFunction(() => /^#\/requests\/r_/.test(location.hash));
    await expectFlash(page, "申请已提交");
    const id = (await page.evaluate(() => location.hash)).split("/")[2];
    const created = await ok(svc.call("GET", `/api/v1/requests/${id}`, { token: co.legalRep.token }));
    expect(created).to.include({ member: co.employee.id, seal: co.seal.id, scenario: co.scenarios.deptHead, documentHash: documentHash(CONTRACT), title: "采购合同", copies: 2, status: "pending" });
    expect(sent.some((body) => body.includes("56,000.00") || body.includes("采购合同 第"))).to.equal(false);
    // Nothing here for an employee to approve, and no screen of powers the employee lacks.
    expect(await page.$("[data-testid=approve]")).to.equal(null);
    const menu = await page.$$eval("nav a", (as) => as.map((a) => a.getAttribute("href")));
    expect(menu).to.include("#/new");
    for (const href of ["#/audit", "#/alerts", "#/usages"]) expect(menu).to.not.include(href);
    await shootBoth(page, "request-detail-phone");
  });

  it("lets a department head approve on a phone with a fresh passkey, and asks again once the step-up is older than five minutes", async () => {
    deptHead = await person("deptHead", PHONE);
    const page = deptHead.page;
    const stepUps = countStepUps(page);
    const [first] = (await ok(svc.call("GET", "/api/v1/requests", { token: co.legalRep.token }))).requests as Array<{ id: string }>;
    const finance = await requestUse(svc, co.outsider, co.seal.id, co.scenarios.deptHead);
    await openScreen(page, "#/");
    await page.waitForSelector(`[data-testid=to-approve] [data-request=${first.id}]`);
    expect(await page.$(`[data-testid=to-approve] [data-request=${finance}]`)).to.equal(null);
    await shootBoth(page, "inbox-dept-head-phone");
    await page.click(`[data-testid=to-approve] [data-request=${first.id}] [data-testid=approve]`);
    await expectFlash(page, "已批准");
    expect(stepUps.count).to.equal(1);
    expect((await ok(svc.call("GET", `/api/v1/requests/${first.id}`, { token: co.legalRep.token }))).status).to.equal("approved");
    const approvals = await recordsOf(svc, co.id, "request.approved");
    expect(approvals.find((r) => r.subject === first.id)?.data).to.include({ stepUp: true });

    // Within the five minutes, the next approval needs no new assertion.
    const second = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
    await openScreen(page, "#/inbox");
    await page.click(`[data-testid=to-approve] [data-request=${second}] [data-testid=approve]`);
    await expectFlash(page, "已批准");
    expect(stepUps.count).to.equal(1);

    // Six minutes on, the step-up is stale: the console is refused, asks for the passkey again, and the approval lands.
    const third = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
    skewMs += 6 * 60_000;
    await openScreen(page, "#/");
    const refused = page.waitForResponse((r) => r.url().endsWith(`/requests/${third}/approve`) && r.status() === 403);
    await page.click(`[data-testid=to-approve] [data-request=${third}] [data-testid=approve]`);
    expect(await (await refused).json()).to.have.nested.property("error.code", "STEP_UP_REQUIRED");
    await expectFlash(page, "已批准");
    expect(stepUps.count).to.equal(2);
    expect((await ok(svc.call("GET", `/api/v1/requests/${third}`, { token: co.legalRep.token }))).status).to.equal("approved");
  });

  it("has the custodian and the reviewer confirm custody in two separate browser contexts, which unlocks the device", async () => {
    const request = await requestUse(svc, co.employee, physical.seal, co.scenarios.deptHead);
    await ok(svc.call("POST", `/api/v1/requests/${request}/approve`, { token: co.legalRep.token }));
    const custodian = await person("custodian", PHONE);
    reviewer = await person("reviewer", PHONE);
    const item = `[data-testid=to-confirm] [data-request=${request}]`;
    await openScreen(reviewer.page, "#/");
    await reviewer.page.waitForSelector(item);
    await openScreen(custodian.page, "#/");
    await shootBoth(custodian.page, "inbox-custodian-phone");
    await custodian.page.click(`${item} [data-testid=confirm-custody]`);
    await expectFlash(custodian.page, "已确认保管");
    expect(await custodian.page.$(item)).to.equal(null);
    const half = await ok(svc.call("GET", `/api/v1/requests/${request}`, { token: co.legalRep.token }));
    expect(half.custodyConfirmedBy).to.deep.equal([co.custodian.id]);
    expect(half.authorization).to.equal(undefined);

    await openScreen(reviewer.page, "#/");
    expect(await reviewer.page.innerText(item)).to.include("已确认 1/2");
    await reviewer.page.click(`${item} [data-testid=confirm-custody]`);
    await expectFlash(reviewer.page, "已确认保管");
    const done = await ok(svc.call("GET", `/api/v1/requests/${request}`, { token: co.legalRep.token }));
    expect(done.custodyConfirmedBy).to.have.members([co.custodian.id, co.reviewer.id]);
    expect(done.authorization).to.match(/^au_/);
    const confirmations = (await recordsOf(svc, co.id, "request.custody-confirmed")).filter((r) => r.subject === request);
    expect(confirmations.map((r) => r.data.stepUp)).to.deep.equal([true, true]);
    expect((await recordsOf(svc, co.id, "device.unlock-issued")).length).to.be.greaterThan(0);
    // The requester sees the authorization's receipts, each a link to its verify page.
    await openScreen(employee.page, `#/requests/${request}`);
    const links = await employee.page.$$eval("a[href^='/v/']", (as) => as.map((a) => a.getAttribute("href")));
    expect(links).to.have.length(1);
  });

  it("lets an admin lock a device at once, and unlocking takes the admin's half and the reviewer's", async () => {
    admin = await person("admin", PHONE);
    const page = admin.page;
    await openScreen(page, "#/devices");
    const card = `[data-device=${physical.device.id}]`;
    await page.click(`${card} [data-testid=lock]`);
    expect(await page.innerText(`${card} [data-testid=lock]`)).to.include("确认");
    await page.click(`${card} [data-testid=lock]`);
    await expectFlash(page, "锁定指令已发出");
    expect((await ok(svc.call("GET", `/api/v1/devices/${physical.device.id}`, { token: co.admin.token }))).status).to.equal("locked");
    expect((await recordsOf(svc, co.id, "device.locked")).map((r) => r.data.reason)).to.include("remote");
    await shootBoth(page, "devices-admin-phone");

    await page.click(`${card} [data-testid=unlock]`);
    await expectFlash(page, "还需另一人确认");
    expect((await ok(svc.call("GET", `/api/v1/devices/${physical.device.id}`, { token: co.admin.token }))).status).to.equal("locked");
    const reviewerPage = reviewer.page;
    await openScreen(reviewerPage, "#/devices");
    if ((await reviewerPage.$(`${card} [data-testid=unlock]`)) === null) throw new Error("the reviewer is offered no unlock");
    await reviewerPage.click(`${card} [data-testid=unlock]`);
    await expectFlash(reviewerPage, "设备已解锁");
    expect((await ok(svc.call("GET", `/api/v1/devices/${physical.device.id}`, { token: co.admin.token }))).status).to.equal("active");
  });

  it("shows an admin the alert of an unauthorized stamp in the inbox; the admin acknowledges and resolves it", async () => {
    const device = await enrolDevice(svc, co.admin);
    await physicalSeal(svc, co, device.id);
    await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, 0, 1)] } }));
    const [raised] = ((await ok(svc.call("GET", `/api/v1/alerts?device=${device.id}`, { token: co.admin.token }))).alerts as Array<{ id: string; code: string }>);
    expect(raised.code).to.equal("UNAUTHORIZED_STAMP");
    const page = admin.page;
    await openScreen(page, "#/");
    expect(await page.innerText(`[data-testid=open-alerts] [data-alert=${raised.id}]`)).to.include("未经授权的盖章，设备已锁定");
    await openScreen(page, "#/devices");
    expect(await page.innerText(`[data-device=${device.id}]`)).to.include("已锁定");
    await openScreen(page, "#/alerts");
    const item = `[data-alert=${raised.id}]`;
    await page.click(`${item} [data-testid=acknowledge]`);
    await expectFlash(page, "已认领告警");
    expect((await ok(svc.call("GET", `/api/v1/alerts/${raised.id}`, { token: co.admin.token }))).state).to.equal("acknowledged");
    await shootBoth(page, "alerts-admin-phone");
    await page.click(`${item} details summary`);
    await page.fill(`${item} textarea[name=note]`, "误操作：操作员未扫码即盖章，已当面核实");
    await page.click(`${item} button[type=submit]`);
    await expectFlash(page, "告警已解决");
    const resolved = await ok(svc.call("GET", `/api/v1/alerts/${raised.id}`, { token: co.admin.token }));
    expect(resolved).to.include({ state: "resolved", resolvedBy: co.admin.id, resolution: "误操作：操作员未扫码即盖章，已当面核实" });
  });

  it("lets an auditor issue and download the month's report", async () => {
    const auditor = await person("auditor", DESKTOP);
    const page = auditor.page;
    const month = new Date().toISOString().slice(0, 7);
    await openScreen(page, `#/audit/${month}`);
    await shootBoth(page, "audit-auditor-desktop");
    const download = page.waitForEvent("download");
    await page.click("[data-testid=report-pdf]");
    const file = await download;
    expect(file.suggestedFilename()).to.equal(`audit-report-${month}.pdf`);
    const path = await file.path();
    const bytes = (await import("node:fs")).readFileSync(path);
    expect(bytes.subarray(0, 5).toString()).to.equal("%PDF-");
    await page.waitForSelector("a[href^='/v/']");
    const receipt = (await page.getAttribute("a[href^='/v/']", "href"))?.slice(3);
    const issued = await recordsOf(svc, co.id, "audit.report-issued");
    expect(issued.map((r) => r.data.receipt ?? r.subject)).to.include(receipt);
    // An auditor's menu has no new request, and the API refuses what the console does not offer.
    expect(await page.$$eval("nav a", (as) => as.map((a) => a.getAttribute("href")))).to.not.include("#/new");
    expect(await fromPage(page, "POST", `/api/v1/seals/${co.seal.id}/suspend`)).to.deep.equal({ status: 403, code: "FORBIDDEN" });
  });

  it("refuses a session acting for another company (404), a state change without the CSRF token, and a cross-site form post", async () => {
    await ok(svc.call("POST", "/api/v1/grants", { token: other.legalRep.token, body: grantBody(other.employee.id, other.seal.id, [other.scenarios.deptHead]) }));
    const theirs = await requestUse(svc, other.employee, other.seal.id, other.scenarios.deptHead);
    expect(await fromPage(deptHead.page, "GET", `/api/v1/requests/${theirs}`)).to.deep.equal({ status: 404, code: "NOT_FOUND" });
    expect(await fromPage(deptHead.page, "POST", `/api/v1/requests/${theirs}/approve`)).to.deep.equal({ status: 404, code: "NOT_FOUND" });
    expect((await ok(svc.call("GET", `/api/v1/requests/${theirs}`, { token: other.legalRep.token }))).status).to.equal("pending");

    const ours = await requestUse(svc, co.employee, co.seal.id, co.scenarios.deptHead);
    expect(await fromPage(deptHead.page, "POST", `/api/v1/requests/${ours}/reject`, { csrf: false })).to.deep.equal({ status: 403, code: "CSRF_REJECTED" });

    // Another site's page (another origin on the same host: the SameSite cookie still goes along) posts a form.
    const evil = http.createServer((_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end(`<form method="post" enctype="text/plain" action="${base}/api/v1/requests/${ours}/reject"><input name='{"a":"' value='"}'></form><script>document.forms[0].submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    try {
      const page = await deptHead.context.newPage();
      const answer = page.waitForResponse((r) => r.url().endsWith(`/requests/${ours}/reject`));
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      const refused = await answer;
      expect(refused.status()).to.equal(403);
      expect(await refused.text()).to.include("CSRF_REJECTED");
      await page.close();
    } finally {
      evil.close();
    }
    expect((await ok(svc.call("GET", `/api/v1/requests/${ours}`, { token: co.legalRep.token }))).status).to.equal("pending");
  });

  it("lets the legal representative change a member's department with a fresh passkey, and end a member's sessions", async () => {
    legalRep = await person("legalRep", DESKTOP);
    const page = legalRep.page;
    const stepUps = countStepUps(page);
    await openScreen(page, "#/members");
    const item = `[data-member=${co.auditor.id}]`;
    await page.click(`${item} details summary`);
    await page.fill(`${item} input[name=department]`, "内审部");
    await page.click(`${item} button[type=submit]`);
    await expectFlash(page, "角色已修改");
    expect(stepUps.count).to.equal(1);
    expect(await ok(svc.call("GET", `/api/v1/members/${co.auditor.id}`, { token: co.admin.token }))).to.include({ department: "内审部" });
    const changed = (await recordsOf(svc, co.id, "member.roles-changed")).find((r) => r.subject === co.auditor.id);
    expect(changed?.data).to.include({ stepUp: true });

    const target = `[data-member=${co.employee.id}] [data-testid=end-sessions]`;
    await page.click(target);
    await page.click(target);
    await expectFlash(page, "已结束 1 个登录会话");
    // The employee's console finds itself signed out at its next call, and the passkey signs in again.
    await openScreen(employee.page, "#/requests");
    await employee.page.waitForSelector("[data-testid=sign-in]");
    expect(await employee.page.innerText("#flash")).to.include("登录已过期或已被撤销");
    await employee.page.click("[data-testid=sign-in]");
    await signedInScreen(employee.page);
  });

  it("lets the legal representative register an electronic seal by its public key", async () => {
    const page = legalRep.page;
    const keys = generateSm2KeyPair();
    await openScreen(page, "#/seals");
    await page.fill("input[name=name]", "财务专用章（二号）");
    await page.selectOption("select[name=type]", "finance");
    await page.fill("textarea[name=publicKey]", keys.publicKey);
    await page.click("form button[type=submit]");
    await expectFlash(page, "印章已登记");
    const seals = (await ok(svc.call("GET", "/api/v1/seals", { token: co.admin.token }))).seals as Array<{ name: string; type: string; publicKey: string | null; status: string }>;
    expect(seals.find((s) => s.name === "财务专用章（二号）")).to.include({ type: "finance", publicKey: keys.publicKey, status: "active" });
  });

  it("shows every screen to the legal representative in both languages, each passing axe-core", async () => {
    const page = legalRep.page;
    const [request] = (await ok(svc.call("GET", "/api/v1/requests", { token: co.legalRep.token }))).requests as Array<{ id: string }>;
    for (const [name, size] of [["desktop", DESKTOP.viewport], ["phone", PHONE.viewport]] as const) {
      await page.setViewportSize(size);
      for (const screen of ["inbox", "new", "requests", "usages", "seals", "devices", "alerts", "members", "scenarios", "grants", "audit", "me"]) {
        await openScreen(page, `#/${screen}`);
        expect(await page.$("main > .error")).to.equal(null, `${screen} shows an error: ${await page.innerText("main")}`);
        await shootBoth(page, `${screen}-${name}`);
      }
    }
    await page.setViewportSize(DESKTOP.viewport);
    await openScreen(page, `#/requests/${request.id}`);
    await shootBoth(page, "request-detail-desktop");
    await openScreen(page, "#/members");
    await page.click(`[data-member=${co.employee.id}] [data-testid=invite]`);
    await page.waitForSelector("[data-testid=invitation-url]");
    expect(await page.inputValue("[data-testid=invitation-url]")).to.match(new RegExp(`^${base}/console/#/invite/`));
    // Nothing any person's console did in this suite ran against its CSP.
    expect(opened.flatMap((at) => at.cspViolations)).to.deep.equal([]);
  });
});
