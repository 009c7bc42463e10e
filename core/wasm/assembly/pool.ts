// 2-D max pooling over NCHW float32 planes. Each output takes its first in-image tap,
// then every later tap that compares greater, in row-major tap order (NaN only when the
// first tap is NaN); an output without in-image taps is −∞.
//
// Geometry block (i32 at `geo`): planes, h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl.
import { loadStrided } from "./simd";

@inline
function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * Fold one tap into `n` (a multiple of 4) outputs at `y`: store the tap's inputs at `x`
 * (byte stride `st`) when it is the first, else keep the larger (`pmax`: the output stays
 * unless the tap compares greater, as in the scalar loops). The stride is tested once
 * per call, outside the loops.
 */
@inline
function foldTap(y: usize, x: usize, n: i32, st: usize, seen: bool): void {
  const step = st << 2;
  if (st == 8) {
    for (let o = 0; o < n; o += 4) {
      const p = x + <usize>o * 8;
      const v = i32x4.shuffle(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
      const q = y + (<usize>o << 2);
      v128.store(q, seen ? f32x4.pmax(v128.load(q), v) : v);
    }
  } else {
    for (let o = 0; o < n; o += 4) {
      const v = loadStrided(x + <usize>(o >> 2) * step, st);
      const q = y + (<usize>o << 2);
      v128.store(q, seen ? f32x4.pmax(v128.load(q), v) : v);
    }
  }
}

export function maxPool2d(x: usize, y: usize, geo: usize): void {
  const planes = g(geo, 0), h = g(geo, 1), w = g(geo, 2), oh = g(geo, 3), ow = g(geo, 4);
  const kh = g(geo, 5), kw = g(geo, 6), sh = g(geo, 7), sw = g(geo, 8);
  const dh = g(geo, 9), dw = g(geo, 10), pt = g(geo, 11), pl = g(geo, 12);
  let lo = pl <= 0 ? 0 : (pl + sw - 1) / sw;
  const span = w - 1 + pl - (kw - 1) * dw;
  let hi = span < 0 ? 0 : min(ow, span / sw + 1);
  if (hi < lo) hi = lo;
  if (lo > ow) lo = hi = ow;
  const st = <usize>sw * 4;
  for (let pn = 0; pn < planes; pn++) {
    const xp = x + <usize>(pn * h * w) * 4;
    const yp = y + <usize>(pn * oh * ow) * 4;
    for (let oy = 0; oy < oh; oy++) {
      const yr = yp + <usize>(oy * ow) * 4;
      const iy0 = oy * sh - pt;
      for (let ox = 0; ox < ow; ox++) {
        if (ox == lo) ox = hi;
        if (ox >= ow) break;
        let m: f32 = -Infinity;
        let seen = false;
        for (let i = 0; i < kh; i++) {
          const iy = iy0 + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = ox * sw - pl + j * dw;
            if (ix < 0 || ix >= w) continue;
            const v = load<f32>(xp + <usize>(iy * w + ix) * 4);
            if (v > m || !seen) m = v;
            seen = true;
          }
        }
        store<f32>(yr + (<usize>ox << 2), m);
      }
      // interior columns, four at a time: tap by tap over the whole span, each tap folded
      // into the output row (taps in the same row-major order as the scalar loops)
      const vEnd = lo + ((hi - lo) & ~3);
      const yv = yr + (<usize>lo << 2);
      let seen = false;
      for (let i = 0; i < kh; i++) {
        const iy = iy0 + i * dh;
        if (iy < 0 || iy >= h) continue;
        for (let j = 0; j < kw; j++) {
          foldTap(yv, xp + <usize>(iy * w + lo * sw - pl + j * dw) * 4, vEnd - lo, st, seen);
          seen = true;
        }
      }
      if (!seen) {
        for (let o = lo; o < vEnd; o++) store<f32>(yr + (<usize>o << 2), -Infinity);
      }
      let ox = vEnd;
      for (; ox < hi; ox++) {
        let m: f32 = -Infinity;
        let seen = false;
        for (let i = 0; i < kh; i++) {
          const iy = iy0 + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const v = load<f32>(xp + <usize>(iy * w + ox * sw - pl + j * dw) * 4);
            if (v > m || !seen) m = v;
            seen = true;
          }
        }
        store<f32>(yr + (<usize>ox << 2), m);
      }
    }
  }
}
