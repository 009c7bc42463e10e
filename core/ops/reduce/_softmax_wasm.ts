/**
 * Softmax over contiguous float32 rows in the wasm kernels (vector exponential, float64
 * sum; see core/wasm/assembly/softmax.ts).
 *
 * @module
 */
import { mapF32 } from "../../wasm/map.ts";

/** Softmax of each of the `x.length / r` rows of `x`, or undefined on the scalar path. */
export function softmaxRowsWasm(x: Float32Array, r: number): Float32Array | undefined {
  return mapF32(x, (fn, ptr, n) => fn.softmaxRows(ptr, ptr, n / r, r));
}
