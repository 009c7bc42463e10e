// Arithmetic helpers shared by the kernels. The relaxed build fuses multiply-add; every
// other helper rounds exactly as the TypeScript reference kernels do.

/**
 * 1.5·2²³: adding it to a float32 w in [−2²², 2²²] leaves round(w) (ties to even) in the
 * low mantissa bits of the sum.
 */
export const ROUND_MAGIC: f32 = 12582912;
/**
 * The bits of {@linkcode ROUND_MAGIC} less the float32 exponent bias: for n = round(w),
 * (bits(w + ROUND_MAGIC) − this) << 23 are the bits of 2ⁿ (n a normal exponent).
 */
export const ROUND_MAGIC_POW2: i32 = 0x4b400000 - 127;

/** `c + a·b`: fused (one rounding) in the relaxed build, mul then add otherwise. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Round the two float64 lanes to float32 and back (a Float32Array store and load). */
@inline
export function roundF32(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(v));
}

/** Lanes 2 and 3 of `v` moved to lanes 0 and 1. */
@inline
export function highHalf(v: v128): v128 {
  return i32x4.shuffle(v, v, 2, 3, 2, 3);
}

/** Lanes 0, 1 of `lo` and lanes 0, 1 of `hi` as one f32x4. */
@inline
export function joinHalves(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(lo, hi, 0, 1, 4, 5);
}

/** Four floats at `p`, `p + s`, `p + 2s`, `p + 3s` (s a byte stride). */
@inline
export function loadStrided(p: usize, s: usize): v128 {
  if (s == 4) return v128.load(p);
  if (s == 8) return i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
  let v = f32x4.splat(load<f32>(p));
  v = f32x4.replace_lane(v, 1, load<f32>(p + s));
  v = f32x4.replace_lane(v, 2, load<f32>(p + 2 * s));
  return f32x4.replace_lane(v, 3, load<f32>(p + 3 * s));
}
