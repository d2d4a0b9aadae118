// A smart seal in software, for trying the platform without hardware: it signs its messages with its own SM2 key, keeps
// its message counter and stamp counter across runs (KEY.state.json), and obeys a command only when the platform's
// command key (from /.well-known/sealproof.json) signed it for this device with a number it has not obeyed yet.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { z } from "zod";
import { signDeviceMessage, verifyDeviceMessage, type DeviceMessage } from "../evidence/device-message";
import { locationCommitment, type StampLocation } from "../evidence/stamp";
import type { JsonValue } from "../evidence";
import type { Geofence } from "../domain/model";
import type { DeviceLink, Downlink } from "./device-link";

export interface SimulatorState {
  /** The last message number used. */
  n: number;
  /** The mechanical stamp counter. */
  stampNo: number;
  /** The highest command number obeyed. */
  commandN: number;
  locked: boolean;
  authorization: { id: string; receipts: string[]; used: number; notAfter: string; geofence?: Geofence | null } | null;
}

export interface Misbehaviour {
  stamps: number;
  unauthorized: boolean;
  tamper: boolean;
  replay: boolean;
  skipStamp: boolean;
  offlineForSec: number;
  /** Stamp at a place outside the authorization's geofence (by default the seal stamps at its centre). */
  outsideGeofence: boolean;
}

/** A stamp message with the location it commits to disclosed beside it, with its salt (DESIGN, "Privacy"). */
export type StampMessage = DeviceMessage & { location?: StampLocation & { salt: string } };

const FRESH: SimulatorState = { n: -1, stampNo: 0, commandN: -1, locked: true, authorization: null };

export function loadState(file: string): SimulatorState {
  return fs.existsSync(file) ? { ...FRESH, ...(JSON.parse(fs.readFileSync(file, "utf8")) as Partial<SimulatorState>) } : freshState();
}

/** A seal just out of the box: locked, no message sent, no command obeyed. */
export function freshState(): SimulatorState {
  return { ...FRESH };
}

export class SimulatedSeal {
  private readonly acks: DeviceMessage[] = [];
  private readonly ackedThisRun = new Set<number>();

  constructor(
    private readonly device: string,
    private readonly privateKey: string,
    private readonly commandPublicKey: string,
    readonly state: SimulatorState,
    private readonly print: (line: string) => void,
  ) {}

  /** Signs the next message. */
  message(type: string, body: { [key: string]: JsonValue }): DeviceMessage {
    this.state.n += 1;
    return signDeviceMessage({ v: 1, device: this.device, n: this.state.n, type, at: new Date().toISOString(), body }, this.privateKey);
  }

  /** Sends messages, prints their fates, obeys the commands that come back and acknowledges them. */
  async send(link: DeviceLink, messages: DeviceMessage[]): Promise<void> {
    this.took(await link.send(messages), messages);
    await this.flushAcks(link);
  }

  /** What the service pushed unasked (MQTT): its pending commands. */
  pushed(down: Downlink): void {
    this.obey(down.commands ?? []);
  }

  async flushAcks(link: DeviceLink): Promise<void> {
    for (let round = 0; this.acks.length > 0 && round < 5; round++) {
      const acks = this.acks.splice(0);
      this.took(await link.send(acks), acks);
    }
  }

  /**
   * The next stamp, or null (printed why) when the seal would not stamp. Under a geofenced authorization the seal reports
   * where it stamps: the fence's centre, or with --outside-geofence a point past its edge; it signs only the commitment.
   */
  stamp(misbehaviour: Misbehaviour, skip: boolean): StampMessage | null {
    const authorization = misbehaviour.unauthorized ? null : this.openAuthorization();
    if (!misbehaviour.unauthorized && (this.state.locked || authorization === null)) {
      this.print(`  the seal stays shut: ${this.state.locked ? "it is locked" : "no open authorization"} (--unauthorized forces a stamp)`);
      return null;
    }
    this.state.stampNo += skip ? 2 : 1;
    const receipt = authorization === null ? null : (authorization.receipts[authorization.used++] ?? null);
    const fence = this.state.authorization?.geofence ?? null;
    if (misbehaviour.outsideGeofence && fence === null) this.print("  no geofence on this authorization: --outside-geofence changes nothing");
    const location = fence === null ? null : stampLocation(fence, misbehaviour.outsideGeofence);
    const salt = randomBytes(16);
    const body = {
      stampNo: this.state.stampNo, authorization: authorization?.id ?? null, receipt, operator: { method: "fingerprint", ref: "sim-operator" },
      locationCommitment: location === null ? null : locationCommitment(salt, location), photoHash: null,
    };
    const message = this.message("stamp", body);
    return location === null ? message : { ...message, location: { ...location, salt: salt.toString("hex") } };
  }

  private openAuthorization(): SimulatorState["authorization"] {
    const a = this.state.authorization;
    return a !== null && a.used < a.receipts.length && Date.parse(a.notAfter) > Date.now() ? a : null;
  }

  private took(down: Downlink, sent: DeviceMessage[]): void {
    for (const fate of down.results ?? []) {
      const message = sent[fate.index];
      this.print(`→ n=${fate.n ?? "?"} ${message?.type ?? "?"}${message?.type === "stamp" ? ` stampNo=${JSON.stringify(message.body.stampNo)}` : ""}: ${fate.status}${fate.code ? ` ${fate.code}` : ""}`);
    }
    this.obey(down.commands ?? []);
  }

  private obey(commands: unknown[]): void {
    for (const raw of commands) {
      const parsed = commandSchema.safeParse(raw);
      const command = parsed.success ? parsed.data : null;
      if (command === null || command.device !== this.device) {
        this.print(`← a command that is not for this device, or not a command: ignored`);
        continue;
      }
      if (!signedByPlatform(command, this.commandPublicKey)) {
        this.print(`← command n=${command.n} ${command.type}: REFUSED, not signed with the platform's command key`);
        continue;
      }
      if (command.n <= this.state.commandN) {
        if (!this.ackedThisRun.has(command.n)) this.ack(command);
        continue;
      }
      this.print(`← command n=${command.n} ${command.type} (signed by the platform): ${this.carryOut(command)}`);
      this.state.commandN = command.n;
      this.ack(command);
    }
  }

  private carryOut(command: DeviceMessage): string {
    switch (command.type) {
      case "lock":
        this.state.locked = true;
        this.state.authorization = null;
        return "obeyed, the seal is locked";
      case "unlock": {
        // A lock lifted by dual control: the seal opens, and still stamps only under an authorization.
        if (liftedLock.safeParse(command.body).success) {
          this.state.locked = false;
          return "obeyed, the lock is lifted (stamping still needs an authorization)";
        }
        const unlock = unlockBody.safeParse(command.body);
        if (!unlock.success) return "not understood (no authorization in it)";
        const { authorization, receipts, notAfter, geofence } = unlock.data;
        this.state.authorization = { id: authorization, receipts, used: 0, notAfter, geofence };
        this.state.locked = false;
        return `obeyed, ${receipts.length} stamp(s) authorized until ${notAfter}${geofence ? ` within ${geofence.radiusM} m of ${geofence.lat}, ${geofence.lng}` : ""}`;
      }
      case "unlock-cancel":
        this.state.authorization = null;
        this.state.locked = true;
        return "obeyed, the authorization is cancelled";
      default:
        return "noted";
    }
  }

  private ack(command: DeviceMessage): void {
    this.ackedThisRun.add(command.n);
    this.acks.push(this.message("ack", { command: command.n, result: "ok" }));
  }
}

const commandSchema = z.object({
  v: z.literal(1),
  device: z.string(),
  n: z.number().int().min(0),
  type: z.string(),
  at: z.string(),
  body: z.record(z.string(), z.json()),
  sig: z.string(),
});

/** What an unlock command must say for the seal to open: the authorization, its receipts, until when, and where. */
const unlockBody = z.object({
  authorization: z.string(),
  receipts: z.array(z.string()),
  notAfter: z.iso.datetime(),
  geofence: z.object({ lat: z.number(), lng: z.number(), radiusM: z.number().positive() }).nullable().default(null),
});

/** An unlock after dual control: no authorization comes with it. */
const liftedLock = z.object({ authorization: z.null() });

const METRES_PER_DEGREE_LAT = 111_320;

/** Where the seal says it stamps: a 10 m fix at the fence's centre, or one 1 km north of its edge. */
function stampLocation(fence: Geofence, outside: boolean): StampLocation {
  const accuracyM = Math.min(10, fence.radiusM);
  if (!outside) return { lat: fence.lat, lng: fence.lng, accuracyM };
  return { lat: Number((fence.lat + (fence.radiusM + 1_000) / METRES_PER_DEGREE_LAT).toFixed(6)), lng: fence.lng, accuracyM };
}

/** A malformed signature is not the platform's either. */
function signedByPlatform(command: DeviceMessage, commandPublicKey: string): boolean {
  try {
    return verifyDeviceMessage(command, commandPublicKey);
  } catch {
    return false;
  }
}
