// The HTTPS transport for smart-seal devices (a phone relaying a Bluetooth seal, or a device syncing after being
// offline): a batch of signed messages in, each message's fate and the device's pending commands out. The checks are
// takeDeviceMessages', the same whatever the transport.
import { z } from "zod";
import { deviceMessagesTaken } from "../responses";
import { MAX_MESSAGES, takeDeviceMessages } from "../../devices/ingest";
import type { Api } from "../api";
import type { DeviceContext } from "../../devices/context";

/** A batch of MAX_MESSAGES stamp messages is about 400 kB; anything larger is refused before it is parsed. */
export const DEVICE_MESSAGES_BODY_LIMIT = "1mb";
export const DEVICE_MESSAGES_PATH = "/device-messages";

// Each message is parsed by the device subsystem's own schema, so that a bad one is refused alone, with its fate.
const body = z.strictObject({ messages: z.array(z.unknown()).min(1).max(MAX_MESSAGES) });

export function deviceMessageRoutes(api: Api, devices: () => DeviceContext): void {
  api.add(
    {
      method: "post", path: DEVICE_MESSAGES_PATH, tag: "devices", auth: "device", body, status: 200, response: deviceMessagesTaken,
      summary: `Signed messages from the calling device, at most ${MAX_MESSAGES}: each one's fate (accepted, duplicate, or refused with a code) and the device's commands not yet acknowledged, signed with the platform's command key`,
    },
    async ({ device, body }) => takeDeviceMessages(devices(), device, body.messages),
  );
}
