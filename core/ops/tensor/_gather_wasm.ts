/**
 * Strided gathers of 32-bit words in the wasm kernels (`gather32`): the source words the
 * view touches go in, the dense result comes out. Words move as bits, so the result is
 * the JavaScript loop's.
 *
 * @module
 */
import { wasmKernels } from "../../wasm/kernels.ts";

/** Below this many words the copies in and out cost more than the loop saves. */
const MIN_WORDS = 4096;

/**
 * Fill `dst` (dense, row-major over `shape`) from the view of `src` starting at word
 * `offset` with word `strides`; false when the JavaScript loop must run instead (scalar
 * path, small outputs).
 */
export function gatherWordsWasm(
  dst: Uint32Array,
  src: Uint32Array,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
): boolean {
  const k = wasmKernels();
  if (!k || dst.length < MIN_WORDS) return false;
  // the span of source words the view reaches (strides may be zero or negative)
  let lo = offset, hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const reach = (shape[d] - 1) * strides[d];
    if (reach < 0) lo += reach;
    else hi += reach;
  }
  const { heap, fn } = k;
  const sp = heap.put(src.subarray(lo, hi + 1));
  const dims = heap.put(Int32Array.from([...shape, ...strides]));
  const idx = heap.alloc(4 * shape.length);
  const dp = heap.alloc(dst.byteLength);
  try {
    const r = shape.length;
    fn.gather32(dp, sp + 4 * (offset - lo), dst.length, r, dims, dims + 4 * r, idx);
    dst.set(new Uint32Array(heap.memory.buffer, dp, dst.length));
    return true;
  } finally {
    for (const p of [sp, dims, idx, dp]) heap.free(p);
  }
}
