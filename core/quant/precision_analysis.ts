/**
 * Layer-by-layer precision analysis (`quant.precision_analysis`): how far each tensor of
 * the quantized model is from the float model.
 *
 * - `PerLayer`: every operator is fed the float model's inputs for that operator
 *   (quantized with their own parameters), so each row isolates one operator's error;
 * - `EndToEnd`: the quantized model runs from the float input and every tensor is
 *   compared with its float counterpart (accumulated error).
 *
 * Rows name the operators of the analysed model. An operator whose output is fused into
 * its consumer (Conv → Relu) has no tensor of its own: the consumer's row names both
 * (`conv1 + relu1`). Besides the operator rows there is one row per quantized model
 * input (its quantization error) and, last, one per quantized model output for the
 * `<output>_DequantizeLinear` node of the QDQ model, which hands the output over as
 * float (PerLayer: the float output quantized and dequantized; EndToEnd: the quantized
 * model's output).
 *
 * Cosine similarity and MSE are averaged over the analysis samples.
 *
 * @module
 */
import type { Executor } from "../exec/executor.ts";
import type { Node } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import { similarity } from "../report/metrics.ts";
import type { QuantEmulator } from "./emulator.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import { dequantizeTensor, quantizeTensor } from "./codes.ts";

/** pulsar2's `precision_analysis_method`. */
export type PrecisionMethod = "PerLayer" | "EndToEnd";

/** An operator a row covers. */
export interface PrecisionNode {
  /** Node name in the analysed model. */
  readonly name: string;
  /** Its op type. */
  readonly type: string;
}

/** One row of the Quant Precision Table. */
export interface PrecisionRow {
  /**
   * `input`: a model input's quantization; `node`: an operator (or a fused chain);
   * `output`: a model output handed over as float by its DequantizeLinear.
   */
  kind: "input" | "node" | "output";
  /** The operators the row covers, in order (none for an input). */
  nodes: readonly PrecisionNode[];
  /** Their names joined by ` + ` (the input's name for an input row). */
  operator: string;
  /** Their op types joined by ` + ` (`Input` for an input row). */
  type: string;
  /** Tensors the row's operators read from outside the row, initializers excluded. */
  inputs: string[];
  /** Name of the compared tensor. */
  tensor: string;
  /** Shape of the float reference tensor. */
  shape: number[];
  /** Float data type shown for the reference (always `FP32`). */
  dtype: string;
  /** Quantized type of the tensor (`U8`, `S16`, …), or `FP32` when it is float. */
  qdtype: string;
  /** Cosine similarity to the float reference, averaged over samples. */
  cosine: number;
  /** Mean squared error against the float reference, averaged over samples. */
  mse: number;
}

/**
 * One comparison of one sample: a row key (`in:`, `node:` or `out:` and the tensor name),
 * the cosine similarity and MSE against the float reference, and the reference's shape.
 */
export interface PrecisionMeasure {
  key: string;
  cosine: number;
  mse: number;
  shape: number[];
}

interface Sum {
  cos: number;
  mse: number;
  n: number;
  shape: number[];
}

/** The fused chain that ends at `node`: its fused producers first, then `node`. */
function chainOf(node: Node, fused: ReadonlySet<string>, producers: Map<string, Node>): Node[] {
  const chain = [node];
  let head = node;
  for (;;) {
    const first = head.inputs[0];
    const p = first && fused.has(first) ? producers.get(first) : undefined;
    if (!p || chain.includes(p)) return chain;
    chain.unshift(p);
    head = p;
  }
}

/** Quantized model outputs (the `out:` rows). */
function quantizedOutputs(q: QuantModel): string[] {
  return q.model.graph.outputs.map((v) => v.name).filter((n) => activationParams(q, n));
}

/**
 * Compare one sample: one float run with every value kept, then (EndToEnd) one emulator
 * run, or (PerLayer) each operator on the float values of its inputs. Nodes whose
 * outputs are all fused are not run on their own: their row is their consumer's, which
 * runs them.
 *
 * @returns the sample's comparisons, in the order the rows are built from
 */
export function measureSample(
  floatExec: Executor,
  emu: QuantEmulator,
  feeds: ReadonlyMap<string, Tensor>,
  method: PrecisionMethod,
): PrecisionMeasure[] {
  const q = emu.quant;
  const g = q.model.graph;
  const measures: PrecisionMeasure[] = [];
  const add = (key: string, ref: Tensor, got: Tensor) => {
    const s = similarity(asFloat32(got), asFloat32(ref));
    measures.push({ key, cosine: s.cosine, mse: s.mse, shape: [...ref.shape] });
  };
  const floatOutput = (name: string, t: Tensor) => !q.fused.has(name) && DTYPES[t.dtype].isFloat;
  const roundTrip = (name: string, t: Tensor) => {
    const p = activationParams(q, name);
    return p ? dequantizeTensor(quantizeTensor(t, p), p) : t;
  };
  const ref = floatExec.run(feeds, { keep: "all" });
  for (const v of g.runtimeInputs) {
    const x = feeds.get(v.name);
    if (x && activationParams(q, v.name) && DTYPES[x.dtype].isFloat) {
      add(`in:${v.name}`, x, roundTrip(v.name, x));
    }
  }
  if (method === "EndToEnd") {
    const out = emu.run(feeds, {
      onValue: (name, got) => {
        const r = ref.get(name);
        if (r && floatOutput(name, r)) add(`node:${name}`, r, got);
      },
    });
    for (const name of quantizedOutputs(q)) {
      const r = ref.get(name);
      const got = out.get(name);
      if (r && got) add(`out:${name}`, r, got);
    }
    return measures;
  }
  for (const node of g.topologicalOrder()) {
    if (node.outputs.every((o) => !o || q.fused.has(o))) continue;
    const outs = emu.runNode(node, (n) => ref.get(n) ?? feeds.get(n));
    node.outputs.forEach((name, i) => {
      const r = ref.get(name);
      const got = outs[i];
      if (r && got && floatOutput(name, r)) add(`node:${name}`, r, got);
    });
  }
  for (const name of quantizedOutputs(q)) {
    const r = ref.get(name);
    if (r) add(`out:${name}`, r, roundTrip(name, r));
  }
  return measures;
}

/** Options of {@linkcode analyzePrecision}. */
export interface AnalyzePrecisionOptions {
  /** Called after each sample with the count done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Analyse `samples`; input rows first, operator rows in topological order, output rows last. */
export function analyzePrecision(
  floatExec: Executor,
  emu: QuantEmulator,
  samples: readonly ReadonlyMap<string, Tensor>[],
  method: PrecisionMethod,
  opts: AnalyzePrecisionOptions = {},
): PrecisionRow[] {
  const measures = samples.map((feeds, i) => {
    const m = measureSample(floatExec, emu, feeds, method);
    opts.onProgress?.(i + 1, samples.length);
    return m;
  });
  return precisionRows(emu.quant, measures);
}

/**
 * The rows of a precision analysis from each sample's comparisons
 * ({@linkcode measureSample}), averaged in sample order.
 *
 * @param q the analysed quantized model
 * @param samples each sample's comparisons, in sample order
 */
export function precisionRows(
  q: QuantModel,
  samples: readonly (readonly PrecisionMeasure[])[],
): PrecisionRow[] {
  const g = q.model.graph;
  const sums = new Map<string, Sum>();
  for (const measures of samples) {
    for (const m of measures) {
      const e = sums.get(m.key) ?? { cos: 0, mse: 0, n: 0, shape: m.shape };
      e.cos += m.cosine;
      e.mse += m.mse;
      e.n++;
      sums.set(m.key, e);
    }
  }
  const inputs = g.runtimeInputs.map((v) => v.name);
  const outputs = quantizedOutputs(q);
  const qdtype = (name: string) => activationParams(q, name)?.qtype ?? "FP32";
  const row = (
    kind: PrecisionRow["kind"],
    nodes: PrecisionNode[],
    inputs: string[],
    tensor: string,
    e: Sum,
    label?: { operator: string; type: string; qdtype: string },
  ): PrecisionRow => ({
    kind,
    nodes,
    inputs,
    operator: label?.operator ?? nodes.map((n) => n.name).join(" + "),
    type: label?.type ?? nodes.map((n) => n.type).join(" + "),
    tensor,
    shape: e.shape,
    dtype: "FP32",
    qdtype: label?.qdtype ?? qdtype(tensor),
    cosine: e.cos / e.n,
    mse: e.mse / e.n,
  });
  const rows: PrecisionRow[] = [];
  for (const name of inputs) {
    const e = sums.get(`in:${name}`);
    if (!e) continue;
    rows.push(
      row("input", [], [], name, e, { operator: name, type: "Input", qdtype: qdtype(name) }),
    );
  }
  const producers = g.producers();
  for (const node of g.topologicalOrder()) {
    for (const name of node.outputs) {
      const e = sums.get(`node:${name}`);
      if (!e) continue;
      const chain = chainOf(node, q.fused, producers);
      const inside = new Set(chain.flatMap((n) => n.outputs));
      const reads = chain.flatMap((n) => n.inputs)
        .filter((i) => i && !inside.has(i) && !g.initializers.has(i));
      const nodes = chain.map((n) => ({ name: n.name, type: n.opType }));
      rows.push(row("node", nodes, [...new Set(reads)], name, e));
    }
  }
  for (const name of outputs) {
    const e = sums.get(`out:${name}`);
    if (!e) continue;
    // the node name qdq_export.ts gives the DequantizeLinear that produces an output
    const dq = { name: `${name}_DequantizeLinear`, type: "DequantizeLinear" };
    const label = { operator: dq.name, type: dq.type, qdtype: "FP32" };
    rows.push(row("output", [dq], [name], name, e, label));
  }
  return rows;
}
