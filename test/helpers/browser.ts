// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core for page tests: one browser per suite,
// a fresh profile per launch (playwright gives launch() its own new --user-data-dir), screenshots under test-results/.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];

export const SCREENSHOT_DIR = path.join(__dirname, "..", "..", "test-results");

/** Viewports a visitor brings: a desktop browser and a phone that scanned the QR code. */
export const DESKTOP = { viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 } as const;
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;

/**
 * Launches Chromium, or explains why it cannot: without /usr/bin/chromium a local run skips the suite
 * (install it with `apt-get install -y chromium`), while CI, which installs it in .ci/run, fails.
 */
export async function launchChromium(ctx: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing: .ci/run should have installed the chromium package`);
    console.warn(`    (skipped: ${CHROMIUM_PATH} is missing; apt-get install -y chromium)`);
    ctx.skip();
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A full-page screenshot at test-results/<folder>/<name>.png, for a person to look at. */
export async function screenshot(page: Page, folder: string, name: string): Promise<string> {
  const file = path.join(SCREENSHOT_DIR, folder, `${name}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
