/**
 * Batch decomposition at run time (pulsar2 run / AXEngine): a requested batch N is
 * covered by the compiled batch sizes, greedily largest first (`[1, 2, 4]`: 3 → 2 + 1,
 * 9 → 4 + 4 + 1; `[1]`: N runs of 1). When the smallest compiled batch is larger than
 * what is left, the last run is padded with zero samples whose results are dropped.
 *
 * @module
 */
import { Tensor } from "../ir/tensor.ts";
import { allocate, type DType, type DTypeArrayMap } from "../ir/dtype.ts";
import { KernelError } from "../errors/mod.ts";

/** One NPU run of a decomposition. */
export interface BatchChunk {
  /** The compiled batch size used. */
  readonly batch: number;
  /** Its position in the compiled batch list (what the vendor log calls `target batch`). */
  readonly index: number;
  /** How many real samples it carries (< batch only for a padded last run). */
  readonly take: number;
}

/**
 * Cover `n` samples with compiled batch sizes, greedily largest first.
 *
 * @param n the requested batch (≥ 1)
 * @param batches compiled batch sizes, ascending
 * @returns the runs in order
 */
export function decomposeBatch(n: number, batches: readonly number[]): BatchChunk[] {
  const order = batches.map((batch, index) => ({ batch, index }))
    .sort((a, b) => b.batch - a.batch);
  const out: BatchChunk[] = [];
  let left = n;
  for (const { batch, index } of order) {
    while (left >= batch) {
      out.push({ batch, index, take: batch });
      left -= batch;
    }
  }
  if (left > 0) {
    const smallest = order[order.length - 1];
    out.push({ batch: smallest.batch, index: smallest.index, take: left });
  }
  return out;
}

/** Samples `[start, start + take)` of `t` along dim 0, zero-padded to `batch` samples. */
export function sliceBatch(t: Tensor, start: number, take: number, batch: number): Tensor {
  const n = t.shape[0];
  if (start + take > n) {
    throw new KernelError(`Cannot take samples ${start}..${start + take} of a batch of ${n}`);
  }
  const inner = n === 0 ? 0 : t.size / n;
  return sliceOf(t.dtype, t.data, [batch, ...t.shape.slice(1)], start * inner, take * inner);
}

function sliceOf<D extends DType>(
  dtype: D,
  data: DTypeArrayMap[D],
  shape: number[],
  from: number,
  count: number,
): Tensor<D> {
  const out = allocate(dtype, shape.reduce((a, b) => a * b, 1));
  copyInto(out, 0, data, from, count);
  return new Tensor(dtype, shape, out);
}

/** Copy `count` elements of `src` from `from` into `dst` at `at` (any storage kind). */
function copyInto<D extends DType>(
  dst: DTypeArrayMap[D],
  at: number,
  src: DTypeArrayMap[D],
  from: number,
  count: number,
): void {
  if (Array.isArray(dst) && Array.isArray(src)) {
    for (let i = 0; i < count; i++) dst[at + i] = src[from + i];
    return;
  }
  if (!Array.isArray(dst) && !Array.isArray(src)) {
    setTyped(dst, src.subarray(from, from + count), at);
  }
}

/** `dst.set(src, at)` for two typed arrays of the same element kind. */
function setTyped(
  dst: Exclude<DTypeArrayMap[DType], string[]>,
  src: Exclude<DTypeArrayMap[DType], string[]>,
  at: number,
): void {
  if (dst instanceof BigInt64Array || dst instanceof BigUint64Array) {
    if (src instanceof BigInt64Array || src instanceof BigUint64Array) dst.set(src, at);
    return;
  }
  if (!(src instanceof BigInt64Array || src instanceof BigUint64Array)) dst.set(src, at);
}

/**
 * Concatenate the first `takes[i]` samples of each part along the batch axis.
 *
 * @param parts tensors of equal dtype and equal dims except on `axis`
 * @param takes samples to keep from each part
 * @param what names the value in errors
 * @param axis the batch axis (0, unless an output permutation moved it)
 */
export function concatBatch(
  parts: readonly Tensor[],
  takes: readonly number[],
  what: string,
  axis = 0,
): Tensor {
  const first = parts[0];
  if (axis < 0 || axis >= first.rank) {
    throw new KernelError(`${what}: batch axis ${axis} is outside rank ${first.rank}`);
  }
  for (const p of parts) {
    if (
      p.dtype !== first.dtype || p.shape.length !== first.shape.length ||
      p.shape.some((d, i) => i !== axis && d !== first.shape[i])
    ) {
      throw new KernelError(
        `${what}: batch runs gave [${p.shape.join(", ")}] ${p.dtype} and ` +
          `[${first.shape.join(", ")}] ${first.dtype}; they cannot be concatenated`,
      );
    }
  }
  const total = takes.reduce((a, b) => a + b, 0);
  const shape = first.shape.map((d, i) => (i === axis ? total : d));
  return concatOf(first.dtype, parts, takes, shape, axis);
}

/**
 * Along `axis`, the outer product of the dims before it and the inner product after it:
 * the tensor is `outer` blocks of `dim × inner` elements.
 */
function blocks(shape: readonly number[], axis: number): { outer: number; inner: number } {
  const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
  return { outer: prod(shape.slice(0, axis)), inner: prod(shape.slice(axis + 1)) };
}

function concatOf<D extends DType>(
  dtype: D,
  parts: readonly Tensor[],
  takes: readonly number[],
  shape: number[],
  axis: number,
): Tensor<D> {
  const out = allocate(dtype, shape.reduce((a, b) => a * b, 1));
  const { outer, inner } = blocks(shape, axis);
  const row = shape[axis] * inner;
  let offset = 0;
  parts.forEach((p, i) => {
    if (!p.is(dtype)) return;
    const count = takes[i] * inner;
    const stride = p.shape[axis] * inner;
    for (let o = 0; o < outer; o++) copyInto(out, o * row + offset, p.data, o * stride, count);
    offset += count;
  });
  return new Tensor(dtype, shape, out);
}
