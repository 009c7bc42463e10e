// LayerNormalization over contiguous float32 rows, in float64 exactly as the TypeScript
// loop in core/ops/nn/norm.ts: the mean and the variance are sequential float64 sums (the
// same order, so the same bits); the affine step is element-wise, so its float64x2 lanes
// round as the scalar loop does. The sums are chains of dependent adds, so four rows
// run together, one row per float64 lane, each lane still summing in the row's order.

/** Two float32 at `p` widened to float64 lanes. */
@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** The float32 at `a` and the one at `b` as float64 lanes 0 and 1. */
@inline
function pair(a: usize, b: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_lane(b, v128.load32_zero(a), 1));
}

/** y = (x − mean)·inv·scale (+ bias) of one row from its sums; stores mean and inv. */
@inline
function finishRow(
  xr: usize, yr: usize, inner: i32, scale: usize, bias: usize, eps: f64,
  mean: f64, v: f64, meanAt: usize, invAt: usize,
): void {
  const inv = 1 / sqrt(v / <f64>inner + eps);
  store<f32>(meanAt, <f32>mean);
  store<f32>(invAt, <f32>inv);
  const mv = f64x2.splat(mean), iv = f64x2.splat(inv);
  let i = 0;
  for (; i + 2 <= inner; i += 2) {
    const o = <usize>i << 2;
    let t = f64x2.mul(f64x2.mul(f64x2.sub(load2(xr + o), mv), iv), load2(scale + o));
    if (bias) t = f64x2.add(t, load2(bias + o));
    v128.store64_lane(yr + o, f32x4.demote_f64x2_zero(t), 0);
  }
  for (; i < inner; i++) {
    const o = <usize>i << 2;
    let t = (<f64>load<f32>(xr + o) - mean) * inv * <f64>load<f32>(scale + o);
    if (bias) t += <f64>load<f32>(bias + o);
    store<f32>(yr + o, <f32>t);
  }
}

/**
 * For each of `rows` rows of `inner` floats: y = (x − mean)·inv·scale (+ bias) with
 * inv = 1/√(var + eps); the row's mean and inv go to `means` and `invs` as float32.
 * `bias` 0 means none.
 */
export function layerNorm(
  x: usize, y: usize, rows: i32, inner: i32, scale: usize, bias: usize, eps: f64,
  means: usize, invs: usize,
): void {
  const n = <f64>inner;
  const rs = <usize>inner << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = x + <usize>r * rs;
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
    for (let i = 0; i < inner; i++) {
      const o = x0 + (<usize>i << 2);
      s01 = f64x2.add(s01, pair(o, o + rs));
      s23 = f64x2.add(s23, pair(o + 2 * rs, o + 3 * rs));
    }
    const m01 = f64x2.div(s01, f64x2.splat(n)), m23 = f64x2.div(s23, f64x2.splat(n));
    let v01 = f64x2.splat(0), v23 = f64x2.splat(0);
    for (let i = 0; i < inner; i++) {
      const o = x0 + (<usize>i << 2);
      const d01 = f64x2.sub(pair(o, o + rs), m01);
      const d23 = f64x2.sub(pair(o + 2 * rs, o + 3 * rs), m23);
      v01 = f64x2.add(v01, f64x2.mul(d01, d01));
      v23 = f64x2.add(v23, f64x2.mul(d23, d23));
    }
    const y0 = y + <usize>r * rs;
    const at = <usize>r << 2;
    finishRow(x0, y0, inner, scale, bias, eps, f64x2.extract_lane(m01, 0),
      f64x2.extract_lane(v01, 0), means + at, invs + at);
    finishRow(x0 + rs, y0 + rs, inner, scale, bias, eps, f64x2.extract_lane(m01, 1),
      f64x2.extract_lane(v01, 1), means + at + 4, invs + at + 4);
    finishRow(x0 + 2 * rs, y0 + 2 * rs, inner, scale, bias, eps, f64x2.extract_lane(m23, 0),
      f64x2.extract_lane(v23, 0), means + at + 8, invs + at + 8);
    finishRow(x0 + 3 * rs, y0 + 3 * rs, inner, scale, bias, eps, f64x2.extract_lane(m23, 1),
      f64x2.extract_lane(v23, 1), means + at + 12, invs + at + 12);
  }
  for (; r < rows; r++) {
    const xr = x + <usize>r * rs;
    let s: f64 = 0;
    for (let i = 0; i < inner; i++) s += <f64>load<f32>(xr + (<usize>i << 2));
    const mean = s / n;
    let v: f64 = 0;
    for (let i = 0; i < inner; i++) {
      const d = <f64>load<f32>(xr + (<usize>i << 2)) - mean;
      v += d * d;
    }
    finishRow(xr, y + <usize>r * rs, inner, scale, bias, eps, mean, v, means + (<usize>r << 2),
      invs + (<usize>r << 2));
  }
}
