// Erf and exact Gelu of float32 values, computed in float64 exactly as the TypeScript
// loops do (core/ops/elementwise/erf_table.ts): a degree-5 Taylor step from the nearest
// point of a 1/64 grid on [0, 6]. The caller passes the grid (six float64 per point:
// erf(x₀) and the five coefficients), so both paths read the same numbers and, with the
// same operations in the same order in each float64x2 lane, give the same bits.
// The relaxed build computes in float32 lanes instead (erf_f32.ts, no table).

import { erfF32x4, geluF32x4 } from "./erf_f32";

const PER_UNIT: f64 = 64;
/** 1/PER_UNIT: a power of two, so multiplying by it is exact, like the division. */
const STEP: f64 = 1.0 / 64;
const LIMIT: f64 = 6;
const SQRT1_2: f64 = 0.7071067811865476;
/** Bytes per grid point. */
const POINT: i32 = 48;

/** 2⁵²: adding it to an integer-valued float64 in [0, 2³¹) puts the integer in the low word. */
const MAGIC: f64 = 4503599627370496;

/**
 * erf of both float64 lanes by the table step; ±1 beyond |x| = 6, NaN for NaN, ±0 for
 * ±0 (the reference's `Math.sign`, `Number.isNaN` and zero cases).
 */
@inline
function erf2(x: v128, table: usize): v128 {
  const ax = f64x2.abs(x);
  const inside = f64x2.lt(ax, f64x2.splat(LIMIT));
  // lanes outside [0, 6) (and NaN) read grid point 0; their result is replaced below
  const s = v128.and(f64x2.mul(ax, f64x2.splat(PER_UNIT)), inside);
  // Math.round of a non-negative value: floor, then up from a fraction of one half
  const fl = f64x2.floor(s);
  const up = f64x2.ge(f64x2.sub(s, fl), f64x2.splat(0.5));
  const k = f64x2.add(fl, v128.and(up, f64x2.splat(1)));
  const h = f64x2.sub(ax, f64x2.mul(k, f64x2.splat(STEP)));
  // k is an integer in [0, 384]: its low word after the 2⁵² add (exact) is the index
  const ki = f64x2.add(k, f64x2.splat(MAGIC));
  const a = table + <usize>(i32x4.extract_lane(ki, 0) * POINT);
  const b = table + <usize>(i32x4.extract_lane(ki, 2) * POINT);
  // each point's six float64 as three vectors; lanes regrouped as (point a, point b)
  const a01 = v128.load(a), a23 = v128.load(a, 16), a45 = v128.load(a, 32);
  const b01 = v128.load(b), b23 = v128.load(b, 16), b45 = v128.load(b, 32);
  let v = f64x2.mul(h, i32x4.shuffle(a45, b45, 2, 3, 6, 7));
  v = f64x2.mul(h, f64x2.add(i32x4.shuffle(a45, b45, 0, 1, 4, 5), v));
  v = f64x2.mul(h, f64x2.add(i32x4.shuffle(a23, b23, 2, 3, 6, 7), v));
  v = f64x2.mul(h, f64x2.add(i32x4.shuffle(a23, b23, 0, 1, 4, 5), v));
  v = f64x2.mul(h, f64x2.add(i32x4.shuffle(a01, b01, 2, 3, 6, 7), v));
  v = f64x2.add(i32x4.shuffle(a01, b01, 0, 1, 4, 5), v);
  // x's sign bit moved onto v and onto 1: −v and −1 where x < 0, as a compare and
  // selects would give; they differ only for −0 and NaN, whose lanes return x below
  const xs = v128.and(x, f64x2.splat(-0.0));
  v = v128.xor(v, xs);
  const sign = v128.or(f64x2.splat(1), xs);
  const nan = f64x2.ne(x, x);
  const outside = v128.bitselect(x, sign, nan);
  v = v128.bitselect(v, outside, inside);
  return v128.bitselect(x, v, f64x2.eq(ax, f64x2.splat(0)));
}

/** Two float32 at `p` as float64 lanes. */
@inline
function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Both float64 lanes of `v` as two float32 at `p`. */
@inline
function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** The float64 lanes of `lo` then `hi` as four float32 at `p`. */
@inline
function store4(p: usize, lo: v128, hi: v128): void {
  v128.store(p, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}

/** x/2 · (1 + erf(x/√2)) in both lanes. */
@inline
function gelu2(x: v128, table: usize): v128 {
  const e = erf2(f64x2.mul(x, f64x2.splat(SQRT1_2)), table);
  return f64x2.mul(f64x2.mul(f64x2.splat(0.5), x), f64x2.add(f64x2.splat(1), e));
}

/** y = erf(x) over n float32 values (in place allowed; the relaxed build: erf_f32.ts). */
export function erfF32(x: usize, y: usize, n: i32, table: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    erfF32x4(x, y, n);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const lo = erf2(f64x2.promote_low_f32x4(v), table);
    const hi = erf2(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), table);
    store4(y + o, lo, hi);
  }
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    store2(y + o, erf2(load2(x + o), table));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const v = erf2(f64x2.splat(<f64>load<f32>(x + o)), table);
    store<f32>(y + o, <f32>f64x2.extract_lane(v, 0));
  }
}

/**
 * y = x/2 · (1 + erf(x/√2)) over n float32 values (in place allowed; the relaxed build:
 * erf_f32.ts).
 */
export function geluF32(x: usize, y: usize, n: i32, table: usize): void {
  if (ASC_FEATURE_RELAXED_SIMD) {
    geluF32x4(x, y, n);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(x + o);
    const lo = gelu2(f64x2.promote_low_f32x4(v), table);
    const hi = gelu2(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), table);
    store4(y + o, lo, hi);
  }
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    store2(y + o, gelu2(load2(x + o), table));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const v = gelu2(f64x2.splat(<f64>load<f32>(x + o)), table);
    store<f32>(y + o, <f32>f64x2.extract_lane(v, 0));
  }
}
