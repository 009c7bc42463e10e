// 2-D convolution over NCHW float32: grouped/dense convolution as packed-weight GEMM
// whose B panels are gathered straight from the image (im2col fused into packing), and
// depthwise convolution as its own kernel.
//
// Geometry block (i32 at `geo`): n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl,
// oh, ow.
import { ADD, BIAS, KC, MR, NC, NR, panel, stripRows } from "./gemm";
import { packTwoRowStrip } from "./conv_pack";
import { highHalf, joinHalves, loadStrided, roundF32 } from "./simd";

@inline
function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * Pack the kc×nc panel (rows pc.., columns jc..) of one group's patch matrix into NR
 * strips. Row kk = (c·kh + i)·kw + j, column q = oy·ow + ox holds
 * x[c, oy·sh − pt + i·dh, ox·sw − pl + j·dw], zero outside the image. `tab` holds
 * 2·NR i32 of scratch.
 */
function packConvB(
  dst: usize, x: usize, geo: usize, pc: i32, kc: i32, jc: i32, nc: i32, tab: usize,
): void {
  const h = g(geo, 2), w = g(geo, 3), kh = g(geo, 6), kw = g(geo, 7);
  const sh = g(geo, 8), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11);
  const pt = g(geo, 12), pl = g(geo, 13), oh = g(geo, 14), ow = g(geo, 15);
  const khw = kh * kw;
  const hw = h * w;
  const pointwise = isPointwise(geo);
  const zero = f32x4.splat(0);
  let d = dst;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const q0 = jc + j0;
    const nr = min(NR, nc - j0);
    if (pointwise) {
      let s = x + <usize>(pc * hw + q0) * 4;
      for (let p = 0; p < kc; p++) {
        if (nr == NR) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        } else {
          for (let t = 0; t < NR; t++) {
            store<f32>(d + (<usize>t << 2), t < nr ? load<f32>(s + (<usize>t << 2)) : 0);
          }
        }
        s += <usize>hw * 4;
        d += NR * 4;
      }
      continue;
    }
    const oy0 = q0 / ow, ox0 = q0 % ow;
    if (nr == NR && sw == 1 && ox0 + NR > ow && ox0 + NR <= 2 * ow) {
      packTwoRowStrip(d, x, geo, pc / khw, pc % khw / kw, pc % kw, kc, oy0, ox0);
      d += <usize>(kc * NR) * 4;
      continue;
    }
    const oneRow = nr == NR && ox0 + NR <= ow;
    if (!oneRow) {
      for (let t = 0; t < NR; t++) {
        const q = q0 + t;
        store<i32>(tab + (<usize>t << 2), t < nr ? (q / ow) * sh - pt : -0x40000000);
        store<i32>(tab + (<usize>(t + NR) << 2), t < nr ? (q % ow) * sw - pl : 0);
      }
    }
    let c = pc / khw;
    let r = pc % khw;
    let i = r / kw;
    let j = r % kw;
    for (let p = 0; p < kc; p++) {
      const plane = x + <usize>(c * hw) * 4;
      if (oneRow) {
        const iy = oy0 * sh - pt + i * dh;
        const ix0 = ox0 * sw - pl + j * dw;
        if (iy < 0 || iy >= h) {
          v128.store(d, zero);
          v128.store(d, zero, 16);
        } else {
          const row = plane + <usize>(iy * w) * 4;
          if (ix0 >= 0 && ix0 + (NR - 1) * sw < w) {
            const s = row + <usize>ix0 * 4;
            if (sw == 1) {
              v128.store(d, v128.load(s));
              v128.store(d, v128.load(s, 16), 16);
            } else {
              const st = <usize>sw * 4;
              v128.store(d, loadStrided(s, st));
              v128.store(d, loadStrided(s + 4 * st, st), 16);
            }
          } else {
            for (let t = 0; t < NR; t++) {
              const ix = ix0 + t * sw;
              store<f32>(
                d + (<usize>t << 2),
                ix >= 0 && ix < w ? load<f32>(row + (<usize>ix << 2)) : 0,
              );
            }
          }
        }
      } else {
        for (let t = 0; t < NR; t++) {
          const iy = load<i32>(tab + (<usize>t << 2)) + i * dh;
          const ix = load<i32>(tab + (<usize>(t + NR) << 2)) + j * dw;
          store<f32>(
            d + (<usize>t << 2),
            iy >= 0 && iy < h && ix >= 0 && ix < w
              ? load<f32>(plane + <usize>(iy * w + ix) * 4)
              : 0,
          );
        }
      }
      d += NR * 4;
      if (++j == kw) {
        j = 0;
        if (++i == kh) {
          i = 0;
          c++;
        }
      }
    }
  }
}

/** A 1×1, stride-1, unpadded window: the patch matrix is the image itself ([c][h·w]). */
@inline
function isPointwise(geo: usize): bool {
  return g(geo, 6) == 1 && g(geo, 7) == 1 && g(geo, 8) == 1 && g(geo, 9) == 1 &&
    g(geo, 12) == 0 && g(geo, 13) == 0 && g(geo, 14) == g(geo, 2) && g(geo, 15) == g(geo, 3);
}

/** Bytes of scratch conv2d needs: one B panel, the edge tile and the column table. */
export function convWorkBytes(): i32 {
  return (KC * NC + MR * NR + 2 * NR) * 4;
}

/**
 * y[n, m, oy, ox] = bias[m] + Σ w[m, c, i, j]·x[n, g·cg + c, …] over one image batch,
 * groups included; the first K block is added to the bias, later ones to y (pass zeros
 * for no bias: +0 + s is what adding to a zeroed output gives). `pw` is the weights
 * packed per group by packA (group stride stripRows(m/group)·K floats).
 */
export function conv2d(
  x: usize, pw: usize, bias: usize, y: usize, geo: usize, work: usize,
): void {
  const n = g(geo, 0), c = g(geo, 1), h = g(geo, 2), w = g(geo, 3), m = g(geo, 4);
  const groups = g(geo, 5), kh = g(geo, 6), kw = g(geo, 7);
  const oh = g(geo, 14), ow = g(geo, 15);
  const cg = c / groups, mg = m / groups;
  const K = cg * kh * kw;
  const P = oh * ow;
  const mp = stripRows(mg);
  const tmp = work + <usize>(KC * NC) * 4;
  const tab = tmp + <usize>(MR * NR) * 4;
  const inPlace = isPointwise(geo) && P % 4 == 0;
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < groups; gi++) {
      const xg = x + <usize>((b * c + gi * cg) * h * w) * 4;
      const yg = y + <usize>((b * m + gi * mg) * P) * 4;
      const wg = pw + <usize>(gi * mp * K) * 4;
      for (let jc = 0; jc < P; jc += NC) {
        const nc = min(NC, P - jc);
        for (let pc = 0; pc < K; pc += KC) {
          const kc = min(KC, K - pc);
          const ap = wg + <usize>(pc * mp) * 4;
          const mode = pc == 0 ? BIAS : ADD;
          const bg = bias + (<usize>(gi * mg) << 2);
          // a pointwise patch matrix is read in place, but for a last partial strip
          // (its rows would be read past their end) and for rows not 16-byte aligned
          // (loads across cache lines made 7×7 images slower than packing)
          const direct = inPlace ? nc & ~(NR - 1) : 0;
          if (direct > 0) {
            panel(ap, mg, kc, xg + <usize>(pc * P + jc) * 4, 4, <usize>P * 4, direct,
              yg + (<usize>jc << 2), P, mode, bg, tmp);
          }
          if (direct < nc) {
            packConvB(work, xg, geo, pc, kc, jc + direct, nc - direct, tab);
            panel(ap, mg, kc, work, <usize>kc * 4, NR * 4, nc - direct,
              yg + (<usize>(jc + direct) << 2), P, mode, bg, tmp);
          }
        }
      }
    }
  }
}

/**
 * Depthwise convolution (one input channel per group, channel multiplier m/c):
 * y[n, m] starts at the bias (or zero) and adds each in-image tap in (i, j) order,
 * computing `y + w·x` in float64 and rounding to float32 after every tap, as the
 * reference kernel does (one fused multiply-add per tap in the relaxed build).
 *
 * Interior columns go four at a time with the sum held in registers across all taps
 * (each tap's float32 rounding kept), so y is read and written once per output; 3×3
 * windows on rows whose three taps are all inside the image keep their nine weights
 * in registers too.
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
  for (let b = 0; b < n; b++) {
    for (let mm = 0; mm < m; mm++) {
      const xp = x + <usize>((b * c + mm / mult) * h * w) * 4;
      const yp = y + <usize>((b * m + mm) * oh * ow) * 4;
      const wp = wt + <usize>(mm * kh * kw) * 4;
      for (let oy = 0; oy < oh; oy++) {
        const yr = yp + <usize>(oy * ow) * 4;
        const iy0 = oy * sh - pt;
        // taps i in [i0, i1) land inside the image
        let i0 = 0;
        while (i0 < kh && iy0 + i0 * dh < 0) i0++;
        let i1 = kh;
        while (i1 > i0 && iy0 + (i1 - 1) * dh >= h) i1--;
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

/** `acc + w·x` on four float32 sums held as two float64 halves, rounded to float32. */
@inline
function tapLo(acc: v128, w2: v128, xv: v128): v128 {
  return roundF32(f64x2.add(acc, f64x2.mul(w2, f64x2.promote_low_f32x4(xv))));
}

@inline
function tapHi(acc: v128, w2: v128, xv: v128): v128 {
  return roundF32(f64x2.add(acc, f64x2.mul(w2, f64x2.promote_low_f32x4(highHalf(xv)))));
}

/** Four interior columns from ox, every tap of rows [i0, i1), weights read per tap. */
@inline
function columnsTaps(
  xp: usize, wp: usize, yr: usize, ox: i32, iy0: i32, i0: i32, i1: i32, geo: usize,
): void {
  const w = g(geo, 3), kw = g(geo, 7), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11);
  const pl = g(geo, 13);
  const st = <usize>sw * 4;
  const yo = yr + (<usize>ox << 2);
  const yv = v128.load(yo);
  let a4 = yv;
  let aLo = f64x2.promote_low_f32x4(yv);
  let aHi = f64x2.promote_low_f32x4(highHalf(yv));
  for (let i = i0; i < i1; i++) {
    const xr = xp + <usize>((iy0 + i * dh) * w + ox * sw - pl) * 4;
    for (let j = 0; j < kw; j++) {
      const w32 = load<f32>(wp + <usize>(i * kw + j) * 4);
      const xv = loadStrided(xr + <usize>(j * dw) * 4, st);
      if (ASC_FEATURE_RELAXED_SIMD) {
        a4 = f32x4.relaxed_madd(f32x4.splat(w32), xv, a4);
      } else {
        const w2 = f64x2.splat(<f64>w32);
        aLo = tapLo(aLo, w2, xv);
        aHi = tapHi(aHi, w2, xv);
      }
    }
  }
  if (ASC_FEATURE_RELAXED_SIMD) v128.store(yo, a4);
  else v128.store(yo, joinHalves(f32x4.demote_f64x2_zero(aLo), f32x4.demote_f64x2_zero(aHi)));
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
    const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4);
    const w2 = v128.load32_splat(wp, 8), w3 = v128.load32_splat(wp, 12);
    const w4 = v128.load32_splat(wp, 16), w5 = v128.load32_splat(wp, 20);
    const w6 = v128.load32_splat(wp, 24), w7 = v128.load32_splat(wp, 28);
    const w8 = v128.load32_splat(wp, 32);
    for (let ox = lo; ox < vEnd; ox += 4) {
      const o = <usize>ox * st;
      const yo = yr + (<usize>ox << 2);
      let a = v128.load(yo);
      a = f32x4.relaxed_madd(w0, loadStrided(r0 + o, st), a);
      a = f32x4.relaxed_madd(w1, loadStrided(r0 + o + d1, st), a);
      a = f32x4.relaxed_madd(w2, loadStrided(r0 + o + d2, st), a);
      a = f32x4.relaxed_madd(w3, loadStrided(r1 + o, st), a);
      a = f32x4.relaxed_madd(w4, loadStrided(r1 + o + d1, st), a);
      a = f32x4.relaxed_madd(w5, loadStrided(r1 + o + d2, st), a);
      a = f32x4.relaxed_madd(w6, loadStrided(r2 + o, st), a);
      a = f32x4.relaxed_madd(w7, loadStrided(r2 + o + d1, st), a);
      a = f32x4.relaxed_madd(w8, loadStrided(r2 + o + d2, st), a);
      v128.store(yo, a);
    }
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
