/**
 * Seeded mutants of calibration archives: a tar, tar.gz or zip of a few samples (`.npy`,
 * `.bin`, `.npz`, `.bmp`) for a one-input model, then edits of the samples (npy headers,
 * sizes, image headers), of the container (links, escaping paths, lying sizes, flipped and
 * cut bytes, unknown compression, bombs) and of `calibration_size`.
 *
 * @module
 */
import { gzipSync, zipSync } from "fflate";
import type { DataFormat } from "../config/build_config.ts";
import type { ArchiveCase } from "./targets.ts";
import type { Rng } from "./rng.ts";
import {
  gzipTarBomb,
  npyFloat32,
  npyWithHeader,
  pngRgb,
  tarArchive,
  type TarEntry,
  zipOverlapBomb,
  zlibZeros,
} from "./archive_build.ts";
import { concatBytes } from "../util/bytes.ts";

/** One mutated archive case and what was done to it. */
export interface ArchiveMutant extends ArchiveCase {
  note: string;
}

const SHAPE = [1, 3, 8, 8];
const ELEMENTS = 3 * 8 * 8;

const NPY_SHAPES = [
  "(1, -3, 8, 8)",
  "(1, 3, 8, 8)",
  "(99999999999, 99999999999)",
  "(1, 3, 8)",
  "()",
  "(1e3,)",
  "(-1,)",
  "(2147483648, 2)",
  "(1, 3, 8, 8, 1)",
  "(x)",
];

const NPY_DESCRS = ["<f4", "<f8", ">f4", "|u1", "|O", "<c8", "weird", "<i8", "|b1"];

let bomb: Uint8Array | undefined;

/** 8 MiB of zeros as zlib, made once per worker. */
function zlibBomb(): Uint8Array {
  bomb ??= zlibZeros(8);
  return bomb;
}

/** A 24-bit BMP of `w` × `h` (negative height = top-down) with `dataBytes` of pixels. */
function bmp(w: number, h: number, dataBytes?: number): Uint8Array {
  const row = Math.ceil((Math.abs(w) * 3) / 4) * 4;
  const pixels = dataBytes ?? Math.max(0, row * Math.abs(h));
  const out = new Uint8Array(54 + Math.min(pixels, 1 << 20));
  const v = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  v.setUint32(2, out.length, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, w, true);
  v.setInt32(22, h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  return out;
}

function sample(format: DataFormat, rng: Rng): { ext: string; data: Uint8Array; note?: string } {
  const hostile = rng.chance(0.3);
  switch (format) {
    case "Numpy": {
      if (!hostile) return { ext: ".npy", data: npyFloat32(SHAPE) };
      const shape = rng.pick(NPY_SHAPES);
      const descr = rng.pick(NPY_DESCRS);
      const fortran = rng.chance(0.2) ? "True" : "False";
      return {
        ext: ".npy",
        data: npyWithHeader(
          `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`,
          new Uint8Array(rng.pick([0, ELEMENTS * 4, ELEMENTS * 8, 7])),
        ),
        note: `npy ${descr} ${shape}`,
      };
    }
    case "Binary":
      return {
        ext: ".bin",
        data: new Uint8Array(
          hostile ? rng.pick([0, 1, ELEMENTS * 4 - 1, ELEMENTS * 8]) : ELEMENTS * 4,
        ),
      };
    case "NumpyObject": {
      const inner = hostile
        ? npyWithHeader(
          `{'descr': '<f4', 'fortran_order': False, 'shape': ${rng.pick(NPY_SHAPES)}, }`,
          new Uint8Array(16),
        )
        : npyFloat32(SHAPE);
      const name = hostile && rng.chance(0.3) ? "other.npy" : "input.npy";
      return {
        ext: ".npz",
        data: zipSync({ [name]: inner }),
        note: hostile ? "npz edited" : undefined,
      };
    }
    default: {
      const kind = rng.pick(["bmp", "png", "jpeg"]);
      if (kind === "png") {
        if (!hostile) return { ext: ".png", data: pngRgb(8, 8) };
        const w = rng.pick([0, 1, 8, 4000, 2 ** 31 - 1, 2 ** 32 - 1]);
        const h = rng.pick([0, 1, 8, 4000, 2 ** 31 - 1]);
        const rows = rng.chance(0.5) ? zlibBomb() : new Uint8Array([0x78, 0x9c, 1, 2, 3]);
        return { ext: ".png", data: pngRgb(w, h, rows), note: `png ${w}x${h}` };
      }
      if (kind === "jpeg") {
        const junk = new Uint8Array(rng.int(3, 600));
        for (let i = 0; i < junk.length; i++) junk[i] = rng.int(0, 255);
        junk.set([0xff, 0xd8, 0xff]);
        return { ext: ".jpg", data: junk, note: "jpeg junk" };
      }
      if (!hostile) return { ext: ".bmp", data: bmp(8, 8) };
      const w = Number(rng.pick([0, -8, 2 ** 31 - 1, 65536, 8]));
      const h = Number(rng.pick([0, -8, -(2 ** 31), 65536, 8]));
      return { ext: ".bmp", data: bmp(w, h, rng.pick([0, 10, undefined])), note: `bmp ${w}x${h}` };
    }
  }
}

/** A container-level edit of the member list. */
function editMembers(entries: TarEntry[], rng: Rng): string {
  switch (rng.int(0, 6)) {
    case 0:
      entries.push({
        name: `s${entries.length}.npy`,
        type: rng.pick(["1", "2"]),
        linkname: rng.pick(["s0.npy", "/etc/passwd", "../x"]),
      });
      return "link member";
    case 1:
      entries.push({
        name: rng.pick(["../evil.npy", "/abs.npy", "a/../../x.npy", "C:\\x.npy"]),
        data: new Uint8Array(4),
      });
      return "escaping path";
    case 2:
      if (entries[0]) entries.push({ ...entries[0] });
      return "duplicate name";
    case 3:
      entries.push({ name: "dir/", type: "5" });
      return "directory member";
    case 4:
      entries.push({ name: "x".repeat(rng.pick([99, 100, 300])), data: new Uint8Array(1) });
      return "long name";
    case 5:
      if (entries[0]) {
        entries[0] = { ...entries[0], size: rng.pick([0, 1, 2 ** 33, 2 ** 40, 8 ** 11 - 1]) };
      }
      return "lying size";
    default:
      entries.push({ name: ".DS_Store", data: new Uint8Array(3) }, {
        name: "__MACOSX/._s0.npy",
        data: new Uint8Array(3),
      });
      return "junk members";
  }
}

function flipBytes(bytes: Uint8Array, rng: Rng): Uint8Array {
  const b = new Uint8Array(bytes);
  const n = rng.int(1, 8);
  for (let k = 0; k < n; k++) b[rng.int(0, b.length - 1)] ^= 1 << rng.int(0, 7);
  return b;
}

/** Zip bytes with the compression method or flags of every entry changed. */
function zipFieldEdit(zip: Uint8Array, rng: Rng): Uint8Array {
  const b = new Uint8Array(zip);
  const v = new DataView(b.buffer);
  const method = rng.pick([12, 14, 99, 9]);
  const encrypted = rng.chance(0.5);
  for (let i = 0; i + 4 <= b.length; i++) {
    const sig = v.getUint32(i, true);
    if (sig === 0x02014b50 && i + 12 <= b.length) {
      if (encrypted) v.setUint16(i + 8, v.getUint16(i + 8, true) | 1, true);
      else v.setUint16(i + 10, method, true);
    }
  }
  return b;
}

/**
 * Make a calibration archive mutant.
 *
 * @param rng the case's random stream
 */
export function mutateArchive(rng: Rng): ArchiveMutant {
  const format = rng.pick<DataFormat>(["Numpy", "Binary", "NumpyObject", "Image"]);
  const count = rng.int(1, 5);
  const notes: string[] = [`${format}`];
  const entries: TarEntry[] = [];
  for (let i = 0; i < count; i++) {
    const s = sample(format, rng);
    if (s.note) notes.push(s.note);
    entries.push({ name: `s${i}${s.ext}`, data: s.data });
  }
  const size = rng.chance(0.2) ? rng.pick([-1, 0, 1000, 2 ** 31]) : rng.int(1, 4);
  const base = { format, size, dtype: "f32" as const, shape: SHAPE };
  const r = rng.float();
  if (r < 0.03) {
    return {
      ...base,
      name: "bomb.tar.gz",
      bytes: gzipTarBomb(rng.pick([80, 300])),
      note: "gzip bomb",
    };
  }
  if (r < 0.06) {
    return {
      ...base,
      name: "bomb.zip",
      bytes: zipOverlapBomb(rng.pick([80, 300])),
      note: "zip bomb",
    };
  }
  if (rng.chance(0.4)) notes.push(editMembers(entries, rng));
  const container = rng.pick(["tar", "tar.gz", "zip"]);
  let bytes: Uint8Array;
  if (container === "zip") {
    const files: Record<string, Uint8Array> = {};
    for (const e of entries) files[e.name] = e.data ?? new Uint8Array(0);
    bytes = zipSync(files);
    if (rng.chance(0.15)) {
      bytes = zipFieldEdit(bytes, rng);
      notes.push("zip method/flags");
    }
  } else {
    bytes = tarArchive(entries);
    if (container === "tar.gz") {
      bytes = rng.chance(0.1)
        ? concatBytes([gzipSync(bytes), new Uint8Array(rng.int(1, 64))])
        : gzipSync(bytes);
    }
  }
  if (rng.chance(0.2)) {
    bytes = flipBytes(bytes, rng);
    notes.push("flipped bytes");
  } else if (rng.chance(0.1)) {
    bytes = bytes.subarray(0, rng.int(0, bytes.length));
    notes.push("truncated");
  }
  notes.push(`${container}, calibration_size ${size}`);
  return { ...base, name: `calib.${container}`, bytes, note: notes.join("; ") };
}
