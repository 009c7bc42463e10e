/**
 * The differential test's tolerances and the three comparisons that apply them.
 *
 * 1. **float**: axb's float executor against onnxruntime on the float model. Both compute
 *    in float32 with different summation orders, so every element must satisfy
 *    `|ours − theirs| ≤ FLOAT_ATOL · max(1, max|theirs|) + FLOAT_RTOL · |theirs|`, with
 *    NaN and ±Inf at the same places.
 * 2. **quant**: `axb run` on `compiled.axmodel` against onnxruntime on
 *    `quant/quant_axmodel.onnx`. On the output's quantization grid (its scale from the QDQ
 *    model; 1 for integer outputs) at least {@linkcode LSB_SHARE} of the elements are within
 *    one step; the 1 % left over is rounded up to whole elements, so an output of fewer
 *    than 100 elements may have one element further off (seen on 16-bit grids, where a
 *    float op's last-bit difference crosses two steps). A float output without parameters (an FP32 layer) is compared with the float
 *    criterion widened to {@linkcode FLOAT_OUTPUT_RTOL}, since its inputs were requantized.
 * 3. **compiled vs float**: `axb run` on the compiled model against axb's float executor
 *    on `frontend/optimized.onnx` (same runtime inputs). Cosine similarity at least
 *    {@linkcode COSINE_FLOOR}[precision]; an output whose float reference spreads over
 *    fewer than {@linkcode FLAT_STEPS} steps carries no direction to compare, and is held
 *    to {@linkcode FLAT_MAX_STEPS} steps of absolute error instead. A step here is one of
 *    an 8-bit grid over the output's quantized range (for a 16-bit output, 256 of its own).
 *
 * @module
 */
import type { Precision } from "./config_gen.ts";

/** Absolute float tolerance, relative to the output's largest magnitude (at least 1). */
export const FLOAT_ATOL = 1e-4;
/** Relative float tolerance per element. */
export const FLOAT_RTOL = 1e-3;
/** Share of output codes within one step of onnxruntime's on the QDQ model. */
export const LSB_SHARE = 0.99;
/** Relative tolerance of float (FP32-layer) outputs in the quant comparison. */
export const FLOAT_OUTPUT_RTOL = 1e-2;
/**
 * Lowest cosine similarity of the compiled model against the float model, by the precision
 * of the model's activations ("U8" whenever some tensor keeps the default).
 */
export const COSINE_FLOOR: Readonly<Record<Precision, number>> = {
  U8: 0.9,
  U16: 0.999,
  S16: 0.999,
  FP32: 0.9999,
};
/** Below this many grid steps of spread, an output is compared by absolute error. */
export const FLAT_STEPS = 8;
/**
 * Absolute error allowed for such a flat output, in grid steps: a reduction over quantized
 * inputs may be off by half an input step, several steps of a narrow output range.
 */
export const FLAT_MAX_STEPS = 8;

/** One comparison of one output. */
export interface Comparison {
  readonly passed: boolean;
  /** What was measured, for the report. */
  readonly detail: string;
  /** {@linkcode compareCodes}: the largest difference, in steps of the grid. */
  readonly largest?: number;
}

function finiteMismatch(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) {
    const fa = Number.isFinite(a[i]);
    const fb = Number.isFinite(b[i]);
    if (
      fa !== fb || (!fa && !Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i])))
    ) {
      bad++;
    }
  }
  return bad;
}

/** Comparison 1 (and FP32 outputs of comparison 2, with `rtol`). */
export function compareFloat(
  ours: ArrayLike<number>,
  theirs: ArrayLike<number>,
  rtol = FLOAT_RTOL,
): Comparison {
  if (ours.length !== theirs.length) {
    return { passed: false, detail: `${ours.length} elements vs ${theirs.length}` };
  }
  const nonFinite = finiteMismatch(ours, theirs);
  let big = 1;
  for (let i = 0; i < theirs.length; i++) {
    if (Number.isFinite(theirs[i])) big = Math.max(big, Math.abs(theirs[i]));
  }
  let bad = 0;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    if (!Number.isFinite(ours[i]) || !Number.isFinite(theirs[i])) continue;
    const d = Math.abs(ours[i] - theirs[i]);
    worst = Math.max(worst, d);
    if (d > FLOAT_ATOL * big + rtol * Math.abs(theirs[i])) bad++;
  }
  const passed = bad === 0 && nonFinite === 0;
  return {
    passed,
    detail: `${bad + nonFinite} of ${ours.length} elements apart (largest difference ${
      worst.toPrecision(3)
    }, ${nonFinite} non-finite mismatches)`,
  };
}

/** Comparison 2 on a grid of step `scale`. */
export function compareCodes(
  ours: ArrayLike<number>,
  theirs: ArrayLike<number>,
  scale: number,
): Comparison {
  if (ours.length !== theirs.length) {
    return { passed: false, detail: `${ours.length} elements vs ${theirs.length}` };
  }
  let near = 0;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const d = Math.abs(Math.round(ours[i] / scale) - Math.round(theirs[i] / scale));
    if (d <= 1 || (Number.isNaN(ours[i]) && Number.isNaN(theirs[i]))) near++;
    else if (Number.isFinite(d)) worst = Math.max(worst, d);
    else worst = Infinity;
  }
  const share = ours.length === 0 ? 1 : near / ours.length;
  // 1 % of a small output rounds up to one element (99 % of 70 elements would be all 70)
  const allowed = Math.ceil((1 - LSB_SHARE) * ours.length - 1e-9);
  return {
    passed: ours.length - near <= allowed,
    largest: worst,
    detail: `${near} of ${ours.length} within 1 LSB (${(100 * share).toFixed(1)} %, ` +
      `largest ${worst} LSB)`,
  };
}

/** Comparison 3: cosine against the precision's floor, or steps of error for flat outputs. */
export function compareCosine(
  ours: ArrayLike<number>,
  reference: ArrayLike<number>,
  precision: Precision,
  step: number,
): Comparison {
  if (ours.length !== reference.length) {
    return { passed: false, detail: `${ours.length} elements vs ${reference.length}` };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < reference.length; i++) {
    lo = Math.min(lo, reference[i]);
    hi = Math.max(hi, reference[i]);
  }
  if (!(hi - lo >= FLAT_STEPS * step)) {
    let worst = 0;
    for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
    const steps = worst / step;
    return {
      passed: steps <= FLAT_MAX_STEPS,
      detail: `flat output: largest error ${steps.toFixed(2)} steps (limit ${FLAT_MAX_STEPS})`,
    };
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < ours.length; i++) {
    ab += ours[i] * reference[i];
    aa += ours[i] * ours[i];
    bb += reference[i] * reference[i];
  }
  const cos = aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
  const floor = COSINE_FLOOR[precision];
  return {
    passed: cos >= floor,
    detail: `cosine ${cos.toFixed(5)} (floor ${floor} for ${precision})`,
  };
}
