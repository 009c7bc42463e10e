// Depthwise convolution, vector kernels over groups of four output columns: the
// interior columns of any window (exact or fused), and the relaxed build's fused
// kernels — 3×3 rows with the weights in registers, border groups masked per lane.
import { g } from "./conv";
import { highHalf, joinHalves, loadStrided, roundF32 } from "./simd";

/** `acc + w·x` on four float32 sums held as two float64 halves, rounded to float32. */
@inline
export function tapLo(acc: v128, w2: v128, xv: v128): v128 {
  return roundF32(f64x2.add(acc, f64x2.mul(w2, f64x2.promote_low_f32x4(xv))));
}

@inline
export function tapHi(acc: v128, w2: v128, xv: v128): v128 {
  return roundF32(f64x2.add(acc, f64x2.mul(w2, f64x2.promote_low_f32x4(highHalf(xv)))));
}

/** Four interior columns from ox, every tap of rows [i0, i1), weights read per tap. */
@inline
export function columnsTaps(
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

/**
 * The relaxed build's {@linkcode rowTaps3x3}: one fused multiply-add per tap on float32
 * sums. Eight columns per pass keep two independent chains of multiply-adds in flight
 * (one chain waits on the multiply-add latency at every tap); stride 2 with dilation 1
 * loads each input vector once and splits it into even and odd columns.
 */
export function rowTaps3x3Fused(
  r0: usize, r1: usize, r2: usize, wp: usize, yr: usize, lo: i32, vEnd: i32, sw: i32, dw: i32,
): void {
  const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4);
  const w2 = v128.load32_splat(wp, 8), w3 = v128.load32_splat(wp, 12);
  const w4 = v128.load32_splat(wp, 16), w5 = v128.load32_splat(wp, 20);
  const w6 = v128.load32_splat(wp, 24), w7 = v128.load32_splat(wp, 28);
  const w8 = v128.load32_splat(wp, 32);
  const st = <usize>sw * 4;
  const d1 = <usize>dw * 4, d2 = d1 * 2;
  let ox = lo;
  if (sw == 1) {
    for (; ox + 8 <= vEnd; ox += 8) {
      const o = <usize>ox << 2;
      const yo = yr + o;
      let a = v128.load(yo), b = v128.load(yo, 16);
      let p = r0 + o;
      a = f32x4.relaxed_madd(w0, v128.load(p), a);
      b = f32x4.relaxed_madd(w0, v128.load(p, 16), b);
      a = f32x4.relaxed_madd(w1, v128.load(p + d1), a);
      b = f32x4.relaxed_madd(w1, v128.load(p + d1, 16), b);
      a = f32x4.relaxed_madd(w2, v128.load(p + d2), a);
      b = f32x4.relaxed_madd(w2, v128.load(p + d2, 16), b);
      p = r1 + o;
      a = f32x4.relaxed_madd(w3, v128.load(p), a);
      b = f32x4.relaxed_madd(w3, v128.load(p, 16), b);
      a = f32x4.relaxed_madd(w4, v128.load(p + d1), a);
      b = f32x4.relaxed_madd(w4, v128.load(p + d1, 16), b);
      a = f32x4.relaxed_madd(w5, v128.load(p + d2), a);
      b = f32x4.relaxed_madd(w5, v128.load(p + d2, 16), b);
      p = r2 + o;
      a = f32x4.relaxed_madd(w6, v128.load(p), a);
      b = f32x4.relaxed_madd(w6, v128.load(p, 16), b);
      a = f32x4.relaxed_madd(w7, v128.load(p + d1), a);
      b = f32x4.relaxed_madd(w7, v128.load(p + d1, 16), b);
      a = f32x4.relaxed_madd(w8, v128.load(p + d2), a);
      b = f32x4.relaxed_madd(w8, v128.load(p + d2, 16), b);
      v128.store(yo, a);
      v128.store(yo, b, 16);
    }
  } else if (sw == 2 && dw == 1) {
    for (; ox + 8 <= vEnd; ox += 8) {
      const yo = yr + (<usize>ox << 2);
      const o = <usize>ox << 3;
      let a = v128.load(yo), b = v128.load(yo, 16);
      a = strideTwoRow(r0 + o, w0, w1, w2, a, 0);
      b = strideTwoRow(r0 + o, w0, w1, w2, b, 32);
      a = strideTwoRow(r1 + o, w3, w4, w5, a, 0);
      b = strideTwoRow(r1 + o, w3, w4, w5, b, 32);
      a = strideTwoRow(r2 + o, w6, w7, w8, a, 0);
      b = strideTwoRow(r2 + o, w6, w7, w8, b, 32);
      v128.store(yo, a);
      v128.store(yo, b, 16);
    }
  }
  for (; ox < vEnd; ox += 4) {
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
}

/**
 * Three taps of one window row for four stride-2 output columns: the inputs at
 * p + off + 0, 2, 4, 6 (tap 0), + 1, 3, 5, 7 (tap 1) and + 2, 4, 6, 8 (tap 2), from two
 * vector loads and one scalar.
 */
@inline
function strideTwoRow(p: usize, wa: v128, wb: v128, wc: v128, acc: v128, off: usize): v128 {
  const v0 = v128.load(p + off), v1 = v128.load(p + off, 16);
  const even = i32x4.shuffle(v0, v1, 0, 2, 4, 6);
  const odd = i32x4.shuffle(v0, v1, 1, 3, 5, 7);
  const next = i32x4.shuffle(even, v128.load32_splat(p + off, 32), 1, 2, 3, 4);
  acc = f32x4.relaxed_madd(wa, even, acc);
  acc = f32x4.relaxed_madd(wb, odd, acc);
  return f32x4.relaxed_madd(wc, next, acc);
}

/**
 * One output row in the relaxed build, in groups of four columns from column 0: groups
 * inside [lo, hi) take {@linkcode columnsTaps}, the others load whole vectors and zero
 * the lanes whose tap falls outside the row, and store only the columns before `ow`.
 * (Rows of a 3×3 window with all three taps inside go through
 * {@linkcode plane3x3Fused}.)
 */
export function rowFused(
  xp: usize, wp: usize, yr: usize, iy0: i32, i0: i32, i1: i32, lo: i32, hi: i32, geo: usize,
): void {
  const ow = g(geo, 15);
  let ox = 0;
  while (ox < ow) {
    if (ox >= lo && ox + 4 <= hi) {
      const end = ox + ((hi - ox) & ~3);
      for (let c = ox; c < end; c += 4) columnsTaps(xp, wp, yr, c, iy0, i0, i1, geo);
      ox = end;
      continue;
    }
    maskedColumns(xp, wp, yr, ox, iy0, i0, i1, geo);
    ox += 4;
  }
}

/** Columns ox … ox + 3 (those before `ow`) with taps outside the row zeroed per lane. */
function maskedColumns(
  xp: usize, wp: usize, yr: usize, ox: i32, iy0: i32, i0: i32, i1: i32, geo: usize,
): void {
  const w = g(geo, 3), kw = g(geo, 7), sw = g(geo, 9), dh = g(geo, 10), dw = g(geo, 11);
  const pl = g(geo, 13), ow = g(geo, 15);
  const st = <usize>sw * 4;
  const lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(sw));
  const below = i32x4.splat(-1), width = i32x4.splat(w);
  const yo = yr + (<usize>ox << 2);
  let a = v128.load(yo);
  for (let i = i0; i < i1; i++) {
    const row = xp + <usize>((iy0 + i * dh) * w) * 4;
    for (let j = 0; j < kw; j++) {
      const ix0 = ox * sw - pl + j * dw;
      const ix = i32x4.add(i32x4.splat(ix0), lanes);
      const inside = v128.and(i32x4.gt_s(ix, below), i32x4.lt_s(ix, width));
      const xv = v128.and(loadStrided(row + <usize>ix0 * 4, st), inside);
      a = f32x4.relaxed_madd(v128.load32_splat(wp + <usize>(i * kw + j) * 4), xv, a);
    }
  }
  storeFirst(yo, a, ow - ox);
}

/** Whether each lane's column index lies inside the row [0, w). */
@inline
function insideRow(ix: v128, w: v128): v128 {
  return v128.and(i32x4.gt_s(ix, i32x4.splat(-1)), i32x4.lt_s(ix, w));
}

/**
 * One channel of a 3×3 depthwise convolution in the relaxed build: rows whose three
 * window rows lie inside the image keep the nine weights in registers, with the
 * interior columns in {@linkcode rowTaps3x3Fused} and the border groups of four
 * columns masked lane by lane; the other rows go through {@linkcode rowFused}.
 */
export function plane3x3Fused(xp: usize, wp: usize, yp: usize, lo: i32, hi: i32, geo: usize): void {
  const h = g(geo, 2), w = g(geo, 3), sh = g(geo, 8), sw = g(geo, 9), dh = g(geo, 10);
  const dw = g(geo, 11), pt = g(geo, 12), pl = g(geo, 13), oh = g(geo, 14), ow = g(geo, 15);
  const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4);
  const w2 = v128.load32_splat(wp, 8), w3 = v128.load32_splat(wp, 12);
  const w4 = v128.load32_splat(wp, 16), w5 = v128.load32_splat(wp, 20);
  const w6 = v128.load32_splat(wp, 24), w7 = v128.load32_splat(wp, 28);
  const w8 = v128.load32_splat(wp, 32);
  const st = <usize>sw * 4;
  const d1 = <usize>dw * 4, d2 = d1 * 2;
  const lanes = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(sw));
  const width = i32x4.splat(w), step = i32x4.splat(dw);
  for (let oy = 0; oy < oh; oy++) {
    const yr = yp + <usize>(oy * ow) * 4;
    const iy0 = oy * sh - pt;
    if (iy0 < 0 || iy0 + 2 * dh >= h) {
      let i0 = 0;
      while (i0 < 3 && iy0 + i0 * dh < 0) i0++;
      let i1 = 3;
      while (i1 > i0 && iy0 + (i1 - 1) * dh >= h) i1--;
      rowFused(xp, wp, yr, iy0, i0, i1, lo, hi, geo);
      continue;
    }
    const r0 = xp + <usize>(iy0 * w - pl) * 4;
    const r1 = r0 + <usize>(dh * w) * 4;
    const r2 = r1 + <usize>(dh * w) * 4;
    let ox = 0;
    while (ox < ow) {
      if (ox >= lo && ox + 4 <= hi) {
        const end = ox + ((hi - ox) & ~3);
        rowTaps3x3Fused(r0, r1, r2, wp, yr, ox, end, sw, dw);
        ox = end;
        continue;
      }
      const ix = i32x4.add(i32x4.splat(ox * sw - pl), lanes);
      const m0 = insideRow(ix, width);
      const m1 = insideRow(i32x4.add(ix, step), width);
      const m2 = insideRow(i32x4.add(ix, i32x4.add(step, step)), width);
      const o = <usize>ox * st;
      const yo = yr + (<usize>ox << 2);
      let a = v128.load(yo);
      a = f32x4.relaxed_madd(w0, v128.and(loadStrided(r0 + o, st), m0), a);
      a = f32x4.relaxed_madd(w1, v128.and(loadStrided(r0 + o + d1, st), m1), a);
      a = f32x4.relaxed_madd(w2, v128.and(loadStrided(r0 + o + d2, st), m2), a);
      a = f32x4.relaxed_madd(w3, v128.and(loadStrided(r1 + o, st), m0), a);
      a = f32x4.relaxed_madd(w4, v128.and(loadStrided(r1 + o + d1, st), m1), a);
      a = f32x4.relaxed_madd(w5, v128.and(loadStrided(r1 + o + d2, st), m2), a);
      a = f32x4.relaxed_madd(w6, v128.and(loadStrided(r2 + o, st), m0), a);
      a = f32x4.relaxed_madd(w7, v128.and(loadStrided(r2 + o + d1, st), m1), a);
      a = f32x4.relaxed_madd(w8, v128.and(loadStrided(r2 + o + d2, st), m2), a);
      storeFirst(yo, a, ow - ox);
      ox += 4;
    }
  }
}

/** Lanes 0 … n − 1 of `a` to `p` (all four when n ≥ 4). */
@inline
function storeFirst(p: usize, a: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, a);
    return;
  }
  store<f32>(p, f32x4.extract_lane(a, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(a, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(a, 2), 8);
}
