/**
 * Analytic cost model of an AXera NPU subgraph: cycles, DDR bytes and latency of one run
 * of `batch` samples on `cores` cores. It stands in for pulsar2's cycle model, whose only
 * published output is AX650 MobileNetV2 224 → `max_cycle = 450,182`, 0.72 ms
 * (`ops-axera.md` line 36). That is the one calibration point; every hardware number
 * (array size, OCM, DDR bandwidth, clock, vector width) and every constant of
 * `constants.ts` is assumed and named there or in the chip's `HardwareFacts`.
 *
 * Symbols: R×C = `macArray.rows × macArray.cols` (int8 MACs per cycle per core),
 * V = `vectorElementsPerCycle`, M = `onChipMemoryBytes`, f = `clockHz`,
 * B = `ddrBandwidthBytesPerSecond`, N = cores of the plan (`npu_mode`), b = batch.
 *
 * Work per node (`op_work.ts`, shapes from `TargetSubgraph.types`, per sample):
 * - Conv: MACs = |out| · Cin/g · kh · kw. ConvTranspose: |in| · Cout/g · kh · kw.
 *   Gemm: M · N · K. MatMul: |out| · K. (MobileNetV2 sums to 300,774,272, the
 *   `QuantAxModel macs` of the pulsar2 log, `pulsar2-build.md` §7.7.)
 * - Lane utilisation u = rowFill · colFill, fill(n, L) = n / (⌈n/L⌉ · L):
 *   rowFill = fill(Cout/g, R) (depthwise: fill(Cout, R)); colFill = fill(Cin/g, C), but when
 *   Cin/g < C the idle reduction lanes take up to F = `kernelFold` kernel taps:
 *   colFill = min(C, Cin/g · min(kh·kw, F)) / C (depthwise: one input lane × F taps).
 *   Gemm/MatMul: fill(N, R) · fill(K, C).
 * - Vector (teng) elements: element-wise = max(|out|, |in0|) × passes (Softmax,
 *   LayerNormalization … 3 passes); pooling = |out| · kernel window; global pooling and
 *   reductions = |in|.
 * - Which unit runs an op is its cost class in the operator capability table
 *   (`core/quant/op_capabilities.ts`): conv, vector (teng), move (cv) or folded.
 * - Data movement (cv: Reshape, Transpose, Concat, Slice, Resize …): |out| elements.
 * - QuantizeLinear/DequantizeLinear/Identity/Dropout: folded into neighbours (no work; their
 *   outputs alias their first input, so a dequantised weight counts as a weight).
 * - Fusion: an activation of `CONV_PIPELINE_ACTIVATIONS` (Relu, Clip, Sigmoid, …) whose
 *   input is a conv-unit output with no other reader runs in the conv pipeline: no cycles,
 *   no traffic of its own.
 *
 * Cycles of one op on one core (×b for activations; weights once):
 * - conv: b · MACs / (R · C · u · E), E = `macEfficiency`;
 * - teng: b · elements / V; cv: b · elements / (V · `cvRatio`).
 * Multi-core: the op's largest output axis × b gives U units; the busiest core takes ⌈U/N⌉,
 * so unit cycles × ⌈U/N⌉ / U, plus `coreSyncCycles` per op when N > 1. DDR bandwidth and
 * OCM are shared, so DDR-bound ops do not speed up: more cores → sub-linear gain.
 * compute = unit cycles + `opOverheadCycles` + (tiles − 1) · `tileOverheadCycles`
 * (tiles from `tiling.ts` at batch b, at least the plan's tiles).
 *
 * DDR bytes per op (`memory.ts`): `ld:param` = weights (S8, bias S32) once per run;
 * `ld:input` / `st:output` = subgraph inputs/outputs (U8, × b); `st:ddr_swap` /
 * `ld:ddr_swap` = activations evicted from OCM (Belady order) and reloaded, plus the part of
 * an op's own working set beyond M, streamed out and back in. `enable_slice_mode` divides the
 * on-chip footprint of chain intermediates by `sliceModeParts` (4: a chain runs over row
 * slices), `enable_tile_mode` by `tileModeParts` (2: producer/consumer ping-pong over tiles),
 * both by their product; this removes spills whose cause is a chain intermediate, never
 * adds traffic. Bandwidth: B' = min(B, `ddr_bw_limit` · 1e9) when the limit is > 0, in bytes
 * per cycle B'/f; ddr cycles = bytes / (B'/f).
 *
 * 16-bit activations (only when the caller says so, `TargetSubgraph.activationBits`): their
 * bytes count twice in the traffic, and an op reading or writing one takes
 * `wideActivationPasses` times its unit cycles.
 *
 * Latency: DMA overlaps compute within an op (double buffering), ops run in sequence:
 * cycles_op = max(compute, ddr cycles); total cycles = Σ cycles_op; seconds = cycles / f.
 * Batch: weights and overheads are paid once per run, compute and activation traffic scale
 * with b, so per-sample latency falls until activations stop fitting M and spills grow.
 *
 * @module
 */
import type { Node } from "../../../core/ir/graph.ts";
import type { CostEstimate, ExecutionPlan, HardwareFacts, TargetSubgraph } from "../../target.ts";
import { AXERA_COST_ASSUMPTIONS, type CostAssumptions } from "./constants.ts";
import { type MemTraffic, simulateMemory } from "./memory.ts";
import { dimsOf, elementsOf, type OpWork, opWork, unitOf } from "./op_work.ts";
import { tileCounts, tileNodes } from "./tiling.ts";

/** `compiler.*` options that change the cost (`pulsar2-build.md` §2.6). */
export interface AxeraCostOptions {
  /** `compiler.ddr_bw_limit`, GB/s; 0 or absent = no limit. */
  readonly ddrBwLimitGBps?: number;
  /** `compiler.enable_slice_mode`. */
  readonly sliceMode?: boolean;
  /** `compiler.enable_tile_mode`. */
  readonly tileMode?: boolean;
}

/** Estimate of one NPU op (fused activations included), for `npu_perf` and the trace. */
export interface OpEstimate {
  /** Node name (the conv's, when an activation is fused into it). */
  readonly name: string;
  readonly opType: string;
  /** Names of activation nodes fused into this op. */
  readonly fused: readonly string[];
  readonly unit: "conv" | "teng" | "cv";
  /** MACs for the whole batch. */
  readonly macs: number;
  readonly tiles: number;
  /** Cycles of the compute unit (overheads included). */
  readonly computeCycles: number;
  /** Cycles the DDR transfers need at the (limited) bandwidth. */
  readonly ddrCycles: number;
  /** max(compute, ddr): the op's share of the latency. */
  readonly cycles: number;
  /** Cycle at which the op starts (sum of earlier ops' cycles). */
  readonly startCycles: number;
  readonly ddr: Readonly<MemTraffic>;
  readonly ddrBytes: number;
  /** cycles / clock, milliseconds. */
  readonly ms: number;
}

/** {@linkcode CostEstimate} plus the per-op breakdown and the rates used. */
export interface SubgraphEstimate extends CostEstimate {
  readonly ops: readonly OpEstimate[];
  readonly clockHz: number;
  readonly ddrBytesPerCycle: number;
}

/**
 * Activations the AXera conv pipeline applies to a conv-unit output on its way out
 * (assumed: a ReLU/clamp stage and a lookup table after requantization), so they cost
 * nothing of their own. Every one is a table operator of the capability table, and the
 * quantizer's bounds activations (Relu, Clip) are among them (`model_test.ts`).
 */
export const CONV_PIPELINE_ACTIVATIONS: ReadonlySet<string> = new Set([
  "Relu",
  "Clip",
  "LeakyRelu",
  "PRelu",
  "Sigmoid",
  "HardSigmoid",
  "HardSwish",
  "Tanh",
  "Silu",
]);
/** Operators folded into their neighbours (quantize/dequantize, Identity, Dropout). */
const isFolded = (n: Node) => unitOf(n.opType) === "none";

interface Merged {
  readonly work: OpWork;
  readonly fused: Node[];
  outputs: string[];
  weightBytes: number;
}

/** Largest output axis × batch: the units an op splits over cores. */
function parallelUnits(sub: TargetSubgraph, node: Node, batch: number): number {
  const d = dimsOf(sub.types.get(node.outputs[0] ?? "")?.shape).slice(1);
  return batch * Math.max(1, ...d);
}

/** Value-name aliases through folded ops, resolved transitively. */
function foldedAliases(nodes: readonly Node[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of nodes) {
    if (!isFolded(n) || !n.inputs[0] || !n.outputs[0]) continue;
    m.set(n.outputs[0], m.get(n.inputs[0]) ?? n.inputs[0]);
  }
  return m;
}

/** Group nodes into ops: folded ops vanish, activations join their conv producer. */
function mergeOps(sub: TargetSubgraph, hw: HardwareFacts, a: CostAssumptions): Merged[] {
  const aliases = foldedAliases(sub.nodes);
  const lanes = {
    rows: hw.macArray.rows.value,
    cols: hw.macArray.cols.value,
    kernelFold: a.kernelFold.value,
  };
  const readers = new Map<string, number>();
  for (const n of sub.graph.nodes) {
    if (isFolded(n)) continue;
    for (const i of n.inputs) {
      const k = aliases.get(i) ?? i;
      readers.set(k, (readers.get(k) ?? 0) + 1);
    }
  }
  const graphOut = new Set(sub.graph.outputs.map((o) => o.name));
  const byOutput = new Map<string, Merged>();
  const ops: Merged[] = [];
  for (const node of sub.nodes) {
    if (isFolded(node)) continue;
    const work = opWork(sub, node, lanes, aliases);
    const src = work.inputs[0];
    const producer = src ? byOutput.get(src) : undefined;
    if (
      CONV_PIPELINE_ACTIVATIONS.has(node.opType) && producer && producer.work.unit === "conv" &&
      work.inputs.length === 1 && readers.get(src) === 1 && !graphOut.has(src)
    ) {
      producer.fused.push(node);
      producer.outputs = producer.outputs.filter((o) => o !== src).concat(work.outputs);
      producer.weightBytes += work.weightBytes;
      for (const o of work.outputs) byOutput.set(o, producer);
      continue;
    }
    const m: Merged = {
      work,
      fused: [],
      outputs: [...work.outputs],
      weightBytes: work.weightBytes,
    };
    for (const o of work.outputs) byOutput.set(o, m);
    ops.push(m);
  }
  return ops;
}

/** Values read from outside the subgraph and values read outside it. */
function boundary(sub: TargetSubgraph, ops: readonly Merged[]) {
  const produced = new Set(ops.flatMap((o) => o.outputs));
  const inside = new Set(sub.nodes);
  const inputs = new Set<string>();
  for (const o of ops) for (const v of o.work.inputs) if (!produced.has(v)) inputs.add(v);
  const outputs = new Set<string>();
  for (const v of sub.graph.outputs) if (produced.has(v.name)) outputs.add(v.name);
  for (const n of sub.graph.nodes) {
    if (inside.has(n)) continue;
    for (const i of n.inputs) if (produced.has(i)) outputs.add(i);
  }
  return { inputs, outputs };
}

/**
 * Per-op estimate of one run of `sub` under `plan`.
 *
 * @param sub the NPU subgraph (nodes in topological order)
 * @param hw the chip's hardware facts
 * @param plan batch, cores and (optional) tiling
 * @param opts compiler options that change the cost
 * @param a the cost model's assumptions
 */
export function estimateSubgraph(
  sub: TargetSubgraph,
  hw: HardwareFacts,
  plan: ExecutionPlan,
  opts: AxeraCostOptions = {},
  a: CostAssumptions = AXERA_COST_ASSUMPTIONS,
): SubgraphEstimate {
  const b = Math.max(1, plan.batch);
  const cores = Math.max(1, plan.cores);
  const clockHz = hw.clockHz.value;
  const limit = opts.ddrBwLimitGBps ?? 0;
  const bw = limit > 0
    ? Math.min(hw.ddrBandwidthBytesPerSecond.value, limit * 1e9)
    : hw.ddrBandwidthBytesPerSecond.value;
  const ddrBytesPerCycle = bw / clockHz;
  const ops = mergeOps(sub, hw, a);
  const { inputs, outputs } = boundary(sub, ops);
  const actBytes = a.activationBytes.value;
  const bytesPer = (v: string) => {
    const bits = sub.activationBits?.get(v);
    return bits ? bits / 8 : actBytes;
  };
  const wide = (o: Merged) =>
    [...o.work.inputs, ...o.outputs].some((v) => (sub.activationBits?.get(v) ?? 8) > 8);
  const chainParts = (opts.sliceMode ? a.sliceModeParts.value : 1) *
    (opts.tileMode ? a.tileModeParts.value : 1);
  const traffic = simulateMemory(
    ops.map((o) => ({ inputs: o.work.inputs, outputs: o.outputs, weightBytes: o.weightBytes })),
    {
      ocmBytes: hw.onChipMemoryBytes.value,
      bytesOf: (v) => elementsOf(sub.types.get(v)?.shape) * bytesPer(v) * b,
      subgraphInputs: inputs,
      subgraphOutputs: outputs,
      chainParts,
      weightBufferFraction: a.weightBufferFraction.value,
    },
  );
  const ownTiles = tileCounts(tileNodes(sub, hw, b, a));
  const planTiles = tileCounts(plan.tiling);
  const macPeak = hw.macArray.rows.value * hw.macArray.cols.value * a.macEfficiency.value;
  const v = hw.vectorElementsPerCycle.value;
  let start = 0;
  const result = ops.map((o, k): OpEstimate => {
    const w = o.work;
    const name = w.node.name;
    let unitCycles = 0;
    if (w.unit === "conv") unitCycles = (b * w.macs) / (macPeak * w.laneUtilisation);
    else if (w.unit === "cv") unitCycles = (b * w.moveElements) / (v * a.cvRatio.value);
    else unitCycles = (b * w.vectorElements) / v;
    if (wide(o)) unitCycles *= a.wideActivationPasses.value;
    const units = parallelUnits(sub, w.node, b);
    unitCycles = unitCycles * Math.ceil(units / cores) / units;
    const tiles = Math.max(ownTiles.get(name) ?? 1, planTiles.get(name) ?? 1);
    const computeCycles = unitCycles + a.opOverheadCycles.value +
      (tiles - 1) * a.tileOverheadCycles.value + (cores > 1 ? a.coreSyncCycles.value : 0);
    const t = traffic[k];
    const ddrBytes = t.loadParams + t.loadInput + t.loadSwap + t.storeSwap + t.storeOutput;
    const ddrCycles = ddrBytes / ddrBytesPerCycle;
    const cycles = Math.max(computeCycles, ddrCycles);
    const est: OpEstimate = {
      name,
      opType: w.node.opType,
      fused: o.fused.map((n) => n.name),
      unit: w.unit === "none" ? "cv" : w.unit,
      macs: b * w.macs,
      tiles,
      computeCycles,
      ddrCycles,
      cycles,
      startCycles: start,
      ddr: t,
      ddrBytes,
      ms: (cycles / clockHz) * 1e3,
    };
    start += cycles;
    return est;
  });
  const cycles = result.reduce((s, o) => s + o.cycles, 0);
  return {
    ops: result,
    cycles: Math.round(cycles),
    ddrBytes: result.reduce((s, o) => s + o.ddrBytes, 0),
    latencySeconds: cycles / clockHz,
    clockHz,
    ddrBytesPerCycle,
  };
}
