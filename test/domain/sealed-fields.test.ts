// Personal data at rest: legal representatives' names and ID numbers and members' names are SM4-encrypted in the
// database file, while the API still shows them to those allowed to see them; rows written in clear still read.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { openStore, SQLITE_FILE_NAME } from "../../service/store/open";
import { withSealedFields } from "../../service/domain/sealed-fields";
import { SEALED_PREFIX, sm4GcmCipher } from "../../service/crypto/field-cipher";
import { randomCreditCode } from "../../service/domain/registry-check";
import { startService, OPERATOR_TOKEN, type TestService } from "../helpers/service";
import { LEGAL_REP_ID_NUMBER } from "../helpers/company";
import type { Company, Member } from "../../service/domain/model";
import { SERVICE_SCHEMA, type ServiceStore as Store } from "../../service/schema";

/** The bytes of the database file and its WAL, where fresh writes sit until a checkpoint. */
function databaseBytes(dataDir: string): Buffer {
  const file = path.join(dataDir, SQLITE_FILE_NAME);
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe("domain: sealed fields at rest", () => {
  describe("through the API", () => {
    let svc: TestService;
    before(async () => {
      svc = await startService();
    });
    after(() => svc.stop());

    it("keeps the legal representative's name and ID number and members' names out of the database file, and shows them through the API", async () => {
      const company = { name: "Sealed Names Trading Co.", creditCode: randomCreditCode(), legalRep: { name: "王小明", idNumber: LEGAL_REP_ID_NUMBER } };
      const created = await svc.call("POST", "/api/v1/companies", { token: OPERATOR_TOKEN, body: company, headers: { "idempotency-key": "company-1" } });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const rep = created.body.apiKey.secret as string;
      const added = await svc.call("POST", "/api/v1/members", { token: rep, body: { name: "李秘书 Secretary", roles: ["employee"], department: null }, headers: { "idempotency-key": "member-1" } });
      expect(added.status).to.equal(201);

      const bytes = databaseBytes(svc.dataDir);
      expect(bytes.includes(Buffer.from(company.name)), "the company's name is a public fact, stored in clear").to.equal(true);
      for (const secret of ["王小明", LEGAL_REP_ID_NUMBER, "李秘书 Secretary"]) expect(bytes.includes(Buffer.from(secret)), `${secret} is in the database file`).to.equal(false);
      expect(bytes.includes(Buffer.from(SEALED_PREFIX))).to.equal(true);

      const shown = await svc.call("GET", "/api/v1/company", { token: rep });
      expect(shown.body.legalRepName).to.equal("王小明");
      const member = await svc.call("GET", `/api/v1/members/${added.body.member.id}`, { token: rep });
      expect(member.body.name).to.equal("李秘书 Secretary");
      const names = (await svc.call("GET", "/api/v1/members", { token: rep })).body.members.map((m: { name: string }) => m.name);
      expect(names).to.deep.equal(["王小明", "李秘书 Secretary"]);
      const replayed = await svc.call("POST", "/api/v1/members", { token: rep, body: { name: "李秘书 Secretary", roles: ["employee"], department: null }, headers: { "idempotency-key": "member-1" } });
      expect([replayed.status, replayed.body.member]).to.deep.equal([201, added.body.member]);
    });
  });

  describe("the store wrapper", () => {
    let dir: string;
    let raw: Store;
    let sealed: Store;
    const company = (id: string): Company => ({
      id,
      company: id,
      name: "Clear Co.",
      creditCode: randomCreditCode(),
      legalRepName: "张三",
      legalRepIdNumber: LEGAL_REP_ID_NUMBER,
      registryCheck: { checkedAt: "2026-01-01T00:00:00.000Z", method: "format", ok: true, note: "" },
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    const member = (id: string, company: string, name: string): Member => ({ id, company, name, roles: ["employee"], department: null, active: true, createdAt: "2026-01-01T00:00:00.000Z" });

    beforeEach(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-sealed-"));
      raw = await openStore({ dataDir: dir, schema: SERVICE_SCHEMA });
      sealed = withSealedFields(raw, sm4GcmCipher(Buffer.alloc(16, 9)));
    });
    afterEach(async () => {
      await raw.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("reads rows written in clear before encryption was on, and seals them on their next write", async () => {
      const old = company("c_old");
      await raw.companies.insert(old);
      await raw.members.insert(member("m_old", "c_old", "张三"));
      expect(await sealed.companies.get("c_old")).to.deep.equal(old);
      expect(await sealed.companies.getByKey(`creditCode:${old.creditCode}`)).to.deep.equal(old);
      expect((await sealed.members.list("c_old")).map((m) => m.name)).to.deep.equal(["张三"]);
      await sealed.transaction(async (tx) => {
        const m = await tx.members.get("m_old");
        await tx.members.update({ ...m!, roles: ["auditor"] });
      });
      const stored = await raw.members.get("m_old");
      expect(stored?.name.startsWith(SEALED_PREFIX)).to.equal(true);
      expect((await sealed.members.get("m_old"))?.name).to.equal("张三");
    });

    it("seals the legal representative's name and ID number but not the company's name or credit code", async () => {
      const fresh = company("c_new");
      await sealed.companies.insert(fresh);
      const stored = (await raw.companies.get("c_new"))!;
      expect([stored.name, stored.creditCode]).to.deep.equal([fresh.name, fresh.creditCode]);
      expect([stored.legalRepName, stored.legalRepIdNumber].every((v) => v.startsWith(SEALED_PREFIX))).to.equal(true);
      expect(await sealed.companies.get("c_new")).to.deep.equal(fresh);
    });

    it("binds each value to its document: a value copied into another row does not open", async () => {
      await sealed.members.insert(member("m_a", "c_1", "Alice"));
      await sealed.members.insert(member("m_b", "c_1", "Bob"));
      const a = (await raw.members.get("m_a"))!;
      await raw.members.update({ ...(await raw.members.get("m_b"))!, name: a.name });
      let error: unknown;
      await sealed.members.get("m_b").catch((err: unknown) => (error = err));
      expect(error).to.be.instanceOf(Error).with.property("name", "FieldCipherError");
    });

    it("refuses to filter a list on a sealed field rather than silently find nothing", async () => {
      await sealed.members.insert(member("m_a", "c_1", "Alice"));
      let error: unknown;
      await sealed.members.list("c_1", { name: "Alice" }).catch((err: unknown) => (error = err));
      expect(String(error)).to.match(/stored encrypted/);
    });
  });
});
