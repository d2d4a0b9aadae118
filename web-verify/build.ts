// Bundles the verify page with esbuild into web-verify/dist (verify.js, verify.css), with the evidence core's
// hash.ts and sm2.ts swapped for hash.browser.ts and sm2.browser.ts so nothing Node-only (node:crypto, the SM2
// addon) reaches the browser. `npm run build:web` runs it.
import path from "node:path";
import type { Plugin } from "esbuild";
import { buildPage, runWhenMain } from "../scripts/build-page";

export const VERIFY_PAGE_DIST = path.join(__dirname, "dist");

const EVIDENCE_DIR = path.join(__dirname, "..", "service", "evidence");

/** Resolves the evidence core's `./hash` and `./sm2` to their browser twins; everything else resolves as usual. */
const browserTwins: Plugin = {
  name: "evidence-browser-twins",
  setup(b) {
    b.onResolve({ filter: /^\.\/(hash|sm2)$/ }, (args) => (path.resolve(args.resolveDir) === EVIDENCE_DIR ? { path: path.join(EVIDENCE_DIR, `${args.path.slice(2)}.browser.ts`) } : undefined));
  },
};

export async function buildVerifyPage(outdir = VERIFY_PAGE_DIST): Promise<void> {
  await buildPage({ dir: __dirname, name: "verify", outdir, plugins: [browserTwins] });
}

runWhenMain(module, () => buildVerifyPage());
