// Softmax over contiguous float32 rows with a vector exponential (not Math.exp's bits:
// the float executor's contract is conformance and onnxruntime agreement, see kernels.ts).

// exp(x) = 2ⁿ·e^r with n = round(x/ln2), r = x − n·ln2 (|r| <= ln2/2): ln2 split in two
// (Cody–Waite) so n·LN2_HI is exact for |n| < 2¹⁵; e^r by its Taylor series to r⁷, whose
// first omitted term r⁸/8! < 6e-9 stays below half a float32 ulp.

import { ROUND_MAGIC, ROUND_MAGIC_POW2 } from "./simd";

const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** Below this, e^x is under the smallest normal float32: the result is 0. */
const UNDER: f32 = -87.33;

let vUnder: v128 = i32x4.splat(0);
let vLog2e: v128 = i32x4.splat(0);
let vLn2Hi: v128 = i32x4.splat(0);
let vLn2Lo: v128 = i32x4.splat(0);
let vC7: v128 = i32x4.splat(0);
let vC6: v128 = i32x4.splat(0);
let vC5: v128 = i32x4.splat(0);
let vC4: v128 = i32x4.splat(0);
let vC3: v128 = i32x4.splat(0);
let vC2: v128 = i32x4.splat(0);
let vOne: v128 = i32x4.splat(0);
let vMagic: v128 = i32x4.splat(0);
let vBias: v128 = i32x4.splat(0);

/**
 * Set the exponential's constants. They live in v128 globals because V8 rebuilds each
 * v128.const in a loop from immediates (several instructions; see erf_f32.ts).
 */
@inline
function setup(): void {
  vUnder = f32x4.splat(UNDER);
  vLog2e = f32x4.splat(LOG2E);
  vLn2Hi = f32x4.splat(LN2_HI);
  vLn2Lo = f32x4.splat(LN2_LO);
  vC7 = f32x4.splat(1.0 / 5040);
  vC6 = f32x4.splat(1.0 / 720);
  vC5 = f32x4.splat(1.0 / 120);
  vC4 = f32x4.splat(1.0 / 24);
  vC3 = f32x4.splat(1.0 / 6);
  vC2 = f32x4.splat(0.5);
  vOne = f32x4.splat(1);
  vMagic = f32x4.splat(ROUND_MAGIC);
  vBias = i32x4.splat(ROUND_MAGIC_POW2);
}

/**
 * e^x in each lane for x <= 0, all softmax needs (x − max); NaN stays NaN, −∞ gives 0.
 * With n in [−126, 0], 2ⁿ is one normal float32 scale and p·2ⁿ rounds once.
 */
@inline
function expNonPositive4(x: v128): v128 {
  // pmax (one instruction on x86, unlike max) with x first: a NaN lane compares false
  // and stays x, as max would leave it; the bound is not a zero, so no signed-zero case
  const xc = f32x4.pmax(x, vUnder);
  const n = f32x4.nearest(f32x4.mul(xc, vLog2e));
  let r = f32x4.sub(xc, f32x4.mul(n, vLn2Hi));
  r = f32x4.sub(r, f32x4.mul(n, vLn2Lo));
  let p = f32x4.add(f32x4.mul(vC7, r), vC6);
  p = f32x4.add(f32x4.mul(p, r), vC5);
  p = f32x4.add(f32x4.mul(p, r), vC4);
  p = f32x4.add(f32x4.mul(p, r), vC3);
  p = f32x4.add(f32x4.mul(p, r), vC2);
  p = f32x4.add(f32x4.mul(p, r), vOne);
  p = f32x4.add(f32x4.mul(p, r), vOne);
  // n's integer from the low mantissa bits of n + 1.5·2²³ (exact for |n| < 2²²): two
  // operations where trunc_sat is several on x86; a NaN lane gives a garbage integer,
  // but its p is NaN already, and a scale built from it is never NaN, so y is that NaN
  const scale = i32x4.shl(i32x4.sub(f32x4.add(n, vMagic), vBias), 23);
  const y = f32x4.mul(p, scale);
  return v128.andnot(y, f32x4.lt(x, vUnder));
}

/** Lanes 0 + 2 and 1 + 3 of `e` in float64. */
@inline
function pairSum(e: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 2, 3)));
}

/**
 * y[row] = e^(x − max) / Σ e^(x − max) for `rows` contiguous rows of `r` floats (in
 * place allowed). The sum runs in float64 lanes.
 */
export function softmaxRows(x: usize, y: usize, rows: i32, r: i32): void {
  setup();
  const body = r & ~3;
  for (let row = 0; row < rows; row++) {
    const xr = x + <usize>(row * r) * 4;
    const yr = y + <usize>(row * r) * 4;
    let m = load<f32>(xr);
    if (body > 0) {
      let mv = v128.load(xr);
      // pmax drops a NaN lane where max keeps it, and may keep −0 for +0: neither
      // changes a result, since a NaN makes the row's sum NaN (every output NaN) and
      // x − m then differs only in the sign of a zero, whose exponential is 1 either way
      for (let j = 4; j < body; j += 4) mv = f32x4.pmax(mv, v128.load(xr + (<usize>j << 2)));
      m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)),
        max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    }
    for (let j = body; j < r; j++) m = max(m, load<f32>(xr + (<usize>j << 2)));
    const mv = f32x4.splat(m);
    let s = f64x2.splat(0);
    let j = 0;
    // two vectors a step, so their exponentials' chains overlap; the sum keeps its order
    for (; j + 8 <= body; j += 8) {
      const o = <usize>j << 2;
      const e = expNonPositive4(f32x4.sub(v128.load(xr + o), mv));
      const f = expNonPositive4(f32x4.sub(v128.load(xr + o, 16), mv));
      v128.store(yr + o, e);
      v128.store(yr + o, f, 16);
      s = f64x2.add(s, pairSum(e));
      s = f64x2.add(s, pairSum(f));
    }
    for (; j < body; j += 4) {
      const o = <usize>j << 2;
      const e = expNonPositive4(f32x4.sub(v128.load(xr + o), mv));
      v128.store(yr + o, e);
      s = f64x2.add(s, pairSum(e));
    }
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (let j = body; j < r; j++) {
      const o = <usize>j << 2;
      const e = f32x4.extract_lane(expNonPositive4(f32x4.splat(load<f32>(xr + o) - m)), 0);
      store<f32>(yr + o, e);
      sum += <f64>e;
    }
    const inv = f32x4.splat(<f32>(1 / sum));
    for (let j = 0; j < body; j += 4) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.mul(v128.load(yr + o), inv));
    }
    const invS = <f32>(1 / sum);
    for (let j = body; j < r; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) * invS);
    }
  }
}
