/**
 * Model check (`hb_mapper checker`, spec `horizon.md` §2): the float model with its input
 * shapes overridden, the front-end graph passes applied and shapes inferred, partitioned with
 * the target's legality — where each node would run and why, before any calibration.
 *
 * @module
 */
import type { Model } from "../ir/graph.ts";
import type { OpRegistry } from "../ops/op.ts";
import type { Logger } from "../util/log.ts";
import type { PartitionResult } from "../compile/types.ts";
import type { Target } from "../../targets/target.ts";
import { applyInputShapes } from "../preprocess/input_shapes.ts";
import { optimizeFrontend } from "../passes/frontend.ts";
import { partitionModel } from "../partition/partition.ts";
import { type CheckerRow, checkerRows } from "./checker_table.ts";

/** Options of {@linkcode checkModel}. */
export interface ModelCheckOptions {
  /** Operators (shape inference, constant folding). */
  readonly registry: OpRegistry;
  /** Receives the passes' progress lines. */
  readonly log: Logger;
  /** `--input-shape` overrides as `name:1x3x224x224;…` (pulsar2 `input_shapes` form). */
  readonly inputShapes?: string;
}

/** What {@linkcode checkModel} found. */
export interface ModelCheck {
  /** Where each node runs. */
  readonly partition: PartitionResult;
  /** The checker table rows, in node order. */
  readonly rows: readonly CheckerRow[];
  /** Number of BPU subgraphs (1 is ideal). */
  readonly bpuSubgraphs: number;
}

/**
 * Check `model` for `target`. The model is edited in place (shapes, passes).
 *
 * @param model the float model (ONNX, or a converted Caffe net)
 * @param target the march's target
 * @param opts operators, log and input shape overrides
 * @returns the placement of every node
 * @throws {ConfigError} when an input shape names an unknown input or changes a rank
 * @throws {UnsupportedOpError} when an operator has no shape inference
 */
export function checkModel(model: Model, target: Target, opts: ModelCheckOptions): ModelCheck {
  const { log, registry } = opts;
  if (opts.inputShapes) applyInputShapes(model, opts.inputShapes, log, { registry });
  const report = optimizeFrontend(model, { registry, log });
  for (const p of report.passes) if (p.count) log.info(`${p.name}: ${p.count} rewrite(s)`);
  const partition = partitionModel(model, target, { registry });
  const rows = checkerRows(partition);
  const bpuSubgraphs = partition.parts.filter((p) => p.kind === "npu").length;
  return { partition, rows, bpuSubgraphs };
}
