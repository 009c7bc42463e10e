/**
 * Float32 GEMM: `C[M,N] = alpha·op(A)·op(B) (+ C)` on flat Float32Arrays with
 * offsets, leading dimensions and transposes.
 *
 * Rounding contract, shared by every path: each output sums its products in K order
 * within blocks of {@linkcode KC}, each block starting from zero in float32 (the product
 * rounded to float32, then the sum); each block sum is then added to C (or written, for
 * the first block without `accumulate`). alpha scales A first, rounded once to float32.
 * The `relaxed-simd` path rounds each multiply-add once instead (see core/wasm).
 *
 * The blocked loop nest runs in WebAssembly (core/wasm/assembly/gemm.ts) when the
 * kernels are loaded; the scalar path below is its TypeScript reference. A single row
 * or column takes a float64 dot-product path on every engine.
 *
 * @module
 */
import { wasmKernels } from "../../wasm/kernels.ts";

/** Depth of one accumulation block (part of the rounding contract). */
export const KC = 256;

/** One GEMM call. Matrices are row-major views into flat arrays. */
export interface GemmCall {
  /** Rows of op(A) and C. */
  readonly m: number;
  /** Columns of op(B) and C. */
  readonly n: number;
  /** Columns of op(A) = rows of op(B). */
  readonly k: number;
  readonly a: Float32Array;
  /** Element offset of A[0,0] in `a`. */
  readonly aOffset?: number;
  /** Row stride of the stored A (its column count when not transposed). */
  readonly lda: number;
  /** op(A) = Aᵀ: `a` stores a K×M matrix. */
  readonly transA?: boolean;
  readonly b: Float32Array;
  readonly bOffset?: number;
  readonly ldb: number;
  /** op(B) = Bᵀ: `b` stores an N×K matrix. */
  readonly transB?: boolean;
  readonly c: Float32Array;
  readonly cOffset?: number;
  readonly ldc: number;
  /** Scale of the product; default 1. */
  readonly alpha?: number;
  /** Add to the existing C instead of overwriting it. */
  readonly accumulate?: boolean;
  /** Force the TypeScript reference path even when the wasm kernels are loaded. */
  readonly scalar?: boolean;
  /**
   * `b` is a constant (an initializer) that is never modified: the wasm kernels keep
   * their copy of it for the array's lifetime instead of copying it on every call.
   */
  readonly constantB?: boolean;
}

/** Strides of a stored operand: element (i, p) of op(X) is at off + i·row + p·col. */
interface Operand {
  readonly data: Float32Array;
  readonly off: number;
  readonly row: number;
  readonly col: number;
}

/**
 * Compute `C = alpha·op(A)·op(B)` (or `C += …` with `accumulate`).
 *
 * @param call the operands and their layout
 */
export function gemm(call: GemmCall): void {
  const { m, n, k, a, b, c, lda, ldb, ldc } = call;
  const aOff = call.aOffset ?? 0;
  const bOff = call.bOffset ?? 0;
  const cOff = call.cOffset ?? 0;
  const transA = call.transA ?? false;
  const transB = call.transB ?? false;
  const alpha = call.alpha ?? 1;
  const accumulate = call.accumulate ?? false;
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha === 0) {
    if (!accumulate) {
      for (let i = 0; i < m; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + n);
    }
    return;
  }
  const aRow = transA ? 1 : lda;
  const aCol = transA ? lda : 1;
  const bRow = transB ? 1 : ldb;
  const bCol = transB ? ldb : 1;
  if (m === 1 && !transB) {
    gemvRow(n, k, a, aOff, aCol, b, bOff, bRow, c, cOff, alpha, accumulate);
    return;
  }
  if (m === 1 || n === 1) {
    // Each output is one dot product; walk both operands along K.
    if (m === 1 && aCol === 1 && bRow === 1 && !call.scalar && wasmKernels()) {
      const b0 = { data: b, off: bOff, row: bRow, col: bCol };
      dotRowsWasm(
        n,
        k,
        a.subarray(aOff, aOff + k),
        b0,
        call.constantB ?? false,
        c,
        cOff,
        alpha,
        accumulate,
      );
      return;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const s = dot(k, a, aOff + i * aRow, aCol, b, bOff + j * bCol, bRow);
        const o = cOff + i * ldc + j;
        c[o] = accumulate ? c[o] + alpha * s : alpha * s;
      }
    }
    return;
  }
  const A: Operand = { data: a, off: aOff, row: aRow, col: aCol };
  const B: Operand = { data: b, off: bOff, row: bRow, col: bCol };
  if (!call.scalar && wasmKernels()) gemmWasm(m, n, k, A, B, c, cOff, ldc, alpha, accumulate);
  else gemmReference(m, n, k, A, B, c, cOff, ldc, alpha, accumulate);
}

/** Elements from the first to one past the last of a rows×cols strided operand. */
function spanOf(rows: number, cols: number, rowStride: number, colStride: number): number {
  return (rows - 1) * rowStride + (cols - 1) * colStride + 1;
}

function gemmWasm(
  m: number,
  n: number,
  k: number,
  A: Operand,
  B: Operand,
  c: Float32Array,
  cOff: number,
  ldc: number,
  alpha: number,
  accumulate: boolean,
): void {
  const { heap, fn } = wasmKernels()!;
  const aSpan = spanOf(m, k, A.row, A.col);
  const bSpan = spanOf(k, n, B.row, B.col);
  const cSpan = spanOf(m, n, ldc, 1);
  const pa = heap.alloc(fn.packedABytes(m, k));
  const work = heap.alloc(fn.panelBytes());
  const ap = heap.put(A.data.subarray(A.off, A.off + aSpan));
  const bp = heap.put(B.data.subarray(B.off, B.off + bSpan));
  const cView = c.subarray(cOff, cOff + cSpan);
  const cp = accumulate ? heap.put(cView) : heap.alloc(cSpan * 4);
  try {
    fn.packA(pa, ap, A.row, A.col, m, k, alpha);
    fn.gemmPacked(pa, m, n, k, bp, B.row, B.col, cp, ldc, accumulate ? 1 : 0, work);
    const out = heap.f32(cp, cSpan);
    if (ldc === n) cView.set(out);
    else for (let i = 0; i < m; i++) cView.set(out.subarray(i * ldc, i * ldc + n), i * ldc);
  } finally {
    for (const p of [pa, work, ap, bp, cp]) heap.free(p);
  }
}

/**
 * One row of A times op(B) with B's rows along K contiguous (`B.col` floats apart): the
 * float64 dots of {@linkcode dot}, in WebAssembly, with the same bits.
 */
function dotRowsWasm(
  n: number,
  k: number,
  a: Float32Array,
  B: Operand,
  constantB: boolean,
  c: Float32Array,
  cOff: number,
  alpha: number,
  accumulate: boolean,
): void {
  const { heap, fn } = wasmKernels()!;
  const bView = B.data.subarray(B.off, B.off + spanOf(n, k, B.col, 1));
  const bp = constantB
    ? heap.resident(B.data, `dot ${B.off}:${n}x${k}/${B.col}`, bView.byteLength, (p) => {
      heap.f32(p, bView.length).set(bView);
    })
    : heap.put(bView);
  const ap = heap.put(a);
  const sp = heap.alloc(n * 8);
  try {
    fn.dotRows(ap, bp, B.col, k, n, sp);
    const s = heap.f64(sp, n);
    for (let j = 0; j < n; j++) {
      c[cOff + j] = accumulate ? c[cOff + j] + alpha * s[j] : alpha * s[j];
    }
  } finally {
    heap.free(ap);
    heap.free(sp);
    if (!constantB) heap.free(bp);
  }
}

/** The TypeScript reference of the blocked path: same block sums, same roundings. */
function gemmReference(
  m: number,
  n: number,
  k: number,
  A: Operand,
  B: Operand,
  c: Float32Array,
  cOff: number,
  ldc: number,
  alpha: number,
  accumulate: boolean,
): void {
  const f = Math.fround;
  const block = new Float32Array(n);
  for (let pc = 0; pc < k; pc += KC) {
    const end = Math.min(k, pc + KC);
    const overwrite = pc === 0 && !accumulate;
    for (let i = 0; i < m; i++) {
      block.fill(0);
      for (let p = pc; p < end; p++) {
        const av = f(alpha * A.data[A.off + i * A.row + p * A.col]);
        const bo = B.off + p * B.row;
        for (let j = 0; j < n; j++) block[j] = block[j] + f(av * B.data[bo + j * B.col]);
      }
      const co = cOff + i * ldc;
      for (let j = 0; j < n; j++) c[co + j] = overwrite ? block[j] : c[co + j] + block[j];
    }
  }
}

/** Row-vector times matrix: c[0,:] (+)= alpha·a[0,:]·B, streaming rows of B. */
function gemvRow(
  n: number,
  k: number,
  a: Float32Array,
  aOff: number,
  aCol: number,
  b: Float32Array,
  bOff: number,
  bRow: number,
  c: Float32Array,
  cOff: number,
  alpha: number,
  accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, cOff, cOff + n);
  for (let p = 0; p < k; p++) {
    const av = alpha * a[aOff + p * aCol];
    const bo = bOff + p * bRow;
    for (let j = 0; j < n; j++) c[cOff + j] += av * b[bo + j];
  }
}

function dot(
  k: number,
  a: Float32Array,
  ao: number,
  as: number,
  b: Float32Array,
  bo: number,
  bs: number,
): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let p = 0;
  if (as === 1 && bs === 1) {
    for (; p + 4 <= k; p += 4) {
      s0 += a[ao + p] * b[bo + p];
      s1 += a[ao + p + 1] * b[bo + p + 1];
      s2 += a[ao + p + 2] * b[bo + p + 2];
      s3 += a[ao + p + 3] * b[bo + p + 3];
    }
  }
  for (; p < k; p++) s0 += a[ao + p * as] * b[bo + p * bs];
  return (s0 + s1) + (s2 + s3);
}
