/**
 * `NumpyObject` calibration files: one file holds every input of one sample as a dict
 * `{input name: array}`. Two spellings are read:
 *
 * - `.npz` (`np.savez(path, **{name: array})`): a zip of `<name>.npy` members;
 * - a pickled dict in a `.npy` (`np.save(path, {name: array})`), read by axb's minimal
 *   pickle reader ({@linkcode readPickle}), which understands exactly that layout.
 *
 * @module
 */
import { readZip } from "./zip.ts";
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from "./limits.ts";
import { type DType, DTYPES } from "../ir/dtype.ts";
import type { Tensor } from "../ir/tensor.ts";
import { decodeNpy } from "../io/npy.ts";
import { decodeRaw } from "../io/raw.ts";
import { InputDataError } from "../errors/mod.ts";
import { type PickleArray, type PickleValue, readPickle } from "./pickle.ts";

const CODE_TO_DTYPE: Record<string, DType> = {
  f2: "f16",
  f4: "f32",
  f8: "f64",
  i1: "s8",
  i2: "s16",
  i4: "s32",
  i8: "s64",
  u1: "u8",
  u2: "u16",
  u4: "u32",
  u8: "u64",
  b1: "bool",
};

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

function isArray(v: PickleValue | undefined): v is PickleArray {
  return typeof v === "object" && v !== null && "kind" in v && v.kind === "ndarray";
}

/** A numeric ndarray from the pickle as a tensor. */
function arrayToTensor(a: PickleArray, what: string): Tensor {
  const code = a.dtype?.code ?? "?";
  const dtype = CODE_TO_DTYPE[code];
  if (!dtype || !a.bytes) {
    throw new InputDataError(`${what}: array dtype "${code}" is not a numeric dtype axb reads`);
  }
  if (a.fortran && a.shape.length > 1) {
    throw new InputDataError(
      `${what}: Fortran-ordered arrays are not supported; store np.ascontiguousarray(a)`,
    );
  }
  let bytes = a.bytes;
  const width = DTYPES[dtype].bytes;
  if (a.dtype?.order === ">" && width > 1) {
    bytes = bytes.slice();
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  return decodeRaw(bytes, dtype, a.shape, what);
}

function fromNpz(bytes: Uint8Array, what: string, limits: ArchiveLimits): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const { name, kind, data } of readZip(bytes, what, what, limits)) {
    if (kind !== "file" || !name.endsWith(".npy")) continue;
    const key = name.slice(0, -4);
    out.set(key, decodeNpy(data, `${what} member "${name}"`));
  }
  return out;
}

function fromPickledNpy(bytes: Uint8Array, what: string): Map<string, Tensor> {
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? "";
  if (!descr.includes("O")) {
    throw new InputDataError(
      `${what} holds a plain ${descr} array, not a dict of arrays; use calibration_format Numpy, or save {name: array} with np.savez (.npz)`,
    );
  }
  const root = readPickle(bytes.subarray(start + headerLen), what);
  const dict = isArray(root) ? root.items?.[0] : root;
  if (!(dict instanceof Map)) {
    throw new InputDataError(
      `${what} holds a pickled object that is not a dict of arrays; save {name: array} with np.savez (.npz)`,
    );
  }
  const out = new Map<string, Tensor>();
  for (const [key, value] of dict) {
    if (!isArray(value)) {
      throw new InputDataError(`${what}: dict entry "${key}" is not a numpy array`);
    }
    out.set(key, arrayToTensor(value, `${what} entry "${key}"`));
  }
  return out;
}

/**
 * Read a NumpyObject file (`.npz` or pickled-dict `.npy`) into `{key: tensor}`.
 *
 * @param what names the file in errors
 * @param limits caps on the `.npz` members once decompressed
 * @throws {InputDataError} when the file is neither, or holds something other than arrays
 * @throws {LimitError} when an `.npz` member or the whole passes its cap
 */
export function decodeNumpyObject(
  bytes: Uint8Array,
  what: string,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Map<string, Tensor> {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b) {
    return fromNpz(bytes, what, limits);
  }
  if (bytes.length >= 10 && NPY_MAGIC.every((b, i) => bytes[i] === b)) {
    return fromPickledNpy(bytes, what);
  }
  throw new InputDataError(
    `${what} is neither an .npz nor a pickled-dict .npy; save {name: array} with np.savez (.npz)`,
  );
}
