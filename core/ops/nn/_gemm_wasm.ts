/**
 * Float32 Gemm (alpha 1, A not transposed) in the wasm kernels with a constant B kept
 * in the kernels' memory between runs, stored K×N so that the GEMM packs its panels with
 * vector loads (a transposed B is transposed once, when first used).
 *
 * The blocked GEMM runs as `gemm()` runs it for these operands (same packed A layout,
 * same `gemmPacked`, C added to in place), so the bits are `gemm()`'s. Other shapes and
 * operands are left to `gemm()`.
 *
 * @module
 */
import { wasmKernels } from "../../wasm/kernels.ts";

/** One Gemm: `c` (m×n, holding beta·C when `accumulate`) gets op(A)·op(B) added or written. */
export interface ConstantBGemm {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** A, m×k row-major. */
  readonly a: Float32Array;
  /** B as stored: k×n, or n×k when `transB`. */
  readonly b: Float32Array;
  readonly transB: boolean;
  readonly c: Float32Array;
  readonly accumulate: boolean;
}

/**
 * Run `call` in wasm; false when `gemm()` must run it instead (scalar path, a single row
 * or column, k of 0).
 */
export function gemmConstantB(call: ConstantBGemm): boolean {
  const kern = wasmKernels();
  const { m, n, k, a, b, transB, c, accumulate } = call;
  if (!kern || m <= 1 || n <= 1 || k <= 0) return false;
  const { heap, fn } = kern;
  const bp = heap.resident(b, transB ? "gemm Bt" : "gemm B", k * n * 4, (ptr) => {
    const dst = heap.f32(ptr, k * n);
    if (!transB) dst.set(b);
    else for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) dst[p * n + j] = b[j * k + p];
  });
  const ap = heap.put(a);
  const cp = accumulate ? heap.put(c) : heap.alloc(m * n * 4);
  const pa = heap.alloc(fn.packedABytes(m, k));
  const work = heap.alloc(fn.panelBytes());
  try {
    fn.packARows(pa, ap, k, m, k);
    fn.gemmPacked(pa, m, n, k, bp, n, 1, cp, n, accumulate ? 1 : 0, work);
    c.set(heap.f32(cp, m * n));
    return true;
  } finally {
    for (const p of [ap, cp, pa, work]) heap.free(p);
  }
}
