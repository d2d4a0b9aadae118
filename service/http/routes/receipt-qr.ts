// QR codes for a receipt: the link PUBLIC_BASE_URL/v/:receiptId that is printed on the sealed document and
// opens the verify page. Public and rate-limited like the receipt itself; an unknown id is a 404.
import type { Request } from "express";
import QRCode from "qrcode";
import { z } from "zod";
import { ids } from "../schemas";
import { svgImage, pngImage } from "../responses";
import { requireReceipt } from "../../domain/receipts";
import type { Api } from "../api";
import type { DomainContext } from "../../domain/context";
import { verifyPageUrl } from "../../evidence";

const receiptParams = z.strictObject({ receiptId: ids.receipt });

// Level M survives a smudge or a fold (15% of the code) and keeps the code small enough to print beside a seal;
// the 4-module quiet zone is what ISO/IEC 18004 asks for, so that cameras find the code on a busy page.
const QR_OPTIONS = { errorCorrectionLevel: "M", margin: 4 } as const;
const PNG_SCALE = 8;

/** `publicBaseUrl` undefined: links point at the address the request came in on, i.e. the service's own HOST:PORT. */
export function receiptQrRoutes(api: Api, ctx: DomainContext, publicBaseUrl: string | undefined): void {
  const linkFor = async (req: Request, receiptId: string): Promise<string> => {
    await requireReceipt(ctx, receiptId);
    return verifyPageUrl(publicBaseUrl ?? ownBaseUrl(req), receiptId);
  };
  api.addMedia(
    {
      method: "get", path: "/receipts/:receiptId/qr.svg", tag: "receipts", auth: "public", params: receiptParams, status: 200, rateLimited: true, produces: "image/svg+xml",
      summary: "QR code (SVG) of the receipt's verify page link, PUBLIC_BASE_URL/v/{receiptId}",
      response: svgImage,
    },
    async ({ params, req }) => QRCode.toString(await linkFor(req, params.receiptId), { ...QR_OPTIONS, type: "svg" }),
  );
  api.addMedia(
    {
      method: "get", path: "/receipts/:receiptId/qr.png", tag: "receipts", auth: "public", params: receiptParams, status: 200, rateLimited: true, produces: "image/png",
      summary: "QR code (PNG) of the receipt's verify page link, PUBLIC_BASE_URL/v/{receiptId}",
      response: pngImage,
    },
    async ({ params, req }) => QRCode.toBuffer(await linkFor(req, params.receiptId), { ...QR_OPTIONS, type: "png", scale: PNG_SCALE }),
  );
}

/** http://address:port of the socket the request arrived on (IPv4-mapped IPv6 written as IPv4). */
export function ownBaseUrl(req: Request): string {
  const address = (req.socket.localAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
  return `http://${address.includes(":") ? `[${address}]` : address}:${req.socket.localPort}`;
}
