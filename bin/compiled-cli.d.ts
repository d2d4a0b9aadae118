// Types of compiled-cli.js, for the build script that writes its manifest and for the tests.
export declare const MANIFEST: string;
export declare const BUNDLE: string;
export interface CliManifest {
  /** When the build began (ms since the epoch): a source modified at or after it makes the bundle stale. */
  builtAt: number;
  /** The source files the bundle and its workers were built from, relative to the project root. */
  sources: string[];
}
export declare function compiledCli(root: string): string | null;
export declare function builtCli(root: string): string | null;
