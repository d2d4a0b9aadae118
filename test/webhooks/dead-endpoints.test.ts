// A dead endpoint never slows ingestion: with webhooks subscribed at a receiver that never answers and at a closed
// port, their deliveries failing and timing out in the outbox deliverer, POST /usages answers as fast as without them,
// the device message that raises an alert is acknowledged long before a delivery attempt could time out, and another
// target's outbox entry (a device's lock command) does not wait behind the hanging attempt.
import { expect } from "chai";
import { startService, type TestService } from "../helpers/service";
import { createCompany, enrolDevice, grantBody, ok, physicalSeal, useSeal, type TestCompany } from "../helpers/company";
import { signDeviceMessage } from "../../service/evidence/device-message";
import { raiseAlert } from "../../service/alerts/raise";
import { OutboxDeliverer } from "../../service/jobs/outbox-deliverer";
import { WEBHOOK_OUTBOX_KIND } from "../../service/webhooks/enqueue";
import { RETRY_FOR_MS, webhookHandler } from "../../service/webhooks/deliver";
import { closedPortUrl, startReceiver, until } from "./receiver";

const LOOPBACK_ALLOWED = { allowLoopback: true, allowPrivate: false };
const ATTEMPT_TIMEOUT_MS = 5_000;

describe("webhooks: a dead endpoint never slows ingestion", function () {
  this.timeout(180_000);
  let svc: TestService;
  let co: TestCompany;

  before(async () => {
    svc = await startService({}, { webhookTargets: LOOPBACK_ALLOWED });
    co = await createCompany(svc);
    await ok(svc.call("POST", "/api/v1/grants", { token: co.legalRep.token, body: grantBody(co.employee.id, co.seal.id, [co.scenarios.none]) }));
  });
  after(() => svc.stop());

  /** The median time of `n` POST /usages, each after its reservation (not timed). */
  async function usageMedianMs(n: number): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      let elapsed = 0;
      const timed = {
        call: async (...args: Parameters<TestService["call"]>) => {
          const started = performance.now();
          const reply = await svc.call(...args);
          if (args[1] === "/api/v1/usages") elapsed = performance.now() - started;
          return reply;
        },
      };
      expect((await useSeal(timed, co.employee, co.seal, co.scenarios.none, { document: `doc-${i}` })).status).to.equal(201);
      times.push(elapsed);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(n / 2)];
  }

  it("POST /usages and the device message raising an alert answer as fast with a hanging receiver and a closed port subscribed", async () => {
    await usageMedianMs(10);
    const baseline = await usageMedianMs(60);

    const hanging = await startReceiver(() => "hang");
    const closed = await closedPortUrl();
    const subscribe = async (url: string) => (await ok(svc.call("POST", "/api/v1/webhooks", { token: co.admin.token, body: { url, severities: ["critical"] } }))).webhook.id as string;
    const [hangingHook, closedHook] = [await subscribe(hanging.url), await subscribe(closed)];
    const handler = webhookHandler(svc.store, { policy: LOOPBACK_ALLOWED, timeoutMs: ATTEMPT_TIMEOUT_MS, retryForMs: RETRY_FOR_MS, now: () => new Date(), log: () => undefined });
    const deliverer = new OutboxDeliverer(svc.store, { handlers: { [WEBHOOK_OUTBOX_KIND]: handler }, targetsPerPass: 8, pollMs: 10, leaseTtlMs: 60_000, holder: "test", retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: () => undefined });
    deliverer.start();
    try {
      // Replays raise critical alerts: each device's second status with n 0 locks it and raises MESSAGE_REPLAYED.
      const raiseMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const device = await enrolDevice(svc, co.admin);
        await physicalSeal(svc, co, device.id);
        const status = (battery: number) => signDeviceMessage({ v: 1, device: device.id, n: 0, type: "status", at: new Date().toISOString(), body: { battery, locked: true } }, device.keys.privateKey);
        await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [status(90)] } }));
        const started = performance.now();
        const replay = await ok(svc.call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [status(10)] } }));
        raiseMs.push(performance.now() - started);
        expect(replay.results[0].code).to.equal("REPLAYED");
      }
      await until("the deliverer stuck on the hanging receiver", () => hanging.received.length >= 1);
      const withDeadEndpoints = await usageMedianMs(60);

      expect(Math.max(...raiseMs), "a device message that raised an alert").to.be.below(ATTEMPT_TIMEOUT_MS / 5);
      expect(withDeadEndpoints, `median POST /usages: ${withDeadEndpoints.toFixed(1)} ms with dead endpoints, ${baseline.toFixed(1)} ms without`).to.be.below(baseline * 2 + 20);
      const lastError = async (hook: string) => (await svc.store.webhookDeliveries.list(co.id, { webhook: hook }))[0].lastError;
      await until("the closed port's refusal logged", async () => (await lastError(closedHook)) !== null);
      expect(await lastError(closedHook)).to.match(/ECONNREFUSED/);
      await until("the hanging attempt timed out", async () => (await lastError(hangingHook)) !== null, ATTEMPT_TIMEOUT_MS * 3);
      expect(await lastError(hangingHook)).to.equal(`no answer within ${ATTEMPT_TIMEOUT_MS} ms`);
    } finally {
      await deliverer.stop();
      await hanging.close();
    }
  });

  it("another target's entry is delivered while a webhook attempt hangs", async () => {
    const other = await createCompany(svc);
    const hanging = await startReceiver(() => "hang");
    await ok(svc.call("POST", "/api/v1/webhooks", { token: other.admin.token, body: { url: hanging.url, severities: ["warning"] } }));
    const probed: number[] = [];
    const handlers = {
      [WEBHOOK_OUTBOX_KIND]: webhookHandler(svc.store, { policy: LOOPBACK_ALLOWED, timeoutMs: ATTEMPT_TIMEOUT_MS, retryForMs: RETRY_FOR_MS, now: () => new Date(), log: () => undefined }),
      probe: async () => void probed.push(Date.now()),
    };
    const deliverer = new OutboxDeliverer(svc.store, { handlers, targetsPerPass: 8, pollMs: 10, leaseTtlMs: 60_000, holder: "test", retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: () => undefined });
    deliverer.start();
    try {
      await svc.store.transaction((tx) => raiseAlert(tx, { code: "STAMP_GAP", at: new Date(), company: other.id, subject: other.seal.id, source: "test", data: {} }));
      await until("the webhook attempt hanging", () => hanging.received.length === 1);
      const added = Date.now();
      await svc.store.transaction((tx) => tx.outbox.add({ target: "device:d_probe", kind: "probe", payload: {} }));
      await until("the other target's entry", () => probed.length === 1);
      expect(probed[0] - added).to.be.below(ATTEMPT_TIMEOUT_MS / 5);
    } finally {
      await deliverer.stop();
      await hanging.close();
    }
  });
});
