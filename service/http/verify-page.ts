// GET /v/:receiptId: the verify page that a document's QR code opens. The HTML is a shell carrying the page's
// configuration (receipt id, default chain endpoint); web-verify/dist/verify.js does the checking in the browser.
import path from "node:path";
import express, { type Express } from "express";
import { PAGE_CONFIG_ELEMENT_ID, type PageConfigJson } from "../../web-verify/src/page-config";
import { formatDeployment, type Deployment } from "../evidence";
import { pageContentSecurityPolicy, pageShellHtml, sendPageShell } from "./page-shell";

export interface VerifyPageOptions {
  /** Default JSON-RPC endpoint for visitors ("/rpc" for this service's proxy); null: the visitor must enter one. */
  rpcUrl: string | null;
  /** The deployment this service anchors in, from its configuration (never a receipt); null while unknown. */
  deployment: () => Deployment | null;
  /** Where the built bundle lives; web-verify/dist unless a test builds elsewhere. */
  assetsDir?: string;
}

export const VERIFY_PAGE_ASSETS = path.join(__dirname, "..", "..", "web-verify", "dist");

// The page talks only to its own origin and to the chain endpoint the visitor picks, which may be any URL. A stamp's
// photo is shown from a blob: URL of the very bytes the page hashed, so what is seen is what was checked.
const SECURITY_HEADERS = {
  "Content-Security-Policy": pageContentSecurityPolicy("'self' http: https:"),
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "no-cache",
};

export function mountVerifyPage(app: Express, options: VerifyPageOptions): void {
  const assetsDir = options.assetsDir ?? VERIFY_PAGE_ASSETS;
  app.use("/assets", express.static(assetsDir, { index: false, fallthrough: true }));
  app.get("/v/:receiptId", (req, res) => {
    sendPageShell(res, { headers: SECURITY_HEADERS, assetsDir, bundle: "verify", what: "verify page" }, () => {
      const deployment = options.deployment();
      const config: PageConfigJson = { receiptId: req.params.receiptId, apiBase: "/api/v1", rpcUrl: options.rpcUrl, deployment: deployment ? formatDeployment(deployment) : null };
      return pageHtml(config);
    });
  });
}

function pageHtml(config: PageConfigJson): string {
  return pageShellHtml({
    title: "印章核验 · Seal verification",
    assets: "/assets",
    bundle: "verify",
    head: `<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">${scriptSafeJson(config)}</script>\n`,
    noscript: "核验在您的浏览器中进行，请启用 JavaScript。Verification runs in your browser: please enable JavaScript.",
  });
}

/** JSON that cannot end its <script> element or open a comment, whatever strings it holds. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}
