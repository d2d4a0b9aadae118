// Where each device connected over MQTT was last known to be: connected or not, since when, and whether its silence
// has been alerted. Kept apart from the device document, which message handling rewrites, so that sessions opening
// and closing never contend with stamps.
import { kind, type Schema } from "../store/schema";

/**
 * Documents of this kind all sit in one partition (not the device's company): the offline watch reads every device's
 * presence at once, and lists are per company. Members only ever read one through its device's company check.
 */
export const PRESENCE_PARTITION = "device-presence";

export interface DevicePresence {
  /** The device's id. */
  id: string;
  company: typeof PRESENCE_PARTITION;
  /** The company the device belongs to (whom an offline alert goes to). */
  deviceCompany: string;
  connected: boolean;
  /** When `connected` last changed. */
  since: string;
  /** This silence has raised its DEVICE_OFFLINE alert; cleared when the device connects again. */
  offlineAlerted: boolean;
}

export const PRESENCE_SCHEMA = {
  devicePresence: kind<DevicePresence>({ label: "device presence" }),
} satisfies Schema;
