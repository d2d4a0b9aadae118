// Bundles one browser page (the verify page, the console) with esbuild: its src/main.ts and its stylesheet, both named
// after the page, into `outdir`. The two pages' build scripts call it, so they ship under the same settings.
import path from "node:path";
import { build, type Plugin } from "esbuild";

export interface PageBuild {
  /** The page's folder, holding src/main.ts and src/<name>.css. */
  dir: string;
  /** What the bundles are called: <name>.js and <name>.css. */
  name: string;
  outdir: string;
  plugins?: Plugin[];
}

export async function buildPage({ dir, name, outdir, plugins = [] }: PageBuild): Promise<void> {
  await build({
    entryPoints: [
      { in: path.join(dir, "src", "main.ts"), out: name },
      { in: path.join(dir, "src", `${name}.css`), out: name },
    ],
    outdir,
    bundle: true,
    minify: true,
    format: "iife",
    platform: "browser",
    // BigInt literals (SM2, noble curves) need ES2020, which every phone browser of recent years runs.
    target: "es2020",
    plugins,
    legalComments: "none",
    logLevel: "warning",
  });
}

/** Runs a page's build when its script is run directly, exiting non-zero on failure. */
export function runWhenMain(mod: NodeJS.Module, run: () => Promise<void>): void {
  if (require.main !== mod) return;
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
