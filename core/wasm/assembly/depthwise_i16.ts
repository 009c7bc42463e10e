// Integer depthwise convolution for the emulator: int16 image, int32 weight codes, int32
// sums (exact: the caller checks K·max|x|·max|w| < 2^31, and i32 adds wrap the same in
// any order anyway). Each channel's plane is first copied into a zero-bordered one wide
// enough for every output vector, so every output goes through the vector loops with no
// bound checks: eight at a time at stride 1, four at stride 2 (the even int16 of eight),
// one by one at other strides.

@inline
function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/** Output columns rounded up to whole vectors (eight). */
@inline
function paddedColumns(ow: i32): i32 {
  return (ow + 7) & ~7;
}

/** Width of the zero-bordered plane: the last vector's taps, plus one for stride 2. */
@inline
function planeWidth(ow: i32, sw: i32, kw: i32, dw: i32): i32 {
  return paddedColumns(ow) * sw + (kw - 1) * dw + 1;
}

/** Height of the zero-bordered plane: the last output row's taps. */
@inline
function planeHeight(oh: i32, sh: i32, kh: i32, dh: i32): i32 {
  return (oh - 1) * sh + (kh - 1) * dh + 1;
}

/** Bytes of scratch depthwiseI16 needs for the geometry block `geo` (as in conv.ts). */
export function depthwiseI16WorkBytes(geo: usize): i32 {
  const kh = g(geo, 6), kw = g(geo, 7), sh = g(geo, 8), sw = g(geo, 9);
  const dh = g(geo, 10), dw = g(geo, 11), oh = g(geo, 14), ow = g(geo, 15);
  return planeHeight(oh, sh, kh, dh) * planeWidth(ow, sw, kw, dw) * 2 + paddedColumns(ow) * 4;
}

/** Copy the h×w plane at `xp` into the zero-bordered hp×wp plane at `dst`. */
function border(
  xp: usize, dst: usize, h: i32, w: i32, pt: i32, pl: i32, hp: i32, wp: i32,
): void {
  // columns of the image the bordered plane holds
  const cols = max(0, min(w, wp - pl));
  const right = wp - pl - cols;
  for (let r = 0; r < hp; r++) {
    const d = dst + <usize>(r * wp) * 2;
    const iy = r - pt;
    if (iy < 0 || iy >= h) {
      memory.fill(d, 0, <usize>wp * 2);
      continue;
    }
    memory.fill(d, 0, <usize>pl * 2);
    memory.copy(d + <usize>pl * 2, xp + <usize>(iy * w) * 2, <usize>cols * 2);
    if (right > 0) memory.fill(d + <usize>(pl + cols) * 2, 0, <usize>right * 2);
  }
}

/**
 * Depthwise convolution sums (one input channel per group): int16 image, int32 weight
 * codes [m, kh·kw], int32 sums [n, m, oh·ow]. Geometry block as in conv.ts; `work` holds
 * depthwiseI16WorkBytes(geo) bytes.
 */
export function depthwiseI16(x: usize, wt: usize, y: usize, geo: usize, work: usize): void {
  const n = g(geo, 0), c = g(geo, 1), h = g(geo, 2), w = g(geo, 3), m = g(geo, 4);
  const kh = g(geo, 6), kw = g(geo, 7), sh = g(geo, 8), sw = g(geo, 9);
  const dh = g(geo, 10), dw = g(geo, 11), pt = g(geo, 12), pl = g(geo, 13);
  const oh = g(geo, 14), ow = g(geo, 15);
  const mult = m / c;
  const hp = planeHeight(oh, sh, kh, dh), wp = planeWidth(ow, sw, kw, dw);
  const ow8 = paddedColumns(ow);
  const plane = work, row = work + <usize>(hp * wp) * 2;
  let bordered = -1;
  for (let b = 0; b < n; b++) {
    for (let mm = 0; mm < m; mm++) {
      const ch = b * c + mm / mult;
      if (ch != bordered) {
        border(x + <usize>(ch * h * w) * 2, plane, h, w, pt, pl, hp, wp);
        bordered = ch;
      }
      const yp = y + <usize>((b * m + mm) * oh * ow) * 4;
      const wq = wt + <usize>(mm * kh * kw) * 4;
      for (let oy = 0; oy < oh; oy++) {
        const top = plane + <usize>(oy * sh * wp) * 2;
        if (sw == 1) {
          for (let ox = 0; ox < ow8; ox += 8) {
            let a0 = i32x4.splat(0), a1 = i32x4.splat(0);
            for (let i = 0; i < kh; i++) {
              const r = top + <usize>(i * dh * wp + ox) * 2;
              for (let j = 0; j < kw; j++) {
                const wv = v128.load32_splat(wq + <usize>(i * kw + j) * 4);
                const xv = v128.load(r + <usize>(j * dw) * 2);
                a0 = i32x4.add(a0, i32x4.mul(wv, i32x4.extend_low_i16x8_s(xv)));
                a1 = i32x4.add(a1, i32x4.mul(wv, i32x4.extend_high_i16x8_s(xv)));
              }
            }
            v128.store(row + (<usize>ox << 2), a0);
            v128.store(row + (<usize>ox << 2), a1, 16);
          }
        } else if (sw == 2) {
          for (let ox = 0; ox < ow8; ox += 4) {
            let a = i32x4.splat(0);
            for (let i = 0; i < kh; i++) {
              const r = top + <usize>(i * dh * wp + ox * 2) * 2;
              for (let j = 0; j < kw; j++) {
                const wv = v128.load32_splat(wq + <usize>(i * kw + j) * 4);
                // the even int16 of eight, sign-extended from each 32-bit pair
                const xv = v128.load(r + <usize>(j * dw) * 2);
                a = i32x4.add(a, i32x4.mul(wv, i32x4.shr_s(i32x4.shl(xv, 16), 16)));
              }
            }
            v128.store(row + (<usize>ox << 2), a);
          }
        } else {
          for (let ox = 0; ox < ow; ox++) {
            let s = 0;
            for (let i = 0; i < kh; i++) {
              const r = top + <usize>(i * dh * wp + ox * sw) * 2;
              for (let j = 0; j < kw; j++) {
                s += load<i32>(wq + <usize>(i * kw + j) * 4) *
                  <i32>load<i16>(r + <usize>(j * dw) * 2);
              }
            }
            store<i32>(row + (<usize>ox << 2), s);
          }
        }
        memory.copy(yp + <usize>(oy * ow) * 4, row, <usize>ow * 4);
      }
    }
  }
}
