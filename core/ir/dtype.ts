/**
 * Element types of tensors, with their storage arrays and ONNX codes.
 *
 * Half precision (`f16`, `bf16`) is stored as raw 16-bit patterns in a Uint16Array;
 * use {@linkcode halfToFloat32}/{@linkcode float32ToHalf} to compute with it.
 * 64-bit integers are stored in BigInt64Array/BigUint64Array so no value is lost.
 *
 * Every allocation goes through a size check: {@linkcode allocate} refuses a tensor over
 * {@linkcode maxTensorBytes} (default {@linkcode DEFAULT_MAX_TENSOR_BYTES}) with a
 * {@linkcode LimitError} before asking the engine for memory, so an absurd shape in a model or
 * a data file gives a named error instead of an engine crash.
 *
 * @module
 */
import { KernelError, LimitError } from "../errors/mod.ts";

/** Every element type a tensor can have. */
export type DType =
  | "f32"
  | "f64"
  | "f16"
  | "bf16"
  | "s8"
  | "s16"
  | "s32"
  | "s64"
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "bool"
  | "string";

/** The JavaScript array that stores each element type. */
export interface DTypeArrayMap {
  /** 32-bit IEEE float. */
  f32: Float32Array;
  /** 64-bit IEEE float. */
  f64: Float64Array;
  /** IEEE half precision, stored as raw 16-bit patterns. */
  f16: Uint16Array;
  /** bfloat16, stored as raw 16-bit patterns. */
  bf16: Uint16Array;
  /** Signed 8-bit integer. */
  s8: Int8Array;
  /** Signed 16-bit integer. */
  s16: Int16Array;
  /** Signed 32-bit integer. */
  s32: Int32Array;
  /** Signed 64-bit integer, stored as bigints. */
  s64: BigInt64Array;
  /** Unsigned 8-bit integer. */
  u8: Uint8Array;
  /** Unsigned 16-bit integer. */
  u16: Uint16Array;
  /** Unsigned 32-bit integer. */
  u32: Uint32Array;
  /** Unsigned 64-bit integer, stored as bigints. */
  u64: BigUint64Array;
  /** Boolean, one byte per element (0 or 1). */
  bool: Uint8Array;
  /** Text, one JS string per element. */
  string: string[];
}

/** Any tensor storage. */
export type TensorData = DTypeArrayMap[DType];
/** Storage whose elements are JS numbers. */
export type NumberArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;
/** Storage whose elements are bigints. */
export type BigIntArray = BigInt64Array | BigUint64Array;

/** Facts about one element type. */
export interface DTypeInfo {
  /** ONNX TensorProto.DataType code. */
  readonly onnx: number;
  /** Bytes per element (0 for string). */
  readonly bytes: number;
  /** ONNX spelling, as shown to users (`float32`, `int64`, …). */
  readonly label: string;
  /** True for the floating-point types (f16, bf16, f32, f64). */
  readonly isFloat: boolean;
  /** True for the signed and unsigned integer types (not bool). */
  readonly isInteger: boolean;
  /** True for types that hold negative values (signed integers and floats). */
  readonly isSigned: boolean;
}

/** Facts (ONNX code, element size, label, numeric class) for every {@linkcode DType}. */
export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  f32: { onnx: 1, bytes: 4, label: "float32", isFloat: true, isInteger: false, isSigned: true },
  u8: { onnx: 2, bytes: 1, label: "uint8", isFloat: false, isInteger: true, isSigned: false },
  s8: { onnx: 3, bytes: 1, label: "int8", isFloat: false, isInteger: true, isSigned: true },
  u16: { onnx: 4, bytes: 2, label: "uint16", isFloat: false, isInteger: true, isSigned: false },
  s16: { onnx: 5, bytes: 2, label: "int16", isFloat: false, isInteger: true, isSigned: true },
  s32: { onnx: 6, bytes: 4, label: "int32", isFloat: false, isInteger: true, isSigned: true },
  s64: { onnx: 7, bytes: 8, label: "int64", isFloat: false, isInteger: true, isSigned: true },
  string: {
    onnx: 8,
    bytes: 0,
    label: "string",
    isFloat: false,
    isInteger: false,
    isSigned: false,
  },
  bool: { onnx: 9, bytes: 1, label: "bool", isFloat: false, isInteger: false, isSigned: false },
  f16: { onnx: 10, bytes: 2, label: "float16", isFloat: true, isInteger: false, isSigned: true },
  f64: { onnx: 11, bytes: 8, label: "float64", isFloat: true, isInteger: false, isSigned: true },
  u32: { onnx: 12, bytes: 4, label: "uint32", isFloat: false, isInteger: true, isSigned: false },
  u64: { onnx: 13, bytes: 8, label: "uint64", isFloat: false, isInteger: true, isSigned: false },
  bf16: { onnx: 16, bytes: 2, label: "bfloat16", isFloat: true, isInteger: false, isSigned: true },
};

const BY_ONNX = new Map<number, DType>(
  (Object.keys(DTYPES) as DType[]).map((d) => [DTYPES[d].onnx, d]),
);

/** The DType for an ONNX TensorProto.DataType code, or undefined if axb has none. */
export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_ONNX.get(code);
}

/** True for types stored as bigint arrays. */
export function isBigIntDType(d: DType): d is "s64" | "u64" {
  return d === "s64" || d === "u64";
}

/** True for the 16-bit float types stored as bit patterns. */
export function isHalfDType(d: DType): d is "f16" | "bf16" {
  return d === "f16" || d === "bf16";
}

/**
 * Default largest tensor, in bytes (1 GiB): far above any activation of the edge models axb
 * compiles, far below the memory of the machines that compile them.
 */
export const DEFAULT_MAX_TENSOR_BYTES = 2 ** 30;

/** Bytes a string element is counted as by the size limit (a reference, the text apart). */
const STRING_ELEMENT_BYTES = 8;

let tensorByteLimit = DEFAULT_MAX_TENSOR_BYTES;

/** The current largest tensor, in bytes, that {@linkcode allocate} accepts. */
export function maxTensorBytes(): number {
  return tensorByteLimit;
}

/**
 * Set the largest tensor, in bytes, that {@linkcode allocate} (and the model validator) accept.
 *
 * @param bytes a positive number of bytes
 * @returns the previous limit, so a caller can restore it
 * @throws {RangeError} when `bytes` is not a positive number
 */
export function setMaxTensorBytes(bytes: number): number {
  if (!(bytes > 0)) throw new RangeError(`tensor byte limit must be positive, got ${bytes}`);
  const previous = tensorByteLimit;
  tensorByteLimit = bytes;
  return previous;
}

/** Bytes that `elements` elements of `dtype` take (strings counted per element). */
export function tensorBytesOf(dtype: DType, elements: number): number {
  return elements * (dtype === "string" ? STRING_ELEMENT_BYTES : DTYPES[dtype].bytes);
}

/**
 * Refuse a tensor of `elements` elements of `dtype` that is not a valid size or is over
 * {@linkcode maxTensorBytes}.
 *
 * @param what names the tensor in the message (`input "x" [1, 3, 224, 2147483648]`)
 * @throws {KernelError} when `elements` is negative or not an integer
 * @throws {LimitError} when the tensor is over the limit
 */
export function checkTensorSize(dtype: DType, elements: number, what = "a tensor"): void {
  if (!Number.isInteger(elements) || elements < 0) {
    throw new KernelError(
      `Cannot create ${what}: ${elements} elements is not a valid size (a non-negative integer)`,
    );
  }
  const bytes = tensorBytesOf(dtype, elements);
  if (bytes > tensorByteLimit) {
    throw new LimitError(
      `Cannot create ${what}: ${elements} ${DTYPES[dtype].label} elements take ${
        formatBytes(bytes)
      }, over axb's tensor size limit of ${formatBytes(tensorByteLimit)}`,
    );
  }
}

/** A byte count for messages: `1.5 GiB`, `12.0 MiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Allocate zero-filled storage of `length` elements.
 *
 * @throws {KernelError} when `length` is not a non-negative integer
 * @throws {LimitError} when the storage would be over {@linkcode maxTensorBytes}
 */
export function allocate<D extends DType>(dtype: D, length: number): DTypeArrayMap[D] {
  checkTensorSize(dtype, length);
  return allocateAny(dtype, length) as DTypeArrayMap[D];
}

function allocateAny(dtype: DType, n: number): TensorData {
  switch (dtype) {
    case "f32":
      return new Float32Array(n);
    case "f64":
      return new Float64Array(n);
    case "f16":
    case "bf16":
    case "u16":
      return new Uint16Array(n);
    case "s8":
      return new Int8Array(n);
    case "s16":
      return new Int16Array(n);
    case "s32":
      return new Int32Array(n);
    case "s64":
      return new BigInt64Array(n);
    case "u8":
    case "bool":
      return new Uint8Array(n);
    case "u32":
      return new Uint32Array(n);
    case "u64":
      return new BigUint64Array(n);
    case "string":
      return new Array<string>(n).fill("");
  }
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE half bits → number. */
export function halfToFloat32(h: number): number {
  const s = (h & 0x8000) ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** number → IEEE half bits, round to nearest even. */
export function float32ToHalf(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  e = half >> 10;
  return sign | half;
}

/** bfloat16 bits → number. */
export function bfloat16ToFloat32(h: number): number {
  u32Scratch[0] = h << 16;
  return f32Scratch[0];
}

/** number → bfloat16 bits, round to nearest even. */
export function float32ToBfloat16(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0];
  if (Number.isNaN(v)) return 0x7fc0;
  const lsb = (x >>> 16) & 1;
  return ((x + 0x7fff + lsb) >>> 16) & 0xffff;
}
