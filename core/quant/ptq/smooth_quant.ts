/**
 * SmoothQuant (`quant.enable_smooth_quant`): moves activation outliers into the weights
 * of the layers that read them, before calibration.
 *
 * Before: `X = P(·)` → every reader `Y_k = X · W_k` (MatMul/Gemm, channel = last axis of
 * X) or 1×1 Conv with group 1 (channel = axis 1).
 * After: `X' = X / s` by folding `1/s_j` into the producer's per-channel parameters
 * (LayerNormalization scale and bias; Conv output-channel weights and bias; Gemm/MatMul
 * output columns and bias) and `W'_k[j, ·] = s_j · W_k[j, ·]` in every reader, so every
 * `Y_k` is unchanged in exact arithmetic. The float model stays equivalent.
 *
 * `s_j = max|X_j|^α / max_k max|W_k[j, ·]|^(1−α)` with α = `smooth_quant_strength`, from
 * the per-channel maxima over the calibration samples (1 where either maximum is 0).
 *
 * `smooth_quant_threshold` (0–1, larger → more tensors) selects the tensors: one is
 * smoothed when the median of its channel maxima is below `threshold` × its largest
 * channel maximum, i.e. a few channels stand out. New initializers get fresh names, so a
 * weight shared with another node keeps its values there.
 *
 * @module
 */
import type { Graph, Model, Node } from "../../ir/graph.ts";
import { cloneModel } from "../../ir/clone.ts";
import { NameScope } from "../../ir/names.ts";
import { attrReader } from "../../ir/attribute.ts";
import { asFloat32, Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import { parseGemmAttrs } from "../../ops/nn/matmul.ts";
import { Executor } from "../../exec/executor.ts";

/** Options of {@linkcode smoothQuant}. */
export interface SmoothQuantOptions {
  /** `quant.smooth_quant_strength` (α). */
  readonly strength: number;
  /** `quant.smooth_quant_threshold`. */
  readonly threshold: number;
}

/** One smoothed tensor. */
export interface SmoothedTensor {
  readonly tensor: string;
  readonly producer: string;
  readonly readers: readonly string[];
  /** Largest channel maximum over the median one, before smoothing. */
  readonly outlierRatio: number;
}

/** Which axis of X holds the channels the producer and readers share. */
type Family = "last" | "channels";

/** An initializer edit: multiply slices of `name` along `axis` by `factor[j]` (or divide). */
interface Edit {
  readonly node: Node;
  readonly input: number;
  readonly axis: number;
  readonly divide: boolean;
}

interface Candidate {
  readonly tensor: string;
  readonly family: Family;
  readonly producer: Node;
  /** Edits of the producer's parameters (divide by s). */
  readonly fold: readonly Edit[];
  /** Edits of the readers' weights (multiply by s). */
  readonly absorb: readonly Edit[];
}

/**
 * A copy of `model` with SmoothQuant applied to every qualifying tensor, and what was
 * smoothed. `model` is not changed.
 */
export function smoothQuant(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
  opts: SmoothQuantOptions,
): { model: Model; smoothed: SmoothedTensor[] } {
  const candidates = findCandidates(model.graph);
  if (!candidates.length) return { model, smoothed: [] };
  const maxima = channelMaxima(model, samples, registry, candidates);
  const out = cloneModel(model);
  const g = out.graph;
  const names = new NameScope(g);
  const byName = new Map(g.nodes.map((n, i) => [model.graph.nodes[i], n]));
  const smoothed: SmoothedTensor[] = [];
  for (const c of candidates) {
    const xMax = maxima.get(c.tensor);
    if (!xMax) continue;
    const sorted = [...xMax].sort((a, b) => a - b);
    const peak = sorted[sorted.length - 1];
    const median = sorted[Math.floor(sorted.length / 2)];
    if (!(peak > 0) || median >= opts.threshold * peak) continue;
    const wMax = new Float64Array(xMax.length);
    for (const e of c.absorb) {
      const current = byName.get(e.node)!.inputs[e.input];
      const m = sliceMaxima(g.initializers.get(current)!, e.axis);
      for (let j = 0; j < wMax.length; j++) wMax[j] = Math.max(wMax[j], m[j] ?? 0);
    }
    const s = new Float64Array(xMax.length);
    for (let j = 0; j < s.length; j++) {
      const v = xMax[j] > 0 && wMax[j] > 0
        ? Math.pow(xMax[j], opts.strength) / Math.pow(wMax[j], 1 - opts.strength)
        : 1;
      s[j] = Math.min(1e5, Math.max(1e-5, v));
    }
    for (const e of [...c.fold, ...c.absorb]) {
      const node = byName.get(e.node)!;
      const name = node.inputs[e.input];
      const scaled = scaleSlices(g.initializers.get(name)!, e.axis, s, e.divide);
      const fresh = names.fresh(`${name}_smooth`);
      g.initializers.set(fresh, scaled);
      node.inputs[e.input] = fresh;
    }
    smoothed.push({
      tensor: c.tensor,
      producer: c.producer.name,
      readers: c.absorb.map((e) => e.node.name),
      outlierRatio: median > 0 ? peak / median : Infinity,
    });
  }
  return { model: smoothed.length ? out : model, smoothed };
}

/** Tensors whose producer can fold a per-channel divisor and whose readers all absorb it. */
function findCandidates(g: Graph): Candidate[] {
  const consumers = g.consumers();
  const outputs = new Set(g.outputs.map((o) => o.name));
  const out: Candidate[] = [];
  for (const p of g.nodes) {
    const x = p.outputs[0];
    if (!x || outputs.has(x) || p.outputs.slice(1).some((o) => o)) continue;
    const folded = producerFold(g, p);
    if (!folded) continue;
    const readers = consumers.get(x) ?? [];
    const absorb = readers.map((r) => readerEdit(g, r, x, folded.family));
    if (!readers.length || absorb.some((e) => !e)) continue;
    out.push({
      tensor: x,
      family: folded.family,
      producer: p,
      fold: folded.edits,
      absorb: absorb as Edit[],
    });
  }
  return out;
}

const isConst = (g: Graph, name: string | undefined): name is string =>
  !!name && g.initializers.has(name);

/** The producer's per-channel parameters that divide by s, or undefined when it has none. */
function producerFold(
  g: Graph,
  p: Node,
): { family: Family; edits: Edit[] } | undefined {
  const [, w, b] = p.inputs;
  const bias = (axis: number): Edit[] => b ? [{ node: p, input: 2, axis, divide: true }] : [];
  const channels = (axis: number) => isConst(g, w) ? g.initializers.get(w)!.shape[axis] : -1;
  // a bias is folded only when it has one value per channel (no broadcast)
  const bOk = !b ||
    (isConst(g, b) && g.initializers.get(b)!.rank === 1 &&
      g.initializers.get(b)!.size === channels(p.opType === "Gemm" && !transB(p) ? 1 : 0));
  switch (p.opType) {
    case "LayerNormalization":
      if (!isConst(g, w) || g.initializers.get(w)!.rank !== 1 || !bOk) return undefined;
      return { family: "last", edits: [{ node: p, input: 1, axis: 0, divide: true }, ...bias(0)] };
    case "Conv":
      if (!isConst(g, w) || !bOk) return undefined;
      return {
        family: "channels",
        edits: [{ node: p, input: 1, axis: 0, divide: true }, ...bias(0)],
      };
    case "Gemm": {
      const a = parseGemmAttrs(attrReader(p.attrs, p.name, p.opType));
      if (a.transA || !isConst(g, w) || g.initializers.get(w)!.rank !== 2 || !bOk) return undefined;
      return {
        family: "last",
        edits: [{ node: p, input: 1, axis: a.transB ? 0 : 1, divide: true }, ...bias(0)],
      };
    }
    case "MatMul":
      if (!isConst(g, w) || g.initializers.get(w)!.rank !== 2) return undefined;
      return { family: "last", edits: [{ node: p, input: 1, axis: 1, divide: true }] };
  }
  return undefined;
}

function transB(n: Node): boolean {
  return parseGemmAttrs(attrReader(n.attrs, n.name, n.opType)).transB;
}

/** How reader `r` of `x` absorbs s into its weight, or undefined when it cannot. */
function readerEdit(g: Graph, r: Node, x: string, family: Family): Edit | undefined {
  const w = r.inputs[1];
  if (r.inputs[0] !== x || r.inputs.slice(1).includes(x) || !isConst(g, w)) return undefined;
  const wt = g.initializers.get(w)!;
  if (family === "last" && r.opType === "MatMul" && wt.rank === 2) {
    return { node: r, input: 1, axis: 0, divide: false };
  }
  if (family === "last" && r.opType === "Gemm" && wt.rank === 2) {
    const a = parseGemmAttrs(attrReader(r.attrs, r.name, r.opType));
    if (a.transA) return undefined;
    return { node: r, input: 1, axis: a.transB ? 1 : 0, divide: false };
  }
  if (family === "channels" && r.opType === "Conv" && wt.rank >= 3) {
    const group = r.attrs.get("group");
    const oneByOne = wt.shape.slice(2).every((k) => k === 1);
    if ((group?.kind === "int" && group.value !== 1) || !oneByOne) return undefined;
    return { node: r, input: 1, axis: 1, divide: false };
  }
  return undefined;
}

/** Per-channel max|X| of every candidate over the samples (float model). */
function channelMaxima(
  model: Model,
  samples: readonly ReadonlyMap<string, Tensor>[],
  registry: OpRegistry,
  candidates: readonly Candidate[],
): Map<string, Float64Array> {
  const family = new Map(candidates.map((c) => [c.tensor, c.family]));
  const maxima = new Map<string, Float64Array>();
  const exec = new Executor(model, registry);
  const observe = (name: string, t: Tensor) => {
    const f = family.get(name);
    if (!f || t.rank < 2) return;
    const axis = f === "last" ? t.rank - 1 : 1;
    const m = sliceMaxima(t, axis);
    const acc = maxima.get(name) ?? new Float64Array(m.length);
    for (let j = 0; j < m.length; j++) acc[j] = Math.max(acc[j], m[j]);
    maxima.set(name, acc);
  };
  for (const feeds of samples) exec.run(feeds, { onValue: observe });
  return maxima;
}

/** max|t| of every slice along `axis`. */
function sliceMaxima(t: Tensor, axis: number): Float64Array {
  const v = asFloat32(t);
  const n = t.shape[axis];
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const m = new Float64Array(n);
  for (let i = 0; i < v.length; i++) {
    const j = Math.floor(i / inner) % n;
    const a = Math.abs(v[i]);
    if (a > m[j]) m[j] = a;
  }
  return m;
}

/** A copy of `t` with slice j along `axis` multiplied (or divided) by `s[j]`. */
function scaleSlices(t: Tensor, axis: number, s: Float64Array, divide: boolean): Tensor<"f32"> {
  const v = asFloat32(t);
  const n = t.shape[axis];
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const j = Math.floor(i / inner) % n;
    out[i] = divide ? v[i] / s[j] : v[i] * s[j];
  }
  return new Tensor("f32", t.shape, out);
}
