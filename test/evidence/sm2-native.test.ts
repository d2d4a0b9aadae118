import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { generateSm2KeyPair, sm2Backend, sm2Sign, sm2Verify, sm2VerifyBatch, utf8, type Sm2Verification } from "../../service/evidence";

const ROOT = path.resolve(__dirname, "..", "..");
const BUILT_ADDON = path.join(ROOT, "native", "build", "Release", "sm2.node");

/** sm2Backend as a fresh process with this SM2_BACKEND sees it. */
function backendWith(choice: string | undefined): string {
  const env = { ...process.env };
  if (choice === undefined) delete env.SM2_BACKEND;
  else env.SM2_BACKEND = choice;
  const code = 'process.stdout.write(require("./service/evidence/sm2").sm2Backend)';
  return execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", code], { cwd: ROOT, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

describe("evidence/sm2 backend choice", () => {
  it("takes the addon when it is built, and sm-crypto-v2 when SM2_BACKEND=js", function () {
    this.timeout(60_000);
    // A built addon that silently fails to load would otherwise pass every other test on the fallback.
    expect(backendWith(undefined)).to.equal(fs.existsSync(BUILT_ADDON) ? "native" : "js");
    expect(backendWith("js")).to.equal("js");
  });

  it("refuses to start with SM2_BACKEND=native when the addon is not there, and with an unknown SM2_BACKEND", function () {
    this.timeout(60_000);
    expect(() => backendWith("openssl")).to.throw(/SM2_BACKEND is "native" or "js"/);
    if (fs.existsSync(BUILT_ADDON)) expect(backendWith("native")).to.equal("native");
    else expect(() => backendWith("native")).to.throw(/SM2_BACKEND=native but the addon did not load/);
  });
});

describe(`evidence/sm2 batch verification (${sm2Backend} backend)`, () => {
  const keys = generateSm2KeyPair();
  const other = generateSm2KeyPair();
  const message = utf8("电子印章 batch");
  const signature = sm2Sign(message, keys.privateKey);

  it("answers each job as sm2Verify does, in order", async () => {
    const jobs: Sm2Verification[] = [
      { message, signature, publicKey: keys.publicKey },
      { message, signature, publicKey: other.publicKey },
      { message: utf8("another"), signature, publicKey: keys.publicKey },
      { message, signature: signature.toUpperCase(), publicKey: keys.publicKey },
      { message, signature: `${"0".repeat(64)}${signature.slice(64)}`, publicKey: keys.publicKey },
      { message: new Uint8Array(0), signature: sm2Sign(new Uint8Array(0), other.privateKey), publicKey: other.publicKey },
    ];
    const expected = jobs.map((j) => sm2Verify(j.message, j.signature, j.publicKey));
    expect(expected).to.deep.equal([true, false, false, false, false, true]);
    expect(await sm2VerifyBatch(jobs)).to.deep.equal(expected);
    expect(await sm2VerifyBatch([])).to.deep.equal([]);
  });

  it("rejects with INVALID_KEY when a job's key is not a public key", async () => {
    const bad = `04${"00".repeat(64)}`;
    const failure = await sm2VerifyBatch([{ message, signature, publicKey: keys.publicKey }, { message, signature, publicKey: bad }]).catch((err: unknown) => err);
    expect(failure).to.have.property("code", "INVALID_KEY");
  });

  it("keeps the event loop turning while a large batch is verified", async function () {
    if (sm2Backend !== "native") this.skip();
    const jobs = Array.from({ length: 400 }, () => ({ message, signature, publicKey: keys.publicKey }));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const answers = await sm2VerifyBatch(jobs);
    clearInterval(timer);
    expect(answers.every(Boolean)).to.equal(true);
    expect(ticks).to.be.greaterThan(5);
  });
});

describe("native/ addon at its boundary", () => {
  type Addon = Record<string, (...args: unknown[]) => unknown>;
  let addon: Addon;
  before(function () {
    if (!fs.existsSync(BUILT_ADDON)) this.skip();
    // The built file itself, by path, whatever the package's loader decides.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(BUILT_ADDON) as Addon;
  });

  it("answers null for keys that are not uncompressed points on the curve, of any length", () => {
    const keys = generateSm2KeyPair();
    const point = Buffer.from(keys.publicKey, "hex");
    expect(addon.publicKey(point)).to.not.equal(null);
    const compressed = Buffer.concat([Buffer.from([2 + (point[64] & 1)]), point.subarray(1, 33)]);
    for (const bad of [Buffer.alloc(0), Buffer.from([0]), Buffer.alloc(65), Buffer.concat([Buffer.from([4]), Buffer.alloc(64)]), compressed, point.subarray(0, 64), Buffer.concat([point, Buffer.from([0])])]) {
      expect(addon.publicKey(bad), bad.toString("hex")).to.equal(null);
    }
  });

  it("throws a TypeError, not a crash, for arguments of the wrong kind", () => {
    const keys = generateSm2KeyPair();
    const key = addon.publicKey(Buffer.from(keys.publicKey, "hex"));
    const rs = Buffer.alloc(64, 1);
    for (const call of [() => addon.verify(key, "message", rs), () => addon.verify({}, Buffer.alloc(1), rs), () => addon.verify(key, Buffer.alloc(1), Buffer.alloc(63)), () => addon.sign(key), () => addon.verifyBatch([key], [], [])]) {
      expect(call).to.throw();
    }
    expect(addon.publicKey("04")).to.equal(null);
  });
});
