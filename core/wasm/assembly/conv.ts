// 2-D convolution over NCHW float32: grouped/dense convolution as packed-weight GEMM
// whose B panels are gathered straight from the image (im2col fused into packing);
// depthwise convolution has its own kernel in depthwise.ts.
//
// Geometry block (i32 at `geo`): n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl,
// oh, ow.
import { ADD, BIAS, KC, MR, NC, NR, panel, stripRows } from "./gemm";
import { packTwoRowStrip } from "./conv_pack";
import { loadStrided } from "./simd";

/** Field `i` of the geometry block. */
@inline
export function g(geo: usize, i: i32): i32 {
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
    if (nr == NR && !(oneRow && sw == 1) && stripInside(geo, q0)) {
      packInsideStrip(d, x, geo, pc, kc, q0);
      d += <usize>(kc * NR) * 4;
      continue;
    }
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

/** Element offset of output column q's window origin (row oy·sh − pt, column ox·sw − pl). */
@inline
function origin(geo: usize, q: i32): i32 {
  const ow = g(geo, 15);
  return ((q / ow) * g(geo, 8) - g(geo, 12)) * g(geo, 3) + (q % ow) * g(geo, 9) - g(geo, 13);
}

/** True when the windows of the NR output columns from q0 on lie wholly inside the image. */
function stripInside(geo: usize, q0: i32): bool {
  const h = g(geo, 2), w = g(geo, 3), ow = g(geo, 15);
  const spanY = (g(geo, 6) - 1) * g(geo, 10), spanX = (g(geo, 7) - 1) * g(geo, 11);
  for (let t = 0; t < NR; t++) {
    const q = q0 + t;
    const iy = (q / ow) * g(geo, 8) - g(geo, 12);
    const ix = (q % ow) * g(geo, 9) - g(geo, 13);
    if (iy < 0 || iy + spanY >= h || ix < 0 || ix + spanX >= w) return false;
  }
  return true;
}

/**
 * packConvB's strip for NR columns whose windows are all inside the image (strided
 * windows, or a strip that leaves its output row): row kk of the strip is the element
 * at one offset (c·h·w + i·dh·w + j·dw) from each column's window origin, so NR plain
 * loads with no bound tests (the general path tests each element: about 4× slower on
 * tiny_vit's 16×16 stride-16 patches).
 */
function packInsideStrip(d: usize, x: usize, geo: usize, pc: i32, kc: i32, q0: i32): void {
  const h = g(geo, 2), w = g(geo, 3), kh = g(geo, 6), kw = g(geo, 7);
  const dh = g(geo, 10), dw = g(geo, 11);
  const khw = kh * kw;
  const o0 = x + (<usize>origin(geo, q0) << 2), o1 = x + (<usize>origin(geo, q0 + 1) << 2);
  const o2 = x + (<usize>origin(geo, q0 + 2) << 2), o3 = x + (<usize>origin(geo, q0 + 3) << 2);
  const o4 = x + (<usize>origin(geo, q0 + 4) << 2), o5 = x + (<usize>origin(geo, q0 + 5) << 2);
  const o6 = x + (<usize>origin(geo, q0 + 6) << 2), o7 = x + (<usize>origin(geo, q0 + 7) << 2);
  let c = pc / khw;
  const r = pc % khw;
  let i = r / kw;
  let j = r % kw;
  for (let p = 0; p < kc; p++) {
    const off = <usize>((c * h + i * dh) * w + j * dw) << 2;
    let lo = f32x4.splat(load<f32>(o0 + off));
    lo = f32x4.replace_lane(lo, 1, load<f32>(o1 + off));
    lo = f32x4.replace_lane(lo, 2, load<f32>(o2 + off));
    lo = f32x4.replace_lane(lo, 3, load<f32>(o3 + off));
    let hi = f32x4.splat(load<f32>(o4 + off));
    hi = f32x4.replace_lane(hi, 1, load<f32>(o5 + off));
    hi = f32x4.replace_lane(hi, 2, load<f32>(o6 + off));
    hi = f32x4.replace_lane(hi, 3, load<f32>(o7 + off));
    v128.store(d, lo);
    v128.store(d, hi, 16);
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
