// Erf and exact Gelu in float32 lanes, for the relaxed build only: four values per vector
// and no table, within 2 float32 ulp of the true erf (1.65 ulp in a float32 emulation of
// these steps without fused multiply-adds; tested in core/ops/elementwise/erf_wasm_test.ts),
// where the exact build keeps erf.ts's float64 table step and the TypeScript loops' bits.
//
// Two regions of |x|, both computed for every lane and selected:
// - |x| < SPLIT: erf(x) = x + x·q(x²) with q of degree 6. The leading x is exact, so the
//   roundings act on the small correction x·q only.
// - SPLIT <= |x|: erf(x) = 1 − erfc(x) with erfc(x) = 2^(h(x) − x²·log₂e), where
//   h = log₂ erfc(x) + x²·log₂e is of degree 7 in x − CENTER. h stays between −1.2 and
//   −4, so its roundings (unlike a fit of log₂ erfc itself, whose terms reach ±12 and
//   cancel) cost hundredths of an ulp of erf; erfc < 0.2 there, which scales the power's
//   error down. Beyond CLAMP, erfc < 2⁻²⁵ and erf rounds to ±1: erfc is taken as 0, and
//   the power's exponent stays in [−26, −1] (one normal scale, no underflow case).
// - 2^w = 2ⁿ·2^r with n = round(w), r = w − n exact, 2^r of degree 6 on [−½, ½].
//
// The coefficients are near-minimax fits (least squares reweighted by the error, Lawson's
// method; erfc weighted by erfc, 2^r relative) against 30-digit values on 20 000 points,
// rounded to float32. Polynomials run in Estrin's order (pairs, then x², x⁴): the chains
// of dependent multiply-adds are half as long as Horner's, and the loops were bound by
// their latency.
//
// Constants live in v128 globals set at each call: V8 rebuilds every v128.const in a
// loop from immediates (several instructions each), and the optimizer folds constant
// locals back into v128.const; a global is one load.

import { madd, ROUND_MAGIC, ROUND_MAGIC_POW2 } from "./simd";

const SPLIT: f32 = 0.921875;
const CLAMP: f32 = 4;
const CENTER: f32 = 2.5;

let vQ0: v128 = i32x4.splat(0);
let vQ1: v128 = i32x4.splat(0);
let vQ2: v128 = i32x4.splat(0);
let vQ3: v128 = i32x4.splat(0);
let vQ4: v128 = i32x4.splat(0);
let vQ5: v128 = i32x4.splat(0);
let vQ6: v128 = i32x4.splat(0);
let vH0: v128 = i32x4.splat(0);
let vH1: v128 = i32x4.splat(0);
let vH2: v128 = i32x4.splat(0);
let vH3: v128 = i32x4.splat(0);
let vH4: v128 = i32x4.splat(0);
let vH5: v128 = i32x4.splat(0);
let vH6: v128 = i32x4.splat(0);
let vH7: v128 = i32x4.splat(0);
let vP1: v128 = i32x4.splat(0);
let vP2: v128 = i32x4.splat(0);
let vP3: v128 = i32x4.splat(0);
let vP4: v128 = i32x4.splat(0);
let vP5: v128 = i32x4.splat(0);
let vP6: v128 = i32x4.splat(0);
let vOne: v128 = i32x4.splat(0);
let vTwo: v128 = i32x4.splat(0);
let vHalf: v128 = i32x4.splat(0);
let vSign: v128 = i32x4.splat(0);
let vSplit: v128 = i32x4.splat(0);
let vClamp: v128 = i32x4.splat(0);
let vCenter: v128 = i32x4.splat(0);
let vLog2e: v128 = i32x4.splat(0);
let vSqrt1_2: v128 = i32x4.splat(0);
let vMagic: v128 = i32x4.splat(0);
let vBias: v128 = i32x4.splat(0);

/** Set the constants' globals (cheap beside any loop over a tensor). */
@inline
function setup(): void {
  // q(t) = erf(x)/x − 1 for t = x² in [0, SPLIT²]
  vQ0 = f32x4.splat(1.28379166e-01);
  vQ1 = f32x4.splat(-3.76126349e-01);
  vQ2 = f32x4.splat(1.12837017e-01);
  vQ3 = f32x4.splat(-2.68597025e-02);
  vQ4 = f32x4.splat(5.20171551e-03);
  vQ5 = f32x4.splat(-8.14980129e-04);
  vQ6 = f32x4.splat(8.39777495e-05);
  // h(x) = log₂ erfc(x) + x²·log₂e for u = x − CENTER, x in [SPLIT, CLAMP]
  vH0 = f32x4.splat(-2.24600744e+00);
  vH1 = f32x4.splat(-5.08804619e-01);
  vH2 = f32x4.splat(8.09371173e-02);
  vH3 = f32x4.splat(-1.56883579e-02);
  vH4 = f32x4.splat(3.12325894e-03);
  vH5 = f32x4.splat(-5.85359987e-04);
  vH6 = f32x4.splat(1.18185904e-04);
  vH7 = f32x4.splat(-2.45478295e-05);
  // 2^r = 1 + P1·r + … + P6·r⁶ for r in [−½, ½]
  vP1 = f32x4.splat(6.93147182e-01);
  vP2 = f32x4.splat(2.40226477e-01);
  vP3 = f32x4.splat(5.55033237e-02);
  vP4 = f32x4.splat(9.61843785e-03);
  vP5 = f32x4.splat(1.33988750e-03);
  vP6 = f32x4.splat(1.53533503e-04);
  vOne = f32x4.splat(1);
  vTwo = f32x4.splat(2);
  vHalf = f32x4.splat(0.5);
  vSign = f32x4.splat(-0.0);
  vSplit = f32x4.splat(SPLIT);
  vClamp = f32x4.splat(CLAMP);
  vCenter = f32x4.splat(CENTER);
  vLog2e = f32x4.splat(1.44269504);
  vSqrt1_2 = f32x4.splat(0.70710678);
  vMagic = f32x4.splat(ROUND_MAGIC);
  vBias = i32x4.splat(ROUND_MAGIC_POW2);
}

/** erf(a) for lanes with 0 <= a < SPLIT (other lanes: unused values). */
@inline
function erfSmall(a: v128): v128 {
  const t = f32x4.mul(a, a);
  const t2 = f32x4.mul(t, t);
  const t4 = f32x4.mul(t2, t2);
  const lo = madd(madd(vQ3, t, vQ2), t2, madd(vQ1, t, vQ0));
  const hi = madd(vQ6, t2, madd(vQ5, t, vQ4));
  return madd(a, madd(hi, t4, lo), a);
}

/**
 * erfc(a) for lanes with SPLIT <= a (other lanes: unused values); 0 from CLAMP on and
 * for +∞, NaN for NaN (pmin keeps its first operand when either is NaN).
 */
@inline
function erfcLarge(a: v128): v128 {
  const c = f32x4.pmin(a, vClamp);
  const u = f32x4.sub(c, vCenter);
  const u2 = f32x4.mul(u, u);
  const u4 = f32x4.mul(u2, u2);
  const lo = madd(madd(vH3, u, vH2), u2, madd(vH1, u, vH0));
  const hi = madd(madd(vH7, u, vH6), u2, madd(vH5, u, vH4));
  const w = f32x4.sub(madd(hi, u4, lo), f32x4.mul(c, f32x4.mul(c, vLog2e)));
  // w in [−26, −1]: round(w) from the 1.5·2²³ add, r = w − n exact
  const m = f32x4.add(w, vMagic);
  const r = f32x4.sub(w, f32x4.sub(m, vMagic));
  const r2 = f32x4.mul(r, r);
  const r4 = f32x4.mul(r2, r2);
  const plo = madd(madd(vP3, r, vP2), r2, madd(vP1, r, vOne));
  const phi = madd(vP6, r2, madd(vP5, r, vP4));
  const e = f32x4.mul(madd(phi, r4, plo), i32x4.shl(i32x4.sub(m, vBias), 23));
  return v128.andnot(e, f32x4.ge(a, vClamp));
}

/** erf of four float32 lanes; ±0 for ±0, ±1 for ±∞, NaN for NaN. */
@inline
function erf4(x: v128): v128 {
  const a = v128.andnot(x, vSign);
  const inside = f32x4.lt(a, vSplit);
  let y = erfSmall(a);
  // the second region only when a lane needs it (most activations lie inside SPLIT)
  if (!i32x4.all_true(inside)) y = v128.bitselect(y, f32x4.sub(vOne, erfcLarge(a)), inside);
  return v128.or(y, v128.and(x, vSign));
}

/**
 * x/2 · (1 + erf(x/√2)) of four float32 lanes. Where x/√2 <= −SPLIT, 1 + erf is erfc
 * of |x/√2| taken directly (no cancellation), else 1 + erf or 2 − erfc.
 */
@inline
function gelu4(x: v128): v128 {
  const z = f32x4.mul(x, vSqrt1_2);
  const zs = v128.and(z, vSign);
  const a = v128.xor(z, zs);
  const inside = f32x4.lt(a, vSplit);
  let s = f32x4.add(vOne, v128.or(erfSmall(a), zs));
  if (!i32x4.all_true(inside)) {
    const e = erfcLarge(a);
    // the sign bit of z spread over its lane: erfc where z < 0, 2 − erfc elsewhere
    const neg = i32x4.shr_s(z, 31);
    s = v128.bitselect(s, v128.bitselect(e, f32x4.sub(vTwo, e), neg), inside);
  }
  return f32x4.mul(f32x4.mul(x, vHalf), s);
}

/** y = erf(x) over n float32 values (in place allowed). */
export function erfF32x4(x: usize, y: usize, n: i32): void {
  setup();
  let i = 0;
  // two vectors a step: their chains overlap
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = erf4(v128.load(x + o));
    const b = erf4(v128.load(x + o, 16));
    v128.store(y + o, a);
    v128.store(y + o, b, 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(erf4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/** y = x/2 · (1 + erf(x/√2)) over n float32 values (in place allowed). */
export function geluF32x4(x: usize, y: usize, n: i32): void {
  setup();
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = gelu4(v128.load(x + o));
    const b = gelu4(v128.load(x + o, 16));
    v128.store(y + o, a);
    v128.store(y + o, b, 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(gelu4(f32x4.splat(load<f32>(x + o))), 0));
  }
}
