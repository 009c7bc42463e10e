/**
 * PNG decoder to 8-bit RGB: colour types gray, gray+alpha, RGB, RGBA and palette; bit
 * depths 1/2/4/8 (gray, palette) and 8/16 (all); the five scanline filters. Interlaced
 * (Adam7) files are refused. Alpha is dropped without blending and 16-bit samples keep
 * their high byte, as OpenCV's `imread(IMREAD_COLOR)` does. Chunk CRCs are not verified;
 * corrupt image data still fails in zlib or in the size checks.
 *
 * @module
 */
import { checkTensorSize } from "../ir/dtype.ts";
import { inflateCapped } from "./inflate.ts";
import { InputDataError } from "../errors/mod.ts";
import type { RgbImage } from "./image_types.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Samples per pixel of each colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

interface Header {
  width: number;
  height: number;
  depth: number;
  colorType: number;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undo the per-row filters in place; returns the raw rows (without filter bytes). */
function unfilter(data: Uint8Array, h: Header, what: string): Uint8Array {
  const bitsPerPixel = CHANNELS[h.colorType] * h.depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const stride = Math.ceil((h.width * bitsPerPixel) / 8);
  if (data.length < (stride + 1) * h.height) {
    throw new InputDataError(
      `${what}: PNG image data holds ${data.length} bytes, ${h.width}x${h.height} needs ${
        (stride + 1) * h.height
      }`,
    );
  }
  const out = new Uint8Array(stride * h.height);
  for (let y = 0; y < h.height; y++) {
    const filter = data[y * (stride + 1)];
    const src = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? row[i - bpp] : 0;
      const b = up[i];
      const c = i >= bpp ? up[i - bpp] : 0;
      let pred: number;
      switch (filter) {
        case 0:
          pred = 0;
          break;
        case 1:
          pred = a;
          break;
        case 2:
          pred = b;
          break;
        case 3:
          pred = (a + b) >> 1;
          break;
        case 4:
          pred = paeth(a, b, c);
          break;
        default:
          throw new InputDataError(`${what}: PNG row ${y} has unknown filter type ${filter}`);
      }
      row[i] = (src[i] + pred) & 0xff;
    }
  }
  return out;
}

/** Sample `i` of a row as an 8-bit value. */
function sample8(row: Uint8Array, i: number, depth: number, scaleLow: boolean): number {
  if (depth === 8) return row[i];
  if (depth === 16) return row[2 * i];
  const perByte = 8 / depth;
  const byte = row[Math.floor(i / perByte)];
  const shift = 8 - depth * ((i % perByte) + 1);
  const v = (byte >> shift) & ((1 << depth) - 1);
  return scaleLow ? Math.round((v * 255) / ((1 << depth) - 1)) : v;
}

function readHeader(chunk: Uint8Array, what: string): Header {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const h = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    depth: chunk[8],
    colorType: chunk[9],
  };
  if (!(h.colorType in CHANNELS) || !DEPTHS[h.colorType].includes(h.depth)) {
    throw new InputDataError(
      `${what}: PNG colour type ${h.colorType} with bit depth ${h.depth} is not valid`,
    );
  }
  if (chunk[12] !== 0) {
    throw new InputDataError(
      `${what}: interlaced (Adam7) PNG is not supported; re-save the image without interlacing`,
    );
  }
  if (h.width === 0 || h.height === 0) throw new InputDataError(`${what}: PNG has no pixels`);
  return h;
}

/**
 * Decode a PNG file to 8-bit RGB.
 *
 * @param what names the file in errors
 * @throws {InputDataError} on a malformed, interlaced or truncated file
 */
export function decodePng(bytes: Uint8Array, what: string): RgbImage {
  if (!isPng(bytes)) throw new InputDataError(`${what} is not a PNG file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let pos = 8;
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (body.length !== len) throw new InputDataError(`${what}: PNG chunk ${type} is truncated`);
    if (type === "IHDR") header = readHeader(body, what);
    else if (type === "PLTE") palette = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    pos += 12 + len;
  }
  if (!header) throw new InputDataError(`${what}: PNG has no IHDR chunk`);
  if (idat.length === 0) throw new InputDataError(`${what}: PNG has no IDAT chunk`);
  if (header.colorType === 3 && !palette) {
    throw new InputDataError(`${what}: palette PNG has no PLTE chunk`);
  }
  const joined = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of idat) {
    joined.set(c, off);
    off += c.length;
  }
  const h = header;
  // The header fixes the image data's size: refuse an image over the tensor size limit, and
  // inflate no further than the rows it declares (an IDAT bomb stops there).
  checkTensorSize("u8", h.width * h.height * 3, `${what} (${h.width}x${h.height} RGB)`);
  const rows = (Math.ceil((h.width * CHANNELS[h.colorType] * h.depth) / 8) + 1) * h.height;
  const inflated = inflateCapped(joined, {
    format: "zlib",
    cap: rows,
    over: () =>
      new InputDataError(
        `${what}: PNG image data inflates past the ${rows} bytes its ${h.width}x${h.height} header declares`,
      ),
    what: `${what} (PNG image data)`,
  }, rows);
  const pal = palette ?? new Uint8Array(0);
  const raw = unfilter(inflated, h, what);
  const channels = CHANNELS[h.colorType];
  const stride = Math.ceil((h.width * channels * h.depth) / 8);
  const out = new Uint8Array(h.width * h.height * 3);
  for (let y = 0; y < h.height; y++) {
    const row = raw.subarray(y * stride, (y + 1) * stride);
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * 3;
      if (h.colorType === 3) {
        const idx = sample8(row, x, h.depth, false);
        if (3 * idx + 2 >= pal.length) {
          throw new InputDataError(`${what}: PNG palette index ${idx} is out of range`);
        }
        out[o] = pal[3 * idx];
        out[o + 1] = pal[3 * idx + 1];
        out[o + 2] = pal[3 * idx + 2];
      } else if (channels <= 2) {
        const g = sample8(row, x * channels, h.depth, true);
        out[o] = out[o + 1] = out[o + 2] = g;
      } else {
        for (let c = 0; c < 3; c++) out[o + c] = sample8(row, x * channels + c, h.depth, true);
      }
    }
  }
  return { width: h.width, height: h.height, data: out };
}
