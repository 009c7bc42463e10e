/**
 * Integer kernels of the emulator. Accumulation is exact: products of codes are summed
 * in float64, whose 53-bit mantissa holds every int32 accumulator without rounding.
 * With the wasm kernels loaded, convolutions and matrix products run as int16 GEMMs
 * with int32 sums (`_int_wasm.ts`) whenever that is provably exact for the values at
 * hand, giving the same integers; the float64 loops below are the reference and the
 * fallback.
 *
 * Requantization has two arithmetics, chosen per run:
 * - `npu`: the NPU numeric model — a per-channel fixed-point multiplier (31-bit
 *   multiplier and a shift), rounding half away from zero;
 * - `qdq`: what a QDQ graph means (DequantizeLinear → operator → QuantizeLinear) as
 *   onnxruntime realises it — the real multiplier formed in float32 arithmetic, the
 *   product in float32, rounding half to even.
 * Both add the output zero point and saturate.
 *
 * @module
 */
import type { ConvShape } from "../ops/nn/conv_kernel.ts";
import { im2col } from "../ops/nn/conv_kernel.ts";
import { applyFixedPoint, type FixedPoint, roundHalfEven, toFixedPoint } from "./numeric.ts";
import { fma32 } from "./ort_float.ts";
import {
  convAccumulateWasm,
  convRequantizeWasm,
  matmulAccumulateWasm,
  matmulRequantizeWasm,
  requantizeWasm,
} from "./_int_wasm.ts";
import { addQdqWasm } from "./_requant_wasm.ts";

/** Which arithmetic requantizes accumulators. */
export type Arithmetic = "npu" | "qdq";

/** What a multiplier computes, so loops over many accumulators can run it in wasm. */
export type MultiplierForm =
  | { readonly arithmetic: "npu"; readonly fixedPoint: FixedPoint }
  | { readonly arithmetic: "qdq"; readonly m: number };

/** A prepared per-channel multiplier. */
export interface Multiplier {
  /** Apply to one accumulator (before adding the zero point). */
  (acc: number): number;
  /** Its arithmetic and constants; absent for a hand-made multiplier. */
  readonly form?: MultiplierForm;
}

/**
 * Build the multiplier for `real = scaleIn · scaleW / scaleOut` in the given arithmetic.
 * For `qdq`, the factors are combined in float32 in onnxruntime's order
 * (`(scaleIn · scaleW) / scaleOut`).
 */
export function multiplier(
  arithmetic: Arithmetic,
  scaleIn: number,
  scaleW: number,
  scaleOut: number,
): Multiplier {
  if (arithmetic === "npu") {
    const fp = toFixedPoint((scaleIn * scaleW) / scaleOut);
    return Object.assign((acc: number) => applyFixedPoint(acc, fp), {
      form: { arithmetic, fixedPoint: fp },
    });
  }
  const m = Math.fround(
    Math.fround(Math.fround(scaleIn) * Math.fround(scaleW)) / Math.fround(scaleOut),
  );
  return Object.assign((acc: number) => roundHalfEven(Math.fround(Math.fround(acc) * m)), {
    form: { arithmetic, m },
  });
}

/** Bounds and zero point of a requantization. */
export interface RequantTarget {
  zeroPoint: number;
  /** Lowest code (the type's minimum, or a fused Relu/Clip bound). */
  lo: number;
  /** Highest code. */
  hi: number;
}

/**
 * Requantize accumulators laid out as [outer, channels, inner] with one multiplier per
 * channel (or one for all when `fps.length` is 1).
 */
export function requantize(
  acc: Float64Array,
  channels: number,
  inner: number,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array {
  return requantizeWasm(acc, channels, inner, fps, t) ??
    requantizeReference(acc, channels, inner, fps, t);
}

/** The reference of {@linkcode requantize}: each multiplier called on each accumulator. */
export function requantizeReference(
  acc: Float64Array,
  channels: number,
  inner: number,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array {
  const out = new Float32Array(acc.length);
  const outer = acc.length / (channels * inner);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const fp = fps.length === 1 ? fps[0] : fps[c];
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        let q = fp(acc[base + i]) + t.zeroPoint;
        if (q < t.lo) q = t.lo;
        else if (q > t.hi) q = t.hi;
        out[base + i] = q;
      }
    }
  }
  return out;
}

/** `codes − zeroPoint` as float32 (exact for 8/16-bit codes). */
export function centered(codes: Float32Array, zeroPoint: number): Float32Array {
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] - zeroPoint;
  return out;
}

/**
 * Convolution accumulators: `acc[n, m, p] = bias[m] + Σ_k w[m, k] · x[k, p]` where `x` is
 * the centred input and `w` the weight codes [M, C/group, …kernel]. `w` is packed once
 * and reused while the array lives: do not modify it after the first call.
 */
export function convAccumulate(
  x: Float32Array,
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
): Float64Array {
  return convAccumulateWasm(x, s, w, bias) ?? convAccumulateReference(x, s, w, bias);
}

/**
 * Requantized convolution of the codes `x` (zero point `zeroPoint`):
 * `requantize(convAccumulate(centered(x, zeroPoint), …), …)`, with the accumulators kept
 * in the wasm kernels' memory when both steps run there.
 */
export function convRequantize(
  x: Float32Array,
  zeroPoint: number,
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array {
  const fused = convRequantizeWasm(x, zeroPoint, s, w, bias, fps, t);
  if (fused) return fused;
  const acc = convAccumulate(centered(x, zeroPoint), s, w, bias);
  const inner = s.window.outShape.reduce((a, v) => a * v, 1);
  return requantize(acc, s.outChannels, inner, fps, t);
}

/** The float64 reference of {@linkcode convAccumulate}. */
export function convAccumulateReference(
  x: Float32Array,
  s: ConvShape,
  w: Int32Array,
  bias: Int32Array | undefined,
): Float64Array {
  const win = s.window;
  const outP = win.outShape.reduce((a, b) => a * b, 1);
  const inP = s.inSpatial.reduce((a, b) => a * b, 1);
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const kP = win.kernel.reduce((a, b) => a * b, 1);
  const K = cg * kP;
  const acc = new Float64Array(s.batch * s.outChannels * outP);
  const col = new Float32Array(K * outP);
  for (let n = 0; n < s.batch; n++) {
    for (let gi = 0; gi < s.group; gi++) {
      im2col(x, (n * s.inChannels + gi * cg) * inP, s, col);
      for (let mm = 0; mm < mg; mm++) {
        const m = gi * mg + mm;
        const rowOff = (n * s.outChannels + m) * outP;
        const b = bias ? bias[m] : 0;
        for (let p = 0; p < outP; p++) acc[rowOff + p] = b;
        const wOff = m * K;
        for (let k = 0; k < K; k++) {
          const wk = w[wOff + k];
          if (wk === 0) continue;
          const cOff = k * outP;
          for (let p = 0; p < outP; p++) acc[rowOff + p] += wk * col[cOff + p];
        }
      }
    }
  }
  return acc;
}

/**
 * Matrix product accumulators `acc[b, i, j] = bias[j] + Σ_k a[b, i, k] · w[k, j]` for a
 * batch of row-major A [batch, M, K] and one B [K, N] (both centred / codes). An
 * Int32Array `b` is packed once and reused while the array lives: do not modify it after
 * the first call.
 */
export function matmulAccumulate(
  a: Float32Array,
  batch: number,
  m: number,
  k: number,
  b: ArrayLike<number>,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
): Float64Array {
  return matmulAccumulateWasm(a, batch * m, k, b, n, bias, bTransposed) ??
    matmulAccumulateReference(a, batch, m, k, b, n, bias, bTransposed);
}

/**
 * Requantized product of the codes `a` [rows, k] (zero point `zeroPoint`) with constant
 * codes `b`: `requantize(matmulAccumulate(centered(a, zeroPoint), 1, rows, …), n, 1, …)`,
 * with the accumulators kept in the wasm kernels' memory when both steps run there.
 */
export function matmulRequantize(
  a: Float32Array,
  zeroPoint: number,
  rows: number,
  k: number,
  b: ArrayLike<number>,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
  fps: readonly Multiplier[],
  t: RequantTarget,
): Float32Array {
  return matmulRequantizeWasm(a, zeroPoint, rows, k, b, n, bias, bTransposed, fps, t) ??
    requantize(
      matmulAccumulate(centered(a, zeroPoint), 1, rows, k, b, n, bias, bTransposed),
      n,
      1,
      fps,
      t,
    );
}

/** The float64 reference of {@linkcode matmulAccumulate}. */
export function matmulAccumulateReference(
  a: Float32Array,
  batch: number,
  m: number,
  k: number,
  b: ArrayLike<number>,
  n: number,
  bias: Int32Array | undefined,
  bTransposed: boolean,
): Float64Array {
  const acc = new Float64Array(batch * m * n);
  const row = new Float64Array(n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      if (bias) { for (let j = 0; j < n; j++) row[j] = bias[j]; }
      else row.fill(0);
      const aOff = (bi * m + i) * k;
      for (let kk = 0; kk < k; kk++) {
        const av = a[aOff + kk];
        if (av === 0) continue;
        if (bTransposed) {
          for (let j = 0; j < n; j++) row[j] += av * b[j * k + kk];
        } else {
          const bOff = kk * n;
          for (let j = 0; j < n; j++) row[j] += av * b[bOff + j];
        }
      }
      acc.set(row, (bi * m + i) * n);
    }
  }
  return acc;
}

/**
 * Requantizing addition as onnxruntime realises a QDQ `Add` (its QLinearAdd kernel on
 * x86-64 with AVX2): with float32 ratios `ra = sa/sc`, `rb = sb/sc` and the float32
 * constant `k = zc − fma(ra, za, rb·zb)`, the result is `rint(fma(a, ra, fma(b, rb, k)))`
 * on the raw codes — fused multiply-adds rounded once each to float32, then round half
 * to even. The constant's expression `ra·za + rb·zb` is written as a plain sum in
 * MLAS's source, but its AVX2 kernel is compiled with FMA code generation, so the
 * compiler contracts the first product and the sum into one fused multiply-add
 * (onnxruntime-node 1.22 on an AVX2+FMA CPU: sa = 0.029587168, za = 129,
 * sb = 0.032952528, zb = 129, sc = 0.021437641, zc = 0 and codes (96, 211) give 81,
 * where the twice-rounded constant gives 80.5 and so 80).
 *
 * @returns a function from the raw codes (a, b) to the output code (zero point included,
 *   not yet saturated)
 */
export function qdqAddition(
  sa: number,
  za: number,
  sb: number,
  zb: number,
  sc: number,
  zc: number,
): (a: number, b: number) => number {
  return qdqAdder(qdqAdditionConstants(sa, za, sb, zb, sc, zc));
}

/** The output code of two input codes under {@linkcode qdqAddition}'s constants. */
function qdqAdder({ ra, rb, k }: QdqAdditionConstants): (a: number, b: number) => number {
  return (a, b) => roundHalfEven(fma32(a, ra, fma32(b, rb, k)));
}

/** The float32 constants of {@linkcode qdqAddition}: `ra`, `rb` and `k`. */
export interface QdqAdditionConstants {
  readonly ra: number;
  readonly rb: number;
  readonly k: number;
}

/** {@linkcode qdqAddition}'s constants, for a kernel that runs the same arithmetic. */
export function qdqAdditionConstants(
  sa: number,
  za: number,
  sb: number,
  zb: number,
  sc: number,
  zc: number,
): QdqAdditionConstants {
  const f = Math.fround;
  const ra = f(f(sa) / f(sc));
  const rb = f(f(sb) / f(sc));
  return { ra, rb, k: f(zc - fma32(ra, za, f(rb * zb))) };
}

/**
 * {@linkcode qdqAddition} of two equally long code arrays, clamped to `t`'s bounds (in
 * wasm when the kernels are loaded: the same codes).
 */
export function qdqAdd(
  a: Float32Array,
  b: Float32Array,
  c: QdqAdditionConstants,
  t: RequantTarget,
): Float32Array {
  const fast = addQdqWasm(a, b, c, t);
  if (fast) return fast;
  const add = qdqAdder(c);
  const { lo, hi } = t;
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = add(a[i], b[i]);
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return out;
}
