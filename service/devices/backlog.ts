// Payloads of many devices waiting to be taken, taken together: what arrives while batches are under way is gathered
// into the next one (takeFromDevices: one signature batch, one transaction). Few batches run at once, and only one of
// them is in the store's transaction queue at a time (the others verify meanwhile), so an administrator's lock waits
// there behind at most one batch; an urgent payload (one that may lock its device) is taken alone at once, whatever
// is under way, its signatures checked at once and its transaction queued without waiting for a turn.
import { takeFromDevices, type DevicePayload, type MessagesTaken } from "./ingest";
import type { DeviceContext } from "./context";

// Enough that a batch's transaction and the next batch's signatures overlap the previous batch's sync.
const MAX_BATCHES = 3;
const MAX_BATCH = 32;

interface Waiting {
  payload: DevicePayload;
  resolve: (taken: MessagesTaken) => void;
  reject: (err: Error) => void;
}

export class IngestBacklog {
  private readonly ordinary: Waiting[] = [];
  private running = 0;
  private scheduled = false;
  private applying = false;
  private readonly waitingToApply: Array<() => void> = [];

  constructor(private readonly ctx: DeviceContext) {}

  /** Takes one device's messages (the caller sends a device's payloads one at a time, in order). */
  take(payload: DevicePayload, urgent: boolean): Promise<MessagesTaken> {
    return new Promise((resolve, reject) => {
      // Not even until the end of this turn of the event loop, which under load can last tens of milliseconds.
      if (urgent) return void takeFromDevices(this.ctx, [payload], { urgent }).then(([taken]) => settle({ payload, resolve, reject }, taken), reject);
      this.ordinary.push({ payload, resolve, reject });
      if (this.scheduled) return;
      // Whatever else arrives in this turn of the event loop joins the same batch.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.start();
      });
    });
  }

  private start(): void {
    while (this.running < MAX_BATCHES && this.ordinary.length > 0) this.run(this.ordinary.splice(0, MAX_BATCH));
  }

  private run(batch: Waiting[]): void {
    this.running++;
    takeFromDevices(this.ctx, batch.map((w) => w.payload), { turn: () => this.turnToApply() })
      .then(
        (taken) => batch.forEach((w, i) => settle(w, taken[i])),
        (err: unknown) => batch.forEach((w) => w.reject(err instanceof Error ? err : new Error(String(err)))),
      )
      .finally(() => {
        this.running--;
        this.start();
      });
  }

  /** Resolves once no other batch is applying; what it resolves ends this one's turn (once, however often called). */
  private async turnToApply(): Promise<() => void> {
    if (this.applying) await new Promise<void>((resolve) => this.waitingToApply.push(resolve));
    else this.applying = true;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      const next = this.waitingToApply.shift();
      if (next === undefined) this.applying = false;
      else next();
    };
  }
}

function settle(waiting: Waiting, taken: MessagesTaken | Error): void {
  if (taken instanceof Error) waiting.reject(taken);
  else waiting.resolve(taken);
}
