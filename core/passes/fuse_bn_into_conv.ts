/**
 * fuse-bn-into-conv: fold an inference BatchNormalization into the preceding Conv or
 * ConvTranspose.
 *
 * Before: `c = Conv(x, W, B)`, `y = BatchNormalization(c, γ, β, μ, σ²)`
 * After:  `y = Conv(x, W', B')`
 *
 * Math, per output channel m with f = γ[m] / √(σ²[m] + ε):
 * W'[m] = W[m] · f, B'[m] = (B[m] − μ[m]) · f + β[m] (B = 0 when absent).
 * Conv weights are [M, C/g, k…] (output channel first); ConvTranspose weights are
 * [C, M/g, k…], where output channel m = group(c) · M/g + j for weight row c, column j.
 *
 * Preconditions: the conv output has the BatchNormalization as its only consumer and is
 * not a graph output; W, B and all BN parameters are constants (initializers); the BN
 * produces only its first output; both nodes' attributes parse with their operators'
 * parsers (so, below opset 9, `spatial` is 1) and the BN is not in training form
 * (`training_mode` 0: batch statistics cannot fold into weights).
 * New initializers are created, so weights shared with other nodes stay intact.
 *
 * @module
 */
import type { Model, Node } from "../ir/graph.ts";
import { NameScope } from "../ir/names.ts";
import { asFloat32, fromFloat32, type Tensor } from "../ir/tensor.ts";
import { conv as convOp } from "../ops/nn/conv.ts";
import { convTranspose } from "../ops/nn/conv_transpose.ts";
import { batchNormalization } from "../ops/nn/norm.ts";
import { attrsOrUndefined, constantOf, isOp, soleConsumer } from "./_graph_util.ts";
import { type Pass, type PassContext, passResult } from "./pass.ts";

const PASS = "fuse-bn-into-conv";

interface BnParams {
  scale: Float32Array;
  bias: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  epsilon: number;
}

/**
 * The BN's parameters when it is an inference BN over `channels` constants. Training-form
 * BNs and (old opsets, refused by the parser) spatial=0 ones are never fused.
 */
function bnParams(
  model: Model,
  bn: Node,
  channels: number,
  ctx: PassContext,
): BnParams | undefined {
  const g = model.graph;
  if (bn.outputs.slice(1).some((o) => o !== "")) return undefined;
  const attrs = attrsOrUndefined(batchNormalization, bn, model, ctx, PASS);
  if (!attrs || attrs.training) return undefined;
  const ts = bn.inputs.slice(1, 5).map((i) => constantOf(g, i));
  if (ts.length !== 4 || ts.some((t) => !t || t.size !== channels || t.dtype === "string")) {
    return undefined;
  }
  const [scale, bias, mean, variance] = ts.map((t) => asFloat32(t as Tensor));
  return { scale, bias, mean, variance, epsilon: attrs.epsilon };
}

/** The conv's group count from its operator's parser, or undefined when it does not parse. */
function groupOf(model: Model, conv: Node, ctx: PassContext): number | undefined {
  const op = conv.opType === "Conv" ? convOp : convTranspose;
  return attrsOrUndefined<{ readonly group: number }>(op, conv, model, ctx, PASS)?.group;
}

/** Per-output-channel factor of (W, B) for the fused conv. */
function foldWeights(
  conv: Node,
  group: number,
  w: Tensor,
  b: Tensor | undefined,
  bn: BnParams,
): [Tensor, Tensor] {
  const transpose = conv.opType === "ConvTranspose";
  const m = bn.scale.length;
  const f = new Float64Array(m);
  for (let i = 0; i < m; i++) f[i] = bn.scale[i] / Math.sqrt(bn.variance[i] + bn.epsilon);
  const wv = asFloat32(w);
  const out = new Float32Array(wv.length);
  const rows = w.shape[0];
  const cols = w.shape[1];
  const inner = wv.length / (rows * cols);
  const rowsPerGroup = rows / group;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const channel = transpose ? Math.floor(r / rowsPerGroup) * cols + c : r;
      const base = (r * cols + c) * inner;
      for (let k = 0; k < inner; k++) out[base + k] = wv[base + k] * f[channel];
    }
  }
  const bv = b ? asFloat32(b) : new Float32Array(m);
  const bias = new Float32Array(m);
  for (let i = 0; i < m; i++) bias[i] = (bv[i] - bn.mean[i]) * f[i] + bn.bias[i];
  return [fromFloat32(w.dtype, w.shape, out), fromFloat32(b?.dtype ?? w.dtype, [m], bias)];
}

/** Output channels of a conv weight, or undefined when the layout is unexpected. */
function outChannels(conv: Node, group: number, w: Tensor): number | undefined {
  if (w.rank < 3 || w.dtype === "string") return undefined;
  if (conv.opType === "Conv") return w.shape[0];
  return w.shape[0] % group === 0 ? w.shape[1] * group : undefined;
}

function fuse(model: Model, ctx: PassContext): number {
  const g = model.graph;
  const consumers = g.consumers();
  const names = new NameScope(g);
  let count = 0;
  for (const conv of [...g.nodes]) {
    if (!isOp(conv, "Conv") && !isOp(conv, "ConvTranspose")) continue;
    const out = conv.outputs[0];
    const bn = soleConsumer(g, consumers, out);
    if (!isOp(bn, "BatchNormalization") || bn.inputs[0] !== out || !bn.outputs[0]) continue;
    const w = constantOf(g, conv.inputs[1]);
    const b = conv.inputs[2] ? constantOf(g, conv.inputs[2]) : undefined;
    if (!w || (conv.inputs[2] && !b)) continue;
    const group = groupOf(model, conv, ctx);
    if (group === undefined) continue;
    const m = outChannels(conv, group, w);
    if (m === undefined || (b && b.size !== m)) continue;
    const params = bnParams(model, bn, m, ctx);
    if (!params) continue;
    const [w2, b2] = foldWeights(conv, group, w, b, params);
    const wName = names.fresh(`${conv.inputs[1]}_bn`);
    const bName = names.fresh(`${conv.name || "conv"}_bn_bias`);
    g.initializers.set(wName, w2);
    g.initializers.set(bName, b2);
    conv.inputs = [conv.inputs[0], wName, bName];
    // The conv takes over the BN's output (possibly a graph output); the BN's value_info
    // stays, the conv's old output disappears with its own.
    g.valueInfo.delete(out);
    g.removeNodes([bn]);
    g.renameValue(out, bn.outputs[0]);
    count++;
  }
  return count;
}

/** The fuse-bn-into-conv pass. */
export const fuseBnIntoConv: Pass = {
  name: "fuse-bn-into-conv",
  description: "Fold BatchNormalization into the preceding Conv/ConvTranspose weights and bias",
  run: (model, ctx) => passResult(fuse(model, ctx)),
};
