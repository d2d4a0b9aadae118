// The one function every transport ends in: a device's signed messages, checked and applied in `n` order. Each message
// is parsed against its type's schema, must come from the device the transport authenticated, must carry that
// device's SM2 signature and an `n` above every one taken before. An exact repeat is acknowledged again and writes
// nothing; the same `n` with other bytes is a replay: refused, and the device locked with a critical alert.
import { sm2Verify } from "../evidence";
import { deviceMessageBytes, deviceMessageBytesHash, type DeviceMessage } from "../evidence/device-message";
import { StoreConflictError } from "../store/port";
import { draft, recordChange } from "../domain/context";
import { parseUpMessage, type UpMessage } from "./message-schema";
import { commandMessages, markAcknowledged, pendingCommands } from "./commands";
import { lockForMisuse } from "./incidents";
import { recordStamp } from "./stamps";
import { expireAuthorizations } from "./authorizations";
import { acceptedMessageId, type Authorization, type DeviceCommand, type DeviceTx } from "./schema";
import type { DeviceContext } from "./context";
import type { Device } from "../domain/model";

/** Why a message was refused; a refused message wrote nothing, except a replay, which locked the device. */
export type RefusalCode = "MESSAGE_INVALID" | "DEVICE_MISMATCH" | "SIGNATURE_INVALID" | "N_NOT_RISING" | "REPLAYED";

export interface MessageFate {
  /** The message's place in what the transport received. */
  index: number;
  /** Its `n`, when it has a readable one. */
  n: number | null;
  status: "accepted" | "duplicate" | "refused";
  code?: RefusalCode;
}

export interface MessagesTaken {
  results: MessageFate[];
  /** The device's commands not yet acknowledged, signed, oldest first. */
  commands: DeviceMessage[];
}

/** The most messages one call takes: a phone relaying a Bluetooth seal, or a device back from being offline. */
export const MAX_MESSAGES = 500;

// A concurrent call for the same device may take an `n` first (the accepted-message id is unique): the loser reads
// again, and then sees a repeat or a replay.
const CONFLICT_RETRIES = 3;

export async function takeDeviceMessages(ctx: DeviceContext, device: Device, raw: readonly unknown[]): Promise<MessagesTaken> {
  const [taken] = await takeFromDevices(ctx, [{ device, raw }]);
  if (taken instanceof Error) throw taken;
  return taken;
}

/** One device's messages, as its transport received them. */
export interface DevicePayload {
  device: Device;
  raw: readonly unknown[];
}

/**
 * takeDeviceMessages for several devices at once (a transport's backlog): their verified messages are applied in one
 * transaction, so they share its cost. Each payload is answered as if taken alone: when the shared transaction fails,
 * each is taken again in a transaction of its own, and one that still fails is answered with its error.
 */
export async function takeFromDevices(ctx: DeviceContext, payloads: readonly DevicePayload[], options: TakeOptions = {}): Promise<Array<MessagesTaken | Error>> {
  for (const { raw } of payloads) if (raw.length > MAX_MESSAGES) throw new RangeError(`at most ${MAX_MESSAGES} messages at once`);
  const verify: DeviceContext["verifyMessage"] = options.urgent ? async (message, sig, key) => sm2Verify(message, sig, key) : ctx.verifyMessage;
  const checks = await Promise.all(payloads.map(({ device, raw }) => checkSignatures(verify, device, raw).catch(asError)));
  const checked = checks.filter((c): c is Checked => !(c instanceof Error));
  const signed = checked.filter((c) => c.signed.length > 0);
  const applied = new Map<Checked, Applied>();
  if (signed.length > 1) {
    try {
      const all = await transactionInTurn(ctx, options.turn, async (tx) => {
        const each: Applied[] = [];
        for (const c of signed) each.push(await applyInOrder(ctx, tx, c.device.id, c.signed));
        return each;
      });
      ctx.failpoint?.("device-messages-committed");
      signed.forEach((c, i) => applied.set(c, all[i]));
    } catch {
      // Taken one by one below: a failure is then its own payload's alone.
    }
  }
  return Promise.all(
    checks.map(async (c): Promise<MessagesTaken | Error> => {
      if (c instanceof Error) return c;
      try {
        if (c.signed.length === 0) return { results: c.results, commands: commandMessages(await pendingCommands(ctx.store, c.device)) };
        const { fates, commands } = applied.get(c) ?? (await applyAlone(ctx, c, options.turn));
        c.signed.forEach((s, i) => (c.results[s.index] = { index: s.index, n: s.message.n, ...fates[i] }));
        return { results: c.results, commands: commandMessages(commands) };
      } catch (err) {
        return asError(err);
      }
    }),
  );
}

/** A store transaction entered in `turn`, which ends once fn has run (or the transaction failed without running it). */
async function transactionInTurn<T>(ctx: DeviceContext, turn: TakeOptions["turn"], fn: (tx: DeviceTx) => Promise<T>): Promise<T> {
  if (turn === undefined) return ctx.store.transaction(fn);
  const end = await turn();
  try {
    return await ctx.store.transaction(async (tx) => {
      try {
        return await fn(tx);
      } finally {
        end();
      }
    });
  } finally {
    end();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export interface TakeOptions {
  /** Check the signatures on the event loop at once, not queued behind other work for the pool (a payload that may lock its device). */
  urgent?: boolean;
  /**
   * Waits for a turn to apply messages; resolves what ends the turn, called as soon as they are applied (before the
   * commit), so that what the caller lets through waits in the transaction queue behind at most one of its own.
   */
  turn?: () => Promise<() => void>;
}

type Fate = Pick<MessageFate, "status" | "code">;

interface Checked {
  device: Device;
  /** Every message's fate so far: refused until applied. */
  results: MessageFate[];
  /** Messages of this device with a good signature, lowest `n` first. */
  signed: { index: number; message: UpMessage; hash: string }[];
}

interface Applied {
  fates: Fate[];
  commands: DeviceCommand[];
}

/** Parses each message against its type's schema and checks it comes from `device` with its signature. */
async function checkSignatures(verify: DeviceContext["verifyMessage"], device: Device, raw: readonly unknown[]): Promise<Checked> {
  const results: MessageFate[] = raw.map((item, index) => ({ index, n: readableN(item), status: "refused", code: "MESSAGE_INVALID" }));
  const signed: Checked["signed"] = [];
  const checks = raw.map(parseUpMessage).map((message, index) => {
    if (message === null) return Promise.resolve();
    if (message.device !== device.id) {
      results[index].code = "DEVICE_MISMATCH";
      return Promise.resolve();
    }
    const bytes = deviceMessageBytes(message);
    return verify(bytes, message.sig, device.publicKey).then((ok) => {
      if (ok) signed.push({ index, message, hash: deviceMessageBytesHash(bytes) });
      else results[index].code = "SIGNATURE_INVALID";
    });
  });
  await Promise.all(checks);
  signed.sort((a, b) => a.message.n - b.message.n || a.index - b.index);
  return { device, results, signed };
}

async function applyAlone(ctx: DeviceContext, checked: Checked, turn: TakeOptions["turn"]): Promise<Applied> {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await transactionInTurn(ctx, turn, (tx) => applyInOrder(ctx, tx, checked.device.id, checked.signed));
      ctx.failpoint?.("device-messages-committed");
      return applied;
    } catch (err) {
      if (!(err instanceof StoreConflictError) || attempt >= CONFLICT_RETRIES) throw err;
    }
  }
}

/**
 * Applies verified messages of one device, lowest `n` first, in one transaction: all of their effects or none. Resolves
 * their fates and the commands then pending (read in the same transaction, so the answer agrees with what was applied).
 */
async function applyInOrder(ctx: DeviceContext, tx: DeviceTx, deviceId: string, messages: { message: UpMessage; hash: string }[]): Promise<Applied> {
  const stored = await tx.devices.get(deviceId);
  if (stored === null) throw new Error(`invariant violated: device ${deviceId} vanished`);
  const device: Device = { ...stored };
  const now = ctx.now();
  // Whatever the device says next, an authorization whose window has passed is cancelled on it first.
  const open = new Map((await expireAuthorizations(tx, ctx.commandKey, now, device)).map((a) => [a.id, a]));
  const fates: Fate[] = [];
  for (const { message, hash } of messages) fates.push(await applyOne(ctx, tx, now, device, message, hash, open));
  device.lastSeenAt = now.toISOString();
  await tx.devices.update(device);
  ctx.failpoint?.("device-messages-applied");
  return { fates, commands: await pendingCommands(tx, device) };
}

async function applyOne(ctx: DeviceContext, tx: DeviceTx, now: Date, device: Device, message: UpMessage, hash: string, open: Map<string, Authorization>): Promise<Fate> {
  const id = acceptedMessageId(device.id, message.n);
  // Every accepted n is at most lastN (both are written together): one above it was never accepted.
  const earlier = message.n > device.lastN ? null : await tx.deviceMessages.get(id);
  if (earlier !== null) {
    if (earlier.hash === hash) return { status: "duplicate" };
    await lockForMisuse(tx, ctx.commandKey, now, device, "replay", message.n, { type: message.type });
    return { status: "refused", code: "REPLAYED" };
  }
  if (message.n <= device.lastN) return { status: "refused", code: "N_NOT_RISING" };
  await tx.deviceMessages.insert({ id, company: device.company, device: device.id, n: message.n, type: message.type, hash, receivedAt: now.toISOString() });
  device.lastN = message.n;
  await applyEffect(ctx, tx, now, device, message, open);
  return { status: "accepted" };
}

async function applyEffect(ctx: DeviceContext, tx: DeviceTx, now: Date, device: Device, message: UpMessage, open: Map<string, Authorization>): Promise<void> {
  switch (message.type) {
    case "hello":
    case "status":
      return;
    case "stamp":
      return recordStamp(tx, ctx.commandKey, now, device, message, open);
    case "tamper":
      return lockForMisuse(tx, ctx.commandKey, now, device, "tamper", message.n, { kind: message.body.kind });
    case "ack":
      return acknowledge(tx, now, device, message.body.command, message.body.result);
  }
}

/** The device has a command: it is no longer pending, and a lock it carried out is evidence. */
async function acknowledge(tx: DeviceTx, now: Date, device: Device, n: number, result: "ok" | "refused"): Promise<void> {
  const command = (await pendingCommands(tx, device)).find((c) => c.n === n);
  if (command === undefined) return;
  await markAcknowledged(tx, command);
  if (command.type === "lock" && result === "ok") await recordChange(tx, draft("device.lock-confirmed", now, device.company, device.id, device.id, { command: n }));
}

function readableN(raw: unknown): number | null {
  if (typeof raw !== "object" || raw === null || !("n" in raw)) return null;
  return Number.isSafeInteger(raw.n) && (raw.n as number) >= 0 ? (raw.n as number) : null;
}
