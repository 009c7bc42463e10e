/**
 * LayerNormalization of float32 rows in the wasm kernels, the same float64 arithmetic
 * in the same order as the loop in norm.ts, so the same bits.
 *
 * @module
 */
import { wasmKernels } from "../../wasm/kernels.ts";

/** Y and the per-row Mean and InvStdDev. */
export interface LayerNormResult {
  readonly y: Float32Array;
  readonly means: Float32Array;
  readonly invs: Float32Array;
}

/**
 * Normalize `rows` rows of `inner` floats of `x` with `scale` and `bias` (each `inner`
 * long); undefined on the scalar path.
 */
export function layerNormWasm(
  x: Float32Array,
  rows: number,
  inner: number,
  scale: Float32Array,
  bias: Float32Array | undefined,
  eps: number,
): LayerNormResult | undefined {
  const k = wasmKernels();
  if (!k) return undefined;
  const { heap, fn } = k;
  const xp = heap.put(x);
  const sp = heap.put(scale);
  const bp = bias ? heap.put(bias) : 0;
  const mp = heap.alloc(rows * 4);
  const ip = heap.alloc(rows * 4);
  try {
    fn.layerNorm(xp, xp, rows, inner, sp, bp, eps, mp, ip);
    return {
      y: heap.f32(xp, x.length).slice(),
      means: heap.f32(mp, rows).slice(),
      invs: heap.f32(ip, rows).slice(),
    };
  } finally {
    for (const p of [xp, sp, mp, ip]) heap.free(p);
    if (bp) heap.free(bp);
  }
}
