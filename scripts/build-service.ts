// Bundles the service and the CLI with esbuild into dist/service (main.js and cli.js, and beside them the SM2 worker
// sm2-worker.js and the SQLite sequencer's worker sequencer-worker.js), so `npm start` and bin/sealproof.js run plain
// JavaScript: no TypeScript loader at run time, which also keeps ts-node's hooks (it loads node:domain, whose async
// hook taxes every promise) out of the request path, and spares the CLI the compiler's seconds and ~100 MB at start.
// Packages stay in node_modules. `npm run build:service` runs it; prestart and pretest do too.
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { BUNDLE, MANIFEST, type CliManifest } from "../bin/compiled-cli";

const ROOT = path.resolve(__dirname, "..");
export const SERVICE_DIST = path.join(ROOT, "dist", "service");
export const SERVICE_MAIN = path.join(SERVICE_DIST, "main.js");

/** What the CLI runs: the bundle and the workers it may start. */
const CLI_OUTPUTS = ["cli.js", "sm2-worker.js", "sequencer-worker.js"];

export async function buildService(): Promise<void> {
  // The manifest goes first and comes back last, so bin/sealproof.js never pairs it with a half-written bundle.
  fs.rmSync(path.join(ROOT, MANIFEST), { force: true });
  const builtAt = Date.now();
  const { metafile } = await build({
    // All land directly in dist/service: two levels below the project root, as the sources' own folders are,
    // so paths the code builds from __dirname (artifacts/, web-verify/dist) resolve the same either way.
    entryPoints: [
      { in: path.join(ROOT, "service", "main.ts"), out: "main" },
      { in: path.join(ROOT, "service", "cli", "main.ts"), out: path.basename(BUNDLE, ".js") },
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
    metafile: true,
    logLevel: "warning",
  });
  // esbuild names inputs relative to the working directory.
  const sources = new Set<string>();
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    if (!CLI_OUTPUTS.includes(path.basename(output))) continue;
    for (const input of Object.keys(inputs)) sources.add(path.relative(ROOT, path.resolve(input)));
  }
  const manifest: CliManifest = { builtAt, sources: [...sources].sort() };
  fs.writeFileSync(path.join(ROOT, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
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
