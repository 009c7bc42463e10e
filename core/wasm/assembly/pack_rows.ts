// A-operand packing for the common case of a row-major A (unit column stride) and
// alpha 1: the same layout as gemm.ts's packA (per KC block, MR-row strips of [kc][MR]
// floats, rows past m zero), but whole strips move four K steps at a time through a
// 4×4 register transpose instead of one float at a time. Only data moves, so the packed
// bits are packA's.
import { KC, MR, packA, stripRows } from "./gemm";

/** Pack the m×k row-major A at `a` (row stride `lda` floats) as packA(…, 1, …, 1.0). */
export function packARows(dst: usize, a: usize, lda: i32, m: i32, k: i32): void {
  if (MR != 4) {
    packA(dst, a, lda, 1, m, k, 1.0);
    return;
  }
  const mp = stripRows(m);
  const full = m - m % 4;
  const ld = <usize>lda << 2;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    let d = dst + <usize>(pc * mp) * 4;
    for (let i0 = 0; i0 < full; i0 += 4) {
      const r0 = a + (<usize>i0 * <usize>lda + <usize>pc) * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = r0 + (<usize>p << 2);
        const v0 = v128.load(o), v1 = v128.load(o + ld);
        const v2 = v128.load(o + 2 * ld), v3 = v128.load(o + 3 * ld);
        // rows (0, 1) and (2, 3) interleaved: lo holds K steps 0, 1, hi steps 2, 3
        const lo01 = i32x4.shuffle(v0, v1, 0, 4, 1, 5), hi01 = i32x4.shuffle(v0, v1, 2, 6, 3, 7);
        const lo23 = i32x4.shuffle(v2, v3, 0, 4, 1, 5), hi23 = i32x4.shuffle(v2, v3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(lo01, lo23, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(lo01, lo23, 2, 3, 6, 7), 16);
        v128.store(d, i32x4.shuffle(hi01, hi23, 0, 1, 4, 5), 32);
        v128.store(d, i32x4.shuffle(hi01, hi23, 2, 3, 6, 7), 48);
        d += 64;
      }
      for (; p < kc; p++) {
        const o = r0 + (<usize>p << 2);
        for (let r = 0; r < 4; r++) store<f32>(d + (<usize>r << 2), load<f32>(o + <usize>r * ld));
        d += 16;
      }
    }
    if (full < m) {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < 4; r++) {
          const i = full + r;
          const v: f32 = i < m ? load<f32>(a + (<usize>i * <usize>lda + <usize>(pc + p)) * 4) : 0;
          store<f32>(d + (<usize>r << 2), v);
        }
        d += 16;
      }
    }
  }
}
