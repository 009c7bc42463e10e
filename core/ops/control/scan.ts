/**
 * Scan: iterate `body` over slices of the scan inputs while threading state values.
 *
 * Opset 9+: inputs are N states then M scan inputs; `scan_input_axes`/`_directions`
 * choose the sliced axis and walk order per input, `scan_output_axes`/`_directions` where
 * and in which order the per-iteration outputs are stacked.
 * Opset 8: input 0 is the optional sequence_lens; every input has a leading batch axis,
 * scan inputs are sliced along axis 1, scan outputs are [batch, seq, …], padded with zeros
 * past each entry's length.
 *
 * @module
 */
import { KernelError } from "../../errors/mod.ts";
import type { Graph } from "../../ir/graph.ts";
import { Tensor } from "../../ir/tensor.ts";
import type { Dim, TensorType } from "../../ir/types.ts";
import { intsOf, normalizeAxis, where } from "../_util.ts";
import { defineOp, type KernelContext } from "../op.ts";
import { bodyTensors, requireTensorBody, stackAlong, takeAlong, tensorTypeOf } from "./_stack.ts";

/** Parsed Scan attributes. */
export interface ScanAttrs {
  readonly body: Graph;
  readonly numScanInputs: number;
  /** Opset 8 batched form (input 0 = sequence_lens). */
  readonly batched: boolean;
  readonly inputAxes: readonly number[];
  readonly inputDirections: readonly number[];
  readonly outputAxes: readonly number[];
  readonly outputDirections: readonly number[];
}

/** Run the body over one (unbatched) problem; returns final states and scan outputs. */
function scanOnce(
  states: Tensor[],
  scanInputs: readonly Tensor[],
  attrs: ScanAttrs,
  ctx: KernelContext,
  limit?: number,
): { states: Tensor[]; scans: Tensor[][] } {
  const body = attrs.body;
  const n = states.length;
  const k = body.outputs.length - n;
  const axes = scanInputs.map((t, j) => normalizeAxis(attrs.inputAxes[j] ?? 0, t.rank, ctx));
  const len = scanInputs.length ? scanInputs[0].shape[axes[0]] : 0;
  scanInputs.forEach((t, j) => {
    if (t.shape[axes[j]] !== len) {
      throw new KernelError(
        `${where(ctx)}: scan input ${j} has length ${t.shape[axes[j]]} on its scan axis, ` +
          `expected ${len} like scan input 0`,
      );
    }
  });
  const steps = limit ?? len;
  const names = body.inputs.map((v) => v.name);
  const scans: Tensor[][] = Array.from({ length: k }, () => []);
  for (let t = 0; t < steps; t++) {
    const feeds = new Map<string, Tensor>();
    for (let i = 0; i < n; i++) feeds.set(names[i], states[i]);
    scanInputs.forEach((x, j) => {
      const rev = (attrs.inputDirections[j] ?? 0) === 1;
      const idx = rev ? (limit ?? len) - 1 - t : t;
      feeds.set(names[n + j], takeAlong(x, axes[j], idx));
    });
    const outs = bodyTensors(ctx.runSubgraph(body, feeds), body, ctx);
    states = outs.slice(0, n);
    for (let j = 0; j < k; j++) scans[j].push(outs[n + j]);
  }
  return { states, scans };
}

function emptyOf(attrs: ScanAttrs, j: number): { dtype: Tensor["dtype"]; shape: number[] } {
  const t = tensorTypeOf(attrs.body.outputs[j]);
  const shape = t?.shape?.every((d) => typeof d === "number") ? t.shape.map(Number) : [];
  return { dtype: t?.dtype ?? "f32", shape };
}

function runScan9(inputs: readonly (Tensor | undefined)[], attrs: ScanAttrs, ctx: KernelContext) {
  const all = inputs.map((t, i) => {
    if (!t) throw new KernelError(`${where(ctx)}: input ${i} is missing`);
    return t;
  });
  const n = all.length - attrs.numScanInputs;
  const { states, scans } = scanOnce(all.slice(0, n), all.slice(n), attrs, ctx);
  const outs = scans.map((list, j) => {
    const ordered = (attrs.outputDirections[j] ?? 0) === 1 ? [...list].reverse() : list;
    const empty = emptyOf(attrs, n + j);
    const rank = (list[0]?.rank ?? empty.shape.length) + 1;
    const axis = normalizeAxis(attrs.outputAxes[j] ?? 0, rank, ctx);
    return stackAlong(ordered, axis, empty, ctx);
  });
  return [...states, ...outs];
}

function runScan8(inputs: readonly (Tensor | undefined)[], attrs: ScanAttrs, ctx: KernelContext) {
  const all = inputs.slice(1).map((t, i) => {
    if (!t) throw new KernelError(`${where(ctx)}: input ${i + 1} is missing`);
    return t;
  });
  const n = all.length - attrs.numScanInputs;
  const batch = all[0]?.shape[0] ?? 0;
  const seq = all[n]?.shape[1] ?? 0;
  const lens = inputs[0] ? intsOf(inputs[0]) : new Array<number>(batch).fill(seq);
  const k = attrs.body.outputs.length - n;
  const finals: Tensor[][] = Array.from({ length: n }, () => []);
  const scans: Tensor[][] = Array.from({ length: k }, () => []);
  const batchAttrs = { ...attrs, inputAxes: [] };
  for (let b = 0; b < batch; b++) {
    const len = lens[b];
    if (len < 0 || len > seq) {
      throw new KernelError(`${where(ctx)}: sequence_lens[${b}] is ${len}, expected 0..${seq}`);
    }
    const r = scanOnce(
      all.slice(0, n).map((t) => takeAlong(t, 0, b)),
      all.slice(n).map((t) => takeAlong(t, 0, b)),
      batchAttrs,
      ctx,
      len,
    );
    r.states.forEach((s, i) => finals[i].push(s));
    r.scans.forEach((list, j) => {
      const empty = emptyOf(attrs, n + j);
      const proto = list[0] ?? new Tensor(empty.dtype, empty.shape);
      const padded = [...list];
      while (padded.length < seq) padded.push(new Tensor(proto.dtype, proto.shape));
      scans[j].push(stackAlong(padded, 0, empty, ctx));
    });
  }
  return [
    ...finals.map((list, i) => stackAlong(list, 0, { dtype: all[i].dtype, shape: [] }, ctx)),
    ...scans.map((list, j) => stackAlong(list, 0, emptyOf(attrs, n + j), ctx)),
  ];
}

/** Scan (opsets 8-21). */
export const scan = defineOp<ScanAttrs>({
  opType: "Scan",
  parse(attrs, ctx) {
    const body = attrs.graph("body");
    requireTensorBody(body, "body", ctx);
    const numScanInputs = attrs.int("num_scan_inputs", -1);
    if (numScanInputs < 1) {
      throw new KernelError(`${where(ctx)}: num_scan_inputs is ${numScanInputs}, expected >= 1`);
    }
    const batched = ctx.opset < 9;
    return {
      body,
      numScanInputs,
      batched,
      inputAxes: batched ? [] : attrs.ints("scan_input_axes", []),
      inputDirections: batched
        ? attrs.ints("directions", [])
        : attrs.ints("scan_input_directions", []),
      outputAxes: batched ? [] : attrs.ints("scan_output_axes", []),
      outputDirections: batched ? [] : attrs.ints("scan_output_directions", []),
    };
  },
  infer(ctx, attrs) {
    const stateCount = ctx.node.inputs.length - (attrs.batched ? 1 : 0) - attrs.numScanInputs;
    const off = attrs.batched ? 1 : 0;
    return ctx.node.outputs.map((_, i): TensorType | undefined => {
      if (i < stateCount) return ctx.inputTypes[off + i] ?? tensorTypeOf(attrs.body.outputs[i]);
      const t = tensorTypeOf(attrs.body.outputs[i]);
      if (!t?.shape) return t ? { dtype: t.dtype } : undefined;
      const shape: Dim[] = [...t.shape];
      if (attrs.batched) shape.unshift(null, null);
      else {
        const j = i - stateCount;
        const a = attrs.outputAxes[j] ?? 0;
        shape.splice(a < 0 ? a + shape.length + 1 : a, 0, null);
      }
      return { dtype: t.dtype, shape };
    });
  },
  run: (inputs, attrs, ctx) =>
    attrs.batched ? runScan8(inputs, attrs, ctx) : runScan9(inputs, attrs, ctx),
});
