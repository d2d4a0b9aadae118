// Bundles the service with esbuild into dist/service (main.js and the SM2 worker sm2-worker.js beside it), so
// `npm start` runs plain JavaScript: no TypeScript loader at run time, which also keeps ts-node's hooks
// (it loads node:domain, whose async hook taxes every promise) out of the request path. Packages stay in
// node_modules. `npm run build:service` runs it; prestart and pretest do too.
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(__dirname, "..");
export const SERVICE_DIST = path.join(ROOT, "dist", "service");
export const SERVICE_MAIN = path.join(SERVICE_DIST, "main.js");

export async function buildService(): Promise<void> {
  await build({
    // Both land directly in dist/service: two levels below the project root, as the sources' own folders are,
    // so paths the code builds from __dirname (artifacts/, web-verify/dist) resolve the same either way.
    entryPoints: [
      { in: path.join(ROOT, "service", "main.ts"), out: "main" },
      { in: path.join(ROOT, "service", "workers", "sm2-worker.ts"), out: "sm2-worker" },
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

if (require.main === module) {
  buildService().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
