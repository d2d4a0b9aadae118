// Runs the `sealproof` CLI as a user would: a child process of bin/sealproof.js, asynchronously, because the
// service it talks to may run in the test's own process.
import path from "node:path";
import { execFile } from "node:child_process";

const CLI = path.resolve(__dirname, "..", "..", "bin", "sealproof.js");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function sealproof(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}
