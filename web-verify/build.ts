// Bundles the verify page with esbuild into web-verify/dist (verify.js, verify.css), with the evidence core's
// hash.ts and sm2.ts swapped for hash.browser.ts and sm2.browser.ts so nothing Node-only (node:crypto, the SM2
// addon) reaches the browser. `npm run build:web` runs it.
import path from "node:path";
import { build, type Plugin } from "esbuild";

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
  await build({
    entryPoints: [
      { in: path.join(__dirname, "src", "main.ts"), out: "verify" },
      { in: path.join(__dirname, "src", "verify.css"), out: "verify" },
    ],
    outdir,
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    // BigInt literals (SM2, noble curves) need ES2020, which every phone browser of recent years runs.
    target: "es2020",
    plugins: [browserTwins],
    legalComments: "none",
    logLevel: "warning",
  });
}

if (require.main === module) {
  buildVerifyPage().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
