/**
 * Calibration methods: from observed statistics to the float range a tensor is
 * quantized over. pulsar2 names them MinMax, Percentile, MSE and KL; the vendor does not
 * publish their parameters, so axb's choices are written down here:
 *
 * - **MinMax**: the observed [min, max].
 * - **Percentile**: [q(1−p), q(p)] of the value distribution with p = 0.9999 (PPQ's
 *   default), read off the histogram with linear interpolation inside a bin; never wider
 *   than MinMax.
 * - **MSE**: among ranges [lo·k/100, hi·k/100] for k = 1…100 (both ends shrunk by the same
 *   factor towards zero), the one minimising the expected squared quantization error
 *   (rounding inside the range, clipping outside), evaluated on the histogram's bin centres.
 * - **KL**: TensorRT's entropy calibration on a 2048-bin histogram of |x| (parameters and
 *   the zero-bin rule in `kl_threshold.ts`): the clipping threshold T whose quantized
 *   distribution has the smallest KL divergence from the clipped reference. The levels on
 *   [0, T] are those the activation type really has there ({@linkcode klLevels}): 2^bits
 *   for an unsigned type on one-sided data, 2^(bits−1) for two-sided data or a symmetric
 *   signed type (Horizon's int8 spends half its codes on negatives a ReLU output never
 *   has). The range is [max(min, −T), min(max, T)]: a one-sided tensor keeps 0 as its
 *   lower end, so an asymmetric U8 range of post-ReLU data is [0, T].
 *
 * @module
 */
import type { Histogram } from "./histogram.ts";
import { affineFromRange, isUnsigned, QRANGE, type QType, roundHalfEven } from "./numeric.ts";
import { absHistogram, klThresholdBin } from "./kl_threshold.ts";

/** pulsar2's `quant.calibration_method` values. */
export type CalibrationMethod = "MinMax" | "Percentile" | "MSE" | "KL";

/** A float range. */
export interface Range {
  /** Lower bound. */
  min: number;
  /** Upper bound. */
  max: number;
}

/** The percentile the Percentile method keeps (both tails). */
export const PERCENTILE = 0.9999;

/** Value at cumulative fraction `f` of the histogram. */
export function quantile(h: Histogram, f: number): number {
  const target = f * h.total;
  let acc = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i];
    if (acc + c >= target && c > 0) {
      const inside = (target - acc) / c;
      return h.lo + (i + inside) * h.binWidth;
    }
    acc += c;
  }
  return h.hi;
}

/** Percentile range, clamped to the observed min/max. */
export function percentileRange(h: Histogram, observed: Range, p = PERCENTILE): Range {
  const lo = observed.min < 0 ? Math.max(observed.min, quantile(h, 1 - p)) : observed.min;
  const hi = observed.max > 0 ? Math.min(observed.max, quantile(h, p)) : observed.max;
  return { min: lo, max: hi };
}

/** Expected squared error of quantizing the histogram over `r` with type `q`. */
export function quantizationError(h: Histogram, r: Range, q: QType): number {
  const a = affineFromRange(r.min, r.max, q);
  const { min: qmin, max: qmax } = QRANGE[q];
  let err = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i];
    if (c === 0) continue;
    const x = h.center(i);
    let code = roundHalfEven(x / a.scale) + a.zeroPoint;
    if (code < qmin) code = qmin;
    else if (code > qmax) code = qmax;
    const d = x - (code - a.zeroPoint) * a.scale;
    err += c * d * d;
  }
  return err / Math.max(1, h.total);
}

/** MSE-optimal range (see module doc). */
export function mseRange(h: Histogram, observed: Range, q: QType): Range {
  let best = observed;
  let bestErr = quantizationError(h, observed, q);
  for (let k = 99; k >= 1; k--) {
    const r = { min: observed.min * k / 100, max: observed.max * k / 100 };
    const e = quantizationError(h, r, q);
    if (e < bestErr) {
      bestErr = e;
      best = r;
    }
  }
  return best;
}

/**
 * Quantization levels the KL search models on [0, T]: a symmetric signed type spends
 * half its codes on each side whatever the data; an unsigned (asymmetric) type spends all
 * of them on data of one sign, and half per side on [−T, T].
 */
export function klLevels(q: QType, oneSided: boolean): number {
  const { bits } = QRANGE[q];
  return isUnsigned(q) && oneSided ? 2 ** bits : 2 ** (bits - 1);
}

/** KL-optimal range (see module doc and `kl_threshold.ts`). */
export function klRange(h: Histogram, observed: Range, q: QType): Range {
  const amax = Math.max(Math.abs(observed.min), Math.abs(observed.max));
  if (amax === 0) return observed;
  const abs = absHistogram(h.counts, h.lo, h.hi, amax);
  const oneSided = observed.min >= 0 || observed.max <= 0;
  const T = (klThresholdBin(abs, klLevels(q, oneSided)) / abs.length) * amax;
  return { min: Math.max(observed.min, -T), max: Math.min(observed.max, T) };
}

/** The range of one tensor under `method`. */
export function rangeFor(
  method: CalibrationMethod,
  observed: Range,
  hist: Histogram | undefined,
  q: QType,
): Range {
  if (method === "MinMax" || !hist) return observed;
  if (method === "Percentile") return percentileRange(hist, observed);
  if (method === "MSE") return mseRange(hist, observed, q);
  return klRange(hist, observed, q);
}
