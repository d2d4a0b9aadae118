// Webhooks through the real service: members subscribe over the API, alerts raised in the service's transactions
// become outbox entries, and the outbox deliverer POSTs them, signed, to real local HTTP receivers: once per delivery
// with a valid signature, retried after a 503, in order per endpoint, never for a transaction that rolled back, and
// only to addresses the target policy allows at the moment of connecting.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, ok, physicalSeal, type TestCompany } from "../helpers/company";
import { signDeviceMessage } from "../../service/evidence/device-message";
import { raiseAlert } from "../../service/alerts/raise";
import type { AlertCode } from "../../service/alerts/codes";
import { OutboxDeliverer } from "../../service/jobs/outbox-deliverer";
import { WEBHOOK_OUTBOX_KIND } from "../../service/webhooks/enqueue";
import { RETRY_FOR_MS, webhookHandler, type WebhookDeliveryOptions } from "../../service/webhooks/deliver";
import { verifyWebhook, WebhookSignatureError } from "../../service/webhooks/signature";
import { startReceiver, until, type Receiver } from "./receiver";

const LOOPBACK_ALLOWED = { allowLoopback: true, allowPrivate: false };

describe("webhooks: signed deliveries through the outbox", function () {
  this.timeout(120_000);
  let svc: TestService;
  let co: TestCompany;
  let deliverer: OutboxDeliverer | null = null;
  const receivers: Receiver[] = [];
  const lines: string[] = [];

  before(async () => {
    svc = await startService({}, { webhookTargets: LOOPBACK_ALLOWED });
  });
  beforeEach(async () => {
    co = await createCompany(svc);
  });
  afterEach(async () => {
    await deliverer?.stop();
    deliverer = null;
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  after(() => svc.stop());

  function startDelivering(options: Partial<WebhookDeliveryOptions> = {}): void {
    const handler = webhookHandler(svc.store, { policy: LOOPBACK_ALLOWED, timeoutMs: 1_000, retryForMs: RETRY_FOR_MS, now: () => new Date(), log: (l) => lines.push(l), ...options });
    deliverer = new OutboxDeliverer(svc.store, { handlers: { [WEBHOOK_OUTBOX_KIND]: handler }, targetsPerPass: 8, pollMs: 10, leaseTtlMs: 60_000, holder: "test", retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: (l) => lines.push(l) });
    deliverer.start();
  }
  async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  }
  const subscribe = async (url: string, severities = ["warning", "critical"]): Promise<{ id: string; secret: string }> => {
    const created = await ok(svc.call("POST", "/api/v1/webhooks", { token: co.admin.token, body: { url, severities } }));
    return { id: created.webhook.id, secret: created.secret };
  };
  const raise = (code: AlertCode, data: { [key: string]: number } = {}) =>
    svc.store.transaction((tx) => raiseAlert(tx, { code, at: new Date(), company: co.id, subject: co.seal.id, source: "test", data }));
  const deliveries = async (webhook: string) => (await ok(svc.call("GET", `/api/v1/webhooks/${webhook}/deliveries`, { token: co.auditor.token }))).deliveries as Array<Record<string, unknown>>;
  const eventOf = (body: string) => JSON.parse(body) as { event: string; delivery: string; alert: Record<string, unknown> & { data: Record<string, unknown> } };
  const signature = (r: { headers: Record<string, unknown> }) => String(r.headers["sealproof-signature"]);

  it("delivers a device's critical alert, signed, to the webhook subscribed to critical and not to one subscribed to warnings", async () => {
    const critical = await receiver();
    const warnings = await receiver();
    const hook = await subscribe(critical.url, ["critical"]);
    await subscribe(warnings.url, ["warning"]);
    startDelivering();
    // A replay (the same n, other bytes) locks the device and raises MESSAGE_REPLAYED, a critical alert, in one transaction.
    const device = await enrolDevice(svc, co.admin);
    const seal = await physicalSeal(svc, co, device.id);
    const status = (battery: number) => signDeviceMessage({ v: 1, device: device.id, n: 0, type: "status", at: new Date().toISOString(), body: { battery, locked: true } }, device.keys.privateKey);
    for (const battery of [90, 10]) await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [status(battery)] } }));

    await until("the critical alert's delivery", () => critical.accepted.length === 1);
    const [got] = critical.accepted;
    expect(() => verifyWebhook(hook.secret, signature(got), got.body, new Date())).not.to.throw();
    const event = eventOf(got.body);
    expect([event.event, event.alert.code, event.alert.severity, event.alert.seal, event.alert.device]).to.deep.equal(["alert.raised", "MESSAGE_REPLAYED", "critical", seal, device.id]);
    expect([got.headers["sealproof-delivery"], got.headers["sealproof-event"], got.headers["content-type"]]).to.deep.equal([event.delivery, "alert.raised", "application/json"]);
    const listed = await ok(svc.call("GET", `/api/v1/alerts?device=${device.id}`, { token: co.admin.token }));
    expect(listed.alerts.map((a: { id: string; state: string }) => [a.id, a.state])).to.deep.equal([[event.alert.id, "open"]]);
    const [logged] = await deliveries(hook.id);
    expect(logged).to.deep.include({ id: event.delivery, alert: event.alert.id, state: "delivered", attempts: 1, lastStatus: 204, lastError: null });

    await new Promise((r) => setTimeout(r, 300));
    expect(warnings.received).to.deep.equal([]);
  });

  it("retries after 503 with backoff, the same delivery id and body each time, each attempt freshly signed, and logs every attempt", async () => {
    const flaky = await receiver((_r, i) => (i < 2 ? 503 : 204));
    const hook = await subscribe(flaky.url);
    startDelivering();
    await raise("STAMP_GAP", { missing: 2 });
    await until("delivery after two 503s", () => flaky.accepted.length === 1);
    expect(flaky.received).to.have.length(3);
    expect(new Set(flaky.received.map((r) => r.headers["sealproof-delivery"])).size).to.equal(1);
    expect(new Set(flaky.received.map((r) => r.body)).size).to.equal(1);
    for (const r of flaky.received) verifyWebhook(hook.secret, signature(r), r.body, new Date());
    expect(flaky.received[1].at - flaky.received[0].at).to.be.at.least(40);
    const [logged] = await deliveries(hook.id);
    expect(logged).to.deep.include({ state: "delivered", attempts: 3, lastStatus: 204, lastError: null });
  });

  it("keeps each endpoint's order through failures while another endpoint goes on", async () => {
    const failing = await receiver((_r, i) => (i % 3 === 0 ? 503 : 204));
    const steady = await receiver();
    await subscribe(failing.url);
    await subscribe(steady.url);
    startDelivering();
    for (let i = 0; i < 12; i++) await raise("STAMP_GAP", { i });
    await until("every alert at both endpoints", () => failing.accepted.length === 12 && steady.accepted.length === 12);
    const order = (r: Receiver) => r.accepted.map((x) => eventOf(x.body).alert.data.i);
    expect(order(failing)).to.deep.equal([...Array(12).keys()]);
    expect(order(steady)).to.deep.equal([...Array(12).keys()]);
    expect(failing.received.length).to.be.greaterThan(12);
  });

  it("never delivers an alert whose transaction rolled back", async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    startDelivering();
    const refused = await svc.store
      .transaction(async (tx) => {
        await raiseAlert(tx, { code: "UNAUTHORIZED_STAMP", at: new Date(), company: co.id, subject: co.seal.id, source: "test", data: { rolledBack: 1 } });
        throw new Error("the state change was refused");
      })
      .catch((err: Error) => err.message);
    expect(refused).to.equal("the state change was refused");
    await raise("STAMP_GAP", { committed: 1 });
    await until("the committed alert", () => r.accepted.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.received.map((x) => eventOf(x.body).alert.data)).to.deep.equal([{ committed: 1, code: "STAMP_GAP", severity: "warning", alert: eventOf(r.received[0].body).alert.id }]);
    expect((await ok(svc.call("GET", "/api/v1/alerts", { token: co.admin.token }))).alerts.map((a: { code: string }) => a.code)).to.deep.equal(["STAMP_GAP"]);
    expect(await deliveries(hook.id)).to.have.length(1);
  });

  it("a receiver refuses a delivery replayed later, altered, or checked with another secret", async () => {
    const r = await receiver();
    const hook = await subscribe(r.url);
    startDelivering();
    await raise("STAMP_GAP");
    await until("the delivery", () => r.accepted.length === 1);
    const [got] = r.accepted;
    const codeOf = (check: () => void) => {
      try {
        check();
        return "accepted";
      } catch (err) {
        return err instanceof WebhookSignatureError ? err.code : String(err);
      }
    };
    expect(codeOf(() => verifyWebhook(hook.secret, signature(got), got.body, new Date(Date.now() + 10 * 60_000)))).to.equal("TIMESTAMP_OUT_OF_RANGE");
    expect(codeOf(() => verifyWebhook(hook.secret, signature(got), got.body.replace("STAMP_GAP", "STAMP_GAQ"), new Date()))).to.equal("SIGNATURE_MISMATCH");
    expect(codeOf(() => verifyWebhook(`${hook.secret}x`, signature(got), got.body, new Date()))).to.equal("SIGNATURE_MISMATCH");
    expect(codeOf(() => verifyWebhook(hook.secret, "v1=00", got.body, new Date()))).to.equal("HEADER_MALFORMED");
  });

  it("abandons the deliveries of a deleted webhook instead of sending them", async () => {
    const down = await receiver(() => 503);
    const hook = await subscribe(down.url);
    startDelivering();
    await raise("STAMP_GAP", { i: 0 });
    await raise("STAMP_GAP", { i: 1 });
    await until("a first failed attempt", () => down.received.length >= 1);
    await ok(svc.call("POST", `/api/v1/webhooks/${hook.id}/delete`, { token: co.admin.token }));
    await until("both deliveries abandoned", async () => (await svc.store.webhookDeliveries.list(co.id)).every((d) => d.state === "abandoned"));
    const seen = down.received.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(down.received.length).to.equal(seen);
    expect((await svc.call("GET", `/api/v1/webhooks/${hook.id}/deliveries`, { token: co.admin.token })).status).to.equal(404);
  });

  it("gives a delivery up once its retry period is over, and moves on to the endpoint's next one", async () => {
    let up = false;
    const r = await receiver(() => (up ? 204 : 503));
    const hook = await subscribe(r.url);
    startDelivering({ retryForMs: 300 });
    await raise("STAMP_GAP", { i: 0 });
    await until("the first delivery abandoned", async () => (await deliveries(hook.id))[0]?.state === "abandoned");
    up = true;
    await raise("STAMP_GAP", { i: 1 });
    await until("the next one delivered", () => r.accepted.length === 1);
    expect(eventOf(r.accepted[0].body).alert.data.i).to.equal(1);
    const [abandoned, delivered] = await deliveries(hook.id);
    expect(String(abandoned.lastError)).to.match(/^not delivered within .* h; last: answered 503$/);
    expect(delivered.state).to.equal("delivered");
  });

  it("a service left at its defaults refuses webhooks to this machine, to private or link-local addresses and over plain http", async () => {
    const strict = await startService();
    try {
      const other = await createCompany(strict);
      for (const url of ["http://127.0.0.1:9/h", "https://localhost/h", "https://192.168.1.10/h", "https://169.254.169.254/latest", "http://hooks.example.com/h"]) {
        const r = await strict.call("POST", "/api/v1/webhooks", { token: other.admin.token, body: { url, severities: ["critical"] } });
        expect([url, r.status, r.body.error.code]).to.deep.equal([url, 422, "WEBHOOK_URL_REFUSED"]);
      }
      expect((await ok(strict.call("GET", "/api/v1/webhooks", { token: other.admin.token }))).webhooks).to.deep.equal([]);
    } finally {
      await strict.stop();
    }
  });

  it("checks the address connected to at every delivery: a name resolving to loopback is refused when loopback is not allowed", async () => {
    const r = await receiver();
    const hook = await subscribe(r.url.replace("127.0.0.1", "localhost"));
    startDelivering({ policy: { allowLoopback: false, allowPrivate: true } });
    await raise("STAMP_GAP");
    await until("a refused attempt", async () => Number((await deliveries(hook.id))[0]?.attempts ?? 0) >= 1);
    const [logged] = await deliveries(hook.id);
    expect(logged).to.deep.include({ state: "pending", lastStatus: null });
    expect(String(logged.lastError)).to.match(/localhost: .*loopback address/);
    expect(r.received).to.deep.equal([]);
  });
});
