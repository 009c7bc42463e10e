/**
 * The per-tensor comparisons of {@linkcode measureSample} for one operator output: its
 * isolated error (the one quantized operator fed float inputs) and the collapse check's
 * channel codes (the float reference quantized with the tensor's own parameters).
 *
 * Both read the whole float reference, so in the common case — 8-bit per-tensor codes,
 * one batch entry, the isolated output on the tensor's own grid — they share one loop
 * ({@linkcode codesAndIsolated}): that pass is about a third cheaper than the two passes
 * of {@linkcode channelCodes} and {@linkcode similarityOfCodes}, and the analysis makes it
 * for every tensor of every sample. The loop is written for that case alone (branches for
 * the general case in it cost more than the second pass saves). Each of its sums sees the
 * same additions in the same order as in those two functions (with one batch entry the
 * channel-by-channel order is the memory order), so the results are the same bits.
 *
 * @module
 */
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { similarity, similarityOfCodes } from "../report/metrics.ts";
import { dequantizeTensor, type QParams } from "./codes.ts";
import type { NodeOutput } from "./emulator.ts";
import { channelAxis, type ChannelCodes, channelCodes, LEVEL_WORDS } from "./precision_channels.ts";
import { QRANGE } from "./numeric.ts";
import type { Metric } from "./precision_analysis.ts";

/** Cosine and MSE of `got` (codes when `p` is set, else float values) against `ref`. */
export function codeMetric(ref: Tensor, got: Tensor, p: QParams | undefined): Metric {
  if (!p || p.channels) {
    const s = similarity(asFloat32(p ? dequantizeTensor(got, p) : got), asFloat32(ref));
    return { cosine: s.cosine, mse: s.mse };
  }
  const s = similarityOfCodes(asFloat32(got), p.zeroPoint, p.scale, asFloat32(ref));
  return { cosine: s.cosine, mse: s.mse };
}

/** What {@linkcode compareTensor} measured. */
export interface TensorComparison {
  /** Error of the isolated output (none without one). */
  isolated?: Metric;
  /** Channel codes of the reference (none for a float tensor or one without channels). */
  codes?: ChannelCodes;
}

/**
 * Compare an operator output's isolated value with its float reference `ref`, and mark
 * the codes of `ref` quantized with the tensor's parameters `p` (`own`: those codes).
 */
export function compareTensor(
  ref: Tensor,
  isolated: NodeOutput | undefined,
  own: { params: QParams; codes: Tensor } | undefined,
): TensorComparison {
  const p = own?.params;
  const ip = isolated?.params;
  const axis = channelAxis(ref.shape);
  if (
    own && p && !p.channels && QRANGE[p.qtype].max - QRANGE[p.qtype].min === 255 &&
    axis !== undefined && ref.shape.slice(0, axis).every((d) => d === 1) && isolated && ip &&
    !ip.channels && ip.zeroPoint === p.zeroPoint && ip.scale === p.scale &&
    isolated.value.size === ref.size
  ) {
    return codesAndIsolated(ref, p, own.codes, isolated.value, ref.shape[axis]);
  }
  const out: TensorComparison = {};
  if (isolated) out.isolated = codeMetric(ref, isolated.value, ip);
  const codes = own && channelCodes(ref, own.params, own.codes);
  if (codes) out.codes = codes;
  return out;
}

/** Cosine and MSE from the sums of {@linkcode similarityOfCodes}, by its rule. */
function metricOf(dot: number, na: number, nb: number, se: number, n: number): Metric {
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return { cosine, mse: n ? se / n : 0 };
}

/** The one loop of an 8-bit per-tensor tensor whose channels are its outermost blocks. */
function codesAndIsolated(
  ref: Tensor,
  p: QParams,
  codes: Tensor,
  isolated: Tensor,
  channels: number,
): TensorComparison {
  const qmin = QRANGE[p.qtype].min;
  const { zeroPoint, scale } = p;
  const v = asFloat32(ref);
  const c8 = asFloat32(codes);
  const iso = asFloat32(isolated);
  const n = v.length;
  const inner = n / channels;
  const marks = new Uint32Array(channels * LEVEL_WORDS);
  const min = new Array<number>(channels);
  const max = new Array<number>(channels);
  const rtDot = new Array<number>(channels);
  const rtGot = new Array<number>(channels);
  const rtRef = new Array<number>(channels);
  let iDot = 0;
  let iNa = 0;
  let iSe = 0;
  let nb = 0;
  for (let c = 0; c < channels; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    let dot = 0;
    let got = 0;
    let want = 0;
    const word = c * LEVEL_WORDS;
    const end = (c + 1) * inner;
    for (let i = c * inner; i < end; i++) {
      const code = c8[i];
      const level = code - qmin;
      marks[word + (level >> 5)] |= 1 << (level & 31);
      const x = v[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      const y = Math.fround((code - zeroPoint) * scale);
      dot += y * x;
      got += y * y;
      want += x * x;
      const a = Math.fround((iso[i] - zeroPoint) * scale);
      iDot += a * x;
      iNa += a * a;
      nb += x * x;
      const d = a - x;
      iSe += d * d;
    }
    min[c] = lo;
    max[c] = hi;
    rtDot[c] = dot;
    rtGot[c] = got;
    rtRef[c] = want;
  }
  return {
    isolated: metricOf(iDot, iNa, nb, iSe, n),
    codes: {
      marks: Array.from(marks),
      min,
      max,
      elements: inner,
      roundTrip: { dot: rtDot, got: rtGot, ref: rtRef },
    },
  };
}
