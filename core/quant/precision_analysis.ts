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
 * Whatever the method, every operator row carries both errors: the isolated one (float
 * inputs into the one quantized operator — where error is made) and the accumulated one
 * (the quantized model run from the float input — where it shows); `cosine`/`mse` are the
 * method's (PerLayer: isolated, EndToEnd: accumulated). The ten operators with the largest
 * isolated error are ranked as the top offenders. Quantized tensors get the collapse check
 * (`precision_channels.ts`), and output rows the end-to-end per-channel cosine spread and,
 * for classifier-like outputs, top-1/top-5 agreement with the float model.
 *
 * Cosine similarity and MSE are averaged over the analysis samples.
 *
 * Cost per sample: one float run keeping every value, one emulator run, every operator
 * once more on float inputs (together about one emulator run), and three passes over every
 * tensor for the comparisons (accumulated, isolated, collapse check). The comparisons run
 * in wasm SIMD kernels (`core/wasm/assembly/compare.ts`, `channel_codes.ts`); on
 * mobilenet_v2 (one thread, measured 2026-12) they and the quantization of float values
 * went from about a third of a sample to a fifth, the runs taking the rest. The passes
 * stay apart: one loop for all three ran slower (too many running sums to stay in
 * registers), and one for the last two saved about 1 % of a sample. The float runs of calibration
 * cannot stand in for the first run: the values are needed after quantization, and keeping
 * them costs 52 MB per sample on mobilenet_v2 (1.7 GB for 32 samples).
 *
 * @module
 */
import type { Executor } from "../exec/executor.ts";
import type { Tensor } from "../ir/tensor.ts";
import { asFloat32 } from "../ir/tensor.ts";
import { DTYPES } from "../ir/dtype.ts";
import { type Resident, similarity, similarityOfCodes, withResident } from "../report/metrics.ts";
import type { NodeOutput, QuantEmulator } from "./emulator.ts";
import { activationParams } from "./quant_model.ts";
import { QRANGE } from "./numeric.ts";
import { dequantizeTensor, type QParams, quantizeTensor } from "./codes.ts";
import {
  type ChannelCodes,
  channelCodes,
  type ChannelCosineSums,
  channelCosineSums,
  type ClassAgreement,
  classAgreement,
  type Collapse,
} from "./precision_channels.ts";
import { precisionRows, quantizedOutputs } from "./precision_rows.ts";

export { precisionRows, TOP_OFFENDERS } from "./precision_rows.ts";

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
  /** Operator rows: the error of the one quantized operator fed float inputs. */
  isolated?: Metric;
  /** Operator rows: the error of the quantized model run from the float input. */
  accumulated?: Metric;
  /** Rank 1 to {@linkcode TOP_OFFENDERS} among the largest isolated errors. */
  offender?: number;
  /** Quantized tensors with channels: the collapse check. */
  collapse?: Collapse;
  /** Output rows: how the quantized model's output agrees with the float one. */
  agreement?: OutputAgreement;
}

/** Cosine similarity and MSE, averaged over samples. */
export interface Metric {
  /** Cosine similarity to the float reference. */
  cosine: number;
  /** Mean squared error against the float reference. */
  mse: number;
}

/** End-to-end agreement of one model output with the float model. */
export interface OutputAgreement {
  /** Samples the agreement was measured on. */
  samples: number;
  /** Smallest per-channel cosine (each channel's values over all samples). */
  channelCosineMin: number;
  /** Median per-channel cosine. */
  channelCosineMedian: number;
  /** Classifier-like outputs: fraction of rows with the float top-1 class on top. */
  top1?: number;
  /** Classifier-like outputs: fraction of rows with the float top-1 class in the top 5. */
  top5?: number;
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
  /** `node:` keys: float inputs into the one quantized operator. */
  isolated?: Metric;
  /** `node:` keys: the quantized model run from the float input. */
  accumulated?: Metric;
  /** Quantized `node:` tensors: codes and ranges per channel of the float reference. */
  codes?: ChannelCodes;
  /** `out:` keys: per-channel cosine sums of the quantized model's output. */
  channelCosine?: ChannelCosineSums;
  /** `out:` keys of classifier-like outputs: top-1/top-5 agreement counts. */
  classes?: ClassAgreement;
}

/** One emulator run of one sample with every node output kept as the emulator holds it. */
export interface RecordedEmulation {
  /** The model outputs, dequantized (what {@linkcode QuantEmulator.run} returns). */
  readonly outputs: Map<string, Tensor>;
  /** Every non-fused node output: codes with their parameters, or float values. */
  readonly codes: Map<string, NodeOutput>;
}

/** Run `emu` on `feeds`, keeping every node output for {@linkcode measureSample}. */
export function recordEmulation(
  emu: QuantEmulator,
  feeds: ReadonlyMap<string, Tensor>,
): RecordedEmulation {
  const codes = new Map<string, NodeOutput>();
  const outputs = emu.run(feeds, {
    onCodes: (name, value, params) => codes.set(name, params ? { value, params } : { value }),
  });
  return { outputs, codes };
}

/** Options of {@linkcode measureSample}. */
export interface MeasureOptions {
  /**
   * The emulator's run of these very feeds ({@linkcode recordEmulation}), when the caller
   * has it already (a worker that emulated the sample for the io export): not run again.
   */
  emulated?: RecordedEmulation;
}

/**
 * Compare one sample: one float run with every value kept, one emulator run from the
 * float input (accumulated errors), and each operator on the float values of its inputs
 * (isolated errors). Nodes whose outputs are all fused are not run on their own: their
 * row is their consumer's, which runs them.
 *
 * @returns the sample's comparisons, in the order the rows are built from
 */
export function measureSample(
  floatExec: Executor,
  emu: QuantEmulator,
  feeds: ReadonlyMap<string, Tensor>,
  method: PrecisionMethod,
  opts: MeasureOptions = {},
): PrecisionMeasure[] {
  const q = emu.quant;
  const g = q.model.graph;
  const measures: PrecisionMeasure[] = [];
  const metric = (ref: Tensor, got: Tensor): Metric => {
    const s = similarity(asFloat32(got), asFloat32(ref));
    return { cosine: s.cosine, mse: s.mse };
  };
  // a per-tensor quantized output is compared code by code, dequantized on the fly
  const codeMetric = (ref: Tensor, r: Resident, got: NodeOutput): Metric => {
    const p = got.params;
    if (!p || p.channels) return metric(ref, p ? dequantizeTensor(got.value, p) : got.value);
    const s = similarityOfCodes(asFloat32(got.value), p.zeroPoint, p.scale, r, {
      bits: QRANGE[p.qtype].bits,
    });
    return { cosine: s.cosine, mse: s.mse };
  };
  const floatOutput = (name: string, t: Tensor) => !q.fused.has(name) && DTYPES[t.dtype].isFloat;
  // each float value quantized once, for its own row and for every node that reads it
  const codes = new Map<string, Tensor>();
  const quantized = (name: string, t: Tensor, p: QParams): Tensor => {
    let c = codes.get(name);
    if (!c) codes.set(name, c = quantizeTensor(t, p));
    return c;
  };
  const roundTrip = (name: string, t: Tensor) => {
    const p = activationParams(q, name);
    return p ? dequantizeTensor(quantized(name, t, p), p) : t;
  };
  const ref = floatExec.run(feeds, { keep: "all" });
  for (const v of g.runtimeInputs) {
    const x = feeds.get(v.name);
    if (x && activationParams(q, v.name) && DTYPES[x.dtype].isFloat) {
      measures.push({
        key: `in:${v.name}`,
        ...metric(x, roundTrip(v.name, x)),
        shape: [...x.shape],
      });
    }
  }
  // the emulator's values are compared below, with the isolated ones, so that each float
  // reference enters the kernels' memory once for all its comparisons
  const { outputs: out, codes: accumulated } = opts.emulated ?? recordEmulation(emu, feeds);
  for (const node of g.topologicalOrder()) {
    if (node.outputs.every((o) => !o || q.fused.has(o))) continue;
    const outs = emu.runNodeCodes(node, (n) => ref.get(n) ?? feeds.get(n), quantized);
    node.outputs.forEach((name, i) => {
      const r = ref.get(name);
      const got = outs[i];
      if (!r || !floatOutput(name, r)) return;
      const acc = accumulated.get(name);
      if (!(method === "PerLayer" ? got : acc)) return;
      withResident(asFloat32(r), (resident) => {
        const isolated = got && codeMetric(r, resident, got);
        const accumulatedMetric = acc && codeMetric(r, resident, acc);
        const own = (method === "PerLayer" ? isolated : accumulatedMetric)!;
        const p = activationParams(q, name);
        const channels = p ? channelCodes(r, p, quantized(name, r, p), resident) : undefined;
        measures.push({
          key: `node:${name}`,
          ...own,
          shape: [...r.shape],
          isolated,
          accumulated: accumulatedMetric,
          ...(channels ? { codes: channels } : {}),
        });
      });
    });
  }
  for (const name of quantizedOutputs(q)) {
    const r = ref.get(name);
    const got = out.get(name);
    if (!r || !got) continue;
    const channelCosine = channelCosineSums(got, r);
    const classes = classAgreement(got, r);
    measures.push({
      key: `out:${name}`,
      ...metric(r, method === "PerLayer" ? roundTrip(name, r) : got),
      shape: [...r.shape],
      ...(channelCosine ? { channelCosine } : {}),
      ...(classes ? { classes } : {}),
    });
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
