// The HTML shell the browser pages (the verify page, the console) are served as: the same head, a loading line until
// the page's bundle runs, the same content security policy but for where the page may connect, and a 503 saying how
// to build the bundle when it is missing.
import fs from "node:fs";
import path from "node:path";
import type { Response } from "express";

/** Only the page's own origin, no inline script or style, no framing, no form posts; `connectSrc` is where it may fetch. */
export function pageContentSecurityPolicy(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export interface PageShell {
  title: string;
  /** Where the bundle is served from, e.g. "/assets", and its name: <assets>/<bundle>.js and <assets>/<bundle>.css. */
  assets: string;
  bundle: string;
  /** Lines of the head placed before the script, each ending in a newline. */
  head?: string;
  /** What a browser without JavaScript shows. */
  noscript: string;
}

export function pageShellHtml(shell: PageShell): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="theme-color" content="#12355b">
<meta name="robots" content="noindex">
<title>${shell.title}</title>
<link rel="stylesheet" href="${shell.assets}/${shell.bundle}.css">
${shell.head ?? ""}<script defer src="${shell.assets}/${shell.bundle}.js"></script>
</head>
<body>
<div id="app"><main><p>正在加载… Loading…</p></main></div>
<noscript><p>${shell.noscript}</p></noscript>
</body>
</html>
`;
}

/**
 * Sends a page with its security headers: `html()` when `assetsDir` holds the bundle `<bundle>.js`, else a 503 naming
 * the page (`what`) and the command that builds it.
 */
export function sendPageShell(res: Response, page: { headers: Record<string, string>; assetsDir: string; bundle: string; what: string }, html: () => string): void {
  res.set(page.headers);
  if (!fs.existsSync(path.join(page.assetsDir, `${page.bundle}.js`))) {
    res.status(503).type("text/plain").send(`The ${page.what} is not built: run \`npm run build:web\`.\n`);
    return;
  }
  res.status(200).type("html").send(html());
}
