/**
 * Integer ConvTranspose accumulators: every centred input code scatters `x · w` into the
 * output positions its kernel taps reach, `o = i·stride − pad_begin + t·dilation`, summed
 * exactly in float64 (products of 8/16-bit codes and S8 weights stay far below 2^53).
 *
 * @module
 */
import type { ConvTransposeGeometry } from "../ops/nn/conv_transpose.ts";

/** Sizes of one ConvTranspose, resolved for concrete input dims. */
export interface ConvTransposeShape {
  readonly batch: number;
  /** C: input channels. */
  readonly inChannels: number;
  /** M: output channels (W[1] · group). */
  readonly outChannels: number;
  readonly group: number;
  readonly inSpatial: readonly number[];
  readonly geometry: ConvTransposeGeometry;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/**
 * For every (input position, kernel tap) pair, the flat output position it reaches, or
 * −1 when it falls into the cropped padding.
 */
function tapTargets(inSpatial: readonly number[], g: ConvTransposeGeometry): Int32Array {
  const r = inSpatial.length;
  const inP = product(inSpatial);
  const kP = product(g.kernel);
  const targets = new Int32Array(inP * kP);
  const idx = new Array<number>(r).fill(0);
  const tap = new Array<number>(r).fill(0);
  for (let p = 0; p < inP; p++) {
    let rest = p;
    for (let d = r - 1; d >= 0; d--) {
      idx[d] = rest % inSpatial[d];
      rest = Math.floor(rest / inSpatial[d]);
    }
    for (let t = 0; t < kP; t++) {
      let tr = t;
      for (let d = r - 1; d >= 0; d--) {
        tap[d] = tr % g.kernel[d];
        tr = Math.floor(tr / g.kernel[d]);
      }
      let flat = 0;
      for (let d = 0; d < r; d++) {
        const o = idx[d] * g.strides[d] - g.pads[d] + tap[d] * g.dilations[d];
        if (o < 0 || o >= g.out[d]) {
          flat = -1;
          break;
        }
        flat = flat * g.out[d] + o;
      }
      targets[p * kP + t] = flat;
    }
  }
  return targets;
}

/**
 * Accumulators `acc[n, m, o] = bias[m] + Σ x[n, c, i] · w[c, m mod (M/group), t]` over
 * the input channels `c` of m's group and the (i, t) pairs reaching o.
 *
 * @param x centred input codes [N, C, spatial…]
 * @param s sizes and geometry
 * @param w weight codes [C, M/group, kernel…]
 * @param bias S32 bias codes per output channel, if any
 */
export function convTransposeAccumulate(
  x: Float32Array,
  s: ConvTransposeShape,
  w: Int32Array,
  bias: Int32Array | undefined,
): Float64Array {
  const geo = s.geometry;
  const inP = product(s.inSpatial);
  const kP = product(geo.kernel);
  const outP = product(geo.out);
  const cg = s.inChannels / s.group;
  const mg = s.outChannels / s.group;
  const targets = tapTargets(s.inSpatial, geo);
  const acc = new Float64Array(s.batch * s.outChannels * outP);
  for (let n = 0; n < s.batch; n++) {
    for (let m = 0; m < s.outChannels; m++) {
      const aOff = (n * s.outChannels + m) * outP;
      if (bias) acc.fill(bias[m], aOff, aOff + outP);
      const gi = Math.floor(m / mg);
      const co = m - gi * mg;
      for (let ci = 0; ci < cg; ci++) {
        const c = gi * cg + ci;
        const xOff = (n * s.inChannels + c) * inP;
        const wOff = (c * mg + co) * kP;
        for (let p = 0; p < inP; p++) {
          const xv = x[xOff + p];
          if (xv === 0) continue;
          const tOff = p * kP;
          for (let t = 0; t < kP; t++) {
            const o = targets[tOff + t];
            if (o >= 0) acc[aOff + o] += xv * w[wOff + t];
          }
        }
      }
    }
  }
  return acc;
}
