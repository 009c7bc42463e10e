/**
 * The rows of a precision analysis from each sample's comparisons: sums per row key in
 * sample order, averages, the collapse verdicts, the output agreements and the ranking of
 * the top offenders.
 *
 * @module
 */
import type { Node } from "../ir/graph.ts";
import { activationParams, type QuantModel } from "./quant_model.ts";
import {
  addCosineSumsInto,
  type ChannelCodes,
  type ChannelCosineSums,
  type ClassAgreement,
  collapseOf,
  copyChannelCodes,
  copyCosineSums,
  cosineSpread,
  mergeChannelCodesInto,
} from "./precision_channels.ts";
import type {
  Metric,
  OutputAgreement,
  PrecisionMeasure,
  PrecisionNode,
  PrecisionRow,
} from "./precision_analysis.ts";

/** How many of the largest isolated errors are marked as top offenders. */
export const TOP_OFFENDERS = 10;

interface MetricSum {
  cos: number;
  mse: number;
  n: number;
}

interface Sum extends MetricSum {
  shape: number[];
  isolated?: MetricSum;
  accumulated?: MetricSum;
  codes?: ChannelCodes;
  channelCosine?: ChannelCosineSums;
  classes?: ClassAgreement;
}

function addMetric(sum: MetricSum | undefined, m: Metric | undefined): MetricSum | undefined {
  if (!m) return sum;
  const s = sum ?? { cos: 0, mse: 0, n: 0 };
  s.cos += m.cosine;
  s.mse += m.mse;
  s.n++;
  return s;
}

function mean(s: MetricSum | undefined): Metric | undefined {
  return s && s.n ? { cosine: s.cos / s.n, mse: s.mse / s.n } : undefined;
}

function addSample(e: Sum, m: PrecisionMeasure): void {
  e.cos += m.cosine;
  e.mse += m.mse;
  e.n++;
  e.isolated = addMetric(e.isolated, m.isolated);
  e.accumulated = addMetric(e.accumulated, m.accumulated);
  // the sums are this row's own copies, added to in place sample after sample
  if (m.codes) {
    e.codes = e.codes ? mergeChannelCodesInto(e.codes, m.codes) : copyChannelCodes(m.codes);
  }
  if (m.channelCosine) {
    const s = m.channelCosine;
    e.channelCosine = e.channelCosine ? addCosineSumsInto(e.channelCosine, s) : copyCosineSums(s);
  }
  if (m.classes) {
    const c = e.classes ?? { rows: 0, top1: 0, top5: 0 };
    e.classes = {
      rows: c.rows + m.classes.rows,
      top1: c.top1 + m.classes.top1,
      top5: c.top5 + m.classes.top5,
    };
  }
}

function agreementOf(e: Sum): OutputAgreement | undefined {
  if (!e.channelCosine) return undefined;
  const spread = cosineSpread(e.channelCosine);
  const c = e.classes;
  return {
    samples: e.n,
    channelCosineMin: spread.min,
    channelCosineMedian: spread.median,
    ...(c && c.rows ? { top1: c.top1 / c.rows, top5: c.top5 / c.rows } : {}),
  };
}

/** The fused chain that ends at `node`: its fused producers first, then `node`. */
export function chainOf(
  node: Node,
  fused: ReadonlySet<string>,
  producers: Map<string, Node>,
): Node[] {
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
export function quantizedOutputs(q: QuantModel): string[] {
  return q.model.graph.outputs.map((v) => v.name).filter((n) => activationParams(q, n));
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
      addSample(e, m);
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
    ...withDetails(e),
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
  rankOffenders(rows);
  return rows;
}

/** The optional fields of a row that its sums have (rows carry no undefined fields). */
function withDetails(e: Sum): Partial<PrecisionRow> {
  const d: Partial<PrecisionRow> = {};
  const isolated = mean(e.isolated);
  const accumulated = mean(e.accumulated);
  const agreement = agreementOf(e);
  if (isolated) d.isolated = isolated;
  if (accumulated) d.accumulated = accumulated;
  if (e.codes) d.collapse = collapseOf(e.codes);
  if (agreement) d.agreement = agreement;
  return d;
}

/**
 * Rank the {@linkcode TOP_OFFENDERS} operator rows with the largest isolated error
 * (1 − cosine, then MSE); rows whose operator is exact are never offenders.
 */
function rankOffenders(rows: PrecisionRow[]): void {
  const err = (r: PrecisionRow) => 1 - (r.isolated?.cosine ?? 1);
  const ranked = rows
    .filter((r) => r.kind === "node" && r.isolated && (err(r) > 0 || r.isolated.mse > 0))
    .sort((a, b) => err(b) - err(a) || (b.isolated?.mse ?? 0) - (a.isolated?.mse ?? 0));
  ranked.slice(0, TOP_OFFENDERS).forEach((r, i) => (r.offender = i + 1));
}
