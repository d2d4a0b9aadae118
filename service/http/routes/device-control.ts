// Control of smart-seal devices by members: remote lock, the halves of a dual-control unlock, the out-of-order report
// and the two confirmations of a stamp made without the device; and the authorizations issued after dual custody.
import { z } from "zod";
import { ids } from "../schemas";
import { authorization, device as deviceView, deviceUnlock, manualStamp } from "../responses";
import { viewOf } from "./devices";
import { getAuthorization, withdrawAuthorization } from "../../devices/authorizations";
import { lockDevice, unlockDevice } from "../../devices/lock";
import { beginManualStamp, confirmManualStamp, reportOutOfOrder } from "../../devices/manual-stamps";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DeviceContext } from "../../devices/context";

const deviceParams = z.strictObject({ id: ids.device });
const manualStampParams = z.strictObject({ id: ids.device, stamp: ids.manualStamp });
const authorizationParams = z.strictObject({ id: ids.authorization });
const manualStampBody = z.strictObject({ authorization: ids.authorization, receipt: ids.receipt.nullable().default(null) });

export function deviceControlRoutes(api: Api, devices: () => DeviceContext): void {
  api.add(
    { method: "post", path: "/devices/:id/lock", tag: "devices", auth: "member", params: deviceParams, status: 200, response: deviceView, summary: `Lock a device at once (${rolesText("device.lock")}, or the custodian of its seal): device.locked and a signed lock command` },
    async ({ actor, params }) => viewOf(await lockDevice(devices(), actor, params.id)),
  );
  api.add(
    {
      method: "post", path: "/devices/:id/unlock", tag: "devices", auth: "member", stepUp: true, params: deviceParams, status: 200, response: deviceUnlock,
      summary: `Give one half of a dual-control unlock of a locked or out-of-order device: an administrator's (${rolesText("device.unlock")}) or the seal's reviewer's; the second half, from another member, lifts the lock (device.unlocked)`,
    },
    async ({ actor, params }) => {
      const state = await unlockDevice(devices(), actor, params.id);
      return { ...state, device: viewOf(state.device) };
    },
  );
  api.add(
    { method: "post", path: "/devices/:id/out-of-order", tag: "devices", auth: "member", params: deviceParams, status: 200, response: deviceView, summary: "The seal's custodian reports its device out of order: it is treated as locked, and stamps under an open authorization may be recorded by hand" },
    async ({ actor, params }) => viewOf(await reportOutOfOrder(devices(), actor, params.id)),
  );
  api.add(
    {
      method: "post", path: "/devices/:id/manual-stamps", tag: "devices", auth: "member", params: deviceParams, body: manualStampBody, status: 201, response: manualStamp,
      summary: "First confirmation of a stamp made without an out-of-order device, under one of its open authorizations (the seal's custodian or reviewer); nothing is recorded until the other confirms",
    },
    async ({ actor, params, body }) => beginManualStamp(devices(), actor, params.id, body),
  );
  api.add(
    {
      method: "post", path: "/devices/:id/manual-stamps/:stamp/confirm", tag: "devices", auth: "member", params: manualStampParams, status: 200, response: manualStamp,
      summary: "Second confirmation of a manual stamp, by the other of the seal's custodian and reviewer: seal.stamped with manual: true, and a warning alert",
    },
    async ({ actor, params }) => confirmManualStamp(devices(), actor, params.id, params.stamp),
  );
  api.add(
    { method: "get", path: "/authorizations/:id", tag: "devices", auth: "member", params: authorizationParams, status: 200, response: authorization, summary: "A device authorization with the receipt ids reserved for the copies' QR codes (its request's requester, and those who read every request)" },
    async ({ actor, params }) => getAuthorization(devices(), actor, params.id),
  );
  api.add(
    { method: "post", path: "/authorizations/:id/withdraw", tag: "devices", auth: "member", params: authorizationParams, status: 200, response: authorization, summary: `Withdraw an open authorization (${rolesText("authorization.withdraw")}): cancelled on the device, later stamps not covered` },
    async ({ actor, params }) => withdrawAuthorization(devices(), actor, params.id),
  );
}
