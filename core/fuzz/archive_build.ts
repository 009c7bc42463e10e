/**
 * Writers of dataset archives for the fuzzer and the hostile-input tests, including what no
 * well-behaved tool writes: link members, declared sizes that lie, `.npy` headers with
 * negative dims, gzip streams of thousands of members and zips whose entries overlap.
 *
 * @module
 */
import { deflateSync, gzipSync, zlibSync } from "fflate";
import { concatBytes } from "../util/bytes.ts";

const BLOCK = 512;
const enc = new TextEncoder();

/** One tar member to write. */
export interface TarEntry {
  name: string;
  data?: Uint8Array;
  /** Type flag: "0" file (default), "1" hard link, "2" symbolic link, "5" directory. */
  type?: string;
  /** Link target of a link member. */
  linkname?: string;
  /** Size written in the header (default: the data length), e.g. a lie. */
  size?: number;
}

function putString(h: Uint8Array, at: number, len: number, s: string): void {
  h.set(enc.encode(s).subarray(0, len), at);
}

function putOctal(h: Uint8Array, at: number, len: number, v: number): void {
  putString(h, at, len, v.toString(8).padStart(len - 1, "0"));
}

/** One 512-byte ustar header with a valid checksum. */
export function tarHeader(e: TarEntry): Uint8Array {
  const h = new Uint8Array(BLOCK);
  putString(h, 0, 100, e.name);
  putOctal(h, 100, 8, 0o644);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, e.size ?? e.data?.length ?? 0);
  putOctal(h, 136, 12, 0);
  putString(h, 156, 1, e.type ?? "0");
  putString(h, 157, 100, e.linkname ?? "");
  putString(h, 257, 6, "ustar");
  putString(h, 263, 2, "00");
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  putString(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** A member's header, data and padding. */
export function tarMember(e: TarEntry): Uint8Array {
  const data = e.data ?? new Uint8Array(0);
  const out = new Uint8Array(BLOCK + Math.ceil(data.length / BLOCK) * BLOCK);
  out.set(tarHeader(e));
  out.set(data, BLOCK);
  return out;
}

/** A tar archive of `entries`, with the two zero blocks that end it. */
export function tarArchive(entries: readonly TarEntry[]): Uint8Array {
  const parts = entries.map(tarMember);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 2 * BLOCK);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An `.npy` file (format 1.0) with `header` as its dict text and `data` after it. */
export function npyWithHeader(header: string, data: Uint8Array): Uint8Array {
  let text = header;
  const total = 10 + text.length + 1;
  text += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = enc.encode(text);
  const out = new Uint8Array(10 + head.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(data, 10 + head.length);
  return out;
}

/** A float32 `.npy` of `shape` (written as given, negative dims included), zero data. */
export function npyFloat32(shape: readonly number[], dataBytes?: number): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return npyWithHeader(
    `{'descr': '<f4', 'fortran_order': False, 'shape': ${dims}, }`,
    new Uint8Array(dataBytes ?? Math.max(0, n * 4)),
  );
}

const MiB = 2 ** 20;

/**
 * A gzipped tar that inflates to `mib` MiB: `mib` members named `bomb.npy` of 1 MiB − 512
 * bytes of zeros each, written as that many concatenated gzip members (gzip allows it, and
 * each compresses to about 1 KB), so the file is about a thousandth of its inflated size.
 */
export function gzipTarBomb(mib: number): Uint8Array {
  const member = gzipSync(
    tarMember({ name: "bomb.npy", data: new Uint8Array(MiB - BLOCK) }),
    { level: 9 },
  );
  return concatBytes(new Array(mib).fill(member));
}

/**
 * A gzipped tar whose single member declares `size` bytes: the header says 4 GiB where the
 * stream holds a few kilobytes.
 */
export function gzipTarLie(size: number): Uint8Array {
  return gzipSync(tarMember({ name: "big.npy", data: new Uint8Array(4096), size }));
}

/**
 * A zip of `entries` entries that all point at one deflated MiB of zeros (overlapping
 * entries, the classic zip bomb layout): `entries` MiB once inflated, about 1 KB each.
 */
export function zipOverlapBomb(entries: number): Uint8Array {
  const body = deflateSync(new Uint8Array(MiB), { level: 9 });
  const name = enc.encode("0.npy");
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(18, body.length, true);
  lv.setUint32(22, MiB, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const central: Uint8Array[] = [];
  for (let i = 0; i < entries; i++) {
    const n = enc.encode(`${i}.npy`);
    const c = new Uint8Array(46 + n.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, 8, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, MiB, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, 0, true);
    c.set(n, 46);
    central.push(c);
  }
  const dir = concatBytes(central);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, Math.min(entries, 0xffff), true);
  ev.setUint16(10, Math.min(entries, 0xffff), true);
  ev.setUint32(12, dir.length, true);
  ev.setUint32(16, local.length + body.length, true);
  return concatBytes([local, body, dir, eocd]);
}

function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, body.length);
  out.set(enc.encode(type), 4);
  out.set(body, 8);
  return out; // CRC left zero: axb's decoder does not check it
}

/**
 * An 8-bit RGB PNG whose header says `width` × `height` and whose image data is `rows`
 * (default: the zlib stream of exactly the rows the header declares, all zero).
 */
export function pngRgb(width: number, height: number, rows?: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const data = rows ?? zlibSync(new Uint8Array((width * 3 + 1) * height));
  return concatBytes([
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", data),
    pngChunk("IEND", new Uint8Array(0)),
  ]);
}

/** A zlib stream of `mib` MiB of zeros (an image data bomb for a small PNG header). */
export function zlibZeros(mib: number): Uint8Array {
  return zlibSync(new Uint8Array(mib * MiB), { level: 9 });
}
