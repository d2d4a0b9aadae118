// Bundles the members' console with esbuild into web-console/dist (console.js, console.css). It takes only the pure
// SM3 of the evidence core, nothing Node-only. `npm run build:web` runs it after the verify page.
import path from "node:path";
import { buildPage, runWhenMain } from "../scripts/build-page";

export const CONSOLE_DIST = path.join(__dirname, "dist");

export async function buildConsole(outdir = CONSOLE_DIST): Promise<void> {
  await buildPage({ dir: __dirname, name: "console", outdir });
}

runWhenMain(module, () => buildConsole());
