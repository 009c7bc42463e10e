// Element-wise float32 kernels over n contiguous values (in place allowed). The
// comparisons are the pseudo-min/max ones (`b < a ? b : a`), which keep NaN and −0
// exactly as the TypeScript reference loops do.

/** y = x < lo ? (lo > hi ? hi : lo) : x > hi ? hi : x. */
export function clip(x: usize, y: usize, n: i32, lo: f32, hi: f32): void {
  const l = f32x4.splat(lo), h = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.pmin(f32x4.pmax(v128.load(x + o), l), h));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v < lo ? (lo > hi ? hi : lo) : v > hi ? hi : v);
  }
}

/** y = x < 0 ? 0 : x. */
export function relu(x: usize, y: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.pmax(v128.load(x + o), z));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v < 0 ? 0 : v);
  }
}
