// Commands to a device: signed with the platform's command key when issued and kept, byte for byte, until the device
// acknowledges them, so every delivery (each HTTPS answer; later, a retained MQTT message) carries the same bytes.
import { newId } from "../domain/ids";
import { signDeviceMessage, type DeviceMessage } from "../evidence/device-message";
import type { JsonValue, Sm2KeyPair } from "../evidence";
import type { Device } from "../domain/model";
import type { CommandType, DeviceCommand, DeviceRepositories, DeviceTx } from "./schema";

/** Signs the next command for `device` (whose commandN it advances) and keeps it until acknowledged. */
export async function issueCommand(tx: DeviceTx, commandKey: Sm2KeyPair, now: Date, device: Device, type: CommandType, body: { [key: string]: JsonValue }): Promise<DeviceCommand> {
  device.commandN += 1;
  const message = signDeviceMessage({ v: 1, device: device.id, n: device.commandN, type, at: now.toISOString(), body }, commandKey.privateKey);
  const command: DeviceCommand = { id: newId("dc"), company: device.company, device: device.id, n: device.commandN, type, message, acked: false, createdAt: now.toISOString() };
  await tx.deviceCommands.insert(command);
  await tx.unackedCommands.insert({ id: command.id, company: device.company, device: device.id, n: command.n });
  await commandsChanged(tx, device.id);
  return command;
}

/** The outbox kind whose handler publishes a device's pending commands, retained, on its MQTT down topic. */
export const COMMANDS_OUTBOX_KIND = "device.commands";

/** The device's pending commands changed: once the transaction commits, its down topic is brought up to date. */
export async function commandsChanged(tx: DeviceTx, deviceId: string): Promise<void> {
  await tx.outbox.add({ target: deviceId, kind: COMMANDS_OUTBOX_KIND, payload: {} });
}

/**
 * The device's commands not yet acknowledged, oldest first. Every answer to the device carries them, so they are found
 * through their markers (unackedCommands): the cost does not grow with the commands the device was ever sent.
 */
export async function pendingCommands(repos: Pick<DeviceRepositories, "deviceCommands" | "unackedCommands">, device: Device): Promise<DeviceCommand[]> {
  const marked = await repos.unackedCommands.list(device.company, { device: device.id });
  const commands = await Promise.all(marked.map((m) => repos.deviceCommands.get(m.id)));
  return commands.filter((c): c is DeviceCommand => c !== null && !c.acked).sort((a, b) => a.n - b.n);
}

/** The device has carried out (or refused) the command: it is no longer pending. */
export async function markAcknowledged(tx: DeviceTx, command: DeviceCommand): Promise<void> {
  await tx.deviceCommands.update({ ...command, acked: true });
  await tx.unackedCommands.delete(command.id);
  await commandsChanged(tx, command.device);
}

export function commandMessages(commands: DeviceCommand[]): DeviceMessage[] {
  return commands.map((c) => c.message);
}
