// GET /v/:receiptId: the verify page that a document's QR code opens. The HTML is a shell carrying the page's
// configuration (receipt id, default chain endpoint); web-verify/dist/verify.js does the checking in the browser.
import fs from "node:fs";
import path from "node:path";
import express, { type Express } from "express";
import { PAGE_CONFIG_ELEMENT_ID, type PageConfigJson } from "../../web-verify/src/page-config";
import { formatDeployment, type Deployment } from "../evidence";

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
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export function mountVerifyPage(app: Express, options: VerifyPageOptions): void {
  const assetsDir = options.assetsDir ?? VERIFY_PAGE_ASSETS;
  app.use("/assets", express.static(assetsDir, { index: false, fallthrough: true }));
  app.get("/v/:receiptId", (req, res) => {
    res.set({
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-cache",
    });
    if (!fs.existsSync(path.join(assetsDir, "verify.js"))) {
      res.status(503).type("text/plain").send("The verify page is not built: run `npm run build:web`.\n");
      return;
    }
    const deployment = options.deployment();
    const config: PageConfigJson = { receiptId: req.params.receiptId, apiBase: "/api/v1", rpcUrl: options.rpcUrl, deployment: deployment ? formatDeployment(deployment) : null };
    res.status(200).type("html").send(pageHtml(config));
  });
}

function pageHtml(config: PageConfigJson): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#12355b">
<meta name="robots" content="noindex">
<title>印章核验 · Seal verification</title>
<link rel="stylesheet" href="/assets/verify.css">
<script type="application/json" id="${PAGE_CONFIG_ELEMENT_ID}">${scriptSafeJson(config)}</script>
<script defer src="/assets/verify.js"></script>
</head>
<body>
<div id="app"><main><p>正在加载… Loading…</p></main></div>
<noscript><p>核验在您的浏览器中进行，请启用 JavaScript。Verification runs in your browser: please enable JavaScript.</p></noscript>
</body>
</html>
`;
}

/** JSON that cannot end its <script> element or open a comment, whatever strings it holds. */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}
