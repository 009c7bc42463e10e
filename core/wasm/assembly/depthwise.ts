// Depthwise convolution over NCHW float32 (geometry block as in conv.ts): the plan of
// each output row, border columns one by one and the exact 3×3 interior kernel. The
// vector column kernels, and the relaxed build's fused kernels, are in
// depthwise_vectors.ts.
import { g } from "./conv";
import { highHalf, joinHalves, loadStrided } from "./simd";
import {
  columnsTaps,
  plane3x3Fused,
  rowFused,
  rowTaps3x3Fused,
  tapHi,
  tapLo,
} from "./depthwise_vectors";

/**
 * Depthwise convolution (one input channel per group, channel multiplier m/c):
 * y[n, m] starts at the bias (or zero) and adds each in-image tap in (i, j) order,
 * computing `y + w·x` in float64 and rounding to float32 after every tap, as the
 * reference kernel does.
 *
 * Interior columns go four at a time with the sum held in registers across all taps
 * (each tap's float32 rounding kept), so y is read and written once per output; 3×3
 * windows on rows whose three taps are all inside the image keep their nine weights
 * in registers too.
 *
 * The relaxed build sums in float32 with one fused multiply-add per tap and, where the
 * heap's slack covers its loads, runs whole rows as groups of four columns: border
 * groups zero the input lanes whose tap lies outside the row instead of skipping the
 * tap (depthwise_vectors.ts).
 */
export function depthwise2d(x: usize, wt: usize, y: usize, geo: usize): void {
  const n = g(geo, 0), c = g(geo, 1), h = g(geo, 2), w = g(geo, 3), m = g(geo, 4);
  const kh = g(geo, 6), kw = g(geo, 7);
  const sh = g(geo, 8), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11);
  const pt = g(geo, 12), pl = g(geo, 13), oh = g(geo, 14), ow = g(geo, 15);
  const mult = m / c;
  // output columns whose every tap lies inside the row
  let lo = pl <= 0 ? 0 : (pl + sw - 1) / sw;
  const span = w - 1 + pl - (kw - 1) * dw;
  let hi = span < 0 ? 0 : min(ow, span / sw + 1);
  if (hi < lo) hi = lo;
  if (lo > ow) lo = hi = ow;
  const vEnd = lo + ((hi - lo) & ~3);
  const three = kh == 3 && kw == 3;
  // the relaxed build runs border columns as masked vectors, whose loads reach past the
  // row by up to `over` + 3·sw + 1 floats (and `pl` before it); the heap keeps 64 bytes
  // of slack after every block and 1 KiB below the first
  const over = (ow - 1) * sw - pl + (kw - 1) * dw - (w - 1);
  const masked = ASC_FEATURE_RELAXED_SIMD && over + max(8, 3 * sw + 1) <= 15 && pl <= 200;
  for (let b = 0; b < n; b++) {
    for (let mm = 0; mm < m; mm++) {
      const xp = x + <usize>((b * c + mm / mult) * h * w) * 4;
      const yp = y + <usize>((b * m + mm) * oh * ow) * 4;
      const wp = wt + <usize>(mm * kh * kw) * 4;
      if (masked && three) {
        plane3x3Fused(xp, wp, yp, lo, hi, geo);
        continue;
      }
      for (let oy = 0; oy < oh; oy++) {
        const yr = yp + <usize>(oy * ow) * 4;
        const iy0 = oy * sh - pt;
        // taps i in [i0, i1) land inside the image
        let i0 = 0;
        while (i0 < kh && iy0 + i0 * dh < 0) i0++;
        let i1 = kh;
        while (i1 > i0 && iy0 + (i1 - 1) * dh >= h) i1--;
        if (masked) {
          rowFused(xp, wp, yr, iy0, i0, i1, lo, hi, geo);
          continue;
        }
        for (let ox = 0; ox < ow; ox++) {
          if (ox == lo) ox = hi;
          if (ox >= ow) break;
          borderColumn(xp, wp, yr, ox, iy0, i0, i1, geo);
        }
        if (three && i0 == 0 && i1 == 3) {
          rowTaps3x3(xp, wp, yr, iy0, lo, vEnd, geo);
        } else {
          for (let ox = lo; ox < vEnd; ox += 4) {
            columnsTaps(xp, wp, yr, ox, iy0, i0, i1, geo);
          }
        }
        for (let ox = vEnd; ox < hi; ox++) borderColumn(xp, wp, yr, ox, iy0, i0, i1, geo);
      }
    }
  }
}

/** One output column, tap by tap, skipping taps outside the row. */
@inline
function borderColumn(
  xp: usize, wp: usize, yr: usize, ox: i32, iy0: i32, i0: i32, i1: i32, geo: usize,
): void {
  const w = g(geo, 3), kw = g(geo, 7), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11);
  const pl = g(geo, 13);
  let acc = load<f32>(yr + (<usize>ox << 2));
  for (let i = i0; i < i1; i++) {
    const iy = iy0 + i * dh;
    for (let j = 0; j < kw; j++) {
      const ix = ox * sw - pl + j * dw;
      if (ix < 0 || ix >= w) continue;
      const wv = <f64>load<f32>(wp + <usize>(i * kw + j) * 4);
      acc = <f32>(<f64>acc + wv * <f64>load<f32>(xp + <usize>(iy * w + ix) * 4));
    }
  }
  store<f32>(yr + (<usize>ox << 2), acc);
}

/** Interior columns [lo, vEnd) of a row whose 3×3 taps all lie inside the image. */
function rowTaps3x3(
  xp: usize, wp: usize, yr: usize, iy0: i32, lo: i32, vEnd: i32, geo: usize,
): void {
  const w = g(geo, 3), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11), pl = g(geo, 13);
  const st = <usize>sw * 4;
  const d1 = <usize>dw * 4, d2 = d1 * 2;
  const r0 = xp + <usize>(iy0 * w - pl) * 4;
  const r1 = r0 + <usize>(dh * w) * 4;
  const r2 = r1 + <usize>(dh * w) * 4;
  if (ASC_FEATURE_RELAXED_SIMD) {
    rowTaps3x3Fused(r0, r1, r2, wp, yr, lo, vEnd, sw, dw);
    return;
  }
  const w0 = splat64(wp, 0), w1 = splat64(wp, 1), w2 = splat64(wp, 2);
  const w3 = splat64(wp, 3), w4 = splat64(wp, 4), w5 = splat64(wp, 5);
  const w6 = splat64(wp, 6), w7 = splat64(wp, 7), w8 = splat64(wp, 8);
  for (let ox = lo; ox < vEnd; ox += 4) {
    const o = <usize>ox * st;
    const yo = yr + (<usize>ox << 2);
    const yv = v128.load(yo);
    let aLo = f64x2.promote_low_f32x4(yv);
    let aHi = f64x2.promote_low_f32x4(highHalf(yv));
    let xv = loadStrided(r0 + o, st);
    aLo = tapLo(aLo, w0, xv);
    aHi = tapHi(aHi, w0, xv);
    xv = loadStrided(r0 + o + d1, st);
    aLo = tapLo(aLo, w1, xv);
    aHi = tapHi(aHi, w1, xv);
    xv = loadStrided(r0 + o + d2, st);
    aLo = tapLo(aLo, w2, xv);
    aHi = tapHi(aHi, w2, xv);
    xv = loadStrided(r1 + o, st);
    aLo = tapLo(aLo, w3, xv);
    aHi = tapHi(aHi, w3, xv);
    xv = loadStrided(r1 + o + d1, st);
    aLo = tapLo(aLo, w4, xv);
    aHi = tapHi(aHi, w4, xv);
    xv = loadStrided(r1 + o + d2, st);
    aLo = tapLo(aLo, w5, xv);
    aHi = tapHi(aHi, w5, xv);
    xv = loadStrided(r2 + o, st);
    aLo = tapLo(aLo, w6, xv);
    aHi = tapHi(aHi, w6, xv);
    xv = loadStrided(r2 + o + d1, st);
    aLo = tapLo(aLo, w7, xv);
    aHi = tapHi(aHi, w7, xv);
    xv = loadStrided(r2 + o + d2, st);
    aLo = tapLo(aLo, w8, xv);
    aHi = tapHi(aHi, w8, xv);
    v128.store(yo, joinHalves(f32x4.demote_f64x2_zero(aLo), f32x4.demote_f64x2_zero(aHi)));
  }
}

/** Weight `k` of a window as float64 in both lanes. */
@inline
function splat64(wp: usize, k: i32): v128 {
  return f64x2.splat(<f64>load<f32>(wp + (<usize>k << 2)));
}
