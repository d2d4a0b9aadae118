// Paper copies for a physical seal: the document once per receipt id its device authorization reserved, each copy's
// stamp page carrying the QR code of that receipt's verify link, its short id and "copy k of N", beside a faint ring
// where the smart seal is to stamp. No seal image: the red ink comes from the device.
import { PDFDocument, StandardFonts, rgb, type PDFPage } from "pdf-lib";
import { SEAL_SIZE, defaultCorner, drawQr, loadPdf, shortReceipt, stampPageIndex } from "./pdf-stamp";

export interface PaperCopy {
  receipt: string;
  verifyUrl: string;
}

export interface CopiesOptions {
  /** 1-based page of the document the stamp goes on; default its last page. */
  page?: number;
  /** Lower-left corner of the stamp in PDF points; default the bottom-right corner of the page. */
  x?: number;
  y?: number;
}

/** One PDF holding the document once per copy, in the order of `copies`. */
export async function paperCopies(input: Uint8Array, copies: readonly PaperCopy[], options: CopiesOptions = {}): Promise<Uint8Array> {
  const source = await loadPdf(input);
  const stampPage = stampPageIndex(source, options.page);
  const out = await PDFDocument.create();
  const font = await out.embedFont(StandardFonts.Helvetica);
  for (const [k, copy] of copies.entries()) {
    const pages = await out.copyPages(source, source.getPageIndices());
    for (const page of pages) out.addPage(page);
    const page = pages[stampPage];
    const corner = defaultCorner(page.getSize().width);
    const x = options.x ?? corner.x;
    const y = options.y ?? corner.y;
    drawStampHere(page, x + SEAL_SIZE / 2, y + SEAL_SIZE / 2);
    await drawQr(out, page, { x: x + SEAL_SIZE + 12, y, verifyUrl: copy.verifyUrl, caption: `sealproof ${shortReceipt(copy.receipt)}`, font });
    page.drawText(`copy ${k + 1} of ${copies.length}`, { x: x + SEAL_SIZE + 12, y: y - 18, size: 6.5, font, color: rgb(0.2, 0.2, 0.2) });
  }
  return out.save();
}

// A thin dashed grey ring the size of a seal: where to stamp, faint enough to vanish under the red ink.
function drawStampHere(page: PDFPage, cx: number, cy: number): void {
  page.drawCircle({ x: cx, y: cy, size: SEAL_SIZE / 2 - 2, borderColor: rgb(0.6, 0.6, 0.6), borderWidth: 0.6, borderDashArray: [3, 3], opacity: 0, borderOpacity: 0.7 });
}
