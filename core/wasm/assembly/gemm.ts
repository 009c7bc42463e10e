// Float32 GEMM in the Goto style. A is packed whole into MR-row strips per KC block
// (constant weights are packed once, at the caller's first use); B is packed one
// KC×NC panel at a time into NR-column strips (for convolutions straight from the
// image, see conv.ts, where 1×1 convolutions read the image rows in place instead); an
// MR×NR register tile walks the strips.
//
// Rounding contract (the reference kernels in gemm_kernel.ts follow it too): each
// output sums its products in K order within blocks of KC, each block from zero in
// float32 (product rounded, then sum rounded; one fused rounding in the relaxed build);
// each block sum is then added to C in float32. alpha scales A while packing, in
// float64, rounded once to float32.
import { highHalf, madd } from "./simd";

export const MR: i32 = 4;
export const NR: i32 = 8;
export const KC: i32 = 256;
export const NC: i32 = 256;
const MC: i32 = 64;

/** Rows of A rounded up to whole strips. */
@inline
export function stripRows(m: i32): i32 {
  return (m + MR - 1) / MR * MR;
}

/** Bytes of the whole packed A of an m×k matrix. */
export function packedABytes(m: i32, k: i32): i32 {
  return stripRows(m) * k * 4;
}

/** Bytes of one packed B panel plus the edge tile. */
export function panelBytes(): i32 {
  return (KC * NC + MR * NR) * 4;
}

/**
 * Pack op(A) (element (i, p) at `a + 4·(i·rs + p·cs)`) times alpha: for each KC block
 * at float offset pc·stripRows(m), MR-row strips of [kc][MR] floats, rows past m zero.
 */
export function packA(dst: usize, a: usize, rs: i32, cs: i32, m: i32, k: i32, alpha: f64): void {
  const mp = stripRows(m);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    let d = dst + <usize>(pc * mp) * 4;
    for (let i0 = 0; i0 < mp; i0 += MR) {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          const i = i0 + r;
          let v: f32 = 0;
          if (i < m) {
            v = load<f32>(a + <usize>(i * rs + (pc + p) * cs) * 4);
            if (alpha != 1.0) v = <f32>(alpha * <f64>v);
          }
          store<f32>(d, v);
          d += 4;
        }
      }
    }
  }
}

/** Pack a kc×nc panel of op(B) (element (p, j) at `b + 4·(p·rs + j·cs)`) into NR strips. */
export function packB(dst: usize, b: usize, rs: i32, cs: i32, kc: i32, nc: i32): void {
  let d = dst;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const w = min(NR, nc - j0);
    for (let p = 0; p < kc; p++) {
      const s = b + <usize>(p * rs + j0 * cs) * 4;
      if (w == NR && cs == 1) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) {
          store<f32>(d + (<usize>j << 2), j < w ? load<f32>(s + <usize>(j * cs) * 4) : 0);
        }
      }
      d += NR * 4;
    }
  }
}

/** How a tile meets C: written, added to C, or added to a per-row bias and written. */
export const WRITE: i32 = 0;
export const ADD: i32 = 1;
export const BIAS: i32 = 2;

@inline
function splatRow(bias: usize, r: i32): v128 {
  return v128.load32_splat(bias + (<usize>r << 2));
}

@inline
function biasRow(q: usize, bias: usize, r: i32, lo: v128, hi: v128): void {
  const b = splatRow(bias, r);
  v128.store(q, f32x4.add(b, lo));
  v128.store(q, f32x4.add(b, hi), 16);
}

@inline
function addRow(q: usize, lo: v128, hi: v128): void {
  v128.store(q, f32x4.add(v128.load(q), lo));
  v128.store(q, f32x4.add(v128.load(q, 16), hi), 16);
}

@inline
function storeRow(q: usize, lo: v128, hi: v128): void {
  v128.store(q, lo);
  v128.store(q, hi, 16);
}

/**
 * One MR×NR tile: `kc` steps over an A strip and a B strip (NR floats per step, steps
 * `bs` bytes apart), then the valid mr×nr corner meets C by `mode` (`bias` points at
 * the strip's first row bias). `ldc` is in bytes; `tmp` holds MR·NR floats.
 *
 * Why 4×8 with A read as one vector and broadcast by shuffles: V8 without trap handlers
 * (Deno) bounds-checks every memory access in code, so each step costs its loads more
 * than its multiply-adds; three loads per eight multiply-adds (against eight per twelve
 * for 6×8 with broadcast loads) and twelve live vectors (no spills in the non-fused
 * build, which needs a product register) measured fastest on both builds.
 */
function tile(
  kc: i32, ap: usize, bp: usize, bs: usize, cp: usize, ldc: usize,
  mode: i32, bias: usize, mr: i32, nr: i32, tmp: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const av = v128.load(ap);
    let a = i32x4.shuffle(av, av, 0, 0, 0, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = i32x4.shuffle(av, av, 1, 1, 1, 1);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = i32x4.shuffle(av, av, 2, 2, 2, 2);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = i32x4.shuffle(av, av, 3, 3, 3, 3);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR * 4;
    bp += bs;
  }
  const full = mr == MR && nr == NR;
  if (full && mode == BIAS) {
    biasRow(cp, bias, 0, c00, c01);
    biasRow(cp + ldc, bias, 1, c10, c11);
    biasRow(cp + 2 * ldc, bias, 2, c20, c21);
    biasRow(cp + 3 * ldc, bias, 3, c30, c31);
    return;
  }
  if (full && mode == ADD) {
    addRow(cp, c00, c01);
    addRow(cp + ldc, c10, c11);
    addRow(cp + 2 * ldc, c20, c21);
    addRow(cp + 3 * ldc, c30, c31);
    return;
  }
  const t = full ? cp : tmp;
  const ld = full ? ldc : <usize>NR * 4;
  storeRow(t, c00, c01);
  storeRow(t + ld, c10, c11);
  storeRow(t + 2 * ld, c20, c21);
  storeRow(t + 3 * ld, c30, c31);
  if (full) return;
  for (let i = 0; i < mr; i++) {
    const row = cp + <usize>i * ldc;
    const r = tmp + <usize>(i * NR) * 4;
    const bi = mode == BIAS ? load<f32>(bias + (<usize>i << 2)) : 0;
    for (let j = 0; j < nr; j++) {
      const o = row + (<usize>j << 2);
      const v = load<f32>(r + (<usize>j << 2));
      store<f32>(o, mode == WRITE ? v : mode == ADD ? load<f32>(o) + v : bi + v);
    }
  }
}

/**
 * Multiply the packed A block of one KC step (`ap`, strips of kc) by a kc×nc block of B
 * into columns [0, nc) of C (`c` points at the block's first column, `ldc` in floats);
 * `mode` as for a tile, `bias` the m row biases for BIAS. B element (p, j) is at
 * `b + j·colBytes + p·rowBytes`: a panel packed into NR strips (colBytes = 4·kc,
 * rowBytes = 4·NR), or rows read in place (colBytes = 4, rowBytes = 4·ld) when every
 * strip start has NR readable floats in each row.
 */
export function panel(
  ap: usize, m: i32, kc: i32, b: usize, colBytes: usize, rowBytes: usize, nc: i32,
  c: usize, ldc: i32, mode: i32, bias: usize, tmp: usize,
): void {
  const ldcb = <usize>ldc * 4;
  for (let ic = 0; ic < m; ic += MC) {
    const mEnd = min(m, ic + MC);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const bs = b + <usize>jr * colBytes;
      for (let ir = ic; ir < mEnd; ir += MR) {
        const mr = min(MR, m - ir);
        tile(kc, ap + <usize>(ir * kc) * 4, bs, rowBytes, c + <usize>ir * ldcb + (<usize>jr << 2),
          ldcb, mode, bias + (<usize>ir << 2), mr, nr, tmp);
      }
    }
  }
}

/**
 * C (m×n at `c`, row stride ldc floats) = packed A · op(B), or C += … with `accumulate`.
 * `pa` is A packed by packA; `work` holds panelBytes().
 */
export function gemmPacked(
  pa: usize, m: i32, n: i32, k: i32, b: usize, rs: i32, cs: i32,
  c: usize, ldc: i32, accumulate: bool, work: usize,
): void {
  const mp = stripRows(m);
  const tmp = work + <usize>(KC * NC) * 4;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packB(work, b + <usize>(pc * rs + jc * cs) * 4, rs, cs, kc, nc);
      panel(pa + <usize>(pc * mp) * 4, m, kc, work, <usize>kc * 4, NR * 4, nc,
        c + (<usize>jc << 2), ldc, pc == 0 && !accumulate ? WRITE : ADD, 0, tmp);
    }
  }
}

/**
 * `out[j]` (float64) = the dot product of the k floats at `a` with row j of B (`n` rows
 * of k floats, `ldb` floats apart), summed as the float64 reference does: four partial
 * sums over steps of four (s0 += a[p]·b[p], …, s3 += a[p+3]·b[p+3]), the rest into s0,
 * then (s0 + s1) + (s2 + s3). Float32 products are exact in float64, so two f64x2
 * lanes pairs give the reference's bits (no fused multiply-add in any build).
 */
export function dotRows(a: usize, b: usize, ldb: i32, k: i32, n: i32, out: usize): void {
  const k4 = k & ~3;
  for (let j = 0; j < n; j++) {
    const row = b + <usize>(j * ldb) * 4;
    let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
    for (let p = 0; p < k4; p += 4) {
      const av = v128.load(a + (<usize>p << 2));
      const bv = v128.load(row + (<usize>p << 2));
      s01 = f64x2.add(s01, f64x2.mul(f64x2.promote_low_f32x4(av), f64x2.promote_low_f32x4(bv)));
      s23 = f64x2.add(
        s23,
        f64x2.mul(f64x2.promote_low_f32x4(highHalf(av)), f64x2.promote_low_f32x4(highHalf(bv))),
      );
    }
    let s0 = f64x2.extract_lane(s01, 0);
    for (let p = k4; p < k; p++) {
      s0 += <f64>load<f32>(a + (<usize>p << 2)) * <f64>load<f32>(row + (<usize>p << 2));
    }
    store<f64>(
      out + (<usize>j << 3),
      (s0 + f64x2.extract_lane(s01, 1)) + (f64x2.extract_lane(s23, 0) + f64x2.extract_lane(s23, 1)),
    );
  }
}
