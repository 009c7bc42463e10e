/**
 * `hb_compile --fast-perf` (spec `horizon.md` §4): the built-in configuration written as a
 * starter YAML under `.fast_perf/` — which the conversion then reads like any other —, and
 * the model check of `hb_compile` without `--config` (the placement table of the float model
 * for the march).
 *
 * The built-in configuration: featuremap inputs with no pre-processing, `calibration_type:
 * skip` (generated data), every removable operator type at the model's head and tail removed
 * (`remove_node_type`), everything the BPU can run on the BPU (axb never keeps a BPU-capable
 * node on the CPU for accuracy, so no `node_info` is needed for that).
 *
 * @module
 */
import { basename, join } from "node:path";
import type { Model } from "../../ir/graph.ts";
import type { OpRegistry } from "../../ops/op.ts";
import type { Target } from "../../../targets/target.ts";
import { partitionModel } from "../../partition/partition.ts";
import { formatPlacementTable } from "../../partition/placement_table.ts";
import { writeFileAtomic } from "../../util/atomic_write.ts";

/** The operator types fast-perf removes at the head and tail (§4). */
export const REMOVABLE_TYPES = [
  "Quantize",
  "Transpose",
  "Dequantize",
  "Cast",
  "Reshape",
  "Softmax",
];

/** One `--input-shape NAME SHAPE`. */
export interface ShapeFlag {
  readonly name: string;
  readonly shape: readonly number[];
}

/** The starter YAML of fast-perf for `model` (path as given) on `march`. */
export function fastPerfYaml(
  model: string,
  march: string,
  shapes: readonly ShapeFlag[],
  proto?: string,
): string {
  const stem = basename(model).replace(/\.(onnx|caffemodel)$/i, "");
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const lines = [
    "# Written by axb hb_compile --fast-perf: the built-in configuration, as a starting point.",
    "model_parameters:",
    ...(proto
      ? [`  prototxt: ${q(proto)}`, `  caffe_model: ${q(model)}`]
      : [`  onnx_model: ${q(model)}`]),
    `  march: ${q(march)}`,
    `  output_model_file_prefix: ${q(stem)}`,
    "  working_dir: 'model_output'",
    `  remove_node_type: ${q(REMOVABLE_TYPES.join(";"))}`,
    "input_parameters:",
  ];
  if (shapes.length > 0) {
    lines.push(
      `  input_name: ${q(shapes.map((s) => s.name).join(";"))}`,
      `  input_shape: ${q(shapes.map((s) => s.shape.join("x")).join(";"))}`,
    );
  }
  const each = (v: string) =>
    q(Array.from({ length: Math.max(1, shapes.length) }, () => v).join(";"));
  lines.push(
    `  input_type_train: ${each("featuremap")}`,
    `  input_layout_train: ${each("NCHW")}`,
    `  input_type_rt: ${each("featuremap")}`,
    `  norm_type: ${each("no_preprocess")}`,
    "calibration_parameters:",
    "  calibration_type: 'skip'",
    "compiler_parameters:",
    "  compile_mode: 'latency'",
    "  core_num: 1",
    "  optimize_level: 'O2'",
    "",
  );
  return lines.join("\n");
}

/** Write the starter YAML to `.fast_perf/<stem>_config.yaml`; returns its path. */
export async function writeFastPerfYaml(
  model: string,
  march: string,
  shapes: readonly ShapeFlag[],
  proto?: string,
  dir = ".fast_perf",
): Promise<string> {
  const stem = basename(model).replace(/\.(onnx|caffemodel)$/i, "");
  const path = join(dir, `${stem}_config.yaml`);
  await writeFileAtomic(path, fastPerfYaml(model, march, shapes, proto));
  return path;
}

/** The model check: where every node of the float model runs on `target`, as a table. */
export function checkModel(model: Model, target: Target, registry: OpRegistry): string {
  const result = partitionModel(model, target, { registry });
  const reasons = result.placements.filter((p) => p.on === "CPU" && p.reason).map((p) =>
    `${p.node.name}: ${p.reason}`
  );
  return formatPlacementTable(result).replace(/\bNPU\b/g, "BPU") +
    (reasons.length ? reasons.join("\n") + "\n" : "");
}
