// Stamps a PDF page with the seal image (or a drawn red seal when none is given), the QR code of the
// receipt's verify link and a short form of the receipt id, using pdf-lib.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage } from "pdf-lib";
import QRCode from "qrcode";

export interface StampOptions {
  /** 1-based page number; default the last page, where seals usually go. */
  page?: number;
  /** Lower-left corner of the stamp in PDF points; default the bottom-right corner of the page. */
  x?: number;
  y?: number;
  /** PNG or JPEG bytes of the seal image. */
  image?: Uint8Array;
  verifyUrl: string;
  receipt: string;
}

export const SEAL_SIZE = 120;
const QR_SIZE = 72;
const MARGIN = 36;
const SEAL_RED = rgb(0.8, 0.1, 0.1);

export class StampError extends Error {}

export async function stampPdf(input: Uint8Array, options: StampOptions): Promise<Uint8Array> {
  const pdf = await loadPdf(input);
  const page = pdf.getPages()[stampPageIndex(pdf, options.page)];
  const { width } = page.getSize();
  const corner = defaultCorner(width);
  const x = options.x ?? corner.x;
  const y = options.y ?? corner.y;
  if (options.image) page.drawImage(await embedImage(pdf, options.image), { x, y, width: SEAL_SIZE, height: SEAL_SIZE, opacity: 0.85 });
  else drawSeal(page, x + SEAL_SIZE / 2, y + SEAL_SIZE / 2);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  await drawQr(pdf, page, { x: x + SEAL_SIZE + 12, y, verifyUrl: options.verifyUrl, caption: `sealproof ${shortReceipt(options.receipt)}`, font });
  return pdf.save();
}

export async function loadPdf(input: Uint8Array): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(input);
  } catch (err) {
    throw new StampError(`not a PDF that can be stamped: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The 0-based index of the page to stamp: 1-based `page`, or the last page. */
export function stampPageIndex(pdf: PDFDocument, page: number | undefined): number {
  const count = pdf.getPageCount();
  const number = page ?? count;
  if (!Number.isInteger(number) || number < 1 || number > count) throw new StampError(`--page must be 1..${count}`);
  return number - 1;
}

/** Where the stamp goes unless told: the bottom-right corner, the QR code to the stamp's right. */
export function defaultCorner(pageWidth: number): { x: number; y: number } {
  return { x: pageWidth - MARGIN - SEAL_SIZE - QR_SIZE - 12, y: MARGIN + 14 };
}

/** The QR code of `verifyUrl` with its lower-left corner at (x, y), and `caption` under it. */
export async function drawQr(pdf: PDFDocument, page: PDFPage, at: { x: number; y: number; verifyUrl: string; caption: string; font: PDFFont }): Promise<void> {
  const qr = await pdf.embedPng(await QRCode.toBuffer(at.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 2, scale: 6 }));
  page.drawImage(qr, { x: at.x, y: at.y, width: QR_SIZE, height: QR_SIZE });
  page.drawText(at.caption, { x: at.x, y: at.y - 10, size: 6.5, font: at.font, color: rgb(0.2, 0.2, 0.2) });
}

/** First and last characters of the receipt id: enough for a person to match the paper to the page. */
export function shortReceipt(receipt: string): string {
  return `${receipt.slice(0, 6)}…${receipt.slice(-4)}`;
}

async function embedImage(pdf: PDFDocument, bytes: Uint8Array): Promise<PDFImage> {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) throw new StampError("--image must be a PNG or JPEG file");
  return isPng ? pdf.embedPng(bytes) : pdf.embedJpg(bytes);
}

// No image given: a red ring with a five-pointed star, the usual shape of a company seal.
function drawSeal(page: PDFPage, cx: number, cy: number): void {
  const r = SEAL_SIZE / 2 - 2;
  page.drawCircle({ x: cx, y: cy, size: r, borderColor: SEAL_RED, borderWidth: 4, opacity: 0, borderOpacity: 0.85 });
  const points = Array.from({ length: 10 }, (_, i) => {
    const radius = i % 2 === 0 ? r * 0.42 : r * 0.17;
    const angle = -Math.PI / 2 + (i * Math.PI) / 5;
    return `${(radius * Math.cos(angle)).toFixed(2)} ${(radius * Math.sin(angle)).toFixed(2)}`;
  });
  page.drawSvgPath(`M ${points.join(" L ")} Z`, { x: cx, y: cy, color: SEAL_RED, opacity: 0.85 });
}
