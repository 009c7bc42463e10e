/**
 * SSD's PriorBox, computed at load time: its output depends only on the feature map and
 * image sizes, which a Caffe net fixes, so the front-end stores it as a constant rather
 * than a CPU operator.
 *
 * For every feature-map cell `(h, w)` with centre `((w + offset) step_w, (h + offset)
 * step_h)` and every `min_size`: a square of side `min_size`, then (with `max_size`) a
 * square of side `sqrt(min_size · max_size)`, then one box per aspect ratio r ≠ 1 of size
 * `min_size·sqrt(r) × min_size/sqrt(r)`. Aspect ratios start with 1, skip near-duplicates
 * (|Δ| < 1e-6) and add 1/r with `flip`. Corners are divided by the image size and clipped
 * to [0, 1] with `clip`. The second channel repeats the variance (1 or 4 values; 0.1 when
 * none) for every box. Steps default to image size / feature size.
 *
 * @module
 */

/** PriorBox parameters (pixel units). */
export interface PriorBoxParams {
  readonly minSizes: readonly number[];
  readonly maxSizes: readonly number[];
  readonly aspectRatios: readonly number[];
  readonly flip: boolean;
  readonly clip: boolean;
  readonly variance: readonly number[];
  /** Image height and width (pixels). */
  readonly image: readonly [number, number];
  /** Step between cell centres, height and width (pixels). */
  readonly step: readonly [number, number];
  readonly offset: number;
}

/** The de-duplicated, flipped aspect ratio list, starting with 1. */
export function priorAspectRatios(ratios: readonly number[], flip: boolean): number[] {
  const out = [1];
  for (const r of ratios) {
    if (out.some((o) => Math.abs(r - o) < 1e-6)) continue;
    out.push(r);
    if (flip) out.push(1 / r);
  }
  return out;
}

/** Number of priors per feature-map cell. */
export function priorsPerCell(p: PriorBoxParams): number {
  return priorAspectRatios(p.aspectRatios, p.flip).length * p.minSizes.length +
    p.maxSizes.length;
}

/** The `(1, 2, H·W·priors·4)` PriorBox output for a feature map of `height × width`. */
export function priorBoxes(p: PriorBoxParams, height: number, width: number): Float32Array {
  const ratios = priorAspectRatios(p.aspectRatios, p.flip);
  const per = priorsPerCell(p);
  const dim = height * width * per * 4;
  const out = new Float32Array(2 * dim);
  const [imgH, imgW] = p.image;
  const [stepH, stepW] = p.step;
  let k = 0;
  const push = (cx: number, cy: number, bw: number, bh: number) => {
    out[k++] = (cx - bw / 2) / imgW;
    out[k++] = (cy - bh / 2) / imgH;
    out[k++] = (cx + bw / 2) / imgW;
    out[k++] = (cy + bh / 2) / imgH;
  };
  for (let h = 0; h < height; h++) {
    for (let w = 0; w < width; w++) {
      const cx = (w + p.offset) * stepW;
      const cy = (h + p.offset) * stepH;
      p.minSizes.forEach((min, s) => {
        push(cx, cy, min, min);
        if (p.maxSizes.length > 0) {
          const side = Math.sqrt(min * p.maxSizes[s]);
          push(cx, cy, side, side);
        }
        for (const r of ratios) {
          if (Math.abs(r - 1) < 1e-6) continue;
          push(cx, cy, min * Math.sqrt(r), min / Math.sqrt(r));
        }
      });
    }
  }
  if (p.clip) { for (let i = 0; i < dim; i++) out[i] = Math.min(Math.max(out[i], 0), 1); }
  const v = p.variance.length === 0 ? [0.1] : p.variance;
  for (let i = 0; i < dim; i++) out[dim + i] = v.length === 1 ? v[0] : v[i % 4];
  return out;
}
