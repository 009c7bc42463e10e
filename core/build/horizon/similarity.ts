/**
 * The makertbin similarity table (spec `horizon.md` §9.2): per model output node, where it
 * runs, the cosine similarity between the float model's output and the quantized model's
 * (emulated) output over a few calibration samples, and the calibration threshold (the
 * largest absolute calibrated value of that output).
 *
 * The `Type` column names axb's own implementation: `<activation type><op>` for BPU nodes
 * (`S8Conv`; `S32Conv` for a Conv that keeps its 32-bit accumulator at a model output),
 * the ONNX type for CPU nodes.
 *
 * @module
 */
import type { Model } from "../../ir/graph.ts";
import type { Tensor } from "../../ir/tensor.ts";
import type { OpRegistry } from "../../ops/op.ts";
import { Executor } from "../../exec/executor.ts";
import { QuantEmulator } from "../../quant/emulator.ts";
import type { QuantModel } from "../../quant/quant_model.ts";
import type { TensorStats } from "../../quant/calibrate.ts";
import { similarity } from "../../report/metrics.ts";

/** One row of the table. */
export interface SimilarityRow {
  readonly node: string;
  readonly on: "BPU" | "CPU" | "--";
  readonly subgraph: string;
  readonly type: string;
  readonly cosine: number;
  readonly threshold: number;
}

/** Where a node runs, when the compile stage placed it. */
export type PlacementOf = (node: string) => { on: "NPU" | "CPU"; subgraph: string } | undefined;

/** Cosine similarity of two equally long vectors (1 when both are zero), as reports compute it. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return similarity(a, b).cosine;
}

/** Compute the rows for every output of `float` (its producer's name heads the row). */
export function similarityRows(
  float: Model,
  quant: QuantModel,
  samples: readonly Map<string, Tensor>[],
  stats: ReadonlyMap<string, TensorStats>,
  registry: OpRegistry,
  placementOf: PlacementOf,
): SimilarityRow[] {
  const exec = new Executor(float, registry);
  const emu = new QuantEmulator(quant, registry);
  const outs = float.graph.outputs.map((o) => o.name);
  const f: number[][] = outs.map(() => []);
  const q: number[][] = outs.map(() => []);
  for (const s of samples) {
    const fr = exec.run(s);
    const qr = emu.run(s);
    outs.forEach((o, i) => {
      for (const v of fr.get(o)?.data ?? []) f[i].push(Number(v));
      for (const v of qr.get(o)?.data ?? []) q[i].push(Number(v));
    });
  }
  const producers = float.graph.producers();
  return outs.map((o, i) => {
    const node = producers.get(o);
    const name = node?.name ?? o;
    const where = placementOf(name);
    const act = quant.activations.get(o);
    const qtype = act?.kind === "quant" ? act.qtype : "S32";
    const st = stats.get(o)?.observed;
    return {
      node: name,
      on: where ? (where.on === "NPU" ? "BPU" : "CPU") : "--",
      subgraph: where?.on === "NPU" ? `id(${/_(\d+)$/.exec(where.subgraph)?.[1] ?? 0})` : "--",
      type: where?.on === "CPU" ? node?.opType ?? "" : `${qtype}${node?.opType ?? ""}`,
      cosine: cosineSimilarity(f[i], q[i]),
      threshold: st ? Math.max(Math.abs(st.min), Math.abs(st.max)) : 0,
    };
  });
}

/** The console table, columns padded like §9.2. */
export function formatSimilarityTable(rows: readonly SimilarityRow[]): string {
  const cells = [
    ["Node", "ON", "Subgraph", "Type", "Cosine Similarity", "Threshold"],
    ...rows.map((r) => [
      r.node,
      r.on,
      r.subgraph,
      r.type,
      r.cosine.toFixed(6),
      r.threshold.toFixed(6),
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((x, c) => x.padEnd(widths[c])).join("  ").trimEnd();
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  const [head, ...body] = cells.map(line);
  return ["=".repeat(total), head, "-".repeat(total), ...body].join("\n");
}
