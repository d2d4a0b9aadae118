// The outbox deliverer on a real SQLite store, delivering to a real local HTTP server: after commit and only after
// commit, in order per target, failed entries retried with backoff while other targets go on.
import fs from "node:fs";
import http, { type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { openSqliteStore } from "../../service/store/sqlite";
import type { OutboxEntry, Store } from "../../service/store/port";
import { OutboxDeliverer, type OutboxHandler } from "../../service/jobs/outbox-deliverer";
import { nudgeAfterOutboxCommit } from "../../service/jobs/outbox-nudge";

interface Received {
  target: string;
  id: string;
  n: number;
  at: number;
}

/** A receiver that records each delivery and answers with the status `answer` gives it. */
async function startReceiver(answer: (r: Received) => number = () => 204): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const entry = JSON.parse(body) as OutboxEntry;
      const r = { target: entry.target, id: entry.id, n: entry.payload.n as number, at: Date.now() };
      const status = answer(r);
      if (status < 300) received.push(r);
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const postTo = (url: string): OutboxHandler => async (entry) => {
  const res = await fetch(`${url}/${entry.target}`, { method: "POST", body: JSON.stringify(entry) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
};

const until = async (what: string, done: () => boolean, ms = 10_000): Promise<void> => {
  for (const start = Date.now(); !done(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
  }
};

describe("jobs: the outbox deliverer", function () {
  this.timeout(30_000);
  let dir: string;
  let store: Store;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
  let deliverer: OutboxDeliverer | null = null;
  const lines: string[] = [];

  const startDeliverer = (handlers: { [kind: string]: OutboxHandler }): OutboxDeliverer => {
    deliverer = new OutboxDeliverer(store, { handlers, targetsPerPass: 8, pollMs: 5, leaseTtlMs: 60_000, retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: (l) => lines.push(l) });
    deliverer.start();
    return deliverer;
  };
  const add = (target: string, n: number, kind = "test") => store.transaction((tx) => tx.outbox.add({ target, kind, payload: { n } }));

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "sealproof-outbox-"));
    store = await openSqliteStore(path.join(dir, "sealproof.db"));
    lines.length = 0;
  });
  afterEach(async () => {
    await deliverer?.stop();
    deliverer = null;
    receiver?.server.close();
    receiver = null;
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("delivers what committed and nothing of a transaction that added an entry and then threw", async () => {
    receiver = await startReceiver();
    startDeliverer({ test: postTo(receiver.url) });
    await add("device:a", 1);
    const refused = await store
      .transaction(async (tx) => {
        await tx.outbox.add({ target: "device:a", kind: "test", payload: { n: 2 } });
        await tx.outbox.add({ target: "device:b", kind: "test", payload: { n: 2 } });
        throw new Error("the domain refused");
      })
      .catch((err: Error) => err.message);
    expect(refused).to.equal("the domain refused");
    await add("device:a", 3);
    await until("two deliveries", () => receiver!.received.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received.map((r) => [r.target, r.n])).to.deep.equal([["device:a", 1], ["device:a", 3]]);
    expect(await store.outbox.next(new Date(), 10)).to.deep.equal([]);
  });

  it("never starts a delivery while the entry's transaction is open", async () => {
    receiver = await startReceiver();
    startDeliverer({ test: postTo(receiver.url) });
    const slow = store.transaction(async (tx) => {
      await tx.outbox.add({ target: "device:a", kind: "test", payload: { n: 1 } });
      await new Promise((r) => setTimeout(r, 500));
      return Date.now();
    });
    // Meanwhile the deliverer keeps polling every 5 ms.
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received).to.deep.equal([]);
    const committedAt = await slow;
    await until("the delivery", () => receiver!.received.length === 1);
    expect(receiver.received[0].at).to.be.at.least(committedAt - 5);
  });

  it("keeps a target's order through failures, retrying with backoff while other targets go on", async () => {
    let refusals = 3;
    receiver = await startReceiver((r) => (r.target === "device:a" && r.n === 1 && refusals-- > 0 ? 503 : 204));
    for (const [target, n] of [["device:a", 1], ["device:a", 2], ["device:b", 1], ["device:a", 3], ["device:b", 2]] as const) await add(target, n);
    const started = Date.now();
    startDeliverer({ test: postTo(receiver.url) });
    await until("five deliveries", () => receiver!.received.length === 5);
    const order = (target: string) => receiver!.received.filter((r) => r.target === target).map((r) => r.n);
    expect(order("device:a")).to.deep.equal([1, 2, 3]);
    expect(order("device:b")).to.deep.equal([1, 2]);
    // b went on while a waited: both of b's were in before a's first.
    expect(receiver.received.findIndex((r) => r.target === "device:a")).to.equal(2);
    // Backoff 50, 100, 200 ms after the three refusals.
    expect(receiver.received[2].at - started).to.be.at.least(350);
    expect(lines.filter((l) => l.includes("failed: HTTP 503"))).to.have.length(3);
  });

  it("keeps an entry of a kind without a handler, retrying it, and delivers the rest", async () => {
    receiver = await startReceiver();
    await add("device:a", 1, "unknown-kind");
    await add("device:b", 1);
    startDeliverer({ test: postTo(receiver.url) });
    await until("b's delivery", () => receiver!.received.length === 1);
    await until("a second try of the unknown kind", () => lines.filter((l) => l.includes("no handler for outbox entries of kind unknown-kind")).length >= 2);
    const [waiting] = await store.outbox.next(new Date(Date.now() + 60_000), 10);
    expect(waiting).to.deep.include({ target: "device:a", kind: "unknown-kind", lastError: "no handler for outbox entries of kind unknown-kind" });
  });

  it("delivers an entry as soon as its transaction commits when the store nudges the deliverer, not at the next poll", async () => {
    receiver = await startReceiver();
    deliverer = new OutboxDeliverer(store, { handlers: { test: postTo(receiver.url) }, targetsPerPass: 8, pollMs: 10_000, leaseTtlMs: 60_000, retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: (l) => lines.push(l) });
    deliverer.start();
    const nudged = nudgeAfterOutboxCommit(store.transaction.bind(store), () => deliverer!.nudge());
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Delivered within the second, not at the next poll in 10 s.
    const committed = Date.now();
    await nudged((tx) => tx.outbox.add({ target: "device:a", kind: "test", payload: { n: 1 } }));
    await until("the delivery", () => receiver!.received.length === 1, 1_000);
    expect(receiver.received[0].at - committed).to.be.below(1_000);
  });

  describe("an entry of an immediate kind (its handler sends the target's current state)", () => {
    const delivered: string[] = [];
    let releaseHandler: () => void = () => undefined;
    /** Held reads of the outbox that returned a "state" entry, released by releaseReads(). */
    let releaseReads: () => void = () => undefined;
    let holdReads = false;
    let readsHeld = 0;

    beforeEach(() => {
      delivered.length = 0;
      holdReads = false;
      readsHeld = 0;
    });

    /** A deliverer of "state" entries (immediate) on the store, whose reads of the outbox may be held. */
    const immediateDeliverer = (pollMs: number, handlerHeld: Promise<void> = Promise.resolve()): OutboxDeliverer => {
      const readsReleased = new Promise<void>((resolve) => (releaseReads = resolve));
      const outbox: Store["outbox"] = {
        ...store.outbox,
        next: async (now, limit) => {
          const due = await store.outbox.next(now, limit);
          if (holdReads && due.some((e) => e.kind === "state")) {
            readsHeld++;
            await readsReleased;
          }
          return due;
        },
      };
      const handlers = { state: async (entry: OutboxEntry) => void (await handlerHeld, delivered.push(entry.id)) };
      deliverer = new OutboxDeliverer({ outbox, leases: store.leases }, { handlers, immediateKinds: ["state"], targetsPerPass: 8, pollMs, leaseTtlMs: 60_000, retryBaseMs: 50, retryMaxMs: 200, now: () => new Date(), log: (l) => lines.push(l) });
      deliverer.start();
      return deliverer;
    };
    const commit = (d: OutboxDeliverer) => nudgeAfterOutboxCommit(store.transaction.bind(store), (entries) => d.committed(entries))((tx) => tx.outbox.add({ target: "device:a", kind: "state", payload: {} }));

    it("is delivered once its transaction commits, without waiting for the outbox to be read back", async () => {
      const d = immediateDeliverer(10_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      holdReads = true;
      const id = await commit(d);
      await until("the delivery", () => delivered.length === 1, 1_000);
      expect(delivered).to.deep.equal([id]);
      releaseReads();
    });

    it("is not handed out again by a read that saw it pending while it was being delivered", async () => {
      const d = immediateDeliverer(5, new Promise<void>((resolve) => (releaseHandler = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 100));
      holdReads = true;
      const id = await commit(d);
      await until("a read that saw it pending", () => readsHeld === 1);
      releaseHandler();
      await until("the delivery", () => delivered.length === 1);
      while ((await store.outbox.next(new Date(), 10)).length > 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // The read held since it saw the entry pending now answers, after the entry was marked delivered.
      releaseReads();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(delivered).to.deep.equal([id]);
    });

    it("waits for the pass when another node holds the lease", async () => {
      expect(await store.leases.acquire("outbox", "another node", 60_000, new Date())).to.equal(true);
      const d = immediateDeliverer(5);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await commit(d);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(delivered).to.deep.equal([]);
    });
  });
});
