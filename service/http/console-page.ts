// GET /console: the members' console, a single page whose screens live behind the URL's fragment (#/inbox,
// #/invite/<token>, …), so an invitation token never reaches a server log or a Referer. web-console/dist/console.js
// does the work in the browser and talks to /api/v1 with the session cookie.
import fs from "node:fs";
import path from "node:path";
import express, { type Express, type Response } from "express";

export const CONSOLE_ASSETS = path.join(__dirname, "..", "..", "web-console", "dist");

// The console talks only to its own origin: no CDN, no inline script or style, no framing, no form posts elsewhere.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-cache",
};

export function mountConsolePage(app: Express, assetsDir = CONSOLE_ASSETS): void {
  app.use("/console/assets", express.static(assetsDir, { index: false, fallthrough: true, setHeaders: (res) => res.set(SECURITY_HEADERS) }));
  const page = (_req: unknown, res: Response) => {
    res.set(SECURITY_HEADERS);
    if (!fs.existsSync(path.join(assetsDir, "console.js"))) {
      res.status(503).type("text/plain").send("The console is not built: run `npm run build:web`.\n");
      return;
    }
    res.status(200).type("html").send(PAGE_HTML);
  };
  app.get("/console", page);
  app.get("/console/", page);
}

const PAGE_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#12355b">
<meta name="robots" content="noindex">
<title>印章管理 · Seal console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script defer src="/console/assets/console.js"></script>
</head>
<body>
<div id="app"><main><p>正在加载… Loading…</p></main></div>
<noscript><p>控制台需要 JavaScript。The console needs JavaScript.</p></noscript>
</body>
</html>
`;
