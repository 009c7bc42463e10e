// Erf and exact Gelu of float32 values, computed in float64 exactly as the TypeScript
// loops do (core/ops/elementwise/erf_table.ts): a degree-5 Taylor step from the nearest
// point of a 1/64 grid on [0, 6]. The caller passes the grid (six float64 per point:
// erf(x₀) and the five coefficients), so both paths read the same numbers and, with the
// same operations in the same order in each float64x2 lane, give the same bits.

const PER_UNIT: f64 = 64;
/** 1/PER_UNIT: a power of two, so multiplying by it is exact, like the division. */
const STEP: f64 = 1.0 / 64;
const LIMIT: f64 = 6;
const SQRT1_2: f64 = 0.7071067811865476;
/** Bytes per grid point. */
const POINT: i32 = 48;

/** The float64 at byte offset `off` of grid points `a` and `b` in lanes 0 and 1. */
@inline
function pair(a: usize, b: usize, off: usize): v128 {
  return v128.load64_lane(b + off, v128.load64_zero(a + off), 1);
}

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
  const ki = i32x4.trunc_sat_f64x2_s_zero(k);
  const a = table + <usize>(i32x4.extract_lane(ki, 0) * POINT);
  const b = table + <usize>(i32x4.extract_lane(ki, 1) * POINT);
  let v = f64x2.mul(h, pair(a, b, 40));
  v = f64x2.mul(h, f64x2.add(pair(a, b, 32), v));
  v = f64x2.mul(h, f64x2.add(pair(a, b, 24), v));
  v = f64x2.mul(h, f64x2.add(pair(a, b, 16), v));
  v = f64x2.mul(h, f64x2.add(pair(a, b, 8), v));
  v = f64x2.add(pair(a, b, 0), v);
  const neg = f64x2.lt(x, f64x2.splat(0));
  v = v128.bitselect(f64x2.neg(v), v, neg);
  const sign = v128.bitselect(f64x2.splat(-1), f64x2.splat(1), neg);
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

/** x/2 · (1 + erf(x/√2)) in both lanes. */
@inline
function gelu2(x: v128, table: usize): v128 {
  const e = erf2(f64x2.mul(x, f64x2.splat(SQRT1_2)), table);
  return f64x2.mul(f64x2.mul(f64x2.splat(0.5), x), f64x2.add(f64x2.splat(1), e));
}

/** y = erf(x) over n float32 values (in place allowed). */
export function erfF32(x: usize, y: usize, n: i32, table: usize): void {
  let i = 0;
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

/** y = x/2 · (1 + erf(x/√2)) over n float32 values (in place allowed). */
export function geluF32(x: usize, y: usize, n: i32, table: usize): void {
  let i = 0;
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
