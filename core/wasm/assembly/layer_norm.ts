// LayerNormalization over contiguous float32 rows, in float64 exactly as the TypeScript
// loop in core/ops/nn/norm.ts: the mean and the variance are sequential float64 sums (the
// same order, so the same bits); the affine step is element-wise, so its float64x2 lanes
// round as the scalar loop does.

/** Two float32 at `p` widened to float64 lanes. */
@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
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
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * <usize>inner * 4;
    const yr = y + <usize>r * <usize>inner * 4;
    let s: f64 = 0;
    for (let i = 0; i < inner; i++) s += <f64>load<f32>(xr + (<usize>i << 2));
    const mean = s / n;
    let v: f64 = 0;
    for (let i = 0; i < inner; i++) {
      const d = <f64>load<f32>(xr + (<usize>i << 2)) - mean;
      v += d * d;
    }
    const inv = 1 / sqrt(v / n + eps);
    store<f32>(means + (<usize>r << 2), <f32>mean);
    store<f32>(invs + (<usize>r << 2), <f32>inv);
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
}
