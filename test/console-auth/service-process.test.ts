// Console sign-in in the service as `npm start` runs it (the built bundle, its own DATA_DIR): an invitation redeemed,
// and the session and passkey still good after a restart, since both live in the store and not in the process.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { freePort, startServiceProcess, PROCESS_OPERATOR_TOKEN, type ServiceProcess } from "../helpers/service-process";
import { createCompany, ok } from "../helpers/company";
import { jsonClient } from "../helpers/service";
import { ConsoleClient, signedIn } from "./console-client";

describe("console auth: the service process", function () {
  this.timeout(180_000);
  let dataDir: string;
  let service: ServiceProcess | null = null;

  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-console-auth-"));
  });
  after(async () => {
    await service?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a session and a passkey outlive a restart", async () => {
    const ports = { http: await freePort(), chain: await freePort() };
    service = await startServiceProcess(dataDir, ports);
    const co = await createCompany(jsonClient(service.url), PROCESS_OPERATOR_TOKEN);
    const browser = await signedIn(service.url, co.legalRep, co.legalRep);
    expect((await browser.call("GET", "/auth/session")).body.member.id).to.equal(co.legalRep.id);

    await service.stop();
    service = await startServiceProcess(dataDir, ports);
    expect((await browser.call("GET", "/auth/session")).status).to.equal(200);
    expect((await ok(browser.stepUp())).stepUpUntil).to.be.a("string");
    const later = new ConsoleClient(service.url, service.url, browser.authenticator);
    expect((await later.signIn()).status).to.equal(200);
  });
});
