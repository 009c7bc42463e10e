// Patch-matrix packing for strips that straddle two output rows (conv.ts packs the
// rest): a strip of NR output positions, stride 1, from (oy0, ox0) to the end of its
// row and on into the next.
import { NR } from "./gemm";

@inline
function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * Eight floats of input row `iy` from column `ix0` into the lanes `run`, `runHi` of the
 * strip step at `out`, zero outside the image; the other lanes keep what `out` holds.
 * The run is read whole, past the row's ends where it leaves the image (the masks drop
 * those lanes). A run that would read outside the memory holds no in-image lane (the
 * heap keeps more than 32 bytes before and after every block: core/wasm/heap.ts), so
 * it is all zero.
 */
@inline
function maskedRun(
  plane: usize, iy: i32, ix0: i32, h: i32, w: i32, run: v128, runHi: v128, memEnd: i32,
  out: usize,
): void {
  const at = <i32>plane + (iy * w + ix0) * 4;
  if (iy < 0 || iy >= h || at < 0 || at > memEnd - 32) {
    v128.store(out, v128.andnot(v128.load(out), run));
    v128.store(out, v128.andnot(v128.load(out, 16), runHi), 16);
    return;
  }
  const lanes = i32x4(0, 1, 2, 3);
  const xs = i32x4.add(i32x4.splat(ix0), lanes);
  const xsHi = i32x4.add(i32x4.splat(ix0 + 4), lanes);
  const wv = i32x4.splat(w);
  const zero = i32x4.splat(0);
  const keep = v128.and(run, v128.and(i32x4.ge_s(xs, zero), i32x4.lt_s(xs, wv)));
  const keepHi = v128.and(runHi, v128.and(i32x4.ge_s(xsHi, zero), i32x4.lt_s(xsHi, wv)));
  const v = v128.load(<usize>at);
  const vHi = v128.load(<usize>at, 16);
  // lanes of this run: the masked input; other lanes: what the other run left
  v128.store(out, v128.bitselect(v128.and(v, keep), v128.load(out), run));
  v128.store(out, v128.bitselect(v128.and(vHi, keepHi), v128.load(out, 16), runHi), 16);
}

/**
 * Pack `kc` patch rows, from row (c, i, j) on, of the full strip of NR output
 * positions starting at (oy0, ox0), stride 1, where the strip runs past the end of
 * its output row (ow − ox0 < NR ≤ 2·ow − ox0): each step is the masked input run of
 * row oy0 for the first ow − ox0 lanes and of row oy0 + 1 for the rest.
 */
export function packTwoRowStrip(
  dst: usize, x: usize, geo: usize, c: i32, i: i32, j: i32, kc: i32, oy0: i32, ox0: i32,
): void {
  const h = g(geo, 2), w = g(geo, 3), kh = g(geo, 6), kw = g(geo, 7);
  const sh = g(geo, 8), dh = g(geo, 10), dw = g(geo, 11);
  const pt = g(geo, 12), pl = g(geo, 13), ow = g(geo, 15);
  const n1 = ow - ox0;
  const lanes = i32x4(0, 1, 2, 3);
  const first = i32x4.lt_s(lanes, i32x4.splat(n1));
  const firstHi = i32x4.lt_s(i32x4.add(lanes, i32x4.splat(4)), i32x4.splat(n1));
  const second = v128.not(first), secondHi = v128.not(firstHi);
  const memEnd = <i32>(memory.size() << 16);
  const hw = h * w;
  let d = dst;
  for (let p = 0; p < kc; p++) {
    const plane = x + <usize>(c * hw) * 4;
    const iy = oy0 * sh - pt + i * dh;
    const ix = ox0 - pl + j * dw;
    maskedRun(plane, iy, ix, h, w, first, firstHi, memEnd, d);
    // the second row's lane t is output column t − n1
    maskedRun(plane, iy + sh, j * dw - pl - n1, h, w, second, secondHi, memEnd, d);
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
