/**
 * The entropy (KL) calibration search: on a histogram of |x|, the clipping threshold
 * whose quantized distribution is closest, in KL divergence, to the clipped original.
 * This is the method of TensorRT's entropy calibrator (Migacz, "8-bit Inference with
 * TensorRT", GTC 2017) with the parameters NVIDIA's pytorch-quantization uses for it
 * (`calib/histogram.py`, `_compute_amax_entropy`):
 *
 * - the |x| histogram has {@linkcode KL_BINS} = 2048 bins over [0, max|x|];
 * - thresholds are tried from {@linkcode KL_START_BIN} = 128 bins up to all 2048;
 * - the reference P is the first t bins with the mass beyond them added to bin t − 1;
 * - the candidate Q merges the first t bins (without that tail) into `levels` groups and
 *   spreads each group's mass evenly over the group's bins where P is non-zero; bins empty
 *   in P stay empty in Q;
 * - where P has mass and Q has none (the edge bin took the tail but its group held no
 *   values) Q gets {@linkcode KL_EPSILON} = 1e-4 values, the smoothing MXNet's and
 *   onnxruntime's entropy calibrators apply (`_smooth_distribution`, eps 0.0001 in counts).
 *   Rejecting such thresholds instead (an infinite divergence) would forbid clipping a
 *   tail that lies beyond empty bins, the very outliers the method exists for;
 * - **the first bin is replaced by the second before the search.** It holds the exact
 *   zeros a ReLU (or zero padding) writes, often half of all values. Left in, that spike
 *   dominates the divergence: merging it with its neighbours costs p₀·log(t/levels), so
 *   every post-ReLU tensor was clipped to about 1/4 of its range (resnet18: end-to-end
 *   cosine 0.86 instead of 0.99). Zeros are exact in any affine range containing 0, so
 *   they carry no information about the threshold.
 *
 * @module
 */

/** Bins of the |x| histogram the search runs on. */
export const KL_BINS = 2048;

/** The smallest threshold tried, in |x| bins. */
export const KL_START_BIN = 128;

/** Count given to a Q bin that is empty where P is not. */
export const KL_EPSILON = 1e-4;

/**
 * Counts of |x| in `bins` equal bins over [0, amax], from a histogram of x with `counts`
 * over [lo, hi]. Each input bin's count is spread over the |x| bins it overlaps in
 * proportion to the overlap (a bin straddling 0 is folded at 0), so no |x| bin is
 * starved or doubled when the two bin widths differ. Where the bin edges coincide (data
 * on one side of 0 with the same bin count), counts move one to one.
 */
export function absHistogram(
  counts: ArrayLike<number>,
  lo: number,
  hi: number,
  amax: number,
  bins = KL_BINS,
): Float64Array {
  const out = new Float64Array(bins);
  const n = counts.length;
  // positions in units of |x| bins: exact integers where edges coincide
  const step = ((hi - lo) * bins) / (amax * n);
  const origin = (lo * bins) / amax;
  const spread = (from: number, to: number, mass: number) => {
    // [from, to] with 0 <= from < to, in |x| bin units
    const width = to - from;
    let k = Math.floor(from);
    while (k < bins && k < to) {
      const overlap = Math.min(to, k + 1) - Math.max(from, k);
      if (overlap > 0) out[k] += (mass * overlap) / width;
      k++;
    }
    // anything past amax (rounding) belongs to the last bin
    if (to > bins) out[bins - 1] += (mass * (to - Math.max(from, bins))) / width;
  };
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const a = origin + i * step;
    const b = origin + (i + 1) * step;
    if (a >= 0) spread(a, b, c);
    else if (b <= 0) spread(-b, -a, c);
    else {
      spread(0, -a, (c * -a) / (b - a));
      spread(0, b, (c * b) / (b - a));
    }
  }
  return out;
}

/**
 * The threshold, in |x| bins (the range is [0, t·amax/bins]), minimising KL(P‖Q) for
 * `levels` quantization levels on the |x| histogram `abs` (see module doc). Returns
 * `abs.length` (no clipping) when the levels are at least as fine as the histogram.
 */
export function klThresholdBin(abs: Float64Array, levels: number): number {
  const bins = abs.length;
  if (levels >= bins || bins < 2) return bins;
  const h = Float64Array.from(abs);
  h[0] = h[1];
  let bestT = bins;
  let bestKl = Infinity;
  for (let t = Math.min(KL_START_BIN, bins); t <= bins; t++) {
    const kl = divergence(h, t, levels);
    if (kl < bestKl) {
      bestKl = kl;
      bestT = t;
    }
  }
  return bestT;
}

/** KL(P‖Q) for clipping `h` at `t` bins and requantizing those bins into `levels` levels. */
export function divergence(h: Float64Array, t: number, levels: number): number {
  const p = h.slice(0, t);
  for (let i = t; i < h.length; i++) p[t - 1] += h[i];
  const q = new Float64Array(t);
  const per = t / levels;
  for (let j = 0; j < levels; j++) {
    const s = Math.floor(j * per);
    const e = j === levels - 1 ? t : Math.floor((j + 1) * per);
    let sum = 0;
    let support = 0;
    for (let i = s; i < e; i++) {
      sum += h[i];
      if (p[i] > 0) support++;
    }
    if (support === 0) continue;
    const avg = sum / support;
    for (let i = s; i < e; i++) if (p[i] > 0) q[i] = Math.max(avg, KL_EPSILON);
  }
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < t; i++) {
    ps += p[i];
    qs += q[i];
  }
  if (ps === 0) return Infinity;
  let kl = 0;
  for (let i = 0; i < t; i++) {
    if (p[i] === 0) continue;
    const pi = p[i] / ps;
    kl += pi * Math.log(pi / (q[i] / qs));
  }
  return kl;
}
