// Stamps a PDF page with the seal image (or a drawn red seal when none is given), the QR code of the
// receipt's verify link and a short form of the receipt id, using pdf-lib.
import { PDFDocument, StandardFonts, rgb, type PDFImage, type PDFPage } from "pdf-lib";
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

const SEAL_SIZE = 120;
const QR_SIZE = 72;
const MARGIN = 36;
const SEAL_RED = rgb(0.8, 0.1, 0.1);

export class StampError extends Error {}

export async function stampPdf(input: Uint8Array, options: StampOptions): Promise<Uint8Array> {
  let pdf: PDFDocument;
  try {
    pdf = await PDFDocument.load(input);
  } catch (err) {
    throw new StampError(`not a PDF that can be stamped: ${err instanceof Error ? err.message : String(err)}`);
  }
  const pages = pdf.getPages();
  const number = options.page ?? pages.length;
  if (!Number.isInteger(number) || number < 1 || number > pages.length) throw new StampError(`--page must be 1..${pages.length}`);
  const page = pages[number - 1];
  const { width } = page.getSize();
  const x = options.x ?? width - MARGIN - SEAL_SIZE - QR_SIZE - 12;
  const y = options.y ?? MARGIN + 14;
  if (options.image) page.drawImage(await embedImage(pdf, options.image), { x, y, width: SEAL_SIZE, height: SEAL_SIZE, opacity: 0.85 });
  else drawSeal(page, x + SEAL_SIZE / 2, y + SEAL_SIZE / 2);
  const qr = await pdf.embedPng(await QRCode.toBuffer(options.verifyUrl, { type: "png", errorCorrectionLevel: "M", margin: 2, scale: 6 }));
  const qrX = x + SEAL_SIZE + 12;
  page.drawImage(qr, { x: qrX, y, width: QR_SIZE, height: QR_SIZE });
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  page.drawText(`sealproof ${shortReceipt(options.receipt)}`, { x: qrX, y: y - 10, size: 6.5, font, color: rgb(0.2, 0.2, 0.2) });
  return pdf.save();
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
