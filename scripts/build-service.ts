// Bundles the service with esbuild into dist/service (main.js, and beside it the SM2 worker sm2-worker.js and the
// SQLite sequencer's worker sequencer-worker.js), so `npm start` runs plain JavaScript: no TypeScript loader at run
// time, which also keeps ts-node's hooks (it loads node:domain, whose async hook taxes every promise) out of the
// request path. Packages stay in node_modules. `npm run build:service` runs it; prestart and pretest do too.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");
export const SERVICE_DIST = path.join(ROOT, "dist", "service");
export const SERVICE_MAIN = path.join(SERVICE_DIST, "main.js");

export async function buildService(): Promise<void> {
  await build({
    // All land directly in dist/service: two levels below the project root, as the sources' own folders are,
    // so paths the code builds from __dirname (artifacts/, web-verify/dist) resolve the same either way.
    entryPoints: [
      { in: path.join(ROOT, "service", "main.ts"), out: "main" },
      { in: path.join(ROOT, "service", "workers", "sm2-worker.ts"), out: "sm2-worker" },
      { in: path.join(ROOT, "service", "store", "sqlite", "sequencer-worker.ts"), out: "sequencer-worker" },
    ],
    outdir: SERVICE_DIST,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}

/** The node flags `npm start` runs the bundle with (package.json's start script), for benches that run it the same way. */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== "node") throw new Error(`the start script does not run node directly: ${pkg.scripts.start}`);
  return words.filter((w) => w.startsWith("--"));
}

if (require.main === module) {
  buildService().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
