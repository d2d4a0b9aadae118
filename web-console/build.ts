// Bundles the members' console with esbuild into web-console/dist (console.js, console.css). It takes only the pure
// SM3 of the evidence core, nothing Node-only. `npm run build:web` runs it after the verify page.
import path from "node:path";
import { build } from "esbuild";

export const CONSOLE_DIST = path.join(__dirname, "dist");

export async function buildConsole(outdir = CONSOLE_DIST): Promise<void> {
  await build({
    entryPoints: [
      { in: path.join(__dirname, "src", "main.ts"), out: "console" },
      { in: path.join(__dirname, "src", "console.css"), out: "console" },
    ],
    outdir,
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    legalComments: "none",
    logLevel: "warning",
  });
}

if (require.main === module) {
  buildConsole().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
