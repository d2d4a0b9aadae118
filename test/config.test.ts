// Configuration rules that refuse to start: listening beyond loopback without PUBLIC_BASE_URL, a bad data key;
// and the modes DATA_DIR gets.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ConfigError, loadConfig, prepareDataDir, resolveDataKey } from "../service/config";
import { MONGO_BATCH_MAX } from "../service/store/mongo/limits";

describe("config", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-config-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("HOST beyond loopback needs PUBLIC_BASE_URL", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "10.0.0.1", "example.com", "::ffff:192.168.1.20"]) {
      it(`refuses HOST=${host} alone, accepts it with PUBLIC_BASE_URL`, () => {
        expect(() => loadConfig({ HOST: host })).to.throw(ConfigError, /PUBLIC_BASE_URL/);
        expect(loadConfig({ HOST: host, PUBLIC_BASE_URL: "https://seals.example.com" }).host).to.equal(host);
      });
    }
    for (const host of ["127.0.0.1", "127.3.2.1", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "localhost", "LOCALHOST"]) {
      it(`accepts the loopback HOST=${host}`, () => {
        expect(loadConfig({ HOST: host }).host).to.equal(host);
      });
    }
    it("defaults to 127.0.0.1, also for an empty HOST", () => {
      expect(loadConfig({}).host).to.equal("127.0.0.1");
      expect(loadConfig({ HOST: "" }).host).to.equal("127.0.0.1");
    });
  });

  describe("BATCH_MAX", () => {
    it("is 4096 by default and as set on SQLite; on MongoDB it defaults to, and is capped at, MONGO_BATCH_MAX", () => {
      expect(loadConfig({}).batchMax).to.equal(4096);
      expect(loadConfig({ BATCH_MAX: "65536" }).batchMax).to.equal(65536);
      const mongo = { MONGODB_URI: "mongodb://db1,db2,db3/sealproof?replicaSet=rs0" };
      expect(MONGO_BATCH_MAX).to.equal(2048);
      expect(loadConfig(mongo).batchMax).to.equal(MONGO_BATCH_MAX);
      expect(loadConfig({ ...mongo, BATCH_MAX: "65536" }).batchMax).to.equal(MONGO_BATCH_MAX);
      expect(loadConfig({ ...mongo, BATCH_MAX: "500" }).batchMax).to.equal(500);
      expect(() => loadConfig({ ...mongo, BATCH_MAX: "0" })).to.throw(ConfigError);
    });
  });

  describe("PHOTO_MAX_BYTES", () => {
    it("is 8 MiB by default and as set, and refuses what is not a byte count of 1 KiB to 1 GiB", () => {
      expect(loadConfig({}).photoMaxBytes).to.equal(8 * 1024 * 1024);
      expect(loadConfig({ PHOTO_MAX_BYTES: "2000000" }).photoMaxBytes).to.equal(2_000_000);
      for (const bad of ["0", "1023", "2147483648", "5mb", "-1"]) expect(() => loadConfig({ PHOTO_MAX_BYTES: bad }), bad).to.throw(ConfigError, /PHOTO_MAX_BYTES/);
    });
  });

  describe("AUDIT_SCHEDULE", () => {
    it("is 0 0 1 * * by default (also when empty), a cron pattern as set, and null when off", () => {
      expect(loadConfig({}).auditSchedule).to.equal("0 0 1 * *");
      expect(loadConfig({ AUDIT_SCHEDULE: "" }).auditSchedule).to.equal("0 0 1 * *");
      expect(loadConfig({ AUDIT_SCHEDULE: "30 6 2 * *" }).auditSchedule).to.equal("30 6 2 * *");
      expect(loadConfig({ AUDIT_SCHEDULE: "off" }).auditSchedule).to.equal(null);
    });
    for (const bad of ["61 0 1 * *", "monthly", "0 0 32 * *", "0 0 1 *"]) {
      it(`refuses AUDIT_SCHEDULE=${bad}, naming the variable`, () => {
        expect(() => loadConfig({ AUDIT_SCHEDULE: bad })).to.throw(ConfigError, /^AUDIT_SCHEDULE must be a cron pattern/);
      });
    }
  });

  describe("data key", () => {
    it("is made once under DATA_DIR, 16 random bytes in a 0600 file, and read back on the next start", () => {
      const config = loadConfig({ DATA_DIR: dir });
      const key = resolveDataKey(config);
      expect(key.length).to.equal(16);
      const file = path.join(dir, "data-key");
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(resolveDataKey(config).equals(key)).to.equal(true);
    });

    it("comes from DATA_KEY_FILE when set, which must exist and hold 32 hex characters", () => {
      const file = path.join(dir, "key.hex");
      expect(() => resolveDataKey(loadConfig({ DATA_DIR: dir, DATA_KEY_FILE: file }))).to.throw(ConfigError, /DATA_KEY_FILE/);
      expect(fs.existsSync(file)).to.equal(false);
      fs.writeFileSync(file, "00112233445566778899aabbccddeeff\n");
      expect(resolveDataKey(loadConfig({ DATA_DIR: dir, DATA_KEY_FILE: file })).toString("hex")).to.equal("00112233445566778899aabbccddeeff");
      expect(fs.existsSync(path.join(dir, "data-key"))).to.equal(false);
      fs.writeFileSync(file, "not a key\n");
      expect(() => resolveDataKey(loadConfig({ DATA_DIR: dir, DATA_KEY_FILE: file }))).to.throw(ConfigError, /32 hex characters/);
    });
  });

  it("creates DATA_DIR 0700 and tightens an existing one and the files in it", () => {
    const fresh = path.join(dir, "fresh");
    prepareDataDir(loadConfig({ DATA_DIR: fresh }));
    expect(fs.statSync(fresh).mode & 0o777).to.equal(0o700);
    const old = path.join(dir, "old");
    fs.mkdirSync(path.join(old, "chain"), { recursive: true, mode: 0o755 });
    fs.chmodSync(old, 0o755);
    fs.writeFileSync(path.join(old, "sealproof.db"), "", { mode: 0o644 });
    prepareDataDir(loadConfig({ DATA_DIR: old }));
    expect([old, path.join(old, "chain"), path.join(old, "sealproof.db")].map((p) => (fs.statSync(p).mode & 0o777).toString(8))).to.deep.equal(["700", "700", "600"]);
  });
});
