// Reads a QR code back out of a PNG, as a phone camera would: pngjs decodes the image, jsQR finds the code.
import jsQR from "jsqr";
import { PNG } from "pngjs";

export function decodeQrPng(png: Uint8Array): string {
  const image = PNG.sync.read(Buffer.from(png));
  const code = jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height);
  if (code === null) throw new Error(`no QR code found in the ${image.width}x${image.height} image`);
  return code.data;
}
