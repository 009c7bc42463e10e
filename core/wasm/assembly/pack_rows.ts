// A-operand packing for the common case of a row-major A (unit column stride) and
// alpha 1: the same layout as gemm.ts's packA (per KC block, MR-row strips of [kc][MR]
// floats, rows past m zero), but whole strips move four K steps at a time through a
// 6×4 register transpose instead of one float at a time.
import { KC, MR, packA, stripRows } from "./gemm";

/** Pack the m×k row-major A at `a` (row stride `lda` floats) as packA(…, 1, …, 1.0). */
export function packARows(dst: usize, a: usize, lda: i32, m: i32, k: i32): void {
  if (MR != 6) {
    packA(dst, a, lda, 1, m, k, 1.0);
    return;
  }
  const mp = stripRows(m);
  const full = m - m % 6;
  const ld = <usize>lda << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    let d = dst + <usize>(pc * mp) * 4;
    for (let i0 = 0; i0 < full; i0 += 6) {
      const r0 = a + (<usize>i0 * <usize>lda + <usize>pc) * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = r0 + (<usize>p << 2);
        const v0 = v128.load(o), v1 = v128.load(o + ld), v2 = v128.load(o + 2 * ld);
        const v3 = v128.load(o + 3 * ld), v4 = v128.load(o + 4 * ld);
        const v5 = v128.load(o + 5 * ld);
        // rows (2j, 2j+1) interleaved: lo holds K steps 0, 1, hi steps 2, 3
        const a0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), b0 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        const a1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5), b1 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        const a2 = i32x4.shuffle(v4, v5, 0, 4, 1, 5), b2 = i32x4.shuffle(v4, v5, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(a0, a1, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(a2, a0, 0, 1, 6, 7), 16);
        v128.store(d, i32x4.shuffle(a1, a2, 2, 3, 6, 7), 32);
        v128.store(d, i32x4.shuffle(b0, b1, 0, 1, 4, 5), 48);
        v128.store(d, i32x4.shuffle(b2, b0, 0, 1, 6, 7), 64);
        v128.store(d, i32x4.shuffle(b1, b2, 2, 3, 6, 7), 80);
        d += 96;
      }
      for (; p < kc; p++) {
        const o = r0 + (<usize>p << 2);
        for (let r = 0; r < 6; r++) store<f32>(d + (<usize>r << 2), load<f32>(o + <usize>r * ld));
        d += 24;
      }
    }
    if (full < m) {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 6; r++) {
          const i = full + r;
          const v: f32 = i < m ? load<f32>(a + (<usize>i * <usize>lda + <usize>(pc + p)) * 4) : 0;
          store<f32>(d + (<usize>r << 2), v);
        }
        d += 24;
      }
    }
  }
}
