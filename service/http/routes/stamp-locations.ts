// A stamp's exact location: disclosed as a sealproof-location-disclosure/1 file (the location, its salt, and the
// receipts that let anyone check them against the anchored commitment: `sealproof verify --disclosure FILE`), and erased.
import { z } from "zod";
import { ids } from "../schemas";
import { locationDisclosure, locationErased } from "../responses";
import { discloseLocation, eraseLocation } from "../../devices/locations";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DeviceContext } from "../../devices/context";

const LOCATION_PATH = "/devices/:id/stamps/:n/location";
const stampParams = z.strictObject({ id: ids.device, n: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) });

export function stampLocationRoutes(api: Api, devices: () => DeviceContext): void {
  api.add(
    {
      method: "get", path: LOCATION_PATH, tag: "devices", auth: "member", params: stampParams, status: 200, response: locationDisclosure,
      summary: `Disclose where stamp {n} (the device's message number) was made (${rolesText("stamp.location-disclose")}): the location and the salt of its locationCommitment with the stamp's, the device's and the company's receipts, a file anyone checks with sealproof verify --disclosure; 409 STAMP_NOT_ANCHORED until the stamp is anchored`,
    },
    async ({ actor, params }) => discloseLocation(devices(), actor, params.id, params.n),
  );
  api.add(
    {
      method: "post", path: `${LOCATION_PATH}/erasure`, tag: "devices", auth: "member", params: stampParams, status: 201, response: locationErased,
      summary: `Erase where stamp {n} was made, and its salt, for good (${rolesText("stamp.location-erase")}): the stamp's record keeps the commitment, stamp.location-erased is recorded`,
    },
    async ({ actor, params }) => eraseLocation(devices(), actor, params.id, params.n),
  );
}
