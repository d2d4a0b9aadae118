// `sealproof member invite` as an administrator runs it: the link it prints registers a passkey, and a refusal is
// shown with its code.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, type TestCompany } from "../helpers/company";
import { sealproof } from "../helpers/cli";
import { ConsoleClient } from "./console-client";

describe("cli: member invite", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService();
    co = await createCompany(svc);
  });
  after(() => svc.stop());

  it("prints a link that registers the member's passkey, taking the key from $SEALPROOF_API_KEY", async () => {
    const r = await sealproof(["member", "invite", co.custodian.id, "--url", svc.url], { SEALPROOF_API_KEY: co.legalRep.token });
    expect(r.status, r.stderr).to.equal(0);
    const link = /^ {2}(\S+)$/m.exec(r.stdout)?.[1] ?? "";
    expect(link).to.match(new RegExp(`^${svc.url.replace("127.0.0.1", "localhost")}/console/#/invite/`));
    const redeemed = await new ConsoleClient(svc.url).redeem(link);
    expect([redeemed.status, redeemed.body.member?.id]).to.deep.equal([201, co.custodian.id]);
  });

  it("shows the service's refusal: a seal_admin does not invite a member holding powers", async () => {
    const r = await sealproof(["member", "invite", co.custodian.id, "--url", svc.url, "--key", co.admin.token]);
    expect([r.status, r.stderr.trim()]).to.deep.equal([1, `sealproof member: FORBIDDEN: inviting another member who holds powers (roles beyond employee and auditor, or a grant) to register a passkey needs one of the roles: legal_rep`]);
  });

  it("explains itself, and refuses a call without a member id or a key", async () => {
    expect((await sealproof(["member", "invite", "--help"])).stdout).to.include("Usage: sealproof member invite <memberId>");
    const noId = await sealproof(["member", "invite", "--url", svc.url, "--key", co.legalRep.token]);
    expect([noId.status, noId.stderr]).to.satisfy(([status, stderr]: [number, string]) => status === 2 && stderr.includes("give one member id"));
    const noKey = await sealproof(["member", "invite", co.employee.id, "--url", svc.url], { SEALPROOF_API_KEY: "" });
    expect([noKey.status, noKey.stderr]).to.satisfy(([status, stderr]: [number, string]) => status === 2 && stderr.includes("give --key KEY"));
  });
});
