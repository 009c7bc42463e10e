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

@inline
function op4(op: i32, x: v128, y: v128): v128 {
  if (op == 0) return f32x4.add(x, y);
  if (op == 1) return f32x4.sub(x, y);
  if (op == 2) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

@inline
function op1(op: i32, x: f32, y: f32): f32 {
  if (op == 0) return x + y;
  if (op == 1) return x - y;
  if (op == 2) return x * y;
  return x / y;
}

/**
 * y[k] = a[k·sa] ∘ b[k·sb] for k < n, ∘ = add, sub, mul, div for op 0..3 (one float32
 * rounding, which is what float64 arithmetic rounded to float32 gives too).
 */
export function binary(op: i32, a: usize, sa: i32, b: usize, sb: i32, y: usize, n: i32): void {
  let k = 0;
  if (sa == 1 && sb == 1) {
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      v128.store(y + o, op4(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1 && sb == 0) {
    const bv = v128.load32_splat(b);
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      v128.store(y + o, op4(op, v128.load(a + o), bv));
    }
  } else if (sa == 0 && sb == 1) {
    const av = v128.load32_splat(a);
    for (; k + 4 <= n; k += 4) {
      const o = <usize>k << 2;
      v128.store(y + o, op4(op, av, v128.load(b + o)));
    }
  }
  for (; k < n; k++) {
    store<f32>(
      y + (<usize>k << 2),
      op1(op, load<f32>(a + (<usize>(k * sa) << 2)), load<f32>(b + (<usize>(k * sb) << 2))),
    );
  }
}
