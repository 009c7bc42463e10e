/**
 * The runtime kernel of `ai.axb.npu::NpuSubgraph`: runs the node's QDQ program with the
 * integer reference emulator, splitting the input batch (dim 0) over the compiled batch
 * sizes (greedy, largest first) and concatenating the results along each output's batch
 * axis (dim 0, unless an output permutation moved it: `batch_axes`).
 *
 * The emulator is built lazily on the node's first run, so preparing a container
 * (inspection, shape inference) costs nothing.
 *
 * @module
 */
import { Graph, type Model } from "../ir/graph.ts";
import type { Tensor } from "../ir/tensor.ts";
import type { TensorType } from "../ir/types.ts";
import { defineOp, type OpRegistry, type RegisteredOp } from "../ops/op.ts";
import { QuantEmulator } from "../quant/emulator.ts";
import { fromQdqModel } from "../quant/qdq_import.ts";
import { KernelError } from "../errors/mod.ts";
import { NPU_DOMAIN, NPU_OP_TYPE, programModel, readNpuAttributes } from "./_npu_node.ts";
import { type BatchChunk, concatBatch, decomposeBatch, sliceBatch } from "./batch.ts";

/** What one run of an NPU node did (for the `running npu subgraph` log). */
export interface NpuRun {
  /** Node name (`subgraph_npu_0`, `subgraph_npu_0_g1`). */
  readonly node: string;
  /** Input-shape group the node belongs to. */
  readonly group: number;
  /** The batch that was fed. */
  readonly batch: number;
  /** Compiled batch sizes available. */
  readonly batches: readonly number[];
  /** The NPU runs it took, in order. */
  readonly chunks: readonly BatchChunk[];
}

/**
 * The log lines of one node run: the vendor's per-run line (`target batch` is an index
 * into the compiled batches, so scripts that read it keep working) with the batch size it
 * stands for, preceded, when the batch was split or padded, by the split in sizes
 * (`batch 3 = 2 + 1`).
 */
export function npuRunLog(run: NpuRun): string[] {
  const lines = run.chunks.map((c) =>
    `running npu subgraph: ${run.node}, version: 1, target batch: ${c.index} (size ${c.batch})`
  );
  const single = run.chunks.length === 1 && run.chunks[0].take === run.batch &&
    run.chunks[0].batch === run.batch;
  if (single) return lines;
  const sizes = run.chunks.map((
    c,
  ) => (c.take < c.batch ? `${c.take} (padded to ${c.batch})` : c.batch));
  return [
    `${run.node}: batch ${run.batch} = ${sizes.join(" + ")} over the compiled batches [${
      run.batches.join(", ")
    }]`,
    ...lines,
  ];
}

/** Options of {@linkcode npuSubgraphOp}. */
export interface NpuSubgraphOpOptions {
  /** Called after every run of an NPU node. */
  onRun?: (run: NpuRun) => void;
}

/** The registered op plus the last run of each node it executed. */
export interface NpuSubgraphOp extends RegisteredOp {
  /** Last run per node name. */
  readonly lastRuns: ReadonlyMap<string, NpuRun>;
}

interface Parsed {
  readonly name: string;
  readonly group: number;
  readonly batches: readonly number[];
  readonly program: Model;
  /** Program input names in node-input order, and output names in node-output order. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly outputTypes: readonly (TensorType | undefined)[];
  /** Batch axis of each output, in node-output order. */
  readonly outputAxes: readonly number[];
  /** Built on first run. */
  emulator?: QuantEmulator;
}

/** Bind node I/O to program I/O: by name when every name matches, else by position. */
function bindNames(nodeNames: readonly string[], programNames: readonly string[]): string[] {
  const set = new Set(nodeNames);
  return programNames.every((n) => set.has(n)) && set.size === programNames.length
    ? [...nodeNames]
    : [...programNames];
}

function programIo(g: Graph, nodeIn: readonly string[], nodeOut: readonly string[]) {
  const runtime = g.runtimeInputs.map((v) => v.name);
  return {
    inputNames: bindNames(nodeIn, runtime),
    outputNames: bindNames(nodeOut, g.outputs.map((v) => v.name)),
  };
}

/**
 * The program with symbolic dims on every runtime input, so each compiled batch size and
 * each input-shape group can be fed (the program is shape-agnostic; the dims it was
 * exported with only record the shape of group 0 at batch 1). The rank is kept. Each
 * input gets its own dim names: a name shared by two inputs would make the feed check
 * demand equal sizes of inputs that have different shapes.
 */
function withFreeBatch(m: Model): Model {
  const src = m.graph;
  const g = new Graph({
    name: src.name,
    nodes: src.nodes,
    outputs: src.outputs,
    inputs: src.inputs.map((v, k) => {
      const t = v.type;
      if (src.initializers.has(v.name) || !t || "kind" in t || !t.shape?.length) return v;
      // one symbol per input and axis: inputs of different shapes must not bind each other's
      return { ...v, type: { dtype: t.dtype, shape: t.shape.map((_, i) => `axb_in${k}_d${i}`) } };
    }),
  });
  g.initializers = src.initializers;
  g.valueInfo = src.valueInfo;
  g.opaque = src.opaque;
  g.docString = src.docString;
  return { ...m, graph: g };
}

/**
 * The `ai.axb.npu::NpuSubgraph` operator. Programs run with the operators of
 * `registry` (the built-in registry: programs hold only standard ONNX operators).
 *
 * @param registry operators the program emulator uses
 * @param opts run observer
 * @returns the registered op, with the last run of each node
 */
export function npuSubgraphOp(
  registry: OpRegistry,
  opts: NpuSubgraphOpOptions = {},
): NpuSubgraphOp {
  const lastRuns = new Map<string, NpuRun>();
  const op = defineOp<Parsed>({
    opType: NPU_OP_TYPE,
    domain: NPU_DOMAIN,
    parse(r, ctx) {
      const node = ctx.node;
      const fail = (p: string) => new KernelError(`NPU node "${node.name}" ${p}`);
      const a = readNpuAttributes(r, fail);
      const { inputNames, outputNames } = programIo(a.program, node.inputs, node.outputs);
      if (inputNames.length !== node.inputs.length || outputNames.length !== node.outputs.length) {
        throw fail(
          `has ${node.inputs.length} inputs and ${node.outputs.length} outputs, but its ` +
            `program has ${inputNames.length} and ${outputNames.length}`,
        );
      }
      const outputAxes = a.batchAxes ?? node.outputs.map(() => 0);
      if (outputAxes.length !== node.outputs.length) {
        throw fail(
          `has ${outputAxes.length} batch_axes for ${node.outputs.length} outputs`,
        );
      }
      const byName = new Map(a.program.outputs.map((v) => [v.name, v]));
      const outputTypes = outputNames.map((n) => {
        const t = byName.get(n)?.type;
        return t && !("kind" in t) ? t : undefined;
      });
      return {
        name: node.name,
        group: a.group,
        batches: a.batches,
        program: programModel(a, 8),
        inputNames,
        outputNames,
        outputTypes,
        outputAxes,
      };
    },
    infer(ctx, p) {
      const batch = ctx.inputTypes[0]?.shape?.[0];
      return p.outputTypes.map((t, k) => {
        const axis = p.outputAxes[k];
        if (!t?.shape || t.shape.length <= axis || batch === undefined) return t;
        return { dtype: t.dtype, shape: t.shape.map((d, i) => (i === axis ? batch : d)) };
      });
    },
    run(inputs, p) {
      const feeds: Tensor[] = inputs.map((t, i) => {
        if (!t) throw new KernelError(`NPU node "${p.name}": input ${i} is missing`);
        if (t.rank === 0) {
          throw new KernelError(`NPU node "${p.name}": input ${i} has no batch dim`);
        }
        return t;
      });
      const n = feeds[0].shape[0];
      const other = feeds.findIndex((t) => t.shape[0] !== n);
      if (other >= 0) {
        throw new KernelError(
          `NPU node "${p.name}": input ${other} has batch ${feeds[other].shape[0]}, input 0 ` +
            `has ${n}; every input must carry the same batch`,
        );
      }
      if (n < 1) throw new KernelError(`NPU node "${p.name}": batch is ${n}, expected ≥ 1`);
      // compiled NPU subgraphs compute with the NPU numeric model (fixed-point requant)
      p.emulator ??= new QuantEmulator(fromQdqModel(withFreeBatch(p.program), p.name), registry, {
        arithmetic: "npu",
      });
      const emulator = p.emulator;
      const chunks = decomposeBatch(n, p.batches);
      const parts: Tensor[][] = p.outputNames.map(() => []);
      let start = 0;
      for (const c of chunks) {
        const chunkFeeds = new Map<string, Tensor>();
        feeds.forEach((t, i) =>
          chunkFeeds.set(p.inputNames[i], sliceBatch(t, start, c.take, c.batch))
        );
        const out = emulator.run(chunkFeeds);
        p.outputNames.forEach((name, k) => {
          const t = out.get(name);
          if (!t) throw new KernelError(`NPU node "${p.name}": program gave no output "${name}"`);
          parts[k].push(t);
        });
        start += c.take;
      }
      const takes = chunks.map((c) => c.take);
      const result = parts.map((ps, k) =>
        concatBatch(ps, takes, `NPU node "${p.name}" output "${p.outputNames[k]}"`, p.outputAxes[k])
      );
      const run: NpuRun = { node: p.name, group: p.group, batch: n, batches: p.batches, chunks };
      lastRuns.set(p.name, run);
      opts.onRun?.(run);
      return result;
    },
  });
  return { ...op, lastRuns };
}
