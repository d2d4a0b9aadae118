// The monthly audit job through the real service's store: once its scheduled time has come it issues last month's
// PDF report for every company (an audit.report-issued record whose SM3 is the file's), once per company however
// often it runs and on however many nodes, and each company's webhook receives the report's receipt, month and SM3
// through the outbox, signed, at a real local HTTP receiver.
import { expect } from "chai";
import { Cron } from "croner";
import { startService, type TestService } from "../helpers/service";
import { createCompany, grantBody, ok, useSeal, type TestCompany } from "../helpers/company";
import { logMark } from "../helpers/records";
import { AUDIT_JOB_ACTOR, AuditReportJob, dueMonth } from "../../service/jobs/audit-report";
import { OutboxDeliverer } from "../../service/jobs/outbox-deliverer";
import { WEBHOOK_OUTBOX_KIND } from "../../service/webhooks/enqueue";
import { RETRY_FOR_MS, webhookHandler } from "../../service/webhooks/deliver";
import { verifyWebhook } from "../../service/webhooks/signature";
import { startReceiver, until, type Receiver } from "../webhooks/receiver";
import type { EvidenceRecord } from "../../service/evidence";

const LOOPBACK_ALLOWED = { allowLoopback: true, allowPrivate: false };
const at = (iso: string) => new Date(iso);

describe("audit: the monthly report job", function () {
  this.timeout(180_000);

  describe("dueMonth", () => {
    const schedule = (pattern: string) => new Cron(pattern, { timezone: "Etc/UTC", paused: true });
    it("is last month from the schedule's first time in the month on, UTC, and null before it", () => {
      expect(dueMonth(schedule("0 0 1 * *"), at("2026-12-01T00:00:00.000Z"))).to.equal("2026-11");
      expect(dueMonth(schedule("0 0 1 * *"), at("2026-12-31T23:59:59.000Z"))).to.equal("2026-11");
      expect(dueMonth(schedule("0 0 1 * *"), at("2027-01-01T00:00:00.000Z"))).to.equal("2026-12");
      expect(dueMonth(schedule("30 6 2 * *"), at("2026-12-02T06:29:59.000Z"))).to.equal(null);
      expect(dueMonth(schedule("30 6 2 * *"), at("2026-12-02T06:30:00.000Z"))).to.equal("2026-11");
      expect(dueMonth(schedule("0 0 1 1 *"), at("2026-12-15T00:00:00.000Z"))).to.equal(null);
    });
  });

  describe("through the store, the outbox and a webhook", () => {
    let svc: TestService;
    let a: TestCompany;
    let b: TestCompany;
    let receiver: Receiver;
    let hook: { id: string; secret: string };
    let deliverer: OutboxDeliverer;
    let nodeA: AuditReportJob;
    const jobs: AuditReportJob[] = [];
    const lines: string[] = [];
    // The month the companies' usages fall in, and a clock one minute into the next.
    const month = new Date().toISOString().slice(0, 7);
    const [year, m] = month.split("-").map(Number);
    const afterMonth = new Date(Date.UTC(year, m, 1, 0, 1));

    const job = (holder: string, now = afterMonth) => {
      const j = new AuditReportJob(svc.store, { schedule: "0 0 1 * *", holder, publicBaseUrl: "https://seals.example.com", now: () => now, log: (l) => lines.push(l) });
      jobs.push(j);
      return j;
    };
    const runToEnd = async (j: AuditReportJob) => {
      let passes = 0;
      while (await j.pass()) passes++;
      return passes;
    };
    const issued = async (company: string): Promise<EvidenceRecord[]> => {
      await logMark(svc.store);
      return (await svc.store.records.list({ company, limit: 10_000 })).filter((r) => r.type === "audit.report-issued");
    };

    before(async () => {
      svc = await startService({}, { webhookTargets: LOOPBACK_ALLOWED });
      a = await createCompany(svc);
      b = await createCompany(svc);
      await ok(svc.call("POST", "/api/v1/grants", { token: a.legalRep.token, body: grantBody(a.employee.id, a.seal.id, [a.scenarios.none]) }));
      await ok(useSeal(svc, a.employee, a.seal, a.scenarios.none));
      receiver = await startReceiver();
      const created = await ok(svc.call("POST", "/api/v1/webhooks", { token: a.admin.token, body: { url: receiver.url, severities: ["critical"] } }));
      hook = { id: created.webhook.id, secret: created.secret };
      const handler = webhookHandler(svc.store, { policy: LOOPBACK_ALLOWED, timeoutMs: 1_000, retryForMs: RETRY_FOR_MS, now: () => new Date(), log: (l) => lines.push(l) });
      deliverer = new OutboxDeliverer(svc.store, { handlers: { [WEBHOOK_OUTBOX_KIND]: handler }, targetsPerPass: 8, pollMs: 10, leaseTtlMs: 60_000, holder: "test", retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: (l) => lines.push(l) });
      deliverer.start();
      // The job finds companies by their sequenced company.registered records, as it would a batch interval later.
      await logMark(svc.store);
    });
    after(async () => {
      for (const j of jobs) await j.stop();
      await deliverer.stop();
      await receiver.close();
      await svc.stop();
    });

    it("issues nothing for a month that ended before the companies were registered", async () => {
      const early = job("node-early", new Date(Date.UTC(year, m - 1, 1, 0, 1)));
      expect(await runToEnd(early)).to.equal(0);
      await early.stop();
      expect(await issued(a.id)).to.deep.equal([]);
      expect(await issued(b.id)).to.deep.equal([]);
    });

    it("issues last month's PDF for every company, once the schedule's time has come, under the job's actor", async () => {
      nodeA = job("node-a");
      expect(await runToEnd(nodeA)).to.equal(2);
      for (const co of [a, b]) {
        const records = await issued(co.id);
        expect(records).to.have.length(1);
        expect(records[0].actor).to.equal(AUDIT_JOB_ACTOR);
        expect(records[0].data).to.deep.include({ month, format: "pdf", from: `${month}-01T00:00:00.000Z` });
      }
    });

    it("sends the company's webhook audit.report-issued with the report's receipt, month and SM3, signed, through the outbox", async () => {
      const [record] = await issued(a.id);
      await until("the report's delivery", () => receiver.accepted.length === 1);
      const [got] = receiver.accepted;
      expect(() => verifyWebhook(hook.secret, String(got.headers["sealproof-signature"]), got.body, new Date())).not.to.throw();
      expect(got.headers["sealproof-event"]).to.equal("audit.report-issued");
      const body = JSON.parse(got.body);
      expect(body.event).to.equal("audit.report-issued");
      expect(body.report).to.deep.include({ company: a.id, month, format: "pdf", receipt: record.data.receipt, reportHash: record.data.reportHash });
      expect(body.report.verifyUrl).to.equal(`https://seals.example.com/v/${record.data.receipt as string}`);
      // The receiver has the body before the deliverer logs its answer.
      const deliveries = async () => (await ok(svc.call("GET", `/api/v1/webhooks/${hook.id}/deliveries`, { token: a.auditor.token }))).deliveries;
      await until("the delivery logged as delivered", async () => (await deliveries())[0]?.state === "delivered");
      expect((await deliveries()).map((d: Record<string, unknown>) => [d.id, d.event, d.receipt, d.state])).to.deep.equal([[body.delivery, "audit.report-issued", record.data.receipt, "delivered"]]);
    });

    it("issues a month once per company: run again, on another node while the first holds the lease, and after it let go", async () => {
      expect(await runToEnd(nodeA)).to.equal(0);
      const nodeB = job("node-b");
      expect(await nodeB.pass()).to.equal(false);
      await nodeA.stop();
      // Node b now takes the lease and goes through both companies, finding each one's record of the month.
      expect(await runToEnd(nodeB)).to.equal(2);
      await nodeB.stop();
      expect(await runToEnd(job("node-a"))).to.equal(2);
      expect((await issued(a.id)).length).to.equal(1);
      expect((await issued(b.id)).length).to.equal(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).to.have.length(1);
    });
  });
});
