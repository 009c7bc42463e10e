// Calibration observers over float32 values.

/**
 * Smallest and largest non-NaN value of n floats, written as two floats at `out`
 * (+∞ and −∞ when there are none). Which zero (±0) is reported when the extreme is
 * zero is left to the caller, which knows the reference's scan order.
 */
export function minMax(x: usize, n: i32, out: usize): void {
  let lo = f32x4.splat(Infinity), hi = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    lo = f32x4.pmin(lo, v);
    hi = f32x4.pmax(hi, v);
  }
  let l: f32 = Infinity, h: f32 = -Infinity;
  for (let t = 0; t < 4; t++) {
    const a = f32x4.extract_lane(lo, 0);
    const b = f32x4.extract_lane(hi, 0);
    if (a < l) l = a;
    if (b > h) h = b;
    lo = i32x4.shuffle(lo, lo, 1, 2, 3, 0);
    hi = i32x4.shuffle(hi, hi, 1, 2, 3, 0);
  }
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v < l) l = v;
    if (v > h) h = v;
  }
  store<f32>(out, l);
  store<f32>(out, h, 4);
}

/**
 * Add n floats to i32 bin counts: bin floor((v − lo)·inv) in float64, clamped to
 * [0, bins − 1]; NaN values are not counted.
 */
export function histogram(x: usize, n: i32, lo: f64, inv: f64, bins: i32, counts: usize): void {
  const last = <f64>(bins - 1);
  for (let i = 0; i < n; i++) {
    const b = Math.floor((<f64>load<f32>(x + (<usize>i << 2)) - lo) * inv);
    if (b != b) continue;
    const k = b < 0 ? 0 : b > last ? bins - 1 : <i32>b;
    const p = counts + (<usize>k << 2);
    store<i32>(p, load<i32>(p) + 1);
  }
}
