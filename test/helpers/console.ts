// The members' console in real Chromium: a browser context per person, each page with a virtual WebAuthn
// authenticator over the Chrome DevTools Protocol (a platform passkey with user verification), members signed in
// through a real invitation link, axe-core run inside the page, and screenshots of a screen in both languages.
import fs from "node:fs";
import { expect } from "chai";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { ok, type Person } from "./company";
import type { Call } from "./service";
import { screenshot } from "./browser";

export const CONSOLE_SHOTS = "console";

export interface PasskeyPage {
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
  /** What the browser reported refusing under the console's Content-Security-Policy: should stay empty. */
  cspViolations: string[];
}

/** A fresh context and page holding a virtual platform authenticator (resident keys, user verification that passes). */
export async function passkeyPage(browser: Browser, options: object): Promise<PasskeyPage> {
  const context = await browser.newContext({ ...options, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("Content Security Policy")) cspViolations.push(message.text());
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { context, page, cdp, authenticatorId, cspViolations };
}

/** The invitation token from an invitation link: it travels in the fragment. */
export function tokenOf(url: string): string {
  const match = /#\/invite\/([^/?#]+)$/.exec(url);
  if (!match) throw new Error(`not an invitation link: ${url}`);
  return match[1];
}

/** `by` (a legal_rep or seal_admin, with an API key) makes an invitation link for `member`; returns its token. */
export async function invite(svc: { call: Call }, by: Person, member: Person): Promise<string> {
  const made = await ok(svc.call("POST", `/api/v1/members/${member.id}/invitations`, { token: by.token }));
  return tokenOf(made.url as string);
}

/** Opens an invitation link in `at` and registers a passkey through the console; resolves on the inbox. */
export async function redeem(at: PasskeyPage, base: string, token: string): Promise<void> {
  await at.page.goto(`${base}/console/#/invite/${token}`);
  await at.page.click("[data-testid=register-passkey]");
  await signedInScreen(at.page);
}

/** Waits for the signed-in shell and its screen, loaded. */
export async function signedInScreen(page: Page): Promise<void> {
  await page.waitForSelector("nav [aria-current=page]");
  await page.waitForFunction(() => document.querySelector("main .loading") === null);
}

/** A person signed in to the console in a context of their own. */
export async function signedIn(browser: Browser, svc: { call: Call }, base: string, by: Person, member: Person, viewport: object): Promise<PasskeyPage> {
  const at = await passkeyPage(browser, viewport);
  await redeem(at, base, await invite(svc, by, member));
  return at;
}

/** Goes to a screen and waits until it has loaded (its loading line is gone). */
export async function openScreen(page: Page, hash: string): Promise<void> {
  const moved = await page.evaluate((h) => {
    if (location.hash === h || (h === "#/" && location.hash === "")) return false;
    location.hash = h;
    return true;
  }, hash);
  // Already there: load it again, as a person pulls to refresh.
  if (!moved) await page.reload();
  await page.waitForFunction(() => document.querySelector("main .loading") === null && document.querySelector("main h1") !== null);
}

/** Waits until the console says `text` about the last action and the screen has been drawn again after it. */
export async function expectFlash(page: Page, text: string): Promise<void> {
  try {
    await page.waitForFunction((t) => (document.getElementById("flash")?.textContent ?? "").includes(t) && document.querySelector("main .loading") === null, text, { timeout: 20_000 });
  } catch {
    throw new Error(`the console never said "${text}"; it says "${await page.innerText("#flash").catch(() => "")}"`);
  }
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core in the page (evaluated over CDP: the console's CSP admits no injected script) and fails on serious or critical violations. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== "undefined");
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
  expect(violations, `axe on ${what}`).to.deep.equal([]);
}

/**
 * Screenshots the screen in Chinese and in English (switching and back), checking each with axe. The switch draws the
 * screen again from the API; `prepare` puts back what the screen held that the API does not (a dropped file).
 */
export async function shootBoth(page: Page, name: string, prepare: () => Promise<void> = async () => undefined): Promise<void> {
  const isEnglish = async () => (await page.getAttribute("html", "lang")) === "en";
  if (await isEnglish()) await switchLang(page);
  await prepare();
  await expectAccessible(page, `${name} (zh)`);
  await screenshot(page, CONSOLE_SHOTS, `${name}-zh`);
  await switchLang(page);
  expect(await isEnglish()).to.equal(true);
  await prepare();
  await expectAccessible(page, `${name} (en)`);
  await screenshot(page, CONSOLE_SHOTS, `${name}-en`);
  await switchLang(page);
}

async function switchLang(page: Page): Promise<void> {
  const before = await page.getAttribute("html", "lang");
  await page.click("[data-testid=lang-switch]");
  await page.waitForFunction((lang) => document.documentElement.lang !== lang && document.querySelector("main .loading") === null, before);
}
