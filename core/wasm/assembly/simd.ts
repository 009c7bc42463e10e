// Arithmetic helpers shared by the kernels. The relaxed build fuses multiply-add.

/** `c + a·b`: fused (one rounding) in the relaxed build, mul then add otherwise. */
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
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
