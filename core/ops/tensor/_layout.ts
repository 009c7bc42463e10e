/**
 * dtype-agnostic data movement for the tensor-manipulation kernels.
 *
 * Every element type is copied as raw bits: numeric storage is viewed as
 * Uint8/Uint16/Uint32 words (8-byte types as pairs of 32-bit words), strings stay
 * a plain array. Kernels therefore never decode values they only move, and f16
 * bit patterns, int64 and NaN payloads survive exactly.
 *
 * @module
 */
import { allocate, type DType, type DTypeArrayMap, type TensorData } from "../../ir/dtype.ts";
import { sizeOf, stridesOf, Tensor } from "../../ir/tensor.ts";
import { gatherWordsWasm } from "./_gather_wasm.ts";

/** Word storage the copy loops work on: same-typed source and destination. */
export type Words = Uint8Array | Uint16Array | Uint32Array | string[];

/** Raw word view of tensor storage and the number of words per element. */
export interface RawView {
  readonly words: Words;
  /** Words per element: 2 for 8-byte types, else 1. */
  readonly perElem: number;
}

/** View any storage as words without copying. */
export function rawView(data: TensorData): RawView {
  if (Array.isArray(data)) return { words: data, perElem: 1 };
  const buf = data.buffer;
  const off = data.byteOffset;
  switch (data.BYTES_PER_ELEMENT) {
    case 1:
      return { words: new Uint8Array(buf, off, data.length), perElem: 1 };
    case 2:
      return { words: new Uint16Array(buf, off, data.length), perElem: 1 };
    case 4:
      return { words: new Uint32Array(buf, off, data.length), perElem: 1 };
    default:
      return { words: new Uint32Array(buf, off, data.length * 2), perElem: 2 };
  }
}

/** Copy `n` words from `src[s..]` to `dst[d..]` (same word type). */
export function copyWords<T extends Words>(dst: T, d: number, src: T, s: number, n: number): void {
  if (n >= 32 && !Array.isArray(dst) && !Array.isArray(src)) {
    copyTyped(dst, d, src, s, n);
    return;
  }
  for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
}

function copyTyped(
  dst: Uint8Array | Uint16Array | Uint32Array,
  d: number,
  src: Uint8Array | Uint16Array | Uint32Array,
  s: number,
  n: number,
): void {
  dst.set(src.subarray(s, s + n), d);
}

/** Copy `n` elements between two storages of the same dtype. */
export function copyElems(
  dst: TensorData,
  d: number,
  src: TensorData,
  s: number,
  n: number,
): void {
  const dv = rawView(dst);
  const sv = rawView(src);
  const k = dv.perElem;
  copyWords(dv.words, d * k, sv.words, s * k, n * k);
}

/**
 * A strided view of a source storage: element at output multi-index `i` is
 * `src[offset + Σ i[d]·strides[d]]`. Strides may be zero (broadcast) or negative.
 */
export interface StridedView {
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** Dense runs at least this many words long are copied in JavaScript, never in wasm. */
const LONG_RUN_WORDS = 48;

/** Materialise a strided view of `src` into a new dense tensor of `dtype`. */
export function gatherStrided<D extends DType>(
  dtype: D,
  src: DTypeArrayMap[D],
  view: StridedView,
): Tensor<D> {
  const out = new Tensor(dtype, view.shape);
  const n = out.size;
  if (n === 0) return out;
  const sv = rawView(src);
  const dv = rawView(out.data);
  const k = sv.perElem;
  // Drop unit dims, then append the word dim for 8-byte elements.
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < view.shape.length; i++) {
    if (view.shape[i] === 1) continue;
    shape.push(view.shape[i]);
    strides.push(view.strides[i] * k);
  }
  if (k > 1) {
    shape.push(k);
    strides.push(1);
  }
  const merged = mergeDims(shape, strides);
  const dw = dv.words, sw = sv.words, off = view.offset * k;
  const r = merged.shape.length;
  // long dense runs (a Slice of the last axis) are block copies here, while the wasm
  // gather would first copy the whole source span in: measured 2-2.5× slower
  const longRuns = merged.strides[r - 1] === 1 && merged.shape[r - 1] >= LONG_RUN_WORDS;
  if (
    !longRuns && dw instanceof Uint32Array && sw instanceof Uint32Array &&
    gatherWordsWasm(dw, sw, off, merged.shape, merged.strides)
  ) {
    return out;
  }
  stridedLoop(dw, sw, off, merged.shape, merged.strides);
  return out;
}

/** Merge adjacent dims whose strides chain (dense runs), keeping the same traversal. */
function mergeDims(
  shape: readonly number[],
  strides: readonly number[],
): { shape: number[]; strides: number[] } {
  const outS: number[] = [];
  const outT: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const last = outS.length - 1;
    if (last >= 0 && outT[last] === strides[i] * shape[i]) {
      outS[last] *= shape[i];
      outT[last] = strides[i];
    } else {
      outS.push(shape[i]);
      outT.push(strides[i]);
    }
  }
  if (outS.length === 0) {
    outS.push(1);
    outT.push(1);
  }
  return { shape: outS, strides: outT };
}

function stridedLoop<T extends Words>(
  dst: T,
  src: T,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): void {
  const r = shape.length;
  const inner = shape[r - 1];
  const innerStride = strides[r - 1];
  const outer = dst.length / inner;
  if (r >= 2 && strides[r - 2] === 1 && innerStride > 1 && !Array.isArray(dst)) {
    tiledLoop(dst, src, offset, shape, strides);
    return;
  }
  const idx = new Array<number>(r).fill(0);
  let p = offset;
  let o = 0;
  for (let it = 0; it < outer; it++) {
    if (innerStride === 1) {
      copyWords(dst, o, src, p, inner);
      o += inner;
    } else if (innerStride === 0) {
      const v = src[p];
      for (let j = 0; j < inner; j++) dst[o++] = v;
    } else {
      let q = p;
      for (let j = 0; j < inner; j++) {
        dst[o++] = src[q];
        q += innerStride;
      }
    }
    // Advance the outer multi-index (dims r-2 … 0).
    for (let d = r - 2; d >= 0; d--) {
      p += strides[d];
      if (++idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * Blocked copy for views whose last two dims are a transposed matrix (source stride 1
 * on dim r-2): keeps both the reads and the writes of a 32×32 tile in cache.
 */
function tiledLoop<T extends Words>(
  dst: T,
  src: T,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): void {
  const r = shape.length;
  const rows = shape[r - 2];
  const cols = shape[r - 1];
  const colStride = strides[r - 1];
  const block = rows * cols;
  const outer = dst.length / block;
  const idx = new Array<number>(r).fill(0);
  const B = 32;
  let p = offset;
  for (let it = 0, o = 0; it < outer; it++, o += block) {
    for (let i0 = 0; i0 < rows; i0 += B) {
      const i1 = Math.min(rows, i0 + B);
      for (let j0 = 0; j0 < cols; j0 += B) {
        const j1 = Math.min(cols, j0 + B);
        for (let i = i0; i < i1; i++) {
          const dRow = o + i * cols;
          let q = p + i + j0 * colStride;
          for (let j = j0; j < j1; j++) {
            dst[dRow + j] = src[q];
            q += colStride;
          }
        }
      }
    }
    for (let d = r - 3; d >= 0; d--) {
      p += strides[d];
      if (++idx[d] < shape[d]) break;
      p -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Transpose `t` by `perm` (output dim i = input dim perm[i]). */
export function permute<D extends DType>(t: Tensor<D>, perm: readonly number[]): Tensor<D> {
  const st = stridesOf(t.shape);
  return gatherStrided(t.dtype, t.data, {
    offset: 0,
    shape: perm.map((p) => t.shape[p]),
    strides: perm.map((p) => st[p]),
  });
}

/** A copy of `t` with a new shape (same element count). */
export function reshaped<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
  const out = new Tensor(t.dtype, shape);
  copyElems(out.data, 0, t.data, 0, t.size);
  return out;
}

/** A fresh tensor of `dtype` and `shape` filled with the element `fill[0]` of a 1-element storage. */
export function filled<D extends DType>(
  dtype: D,
  shape: readonly number[],
  fill: DTypeArrayMap[D],
): Tensor<D> {
  return gatherStrided(dtype, fill, { offset: 0, shape, strides: shape.map(() => 0) });
}

/** Zero/empty storage of `n` elements for `dtype` (re-export for kernels). */
export function alloc<D extends DType>(dtype: D, n: number): DTypeArrayMap[D] {
  return allocate(dtype, n);
}

/** Element count of a shape (re-export so kernels import one module). */
export { sizeOf, stridesOf };
