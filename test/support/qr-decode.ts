/** Reads a QR code from a PNG (a server-drawn code or a browser screenshot) with jsQR. */
import jsQRModule from "jsqr"
import { PNG } from "pngjs"

// jsqr is CommonJS with an `export default` declaration: at run time the import is the function.
const jsQR = ((jsQRModule as { default?: unknown }).default ?? jsQRModule) as unknown as typeof jsQRModule.default

export function decodeQrPng(bytes: Uint8Array): string | undefined {
  const png = PNG.sync.read(Buffer.from(bytes))
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data
}
