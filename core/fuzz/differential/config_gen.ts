/**
 * The differential generator's build configs: a random AXera target and NPU mode, random
 * `quant.layer_configs` (U8/U16/S16/FP32 by op type, layer name or tensor range),
 * `input_processors` (runtime dtype and layout, mean/std), `output_processors` (`dst_perm`,
 * `output_dtype`) and batch settings (`static_batch_sizes`, `max_dynamic_batch_size`).
 *
 * Conv never gets `data_type: FP32` (pulsar2 refuses it; `layer_config_rules.ts`): its
 * entries ask for a float output instead (`output_data_type: FP32`).
 *
 * @module
 */
import type { JsonObject } from "../../build/_acceptance_helpers.ts";
import type { Target } from "../../../targets/target.ts";
import type { Rng } from "../rng.ts";
import type { GeneratedModel } from "./model_gen.ts";

/** An activation precision a config asks for. */
export type Precision = "U8" | "U16" | "S16" | "FP32";
const PRECISIONS: readonly Precision[] = ["U8", "U16", "S16", "FP32"];

/** Operators whose generated constant indices carry batch 1 (the model runs at batch 1). */
const BATCH_ONE_OPS: ReadonlySet<string> = new Set(["GatherElements", "GatherND"]);

/** One generated config. */
export interface GeneratedConfig {
  /** The config as written (without `quant.input_configs`, which the runner adds). */
  readonly raw: JsonObject;
  /** Samples per `axb run` of the compiled model (its batch). */
  readonly runBatch: number;
  /**
   * The precision every activation has when one entry covers the whole model, else "U8"
   * (the default of the tensors no entry covers): it chooses the cosine floor.
   */
  readonly precision: Precision;
  /** A one-line summary for reports. */
  readonly note: string;
}

/** A layer config entry for `nodes` (node names and op types of the model). */
function layerConfig(
  rng: Rng,
  m: GeneratedModel,
  names: readonly { name: string; op: string; out: string; first: string }[],
): { entry: JsonObject; whole: boolean; dt: Precision } {
  const dt = rng.pick(PRECISIONS);
  const ops = [...new Set(m.ops)];
  const form = rng.int(0, 3);
  const hasConv = ops.includes("Conv");
  const typeFor = (covered: readonly string[]) =>
    dt === "FP32" && covered.includes("Conv")
      ? { data_type: "U8", output_data_type: "FP32" }
      : { data_type: dt };
  if (form === 0) {
    return { entry: { op_types: ops, ...typeFor(ops) }, whole: !(dt === "FP32" && hasConv), dt };
  }
  if (form === 1) {
    const op = rng.pick(ops);
    return { entry: { op_type: op, ...typeFor([op]) }, whole: false, dt };
  }
  if (form === 2) {
    const n = rng.pick(names);
    return { entry: { layer_name: n.name, ...typeFor([n.op]) }, whole: false, dt };
  }
  // a tensor range from one node's input to a later node's output
  const i = rng.int(0, names.length - 1);
  const j = rng.int(i, names.length - 1);
  const covered = names.slice(i, j + 1).map((n) => n.op);
  return {
    entry: {
      start_tensor_names: [names[i].first],
      end_tensor_names: [names[j].out],
      ...typeFor(covered),
    },
    whole: false,
    dt,
  };
}

function perm(rng: Rng, rank: number, keepFirst: boolean): number[] {
  const p = Array.from({ length: rank }, (_, i) => i);
  for (let i = rank - 1; i > (keepFirst ? 1 : 0); i--) {
    const j = rng.int(keepFirst ? 1 : 0, i);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * Generate a config for `m` on one of `targets` (the AXera ones).
 *
 * @param rng the case's random stream
 * @param m the model
 * @param target the target the case builds for
 */
export function generateConfig(rng: Rng, m: GeneratedModel, target: Target): GeneratedConfig {
  const notes: string[] = [target.name];
  const npuMode = rng.pick(target.npuModes).name;
  const quant: JsonObject = {};
  const g = m.model.graph;
  const names = g.nodes.map((n) => ({
    name: n.name,
    op: n.opType,
    out: n.outputs[0],
    first: n.inputs[0],
  }));
  let precision: Precision = "U8";
  if (rng.chance(0.5)) {
    const entries: JsonObject[] = [];
    for (let k = rng.int(1, 2); k > 0; k--) {
      const lc = layerConfig(rng, m, names);
      entries.push(lc.entry);
      if (lc.whole && k === 1) precision = lc.dt;
      notes.push(JSON.stringify(lc.entry));
    }
    quant.layer_configs = entries;
  }
  const raw: JsonObject = { target_hardware: target.name, npu_mode: npuMode, quant };
  const first = m.inputs[0];
  if (rng.chance(0.3) && first.shape.length === 4) {
    const c = first.shape[1];
    const u8 = rng.chance(0.6);
    const ip: JsonObject = {
      tensor_name: first.name,
      src_dtype: u8 ? "U8" : "FP32",
      src_layout: rng.pick(["NHWC", "NCHW"]),
      tensor_layout: "NCHW",
    };
    if (u8) {
      ip.mean = Array.from({ length: c }, () => 100 + rng.int(0, 55));
      ip.std = Array.from({ length: c }, () => 50 + rng.int(0, 80));
    }
    raw.input_processors = [ip];
    notes.push(`input_processors ${JSON.stringify(ip)}`);
  }
  // GatherElements' and GatherND's constant indices carry batch 1: the model only runs at
  // batch 1
  const batched = rng.chance(0.25) && !m.ops.some((op) => BATCH_ONE_OPS.has(op));
  const outputs = g.outputs;
  if (rng.chance(0.25)) {
    const o = rng.pick(outputs);
    const rank = o.type && !("kind" in o.type) ? o.type.shape?.length ?? 0 : 0;
    const op: JsonObject = { tensor_name: o.name };
    if (rank >= 2) op.dst_perm = perm(rng, rank, batched);
    if (rng.chance(0.3)) op.output_dtype = "U8";
    raw.output_processors = [op];
    notes.push(`output_processors ${JSON.stringify(op)}`);
  }
  let runBatch = 1;
  if (batched) {
    const compiler: JsonObject = rng.chance(0.5)
      ? { static_batch_sizes: rng.pick([[1, 2], [2], [1, 4]]) }
      : { max_dynamic_batch_size: rng.pick([2, 4]) };
    raw.compiler = compiler;
    runBatch = rng.int(1, 3);
    notes.push(`${JSON.stringify(compiler)} run batch ${runBatch}`);
  }
  return { raw, runBatch, precision, note: notes.join("; ") };
}
