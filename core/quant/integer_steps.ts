/**
 * The emulator's integer kernels, one per {@linkcode IntegerKernelId}: exact accumulation
 * of centred codes, then requantization in the chosen arithmetic (round, add the zero
 * point, clamp to the target's bounds — a fused Relu/Clip's included). Each runs only
 * where `kernelApplies` (kernel_applicability.ts) holds, so it may rely on those
 * conditions.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { attrReader } from "../ir/attribute.ts";
import { asFloat32, Tensor } from "../ir/tensor.ts";
import type { PreparedNode } from "../ops/op.ts";
import { convShapeOf, parseConvAttrs } from "../ops/nn/conv.ts";
import { parseConvTransposeAttrs, resolveConvTranspose } from "../ops/nn/conv_transpose.ts";
import { parseGemmAttrs } from "../ops/nn/matmul.ts";
import {
  centered,
  convRequantize,
  matmulRequantize,
  type Multiplier,
  multiplier,
  qdqAdd,
  qdqAdditionConstants,
  requantize,
  type RequantTarget,
} from "./int_kernels.ts";
import { convTransposeAccumulate } from "./int_conv_transpose.ts";
import type { IntegerKernelId } from "./op_capabilities.ts";
import { KernelError } from "../errors/mod.ts";
import { dequantizeTensor, type QParams, quantizeTensor } from "./codes.ts";
import { type PrepareContext, step } from "./emulator_steps.ts";

/** Where a kernel requantizes to: parameters and code bounds. */
export interface Target {
  readonly params: QParams;
  readonly t: RequantTarget;
}

/** Prepare one node on an integer kernel (its applicability already checked). */
export type IntegerStep = (
  node: Node,
  floatKernel: PreparedNode,
  inQ: readonly (QParams | undefined)[],
  target: Target,
  c: PrepareContext,
) => PreparedNode;

function reader(node: Node) {
  return attrReader(node.attrs, node.name || node.opType, node.opType);
}

const conv: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  const w = c.q.constants.get(node.inputs[1])!;
  const b = node.inputs[2] ? c.q.constants.get(node.inputs[2]) : undefined;
  const attrs = parseConvAttrs(reader(node), { opset: c.opset, node });
  const fps = [...w.scales].map((sw) => multiplier(c.arithmetic, x.scale, sw, target.params.scale));
  const wShape = c.g.initializers.get(node.inputs[1])!.shape;
  return step(node, fk, (inputs, ctx) => {
    const xt = inputs[0]!;
    const s = convShapeOf(xt.shape, wShape, attrs, ctx);
    const out = convRequantize(asFloat32(xt), x.zeroPoint, s, w.codes, b?.codes, fps, target.t);
    return [new Tensor("f32", [s.batch, s.outChannels, ...s.window.outShape], out)];
  });
};

const convTranspose: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  const w = c.q.constants.get(node.inputs[1])!;
  const b = node.inputs[2] ? c.q.constants.get(node.inputs[2]) : undefined;
  const attrs = parseConvTransposeAttrs(reader(node), { opset: c.opset, node });
  const wShape = c.g.initializers.get(node.inputs[1])!.shape;
  const mg = wShape[1];
  const outChannels = mg * attrs.group;
  // weight scales run along axis 1 (M/group entries); output channel m uses m mod M/group
  const fps = Array.from(
    { length: outChannels },
    (_, m) => multiplier(c.arithmetic, x.scale, w.scales[m % mg], target.params.scale),
  );
  return step(node, fk, (inputs) => {
    const xt = inputs[0]!;
    const [batch, inChannels] = xt.shape;
    if (xt.rank !== wShape.length || wShape[0] !== inChannels || inChannels % attrs.group) {
      throw new KernelError(
        `Node "${node.name}": X is [${xt.shape.join(", ")}] and W [${wShape.join(", ")}] ` +
          `with group ${attrs.group}, expected W [C, M/group, kernel…] with C = X[1]`,
      );
    }
    const inSpatial = xt.shape.slice(2);
    const geometry = resolveConvTranspose(attrs, inSpatial, wShape.slice(2));
    const shape = { batch, inChannels, outChannels, group: attrs.group, inSpatial, geometry };
    const acc = convTransposeAccumulate(
      centered(asFloat32(xt), x.zeroPoint),
      shape,
      w.codes,
      b?.codes,
    );
    const inner = geometry.out.reduce((a, v) => a * v, 1);
    const out = requantize(acc, outChannels, inner, fps, target.t);
    return [new Tensor("f32", [batch, outChannels, ...geometry.out], out)];
  });
};

/** X · W with constant W codes [K, N] (or [N, K] when `transB`). */
function weightProduct(
  node: Node,
  fk: PreparedNode,
  x: QParams,
  target: Target,
  c: PrepareContext,
  transB: boolean,
): PreparedNode {
  const w = c.q.constants.get(node.inputs[1])!;
  const bName = node.opType === "Gemm" ? node.inputs[2] : undefined;
  const b = bName ? c.q.constants.get(bName) : undefined;
  const wT = c.g.initializers.get(node.inputs[1])!;
  const [kDim, nDim] = transB ? [wT.shape[1], wT.shape[0]] : [wT.shape[0], wT.shape[1]];
  const fps = [...w.scales].map((sw) => multiplier(c.arithmetic, x.scale, sw, target.params.scale));
  return step(node, fk, (inputs) => {
    const a = inputs[0]!;
    const k = a.shape[a.rank - 1];
    if (k !== kDim) {
      throw new KernelError(`Node "${node.name}": input has K=${k}, weight expects ${kDim}`);
    }
    const rows = a.size / k;
    const out = matmulRequantize(
      asFloat32(a),
      x.zeroPoint,
      rows,
      k,
      w.codes,
      nDim,
      b?.codes,
      transB,
      fps,
      target.t,
    );
    return [new Tensor("f32", [...a.shape.slice(0, -1), nDim], out)];
  });
}

const gemm: IntegerStep = (node, fk, inQ, target, c) =>
  weightProduct(node, fk, inQ[0]!, target, c, parseGemmAttrs(reader(node)).transB);

const matmul: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  if (c.q.constants.has(node.inputs[1])) return weightProduct(node, fk, x, target, c, false);
  const y = inQ[1]!;
  const fp = multiplier(c.arithmetic, x.scale, y.scale, target.params.scale);
  return step(node, fk, (inputs, ctx) => {
    // exact products of centred codes through the float64 MatMul kernel
    const acc = fk.run([toF64(inputs[0]!, x.zeroPoint), toF64(inputs[1]!, y.zeroPoint)], ctx)[0];
    return [requantTensor(acc, [fp], 1, target.t)];
  });
};

/** Add/Sub in fixed point: each operand scaled by round(s/sy · 2^20), summed exactly, shifted back. */
function fixedPointSum(
  node: Node,
  fk: PreparedNode,
  x: QParams,
  y: QParams,
  target: Target,
): PreparedNode {
  const FRAC = 2 ** 20;
  const ma = Math.round((x.scale / target.params.scale) * FRAC);
  const mb = Math.round((y.scale / target.params.scale) * FRAC);
  const unit = multiplier("npu", 1, 1, FRAC);
  return step(node, fk, (inputs, ctx) => {
    const a64 = toF64(inputs[0]!, x.zeroPoint, ma);
    const b64 = toF64(inputs[1]!, y.zeroPoint, mb);
    const sum = fk.run([a64, b64], ctx)[0];
    return [requantTensor(sum, [unit], 1, target.t)];
  });
}

const add: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  const y = inQ[1]!;
  if (c.arithmetic === "npu") return fixedPointSum(node, fk, x, y, target);
  // onnxruntime's QLinearAdd arithmetic on equal shapes; a broadcasting Add is what its
  // QDQ graph means, computed in float and requantized into the same bounds
  const constants = qdqAdditionConstants(
    x.scale,
    x.zeroPoint,
    y.scale,
    y.zeroPoint,
    target.params.scale,
    target.t.zeroPoint,
  );
  const { lo, hi } = target.t;
  const clamp = (v: number) => (v < lo ? lo : v > hi ? hi : v);
  return step(node, fk, (inputs, ctx) => {
    const [ta, tb] = [inputs[0]!, inputs[1]!];
    if (ta.size !== tb.size || ta.shape.some((d, i) => d !== tb.shape[i])) {
      const real = fk.run([dequantizeTensor(ta, x), dequantizeTensor(tb, y)], ctx)[0];
      const codes = quantizeTensor(real, target.params);
      return [new Tensor("f32", codes.shape, codes.data.map(clamp))];
    }
    return [new Tensor("f32", ta.shape, qdqAdd(asFloat32(ta), asFloat32(tb), constants, target.t))];
  });
};

const sub: IntegerStep = (node, fk, inQ, target) =>
  fixedPointSum(node, fk, inQ[0]!, inQ[1]!, target);

const mul: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  const y = inQ[1]!;
  const fp = multiplier(c.arithmetic, x.scale, y.scale, target.params.scale);
  return step(node, fk, (inputs, ctx) => {
    const prod = fk.run([toF64(inputs[0]!, x.zeroPoint), toF64(inputs[1]!, y.zeroPoint)], ctx)[0];
    return [requantTensor(prod, [fp], 1, target.t)];
  });
};

const globalAveragePool: IntegerStep = (node, fk, inQ, target, c) => {
  const x = inQ[0]!;
  return step(node, fk, (inputs) => {
    const t = inputs[0]!;
    const [n, ch] = t.shape;
    const inner = t.size / (n * ch);
    const fp = multiplier(c.arithmetic, x.scale, 1 / inner, target.params.scale);
    const v = asFloat32(t);
    const acc = new Float64Array(n * ch);
    for (let i = 0; i < n * ch; i++) {
      let s = 0;
      const off = i * inner;
      for (let j = 0; j < inner; j++) s += v[off + j];
      acc[i] = s - inner * x.zeroPoint;
    }
    const out = requantize(acc, 1, 1, [fp], target.t);
    return [new Tensor("f32", [n, ch, ...t.shape.slice(2).map(() => 1)], out)];
  });
};

const concat: IntegerStep = (node, fk, inQ, target, c) => {
  const sy = target.params.scale;
  const fps = inQ.map((p) => multiplier(c.arithmetic, p!.scale, 1, sy));
  return step(node, fk, (inputs, ctx) => {
    const parts = inputs.map((t, i) => {
      const p = inQ[i]!;
      if (p.scale === sy && p.zeroPoint === target.t.zeroPoint) return t!;
      const v = asFloat32(t!);
      const acc = new Float64Array(v.length);
      for (let j = 0; j < v.length; j++) acc[j] = v[j] - p.zeroPoint;
      return new Tensor("f32", t!.shape, requantize(acc, 1, 1, [fps[i]], target.t));
    });
    return fk.run(parts, ctx);
  });
};

/** The implementation of every integer kernel id. */
export const INTEGER_STEPS: Readonly<Record<IntegerKernelId, IntegerStep>> = {
  conv,
  "conv-transpose": convTranspose,
  gemm,
  matmul,
  add,
  sub,
  mul,
  "global-average-pool": globalAveragePool,
  concat,
};

/** `(codes − zp) · mult` as a float64 tensor (exact integers). */
function toF64(t: Tensor, zeroPoint: number, mult = 1): Tensor<"f64"> {
  const v = asFloat32(t);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] - zeroPoint) * mult;
  return new Tensor("f64", t.shape, out);
}

function requantTensor(
  acc: Tensor,
  fps: Multiplier[],
  channels: number,
  t: RequantTarget,
): Tensor<"f32"> {
  const data = acc.is("f64") ? acc.data : Float64Array.from(asFloat32(acc));
  return new Tensor("f32", acc.shape, requantize(data, channels, data.length / channels, fps, t));
}
