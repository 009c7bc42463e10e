/**
 * AdaRound-style rounding (`quant.enable_adaround`): per Conv/Gemm/MatMul, choose for
 * every weight whether it rounds down or up (instead of to nearest) so that the layer's
 * output error on the calibration samples is smallest.
 *
 * The choice of method: the original AdaRound learns a soft rounding through a rectified
 * sigmoid with a regulariser by gradient descent (pulsar2 does so on a GPU). axb solves
 * the same per-layer problem exactly as a quadratic one on the CPU: for output channel
 * `c` with weight row `w`, scale `s` and codes `q`, the output error over the samples is
 * `Δᵀ H Δ` with `Δ = s·q − w` and `H = Σ x xᵀ` over the layer's float input patches
 * (im2col rows for Conv, rows of X for Gemm/MatMul), shared by the channels of a group.
 * Starting from round-to-nearest, a coordinate descent flips one code between
 * `floor(w/s)` and `floor(w/s) + 1` whenever that lowers the error (gain
 * `2δ(HΔ)_k + δ²H_kk` for a step δ), sweeping until no flip helps or `maxSweeps`
 * (`quant.finetune_epochs`) is reached. The error never rises above round-to-nearest's.
 * Scales are unchanged, so bias codes are too. Stops between layers when the time budget
 * runs out.
 *
 * @module
 */
import type { Node } from "../../ir/graph.ts";
import { attrReader } from "../../ir/attribute.ts";
import { asFloat32, type Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import { opsetOf } from "../../ir/opset.ts";
import { convShapeOf, parseConvAttrs } from "../../ops/nn/conv.ts";
import { colBuffer, type ConvShape, im2col } from "../../ops/nn/conv_kernel.ts";
import type { QuantModel } from "../quant_model.ts";
import { QRANGE } from "../numeric.ts";
import { collectValues, type WeightedLayer, weightedLayers, withWeight } from "./layers.ts";

/** Options of {@linkcode adaRound}. */
export interface AdaRoundOptions {
  /** Most coordinate-descent sweeps per output channel (`quant.finetune_epochs`). */
  readonly maxSweeps: number;
  /** Wall-clock budget in milliseconds; later layers keep round-to-nearest. */
  readonly budgetMs: number;
}

/** One layer's output error (sum over samples of squared differences) before and after. */
export interface AdaRoundLayer {
  readonly node: string;
  readonly before: number;
  readonly after: number;
  /** Codes that differ from round-to-nearest. */
  readonly flipped: number;
}

/** What {@linkcode adaRound} did. */
export interface AdaRoundReport {
  readonly layers: readonly AdaRoundLayer[];
  /** True when the budget ran out before the last layer. */
  readonly timedOut: boolean;
}

/** `q` with weight codes rounded to minimise each layer's output error. */
export function adaRound(
  q: QuantModel,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
  opts: AdaRoundOptions,
): { quant: QuantModel; report: AdaRoundReport } {
  const start = Date.now();
  const layers = weightedLayers(q);
  const values = collectValues(
    { float: q.model },
    samples,
    new Set(layers.map((l) => l.input)),
    registry,
  );
  let cur = q;
  const done: AdaRoundLayer[] = [];
  for (const l of layers) {
    if (Date.now() - start > opts.budgetMs) break;
    const problem = gram(q, l, values.get(l.input)!);
    if (!problem) continue;
    const w = q.model.graph.initializers.get(l.weight)!;
    const c = cur.constants.get(l.weight)!;
    const codes = Int32Array.from(c.codes);
    const res = roundLayer(asFloat32(w), c.scales, codes, problem, opts.maxSweeps);
    const flipped = codes.reduce((n, v, i) => n + (v !== c.codes[i] ? 1 : 0), 0);
    done.push({ node: l.node.name, ...res, flipped });
    cur = withWeight(cur, l, { ...c, codes });
  }
  return { quant: cur, report: { layers: done, timedOut: done.length < layers.length } };
}

/** The quadratic problem of one layer: Gram matrices per group and the weight layout. */
interface LayerProblem {
  /** K×K Gram matrix of each group's input patches. */
  readonly h: Float64Array[];
  /** Inputs per output channel (row length). */
  readonly k: number;
  /** Output channels. */
  readonly channels: number;
  /** Group of output channel `c`. */
  group(c: number): number;
  /** Index in the weight of element `k` of channel `c`'s row. */
  index(c: number, k: number): number;
}

function gram(q: QuantModel, l: WeightedLayer, xs: readonly Tensor[]): LayerProblem | undefined {
  const w = q.model.graph.initializers.get(l.weight)!;
  if (l.node.opType === "Conv") return convGram(q, l.node, w, xs);
  if (w.rank !== 2) return undefined;
  const k = w.shape[1 - l.axis];
  const channels = w.shape[l.axis];
  const h = new Float64Array(k * k);
  for (const x of xs) {
    const v = asFloat32(x);
    const rows = v.length / k;
    const t = new Float32Array(v.length);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) t[i * rows + r] = v[r * k + i];
    addRowProducts(h, t, k, rows);
  }
  return {
    h: [h],
    k,
    channels,
    group: () => 0,
    index: l.axis === 0 ? (c, i) => c * k + i : (c, i) => i * channels + c,
  };
}

function convGram(
  q: QuantModel,
  node: Node,
  w: Tensor,
  xs: readonly Tensor[],
): LayerProblem | undefined {
  const ctx = { opset: opsetOf(q.model, node.domain), node };
  const attrs = parseConvAttrs(attrReader(node.attrs, node.name, node.opType), ctx);
  const k = w.size / w.shape[0];
  const groups = attrs.group;
  const h = Array.from({ length: groups }, () => new Float64Array(k * k));
  for (const x of xs) {
    const s: ConvShape = convShapeOf(x.shape, w.shape, attrs, ctx);
    const inP = s.inSpatial.reduce((a, b) => a * b, 1);
    const outP = s.window.outShape.reduce((a, b) => a * b, 1);
    const v = asFloat32(x);
    const cg = s.inChannels / groups;
    for (let n = 0; n < s.batch; n++) {
      for (let g = 0; g < groups; g++) {
        const col = colBuffer(k * outP);
        im2col(v, (n * s.inChannels + g * cg) * inP, s, col);
        addRowProducts(h[g], col, k, outP);
      }
    }
  }
  const perGroup = w.shape[0] / groups;
  return {
    h,
    k,
    channels: w.shape[0],
    group: (c) => Math.floor(c / perGroup),
    index: (c, i) => c * k + i,
  };
}

/** `h[i][j] += Σ_p rows[i][p]·rows[j][p]` for a k×p row-major matrix. */
function addRowProducts(h: Float64Array, rows: Float32Array, k: number, p: number): void {
  for (let i = 0; i < k; i++) {
    const a = i * p;
    for (let j = i; j < k; j++) {
      const b = j * p;
      let s = 0;
      for (let t = 0; t < p; t++) s += rows[a + t] * rows[b + t];
      h[i * k + j] += s;
      if (j !== i) h[j * k + i] += s;
    }
  }
}

/** Coordinate descent over each channel's codes (changed in place). */
function roundLayer(
  w: Float32Array,
  scales: Float32Array,
  codes: Int32Array,
  p: LayerProblem,
  maxSweeps: number,
): { before: number; after: number } {
  const k = p.k;
  const d = new Float64Array(k);
  const r = new Float64Array(k);
  const floor = new Int32Array(k);
  const lim = QRANGE.S8.max;
  let before = 0;
  let after = 0;
  for (let c = 0; c < p.channels; c++) {
    const h = p.h[p.group(c)];
    const s = scales[c];
    for (let i = 0; i < k; i++) {
      const idx = p.index(c, i);
      floor[i] = Math.floor(w[idx] / s);
      d[i] = s * codes[idx] - w[idx];
    }
    for (let i = 0; i < k; i++) {
      let acc = 0;
      for (let j = 0; j < k; j++) acc += h[i * k + j] * d[j];
      r[i] = acc;
    }
    let obj = 0;
    for (let i = 0; i < k; i++) obj += d[i] * r[i];
    before += obj;
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      let changed = false;
      for (let i = 0; i < k; i++) {
        const idx = p.index(c, i);
        const alt = codes[idx] === floor[i] ? floor[i] + 1 : floor[i];
        if (alt < -lim || alt > lim || alt === codes[idx]) continue;
        const delta = s * (alt - codes[idx]);
        const gain = 2 * delta * r[i] + delta * delta * h[i * k + i];
        if (!(gain < -1e-12 * Math.abs(obj))) continue;
        codes[idx] = alt;
        d[i] += delta;
        for (let j = 0; j < k; j++) r[j] += delta * h[j * k + i];
        obj += gain;
        changed = true;
      }
      if (!changed) break;
    }
    after += obj;
  }
  return { before, after };
}
