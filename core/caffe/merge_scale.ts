/**
 * Folds a Caffe Scale that directly follows a Caffe BatchNorm into the BatchNormalization
 * node the BatchNorm became (Caffe splits the affine part of batch normalisation into a
 * separate Scale layer; ONNX BatchNormalization has it built in).
 *
 * Before: `BatchNormalization(x, 1, 0, m, v) → Mul(·, γ) [→ Add(·, β)]`
 * After:  `BatchNormalization(x, γ, β, m, v)`
 *
 * Preconditions: the BatchNormalization has unit scale and zero bias (as the BatchNorm
 * converter writes it), γ and β are constants of shape `(C, 1, …)` or `(C)` broadcast on
 * the channel axis, and each intermediate value has exactly one consumer and is not a
 * graph output. The merged node writes the value the last folded node wrote, so names
 * downstream are unchanged.
 *
 * @module
 */
import type { Graph, Node } from "../ir/graph.ts";
import { f32, sizeOf, type Tensor } from "../ir/tensor.ts";

function channelVector(t: Tensor | undefined, c: number, rank: number): Float32Array | undefined {
  if (!t || !t.is("f32") || sizeOf(t.shape) !== c) return undefined;
  // (C, 1, …) right-aligned against a rank-`rank` input puts C on axis 1.
  if (t.shape.length !== rank - 1 || t.shape[0] !== c) return undefined;
  return t.data;
}

function only(consumers: Map<string, Node[]>, g: Graph, value: string, op: string) {
  const users = consumers.get(value) ?? [];
  if (users.length !== 1 || g.outputs.some((o) => o.name === value)) return undefined;
  const u = users[0];
  return u.opType === op && u.domain === "" && u.inputs[0] === value ? u : undefined;
}

/**
 * Fold Mul/Add-by-channel-constant chains into preceding unit BatchNormalization nodes.
 *
 * @param g the graph (edited in place)
 * @param rankOf static rank of a value
 * @returns how many BatchNormalization nodes absorbed a Scale
 */
export function mergeScaleIntoBatchNorm(g: Graph, rankOf: (value: string) => number): number {
  let count = 0;
  for (const bn of [...g.nodes]) {
    if (bn.opType !== "BatchNormalization" || bn.domain !== "") continue;
    const consumers = g.consumers();
    const scaleT = g.initializers.get(bn.inputs[1]);
    const biasT = g.initializers.get(bn.inputs[2]);
    if (!scaleT?.is("f32") || !biasT?.is("f32")) continue;
    if (!scaleT.data.every((v) => v === 1) || !biasT.data.every((v) => v === 0)) continue;
    const c = scaleT.size;
    const rank = rankOf(bn.inputs[0]);
    const mul = only(consumers, g, bn.outputs[0], "Mul");
    const gamma = mul && channelVector(g.initializers.get(mul.inputs[1]), c, rank);
    if (!mul || !gamma) continue;
    const add = only(consumers, g, mul.outputs[0], "Add");
    const beta = add && channelVector(g.initializers.get(add.inputs[1]), c, rank);
    const last = add && beta ? add : mul;
    bn.inputs[1] = fresh(g, `${bn.name}.gamma`, f32([c], gamma));
    bn.inputs[2] = fresh(g, `${bn.name}.beta`, beta ? f32([c], beta) : f32([c]));
    bn.outputs[0] = last.outputs[0];
    g.removeNodes(last === mul ? [mul] : [mul, last]);
    count++;
  }
  for (const name of [...g.initializers.keys()]) {
    if (!g.nodes.some((n) => n.inputs.includes(name))) g.initializers.delete(name);
  }
  return count;
}

function fresh(g: Graph, base: string, t: Tensor): string {
  let name = base;
  for (let i = 1; g.initializers.has(name); i++) name = `${base}_${i}`;
  g.initializers.set(name, t);
  return name;
}
