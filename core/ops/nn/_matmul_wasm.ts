/**
 * Batched float32 MatMul in the wasm kernels in one pass: A and B go into the kernels'
 * memory once for every batch (a constant B stays there between runs), each batch's A
 * is packed by the row-major packer, and the result comes out in one copy.
 *
 * It runs the blocked GEMM exactly as `gemm()` does for these operands (same packed
 * layout, same `gemmPacked`), so the bits are those of the per-batch `gemm()` calls it
 * replaces. Shapes that `gemm()` sends elsewhere (a single row or column, K = 0) are
 * left to it.
 *
 * Measured on tiny_vit's attention (3 batches, loaded 2-core machine): q·kᵀ
 * ([196, 32]·[32, 196]) took ~1.9 ms against ~1.15 ms for attn·v ([196, 196]·[196, 32]),
 * the same multiply-adds. In the kernel alone they differ less (~0.63 against ~0.48 ms:
 * with K = 32 each output tile is stored after only 32 steps); the rest is q·kᵀ's output,
 * six times larger, copied out into a fresh 460 KB array. A following Softmax therefore
 * runs here as an epilogue (`then`), before the copy out (~0.3 ms less a layer). When a
 * MatMul by V reads the Softmax's output, it reads it here too
 * ({@linkcode matmulSoftmaxMatmulWasm}): the scores never leave the kernels' memory,
 * which spares a copy out into a fresh array and a copy back in (~0.1 ms a run of
 * tiny_vit).
 *
 * @module
 */
import { type WasmKernels, wasmKernels } from "../../wasm/kernels.ts";
import type { MatmulPlan } from "./_matmul_shape.ts";

/** How `plan` runs on the blocked GEMM: rows of one call, one call for all batches or not. */
function layout(plan: MatmulPlan): { merged: boolean; rows: number } | undefined {
  const { m, n, k, aOffsets, bOffsets } = plan;
  const batch = aOffsets.length;
  if (n <= 1 || k <= 0 || batch === 0) return undefined;
  let sharedB = true, contiguousA = true;
  for (let i = 0; i < batch; i++) {
    if (bOffsets[i] !== bOffsets[0]) sharedB = false;
    if (aOffsets[i] !== i * m * k) contiguousA = false;
  }
  // one GEMM over the stacked rows when every batch multiplies the same B
  const merged = sharedB && contiguousA;
  const rows = merged ? batch * m : m;
  return rows <= 1 ? undefined : { merged, rows };
}

/** Every batch's product of A at `ap` and B at `bp` into C at `cp`, in the kernels' memory. */
function runBatches(kern: WasmKernels, plan: MatmulPlan, ap: number, bp: number, cp: number) {
  const { heap, fn } = kern;
  const { m, n, k, aOffsets, bOffsets } = plan;
  const { merged, rows } = layout(plan)!;
  const pa = heap.alloc(fn.packedABytes(rows, k));
  const work = heap.alloc(fn.panelBytes());
  try {
    for (let i = 0; i < (merged ? 1 : aOffsets.length); i++) {
      fn.packARows(pa, ap + 4 * aOffsets[i], k, rows, k);
      fn.gemmPacked(pa, rows, n, k, bp + 4 * bOffsets[i], n, 1, cp + 4 * i * m * n, n, 0, work);
    }
  } finally {
    heap.free(pa);
    heap.free(work);
  }
}

/** B in the kernels' memory: resident while `b` lives when constant, else a copy to free. */
function placeB(kern: WasmKernels, b: Float32Array, constantB: boolean): number {
  const { heap } = kern;
  return constantB
    ? heap.resident(b, "matmul B", b.byteLength, (p) => heap.f32(p, b.length).set(b))
    : heap.put(b);
}

/**
 * `out[i] = A[aOffsets[i]] · B[bOffsets[i]]` for every batch, or undefined where
 * `gemm()` must run instead (scalar path, a single row or column, k of 0, no batch). `constantB`
 * keeps B in the kernels' memory for as long as `b` lives; `then` rewrites the `total`
 * output floats at `ptr` in place before they are copied out (a fused epilogue).
 */
export function matmulWasm(
  plan: MatmulPlan,
  a: Float32Array,
  b: Float32Array,
  constantB: boolean,
  then?: (kern: WasmKernels, ptr: number, total: number) => void,
): Float32Array | undefined {
  const kern = wasmKernels();
  if (!kern || !layout(plan)) return undefined;
  const { heap } = kern;
  const total = plan.aOffsets.length * plan.m * plan.n;
  const bp = placeB(kern, b, constantB);
  const ap = heap.put(a);
  const cp = heap.alloc(total * 4);
  try {
    runBatches(kern, plan, ap, bp, cp);
    then?.(kern, cp, total);
    return heap.f32(cp, total).slice();
  } finally {
    heap.free(ap);
    heap.free(cp);
    if (!constantB) heap.free(bp);
  }
}

/**
 * Softmax(A·B) · V with the scores kept in the kernels' memory: the first product, the
 * Softmax kernel on its rows of `last` floats, then the second product reading the
 * scores where they are (attention's scores·V); undefined where either product must
 * run elsewhere. Each step is the call the separate nodes make, so the same bits.
 */
export function matmulSoftmaxMatmulWasm(
  first: MatmulPlan,
  a: Float32Array,
  b: Float32Array,
  constantB: boolean,
  second: MatmulPlan,
  v: Float32Array,
): Float32Array | undefined {
  const kern = wasmKernels();
  if (!kern || !layout(first) || !layout(second)) return undefined;
  const { heap, fn } = kern;
  const scores = first.aOffsets.length * first.m * first.n;
  const total = second.aOffsets.length * second.m * second.n;
  const bp = placeB(kern, b, constantB);
  const ap = heap.put(a);
  const sp = heap.alloc(scores * 4);
  const vp = heap.put(v);
  const cp = heap.alloc(total * 4);
  try {
    runBatches(kern, first, ap, bp, sp);
    fn.softmaxRows(sp, sp, scores / first.n, first.n);
    runBatches(kern, second, sp, vp, cp);
    return heap.f32(cp, total).slice();
  } finally {
    for (const p of [ap, sp, vp, cp]) heap.free(p);
    if (!constantB) heap.free(bp);
  }
}
