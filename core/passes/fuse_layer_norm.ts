/**
 * fuse-layer-norm: replace the decomposed LayerNorm that PyTorch exports below opset 17
 * by one `LayerNormalization` node.
 *
 * Before: `m = ReduceMean(x, axes=[-1])`, `d = Sub(x, m)`, `q = Pow(d, 2)` (or
 *         `Mul(d, d)`), `v = ReduceMean(q, axes=[-1])`, `s = Sqrt(Add(v, ε))`,
 *         `n = Div(d, s)`, then optionally `Mul(n, γ)` and `Add(·, β)`
 * After:  `y = LayerNormalization(x, γ, β, axis=-1, epsilon=ε)`
 *
 * Missing γ/β become ones/zeros initializers. γ and β may have leading 1 dims (they are
 * reshaped to [D]) or one element (broadcast to [D]).
 *
 * Preconditions: both ReduceMeans reduce only the last axis with keepdims=1 (axes as
 * the ReduceMean parser reads them: the attribute below opset 18, else a constant input); ε, γ, β are constants; x has a static last dim D;
 * every intermediate value has no consumer outside the pattern and is not a graph
 * output. The fused node keeps the last pattern node's output name.
 *
 * @module
 */
import type { Graph, Model, Node } from "../ir/graph.ts";
import { asFloat32, fromFloat32, type Tensor, toNumbers } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import type { DType } from "../ir/dtype.ts";
import { attr } from "../ir/builder.ts";
import { NameScope } from "../ir/names.ts";
import { reduceMean } from "../ops/reduce/reduce.ts";
import {
  attrsOrUndefined,
  constantOf,
  isOp,
  replaceMatch,
  scalarOf,
  soleConsumer,
  typesOf,
} from "./_graph_util.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

const FLOATS: ReadonlySet<DType> = new Set(["f32", "f16", "bf16", "f64"]);

const PASS = "fuse-layer-norm";

/** True when `rm` reduces only the last axis of a rank-`rank` input, keeping dims. */
function reducesLastAxis(
  model: Model,
  rm: Node,
  rank: number | undefined,
  ctx: PassContext,
): boolean {
  const a = attrsOrUndefined(reduceMean, rm, model, ctx, PASS);
  if (!a || !a.keepdims) return false;
  const axes = !a.axesFromInput
    ? a.axesAttr
    : rm.inputs[1]
    ? constAxes(model.graph, rm.inputs[1])
    : undefined;
  if (!axes || axes.length !== 1) return false;
  return axes[0] === -1 || (rank !== undefined && axes[0] === rank - 1);
}

function constAxes(g: Graph, name: string): number[] | undefined {
  const t = constantOf(g, name);
  return t ? toNumbers(t) : undefined;
}

/** The other input of a binary node, given one of them. */
function otherInput(node: Node, known: string): string | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === known) return node.inputs[1];
  if (node.inputs[1] === known) return node.inputs[0];
  return undefined;
}

/** γ or β as a [d] tensor of `dtype`, or undefined when it does not fit. */
function perFeature(t: Tensor | undefined, d: number, dtype: DType): Tensor | undefined {
  if (!t || !FLOATS.has(t.dtype)) return undefined;
  const v = asFloat32(t);
  if (t.size === 1) return fromFloat32(dtype, [d], new Float32Array(d).fill(v[0]));
  if (t.size !== d || t.shape[t.rank - 1] !== d) return undefined;
  return fromFloat32(dtype, [d], Float32Array.from(v));
}

interface Match {
  nodes: Node[];
  x: string;
  epsilon: number;
  gamma?: Tensor;
  beta?: Tensor;
  last: Node;
}

function match(
  model: Model,
  r1: Node,
  consumers: ReadonlyMap<string, Node[]>,
  types: ReadonlyMap<string, TensorType>,
  ctx: PassContext,
): Match | undefined {
  const g = model.graph;
  const x = r1.inputs[0];
  const xt = types.get(x);
  const rank = xt?.shape?.length;
  if (!reducesLastAxis(model, r1, rank, ctx)) return undefined;
  const sub = soleConsumer(g, consumers, r1.outputs[0]);
  if (!isOp(sub, "Sub") || sub.inputs[0] !== x || sub.inputs[1] !== r1.outputs[0]) return undefined;
  const d = sub.outputs[0];
  const dUsers = consumers.get(d) ?? [];
  if (g.isOutput(d)) return undefined;
  const sq = dUsers.find((n) => isOp(n, "Pow") || isOp(n, "Mul"));
  const div = dUsers.find((n) => isOp(n, "Div"));
  if (!sq || !div || div.inputs[0] !== d) return undefined;
  const isSquare = sq.opType === "Pow"
    ? sq.inputs[0] === d && scalarOf(constantOf(g, sq.inputs[1])) === 2
    : sq.inputs[0] === d && sq.inputs[1] === d;
  if (!isSquare || dUsers.length !== (sq.opType === "Mul" ? 3 : 2)) return undefined;
  const r2 = soleConsumer(g, consumers, sq.outputs[0]);
  if (!isOp(r2, "ReduceMean") || !reducesLastAxis(model, r2, rank, ctx)) return undefined;
  const add = soleConsumer(g, consumers, r2.outputs[0]);
  if (!isOp(add, "Add")) return undefined;
  const epsName = otherInput(add, r2.outputs[0]);
  const epsilon = epsName ? scalarOf(constantOf(g, epsName)) : undefined;
  if (epsilon === undefined) return undefined;
  const sqrt = soleConsumer(g, consumers, add.outputs[0]);
  if (!isOp(sqrt, "Sqrt")) return undefined;
  if (soleConsumer(g, consumers, sqrt.outputs[0]) !== div || div.inputs[1] !== sqrt.outputs[0]) {
    return undefined;
  }
  const nodes = [r1, sub, sq, r2, add, sqrt, div];
  const m: Match = { nodes, x, epsilon, last: div };
  const mul = soleConsumer(g, consumers, div.outputs[0]);
  if (isOp(mul, "Mul")) {
    const gName = otherInput(mul, div.outputs[0]);
    const gamma = gName ? constantOf(g, gName) : undefined;
    if (gamma) {
      m.gamma = gamma;
      m.last = mul;
      nodes.push(mul);
    }
  }
  const add2 = soleConsumer(g, consumers, m.last.outputs[0]);
  if (isOp(add2, "Add")) {
    const bName = otherInput(add2, m.last.outputs[0]);
    const beta = bName ? constantOf(g, bName) : undefined;
    if (beta) {
      m.beta = beta;
      m.last = add2;
      nodes.push(add2);
    }
  }
  return m;
}

function fuse(model: Model, ctx: PassContext): number {
  const g = model.graph;
  if (!g.nodes.some((n) => isOp(n, "ReduceMean"))) return 0;
  const types = typesOf(model, ctx, PASS);
  const consumers = g.consumers();
  const names = new NameScope(g);
  const drop = new Set<Node>();
  let count = 0;
  for (const r1 of g.nodes) {
    if (!isOp(r1, "ReduceMean") || drop.has(r1)) continue;
    const m = match(model, r1, consumers, types, ctx);
    if (!m || m.nodes.some((n) => drop.has(n))) continue;
    const xt = types.get(m.x);
    const shape = xt?.shape;
    const dim = shape?.[shape.length - 1];
    if (!xt || typeof dim !== "number" || !FLOATS.has(xt.dtype)) continue;
    const ones = fromFloat32(xt.dtype, [dim], new Float32Array(dim).fill(1));
    const zeros = fromFloat32(xt.dtype, [dim], new Float32Array(dim));
    const gamma = m.gamma ? perFeature(m.gamma, dim, xt.dtype) : ones;
    const beta = m.beta ? perFeature(m.beta, dim, xt.dtype) : zeros;
    if (!gamma || !beta) continue;
    const base = r1.name.replace(/\/ReduceMean$/, "") || "layer_norm";
    const scaleName = names.fresh(`${base}_ln_scale`);
    const biasName = names.fresh(`${base}_ln_bias`);
    g.initializers.set(scaleName, gamma);
    g.initializers.set(biasName, beta);
    const fused: Node = {
      name: names.fresh(`${base}/LayerNormalization`),
      opType: "LayerNormalization",
      domain: "",
      inputs: [m.x, scaleName, biasName],
      outputs: [m.last.outputs[0]],
      attrs: new Map([["axis", attr.int(-1)], ["epsilon", attr.float(m.epsilon)]]),
    };
    replaceMatch(g, m.nodes, m.last, fused, drop);
    count++;
  }
  if (drop.size) g.removeNodes(drop);
  return count;
}

/** The fuse-layer-norm pass. */
export const fuseLayerNorm: Pass = {
  name: "fuse-layer-norm",
  description: "Fuse the decomposed ReduceMean/Sub/Pow/Sqrt/Div LayerNorm into LayerNormalization",
  run: (model, ctx) => passResult(fuse(model, ctx)),
};
