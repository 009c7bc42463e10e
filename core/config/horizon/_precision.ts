/**
 * Horizon mixed precision (`node_info`, `quant_config`, `optimization`) as pulsar2
 * `quant.layer_configs` entries.
 *
 * Approximations (each also reported as a note):
 * - Horizon `int16` is symmetric signed; pulsar2's 16-bit activation type is asymmetric `U16`
 *   (the type its guide lists for mixed precision). We map int16 → `U16`, int8 → `U8`.
 * - `float16` has no pulsar2 layer type; it becomes `FP32` here, and the Horizon build
 *   rounds those nodes to float16 on a march that has it (`core/quant/float16.ts`).
 * - `InputTypeN` (one input of a node) cannot be expressed per input: any int16 input makes
 *   the whole node `U16`.
 * - Priorities agree: Horizon node > op > model equals pulsar2 named op > op type > subgraph,
 *   so entries map one to one (`node_config` → `layer_name`, `op_config` → `op_type`,
 *   `model_config.all_node_type` → the whole model via `["DEFAULT"]` start/end tensors).
 * - `set_{Kind}_output_int16` sets `output_data_type`, which pulsar2 honours on Conv only.
 *
 * @module
 */
import { type DataType, defaultLayerConfig, type LayerConfig } from "../build_config.ts";
import type { HorizonConfig, HorizonPrecision } from "./types.ts";

/** Horizon precision → pulsar2 data type. */
export function dataTypeOf(p: HorizonPrecision): DataType {
  return p === "int16" ? "U16" : p === "float16" ? "FP32" : "U8";
}

function entry(select: Partial<LayerConfig>, dt: DataType, out?: DataType): LayerConfig {
  return { ...defaultLayerConfig(), ...select, data_type: dt, output_data_type: out ?? dt };
}

/** Derive layer configs; `notes` receives every approximation made. */
export function precisionLayerConfigs(h: HorizonConfig, notes: string[]): LayerConfig[] {
  const out: LayerConfig[] = [];
  const whole = { start_tensor_names: ["DEFAULT"], end_tensor_names: ["DEFAULT"] };
  const q = h.quant_config;
  if (q?.model_config.all_node_type) {
    out.push(entry(whole, dataTypeOf(q.model_config.all_node_type)));
  }
  for (const o of h.calibration_parameters.optimization) {
    if (o === "set_all_nodes_int16") out.push(entry(whole, "U16"));
    const m = /^set_([A-Za-z][A-Za-z0-9]*)_(input|output)_int(8|16)$/.exec(o);
    if (m) {
      const dt: DataType = m[3] === "16" ? "U16" : "U8";
      out.push(
        m[2] === "input" ? entry({ op_type: m[1] }, dt) : entry({ op_type: m[1] }, "U8", dt),
      );
      if (m[1] === "Softmax" && m[3] === "8") {
        notes.push(
          `optimization ${o}: Softmax is quantised to U8 (Horizon keeps it float by default)`,
        );
      }
      if (m[2] === "output" && m[3] === "16") {
        notes.push(`optimization ${o}: output_data_type U16 is honoured by pulsar2 on Conv only`);
      }
    } else if (o !== "set_all_nodes_int16") {
      notes.push(`optimization ${o}: no BuildConfig equivalent; ignored by the mapping`);
    }
  }
  for (const [op, p] of Object.entries(q?.op_config ?? {})) {
    out.push(entry({ op_type: op }, dataTypeOf(p)));
  }
  for (const [node, p] of Object.entries(q?.node_config ?? {})) {
    out.push(entry({ layer_name: node }, dataTypeOf(p)));
  }
  if (q && Object.values({ ...q.op_config, ...q.node_config }).includes("float16")) {
    notes.push("quant_config float16 is mapped to FP32 (pulsar2 has no FP16 layer type)");
  }
  if (q?.model_config.all_node_type === "float16") {
    notes.push("quant_config all_node_type float16 is mapped to FP32");
  }
  if (q?.model_config.model_output_type) {
    notes.push(
      `quant_config model_output_type ${q.model_config.model_output_type}: no BuildConfig equivalent (outputs stay FP32)`,
    );
  }
  for (const n of h.node_info) {
    const perInput = Object.values(n.inputTypes);
    const anyIn16 = n.inputType === "int16" || perInput.includes("int16");
    if (perInput.length > 0) {
      notes.push(
        `node_info ${n.node}: InputTypeN cannot be set per input in pulsar2; the whole node uses ${
          anyIn16 ? "U16" : "U8"
        }`,
      );
    }
    if (n.inputType === undefined && perInput.length === 0 && n.outputType === undefined) continue;
    const dt: DataType = anyIn16 ? "U16" : "U8";
    out.push(entry({ layer_name: n.node }, dt, n.outputType ? dataTypeOf(n.outputType) : dt));
  }
  if (out.some((l) => l.data_type === "U16" || l.output_data_type === "U16")) {
    notes.push("Horizon int16 (symmetric) is mapped to pulsar2 U16 (asymmetric 16-bit)");
  }
  return out;
}
