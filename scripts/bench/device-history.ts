// Benchmark: what a device's history costs each of its messages. Every message a device sends is answered with its
// pending commands and checked against its open authorizations; a seal in daily use for years has thousands of acked
// commands and closed authorizations behind it, and none of them may be read again for each message. In one run, on
// the in-process service over HTTPS (SQLite): ms per `status` message, sent one at a time, from a fresh device and from
// one with BENCH_HISTORY acked commands and closed authorizations (default 2,000 each), in alternating rounds.
import { startService } from "../../test/helpers/service";
import { createCompany, enrolDevice, physicalSeal, type TestDevice } from "../../test/helpers/company";
import { signDeviceMessage } from "../../service/evidence/device-message";
import type { DeviceStore } from "../../service/devices/schema";
import type { Call } from "../../test/helpers/service";

const HISTORY = Number(process.env.BENCH_HISTORY ?? 2000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 400);
const ROUNDS = 4;
const WARMUP = 50;
const GOAL = 1.5;

async function main(): Promise<void> {
  const svc = await startService();
  try {
    const co = await createCompany(svc);
    const fresh = await enrolDevice(svc, co.admin);
    const old = await enrolDevice(svc, co.admin);
    for (const d of [fresh, old]) await physicalSeal(svc, co, d.id);
    console.error(`giving one device ${HISTORY} acknowledged commands and ${HISTORY} closed authorizations…`);
    await writeHistory(svc.store, co.id, old);
    const senders = [fresh, old].map((device) => messenger((...args) => svc.call(...args), device));
    for (const send of senders) for (let i = 0; i < WARMUP; i++) await send();
    const ms = [0, 0];
    const per = Math.ceil(MESSAGES / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const start = performance.now();
        for (let k = 0; k < per; k++) await senders[i]();
        ms[i] += performance.now() - start;
      }
    }
    const [freshMs, historyMs] = ms.map((total) => total / (per * ROUNDS));
    const ratio = historyMs / freshMs;
    console.log(`device history: ${per * ROUNDS} status messages per device over HTTPS, one at a time, in ${ROUNDS} alternating rounds (in-process service, SQLite)`);
    console.log(`device                                                         ms per message`);
    console.log(`fresh                                                          ${freshMs.toFixed(2).padStart(14)}`);
    console.log(`${HISTORY} acked commands, ${HISTORY} closed authorizations`.padEnd(63) + historyMs.toFixed(2).padStart(14));
    console.log(`ratio (goal ≤ ${GOAL})`.padEnd(63) + ratio.toFixed(3).padStart(14));
    console.log(JSON.stringify({ bench: "device-history", history: HISTORY, freshMs: round2(freshMs), historyMs: round2(historyMs), ratio: round2(ratio), goal: GOAL, met: ratio <= GOAL }));
  } finally {
    await svc.stop();
  }
}

/** Sends the device's next `status` message; each must be accepted. */
function messenger(call: Call, device: TestDevice): () => Promise<void> {
  let n = 0;
  return async () => {
    const message = signDeviceMessage({ v: 1, device: device.id, n: n++, type: "status", at: new Date().toISOString(), body: { battery: 90, locked: true } }, device.keys.privateKey);
    const answer = await call("POST", "/api/v1/device-messages", { token: device.credential, body: { messages: [message] } });
    if (answer.status !== 200 || answer.body.results?.[0]?.status !== "accepted") throw new Error(`status message refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
}

/** Writes the history straight into the store: what years of unlocks, each acknowledged and each closed, leave behind. */
async function writeHistory(store: DeviceStore, company: string, device: TestDevice): Promise<void> {
  const at = new Date(Date.now() - 86_400_000).toISOString();
  for (let from = 0; from < HISTORY; from += 500) {
    await store.transaction(async (tx) => {
      for (let i = from; i < Math.min(HISTORY, from + 500); i++) {
        const message = { v: 1 as const, device: device.id, n: i, type: "unlock", at, body: { authorization: `au_history${i}` }, sig: "00".repeat(64) };
        await tx.deviceCommands.insert({ id: `dc_history${i}`, company, device: device.id, n: i, type: "unlock", message, acked: true, createdAt: at });
        await tx.authorizations.insert({
          id: `au_history${i}`, company, device: device.id, seal: "history", request: `rq_history${i}`, operator: "history", copies: 3, receipts: [0, 1, 2].map((k) => `history${i}r${k}`),
          usedReceipts: [0, 1, 2].map((k) => `history${i}r${k}`), validFrom: at, validUntil: at, geofence: null, status: "expired", closedAt: at, issuedRecord: "history", createdAt: at,
        });
      }
    });
  }
}

const round2 = (x: number) => Number(x.toFixed(2));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
