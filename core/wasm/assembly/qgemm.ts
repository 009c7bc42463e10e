// Integer GEMM for the emulator: int16 operands, int32 accumulators, C = A·B exactly
// (the caller guarantees K·max|a|·max|b| < 2^31, so no sum can wrap). Operands are
// paired along K so one i32x4.dot_i16x8_s does two multiply-adds per lane.
//
// Packed A: for each KQ block, MR-row strips of [kc/2][MR] i32 (a[i,k] | a[i,k+1]<<16).
// Packed B panel: NR-column strips of [kc/2][NR] i32 pairs (b[k,j] | b[k+1,j]<<16).
import { NR } from "./gemm";

/** Rows of the integer register tile. */
const MR: i32 = 4;

@inline
function stripRows(m: i32): i32 {
  return (m + MR - 1) / MR * MR;
}

export const KQ: i32 = 512;
export const NQ: i32 = 256;

/**
 * Convert n float32 values, each minus `offset` (a float32 subtraction, as the
 * reference's centring rounds it), to int16 at `dst`; returns max |v − offset|, or −1
 * when a difference is not an integer in [−32767, 32767] (the caller then keeps its
 * float64 path).
 */
export function toI16(src: usize, dst: usize, n: i32, offset: f32): i32 {
  const off = f32x4.splat(offset);
  const lim = f32x4.splat(32767);
  let big = i16x8.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = f32x4.sub(v128.load(src + (<usize>i << 2)), off);
    const b = f32x4.sub(v128.load(src + (<usize>i << 2), 16), off);
    // every lane an integer inside the range (false for NaN)
    const ok = v128.and(
      v128.and(f32x4.eq(f32x4.trunc(a), a), f32x4.eq(f32x4.trunc(b), b)),
      v128.and(f32x4.le(f32x4.abs(a), lim), f32x4.le(f32x4.abs(b), lim)),
    );
    if (!i32x4.all_true(ok)) return -1;
    const q = i16x8.narrow_i32x4_s(truncChecked(a), truncChecked(b));
    big = i16x8.max_s(big, i16x8.abs(q));
    v128.store(dst + (<usize>i << 1), q);
  }
  big = i16x8.max_s(big, i16x8.shuffle(big, big, 4, 5, 6, 7, 4, 5, 6, 7));
  big = i16x8.max_s(big, i16x8.shuffle(big, big, 2, 3, 2, 3, 2, 3, 2, 3));
  big = i16x8.max_s(big, i16x8.shuffle(big, big, 1, 1, 1, 1, 1, 1, 1, 1));
  let m = <i32>i16x8.extract_lane_s(big, 0);
  for (; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2)) - offset;
    if (!(v >= -32767 && v <= 32767) || Mathf.trunc(v) != v) return -1;
    const q = <i32>v;
    const a = q < 0 ? -q : q;
    if (a > m) m = a;
    store<i16>(dst + (<usize>i << 1), <i16>q);
  }
  return m;
}

/**
 * Lanes already known to be integers within ±32767 as int32: every truncation gives them
 * exactly, so the relaxed build takes the one-instruction form.
 */
@inline
function truncChecked(v: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_trunc_f32x4_s(v);
  return i32x4.trunc_sat_f32x4_s(v);
}

/** Same for int32 values. */
export function i32ToI16(src: usize, dst: usize, n: i32): i32 {
  const lim = i32x4.splat(32767), neg = i32x4.splat(-32767);
  let out = i32x4.splat(0);
  let bigv = i16x8.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(src + (<usize>i << 2));
    const b = v128.load(src + (<usize>i << 2), 16);
    out = v128.or(out, v128.or(
      v128.or(i32x4.gt_s(a, lim), i32x4.lt_s(a, neg)),
      v128.or(i32x4.gt_s(b, lim), i32x4.lt_s(b, neg)),
    ));
    const q = i16x8.narrow_i32x4_s(a, b);
    bigv = i16x8.max_s(bigv, i16x8.abs(q));
    v128.store(dst + (<usize>i << 1), q);
  }
  if (v128.any_true(out)) return -1;
  bigv = i16x8.max_s(bigv, i16x8.shuffle(bigv, bigv, 4, 5, 6, 7, 4, 5, 6, 7));
  bigv = i16x8.max_s(bigv, i16x8.shuffle(bigv, bigv, 2, 3, 2, 3, 2, 3, 2, 3));
  bigv = i16x8.max_s(bigv, i16x8.shuffle(bigv, bigv, 1, 1, 1, 1, 1, 1, 1, 1));
  let big = <i32>i16x8.extract_lane_s(bigv, 0);
  for (; i < n; i++) {
    const q = load<i32>(src + (<usize>i << 2));
    if (q < -32767 || q > 32767) return -1;
    const a = q < 0 ? -q : q;
    if (a > big) big = a;
    store<i16>(dst + (<usize>i << 1), <i16>q);
  }
  return big;
}

@inline
function i16At(p: usize): i32 {
  return <i32>load<i16>(p);
}

/** Bytes of packed A for m×k. */
export function packedQABytes(m: i32, k: i32): i32 {
  return stripRows(m) * ((k + 1) & ~1) * 2;
}

/** Pack int16 A (element (i, p) at `a + 2·(i·rs + p·cs)`). */
export function packQA(dst: usize, a: usize, rs: i32, cs: i32, m: i32, k: i32): void {
  const mp = stripRows(m);
  let d = dst;
  for (let pc = 0; pc < k; pc += KQ) {
    const kc = min(KQ, k - pc);
    for (let i0 = 0; i0 < mp; i0 += MR) {
      for (let p = 0; p < kc; p += 2) {
        for (let r = 0; r < MR; r++) {
          const i = i0 + r;
          let lo = 0, hi = 0;
          if (i < m) {
            const s = a + <usize>(i * rs + (pc + p) * cs) * 2;
            lo = i16At(s);
            if (p + 1 < kc) hi = i16At(s + <usize>cs * 2);
          }
          store<i32>(d, (lo & 0xffff) | (hi << 16));
          d += 4;
        }
      }
    }
  }
}

/** Pack a kc×nc panel of int16 B (element (p, j) at `b + 2·(p·rs + j·cs)`) in pairs. */
function packQB(dst: usize, b: usize, rs: i32, cs: i32, kc: i32, nc: i32): void {
  let d = dst;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const w = min(NR, nc - j0);
    for (let p = 0; p < kc; p += 2) {
      const r0 = b + <usize>(p * rs + j0 * cs) * 2;
      const two = p + 1 < kc;
      if (w == NR && cs == 1 && two) {
        const x0 = v128.load(r0);
        const x1 = v128.load(r0 + <usize>rs * 2);
        v128.store(d, i16x8.shuffle(x0, x1, 0, 8, 1, 9, 2, 10, 3, 11));
        v128.store(d, i16x8.shuffle(x0, x1, 4, 12, 5, 13, 6, 14, 7, 15), 16);
      } else {
        for (let j = 0; j < NR; j++) {
          let lo = 0, hi = 0;
          if (j < w) {
            const s = r0 + <usize>(j * cs) * 2;
            lo = i16At(s);
            if (two) hi = i16At(s + <usize>rs * 2);
          }
          store<i32>(d + (<usize>j << 2), (lo & 0xffff) | (hi << 16));
        }
      }
      d += NR * 4;
    }
  }
}

function qtile(
  pairs: i32, ap: usize, bp: usize, cp: usize, ldc: usize,
  overwrite: bool, mr: i32, nr: i32, tmp: usize,
): void {
  let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
  let c10 = i32x4.splat(0), c11 = i32x4.splat(0);
  let c20 = i32x4.splat(0), c21 = i32x4.splat(0);
  let c30 = i32x4.splat(0), c31 = i32x4.splat(0);
  for (let p = 0; p < pairs; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = i32x4.add(c00, i32x4.dot_i16x8_s(a, b0));
    c01 = i32x4.add(c01, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(ap, 4);
    c10 = i32x4.add(c10, i32x4.dot_i16x8_s(a, b0));
    c11 = i32x4.add(c11, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(ap, 8);
    c20 = i32x4.add(c20, i32x4.dot_i16x8_s(a, b0));
    c21 = i32x4.add(c21, i32x4.dot_i16x8_s(a, b1));
    a = v128.load32_splat(ap, 12);
    c30 = i32x4.add(c30, i32x4.dot_i16x8_s(a, b0));
    c31 = i32x4.add(c31, i32x4.dot_i16x8_s(a, b1));
    ap += 16;
    bp += 32;
  }
  v128.store(tmp, c00);
  v128.store(tmp, c01, 16);
  v128.store(tmp, c10, 32);
  v128.store(tmp, c11, 48);
  v128.store(tmp, c20, 64);
  v128.store(tmp, c21, 80);
  v128.store(tmp, c30, 96);
  v128.store(tmp, c31, 112);
  for (let i = 0; i < mr; i++) {
    const row = cp + <usize>i * ldc;
    const t = tmp + <usize>(i * NR) * 4;
    if (nr == NR) {
      const v0 = v128.load(t), v1 = v128.load(t, 16);
      if (overwrite) {
        v128.store(row, v0);
        v128.store(row, v1, 16);
      } else {
        v128.store(row, i32x4.add(v128.load(row), v0));
        v128.store(row, i32x4.add(v128.load(row, 16), v1), 16);
      }
      continue;
    }
    for (let j = 0; j < nr; j++) {
      const o = row + (<usize>j << 2);
      const v = load<i32>(t + (<usize>j << 2));
      store<i32>(o, overwrite ? v : load<i32>(o) + v);
    }
  }
}

/** Bytes of scratch qgemm needs. */
export function qgemmWorkBytes(): i32 {
  return (KQ * NQ / 2 + MR * NR) * 4;
}

/**
 * C (i32, m×n, row stride ldc) = packed A · B, B int16 with element (p, j) at
 * `b + 2·(p·rs + j·cs)`.
 */
export function qgemm(
  pa: usize, m: i32, n: i32, k: i32, b: usize, rs: i32, cs: i32,
  c: usize, ldc: i32, work: usize,
): void {
  const mp = stripRows(m);
  const tmp = work + <usize>(KQ * NQ / 2) * 4;
  const ldcb = <usize>ldc * 4;
  for (let jc = 0; jc < n; jc += NQ) {
    const nc = min(NQ, n - jc);
    for (let pc = 0; pc < k; pc += KQ) {
      const kc = min(KQ, k - pc);
      const pairs = (kc + 1) >> 1;
      packQB(work, b + <usize>(pc * rs + jc * cs) * 2, rs, cs, kc, nc);
      const ab = pa + <usize>(pc * mp) * 2;
      for (let jr = 0; jr < nc; jr += NR) {
        const nr = min(NR, nc - jr);
        const bs = work + <usize>(jr * pairs) * 4;
        for (let ir = 0; ir < m; ir += MR) {
          qtile(pairs, ab + <usize>(ir * pairs) * 4, bs, c + <usize>ir * ldcb + <usize>(jc + jr) * 4,
            ldcb, pc == 0, min(MR, m - ir), nr, tmp);
        }
      }
    }
  }
}

/**
 * out[i·n + j] (float64) = c[i·ldc + j] + bias, bias per row (`perRow`) or per column;
 * with `transpose`, out[j·m + i] instead. `bias` 0 means none.
 */
export function accToF64(
  c: usize, m: i32, n: i32, ldc: i32, bias: usize, perRow: bool, transpose: bool, out: usize,
): void {
  const rowBias = bias == 0 || perRow;
  for (let i = 0; i < m; i++) {
    const rb: f64 = bias != 0 && perRow ? <f64>load<i32>(bias + (<usize>i << 2)) : 0;
    let j = 0;
    if (rowBias && !transpose) {
      // four at a time: int32 to float64 is exact, and so is adding the bias
      const rb2 = f64x2.splat(rb);
      const src = c + <usize>(i * ldc) * 4;
      const dst = out + <usize>(i * n) * 8;
      for (; j + 4 <= n; j += 4) {
        const v = v128.load(src + (<usize>j << 2));
        v128.store(dst + (<usize>j << 3), f64x2.add(f64x2.convert_low_i32x4_s(v), rb2));
        v128.store(
          dst + (<usize>j << 3),
          f64x2.add(f64x2.convert_low_i32x4_s(i32x4.shuffle(v, v, 2, 3, 2, 3)), rb2),
          16,
        );
      }
    }
    for (; j < n; j++) {
      let v = <f64>load<i32>(c + <usize>(i * ldc + j) * 4);
      v += bias == 0 ? 0 : perRow ? rb : <f64>load<i32>(bias + (<usize>j << 2));
      const o = transpose ? j * m + i : i * n + j;
      store<f64>(out + (<usize>o << 3), v);
    }
  }
}

@inline
function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * The int16 patch matrix [cg·kh·kw][oh·ow] of one group of one image (first channel at
 * `x`), zero outside the image. Geometry block as in conv.ts.
 */
export function im2colI16(x: usize, col: usize, geo: usize): void {
  const c = g(geo, 1), h = g(geo, 2), w = g(geo, 3), groups = g(geo, 5);
  const kh = g(geo, 6), kw = g(geo, 7), sh = g(geo, 8), sw = g(geo, 9);
  const dh = g(geo, 10), dw = g(geo, 11), pt = g(geo, 12), pl = g(geo, 13);
  const oh = g(geo, 14), ow = g(geo, 15);
  const cg = c / groups;
  let d = col;
  for (let ci = 0; ci < cg; ci++) {
    const plane = x + <usize>(ci * h * w) * 2;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - pt + i * dh;
          if (iy < 0 || iy >= h) {
            memory.fill(d, 0, <usize>ow * 2);
            d += <usize>ow * 2;
            continue;
          }
          const row = plane + <usize>(iy * w) * 2;
          for (let ox = 0; ox < ow; ox++) {
            const ix = ox * sw - pl + j * dw;
            store<i16>(d, ix >= 0 && ix < w ? load<i16>(row + (<usize>ix << 1)) : 0);
            d += 2;
          }
        }
      }
    }
  }
}
