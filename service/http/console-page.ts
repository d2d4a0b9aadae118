// GET /console: the members' console, a single page whose screens live behind the URL's fragment (#/inbox,
// #/invite/<token>, …), so an invitation token never reaches a server log or a Referer. web-console/dist/console.js
// does the work in the browser and talks to /api/v1 with the session cookie.
import path from "node:path";
import express, { type Express, type Response } from "express";
import { pageContentSecurityPolicy, pageShellHtml, sendPageShell } from "./page-shell";

export const CONSOLE_ASSETS = path.join(__dirname, "..", "..", "web-console", "dist");

// The console talks only to its own origin: no CDN, no inline script or style, no framing, no form posts elsewhere.
const SECURITY_HEADERS = {
  "Content-Security-Policy": pageContentSecurityPolicy("'self'"),
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-cache",
};

const PAGE_HTML = pageShellHtml({
  title: "印章管理 · Seal console",
  assets: "/console/assets",
  bundle: "console",
  noscript: "控制台需要 JavaScript。The console needs JavaScript.",
});

export function mountConsolePage(app: Express, assetsDir = CONSOLE_ASSETS): void {
  app.use("/console/assets", express.static(assetsDir, { index: false, fallthrough: true, setHeaders: (res) => res.set(SECURITY_HEADERS) }));
  const page = (_req: unknown, res: Response) => sendPageShell(res, { headers: SECURITY_HEADERS, assetsDir, bundle: "console", what: "console" }, () => PAGE_HTML);
  app.get("/console", page);
  app.get("/console/", page);
}
