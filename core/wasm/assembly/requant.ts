// Requantization of float64 accumulators (or int32 sums) laid out [outer, channels,
// inner] into float32 codes: multiplier, zero point, clamp to [lo, hi]. Both arithmetics
// repeat the reference's float64 operations one for one (core/quant/numeric.ts
// applyFixedPoint, core/quant/int_kernels.ts multiplier), or take a shortcut that gives
// the same values, argued where it is taken, so the codes are the same. Also the QDQ
// Add of two code arrays and the QuantizeLinear/DequantizeLinear of float32 tensors.

/**
 * NPU fixed point. Per channel, 4 float64 at `params`: the multiplier's high and low
 * 16-bit halves, the power-of-two divisor, and 1 when the shift is at least 16 (else 0);
 * a zero multiplier has both halves zero.
 */
export function requantNpu(
  acc: usize, out: usize, outer: i32, channels: i32, inner: i32, params: usize,
  zp: f64, lo: f64, hi: f64,
): void {
  npu(acc, 0, false, out, outer, channels, inner, params, zp, lo, hi);
}

/**
 * requantNpu of int32 sums plus an int32 bias per channel (`bias` 0 means none), without
 * the float64 accumulators between: float64(sum) + float64(bias) is what accToF64
 * stores, exactly.
 */
export function requantNpuI32(
  sums: usize, bias: usize, out: usize, outer: i32, channels: i32, inner: i32, params: usize,
  zp: f64, lo: f64, hi: f64,
): void {
  npu(sums, bias, true, out, outer, channels, inner, params, zp, lo, hi);
}

/** The accumulators from float64 values, or (`sums`) from int32 sums plus the bias. */
@inline
function npu(
  acc: usize, bias: usize, sums: bool, out: usize, outer: i32, channels: i32, inner: i32,
  params: usize, zp: f64, lo: f64, hi: f64,
): void {
  let i: usize = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const p = params + (<usize>c << 5);
      const mh = load<f64>(p), ml = load<f64>(p, 8), div = load<f64>(p, 16);
      const big = load<f64>(p, 24) != 0;
      const zero = mh == 0 && ml == 0;
      const bv: f64 = sums && bias != 0 ? <f64>load<i32>(bias + (<usize>c << 2)) : 0;
      let k = 0;
      if (!zero) {
        // two accumulators at a time, the scalar loop's operations lane by lane
        const mh2 = f64x2.splat(mh), ml2 = f64x2.splat(ml), div2 = f64x2.splat(div);
        const c16 = f64x2.splat(65536), half = f64x2.splat(0.5), none = f64x2.splat(0);
        const zp2 = f64x2.splat(zp), lo2 = f64x2.splat(lo), hi2 = f64x2.splat(hi);
        const b2 = f64x2.splat(bv);
        for (; k + 2 <= inner; k += 2, i += 2) {
          const v = sums
            ? f64x2.add(f64x2.convert_low_i32x4_s(v128.load64_zero(acc + (i << 2))), b2)
            : v128.load(acc + (i << 3));
          const a = f64x2.abs(v);
          const ph = f64x2.mul(a, mh2), pl = f64x2.mul(a, ml2);
          const t = big ? f64x2.add(ph, f64x2.div(pl, c16)) : f64x2.add(f64x2.mul(ph, c16), pl);
          let q = f64x2.floor(f64x2.add(f64x2.div(t, div2), half));
          q = f64x2.add(v128.bitselect(f64x2.neg(q), q, f64x2.lt(v, none)), zp2);
          q = f64x2.pmin(f64x2.pmax(q, lo2), hi2);
          v128.store64_lane(out + (i << 2), f32x4.demote_f64x2_zero(q), 0);
        }
      }
      for (; k < inner; k++, i++) {
        const v = sums ? <f64>load<i32>(acc + (i << 2)) + bv : load<f64>(acc + (i << 3));
        let q: f64 = 0;
        if (!zero) {
          const a = Math.abs(v);
          const ph = a * mh, pl = a * ml;
          q = big
            ? Math.floor((ph + pl / 65536) / div + 0.5)
            : Math.floor((ph * 65536 + pl) / div + 0.5);
          if (v < 0) q = -q;
        }
        q += zp;
        if (q < lo) q = lo;
        else if (q > hi) q = hi;
        store<f32>(out + (i << 2), <f32>q);
      }
    }
  }
}

/** QDQ: nearest-even of float32(float32(acc) · m), m a float32 per channel at `mults`. */
export function requantQdq(
  acc: usize, out: usize, outer: i32, channels: i32, inner: i32, mults: usize,
  zp: f64, lo: f64, hi: f64,
): void {
  let i: usize = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const m = load<f32>(mults + (<usize>c << 2));
      let k = 0;
      // four at a time, the scalar loop's operations lane by lane
      const m4 = f32x4.splat(m), zp2 = f64x2.splat(zp);
      const lo2 = f64x2.splat(lo), hi2 = f64x2.splat(hi);
      for (; k + 4 <= inner; k += 4, i += 4) {
        const a = f32x4.demote_f64x2_zero(v128.load(acc + (i << 3)));
        const b = f32x4.demote_f64x2_zero(v128.load(acc + (i << 3), 16));
        const r = f32x4.nearest(f32x4.mul(i64x2.shuffle(a, b, 0, 2), m4));
        let q0 = f64x2.add(f64x2.promote_low_f32x4(r), zp2);
        let q1 = f64x2.add(f64x2.promote_low_f32x4(i64x2.shuffle(r, r, 1, 1)), zp2);
        q0 = f64x2.pmin(f64x2.pmax(q0, lo2), hi2);
        q1 = f64x2.pmin(f64x2.pmax(q1, lo2), hi2);
        v128.store(
          out + (i << 2),
          i64x2.shuffle(f32x4.demote_f64x2_zero(q0), f32x4.demote_f64x2_zero(q1), 0, 2),
        );
      }
      for (; k < inner; k++, i++) {
        let q = <f64>f32.nearest(<f32>load<f64>(acc + (i << 3)) * m) + zp;
        if (q < lo) q = lo;
        else if (q > hi) q = hi;
        store<f32>(out + (i << 2), <f32>q);
      }
    }
  }
}

/**
 * requantQdq of int32 sums plus an int32 bias per channel (`bias` 0 means none) without
 * the float64 accumulators between: float32(float64(sum) + float64(bias)) is the float32
 * rounding of the exact sum, which int32 addition then float32 conversion gives as long
 * as the addition does not wrap (a channel where it does is redone in float64). The
 * product, rounding, zero point and clamp then run in float32: below 2^24 every step is
 * exact, and beyond it the value stays beyond the 16-bit bounds, so the clamp is the same
 * (wider bounds or zero points take the float64 loop).
 */
export function requantQdqI32(
  sums: usize, bias: usize, out: usize, outer: i32, channels: i32, inner: i32, mults: usize,
  zp: f64, lo: f64, hi: f64,
): void {
  let i: usize = 0;
  const small = Math.abs(zp) <= 65536 && Math.abs(lo) <= 65536 && Math.abs(hi) <= 65536;
  const zp4 = f32x4.splat(<f32>zp), lo4 = f32x4.splat(<f32>lo), hi4 = f32x4.splat(<f32>hi);
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < channels; c++) {
      const m = load<f32>(mults + (<usize>c << 2));
      const bi: i32 = bias == 0 ? 0 : load<i32>(bias + (<usize>c << 2));
      const m4 = f32x4.splat(m), b4 = i32x4.splat(bi);
      const start = i;
      let k = 0;
      // sign bits of (s ^ v) & (s ^ b): set where the int32 sum wrapped
      let wrapped = i32x4.splat(0);
      for (; small && k + 4 <= inner; k += 4, i += 4) {
        const v = v128.load(sums + (i << 2));
        const s = i32x4.add(v, b4);
        wrapped = v128.or(wrapped, v128.and(v128.xor(s, v), v128.xor(s, b4)));
        const r = f32x4.nearest(f32x4.mul(f32x4.convert_i32x4_s(s), m4));
        v128.store(out + (i << 2), f32x4.pmin(f32x4.pmax(f32x4.add(r, zp4), lo4), hi4));
      }
      if (i32x4.bitmask(wrapped) != 0) {
        i = start;
        k = 0;
      }
      const bv = <f64>bi;
      for (; k < inner; k++, i++) {
        const v = <f64>load<i32>(sums + (i << 2)) + bv;
        let q = <f64>f32.nearest(<f32>v * m) + zp;
        if (q < lo) q = lo;
        else if (q > hi) q = hi;
        store<f32>(out + (i << 2), <f32>q);
      }
    }
  }
}

/**
 * In place, float32 values to codes as ONNX QuantizeLinear computes them: nearest-even
 * of the float32 quotient `x / scale`, plus the zero point, clamped to [lo, hi] (NaN
 * stays NaN, as in the reference's comparisons). Exact for codes of at most 16 bits: the
 * quotient is float32 division (which float64 division then rounding to float32 equals),
 * and every sum of a rounded quotient and the zero point inside the range is an integer
 * below 2^24.
 */
export function quantize(p: usize, n: i32, scale: f32, zp: f32, lo: f32, hi: f32): void {
  const s4 = f32x4.splat(scale), z4 = f32x4.splat(zp);
  const l4 = f32x4.splat(lo), h4 = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = p + (<usize>i << 2);
    const q = f32x4.add(f32x4.nearest(f32x4.div(v128.load(o), s4)), z4);
    v128.store(o, f32x4.pmin(f32x4.pmax(q, l4), h4));
  }
  for (; i < n; i++) {
    const o = p + (<usize>i << 2);
    let q = f32.nearest(load<f32>(o) / scale) + zp;
    if (q < lo) q = lo;
    else if (q > hi) q = hi;
    store<f32>(o, q);
  }
}

/**
 * In place, codes to float32 values: (v − zp) · scale, or −1 (data left half done) when
 * a code is not an integer within 2^24 of the zero point. Then the difference is exact
 * in float32 and the product of two 24-bit significands exact in float64, so the one
 * float32 rounding here is the one the reference's float64 arithmetic makes on storing.
 */
export function dequantize(p: usize, n: i32, zp: f32, scale: f32): i32 {
  const z4 = f32x4.splat(zp), s4 = f32x4.splat(scale), lim = f32x4.splat(16777216);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = p + (<usize>i << 2);
    const v = v128.load(o);
    const d = f32x4.sub(v, z4);
    const ok = v128.and(f32x4.eq(f32x4.trunc(v), v), f32x4.lt(f32x4.abs(d), lim));
    if (!i32x4.all_true(ok)) return -1;
    v128.store(o, f32x4.mul(d, s4));
  }
  for (; i < n; i++) {
    const o = p + (<usize>i << 2);
    const v = load<f32>(o);
    const d = v - zp;
    if (Mathf.trunc(v) != v || !(Mathf.abs(d) < 16777216)) return -1;
    store<f32>(o, d * scale);
  }
  return 0;
}

/**
 * onnxruntime's QLinearAdd on raw codes (core/quant/int_kernels.ts qdqAddition):
 * `out = clamp(rint(f32(a·ra + f32(b·rb + k))))`, each `f32(x·y + z)` computed in float64
 * and rounded once to float32 as the reference's `fma32` does, `rint` half to even.
 */
export function addQdq(
  a: usize, b: usize, out: usize, n: i32, ra: f64, rb: f64, k: f64, lo: f32, hi: f32,
): void {
  const ra2 = f64x2.splat(ra), rb2 = f64x2.splat(rb), k2 = f64x2.splat(k);
  const lo4 = f32x4.splat(lo), hi4 = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o), vb = v128.load(b + o);
    const vb1 = i64x2.shuffle(vb, vb, 1, 1), va1 = i64x2.shuffle(va, va, 1, 1);
    // f32(b·rb + k), two lanes at a time, back in float64
    const t0 = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(
      f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(vb), rb2), k2),
    ));
    const t1 = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(
      f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(vb1), rb2), k2),
    ));
    const u0 = f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(va), ra2), t0));
    const u1 = f32x4.demote_f64x2_zero(
      f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(va1), ra2), t1),
    );
    const r = f32x4.nearest(i64x2.shuffle(u0, u1, 0, 2));
    v128.store(out + o, f32x4.pmin(f32x4.pmax(r, lo4), hi4));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const t = <f64>(<f32>(<f64>load<f32>(b + o) * rb + k));
    const r = f32.nearest(<f32>(<f64>load<f32>(a + o) * ra + t));
    store<f32>(out + o, r < lo ? lo : r > hi ? hi : r);
  }
}
