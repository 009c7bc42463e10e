/**
 * Which calibration samples the precision analysis runs on.
 *
 * Each analysed sample costs about three model runs (a float run keeping every value, an
 * emulator run, every operator once more on float inputs) against calibration's one, so
 * analysing all of a 32-image calibration set takes longer than the rest of the build.
 * axb analyses an evenly spread subset by default (`quant.precision_analysis_samples`,
 * default {@linkcode DEFAULT_PRECISION_ANALYSIS_SAMPLES}; -1 analyses every sample).
 * Eight is the number of batches PPQ's layer-wise and graph-wise error analyses fetch by
 * default, and measured on mobilenet_v2 and resnet18 (32 calibration images, AX650) it
 * names the same ten top offenders as all 32 samples, with per-row cosines within 2.3e-4;
 * the statistics that need many samples (output top-1 agreement, per-channel cosine over
 * samples) say over how many they were taken.
 *
 * @module
 */

/** Samples analysed when `quant.precision_analysis_samples` is not written. */
export const DEFAULT_PRECISION_ANALYSIS_SAMPLES = 8;

/**
 * Indices of `wanted` samples out of `total`, evenly spread and ascending (every index
 * when `wanted` is -1 or at least `total`): index `⌊k·total/wanted⌋` for k = 0…wanted−1,
 * so the first sample is always analysed.
 */
export function analysisSampleIndices(total: number, wanted: number): number[] {
  const n = wanted < 0 ? total : Math.min(wanted, total);
  return Array.from({ length: n }, (_, k) => Math.floor((k * total) / n));
}
