/**
 * Read a QDQ ONNX model back into a {@linkcode QuantModel}: axb's own
 * `quant_axmodel.onnx`, or a user's pre-quantized model (`--model_type QuantONNX`).
 *
 * - `QuantizeLinear → DequantizeLinear` pairs with constant scale/zero point become the
 *   parameters of the tensor fed to the QuantizeLinear; consumers are rewired to it;
 * - `DequantizeLinear` of an integer initializer becomes a quantized constant (codes,
 *   per-axis scales) and a float initializer holding the dequantized values; uint8
 *   codes with zero point 128 everywhere (how axb stores S8 weights) read back as int8
 *   codes with zero point 0;
 * - `QuantizeLinear → DequantizeLinear` on a float initializer (fake-quantized weights)
 *   is folded the same way;
 * - states, dominators, calibrated ranges and fused tensors come from the `axb.quant`
 *   metadata when present; otherwise they are derived (outputs of shared-parameter
 *   operators with their input's parameters are OVERLAPPED; a producer output that is
 *   not quantized and feeds only a quantized Relu/Clip is fused when the producer's
 *   integer kernel accepts the node, as the quantizer decides it).
 *
 * Unpaired QuantizeLinear/DequantizeLinear nodes stay in the graph as ordinary operators.
 *
 * @module
 */
import { Graph, type Model, type Node } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import { attrReader } from "../ir/attribute.ts";
import { parseQuantAttrs } from "../ops/nn/quantize.ts";
import { asFloat32, type Tensor } from "../ir/tensor.ts";
import { dequantizeConstant } from "./codes.ts";
import type { DType } from "../ir/dtype.ts";
import { ModelFormatError } from "../errors/mod.ts";
import type { ActivationQuant, ChannelScales, ConstQuant, QuantModel } from "./quant_model.ts";
import { QRANGE, type QType, roundHalfEven } from "./numeric.ts";
import { MS_DOMAIN, QUANT_METADATA_KEY, type QuantMetadata, WEIGHT_OFFSET } from "./qdq_export.ts";
import { nodeCapabilities } from "./op_capabilities.ts";
import { fuses, fusionPartner, quantOperand } from "./kernel_applicability.ts";

const DTYPE_QTYPE: Partial<Record<DType, QType>> = {
  u8: "U8",
  s8: "S8",
  u16: "U16",
  s16: "S16",
  s32: "S32",
};

function isQdq(n: Node, op: "QuantizeLinear" | "DequantizeLinear"): boolean {
  return n.opType === op && (n.domain === "" || n.domain === MS_DOMAIN);
}

/** True when the model contains QuantizeLinear/DequantizeLinear nodes. */
export function isQdqModel(model: Model): boolean {
  return model.graph.nodes.some((n) => isQdq(n, "QuantizeLinear") || isQdq(n, "DequantizeLinear"));
}

interface Params {
  qtype: QType;
  scales: Float32Array;
  zeroPoints: Int32Array;
  axis?: number;
}

/**
 * Scales, zero points and axis of a QuantizeLinear/DequantizeLinear with constant
 * parameters. `rank` is the quantized tensor's rank when known (a constant), to resolve
 * a negative axis.
 */
function readParams(
  g: Graph,
  n: Node,
  opset: number,
  rank: number | undefined,
  what: string,
): Params | undefined {
  const s = g.initializers.get(n.inputs[1]);
  if (!s) return undefined;
  const zpName = n.inputs[2];
  const zp = zpName ? g.initializers.get(zpName) : undefined;
  if (zpName && !zp) return undefined;
  const qtype = zp ? DTYPE_QTYPE[zp.dtype] : "U8";
  if (!qtype) {
    throw new ModelFormatError(
      `${what}: zero point of "${n.name}" is ${zp?.dtype}; axb reads uint8, int8, uint16, int16 and int32 QDQ models`,
    );
  }
  const scales = asFloat32(s);
  const zeroPoints = new Int32Array(scales.length);
  if (zp) {
    const z = asFloat32(zp);
    for (let i = 0; i < z.length; i++) zeroPoints[i] = z[i];
  }
  const attrs = parseQuantAttrs(attrReader(n.attrs, n.name || n.opType, n.opType), {
    opset,
    node: n,
  });
  const axis = scales.length > 1 || s.rank === 1
    ? (attrs.axis < 0 && rank !== undefined ? attrs.axis + rank : attrs.axis)
    : undefined;
  return { qtype, scales: Float32Array.from(scales), zeroPoints, axis };
}

/** Convert a QDQ model to a QuantModel. `what` names the file in errors. */
export function fromQdqModel(src: Model, what = "model"): QuantModel {
  const g0 = src.graph;
  const nodeOpset = (n: Node) => opsetOf(src, n.domain);
  const g = new Graph({ name: g0.name });
  g.inputs = g0.inputs.map((v) => ({ ...v }));
  g.outputs = g0.outputs.map((v) => ({ ...v }));
  g.valueInfo = new Map(g0.valueInfo);
  g.opaque = g0.opaque;
  g.docString = g0.docString;
  for (const [k, v] of g0.initializers) g.initializers.set(k, v);
  let nodes: Node[] = g0.nodes.map((n) => ({
    ...n,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
  }));
  const producers = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) producers.set(o, n);
  const activations = new Map<string, ActivationQuant>();
  const constants = new Map<string, ConstQuant>();
  const drop = new Set<Node>();
  const rename = new Map<string, string>(); // dequantized name → source tensor
  const outputRename = new Map<string, string>(); // source tensor → graph output name
  const outputNames = new Set(g.outputs.map((o) => o.name));
  for (const dq of nodes) {
    if (!isQdq(dq, "DequantizeLinear")) continue;
    // the rank of the quantized tensor when it is a constant: an integer initializer, or
    // the float initializer a QuantizeLinear reads
    const constant = g.initializers.get(dq.inputs[0]) ??
      g.initializers.get(producers.get(dq.inputs[0])?.inputs[0] ?? "");
    const p = readParams(g, dq, nodeOpset(dq), constant?.rank, what);
    if (!p) continue;
    const xq = dq.inputs[0];
    const out = dq.outputs[0];
    const init = g.initializers.get(xq);
    if (init) {
      const codes = Int32Array.from(asFloat32(init));
      toSigned(p, codes);
      g.initializers.set(out, dequantizeConst(init.shape, codes, p));
      constants.set(out, {
        qtype: p.qtype,
        scales: p.scales,
        zeroPoints: p.zeroPoints,
        axis: p.axis,
        codes,
        state: p.qtype === "S32" ? "PASSIVE_BAKED" : "BAKED",
      });
      drop.add(dq);
      continue;
    }
    const qn = producers.get(xq);
    if (!qn || !isQdq(qn, "QuantizeLinear")) continue;
    const qp = readParams(g, qn, nodeOpset(qn), constant?.rank, what);
    if (!qp || qp.scales[0] !== p.scales[0] || qp.zeroPoints[0] !== p.zeroPoints[0]) continue;
    const source = qn.inputs[0];
    const w = g.initializers.get(source);
    if (w) {
      // fake-quantized constant: fold Q → DQ into codes
      const v = asFloat32(w);
      const codes = new Int32Array(v.length);
      const { min, max } = QRANGE[p.qtype];
      const inner = p.axis === undefined
        ? v.length
        : w.shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
      const ch = p.scales.length;
      for (let i = 0; i < v.length; i++) {
        const c = p.axis === undefined ? 0 : Math.floor(i / inner) % ch;
        codes[i] = Math.max(
          min,
          Math.min(max, roundHalfEven(v[i] / p.scales[c]) + p.zeroPoints[c]),
        );
      }
      toSigned(p, codes);
      g.initializers.set(out, dequantizeConst(w.shape, codes, p));
      constants.set(out, { ...p, codes, state: "BAKED" });
      drop.add(dq);
      drop.add(qn);
      continue;
    }
    // a per-axis DequantizeLinear whose entries all repeat the pair's parameters reads the
    // same values (axb writes one before an operator onnxruntime would otherwise rewrite)
    const uniform = p.scales.every((v, i) =>
      v === p.scales[0] && p.zeroPoints[i] === p.zeroPoints[0]
    );
    const channels = uniform ? undefined : channelScales(p, qp);
    if (!uniform && !channels) continue;
    const { min, max } = QRANGE[p.qtype];
    const scale = channels ? Math.max(...channels.scales) : p.scales[0];
    activations.set(source, {
      kind: "quant",
      qtype: p.qtype,
      scale,
      zeroPoint: p.zeroPoints[0],
      min: (min - p.zeroPoints[0]) * scale,
      max: (max - p.zeroPoints[0]) * scale,
      state: "ACTIVATED",
      dominator: source,
      ...(channels ? { channels } : {}),
    });
    drop.add(dq);
    drop.add(qn);
    if (outputNames.has(out)) outputRename.set(source, out);
    else rename.set(out, source);
  }
  nodes = nodes.filter((n) => !drop.has(n));
  for (const n of nodes) n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
  // a quantized graph output takes back its public name
  for (const [source, out] of outputRename) {
    for (const n of nodes) {
      n.outputs = n.outputs.map((o) => (o === source ? out : o));
      n.inputs = n.inputs.map((i) => (i === source ? out : i));
    }
    const a = activations.get(source)!;
    activations.delete(source);
    activations.set(out, a.kind === "quant" ? { ...a, dominator: out } : a);
    for (const [k, v] of activations) {
      if (v.kind === "quant" && v.dominator === source) {
        activations.set(k, { ...v, dominator: out });
      }
    }
  }
  // drop initializers only the removed nodes read
  const used = new Set<string>();
  for (const n of nodes) for (const i of n.inputs) used.add(i);
  for (const v of g.inputs) used.add(v.name);
  for (const k of [...g.initializers.keys()]) if (!used.has(k)) g.initializers.delete(k);
  g.nodes = nodes;
  g.sortTopologically();
  const metadata = new Map(src.metadataProps);
  const metaText = metadata.get(QUANT_METADATA_KEY);
  metadata.delete(QUANT_METADATA_KEY);
  const model: Model = { ...src, metadataProps: metadata, graph: g };
  const quant: QuantModel = { model, activations, constants, fused: new Set() };
  if (metaText) applyMetadata(metaText, activations, quant.fused, what);
  else deriveStates(quant);
  return quant;
}

/**
 * The per-channel scales of an activation pair with per-axis parameters (`axis` set, one
 * zero point for every channel, the QuantizeLinear's the same as the DequantizeLinear's);
 * undefined for any other form, which stays in the graph as ordinary operators.
 */
function channelScales(dq: Params, q: Params): ChannelScales | undefined {
  const same = q.axis === dq.axis && q.scales.length === dq.scales.length &&
    q.scales.every((v, i) => v === dq.scales[i] && q.zeroPoints[i] === dq.zeroPoints[i]);
  if (
    dq.axis === undefined || dq.axis < 0 || !same ||
    !dq.zeroPoints.every((z) => z === dq.zeroPoints[0])
  ) {
    return undefined;
  }
  return { axis: dq.axis, scales: Float32Array.from(dq.scales) };
}

/**
 * Re-encode uint8 codes whose every zero point is 128 as int8 codes with zero point 0 —
 * the same real values — since axb writes S8 weights that way for onnxruntime
 * (`qdq_export.ts`) and its integer kernels take symmetric int8 weights.
 */
function toSigned(p: Params, codes: Int32Array): void {
  if (p.qtype !== "U8" || !p.zeroPoints.every((z) => z === WEIGHT_OFFSET)) return;
  for (let i = 0; i < codes.length; i++) codes[i] -= WEIGHT_OFFSET;
  p.zeroPoints.fill(0);
  p.qtype = "S8";
}

function dequantizeConst(shape: readonly number[], codes: Int32Array, p: Params): Tensor<"f32"> {
  return dequantizeConstant(shape, { ...p, codes, state: "BAKED" });
}

function applyMetadata(
  text: string,
  activations: Map<string, ActivationQuant>,
  fused: Set<string>,
  what: string,
): void {
  let meta: QuantMetadata;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new ModelFormatError(`${what}: metadata ${QUANT_METADATA_KEY} is not valid JSON`);
  }
  for (const f of meta.fused ?? []) fused.add(f);
  for (const [name, t] of Object.entries(meta.tensors ?? {})) {
    const a = activations.get(name);
    if (a?.kind !== "quant") continue;
    activations.set(name, {
      ...a,
      min: t.min,
      max: t.max,
      state: t.state === "OVERLAPPED" ? "OVERLAPPED" : "ACTIVATED",
      dominator: t.dominator,
    });
  }
}

function deriveStates(q: QuantModel): void {
  const { activations, fused } = q;
  const g = q.model.graph;
  const consumers = g.consumers();
  const opset = opsetOf(q.model, "");
  const operandOf = (name: string) => quantOperand(q, name);
  for (const n of g.topologicalOrder()) {
    const out = n.outputs[0];
    if (!out) continue;
    const a = activations.get(out);
    const x = activations.get(n.inputs[0]);
    if (
      nodeCapabilities(n).scales === "shared" && a?.kind === "quant" && x?.kind === "quant" &&
      a.scale === x.scale && a.zeroPoint === x.zeroPoint && a.qtype === x.qtype &&
      !a.channels && !x.channels
    ) {
      activations.set(out, { ...a, state: "OVERLAPPED", dominator: x.dominator });
    }
    if (a) continue;
    const act = fusionPartner(g, consumers, n, operandOf);
    if (act && fuses(n, act, opset, operandOf)) fused.add(out);
  }
}
