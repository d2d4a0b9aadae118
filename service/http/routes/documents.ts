// Documents linked to a usage after it was made: the scan of the stamped page, the archived final PDF, a print.
import { z } from "zod";
import { hash32, ids } from "../schemas";
import { documentLink } from "../responses";
import { linkDocument } from "../../documents/links";
import { LINKED_DOCUMENT_ROLES } from "../../evidence";
import { rolesText } from "../../domain/policy";
import type { Api } from "../api";
import type { DeviceContext } from "../../devices/context";

const usageParams = z.strictObject({ receiptId: ids.receipt });
const linkBody = z.strictObject({ role: z.enum(LINKED_DOCUMENT_ROLES), hash: hash32 });

export function documentRoutes(api: Api, devices: () => DeviceContext): void {
  api.add(
    {
      method: "post", path: "/usages/:receiptId/documents", tag: "usages", auth: "member", params: usageParams, body: linkBody, status: 201, response: documentLink,
      summary:
        `Link a file to a usage, electronic or a physical stamp, by its SM3: role scan (the stamped page scanned), final (the archived PDF) or print. Recorded as document.linked with the usage's receipt id as subject; the verify page's document check accepts its hash beside the sealed one. ${rolesText("document.link")}, on a usage they made, or any usage for those who read every request; others, and another company's receipt id, get 404 as for an unknown one. The same hash in the same role again answers the first link with created: false and records nothing`,
    },
    async ({ actor, params, body }) => {
      const { link, record, created } = await linkDocument(devices(), actor, params.receiptId, body);
      return { id: record.id, receipt: link.receipt, role: link.role, hash: link.hash, created, record: record.record };
    },
  );
}
