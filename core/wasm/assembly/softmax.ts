// Softmax over contiguous float32 rows with a vector exponential (not Math.exp's bits:
// the float executor's contract is conformance and onnxruntime agreement, see kernels.ts).

// exp(x) = 2ⁿ·e^r with n = round(x/ln2), r = x − n·ln2 (|r| <= ln2/2): ln2 split in two
// (Cody–Waite) so n·LN2_HI is exact for |n| < 2¹⁵; e^r by its Taylor series to r⁷, whose
// first omitted term r⁸/8! < 6e-9 stays below half a float32 ulp.
const LOG2E: f32 = 1.44269504;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** 1.5·2²³: adding it to an integer-valued float32 puts the integer in the low bits. */
const MAGIC: f32 = 12582912;
/** The bits of MAGIC. */
const MAGIC_BITS: i32 = 0x4b400000;
/** Below this, e^x is under the smallest normal float32: the result is 0. */
const UNDER: f32 = -87.33;

/**
 * e^x in each lane for x <= 0, all softmax needs (x − max); NaN stays NaN, −∞ gives 0.
 * With n in [−126, 0], 2ⁿ is one normal float32 scale and p·2ⁿ rounds once.
 */
@inline
export function expNonPositive4(x: v128): v128 {
  // pmax (one instruction on x86, unlike max) with x first: a NaN lane compares false
  // and stays x, as max would leave it; the bound is not a zero, so no signed-zero case
  const xc = f32x4.pmax(x, f32x4.splat(UNDER));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.0 / 5040);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1));
  // n's integer from the low mantissa bits of n + 1.5·2²³ (exact for |n| < 2²²): two
  // operations where trunc_sat is several on x86; a NaN lane gives a garbage integer,
  // but its p is NaN already, and a scale built from it is never NaN, so y is that NaN
  const ni = i32x4.sub(f32x4.add(n, f32x4.splat(MAGIC)), i32x4.splat(MAGIC_BITS));
  const y = f32x4.mul(p, i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23));
  return v128.andnot(y, f32x4.lt(x, f32x4.splat(UNDER)));
}

/**
 * y[row] = e^(x − max) / Σ e^(x − max) for `rows` contiguous rows of `r` floats (in
 * place allowed). The sum runs in float64 lanes.
 */
export function softmaxRows(x: usize, y: usize, rows: i32, r: i32): void {
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
    for (let j = 0; j < body; j += 4) {
      const o = <usize>j << 2;
      const e = expNonPositive4(f32x4.sub(v128.load(xr + o), mv));
      v128.store(yr + o, e);
      s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e),
        f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 2, 3))));
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
