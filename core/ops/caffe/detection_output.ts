/**
 * `ai.axb.caffe::DetectionOutput`, the SSD detection head as Caffe's SSD fork runs it
 * (a CPU operator; no ONNX operator has its semantics).
 *
 * Inputs: `loc (N, P·L·4)` box offsets (L = 1 with shared locations, else one set per
 * class), `conf (N, P·C)` class scores (already soft-maxed by the net), `prior (1, 2, P·4)`
 * prior boxes and their variances. Per image: decode every box against its prior
 * (`code_type` CORNER, CENTER_SIZE or CORNER_SIZE; variances applied unless
 * `variance_encoded_in_target`; no clipping), then per class except the background run
 * greedy NMS: candidates with score > `confidence_threshold`, stably sorted by score,
 * first `top_k`, a candidate kept when its IoU with every kept box is ≤ the threshold,
 * which shrinks by `eta` after each keep while above 0.5. When more than `keep_top_k`
 * detections remain, the best `keep_top_k` by score (stable) survive. Output rows are
 * `[image, label, score, xmin, ymin, xmax, ymax]`, image by image, label ascending, in
 * score order; shape `(1, 1, D, 7)`, or one row of -1 (with the image index) per image when
 * nothing is detected, as Caffe writes it.
 *
 * @module
 */
import { defineOp, type RegisteredOp } from "../op.ts";
import { required, where } from "../_util.ts";
import { asFloat32, Tensor } from "../../ir/tensor.ts";
import { KernelError } from "../../errors/mod.ts";

/** The custom-operator domain of Caffe layers without an ONNX equivalent. */
export const CAFFE_DOMAIN = "ai.axb.caffe";

/** Box encodings of PriorBoxParameter.CodeType. */
export type CodeType = "CORNER" | "CENTER_SIZE" | "CORNER_SIZE";

/** Parsed attributes of DetectionOutput. */
export interface DetectionOutputAttrs {
  readonly numClasses: number;
  readonly shareLocation: boolean;
  readonly backgroundLabelId: number;
  readonly nmsThreshold: number;
  readonly topK: number;
  readonly eta: number;
  readonly codeType: CodeType;
  readonly varianceEncodedInTarget: boolean;
  readonly keepTopK: number;
  readonly confidenceThreshold: number;
}

type Box = [number, number, number, number];

function decode(prior: Box, v: Box, loc: Box, code: CodeType, encoded: boolean): Box {
  const k = encoded ? [1, 1, 1, 1] : v;
  const pw = prior[2] - prior[0];
  const ph = prior[3] - prior[1];
  if (code === "CORNER") {
    return [0, 1, 2, 3].map((i) => prior[i] + k[i] * loc[i]) as Box;
  }
  if (code === "CORNER_SIZE") {
    return [0, 1, 2, 3].map((i) => prior[i] + k[i] * loc[i] * (i % 2 === 0 ? pw : ph)) as Box;
  }
  const cx = k[0] * loc[0] * pw + (prior[0] + prior[2]) / 2;
  const cy = k[1] * loc[1] * ph + (prior[1] + prior[3]) / 2;
  const w = Math.exp(k[2] * loc[2]) * pw;
  const h = Math.exp(k[3] * loc[3]) * ph;
  return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
}

function area(b: Box): number {
  return b[2] < b[0] || b[3] < b[1] ? 0 : (b[2] - b[0]) * (b[3] - b[1]);
}

/** Caffe's JaccardOverlap of normalized boxes. */
function jaccard(a: Box, b: Box): number {
  if (b[0] > a[2] || b[2] < a[0] || b[1] > a[3] || b[3] < a[1]) return 0;
  const inter = area([
    Math.max(a[0], b[0]),
    Math.max(a[1], b[1]),
    Math.min(a[2], b[2]),
    Math.min(a[3], b[3]),
  ]);
  return inter / (area(a) + area(b) - inter);
}

/** Stable sort of (score, payload) pairs by descending score. */
function byScore<T>(pairs: [number, T][]): [number, T][] {
  return pairs.map((p, i) => [p, i] as const).sort((x, y) => y[0][0] - x[0][0] || x[1] - y[1])
    .map(([p]) => p);
}

function nms(boxes: Box[], scores: number[], a: DetectionOutputAttrs): number[] {
  let cand = byScore(
    scores.flatMap((s, i): [number, number][] => (s > a.confidenceThreshold ? [[s, i]] : [])),
  );
  if (a.topK > -1 && a.topK < cand.length) cand = cand.slice(0, a.topK);
  let threshold = a.nmsThreshold;
  const kept: number[] = [];
  for (const [, idx] of cand) {
    const keep = kept.every((k) => jaccard(boxes[idx], boxes[k]) <= threshold);
    if (keep) {
      kept.push(idx);
      if (a.eta < 1 && threshold > 0.5) threshold *= a.eta;
    }
  }
  return kept;
}

function detect(
  loc: Float32Array,
  conf: Float32Array,
  prior: Float32Array,
  n: number,
  p: number,
  a: DetectionOutputAttrs,
): number[][] {
  const locClasses = a.shareLocation ? 1 : a.numClasses;
  const priorBox = (i: number): Box => [0, 1, 2, 3].map((k) => prior[i * 4 + k]) as Box;
  const variance = (i: number): Box => [0, 1, 2, 3].map((k) => prior[(p + i) * 4 + k]) as Box;
  const rows: number[][] = [];
  for (let img = 0; img < n; img++) {
    const decoded = new Map<number, Box[]>();
    for (let c = 0; c < locClasses; c++) {
      const label = a.shareLocation ? -1 : c;
      if (!a.shareLocation && c === a.backgroundLabelId) continue;
      const boxes: Box[] = [];
      for (let i = 0; i < p; i++) {
        const o = ((img * p + i) * locClasses + c) * 4;
        const l: Box = [loc[o], loc[o + 1], loc[o + 2], loc[o + 3]];
        boxes.push(decode(priorBox(i), variance(i), l, a.codeType, a.varianceEncodedInTarget));
      }
      decoded.set(label, boxes);
    }
    const picked = new Map<number, number[]>();
    let total = 0;
    const scoresOf = (c: number) =>
      Array.from({ length: p }, (_, i) => conf[(img * p + i) * a.numClasses + c]);
    for (let c = 0; c < a.numClasses; c++) {
      if (c === a.backgroundLabelId) continue;
      const boxes = decoded.get(a.shareLocation ? -1 : c);
      if (!boxes) continue;
      const kept = nms(boxes, scoresOf(c), a);
      picked.set(c, kept);
      total += kept.length;
    }
    if (a.keepTopK > -1 && total > a.keepTopK) {
      const all: [number, [number, number]][] = [];
      for (const [c, idx] of picked) for (const i of idx) all.push([scoresOf(c)[i], [c, i]]);
      const best = byScore(all).slice(0, a.keepTopK);
      picked.clear();
      for (const [, [c, i]] of best) picked.set(c, [...(picked.get(c) ?? []), i]);
    }
    for (const c of [...picked.keys()].sort((x, y) => x - y)) {
      const boxes = decoded.get(a.shareLocation ? -1 : c)!;
      const scores = scoresOf(c);
      for (const i of picked.get(c)!) rows.push([img, c, scores[i], ...boxes[i]]);
    }
  }
  return rows;
}

const CODE_TYPES: readonly CodeType[] = ["CORNER", "CENTER_SIZE", "CORNER_SIZE"];

/** DetectionOutput(loc, conf, prior) → detections (1, 1, D, 7). */
export const detectionOutput: RegisteredOp = defineOp<DetectionOutputAttrs>({
  opType: "DetectionOutput",
  domain: CAFFE_DOMAIN,
  parse(r, ctx) {
    const code = r.string("code_type", "CORNER");
    if (!CODE_TYPES.includes(code as CodeType)) {
      throw new KernelError(
        `${where(ctx)}: code_type "${code}" is not one of ${CODE_TYPES.join(", ")}`,
      );
    }
    const numClasses = r.int("num_classes", 0);
    if (numClasses <= 0) throw new KernelError(`${where(ctx)}: num_classes must be positive`);
    return {
      numClasses,
      shareLocation: r.int("share_location", 1) !== 0,
      backgroundLabelId: r.int("background_label_id", 0),
      nmsThreshold: r.float("nms_threshold", 0.3),
      topK: r.int("top_k", -1),
      eta: r.float("eta", 1),
      codeType: CODE_TYPES.find((c) => c === code) ?? "CORNER",
      varianceEncodedInTarget: r.int("variance_encoded_in_target", 0) !== 0,
      keepTopK: r.int("keep_top_k", -1),
      confidenceThreshold: r.float("confidence_threshold", -Infinity),
    };
  },
  infer(ctx) {
    const t = ctx.inputTypes[0];
    return [{ dtype: t?.dtype ?? "f32", shape: [1, 1, "detections", 7] }];
  },
  run(inputs, a, ctx) {
    const loc = required(inputs, 0, ctx);
    const conf = required(inputs, 1, ctx);
    const prior = required(inputs, 2, ctx);
    const n = loc.shape[0];
    const p = prior.size / 8;
    const locClasses = a.shareLocation ? 1 : a.numClasses;
    if (
      prior.shape.length !== 3 || prior.shape[1] !== 2 || !Number.isInteger(p) ||
      loc.size !== n * p * locClasses * 4 || conf.size !== n * p * a.numClasses
    ) {
      throw new KernelError(
        `${where(ctx)}: loc [${loc.shape.join(", ")}], conf [${conf.shape.join(", ")}] and ` +
          `prior [${prior.shape.join(", ")}] do not describe the same ${p} priors and ` +
          `${a.numClasses} classes`,
      );
    }
    const rows = detect(asFloat32(loc), asFloat32(conf), asFloat32(prior), n, p, a);
    if (rows.length === 0) {
      const empty = new Float32Array(n * 7).fill(-1);
      for (let i = 0; i < n; i++) empty[i * 7] = i;
      return [new Tensor("f32", [1, 1, n, 7], empty)];
    }
    return [new Tensor("f32", [1, 1, rows.length, 7], Float32Array.from(rows.flat()))];
  },
});
