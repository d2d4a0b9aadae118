// Linking documents to a usage, attacker first: another company's receipt id, a receipt reserved but never used, a
// member who may not see the usage, an auditor, a bad role or hash; then the links themselves, on an electronic usage
// and on a physical stamp, and a re-link that answers the first. Real service, real SQLite file, real SM2 signatures.
import { expect } from "chai";
import { startService, type Reply, type TestService } from "../helpers/service";
import { createCompany, documentHash, ok, useSeal, grantBody, type Person, type TestCompany } from "../helpers/company";
import { logMark } from "../helpers/records";
import { recordsOf, stampMessage, unlockedDevice, type UnlockedDevice } from "../devices/helpers";
import { recordSpec } from "../../service/evidence";

describe("documents: linking a scan or the final file to a usage", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let other: TestCompany;
  /** An electronic usage by the employee, and a physical stamp under an authorization issued to the employee. */
  let electronic: string;
  let stamped: string;
  let device: UnlockedDevice;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
    other = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
    electronic = (await ok(useSeal(svc, co.employee, co.seal, co.scenarios.none))).receipt;
    device = await unlockedDevice(svc, co, { copies: 2 });
    const r = await svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [stampMessage(device, device.next++, 1, { authorization: device.authorization })] } });
    expect(r.body.results[0].status, JSON.stringify(r.body)).to.equal("accepted");
    stamped = (await recordsOf(svc, co.id, "seal.stamped"))[0].data.receipt as string;
    expect(stamped).to.be.a("string");
  });
  after(() => svc.stop());

  const link = (who: Person, receipt: string, body: unknown): Promise<Reply> => svc.call("POST", `/api/v1/usages/${receipt}/documents`, { token: who.token, body });
  const scan = (text: string) => ({ role: "scan", hash: documentHash(text) });
  const links = async (company: string) => recordsOf(svc, company, "document.linked");

  /** Each attempt is refused with `status` and `code`, and the log holds exactly what it held before. */
  async function refusedAll(attempts: Array<[string, () => Promise<Reply>]>, status: number, code: string): Promise<void> {
    const before = await logMark(svc.store);
    for (const [what, attempt] of attempts) {
      const r = await attempt();
      expect([what, r.status, r.body.error?.code], JSON.stringify(r.body)).to.deep.equal([what, status, code]);
    }
    expect(await logMark(svc.store)).to.equal(before);
  }

  it("another company's usage is a 404 exactly like a receipt id nobody issued, and records nothing", async () => {
    const unknown = await link(other.legalRep, "7Jq3v9PzX2mKc4TnR8wYbD", scan("a"));
    const foreign = await link(other.legalRep, electronic, scan("a"));
    expect([foreign.status, foreign.body.error.code]).to.deep.equal([unknown.status, unknown.body.error.code]);
    expect(foreign.body.error.message.replace(electronic, "ID")).to.equal(unknown.body.error.message.replace("7Jq3v9PzX2mKc4TnR8wYbD", "ID"));
    await refusedAll(
      [
        ["another company's electronic usage", () => link(other.legalRep, electronic, scan("a"))],
        ["another company's stamp", () => link(other.admin, stamped, scan("a"))],
        ["a receipt id nobody issued", () => link(co.legalRep, "7Jq3v9PzX2mKc4TnR8wYbD", scan("a"))],
      ],
      404, "NOT_FOUND",
    );
    expect(await links(other.id)).to.deep.equal([]);
  });

  it("a receipt id reserved but not used yet is no usage: 404", async () => {
    const reserved = (await ok(svc.call("POST", "/api/v1/usages/reservations", { token: co.employee.token, body: { seal: co.seal.id } }))).receipt as string;
    const unstamped = device.receipts.find((r) => r !== stamped) as string;
    await refusedAll(
      [
        ["a reservation", () => link(co.employee, reserved, scan("b"))],
        ["an authorization's receipt not stamped yet", () => link(co.legalRep, unstamped, scan("b"))],
      ],
      404, "NOT_FOUND",
    );
  });

  it("a member who neither made the usage nor reads every request is told it does not exist; an auditor may not write", async () => {
    await refusedAll(
      [
        ["another employee, on an electronic usage", () => link(co.outsider, electronic, scan("c"))],
        ["another employee, on a stamp", () => link(co.outsider, stamped, scan("c"))],
      ],
      404, "NOT_FOUND",
    );
    await refusedAll([["an auditor", () => link(co.auditor, stamped, scan("c"))]], 403, "FORBIDDEN");
  });

  it("refuses a role or hash it does not know, with 400 and nothing written", async () => {
    await refusedAll(
      [
        ["an unknown role", () => link(co.employee, electronic, { role: "photo", hash: documentHash("d") })],
        ["no role", () => link(co.employee, electronic, { hash: documentHash("d") })],
        ["an uppercase hash", () => link(co.employee, electronic, { role: "scan", hash: documentHash("d").toUpperCase() })],
        ["a short hash", () => link(co.employee, electronic, { role: "scan", hash: "ab".repeat(31) })],
        ["a field more", () => link(co.employee, electronic, { ...scan("d"), title: "scan.pdf" })],
        ["a malformed receipt id", () => link(co.employee, "0OIl-not-base58", scan("d"))],
      ],
      400, "VALIDATION_FAILED",
    );
  });

  it("links a scan to an electronic usage: document.linked, its subject the usage's receipt id", async () => {
    const hash = documentHash("scan of the signed contract");
    const r = await link(co.employee, electronic, { role: "scan", hash });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body).to.deep.include({ receipt: electronic, role: "scan", hash, created: true });
    expect(r.body.record).to.deep.include({ type: "document.linked", company: co.id, subject: electronic, actor: co.employee.id, data: { receipt: electronic, role: "scan", hash } });
    expect(recordSpec("document.linked").data(r.body.record.data).ok).to.equal(true);
    const stored = await svc.store.records.byId(r.body.id);
    expect(stored?.record.subject).to.equal(electronic);
  });

  it("links the scan and the final PDF of a physical stamp, by its requester and by its custodian", async () => {
    const byRequester = await link(co.employee, stamped, { role: "scan", hash: documentHash("scan of the stamped page") });
    const byCustodian = await link(co.custodian, stamped, { role: "final", hash: documentHash("archived final PDF") });
    expect([byRequester.status, byCustodian.status]).to.deep.equal([201, 201]);
    const linked = (await links(co.id)).filter((l) => l.subject === stamped);
    expect(linked.map((l) => [l.actor, l.data.role])).to.deep.equal([[co.employee.id, "scan"], [co.custodian.id, "final"]]);
  });

  it("linking the same file in the same role again answers the first link and records nothing; another role is a link of its own", async () => {
    const hash = documentHash("printed copy");
    const first = await ok(link(co.employee, stamped, { role: "print", hash }));
    const before = await logMark(svc.store);
    const again = await link(co.legalRep, stamped, { role: "print", hash });
    expect(again.status).to.equal(201);
    expect(again.body).to.deep.include({ id: first.id, created: false, receipt: stamped, role: "print", hash });
    expect(again.body.record.actor).to.equal(co.employee.id);
    expect(await logMark(svc.store)).to.equal(before);
    const racing = await Promise.all([1, 2, 3].map(() => link(co.employee, electronic, { role: "final", hash })));
    expect(new Set(racing.map((r) => r.body.id)).size).to.equal(1);
    expect(racing.filter((r) => r.body.created)).to.have.length(1);
    const asScan = await ok(link(co.employee, stamped, { role: "scan", hash }));
    expect([asScan.created, asScan.id === first.id]).to.deep.equal([true, false]);
  });
});
