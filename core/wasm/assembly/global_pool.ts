// GlobalAveragePool over contiguous float32 planes, with the float64 sums of the
// TypeScript reference (core/ops/nn/global_pool.ts): per plane, lane 0 of an f64x2
// accumulates the even elements and lane 1 the odd ones, in element order; the odd
// last element goes to lane 0; the mean is (even + odd) / n rounded once to float32.
// Four planes run side by side so the four add chains overlap; each plane's sums keep
// their order, so the bits are the reference's.

/** Elements 2k and 2k + 1 of the plane at `p`, as float64. */
@inline
function pair(p: usize, k: i32): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p + (<usize>k << 3)));
}

/** The mean of one plane's sums `acc` (even, odd), plus its last element when n is odd. */
@inline
function mean(acc: v128, p: usize, n: i32): f32 {
  let even = f64x2.extract_lane(acc, 0);
  if (n & 1) even += <f64>load<f32>(p + (<usize>(n - 1) << 2));
  return <f32>((even + f64x2.extract_lane(acc, 1)) / <f64>n);
}

/** y[i] = mean of the `n` floats of plane i of `x`, for `planes` planes. */
export function globalAvgPool(x: usize, y: usize, planes: i32, n: i32): void {
  const pairs = n >> 1;
  const bytes = <usize>n << 2;
  let i = 0;
  for (; i + 4 <= planes; i += 4) {
    const p0 = x + <usize>i * bytes, p1 = p0 + bytes, p2 = p1 + bytes, p3 = p2 + bytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    for (let k = 0; k < pairs; k++) {
      a0 = f64x2.add(a0, pair(p0, k));
      a1 = f64x2.add(a1, pair(p1, k));
      a2 = f64x2.add(a2, pair(p2, k));
      a3 = f64x2.add(a3, pair(p3, k));
    }
    const q = y + (<usize>i << 2);
    store<f32>(q, mean(a0, p0, n));
    store<f32>(q, mean(a1, p1, n), 4);
    store<f32>(q, mean(a2, p2, n), 8);
    store<f32>(q, mean(a3, p3, n), 12);
  }
  for (; i < planes; i++) {
    const p = x + <usize>i * bytes;
    let a = f64x2.splat(0);
    for (let k = 0; k < pairs; k++) a = f64x2.add(a, pair(p, k));
    store<f32>(y + (<usize>i << 2), mean(a, p, n));
  }
}
