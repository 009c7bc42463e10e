/**
 * The integer numeric model (see DESIGN.md "Numeric model"):
 *
 * - activations: asymmetric per tensor, U8 by default, U16 / S8 / S16 by layer_configs;
 * - weights: S8 symmetric per output channel; bias S32 with scale `s_in · s_w`;
 * - requantization: an int32 accumulator times a fixed-point multiplier `m · 2^-shift`
 *   (m a 31-bit integer), rounded half away from zero, then saturated;
 * - non-linear activations on 8-bit inputs: 256-entry lookup tables.
 *
 * @module
 */

/** Quantized element types, in pulsar2's spelling. */
export type QType = "U8" | "S8" | "U16" | "S16" | "S32";

/** Code range of each quantized type. */
export const QRANGE: Readonly<Record<QType, { min: number; max: number; bits: number }>> = {
  U8: { min: 0, max: 255, bits: 8 },
  S8: { min: -128, max: 127, bits: 8 },
  U16: { min: 0, max: 65535, bits: 16 },
  S16: { min: -32768, max: 32767, bits: 16 },
  S32: { min: -2147483648, max: 2147483647, bits: 32 },
};

/** True for the unsigned (asymmetric) activation types. */
export function isUnsigned(q: QType): boolean {
  return q === "U8" || q === "U16";
}

/** Scale and zero point of one quantized tensor (or one channel). */
export interface Affine {
  scale: number;
  zeroPoint: number;
}

/** Round half away from zero (the NPU's rounding). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Round half to even (onnxruntime's QuantizeLinear rounding). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round takes a tie up; r − x is exact (Sterbenz), so it is ½ exactly at a tie.
  // (No `x % 1`: a float remainder is a slow library call in the per-element loops.)
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Clamp to the code range of `q`. */
export function saturate(v: number, q: QType): number {
  const r = QRANGE[q];
  return v < r.min ? r.min : v > r.max ? r.max : v;
}

/**
 * Affine parameters for a float range [min, max] on type `q`. The range is widened to
 * contain 0 so that zero is exactly representable (padding, ReLU). Unsigned types are
 * asymmetric; signed types are symmetric with zero point 0. A degenerate range gets
 * scale 1 (every value quantizes to the zero point's neighbourhood).
 */
export function affineFromRange(min: number, max: number, q: QType): Affine {
  const r = QRANGE[q];
  let lo = Math.min(min, 0);
  let hi = Math.max(max, 0);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(`Cannot quantize the range [${min}, ${max}]: it is not finite`);
  }
  if (isUnsigned(q)) {
    if (hi - lo < 1e-12) {
      lo = 0;
      hi = 1;
    }
    const scale = Math.fround((hi - lo) / (r.max - r.min));
    const zeroPoint = saturate(roundHalfEven(r.min - lo / scale), q);
    return { scale, zeroPoint };
  }
  const amax = Math.max(Math.abs(lo), Math.abs(hi));
  const scale = Math.fround(amax < 1e-12 ? 1 : amax / r.max);
  return { scale, zeroPoint: 0 };
}

/** Quantize one value (round half to even, as ONNX QuantizeLinear). */
export function quantizeValue(x: number, a: Affine, q: QType): number {
  return saturate(roundHalfEven(x / a.scale) + a.zeroPoint, q);
}

/** Dequantize one code. */
export function dequantizeValue(code: number, a: Affine): number {
  return (code - a.zeroPoint) * a.scale;
}

/** A real multiplier as `multiplier · 2^-shift` with a 31-bit multiplier. */
export interface FixedPoint {
  multiplier: number;
  shift: number;
}

/**
 * Express a positive real `m` as `multiplier · 2^-shift` with multiplier in
 * [2^30, 2^31). Zero gives multiplier 0.
 */
export function toFixedPoint(m: number): FixedPoint {
  if (!(m > 0)) return { multiplier: 0, shift: 0 };
  let shift = 0;
  let v = m;
  while (v < 2 ** 30) {
    v *= 2;
    shift++;
  }
  while (v >= 2 ** 31) {
    v /= 2;
    shift--;
  }
  let multiplier = Math.round(v);
  if (multiplier === 2 ** 31) {
    multiplier = 2 ** 30;
    shift--;
  }
  return { multiplier, shift };
}

/**
 * `acc · multiplier · 2^-shift`, rounded half away from zero, exactly (BigInt-free:
 * the product fits a double's 53-bit mantissa only for small acc, so the wide path
 * splits the multiplier).
 */
export function applyFixedPoint(acc: number, fp: FixedPoint): number {
  if (fp.multiplier === 0) return 0;
  const neg = acc < 0;
  const a = Math.abs(acc);
  // a < 2^31 and multiplier < 2^31: split multiplier into 16-bit halves so each partial
  // product stays below 2^47 and the sum is exact in a double.
  const hi = Math.floor(fp.multiplier / 65536);
  const lo = fp.multiplier - hi * 65536;
  const prodHi = a * hi; // < 2^46
  const prodLo = a * lo; // < 2^47
  // value = (prodHi * 65536 + prodLo) / 2^shift
  let q: number;
  if (fp.shift >= 16) {
    const s = fp.shift - 16;
    const t = prodHi + prodLo / 65536; // exact: prodLo/65536 has ≤ 16 fractional bits
    q = Math.floor(t / 2 ** s + 0.5);
  } else {
    q = Math.floor((prodHi * 65536 + prodLo) / 2 ** fp.shift + 0.5);
  }
  return neg ? -q : q;
}
