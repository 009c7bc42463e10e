// Strided gathers of 32-bit words, the data movement of Transpose, Slice, Expand and
// the other layout kernels (core/ops/tensor/_layout.ts): element o of the dense output
// (row-major over `shape`) is the word at src + 4·Σ idx[d]·strides[d]. Words move as
// raw bits, so any 4- or 8-byte type (the latter as word pairs) goes through unchanged.

/** dst rows of a transposed matrix: dst[i·cols + j] = src[i + j·cs], 4×4 blocks in registers. */
function transposeTile(dst: usize, src: usize, rows: i32, cols: i32, cs: i32): void {
  const csb = <usize>cs << 2;
  const fullRows = rows & ~3, fullCols = cols & ~3;
  for (let i0 = 0; i0 < fullRows; i0 += 4) {
    for (let j0 = 0; j0 < fullCols; j0 += 4) {
      const s = src + (<usize>i0 << 2) + <usize>j0 * csb;
      // column j of the block is four consecutive words of the source
      const c0 = v128.load(s), c1 = v128.load(s + csb);
      const c2 = v128.load(s + 2 * csb), c3 = v128.load(s + 3 * csb);
      const t0 = i32x4.shuffle(c0, c1, 0, 4, 1, 5), t1 = i32x4.shuffle(c0, c1, 2, 6, 3, 7);
      const t2 = i32x4.shuffle(c2, c3, 0, 4, 1, 5), t3 = i32x4.shuffle(c2, c3, 2, 6, 3, 7);
      const d = dst + (<usize>(i0 * cols + j0) << 2);
      const rb = <usize>cols << 2;
      v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
      v128.store(d + rb, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
      v128.store(d + 2 * rb, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
      v128.store(d + 3 * rb, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
    }
    for (let i = i0; i < i0 + 4; i++) {
      for (let j = fullCols; j < cols; j++) {
        store<u32>(dst + (<usize>(i * cols + j) << 2), load<u32>(src + (<usize>i << 2) + <usize>j * csb));
      }
    }
  }
  for (let i = fullRows; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<u32>(dst + (<usize>(i * cols + j) << 2), load<u32>(src + (<usize>i << 2) + <usize>j * csb));
    }
  }
}

/**
 * Gather `n` words into `dst` from the strided view of `src` given by `rank` dims at
 * `shape` and word strides at `strides` (i32 each; strides may be 0 or negative, `src`
 * points at the view's first word). `idx` is scratch for `rank` i32.
 */
export function gather32(
  dst: usize, src: usize, n: i32, rank: i32, shape: usize, strides: usize, idx: usize,
): void {
  const r = rank;
  const inner = load<i32>(shape + (<usize>(r - 1) << 2));
  const is = load<i32>(strides + (<usize>(r - 1) << 2));
  // the last two dims a transposed matrix: block transposes, one per outer index
  const tiled = r >= 2 && load<i32>(strides + (<usize>(r - 2) << 2)) == 1 && is > 1;
  const last = tiled ? r - 2 : r - 1;
  const block = tiled ? load<i32>(shape + (<usize>(r - 2) << 2)) * inner : inner;
  for (let d = 0; d < r; d++) store<i32>(idx + (<usize>d << 2), 0);
  let p: isize = 0;
  for (let o = 0; o < n; o += block) {
    const s = <usize>(<isize>src + (p << 2));
    const t = dst + (<usize>o << 2);
    if (tiled) transposeTile(t, s, load<i32>(shape + (<usize>(r - 2) << 2)), inner, is);
    else if (is == 1) memory.copy(t, s, <usize>inner << 2);
    else if (is == 0) {
      const v = load<u32>(s);
      for (let j = 0; j < inner; j++) store<u32>(t + (<usize>j << 2), v);
    } else {
      for (let j = 0; j < inner; j++) {
        store<u32>(t + (<usize>j << 2), load<u32>(<usize>(<isize>s + <isize>j * <isize>is * 4)));
      }
    }
    // advance the odometer over the dims before `last`
    for (let d = last - 1; d >= 0; d--) {
      const ip = idx + (<usize>d << 2);
      const st = <isize>load<i32>(strides + (<usize>d << 2));
      const k = load<i32>(ip) + 1;
      p += st;
      if (k < load<i32>(shape + (<usize>d << 2))) {
        store<i32>(ip, k);
        break;
      }
      p -= st * <isize>k;
      store<i32>(ip, 0);
    }
  }
}
