// Comparison sums of the precision analysis (core/report/metrics.ts): float32 values in,
// float64 sums out. Four elements per step, each sum kept in two f64x2 accumulators (low
// and high halves of the f32x4), so the sums are taken in four interleaved partial sums
// instead of element order: they differ from the TypeScript loop in the last bits.

import { highHalf, roundF32 } from "./simd";

/**
 * Σ a·b, Σ a², Σ b², Σ (a − b)² and max |a − b| (NaN when any difference is NaN) of n
 * pairs of floats, written as five float64 at `out`.
 */
export function similaritySums(a: usize, b: usize, n: i32, out: usize): void {
  let dot0 = f64x2.splat(0), dot1 = f64x2.splat(0);
  let na0 = f64x2.splat(0), na1 = f64x2.splat(0);
  let nb0 = f64x2.splat(0), nb1 = f64x2.splat(0);
  let se0 = f64x2.splat(0), se1 = f64x2.splat(0);
  let mx = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const va = v128.load(a + (<usize>i << 2));
    const vb = v128.load(b + (<usize>i << 2));
    const a0 = f64x2.promote_low_f32x4(va), a1 = f64x2.promote_low_f32x4(highHalf(va));
    const b0 = f64x2.promote_low_f32x4(vb), b1 = f64x2.promote_low_f32x4(highHalf(vb));
    dot0 = f64x2.add(dot0, f64x2.mul(a0, b0));
    dot1 = f64x2.add(dot1, f64x2.mul(a1, b1));
    na0 = f64x2.add(na0, f64x2.mul(a0, a0));
    na1 = f64x2.add(na1, f64x2.mul(a1, a1));
    nb0 = f64x2.add(nb0, f64x2.mul(b0, b0));
    nb1 = f64x2.add(nb1, f64x2.mul(b1, b1));
    const d0 = f64x2.sub(a0, b0), d1 = f64x2.sub(a1, b1);
    se0 = f64x2.add(se0, f64x2.mul(d0, d0));
    se1 = f64x2.add(se1, f64x2.mul(d1, d1));
    mx = f64x2.pmax(mx, f64x2.pmax(f64x2.abs(d0), f64x2.abs(d1)));
  }
  finish(a, b, i, n, out, dot0, dot1, na0, na1, nb0, nb1, se0, se1, mx, false, 0, 0);
}

/**
 * {@link similaritySums} of integer codes against floats, each code dequantized as
 * `(code − zeroPoint) · scale` in float64 rounded once to float32 (per-tensor
 * DequantizeLinear). With `single` (a float32 scale, an integer zero point and codes
 * within 2^24 of it) the dequantization runs in float32: the difference is exact there
 * and the product of two float32 is exact in float64, so float32 multiplication rounds it
 * once, to the same value.
 */
export function codeSimilaritySums(
  codes: usize,
  zeroPoint: f64,
  scale: f64,
  b: usize,
  n: i32,
  out: usize,
  single: bool,
): void {
  const zp = f64x2.splat(zeroPoint), sc = f64x2.splat(scale);
  const zp4 = f32x4.splat(<f32>zeroPoint), sc4 = f32x4.splat(<f32>scale);
  let dot0 = f64x2.splat(0), dot1 = f64x2.splat(0);
  let na0 = f64x2.splat(0), na1 = f64x2.splat(0);
  let nb0 = f64x2.splat(0), nb1 = f64x2.splat(0);
  let se0 = f64x2.splat(0), se1 = f64x2.splat(0);
  let mx = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const vc = v128.load(codes + (<usize>i << 2));
    const vb = v128.load(b + (<usize>i << 2));
    let a0: v128, a1: v128;
    if (single) {
      const a = f32x4.mul(f32x4.sub(vc, zp4), sc4);
      a0 = f64x2.promote_low_f32x4(a);
      a1 = f64x2.promote_low_f32x4(highHalf(a));
    } else {
      const c0 = f64x2.promote_low_f32x4(vc), c1 = f64x2.promote_low_f32x4(highHalf(vc));
      a0 = roundF32(f64x2.mul(f64x2.sub(c0, zp), sc));
      a1 = roundF32(f64x2.mul(f64x2.sub(c1, zp), sc));
    }
    const b0 = f64x2.promote_low_f32x4(vb), b1 = f64x2.promote_low_f32x4(highHalf(vb));
    dot0 = f64x2.add(dot0, f64x2.mul(a0, b0));
    dot1 = f64x2.add(dot1, f64x2.mul(a1, b1));
    na0 = f64x2.add(na0, f64x2.mul(a0, a0));
    na1 = f64x2.add(na1, f64x2.mul(a1, a1));
    nb0 = f64x2.add(nb0, f64x2.mul(b0, b0));
    nb1 = f64x2.add(nb1, f64x2.mul(b1, b1));
    const d0 = f64x2.sub(a0, b0), d1 = f64x2.sub(a1, b1);
    se0 = f64x2.add(se0, f64x2.mul(d0, d0));
    se1 = f64x2.add(se1, f64x2.mul(d1, d1));
    mx = f64x2.pmax(mx, f64x2.pmax(f64x2.abs(d0), f64x2.abs(d1)));
  }
  finish(codes, b, i, n, out, dot0, dot1, na0, na1, nb0, nb1, se0, se1, mx, true, zeroPoint, scale);
}

@inline
function lanes(x: v128, y: v128): f64 {
  const s = f64x2.add(x, y);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

// The tail (n mod 4 elements) element by element, then the five sums stored.
@inline
function finish(
  a: usize,
  b: usize,
  from: i32,
  n: i32,
  out: usize,
  dot0: v128,
  dot1: v128,
  na0: v128,
  na1: v128,
  nb0: v128,
  nb1: v128,
  se0: v128,
  se1: v128,
  mx: v128,
  coded: bool,
  zeroPoint: f64,
  scale: f64,
): void {
  let dot = lanes(dot0, dot1), na = lanes(na0, na1), nb = lanes(nb0, nb1);
  let se = lanes(se0, se1);
  let m = max<f64>(f64x2.extract_lane(mx, 0), f64x2.extract_lane(mx, 1));
  for (let i = from; i < n; i++) {
    const raw = <f64>load<f32>(a + (<usize>i << 2));
    const x = coded ? <f64><f32>((raw - zeroPoint) * scale) : raw;
    const y = <f64>load<f32>(b + (<usize>i << 2));
    dot += x * y;
    na += x * x;
    nb += y * y;
    const d = x - y;
    se += d * d;
    m = max<f64>(m, abs<f64>(d));
  }
  store<f64>(out, dot);
  store<f64>(out, na, 8);
  store<f64>(out, nb, 16);
  store<f64>(out, se, 24);
  // pmax (one instruction, unlike max) skips NaN; a NaN difference makes Σ (a − b)² NaN
  // (no other way: squares are never −∞), which tells it
  store<f64>(out, se != se ? NaN : m, 32);
}
