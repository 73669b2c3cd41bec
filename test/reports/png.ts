import { inflateSync } from "node:zlib";

/**
 * A tiny PNG decoder for tests: 8-bit RGB/RGBA, non-interlaced (what resvg writes). Checks the
 * signature and every chunk's CRC-free structure, inflates IDAT and undoes the row filters.
 */
export type Png = { width: number; height: number; pixels: Uint8Array; channels: number };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePng(bytes: Uint8Array): Png {
  if (!SIGNATURE.every((b, i) => bytes[i] === b)) throw new Error("not a PNG (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      const depth = data[8]!;
      const colorType = data[9]!;
      if (depth !== 8 || data[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, interlace ${data[12]}`);
      channels = colorType === 6 ? 4 : colorType === 2 ? 3 : 0;
      if (!channels) throw new Error(`unsupported PNG colour type ${colorType}`);
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") {
      ended = true;
      break;
    }
    offset += 12 + length;
  }
  if (!ended || !width || !height) throw new Error("truncated PNG");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? row[x - channels]! : 0;
      const b = up[x]!;
      const c = x >= channels ? up[x - channels]! : 0;
      const v = src[x]!;
      switch (filter) {
        case 0: row[x] = v; break;
        case 1: row[x] = v + a; break;
        case 2: row[x] = v + b; break;
        case 3: row[x] = v + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          row[x] = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
    }
  }
  return { width, height, pixels, channels };
}

/** Pixels in a rectangle (PNG pixel coordinates) for which `match(r, g, b)` holds. */
export function countPixels(png: Png, rect: { x0: number; y0: number; x1: number; y1: number }, match: (r: number, g: number, b: number) => boolean): number {
  let n = 0;
  for (let y = Math.max(0, rect.y0); y < Math.min(png.height, rect.y1); y++) {
    for (let x = Math.max(0, rect.x0); x < Math.min(png.width, rect.x1); x++) {
      const i = (y * png.width + x) * png.channels;
      if (match(png.pixels[i]!, png.pixels[i + 1]!, png.pixels[i + 2]!)) n++;
    }
  }
  return n;
}

/** Within `tol` of a #rrggbb colour on every channel. */
export const near = (hex: string, tol = 40) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return (x: number, y: number, z: number) => Math.abs(x - r!) <= tol && Math.abs(y - g!) <= tol && Math.abs(z - b!) <= tol;
};
