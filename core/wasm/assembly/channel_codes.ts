// The collapse check's per-channel statistics (channelCodes in
// core/quant/precision_channels.ts): codes used, float range and the round trip's cosine
// sums of each channel. Four elements per step; each channel's sums are kept in two
// f64x2 accumulators, so they are taken in four interleaved partial sums instead of
// element order (the last bits differ from the TypeScript loop).

import { highHalf, roundF32 } from "./simd";

/**
 * Statistics of a `[outer, channels, inner]` float32 tensor `v` and its codes `codes`
 * (integers within 16 bits), channel after channel:
 *
 * - `marks`: 8 u32 words per channel; bit `(code − qmin) >> shift` is set for every
 *   code of the channel (bit 0 for a NaN code), the others cleared;
 * - `range`: 2 × channels float64, the smallest non-NaN value of each channel, then the
 *   largest;
 * - `sums`: 3 × channels float64, Σ y·x of each channel, then Σ y², then Σ x², y being
 *   the dequantized code: `back`'s float32 value when `back` is not 0, else
 *   `(code − zeroPoint) · scale` in float64 rounded once to float32.
 *
 * `flags` is 256 zeroed bytes of scratch, left zeroed. With `single` (a float32 scale
 * and an integer zero point) the codes dequantize in float32, to the same values (as in
 * `codeSimilaritySums`, compare.ts).
 */
export function channelCodeStats(
  v: usize,
  codes: usize,
  outer: i32,
  channels: i32,
  inner: i32,
  qmin: i32,
  shift: i32,
  zeroPoint: f64,
  scale: f64,
  back: usize,
  marks: usize,
  range: usize,
  sums: usize,
  flags: usize,
  single: bool,
): void {
  const zp = f64x2.splat(zeroPoint), sc = f64x2.splat(scale);
  const zp4 = f32x4.splat(<f32>zeroPoint), sc4 = f32x4.splat(<f32>scale);
  const base = i32x4.splat(qmin);
  for (let c = 0; c < channels; c++) {
    const word = marks + (<usize>c << 5);
    // one byte per level while the channel is scanned (a store, not a read-modify-write
    // chained through the previous code's word), packed to bits at its end
    let lo4 = f32x4.splat(Infinity), hi4 = f32x4.splat(-Infinity);
    let dot0 = f64x2.splat(0), dot1 = f64x2.splat(0);
    let got0 = f64x2.splat(0), got1 = f64x2.splat(0);
    let ref0 = f64x2.splat(0), ref1 = f64x2.splat(0);
    let lo: f32 = Infinity, hi: f32 = -Infinity;
    let dot: f64 = 0, got: f64 = 0, ref: f64 = 0;
    for (let o = 0; o < outer; o++) {
      const start = (o * channels + c) * inner;
      const end = start + inner;
      let i = start;
      for (; i + 4 <= end; i += 4) {
        const at = <usize>i << 2;
        const vc = v128.load(codes + at);
        const vx = v128.load(v + at);
        // a NaN code marks level 0, as the TypeScript loop's `NaN >> 5` and `NaN & 31` do
        const lv = v128.and(i32x4.shr_s(i32x4.sub(truncCode(vc), base), shift), f32x4.eq(vc, vc));
        store<u8>(flags + <usize>i32x4.extract_lane(lv, 0), 0x80);
        store<u8>(flags + <usize>i32x4.extract_lane(lv, 1), 0x80);
        store<u8>(flags + <usize>i32x4.extract_lane(lv, 2), 0x80);
        store<u8>(flags + <usize>i32x4.extract_lane(lv, 3), 0x80);
        lo4 = f32x4.pmin(lo4, vx);
        hi4 = f32x4.pmax(hi4, vx);
        let y0: v128, y1: v128;
        if (back) {
          const vy = v128.load(back + at);
          y0 = f64x2.promote_low_f32x4(vy);
          y1 = f64x2.promote_low_f32x4(highHalf(vy));
        } else if (single) {
          const y = f32x4.mul(f32x4.sub(vc, zp4), sc4);
          y0 = f64x2.promote_low_f32x4(y);
          y1 = f64x2.promote_low_f32x4(highHalf(y));
        } else {
          y0 = roundF32(f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(vc), zp), sc));
          y1 = roundF32(f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(highHalf(vc)), zp), sc));
        }
        const x0 = f64x2.promote_low_f32x4(vx), x1 = f64x2.promote_low_f32x4(highHalf(vx));
        dot0 = f64x2.add(dot0, f64x2.mul(y0, x0));
        dot1 = f64x2.add(dot1, f64x2.mul(y1, x1));
        got0 = f64x2.add(got0, f64x2.mul(y0, y0));
        got1 = f64x2.add(got1, f64x2.mul(y1, y1));
        ref0 = f64x2.add(ref0, f64x2.mul(x0, x0));
        ref1 = f64x2.add(ref1, f64x2.mul(x1, x1));
      }
      for (; i < end; i++) {
        const at = <usize>i << 2;
        const code = load<f32>(codes + at);
        const x = load<f32>(v + at);
        store<u8>(flags + <usize>(code != code ? 0 : (<i32>code - qmin) >> shift), 0x80);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
        const y: f64 = back
          ? <f64>load<f32>(back + at)
          : <f64><f32>((<f64>code - zeroPoint) * scale);
        dot += y * <f64>x;
        got += y * y;
        ref += <f64>x * <f64>x;
      }
    }
    for (let j = 0; j < 8; j++) {
      const at = flags + (<usize>j << 5);
      const bits = i8x16.bitmask(v128.load(at)) | (i8x16.bitmask(v128.load(at, 16)) << 16);
      store<u32>(word + (<usize>j << 2), bits);
      v128.store(at, i32x4.splat(0));
      v128.store(at, i32x4.splat(0), 16);
    }
    for (let t = 0; t < 4; t++) {
      const a = f32x4.extract_lane(lo4, 0);
      const b = f32x4.extract_lane(hi4, 0);
      if (a < lo) lo = a;
      if (b > hi) hi = b;
      lo4 = i32x4.shuffle(lo4, lo4, 1, 2, 3, 0);
      hi4 = i32x4.shuffle(hi4, hi4, 1, 2, 3, 0);
    }
    const block = <usize>channels << 3;
    const at = <usize>c << 3;
    store<f64>(range + at, <f64>lo);
    store<f64>(range + block + at, <f64>hi);
    store<f64>(sums + at, lanes(dot0, dot1) + dot);
    store<f64>(sums + block + at, lanes(got0, got1) + got);
    store<f64>(sums + 2 * block + at, lanes(ref0, ref1) + ref);
  }
}

@inline
function lanes(x: v128, y: v128): f64 {
  const s = f64x2.add(x, y);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/**
 * Integer codes (or NaN, whose lanes the caller masks) to int32: any truncation gives an
 * integer within 16 bits exactly, so the relaxed build takes the one-instruction form.
 */
@inline
function truncCode(v: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_trunc_f32x4_s(v);
  return i32x4.trunc_sat_f32x4_s(v);
}
