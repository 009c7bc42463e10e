/**
 * Write a {@linkcode QuantModel} as standard QDQ ONNX (the form onnxruntime runs and
 * `pulsar2 build --model_type QuantONNX` accepts):
 *
 * - every quantized activation `T` gets `QuantizeLinear → DequantizeLinear` right after
 *   its producer, and its consumers read the dequantized value; a graph output keeps its
 *   name on the DequantizeLinear output;
 * - quantized weights and biases become integer initializers (`<name>_quantized`) with
 *   per-channel scales behind a `DequantizeLinear` (axis = channel axis) that produces
 *   the original name;
 * - S8 weights are stored as uint8 codes `c + 128` with zero point 128 unless the caller
 *   asks for int8 (`weightCodes`): the same real values, and onnxruntime's fused
 *   kernels compute u8×u8 exactly on every x86 CPU, while its u8×s8 kernels on AVX2
 *   CPUs without VNNI (`vpmaddubsw`, onnxruntime issue #16105) saturate pairs of
 *   products to int16 at its default optimisation level — 8 to 46 LSB off on the shared
 *   CNNs. `pulsar2 build --model_type QuantONNX` documents the QDQ form but not the
 *   weight type; axb's own QDQ reader takes both forms (README, "Choices where the
 *   vendors are silent");
 * - a Conv, ConvTranspose or Gemm whose input is quantized but whose weight or bias stays
 *   float reads its input through a DequantizeLinear of its own with per-axis parameters
 *   (every entry the activation's scale and zero point): onnxruntime's
 *   WeightBiasQuantization (optimisation level basic and above, since 1.20) quantizes
 *   float weights and biases of exactly these operators when their input comes from a
 *   per-tensor DequantizeLinear, which would change the model's meaning by level;
 * - an activation quantized per channel gets 1-D scales and zero points with `axis` on both
 *   nodes (onnxruntime then runs its readers in float, as the emulator does);
 * - 8-bit types use the default domain (opset ≥ 13 for per-axis); 16-bit activations use
 *   the `com.microsoft` QuantizeLinear/DequantizeLinear, which onnxruntime implements for
 *   uint16/int16;
 * - bookkeeping that QDQ cannot express (OVERLAPPED dominators, fused tensors, calibrated
 *   ranges) goes into the metadata entry `axb.quant` as JSON, so reading the file back
 *   restores the same QuantModel.
 *
 * @module
 */
import { Graph, type Model, type Node } from "../ir/graph.ts";
import { opsetOf } from "../ir/opset.ts";
import { Tensor } from "../ir/tensor.ts";
import type { DType } from "../ir/dtype.ts";
import { GraphError } from "../errors/mod.ts";
import type { ConstQuant, QuantModel } from "./quant_model.ts";
import { activationParams } from "./quant_model.ts";
import { attrReader } from "../ir/attribute.ts";
import { parseConvAttrs } from "../ops/nn/conv.ts";
import { parseGemmAttrs } from "../ops/nn/matmul.ts";
import type { QType } from "./numeric.ts";

/** Metadata key holding axb's quantization bookkeeping. */
export const QUANT_METADATA_KEY = "axb.quant";

/** Domain of the 16-bit QuantizeLinear/DequantizeLinear. */
export const MS_DOMAIN = "com.microsoft";

/** Storage dtype of codes of each quantized type. */
export const QTYPE_DTYPE: Readonly<Record<QType, DType>> = {
  U8: "u8",
  S8: "s8",
  U16: "u16",
  S16: "s16",
  S32: "s32",
};

/** Offset between S8 weight codes and their U8 storage (zero point 128). */
export const WEIGHT_OFFSET = 128;

/** Bookkeeping stored in the metadata. */
export interface QuantMetadata {
  version: 1;
  tensors: Record<string, { state: string; dominator: string; min: number; max: number }>;
  fused: string[];
}

function codesTensor(qtype: QType, shape: readonly number[], codes: ArrayLike<number>): Tensor {
  const t = new Tensor(QTYPE_DTYPE[qtype], shape);
  const d = t.data as Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
  for (let i = 0; i < codes.length; i++) d[i] = codes[i];
  return t;
}

/** Options of {@linkcode toQdqModel}. */
export interface QdqExportOptions {
  /**
   * Storage of S8 weight codes: `U8` (default) as `code + 128` with zero point 128,
   * which onnxruntime computes exactly at every optimisation level; `S8` as int8 codes
   * with zero point 0 (the NPU's form, kept in compiled programs).
   */
  readonly weightCodes?: "U8" | "S8";
}

/** The storage type and codes of a constant: S8 shifted into U8 when asked. */
function storedConstant(c: ConstQuant, weightCodes: "U8" | "S8") {
  if (c.qtype !== "S8" || weightCodes === "S8") {
    return { qtype: c.qtype, codes: c.codes, zeroPoints: c.zeroPoints };
  }
  const shift = (v: Int32Array) => v.map((x) => x + WEIGHT_OFFSET);
  return { qtype: "U8" as const, codes: shift(c.codes), zeroPoints: shift(c.zeroPoints) };
}

/**
 * Build the QDQ model. The QuantModel is not modified.
 *
 * @param q the quantized model
 * @param opts weight storage (`U8` + 128 by default, see {@linkcode QdqExportOptions})
 * @returns a standard QDQ ONNX model carrying axb's bookkeeping in `axb.quant` metadata
 * @throws {GraphError} when the model's opset is below 13 (per-axis DequantizeLinear)
 */
export function toQdqModel(q: QuantModel, opts: QdqExportOptions = {}): Model {
  const src = q.model;
  const opset = src.opsetImports.get("") ?? 1;
  if (opset < 13) {
    throw new GraphError(
      `Cannot write a QDQ model at opset ${opset}: per-channel DequantizeLinear needs opset 13; run the frontend passes (upgrade_opset) first`,
    );
  }
  const g = new Graph({ name: src.graph.name });
  g.inputs = src.graph.inputs.map((v) => ({ ...v }));
  g.outputs = src.graph.outputs.map((v) => ({ ...v }));
  g.docString = src.graph.docString;
  g.valueInfo = new Map(src.graph.valueInfo);
  g.opaque = src.graph.opaque;
  const nodes: Node[] = src.graph.nodes.map((n) => ({
    ...n,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attrs: new Map(n.attrs),
  }));
  const extra: Node[] = [];
  let uses16 = false;
  // constants
  for (const [name, t] of src.graph.initializers) {
    const c = q.constants.get(name);
    if (!c) {
      g.initializers.set(name, t);
      continue;
    }
    const qname = `${name}_quantized`;
    const stored = storedConstant(c, opts.weightCodes ?? "U8");
    g.initializers.set(qname, codesTensor(stored.qtype, t.shape, stored.codes));
    const perChannel = c.axis !== undefined;
    const sShape = perChannel ? [c.scales.length] : [];
    g.initializers.set(`${name}_scale`, new Tensor("f32", sShape, Float32Array.from(c.scales)));
    g.initializers.set(`${name}_zero_point`, codesTensor(stored.qtype, sShape, stored.zeroPoints));
    extra.push({
      name: `${name}_DequantizeLinear`,
      opType: "DequantizeLinear",
      domain: "",
      inputs: [qname, `${name}_scale`, `${name}_zero_point`],
      outputs: [name],
      attrs: perChannel ? new Map([["axis", { kind: "int", value: c.axis! }]]) : new Map(),
    });
  }
  // activations
  const meta: QuantMetadata = { version: 1, tensors: {}, fused: [...q.fused] };
  const outputNames = new Set(g.outputs.map((o) => o.name));
  for (const [name, a] of q.activations) {
    if (a.kind !== "quant") continue;
    meta.tensors[name] = { state: a.state, dominator: a.dominator, min: a.min, max: a.max };
    const domain = a.qtype === "U16" || a.qtype === "S16" ? MS_DOMAIN : "";
    if (domain) uses16 = true;
    // per channel: 1-D parameters along the channel axis (QuantizeLinear opset >= 13)
    const ch = a.channels;
    const pShape = ch ? [ch.scales.length] : [];
    g.initializers.set(
      `${name}_scale`,
      new Tensor("f32", pShape, ch ? Float32Array.from(ch.scales) : Float32Array.of(a.scale)),
    );
    g.initializers.set(
      `${name}_zero_point`,
      codesTensor(a.qtype, pShape, ch ? Array(ch.scales.length).fill(a.zeroPoint) : [a.zeroPoint]),
    );
    const axis = ch ? new Map([["axis", { kind: "int" as const, value: ch.axis }]]) : new Map();
    let source = name;
    let dqOut = `${name}_dequantized`;
    if (outputNames.has(name)) {
      source = `${name}_prequant`;
      dqOut = name;
      for (const n of nodes) n.outputs = n.outputs.map((o) => (o === name ? source : o));
    } else {
      for (const n of nodes) n.inputs = n.inputs.map((i) => (i === name ? dqOut : i));
    }
    extra.push(
      {
        name: `${name}_QuantizeLinear`,
        opType: "QuantizeLinear",
        domain,
        inputs: [source, `${name}_scale`, `${name}_zero_point`],
        outputs: [`${name}_quantized`],
        attrs: axis,
      },
      {
        name: `${name}_DequantizeLinear`,
        opType: "DequantizeLinear",
        domain,
        inputs: [`${name}_quantized`, `${name}_scale`, `${name}_zero_point`],
        outputs: [dqOut],
        attrs: new Map(axis),
      },
    );
  }
  extra.push(...perAxisInputs(q, nodes, g));
  g.nodes = [...nodes, ...extra];
  g.sortTopologically();
  const opsets = new Map(src.opsetImports);
  if (uses16) opsets.set(MS_DOMAIN, 1);
  const metadata = new Map(src.metadataProps);
  metadata.set(QUANT_METADATA_KEY, JSON.stringify(meta));
  return {
    ...src,
    producerName: "axb",
    opsetImports: opsets,
    metadataProps: metadata,
    graph: g,
  };
}

/**
 * Operators whose float weight or bias onnxruntime's WeightBiasQuantization quantizes
 * when their input comes from a per-tensor DequantizeLinear (onnxruntime ≥ 1.20,
 * `weight_bias_quantization.cc`), with the input axis of length known from the weight
 * that a per-axis DequantizeLinear can run along.
 */
const REQUANTIZED_BY_ONNXRUNTIME: Readonly<
  Record<
    string,
    (node: Node, w: readonly number[], opset: number) => { axis: number; length: number }
  >
> = {
  // X [N, C, …], W [M, C/group, …]
  Conv: (node, w, opset) => {
    const r = attrReader(node.attrs, node.name || node.opType, node.opType);
    return { axis: 1, length: w[1] * parseConvAttrs(r, { opset, node }).group };
  },
  // X [N, C, …], W [C, M/group, …]
  ConvTranspose: (_node, w) => ({ axis: 1, length: w[0] }),
  // A [M, K] (or [K, M] with transA), B [K, N] (or [N, K] with transB)
  Gemm: (node, w) => {
    const a = parseGemmAttrs(attrReader(node.attrs, node.name || node.opType, node.opType));
    return { axis: a.transA ? 0 : 1, length: a.transB ? w[1] : w[0] };
  },
};

/**
 * Per-axis DequantizeLinear nodes for the quantized input of every Conv, ConvTranspose
 * and Gemm whose weight or bias stays a float initializer (see the module note); the
 * nodes (copies of the source graph's, in the same order) are rewired to read them.
 */
function perAxisInputs(q: QuantModel, nodes: Node[], g: Graph): Node[] {
  const out: Node[] = [];
  const src = q.model.graph;
  const floatConstant = (name: string | undefined) =>
    !!name && src.initializers.has(name) && !q.constants.has(name);
  nodes.forEach((n, index) => {
    const axisOf = n.domain === "" ? REQUANTIZED_BY_ONNXRUNTIME[n.opType] : undefined;
    const x = src.nodes[index].inputs[0];
    const p = x ? activationParams(q, x) : undefined;
    const w = n.inputs[1] ? src.initializers.get(n.inputs[1]) : undefined;
    // a per-channel input already reads through a per-axis DequantizeLinear
    if (!axisOf || !p || p.channels || !w || w.rank < 2) return;
    if (!floatConstant(n.inputs[1]) && !floatConstant(n.inputs[2])) return;
    const { axis, length } = axisOf(n, w.shape, opsetOf(q.model, ""));
    const scale = `${x}_scale_${length}`;
    const zeroPoint = `${x}_zero_point_${length}`;
    g.initializers.set(scale, new Tensor("f32", [length], new Float32Array(length).fill(p.scale)));
    g.initializers.set(zeroPoint, codesTensor(p.qtype, [length], Array(length).fill(p.zeroPoint)));
    const reader = `${x}_dequantized_for_${n.name || index}`;
    out.push({
      name: `${x}_DequantizeLinear_for_${n.name || index}`,
      opType: "DequantizeLinear",
      domain: p.qtype === "U16" || p.qtype === "S16" ? MS_DOMAIN : "",
      inputs: [`${x}_quantized`, scale, zeroPoint],
      outputs: [reader],
      attrs: new Map([["axis", { kind: "int", value: axis }]]),
    });
    n.inputs[0] = reader;
  });
  return out;
}
