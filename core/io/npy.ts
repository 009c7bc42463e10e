/**
 * NumPy `.npy` files (format versions 1–3): read any numeric dtype into a
 * {@linkcode Tensor}, write a tensor back. Big-endian data is byte-swapped on read;
 * Fortran-ordered arrays are refused with a message saying how to fix them.
 *
 * @module
 */
import { Tensor } from "../ir/tensor.ts";
import { allocate, checkTensorSize, type DType, DTYPES } from "../ir/dtype.ts";
import { InputDataError } from "../errors/mod.ts";
import { fsFailure } from "../errors/fs.ts";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR_TO_DTYPE: Record<string, DType> = {
  f4: "f32",
  f8: "f64",
  f2: "f16",
  i1: "s8",
  u1: "u8",
  i2: "s16",
  u2: "u16",
  i4: "s32",
  u4: "u32",
  i8: "s64",
  u8: "u64",
  b1: "bool",
};

const DTYPE_TO_DESCR: Partial<Record<DType, string>> = Object.fromEntries(
  Object.entries(DESCR_TO_DTYPE).map(([k, v]) => [v, k]),
);

/** The header of an .npy file. */
export interface NpyHeader {
  dtype: DType;
  shape: number[];
  bigEndian: boolean;
  fortranOrder: boolean;
  /** Byte offset of the data. */
  dataOffset: number;
}

/** Parse the header; `what` names the file in errors. */
export function parseNpyHeader(bytes: Uint8Array, what: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new InputDataError(`${what} is not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) {
    throw new InputDataError(`${what}: .npy header is truncated`);
  }
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputDataError(`${what}: cannot parse .npy header ${JSON.stringify(header.trim())}`);
  }
  const code = descr.slice(1);
  const dtype = DESCR_TO_DTYPE[code];
  if (!dtype) {
    throw new InputDataError(
      `${what}: .npy dtype "${descr}" is not supported (expected a numeric or bool dtype; pickled objects need NumpyObject handling)`,
    );
  }
  const dims = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = dims.map((d) => (/^\d+L?$/.test(d) ? Number(d.replace(/L$/, "")) : NaN));
  if (shape.some((d) => !Number.isSafeInteger(d))) {
    throw new InputDataError(
      `${what}: .npy header has shape (${shapeText.trim()}), expected non-negative integers`,
    );
  }
  return {
    dtype,
    shape,
    bigEndian: descr[0] === ">",
    fortranOrder: fortran === "True",
    dataOffset: start + headerLen,
  };
}

/** Decode a whole .npy file. */
export function decodeNpy(bytes: Uint8Array, what = "array"): Tensor {
  const h = parseNpyHeader(bytes, what);
  if (h.fortranOrder && h.shape.length > 1) {
    throw new InputDataError(
      `${what}: Fortran-ordered arrays are not supported; save with np.ascontiguousarray(a)`,
    );
  }
  const n = h.shape.reduce((a, b) => a * b, 1);
  checkTensorSize(h.dtype, n, `${what} [${h.shape.join(", ")}]`);
  const width = DTYPES[h.dtype].bytes;
  const need = n * width;
  const body = bytes.subarray(h.dataOffset);
  if (body.length < need) {
    throw new InputDataError(
      `${what}: .npy data holds ${body.length} bytes, its header needs ${need} (${
        DTYPES[h.dtype].label
      } [${h.shape.join(", ")}])`,
    );
  }
  const copy = body.slice(0, need);
  if (h.bigEndian && width > 1) {
    for (let i = 0; i < need; i += width) copy.subarray(i, i + width).reverse();
  }
  const data = allocate(h.dtype, n);
  if (Array.isArray(data)) throw new InputDataError(`${what}: string arrays are not supported`);
  new Uint8Array(data.buffer, data.byteOffset, data.byteLength).set(copy);
  return new Tensor(h.dtype, h.shape, data);
}

/** Read an .npy file from disk. */
export async function readNpy(path: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new InputDataError(`Cannot read "${path}": it ${fsFailure(e, path)}`);
  }
  return decodeNpy(bytes, `"${path}"`);
}

/** Encode a tensor as .npy (format 1.0, little-endian, C order). */
export function encodeNpy(t: Tensor): Uint8Array {
  const code = DTYPE_TO_DESCR[t.dtype];
  if (!code || t.is("string")) {
    throw new InputDataError(`Cannot write ${DTYPES[t.dtype].label} tensors as .npy`);
  }
  const endian = DTYPES[t.dtype].bytes === 1 ? "|" : "<";
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let header = `{'descr': '${endian}${code}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const head = new TextEncoder().encode(header);
  const data = t.data as Exclude<typeof t.data, string[]>;
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(10 + head.length + raw.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, head.length, true);
  out.set(head, 10);
  out.set(raw, 10 + head.length);
  return out;
}
