/**
 * The emulator's integer accumulations in WebAssembly: operands narrowed to int16,
 * products paired along K by `i32x4.dot_i16x8_s`, int32 sums, the bias added in float64.
 * Every sum is exact when `K·max|x|·max|w| < 2^31`, which each call checks on the actual
 * values; the results are then the same integers the float64 reference loops compute.
 * When a value is not an integer of magnitude ≤ 32767, or the bound fails, the functions
 * return undefined and the caller runs its reference loop.
 *
 * Weight code arrays are packed once per array and kept while the array lives: callers
 * must not modify a code array after its first use.
 *
 * `convRequantizeWasm` and `matmulRequantizeWasm` run a whole integer layer: the codes go
 * in once (centred and narrowed in one pass), the accumulators stay in the kernels'
 * memory through requantization, and only the output codes come back.
 *
 * @module
 */
import { type ConvShape, wasmGeometry } from "../ops/nn/conv_kernel.ts";
import type { Multiplier, RequantTarget } from "./int_kernels.ts";
import { type WasmKernels, wasmKernels } from "../wasm/kernels.ts";
import { requantAt, requantPlan, requantSumsAt } from "./_requant_wasm.ts";

export { requantizeWasm } from "./_requant_wasm.ts";

const LIMIT = 2 ** 31;

const largest = new WeakMap<Int32Array, number>();

/**
 * max |w| of a constant code array, or −1 when a code does not fit int16 (found by the
 * kernels' narrowing when they are loaded: a first look at a large array in a cold
 * TypeScript loop costs more than the copy).
 */
function maxAbs(w: Int32Array): number {
  let m = largest.get(w);
  if (m === undefined) {
    const k = wasmKernels();
    if (k && w.length > 0) {
      const raw = k.heap.put(w);
      const w16 = k.heap.alloc(w.length * 2);
      m = k.fn.i32ToI16(raw, w16, w.length);
      k.heap.free(raw);
      k.heap.free(w16);
    } else {
      m = 0;
      for (let i = 0; i < w.length; i++) {
        const v = Math.abs(w[i]);
        if (v > m) m = v;
      }
      if (m > 32767) m = -1;
    }
    largest.set(w, m);
  }
  return m;
}

/**
 * int16 copy of `x − offset` (float32 subtraction, as `centered` computes it; offset 0
 * for `x` itself) in the kernels' memory and its max |·|, or undefined (block freed).
 */
function narrow(
  k: WasmKernels,
  x: Float32Array,
  offset = 0,
): { ptr: number; max: number } | undefined {
  if (Math.fround(offset) !== offset) return undefined;
  const src = k.heap.put(x);
  const ptr = k.heap.alloc(x.length * 2);
  const max = k.fn.toI16(src, ptr, x.length, offset);
  k.heap.free(src);
  if (max < 0) {
    k.heap.free(ptr);
    return undefined;
  }
  return { ptr, max };
}

/** Weight codes [rows, cols] packed per group for qgemm (rows split into `groups`). */
function packedCodes(
  k: WasmKernels,
  w: Int32Array,
  groups: number,
  rows: number,
  cols: number,
  transposed: boolean,
): number {
  const { heap, fn } = k;
  const gr = rows / groups;
  const groupBytes = fn.packedQABytes(gr, cols);
  return heap.resident(
    w,
    `q ${rows}x${cols}/${groups}${transposed ? "t" : ""}`,
    groups * groupBytes,
    (dst) => {
      const raw = heap.put(w);
      const w16 = heap.alloc(w.length * 2);
      fn.i32ToI16(raw, w16, w.length);
      for (let gi = 0; gi < groups; gi++) {
        // element (i, p) of the group's [gr, cols] matrix
        if (transposed) fn.packQA(dst + gi * groupBytes, w16 + gi * gr * 2, 1, rows, gr, cols);
        else fn.packQA(dst + gi * groupBytes, w16 + gi * gr * cols * 2, cols, 1, gr, cols);
      }
      heap.free(raw);
      heap.free(w16);
    },
  );
}

/** Whether the int16 convolution can take `s` and `w` at all (before looking at x). */
function convApplies(k: WasmKernels | undefined, s: ConvShape, w: Int32Array): k is WasmKernels {
  const r = s.inSpatial.length;
  if (!k || (r !== 1 && r !== 2)) return false;
  const K = s.inChannels / s.group * s.window.kernel.reduce((a, v) => a * v, 1);
  const P = s.window.outShape.reduce((a, v) => a * v, 1);
  return maxAbs(w) >= 0 && P > 0 && K > 0;
}

/**
 * The int32 sums [N, M, P] (no bias) of the convolution of the narrowed image `xs` in a
 * block of the kernels' memory (the caller frees it), or undefined when a sum could
 * overflow int32. Frees `xs` either way.
 */
function convSumsAt(
  k: WasmKernels,
  xs: { ptr: number; max: number },
  s: ConvShape,
  w: Int32Array,
): number | undefined {
  const win = s.window;
  const block = wasmGeometry(s);
  const [h, wd, kh, kw, oh, ow] = [block[2], block[3], block[6], block[7], block[14], block[15]];
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const K = cg * kh * kw;
  const P = oh * ow;
  const { heap, fn } = k;
  if (K * xs.max * maxAbs(w) >= LIMIT) {
    heap.free(xs.ptr);
    return undefined;
  }
  const geo = heap.put(block);
  const M = s.outChannels;
  const c32 = heap.alloc(s.batch * M * P * 4);
  const scratch: number[] = [xs.ptr, geo];
  try {
    if (cg === 1 && s.group === s.inChannels) {
      // depthwise: one small product per channel, no GEMM
      const wp = heap.put(w);
      const work = heap.alloc(fn.depthwiseI16WorkBytes(geo));
      scratch.push(wp, work);
      fn.depthwiseI16(xs.ptr, wp, c32, geo, work);
    } else {
      const pw = packedCodes(k, w, s.group, M, K, false);
      const groupBytes = fn.packedQABytes(mg, K);
      const pointwise = K === cg && P === h * wd && win.strides.every((v) => v === 1) &&
        win.pads.every((v) => v === 0);
      const col = pointwise ? 0 : heap.alloc(K * P * 2);
      const work = heap.alloc(fn.qgemmWorkBytes());
      scratch.push(work);
      if (col) scratch.push(col);
      for (let n = 0; n < s.batch; n++) {
        for (let gi = 0; gi < s.group; gi++) {
          const xg = xs.ptr + (n * s.inChannels + gi * cg) * h * wd * 2;
          const cg32 = c32 + ((n * M + gi * mg) * P) * 4;
          if (col) fn.im2colI16(xg, col, geo);
          fn.qgemm(pw + gi * groupBytes, mg, P, K, col || xg, P, 1, cg32, P, work);
        }
      }
    }
    return c32;
  } catch (e) {
    heap.free(c32);
    throw e;
  } finally {
    for (const p of scratch) heap.free(p);
  }
}

/**
 * The float64 accumulators [N, M, P] of the convolution of the narrowed image `xs` in a
 * block of the kernels' memory (the caller frees it), or undefined when a sum could
 * overflow int32. Frees `xs` either way.
 */
function convAccumulateAt(
  k: WasmKernels,
  xs: { ptr: number; max: number },
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
): number | undefined {
  const c32 = convSumsAt(k, xs, s, w);
  if (c32 === undefined) return undefined;
  const { heap, fn } = k;
  const M = s.outChannels, P = outPlane(s);
  const bp = bias ? heap.put(bias) : 0;
  const out = heap.alloc(s.batch * M * P * 8);
  try {
    for (let n = 0; n < s.batch; n++) {
      fn.accToF64(c32 + n * M * P * 4, M, P, P, bp, 1, 0, out + n * M * P * 8);
    }
    return out;
  } finally {
    heap.free(c32);
    if (bp) heap.free(bp);
  }
}

/** {@linkcode convAccumulate} for 1-D/2-D convolutions; undefined when it does not apply. */
export function convAccumulateWasm(
  x: Float32Array,
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
): Float64Array | undefined {
  const k = wasmKernels();
  if (!convApplies(k, s, w)) return undefined;
  const xs = narrow(k, x);
  const out = xs && convAccumulateAt(k, xs, s, w, bias);
  if (out === undefined) return undefined;
  try {
    return k.heap.f64(out, s.batch * s.outChannels * outPlane(s)).slice();
  } finally {
    k.heap.free(out);
  }
}

/**
 * {@linkcode convRequantize} in wasm: the accumulators stay in the kernels' memory
 * between the convolution and the requantization. Undefined when either does not apply.
 */
export function convRequantizeWasm(
  codes: Float32Array,
  zeroPoint: number,
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array | undefined {
  const k = wasmKernels();
  const plan = requantPlan(s.outChannels, fps);
  if (!plan || !convApplies(k, s, w) || s.batch * s.outChannels === 0) return undefined;
  const xs = narrow(k, codes, zeroPoint);
  // the int32 sums go straight to codes, no float64 accumulators between
  const sums = xs && convSumsAt(k, xs, s, w);
  if (sums === undefined) return undefined;
  return requantSumsAt(k, sums, s.batch, s.outChannels, outPlane(s), bias, plan, t);
}

function outPlane(s: ConvShape): number {
  return s.window.outShape.reduce((a, v) => a * v, 1);
}

/**
 * The float64 accumulators [rows, n] of `a · b` (a narrowed) in a block of the kernels'
 * memory (the caller frees it), or undefined when a sum could overflow int32. Frees
 * `as` either way.
 */
function matmulAccumulateAt(
  k: WasmKernels,
  as: { ptr: number; max: number },
  rows: number,
  kDim: number,
  b: Int32Array,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
): number | undefined {
  const { heap, fn } = k;
  if (kDim * as.max * maxAbs(b) >= LIMIT) {
    heap.free(as.ptr);
    return undefined;
  }
  // Cᵀ [n, rows] = Bᵀ · Aᵀ: the constant codes are the packed operand
  const pb = packedCodes(k, b, 1, n, kDim, !bTransposed);
  const c32 = heap.alloc(n * rows * 4);
  const bp = bias ? heap.put(bias) : 0;
  const work = heap.alloc(fn.qgemmWorkBytes());
  const out = heap.alloc(rows * n * 8);
  try {
    fn.qgemm(pb, n, rows, kDim, as.ptr, 1, kDim, c32, rows, work);
    fn.accToF64(c32, n, rows, rows, bp, 1, 1, out);
    return out;
  } catch (e) {
    heap.free(out);
    throw e;
  } finally {
    for (const p of [as.ptr, c32, work]) heap.free(p);
    if (bp) heap.free(bp);
  }
}

/** Whether the int16 product can take these operands at all (before looking at a). */
function matmulApplies(
  rows: number,
  kDim: number,
  b: ArrayLike<number>,
  n: number,
): b is Int32Array {
  return b instanceof Int32Array && rows > 0 && kDim > 0 && n > 0 && maxAbs(b) >= 0;
}

/** {@linkcode matmulAccumulate} with Int32Array codes; undefined when it does not apply. */
export function matmulAccumulateWasm(
  a: Float32Array,
  rows: number,
  kDim: number,
  b: ArrayLike<number>,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
): Float64Array | undefined {
  const k = wasmKernels();
  if (!k || !matmulApplies(rows, kDim, b, n)) return undefined;
  const as = narrow(k, a);
  const out = as && matmulAccumulateAt(k, as, rows, kDim, b, n, bias, bTransposed);
  if (out === undefined) return undefined;
  try {
    return k.heap.f64(out, rows * n).slice();
  } finally {
    k.heap.free(out);
  }
}

/**
 * {@linkcode matmulRequantize} in wasm: the accumulators stay in the kernels' memory
 * between the product and the requantization. Undefined when either does not apply.
 */
export function matmulRequantizeWasm(
  codes: Float32Array,
  zeroPoint: number,
  rows: number,
  kDim: number,
  b: ArrayLike<number>,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array | undefined {
  const k = wasmKernels();
  const plan = requantPlan(n, fps);
  if (!k || !plan || !matmulApplies(rows, kDim, b, n)) return undefined;
  const as = narrow(k, codes, zeroPoint);
  const acc = as && matmulAccumulateAt(k, as, rows, kDim, b, n, bias, bTransposed);
  if (acc === undefined) return undefined;
  try {
    return requantAt(k, acc, rows * n, n, 1, plan, t);
  } finally {
    k.heap.free(acc);
  }
}
