// Smart-seal devices: enrolment (the credential shown once, the command public key handed over), list, get, retire.
import { z } from "zod";
import { enrolDeviceBody, ids, pageQuery } from "../schemas";
import { device as deviceView, devicesPage, enrolledDevice } from "../responses";
import { enrolDevice, getDevice, listDevices, retireDevice } from "../../domain/devices";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { Device } from "../../domain/model";
import type { DeviceContext } from "../../devices/context";
import { presenceOf } from "../../devices/presence";

const deviceParams = z.strictObject({ id: ids.device });

/** What leaves the service of a device: everything but its credential's hash. */
export function viewOf(device: Device): z.input<typeof deviceView> {
  const { credentialHash: _hidden, ...view } = device;
  return view;
}

export function deviceRoutes(api: Api, devices: () => DeviceContext): void {
  api.add({ method: "get", path: "/devices", tag: "devices", auth: "member", query: pageQuery, status: 200, summary: "A page of the company's smart-seal devices", response: devicesPage }, async ({ actor, query }) => {
    const page = await listDevices(devices(), actor, query);
    const ctx = devices();
    return { devices: await Promise.all(page.items.map(async (d) => ({ ...viewOf(d), presence: await presenceOf(ctx.store, d.id) }))), next: page.next };
  });
  api.add(
    {
      method: "post", path: "/devices", tag: "devices", auth: "member", body: enrolDeviceBody, status: 201, returnsSecret: true, response: enrolledDevice,
      summary: `Enrol a smart-seal device with the SM2 public key made inside it (${rolesText("device.enrol")}); the device credential is in this answer only, with the command public key the device must obey`,
    },
    async ({ actor, body }) => {
      const ctx = devices();
      const enrolled = await enrolDevice(ctx, actor, body);
      return { device: viewOf(enrolled.device), credential: enrolled.credential, commandPublicKey: ctx.commandKey.publicKey };
    },
  );
  api.add({ method: "get", path: "/devices/:id", tag: "devices", auth: "member", params: deviceParams, status: 200, summary: "One device, with its MQTT presence", response: deviceView }, async ({ actor, params }) => {
    const ctx = devices();
    const device = await getDevice(ctx, actor, params.id);
    return { ...viewOf(device), presence: await presenceOf(ctx.store, device.id) };
  });
  api.add(
    { method: "post", path: "/devices/:id/retire", tag: "devices", auth: "member", params: deviceParams, status: 200, summary: `Retire a device for good: its credential stops working (${rolesText("device.retire")}; not while it holds a seal in use)`, response: deviceView },
    async ({ actor, params }) => viewOf(await retireDevice(devices(), actor, params.id)),
  );
}
