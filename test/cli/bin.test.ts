// bin/sealproof.js runs the CLI bundle only while it matches the sources it was built from, and ts-node otherwise;
// the bundle answers as the sources do, loading a command's packages only when that command runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { expect } from "chai";
import { BUNDLE, builtCli, compiledCli, MANIFEST, type CliManifest } from "../../bin/compiled-cli";

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "bin", "sealproof.js");
const COMMANDS = ["company", "keygen", "sign", "seal-pdf", "verify", "trust", "backup", "restore", "verify-log", "device", "audit", "member"];

function run(args: string[], preload: string[] = []): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...preload, ...args], { encoding: "utf8" }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

describe("cli: bin/sealproof.js", function () {
  this.timeout(60_000);

  describe("compiledCli", () => {
    let root: string;
    const write = (file: string, text: string, mtimeMs: number) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
      fs.utimesSync(path.join(root, file), mtimeMs / 1000, mtimeMs / 1000);
    };
    const builtAt = Date.parse("2030-01-01T00:00:00Z");
    const manifest = (m: CliManifest) => write(MANIFEST, JSON.stringify(m), builtAt);

    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-bin-"));
      write("service/cli/main.ts", "", builtAt - 60_000);
      write("service/cli/audit.ts", "", builtAt - 60_000);
      write(BUNDLE, "", builtAt + 1_000);
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("is the bundle when every source predates the build", () => {
      manifest({ builtAt, sources: ["service/cli/main.ts", "service/cli/audit.ts"] });
      expect(compiledCli(root)).to.equal(path.join(root, BUNDLE));
    });

    it("is null with nothing built, as after a fresh npm ci", () => {
      expect(compiledCli(root)).to.equal(null);
    });

    it("is null when a source was changed at or after the build began", () => {
      manifest({ builtAt, sources: ["service/cli/main.ts", "service/cli/audit.ts"] });
      write("service/cli/audit.ts", "changed", builtAt);
      expect(compiledCli(root)).to.equal(null);
    });

    it("is null when a source is gone, or the bundle is", () => {
      manifest({ builtAt, sources: ["service/cli/main.ts", "service/cli/gone.ts"] });
      expect(compiledCli(root)).to.equal(null);
      manifest({ builtAt, sources: ["service/cli/main.ts"] });
      fs.rmSync(path.join(root, BUNDLE));
      expect(compiledCli(root)).to.equal(null);
    });

    it("with SEALPROOF_CLI=bundle, is the bundle while it exists, whatever changed since", () => {
      manifest({ builtAt, sources: ["service/cli/main.ts"] });
      write("service/cli/main.ts", "changed", builtAt + 5_000);
      expect(builtCli(root)).to.equal(path.join(root, BUNDLE));
      fs.rmSync(path.join(root, BUNDLE));
      expect(builtCli(root)).to.equal(null);
    });

    it("is null for a manifest it cannot read", () => {
      write(MANIFEST, "{", builtAt);
      expect(compiledCli(root)).to.equal(null);
      manifest({ builtAt, sources: [] });
      expect(compiledCli(root)).to.equal(null);
    });
  });

  it("lists every command, and refuses an unknown one with exit 2", async () => {
    const help = await run([CLI, "--help"]);
    expect(help.status).to.equal(0);
    for (const name of COMMANDS) expect(help.stdout).to.match(new RegExp(`^  ${name} +\\S`, "m"));
    const unknown = await run([CLI, "no-such-command"]);
    expect(unknown.status).to.equal(2);
    expect(unknown.stderr).to.contain('unknown command "no-such-command"');
  });

  it("runs the bundle when it is current: no TypeScript compiler, and audit verify loads none of the report's packages", async function () {
    if (compiledCli(ROOT) === null) return this.skip(); // npm run build:service (pretest runs it) makes it current
    const probe = path.join(os.tmpdir(), `sealproof-bin-probe-${process.pid}.js`);
    // Prints, as the process exits, which of these packages it loaded.
    fs.writeFileSync(probe, `process.on("exit", () => process.stderr.write("LOADED " + JSON.stringify(["typescript", "pdf-lib", "express", "zod", "mqtt"].filter((p) => Object.keys(require.cache).some((f) => f.includes("/node_modules/" + p + "/")))) + "\\n"));`);
    try {
      const result = await run([CLI, "audit", "verify", "--help"], ["-r", probe]);
      expect(result.status).to.equal(0);
      expect(result.stdout).to.contain("Usage: sealproof audit verify");
      expect(result.stderr).to.contain("LOADED []");
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });
});
